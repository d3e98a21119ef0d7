package dbtest_test

import (
	"context"
	"os"
	"os/exec"
	"regexp"
	"slices"
	"strings"
	"testing"
	"time"

	"go.mongodb.org/mongo-driver/v2/bson"
	"go.mongodb.org/mongo-driver/v2/mongo"
	"go.mongodb.org/mongo-driver/v2/mongo/options"

	"github.com/complytrack/complytrack/pkg/dbtest"
)

func TestMain(m *testing.M) { dbtest.Main(m) }

var validName = regexp.MustCompile(`^[a-z0-9_]{1,63}$`)

func TestNewGivesEachTestItsOwnDatabase(t *testing.T) {
	ctx := context.Background()
	var names []string
	var client *mongo.Client
	for _, name := range []string{"first", "second", "Third/with spaces & ünïcode, and a name far too long to be a database name on its own"} {
		t.Run(name, func(t *testing.T) {
			db := dbtest.New(t)
			client = db.Client()
			if !validName.MatchString(db.Name()) {
				t.Errorf("database name %q is not [a-z0-9_]{1,63}", db.Name())
			}
			n, err := db.Collection("people").CountDocuments(ctx, bson.D{})
			if err != nil {
				t.Fatal(err)
			}
			if n != 0 {
				t.Errorf("new database holds %d documents, want none", n)
			}
			if _, err := db.Collection("people").InsertOne(ctx, bson.D{{Key: "_id", Value: "p1"}}); err != nil {
				t.Fatal(err)
			}
			names = append(names, db.Name())
		})
	}
	if len(names) != 3 || names[0] == names[1] || names[1] == names[2] {
		t.Errorf("names not unique: %v", names)
	}
	if !strings.HasPrefix(names[0], "testnewgiveseachtestitsowndatabase_first_") {
		t.Errorf("name %q does not start with the sanitised test name", names[0])
	}

	// Every subtest has ended, so its database has been dropped.
	all, err := client.ListDatabaseNames(ctx, bson.D{})
	if err != nil {
		t.Fatal(err)
	}
	for _, n := range names {
		if slices.Contains(all, n) {
			t.Errorf("database %s outlived its test", n)
		}
	}
}

func TestParallelTests(t *testing.T) {
	for i := range 8 {
		t.Run("p", func(t *testing.T) {
			t.Parallel()
			coll := dbtest.New(t).Collection("c")
			docs := []any{bson.D{{Key: "_id", Value: 1}}, bson.D{{Key: "_id", Value: 2}}}
			if _, err := coll.InsertMany(context.Background(), docs); err != nil {
				t.Fatalf("subtest %d: %v", i, err)
			}
			if n, err := coll.CountDocuments(context.Background(), bson.D{}); err != nil || n != 2 {
				t.Errorf("subtest %d: count %d, %v", i, n, err)
			}
		})
	}
}

func TestURIReachesTheSameServer(t *testing.T) {
	ctx := context.Background()
	db := dbtest.New(t)
	if _, err := db.Collection("c").InsertOne(ctx, bson.D{{Key: "_id", Value: "x"}}); err != nil {
		t.Fatal(err)
	}
	other, err := mongo.Connect(options.Client().ApplyURI(dbtest.URI(t)).SetServerSelectionTimeout(5 * time.Second))
	if err != nil {
		t.Fatal(err)
	}
	defer other.Disconnect(ctx)
	n, err := other.Database(db.Name()).Collection("c").CountDocuments(ctx, bson.D{})
	if err != nil || n != 1 {
		t.Errorf("through URI: count %d, %v; want 1", n, err)
	}
}

func TestEngine(t *testing.T) {
	e := dbtest.Engine(t)
	if os.Getenv(dbtest.EnvURI) != "" {
		if e != nil {
			t.Error("Engine is not nil with a real MongoDB")
		}
		return
	}
	if e == nil {
		t.Fatal("Engine is nil without " + dbtest.EnvURI)
	}
	ctx := context.Background()
	db := dbtest.New(t)
	if _, err := db.Collection("c").InsertOne(ctx, bson.D{{Key: "_id", Value: "x"}}); err != nil {
		t.Fatal(err)
	}
	if err := e.IndexIDs(ctx, db.Name()); err != nil {
		t.Fatal(err)
	}
}

// TestWrongURIFailsFast runs this binary again pointed at a port where
// nothing listens: the test must fail within seconds, saying why.
func TestWrongURIFailsFast(t *testing.T) {
	if os.Getenv("DBTEST_WRONG_URI_CHILD") == "1" {
		dbtest.New(t) // must fail
		return
	}
	if testing.Short() {
		t.Skip("runs a child process that waits for the server-selection timeout")
	}
	cmd := exec.Command(os.Args[0], "-test.run=^TestWrongURIFailsFast$", "-test.count=1")
	cmd.Env = append(os.Environ(),
		"DBTEST_WRONG_URI_CHILD=1",
		dbtest.EnvURI+"=mongodb://user:secret@127.0.0.1:1/?connectTimeoutMS=1000")
	start := time.Now()
	out, err := cmd.CombinedOutput()
	elapsed := time.Since(start)
	if err == nil {
		t.Fatalf("child passed with a wrong URI:\n%s", out)
	}
	t.Logf("child failed after %v:\n%s", elapsed.Round(time.Millisecond), out)
	if elapsed > 20*time.Second {
		t.Errorf("wrong URI took %v to fail", elapsed)
	}
	for _, want := range []string{"cannot reach MongoDB", "127.0.0.1:1", dbtest.EnvURI} {
		if !strings.Contains(string(out), want) {
			t.Errorf("message does not mention %q", want)
		}
	}
	if strings.Contains(string(out), "secret") {
		t.Error("message shows the password")
	}
}

package embedded

import (
	"context"
	"errors"
	"os"
	"path/filepath"
	"strings"
	"sync"
	"testing"

	"go.mongodb.org/mongo-driver/v2/bson"
)

func TestRestartKeepsData(t *testing.T) {
	ctx := context.Background()
	dir := filepath.Join(t.TempDir(), "data") // missing: Start creates it

	e1, err := Start(ctx, Config{Dir: dir, Logger: testLogger()})
	if err != nil {
		t.Fatal(err)
	}
	if !strings.HasPrefix(e1.URI(), "mongodb://127.0.0.1:") {
		t.Errorf("URI = %q, want a loopback mongodb:// URI", e1.URI())
	}
	fi, err := os.Stat(dir)
	if err != nil {
		t.Fatal(err)
	}
	if perm := fi.Mode().Perm(); perm != 0o700 {
		t.Errorf("data directory mode = %v, want 0700", perm)
	}

	c1 := connect(t, e1.URI())
	coll := c1.Database("restart").Collection("people")
	seed(t, coll, 50)
	if err := e1.IndexIDs(ctx, "restart"); err != nil {
		t.Fatal(err)
	}
	if _, err := coll.UpdateOne(ctx, bson.D{{Key: "_id", Value: personID(7)}},
		bson.D{{Key: "$set", Value: bson.D{{Key: "status", Value: "compliant"}}}}); err != nil {
		t.Fatal(err)
	}
	_ = c1.Disconnect(ctx)
	if err := e1.Close(); err != nil {
		t.Fatal(err)
	}
	if err := e1.Close(); err != nil { // idempotent
		t.Fatalf("second Close: %v", err)
	}
	if err := e1.IndexIDs(ctx, "restart"); !errors.Is(err, ErrClosed) {
		t.Errorf("IndexIDs after Close = %v, want ErrClosed", err)
	}

	e2 := startEngine(t, dir)
	coll = connect(t, e2.URI()).Database("restart").Collection("people")
	n, err := coll.CountDocuments(ctx, bson.D{})
	if err != nil {
		t.Fatal(err)
	}
	if n != 50 {
		t.Errorf("after restart: %d documents, want 50", n)
	}
	var got struct {
		Status string `bson:"status"`
	}
	if err := coll.FindOne(ctx, bson.D{{Key: "_id", Value: personID(7)}}).Decode(&got); err != nil {
		t.Fatal(err)
	}
	if got.Status != "compliant" {
		t.Errorf("after restart: status = %q, want the update made before it", got.Status)
	}

	// The extra index survives the restart and keeps working.
	db := openFile(t, e2, "restart")
	plan := queryPlan(t, db, ferretStatements(tableName(t, db, "people"))["update"])
	if !strings.Contains(plan, "USING INDEX") {
		t.Errorf("after restart the update plan is %q, want an index search", plan)
	}
}

func TestCloseConcurrentAndIdempotent(t *testing.T) {
	e, err := Start(context.Background(), Config{Dir: t.TempDir(), Logger: testLogger()})
	if err != nil {
		t.Fatal(err)
	}
	var wg sync.WaitGroup
	for range 4 {
		wg.Go(func() {
			if err := e.Close(); err != nil {
				t.Errorf("Close: %v", err)
			}
		})
	}
	wg.Wait()
	if err := e.Close(); err != nil {
		t.Errorf("Close after Close: %v", err)
	}
}

func TestStartRefusesNonLoopbackAddress(t *testing.T) {
	for _, addr := range []string{"0.0.0.0:0", ":27017", "192.0.2.1:0"} {
		_, err := Start(context.Background(), Config{Dir: t.TempDir(), Addr: addr, Logger: testLogger()})
		if err == nil || !strings.Contains(err.Error(), "loopback") {
			t.Errorf("Start with Addr %q: err = %v, want a loopback refusal", addr, err)
		}
	}
}

func TestStartOnExplicitLoopbackPort(t *testing.T) {
	e, err := Start(context.Background(), Config{Dir: t.TempDir(), Addr: "localhost:0", Logger: testLogger()})
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { _ = e.Close() }) // after the client's disconnect, which is registered later
	if err := connect(t, e.URI()).Ping(context.Background(), nil); err != nil {
		t.Fatal(err)
	}
}

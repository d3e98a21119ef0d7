package embedded

import (
	"context"
	"database/sql"
	"errors"
	"io/fs"
	"os"
	"path/filepath"
	"slices"
	"strings"
	"sync"
	"sync/atomic"
	"testing"

	"go.mongodb.org/mongo-driver/v2/bson"
	"go.mongodb.org/mongo-driver/v2/mongo"
	"go.mongodb.org/mongo-driver/v2/mongo/options"
)

// TestIndexIDs checks that IndexIDs turns FerretDB's by-_id statements from
// table scans into index searches, that it is idempotent, and that FerretDB
// neither sees nor trips over the extra index.
func TestIndexIDs(t *testing.T) {
	ctx := context.Background()
	e := startEngine(t, t.TempDir())
	client := connect(t, e.URI())
	mdb := client.Database("idx")
	people := mdb.Collection("people")
	seed(t, people, 200)
	if _, err := people.Indexes().CreateOne(ctx, mongo.IndexModel{
		Keys:    bson.D{{Key: "email_lower", Value: 1}},
		Options: options.Index().SetUnique(true).SetName("email_lower_1"),
	}); err != nil {
		t.Fatal(err)
	}

	// A database with no file yet is nothing to index, and must not get a
	// file: FerretDB would fail at its next start on a file without its
	// metadata table.
	if err := e.IndexIDs(ctx, "nosuchdb"); err != nil {
		t.Errorf("IndexIDs on a missing database: %v", err)
	}
	if _, err := os.Stat(filepath.Join(e.Dir(), "nosuchdb.sqlite")); !errors.Is(err, fs.ErrNotExist) {
		t.Errorf("IndexIDs created a file for a missing database (stat: %v)", err)
	}
	for _, bad := range []string{"", "../etc", "a/b", "_ferretdb_x", strings.Repeat("a", 64)} {
		if err := e.IndexIDs(ctx, bad); err == nil {
			t.Errorf("IndexIDs(%q) accepted an invalid database name", bad)
		}
	}

	db := openFile(t, e, "idx")
	table := tableName(t, db, "people")
	stmts := ferretStatements(table)

	for name, stmt := range stmts {
		plan := queryPlan(t, db, stmt)
		t.Logf("before IndexIDs, %s: %s", name, plan)
		if !strings.HasPrefix(plan, "SCAN") {
			t.Errorf("before IndexIDs the %s plan is %q; expected FerretDB's table scan (has FerretDB changed?)", name, plan)
		}
	}

	if err := e.IndexIDs(ctx, "idx"); err != nil {
		t.Fatal(err)
	}
	for name, stmt := range stmts {
		plan := queryPlan(t, db, stmt)
		t.Logf("after IndexIDs, %s: %s", name, plan)
		want := "USING INDEX " + table + "_id_path"
		if !strings.HasPrefix(plan, "SEARCH") || !strings.Contains(plan, want) {
			t.Errorf("after IndexIDs the %s plan is %q, want SEARCH ... %s", name, plan, want)
		}
	}

	indexes := sqliteIndexes(t, db, table)
	if err := e.IndexIDs(ctx, "idx"); err != nil {
		t.Fatalf("second IndexIDs: %v", err)
	}
	if again := sqliteIndexes(t, db, table); !slices.Equal(again, indexes) {
		t.Errorf("second IndexIDs changed the indexes: %v, then %v", indexes, again)
	}

	// FerretDB lists only its own indexes ...
	if got := indexNames(t, people); !slices.Equal(got, []string{"_id_", "email_lower_1"}) {
		t.Errorf("listIndexes = %v, want [_id_ email_lower_1]", got)
	}
	// ... and collStats reports only those.
	var stats struct {
		Count      int64            `bson:"count"`
		IndexSizes map[string]int64 `bson:"indexSizes"`
	}
	if err := mdb.RunCommand(ctx, bson.D{{Key: "collStats", Value: "people"}}).Decode(&stats); err != nil {
		t.Fatalf("collStats: %v", err)
	}
	if len(stats.IndexSizes) != 2 || stats.Count != 200 {
		t.Errorf("collStats: count %d, indexSizes %v; want 200 and two indexes", stats.Count, stats.IndexSizes)
	}

	// Writes by _id go through the index and still do the right thing.
	id := func(i int) bson.D { return bson.D{{Key: "_id", Value: personID(i)}} }
	res, err := people.UpdateOne(ctx, id(1), bson.D{{Key: "$set", Value: bson.D{{Key: "status", Value: "compliant"}}}})
	if err != nil || res.MatchedCount != 1 || res.ModifiedCount != 1 {
		t.Fatalf("UpdateOne: %+v, %v", res, err)
	}
	repl := smallDoc(2)
	repl[9].Value = "expired"
	if res, err := people.ReplaceOne(ctx, id(2), repl); err != nil || res.ModifiedCount != 1 {
		t.Fatalf("ReplaceOne: %+v, %v", res, err)
	}
	var after struct {
		Version int64 `bson:"version"`
	}
	err = people.FindOneAndUpdate(ctx, id(3), bson.D{{Key: "$inc", Value: bson.D{{Key: "version", Value: 1}}}},
		options.FindOneAndUpdate().SetReturnDocument(options.After)).Decode(&after)
	if err != nil || after.Version != 2 {
		t.Fatalf("FindOneAndUpdate: version %d, %v", after.Version, err)
	}
	if res, err := people.DeleteOne(ctx, id(4)); err != nil || res.DeletedCount != 1 {
		t.Fatalf("DeleteOne: %+v, %v", res, err)
	}
	if res, err := people.DeleteMany(ctx, bson.D{{Key: "_id", Value: bson.D{{Key: "$in", Value: bson.A{personID(5), personID(6)}}}}}); err != nil || res.DeletedCount != 2 {
		t.Fatalf("DeleteMany: %+v, %v", res, err)
	}
	for i, want := range map[int]string{1: "compliant", 2: "expired", 3: "due"} {
		var d struct {
			Status string `bson:"status"`
		}
		if err := people.FindOne(ctx, id(i)).Decode(&d); err != nil || d.Status != want {
			t.Errorf("%s: status %q (%v), want %q", personID(i), d.Status, err, want)
		}
	}
	// The unique _id index FerretDB made is still the one that refuses duplicates.
	if _, err := people.InsertOne(ctx, smallDoc(1)); !mongo.IsDuplicateKeyError(err) {
		t.Errorf("duplicate _id insert: %v, want a duplicate key error", err)
	}
	if n, _ := people.CountDocuments(ctx, bson.D{}); n != 197 {
		t.Errorf("count = %d, want 197", n)
	}

	// Dropping FerretDB's indexes leaves ours alone (FerretDB only drops what
	// its metadata lists).
	if err := people.Indexes().DropAll(ctx); err != nil {
		t.Fatal(err)
	}
	if got := indexNames(t, people); !slices.Equal(got, []string{"_id_"}) {
		t.Errorf("after dropIndexes *: listIndexes = %v", got)
	}
	if !slices.Contains(sqliteIndexes(t, db, table), table+"_id_path") {
		t.Errorf("dropIndexes removed our index")
	}

	// A collection created later is covered by calling IndexIDs again.
	courses := mdb.Collection("courses")
	if _, err := courses.InsertOne(ctx, bson.D{{Key: "_id", Value: "prevent"}}); err != nil {
		t.Fatal(err)
	}
	coursesTable := tableName(t, db, "courses")
	if plan := queryPlan(t, db, ferretStatements(coursesTable)["update"]); strings.Contains(plan, "USING INDEX") {
		t.Errorf("new collection is indexed before IndexIDs: %q", plan)
	}
	if err := e.IndexIDs(ctx, "idx"); err != nil {
		t.Fatal(err)
	}
	if plan := queryPlan(t, db, ferretStatements(coursesTable)["update"]); !strings.Contains(plan, "USING INDEX "+coursesTable+"_id_path") {
		t.Errorf("new collection after IndexIDs: %q", plan)
	}

	// Dropping the collection drops the table and our index with it; the
	// name can be used again.
	if err := courses.Drop(ctx); err != nil {
		t.Fatal(err)
	}
	if got := sqliteIndexes(t, db, coursesTable); len(got) != 0 {
		t.Errorf("indexes left after drop: %v", got)
	}
	if _, err := courses.InsertOne(ctx, bson.D{{Key: "_id", Value: "prevent"}}); err != nil {
		t.Fatalf("recreate collection: %v", err)
	}
	if err := e.IndexIDs(ctx, "idx"); err != nil {
		t.Fatal(err)
	}

	// Dropping the database removes its file; our connection must be closed
	// first, as any reader of the file should be.
	_ = db.Close()
	if err := mdb.Drop(ctx); err != nil {
		t.Fatal(err)
	}
	if _, err := os.Stat(filepath.Join(e.Dir(), "idx.sqlite")); !errors.Is(err, fs.ErrNotExist) {
		t.Errorf("database file still there after dropDatabase (stat: %v)", err)
	}
	if err := e.IndexIDs(ctx, "idx"); err != nil {
		t.Errorf("IndexIDs on a dropped database: %v", err)
	}
	seed(t, people, 10)
	if err := e.IndexIDs(ctx, "idx"); err != nil {
		t.Fatalf("IndexIDs on a recreated database: %v", err)
	}
	if n, _ := people.CountDocuments(ctx, bson.D{}); n != 10 {
		t.Errorf("recreated database: count = %d, want 10", n)
	}
}

// TestIndexIDsWhileWriting runs IndexIDs while clients update the collection
// by _id: FerretDB must carry on without errors and lose no write.
func TestIndexIDsWhileWriting(t *testing.T) {
	ctx := context.Background()
	e := startEngine(t, t.TempDir())
	coll := connect(t, e.URI()).Database("busy").Collection("people")
	const docs = 2000
	seed(t, coll, docs)

	var stop atomic.Bool
	var updates atomic.Int64
	var wg sync.WaitGroup
	for w := range 4 {
		wg.Go(func() {
			for i := w; !stop.Load(); i += 4 {
				// each worker owns the documents i ≡ w (mod 4), so no two
				// workers race on one document (see TestConcurrentIncOnOneDocument)
				_, err := coll.UpdateOne(ctx, bson.D{{Key: "_id", Value: personID(i % docs)}},
					bson.D{{Key: "$inc", Value: bson.D{{Key: "version", Value: 1}}}})
				if err != nil {
					t.Errorf("update during IndexIDs: %v", err)
					return
				}
				updates.Add(1)
			}
		})
	}
	for range 3 {
		if err := e.IndexIDs(ctx, "busy"); err != nil {
			t.Errorf("IndexIDs under load: %v", err)
		}
	}
	for updates.Load() < 200 && !t.Failed() {
		// let the writers run against the new index for a while
		if err := coll.Database().Client().Ping(ctx, nil); err != nil {
			t.Fatal(err)
		}
	}
	stop.Store(true)
	wg.Wait()

	var sum struct {
		Total int64 `bson:"total"`
	}
	cur, err := coll.Aggregate(ctx, mongo.Pipeline{
		{{Key: "$group", Value: bson.D{{Key: "_id", Value: nil}, {Key: "total", Value: bson.D{{Key: "$sum", Value: "$version"}}}}}},
	})
	if err != nil {
		t.Fatal(err)
	}
	if !cur.Next(ctx) {
		t.Fatal("no aggregate result", cur.Err())
	}
	if err := cur.Decode(&sum); err != nil {
		t.Fatal(err)
	}
	_ = cur.Close(ctx)
	if want := docs + updates.Load(); sum.Total != want {
		t.Errorf("sum of versions = %d, want %d (%d updates)", sum.Total, want, updates.Load())
	}
}

func sqliteIndexes(t *testing.T, db *sql.DB, table string) []string {
	t.Helper()
	rows, err := db.Query(`SELECT name FROM sqlite_schema WHERE type = 'index' AND tbl_name = ? ORDER BY name`, table)
	if err != nil {
		t.Fatal(err)
	}
	defer rows.Close()
	var names []string
	for rows.Next() {
		var n string
		if err := rows.Scan(&n); err != nil {
			t.Fatal(err)
		}
		names = append(names, n)
	}
	return names
}

func indexNames(t *testing.T, coll *mongo.Collection) []string {
	t.Helper()
	specs, err := coll.Indexes().ListSpecifications(context.Background())
	if err != nil {
		t.Fatal(err)
	}
	var names []string
	for _, s := range specs {
		names = append(names, s.Name)
	}
	slices.Sort(names)
	return names
}

package embedded

import (
	"context"
	"database/sql"
	"fmt"
	"log/slog"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"go.mongodb.org/mongo-driver/v2/bson"
	"go.mongodb.org/mongo-driver/v2/mongo"
	"go.mongodb.org/mongo-driver/v2/mongo/options"
)

// testLogger keeps the engine quiet in tests except for real trouble.
func testLogger() *slog.Logger {
	return slog.New(slog.NewTextHandler(os.Stderr, &slog.HandlerOptions{Level: slog.LevelWarn}))
}

// startEngine starts an engine on dir and closes it when the test ends.
func startEngine(tb testing.TB, dir string) *Engine {
	tb.Helper()
	ctx, cancel := context.WithTimeout(context.Background(), 30*time.Second)
	defer cancel()
	e, err := Start(ctx, Config{Dir: dir, Logger: testLogger()})
	if err != nil {
		tb.Fatalf("Start: %v", err)
	}
	tb.Cleanup(func() { _ = e.Close() })
	return e
}

// connect returns a driver client for uri, disconnected when the test ends
// (before the engine is closed: cleanups run last-in first-out).
func connect(tb testing.TB, uri string) *mongo.Client {
	tb.Helper()
	c, err := mongo.Connect(options.Client().ApplyURI(uri).SetServerSelectionTimeout(5 * time.Second))
	if err != nil {
		tb.Fatalf("connect: %v", err)
	}
	tb.Cleanup(func() {
		ctx, cancel := context.WithTimeout(context.Background(), 5*time.Second)
		defer cancel()
		_ = c.Disconnect(ctx)
	})
	return c
}

// seed inserts n small documents (about ten fields) with _id "p000000"...
// in batches, like an HR import.
func seed(tb testing.TB, coll *mongo.Collection, n int) {
	tb.Helper()
	ctx := context.Background()
	const batch = 1000
	for start := 0; start < n; start += batch {
		docs := make([]any, 0, batch)
		for i := start; i < min(start+batch, n); i++ {
			docs = append(docs, smallDoc(i))
		}
		if _, err := coll.InsertMany(ctx, docs); err != nil {
			tb.Fatalf("seed: %v", err)
		}
	}
}

func personID(i int) string { return fmt.Sprintf("p%06d", i) }

func smallDoc(i int) bson.D {
	return bson.D{
		{Key: "_id", Value: personID(i)},
		{Key: "employee_no", Value: fmt.Sprintf("E%06d", i)},
		{Key: "given_name", Value: "Alex"},
		{Key: "family_name", Value: fmt.Sprintf("Smith%d", i)},
		{Key: "email_lower", Value: fmt.Sprintf("alex.smith%d@example.org", i)},
		{Key: "kind", Value: "staff"},
		{Key: "department", Value: fmt.Sprintf("dept-%02d", i%40)},
		{Key: "manager_id", Value: personID(i / 10)},
		{Key: "start_date", Value: "2024-01-04"},
		{Key: "status", Value: "due"},
		{Key: "version", Value: int64(1)},
	}
}

// openFile opens a database's SQLite file beside the running engine, for
// looking at what FerretDB made of it.
func openFile(tb testing.TB, e *Engine, dbName string) *sql.DB {
	tb.Helper()
	db, err := OpenFile(filepath.Join(e.Dir(), dbName+".sqlite"))
	if err != nil {
		tb.Fatal(err)
	}
	// A fresh connection for every query: EXPLAIN QUERY PLAN does not start a
	// transaction, so a connection that cached the schema before IndexIDs
	// would go on planning without the new index (real statements do check
	// the schema cookie and re-plan, which is why FerretDB's own pooled
	// connections pick the index up).
	db.SetMaxIdleConns(0)
	tb.Cleanup(func() { _ = db.Close() })
	return db
}

// tableName returns the SQLite table FerretDB keeps a collection in.
func tableName(tb testing.TB, db *sql.DB, coll string) string {
	tb.Helper()
	var t string
	err := db.QueryRow(`SELECT table_name FROM "_ferretdb_collections" WHERE name = ?`, coll).Scan(&t)
	if err != nil {
		tb.Fatalf("table of %s: %v", coll, err)
	}
	return t
}

// ferretStatements are the statements FerretDB v1.24.2 runs for a write or a
// lookup by _id (internal/backends/sqlite/collection.go: UpdateAll, Query
// with an {_id: X} filter, DeleteAll), spelt exactly as it spells them.
func ferretStatements(table string) map[string]string {
	return map[string]string{
		"update": fmt.Sprintf(`UPDATE %q SET _ferretdb_sjson = ? WHERE _ferretdb_sjson->'$._id' = ?`, table),
		"select": fmt.Sprintf(`SELECT _ferretdb_sjson FROM %q WHERE _ferretdb_sjson->'$._id' = ?`, table),
		"delete": fmt.Sprintf(`DELETE FROM %q WHERE _ferretdb_sjson->'$._id' IN (?, ?, ?)`, table),
	}
}

// queryPlan returns the detail column of EXPLAIN QUERY PLAN, one line a step.
func queryPlan(tb testing.TB, db *sql.DB, stmt string) string {
	tb.Helper()
	rows, err := db.Query("EXPLAIN QUERY PLAN "+stmt, args(strings.Count(stmt, "?"))...)
	if err != nil {
		tb.Fatalf("explain %s: %v", stmt, err)
	}
	defer rows.Close()
	var lines []string
	for rows.Next() {
		var id, parent, notused int
		var detail string
		if err := rows.Scan(&id, &parent, &notused, &detail); err != nil {
			tb.Fatal(err)
		}
		lines = append(lines, detail)
	}
	if err := rows.Err(); err != nil {
		tb.Fatal(err)
	}
	return strings.Join(lines, "; ")
}

func args(n int) []any {
	a := make([]any, n)
	for i := range a {
		a[i] = fmt.Sprintf(`"p%06d"`, i)
	}
	return a
}

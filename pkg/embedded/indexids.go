package embedded

import (
	"context"
	"database/sql"
	"errors"
	"fmt"
	"io/fs"
	"log/slog"
	"os"
	"path/filepath"
	"regexp"
	"strings"

	_ "modernc.org/sqlite" // the database/sql driver FerretDB itself uses
)

// The names below are FerretDB v1.24.2's SQLite layout
// (internal/backends/sqlite/metadata): one table per collection whose only
// document column is _ferretdb_sjson, and a metadata table mapping collection
// names to table names.
const (
	metadataTable = "_ferretdb_collections"

	// idExpr must be, token for token, the expression FerretDB's statements
	// compare with the _id argument (metadata.IDColumn): SQLite only uses an
	// index on an expression for a WHERE clause that contains the same
	// expression. FerretDB's own unique _id index is on
	// _ferretdb_sjson->"_id", which selects the same value but is a
	// different expression, so SQLite never uses it.
	idExpr = `_ferretdb_sjson->'$._id'`

	// idIndexSuffix names our index "<table>_id_path". FerretDB names the
	// SQLite index of a MongoDB index "<table>_<mongo index name>", so a
	// MongoDB index literally named "id_path" on the same collection would
	// collide (its createIndexes would fail); complytrack has none.
	idIndexSuffix = "_id_path"
)

// databaseNameRe is FerretDB's own rule for database names
// (internal/backends/validation.go); checking it here also keeps dbName from
// naming a file outside Dir.
var databaseNameRe = regexp.MustCompile(`^[a-zA-Z0-9_-]{1,63}$`)

// IndexIDs makes updates, deletes and lookups by _id in database dbName use an
// index, so that their cost no longer grows with the collection's size.
//
// Why: FerretDB v1.24.2 pushes a filter that is exactly {_id: <string or
// ObjectID>} down to SQLite as `WHERE _ferretdb_sjson->'$._id' = ?` (the
// SELECT that finds the document, and the UPDATE that writes it back), and
// deletes with `WHERE _ferretdb_sjson->'$._id' IN (...)`. Its unique _id index
// is on a differently spelt expression, so SQLite scans the whole table for
// every one of those statements (EXPLAIN QUERY PLAN: SCAN).
//
// How: IndexIDs opens its own short-lived connection to
// "<Dir>/<dbName>.sqlite" with modernc.org/sqlite (the driver FerretDB uses)
// and, inside one IMMEDIATE transaction, reads every collection's table name
// from FerretDB's _ferretdb_collections table and runs
// `CREATE INDEX IF NOT EXISTS "<table>_id_path" ON "<table>" (_ferretdb_sjson->'$._id')`.
// With it SQLite plans SEARCH ... USING INDEX for all three statements.
//
// It is idempotent and safe while the engine serves requests: SQLite's locks
// (WAL, busy_timeout) serialise it with FerretDB's writers, and FerretDB never
// caches prepared statements, so its next statement sees the new index.
// FerretDB does not notice the index otherwise: listIndexes and collStats
// read FerretDB's own metadata, dropping the collection drops the table with
// its indexes, dropping the database deletes the file, and the index is
// simply kept across restarts. The cost is one more index to maintain on
// insert.
//
// It only covers collections that exist now: call it again after creating
// collections (a store's "ensure indexes" step is the natural place). A
// database that does not exist yet (no file) is not an error: there is
// nothing to index. Do not run it at the same moment as dropping dbName.
func (e *Engine) IndexIDs(ctx context.Context, dbName string) error {
	if !databaseNameRe.MatchString(dbName) || strings.HasPrefix(dbName, "_ferretdb_") {
		return fmt.Errorf("embedded: IndexIDs: invalid database name %q", dbName)
	}

	e.mu.RLock()
	defer e.mu.RUnlock()
	if e.closed {
		return ErrClosed
	}

	file := filepath.Join(e.dir, dbName+".sqlite")
	if _, err := os.Stat(file); errors.Is(err, fs.ErrNotExist) {
		return nil
	}

	created, err := indexIDs(ctx, file)
	if err != nil {
		return fmt.Errorf("embedded: IndexIDs(%s): %w", dbName, err)
	}
	if len(created) > 0 {
		e.log.InfoContext(ctx, "embedded engine: indexed _id for updates",
			slog.String("db", dbName), slog.Int("collections", len(created)))
	}
	return nil
}

// indexIDs creates the missing _id indexes in one SQLite file and returns the
// tables it indexed.
func indexIDs(ctx context.Context, file string) ([]string, error) {
	db, err := OpenFile(file)
	if err != nil {
		return nil, err
	}
	defer db.Close()

	// IMMEDIATE (see OpenFile) takes the write lock before the first read,
	// so a collection cannot be dropped between reading its table name and
	// indexing its table. FerretDB creates a collection's table before its
	// metadata row and deletes the row before the table, so every row read
	// here names an existing table.
	tx, err := db.BeginTx(ctx, nil)
	if err != nil {
		return nil, err
	}
	defer tx.Rollback() //nolint:errcheck // a no-op after Commit

	// The file exists for a moment before FerretDB creates its metadata table.
	var n int
	err = tx.QueryRowContext(ctx,
		`SELECT count(*) FROM sqlite_schema WHERE type = 'table' AND name = ?`, metadataTable).Scan(&n)
	if err != nil {
		return nil, err
	}
	if n == 0 {
		return nil, nil
	}

	tables, err := missingIDIndexes(ctx, tx)
	if err != nil {
		return nil, err
	}

	for _, t := range tables {
		q := fmt.Sprintf(`CREATE INDEX IF NOT EXISTS %s ON %s (%s)`,
			quoteIdent(t+idIndexSuffix), quoteIdent(t), idExpr)
		if _, err := tx.ExecContext(ctx, q); err != nil {
			return nil, fmt.Errorf("table %s: %w", t, err)
		}
	}

	if err := tx.Commit(); err != nil {
		return nil, err
	}
	return tables, nil
}

// missingIDIndexes lists the collection tables that have no _id index of ours.
func missingIDIndexes(ctx context.Context, tx *sql.Tx) ([]string, error) {
	rows, err := tx.QueryContext(ctx, fmt.Sprintf(
		`SELECT c.table_name FROM %s c
		 WHERE NOT EXISTS (SELECT 1 FROM sqlite_schema s WHERE s.type = 'index' AND s.name = c.table_name || ?)
		 ORDER BY c.table_name`,
		quoteIdent(metadataTable)), idIndexSuffix)
	if err != nil {
		return nil, err
	}
	defer rows.Close()

	var tables []string
	for rows.Next() {
		var t string
		if err := rows.Scan(&t); err != nil {
			return nil, err
		}
		tables = append(tables, t)
	}
	return tables, rows.Err()
}

// OpenFile opens an existing database file of the engine's, with one
// connection, the way FerretDB does (metadata/pool: busy_timeout before
// anything else; the file is already in WAL mode, which is persistent),
// for the work done on the files directly: IndexIDs, and backups, which
// may run beside an engine that has the file open. mode=rw refuses to
// create a missing file: an empty file would make FerretDB fail at its
// next start, for want of its metadata table. It is read-write even for
// reading because reading a WAL-mode file makes its -wal and -shm files
// if they are missing, and only a read-write connection, the last to
// close, removes them again. _txlock=immediate makes BeginTx issue BEGIN
// IMMEDIATE.
func OpenFile(file string) (*sql.DB, error) {
	dsn := "file:" + sqliteURIPath(file) + "?mode=rw&_pragma=busy_timeout(10000)&_txlock=immediate"
	db, err := sql.Open("sqlite", dsn)
	if err != nil {
		return nil, err
	}
	db.SetMaxOpenConns(1)
	return db, nil
}

// sqliteURIPath escapes the characters that end or escape the path part of a
// SQLite URI filename (https://www.sqlite.org/uri.html).
func sqliteURIPath(p string) string {
	return strings.NewReplacer("%", "%25", "?", "%3f", "#", "%23").Replace(p)
}

// quoteIdent quotes a SQL identifier the SQLite way (doubling inner quotes).
// Table names come from collection names, which may contain almost anything.
func quoteIdent(s string) string {
	return `"` + strings.ReplaceAll(s, `"`, `""`) + `"`
}

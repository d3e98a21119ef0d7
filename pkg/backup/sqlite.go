package backup

import (
	"context"
	"fmt"
	"strings"

	"github.com/complytrack/complytrack/pkg/embedded"
)

// The database files are opened with embedded.OpenFile: as the engine opens
// them (its busy timeout, far longer than any of its writes holds a lock),
// never creating one, and read-write although only reading statements run,
// so that the -wal and -shm files a read makes are removed again when it
// ends, as the engine's own last connection would.

// metadataTable is the table in which FerretDB's SQLite backend lists a
// database's collections; every database file it made has one.
const metadataTable = "_ferretdb_collections"

// snapshot writes a consistent copy of the SQLite database src to dst,
// which must not exist, with VACUUM INTO. It reads src inside one read
// transaction, so the copy is the database at one moment however the
// engine writes meanwhile. The copy is also compacted (free pages are left
// out), and is in SQLite's default journal mode; the engine turns WAL on
// when it opens it.
func snapshot(ctx context.Context, src, dst string) error {
	db, err := embedded.OpenFile(src)
	if err != nil {
		return err
	}
	defer db.Close()
	if _, err := db.ExecContext(ctx, "VACUUM INTO ?", dst); err != nil {
		return fmt.Errorf("copy %s: %w", src, err)
	}
	return nil
}

// checkDatabase runs SQLite's integrity check on file and checks that it is
// a database the engine made. It does not change the file.
func checkDatabase(ctx context.Context, file string) error {
	db, err := embedded.OpenFile(file)
	if err != nil {
		return err
	}
	defer db.Close()
	rows, err := db.QueryContext(ctx, "PRAGMA integrity_check(20)")
	if err != nil {
		return fmt.Errorf("integrity check: %w", err)
	}
	defer rows.Close()
	var problems []string
	for rows.Next() {
		var s string
		if err := rows.Scan(&s); err != nil {
			return fmt.Errorf("integrity check: %w", err)
		}
		problems = append(problems, s)
	}
	if err := rows.Err(); err != nil {
		return fmt.Errorf("integrity check: %w", err)
	}
	if len(problems) != 1 || problems[0] != "ok" {
		return fmt.Errorf("the integrity check found the database damaged: %s", strings.Join(problems, "; "))
	}
	var n int
	err = db.QueryRowContext(ctx,
		`SELECT count(*) FROM sqlite_schema WHERE type = 'table' AND name = ?`, metadataTable).Scan(&n)
	if err != nil {
		return err
	}
	if n == 0 {
		return fmt.Errorf("it is a SQLite database but not one of the embedded engine (it has no %s table)", metadataTable)
	}
	return nil
}

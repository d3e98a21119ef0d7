package backup

import (
	"archive/tar"
	"bytes"
	"compress/gzip"
	"crypto/sha256"
	"database/sql"
	"encoding/hex"
	"encoding/json"
	"fmt"
	"os"
	"path/filepath"
	"testing"
	"time"

	"github.com/complytrack/complytrack/pkg/auth"
	"github.com/complytrack/complytrack/pkg/embedded"
)

// openWAL opens (creating) a database file the way the engine does: WAL
// mode, busy timeout, and no automatic checkpoint, so that what it writes
// stays in the -wal file until it is closed, as on a busy engine.
func openWAL(t testing.TB, path string) *sql.DB {
	t.Helper()
	db, err := sql.Open("sqlite", "file:"+path+
		"?_pragma=busy_timeout(10000)&_pragma=journal_mode(wal)&_pragma=wal_autocheckpoint(0)")
	if err != nil {
		t.Fatal(err)
	}
	db.SetMaxOpenConns(1)
	t.Cleanup(func() { db.Close() })
	return db
}

// makeEngineDB creates an engine-like database at path (FerretDB's
// metadata table, a collection table with an index) holding rows
// documents, and returns the open connection that wrote it.
func makeEngineDB(t testing.TB, path string, rows int) *sql.DB {
	t.Helper()
	if err := os.MkdirAll(filepath.Dir(path), 0o700); err != nil {
		t.Fatal(err)
	}
	db := openWAL(t, path)
	for _, q := range []string{
		`CREATE TABLE _ferretdb_collections (name TEXT PRIMARY KEY, table_name TEXT UNIQUE, settings TEXT)`,
		`INSERT INTO _ferretdb_collections VALUES ('people', 'people_1', '{}'), ('audit', 'audit_2', '{}')`,
		`CREATE TABLE people_1 (_ferretdb_sjson TEXT)`,
		`CREATE UNIQUE INDEX people_1_id ON people_1 (_ferretdb_sjson->'$._id')`,
		`CREATE TABLE audit_2 (_ferretdb_sjson TEXT)`,
	} {
		if _, err := db.Exec(q); err != nil {
			t.Fatal(q, err)
		}
	}
	for i := range rows {
		insertPair(t, db, i)
	}
	return db
}

// insertPair writes person i and its audit entry in one transaction: a
// consistent copy holds both or neither.
func insertPair(t testing.TB, db *sql.DB, i int) {
	t.Helper()
	tx, err := db.Begin()
	if err != nil {
		t.Error(err)
		return
	}
	defer tx.Rollback() //nolint:errcheck // a no-op after Commit
	doc := fmt.Sprintf(`{"_id":"p%06d","name":"Person %d","notes":%q}`, i, i, bytes.Repeat([]byte("x"), 200))
	if _, err := tx.Exec(`INSERT INTO people_1 VALUES (?)`, doc); err != nil {
		t.Error(err)
		return
	}
	if _, err := tx.Exec(`INSERT INTO audit_2 VALUES (?)`, fmt.Sprintf(`{"_id":"a%06d","entity":"p%06d"}`, i, i)); err != nil {
		t.Error(err)
		return
	}
	if err := tx.Commit(); err != nil {
		t.Error(err)
	}
}

// counts returns how many people and audit entries a database file holds.
func counts(t testing.TB, path string) (people, audit int) {
	t.Helper()
	db, err := embedded.OpenFile(path)
	if err != nil {
		t.Fatal(err)
	}
	defer db.Close()
	if err := db.QueryRow(`SELECT count(*) FROM people_1`).Scan(&people); err != nil {
		t.Fatal(err)
	}
	if err := db.QueryRow(`SELECT count(*) FROM audit_2`).Scan(&audit); err != nil {
		t.Fatal(err)
	}
	return people, audit
}

// signingKey returns a real PEM signing key.
func signingKey(t testing.TB) []byte {
	t.Helper()
	ks, err := auth.GenerateKeySet()
	if err != nil {
		t.Fatal(err)
	}
	pem, err := ks.MarshalPEM()
	if err != nil {
		t.Fatal(err)
	}
	return pem
}

// entry is one member of a hand-built archive.
type entry struct {
	name     string
	typeflag byte
	data     []byte
	linkname string
	// size, when not -1, is written in the tar header instead of len(data).
	size int64
}

func file(name string, data []byte) entry {
	return entry{name: name, typeflag: tar.TypeReg, data: data, size: -1}
}

// manifestFor describes entries as Create would.
func manifestFor(entries ...entry) Manifest {
	m := Manifest{Format: FormatName, Version: FormatVersion, CreatedAt: time.Date(2026, 11, 30, 12, 0, 0, 0, time.UTC), SourceDir: "/srv/complytrack/data"}
	for _, e := range entries {
		sum := sha256.Sum256(e.data)
		m.Members = append(m.Members, Member{Name: e.name, Size: int64(len(e.data)), SHA256: hex.EncodeToString(sum[:])})
	}
	return m
}

func manifestEntry(t testing.TB, m any) entry {
	t.Helper()
	b, err := json.Marshal(m)
	if err != nil {
		t.Fatal(err)
	}
	return file(manifestName, b)
}

// archive builds a gzip'd tar of entries, in order, as written.
func archive(t testing.TB, entries ...entry) []byte {
	t.Helper()
	var buf bytes.Buffer
	zw := gzip.NewWriter(&buf)
	tw := tar.NewWriter(zw)
	for _, e := range entries {
		size := int64(len(e.data))
		if e.size >= 0 {
			size = e.size
		}
		h := &tar.Header{Typeflag: e.typeflag, Name: e.name, Linkname: e.linkname, Mode: 0o600, ModTime: time.Unix(1e9, 0)}
		if e.typeflag == tar.TypeReg {
			h.Size = size
		}
		if err := tw.WriteHeader(h); err != nil {
			t.Fatal(err)
		}
		if e.typeflag == tar.TypeReg {
			data := e.data
			if int64(len(data)) > size {
				data = data[:size]
			}
			if _, err := tw.Write(data); err != nil {
				t.Fatal(err)
			}
			if pad := size - int64(len(data)); pad > 0 {
				if _, err := tw.Write(make([]byte, pad)); err != nil {
					t.Fatal(err)
				}
			}
		}
	}
	if err := tw.Close(); err != nil {
		t.Fatal(err)
	}
	if err := zw.Close(); err != nil {
		t.Fatal(err)
	}
	return buf.Bytes()
}

// engineDBBytes returns the bytes of a small, closed engine-like database.
func engineDBBytes(t testing.TB, rows int) []byte {
	t.Helper()
	path := filepath.Join(t.TempDir(), "src.sqlite")
	db := makeEngineDB(t, path, rows)
	if err := db.Close(); err != nil {
		t.Fatal(err)
	}
	b, err := os.ReadFile(path)
	if err != nil {
		t.Fatal(err)
	}
	return b
}

// listTree returns every path under dir, relative to it.
func listTree(t testing.TB, dir string) []string {
	t.Helper()
	var out []string
	err := filepath.WalkDir(dir, func(p string, d os.DirEntry, err error) error {
		if err != nil {
			return err
		}
		if p != dir {
			rel, _ := filepath.Rel(dir, p)
			out = append(out, filepath.ToSlash(rel))
		}
		return nil
	})
	if err != nil && !os.IsNotExist(err) {
		t.Fatal(err)
	}
	return out
}

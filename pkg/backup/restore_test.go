package backup

import (
	"archive/tar"
	"bytes"
	"compress/gzip"
	"context"
	"database/sql"
	"errors"
	"os"
	"path/filepath"
	"slices"
	"strings"
	"testing"
)

// goodEntries are the members of a sound backup: a database and a key.
func goodEntries(t testing.TB) []entry {
	return []entry{file("db/complytrack.sqlite", engineDBBytes(t, 5)), file(KeyFile, signingKey(t))}
}

// damagedIndexDB returns a database whose table is intact but whose
// index is not: SQLite opens and reads it, and only the integrity check
// finds the damage.
func damagedIndexDB(t *testing.T) []byte {
	t.Helper()
	path := filepath.Join(t.TempDir(), "d.sqlite")
	db := makeEngineDB(t, path, 40)
	var page int64
	if err := db.QueryRow(`SELECT rootpage FROM sqlite_schema WHERE name = 'people_1_id'`).Scan(&page); err != nil {
		t.Fatal(err)
	}
	var pageSize int64
	if err := db.QueryRow(`PRAGMA page_size`).Scan(&pageSize); err != nil {
		t.Fatal(err)
	}
	if err := db.Close(); err != nil {
		t.Fatal(err)
	}
	b, err := os.ReadFile(path)
	if err != nil {
		t.Fatal(err)
	}
	// Overwrite the end of the index's root page, where its cells are,
	// leaving the page header alone.
	end := page * pageSize
	for i := end - 200; i < end; i++ {
		b[i] = 'Z'
	}
	return b
}

func plainSQLiteDB(t *testing.T) []byte {
	t.Helper()
	path := filepath.Join(t.TempDir(), "p.sqlite")
	db, err := sql.Open("sqlite", "file:"+path)
	if err != nil {
		t.Fatal(err)
	}
	if _, err := db.Exec(`CREATE TABLE t (x)`); err != nil {
		t.Fatal(err)
	}
	db.Close()
	b, err := os.ReadFile(path)
	if err != nil {
		t.Fatal(err)
	}
	return b
}

// Every way a file can fail to be a sound backup is refused, and the data
// directory is left as it was: nothing in it, nothing beside it.
func TestRestoreRefusesBadArchives(t *testing.T) {
	good := goodEntries(t)
	db, key := good[0], good[1]
	m := manifestFor(db, key)
	valid := archive(t, append([]entry{manifestEntry(t, m)}, good...)...)

	with := func(change func(*Manifest)) entry {
		c := manifestFor(db, key)
		change(&c)
		return manifestEntry(t, c)
	}
	listing := func(names ...string) entry {
		var es []entry
		for _, n := range names {
			es = append(es, file(n, []byte("x")))
		}
		return manifestEntry(t, manifestFor(es...))
	}
	flipped := bytes.Clone(valid)
	flipped[len(flipped)/2] ^= 0xff

	for _, tt := range []struct {
		name string
		data []byte
		say  string
	}{
		{"an empty file", nil, "not gzip"},
		{"not gzip", []byte("PK\x03\x04 a zip file, say"), "not gzip"},
		{"gzip but not tar", gz(t, []byte("hello, world")), "archive cannot be read"},
		{"cut off in the middle", valid[:len(valid)/2], ""},
		{"cut off before gzip's trailer", valid[:len(valid)-4], "damaged or cut off"},
		{"a byte changed", flipped, ""},
		{"data after its end", append(bytes.Clone(valid), "appended"...), "data after the end"},
		{"no manifest first", archive(t, db, manifestEntry(t, m), key), "first member"},
		{"a manifest that is not JSON", archive(t, file(manifestName, []byte("format=1")), db), "manifest cannot be read"},
		{"a manifest with an unknown field", archive(t, file(manifestName, []byte(`{"format":"`+FormatName+`","version":1,"extra":true,"members":[]}`)), db), "unknown field"},
		{"another format", archive(t, with(func(m *Manifest) { m.Format = "tarball" }), db, key), "format"},
		{"a later version", archive(t, with(func(m *Manifest) { m.Version = 2 }), db, key), "version 2"},
		{"a manifest listing ../", archive(t, listing("db/complytrack.sqlite", "../escape.sqlite"), db), "cannot hold"},
		{"a manifest listing an absolute path", archive(t, listing("db/complytrack.sqlite", "/etc/cron.d/x"), db), "cannot hold"},
		{"a manifest listing db/../", archive(t, listing("db/../../escape.sqlite"), db), "cannot hold"},
		{"a manifest listing a -wal file", archive(t, listing("db/complytrack.sqlite", "db/complytrack.sqlite-wal"), db), "cannot hold"},
		{"a manifest listing a folder", archive(t, listing("db/x/complytrack.sqlite"), db), "cannot hold"},
		{"a manifest listing FerretDB's own name", archive(t, listing("db/_ferretdb_x.sqlite"), db), "cannot hold"},
		{"a manifest listing another file", archive(t, listing("db/complytrack.sqlite", "notes.txt"), db), "cannot hold"},
		{"a manifest listing a name twice", archive(t, with(func(m *Manifest) { m.Members = append(m.Members, m.Members[0]) }), db, key, db), "twice"},
		{"a manifest with a negative size", archive(t, with(func(m *Manifest) { m.Members[0].Size = -1 }), db, key), "negative"},
		{"a manifest with a bad checksum", archive(t, with(func(m *Manifest) { m.Members[0].SHA256 = "abc" }), db, key), "no valid SHA-256"},
		{"a manifest with no database", archive(t, manifestEntry(t, manifestFor(key)), key), "no database"},
		{"a member it does not list", archive(t, manifestEntry(t, manifestFor(db)), db, key), "does not list"},
		{"a member out of its order", archive(t, manifestEntry(t, m), key, db), "where its manifest lists"},
		{"a member it lists missing", archive(t, manifestEntry(t, m), db), "ends before " + KeyFile},
		{"a traversal name in the archive", archive(t, manifestEntry(t, m), file("../../db/complytrack.sqlite", db.data), key), "where its manifest lists"},
		{"a symbolic link", archive(t, manifestEntry(t, m), entry{name: "db/complytrack.sqlite", typeflag: tar.TypeSymlink, linkname: "/etc/passwd"}, key), "not a regular file"},
		{"a hard link", archive(t, manifestEntry(t, m), entry{name: "db/complytrack.sqlite", typeflag: tar.TypeLink, linkname: KeyFile}, key), "not a regular file"},
		{"a folder", archive(t, manifestEntry(t, m), entry{name: "db/complytrack.sqlite", typeflag: tar.TypeDir}, key), "not a regular file"},
		{"a size that differs", archive(t, manifestEntry(t, m), entry{name: db.name, typeflag: tar.TypeReg, data: db.data, size: int64(len(db.data)) - 1}, key), "bytes, its manifest says"},
		{"a checksum that differs", archive(t, with(func(m *Manifest) { m.Members[1].SHA256 = strings.Repeat("0", 64) }), db, key), "does not match its manifest's SHA-256"},
		{"a damaged database", archive(t, manifestEntry(t, manifestFor(file(db.name, damagedIndexDB(t)))), file(db.name, damagedIndexDB(t))), "integrity check"},
		{"a SQLite database the engine did not make", archive(t, manifestEntry(t, manifestFor(file(db.name, plainSQLiteDB(t)))), file(db.name, plainSQLiteDB(t))), "not one of the embedded engine"},
		{"a key that is no key", archive(t, manifestEntry(t, manifestFor(db, file(KeyFile, []byte("-----BEGIN NOTHING-----")))), db, file(KeyFile, []byte("-----BEGIN NOTHING-----"))), "signing key cannot be read"},
	} {
		t.Run(tt.name, func(t *testing.T) {
			parent := t.TempDir()
			in := filepath.Join(t.TempDir(), "backup.tar.gz")
			writeFile(t, in, tt.data)
			dataDir := filepath.Join(parent, "data")
			_, err := Restore(context.Background(), in, dataDir)
			if err == nil {
				t.Fatal("restored")
			}
			if !errors.Is(err, ErrBadArchive) {
				t.Errorf("error %v does not say the backup is bad", err)
			}
			if !strings.Contains(err.Error(), tt.say) {
				t.Errorf("error %q does not say %q", err, tt.say)
			}
			if tree := listTree(t, parent); !slices.Equal(tree, []string{"data"}) {
				t.Errorf("left behind: %v", tree)
			}
		})
	}

	// The same archive, untouched, restores: the cases above fail for the
	// reason they name.
	in := filepath.Join(t.TempDir(), "backup.tar.gz")
	writeFile(t, in, valid)
	if _, err := Restore(context.Background(), in, t.TempDir()); err != nil {
		t.Fatalf("the sound archive: %v", err)
	}
}

func gz(t *testing.T, data []byte) []byte {
	t.Helper()
	var buf bytes.Buffer
	zw := gzip.NewWriter(&buf)
	if _, err := zw.Write(data); err != nil {
		t.Fatal(err)
	}
	if err := zw.Close(); err != nil {
		t.Fatal(err)
	}
	return buf.Bytes()
}

// A data directory holding data is refused, naming what is there, and
// nothing in it changes; one holding only other files is restored into.
func TestRestoreIntoDataDirectory(t *testing.T) {
	good := goodEntries(t)
	backupFile := filepath.Join(t.TempDir(), "backup.tar.gz")
	writeFile(t, backupFile, archive(t, append([]entry{manifestEntry(t, manifestFor(good...))}, good...)...))

	for _, tt := range []struct {
		name    string
		present []string // files in the data directory before
		refuse  string   // the file the refusal names; empty: restored
	}{
		{"missing", nil, ""},
		{"empty", []string{}, ""},
		{"an empty db folder", []string{"db/"}, ""},
		{"other files only", []string{"notes.txt", "db/README"}, ""},
		{"a leftover working folder", []string{restoreTempPrefix + "123/db/complytrack.sqlite"}, ""},
		{"a signing key", []string{KeyFile}, KeyFile},
		{"a database", []string{"db/complytrack.sqlite"}, "db/complytrack.sqlite"},
		{"another database", []string{"db/reports.sqlite"}, "db/reports.sqlite"},
		{"a -wal file alone", []string{"db/complytrack.sqlite-wal"}, "db/complytrack.sqlite-wal"},
	} {
		t.Run(tt.name, func(t *testing.T) {
			dataDir := filepath.Join(t.TempDir(), "data")
			if tt.present != nil {
				if err := os.Mkdir(dataDir, 0o755); err != nil {
					t.Fatal(err)
				}
			}
			for _, p := range tt.present {
				if strings.HasSuffix(p, "/") {
					if err := os.MkdirAll(filepath.Join(dataDir, p), 0o700); err != nil {
						t.Fatal(err)
					}
					continue
				}
				writeFile(t, filepath.Join(dataDir, p), []byte("was here: "+p))
			}
			before := listTree(t, dataDir)
			_, err := Restore(context.Background(), backupFile, dataDir)
			if tt.refuse != "" {
				if !errors.Is(err, ErrNotEmpty) || !strings.Contains(err.Error(), filepath.Join(dataDir, tt.refuse)) {
					t.Fatalf("error %v, want a refusal naming %s", err, tt.refuse)
				}
				if after := listTree(t, dataDir); !slices.Equal(before, after) {
					t.Errorf("data directory changed from %v to %v", before, after)
				}
				b, _ := os.ReadFile(filepath.Join(dataDir, tt.refuse))
				if string(b) != "was here: "+tt.refuse {
					t.Errorf("%s changed", tt.refuse)
				}
				return
			}
			if err != nil {
				t.Fatal(err)
			}
			for _, e := range good {
				b, err := os.ReadFile(filepath.Join(dataDir, e.name))
				if err != nil || !bytes.Equal(b, e.data) {
					t.Errorf("%s not restored byte for byte (%v)", e.name, err)
				}
			}
			for _, p := range tt.present {
				if b, err := os.ReadFile(filepath.Join(dataDir, p)); !strings.HasSuffix(p, "/") && (err != nil || string(b) != "was here: "+p) {
					t.Errorf("%s was not left alone (%v)", p, err)
				}
			}
			for _, p := range listTree(t, dataDir) {
				if strings.HasPrefix(p, restoreTempPrefix) && !slices.ContainsFunc(tt.present, func(s string) bool { return strings.HasPrefix(s, p) }) {
					t.Errorf("working folder %s left behind", p)
				}
			}
		})
	}
}

// A restore that fails after the key is in place takes the key and any
// database already moved away again, so the data directory holds no half
// of a backup.
func TestRestoreTakesItAllBackWhenADatabaseCannotBePlaced(t *testing.T) {
	db2 := file("db/reports.sqlite", engineDBBytes(t, 1))
	good := append(goodEntries(t), db2)
	backupFile := filepath.Join(t.TempDir(), "backup.tar.gz")
	writeFile(t, backupFile, archive(t, append([]entry{manifestEntry(t, manifestFor(good...))}, good...)...))
	for _, existing := range []string{"", "db/README"} {
		dataDir := t.TempDir()
		if existing != "" {
			writeFile(t, filepath.Join(dataDir, existing), nil)
		}
		before := listTree(t, dataDir)
		rename = func(from, to string) error {
			if strings.HasSuffix(to, DBDir) || strings.HasSuffix(to, "reports.sqlite") {
				return errors.New("the disk is full")
			}
			return os.Rename(from, to)
		}
		_, err := Restore(context.Background(), backupFile, dataDir)
		rename = os.Rename
		if err == nil || !strings.Contains(err.Error(), "the disk is full") {
			t.Fatalf("with %q: error %v", existing, err)
		}
		if after := listTree(t, dataDir); !slices.Equal(before, after) {
			t.Errorf("with %q: data directory went from %v to %v", existing, before, after)
		}
	}
}

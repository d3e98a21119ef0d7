package backup

import (
	"bytes"
	"context"
	"errors"
	"os"
	"path/filepath"
	"slices"
	"strings"
	"sync"
	"sync/atomic"
	"testing"
)

// A backup of a data directory whose database has unflushed writes in
// its -wal file (as while the engine runs) restores to the same data,
// with the key byte for byte, into a new directory made 0700.
func TestCreateThenRestoreGivesTheSameData(t *testing.T) {
	ctx := context.Background()
	src := t.TempDir()
	live := makeEngineDB(t, filepath.Join(src, DBDir, "complytrack.sqlite"), 300)
	makeEngineDB(t, filepath.Join(src, DBDir, "other.sqlite"), 2).Close()
	if info, err := os.Stat(filepath.Join(src, DBDir, "complytrack.sqlite-wal")); err != nil || info.Size() == 0 {
		t.Fatalf("the test needs writes waiting in the -wal file: %v", err)
	}
	key := signingKey(t)
	if err := os.WriteFile(filepath.Join(src, KeyFile), key, 0o600); err != nil {
		t.Fatal(err)
	}

	out := filepath.Join(t.TempDir(), "backup.tar.gz")
	res, err := Create(ctx, src, out)
	if err != nil {
		t.Fatal(err)
	}
	info, err := os.Stat(out)
	if err != nil {
		t.Fatal(err)
	}
	if info.Mode().Perm() != 0o600 {
		t.Errorf("backup file mode %v, want 0600", info.Mode().Perm())
	}
	if info.Size() != res.Size {
		t.Errorf("result says %d bytes, file has %d", res.Size, info.Size())
	}
	if got := res.Manifest.Databases(); !slices.Equal(got, []string{"complytrack", "other"}) {
		t.Errorf("databases %v", got)
	}
	if !res.Manifest.HasKey() || res.Manifest.SourceDir != src || res.Manifest.Version != FormatVersion {
		t.Errorf("manifest %+v", res.Manifest)
	}
	// Nothing but the backup is left beside it.
	if left := listTree(t, filepath.Dir(out)); !slices.Equal(left, []string{"backup.tar.gz"}) {
		t.Errorf("left beside the backup: %v", left)
	}
	// The closed database got no -wal or -shm file from being read.
	if tree := listTree(t, filepath.Join(src, DBDir)); slices.Contains(tree, "other.sqlite-wal") || slices.Contains(tree, "other.sqlite-shm") {
		t.Errorf("reading a closed database left files behind: %v", tree)
	}
	// The live database was not written to.
	insertPair(t, live, 1000)

	dst := filepath.Join(t.TempDir(), "restored", "data")
	restored, err := Restore(ctx, out, dst)
	if err != nil {
		t.Fatal(err)
	}
	if m := restored.Manifest; !slices.Equal(m.Databases(), res.Manifest.Databases()) {
		t.Errorf("restore reports %v", m.Databases())
	}
	if info, err := os.Stat(dst); err != nil || info.Mode().Perm() != 0o700 {
		t.Errorf("data directory made with %v (%v), want 0700", info.Mode().Perm(), err)
	}
	if p, a := counts(t, filepath.Join(dst, DBDir, "complytrack.sqlite")); p != 300 || a != 300 {
		t.Errorf("restored %d people and %d audit entries, want 300 and 300", p, a)
	}
	if p, _ := counts(t, filepath.Join(dst, DBDir, "other.sqlite")); p != 2 {
		t.Errorf("restored other database holds %d people, want 2", p)
	}
	got, err := os.ReadFile(filepath.Join(dst, KeyFile))
	if err != nil || !bytes.Equal(got, key) {
		t.Errorf("restored key differs (%v)", err)
	}
	if info, err := os.Stat(filepath.Join(dst, KeyFile)); err != nil || info.Mode().Perm() != 0o600 {
		t.Errorf("restored key mode %v (%v), want 0600", info.Mode().Perm(), err)
	}
	want := []string{"db", "db/complytrack.sqlite", "db/other.sqlite", KeyFile}
	if tree := listTree(t, dst); !slices.Equal(tree, want) {
		t.Errorf("restored tree %v, want %v", tree, want)
	}
}

// Backups taken while a writer commits transactions of two rows each
// (a person and its audit entry) as fast as it can each hold whole
// transactions only: as many people as audit entries.
func TestCreateWhileWritingIsConsistent(t *testing.T) {
	ctx := context.Background()
	src := t.TempDir()
	path := filepath.Join(src, DBDir, "complytrack.sqlite")
	writer := makeEngineDB(t, path, 50)

	var written atomic.Int64
	written.Store(50)
	stop := make(chan struct{})
	var wg sync.WaitGroup
	wg.Add(1)
	go func() {
		defer wg.Done()
		for i := 50; ; i++ {
			select {
			case <-stop:
				return
			default:
			}
			insertPair(t, writer, i)
			written.Store(int64(i + 1))
		}
	}()

	var seen []int
	for n := range 5 {
		before := written.Load()
		out := filepath.Join(t.TempDir(), "b.tar.gz")
		if _, err := Create(ctx, src, out); err != nil {
			close(stop)
			wg.Wait()
			t.Fatalf("backup %d: %v", n, err)
		}
		dst := t.TempDir()
		if _, err := Restore(ctx, out, dst); err != nil {
			t.Fatalf("restore %d: %v", n, err)
		}
		p, a := counts(t, filepath.Join(dst, DBDir, "complytrack.sqlite"))
		if p != a {
			t.Errorf("backup %d holds %d people but %d audit entries", n, p, a)
		}
		if int64(p) < before {
			t.Errorf("backup %d holds %d people; %d were committed before it started", n, p, before)
		}
		seen = append(seen, p)
	}
	close(stop)
	wg.Wait()
	if seen[len(seen)-1] <= seen[0] {
		t.Errorf("the writer made no progress during the backups (people in each: %v)", seen)
	}
	t.Logf("people in each backup: %v; written in all: %d", seen, written.Load())
}

func TestCreateRefuses(t *testing.T) {
	ctx := context.Background()
	for _, tt := range []struct {
		name    string
		prepare func(t *testing.T, dataDir, out string)
		want    error
		say     string
	}{
		{"a missing data directory", func(t *testing.T, dataDir, _ string) { os.RemoveAll(dataDir) }, ErrNoData, "does not exist"},
		{"an empty data directory", func(*testing.T, string, string) {}, ErrNoData, "holds no database"},
		{"a key but no database", func(t *testing.T, dataDir, _ string) {
			writeFile(t, filepath.Join(dataDir, KeyFile), signingKey(t))
		}, ErrNoData, "holds no database"},
		{"a db folder with only a -wal file", func(t *testing.T, dataDir, _ string) {
			writeFile(t, filepath.Join(dataDir, DBDir, "complytrack.sqlite-wal"), []byte("x"))
		}, ErrNoData, "holds no database"},
		{"an existing backup file", func(t *testing.T, dataDir, out string) {
			makeEngineDB(t, filepath.Join(dataDir, DBDir, "complytrack.sqlite"), 1)
			writeFile(t, out, []byte("an older backup"))
		}, ErrExists, "backup.tar.gz"},
		{"a file named like a database the engine would not make", func(t *testing.T, dataDir, _ string) {
			makeEngineDB(t, filepath.Join(dataDir, DBDir, "complytrack.sqlite"), 1)
			writeFile(t, filepath.Join(dataDir, DBDir, "my copy.sqlite"), []byte("x"))
		}, nil, "my copy.sqlite is not a database file the engine made"},
		{"a damaged database", func(t *testing.T, dataDir, _ string) {
			writeFile(t, filepath.Join(dataDir, DBDir, "complytrack.sqlite"), bytes.Repeat([]byte("not sqlite "), 1000))
		}, nil, "snapshot of database complytrack"},
		{"a SQLite database the engine did not make", func(t *testing.T, dataDir, _ string) {
			writeFile(t, filepath.Join(dataDir, DBDir, "README"), nil)
			db := openWAL(t, filepath.Join(dataDir, DBDir, "complytrack.sqlite"))
			if _, err := db.Exec(`CREATE TABLE t (x)`); err != nil {
				t.Fatal(err)
			}
		}, nil, "not one of the embedded engine"},
	} {
		t.Run(tt.name, func(t *testing.T) {
			dataDir := t.TempDir()
			outDir := t.TempDir()
			out := filepath.Join(outDir, "backup.tar.gz")
			tt.prepare(t, dataDir, out)
			before := listTree(t, outDir)
			_, err := Create(ctx, dataDir, out)
			if err == nil {
				t.Fatal("made a backup")
			}
			if tt.want != nil && !errors.Is(err, tt.want) {
				t.Errorf("error %v, want %v", err, tt.want)
			}
			if !strings.Contains(err.Error(), tt.say) {
				t.Errorf("error %q does not say %q", err, tt.say)
			}
			if after := listTree(t, outDir); !slices.Equal(before, after) {
				t.Errorf("left %v beside the backup, had %v", after, before)
			}
			if b, err := os.ReadFile(out); err == nil && string(b) != "an older backup" {
				t.Error("an existing file was changed")
			}
		})
	}
}

func writeFile(t *testing.T, path string, data []byte) {
	t.Helper()
	if err := os.MkdirAll(filepath.Dir(path), 0o700); err != nil {
		t.Fatal(err)
	}
	if err := os.WriteFile(path, data, 0o600); err != nil {
		t.Fatal(err)
	}
}

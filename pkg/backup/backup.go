// Package backup copies the embedded engine's data into one file, and
// restores such a file into an empty data directory.
//
// A data directory holds the engine's databases, one SQLite file each
// (<data>/db/<database>.sqlite, with -wal and -shm files while the engine
// has it open), and the token-signing key that complytrack made on its first
// start (<data>/jwt-signing-key.pem) when no key is configured.
//
// # Consistent while the server runs
//
// The engine keeps its files in SQLite's WAL mode and writes to them at any
// moment, so copying the files would copy a database halfway through a
// write. [Create] instead opens each database file as one more SQLite
// reader and runs VACUUM INTO: SQLite writes a new database file holding
// exactly what one read transaction sees, a single point in time, while the
// engine's writers go on (in WAL mode a reader neither blocks writers nor is
// blocked by them; a busy timeout covers the moments when SQLite briefly
// locks the WAL index). Each snapshot then passes PRAGMA integrity_check
// before it is packed.
//
// Each database is one such point in time. A write of complytrack's that
// spans several documents (a completion and its audit entry, say) may be cut
// at that point, exactly as if the server had stopped there; complytrack
// finishes such writes itself after a restart (see docs/read-model.md).
//
// # The file
//
// A backup is a gzip-compressed tar archive. Its first member is
// manifest.json ([Manifest]): the format's name and version, when and from
// where it was made, and each further member's name, size and SHA-256, in
// archive order. The further members can only be "db/<database>.sqlite" and
// "jwt-signing-key.pem". [Restore] reads nothing else: an unknown name, a
// link, a directory, a path outside the data directory, a size or checksum
// that differs from the manifest, or a damaged or cut-off archive is refused
// before anything is put into the data directory.
package backup

import (
	"archive/tar"
	"compress/gzip"
	"context"
	"crypto/sha256"
	"encoding/hex"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"io/fs"
	"os"
	"path/filepath"
	"regexp"
	"sort"
	"strings"
	"time"

	"github.com/complytrack/complytrack/pkg/config"
)

// The data directory's layout (pkg/config); a backup holds the same names,
// relative to the data directory.
const (
	DBDir   = config.DataDBDir
	KeyFile = config.DataKeyFile

	dbExt        = ".sqlite"
	manifestName = "manifest.json"
)

// The manifest's format name and the one version this code reads and writes.
const (
	FormatName    = "complytrack-embedded-backup"
	FormatVersion = 1
)

// Limits on what a backup may declare, so that a hostile file cannot make
// Restore allocate without bound. The database files themselves are
// streamed, never held in memory.
const (
	maxManifestBytes = 1 << 20
	maxKeyBytes      = 64 << 10 // pkg/auth reads no more of a key file
	maxMembers       = 1000
)

// Errors a caller can tell apart; every error carries a sentence saying
// what was found.
var (
	// ErrNoData: the data directory to back up holds no database.
	ErrNoData = errors.New("nothing to back up")
	// ErrExists: the backup file to write exists already.
	ErrExists = errors.New("the backup file exists already")
	// ErrNotEmpty: the data directory to restore into holds data.
	ErrNotEmpty = errors.New("the data directory is not empty")
	// ErrBadArchive: the file to restore is not a sound backup.
	ErrBadArchive = errors.New("the file is not a complete complytrack backup")
)

// databaseNameRe is FerretDB's rule for database names. It also keeps a
// member name from holding a path separator or "..".
var databaseNameRe = regexp.MustCompile(`^[a-zA-Z0-9_-]{1,63}$`)

// Manifest describes a backup; it is the archive's first member.
type Manifest struct {
	Format    string    `json:"format"`
	Version   int       `json:"version"`
	CreatedAt time.Time `json:"created_at"`
	SourceDir string    `json:"source_dir"`
	Members   []Member  `json:"members"`
}

// Member is one file of a backup other than the manifest.
type Member struct {
	Name   string `json:"name"` // "db/<database>.sqlite" or "jwt-signing-key.pem"
	Size   int64  `json:"size"`
	SHA256 string `json:"sha256"` // lower-case hex
}

// Databases returns the names of the databases the backup holds.
func (m Manifest) Databases() []string {
	var out []string
	for _, mem := range m.Members {
		if name, ok := databaseOfMember(mem.Name); ok {
			out = append(out, name)
		}
	}
	return out
}

// HasKey reports whether the backup holds the signing key file.
func (m Manifest) HasKey() bool {
	for _, mem := range m.Members {
		if mem.Name == KeyFile {
			return true
		}
	}
	return false
}

// DatabaseBytes is the size of the databases, uncompressed.
func (m Manifest) DatabaseBytes() int64 {
	var n int64
	for _, mem := range m.Members {
		if _, ok := databaseOfMember(mem.Name); ok {
			n += mem.Size
		}
	}
	return n
}

// databaseOfMember returns the database a member name holds, if it names
// one the way a backup may.
func databaseOfMember(name string) (string, bool) {
	rest, ok := strings.CutPrefix(name, DBDir+"/")
	if !ok {
		return "", false
	}
	db, ok := strings.CutSuffix(rest, dbExt)
	if !ok || !validDatabaseName(db) {
		return "", false
	}
	return db, true
}

func validDatabaseName(db string) bool {
	return databaseNameRe.MatchString(db) && !strings.HasPrefix(db, "_ferretdb_")
}

// validMemberName is the whole list of names a backup may hold besides
// its manifest.
func validMemberName(name string) bool {
	_, isDB := databaseOfMember(name)
	return isDB || name == KeyFile
}

// Result is what Create wrote.
type Result struct {
	File     string // absolute path
	Size     int64  // bytes, compressed
	Manifest Manifest
}

// String says in one line what was written.
func (r Result) String() string {
	key := "and the signing key"
	if !r.Manifest.HasKey() {
		key = "and no signing key"
	}
	return fmt.Sprintf("wrote %s (%s, mode 0600): %s (%s) from %s, %s",
		r.File, byteSize(r.Size), r.Manifest.databasesPhrase(), byteSize(r.Manifest.DatabaseBytes()), r.Manifest.SourceDir, key)
}

// Restored is what Restore put where.
type Restored struct {
	File     string // the backup, as named to Restore
	DataDir  string // absolute path
	Manifest Manifest
}

// String says in one line what was restored.
func (r Restored) String() string {
	key := "and the signing key"
	if !r.Manifest.HasKey() {
		key = "without a signing key (configure the one it was used with)"
	}
	return fmt.Sprintf("restored %s (made %s from %s) into %s: %s %s; start complytrack on it as usual",
		r.File, r.Manifest.CreatedAt.Format("2006-01-02 15:04:05 MST"), r.Manifest.SourceDir, r.DataDir, r.Manifest.databasesPhrase(), key)
}

func (m Manifest) databasesPhrase() string {
	dbs := m.Databases()
	if len(dbs) == 1 {
		return "database " + dbs[0]
	}
	return "databases " + strings.Join(dbs, ", ")
}

func byteSize(n int64) string {
	switch {
	case n >= 1<<30:
		return fmt.Sprintf("%.1f GiB", float64(n)/(1<<30))
	case n >= 1<<20:
		return fmt.Sprintf("%.1f MiB", float64(n)/(1<<20))
	case n >= 1<<10:
		return fmt.Sprintf("%.1f KiB", float64(n)/(1<<10))
	}
	return fmt.Sprintf("%d bytes", n)
}

// Create writes a backup of the data directory dataDir to file, which
// must not exist. It may run while complytrack serves from dataDir. The
// file is written under a temporary name beside file, with mode 0600 (it
// holds personal data and the signing key), and appears under its own
// name only once complete. Snapshots are made in a temporary directory
// beside file and removed afterwards.
func Create(ctx context.Context, dataDir, file string) (Result, error) {
	dataDir, err := filepath.Abs(dataDir)
	if err != nil {
		return Result{}, err
	}
	file, err = filepath.Abs(file)
	if err != nil {
		return Result{}, err
	}
	dbs, err := databasesIn(dataDir)
	if err != nil {
		return Result{}, err
	}
	if len(dbs) == 0 {
		return Result{}, fmt.Errorf("%w: %s holds no database (no %s file in %s)",
			ErrNoData, dataDir, "*"+dbExt, filepath.Join(dataDir, DBDir))
	}
	if _, err := os.Lstat(file); err == nil {
		return Result{}, fmt.Errorf("%w: %s (choose a new name; a backup never overwrites a file)", ErrExists, file)
	} else if !errors.Is(err, fs.ErrNotExist) {
		return Result{}, err
	}

	work, err := os.MkdirTemp(filepath.Dir(file), ".complytrack-backup-")
	if err != nil {
		return Result{}, fmt.Errorf("make a working directory beside %s: %w", file, err)
	}
	defer os.RemoveAll(work)

	m := Manifest{Format: FormatName, Version: FormatVersion, CreatedAt: time.Now().UTC().Truncate(time.Second), SourceDir: dataDir}
	sources := map[string]string{} // member name -> file to pack
	for _, db := range dbs {
		snap := filepath.Join(work, db+dbExt)
		if err := snapshot(ctx, filepath.Join(dataDir, DBDir, db+dbExt), snap); err != nil {
			return Result{}, fmt.Errorf("snapshot of database %s: %w", db, err)
		}
		if err := checkDatabase(ctx, snap); err != nil {
			return Result{}, fmt.Errorf("snapshot of database %s: %w", db, err)
		}
		mem, err := describe(DBDir+"/"+db+dbExt, snap)
		if err != nil {
			return Result{}, err
		}
		m.Members = append(m.Members, mem)
		sources[mem.Name] = snap
	}
	keyPath := filepath.Join(dataDir, KeyFile)
	switch info, err := os.Lstat(keyPath); {
	case errors.Is(err, fs.ErrNotExist):
	case err != nil:
		return Result{}, err
	case !info.Mode().IsRegular():
		return Result{}, fmt.Errorf("the signing key %s is not a regular file", keyPath)
	case info.Size() > maxKeyBytes:
		return Result{}, fmt.Errorf("the signing key %s is larger than %d bytes", keyPath, maxKeyBytes)
	default:
		// Copied first, so the manifest describes the very bytes packed.
		key, err := os.ReadFile(keyPath)
		if err != nil {
			return Result{}, err
		}
		copyPath := filepath.Join(work, KeyFile)
		if err := os.WriteFile(copyPath, key, 0o600); err != nil {
			return Result{}, err
		}
		mem, err := describe(KeyFile, copyPath)
		if err != nil {
			return Result{}, err
		}
		m.Members = append(m.Members, mem)
		sources[KeyFile] = copyPath
	}

	size, err := writeArchive(ctx, file, m, sources)
	if err != nil {
		return Result{}, err
	}
	return Result{File: file, Size: size, Manifest: m}, nil
}

// databasesIn lists the databases in dataDir/db, sorted. A file named like
// a database file whose name FerretDB would not have made is refused rather
// than left out, so that a backup never silently misses data.
func databasesIn(dataDir string) ([]string, error) {
	info, err := os.Stat(dataDir)
	if errors.Is(err, fs.ErrNotExist) {
		return nil, fmt.Errorf("%w: the data directory %s does not exist", ErrNoData, dataDir)
	}
	if err != nil {
		return nil, err
	}
	if !info.IsDir() {
		return nil, fmt.Errorf("the data directory %s is not a directory", dataDir)
	}
	entries, err := os.ReadDir(filepath.Join(dataDir, DBDir))
	if errors.Is(err, fs.ErrNotExist) {
		return nil, nil
	}
	if err != nil {
		return nil, err
	}
	var dbs []string
	for _, e := range entries {
		db, ok := strings.CutSuffix(e.Name(), dbExt)
		if !ok {
			continue // -wal, -shm and anything else
		}
		if !validDatabaseName(db) || !e.Type().IsRegular() {
			return nil, fmt.Errorf("%s is not a database file the engine made, so it cannot be backed up: move it away first",
				filepath.Join(dataDir, DBDir, e.Name()))
		}
		dbs = append(dbs, db)
	}
	sort.Strings(dbs)
	return dbs, nil
}

// describe returns a member's size and SHA-256 from the file that will be
// packed.
func describe(name, path string) (Member, error) {
	f, err := os.Open(path)
	if err != nil {
		return Member{}, err
	}
	defer f.Close()
	h := sha256.New()
	n, err := io.Copy(h, f)
	if err != nil {
		return Member{}, err
	}
	return Member{Name: name, Size: n, SHA256: hex.EncodeToString(h.Sum(nil))}, nil
}

// writeArchive writes the archive to a temporary file beside file, makes
// it durable, then gives it its name without ever replacing a file that
// appeared there meanwhile. It returns the archive's size.
func writeArchive(ctx context.Context, file string, m Manifest, sources map[string]string) (int64, error) {
	tmp, err := os.CreateTemp(filepath.Dir(file), ".complytrack-backup-*.tmp")
	if err != nil {
		return 0, err
	}
	defer os.Remove(tmp.Name()) // after a successful link, only the temporary name goes
	defer tmp.Close()
	if err := tmp.Chmod(0o600); err != nil {
		return 0, err
	}
	if err := pack(ctx, tmp, m, sources); err != nil {
		return 0, err
	}
	if err := tmp.Sync(); err != nil {
		return 0, err
	}
	info, err := tmp.Stat()
	if err != nil {
		return 0, err
	}
	if err := tmp.Close(); err != nil {
		return 0, err
	}
	if err := publish(tmp.Name(), file); err != nil {
		return 0, err
	}
	return info.Size(), syncDir(filepath.Dir(file))
}

// pack writes the gzip'd tar: the manifest, then each member in its order.
func pack(ctx context.Context, w io.Writer, m Manifest, sources map[string]string) error {
	zw := gzip.NewWriter(w)
	tw := tar.NewWriter(zw)
	mj, err := json.MarshalIndent(m, "", "  ")
	if err != nil {
		return err
	}
	mj = append(mj, '\n')
	if err := tw.WriteHeader(header(manifestName, int64(len(mj)), m.CreatedAt)); err != nil {
		return err
	}
	if _, err := tw.Write(mj); err != nil {
		return err
	}
	for _, mem := range m.Members {
		if err := ctx.Err(); err != nil {
			return err
		}
		if err := tw.WriteHeader(header(mem.Name, mem.Size, m.CreatedAt)); err != nil {
			return err
		}
		f, err := os.Open(sources[mem.Name])
		if err != nil {
			return err
		}
		_, err = io.CopyN(tw, f, mem.Size)
		f.Close()
		if err != nil {
			return fmt.Errorf("pack %s: %w", mem.Name, err)
		}
	}
	if err := tw.Close(); err != nil {
		return err
	}
	return zw.Close()
}

func header(name string, size int64, at time.Time) *tar.Header {
	return &tar.Header{Typeflag: tar.TypeReg, Name: name, Size: size, Mode: 0o600, ModTime: at, Format: tar.FormatPAX}
}

// publish gives the finished temporary file its name. A hard link fails
// when the name is taken, so a file that appeared since Create looked is
// never replaced; on a file system without hard links the name is checked
// just before renaming.
func publish(tmp, file string) error {
	err := os.Link(tmp, file)
	if err == nil {
		return nil
	}
	if errors.Is(err, fs.ErrExist) {
		return fmt.Errorf("%w: %s (choose a new name; a backup never overwrites a file)", ErrExists, file)
	}
	if _, lerr := os.Lstat(file); lerr == nil {
		return fmt.Errorf("%w: %s (choose a new name; a backup never overwrites a file)", ErrExists, file)
	}
	return os.Rename(tmp, file)
}

// syncDir makes a rename or link in dir durable.
func syncDir(dir string) error {
	d, err := os.Open(dir)
	if err != nil {
		return err
	}
	defer d.Close()
	if err := d.Sync(); err != nil && !errors.Is(err, os.ErrInvalid) {
		return err
	}
	return nil
}

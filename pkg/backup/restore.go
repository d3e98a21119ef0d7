package backup

import (
	"archive/tar"
	"bufio"
	"bytes"
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
	"strings"

	"github.com/complytrack/complytrack/pkg/auth"
)

// restoreTempPrefix names the working directory Restore makes inside the
// data directory. One left behind by a restore that was killed holds no
// data complytrack reads, and can be deleted.
const restoreTempPrefix = ".restore-"

// Restore puts the backup in file into the data directory dataDir, which
// must hold no data: no database file and no signing key (a missing or
// empty directory is fine; a missing one is made with mode 0700). Other
// files there are left alone.
//
// Everything is read, checked against the manifest and integrity-checked in
// a working directory inside dataDir first; only then is it moved into
// place, by renaming: the key file, then the database folder (one rename
// when dataDir has no db folder yet, or an empty one). A restore that fails
// or is interrupted before that leaves dataDir as it was, apart from a
// working directory (".restore-*") when the process was killed.
func Restore(ctx context.Context, file, dataDir string) (Restored, error) {
	dataDir, err := filepath.Abs(dataDir)
	if err != nil {
		return Restored{}, err
	}
	if err := checkNoData(dataDir); err != nil {
		return Restored{}, err
	}
	f, err := os.Open(file)
	if err != nil {
		return Restored{}, err
	}
	defer f.Close()
	if info, err := f.Stat(); err != nil {
		return Restored{}, err
	} else if !info.Mode().IsRegular() {
		return Restored{}, fmt.Errorf("%w: %s is not a regular file", ErrBadArchive, file)
	}
	if err := os.MkdirAll(dataDir, 0o700); err != nil {
		return Restored{}, fmt.Errorf("make the data directory: %w", err)
	}
	work, err := os.MkdirTemp(dataDir, restoreTempPrefix)
	if err != nil {
		return Restored{}, fmt.Errorf("make a working directory in %s: %w", dataDir, err)
	}
	defer os.RemoveAll(work)

	m, err := extract(ctx, f, work)
	if err != nil {
		return Restored{}, err
	}
	for _, db := range m.Databases() {
		if err := checkDatabase(ctx, filepath.Join(work, DBDir, db+dbExt)); err != nil {
			return Restored{}, fmt.Errorf("%w: database %s: %w", ErrBadArchive, db, err)
		}
	}
	if m.HasKey() {
		key, err := os.ReadFile(filepath.Join(work, KeyFile))
		if err != nil {
			return Restored{}, err
		}
		if _, err := auth.ParseKeySetPEM(key); err != nil {
			return Restored{}, fmt.Errorf("%w: its signing key cannot be read: %w", ErrBadArchive, err)
		}
	}
	if err := ctx.Err(); err != nil {
		return Restored{}, err
	}
	// Checked again: a server may have been started on dataDir meanwhile.
	if err := checkNoData(dataDir); err != nil {
		return Restored{}, err
	}
	if err := place(work, dataDir, m); err != nil {
		return Restored{}, err
	}
	return Restored{File: file, DataDir: dataDir, Manifest: m}, nil
}

// checkNoData refuses a data directory that holds a database file (or a
// -wal or -shm file, which hold a database's latest writes) or a signing
// key, naming the first it finds.
func checkNoData(dataDir string) error {
	info, err := os.Stat(dataDir)
	if errors.Is(err, fs.ErrNotExist) {
		return nil
	}
	if err != nil {
		return err
	}
	if !info.IsDir() {
		return fmt.Errorf("the data directory %s is not a directory", dataDir)
	}
	if _, err := os.Lstat(filepath.Join(dataDir, KeyFile)); err == nil {
		return fmt.Errorf("%w: it holds a signing key, %s; restore only into a data directory that holds no data",
			ErrNotEmpty, filepath.Join(dataDir, KeyFile))
	} else if !errors.Is(err, fs.ErrNotExist) {
		return err
	}
	entries, err := os.ReadDir(filepath.Join(dataDir, DBDir))
	if errors.Is(err, fs.ErrNotExist) {
		return nil
	}
	if err != nil {
		return err
	}
	for _, e := range entries {
		if strings.Contains(e.Name(), dbExt) {
			return fmt.Errorf("%w: it holds a database file, %s; restore only into a data directory that holds no data",
				ErrNotEmpty, filepath.Join(dataDir, DBDir, e.Name()))
		}
	}
	return nil
}

// rename is os.Rename; tests make it fail.
var rename = os.Rename

// place moves the checked files from work into dataDir: the key first, so
// that a database is never there without the key it was backed up with
// (the server would make a new key for it, and every token would stop
// working). If placing the databases fails, the key is taken away again.
func place(work, dataDir string, m Manifest) error {
	keyPlaced := ""
	if m.HasKey() {
		dst := filepath.Join(dataDir, KeyFile)
		if err := rename(filepath.Join(work, KeyFile), dst); err != nil {
			return err
		}
		keyPlaced = dst
	}
	if err := placeDatabases(filepath.Join(work, DBDir), filepath.Join(dataDir, DBDir), m.Databases()); err != nil {
		if keyPlaced != "" {
			_ = os.Remove(keyPlaced)
		}
		return err
	}
	return syncDir(dataDir)
}

// placeDatabases renames the folder of restored databases into place when
// dst is missing or an empty folder (one step), else (a folder holding
// other files, or a link to a folder) renames the files one by one, taking
// back those already moved if one fails.
func placeDatabases(src, dst string, dbs []string) error {
	info, err := os.Lstat(dst)
	switch {
	case errors.Is(err, fs.ErrNotExist):
		return rename(src, dst)
	case err != nil:
		return err
	case info.IsDir():
		if os.Remove(dst) == nil { // it was empty
			return rename(src, dst)
		}
	}
	var moved []string
	for _, db := range dbs {
		to := filepath.Join(dst, db+dbExt)
		if err := rename(filepath.Join(src, db+dbExt), to); err != nil {
			for _, p := range moved {
				_ = os.Remove(p)
			}
			return fmt.Errorf("move the restored database %s into %s: %w", db, dst, err)
		}
		moved = append(moved, to)
	}
	return syncDir(dst)
}

// extract reads a backup from r into dir: the manifest first, then each
// member the manifest lists, in its order, each written to its own new file
// and checked against the manifest's size and SHA-256. It reads the
// compressed stream to its end, so that a cut-off or altered file is found
// by gzip's own checksum too. Anything else is an error wrapping
// ErrBadArchive.
func extract(ctx context.Context, r io.Reader, dir string) (Manifest, error) {
	br := bufio.NewReader(r)
	zr, err := gzip.NewReader(br)
	if err != nil {
		return Manifest{}, bad("it is not gzip-compressed (%v)", err)
	}
	zr.Multistream(false)
	tr := tar.NewReader(zr)

	hdr, err := tr.Next()
	if err != nil {
		return Manifest{}, bad("its archive cannot be read (%v)", err)
	}
	if hdr.Name != manifestName || hdr.Typeflag != tar.TypeReg {
		return Manifest{}, bad("its first member is %q, not %s", hdr.Name, manifestName)
	}
	if hdr.Size > maxManifestBytes {
		return Manifest{}, bad("its manifest is larger than %d bytes", maxManifestBytes)
	}
	raw, err := io.ReadAll(io.LimitReader(tr, maxManifestBytes))
	if err != nil {
		return Manifest{}, bad("its manifest cannot be read (%v)", err)
	}
	m, err := parseManifest(raw)
	if err != nil {
		return Manifest{}, err
	}
	if err := os.Mkdir(filepath.Join(dir, DBDir), 0o700); err != nil {
		return Manifest{}, err
	}
	for i := 0; ; i++ {
		if err := ctx.Err(); err != nil {
			return Manifest{}, err
		}
		hdr, err := tr.Next()
		if errors.Is(err, io.EOF) {
			if i < len(m.Members) {
				return Manifest{}, bad("it ends before %s, which its manifest lists", m.Members[i].Name)
			}
			break
		}
		if err != nil {
			return Manifest{}, bad("its archive cannot be read (%v)", err)
		}
		if i >= len(m.Members) {
			return Manifest{}, bad("it holds %q, which its manifest does not list", hdr.Name)
		}
		want := m.Members[i]
		if hdr.Name != want.Name {
			return Manifest{}, bad("it holds %q where its manifest lists %s", hdr.Name, want.Name)
		}
		if hdr.Typeflag != tar.TypeReg {
			return Manifest{}, bad("its member %s is not a regular file", hdr.Name)
		}
		if hdr.Size != want.Size {
			return Manifest{}, bad("its member %s has %d bytes, its manifest says %d", hdr.Name, hdr.Size, want.Size)
		}
		if err := writeMember(filepath.Join(dir, filepath.FromSlash(want.Name)), tr, want); err != nil {
			return Manifest{}, err
		}
	}
	// The rest of the gzip stream: its trailer holds the CRC-32 and length
	// of everything above, checked on reaching its end.
	if _, err := io.Copy(io.Discard, zr); err != nil {
		return Manifest{}, bad("it is damaged or cut off (%v)", err)
	}
	if _, err := br.Peek(1); !errors.Is(err, io.EOF) {
		return Manifest{}, bad("it has data after the end of the backup")
	}
	return m, nil
}

// parseManifest decodes and checks a manifest: its format and version,
// and every member's name, size and checksum, each name once.
func parseManifest(raw []byte) (Manifest, error) {
	dec := json.NewDecoder(bytes.NewReader(raw))
	dec.DisallowUnknownFields()
	var m Manifest
	if err := dec.Decode(&m); err != nil {
		return Manifest{}, bad("its manifest cannot be read (%v)", err)
	}
	if dec.More() {
		return Manifest{}, bad("its manifest has data after its end")
	}
	if m.Format != FormatName {
		return Manifest{}, bad("its manifest names the format %q, not %s", m.Format, FormatName)
	}
	if m.Version != FormatVersion {
		return Manifest{}, bad("it is of version %d of the format; this complytrack reads version %d", m.Version, FormatVersion)
	}
	if len(m.Members) > maxMembers {
		return Manifest{}, bad("its manifest lists more than %d files", maxMembers)
	}
	seen := map[string]bool{}
	for _, mem := range m.Members {
		switch {
		case !validMemberName(mem.Name):
			return Manifest{}, bad("its manifest lists %q, which a backup cannot hold", mem.Name)
		case seen[mem.Name]:
			return Manifest{}, bad("its manifest lists %s twice", mem.Name)
		case mem.Size < 0:
			return Manifest{}, bad("its manifest gives %s a negative size", mem.Name)
		case mem.Name == KeyFile && mem.Size > maxKeyBytes:
			return Manifest{}, bad("its manifest gives the signing key more than %d bytes", maxKeyBytes)
		case !isSHA256Hex(mem.SHA256):
			return Manifest{}, bad("its manifest gives %s no valid SHA-256", mem.Name)
		}
		seen[mem.Name] = true
	}
	if len(m.Databases()) == 0 {
		return Manifest{}, bad("it holds no database")
	}
	return m, nil
}

// writeMember copies one member to a new file at path, checking its
// SHA-256.
func writeMember(path string, r io.Reader, want Member) error {
	f, err := os.OpenFile(path, os.O_WRONLY|os.O_CREATE|os.O_EXCL, 0o600)
	if err != nil {
		return err
	}
	defer f.Close()
	h := sha256.New()
	n, err := io.Copy(io.MultiWriter(f, h), r)
	if err != nil {
		return bad("its member %s cannot be read (%v)", want.Name, err)
	}
	if n != want.Size {
		return bad("its member %s has %d bytes, its manifest says %d", want.Name, n, want.Size)
	}
	if got := hex.EncodeToString(h.Sum(nil)); got != want.SHA256 {
		return bad("its member %s does not match its manifest's SHA-256", want.Name)
	}
	if err := f.Sync(); err != nil {
		return err
	}
	return f.Close()
}

func isSHA256Hex(s string) bool {
	if len(s) != 64 {
		return false
	}
	for _, c := range s {
		if !('0' <= c && c <= '9' || 'a' <= c && c <= 'f') {
			return false
		}
	}
	return true
}

func bad(format string, args ...any) error {
	return fmt.Errorf("%w: %s", ErrBadArchive, fmt.Sprintf(format, args...))
}

package backup

import (
	"context"
	"errors"
	"os"
	"path/filepath"
	"strings"
	"testing"
)

// FuzzExtract feeds the archive reader arbitrary files. Whatever it is
// given, it either refuses with ErrBadArchive, or writes exactly the
// members its manifest lists, as regular files with the names a backup may
// hold and the sizes the manifest gives, inside the directory it was given.
//
//	go test ./pkg/backup -run XXX -fuzz FuzzExtract -fuzztime 60s
func FuzzExtract(f *testing.F) {
	good := goodEntries(f)
	m := manifestFor(good...)
	valid := archive(f, append([]entry{manifestEntry(f, m)}, good...)...)
	f.Add(valid)
	f.Add(valid[:len(valid)/2])
	f.Add(archive(f, manifestEntry(f, manifestFor(file("../x.sqlite", []byte("x")))), file("../x.sqlite", []byte("x"))))
	f.Add(archive(f, manifestEntry(f, manifestFor(good[0])), good[0], good[1]))
	f.Add(archive(f, manifestEntry(f, m), entry{name: good[0].name, typeflag: '2', linkname: "/etc/passwd"}))
	f.Add([]byte{0x1f, 0x8b, 8, 0, 0, 0, 0, 0, 0, 0xff})

	f.Fuzz(func(t *testing.T, data []byte) {
		dir := t.TempDir()
		got, err := extract(context.Background(), strings.NewReader(string(data)), dir)
		if err != nil {
			if !errors.Is(err, ErrBadArchive) {
				t.Fatalf("refused without saying the backup is bad: %v", err)
			}
			return
		}
		want := map[string]int64{}
		for _, mem := range got.Members {
			if !validMemberName(mem.Name) {
				t.Fatalf("accepted member %q", mem.Name)
			}
			want[mem.Name] = mem.Size
		}
		err = filepath.WalkDir(dir, func(p string, d os.DirEntry, err error) error {
			if err != nil || p == dir {
				return err
			}
			rel, _ := filepath.Rel(dir, p)
			rel = filepath.ToSlash(rel)
			if d.IsDir() {
				if rel != DBDir {
					t.Errorf("made folder %q", rel)
				}
				return nil
			}
			if !d.Type().IsRegular() {
				t.Errorf("made %q, not a regular file", rel)
			}
			info, err := d.Info()
			if err != nil {
				return err
			}
			size, listed := want[rel]
			if !listed || info.Size() != size {
				t.Errorf("wrote %q (%d bytes), which the manifest does not list so", rel, info.Size())
			}
			delete(want, rel)
			return nil
		})
		if err != nil {
			t.Fatal(err)
		}
		if len(want) > 0 {
			t.Errorf("accepted, but did not write %v", want)
		}
	})
}

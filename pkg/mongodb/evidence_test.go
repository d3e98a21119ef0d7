package mongodb_test

import (
	"bytes"
	"context"
	"crypto/rand"
	"crypto/sha256"
	"encoding/hex"
	"errors"
	"image"
	"image/jpeg"
	"image/png"
	"testing"
	"time"

	"go.mongodb.org/mongo-driver/v2/bson"
	"go.mongodb.org/mongo-driver/v2/mongo"
	"go.mongodb.org/mongo-driver/v2/mongo/options"

	"github.com/complytrack/complytrack/pkg/dbtest"
	"github.com/complytrack/complytrack/pkg/evidence"
	"github.com/complytrack/complytrack/pkg/mongodb"
	"github.com/complytrack/complytrack/pkg/training"
)

// newEvidenceStore returns a store on a fresh database whose evidence bucket
// exists and, on the embedded engine, has the _id index that production
// adds at start-up (embedded.Engine.IndexIDs), so timings mean what they
// would in production.
func newEvidenceStore(t *testing.T) (*mongodb.Store, *mongo.Database) {
	t.Helper()
	ctx := context.Background()
	db := dbtest.New(t)
	s := mongodb.New(db)
	// The first upload makes the bucket's collections and indexes.
	if _, err := s.PutEvidence(ctx, readFile(t, tinyPDF()), "warm-up.pdf"); err != nil {
		t.Fatalf("PutEvidence (warm-up): %v", err)
	}
	if e := dbtest.Engine(t); e != nil {
		if err := e.IndexIDs(ctx, db.Name()); err != nil {
			t.Fatalf("IndexIDs: %v", err)
		}
	}
	return s, db
}

func tinyPDF() []byte {
	return []byte("%PDF-1.4\n1 0 obj\n<< >>\nendobj\ntrailer\n<< /Root 1 0 R >>\n%%EOF\n")
}

// bigPDF returns a file of size bytes that evidence.Read accepts as a PDF:
// random bytes (so nothing downstream can compress them) between a PDF
// header and an end-of-file marker.
func bigPDF(t *testing.T, size int) []byte {
	t.Helper()
	head, tail := []byte("%PDF-1.7\n%"), []byte("\n%%EOF\n")
	b := make([]byte, size)
	if _, err := rand.Read(b); err != nil {
		t.Fatal(err)
	}
	copy(b, head)
	copy(b[size-len(tail):], tail)
	return b
}

func imageFile(t *testing.T, enc func(*bytes.Buffer, image.Image) error) []byte {
	t.Helper()
	var b bytes.Buffer
	if err := enc(&b, image.NewGray(image.Rect(0, 0, 3, 2))); err != nil {
		t.Fatal(err)
	}
	return b.Bytes()
}

func pngFile(t *testing.T) []byte {
	return imageFile(t, func(b *bytes.Buffer, m image.Image) error { return png.Encode(b, m) })
}

func jpegFile(t *testing.T) []byte {
	return imageFile(t, func(b *bytes.Buffer, m image.Image) error { return jpeg.Encode(b, m, nil) })
}

func readFile(t *testing.T, data []byte) evidence.File {
	t.Helper()
	f, err := evidence.Read(bytes.NewReader(data), training.MaxEvidenceBytes)
	if err != nil {
		t.Fatalf("evidence.Read: %v", err)
	}
	return f
}

func sha(b []byte) string {
	s := sha256.Sum256(b)
	return hex.EncodeToString(s[:])
}

func TestEvidenceRoundTripLargeFile(t *testing.T) {
	ctx := context.Background()
	s, _ := newEvidenceStore(t)
	data := bigPDF(t, 4_800_000)
	f := readFile(t, data)

	start := time.Now()
	id, err := s.PutEvidence(ctx, f, "Prevent certificate.pdf")
	if err != nil {
		t.Fatalf("PutEvidence: %v", err)
	}
	put := time.Since(start)
	start = time.Now()
	got, ct, name, err := s.Evidence(ctx, id)
	if err != nil {
		t.Fatalf("Evidence: %v", err)
	}
	get := time.Since(start)
	t.Logf("4.8 MB file: stored in %v, read back in %v", put, get)

	if sha(got) != sha(data) || len(got) != len(data) {
		t.Fatalf("read back %d bytes with SHA-256 %s; stored %d bytes with %s", len(got), sha(got), len(data), sha(data))
	}
	if ct != evidence.TypePDF || name != "Prevent certificate.pdf" {
		t.Errorf("content type %q, filename %q", ct, name)
	}
}

func TestEvidenceMissing(t *testing.T) {
	ctx := context.Background()
	s, _ := newEvidenceStore(t)
	for _, id := range []string{mongodb.NewID(), "", "no such file", `{"$ne": null}`} {
		_, _, _, err := s.Evidence(ctx, id)
		if !errors.Is(err, training.ErrNotFound) {
			t.Errorf("Evidence(%q): err = %v; want ErrNotFound", id, err)
		}
	}
	// A bucket that has never been written to.
	empty := mongodb.New(dbtest.New(t))
	if _, _, _, err := empty.Evidence(ctx, mongodb.NewID()); !errors.Is(err, training.ErrNotFound) {
		t.Errorf("Evidence on an empty database: err = %v; want ErrNotFound", err)
	}
}

func TestEvidenceTwoFiles(t *testing.T) {
	ctx := context.Background()
	s, _ := newEvidenceStore(t)
	pngData, jpegData := pngFile(t), jpegFile(t)

	id1, err := s.PutEvidence(ctx, readFile(t, pngData), `C:\Users\jsmith\Desktop\cert.exe`)
	if err != nil {
		t.Fatal(err)
	}
	id2, err := s.PutEvidence(ctx, readFile(t, jpegData), "photo of certificate.jpeg")
	if err != nil {
		t.Fatal(err)
	}
	if id1 == id2 || id1 == "" {
		t.Fatalf("file IDs %q and %q", id1, id2)
	}
	// The same bytes stored twice are two files: spotting duplicates is the
	// completions' business (by SHA-256), not the bucket's.
	id3, err := s.PutEvidence(ctx, readFile(t, pngData), "again.png")
	if err != nil || id3 == id1 {
		t.Fatalf("second copy: id %q, err %v", id3, err)
	}

	for _, c := range []struct {
		id, ct, name string
		data         []byte
	}{
		{id1, evidence.TypePNG, "cert.exe.png", pngData},
		{id2, evidence.TypeJPEG, "photo of certificate.jpeg", jpegData},
		{id3, evidence.TypePNG, "again.png", pngData},
	} {
		data, ct, name, err := s.Evidence(ctx, c.id)
		if err != nil {
			t.Fatalf("Evidence(%s): %v", c.id, err)
		}
		if !bytes.Equal(data, c.data) || ct != c.ct || name != c.name {
			t.Errorf("Evidence(%s) = %d bytes, %q, %q; want %d bytes, %q, %q", c.id, len(data), ct, name, len(c.data), c.ct, c.name)
		}
	}
}

// The bucket is GridFS: the driver's own GridFSBucket reads and deletes
// what the store wrote, finds the indexes it wants, and writes beside it.
func TestEvidenceIsGridFS(t *testing.T) {
	ctx := context.Background()
	s, db := newEvidenceStore(t)
	data := bigPDF(t, 2_500_000) // three chunks
	f := readFile(t, data)
	id, err := s.PutEvidence(ctx, f, "cert.pdf")
	if err != nil {
		t.Fatal(err)
	}

	bucket := db.GridFSBucket(options.GridFSBucket().SetName("evidence"))
	var buf bytes.Buffer
	if _, err := bucket.DownloadToStream(ctx, id, &buf); err != nil {
		t.Fatalf("driver DownloadToStream: %v", err)
	}
	if !bytes.Equal(buf.Bytes(), data) {
		t.Fatalf("driver read %d bytes; want the %d stored", buf.Len(), len(data))
	}
	cur, err := bucket.Find(ctx, bson.D{{Key: "_id", Value: id}})
	if err != nil {
		t.Fatal(err)
	}
	var files []struct {
		Filename string `bson:"filename"`
		Length   int64  `bson:"length"`
		Metadata struct {
			ContentType string `bson:"content_type"`
			SHA256      string `bson:"sha256"`
		} `bson:"metadata"`
	}
	if err := cur.All(ctx, &files); err != nil {
		t.Fatal(err)
	}
	if len(files) != 1 || files[0].Filename != "cert.pdf" || files[0].Length != int64(len(data)) ||
		files[0].Metadata.ContentType != evidence.TypePDF || files[0].Metadata.SHA256 != sha(data) {
		t.Fatalf("files document: %+v", files)
	}

	// The indexes the GridFS spec asks for exist, the chunks one unique.
	wantIndexes := map[string]map[string]bool{
		"evidence.files":  {"filename_1_uploadDate_1": false},
		"evidence.chunks": {"files_id_1_n_1": true},
	}
	for col, want := range wantIndexes {
		specs, err := db.Collection(col).Indexes().ListSpecifications(ctx)
		if err != nil {
			t.Fatal(err)
		}
		for name, unique := range want {
			found := false
			for _, sp := range specs {
				if sp.Name == name {
					found = true
					if (sp.Unique != nil && *sp.Unique) != unique {
						t.Errorf("%s index %s: unique = %v; want %v", col, name, sp.Unique, unique)
					}
				}
			}
			if !found {
				t.Errorf("%s lacks index %s", col, name)
			}
		}
	}

	// The driver deletes a file the store wrote (its files document and
	// every chunk), after which the store no longer finds it.
	if err := bucket.Delete(ctx, id); err != nil {
		t.Fatalf("driver Delete: %v", err)
	}
	if _, _, _, err := s.Evidence(ctx, id); !errors.Is(err, training.ErrNotFound) {
		t.Errorf("after driver Delete: err = %v; want ErrNotFound", err)
	}
	if n, err := db.Collection("evidence.chunks").CountDocuments(ctx, bson.D{{Key: "files_id", Value: id}}); err != nil || n != 0 {
		t.Errorf("chunks left after driver Delete: %d, %v", n, err)
	}
}

// The driver's bucket, writing first into a new database, makes its indexes
// on the embedded engine (files {filename, uploadDate}; chunks {files_id, n}
// unique); the store then finds them and writes beside the driver's file,
// and the driver finds the store's indexes when the bucket is empty again.
func TestDriverGridFSIndexesAndStoreAgree(t *testing.T) {
	ctx := context.Background()
	db := dbtest.New(t)
	bucket := db.GridFSBucket(options.GridFSBucket().SetName("evidence"))
	driverID := bson.NewObjectID()
	data := pngFile(t)
	if err := bucket.UploadFromStreamWithID(ctx, driverID, "driver.png", bytes.NewReader(data)); err != nil {
		t.Fatalf("driver upload (which creates its indexes): %v", err)
	}
	names := func(col string) map[string]bool {
		specs, err := db.Collection(col).Indexes().ListSpecifications(ctx)
		if err != nil {
			t.Fatal(err)
		}
		m := map[string]bool{}
		for _, sp := range specs {
			m[sp.Name] = sp.Unique != nil && *sp.Unique
		}
		return m
	}
	if f := names("evidence.files"); !hasKey(f, "filename_1_uploadDate_1") {
		t.Errorf("driver's files index missing: %v", f)
	}
	if c := names("evidence.chunks"); !c["files_id_1_n_1"] {
		t.Errorf("driver's unique chunks index missing: %v", c)
	}

	s := mongodb.New(db)
	id, err := s.PutEvidence(ctx, readFile(t, data), "store.png")
	if err != nil {
		t.Fatalf("PutEvidence beside the driver's file: %v", err)
	}
	if got, _, _, err := s.Evidence(ctx, id); err != nil || !bytes.Equal(got, data) {
		t.Fatalf("Evidence: %v", err)
	}
	for _, del := range []any{driverID, id} {
		if err := bucket.Delete(ctx, del); err != nil {
			t.Fatalf("driver Delete(%v): %v", del, err)
		}
	}
	// Empty again: the driver checks its indexes before writing and must
	// find them (creating an existing index fails on the embedded engine).
	if _, err := bucket.UploadFromStream(ctx, "again.png", bytes.NewReader(data)); err != nil {
		t.Fatalf("driver upload into the emptied bucket: %v", err)
	}
	if _, err := s.PutEvidence(ctx, readFile(t, data), "again.png"); err != nil {
		t.Fatalf("PutEvidence after that: %v", err)
	}
}

func hasKey(m map[string]bool, k string) bool { _, ok := m[k]; return ok }

func TestEvidenceDamagedIsNotNotFound(t *testing.T) {
	ctx := context.Background()
	s, db := newEvidenceStore(t)
	data := bigPDF(t, 2_500_000)
	chunks := db.Collection("evidence.chunks")

	// A chunk altered in place: the SHA-256 check catches it.
	id, err := s.PutEvidence(ctx, readFile(t, data), "a.pdf")
	if err != nil {
		t.Fatal(err)
	}
	var chunk bson.M
	if err := chunks.FindOne(ctx, bson.D{{Key: "_id", Value: id + "/1"}}).Decode(&chunk); err != nil {
		t.Fatalf("chunk 1 of %s by its _id: %v", id, err)
	}
	altered := bytes.Clone(chunk["data"].(bson.Binary).Data)
	altered[0] ^= 0xff
	if _, err := chunks.UpdateOne(ctx, bson.D{{Key: "_id", Value: id + "/1"}},
		bson.D{{Key: "$set", Value: bson.D{{Key: "data", Value: altered}}}}); err != nil {
		t.Fatal(err)
	}
	if _, _, _, err := s.Evidence(ctx, id); err == nil || errors.Is(err, training.ErrNotFound) {
		t.Errorf("altered chunk: err = %v; want a damage error", err)
	}

	// A missing chunk.
	id, err = s.PutEvidence(ctx, readFile(t, data), "b.pdf")
	if err != nil {
		t.Fatal(err)
	}
	if _, err := chunks.DeleteOne(ctx, bson.D{{Key: "_id", Value: id + "/2"}}); err != nil {
		t.Fatal(err)
	}
	if _, _, _, err := s.Evidence(ctx, id); err == nil || errors.Is(err, training.ErrNotFound) {
		t.Errorf("missing chunk: err = %v; want a damage error", err)
	}
}

func TestPutEvidenceRefusesInconsistentFile(t *testing.T) {
	s, _ := newEvidenceStore(t)
	f := readFile(t, tinyPDF())
	f.SHA256 = sha([]byte("something else"))
	if _, err := s.PutEvidence(context.Background(), f, "x.pdf"); err == nil {
		t.Fatal("PutEvidence stored a file whose SHA-256 does not match its bytes")
	}
}

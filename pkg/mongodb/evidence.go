package mongodb

import (
	"context"
	"crypto/sha256"
	"encoding/hex"
	"errors"
	"fmt"
	"slices"
	"time"

	"go.mongodb.org/mongo-driver/v2/bson"
	"go.mongodb.org/mongo-driver/v2/mongo"
	"go.mongodb.org/mongo-driver/v2/mongo/options"

	"github.com/complytrack/complytrack/pkg/evidence"
)

// Evidence files (certificates) are kept in GridFS's layout, in the bucket
// "evidence": a document in evidence.files describes each file and its bytes
// are split over documents in evidence.chunks. Any GridFS client (the
// driver's GridFSBucket, mongofiles) can read, list and delete them.
//
// The store writes and reads those documents itself instead of through the
// driver's GridFSBucket, for one reason: the bucket finds a file's chunks
// with the query {files_id: {$eq: id}} sorted by n, and finds the file with
// {_id: {$eq: id}}. The embedded engine pushes neither down to SQLite (only a
// filter that is exactly {_id: <string or ObjectID>} is), so it reads and
// decodes every chunk of every stored file to serve one download: measured
// here, 42 ms with 1 MiB stored, 316 ms with 10 MiB, 1.4 s with 40 MiB, i.e.
// about 34 ms per stored MiB, growing for ever. So:
//   - the file's _id is a string from NewID, and its files document is read
//     with the filter {_id: id};
//   - each chunk's _id is "<file id>/<n>" (GridFS requires files_id, n and
//     data; it does not fix the chunk _id's type), and chunks are read one by
//     one with {_id: "<file id>/<n>"}: a 5 MiB file is 6 reads by _id. On
//     MongoDB every one of these reads uses the _id index; on the embedded
//     engine they do once embedded.Engine.IndexIDs has run after the
//     collections were made (see migrateEvidence), and then a 4.8 MB file
//     reads back in about 0.13 s however many files are stored.
//
// Chunks are inserted before the files document, as the driver does, so a
// file is visible only once it is complete. Before the first write into an
// empty bucket the store makes the two indexes the GridFS spec asks for
// (evidence.files {filename: 1, uploadDate: 1}, evidence.chunks {files_id:
// 1, n: 1} unique), as the driver would, so the driver's bucket and tools
// work on the same data on MongoDB; the embedded engine accepts both.
const (
	colEvidenceFiles  = "evidence.files"
	colEvidenceChunks = "evidence.chunks"

	// evidenceChunkSize is the size of each chunk but the last. GridFS
	// readers take it from the files document. 1 MiB keeps a 5 MiB
	// certificate to 5 chunk reads; the driver's default is 255 KiB.
	evidenceChunkSize = 1 << 20

	// maxStoredEvidenceBytes bounds the length Evidence believes from a
	// files document before it allocates; far above
	// training.MaxEvidenceBytes, so that lowering that limit later leaves
	// older files readable.
	maxStoredEvidenceBytes = 64 << 20
)

// evidenceFileDoc is a GridFS files document.
type evidenceFileDoc struct {
	ID         string       `bson:"_id"`
	Length     int64        `bson:"length"`
	ChunkSize  int32        `bson:"chunkSize"`
	UploadDate time.Time    `bson:"uploadDate"`
	Filename   string       `bson:"filename"`
	Metadata   evidenceMeta `bson:"metadata"`
}

// evidenceMeta is the application's part of a files document.
type evidenceMeta struct {
	ContentType string `bson:"content_type"`
	SHA256      string `bson:"sha256"` // hex of the whole file
}

// evidenceChunkDoc is a GridFS chunks document.
type evidenceChunkDoc struct {
	ID      string `bson:"_id"` // "<files_id>/<n>"
	FilesID string `bson:"files_id"`
	N       int32  `bson:"n"`
	Data    []byte `bson:"data"`
}

func evidenceChunkID(fileID string, n int) string { return fmt.Sprintf("%s/%d", fileID, n) }

// PutEvidence stores the file and returns its file ID. The file must come
// from evidence.Read: its SHA256 and Size must match its Data. filename is
// passed through evidence.SafeFilename (which leaves an already safe name as
// it is).
func (s *Store) PutEvidence(ctx context.Context, f evidence.File, filename string) (fileID string, err error) {
	sum := sha256.Sum256(f.Data)
	if hex.EncodeToString(sum[:]) != f.SHA256 || f.Size != int64(len(f.Data)) {
		return "", errors.New("store evidence file: SHA-256 or size does not match the data")
	}
	if err := s.ensureEvidenceBucket(ctx); err != nil {
		return "", err
	}
	fileID = NewID()

	var chunks []any
	for n, off := 0, 0; off < len(f.Data); n, off = n+1, off+evidenceChunkSize {
		end := min(off+evidenceChunkSize, len(f.Data))
		chunks = append(chunks, evidenceChunkDoc{ID: evidenceChunkID(fileID, n), FilesID: fileID, N: int32(n), Data: f.Data[off:end]})
	}
	if len(chunks) > 0 {
		if _, err := s.db.Collection(colEvidenceChunks).InsertMany(ctx, chunks); err != nil {
			s.removeEvidenceChunks(fileID, len(chunks))
			return "", translate("store evidence file chunks", err)
		}
	}
	doc := evidenceFileDoc{
		ID:         fileID,
		Length:     int64(len(f.Data)),
		ChunkSize:  evidenceChunkSize,
		UploadDate: s.now().Truncate(time.Millisecond),
		Filename:   evidence.SafeFilename(filename, f.ContentType),
		Metadata:   evidenceMeta{ContentType: f.ContentType, SHA256: f.SHA256},
	}
	if _, err := s.db.Collection(colEvidenceFiles).InsertOne(ctx, doc); err != nil {
		s.removeEvidenceChunks(fileID, len(chunks))
		return "", translate("store evidence file", err)
	}
	return fileID, nil
}

// removeEvidenceChunks deletes, as far as it can, the chunks of an upload
// that failed, one by _id (the fast delete on both engines). A chunk left
// behind belongs to no files document, so no reader ever sees it.
func (s *Store) removeEvidenceChunks(fileID string, n int) {
	ctx, cancel := context.WithTimeout(context.Background(), 10*time.Second)
	defer cancel()
	for i := range n {
		_, _ = s.db.Collection(colEvidenceChunks).DeleteOne(ctx, bson.D{{Key: "_id", Value: evidenceChunkID(fileID, i)}})
	}
}

// Evidence returns the bytes and metadata of a stored file, or an error
// wrapping training.ErrNotFound if there is no file with that ID. The bytes
// are checked against the SHA-256 recorded when the file was stored; a file
// whose chunks are missing or altered is an error (not ErrNotFound). It
// reads files PutEvidence wrote; a file some other GridFS client wrote into
// the bucket (random chunk _ids) reads as missing chunks.
func (s *Store) Evidence(ctx context.Context, fileID string) (data []byte, contentType string, filename string, err error) {
	var doc evidenceFileDoc
	err = s.db.Collection(colEvidenceFiles).FindOne(ctx, bson.D{{Key: "_id", Value: fileID}}).Decode(&doc)
	if err != nil {
		return nil, "", "", translate("read evidence file "+fileID, err)
	}
	if doc.Length < 0 || doc.Length > maxStoredEvidenceBytes || (doc.Length > 0 && doc.ChunkSize <= 0) {
		return nil, "", "", fmt.Errorf("evidence file %s: bad length %d or chunk size %d", fileID, doc.Length, doc.ChunkSize)
	}
	data = make([]byte, 0, doc.Length)
	for n := 0; int64(len(data)) < doc.Length; n++ {
		var c evidenceChunkDoc
		err := s.db.Collection(colEvidenceChunks).FindOne(ctx, bson.D{{Key: "_id", Value: evidenceChunkID(fileID, n)}}).Decode(&c)
		if errors.Is(err, mongo.ErrNoDocuments) {
			return nil, "", "", fmt.Errorf("evidence file %s: chunk %d is missing", fileID, n)
		}
		if err != nil {
			return nil, "", "", translate(fmt.Sprintf("read evidence file %s chunk %d", fileID, n), err)
		}
		want := min(int64(doc.ChunkSize), doc.Length-int64(len(data)))
		if c.FilesID != fileID || int(c.N) != n || int64(len(c.Data)) != want {
			return nil, "", "", fmt.Errorf("evidence file %s: chunk %d is inconsistent (files_id %q, n %d, %d bytes; want %d bytes)",
				fileID, n, c.FilesID, c.N, len(c.Data), want)
		}
		data = append(data, c.Data...)
	}
	sum := sha256.Sum256(data)
	if hex.EncodeToString(sum[:]) != doc.Metadata.SHA256 {
		return nil, "", "", fmt.Errorf("evidence file %s: content does not match its SHA-256", fileID)
	}
	return data, doc.Metadata.ContentType, doc.Filename, nil
}

// gridFSIndexes are the indexes the GridFS spec asks a writer to make,
// with the keys and names the driver uses (the driver compares keys, not
// names, when it looks for them).
var gridFSIndexes = []index{
	{colEvidenceFiles, bson.D{{Key: "filename", Value: int32(1)}, {Key: "uploadDate", Value: int32(1)}}, false, "filename_1_uploadDate_1"},
	{colEvidenceChunks, bson.D{{Key: "files_id", Value: int32(1)}, {Key: "n", Value: int32(1)}}, true, "files_id_1_n_1"},
}

// migrateEvidence creates the evidence bucket's two collections and the
// GridFS indexes, leaving alone whatever exists. It is idempotent.
//
// Migrate should call it: on the embedded engine the process indexes _id
// (embedded.Engine.IndexIDs) only on collections that exist when it starts,
// and without that index every chunk read by _id scans the chunks table,
// whose rows are up to a MiB each (measured: a 4.8 MB download took 0.19 s
// with one file stored and 1.4 s with twelve). PutEvidence calls it as well
// before writing into an empty bucket, as the driver's bucket would, so the
// bucket works even where Migrate did not make it.
func (s *Store) migrateEvidence(ctx context.Context) error {
	existing, err := s.db.ListCollectionNames(ctx, bson.D{})
	if err != nil {
		return fmt.Errorf("list collections: %w", err)
	}
	for _, name := range []string{colEvidenceFiles, colEvidenceChunks} {
		if slices.Contains(existing, name) {
			continue
		}
		if err := s.db.CreateCollection(ctx, name); err != nil && !isNamespaceExists(err) {
			return fmt.Errorf("create collection %s: %w", name, err)
		}
	}
	for _, ix := range gridFSIndexes {
		if err := s.ensureIndex(ctx, ix); err != nil {
			return err
		}
	}
	return nil
}

// ensureEvidenceBucket does what the driver's bucket does before its first
// write: if the files collection is empty, it makes sure the collections
// and indexes exist (migrateEvidence). Once a file exists this is one
// FindOne with an empty filter and a limit of 1, which both engines answer
// from the first row.
func (s *Store) ensureEvidenceBucket(ctx context.Context) error {
	err := s.db.Collection(colEvidenceFiles).FindOne(ctx, bson.D{}, options.FindOne().SetProjection(bson.D{{Key: "_id", Value: 1}})).Err()
	if err == nil {
		return nil
	}
	if !errors.Is(err, mongo.ErrNoDocuments) {
		return fmt.Errorf("check evidence bucket: %w", err)
	}
	return s.migrateEvidence(ctx)
}

// ensureIndex creates ix unless an index with its name exists. Creating an
// index that exists fails on the embedded engine, so it lists first; when
// two processes race, the loser's error is ignored if the index is there.
func (s *Store) ensureIndex(ctx context.Context, ix index) error {
	iv := s.db.Collection(ix.collection).Indexes()
	has := func() (bool, error) {
		specs, err := iv.ListSpecifications(ctx)
		if err != nil {
			return false, fmt.Errorf("list indexes of %s: %w", ix.collection, err)
		}
		for _, sp := range specs {
			if sp.Name == ix.name {
				return true, nil
			}
		}
		return false, nil
	}
	if ok, err := has(); err != nil || ok {
		return err
	}
	model := mongo.IndexModel{Keys: ix.keys, Options: options.Index().SetName(ix.name).SetUnique(ix.unique)}
	if _, err := iv.CreateOne(ctx, model); err != nil {
		if ok, _ := has(); ok {
			return nil
		}
		return fmt.Errorf("create index %s on %s: %w", ix.name, ix.collection, err)
	}
	return nil
}

package mongodb

import (
	"context"
	"crypto/rand"
	"encoding/base64"
	"fmt"
	"time"

	"go.mongodb.org/mongo-driver/v2/bson"
)

const (
	colHeldImports      = "held_imports"
	colHeldImportChunks = "held_import_chunks"
	// heldChunk bounds one chunk of a held file, well under a document's
	// 16 MB.
	heldChunk = 4 << 20
)

// heldImportDoc is a file uploaded for an import, previewed and waiting to
// be confirmed. It is in the database, not in the process that showed the
// preview, so that the confirmation may reach any replica. Its content is
// in chunks under "<token>/<n>".
type heldImportDoc struct {
	Token   string    `bson:"_id"`
	Owner   string    `bson:"owner"`
	Name    string    `bson:"name"`
	Size    int       `bson:"size"`
	Chunks  int       `bson:"chunks"`
	Expires time.Time `bson:"expires_at"`
}

type heldChunkDoc struct {
	ID   string `bson:"_id"`
	Data []byte `bson:"data"`
}

// HoldImport keeps a previewed file for owner for ttl, by the store's
// clock, and returns the token that takes it. An owner holds one file at a time: a new upload
// replaces the previous one. Expired files are removed on the way.
func (s *Store) HoldImport(ctx context.Context, owner, name string, data []byte, ttl time.Duration) (string, error) {
	if err := s.dropHeld(ctx, bson.D{{Key: "$or", Value: bson.A{
		bson.D{{Key: "owner", Value: owner}},
		bson.D{{Key: "expires_at", Value: bson.D{{Key: "$lt", Value: s.now()}}}},
	}}}); err != nil {
		return "", err
	}
	var b [16]byte
	if _, err := rand.Read(b[:]); err != nil {
		return "", err
	}
	token := base64.RawURLEncoding.EncodeToString(b[:])
	var chunks []any
	for n, start := 0, 0; start < len(data) || n == 0; n, start = n+1, start+heldChunk {
		chunks = append(chunks, heldChunkDoc{ID: fmt.Sprintf("%s/%d", token, n), Data: data[start:min(start+heldChunk, len(data))]})
	}
	if _, err := s.db.Collection(colHeldImportChunks).InsertMany(ctx, chunks); err != nil {
		return "", translate("hold import", err)
	}
	_, err := s.db.Collection(colHeldImports).InsertOne(ctx, heldImportDoc{Token: token, Owner: owner, Name: name, Size: len(data),
		Chunks: len(chunks), Expires: s.now().Add(ttl).Truncate(time.Millisecond)})
	return token, translate("hold import", err)
}

// PeekImport returns the file held under token for owner and keeps it, for
// the steps between upload and confirmation (choosing the columns, ending
// a leaver's record) that show the file again. ok is false when there is
// none, it is someone else's or it has expired.
func (s *Store) PeekImport(ctx context.Context, owner, token string) (name string, data []byte, ok bool, err error) {
	var head heldImportDoc
	err = translate("peek import", s.db.Collection(colHeldImports).FindOne(ctx, bson.D{{Key: "_id", Value: token}}).Decode(&head))
	if isNotFound(err) || err == nil && (head.Owner != owner || !s.now().Before(head.Expires)) {
		return "", nil, false, nil
	}
	if err != nil {
		return "", nil, false, err
	}
	data, err = s.heldData(ctx, head)
	if isNotFound(err) { // taken while it was read
		return "", nil, false, nil
	}
	if err != nil {
		return "", nil, false, err
	}
	return head.Name, data, true, nil
}

// heldData reads a held file's chunks, by _id.
func (s *Store) heldData(ctx context.Context, head heldImportDoc) ([]byte, error) {
	data := make([]byte, 0, head.Size)
	for n := range head.Chunks {
		var c heldChunkDoc
		if err := s.db.Collection(colHeldImportChunks).FindOne(ctx, bson.D{{Key: "_id", Value: fmt.Sprintf("%s/%d", head.Token, n)}}).Decode(&c); err != nil {
			return nil, translate("read held import", err)
		}
		data = append(data, c.Data...)
	}
	return data, nil
}

// TakeImport returns and forgets the file held under token for owner. ok
// is false when there is none, it is someone else's, it has expired, or
// another request took it first: a held file is imported once.
func (s *Store) TakeImport(ctx context.Context, owner, token string) (name string, data []byte, ok bool, err error) {
	var head heldImportDoc
	err = translate("take import", s.db.Collection(colHeldImports).FindOne(ctx, bson.D{{Key: "_id", Value: token}}).Decode(&head))
	if isNotFound(err) || err == nil && head.Owner != owner {
		return "", nil, false, nil
	}
	if err != nil {
		return "", nil, false, err
	}
	// Deleting the head is the claim: of two requests, one deletes it.
	res, err := s.db.Collection(colHeldImports).DeleteOne(ctx, bson.D{{Key: "_id", Value: token}})
	if err != nil {
		return "", nil, false, translate("take import", err)
	}
	defer s.dropChunks(ctx, head)
	if res.DeletedCount == 0 || !s.now().Before(head.Expires) {
		return "", nil, false, nil
	}
	if data, err = s.heldData(ctx, head); err != nil {
		return "", nil, false, err
	}
	return head.Name, data, true, nil
}

// dropHeld removes the held files matching filter, with their chunks.
func (s *Store) dropHeld(ctx context.Context, filter bson.D) error {
	heads, err := findAll[heldImportDoc](ctx, s.db.Collection(colHeldImports), filter)
	if err != nil {
		return translate("drop held imports", err)
	}
	for _, h := range heads {
		if _, err := s.db.Collection(colHeldImports).DeleteOne(ctx, bson.D{{Key: "_id", Value: h.Token}}); err != nil {
			return translate("drop held imports", err)
		}
		s.dropChunks(ctx, h)
	}
	return nil
}

// dropChunks deletes a held file's chunks, by _id. A chunk left behind
// (the process stopped) is only disk: nothing reads it without its head.
func (s *Store) dropChunks(ctx context.Context, h heldImportDoc) {
	for n := range h.Chunks {
		_, _ = s.db.Collection(colHeldImportChunks).DeleteOne(ctx, bson.D{{Key: "_id", Value: fmt.Sprintf("%s/%d", h.Token, n)}})
	}
}

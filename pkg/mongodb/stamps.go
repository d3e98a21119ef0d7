package mongodb

import (
	"context"
	"time"

	"go.mongodb.org/mongo-driver/v2/bson"
	"go.mongodb.org/mongo-driver/v2/mongo/options"
)

const colStamps = "stamps"

// stampDoc is one process's change counter. Only that process writes it,
// so no two writers ever race on it (see training's roster).
type stampDoc struct {
	ID        string    `bson:"_id"`
	Seq       int64     `bson:"seq"`
	UpdatedAt time.Time `bson:"updated_at"`
}

// Stamps returns every process's change counter. The collection holds one
// small document per process that has ever written.
func (s *Store) Stamps(ctx context.Context) (map[string]int64, error) {
	docs, err := findAll[stampDoc](ctx, s.db.Collection(colStamps), bson.D{})
	if err != nil {
		return nil, translate("read stamps", err)
	}
	out := make(map[string]int64, len(docs))
	for _, d := range docs {
		out[d.ID] = d.Seq
	}
	return out, nil
}

// SetStamp writes this process's change counter.
func (s *Store) SetStamp(ctx context.Context, process string, n int64) error {
	_, err := s.db.Collection(colStamps).ReplaceOne(ctx, bson.D{{Key: "_id", Value: process}},
		stampDoc{ID: process, Seq: n, UpdatedAt: s.now()}, options.Replace().SetUpsert(true))
	return translate("write stamp", err)
}

// PruneStamps deletes the stamps of processes that have written nothing for
// the given age (processes that stopped long ago), so reading the stamps
// stays cheap. Start-up calls it.
func (s *Store) PruneStamps(ctx context.Context, olderThan time.Duration) error {
	_, err := s.db.Collection(colStamps).DeleteMany(ctx, bson.D{{Key: "updated_at", Value: bson.D{{Key: "$lt", Value: s.now().Add(-olderThan)}}}})
	return translate("prune stamps", err)
}

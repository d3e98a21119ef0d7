package mongodb

import (
	"context"
	"time"

	"go.mongodb.org/mongo-driver/v2/bson"
)

const colNotices = "notices"

// noticeDoc records that a notification (an escalation, a digest, a
// monthly report) was queued. The key is the _id: recorded once.
type noticeDoc struct {
	Key string    `bson:"_id"`
	At  time.Time `bson:"at"`
}

// InsertNotice records a key; an existing key is training.ErrConflict.
func (s *Store) InsertNotice(ctx context.Context, key string, at time.Time) error {
	_, err := s.db.Collection(colNotices).InsertOne(ctx, noticeDoc{Key: key, At: at.Truncate(time.Millisecond)})
	return translate("record notice", err)
}

// EachNotice streams every recorded key.
func (s *Store) EachNotice(ctx context.Context, fn func(string) error) error {
	return each(ctx, s.db.Collection(colNotices), bson.D{}, func(d noticeDoc) error { return fn(d.Key) })
}

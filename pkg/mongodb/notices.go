package mongodb

import (
	"context"
	"time"

	"go.mongodb.org/mongo-driver/v2/bson"

	"github.com/complytrack/complytrack/pkg/training"
)

const colNotices = "notices"

// noticeDoc records that a notification (an escalation, a digest) was
// queued, or, for a batch, everything needed to queue it. The key is the
// _id: recorded once, in one insert.
type noticeDoc struct {
	Key     string    `bson:"_id"`
	At      time.Time `bson:"at"`
	Covers  []string  `bson:"covers,omitempty"`
	To      []string  `bson:"to,omitempty"`
	Subject string    `bson:"subject,omitempty"`
	Body    string    `bson:"body,omitempty"`
}

// InsertNotice records a notice; an existing key is training.ErrConflict.
func (s *Store) InsertNotice(ctx context.Context, n training.Notice, at time.Time) error {
	_, err := s.db.Collection(colNotices).InsertOne(ctx, noticeDoc{Key: n.Key, At: at.Truncate(time.Millisecond),
		Covers: n.Covers, To: n.To, Subject: n.Subject, Body: n.Body})
	return translate("record notice", err)
}

// EachNotice streams every recorded notice.
func (s *Store) EachNotice(ctx context.Context, fn func(training.Notice) error) error {
	return each(ctx, s.db.Collection(colNotices), bson.D{}, func(d noticeDoc) error {
		return fn(training.Notice{Key: d.Key, Covers: d.Covers, To: d.To, Subject: d.Subject, Body: d.Body})
	})
}

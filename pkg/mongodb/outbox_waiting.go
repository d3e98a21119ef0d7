package mongodb

import (
	"context"
	"time"

	"go.mongodb.org/mongo-driver/v2/bson"
	"go.mongodb.org/mongo-driver/v2/mongo/options"

	"github.com/complytrack/complytrack/pkg/notify"
)

// OutboxWaiting counts the queued messages and finds when the
// longest-waiting was queued (zero when none wait), for the metrics. It is
// one query returning only each queued message's creation time: on MongoDB
// a range on the (state, next_attempt_at, _id) index; on the embedded
// engine, which indexes only _id, one pass over the outbox. The queue is
// short when mail flows, so what comes back is small.
func (s *Store) OutboxWaiting(ctx context.Context) (waiting int, oldest time.Time, err error) {
	cur, err := s.db.Collection(colOutbox).Find(ctx,
		bson.D{{Key: "state", Value: string(notify.StateQueued)}},
		options.Find().SetProjection(bson.D{{Key: "_id", Value: 0}, {Key: "created_at", Value: 1}}))
	if err != nil {
		return 0, time.Time{}, translate("count waiting messages", err)
	}
	defer cur.Close(ctx)
	for cur.Next(ctx) {
		var d struct {
			CreatedAt time.Time `bson:"created_at"`
		}
		if err := cur.Decode(&d); err != nil {
			return 0, time.Time{}, translate("count waiting messages", err)
		}
		waiting++
		if oldest.IsZero() || d.CreatedAt.Before(oldest) {
			oldest = d.CreatedAt
		}
	}
	if err := cur.Err(); err != nil {
		return 0, time.Time{}, translate("count waiting messages", err)
	}
	return waiting, oldest.UTC(), nil
}

package mongodb

import (
	"context"
	"errors"

	"go.mongodb.org/mongo-driver/v2/mongo"
	"go.mongodb.org/mongo-driver/v2/mongo/options"

	"github.com/complytrack/complytrack/pkg/notify"
)

// InsertMessages stores many new outbox messages, in batches, each as
// InsertMessage would; those whose key is in use are returned by position
// and the rest are stored.
func (s *Store) InsertMessages(ctx context.Context, ms []notify.Message) (map[int]bool, error) {
	duplicate := map[int]bool{}
	for start := 0; start < len(ms); start += bulkBatch {
		end := min(start+bulkBatch, len(ms))
		docs := make([]any, 0, end-start)
		for i := start; i < end; i++ {
			var d messageDoc
			ms[i], d = s.newMessageDoc(ms[i])
			docs = append(docs, d)
		}
		_, err := s.db.Collection(colOutbox).InsertMany(ctx, docs, options.InsertMany().SetOrdered(false))
		var bwe mongo.BulkWriteException
		switch {
		case err == nil:
		case errors.As(err, &bwe) && onlyDuplicates(bwe):
			for _, we := range bwe.WriteErrors {
				duplicate[start+we.Index] = true
			}
		default:
			return duplicate, translate("queue messages", err)
		}
	}
	return duplicate, nil
}

var _ notify.BulkStore = (*Store)(nil)

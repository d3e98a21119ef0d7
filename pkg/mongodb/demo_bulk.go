package mongodb

import (
	"context"
	"errors"
	"time"

	"github.com/complytrack/complytrack/pkg/training"
)

// Bulk writes of past records, for loading history (the demo data): unlike
// InsertPeople and InsertCompletion they keep the times the records carry,
// so that a report for a past day sees what was known that day. They bypass
// the read model: the caller announces the change (readmodel.Model.Bulk) and
// writes the audit entries.

// InsertCompletions stores many completions at once, as they are: each
// must carry its ID and RecordedAt. Reviews and revocations are not
// stored (they are decisions recorded apart).
func (s *Store) InsertCompletions(ctx context.Context, completions []training.Completion) error {
	for start := 0; start < len(completions); start += bulkBatch {
		end := min(start+bulkBatch, len(completions))
		docs := make([]any, 0, end-start)
		for i := start; i < end; i++ {
			c := completions[i]
			if c.ID == "" || c.RecordedAt.IsZero() {
				return errors.New("insert completions: every completion needs an ID and RecordedAt")
			}
			c.RecordedAt = c.RecordedAt.UTC().Truncate(time.Millisecond)
			docs = append(docs, toCompletionDoc(c))
		}
		if _, err := s.db.Collection(colCompletions).InsertMany(ctx, docs); err != nil {
			return translate("insert completions", err)
		}
	}
	return nil
}

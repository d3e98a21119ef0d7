package mongodb

import (
	"context"
	"errors"
	"time"

	"github.com/complytrack/complytrack/pkg/training"
)

// InsertPersonVersions stores earlier versions of people already stored, as
// they are, for loading history (an earlier system's record of who was in
// which job and team when): each must carry the person's ID and the
// UpdatedAt from which that version held. Like InsertCompletions it
// bypasses the read model; the caller announces the change
// (readmodel.Model.Bulk).
func (s *Store) InsertPersonVersions(ctx context.Context, versions []training.Person) error {
	for start := 0; start < len(versions); start += bulkBatch {
		end := min(start+bulkBatch, len(versions))
		docs := make([]any, 0, end-start)
		for i := start; i < end; i++ {
			p := versions[i]
			if p.ID == "" || p.UpdatedAt.IsZero() {
				return errors.New("insert person versions: every version needs the person's ID and UpdatedAt")
			}
			p.CreatedAt = p.CreatedAt.UTC().Truncate(time.Millisecond)
			p.UpdatedAt = p.UpdatedAt.UTC().Truncate(time.Millisecond)
			docs = append(docs, versionDoc{ID: NewID(), Person: toPersonDoc(p)})
		}
		if _, err := s.db.Collection(colPersonVersions).InsertMany(ctx, docs); err != nil {
			return translate("insert person versions", err)
		}
	}
	return nil
}

package mongodb

import (
	"context"
	"errors"
	"time"

	"go.mongodb.org/mongo-driver/v2/mongo"
	"go.mongodb.org/mongo-driver/v2/mongo/options"

	"github.com/complytrack/complytrack/pkg/training"
)

// Bulk writes of past records, for loading history (the demo data): unlike
// InsertPeople and InsertCompletion they keep the times the records carry,
// so that a report for a past day sees what was known that day. They bypass
// the domain service: the caller records the change (training.Service.Touch)
// and writes the audit entries.

// InsertPeopleAsRecorded stores many new people at once with the CreatedAt
// and UpdatedAt they carry (each must be set, as must each ID), and each
// one's first version. It returns, by position, those refused because their
// employee number or e-mail is taken (training.ErrConflict); the rest are
// stored.
func (s *Store) InsertPeopleAsRecorded(ctx context.Context, people []training.Person) (refused map[int]error, err error) {
	refused = map[int]error{}
	for i := range people {
		if people[i].ID == "" || people[i].CreatedAt.IsZero() || people[i].UpdatedAt.IsZero() {
			return refused, errors.New("insert people as recorded: every person needs an ID, CreatedAt and UpdatedAt")
		}
		people[i].CreatedAt = people[i].CreatedAt.UTC().Truncate(time.Millisecond)
		people[i].UpdatedAt = people[i].UpdatedAt.UTC().Truncate(time.Millisecond)
	}
	for start := 0; start < len(people); start += bulkBatch {
		end := min(start+bulkBatch, len(people))
		docs := make([]any, 0, end-start)
		for i := start; i < end; i++ {
			docs = append(docs, toPersonDoc(people[i]))
		}
		_, err := s.db.Collection(colPeople).InsertMany(ctx, docs, options.InsertMany().SetOrdered(false))
		var bwe mongo.BulkWriteException
		switch {
		case err == nil:
		case errors.As(err, &bwe) && onlyDuplicates(bwe):
			for _, we := range bwe.WriteErrors {
				refused[start+we.Index] = translate("insert person", we)
			}
		default:
			return refused, translate("insert people", err)
		}
		versions := make([]any, 0, end-start)
		for i := start; i < end; i++ {
			if _, bad := refused[i]; !bad {
				versions = append(versions, versionDoc{ID: NewID(), Person: toPersonDoc(people[i])})
			}
		}
		if len(versions) > 0 {
			if _, err := s.db.Collection(colPersonVersions).InsertMany(ctx, versions); err != nil {
				return refused, translate("record person versions", err)
			}
		}
	}
	return refused, nil
}

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

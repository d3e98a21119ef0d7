package mongodb

import (
	"context"
	"errors"
	"time"

	"go.mongodb.org/mongo-driver/v2/mongo"
	"go.mongodb.org/mongo-driver/v2/mongo/options"

	"github.com/complytrack/complytrack/pkg/training"
)

// bulkBatch bounds one InsertMany: large enough to amortise round trips,
// small enough to keep each message well under the wire limit.
const bulkBatch = 1000

// InsertPeople stores many new people at once (an import), with their
// first versions. It returns, by position in people, those refused because
// their employee number or e-mail is taken (training.ErrConflict); the
// rest are stored. Each person must carry an ID; CreatedAt and UpdatedAt
// are kept when set (records loaded from an earlier system) and are now
// otherwise.
func (s *Store) InsertPeople(ctx context.Context, people []training.Person) (refused map[int]error, err error) {
	now := s.now().Truncate(time.Millisecond)
	refused = map[int]error{}
	for start := 0; start < len(people); start += bulkBatch {
		end := min(start+bulkBatch, len(people))
		docs := make([]any, 0, end-start)
		for i := start; i < end; i++ {
			if people[i].CreatedAt.IsZero() {
				people[i].CreatedAt = now
			}
			if people[i].UpdatedAt.IsZero() {
				people[i].UpdatedAt = people[i].CreatedAt
			}
			people[i].CreatedAt = people[i].CreatedAt.UTC().Truncate(time.Millisecond)
			people[i].UpdatedAt = people[i].UpdatedAt.UTC().Truncate(time.Millisecond)
			docs = append(docs, toPersonDoc(people[i]))
		}
		_, err := s.db.Collection(colPeople).InsertMany(ctx, docs, options.InsertMany().SetOrdered(false))
		var bwe mongo.BulkWriteException
		switch {
		case err == nil:
		case errors.As(err, &bwe) && onlyDuplicates(bwe):
			for _, we := range bwe.WriteErrors {
				refused[start+we.Index] = translate("import person", we)
			}
		default:
			return refused, translate("import people", err)
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

func onlyDuplicates(bwe mongo.BulkWriteException) bool {
	if bwe.WriteConcernError != nil || len(bwe.WriteErrors) == 0 {
		return false
	}
	for _, we := range bwe.WriteErrors {
		if !mongo.IsDuplicateKeyError(we) && !(we.Code == 1 && containsUnique(we.Message)) {
			return false
		}
	}
	return true
}

// AppendAudits writes many audit entries at once.
func (s *Store) AppendAudits(ctx context.Context, entries []training.AuditEntry) error {
	now := s.now()
	for start := 0; start < len(entries); start += bulkBatch {
		end := min(start+bulkBatch, len(entries))
		docs := make([]any, 0, end-start)
		for i := start; i < end; i++ {
			e := entries[i]
			if e.ID == "" {
				e.ID = NewID()
			}
			if e.At.IsZero() {
				e.At = now
			}
			docs = append(docs, auditDoc{ID: e.ID, At: e.At.Truncate(time.Millisecond), Actor: e.Actor, Action: e.Action,
				Entity: e.Entity, EntityID: e.EntityID, Before: string(e.Before), After: string(e.After)})
		}
		if _, err := s.db.Collection(colAudit).InsertMany(ctx, docs); err != nil {
			return translate("write audit", err)
		}
	}
	return nil
}

package mongodb

import (
	"context"
	"errors"
	"time"

	"go.mongodb.org/mongo-driver/v2/bson"
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
				versions = append(versions, versionDoc{ID: versionID(people[i]), Person: toPersonDoc(people[i])})
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
			if e.At.IsZero() {
				e.At = now
			}
			if e.ID == "" {
				e.ID = newAuditID(e.At)
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

// updateBatch bounds one bulk update: on the embedded engine a write
// holds the database's one write lock, so a smaller batch lets other
// requests' writes in between.
const updateBatch = 100

// UpdatePeople replaces many people at once (a re-import), as UpdatePerson
// does, with a version each. Each batch is one bulk write; a person
// refused because their new employee number or e-mail is taken, or no
// longer there, is reported by position and the rest are stored. Any
// other failure stops the batch.
func (s *Store) UpdatePeople(ctx context.Context, people []training.Person) ([]training.Person, map[int]error, error) {
	out := make([]training.Person, len(people))
	refused := map[int]error{}
	now := s.now().Truncate(time.Millisecond)
	for start := 0; start < len(people); start += updateBatch {
		end := min(start+updateBatch, len(people))
		if err := s.updateBatch(ctx, people[start:end], out[start:end], refused, start, now); err != nil {
			return out, refused, err
		}
	}
	return out, refused, nil
}

func (s *Store) updateBatch(ctx context.Context, people, out []training.Person, refused map[int]error, offset int, now time.Time) error {
	models := make([]mongo.WriteModel, 0, len(people))
	for i, p := range people {
		if p.CreatedAt.IsZero() {
			// Not read before: UpdatePerson reads it to keep CreatedAt.
			return s.updateOneByOne(ctx, people, out, refused, offset)
		}
		p.UpdatedAt = now
		out[i] = p
		models = append(models, mongo.NewReplaceOneModel().SetFilter(bson.D{{Key: "_id", Value: p.ID}}).SetReplacement(toPersonDoc(p)))
	}
	res, err := s.db.Collection(colPeople).BulkWrite(ctx, models, options.BulkWrite().SetOrdered(false))
	var bwe mongo.BulkWriteException
	bad := map[int]bool{}
	switch {
	case err == nil:
	case errors.As(err, &bwe) && onlyDuplicates(bwe):
		for _, we := range bwe.WriteErrors {
			bad[we.Index] = true
			refused[offset+we.Index] = translate("update person "+people[we.Index].ID, we)
		}
	default:
		// The engine refused the batch as a whole: find who, one by one.
		return s.updateOneByOne(ctx, people, out, refused, offset)
	}
	if res != nil && res.MatchedCount < int64(len(people)-len(bad)) {
		// Someone is no longer there: find who.
		for i, p := range people {
			if _, err := s.Person(ctx, p.ID); isNotFound(err) && !bad[i] {
				bad[i] = true
				refused[offset+i] = err
			}
		}
	}
	versions := make([]any, 0, len(people))
	for i := range people {
		if !bad[i] {
			versions = append(versions, versionDoc{ID: versionID(out[i]), Person: toPersonDoc(out[i])})
		}
	}
	if len(versions) == 0 {
		return nil
	}
	_, err = s.db.Collection(colPersonVersions).InsertMany(ctx, versions, options.InsertMany().SetOrdered(false))
	if errors.As(err, &bwe) && onlyDuplicates(bwe) {
		return nil // stored already
	}
	return translate("record person versions", err)
}

func (s *Store) updateOneByOne(ctx context.Context, people, out []training.Person, refused map[int]error, offset int) error {
	for i, p := range people {
		stored, err := s.UpdatePerson(ctx, p)
		switch {
		case isConflict(err), isNotFound(err):
			refused[offset+i] = err
		case err != nil:
			return err
		}
		out[i] = stored
	}
	return nil
}

package mongodb

import (
	"context"
	"time"

	"go.mongodb.org/mongo-driver/v2/bson"

	"github.com/complytrack/complytrack/pkg/training"
)

type exemptionDoc struct {
	ID         string    `bson:"_id"`
	PersonID   string    `bson:"person_id"`
	CourseCode string    `bson:"course_code"`
	Reason     string    `bson:"reason"`
	Until      string    `bson:"until"`
	CreatedBy  string    `bson:"created_by"`
	CreatedAt  time.Time `bson:"created_at"`
}

// removalDoc records that an exemption was withdrawn; _id is the
// exemption's, so it happens once.
type removalDoc struct {
	ID     string    `bson:"_id"`
	By     string    `bson:"by"`
	At     time.Time `bson:"at"`
	Reason string    `bson:"reason,omitempty"`
}

func (d exemptionDoc) exemption() training.Exemption {
	return training.Exemption{
		ID: d.ID, PersonID: d.PersonID, CourseCode: d.CourseCode, Reason: d.Reason,
		Until: parseStoredDate(d.Until), CreatedBy: d.CreatedBy, CreatedAt: d.CreatedAt.UTC(),
	}
}

func (r removalDoc) decision() *training.Decision {
	return &training.Decision{By: r.By, At: r.At.UTC(), Reason: r.Reason}
}

// InsertExemption stores a new exemption and returns it with its ID.
func (s *Store) InsertExemption(ctx context.Context, e training.Exemption) (training.Exemption, error) {
	if e.ID == "" {
		e.ID = NewID()
	}
	if e.CreatedAt.IsZero() {
		e.CreatedAt = s.now()
	}
	e.CreatedAt = e.CreatedAt.Truncate(time.Millisecond)
	e.Removal = nil
	_, err := s.db.Collection(colExemptions).InsertOne(ctx, exemptionDoc{
		ID: e.ID, PersonID: e.PersonID, CourseCode: e.CourseCode, Reason: e.Reason,
		Until: dateString(e.Until), CreatedBy: e.CreatedBy, CreatedAt: e.CreatedAt,
	})
	if err != nil {
		return training.Exemption{}, translate("grant exemption", err)
	}
	return e, nil
}

// Exemption returns one exemption with its removal, if any.
func (s *Store) Exemption(ctx context.Context, id string) (training.Exemption, error) {
	var d exemptionDoc
	if err := s.db.Collection(colExemptions).FindOne(ctx, bson.D{{Key: "_id", Value: id}}).Decode(&d); err != nil {
		return training.Exemption{}, translate("find exemption "+id, err)
	}
	e := d.exemption()
	var r removalDoc
	err := s.db.Collection(colExemptionRemovals).FindOne(ctx, bson.D{{Key: "_id", Value: id}}).Decode(&r)
	switch err = translate("find exemption removal", err); {
	case err == nil:
		e.Removal = r.decision()
	case !isNotFound(err):
		return training.Exemption{}, err
	}
	return e, nil
}

// RemoveExemption records that an exemption was withdrawn. A second removal
// is training.ErrConflict.
func (s *Store) RemoveExemption(ctx context.Context, id string, d training.Decision) error {
	if d.At.IsZero() {
		d.At = s.now()
	}
	_, err := s.db.Collection(colExemptionRemovals).InsertOne(ctx, removalDoc{ID: id, By: d.By, At: d.At.Truncate(time.Millisecond), Reason: d.Reason})
	return translate("remove exemption "+id, err)
}

// ExemptionsOf returns a person's exemptions with their removals.
func (s *Store) ExemptionsOf(ctx context.Context, personID string) ([]training.Exemption, error) {
	docs, err := findAll[exemptionDoc](ctx, s.db.Collection(colExemptions), bson.D{{Key: "person_id", Value: personID}})
	if err != nil {
		return nil, translate("list exemptions", err)
	}
	out := make([]training.Exemption, 0, len(docs))
	for _, d := range docs {
		e, err := s.Exemption(ctx, d.ID)
		if err != nil {
			return nil, err
		}
		out = append(out, e)
	}
	return out, nil
}

// EachExemption streams every exemption with its removal.
func (s *Store) EachExemption(ctx context.Context, fn func(training.Exemption) error) error {
	removed := map[string]removalDoc{}
	if err := each(ctx, s.db.Collection(colExemptionRemovals), bson.D{}, func(r removalDoc) error {
		removed[r.ID] = r
		return nil
	}); err != nil {
		return err
	}
	return each(ctx, s.db.Collection(colExemptions), bson.D{}, func(d exemptionDoc) error {
		e := d.exemption()
		if r, ok := removed[d.ID]; ok {
			e.Removal = r.decision()
		}
		return fn(e)
	})
}

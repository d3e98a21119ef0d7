package mongodb

import (
	"context"
	"errors"
	"time"

	"go.mongodb.org/mongo-driver/v2/bson"
	"go.mongodb.org/mongo-driver/v2/mongo"

	"github.com/complytrack/complytrack/pkg/training"
)

const colFlags = "flags"

// flagDoc is a raised flag, inserted once. _id is time-ordered; key is
// unique, so raising the same flag twice (a re-run scan, two replicas)
// stores it once.
type flagDoc struct {
	ID             string    `bson:"_id"`
	Key            string    `bson:"key"`
	PersonID       string    `bson:"person_id"`
	EmployeeNumber string    `bson:"employee_number"`
	CourseCode     string    `bson:"course_code"`
	Kind           string    `bson:"kind"`
	RaisedAt       time.Time `bson:"raised_at"`
	DueOn          string    `bson:"due_on"`
	Detail         string    `bson:"detail,omitempty"`
}

// InsertFlag stores a flag; a flag with the same key is training.ErrConflict.
func (s *Store) InsertFlag(ctx context.Context, f training.Flag) (training.Flag, error) {
	if f.ID == "" {
		f.ID = NewID()
	}
	if f.RaisedAt.IsZero() {
		f.RaisedAt = s.now()
	}
	f.RaisedAt = f.RaisedAt.Truncate(time.Millisecond)
	_, err := s.db.Collection(colFlags).InsertOne(ctx, flagDoc{
		ID: f.ID, Key: f.Key, PersonID: f.PersonID, EmployeeNumber: f.EmployeeNumber, CourseCode: f.CourseCode,
		Kind: string(f.Kind), RaisedAt: f.RaisedAt, DueOn: dateString(f.DueOn), Detail: f.Detail,
	})
	if err != nil {
		return training.Flag{}, translate("raise flag", err)
	}
	return f, nil
}

// EachFlag streams every flag.
func (s *Store) EachFlag(ctx context.Context, fn func(training.Flag) error) error {
	return each(ctx, s.db.Collection(colFlags), bson.D{}, func(d flagDoc) error {
		return fn(flagOf(d))
	})
}

func flagOf(d flagDoc) training.Flag {
	return training.Flag{
		ID: d.ID, Key: d.Key, PersonID: d.PersonID, EmployeeNumber: d.EmployeeNumber, CourseCode: d.CourseCode,
		Kind: training.FlagKind(d.Kind), RaisedAt: d.RaisedAt.UTC(), DueOn: parseStoredDate(d.DueOn), Detail: d.Detail,
	}
}

// colFlagDecisions holds, under each flag's own _id, that someone dealt
// with it: the flags themselves stay append-only, and a flag is dealt
// with at most once (a second insert under the same _id is a conflict).
const colFlagDecisions = "flag_decisions"

type flagDecisionDoc struct {
	ID string    `bson:"_id"` // the flag's _id
	By string    `bson:"by"`
	At time.Time `bson:"at"`
}

// Flag reads one flag by _id, with whether it was dealt with.
func (s *Store) Flag(ctx context.Context, id string) (training.Flag, error) {
	var d flagDoc
	if err := s.db.Collection(colFlags).FindOne(ctx, bson.D{{Key: "_id", Value: id}}).Decode(&d); err != nil {
		return training.Flag{}, translate("read flag "+id, err)
	}
	f := flagOf(d)
	var dd flagDecisionDoc
	err := s.db.Collection(colFlagDecisions).FindOne(ctx, bson.D{{Key: "_id", Value: id}}).Decode(&dd)
	switch {
	case err == nil:
		f.DealtWith = &training.Decision{By: dd.By, At: dd.At.UTC()}
	case !errors.Is(err, mongo.ErrNoDocuments):
		return training.Flag{}, translate("read flag "+id, err)
	}
	return f, nil
}

// DealWithFlag records that someone dealt with a flag; one dealt with
// already is training.ErrConflict.
func (s *Store) DealWithFlag(ctx context.Context, id string, d training.Decision) error {
	if d.At.IsZero() {
		d.At = s.now()
	}
	_, err := s.db.Collection(colFlagDecisions).InsertOne(ctx, flagDecisionDoc{ID: id, By: d.By, At: d.At.Truncate(time.Millisecond)})
	return translate("deal with flag "+id, err)
}

// EachFlagDealtWith streams who dealt with which flag, and when.
func (s *Store) EachFlagDealtWith(ctx context.Context, fn func(flagID string, d training.Decision) error) error {
	return each(ctx, s.db.Collection(colFlagDecisions), bson.D{}, func(d flagDecisionDoc) error {
		return fn(d.ID, training.Decision{By: d.By, At: d.At.UTC()})
	})
}

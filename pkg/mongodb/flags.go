package mongodb

import (
	"context"
	"time"

	"go.mongodb.org/mongo-driver/v2/bson"

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
		return fn(training.Flag{
			ID: d.ID, Key: d.Key, PersonID: d.PersonID, EmployeeNumber: d.EmployeeNumber, CourseCode: d.CourseCode,
			Kind: training.FlagKind(d.Kind), RaisedAt: d.RaisedAt.UTC(), DueOn: parseStoredDate(d.DueOn), Detail: d.Detail,
		})
	})
}

package mongodb

import (
	"context"
	"crypto/sha256"
	"fmt"
	"strings"
	"time"

	"go.mongodb.org/mongo-driver/v2/bson"
	"go.mongodb.org/mongo-driver/v2/mongo"
	"go.mongodb.org/mongo-driver/v2/mongo/options"

	"github.com/complytrack/complytrack/pkg/training"
)

type personDoc struct {
	ID             string    `bson:"_id"`
	EmployeeNumber string    `bson:"employee_number"`
	Email          string    `bson:"email"`
	EmailLower     string    `bson:"email_lower"` // unique; the embedded engine has no collation
	GivenName      string    `bson:"given_name"`
	FamilyName     string    `bson:"family_name"`
	Kind           string    `bson:"kind"`
	JobTitle       string    `bson:"job_title"`
	Department     string    `bson:"department"`
	ManagerID      string    `bson:"manager_id"`
	StartDate      string    `bson:"start_date"`
	EndDate        string    `bson:"end_date"`
	CreatedAt      time.Time `bson:"created_at"`
	UpdatedAt      time.Time `bson:"updated_at"`
}

func toPersonDoc(p training.Person) personDoc {
	return personDoc{
		ID:             p.ID,
		EmployeeNumber: p.EmployeeNumber,
		Email:          strings.TrimSpace(p.Email),
		EmailLower:     training.NormaliseEmail(p.Email),
		GivenName:      p.GivenName,
		FamilyName:     p.FamilyName,
		Kind:           string(p.Kind),
		JobTitle:       p.JobTitle,
		Department:     p.Department,
		ManagerID:      p.ManagerID,
		StartDate:      dateString(p.StartDate),
		EndDate:        dateString(p.EndDate),
		CreatedAt:      p.CreatedAt,
		UpdatedAt:      p.UpdatedAt,
	}
}

func (d personDoc) person() training.Person {
	return training.Person{
		ID:             d.ID,
		EmployeeNumber: d.EmployeeNumber,
		Email:          d.Email,
		GivenName:      d.GivenName,
		FamilyName:     d.FamilyName,
		Kind:           training.Kind(d.Kind),
		JobTitle:       d.JobTitle,
		Department:     d.Department,
		ManagerID:      d.ManagerID,
		StartDate:      parseStoredDate(d.StartDate),
		EndDate:        parseStoredDate(d.EndDate),
		CreatedAt:      d.CreatedAt.UTC(),
		UpdatedAt:      d.UpdatedAt.UTC(),
	}
}

// CreatePerson stores a new person, giving them an ID when p.ID is empty,
// and returns the stored record. A duplicate employee number or e-mail
// (case-insensitive) is training.ErrConflict.
func (s *Store) CreatePerson(ctx context.Context, p training.Person) (training.Person, error) {
	if p.ID == "" {
		p.ID = NewID()
	}
	now := s.now()
	p.CreatedAt, p.UpdatedAt = now.Truncate(time.Millisecond), now.Truncate(time.Millisecond)
	if _, err := s.db.Collection(colPeople).InsertOne(ctx, toPersonDoc(p)); err != nil {
		return training.Person{}, translate("create person "+p.EmployeeNumber, err)
	}
	return p, s.insertVersion(ctx, p)
}

// versionDoc is one person as they were from UpdatedAt on. Versions are
// inserted with every create and update and never changed, so a report
// for a past day groups people by the department and manager they had
// then.
type versionDoc struct {
	ID     string    `bson:"_id"`
	Person personDoc `bson:"person"`
}

const colPersonVersions = "person_versions"

func (s *Store) insertVersion(ctx context.Context, p training.Person) error {
	return s.EnsurePersonVersion(ctx, p)
}

// versionID keys a version by the person, the time of the change and a
// hash of what was stored: the same write stored again (a repair) has the
// same key, and two changes in one millisecond have different ones.
func versionID(p training.Person) string {
	d := toPersonDoc(p)
	sum := sha256.Sum256(fmt.Appendf(nil, "%#v", d))
	return fmt.Sprintf("%s/%d/%x", p.ID, p.UpdatedAt.UnixMilli(), sum[:6])
}

// EnsurePersonVersion records p as a version of the person unless it is
// recorded already. The key is the person's ID and the time of the
// change, so writing it again (a process repairing a write that a crash
// cut between the person and their version) stores it once.
func (s *Store) EnsurePersonVersion(ctx context.Context, p training.Person) error {
	_, err := s.db.Collection(colPersonVersions).InsertOne(ctx, versionDoc{ID: versionID(p), Person: toPersonDoc(p)})
	if err = translate("record person version", err); isConflict(err) {
		return nil
	}
	return err
}

// EachPersonVersion streams every stored version of every person.
func (s *Store) EachPersonVersion(ctx context.Context, fn func(training.Person) error) error {
	return each(ctx, s.db.Collection(colPersonVersions), bson.D{}, func(d versionDoc) error { return fn(d.Person.person()) })
}

// Person returns the person with this ID, or training.ErrNotFound.
func (s *Store) Person(ctx context.Context, id string) (training.Person, error) {
	var d personDoc
	err := s.db.Collection(colPeople).FindOne(ctx, bson.D{{Key: "_id", Value: id}}).Decode(&d)
	if err != nil {
		return training.Person{}, translate("find person "+id, err)
	}
	return d.person(), nil
}

// PersonByEmail finds a person by e-mail, ignoring case and surrounding space.
func (s *Store) PersonByEmail(ctx context.Context, email string) (training.Person, error) {
	return s.findPerson(ctx, "email_lower", training.NormaliseEmail(email))
}

// PersonByEmployeeNumber finds a person by employee number.
func (s *Store) PersonByEmployeeNumber(ctx context.Context, number string) (training.Person, error) {
	return s.findPerson(ctx, "employee_number", number)
}

func (s *Store) findPerson(ctx context.Context, field, value string) (training.Person, error) {
	var d personDoc
	err := s.db.Collection(colPeople).FindOne(ctx, bson.D{{Key: field, Value: value}}).Decode(&d)
	if err != nil {
		return training.Person{}, translate("find person by "+field, err)
	}
	return d.person(), nil
}

// UpdatePerson replaces the stored person p.ID with p and returns the
// stored record. CreatedAt is kept: from p when set (the caller read the
// person already), else read first. training.ErrNotFound when there is no
// such person; training.ErrConflict when the new employee number or e-mail
// belongs to someone else.
func (s *Store) UpdatePerson(ctx context.Context, p training.Person) (training.Person, error) {
	if p.CreatedAt.IsZero() {
		old, err := s.Person(ctx, p.ID)
		if err != nil {
			return training.Person{}, err
		}
		p.CreatedAt = old.CreatedAt
	}
	p.UpdatedAt = s.now().Truncate(time.Millisecond)
	res, err := s.db.Collection(colPeople).ReplaceOne(ctx, bson.D{{Key: "_id", Value: p.ID}}, toPersonDoc(p))
	if err != nil {
		return training.Person{}, translate("update person "+p.ID, err)
	}
	if res.MatchedCount == 0 {
		return training.Person{}, fmt.Errorf("update person %s: %w", p.ID, training.ErrNotFound)
	}
	return p, s.insertVersion(ctx, p)
}

// PeopleFilter narrows ListPeople. Empty fields do not filter.
type PeopleFilter struct {
	Department string
	ManagerID  string
}

// ListPeople returns one page of people ordered by family name, then ID.
func (s *Store) ListPeople(ctx context.Context, f PeopleFilter, page PageRequest) (Page[training.Person], error) {
	cur, err := parseCursor(page.Cursor)
	if err != nil {
		return Page[training.Person]{}, err
	}
	var match bson.D
	if f.Department != "" {
		match = append(match, bson.E{Key: "department", Value: f.Department})
	}
	if f.ManagerID != "" {
		match = append(match, bson.E{Key: "manager_id", Value: f.ManagerID})
	}
	filter := and(match, cur.after("family_name", false))
	limit := page.Size()
	opts := options.Find().
		SetSort(bson.D{{Key: "family_name", Value: 1}, {Key: "_id", Value: 1}}).
		SetLimit(int64(limit + 1))
	docs, err := findAll[personDoc](ctx, s.db.Collection(colPeople), filter, opts)
	if err != nil {
		return Page[training.Person]{}, translate("list people", err)
	}
	out := Page[training.Person]{}
	if len(docs) > limit {
		docs = docs[:limit]
		last := docs[limit-1]
		out.NextCursor = cursor{Key: last.FamilyName, ID: last.ID}.String()
	}
	for _, d := range docs {
		out.Items = append(out.Items, d.person())
	}
	return out, nil
}

// EachPerson calls fn for every person, streaming one cursor in batches, so
// a job that must visit everyone reads the collection once.
func (s *Store) EachPerson(ctx context.Context, fn func(training.Person) error) error {
	return each(ctx, s.db.Collection(colPeople), bson.D{}, func(d personDoc) error { return fn(d.person()) })
}

// findAll runs a query and decodes every result.
func findAll[T any](ctx context.Context, c *mongo.Collection, filter any, opts ...options.Lister[options.FindOptions]) ([]T, error) {
	cur, err := c.Find(ctx, filter, opts...)
	if err != nil {
		return nil, err
	}
	var out []T
	if err := cur.All(ctx, &out); err != nil {
		return nil, err
	}
	return out, nil
}

// each streams every document matching filter to fn, stopping at fn's first error.
func each[T any](ctx context.Context, c *mongo.Collection, filter any, fn func(T) error) error {
	cur, err := c.Find(ctx, filter, options.Find().SetBatchSize(1000))
	if err != nil {
		return translate("read "+c.Name(), err)
	}
	defer cur.Close(ctx)
	for cur.Next(ctx) {
		var d T
		if err := cur.Decode(&d); err != nil {
			return fmt.Errorf("decode %s: %w", c.Name(), err)
		}
		if err := fn(d); err != nil {
			return err
		}
	}
	return translate("read "+c.Name(), cur.Err())
}

package mongodb

import (
	"context"
	"fmt"
	"time"

	"go.mongodb.org/mongo-driver/v2/bson"
	"go.mongodb.org/mongo-driver/v2/mongo/options"

	"github.com/complytrack/complytrack/pkg/training"
)

// courseDoc is a course keyed by its code, so every look-up is by _id.
type courseDoc struct {
	Code            string    `bson:"_id"`
	Title           string    `bson:"title"`
	Provider        string    `bson:"provider"`
	URL             string    `bson:"url"`
	Delivery        string    `bson:"delivery"`
	Kinds           []string  `bson:"applies_to_kinds"`
	Departments     []string  `bson:"applies_to_departments"`
	JobTitles       []string  `bson:"applies_to_job_titles"`
	NewStarterDays  int       `bson:"new_starter_days"`
	ValidityMonths  int       `bson:"validity_months"`
	DueSoonDays     int       `bson:"due_soon_days"`
	RenewWindowDays int       `bson:"renew_window_days"`
	ExpiryBasis     string    `bson:"expiry_basis"`
	EffectiveFrom   string    `bson:"effective_from"`
	Evidence        string    `bson:"evidence"`
	Verification    string    `bson:"verification"`
	TargetPct       int       `bson:"target_pct,omitempty"`
	UpdatedAt       time.Time `bson:"updated_at"`
}

func toCourseDoc(c training.Course, now time.Time) courseDoc {
	kinds := make([]string, len(c.AppliesTo.Kinds))
	for i, k := range c.AppliesTo.Kinds {
		kinds[i] = string(k)
	}
	return courseDoc{
		Code: c.Code, Title: c.Title, Provider: c.Provider, URL: c.URL,
		Delivery:        string(c.Delivery),
		Kinds:           kinds,
		Departments:     nonNil(c.AppliesTo.Departments),
		JobTitles:       nonNil(c.AppliesTo.JobTitles),
		NewStarterDays:  c.NewStarterDays,
		ValidityMonths:  c.ValidityMonths,
		DueSoonDays:     c.DueSoonDays,
		RenewWindowDays: c.RenewWindowDays,
		ExpiryBasis:     string(c.ExpiryBasis),
		EffectiveFrom:   dateString(c.EffectiveFrom),
		Evidence:        string(c.Evidence),
		Verification:    string(c.Verification),
		TargetPct:       c.TargetPct,
		UpdatedAt:       now,
	}
}

func nonNil(s []string) []string {
	if s == nil {
		return []string{}
	}
	return s
}

func (d courseDoc) course() training.Course {
	kinds := make([]training.Kind, len(d.Kinds))
	for i, k := range d.Kinds {
		kinds[i] = training.Kind(k)
	}
	return training.Course{
		Code: d.Code, Title: d.Title, Provider: d.Provider, URL: d.URL,
		Delivery:        training.Delivery(d.Delivery),
		AppliesTo:       training.AppliesTo{Kinds: kinds, Departments: d.Departments, JobTitles: d.JobTitles},
		NewStarterDays:  d.NewStarterDays,
		ValidityMonths:  d.ValidityMonths,
		DueSoonDays:     d.DueSoonDays,
		RenewWindowDays: d.RenewWindowDays,
		ExpiryBasis:     training.ExpiryBasis(d.ExpiryBasis),
		EffectiveFrom:   parseStoredDate(d.EffectiveFrom),
		Evidence:        training.Evidence(d.Evidence),
		Verification:    training.Verification(d.Verification),
		TargetPct:       d.TargetPct,
	}
}

// CreateCourse stores a new course; a code in use is training.ErrConflict.
func (s *Store) CreateCourse(ctx context.Context, c training.Course) error {
	_, err := s.db.Collection(colCourses).InsertOne(ctx, toCourseDoc(c, s.now()))
	return translate("create course "+c.Code, err)
}

// Course returns the course with this code, or training.ErrNotFound.
func (s *Store) Course(ctx context.Context, code string) (training.Course, error) {
	var d courseDoc
	if err := s.db.Collection(colCourses).FindOne(ctx, bson.D{{Key: "_id", Value: code}}).Decode(&d); err != nil {
		return training.Course{}, translate("find course "+code, err)
	}
	return d.course(), nil
}

// UpdateCourse replaces the course c.Code; training.ErrNotFound when absent.
func (s *Store) UpdateCourse(ctx context.Context, c training.Course) error {
	res, err := s.db.Collection(colCourses).ReplaceOne(ctx, bson.D{{Key: "_id", Value: c.Code}}, toCourseDoc(c, s.now()))
	if err != nil {
		return translate("update course "+c.Code, err)
	}
	if res.MatchedCount == 0 {
		return fmt.Errorf("update course %s: %w", c.Code, training.ErrNotFound)
	}
	return nil
}

// Courses returns every course ordered by code. An organisation has a
// handful, so there is no paging.
func (s *Store) Courses(ctx context.Context) ([]training.Course, error) {
	docs, err := findAll[courseDoc](ctx, s.db.Collection(colCourses), bson.D{}, options.Find().SetSort(bson.D{{Key: "_id", Value: 1}}))
	if err != nil {
		return nil, translate("list courses", err)
	}
	out := make([]training.Course, len(docs))
	for i, d := range docs {
		out[i] = d.course()
	}
	return out, nil
}

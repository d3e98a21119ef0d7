package mongodb

import (
	"context"
	"time"

	"go.mongodb.org/mongo-driver/v2/bson"
	"go.mongodb.org/mongo-driver/v2/mongo/options"

	"github.com/complytrack/complytrack/pkg/compliance"
	"github.com/complytrack/complytrack/pkg/training"
)

// colCourseVersions holds every change of a course's policy, append-only.
// A course changes a few times a year, so a report reads all of one
// course's versions at once (on the embedded engine a scan of a small
// collection; on MongoDB the _id index serves the prefix range).
const colCourseVersions = "course_versions"

// courseVersionDoc is one policy change; _id is training.CourseVersionID,
// so a course's versions sort by _id in the order they were saved.
type courseVersionDoc struct {
	ID         string    `bson:"_id"`
	CourseCode string    `bson:"course_code"`
	At         time.Time `bson:"at"`
	By         string    `bson:"by"`
	Before     courseDoc `bson:"before"`
	After      courseDoc `bson:"after"`
}

// InsertCourseVersion stores a policy change; a second with its ID is
// training.ErrConflict.
func (s *Store) InsertCourseVersion(ctx context.Context, v training.CourseVersion) error {
	d := courseVersionDoc{ID: v.ID, CourseCode: v.CourseCode, At: v.At.UTC().Truncate(time.Millisecond), By: v.By,
		Before: toCourseDoc(v.Before, v.At), After: toCourseDoc(v.After, v.At)}
	_, err := s.db.Collection(colCourseVersions).InsertOne(ctx, d)
	return translate("keep course version", err)
}

// CourseVersions lists a course's policy changes, oldest first. Its IDs
// are "<code>/<digits>" and no code holds a '/', so the range from
// "<code>/" to "<code>0" ('0' follows '/') holds exactly that course's.
func (s *Store) CourseVersions(ctx context.Context, code string) ([]training.CourseVersion, error) {
	docs, err := findAll[courseVersionDoc](ctx, s.db.Collection(colCourseVersions), bson.D{{Key: "_id", Value: bson.D{{Key: "$gt", Value: code + "/"}, {Key: "$lt", Value: code + "0"}}}},
		options.Find().SetSort(bson.D{{Key: "_id", Value: 1}}))
	if err != nil {
		return nil, translate("list course versions", err)
	}
	out := make([]training.CourseVersion, len(docs))
	for i, d := range docs {
		out[i] = training.CourseVersion{ID: d.ID, CourseCode: d.CourseCode, At: d.At.UTC(), By: d.By, Before: d.Before.course(), After: d.After.course()}
	}
	return out, nil
}

var _ compliance.PolicyStore = (*Store)(nil)

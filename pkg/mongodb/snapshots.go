package mongodb

import (
	"context"
	"time"

	"go.mongodb.org/mongo-driver/v2/bson"
	"go.mongodb.org/mongo-driver/v2/mongo/options"

	"github.com/complytrack/complytrack/pkg/compliance"
	"github.com/complytrack/complytrack/pkg/training"
)

const colSnapshots = "report_snapshots"

type tallyDoc struct {
	Applicable int `bson:"applicable"`
	Exempt     int `bson:"exempt"`
	Compliant  int `bson:"compliant"`
	Expiring   int `bson:"expiring"`
	Due        int `bson:"due"`
	Overdue    int `bson:"overdue"`
	Expired    int `bson:"expired"`
}

type groupDoc struct {
	Key   string   `bson:"key"`
	Tally tallyDoc `bson:"tally"`
}

// snapshotDoc is a monthly report as sent; _id is "<course>/<YYYY-MM>".
type snapshotDoc struct {
	Key        string     `bson:"_id"`
	CourseCode string     `bson:"course_code"`
	AsOf       string     `bson:"as_of"`
	GroupBy    string     `bson:"group_by"`
	Totals     tallyDoc   `bson:"totals"`
	Groups     []groupDoc `bson:"groups"`
	ByKind     []groupDoc `bson:"by_kind,omitempty"`
	CSV        []byte     `bson:"csv"`
	TakenAt    time.Time  `bson:"taken_at"`
}

func toTallyDoc(t training.Tally) tallyDoc {
	return tallyDoc{t.Applicable, t.Exempt, t.Compliant, t.Expiring, t.Due, t.Overdue, t.Expired}
}

func (d tallyDoc) tally() training.Tally {
	return training.Tally{Applicable: d.Applicable, Exempt: d.Exempt, Compliant: d.Compliant, Expiring: d.Expiring, Due: d.Due, Overdue: d.Overdue, Expired: d.Expired}
}

// InsertSnapshot stores a snapshot once; a second for the key is training.ErrConflict.
func (s *Store) InsertSnapshot(ctx context.Context, snap training.Snapshot) error {
	d := snapshotDoc{Key: snap.Key, CourseCode: snap.CourseCode, AsOf: dateString(snap.AsOf), GroupBy: string(snap.GroupBy),
		Totals: toTallyDoc(snap.Totals), Groups: []groupDoc{}, CSV: snap.CSV, TakenAt: snap.TakenAt.Truncate(time.Millisecond)}
	for _, g := range snap.Groups {
		d.Groups = append(d.Groups, groupDoc{Key: g.Key, Tally: toTallyDoc(g.Tally)})
	}
	for _, g := range snap.ByKind {
		d.ByKind = append(d.ByKind, groupDoc{Key: g.Key, Tally: toTallyDoc(g.Tally)})
	}
	_, err := s.db.Collection(colSnapshots).InsertOne(ctx, d)
	return translate("keep snapshot", err)
}

func (d snapshotDoc) snapshot() training.Snapshot {
	out := training.Snapshot{Key: d.Key, CourseCode: d.CourseCode, AsOf: parseStoredDate(d.AsOf), GroupBy: training.GroupBy(d.GroupBy),
		Totals: d.Totals.tally(), CSV: d.CSV, TakenAt: d.TakenAt.UTC()}
	for _, g := range d.Groups {
		out.Groups = append(out.Groups, training.ReportGroup{Key: g.Key, Tally: g.Tally.tally()})
	}
	for _, g := range d.ByKind {
		out.ByKind = append(out.ByKind, training.ReportGroup{Key: g.Key, Tally: g.Tally.tally()})
	}
	return out
}

// Snapshot reads one snapshot by key.
func (s *Store) Snapshot(ctx context.Context, key string) (training.Snapshot, error) {
	var d snapshotDoc
	if err := s.db.Collection(colSnapshots).FindOne(ctx, bson.D{{Key: "_id", Value: key}}).Decode(&d); err != nil {
		return training.Snapshot{}, translate("find snapshot", err)
	}
	return d.snapshot(), nil
}

// ListSnapshots lists a course's snapshots (all courses when empty),
// newest first, without their CSV.
func (s *Store) ListSnapshots(ctx context.Context, courseCode string) ([]training.Snapshot, error) {
	filter := bson.D{}
	if courseCode != "" {
		filter = bson.D{{Key: "course_code", Value: courseCode}}
	}
	docs, err := findAll[snapshotDoc](ctx, s.db.Collection(colSnapshots), filter,
		options.Find().SetSort(bson.D{{Key: "as_of", Value: -1}, {Key: "_id", Value: 1}}).SetProjection(bson.D{{Key: "csv", Value: 0}}))
	if err != nil {
		return nil, translate("list snapshots", err)
	}
	out := make([]training.Snapshot, len(docs))
	for i, d := range docs {
		out[i] = d.snapshot()
	}
	return out, nil
}

var _ compliance.SnapshotStore = (*Store)(nil)

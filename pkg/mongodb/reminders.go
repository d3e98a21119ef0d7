package mongodb

import (
	"context"
	"fmt"
	"slices"
	"time"

	"go.mongodb.org/mongo-driver/v2/bson"
	"go.mongodb.org/mongo-driver/v2/mongo/options"

	"github.com/complytrack/complytrack/pkg/training"
)

// The reminders sent by hand (pkg/chasing):
//   - reminder_claims: one insert-only document per person, course and
//     day, _id "<person>|<course>|<YYYY-MM-DD>": the unique _id is what
//     makes "once a day" hold when two presses race;
//   - reminders_last: one document per person and course, _id
//     "<person>|<course>", holding when they were last reminded. Only the
//     holder of that day's claim writes it, so writes do not race;
//   - reminder_log: what each press recorded, numbered 1, 2, 3… like the
//     change log (_id the zero-padded number, claimed by inserting under
//     it), so a process keeping "last reminded" in memory learns what
//     others recorded with a look-up by _id per press. Its "head"
//     document is a hint of a recent number.
const (
	colReminderClaims = "reminder_claims"
	colRemindersLast  = "reminders_last"
	colReminderLog    = "reminder_log"
)

// ReminderStore keeps the reminders sent by hand (chasing.Store).
type ReminderStore struct{ s *Store }

// Reminders returns the store of reminders sent by hand.
func (s *Store) Reminders() *ReminderStore { return &ReminderStore{s: s} }

// migrateReminders creates the reminders' collections so the embedded
// engine's start-up _id indexing covers them (every read here is by _id).
func (s *Store) migrateReminders(ctx context.Context) error {
	existing, err := s.db.ListCollectionNames(ctx, bson.D{})
	if err != nil {
		return fmt.Errorf("list collections: %w", err)
	}
	for _, name := range []string{colReminderClaims, colRemindersLast, colReminderLog} {
		if slices.Contains(existing, name) {
			continue
		}
		if err := s.db.CreateCollection(ctx, name); err != nil && !isNamespaceExists(err) {
			return fmt.Errorf("create collection %s: %w", name, err)
		}
	}
	return nil
}

type reminderClaimDoc struct {
	ID         string    `bson:"_id"`
	PersonID   string    `bson:"person_id"`
	CourseCode string    `bson:"course_code"`
	Day        string    `bson:"day"`
	At         time.Time `bson:"at"`
	By         string    `bson:"by"`
}

type reminderLastDoc struct {
	ID         string    `bson:"_id"`
	PersonID   string    `bson:"person_id"`
	CourseCode string    `bson:"course_code"`
	At         time.Time `bson:"at"`
	By         string    `bson:"by"`
}

func reminderClaimID(personID, courseCode string, day training.Date) string {
	return personID + "|" + courseCode + "|" + day.String()
}

func reminderLastID(personID, courseCode string) string { return personID + "|" + courseCode }

// ClaimReminder records that the person is reminded of the course on day;
// a claim already made is training.ErrConflict.
func (r *ReminderStore) ClaimReminder(ctx context.Context, personID, courseCode string, day training.Date, at time.Time, by string) error {
	_, err := r.s.db.Collection(colReminderClaims).InsertOne(ctx, reminderClaimDoc{
		ID: reminderClaimID(personID, courseCode, day), PersonID: personID, CourseCode: courseCode, Day: day.String(), At: at.UTC(), By: by,
	})
	return translate("claim reminder", err)
}

// ReleaseReminder removes a claim (its e-mail could not be queued).
func (r *ReminderStore) ReleaseReminder(ctx context.Context, personID, courseCode string, day training.Date) error {
	_, err := r.s.db.Collection(colReminderClaims).DeleteOne(ctx, bson.D{{Key: "_id", Value: reminderClaimID(personID, courseCode, day)}})
	return translate("release reminder", err)
}

type reminderLogDoc struct {
	Seq       string            `bson:"_id"`
	Reminders []reminderLastDoc `bson:"reminders"`
}

// reminderHeadEvery is how often (in entries) a writer updates the hint.
const reminderHeadEvery = 16

// RecordReminded records when each person was last reminded of each
// course, then logs them under the first free number after `after` (the
// caller's latest known entry), which it returns.
func (r *ReminderStore) RecordReminded(ctx context.Context, after int64, rs []training.Reminded) (int64, error) {
	docs := make([]reminderLastDoc, len(rs))
	for i, x := range rs {
		id := reminderLastID(x.PersonID, x.CourseCode)
		docs[i] = reminderLastDoc{ID: id, PersonID: x.PersonID, CourseCode: x.CourseCode, At: x.At.UTC().Truncate(time.Millisecond), By: x.By}
		if _, err := r.s.db.Collection(colRemindersLast).ReplaceOne(ctx, bson.D{{Key: "_id", Value: id}}, docs[i], options.Replace().SetUpsert(true)); err != nil {
			return 0, translate("record reminder", err)
		}
	}
	for seq := max(after, 0) + 1; ; seq++ {
		_, err := r.s.db.Collection(colReminderLog).InsertOne(ctx, reminderLogDoc{Seq: seqKey(seq), Reminders: docs})
		err = translate("log reminders", err)
		if isConflict(err) {
			continue
		}
		if err != nil {
			return 0, err
		}
		if seq%reminderHeadEvery == 0 {
			// A lost or late hint costs a starting process a few look-ups.
			_, _ = r.s.db.Collection(colReminderLog).ReplaceOne(ctx, bson.D{{Key: "_id", Value: headID}},
				headDoc{ID: headID, Seq: seq}, options.Replace().SetUpsert(true))
		}
		return seq, nil
	}
}

// RemindedAfter returns what the log holds after entry seq, in order, and
// the number of the last entry read (seq when there is none): one look-up
// by _id per entry, and one more.
func (r *ReminderStore) RemindedAfter(ctx context.Context, seq int64) ([]training.Reminded, int64, error) {
	var out []training.Reminded
	for {
		var d reminderLogDoc
		err := translate("read reminder log", r.s.db.Collection(colReminderLog).FindOne(ctx, bson.D{{Key: "_id", Value: seqKey(seq + 1)}}).Decode(&d))
		if isNotFound(err) {
			return out, seq, nil
		}
		if err != nil {
			return nil, 0, err
		}
		for _, x := range d.Reminders {
			out = append(out, x.reminded())
		}
		seq++
	}
}

// RemindedHint returns the number of an entry of the log that exists (or
// 0), recent but perhaps not the last.
func (r *ReminderStore) RemindedHint(ctx context.Context) (int64, error) {
	var d headDoc
	err := translate("read reminder log head", r.s.db.Collection(colReminderLog).FindOne(ctx, bson.D{{Key: "_id", Value: headID}}).Decode(&d))
	if isNotFound(err) {
		return 0, nil
	}
	return d.Seq, err
}

// AllReminded returns when everyone ever reminded was last reminded of
// each course: the whole of reminders_last, read once by a process
// starting to keep it in memory.
func (r *ReminderStore) AllReminded(ctx context.Context) ([]training.Reminded, error) {
	cur, err := r.s.db.Collection(colRemindersLast).Find(ctx, bson.D{})
	if err != nil {
		return nil, translate("read reminders", err)
	}
	var docs []reminderLastDoc
	if err := cur.All(ctx, &docs); err != nil {
		return nil, translate("read reminders", err)
	}
	out := make([]training.Reminded, len(docs))
	for i, d := range docs {
		out[i] = d.reminded()
	}
	return out, nil
}

func (d reminderLastDoc) reminded() training.Reminded {
	return training.Reminded{PersonID: d.PersonID, CourseCode: d.CourseCode, At: d.At.UTC(), By: d.By}
}

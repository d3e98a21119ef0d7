package mongodb_test

import (
	"context"
	"errors"
	"slices"
	"strings"
	"testing"
	"time"

	"go.mongodb.org/mongo-driver/v2/bson"
	"go.mongodb.org/mongo-driver/v2/mongo"

	"github.com/complytrack/complytrack/pkg/dbtest"
	"github.com/complytrack/complytrack/pkg/mongodb"
	"github.com/complytrack/complytrack/pkg/training"
)

// storedBooking is a booking as the bookings collection holds it, written
// straight to it as a version without the booking index did.
func storedBooking(id, sessionID, personID string) bson.D {
	d := bson.D{{Key: "_id", Value: id}, {Key: "session_id", Value: sessionID}, {Key: "course_code", Value: "WRAP"}}
	if personID != "" {
		d = append(d, bson.E{Key: "person_id", Value: personID})
	} else {
		d = append(d, bson.E{Key: "external", Value: bson.D{{Key: "name", Value: "Pat"}, {Key: "email", Value: "pat@police.example.org"}, {Key: "organisation", Value: "Police"}}})
	}
	return append(d, bson.E{Key: "state", Value: "booked"}, bson.E{Key: "queued", Value: time.Date(2026, 11, 2, 9, 0, 0, 0, time.UTC)}, bson.E{Key: "booked_by", Value: "p1"})
}

func insertRaw(t *testing.T, db *mongo.Database, coll string, docs ...bson.D) {
	t.Helper()
	for _, d := range docs {
		if _, err := db.Collection(coll).InsertOne(context.Background(), d); err != nil {
			t.Fatal(err)
		}
	}
}

// bookingIDs returns a function that gives the sorted IDs of what a
// read returned, failing the test on an error.
func bookingIDs(t *testing.T) func([]training.Booking, error) []string {
	return func(bs []training.Booking, err error) []string {
		t.Helper()
		if err != nil {
			t.Fatal(err)
		}
		var ids []string
		for _, b := range bs {
			ids = append(ids, b.ID)
		}
		slices.Sort(ids)
		return ids
	}
}

// indexEntries returns the booking index's listings, by _id.
func indexEntries(t *testing.T, db *mongo.Database) map[string]string {
	t.Helper()
	cur, err := db.Collection("booking_index").Find(context.Background(), bson.D{})
	if err != nil {
		t.Fatal(err)
	}
	var docs []struct {
		ID        string `bson:"_id"`
		BookingID string `bson:"booking_id"`
	}
	if err := cur.All(context.Background(), &docs); err != nil {
		t.Fatal(err)
	}
	out := map[string]string{}
	for _, d := range docs {
		out[d.ID] = d.BookingID
	}
	return out
}

// An install that took bookings before the booking index existed has
// them listed at its next start-up, once.
func TestBookingIndexBackfillsEarlierBookings(t *testing.T) {
	ctx := context.Background()
	tests := []struct {
		name string
		// listed before the start-up: by a run cut short, or by another
		// process that took a booking meanwhile
		before []bson.D
		extra  []bson.D // bookings that process made
	}{
		{name: "none listed"},
		{name: "a run cut short", before: []bson.D{
			{{Key: "_id", Value: "session:s1|0"}, {Key: "booking_id", Value: "b1"}},
			{{Key: "_id", Value: "person:p1|0"}, {Key: "booking_id", Value: "b1"}},
		}},
		{name: "a booking made meanwhile", before: []bson.D{
			{{Key: "_id", Value: "session:s1|0"}, {Key: "booking_id", Value: "b9"}},
			{{Key: "_id", Value: "person:p3|0"}, {Key: "booking_id", Value: "b9"}},
		}, extra: []bson.D{storedBooking("b9", "s1", "p3")}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			db := dbtest.New(t)
			insertRaw(t, db, "bookings", storedBooking("b1", "s1", "p1"), storedBooking("b2", "s1", "p2"),
				storedBooking("b3", "s1", ""), storedBooking("b4", "s2", "p1"))
			insertRaw(t, db, "bookings", tt.extra...)
			insertRaw(t, db, "booking_index", tt.before...)
			s := mongodb.New(db)
			for range 2 { // the second start-up changes nothing
				if err := s.Migrate(ctx); err != nil {
					t.Fatal(err)
				}
			}
			st, ids := s.TrainingSessions(), bookingIDs(t)
			wantS1 := []string{"b1", "b2", "b3"}
			wantP3 := []string(nil)
			if tt.extra != nil {
				wantS1 = append(wantS1, "b9")
				wantP3 = []string{"b9"}
			}
			got := map[string][]string{}
			got["session s1"] = ids(st.SessionBookings(ctx, "s1"))
			got["session s2"] = ids(st.SessionBookings(ctx, "s2"))
			got["person p1"] = ids(st.PersonBookings(ctx, "p1"))
			got["person p2"] = ids(st.PersonBookings(ctx, "p2"))
			got["person p3"] = ids(st.PersonBookings(ctx, "p3"))
			got["sessions s1, s2"] = ids(st.BookingsOfSessions(ctx, []string{"s1", "s2"}))
			got["scan s1, s2"] = ids(st.ScanBookingsOfSessions(ctx, []string{"s1", "s2"}))
			got["scan s2"] = ids(st.ScanBookingsOfSessions(ctx, []string{"s2"}))
			want := map[string][]string{
				"session s1": wantS1, "session s2": {"b4"}, "person p1": {"b1", "b4"}, "person p2": {"b2"}, "person p3": wantP3,
				"sessions s1, s2": slices.Sorted(slices.Values(append(slices.Clone(wantS1), "b4"))),
			}
			want["scan s1, s2"], want["scan s2"] = want["sessions s1, s2"], want["session s2"]
			for k, w := range want {
				if !slices.Equal(got[k], w) {
					t.Errorf("%s: %v, want %v", k, got[k], w)
				}
			}
			// Each booking listed under its session and its person, and
			// the backfill recorded as done.
			entries := indexEntries(t, db)
			listed := map[string]int{}
			for id, b := range entries {
				if id != "backfilled" {
					listed[b]++
				}
			}
			if _, done := entries["backfilled"]; !done || listed["b1"] != 2 || listed["b3"] != 1 || listed["b4"] != 2 {
				t.Errorf("booking index %v", entries)
			}
		})
	}
}

// A booking is listed before it is inserted; a listed ID with no booking
// (an insert that failed) is skipped, and a partner attendee is listed
// under the session only.
func TestBookingIndexSkipsListedIDsWithoutBooking(t *testing.T) {
	ctx := context.Background()
	db := dbtest.New(t)
	s := mongodb.New(db)
	if err := s.Migrate(ctx); err != nil {
		t.Fatal(err)
	}
	st, ids := s.TrainingSessions(), bookingIDs(t)
	insertRaw(t, db, "booking_index", bson.D{{Key: "_id", Value: "session:s1|0"}, {Key: "booking_id", Value: "ghost"}})
	b := training.Booking{ID: "b1", SessionID: "s1", CourseCode: "WRAP", PersonID: "p1", State: training.BookingBooked, Queued: time.Now()}
	if err := st.InsertBooking(ctx, b); err != nil {
		t.Fatal(err)
	}
	// The same booking again: refused, and listed once.
	if err := st.InsertBooking(ctx, b); !errors.Is(err, training.ErrConflict) {
		t.Fatalf("second insert: %v, want a conflict", err)
	}
	// The listing comes first: a booking whose insert is refused (here
	// because a booking with its _id exists, unlisted) is listed all the
	// same.
	insertRaw(t, db, "bookings", storedBooking("b0", "s0", "p0"))
	if err := st.InsertBooking(ctx, training.Booking{ID: "b0", SessionID: "s0", CourseCode: "WRAP", PersonID: "p0", Queued: time.Now()}); !errors.Is(err, training.ErrConflict) {
		t.Fatalf("insert over an existing booking: %v, want a conflict", err)
	}
	if got := ids(st.SessionBookings(ctx, "s0")); !slices.Equal(got, []string{"b0"}) {
		t.Errorf("session s0: %v, want the booking listed before its insert was refused", got)
	}
	partner := training.Booking{ID: "b2", SessionID: "s1", CourseCode: "WRAP", State: training.BookingBooked, Queued: time.Now(),
		External: &training.ExternalAttendee{Name: "Pat", Email: "pat@police.example.org", Organisation: "Police"}}
	if err := st.InsertBooking(ctx, partner); err != nil {
		t.Fatal(err)
	}
	if got := ids(st.SessionBookings(ctx, "s1")); !slices.Equal(got, []string{"b1", "b2"}) {
		t.Errorf("session bookings %v, want b1, b2", got)
	}
	if got := ids(st.PersonBookings(ctx, "p1")); !slices.Equal(got, []string{"b1"}) {
		t.Errorf("person bookings %v, want b1", got)
	}
	entries := indexEntries(t, db)
	for id, b := range entries {
		if b == "b2" && !strings.HasPrefix(id, "session:") {
			t.Errorf("the partner attendee's booking is listed under %s", id)
		}
	}
	if entries["session:s1|1"] != "b1" || entries["session:s1|2"] != "b2" || entries["person:p1|0"] != "b1" {
		t.Errorf("booking index %v: want b1 after the listing with no booking, then b2", entries)
	}
}

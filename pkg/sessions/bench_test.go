package sessions_test

import (
	"fmt"
	"testing"
	"time"

	"github.com/complytrack/complytrack/pkg/dbtest"
	"github.com/complytrack/complytrack/pkg/sessions"
	"github.com/complytrack/complytrack/pkg/training"
)

// BenchmarkAtSize measures the hot paths with a few years of history on
// record: 200 sessions and 4,000 bookings. On the embedded engine every
// read but one by _id scans its collection, so bookings are read through
// the booking index, by _id; only the list of sessions scans (the small
// sessions collection).
//
//	go test -run '^$' -bench AtSize -benchtime 20x ./pkg/sessions/
func BenchmarkAtSize(b *testing.B) {
	e := newEnv(b)
	st := e.store.TrainingSessions()
	// As the api command does at start-up, once the collections exist:
	// look-ups and writes by _id use an index.
	if eng := dbtest.Engine(b); eng != nil {
		if err := eng.IndexIDs(e.ctx, e.store.DB().Name()); err != nil {
			b.Fatal(err)
		}
	}
	var ids []string
	for i := range 200 {
		x := training.Session{ID: fmt.Sprintf("hist%05d", i), CourseCode: course, Date: training.MustDate("2024-01-01").AddDays(i * 3),
			Start: tod("10:00"), End: tod("12:00"), Location: "Room", Capacity: 20, TrainerID: e.trainer.ID, State: training.SessionScheduled}
		if err := st.InsertSession(e.ctx, x); err != nil {
			b.Fatal(err)
		}
		ids = append(ids, x.ID)
	}
	start := time.Now()
	for i := range 4000 {
		bk := training.Booking{ID: fmt.Sprintf("hb%06d", i), SessionID: ids[i%len(ids)], CourseCode: course, PersonID: fmt.Sprintf("p%05d", i),
			State: training.BookingAttended, Queued: time.Date(2024, 1, 1, 0, 0, i, 0, time.UTC)}
		if err := st.InsertBooking(e.ctx, bk); err != nil {
			b.Fatal(err)
		}
	}
	b.Logf("4,000 bookings inserted one by one in %s", time.Since(start).Round(time.Millisecond))
	x := e.schedule("2026-12-10", 500)
	people := []training.Person{e.emp, e.emp2, e.other, e.boss, e.auditor}
	b.Run("Book+Cancel", func(b *testing.B) {
		for i := 0; b.Loop(); i++ {
			p := people[i%len(people)]
			bv, err := e.a.Sessions.Book(e.ctx, as(p), x.ID, sessions.BookingRequest{})
			if err != nil {
				b.Fatal(err)
			}
			if _, err := e.a.Sessions.CancelBooking(e.ctx, as(p), bv.ID); err != nil {
				b.Fatal(err)
			}
		}
	})
	b.Run("List", func(b *testing.B) {
		for b.Loop() {
			if _, err := e.a.Sessions.List(e.ctx, as(e.emp), sessions.Filter{}); err != nil {
				b.Fatal(err)
			}
		}
	})
	b.Run("Bookings", func(b *testing.B) {
		for b.Loop() {
			if _, err := e.a.Sessions.Bookings(e.ctx, e.hr, x.ID); err != nil {
				b.Fatal(err)
			}
		}
	})
	// The partner report over the whole history: every session and
	// booking on record.
	b.Run("PartnerReport", func(b *testing.B) {
		for b.Loop() {
			if _, err := e.a.Sessions.PartnerReport(e.ctx, e.hr, training.MustDate("2024-01-01"), training.MustDate("2026-12-31")); err != nil {
				b.Fatal(err)
			}
		}
	})
	b.Run("MyBookings", func(b *testing.B) {
		for b.Loop() {
			if _, err := e.a.Sessions.MyBookings(e.ctx, as(e.emp)); err != nil {
				b.Fatal(err)
			}
		}
	})
}

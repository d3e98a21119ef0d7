package sessions_test

import (
	"context"
	"fmt"
	"slices"
	"sync"
	"testing"

	"go.mongodb.org/mongo-driver/v2/bson"
	"go.mongodb.org/mongo-driver/v2/event"
	"go.mongodb.org/mongo-driver/v2/mongo"
	"go.mongodb.org/mongo-driver/v2/mongo/options"

	"github.com/complytrack/complytrack/pkg/dbtest"
	"github.com/complytrack/complytrack/pkg/sessions"
	"github.com/complytrack/complytrack/pkg/training"
)

// reads records the reads sent to the sessions, the bookings and the
// booking index.
type reads struct {
	mu       sync.Mutex
	on       bool
	byID     map[string]int      // collection: reads that are exactly {_id: "..."}
	scanning map[string][]string // collection: every other read, as sent
}

func (r *reads) monitor() *event.CommandMonitor {
	return &event.CommandMonitor{Started: func(_ context.Context, e *event.CommandStartedEvent) {
		var coll string
		switch e.CommandName {
		case "find", "aggregate", "count", "distinct":
			coll, _ = e.Command.Lookup(e.CommandName).StringValueOK()
		default:
			return
		}
		if coll != "bookings" && coll != "booking_index" && coll != "training_sessions" {
			return
		}
		r.mu.Lock()
		defer r.mu.Unlock()
		if !r.on {
			return
		}
		if e.CommandName == "find" && exactlyByID(e.Command.Lookup("filter")) {
			r.byID[coll]++
			return
		}
		r.scanning[coll] = append(r.scanning[coll], e.Command.String())
	}}
}

// exactlyByID reports whether a filter is {_id: <string>}, the only one
// the embedded engine serves from an index.
func exactlyByID(v bson.RawValue) bool {
	doc, ok := v.DocumentOK()
	if !ok {
		return false
	}
	elems, err := doc.Elements()
	if err != nil || len(elems) != 1 || elems[0].Key() != "_id" {
		return false
	}
	_, isString := elems[0].Value().StringValueOK()
	return isString
}

// watch starts recording afresh, or stops.
func (r *reads) watch(on bool) {
	r.mu.Lock()
	defer r.mu.Unlock()
	r.on = on
	if on {
		r.byID, r.scanning = map[string]int{}, map[string][]string{}
	}
}

// Every read of bookings, on every path that reads them but the partner
// report, is a look-up by _id: on the embedded engine any other filter
// reads the whole bookings collection, which grows with the years. A list
// of sessions reads the (small) sessions collection once.
func TestBookingReadsAreLookUpsByID(t *testing.T) {
	r := &reads{}
	client, err := mongo.Connect(options.Client().ApplyURI(dbtest.URI(t)).SetMonitor(r.monitor()))
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { _ = client.Disconnect(context.Background()) })
	e := newEnvOn(t, client.Database(dbtest.New(t).Name()))

	x := e.schedule("2026-12-02", 2)
	later := e.schedule("2026-12-09", 5)
	e.book(as(e.emp), x.ID, sessions.BookingRequest{})
	e.book(as(e.boss), x.ID, sessions.BookingRequest{PersonID: e.emp2.ID})
	e.book(e.trainerActor(), x.ID, sessions.BookingRequest{External: &training.ExternalAttendee{Name: "Pat", Email: "pat@police.example.org", Organisation: "Police"}})

	steps := []struct {
		name string
		// how many reads that are not by _id the step makes, by collection
		scans map[string]int
		run   func() error
	}{
		{"book", nil, func() error {
			_, err := e.b.Sessions.Book(e.ctx, as(e.other), later.ID, sessions.BookingRequest{})
			return err
		}},
		{"list", map[string]int{"training_sessions": 1}, func() error { _, err := e.a.Sessions.List(e.ctx, as(e.emp), sessions.Filter{}); return err }},
		{"session", nil, func() error { _, err := e.a.Sessions.Session(e.ctx, as(e.emp), x.ID); return err }},
		{"bookings", nil, func() error { _, err := e.a.Sessions.Bookings(e.ctx, e.hr, x.ID); return err }},
		{"my bookings", nil, func() error { _, err := e.a.Sessions.MyBookings(e.ctx, as(e.emp2)); return err }},
		{"teaches", nil, func() error { _, err := e.a.Sessions.Teaches(e.ctx, e.trainer.ID, e.emp.ID, course); return err }},
		{"reminders", map[string]int{"training_sessions": 1}, func() error {
			_, err := e.a.Sessions.SendReminders(e.ctx, training.MustDate("2026-12-01"))
			return err
		}},
		// The report covers a period, usually most of the history: it
		// reads every booking once.
		{"partner report", map[string]int{"training_sessions": 1, "bookings": 1}, func() error {
			_, err := e.a.Sessions.PartnerReport(e.ctx, e.hr, training.MustDate("2026-12-01"), training.MustDate("2026-12-31"))
			return err
		}},
		{"cancel booking", nil, func() error {
			mine, err := e.a.Sessions.MyBookings(e.ctx, as(e.other))
			if err != nil || len(mine) != 1 {
				return fmt.Errorf("bookings of the person who booked: %d, %v", len(mine), err)
			}
			_, err = e.a.Sessions.CancelBooking(e.ctx, as(e.other), mine[0].ID)
			return err
		}},
		{"register", nil, func() error {
			e.clock.setDay("2026-12-02")
			bs, err := e.a.Sessions.Bookings(e.ctx, e.hr, x.ID)
			if err != nil || len(bs) != 3 {
				return fmt.Errorf("bookings of the session: %d, %v", len(bs), err)
			}
			_, err = e.a.Sessions.Register(e.ctx, e.trainerActor(), x.ID, []string{bs[0].ID, bs[2].ID}, []string{bs[1].ID})
			return err
		}},
	}
	for _, s := range steps {
		r.watch(true)
		if err := s.run(); err != nil {
			t.Fatalf("%s: %v", s.name, err)
		}
		r.watch(false)
		for _, coll := range []string{"bookings", "booking_index", "training_sessions"} {
			if got := r.scanning[coll]; len(got) != s.scans[coll] {
				t.Errorf("%s: %d reads of %s not by _id, want %d: %v", s.name, len(got), coll, s.scans[coll], got)
			}
		}
		// Not vacuous: the bookings were read, through the index.
		if s.scans["bookings"] == 0 && (r.byID["booking_index"] == 0 || r.byID["bookings"] == 0) {
			t.Errorf("%s: look-ups by _id %v, want some of the booking index and of bookings", s.name, r.byID)
		}
	}
	mine, err := e.a.Sessions.MyBookings(e.ctx, as(e.emp))
	if err != nil || len(mine) != 1 || mine[0].State != training.BookingAttended {
		t.Errorf("after the register, my bookings: %+v, %v", mine, err)
	}
}

// Everyone booking one session at the same moment, through two
// processes, is on the session's list and in their own bookings, and the
// places are never over-filled: the listing of a booking is an insert,
// which no concurrent writer can undo.
func TestConcurrentBookingsAreAllListed(t *testing.T) {
	e := newEnv(t)
	x := e.schedule("2026-12-10", 5)
	var people []training.Person
	for i := range 12 {
		people = append(people, e.person(fmt.Sprintf("C%02d", i), fmt.Sprintf("Cat%02d", i), ""))
	}
	var wg sync.WaitGroup
	errs := make([]error, len(people))
	for i, p := range people {
		svc := e.a.Sessions
		if i%2 == 1 {
			svc = e.b.Sessions
		}
		wg.Go(func() { _, errs[i] = svc.Book(e.ctx, as(p), x.ID, sessions.BookingRequest{}) })
	}
	wg.Wait()
	for i, err := range errs {
		if err != nil {
			t.Fatalf("booking %d: %v", i, err)
		}
	}
	list, err := e.a.Sessions.Bookings(e.ctx, e.hr, x.ID)
	if err != nil {
		t.Fatal(err)
	}
	var names []string
	booked := 0
	for _, b := range list {
		names = append(names, b.PersonName)
		if b.State == training.BookingBooked {
			booked++
		}
	}
	if len(list) != len(people) || booked != 5 {
		t.Errorf("the session lists %d bookings, %d with a place; want %d, 5: %v", len(list), booked, len(people), names)
	}
	for _, p := range people {
		if !slices.Contains(names, p.FullName()) {
			t.Errorf("%s is not on the session's list", p.FullName())
		}
		mine, err := e.b.Sessions.MyBookings(e.ctx, as(p))
		if err != nil || len(mine) != 1 || mine[0].Session.ID != x.ID {
			t.Errorf("%s's bookings: %+v, %v", p.FullName(), mine, err)
		}
	}
	v, err := e.b.Sessions.Session(e.ctx, as(e.emp), x.ID)
	if err != nil || v.Booked != 5 || v.Waiting != len(people)-5 || v.PlacesLeft != 0 {
		t.Errorf("session view %+v, %v: want 5 booked, %d waiting", v, err, len(people)-5)
	}
}

package sessions_test

import (
	"fmt"
	"strings"
	"sync"
	"testing"

	"github.com/complytrack/complytrack/pkg/notify"
	"github.com/complytrack/complytrack/pkg/sessions"
	"github.com/complytrack/complytrack/pkg/training"
)

func TestBookingWaitingListAndPromotion(t *testing.T) {
	e := newEnv(t)
	x := e.schedule("2026-12-10", 2)

	mine := e.book(as(e.emp), x.ID, sessions.BookingRequest{})
	if mine.State != training.BookingBooked || mine.PersonID != e.emp.ID || mine.Position != 0 {
		t.Fatalf("own booking: %+v", mine.PlacedBooking)
	}
	// A manager books someone in their line.
	theirs := e.book(as(e.boss), x.ID, sessions.BookingRequest{PersonID: e.emp2.ID})
	if theirs.State != training.BookingBooked || theirs.BookedBy != e.boss.ID {
		t.Fatalf("manager's booking: %+v", theirs.PlacedBooking)
	}
	waiting := e.book(as(e.other), x.ID, sessions.BookingRequest{})
	if waiting.State != training.BookingWaiting || waiting.Position != 1 {
		t.Fatalf("third booking on two places: %+v", waiting.PlacedBooking)
	}
	if s := waiting.Session; s.Booked != 2 || s.Waiting != 1 || s.PlacesLeft != 0 || s.CourseTitle != "WRAP workshop" || s.TrainerName != "Tom T1" {
		t.Errorf("session after three bookings: %+v", s)
	}

	// The confirmation carries an invitation; the waiting list's does not.
	conf := e.mail(e.emp.Email, notify.KindSessionBooking)
	if len(conf) != 1 || !strings.Contains(conf[0].Subject, "Place booked") {
		t.Fatalf("confirmation: %+v", conf)
	}
	cal := ics(t, conf[0])
	for _, want := range []string{"METHOD:REQUEST", "SEQUENCE:0", "UID:session-" + x.ID + "@training.example.org", "DTSTART:20261210T100000Z", "mailto:emma@example.org"} {
		if !strings.Contains(cal, want) {
			t.Errorf("invitation lacks %q:\n%s", want, cal)
		}
	}
	wl := e.mail(e.other.Email, notify.KindSessionBooking)
	if len(wl) != 1 || !strings.Contains(wl[0].BodyText, "waiting list, number 1") || len(wl[0].Attachments) != 0 {
		t.Fatalf("waiting-list confirmation: %+v", wl)
	}

	// A cancellation gives the place to the first waiting, who is told.
	cancelled, err := e.b.Sessions.CancelBooking(e.ctx, as(e.emp), mine.ID)
	if err != nil || cancelled.State != training.BookingCancelled {
		t.Fatalf("cancel: %+v, %v", cancelled.PlacedBooking, err)
	}
	got := e.mail(e.emp.Email, notify.KindSessionBooking)
	if len(got) != 2 || !strings.Contains(ics(t, got[1]), "METHOD:CANCEL") {
		t.Fatalf("cancellation message: %+v", got)
	}
	promo := e.mail(e.other.Email, notify.KindSessionBooking)
	if len(promo) != 2 || !strings.Contains(promo[1].Subject, "You now have a place") || !strings.Contains(ics(t, promo[1]), "METHOD:REQUEST") {
		t.Fatalf("promotion message: %+v", promo)
	}
	list, err := e.a.Sessions.Bookings(e.ctx, e.trainerActor(), x.ID)
	if err != nil {
		t.Fatal(err)
	}
	states := map[string]training.BookingState{}
	for _, b := range list {
		states[b.PersonName] = b.State
	}
	want := map[string]training.BookingState{"Emma E1": training.BookingCancelled, "Eli E2": training.BookingBooked, "Olu O1": training.BookingBooked}
	if fmt.Sprint(states) != fmt.Sprint(want) {
		t.Errorf("bookings after the cancellation: %v, want %v", states, want)
	}
	// Cancelling twice is a conflict, not a second e-mail.
	_, err = e.a.Sessions.CancelBooking(e.ctx, as(e.emp), mine.ID)
	wantErr(t, err, training.ErrConflict)

	// Audit entries were written.
	page, err := e.a.Training.ListAudit(e.ctx, e.hr, mine.ID, training.PageRequest{})
	if err != nil || len(page.Items) != 2 || page.Items[0].Action != "booking.cancel" || page.Items[1].Action != "booking.create" {
		t.Errorf("audit of the booking: %+v, %v", page.Items, err)
	}
}

func TestCapacityNeverExceededAcrossProcesses(t *testing.T) {
	e := newEnv(t)
	x := e.schedule("2026-12-10", 1)
	people := []training.Person{e.emp, e.emp2, e.other, e.boss, e.auditor}
	var wg sync.WaitGroup
	errs := make([]error, len(people))
	for i, p := range people {
		proc := []*sessions.Service{e.a.Sessions, e.b.Sessions}[i%2]
		wg.Add(1)
		go func() {
			defer wg.Done()
			_, errs[i] = proc.Book(e.ctx, as(p), x.ID, sessions.BookingRequest{})
		}()
	}
	wg.Wait()
	for _, err := range errs {
		if err != nil {
			t.Fatal(err)
		}
	}
	list, err := e.b.Sessions.Bookings(e.ctx, e.hr, x.ID)
	if err != nil {
		t.Fatal(err)
	}
	booked, positions := 0, map[int]bool{}
	for _, b := range list {
		switch b.State {
		case training.BookingBooked:
			booked++
		case training.BookingWaiting:
			positions[b.Position] = true
		}
	}
	if booked != 1 || len(positions) != len(people)-1 || !positions[1] || !positions[len(people)-1] {
		t.Errorf("%d booked on 1 place, waiting positions %v", booked, positions)
	}
}

func TestOneLiveBookingPerPersonPerCourse(t *testing.T) {
	e := newEnv(t)
	first := e.schedule("2026-12-10", 5)
	second := e.schedule("2026-12-17", 5)

	mine := e.book(as(e.emp), first.ID, sessions.BookingRequest{})
	_, err := e.b.Sessions.Book(e.ctx, as(e.emp), second.ID, sessions.BookingRequest{})
	wantErr(t, err, training.ErrConflict)
	if msg, _ := training.ConflictMessage(err); msg != "You already have a place on a session of WRAP workshop." {
		t.Errorf("message to the person: %q", msg)
	}
	_, err = e.a.Sessions.Book(e.ctx, as(e.boss), second.ID, sessions.BookingRequest{PersonID: e.emp.ID})
	if msg, _ := training.ConflictMessage(err); msg != "Emma E1 already has a place on a session of WRAP workshop." {
		t.Errorf("message to the manager: %q (%v)", msg, err)
	}
	// A partner attendee is one attendee by e-mail, whatever its case.
	ext := &training.ExternalAttendee{Name: "Pat Partner", Email: "pat@police.example.org", Organisation: "Police"}
	e.book(e.trainerActor(), first.ID, sessions.BookingRequest{External: ext})
	upper := *ext
	upper.Email = "PAT@police.example.org"
	_, err = e.a.Sessions.Book(e.ctx, e.trainerActor(), second.ID, sessions.BookingRequest{External: &upper})
	wantErr(t, err, training.ErrConflict)

	// Once cancelled, the person may book again.
	if _, err := e.a.Sessions.CancelBooking(e.ctx, as(e.emp), mine.ID); err != nil {
		t.Fatal(err)
	}
	e.book(as(e.emp), second.ID, sessions.BookingRequest{})

	// Two processes booking one person on two sessions at once: one wins.
	var wg sync.WaitGroup
	errs := make([]error, 2)
	for i, p := range []process{e.a, e.b} {
		wg.Add(1)
		go func() {
			defer wg.Done()
			_, errs[i] = p.Sessions.Book(e.ctx, as(e.other), []string{first.ID, second.ID}[i], sessions.BookingRequest{})
		}()
	}
	wg.Wait()
	ok := 0
	for _, err := range errs {
		if err == nil {
			ok++
		} else if msg, _ := training.ConflictMessage(err); msg == "" {
			t.Errorf("unexpected error %v", err)
		}
	}
	if ok != 1 {
		t.Errorf("%d of 2 concurrent bookings of one person on one course succeeded, want 1", ok)
	}
}

func TestWhoMayBookWhom(t *testing.T) {
	e := newEnv(t)
	x := e.schedule("2026-12-10", 20)
	ext := func(email string) *training.ExternalAttendee {
		return &training.ExternalAttendee{Name: "Pat Partner", Email: email, Organisation: "Police"}
	}
	tests := []struct {
		name  string
		actor training.Actor
		req   sessions.BookingRequest
		want  error
	}{
		{"yourself", as(e.other), sessions.BookingRequest{}, nil},
		{"manager for their report", as(e.boss), sessions.BookingRequest{PersonID: e.emp.ID}, nil},
		{"HR for anyone", e.hr, sessions.BookingRequest{PersonID: e.emp2.ID}, nil},
		{"trainer for a partner", e.trainerActor(), sessions.BookingRequest{External: ext("a@police.example.org")}, nil},
		{"HR for a partner", e.hr, sessions.BookingRequest{External: ext("b@police.example.org")}, nil},
		{"colleague for a colleague", as(e.emp2), sessions.BookingRequest{PersonID: e.boss.ID}, training.ErrNotFound},
		{"auditor for someone", e.auditorActor(), sessions.BookingRequest{PersonID: e.trainer.ID}, training.ErrForbidden},
		{"trainer for staff", e.trainerActor(), sessions.BookingRequest{PersonID: e.auditor.ID}, training.ErrNotFound},
		{"employee for a partner", as(e.emp2), sessions.BookingRequest{External: ext("c@police.example.org")}, training.ErrForbidden},
		{"partner without e-mail", e.hr, sessions.BookingRequest{External: ext("")}, training.ErrInvalid},
		{"someone who does not exist", e.hr, sessions.BookingRequest{PersonID: "nobody"}, training.ErrNotFound},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			_, err := e.a.Sessions.Book(e.ctx, tt.actor, x.ID, tt.req)
			if tt.want == nil {
				if err != nil {
					t.Fatal(err)
				}
				return
			}
			wantErr(t, err, tt.want)
		})
	}
}

func TestPastOrCancelledSessionCannotBeBooked(t *testing.T) {
	e := newEnv(t)
	past := e.schedule("2026-12-02", 5)
	gone := e.schedule("2026-12-10", 5)
	if _, err := e.a.Sessions.Cancel(e.ctx, e.hr, gone.ID, "The trainer is ill"); err != nil {
		t.Fatal(err)
	}
	e.clock.setDay("2026-12-03")
	for name, id := range map[string]string{"past": past.ID, "cancelled": gone.ID} {
		_, err := e.a.Sessions.Book(e.ctx, as(e.emp), id, sessions.BookingRequest{})
		wantErr(t, err, training.ErrConflict)
		if msg, _ := training.ConflictMessage(err); msg == "" {
			t.Errorf("%s: no message for the person: %v", name, err)
		}
	}
}

func TestCancelBookingWho(t *testing.T) {
	e := newEnv(t)
	x := e.schedule("2026-12-10", 20)
	emp := e.book(as(e.emp), x.ID, sessions.BookingRequest{})
	emp2 := e.book(as(e.emp2), x.ID, sessions.BookingRequest{})
	other := e.book(as(e.other), x.ID, sessions.BookingRequest{})
	partner := e.book(e.hr, x.ID, sessions.BookingRequest{External: &training.ExternalAttendee{Name: "Pat", Email: "pat@police.example.org", Organisation: "Police"}})
	tests := []struct {
		name    string
		actor   training.Actor
		booking string
		want    error
	}{
		{"a colleague", as(e.emp2), emp.ID, training.ErrNotFound},
		{"the trainer, for staff", e.trainerActor(), emp.ID, training.ErrNotFound},
		{"an auditor", e.auditorActor(), emp.ID, training.ErrForbidden},
		{"an employee, for a partner", as(e.emp), partner.ID, training.ErrNotFound},
		{"the person", as(e.emp), emp.ID, nil},
		{"their manager", as(e.boss), emp2.ID, nil},
		{"HR", e.hr, other.ID, nil},
		{"the trainer, for a partner", e.trainerActor(), partner.ID, nil},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			_, err := e.a.Sessions.CancelBooking(e.ctx, tt.actor, tt.booking)
			if tt.want == nil {
				if err != nil {
					t.Fatal(err)
				}
				return
			}
			wantErr(t, err, tt.want)
		})
	}
}

func TestMyBookings(t *testing.T) {
	e := newEnv(t)
	early := e.schedule("2026-12-10", 5)
	late := e.schedule("2026-12-17", 5)
	b1 := e.book(as(e.emp), early.ID, sessions.BookingRequest{})
	if _, err := e.a.Sessions.CancelBooking(e.ctx, as(e.emp), b1.ID); err != nil {
		t.Fatal(err)
	}
	e.book(as(e.emp), late.ID, sessions.BookingRequest{})
	e.book(as(e.other), late.ID, sessions.BookingRequest{})
	mine, err := e.b.Sessions.MyBookings(e.ctx, as(e.emp))
	if err != nil {
		t.Fatal(err)
	}
	if len(mine) != 2 || mine[0].Session.ID != late.ID || mine[0].State != training.BookingBooked ||
		mine[1].Session.ID != early.ID || mine[1].State != training.BookingCancelled {
		t.Errorf("my bookings: %+v", mine)
	}
}

// Two cancellations at once on two processes: both people waiting get
// the places, and both are told.
func TestConcurrentCancellationsTellEveryonePromoted(t *testing.T) {
	e := newEnv(t)
	x := e.schedule("2026-12-10", 2)
	first := e.book(as(e.emp), x.ID, sessions.BookingRequest{})
	second := e.book(as(e.emp2), x.ID, sessions.BookingRequest{})
	e.book(as(e.other), x.ID, sessions.BookingRequest{})
	e.book(as(e.boss), x.ID, sessions.BookingRequest{})
	var wg sync.WaitGroup
	errs := make([]error, 2)
	for i, c := range []struct {
		p  process
		by training.Person
		id string
	}{{e.a, e.emp, first.ID}, {e.b, e.emp2, second.ID}} {
		wg.Add(1)
		go func() {
			defer wg.Done()
			_, errs[i] = c.p.Sessions.CancelBooking(e.ctx, as(c.by), c.id)
		}()
	}
	wg.Wait()
	for _, err := range errs {
		if err != nil {
			t.Fatal(err)
		}
	}
	for _, p := range []training.Person{e.other, e.boss} {
		got := e.mail(p.Email, notify.KindSessionBooking)
		if len(got) != 2 || !strings.Contains(got[1].Subject, "You now have a place") {
			t.Errorf("%s's messages: %d, want the waiting-list confirmation and one promotion", p.GivenName, len(got))
		}
	}
}

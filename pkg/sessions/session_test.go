package sessions_test

import (
	"errors"
	"strings"
	"testing"

	"github.com/complytrack/complytrack/pkg/auth"
	"github.com/complytrack/complytrack/pkg/notify"
	"github.com/complytrack/complytrack/pkg/sessions"
	"github.com/complytrack/complytrack/pkg/training"
)

func fields(err error) map[string]string {
	var ve *training.ValidationError
	out := map[string]string{}
	if errors.As(err, &ve) {
		for _, f := range ve.Fields {
			out[f.Field] = f.Message
		}
	}
	return out
}

func TestScheduleRules(t *testing.T) {
	e := newEnv(t)
	if err := e.a.Training.EnsureDefaultCourse(e.ctx); err != nil {
		t.Fatal(err)
	}
	trainer2 := e.person("T2", "Tia", "")
	e.grant(trainer2, auth.RoleTrainer)
	tests := []struct {
		name      string
		actor     training.Actor
		edit      func(*training.SessionInput)
		want      error
		wantField string
	}{
		{"HR for a trainer", e.hr, func(*training.SessionInput) {}, nil, ""},
		{"a trainer for themself", e.trainerActor(), func(*training.SessionInput) {}, nil, ""},
		{"an employee", as(e.emp), func(*training.SessionInput) {}, training.ErrForbidden, ""},
		{"an auditor", e.auditorActor(), func(*training.SessionInput) {}, training.ErrForbidden, ""},
		{"a trainer for another trainer", e.trainerActor(), func(in *training.SessionInput) { in.TrainerID = trainer2.ID }, training.ErrInvalid, "trainer_id"},
		{"a trainer without the role", e.hr, func(in *training.SessionInput) { in.TrainerID = e.emp.ID }, training.ErrInvalid, "trainer_id"},
		{"an e-learning course", e.hr, func(in *training.SessionInput) { in.CourseCode = "PREVENT" }, training.ErrInvalid, "course_code"},
		{"no such course", e.hr, func(in *training.SessionInput) { in.CourseCode = "NOPE" }, training.ErrInvalid, "course_code"},
		{"in the past", e.hr, func(in *training.SessionInput) { in.Date = training.MustDate("2026-11-30") }, training.ErrInvalid, "date"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			in := e.input("2026-12-10", 10)
			tt.edit(&in)
			v, err := e.a.Sessions.Schedule(e.ctx, tt.actor, in)
			if tt.want == nil {
				if err != nil {
					t.Fatal(err)
				}
				if v.State != training.SessionScheduled || v.PlacesLeft != 10 || v.Sequence != 0 {
					t.Errorf("scheduled: %+v", v)
				}
				return
			}
			wantErr(t, err, tt.want)
			if tt.wantField != "" && fields(err)[tt.wantField] == "" {
				t.Errorf("no problem named %s: %v", tt.wantField, err)
			}
		})
	}
}

func TestRescheduleTellsEveryoneLive(t *testing.T) {
	e := newEnv(t)
	x := e.schedule("2026-12-10", 1)
	booked := e.book(as(e.emp), x.ID, sessions.BookingRequest{})
	e.book(as(e.other), x.ID, sessions.BookingRequest{})
	gone := e.book(as(e.emp2), x.ID, sessions.BookingRequest{})
	if _, err := e.a.Sessions.CancelBooking(e.ctx, as(e.emp2), gone.ID); err != nil {
		t.Fatal(err)
	}

	// Only HR and the session's own trainer may change it.
	other := e.person("T2", "Tia", "")
	e.grant(other, auth.RoleTrainer)
	_, err := e.a.Sessions.Reschedule(e.ctx, training.Actor{PersonID: other.ID, Trainer: true}, x.ID, e.input("2026-12-11", 1))
	wantErr(t, err, training.ErrForbidden)

	in, err := e.a.Sessions.Current(e.ctx, e.trainerActor(), x.ID)
	if err != nil {
		t.Fatal(err)
	}
	in.Date, in.Start, in.End = training.MustDate("2026-12-11"), tod("14:00"), tod("16:00")
	v, err := e.b.Sessions.Reschedule(e.ctx, e.trainerActor(), x.ID, in)
	if err != nil {
		t.Fatal(err)
	}
	if v.Sequence != 1 || v.Date.String() != "2026-12-11" {
		t.Fatalf("rescheduled: %+v", v.Session)
	}
	change := e.mail(e.emp.Email, notify.KindSessionChange)
	if len(change) != 1 {
		t.Fatalf("booked person got %d change messages", len(change))
	}
	cal := ics(t, change[0])
	for _, want := range []string{"METHOD:REQUEST", "SEQUENCE:1", "UID:session-" + x.ID + "@", "DTSTART:20261211T140000Z", "DTEND:20261211T160000Z"} {
		if !strings.Contains(cal, want) {
			t.Errorf("change invitation lacks %q:\n%s", want, cal)
		}
	}
	if w := e.mail(e.other.Email, notify.KindSessionChange); len(w) != 1 || !strings.Contains(w[0].BodyText, "waiting list") {
		t.Errorf("waiting person's change message: %+v", w)
	}
	if c := e.mail(e.emp2.Email, notify.KindSessionChange); len(c) != 0 {
		t.Errorf("a cancelled booking was told of the change: %+v", c)
	}

	// Fewer places than are taken is refused; more promote the waiting.
	in.Capacity = 0
	_, err = e.a.Sessions.Reschedule(e.ctx, e.hr, x.ID, in)
	if fields(err)["capacity"] == "" {
		t.Errorf("capacity 0: %v", err)
	}
	in.Capacity = 2
	v, err = e.a.Sessions.Reschedule(e.ctx, e.hr, x.ID, in)
	if err != nil || v.Booked != 2 || v.Waiting != 0 || v.Sequence != 1 {
		t.Fatalf("two places: %+v, %v", v, err)
	}
	promo := e.mail(e.other.Email, notify.KindSessionBooking)
	if len(promo) != 2 || !strings.Contains(promo[1].Subject, "You now have a place") {
		t.Errorf("promotion by more places: %+v", promo)
	}
	// The course of a session does not change.
	in.CourseCode = "PREVENT"
	_, err = e.a.Sessions.Reschedule(e.ctx, e.hr, x.ID, in)
	if fields(err)["course_code"] == "" {
		t.Errorf("course change: %v", err)
	}
	if page, _ := e.a.Training.ListAudit(e.ctx, e.hr, x.ID, training.PageRequest{}); len(page.Items) != 3 {
		t.Errorf("audit of the session: %d entries, want schedule and two reschedules", len(page.Items))
	}
	_ = booked
}

func TestCancelSessionTellsEveryoneLive(t *testing.T) {
	e := newEnv(t)
	x := e.schedule("2026-12-10", 1)
	e.book(as(e.emp), x.ID, sessions.BookingRequest{})
	e.book(as(e.other), x.ID, sessions.BookingRequest{})

	_, err := e.a.Sessions.Cancel(e.ctx, e.hr, x.ID, "  ")
	if fields(err)["reason"] == "" {
		t.Errorf("no reason: %v", err)
	}
	v, err := e.b.Sessions.Cancel(e.ctx, e.trainerActor(), x.ID, "The room is flooded")
	if err != nil {
		t.Fatal(err)
	}
	if v.State != training.SessionCancelled || v.Sequence != 1 || v.Booked != 0 || v.PlacesLeft != 0 {
		t.Errorf("cancelled: %+v", v)
	}
	msgs := e.mail(e.emp.Email, notify.KindSessionCancelled)
	if len(msgs) != 1 || !strings.Contains(msgs[0].BodyText, "The room is flooded") {
		t.Fatalf("booked person told: %+v", msgs)
	}
	cal := ics(t, msgs[0])
	for _, want := range []string{"METHOD:CANCEL", "SEQUENCE:1", "STATUS:CANCELLED", "UID:session-" + x.ID + "@"} {
		if !strings.Contains(cal, want) {
			t.Errorf("cancellation lacks %q:\n%s", want, cal)
		}
	}
	if w := e.mail(e.other.Email, notify.KindSessionCancelled); len(w) != 1 {
		t.Errorf("waiting person told %d times", len(w))
	}
	_, err = e.a.Sessions.Cancel(e.ctx, e.hr, x.ID, "again")
	wantErr(t, err, training.ErrConflict)

	// Both are free to book another session of the course.
	next := e.schedule("2026-12-17", 5)
	e.book(as(e.emp), next.ID, sessions.BookingRequest{})
	e.book(as(e.other), next.ID, sessions.BookingRequest{})

	// A cancelled session is left out of the list unless asked for.
	list, err := e.a.Sessions.List(e.ctx, as(e.emp), sessions.Filter{})
	if err != nil || len(list) != 1 || list[0].ID != next.ID {
		t.Errorf("list: %+v, %v", list, err)
	}
	list, _ = e.a.Sessions.List(e.ctx, as(e.emp), sessions.Filter{IncludeCancelled: true})
	if len(list) != 2 || list[0].ID != x.ID {
		t.Errorf("list with cancelled: %+v", list)
	}
}

func TestCalendarDownload(t *testing.T) {
	e := newEnv(t)
	x := e.schedule("2026-12-10", 5)
	cal, err := e.a.Sessions.Calendar(e.ctx, as(e.emp), x.ID)
	if err != nil {
		t.Fatal(err)
	}
	for _, want := range []string{"METHOD:PUBLISH", "UID:session-" + x.ID + "@training.example.org", "DTSTART:20261210T100000Z", "LOCATION:Civic Centre"} {
		if !strings.Contains(string(cal), want) {
			t.Errorf("download lacks %q:\n%s", want, cal)
		}
	}
	_, err = e.a.Sessions.Calendar(e.ctx, as(e.emp), "nope")
	wantErr(t, err, training.ErrNotFound)
}

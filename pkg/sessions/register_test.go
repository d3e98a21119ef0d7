package sessions_test

import (
	"fmt"
	"slices"
	"strings"
	"testing"
	"time"

	"github.com/complytrack/complytrack/pkg/auth"
	"github.com/complytrack/complytrack/pkg/notify"
	"github.com/complytrack/complytrack/pkg/sessions"
	"github.com/complytrack/complytrack/pkg/training"
)

func TestRegisterRecordsTrainerCompletions(t *testing.T) {
	e := newEnv(t)
	x := e.schedule("2026-12-02", 10)
	emp := e.book(as(e.emp), x.ID, sessions.BookingRequest{})
	emp2 := e.book(as(e.emp2), x.ID, sessions.BookingRequest{})
	partner := e.book(e.trainerActor(), x.ID, sessions.BookingRequest{External: &training.ExternalAttendee{Name: "Pat", Email: "pat@police.example.org", Organisation: "Police"}})

	// Not before the session's day.
	_, err := e.a.Sessions.Register(e.ctx, e.trainerActor(), x.ID, []string{emp.ID}, nil)
	wantErr(t, err, training.ErrConflict)

	e.clock.setDay("2026-12-04")
	ids, err := e.a.Sessions.Register(e.ctx, e.trainerActor(), x.ID, []string{emp.ID, partner.ID}, []string{emp2.ID})
	if err != nil {
		t.Fatal(err)
	}
	if len(ids) != 1 {
		t.Fatalf("completions %v, want one (the partner attendee has no record)", ids)
	}
	cs, err := e.a.Training.CompletionsOf(e.ctx, e.hr, e.emp.ID)
	if err != nil || len(cs) != 1 {
		t.Fatalf("completions of the attendee: %+v, %v", cs, err)
	}
	c := cs[0]
	if c.ID != ids[0] || c.Source != training.SourceTrainer || c.State() != training.StateAccepted ||
		c.CompletedOn.String() != "2026-12-02" || c.RecordedBy != e.trainer.ID || c.CourseCode != course {
		t.Errorf("completion %+v: want accepted, source trainer, dated the session's day", c)
	}
	// The person is compliant at once, with no verification waiting.
	items, err := e.a.Training.TrainingOf(e.ctx, e.hr, e.emp.ID)
	if err != nil {
		t.Fatal(err)
	}
	seen := false
	for _, it := range items {
		seen = seen || it.CourseCode == course
		if it.CourseCode == course && it.Status != training.StatusCompliant {
			t.Errorf("status after the register: %s", it.Status)
		}
	}
	if !seen {
		t.Errorf("no %s status in %+v", course, items)
	}

	// Submitted again, through another process: the same completion.
	again, err := e.b.Sessions.Register(e.ctx, e.hr, x.ID, []string{emp.ID, partner.ID}, []string{emp2.ID})
	if err != nil || fmt.Sprint(again) != fmt.Sprint(ids) {
		t.Fatalf("second submission: %v, %v; want %v", again, err, ids)
	}
	if cs, _ := e.a.Training.CompletionsOf(e.ctx, e.hr, e.emp.ID); len(cs) != 1 {
		t.Errorf("%d completions after two submissions, want 1", len(cs))
	}
	// A retry after the completion was written but not the booking finds
	// the same completion.
	c2, err := e.b.Training.RecordAttendance(e.ctx, e.trainerActor(), e.emp.ID, course, x.Date, emp.ID)
	if err != nil || c2.ID != ids[0] {
		t.Errorf("attendance recorded again: %s, %v; want %s", c2.ID, err, ids[0])
	}

	// The no-show's manager is told; the states are kept.
	ns := e.mail(e.boss.Email, notify.KindSessionNoShow)
	if len(ns) != 1 || !strings.Contains(ns[0].Subject, "Eli E2 did not attend") {
		t.Errorf("no-show message to the manager: %+v", ns)
	}
	list, err := e.a.Sessions.Bookings(e.ctx, e.hr, x.ID)
	if err != nil {
		t.Fatal(err)
	}
	got := map[string]training.BookingState{}
	for _, b := range list {
		got[b.PersonName] = b.State
	}
	want := map[string]training.BookingState{"Emma E1": training.BookingAttended, "Eli E2": training.BookingNoShow, "Pat": training.BookingAttended}
	if fmt.Sprint(got) != fmt.Sprint(want) {
		t.Errorf("states %v, want %v", got, want)
	}
	// A no-show corrected to attended gets a completion; an attendance
	// is not turned into a no-show.
	ids, err = e.a.Sessions.Register(e.ctx, e.hr, x.ID, []string{emp2.ID}, nil)
	if err != nil || len(ids) != 1 {
		t.Errorf("no-show corrected: %v, %v", ids, err)
	}
	_, err = e.a.Sessions.Register(e.ctx, e.hr, x.ID, nil, []string{emp.ID})
	if fields(err)["no_show"] == "" {
		t.Errorf("attended to no-show: %v", err)
	}
	// Once registered, the person may book the course again.
	next := e.schedule("2026-12-20", 5)
	e.book(as(e.emp), next.ID, sessions.BookingRequest{})
}

func TestRegisterWho(t *testing.T) {
	e := newEnv(t)
	t2 := e.person("T2", "Tia", "")
	e.grant(t2, auth.RoleTrainer)
	x := e.schedule("2026-12-01", 10) // today
	own := e.book(as(e.trainer), x.ID, sessions.BookingRequest{})
	emp := e.book(as(e.emp), x.ID, sessions.BookingRequest{})
	otherTrainer := training.Actor{PersonID: t2.ID, Trainer: true}

	// Another trainer neither sees the bookings nor keeps the register.
	_, err := e.a.Sessions.Bookings(e.ctx, otherTrainer, x.ID)
	wantErr(t, err, training.ErrForbidden)
	_, err = e.a.Sessions.Register(e.ctx, otherTrainer, x.ID, []string{emp.ID}, nil)
	wantErr(t, err, training.ErrForbidden)
	_, err = e.a.Sessions.Bookings(e.ctx, as(e.emp), x.ID)
	wantErr(t, err, training.ErrForbidden)

	// The trainer does not mark their own booking; HR does.
	_, err = e.a.Sessions.Register(e.ctx, e.trainerActor(), x.ID, []string{own.ID}, nil)
	if fields(err)["attended"] == "" {
		t.Errorf("own booking: %v", err)
	}
	if _, err := e.a.Sessions.Register(e.ctx, e.hr, x.ID, []string{own.ID}, nil); err != nil {
		t.Errorf("HR marking the trainer: %v", err)
	}
	// Unknown bookings and one marked both ways are named.
	_, err = e.a.Sessions.Register(e.ctx, e.trainerActor(), x.ID, []string{"nope", emp.ID}, []string{emp.ID})
	f := fields(err)
	if !strings.Contains(f["attended"], "nope") || f["no_show"] == "" {
		t.Errorf("bad register: %v", err)
	}
}

func TestSendRemindersOnTheWorkingDayBefore(t *testing.T) {
	e := newEnv(t)
	// One session a day, each with one place taken by a different person;
	// Monday's also has someone waiting, who is not reminded.
	holders := map[string]training.Person{
		"2026-12-02": e.emp, "2026-12-04": e.emp2, "2026-12-05": e.other, "2026-12-07": e.boss, "2026-12-08": e.auditor,
	}
	for d, p := range holders {
		x := e.schedule(d, 1)
		e.book(as(p), x.ID, sessions.BookingRequest{})
		if d == "2026-12-07" {
			e.book(as(e.trainer), x.ID, sessions.BookingRequest{})
		}
	}
	tests := []struct {
		today string
		want  []string // the session days reminded of
	}{
		{"2026-12-01", []string{"2026-12-02"}},               // Tuesday: Wednesday
		{"2026-12-03", []string{"2026-12-04"}},               // Thursday: Friday
		{"2026-12-04", []string{"2026-12-05", "2026-12-07"}}, // Friday: the weekend and Monday
		{"2026-12-05", nil},                                  // Saturday: nothing
		{"2026-12-06", nil},                                  // Sunday: nothing
		{"2026-12-07", []string{"2026-12-08"}},               // Monday: Tuesday
	}
	for _, tt := range tests {
		t.Run(tt.today, func(t *testing.T) {
			n, err := e.a.Sessions.SendReminders(e.ctx, training.MustDate(tt.today))
			if err != nil {
				t.Fatal(err)
			}
			if n != len(tt.want) {
				t.Errorf("%d reminders, want %d", n, len(tt.want))
			}
			for _, d := range tt.want {
				m := e.mail(holders[d].Email, notify.KindSessionReminder)
				day := training.MustDate(d)
				long := time.Date(day.Year(), day.Month(), day.Day(), 0, 0, 0, 0, time.UTC).Format("Monday 2 January 2006")
				if len(m) != 1 || !strings.HasSuffix(m[0].Subject, " on "+long) {
					t.Errorf("reminder for %s: %+v", d, m)
				}
			}
			// Run again the same day: nothing more.
			if n, err := e.b.Sessions.SendReminders(e.ctx, training.MustDate(tt.today)); err != nil || n != 0 {
				t.Errorf("second run: %d, %v", n, err)
			}
		})
	}
	if w := e.mail(e.trainer.Email, notify.KindSessionReminder); len(w) != 0 {
		t.Errorf("the waiting person was reminded: %+v", w)
	}
}

func TestPartnerReport(t *testing.T) {
	e := newEnv(t)
	ext := func(name, org string) sessions.BookingRequest {
		return sessions.BookingRequest{External: &training.ExternalAttendee{Name: name, Email: strings.ToLower(name) + "@partner.example.org", Organisation: org}}
	}
	x1 := e.schedule("2026-12-02", 4)
	x2 := e.schedule("2026-12-03", 6)
	gone := e.schedule("2026-12-03", 50)
	if _, err := e.a.Sessions.Cancel(e.ctx, e.hr, gone.ID, "Not enough interest"); err != nil {
		t.Fatal(err)
	}
	e.schedule("2027-01-10", 8) // outside the period
	a := e.book(e.trainerActor(), x1.ID, ext("Ann", "Police"))
	b := e.book(e.trainerActor(), x1.ID, ext("Bob", "police "))
	c := e.book(e.trainerActor(), x2.ID, ext("Cy", "NHS Trust"))
	d := e.book(e.trainerActor(), x2.ID, ext("Di", "NHS Trust"))
	staff := e.book(as(e.emp), x2.ID, sessions.BookingRequest{})
	e.clock.setDay("2026-12-05")
	if _, err := e.a.Sessions.Register(e.ctx, e.trainerActor(), x1.ID, []string{a.ID}, []string{b.ID}); err != nil {
		t.Fatal(err)
	}
	if _, err := e.a.Sessions.Register(e.ctx, e.trainerActor(), x2.ID, []string{c.ID, d.ID, staff.ID}, nil); err != nil {
		t.Fatal(err)
	}
	r, err := e.b.Sessions.PartnerReport(e.ctx, e.auditorActor(), training.MustDate("2026-12-01"), training.MustDate("2026-12-31"))
	if err != nil {
		t.Fatal(err)
	}
	if r.Sessions != 2 || r.PlacesOffered != 10 || r.PlacesFilled != 5 {
		t.Errorf("report %+v: want 2 sessions, 10 places offered, 5 filled", r)
	}
	want := []sessions.PartnerOrganisation{{Name: "NHS Trust", Attended: 2}, {Name: "Police", Attended: 1, NoShow: 1}}
	if !slices.Equal(r.Organisations, want) {
		t.Errorf("organisations %+v, want %+v", r.Organisations, want)
	}
	_, err = e.a.Sessions.PartnerReport(e.ctx, e.trainerActor(), training.MustDate("2026-12-01"), training.MustDate("2026-12-31"))
	wantErr(t, err, training.ErrForbidden)
	_, err = e.a.Sessions.PartnerReport(e.ctx, e.hr, training.MustDate("2026-12-31"), training.MustDate("2026-12-01"))
	if fields(err)["to"] == "" {
		t.Errorf("period backwards: %v", err)
	}
}

// A trainer records a classroom course by hand only for people booked on
// a session of it that they run; HR for anyone.
func TestTrainerRecordsOnlyForTheirSessionsPeople(t *testing.T) {
	e := newEnv(t)
	t2 := e.person("T2", "Tia", "")
	e.grant(t2, auth.RoleTrainer)
	x := e.schedule("2026-12-01", 10)
	e.book(as(e.emp), x.ID, sessions.BookingRequest{})
	gone := e.book(as(e.emp2), x.ID, sessions.BookingRequest{})
	if _, err := e.a.Sessions.CancelBooking(e.ctx, as(e.emp2), gone.ID); err != nil {
		t.Fatal(err)
	}
	in := training.CompletionInput{CourseCode: course, CompletedOn: training.MustDate("2026-12-01")}
	tests := []struct {
		name   string
		actor  training.Actor
		person training.Person
		ok     bool
	}{
		{"their session's attendee", e.trainerActor(), e.emp, true},
		{"a cancelled booking", e.trainerActor(), e.emp2, false},
		{"someone not booked", e.trainerActor(), e.other, false},
		{"another trainer's attendee", training.Actor{PersonID: t2.ID, Trainer: true}, e.emp, false},
		{"HR, for someone not booked", e.hr, e.other, true},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			c, err := e.b.Training.RecordCompletion(e.ctx, tt.actor, tt.person.ID, in)
			if tt.ok {
				if err != nil || c.State() != training.StateAccepted {
					t.Fatalf("recorded %+v, %v", c, err)
				}
				return
			}
			msg := fields(err)["course_code"]
			if !strings.Contains(msg, "only for people booked on a session of it that you run") || strings.Contains(msg, tt.person.FamilyName) {
				t.Errorf("refusal %q (%v)", msg, err)
			}
		})
	}
}

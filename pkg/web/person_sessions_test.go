package web_test

import (
	"errors"
	"net/http"
	"net/url"
	"strings"
	"testing"

	"github.com/complytrack/complytrack/pkg/auth"
	"github.com/complytrack/complytrack/pkg/sessions"
	"github.com/complytrack/complytrack/pkg/training"
)

// report adds a member of staff with an account who reports to manager.
func (e *env) report(given, family string, manager training.Person) training.Person {
	e.t.Helper()
	p := e.addPerson(given, family, manager.EmployeeNumber)
	if _, err := e.app.Accounts.AcceptInvite(e.t.Context(), e.invitation(p), castPassword); err != nil {
		e.t.Fatal(err)
	}
	return p
}

// Who may read a person's bookings: whoever may see the person. Anyone
// else is told there is no such person.
func TestPersonBookingsWho(t *testing.T) {
	e := newEnv(t, "http://127.0.0.1")
	e.workshop()
	tom := e.trainer("Tom", "Whitfield")
	v := e.session("2026-11-20", 5, tom)
	boss := e.employee("Bea", "Boss")
	maya := e.report("Maya", "Manager", boss)
	rory := e.report("Rory", "Report", maya)
	stranger := e.employee("Sam", "Stranger")
	officer := e.employee("Mo", "Services")
	cllr := e.addMember("Cara", "Council")
	if _, err := e.app.Sessions.Book(t.Context(), e.hr, v.ID, sessions.BookingRequest{PersonID: rory.ID}); err != nil {
		t.Fatal(err)
	}
	as := func(p training.Person) training.Actor { return training.Actor{PersonID: p.ID} }
	for _, tc := range []struct {
		name   string
		actor  training.Actor
		person training.Person
		want   int // bookings; -1: not found
	}{
		{"themself", as(rory), rory, 1},
		{"their line manager", as(maya), rory, 1},
		{"the manager above", as(boss), rory, 1},
		{"HR", e.hr, rory, 1},
		{"an auditor", training.Actor{PersonID: stranger.ID, Auditor: true}, rory, 1},
		{"Member Services, for a Member", training.Actor{PersonID: officer.ID, MemberServices: true}, cllr, 0},
		{"Member Services, for staff", training.Actor{PersonID: officer.ID, MemberServices: true}, rory, -1},
		{"someone else", as(stranger), rory, -1},
		{"the trainer of the session", training.Actor{PersonID: tom.ID, Trainer: true}, rory, -1},
		{"a report, of their manager", as(rory), maya, -1},
	} {
		t.Run(tc.name, func(t *testing.T) {
			got, err := e.app.Sessions.PersonBookings(t.Context(), tc.actor, tc.person.ID)
			switch {
			case tc.want < 0 && !errors.Is(err, training.ErrNotFound):
				t.Errorf("got %d bookings, %v; want not found", len(got), err)
			case tc.want >= 0 && (err != nil || len(got) != tc.want):
				t.Errorf("got %d bookings, %v; want %d", len(got), err, tc.want)
			case tc.want > 0 && (got[0].PersonID != tc.person.ID || got[0].SessionID != v.ID):
				t.Errorf("got %+v", got[0])
			}
		})
	}
}

// A person's page shows their face-to-face sessions: to their line manager
// and HR with a Cancel link that leads to the booking's confirmation and
// back, to an auditor without one. Someone already booked on the course is
// not offered again in "Book someone else".
func TestPersonPageShowsBookings(t *testing.T) {
	e := newEnv(t, "http://127.0.0.1")
	e.workshop()
	tom := e.trainer("Tom", "Whitfield")
	first := e.session("2026-11-20", 5, tom)
	second := e.session("2026-11-27", 5, tom)
	maya := e.employee("Maya", "Manager")
	rory := e.report("Rory", "Report", maya)
	sophie := e.addPerson("Sophie", "Marsh", maya.EmployeeNumber)
	auditor := e.employee("Aditi", "Audit")
	if _, err := e.app.Accounts.SetRoles(t.Context(), e.hr, auditor.ID, auth.NewRoles(auth.RoleAuditor)); err != nil {
		t.Fatal(err)
	}
	bk, err := e.app.Sessions.Book(t.Context(), e.hr, first.ID, sessions.BookingRequest{PersonID: rory.ID})
	if err != nil {
		t.Fatal(err)
	}
	cancelHref := `href="/bookings/` + bk.ID + `/cancel?person=` + rory.ID + `"`

	hr := hpSignInHR(e)
	r := hr.visit("/people/" + rory.ID)
	mustContain(t, r, `<h2 class="heading-m" id="sessions">Face-to-face sessions</h2>`, "Friday 20 November 2026", "10am to 12:30pm",
		"Civic Centre, Committee Room 2", `<strong class="tag tag--compliant">Booked</strong>`, cancelHref)
	// HR book someone else: Rory holds a place on WRAP already.
	r = hr.visit("/sessions/" + second.ID)
	mustContain(t, r, "Book someone else", `<option value="`+sophie.ID+`">Sophie Marsh`)
	hpLacks(t, r, `<option value="`+rory.ID+`"`)
	mustContain(t, hr.visit("/people/"+sophie.ID), "Face-to-face sessions", "Sophie Marsh has no bookings.")

	aud := e.newBrowser()
	aud.signIn(auditor.Email, castPassword)
	r = aud.visit("/people/" + rory.ID)
	mustContain(t, r, "Face-to-face sessions", "Friday 20 November 2026", "Booked")
	hpLacks(t, r, `href="/bookings/`)

	self := e.newBrowser()
	self.signIn(rory.Email, castPassword)
	mustContain(t, self.visit("/people/"+rory.ID), "Face-to-face sessions", cancelHref)

	m := e.newBrowser()
	m.signIn(maya.Email, castPassword)
	r = m.visit("/people/" + rory.ID)
	mustContain(t, r, cancelHref)
	mustContain(t, m.visit("/sessions/"+second.ID), `<option value="`+sophie.ID+`">Sophie Marsh`)
	hpLacks(t, m.last, `<option value="`+rory.ID+`"`)

	r = m.visit("/bookings/" + bk.ID + "/cancel?person=" + rory.ID)
	mustStatus(t, r, http.StatusOK)
	mustContain(t, r, "Are you sure you want to cancel this booking?", "Rory Report", `href="/people/`+rory.ID+`#sessions"`)
	r = m.submit("/bookings/"+bk.ID+"/cancel", url.Values{"person": {rory.ID}})
	mustStatus(t, r, http.StatusSeeOther)
	if !strings.HasPrefix(r.Location(), "/people/"+rory.ID+"?") {
		t.Errorf("after cancelling, sent to %q", r.Location())
	}
	r = m.follow(r)
	mustContain(t, r, "Booking cancelled: Rory Report", `<strong class="tag tag--exempt">Cancelled</strong>`)
	hpLacks(t, r, cancelHref)
	// Free again, Rory is offered once more.
	mustContain(t, m.visit("/sessions/"+second.ID), `<option value="`+rory.ID+`">Rory Report`)
}

package web_test

import (
	"net/http"
	"net/url"
	"strings"
	"testing"

	"github.com/complytrack/complytrack/pkg/auth"
)

// A trainer schedules a session from My sessions (the form names them as
// the trainer), changes it, adds a partner attendee and cancels it. Another
// trainer reaches the same pages but the service refuses them that
// session; auditors are told they may not, and employees find nothing.
func TestTrainerSchedulesTheirOwnSessions(t *testing.T) {
	e := newEnv(t, "http://127.0.0.1")
	e.workshop()
	tom := e.trainer("Tom", "Whitfield")
	olga := e.trainer("Olga", "Other")
	e.employee("Ella", "Staff")
	auditor := e.employee("Aditi", "Audit")
	if _, err := e.app.Accounts.SetRoles(t.Context(), e.hr, auditor.ID, auth.NewRoles(auth.RoleAuditor)); err != nil {
		t.Fatal(err)
	}

	b := e.newBrowser()
	b.signIn(tom.Email, castPassword)
	r := b.visit("/my-sessions")
	mustContain(t, r, `<a href="/sessions/new" class="button button--secondary" draggable="false">Schedule a session</a>`)
	mustContain(t, b.visit("/sessions"), `href="/sessions/new"`)
	r = b.visit("/sessions/new")
	mustStatus(t, r, http.StatusOK)
	// The trainer is chosen: themself, the one trainer they may name.
	mustContain(t, r, `<option value="`+tom.ID+`" selected>Tom Whitfield</option>`)
	hpLacks(t, r, `<option value="`+olga.ID+`"`, "Choose a trainer")

	r = b.submit("/sessions/new", url.Values{"course": {"WRAP"}, "date-day": {"3"}, "date-month": {"12"}, "date-year": {"2026"},
		"start-time": {"09:30"}, "end-time": {"12:00"}, "location": {"Council Offices, Room 4"}, "places": {"8"}, "trainer": {tom.ID}})
	mustStatus(t, r, http.StatusSeeOther)
	id := strings.TrimPrefix(strings.Split(r.Location(), "?")[0], "/sessions/")
	mustContain(t, b.follow(r), "Session scheduled", "Tom Whitfield", `href="/sessions/`+id+`/edit"`, `href="/sessions/`+id+`/cancel"`,
		`href="/sessions/`+id+`/partner"`)
	mustContain(t, b.visit("/my-sessions"), `href="/sessions/`+id+`"`)

	r = b.visit("/sessions/" + id + "/edit")
	mustStatus(t, r, http.StatusOK)
	mustContain(t, r, `<option value="`+tom.ID+`" selected>Tom Whitfield</option>`)
	r = b.submit("/sessions/"+id+"/edit", url.Values{"date-day": {"3"}, "date-month": {"12"}, "date-year": {"2026"},
		"start-time": {"13:00"}, "end-time": {"15:30"}, "location": {"Civic Centre, Room 1"}, "places": {"8"}, "trainer": {tom.ID}})
	mustStatus(t, r, http.StatusSeeOther)
	mustContain(t, b.follow(r), "Session changed", "1pm to 3:30pm", "Civic Centre, Room 1")
	mustStatus(t, b.get("/sessions/"+id+"/partner"), http.StatusOK)

	// Another trainer passes the guard, and the service refuses them this
	// session, for reading its form and for sending it alike.
	o := e.newBrowser()
	o.signIn(olga.Email, castPassword)
	hpLacks(t, o.visit("/sessions/"+id), `href="/sessions/`+id+`/edit"`, `href="/sessions/`+id+`/cancel"`)
	for _, path := range []string{"/sessions/" + id + "/edit", "/sessions/" + id + "/cancel", "/sessions/" + id + "/partner"} {
		if got := o.get(path).Status; got != http.StatusForbidden {
			t.Errorf("another trainer: GET %s answers %d, want 403", path, got)
		}
	}
	o.visit("/sessions/new")
	if got := o.submit("/sessions/"+id+"/cancel", url.Values{"reason": {"Not mine to cancel"}}).Status; got != http.StatusForbidden {
		t.Errorf("another trainer cancelling: %d, want 403", got)
	}
	if got := o.submit("/sessions/"+id+"/edit", url.Values{"date-day": {"4"}, "date-month": {"12"}, "date-year": {"2026"},
		"start-time": {"13:00"}, "end-time": {"15:30"}, "location": {"Elsewhere"}, "places": {"8"}, "trainer": {olga.ID}}).Status; got != http.StatusForbidden {
		t.Errorf("another trainer changing: %d, want 403", got)
	}

	for _, tc := range []struct {
		who, email string
		want       int
	}{
		{"auditor", auditor.Email, http.StatusForbidden},
		{"employee", "ella.staff@example.gov.uk", http.StatusNotFound},
	} {
		x := e.newBrowser()
		x.signIn(tc.email, castPassword)
		for _, path := range []string{"/sessions/new", "/sessions/" + id + "/edit", "/sessions/" + id + "/cancel", "/sessions/" + id + "/partner"} {
			if got := x.get(path).Status; got != tc.want {
				t.Errorf("%s: GET %s answers %d, want %d", tc.who, path, got, tc.want)
			}
		}
		hpLacks(t, x.visit("/sessions"), `href="/sessions/new"`)
	}

	r = b.visit("/sessions/" + id + "/cancel")
	mustStatus(t, r, http.StatusOK)
	r = b.submit("/sessions/"+id+"/cancel", url.Values{"reason": {"The room is not available"}})
	mustStatus(t, r, http.StatusSeeOther)
	mustContain(t, b.follow(r), "Session cancelled", "The room is not available.")
}

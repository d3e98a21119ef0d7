package web_test

import (
	"net/http"
	"regexp"
	"slices"
	"testing"

	"github.com/complytrack/complytrack/pkg/auth"
)

var headerLink = regexp.MustCompile(`<a class="header__link" href="([^"]+)"`)

// The header shows each person exactly the pages their roles reach: the
// navigation and the routes come from the same guards. A page in someone
// else's header is "not found" for them, or "you cannot do this" for an
// auditor on HR's forms. My team is the one page open to everyone without
// a link for everyone: it says when nobody reports to you.
func TestNavigationShowsWhatTheRoutesAllow(t *testing.T) {
	e := newEnv(t, "http://complytrack.test")
	manager := e.employee("Maya", "Boss")
	e.addPerson("Rory", "Report", manager.EmployeeNumber) // makes Maya a line manager
	auditor := e.employee("Aditi", "Audit")
	if _, err := e.app.Accounts.SetRoles(t.Context(), e.hr, auditor.ID, auth.NewRoles(auth.RoleAuditor)); err != nil {
		t.Fatal(err)
	}
	trainer := e.employee("Tomas", "Trainer")
	if _, err := e.app.Accounts.SetRoles(t.Context(), e.hr, trainer.ID, auth.NewRoles(auth.RoleEmployee, auth.RoleTrainer)); err != nil {
		t.Fatal(err)
	}
	employee := e.employee("Ella", "Staff")
	officer := e.employee("Mo", "Services")
	if _, err := e.app.Accounts.SetRoles(t.Context(), e.hr, officer.ID, auth.NewRoles(auth.RoleMemberServices)); err != nil {
		t.Fatal(err)
	}

	people := []struct {
		name, email, password string
	}{
		{"HR", adminEmail, adminPassword},
		{"auditor", auditor.Email, castPassword},
		{"line manager", manager.Email, castPassword},
		{"trainer", trainer.Email, castPassword},
		{"employee", employee.Email, castPassword},
		{"Member Services", officer.Email, castPassword},
	}
	shown := map[string][]string{}
	var everyLink []string
	for _, p := range people {
		b := e.newBrowser()
		b.signIn(p.email, p.password)
		r := b.get("/my-training")
		mustStatus(t, r, http.StatusOK)
		for _, m := range headerLink.FindAllStringSubmatch(r.Body, -1) {
			shown[p.name] = append(shown[p.name], m[1])
			if !slices.Contains(everyLink, m[1]) {
				everyLink = append(everyLink, m[1])
			}
		}
	}
	if len(everyLink) < 10 || !slices.Equal(shown["employee"], []string{"/my-training", "/sessions"}) ||
		!slices.Contains(shown["trainer"], "/my-sessions") {
		t.Fatalf("header links %v: want the ten pages between them, only My training and Sessions for an employee, and My sessions for a trainer", shown)
	}
	// Member Services works the Members as a line manager works a team.
	if !slices.Equal(shown["Member Services"], shown["line manager"]) {
		t.Errorf("Member Services sees %v in the header, want a line manager's %v", shown["Member Services"], shown["line manager"])
	}
	for _, p := range people {
		b := e.newBrowser()
		b.signIn(p.email, p.password)
		for _, href := range everyLink {
			got := b.get(href).Status
			switch {
			case slices.Contains(shown[p.name], href) && got != http.StatusOK:
				t.Errorf("%s: %s is in the header but answers %d", p.name, href, got)
			case !slices.Contains(shown[p.name], href) && href != "/team" && got != http.StatusNotFound:
				t.Errorf("%s: %s is not in the header but answers %d, want 404", p.name, href, got)
			}
		}
	}

	// HR's forms: HR may, auditors are told they may not, anyone else
	// finds nothing there.
	for _, tc := range []struct {
		who, email, password string
		want                 int
	}{
		{"HR", adminEmail, adminPassword, http.StatusOK},
		{"auditor", auditor.Email, castPassword, http.StatusForbidden},
		{"line manager", manager.Email, castPassword, http.StatusNotFound},
		{"employee", employee.Email, castPassword, http.StatusNotFound},
		{"Member Services", officer.Email, castPassword, http.StatusNotFound},
	} {
		b := e.newBrowser()
		b.signIn(tc.email, tc.password)
		for _, path := range []string{"/people/new", "/people/import", "/people/" + employee.ID + "/edit", "/courses/PREVENT/edit", "/people/" + employee.ID + "/exemptions/new"} {
			if got := b.get(path).Status; got != tc.want {
				t.Errorf("%s: GET %s answers %d, want %d", tc.who, path, got, tc.want)
			}
		}
	}

	// Scheduling a session: HR and trainers (each trainer for the
	// sessions they run); auditors are told they may not.
	for _, tc := range []struct {
		who, email, password string
		want                 int
	}{
		{"HR", adminEmail, adminPassword, http.StatusOK},
		{"trainer", trainer.Email, castPassword, http.StatusOK},
		{"auditor", auditor.Email, castPassword, http.StatusForbidden},
		{"line manager", manager.Email, castPassword, http.StatusNotFound},
		{"employee", employee.Email, castPassword, http.StatusNotFound},
		{"Member Services", officer.Email, castPassword, http.StatusNotFound},
	} {
		b := e.newBrowser()
		b.signIn(tc.email, tc.password)
		if got := b.get("/sessions/new").Status; got != tc.want {
			t.Errorf("%s: GET /sessions/new answers %d, want %d", tc.who, got, tc.want)
		}
	}
}

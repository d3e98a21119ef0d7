package web_test

import (
	"net/http"
	"strings"
	"testing"
	"time"

	"github.com/complytrack/complytrack/pkg/auth"
	"github.com/complytrack/complytrack/pkg/sessions"
	"github.com/complytrack/complytrack/pkg/training"
)

// The partner report, for HR and auditors: last month by default, its
// totals and each organisation's attendance from the registers kept, with
// the same as CSV; reached from the reports page and the dashboard.
func TestPartnerReportPage(t *testing.T) {
	e := newEnv(t, "http://127.0.0.1")
	e.workshop()
	tom := e.trainer("Tom", "Whitfield")
	ella := e.employee("Ella", "Staff")
	a := e.session("2026-11-03", 4, tom)
	b := e.session("2026-11-10", 3, tom)
	gone := e.session("2026-11-12", 5, tom)
	e.session("2026-12-02", 5, tom) // after the month
	ctx := t.Context()
	partner := func(sessionID, name, org string) string {
		t.Helper()
		bv, err := e.app.Sessions.Book(ctx, e.hr, sessionID, sessions.BookingRequest{External: &training.ExternalAttendee{
			Name: name, Email: strings.ReplaceAll(strings.ToLower(name), " ", ".") + "@partner.example.org", Organisation: org}})
		if err != nil {
			t.Fatal(err)
		}
		return bv.ID
	}
	pat := partner(a.ID, "Pat Constable", "Eastmoor Police")
	col := partner(a.ID, "Col Lecturer", "Eastmoor College")
	eve := partner(a.ID, "Eve Formula", "=Formula Org")
	sam := partner(b.ID, "Sam Sergeant", "eastmoor police ")
	partner(gone.ID, "Gus Gone", "Eastmoor Police")
	if _, err := e.app.Sessions.Cancel(ctx, e.hr, gone.ID, "The room flooded"); err != nil {
		t.Fatal(err)
	}
	e.clock.Advance(31 * 24 * time.Hour) // Thursday 3 December 2026
	if _, err := e.app.Sessions.Register(ctx, e.hr, a.ID, []string{pat, col, eve}, nil); err != nil {
		t.Fatal(err)
	}
	if _, err := e.app.Sessions.Register(ctx, e.hr, b.ID, nil, []string{sam}); err != nil {
		t.Fatal(err)
	}

	hr := hpSignInHR(e)
	mustContain(t, hr.visit("/reports"), `href="/reports/partners"`)
	mustContain(t, hr.visit("/dashboard"), `href="/reports/partners"`)
	r := hr.visit("/reports/partners")
	mustStatus(t, r, http.StatusOK)
	mustContain(t, r, `id="from-day" name="from-day" type="text" inputmode="numeric" value="1"`,
		`id="from-month" name="from-month" type="text" inputmode="numeric" value="11"`,
		`id="to-day" name="to-day" type="text" inputmode="numeric" value="30"`,
		"1 November 2026 to 30 November 2026",
		`id="sessions-delivered">2<`, `id="places-offered">7<`, `id="places-filled">4<`,
		`<th scope="row" data-label="Organisation">=Formula Org</th><td data-label="Attended" class="table__cell--numeric">1</td><td data-label="Did not attend" class="table__cell--numeric">0</td>`,
		`<th scope="row" data-label="Organisation">Eastmoor College</th><td data-label="Attended" class="table__cell--numeric">1</td><td data-label="Did not attend" class="table__cell--numeric">0</td>`,
		`<th scope="row" data-label="Organisation">Eastmoor Police</th><td data-label="Attended" class="table__cell--numeric">1</td><td data-label="Did not attend" class="table__cell--numeric">1</td>`,
		`href="/reports/partners.csv?from=2026-11-01&amp;to=2026-11-30"`)

	// Another period, typed in; one with nothing in it says so.
	r = hr.visit("/reports/partners?from-day=1&from-month=12&from-year=2026&to-day=31&to-month=12&to-year=2026")
	mustContain(t, r, `id="sessions-delivered">1<`, `id="places-offered">5<`, `id="places-filled">0<`,
		"No partner organisation&#39;s attendance was recorded in this period.")

	// Mistakes come back on the form.
	r = hr.visit("/reports/partners?from-day=31&from-month=2&from-year=2026&to-day=1&to-month=3&to-year=2026")
	mustStatus(t, r, http.StatusBadRequest)
	mustContain(t, r, `<a href="#from-day">The start date must be a real date, for example 27 3 2026.</a>`)
	r = hr.visit("/reports/partners?from-day=30&from-month=11&from-year=2026&to-day=1&to-month=11&to-year=2026")
	mustStatus(t, r, http.StatusBadRequest)
	mustContain(t, r, `<a href="#to-day">The end date must be the same as or after the start date, 30 November 2026.</a>`)

	csv := hr.get("/reports/partners.csv?from=2026-11-01&to=2026-11-30")
	mustStatus(t, csv, http.StatusOK)
	if ct := csv.Header.Get("Content-Type"); !strings.HasPrefix(ct, "text/csv") ||
		!strings.Contains(csv.Header.Get("Content-Disposition"), "partners-2026-11-01-to-2026-11-30.csv") {
		t.Errorf("CSV headers: %s, %s", ct, csv.Header.Get("Content-Disposition"))
	}
	if want := "organisation,attended,no_show\n'=Formula Org,1,0\nEastmoor College,1,0\nEastmoor Police,1,1\n"; csv.Body != want {
		t.Errorf("CSV:\n%s\nwant:\n%s", csv.Body, want)
	}
	mustStatus(t, hr.get("/reports/partners.csv?from=2026-11-30&to=2026-11-01"), http.StatusBadRequest)

	// Auditors read it; nobody else finds it.
	auditor := e.employee("Aditi", "Audit")
	if _, err := e.app.Accounts.SetRoles(ctx, e.hr, auditor.ID, auth.NewRoles(auth.RoleAuditor)); err != nil {
		t.Fatal(err)
	}
	aud := e.newBrowser()
	aud.signIn(auditor.Email, castPassword)
	mustContain(t, aud.visit("/reports/partners"), `id="places-filled">4<`)
	mustContain(t, aud.visit("/dashboard"), `href="/reports/partners"`)
	mustStatus(t, aud.get("/reports/partners.csv?from=2026-11-01&to=2026-11-30"), http.StatusOK)
	for _, who := range []string{tom.Email, ella.Email} {
		x := e.newBrowser()
		x.signIn(who, castPassword)
		for _, path := range []string{"/reports/partners", "/reports/partners.csv?from=2026-11-01&to=2026-11-30"} {
			if got := x.get(path).Status; got != http.StatusNotFound {
				t.Errorf("%s: GET %s answers %d, want 404", who, path, got)
			}
		}
	}
}

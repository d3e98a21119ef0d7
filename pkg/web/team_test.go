package web_test

import (
	"net/http"
	"net/url"
	"strings"
	"testing"

	"github.com/complytrack/complytrack/pkg/auth"
	"github.com/complytrack/complytrack/pkg/training"
)

// hrCast is a small organisation: Mara manages Ben, who manages Cara;
// Olly has no manager and reports to nobody; Audrey is an auditor. Mara,
// Olly and Audrey can sign in with castPassword.
type hrCast struct {
	mara, ben, cara, olly, audrey training.Person
}

func newHRCast(e *env) hrCast {
	e.t.Helper()
	var c hrCast
	c.mara = e.employee("Mara", "Hill")
	c.ben = e.addPerson("Ben", "Stone", "E-Mara")
	c.cara = e.addPerson("Cara", "Lee", "E-Ben")
	c.olly = e.employee("Olly", "Field")
	c.audrey = e.employee("Audrey", "Quill")
	if _, err := e.app.Accounts.SetRoles(e.t.Context(), e.hr, c.audrey.ID, auth.NewRoles(auth.RoleAuditor)); err != nil {
		e.t.Fatal(err)
	}
	return c
}

func mustNotContain(t *testing.T, r result, unwanted ...string) {
	t.Helper()
	for _, u := range unwanted {
		if strings.Contains(r.Body, u) {
			t.Errorf("page (status %d) contains %q, which it must not:\n%s", r.Status, u, r.Body)
		}
	}
}

func TestMyTeamShowsOnlyTheReportingLine(t *testing.T) {
	e := newEnv(t, "http://127.0.0.1")
	cast := newHRCast(e)
	// A job title that a spreadsheet would run as a formula.
	if _, err := e.app.Training.UpdatePerson(t.Context(), e.hr, cast.cara.ID, func(in *training.PersonInput) error {
		in.JobTitle = "=HYPERLINK(\"x\")"
		return nil
	}); err != nil {
		t.Fatal(err)
	}
	b := e.newBrowser()
	b.signIn("mara.hill@example.gov.uk", castPassword)

	r := b.visit("/team")
	mustStatus(t, r, http.StatusOK)
	mustContain(t, r, `href="/team" aria-current="page">My team`, "Ben Stone", "Cara Lee",
		`href="/people/`+cast.ben.ID+`"`, `<strong class="tag tag--overdue">Overdue</strong>`, `href="/team.csv"`)
	mustNotContain(t, r, "Olly Field", "Audrey Quill", `href="/people"`)

	// Filters: nobody is compliant; an unknown course is refused on the form.
	r = b.visit("/team?status=compliant")
	mustStatus(t, r, http.StatusOK)
	mustContain(t, r, "Nobody in your reporting line matches these filters.", `<option value="compliant" selected>`)
	mustNotContain(t, r, "Ben Stone")
	r = b.visit("/team?status=overdue&course=PREVENT")
	mustContain(t, r, "Ben Stone", "Cara Lee", `href="/team.csv?course=PREVENT&amp;status=overdue"`)
	r = b.visit("/team?course=NOPE")
	mustStatus(t, r, http.StatusBadRequest)
	mustContain(t, r, `<a href="#course">Choose a course from the list.</a>`)

	// The CSV holds the same rows, with formulas defused.
	r = b.get("/team.csv?status=overdue&course=PREVENT")
	mustStatus(t, r, http.StatusOK)
	if ct := r.Header.Get("Content-Type"); !strings.HasPrefix(ct, "text/csv") {
		t.Errorf("CSV content type %q", ct)
	}
	if !strings.HasPrefix(r.Body, "employee_number,name,job_title,department,course_code,course,status,due_on,expires_on,explanation\n") {
		t.Errorf("CSV header:\n%s", r.Body)
	}
	mustContain(t, r, "E-Ben,Ben Stone,Housing Officer,Housing,PREVENT,Prevent awareness,overdue,2024-04-29,", `"'=HYPERLINK(""x"")"`)
	mustNotContain(t, r, "Olly", "Mara")

	// A person in the line: their page, without the audit; outside it: 404.
	r = b.visit("/people/" + cast.cara.ID)
	mustStatus(t, r, http.StatusOK)
	mustContain(t, r, "<h1 class=\"heading-l\">Cara Lee</h1>", "Prevent awareness", "due 29 April 2024 = start date 1 April 2024",
		`<a class="link" href="/people/`+cast.ben.ID+`">Ben Stone</a>`)
	mustNotContain(t, r, ">Audit<", "/edit")
	mustStatus(t, b.visit("/people/"+cast.olly.ID), http.StatusNotFound)
	mustStatus(t, b.visit("/people/no-such-id"), http.StatusNotFound)
	mustStatus(t, b.get("/people"), http.StatusNotFound)
	mustStatus(t, b.get("/people/new"), http.StatusNotFound)
	mustStatus(t, b.get("/people/"+cast.cara.ID+"/edit"), http.StatusNotFound)
	mustStatus(t, b.get("/people/import"), http.StatusNotFound)

	// An employee with nobody reporting to them sees an empty team, no
	// "My team" link, and nobody else's page.
	o := e.newBrowser()
	r = o.signIn("olly.field@example.gov.uk", castPassword)
	mustNotContain(t, r, `href="/team"`, `href="/people"`)
	r = o.visit("/team")
	mustStatus(t, r, http.StatusOK)
	mustContain(t, r, "Nobody reports to you.")
	mustNotContain(t, r, "Ben Stone", "Cara Lee")
	r = o.get("/team.csv")
	mustStatus(t, r, http.StatusOK)
	if strings.Count(r.Body, "\n") != 1 {
		t.Errorf("an employee's team CSV has rows:\n%s", r.Body)
	}
	for _, id := range []string{cast.mara.ID, cast.cara.ID, e.hr.PersonID} {
		mustStatus(t, o.visit("/people/"+id), http.StatusNotFound)
	}
	mustStatus(t, o.get("/people"), http.StatusNotFound)
	// Their own page they may see (as the API lets them), without the audit.
	r = o.visit("/people/" + cast.olly.ID)
	mustStatus(t, r, http.StatusOK)
	mustNotContain(t, r, ">Audit<", "/edit")
	mustStatus(t, o.get("/people?q=cara"), http.StatusNotFound)
	o.visit("/my-training")
	r = o.submit("/people/new", url.Values{"employee-number": {"E-X"}})
	mustStatus(t, r, http.StatusNotFound)
}

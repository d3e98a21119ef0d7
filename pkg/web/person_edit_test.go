package web_test

import (
	"net/http"
	"net/url"
	"strings"
	"testing"

	"github.com/complytrack/complytrack/pkg/training"
)

// The edit form holds every field of the person: what it sends is the
// whole of what they become, empty inputs included. Sent again unchanged,
// it stores nothing.
func TestEditPersonFormIsTheWholePerson(t *testing.T) {
	e := newEnv(t, "http://127.0.0.1")
	cast := newHRCast(e)
	b := e.newBrowser()
	b.signIn(adminEmail, adminPassword)
	ben := cast.ben
	edit := "/people/" + ben.ID + "/edit"

	r := b.visit(edit)
	mustStatus(t, r, http.StatusOK)
	mustContain(t, r, `value="E-Ben"`, `value="Housing Officer"`, `value="E-Mara"`)
	form := url.Values{
		"employee-number": {"E-Ben"}, "given-name": {" Benjamin "}, "family-name": {"Stone"}, "email": {ben.Email},
		"kind": {"contractor"}, "job-title": {""}, "department": {""}, "manager": {""},
		"start-date-day": {"1"}, "start-date-month": {"4"}, "start-date-year": {"2024"},
		"end-date-day": {"31"}, "end-date-month": {"3"}, "end-date-year": {"2027"},
	}
	mustStatus(t, b.submit(edit, form), http.StatusSeeOther)
	got, err := e.app.Training.PersonByID(t.Context(), ben.ID)
	if err != nil {
		t.Fatal(err)
	}
	want := ben
	want.GivenName, want.Kind, want.JobTitle, want.Department, want.ManagerID = "Benjamin", training.KindContractor, "", "", ""
	want.EndDate, want.UpdatedAt = training.MustDate("2027-03-31"), got.UpdatedAt
	if got != want {
		t.Errorf("stored %+v\nwant   %+v", got, want)
	}

	audits := func() int {
		page, err := e.app.Training.ListAudit(t.Context(), e.hr, ben.ID, training.PageRequest{Limit: 100})
		if err != nil {
			t.Fatal(err)
		}
		return len(page.Items)
	}
	before := audits()
	b.visit(edit)
	mustStatus(t, b.submit(edit, form), http.StatusSeeOther)
	if after := audits(); after != before {
		t.Errorf("the same form again wrote %d audit entries, want none", after-before)
	}

	// A wrong date stores nothing, and the other fields' problems are in
	// the summary with it, in the form's order.
	b.visit(edit)
	form.Set("given-name", " ")
	form.Set("start-date-month", "13")
	r = b.submit(edit, form)
	mustStatus(t, r, http.StatusUnprocessableEntity)
	name, date := `<a href="#given-name">Enter the first name.</a>`, `<a href="#start-date-day">The start date must be a real date`
	mustContain(t, r, "There is a problem", name, date)
	if strings.Index(r.Body, name) > strings.Index(r.Body, date) {
		t.Error("the summary lists the start date before the first name")
	}
	if now, _ := e.app.Training.PersonByID(t.Context(), ben.ID); now != got {
		t.Errorf("a refused form changed the person: %+v", now)
	}
}

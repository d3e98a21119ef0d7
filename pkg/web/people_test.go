package web_test

import (
	"bytes"
	"fmt"
	"html"
	"net/http"
	"net/url"
	"regexp"
	"strings"
	"testing"

	"github.com/complytrack/complytrack/pkg/training"
)

// personForm is the add/edit form filled in; override fields with extra.
func personForm(extra map[string]string) url.Values {
	v := url.Values{
		"employee-number": {"E-Nia"}, "given-name": {"Nia"}, "family-name": {"Okafor"}, "email": {"nia.okafor@example.gov.uk"},
		"kind": {"staff"}, "job-title": {"Planner"}, "department": {"Planning"}, "manager": {"E-Mara"},
		"start-date-day": {"2"}, "start-date-month": {"11"}, "start-date-year": {"2026"},
	}
	for k, x := range extra {
		v.Set(k, x)
	}
	return v
}

func TestHRPeoplePages(t *testing.T) {
	e := newEnv(t, "http://127.0.0.1")
	cast := newHRCast(e)
	b := e.newBrowser()
	r := b.signIn(adminEmail, adminPassword)
	mustContain(t, r, `<a class="header__link" href="/people">People</a>`)

	r = b.visit("/people")
	mustStatus(t, r, http.StatusOK)
	mustContain(t, r, "Ben Stone", "Cara Lee", "Olly Field", `href="/people/new"`, `href="/people/import"`)
	r = b.visit("/people?q=cara")
	mustContain(t, r, "Cara Lee", "Clear search")
	mustNotContain(t, r, "Ben Stone")
	r = b.visit("/people?status=nonsense")
	mustStatus(t, r, http.StatusBadRequest)
	mustContain(t, r, `<a href="#status">Choose a status from the list.</a>`)

	// A page number that is not one shows the first page, not a 500.
	r = b.visit("/people?page=%21%21")
	mustStatus(t, r, http.StatusOK)
	mustContain(t, r, "Showing 1–")

	// Add a person: the empty form is refused with an error per field.
	b.visit("/people/new")
	r = b.submit("/people/new", url.Values{"kind": {"staff"}})
	mustStatus(t, r, http.StatusUnprocessableEntity)
	mustContain(t, r, "There is a problem", `<a href="#start-date-day">Enter the start date.</a>`, `href="#employee-number"`, `href="#given-name"`)
	r = b.submit("/people/new", personForm(map[string]string{"start-date-month": "13"}))
	mustStatus(t, r, http.StatusUnprocessableEntity)
	mustContain(t, r, "The start date must be a real date", `value="nia.okafor@example.gov.uk"`)
	r = b.submit("/people/new", personForm(nil))
	mustStatus(t, r, http.StatusSeeOther)
	r = b.follow(r)
	mustContain(t, r, "Saved: Nia Okafor", "Planner", `>Mara Hill</a>`, "2 November 2026", ">Audit<", ">Added<")
	nia, err := e.app.Training.PersonByEmail(t.Context(), "nia.okafor@example.gov.uk")
	if err != nil {
		t.Fatal(err)
	}
	// The same employee number again is refused.
	b.visit("/people/new")
	r = b.submit("/people/new", personForm(map[string]string{"email": "other@example.gov.uk"}))
	mustStatus(t, r, http.StatusUnprocessableEntity)
	mustContain(t, r, `href="#employee-number"`)

	// Edit: a leaver gets an end date.
	r = b.visit("/people/" + nia.ID + "/edit")
	mustStatus(t, r, http.StatusOK)
	mustContain(t, r, `value="E-Nia"`, `value="E-Mara"`, `id="end-date-day"`)
	r = b.submit("/people/"+nia.ID+"/edit", personForm(map[string]string{"end-date-day": "30", "end-date-month": "11", "end-date-year": "2026"}))
	mustStatus(t, r, http.StatusSeeOther)
	r = b.follow(r)
	mustContain(t, r, "30 November 2026", ">Details changed<", "End date: none → 30 November 2026")
	if p, _ := e.app.Training.PersonByID(t.Context(), nia.ID); p.EndDate != training.MustDate("2026-11-30") {
		t.Errorf("end date %v", p.EndDate)
	}
	// A form without the CSRF token is refused.
	mustStatus(t, b.post("/people/"+nia.ID+"/edit", personForm(nil)), http.StatusForbidden)

	// The auditor reads every page but has no form or button.
	a := e.newBrowser()
	a.signIn("audrey.quill@example.gov.uk", castPassword)
	r = a.visit("/people")
	mustStatus(t, r, http.StatusOK)
	mustContain(t, r, "Nia Okafor", "Cara Lee")
	mustNotContain(t, r, `href="/people/new"`, `href="/people/import"`, `method="post" action="/people`)
	r = a.visit("/people/" + nia.ID)
	mustStatus(t, r, http.StatusOK)
	mustContain(t, r, ">Audit<", ">Details changed<")
	mustNotContain(t, r, "/edit", `method="post" action="/people`)
	for _, path := range []string{"/people/new", "/people/" + nia.ID + "/edit", "/people/import"} {
		mustStatus(t, a.visit(path), http.StatusForbidden)
	}
	a.visit("/my-training")
	mustStatus(t, a.submit("/people/new", personForm(map[string]string{"employee-number": "E-Aud", "email": "aud@example.gov.uk"})), http.StatusForbidden)
	mustStatus(t, a.submit("/people/"+cast.cara.ID+"/edit", personForm(map[string]string{"employee-number": "E-Cara"})), http.StatusForbidden)
	mustStatus(t, a.postMultipart("/people/import", map[string]string{"csrf_token": a.csrf()}, upload{"file", "p.csv", []byte(importCSV)}), http.StatusForbidden)
	if _, err := e.app.Training.PersonByEmail(t.Context(), "aud@example.gov.uk"); err == nil {
		t.Error("the auditor added a person")
	}
}

// importCSV has three new people; line 3's e-mail is not an address.
const importCSV = "employee_number,email,given_name,family_name,kind,job_title,department,manager_employee_number,start_date\n" +
	"E-Imp1,imp.one@example.gov.uk,Imp,One,staff,Clerk,Housing,E-Mara,2026-10-01\n" +
	"E-Imp2,not-an-address,Imp,Two,staff,Clerk,Housing,E-Mara,2026-10-01\n" +
	"E-Imp3,imp.three@example.gov.uk,Imp,Three,staff,Clerk,Housing,,2026-10-01\n"

var tokenInput = regexp.MustCompile(`name="token" value="([^"]+)"`)

func TestImportPreviewThenImport(t *testing.T) {
	e := newEnv(t, "http://127.0.0.1")
	newHRCast(e)
	b := e.newBrowser()
	b.signIn(adminEmail, adminPassword)
	r := b.visit("/people/import")
	mustStatus(t, r, http.StatusOK)
	mustContain(t, r, `enctype="multipart/form-data"`, `<label class="label label--m" for="file">CSV file</label>`)

	// No file, and a file without the columns: refused on the form.
	r = b.postMultipart("/people/import", map[string]string{"csrf_token": b.csrf()})
	mustStatus(t, r, http.StatusUnprocessableEntity)
	mustContain(t, r, `<a href="#file">Choose a CSV file to import.</a>`)
	r = b.postMultipart("/people/import", map[string]string{"csrf_token": b.csrf()}, upload{"file", "x.csv", []byte("name\nBob\n")})
	mustStatus(t, r, http.StatusUnprocessableEntity)
	mustContain(t, r, `href="#file">The file&#39;s header has columns we do not recognise: &#34;name&#34;. The columns are`)
	// Without the CSRF token: refused.
	mustStatus(t, b.postMultipart("/people/import", nil, upload{"file", "people.csv", []byte(importCSV)}), http.StatusForbidden)

	// The preview: counts and the bad line, and nothing written.
	b.visit("/people/import")
	r = b.postMultipart("/people/import", map[string]string{"csrf_token": b.csrf()}, upload{"file", "people.csv", []byte(importCSV)})
	mustStatus(t, r, http.StatusOK)
	mustContain(t, r, "Nothing has been imported yet", `id="count-created">2 people`, `id="count-errors">1`,
		`<td data-label="Line" class="table__cell--numeric">3</td>`, `<td data-label="Column">email</td>`, "Import the other lines")
	for _, email := range []string{"imp.one@example.gov.uk", "imp.three@example.gov.uk"} {
		if _, err := e.app.Training.PersonByEmail(t.Context(), email); err == nil {
			t.Fatalf("the preview stored %s", email)
		}
	}
	m := tokenInput.FindStringSubmatch(r.Body)
	if m == nil {
		t.Fatal("the preview has no confirm form")
	}
	// Someone else cannot confirm HR's preview, nor can a made-up token.
	r = b.submit("/people/import/confirm", url.Values{"token": {"made-up"}})
	mustStatus(t, r, http.StatusGone)

	// Confirm: the good lines are imported, the bad one is listed again.
	b.visit("/people/import")
	r = b.submit("/people/import/confirm", url.Values{"token": {m[1]}})
	mustStatus(t, r, http.StatusOK)
	mustContain(t, r, "Import complete", "Imported people.csv: 2 added, 0 updated", `id="count-errors">1`, `<td data-label="Line" class="table__cell--numeric">3</td>`)
	one, err := e.app.Training.PersonByEmail(t.Context(), "imp.one@example.gov.uk")
	if err != nil {
		t.Fatal(err)
	}
	if one.ManagerID == "" {
		t.Error("the imported person has no manager")
	}
	// The token is spent: a second click imports nothing twice.
	b.visit("/people/import")
	mustStatus(t, b.submit("/people/import/confirm", url.Values{"token": {m[1]}}), http.StatusGone)

	// The same file again changes nothing but the fixed line.
	fixed := strings.Replace(importCSV, "not-an-address", "imp.two@example.gov.uk", 1)
	r = b.postMultipart("/people/import", map[string]string{"csrf_token": b.csrf()}, upload{"file", "people.csv", []byte(fixed)})
	mustContain(t, r, `id="count-created">1 person`, `id="count-unchanged">2 people`, `id="count-errors">0`)
}

func TestPeopleListPagesAndImportLimit(t *testing.T) {
	e := newEnv(t, "http://127.0.0.1")
	for i := range 105 {
		e.addPerson(fmt.Sprintf("Page%03d", i), "Person", "")
	}
	b := e.newBrowser()
	b.signIn(adminEmail, adminPassword)
	r := b.visit("/people?q=person")
	mustStatus(t, r, http.StatusOK)
	mustContain(t, r, "Page000 Person", "Page099 Person", `rel="next">Next`)
	mustNotContain(t, r, "Page100 Person", `rel="prev"`)
	next := regexp.MustCompile(`href="([^"]+)" rel="next"`).FindStringSubmatch(r.Body)
	if next == nil {
		t.Fatal("no next page link")
	}
	r = b.visit(html.UnescapeString(next[1]))
	mustStatus(t, r, http.StatusOK)
	mustContain(t, r, "Page100 Person", "Page104 Person", `rel="prev">Previous`, `value="person"`)
	mustNotContain(t, r, "Page099 Person", `rel="next"`)

	// The import takes files larger than a certificate (up to 32 MB): a
	// 6 MB file is read (and refused for what it holds), a 33 MB one is not.
	r = b.postMultipart("/people/import", map[string]string{"csrf_token": b.csrf()}, upload{"file", "big.csv", bytes.Repeat([]byte("x"), 6<<20)})
	mustStatus(t, r, http.StatusUnprocessableEntity)
	mustContain(t, r, `href="#file">Line 1 of the file is too long`)
	r = b.postMultipart("/people/import", map[string]string{"csrf_token": b.csrf()}, upload{"file", "huge.csv", bytes.Repeat([]byte("x"), 33<<20)})
	mustStatus(t, r, http.StatusRequestEntityTooLarge)
}

// The preview and the confirmation of an import may reach two replicas:
// the previewed file is held in the database, not in the process that
// showed the preview.
func TestImportConfirmedOnAnotherReplica(t *testing.T) {
	e := newEnv(t, "http://127.0.0.1")
	newHRCast(e)
	b := e.newBrowser()
	b.signIn(adminEmail, adminPassword)
	b.visit("/people/import")
	r := b.postMultipart("/people/import", map[string]string{"csrf_token": b.csrf()}, upload{"file", "people.csv", []byte(importCSV)})
	mustStatus(t, r, http.StatusOK)
	m := tokenInput.FindStringSubmatch(r.Body)
	if m == nil {
		t.Fatal("the preview has no confirm form")
	}
	other := *b // the same browser, its requests now sent to the other replica
	other.e = e.replica()
	other.visit("/people/import")
	r = other.submit("/people/import/confirm", url.Values{"token": {m[1]}})
	mustStatus(t, r, http.StatusOK)
	mustContain(t, r, "Import complete")
	if _, err := e.app.Training.PersonByEmail(t.Context(), "imp.one@example.gov.uk"); err != nil {
		t.Fatalf("the first replica does not see the imported person: %v", err)
	}
	// Imported once: the first replica cannot import the file again.
	mustStatus(t, b.submit("/people/import/confirm", url.Values{"token": {m[1]}}), http.StatusGone)
}

package web_test

import (
	"fmt"
	"net/http"
	"net/url"
	"strings"
	"testing"

	"github.com/complytrack/complytrack/pkg/training"
)

// itrentHeader is the header of an iTrent-style export.
const itrentHeader = "Employee Number,Title,Forename,Surname,Work Email,Person Type,Job Title,Cost Centre,Reports To,Hire Date,Leaving Date\n"

// importCast stores ten people in Housing (E-P1..E-P10), E-P10 about to be
// left out of the export, and returns an iTrent-style export of the
// organisation: E-P1 promoted, E-P2 moved to Finance, everyone else as
// stored but E-P10, a new starter with a UK date, and a line whose date
// does not exist.
func importCast(e *env) string {
	e.t.Helper()
	for i := 1; i <= 10; i++ {
		e.addPerson(fmt.Sprintf("P%d", i), "Person", "")
	}
	file := itrentHeader +
		"E-P1,Ms,P1,Person,p1.person@example.gov.uk,Employee,Team Leader,Housing,,01/04/2024,\n" +
		"E-P2,Mr,P2,Person,p2.person@example.gov.uk,Employee,Housing Officer,Finance,E-P1,01/04/2024,\n"
	for i := 3; i <= 8; i++ {
		file += fmt.Sprintf("E-P%d,Ms,P%d,Person,p%d.person@example.gov.uk,Employee,Housing Officer,Housing,,1/4/2024,\n", i, i, i)
	}
	file += "E-P9,Ms,P9,Person,p9.person@example.gov.uk,Employee,Housing Officer,Housing,,31/02/2024,\n" +
		"N1,Mr,Nathan,Newman,nathan.newman@example.gov.uk,Employee,Housing Officer,Housing,E-P1,23/11/2026,\n"
	return file
}

// HR upload an export in an HR system's own headers and UK dates: the
// columns page proposes what each column holds and the date format; the
// preview names who is added, what changes for whom, the bad line in
// words, and who on record is missing; one click ends a leaver's record,
// audited; confirming imports through the same choices, which are
// remembered for the next file.
func TestImportThroughColumns(t *testing.T) {
	e := newEnv(t, "http://127.0.0.1")
	file := importCast(e)
	b := e.newBrowser()
	b.signIn(adminEmail, adminPassword)
	b.visit("/people/import")

	r := b.postMultipart("/people/import", map[string]string{"csrf_token": b.csrf()}, upload{"file", "itrent.csv", []byte(file)})
	mustStatus(t, r, http.StatusSeeOther)
	if !strings.HasPrefix(r.Location(), "/people/import/columns?token=") {
		t.Fatalf("the upload leads to %q, want the columns page", r.Location())
	}
	r = b.follow(r)
	mustStatus(t, r, http.StatusOK)
	mustContain(t, r, "Match the file&#39;s columns", `id="suggested"`,
		`<label class="label" for="column-0">Employee Number</label>`, `For example, E-P1`,
		`<option value="employee_number" selected>Employee number (required)</option>`,
		`<option value="start_date" selected>Start date (required)</option>`,
		`<option value="end_date" selected>End date</option>`,
		`value="DD/MM/YYYY" checked`)
	// "Title" (Mr, Ms) is left out.
	mustContain(t, r, `<label class="label" for="column-1">Title</label>`)
	if strings.Count(r.Body, `<option value="" selected>Do not import</option>`) != 1 {
		t.Errorf("want only Title left out:\n%s", r.Body)
	}
	token := r.Body[strings.Index(r.Body, `name="token" value="`)+len(`name="token" value="`):]
	token = token[:strings.Index(token, `"`)]

	choices := url.Values{"token": {token}, "date_format": {"DD/MM/YYYY"}, "name": {"iTrent"}}
	for i, col := range []string{"employee_number", "", "given_name", "family_name", "email", "kind", "job_title", "department", "manager_employee_number", "start_date", "end_date"} {
		choices.Set(fmt.Sprintf("column-%d", i), col)
	}
	r = b.submit("/people/import/columns", choices)
	mustStatus(t, r, http.StatusSeeOther)
	r = b.follow(r)
	mustStatus(t, r, http.StatusOK)
	mustContain(t, r, "Check the import before it is made", "read with the column choices <strong>iTrent</strong>",
		`<td data-label="Name">Nathan Newman</td>`,
		`Job title: Housing Officer <span aria-hidden="true">→</span><span class="visually-hidden">becomes</span> Team Leader`,
		`Department: Housing <span aria-hidden="true">→</span><span class="visually-hidden">becomes</span> Finance`,
		`Line manager&#39;s employee number: none <span aria-hidden="true">→</span><span class="visually-hidden">becomes</span> E-P1`,
		`<td data-label="Column">Hire Date (start date)</td>`,
		`<td data-label="Problem">Enter the start date as a real date in the form DD/MM/YYYY, like 23/11/2026.</td>`,
		`id="leavers"`, "P10 Person", `Set end date<span class="visually-hidden"> for P10 Person</span>`)
	if _, err := e.app.Training.PersonByEmail(t.Context(), "nathan.newman@example.gov.uk"); err == nil {
		t.Fatal("the preview imported people")
	}

	// One click ends P10's record, through the audited person update.
	p10, err := e.app.Training.PersonByEmail(t.Context(), "p10.person@example.gov.uk")
	if err != nil {
		t.Fatal(err)
	}
	mapping := b.last.Body[strings.Index(b.last.Body, `name="mapping" value="`)+len(`name="mapping" value="`):]
	mapping = mapping[:strings.Index(mapping, `"`)]
	r = b.submit("/people/import/end-date", url.Values{"token": {token}, "mapping": {mapping}, "person_id": {p10.ID}})
	mustStatus(t, r, http.StatusSeeOther)
	r = b.follow(r)
	mustContain(t, r, "P10 Person’s end date is set to 2 November 2026.")
	mustNotContain(t, r, `for P10 Person</span>`)
	p10, _ = e.app.Training.PersonByEmail(t.Context(), "p10.person@example.gov.uk")
	if p10.EndDate != training.MustDate("2026-11-02") {
		t.Errorf("P10's end date is %v, want today", p10.EndDate)
	}
	audit, err := e.app.Training.ListAudit(t.Context(), e.hr, p10.ID, training.PageRequest{Limit: 10})
	if err != nil {
		t.Fatal(err)
	}
	ended := false
	for _, a := range audit.Items {
		ended = ended || a.Action == "person.update" && strings.Contains(string(a.After), "2026-11-02")
	}
	if !ended {
		t.Errorf("no audit entry for P10's end date: %+v", audit.Items)
	}

	r = b.submit("/people/import/confirm", url.Values{"token": {token}, "mapping": {mapping}})
	mustStatus(t, r, http.StatusOK)
	mustContain(t, r, "Imported itrent.csv: 1 added, 2 updated")
	n1, err := e.app.Training.PersonByEmail(t.Context(), "nathan.newman@example.gov.uk")
	if err != nil || n1.StartDate != training.MustDate("2026-11-23") {
		t.Errorf("Nathan Newman: %+v %v, want a start date of 23 November 2026", n1, err)
	}

	// The next export from the same system is read with the same choices.
	b.visit("/people/import")
	r = b.follow(b.postMultipart("/people/import", map[string]string{"csrf_token": b.csrf()}, upload{"file", "itrent-december.csv", []byte(file)}))
	mustContain(t, r, `id="remembered"`, "These are the choices made for <strong>iTrent</strong> last time.", `value="iTrent"`,
		`<option value="start_date" selected>Start date (required)</option>`)
}

// Dates that could be read either way are asked about, never guessed; a
// choice that leaves a required field out is refused in words.
func TestImportColumnsAsked(t *testing.T) {
	e := newEnv(t, "http://127.0.0.1")
	b := e.newBrowser()
	b.signIn(adminEmail, adminPassword)
	b.visit("/people/import")
	file := "Staff No,First Name,Last Name,Email Address,Assignment Category,Start Date\nS1,Sam,Staff,sam@example.gov.uk,Permanent,03/04/2026\n"
	r := b.follow(b.postMultipart("/people/import", map[string]string{"csrf_token": b.csrf()}, upload{"file", "esr.csv", []byte(file)}))
	mustContain(t, r, "We cannot tell from the file: a date like 03/04/2026 could be 3 April or 4 March.")
	mustNotContain(t, r, " checked>")
	token := r.Body[strings.Index(r.Body, `name="token" value="`)+len(`name="token" value="`):]
	token = token[:strings.Index(token, `"`)]

	r = b.submit("/people/import/columns", url.Values{"token": {token}, "name": {"ESR"},
		"column-0": {"employee_number"}, "column-1": {"given_name"}, "column-2": {"family_name"}, "column-3": {"email"}, "column-4": {""}, "column-5": {"start_date"}})
	mustStatus(t, r, http.StatusUnprocessableEntity)
	mustContain(t, r, `<a href="#column-0">Choose a column of the file for each required field: kind of person.</a>`,
		`<a href="#date_format">Choose how the file writes dates: YYYY-MM-DD or DD/MM/YYYY.</a>`,
		`<option value="given_name" selected>First name (required)</option>`)

	r = b.submit("/people/import/columns", url.Values{"token": {token}, "name": {"ESR"}, "date_format": {"DD/MM/YYYY"},
		"column-0": {"employee_number"}, "column-1": {"given_name"}, "column-2": {"family_name"}, "column-3": {"email"}, "column-4": {"kind"}, "column-5": {"start_date"}})
	r = b.follow(r)
	mustContain(t, r, `<td data-label="Name">Sam Staff</td>`)
	mustNotContain(t, r, `id="leavers"`)

	// Only HR reach these pages.
	emp := e.employee("Sophie", "Marsh")
	o := e.newBrowser()
	o.signIn(emp.Email, castPassword)
	for _, path := range []string{"/people/import/columns?token=" + token, "/people/import/preview?token=" + token} {
		if r := o.get(path); r.Status != http.StatusForbidden && r.Status != http.StatusNotFound {
			t.Errorf("an employee opening %s: %d", path, r.Status)
		}
	}
}

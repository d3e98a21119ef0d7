package web_test

import (
	"net/http"
	"net/url"
	"regexp"
	"strconv"
	"strings"
	"testing"

	"github.com/complytrack/complytrack/pkg/training"
)

// The forms show the domain's sentences as they are: never a field's
// label glued to a fragment ("Line manager's employee number no person
// has…", "The file the header has…"); bad text is refused with the same
// rule as the API and the import; a start date far ahead is saved with a
// warning.
func TestFormMessagesAndTextRules(t *testing.T) {
	e := newEnv(t, "http://127.0.0.1")
	newHRCast(e)
	b := e.newBrowser()
	b.signIn(adminEmail, adminPassword)

	b.visit("/people/new")
	for _, tt := range []struct {
		name   string
		change map[string]string
		want   string
	}{
		{"unknown line manager", map[string]string{"manager": "E0000"},
			`<a href="#manager">There is no one with employee number E0000 to be the line manager.</a>`},
		{"first name of zero-width spaces", map[string]string{"given-name": "\u200b\u200b"},
			`<a href="#given-name">The first name must not contain control characters or invisible characters.</a>`},
		{"last name with a line separator", map[string]string{"family-name": "Okafor\u2028"},
			`<a href="#family-name">The last name must be on one line, without line breaks.</a>`},
		{"first name with U+0085", map[string]string{"given-name": "Nia\u0085"},
			`<a href="#given-name">The first name must be on one line, without line breaks.</a>`},
		{"email without a dot in its domain", map[string]string{"email": "nia@localhost"},
			`<a href="#email">Enter the email address in the correct format, like name@example.org.</a>`},
		{"end date before the start", map[string]string{"end-date-day": "1", "end-date-month": "1", "end-date-year": "2020"},
			`<a href="#end-date-day">The end date must be the same as or after the start date, 2 November 2026.</a>`},
	} {
		t.Run(tt.name, func(t *testing.T) {
			r := b.submit("/people/new", personForm(tt.change))
			mustStatus(t, r, http.StatusUnprocessableEntity)
			mustContain(t, r, tt.want)
			mustNotContain(t, r, "Line manager&#39;s employee number no", "First name must", "Email address must")
		})
	}
	if _, err := e.app.Training.PersonByEmail(t.Context(), "nia.okafor@example.gov.uk"); err == nil {
		t.Fatal("a refused person was stored")
	}

	// Saved, with a warning, when the start date is more than a year ahead.
	r := b.submit("/people/new", personForm(map[string]string{"start-date-year": "2028"}))
	mustStatus(t, r, http.StatusSeeOther)
	r = b.follow(r)
	mustContain(t, r, "Saved: Nia Okafor", "The start date, 2 November 2028, is more than a year from today: check the year is right.")

	// The import: a file-wide problem is the sentence itself.
	b.visit("/people/import")
	r = b.postMultipart("/people/import", map[string]string{"csrf_token": b.csrf()},
		upload{"file", "x.csv", []byte("employee_number,email,salary\nE1,a@example.org,1\n")})
	mustStatus(t, r, http.StatusUnprocessableEntity)
	mustContain(t, r, `href="#file">The file&#39;s header has columns we do not recognise: &#34;salary&#34;. The columns are`)
	mustNotContain(t, r, "The file the header")

	// Lines that would be imported but look wrong are listed to check, in
	// the preview and in the summary.
	file := "employee_number,email,given_name,family_name,kind,start_date\n" +
		"E-Far,far@example.gov.uk,Fay,Far,staff,2031-05-01\n" +
		"E-Near,near@example.gov.uk,Ned,Near,staff,2026-10-01\n" +
		"E-Bad,bad@example.gov.uk,\u200b,Bad,staff,2026-10-01\n"
	b.visit("/people/import")
	r = b.postMultipart("/people/import", map[string]string{"csrf_token": b.csrf()}, upload{"file", "people.csv", []byte(file)})
	mustStatus(t, r, http.StatusOK)
	warning := "The start date, 2031-05-01, is more than a year from today: check the year is right."
	mustContain(t, r, `id="count-created">2 people`, `id="import-warnings"`, warning,
		"The first name must not contain control characters or invisible characters.")
	m := tokenInput.FindStringSubmatch(r.Body)
	if m == nil {
		t.Fatal("the preview has no confirm form")
	}
	r = b.submit("/people/import/confirm", url.Values{"token": {m[1]}})
	mustStatus(t, r, http.StatusOK)
	mustContain(t, r, "Import complete", `id="import-warnings"`, warning)
	if _, err := e.app.Training.PersonByEmail(t.Context(), "far@example.gov.uk"); err != nil {
		t.Errorf("the line with the warning was not imported: %v", err)
	}
}

// A reason with a line break is refused on the exemption form with the
// domain's sentence, as the API refuses it.
func TestExemptionReasonTextRules(t *testing.T) {
	e := newEnv(t, "http://127.0.0.1")
	sophie := e.addPerson("Sophie", "Marsh", "")
	b := hpSignInHR(e)
	base := "/people/" + sophie.ID + "/exemptions"
	b.visit(base + "/new")
	for reason, want := range map[string]string{
		"Long-term\r\nleave": "The reason must be on one line, without line breaks.",
		"Long-term\x00leave": "The reason must not contain control characters or invisible characters.",
		"\u200b":             "The reason must not contain control characters or invisible characters.",
	} {
		r := b.submit(base, url.Values{"course_code": {"PREVENT"}, "reason": {reason}})
		mustStatus(t, r, http.StatusUnprocessableEntity)
		mustContain(t, r, `<a href="#reason">`+want+`</a>`)
	}
	if list, err := e.app.Training.ExemptionsOf(t.Context(), e.hr, sophie.ID); err != nil || len(list) != 0 {
		t.Errorf("exemptions: %+v, %v", list, err)
	}
}

var reportCell = regexp.MustCompile(`<td data-label="([^"]+)"(?: class="[^"]*")?>([^<]*)</td>`)

// The report page's Required is applicable - exempt, with Exempt in a
// column of its own, and the percentage is of Required.
func TestReportPageRequiredLeavesOutExempt(t *testing.T) {
	e := newEnv(t, "http://127.0.0.1")
	sophie := e.addPerson("Sophie", "Marsh", "")
	ben := e.addPerson("Ben", "Stone", "")
	e.addPerson("Cara", "Lee", "")
	for _, p := range []training.Person{sophie, ben} {
		if _, err := e.app.Training.GrantExemption(t.Context(), e.hr, p.ID, training.ExemptionInput{CourseCode: "PREVENT", Reason: "Long-term leave"}); err != nil {
			t.Fatal(err)
		}
	}
	rep, err := e.app.Training.ComplianceReport(t.Context(), e.hr, training.ReportRequest{CourseCode: "PREVENT"})
	if err != nil {
		t.Fatal(err)
	}
	if rep.Totals.Exempt != 2 || rep.Totals.Applicable < 3 {
		t.Fatalf("totals %+v", rep.Totals)
	}
	b := hpSignInHR(e)
	r := b.visit("/reports?course_code=PREVENT&group_by=department")
	mustStatus(t, r, http.StatusOK)
	totals := regexp.MustCompile(`(?s)<tr id="report-totals">.*?</tr>`).FindString(r.Body)
	cells := map[string]string{}
	for _, m := range reportCell.FindAllStringSubmatch(totals, -1) {
		cells[m[1]] = m[2]
	}
	required, _ := strconv.Atoi(cells["Required"])
	exempt, _ := strconv.Atoi(cells["Exempt"])
	if required != rep.Totals.Applicable-rep.Totals.Exempt || exempt != rep.Totals.Exempt {
		t.Errorf("totals row: Required %q, Exempt %q; want %d and %d (applicable %d)", cells["Required"], cells["Exempt"],
			rep.Totals.Applicable-rep.Totals.Exempt, rep.Totals.Exempt, rep.Totals.Applicable)
	}
	if !strings.HasPrefix(cells["Compliance"], strconv.FormatFloat(rep.Totals.Pct(), 'f', -1, 64)) {
		t.Errorf("totals row: Compliance %q, want %v%%", cells["Compliance"], rep.Totals.Pct())
	}
}

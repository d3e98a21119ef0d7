package httpapi_test

import (
	"encoding/json"
	"net/http"
	"strings"
	"testing"
)

// Text that would be altered or hidden when shown (invisible names, line
// breaks, control characters) is refused with 422 naming the field, on
// create and change of a person, and in an exemption's or a revocation's
// reason. Nothing is stored.
func TestBadTextIsRefusedNamingTheField(t *testing.T) {
	e := newEnv(t)
	hr := e.tokens["hr"]
	ada := e.addPerson("ada", "", nil)
	c := e.recordByHR(ada.ID, "PREVENT", "2026-10-01")
	before := e.written(ada.ID)

	names := map[string]string{
		"only a zero-width space":   "\u200b",
		"only zero-width spaces":    "\u200b\u200b\u200b",
		"a line separator":          "Ada\u2028Lovelace",
		"next line U+0085":          "Ada\u0085",
		"a line feed at the end":    "Ada\n",
		"NUL":                       "Ada\x00",
		"a right-to-left override":  "\u202eAda",
		"only replacement chars":    "\ufffd\ufffd",
		"a byte-order mark only":    "\ufeff",
		"only a combining mark":     "\u0301",
		"a soft hyphen only":        "\u00ad",
		"a carriage return inside":  "Ada\rLovelace",
		"a paragraph separator":     "\u2029",
		"an escape sequence inside": "Ada\x1b[2J",
	}
	for what, name := range names {
		t.Run("new person's first name with "+what, func(t *testing.T) {
			body := map[string]any{"employee_number": "E-NEW", "email": "new@example.gov.uk", "given_name": name,
				"family_name": "Tester", "kind": "staff", "start_date": "2024-04-01"}
			p := wantProblem(t, e.do("POST", "/api/v1/people", hr, body), http.StatusUnprocessableEntity, "given_name")
			if len(p.Errors) != 1 {
				t.Errorf("errors %+v, want only given_name", p.Errors)
			}
		})
		t.Run("changed last name with "+what, func(t *testing.T) {
			wantProblem(t, e.do("PATCH", "/api/v1/people/"+ada.ID, hr, map[string]any{"family_name": name}), http.StatusUnprocessableEntity, "family_name")
		})
	}
	reasons := map[string]string{
		"NUL":               "Career\x00break",
		"CR LF":             "Career\r\nbreak",
		"LF":                "Career\nbreak",
		"CR":                "Career\rbreak",
		"U+2028":            "Career\u2028break",
		"only invisible":    "\u200b\u200b",
		"only replacements": "\ufffd",
	}
	for what, reason := range reasons {
		t.Run("exemption reason with "+what, func(t *testing.T) {
			wantProblem(t, e.do("POST", "/api/v1/people/"+ada.ID+"/exemptions", hr, map[string]any{"course_code": "PREVENT", "reason": reason}),
				http.StatusUnprocessableEntity, "reason")
		})
		t.Run("revocation reason with "+what, func(t *testing.T) {
			wantProblem(t, e.do("POST", "/api/v1/completions/"+c.ID+"/revoke", hr, map[string]any{"reason": reason}),
				http.StatusUnprocessableEntity, "reason")
		})
	}
	e.wantUnchanged(before, ada.ID)
	if got := e.listPeople("q=E-NEW"); len(got) != 0 {
		t.Errorf("a refused person was stored: %+v", got)
	}

	// Spaces around text go; the text inside is stored as typed.
	r := e.must(http.StatusCreated, "POST", "/api/v1/people", hr, map[string]any{"employee_number": " E-ZOE\t", "email": "zoe@example.gov.uk",
		"given_name": "\u00a0Zoë ", "family_name": "Brontë  Smith", "kind": "staff", "start_date": "2024-04-01"})
	zoe := decode[jPerson](t, r)
	if zoe.EmployeeNumber != "E-ZOE" || zoe.GivenName != "Zoë" || zoe.FamilyName != "Brontë  Smith" {
		t.Errorf("stored %+v", zoe)
	}
}

type jWarnings struct {
	Warnings []jFieldError `json:"warnings"`
}

// A start date more than a year ahead is stored, and the answer warns
// about it, on create, change and import; warnings is always a list.
func TestStartDateFarAheadIsAWarning(t *testing.T) {
	e := newEnv(t)
	hr := e.tokens["hr"]
	// Today is 2026-11-02.
	body := func(num, start string) map[string]any {
		return map[string]any{"employee_number": num, "email": strings.ToLower(num) + "@example.gov.uk", "given_name": "Ada",
			"family_name": "Tester", "kind": "staff", "start_date": start}
	}
	warningsOf := func(r response) []jFieldError {
		t.Helper()
		var raw map[string]json.RawMessage
		if err := json.Unmarshal(r.Body, &raw); err != nil || string(raw["warnings"]) == "" || string(raw["warnings"]) == "null" {
			t.Fatalf("no warnings list in %s", r.Body)
		}
		return decode[jWarnings](t, r).Warnings
	}
	if w := warningsOf(e.must(http.StatusCreated, "POST", "/api/v1/people", hr, body("E1", "2027-11-02"))); len(w) != 0 {
		t.Errorf("a year ahead exactly: warnings %+v", w)
	}
	r := e.must(http.StatusCreated, "POST", "/api/v1/people", hr, body("E2", "2027-11-03"))
	if w := warningsOf(r); len(w) != 1 || w[0].Field != "start_date" || !strings.Contains(w[0].Message, "2027-11-03") {
		t.Errorf("a year and a day ahead: warnings %+v", w)
	}
	id := decode[jPerson](t, r).ID
	if p := e.getPerson(id); p.StartDate != "2027-11-03" {
		t.Errorf("stored start date %q", p.StartDate)
	}
	if w := warningsOf(e.must(http.StatusOK, "PATCH", "/api/v1/people/"+id, hr, map[string]any{"start_date": "2030-01-01"})); len(w) != 1 {
		t.Errorf("change to 2030: warnings %+v", w)
	}

	file := "employee_number,email,given_name,family_name,kind,start_date\n" +
		"E3,e3@example.gov.uk,Ada,Tester,staff,2031-05-01\n" +
		"E4,e4@example.gov.uk,Ada,Tester,staff,2026-01-05\n" +
		"E5,e5@example.gov.uk,,Tester,staff,2031-05-01\n"
	for _, dry := range []string{"true", "false"} {
		r := e.must(http.StatusOK, "POST", "/api/v1/people/import?dry_run="+dry, hr, csvBody(file))
		var out struct {
			Created  int `json:"created"`
			Errors   []struct{ Line int }
			Warnings []struct {
				Line    int    `json:"line"`
				Field   string `json:"field"`
				Message string `json:"message"`
			} `json:"warnings"`
		}
		if err := json.Unmarshal(r.Body, &out); err != nil {
			t.Fatal(err)
		}
		if out.Created != 2 || len(out.Errors) != 1 || len(out.Warnings) != 1 || out.Warnings[0].Line != 2 ||
			out.Warnings[0].Field != "start_date" || !strings.Contains(out.Warnings[0].Message, "2031-05-01") {
			t.Errorf("import dry_run=%s: %s", dry, r.Body)
		}
	}
}

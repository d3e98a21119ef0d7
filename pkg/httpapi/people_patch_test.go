package httpapi_test

import (
	"net/http"
	"strings"
	"testing"
)

// A PATCH is laid over the person as they are, by JSON's merge rules:
// absent and null fields stay, "" clears the optional ones.
func TestPatchPersonMergesOntoThePerson(t *testing.T) {
	e := newEnv(t)
	e.addPerson("boss", "", nil)
	e.addPerson("other", "", nil)
	emp := e.addPerson("emp", "boss", map[string]any{"end_date": "2027-03-31"})
	hr := e.tokens["hr"]
	type person struct {
		GivenName  string `json:"given_name"`
		Kind       string `json:"kind"`
		JobTitle   string `json:"job_title"`
		Department string `json:"department"`
		Manager    string `json:"manager_employee_number"`
		StartDate  string `json:"start_date"` // "" for null
		EndDate    string `json:"end_date"`
		UpdatedAt  string `json:"updated_at"`
	}
	want := person{GivenName: "Emp", Kind: "staff", JobTitle: "Officer", Department: "Housing", Manager: "EMP-boss",
		StartDate: "2024-04-01", EndDate: "2027-03-31"}
	for _, tc := range []struct {
		name    string
		body    string
		change  func(*person)
		written bool
	}{
		{"one field", `{"job_title":"Senior Officer"}`, func(p *person) { p.JobTitle = "Senior Officer" }, true},
		{"nothing", `{}`, func(*person) {}, false},
		{"nulls leave fields alone", `{"job_title":null,"kind":null,"start_date":null,"end_date":null,"manager_employee_number":null}`, func(*person) {}, false},
		{"the same values", `{"job_title":"Senior Officer","department":"Housing"}`, func(*person) {}, false},
		{"text is trimmed", `{"given_name":"  Emma ","kind":"member"}`, func(p *person) { p.GivenName, p.Kind = "Emma", "member" }, true},
		{"another manager", `{"manager_employee_number":"EMP-other"}`, func(p *person) { p.Manager = "EMP-other" }, true},
		{"empty strings clear the end date and the manager", `{"end_date":"","manager_employee_number":""}`, func(p *person) { p.EndDate, p.Manager = "", "" }, true},
		{"a start date", `{"start_date":"2024-05-01"}`, func(p *person) { p.StartDate = "2024-05-01" }, true},
	} {
		t.Run(tc.name, func(t *testing.T) {
			before := e.written(emp.ID)
			r := e.must(http.StatusOK, "PATCH", "/api/v1/people/"+emp.ID, hr, tc.body)
			tc.change(&want)
			got := decode[person](t, r)
			stored := decode[person](t, e.must(http.StatusOK, "GET", "/api/v1/people/"+emp.ID, hr, nil))
			want.UpdatedAt = stored.UpdatedAt
			if got != stored || got != want {
				t.Errorf("answered %+v, stored %+v, want %+v", got, stored, want)
			}
			if tc.written {
				if after := e.written(emp.ID); after.people == before.people || after.audit != before.audit+1 {
					t.Errorf("written: people changed %v, %d audit entries; want changed, one entry", after.people != before.people, after.audit-before.audit)
				}
			} else {
				e.wantUnchanged(before, emp.ID)
			}
		})
	}
}

// A malformed body is refused whoever sends it; a well-formed one is
// refused as the person is: someone who cannot see them is told there is
// no such person, someone who can but is not HR that they may not,
// before the values are looked at.
func TestPatchPersonChecksTheBodyThenTheCaller(t *testing.T) {
	e := newEnv(t)
	e.addPerson("boss", "", nil)
	emp := e.addPerson("emp", "boss", nil)
	e.addPerson("clerk", "", nil)
	e.giveAccount("clerk")
	e.giveAccount("boss")
	for _, tc := range []struct {
		name, who, body string
		status          int
		fields          []string
	}{
		{"unknown field, stranger", "clerk", `{"nickname":"Em"}`, 422, []string{"nickname"}},
		{"wrong type, stranger", "clerk", `{"job_title":7}`, 422, []string{"job_title"}},
		{"not an object, stranger", "clerk", `[]`, 422, []string{"body"}},
		{"bad kind, stranger", "clerk", `{"kind":"robot"}`, 404, nil},
		{"bad kind, manager", "boss", `{"kind":"robot"}`, 403, nil},
		{"bad kind, HR", "hr", `{"kind":"robot"}`, 422, []string{"kind"}},
		{"start date cleared, HR", "hr", `{"start_date":""}`, 422, []string{"start_date"}},
	} {
		t.Run(tc.name, func(t *testing.T) {
			before := e.written(emp.ID)
			p := wantProblem(t, e.do("PATCH", "/api/v1/people/"+emp.ID, e.tokens[tc.who], tc.body), tc.status, tc.fields...)
			if tc.name == "start date cleared, HR" && (len(p.Errors) != 1 || p.Errors[0].Message != "Enter the start date.") {
				t.Errorf("errors %+v, want one: Enter the start date.", p.Errors)
			}
			e.wantUnchanged(before, emp.ID)
		})
	}
}

// The API reads a course's kinds at the edge and names the one it does
// not know, once.
func TestCourseKindsAreReadAtTheEdge(t *testing.T) {
	e := newEnv(t)
	hr := e.tokens["hr"]
	body := map[string]any{"code": "CHANNEL", "title": "Channel awareness", "effective_from": "2026-01-01",
		"applies_to": map[string]any{"kinds": []string{"staff", "Robot"}}}
	for _, r := range []response{
		e.do("POST", "/api/v1/courses", hr, body),
		e.do("PATCH", "/api/v1/courses/PREVENT", hr, map[string]any{"applies_to": map[string]any{"kinds": []string{"Robot"}}}),
	} {
		p := wantProblem(t, r, http.StatusUnprocessableEntity, "applies_to.kinds")
		want := `The course can apply only to staff, members, contractors or volunteers, not to "Robot".`
		if len(p.Errors) != 1 || p.Errors[0].Message != want {
			t.Errorf("errors %+v, want one: %s", p.Errors, want)
		}
	}
	e.must(http.StatusNotFound, "GET", "/api/v1/courses/CHANNEL", hr, nil)
	got := decode[struct {
		AppliesTo struct{ Kinds []string } `json:"applies_to"`
	}](t, e.must(http.StatusOK, "GET", "/api/v1/courses/PREVENT", hr, nil))
	if strings.Join(got.AppliesTo.Kinds, ",") != "staff,member" {
		t.Errorf("PREVENT applies to %v after a refused change", got.AppliesTo.Kinds)
	}
}

package httpapi_test

import (
	"encoding/json"
	"net/http"
	"reflect"
	"strings"
	"testing"
)

const itrentExport = "Employee Number,Title,Forename,Surname,Work Email,Person Type,Job Title,Cost Centre,Reports To,Hire Date,Leaving Date\n"

var itrentColumns = map[string]string{
	"Employee Number": "employee_number", "Forename": "given_name", "Surname": "family_name", "Work Email": "email",
	"Person Type": "kind", "Job Title": "job_title", "Cost Centre": "department", "Reports To": "manager_employee_number",
	"Hire Date": "start_date", "Leaving Date": "end_date",
}

// HR keep a mapping of their HR system's export, find it in the list, and
// import a file in that system's headers and UK dates through it, dry run
// first.
func TestImportMappings(t *testing.T) {
	e := newEnv(t)
	hr := e.tokens["hr"]

	r := e.do("POST", "/api/v1/import-mappings", hr, map[string]any{"name": "iTrent", "columns": itrentColumns, "date_format": "DD/MM/YYYY"})
	if r.Status != http.StatusCreated {
		t.Fatalf("create: %d %s", r.Status, r.Body)
	}
	var created struct {
		ID         string            `json:"id"`
		Name       string            `json:"name"`
		Columns    map[string]string `json:"columns"`
		DateFormat string            `json:"date_format"`
		CreatedAt  string            `json:"created_at"`
	}
	if err := json.Unmarshal(r.Body, &created); err != nil {
		t.Fatal(err)
	}
	if created.ID == "" || created.Name != "iTrent" || !reflect.DeepEqual(created.Columns, itrentColumns) || created.DateFormat != "DD/MM/YYYY" || created.CreatedAt == "" {
		t.Errorf("created %+v", created)
	}

	r = e.do("GET", "/api/v1/import-mappings", hr, nil)
	var listed struct {
		Items []struct {
			ID      string            `json:"id"`
			Columns map[string]string `json:"columns"`
		} `json:"items"`
	}
	if err := json.Unmarshal(r.Body, &listed); err != nil || r.Status != http.StatusOK {
		t.Fatalf("list: %d %s", r.Status, r.Body)
	}
	if len(listed.Items) != 1 || listed.Items[0].ID != created.ID || !reflect.DeepEqual(listed.Items[0].Columns, itrentColumns) {
		t.Errorf("listed %+v", listed.Items)
	}

	file := itrentExport +
		"M1,Ms,Mona,Manager,mona.manager@example.gov.uk,Employee,Head of Housing,Housing,,08/01/2024,\n" +
		"S1,Mr,Sam,Staff,sam.staff@example.gov.uk,Employee,Officer,Housing,M1,23/11/2026,\n" +
		"S2,Mr,Sid,Broken,sid@example.gov.uk,Employee,Officer,Housing,M1,2026/11/23,\n"
	for _, step := range []struct {
		query string
		want  string
	}{
		{"?dry_run=true&mapping=" + created.ID, `"created":2`},
		{"?mapping=" + created.ID, `"created":2`},
		{"?mapping=" + created.ID, `"unchanged":2`},
	} {
		r = e.do("POST", "/api/v1/people/import"+step.query, hr, csvBody(file))
		if r.Status != http.StatusOK || !strings.Contains(string(r.Body), step.want) ||
			!strings.Contains(string(r.Body), `{"line":4,"field":"start_date","message":"Enter the start date as a real date in the form DD/MM/YYYY, like 23/11/2026."}`) {
			t.Errorf("import%s: %d %s, want %s and line 4 refused", step.query, r.Status, r.Body, step.want)
		}
	}
	r = e.do("GET", "/api/v1/people?q=Sam", hr, nil)
	if !strings.Contains(string(r.Body), `"start_date":"2026-11-23"`) {
		t.Errorf("Sam Staff's start date is not 23 November 2026: %s", r.Body)
	}

	// Without the mapping, the same file is refused as a whole.
	r = e.do("POST", "/api/v1/people/import?dry_run=true", hr, csvBody(file))
	if r.Status != http.StatusUnprocessableEntity {
		t.Errorf("import without the mapping: %d %s", r.Status, r.Body)
	}
	r = e.do("POST", "/api/v1/people/import?dry_run=true&mapping=nope", hr, csvBody(file))
	if r.Status != http.StatusUnprocessableEntity || !strings.Contains(string(r.Body), `"field":"mapping"`) {
		t.Errorf("import with an unknown mapping: %d %s", r.Status, r.Body)
	}
}

// A mapping that cannot read a file is refused with each problem on its
// field, in words.
func TestImportMappingRefused(t *testing.T) {
	e := newEnv(t)
	hr := e.tokens["hr"]
	with := func(change func(map[string]string)) map[string]string {
		m := map[string]string{}
		for k, v := range itrentColumns {
			m[k] = v
		}
		change(m)
		return m
	}
	for _, tc := range []struct {
		name string
		body map[string]any
		want []string // "field: message"
	}{
		{"an unknown field", map[string]any{"name": "x", "date_format": "DD/MM/YYYY", "columns": with(func(m map[string]string) { m["Title"] = "salutation" })},
			[]string{`columns: The column "Title" is matched to "salutation", which is not a field complytrack imports. Choose one of: employee_number, email, given_name, family_name, kind, job_title, department, manager_employee_number, start_date, end_date.`}},
		{"a field mapped twice", map[string]any{"name": "x", "date_format": "DD/MM/YYYY", "columns": with(func(m map[string]string) { m["Known As"] = "given_name" })},
			[]string{`columns: The columns "Forename" and "Known As" are both matched to first name: choose one column for each field.`}},
		{"required fields missing", map[string]any{"name": "x", "date_format": "DD/MM/YYYY", "columns": with(func(m map[string]string) { delete(m, "Hire Date") })},
			[]string{"columns: Choose a column of the file for each required field: start date."}},
		{"no name, no date format", map[string]any{"name": " ", "date_format": "MM/DD/YYYY", "columns": itrentColumns},
			[]string{"name: Enter the name.", "date_format: Choose how the file writes dates: YYYY-MM-DD or DD/MM/YYYY."}},
	} {
		t.Run(tc.name, func(t *testing.T) {
			r := e.do("POST", "/api/v1/import-mappings", hr, tc.body)
			var p struct {
				Errors []struct{ Field, Message string } `json:"errors"`
			}
			if err := json.Unmarshal(r.Body, &p); err != nil || r.Status != http.StatusUnprocessableEntity {
				t.Fatalf("%d %s", r.Status, r.Body)
			}
			var got []string
			for _, fe := range p.Errors {
				got = append(got, fe.Field+": "+fe.Message)
			}
			if !reflect.DeepEqual(got, tc.want) {
				t.Errorf("got  %q\nwant %q", got, tc.want)
			}
		})
	}
	r := e.do("GET", "/api/v1/import-mappings", hr, nil)
	if !strings.Contains(string(r.Body), `"items":[]`) {
		t.Errorf("a refused mapping was kept: %s", r.Body)
	}
}

// The suggestion matches headers on synonyms and says the date format
// only when the dates tell it.
func TestSuggestImportMapping(t *testing.T) {
	e := newEnv(t)
	hr := e.tokens["hr"]
	for _, tc := range []struct {
		name, file, want string
	}{
		{"UK dates", itrentExport + "M1,Ms,Mona,Manager,mona@example.gov.uk,Employee,Head,Housing,,23/11/2026,\n",
			`{"columns":{"Cost Centre":"department","Employee Number":"employee_number","Forename":"given_name","Hire Date":"start_date","Job Title":"job_title","Leaving Date":"end_date","Person Type":"kind","Reports To":"manager_employee_number","Surname":"family_name","Work Email":"email"},"date_format":"DD/MM/YYYY","unmatched":["Title"]}`},
		{"dates that could be read either way", "Staff No,First Name,Last Name,Start Date\nS1,Sam,Staff,03/04/2026\n",
			`{"columns":{"First Name":"given_name","Last Name":"family_name","Staff No":"employee_number","Start Date":"start_date"},"date_format":null,"unmatched":[]}`},
	} {
		t.Run(tc.name, func(t *testing.T) {
			r := e.do("POST", "/api/v1/import-mappings/suggest", hr, csvBody(tc.file))
			if r.Status != http.StatusOK || strings.TrimSpace(string(r.Body)) != tc.want {
				t.Errorf("%d %s\nwant %s", r.Status, r.Body, tc.want)
			}
		})
	}
	if r := e.do("POST", "/api/v1/import-mappings/suggest", hr, map[string]string{"file": "x"}); r.Status != http.StatusUnsupportedMediaType {
		t.Errorf("JSON body: %d %s, want 415", r.Status, r.Body)
	}
	if r := e.do("POST", "/api/v1/import-mappings/suggest", hr, csvBody("")); r.Status != http.StatusUnprocessableEntity {
		t.Errorf("empty file: %d %s, want 422", r.Status, r.Body)
	}
}

package peoplecsv_test

import (
	"bytes"
	"encoding/csv"
	"errors"
	"strings"
	"testing"
	"unicode"
	"unicode/utf8"

	"github.com/complytrack/complytrack/pkg/peoplecsv"
	"github.com/complytrack/complytrack/pkg/training"
)

// isSentence reports whether msg is one plain sentence: a capital letter
// first and a full stop last.
func isSentence(msg string) bool {
	r, _ := utf8.DecodeRuneInString(msg)
	return unicode.IsUpper(r) && strings.HasSuffix(msg, ".") && !strings.Contains(msg, "..")
}

// The messages people asked about, word for word, and every other
// message an import can give: each a sentence.
func TestImportMessages(t *testing.T) {
	cols := "employee_number, email, given_name, family_name, kind, job_title, department, manager_employee_number, start_date, end_date"
	files := []struct {
		name, file, want string
	}{
		{"unknown columns", strings.TrimSuffix(header, "\n") + ",Salary,grade\n",
			`The file's header has columns we do not recognise: "salary", "grade". The columns are ` + cols + "."},
		{"missing columns", "employee_number,given_name,family_name,start_date\n",
			"The file's header does not have these required columns: email, kind."},
		{"empty", "", "The file is empty. Its first line must be a header naming the columns: " + strings.ReplaceAll(cols, ", ", ",") + "."},
		{"column twice", "email," + header, "The file's header names the column email twice."},
		{"not UTF-8", "employee_number,\xff\n", `The file is not UTF-8 text. Save it from the spreadsheet as "CSV UTF-8".`},
		{"header not CSV", "employee_number,e\"mail\n", `The file's header row, on line 1, is not valid CSV: a cell that does not start with " contains one: put the whole cell in double quotes and double each " inside it.`},
		{"unnamed column", "employee_number,,email\n", `The file's header has columns we do not recognise: an unnamed column 2. The columns are ` + cols + "."},
	}
	for _, tt := range files {
		t.Run(tt.name, func(t *testing.T) {
			_, _, err := readAll(t, tt.file, 0)
			var ve *training.ValidationError
			if !errors.As(err, &ve) || len(ve.Fields) != 1 || ve.Fields[0].Field != "file" {
				t.Fatalf("Read: %v, want one problem with the file", err)
			}
			if got := ve.Fields[0].Message; got != tt.want {
				t.Errorf("message\n  got  %q\n  want %q", got, tt.want)
			}
		})
	}

	// Line problems, from Read and from PlanImport.
	file := header +
		csvLine("E1", "E0000") + // no such manager
		"E2,e2@example.org,Ada,Lovelace,robot,,,,2026-13-01,2019-01-01\n" +
		"E3,e3@localhost,\u200b,Lovelace,staff,A\u2028B,,E3,2020-01-06,2019-01-01\n" +
		"E4,e4,Ada\n" +
		"E5,e5@example.org,\"Ada\"x,Lovelace,staff,,,,2020-01-06,\n" +
		csvLine("E1", "") +
		"E6,E1@example.org,Ada,Lovelace,staff,,,,2020-01-06,\n" +
		"E7,e7@example.org,Ada,Lovelace,staff,,,E8,2020-01-06,\n" +
		"E8,e8@example.org,Ada,Lovelace,staff,,,E7,2020-01-06,\n" +
		"E9,e9@example.org,Ada,Lovelace,staff,,,E2,2020-01-06,\n" +
		"E 10,,,,,,,,3000-01-01,\n"
	rows, lineErrs, err := readAll(t, file, 0)
	if err != nil {
		t.Fatal(err)
	}
	plan := peoplecsv.PlanImport(rows, stored(input("E20", "")))
	all := append(lineErrs, plan.Errors...)
	if len(all) < 15 {
		t.Fatalf("only %d problems: %q", len(all), formatErrors(all))
	}
	for _, e := range all {
		if !isSentence(e.Message) {
			t.Errorf("line %d %s: %q is not a sentence", e.Line, e.Field, e.Message)
		}
		if strings.Contains(e.Field, "_") && strings.Contains(e.Message, e.Field) {
			t.Errorf("line %d: %q names the column %s instead of saying what it is", e.Line, e.Message, e.Field)
		}
	}
	for _, want := range []string{
		"2 manager_employee_number: There is no one with employee number E0000 to be the line manager, in this file or already stored.",
		"3 start_date: Enter the start date as a real date in the form YYYY-MM-DD, like 2026-03-27.",
		"3 kind: The kind of person must be staff, member, contractor or volunteer.",
		"4 given_name: The first name must not contain control characters or invisible characters.",
		"4 job_title: The job title must be on one line, without line breaks.",
		"4 email: Enter the email address in the correct format, like name@example.org.",
		"5 : This line has 3 cells but the header has 10 columns.",
		"7 employee_number: The employee number E1 is also on line 2: each person can be in the file only once.",
		"8 email: The email address E1@example.org is also on line 2: an email address can belong to one person only.",
		"9 manager_employee_number: This line manager would make a loop in the reporting line, where each reports to the next: E7 → E8 → E7.",
		"12 start_date: The start date must be between the years 1900 and 2999.",
	} {
		if !containsString(formatErrors(all), want) {
			t.Errorf("no %q among\n%q", want, formatErrors(all))
		}
	}
}

func containsString(list []string, s string) bool {
	for _, v := range list {
		if v == s {
			return true
		}
	}
	return false
}

// csvFile writes rows as a CSV file with the full header.
func csvFile(t *testing.T, rows ...[]string) string {
	t.Helper()
	var b bytes.Buffer
	w := csv.NewWriter(&b)
	_ = w.Write(strings.Split(strings.TrimSuffix(header, "\n"), ","))
	for _, r := range rows {
		if err := w.Write(r); err != nil {
			t.Fatal(err)
		}
	}
	w.Flush()
	return b.String()
}

// The import applies the domain's text rules, unchanged: the cell is
// refused with the domain's own message, and nothing is removed silently
// but the spaces around it.
func TestImportTextRules(t *testing.T) {
	for _, name := range []string{
		"\u200b", "\u200b\u200b", "Ada\u2028Lovelace", "Ada\u0085", "\ufeff", "\u202eAda", "\ufffd", "\ufffd\ufffd",
		"Ada\x00", "Ada\nLovelace", "Ada\r\n", "\u0301", "\u00ad",
	} {
		file := csvFile(t, []string{"E1", "e1@example.org", name, "Lovelace", "staff", "", "", "", "2020-01-06", ""})
		rows, lineErrs, err := readAll(t, file, 0)
		if err != nil {
			t.Fatalf("%q: %v", name, err)
		}
		plan := peoplecsv.PlanImport(rows, nil)
		all := append(lineErrs, plan.Errors...)
		want := training.TextProblem("given_name", training.TrimText(strings.ReplaceAll(name, "\r\n", "\n")), 100, true)
		if want == "" {
			t.Fatalf("%q: the domain accepts it", name)
		}
		if len(plan.Creates) != 0 || len(all) != 1 || all[0].Field != "given_name" || all[0].Message != want {
			t.Errorf("given name %q: creates %d, errors %q; want refused with %q", name, len(plan.Creates), formatErrors(all), want)
		}
	}
	// Spaces around a cell go; what is inside stays as it was.
	file := csvFile(t, []string{"E1", " e1@example.org\t", "\u00a0Zoë  Brontë ", "O'Brien", "staff", "", "", "", "2020-01-06", ""})
	rows, lineErrs, err := readAll(t, file, 0)
	if err != nil || len(lineErrs) != 0 {
		t.Fatalf("%v %q", err, formatErrors(lineErrs))
	}
	plan := peoplecsv.PlanImport(rows, nil)
	if len(plan.Creates) != 1 || plan.Creates[0].Input.GivenName != "Zoë  Brontë" || plan.Creates[0].Input.Email != "e1@example.org" {
		t.Errorf("creates %+v", plan.Creates)
	}
}

// A start date more than a year ahead is imported, with a warning on its
// line; so is a change to one. Rows refused or unchanged have none.
func TestPlanWarnings(t *testing.T) {
	today := training.MustDate("2026-03-31")
	far, near := "2027-04-01", "2027-03-31"
	file := csvFile(t,
		[]string{"E1", "e1@example.org", "Ada", "Lovelace", "staff", "", "", "", far, ""},
		[]string{"E2", "e2@example.org", "Ada", "Lovelace", "staff", "", "", "", near, ""},
		[]string{"E3", "e3@example.org", "Ada", "Lovelace", "staff", "", "", "", far, ""},          // stored, start date changed
		[]string{"E4", "e4@example.org", "Ada", "Lovelace", "staff", "", "", "E99", far, ""},       // refused
		[]string{"E5", "e5@example.org", "Ada", "Lovelace", "staff", "", "", "", "2030-01-01", ""}, // stored as it is
		[]string{"E6", "e6@example.org", "Ada", "Byron", "staff", "", "", "", "2030-01-01", ""},    // stored, start date as it is
	)
	e3, e5 := input("E3", ""), input("E5", "")
	e3.Email, e3.GivenName, e3.FamilyName, e3.JobTitle, e3.Department = "e3@example.org", "Ada", "Lovelace", "", ""
	e5.Email, e5.GivenName, e5.FamilyName, e5.JobTitle, e5.Department = "e5@example.org", "Ada", "Lovelace", "", ""
	e5.StartDate = training.MustDate("2030-01-01")
	e6 := e5
	e6.EmployeeNumber, e6.Email = "E6", "e6@example.org"
	rows, lineErrs, err := readAll(t, file, 0)
	if err != nil || len(lineErrs) != 0 {
		t.Fatalf("%v %q", err, formatErrors(lineErrs))
	}
	plan := peoplecsv.PlanImport(rows, stored(e3, e5, e6))
	if len(plan.Creates) != 2 || len(plan.Updates) != 2 || plan.Unchanged != 1 || len(plan.Errors) != 1 {
		t.Fatalf("plan: %d creates, %d updates, %d unchanged, errors %q", len(plan.Creates), len(plan.Updates), plan.Unchanged, formatErrors(plan.Errors))
	}
	var got []string
	for _, w := range plan.Warnings(today) {
		if !isSentence(w.Message) || !strings.Contains(w.Message, far) {
			t.Errorf("warning %+v", w)
		}
		got = append(got, w.Field+"@"+string(rune('0'+w.Line)))
	}
	if strings.Join(got, " ") != "start_date@2 start_date@4" {
		t.Errorf("warnings on %v, want the start dates of lines 2 and 4", got)
	}
	if w := (peoplecsv.Plan{}).Warnings(today); w == nil {
		t.Error("no warnings is nil, want an empty list")
	}
}

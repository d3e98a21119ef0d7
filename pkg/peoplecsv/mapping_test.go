package peoplecsv_test

import (
	"errors"
	"fmt"
	"reflect"
	"strings"
	"testing"

	"github.com/complytrack/complytrack/pkg/peoplecsv"
	"github.com/complytrack/complytrack/pkg/training"
)

// itrentHeader is the header of an iTrent-style people export.
const itrentHeader = "Employee Number,Title,Forename,Surname,Work Email,Person Type,Job Title,Cost Centre,Reports To,Hire Date,Leaving Date\n"

// itrentMapping is how an iTrent-style export reads.
var itrentMapping = peoplecsv.Mapping{DateFormat: peoplecsv.DateUK, Columns: map[string]string{
	"Employee Number": "employee_number", "Forename": "given_name", "Surname": "family_name", "Work Email": "email",
	"Person Type": "kind", "Job Title": "job_title", "Cost Centre": "department", "Reports To": "manager_employee_number",
	"Hire Date": "start_date", "Leaving Date": "end_date",
}}

func TestDetectDateFormat(t *testing.T) {
	for _, tc := range []struct {
		name  string
		cells []string
		want  peoplecsv.DateFormat
	}{
		{"all ISO", []string{"2026-11-23", "", "2020-01-06"}, peoplecsv.DateISO},
		{"a day over 12 first", []string{"03/04/2026", "23/11/2026", ""}, peoplecsv.DateUK},
		{"single-digit days and months", []string{"3/4/2026", "13/1/2020"}, peoplecsv.DateUK},
		{"every date could be either", []string{"03/04/2026", "12/11/2020"}, ""},
		{"month first: not offered", []string{"11/23/2026", "04/03/2026"}, ""},
		{"both orders in one file", []string{"23/11/2026", "11/23/2026"}, ""},
		{"ISO and slashes mixed", []string{"2026-11-23", "23/11/2026"}, ""},
		{"no dates", []string{"", "  "}, ""},
		{"no cells", nil, ""},
		{"text that is no date is passed over", []string{"unknown", "23/11/2026"}, peoplecsv.DateUK},
		{"spaces around", []string{" 2026-11-23 "}, peoplecsv.DateISO},
	} {
		t.Run(tc.name, func(t *testing.T) {
			if got := peoplecsv.DetectDateFormat(tc.cells); got != tc.want {
				t.Errorf("DetectDateFormat(%q) = %q, want %q", tc.cells, got, tc.want)
			}
		})
	}
}

func TestSuggest(t *testing.T) {
	for _, tc := range []struct {
		name      string
		file      string
		columns   map[string]string
		dates     peoplecsv.DateFormat
		unmatched []string
	}{
		{
			name:      "iTrent",
			file:      itrentHeader + "E1,Ms,Ada,Lovelace,ada@example.org,Employee,Officer,Finance,,23/11/2026,\n",
			columns:   itrentMapping.Columns,
			dates:     peoplecsv.DateUK,
			unmatched: []string{"Title"},
		},
		{
			name: "BambooHR, in other case and punctuation, ISO dates",
			file: "EMPLOYEE #,First Name,Last Name,work e-mail,Employment Status,Department,Reporting To,hire_date,Termination Date,Pay Rate\n" +
				"7,Ada,Lovelace,ada@example.org,Full-Time,Finance,,2026-11-23,,30000\n",
			columns: map[string]string{"EMPLOYEE #": "employee_number", "First Name": "given_name", "Last Name": "family_name",
				"work e-mail": "email", "Employment Status": "kind", "Department": "department", "Reporting To": "manager_employee_number",
				"hire_date": "start_date", "Termination Date": "end_date"},
			dates:     peoplecsv.DateISO,
			unmatched: []string{"Pay Rate"},
		},
		{
			name:      "ambiguous dates are not guessed",
			file:      "Staff Number,Forenames,Surname,Email Address,Assignment Category,Assignment Start Date\nE1,Ada,Lovelace,ada@example.org,Permanent,03/04/2026\nE2,Bo,Li,bo@example.org,Permanent,12/01/2020\n",
			columns:   map[string]string{"Staff Number": "employee_number", "Forenames": "given_name", "Surname": "family_name", "Email Address": "email", "Assignment Category": "kind", "Assignment Start Date": "start_date"},
			dates:     "",
			unmatched: []string{},
		},
		{
			name:      "our own format, first header for a column wins",
			file:      "\ufeffemployee_number,email,Email Address,given_name,family_name,kind,start_date\nE1,a@b.org,c@d.org,A,B,staff,2020-01-06\n",
			columns:   map[string]string{"employee_number": "employee_number", "email": "email", "given_name": "given_name", "family_name": "family_name", "kind": "kind", "start_date": "start_date"},
			dates:     peoplecsv.DateISO,
			unmatched: []string{"Email Address"},
		},
		{
			name:      "a last line cut off is left out",
			file:      "Employee Number,Hire Date\nE1,23/11/2026\nE2,\"01/0",
			columns:   map[string]string{"Employee Number": "employee_number", "Hire Date": "start_date"},
			dates:     peoplecsv.DateUK,
			unmatched: []string{},
		},
	} {
		t.Run(tc.name, func(t *testing.T) {
			s, err := peoplecsv.Suggest(strings.NewReader(tc.file))
			if err != nil {
				t.Fatal(err)
			}
			if !reflect.DeepEqual(s.Columns, tc.columns) {
				t.Errorf("columns %v, want %v", s.Columns, tc.columns)
			}
			if s.DateFormat != tc.dates {
				t.Errorf("date format %q, want %q", s.DateFormat, tc.dates)
			}
			if !reflect.DeepEqual(s.Unmatched, tc.unmatched) {
				t.Errorf("unmatched %q, want %q", s.Unmatched, tc.unmatched)
			}
		})
	}
	for _, file := range []string{"", "\n", "%PDF-1.4 ...", "a,\"b\n"} {
		if _, err := peoplecsv.Suggest(strings.NewReader(file)); !errors.Is(err, training.ErrInvalid) {
			t.Errorf("Suggest(%q): %v, want an invalid file", file, err)
		}
	}
}

func TestMappingValidate(t *testing.T) {
	with := func(change func(m map[string]string)) map[string]string {
		m := map[string]string{}
		for k, v := range itrentMapping.Columns {
			m[k] = v
		}
		change(m)
		return m
	}
	for _, tc := range []struct {
		name string
		m    peoplecsv.Mapping
		want []string // "field: message"
	}{
		{"the iTrent mapping", itrentMapping, nil},
		{"no columns", peoplecsv.Mapping{DateFormat: peoplecsv.DateISO},
			[]string{"columns: Choose which column of the file holds each field."}},
		{"an unknown field", peoplecsv.Mapping{DateFormat: peoplecsv.DateUK, Columns: with(func(m map[string]string) { m["Title"] = "salutation" })},
			[]string{`columns: The column "Title" is matched to "salutation", which is not a field complytrack imports. Choose one of: ` + strings.Join(peoplecsv.Columns, ", ") + "."}},
		{"a field mapped twice", peoplecsv.Mapping{DateFormat: peoplecsv.DateUK, Columns: with(func(m map[string]string) { m["Known As"] = "given_name" })},
			[]string{`columns: The columns "Forename" and "Known As" are both matched to first name: choose one column for each field.`}},
		{"one header written two ways", peoplecsv.Mapping{DateFormat: peoplecsv.DateUK, Columns: with(func(m map[string]string) { m["surname"] = "family_name" })},
			[]string{`columns: The columns "Surname" and "surname" are the same column written two ways: name it once.`}},
		{"required fields missing", peoplecsv.Mapping{DateFormat: peoplecsv.DateUK, Columns: with(func(m map[string]string) {
			delete(m, "Person Type")
			delete(m, "Hire Date")
			delete(m, "Leaving Date")
		})}, []string{"columns: Choose a column of the file for each required field: kind of person and start date."}},
		{"a header with no letter", peoplecsv.Mapping{DateFormat: peoplecsv.DateUK, Columns: with(func(m map[string]string) { m[" - "] = "end_date"; delete(m, "Leaving Date") })},
			[]string{`columns: A column name must have a letter or a digit in it: " - " has none.`}},
		{"too many headers", peoplecsv.Mapping{DateFormat: peoplecsv.DateUK, Columns: with(func(m map[string]string) {
			for i := range 41 {
				m[fmt.Sprintf("Extra %d", i)] = "job_title"
			}
		})}, []string{"columns: A mapping can name at most 50 columns of the file: name only the columns to import."}},
		{"no date format", peoplecsv.Mapping{Columns: itrentMapping.Columns},
			[]string{"date_format: Choose how the file writes dates: YYYY-MM-DD or DD/MM/YYYY."}},
		{"month first is not a format", peoplecsv.Mapping{Columns: itrentMapping.Columns, DateFormat: "MM/DD/YYYY"},
			[]string{"date_format: Choose how the file writes dates: YYYY-MM-DD or DD/MM/YYYY."}},
	} {
		t.Run(tc.name, func(t *testing.T) {
			var got []string
			for _, fe := range tc.m.Validate() {
				got = append(got, fe.Field+": "+fe.Message)
			}
			if !reflect.DeepEqual(got, tc.want) {
				t.Errorf("got  %q\nwant %q", got, tc.want)
			}
		})
	}
}

func readMapped(t testing.TB, m peoplecsv.Mapping, file string) ([]peoplecsv.Row, []peoplecsv.LineError, error) {
	t.Helper()
	var rows []peoplecsv.Row
	errs, err := peoplecsv.ReadMapped(strings.NewReader(file), 100, m, func(r peoplecsv.Row) error {
		rows = append(rows, r)
		return nil
	})
	return rows, errs, err
}

func TestReadMapped(t *testing.T) {
	file := itrentHeader +
		"E1,Ms,Ada,Lovelace,ada@example.org,Employee,Officer,Finance,,23/11/2026,\n" +
		"E2,Mr,Bo,Li,bo@example.org,councillor,,Members,,3/4/2020,31/12/2026\n" +
		"E3,Mr,Cy,Ng,cy@example.org,Agency worker,Clerk,Finance,E1,2026-01-05,\n" +
		"E4,Dr,Di,Oh,di@example.org,Employee,Clerk,Finance,E1,31/02/2026,\n" +
		"E5,Dr,Ed,Ma,ed@example.org,Employee,Clerk,Finance,E1,11/23/2026,\n"
	rows, errs, err := readMapped(t, itrentMapping, file)
	if err != nil {
		t.Fatal(err)
	}
	want := []training.PersonInput{
		{Person: training.Person{EmployeeNumber: "E1", Email: "ada@example.org", GivenName: "Ada", FamilyName: "Lovelace", Kind: training.KindStaff,
			JobTitle: "Officer", Department: "Finance", StartDate: training.MustDate("2026-11-23")}},
		{Person: training.Person{EmployeeNumber: "E2", Email: "bo@example.org", GivenName: "Bo", FamilyName: "Li", Kind: training.KindMember,
			Department: "Members", StartDate: training.MustDate("2020-04-03"), EndDate: training.MustDate("2026-12-31")}},
		{Person: training.Person{EmployeeNumber: "E3", Email: "cy@example.org", GivenName: "Cy", FamilyName: "Ng", Kind: training.KindContractor,
			JobTitle: "Clerk", Department: "Finance", StartDate: training.MustDate("2026-01-05")}, ManagerEmployeeNumber: "E1"},
	}
	if len(rows) != len(want) {
		t.Fatalf("%d rows, want %d: %+v", len(rows), len(want), rows)
	}
	for i, r := range rows {
		if r.Input != want[i] {
			t.Errorf("line %d read as\n%+v, want\n%+v", r.Line, r.Input, want[i])
		}
		if r.Omitted != nil {
			t.Errorf("line %d: omitted %v, want none", r.Line, r.Omitted)
		}
	}
	checkErrors(t, errs, []string{
		"5 start_date: Enter the start date as a real date in the form DD/MM/YYYY, like 23/11/2026.",
		"6 start_date: Enter the start date as a real date in the form DD/MM/YYYY, like 23/11/2026.",
	})

	// The same file read as ISO dates refuses the slashed ones, in words.
	iso := itrentMapping
	iso.DateFormat = peoplecsv.DateISO
	_, errs, err = readMapped(t, iso, file)
	if err != nil {
		t.Fatal(err)
	}
	if len(errs) == 0 || errs[0].Line != 2 || errs[0].Message != "Enter the start date as a real date in the form YYYY-MM-DD, like 2026-03-27." {
		t.Errorf("ISO reading of UK dates: %v", errs)
	}
}

func TestReadMappedFileErrors(t *testing.T) {
	for _, tc := range []struct {
		name, file, want string
	}{
		{"a mapped column missing", "Employee Number,Forename,Surname,Work Email,Person Type,Leaving Date\nE1,A,B,a@b.org,Employee,\n",
			`The file's header does not have these columns the mapping reads: "Hire Date" (start date).`},
		{"two headers read as one column", "Employee Number,Forename,forename,Surname,Work Email,Person Type,Hire Date\n",
			`The file's header has two columns read as the first name: "Forename" and "forename". Remove one from the file.`},
		{"not UTF-8", "Employee Number,Fore\xffname\n", `The file is not UTF-8 text. Save it from the spreadsheet as "CSV UTF-8".`},
	} {
		t.Run(tc.name, func(t *testing.T) {
			_, _, err := readMapped(t, itrentMapping, tc.file)
			var ve *training.ValidationError
			if !errors.As(err, &ve) || len(ve.Fields) != 1 || ve.Fields[0].Field != "file" || ve.Fields[0].Message != tc.want {
				t.Errorf("error %v, want on file: %s", err, tc.want)
			}
		})
	}
	// Optional columns left out by the mapping are omitted, as in our own
	// format: stored people keep those fields.
	m := peoplecsv.Mapping{DateFormat: peoplecsv.DateUK, Columns: map[string]string{"Employee Number": "employee_number", "Forename": "given_name",
		"Surname": "family_name", "Work Email": "email", "Person Type": "kind", "Hire Date": "start_date"}}
	rows, errs, err := readMapped(t, m, itrentHeader+"E1,Ms,Ada,Lovelace,ada@example.org,Employee,Officer,Finance,,23/11/2026,\n")
	if err != nil || len(errs) > 0 || len(rows) != 1 {
		t.Fatalf("rows %v, errors %v, %v", rows, errs, err)
	}
	if want := peoplecsv.OptionalColumns; !reflect.DeepEqual(rows[0].Omitted, want) {
		t.Errorf("omitted %v, want %v", rows[0].Omitted, want)
	}
}

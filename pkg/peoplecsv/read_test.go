package peoplecsv_test

import (
	"errors"
	"fmt"
	"io"
	"reflect"
	"slices"
	"strings"
	"testing"

	"github.com/complytrack/complytrack/pkg/peoplecsv"
	"github.com/complytrack/complytrack/pkg/training"
)

func TestReadHeaders(t *testing.T) {
	tests := []struct {
		name    string
		file    string
		want    training.PersonInput
		omitted []string
	}{
		{"documented order", header + csvLine("E1", "E0"), input("E1", "E0"), nil},
		{"byte-order mark", "\ufeff" + header + csvLine("E1", "E0"), input("E1", "E0"), nil},
		{"byte-order mark before a quoted name", "\ufeff\"employee_number\"" + header[len("employee_number"):] + csvLine("E1", "E0"), input("E1", "E0"), nil},
		{
			"any case, order and spaces, CRLF",
			" Kind ,EMAIL,Employee_Number,given_name , family_name,start_date,end_date,job_title,department,manager_employee_number\r\n" +
				"staff,e1@example.org,E1,GivenE1,Family,2020-01-06,,Officer,Finance,E0\r\n",
			input("E1", "E0"), nil,
		},
		{
			"cells trimmed, kind in any case",
			header + " E1 , e1@example.org ,GivenE1,Family, Staff ,Officer,Finance, E0 , 2020-01-06 , \n",
			input("E1", "E0"), nil,
		},
		{
			"optional columns left out",
			"employee_number,email,given_name,family_name,kind,start_date\nE1,e1@example.org,GivenE1,Family,staff,2020-01-06\n",
			func() training.PersonInput {
				in := input("E1", "")
				in.JobTitle, in.Department = "", ""
				return in
			}(),
			[]string{"job_title", "department", "manager_employee_number", "end_date"},
		},
		{
			"end date",
			header + "E1,e1@example.org,GivenE1,Family,staff,Officer,Finance,E0,2020-01-06,2026-03-31\n",
			func() training.PersonInput {
				in := input("E1", "E0")
				in.EndDate = training.MustDate("2026-03-31")
				return in
			}(),
			nil,
		},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			rows, errs, err := readAll(t, tt.file, 0)
			if err != nil || len(errs) > 0 {
				t.Fatalf("Read: line errors %v, error %v", errs, err)
			}
			if len(rows) != 1 {
				t.Fatalf("got %d rows, want 1", len(rows))
			}
			if rows[0].Line != 2 || rows[0].Input != tt.want || !slices.Equal(rows[0].Omitted, tt.omitted) {
				t.Errorf("got %+v\nwant line 2, %+v, omitted %v", rows[0], tt.want, tt.omitted)
			}
		})
	}
}

func TestReadFileErrors(t *testing.T) {
	longLine := header + csvLine("E1", "") + "E2," + strings.Repeat("x", 70<<10) + "\n"
	unclosed := header + csvLine("E1", "") + "E2,\"" + strings.Repeat(csvLine("E9", ""), 2000)
	tests := []struct {
		name    string
		file    string
		maxRows int
		want    string // in the message
	}{
		{"empty", "", 0, "The file is empty"},
		{"only a byte-order mark", "\ufeff", 0, "The file is empty"},
		{"only blank lines", "\n\r\n\n", 0, "The file is empty"},
		{"unknown column", strings.TrimSuffix(header, "\n") + ",Salary,grade\n", 0, `columns we do not recognise: "salary", "grade".`},
		{"unnamed column", "employee_number,,email\n", 0, "an unnamed column 2"},
		{"missing required columns", "employee_number,given_name,family_name,start_date\n", 0, "does not have these required columns: email, kind."},
		{"repeated column", "email," + header, 0, "names the column email twice"},
		{"header not CSV", "employee_number,e\"mail\n", 0, "header row, on line 1, is not valid CSV"},
		{"not UTF-8", "\xff\xfee\x00m\x00", 0, "not UTF-8"},
		{"too many rows", header + csvLine("E1", "") + csvLine("E2", "") + csvLine("E3", ""), 2, "more than 2 rows"},
		{"too many rows, written with commas", header + strings.Repeat(csvLine("E1", ""), 1001), 1000, "more than 1,000 rows"},
		{"a PDF", "%PDF-1.4\n%\xe2\xe3\n1 0 obj\n", 0, "The file must be a CSV file."},
		{"an Excel workbook", "PK\x03\x04\x14\x00\x06\x00[Content_Types].xml", 0, "The file must be a CSV file."},
		{"line too long", longLine, 0, "Line 3 of the file is too long"},
		{"unclosed quote swallows the file", unclosed, 0, "too long"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			_, _, err := readAll(t, tt.file, tt.maxRows)
			if !errors.Is(err, training.ErrInvalid) {
				t.Fatalf("error %v does not wrap ErrInvalid", err)
			}
			var ve *training.ValidationError
			if !errors.As(err, &ve) || len(ve.Fields) != 1 || ve.Fields[0].Field != "file" {
				t.Fatalf("error %#v is not one problem with the file", err)
			}
			if !strings.Contains(ve.Fields[0].Message, tt.want) {
				t.Errorf("message %q does not contain %q", ve.Fields[0].Message, tt.want)
			}
		})
	}
}

func TestReadLineErrors(t *testing.T) {
	tests := []struct {
		name  string
		file  string
		lines []int    // of the rows read
		want  []string // line errors, see checkErrors
	}{
		{"header only", header, nil, nil},
		{
			"blank rows skipped",
			header + csvLine("E1", "") + "\n,,,,,,,,,\n , ,,,,,,,,\n" + csvLine("E2", ""),
			[]int{2, 6}, nil,
		},
		{
			"bad date, bad kind",
			header + csvLine("E1", "") +
				"E2,e2@example.org,Ada,Lovelace,staff,,,,6/1/2020,\n" +
				"E3,e3@example.org,Ada,Lovelace,employee,,,,2020-01-06,\n" +
				"E4,e4@example.org,Ada,Lovelace,staff,,,,2020-02-30,2020-13-01\n",
			[]int{2},
			[]string{
				`3 start_date: Enter the start date as a real date`,
				`4 kind: The kind of person must be staff, member, contractor or volunteer.`,
				`5 end_date: Enter the end date as a real date`,
				`5 start_date: Enter the start date as a real date`,
			},
		},
		{
			"every problem on a refused line",
			header + "E1,not an address,,Lovelace,staff,,,,1/1/20,\n",
			nil,
			[]string{"2 email: Enter the email address in the correct format", "2 given_name: Enter the first name.", "2 start_date: Enter the start date as a real date"},
		},
		{
			"a quoted cell with line breaks moves the line numbers on",
			header + "E1,e1@example.org,Ada,Lovelace,staff,\"Head of\nSocial\r\nWork\",,,2020-01-06,\n" +
				"E2,e2@example.org,Ada,Lovelace,staff,,,,yesterday,\n" + csvLine("E3", ""),
			[]int{2, 6},
			[]string{`5 start_date: Enter the start date as a real date`},
		},
		{
			"wrong number of cells",
			header + "E1,e1@example.org,Ada\n" + csvLine("E2", "") + strings.TrimSuffix(csvLine("E3", ""), "\n") + ",extra\n",
			[]int{3},
			[]string{"2 : This line has 3 cells but the header has 10 columns.", "4 : This line has 11 cells but the header has 10 columns."},
		},
		{
			"quotes not CSV",
			header + "E1,e1@example.org,Ada \"the Countess\" ,Lovelace,staff,,,,2020-01-06,\n" + csvLine("E2", "") +
				"E3,e3@example.org,\"Ada\nB\"x,Lovelace,staff,,,,2020-01-06,\n" + csvLine("E4", ""),
			[]int{3, 6},
			[]string{"2 : This line is not valid CSV: a cell that does not start with", "4 : This line is not valid CSV: a quoted cell has a stray"},
		},
		{
			"not UTF-8, too long",
			header + "E1,e1@example.org,Ad\xe9,Lovelace,staff,,,,2020-01-06,\n" +
				"E2,e2@example.org,Ada,Lovelace,staff," + strings.Repeat("é", 1001) + ",,,2020-01-06,\n" +
				"E3,e3@example.org,Ada,Lovelace,staff," + strings.Repeat("é", 1000) + ",,,2020-01-06,\n",
			[]int{4},
			[]string{"2 given_name: The first name is not UTF-8 text", "3 job_title: The job title is longer than 1000 characters."},
		},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			rows, errs, err := readAll(t, tt.file, 100)
			if err != nil {
				t.Fatalf("Read: %v", err)
			}
			var lines []int
			for _, r := range rows {
				lines = append(lines, r.Line)
			}
			if !slices.Equal(lines, tt.lines) {
				t.Errorf("rows on lines %v, want %v", lines, tt.lines)
			}
			checkErrors(t, errs, tt.want)
		})
	}
}

func TestReadStopsOnCallbackError(t *testing.T) {
	stop := errors.New("stop")
	calls := 0
	_, err := peoplecsv.Read(strings.NewReader(header+csvLine("E1", "")+csvLine("E2", "")), 0, func(peoplecsv.Row) error {
		calls++
		return stop
	})
	if err != stop || calls != 1 {
		t.Errorf("got error %v after %d calls, want %v after 1", err, calls, stop)
	}
}

func TestReadReaderError(t *testing.T) {
	broken := errors.New("connection reset")
	r := io.MultiReader(strings.NewReader(header+csvLine("E1", "")), iotestErr{broken})
	_, err := peoplecsv.Read(r, 0, func(peoplecsv.Row) error { return nil })
	if !errors.Is(err, broken) || errors.Is(err, training.ErrInvalid) {
		t.Errorf("got %v, want the reader's error", err)
	}
}

type iotestErr struct{ err error }

func (r iotestErr) Read([]byte) (int, error) { return 0, r.err }

// generator produces a people file of n rows on the fly, remembering where
// each row starts, so a test can see how far ahead of the rows Read reads.
type generator struct {
	n, next  int
	pending  []byte
	produced int
	starts   []int // byte offset of each data row
}

func (g *generator) Read(p []byte) (int, error) {
	for len(g.pending) == 0 {
		switch {
		case g.next > g.n:
			return 0, io.EOF
		case g.next == 0:
			g.pending = []byte(header)
		default:
			g.starts = append(g.starts, g.produced)
			mgr := ""
			if g.next > 1 {
				mgr = fmt.Sprintf("E%d", g.next/2) // a tree: E1 at the top
			}
			g.pending = []byte(csvLine(fmt.Sprintf("E%d", g.next), mgr))
		}
		g.next++
	}
	n := copy(p, g.pending)
	g.pending = g.pending[n:]
	g.produced += n
	return n, nil
}

func TestReadStreamsLargeFile(t *testing.T) {
	const n = 20000
	g := &generator{n: n}
	var rows []peoplecsv.Row
	maxAhead := 0
	errs, err := peoplecsv.Read(g, n, func(r peoplecsv.Row) error {
		// Read must hand over a row long before it reaches the end of the
		// input: it may be ahead by its buffer, not by the file.
		maxAhead = max(maxAhead, g.produced-g.starts[len(rows)])
		rows = append(rows, r)
		return nil
	})
	if err != nil || len(errs) > 0 {
		t.Fatalf("Read: %v %v", errs, err)
	}
	if len(rows) != n || rows[n-1].Line != n+1 {
		t.Fatalf("got %d rows, the last on line %d", len(rows), rows[len(rows)-1].Line)
	}
	if maxAhead > 8<<10 {
		t.Errorf("Read was %d bytes ahead of the row it handed over: it buffers the input", maxAhead)
	}

	plan := PlanImportChecked(t, rows, nil)
	if len(plan.Creates) != n || len(plan.Errors) != 0 {
		t.Fatalf("plan: %d creates, errors %v", len(plan.Creates), plan.Errors[:min(5, len(plan.Errors))])
	}
	after := apply(t, nil, plan)
	again := PlanImportChecked(t, rows, after)
	if again.Unchanged != n || len(again.Creates)+len(again.Updates)+len(again.Errors) != 0 {
		t.Errorf("second import: %d unchanged, %d creates, %d updates, %d errors", again.Unchanged, len(again.Creates), len(again.Updates), len(again.Errors))
	}

	_, err = peoplecsv.Read(&generator{n: n}, n-1, func(peoplecsv.Row) error { return nil })
	if !errors.Is(err, training.ErrInvalid) || !strings.Contains(err.Error(), peoplecsv.Thousands(n-1)) {
		t.Errorf("one row over the limit: got %v", err)
	}
}

// PlanImportChecked is PlanImport, also checking it does not depend on the
// order of the rows.
func PlanImportChecked(t testing.TB, rows []peoplecsv.Row, existing map[string]peoplecsv.Existing) peoplecsv.Plan {
	t.Helper()
	plan := peoplecsv.PlanImport(rows, existing)
	reversed := slices.Clone(rows)
	slices.Reverse(reversed)
	if other := peoplecsv.PlanImport(reversed, existing); !reflect.DeepEqual(plan, other) {
		t.Errorf("the plan depends on the order of the rows:\n%+v\n%+v", plan, other)
	}
	return plan
}

func TestThousands(t *testing.T) {
	for n, want := range map[int]string{0: "0", 999: "999", 1000: "1,000", 50000: "50,000", 1234567: "1,234,567", -4500: "-4,500"} {
		if got := peoplecsv.Thousands(n); got != want {
			t.Errorf("Thousands(%d) = %q, want %q", n, got, want)
		}
	}
}

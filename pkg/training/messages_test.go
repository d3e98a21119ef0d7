package training_test

import (
	"errors"
	"go/ast"
	"go/parser"
	"go/token"
	"path/filepath"
	"strconv"
	"strings"
	"testing"
	"unicode"
	"unicode/utf8"

	"github.com/complytrack/complytrack/pkg/training"
)

func asValidation(err error) (*training.ValidationError, bool) {
	var ve *training.ValidationError
	ok := errors.As(err, &ve)
	return ve, ok
}

// apiFieldNames are the input names a message must not show: people read
// "first name", not "given_name".
var apiFieldNames = []string{"employee_number", "given_name", "family_name", "job_title", "manager_employee_number",
	"start_date", "end_date", "effective_from", "new_starter_days", "validity_months", "due_soon_days",
	"renew_window_days", "expiry_basis", "applies_to", "certificate_ref", "completed_on", "course_code", "as_of", "group_by"}

// checkSentence fails unless msg is one plain sentence: a capital letter
// first, a full stop last, and no API field name (the mark of a message
// made by gluing a field name to a fragment).
func checkSentence(t *testing.T, what, msg string) {
	t.Helper()
	r, _ := utf8.DecodeRuneInString(msg)
	switch {
	case !unicode.IsUpper(r):
		t.Errorf("%s: %q does not start with a capital letter", what, msg)
	case !strings.HasSuffix(msg, "."):
		t.Errorf("%s: %q does not end with a full stop", what, msg)
	case strings.Contains(msg, ".."), strings.Contains(msg, "  "):
		t.Errorf("%s: %q has a doubled full stop or space", what, msg)
	}
	for _, f := range apiFieldNames {
		if strings.Contains(msg, f) {
			t.Errorf("%s: %q names the field as %s", what, msg, f)
		}
	}
}

// Each rule's message, exactly, for the inputs people get wrong most.
func TestValidationMessages(t *testing.T) {
	tests := []struct {
		name   string
		change func(*training.Person)
		field  string
		want   string
	}{
		{"employee number missing", func(p *training.Person) { p.EmployeeNumber = "" }, "employee_number", "Enter the employee number."},
		{"employee number with a slash", func(p *training.Person) { p.EmployeeNumber = "E1/2" }, "employee_number", `The employee number must not contain spaces or the characters / \ ? # %.`},
		{"first name missing", func(p *training.Person) { p.GivenName = "" }, "given_name", "Enter the first name."},
		{"last name invisible", func(p *training.Person) { p.FamilyName = "\u200b\u200b" }, "family_name", "The last name must not contain control characters or invisible characters."},
		{"job title on two lines", func(p *training.Person) { p.JobTitle = "Social\u2028Worker" }, "job_title", "The job title must be on one line, without line breaks."},
		{"email missing", func(p *training.Person) { p.Email = "" }, "email", "Enter the email address."},
		{"email not an address", func(p *training.Person) { p.Email = "ada.example.org" }, "email", "Enter the email address in the correct format, like name@example.org."},
		{"email without a dot in its domain", func(p *training.Person) { p.Email = "ada@localhost" }, "email", "Enter the email address in the correct format, like name@example.org."},
		{"email with a dot at the start of its domain", func(p *training.Person) { p.Email = "ada@.example.org" }, "email", "Enter the email address in the correct format, like name@example.org."},
		{"email with a dot at the end of its domain", func(p *training.Person) { p.Email = "ada@example.org." }, "email", "Enter the email address in the correct format, like name@example.org."},
		{"kind unknown", func(p *training.Person) { p.Kind = "robot" }, "kind", "The kind of person must be staff, member, contractor or volunteer."},
		{"start date missing", func(p *training.Person) { p.StartDate = training.Date{} }, "start_date", "Enter the start date."},
		{"end date before start", func(p *training.Person) { p.EndDate = d("2019-12-31") }, "end_date", "The end date must be the same as or after the start date, 2020-01-06."},
		{"own line manager", func(p *training.Person) { p.ManagerID = p.ID }, "manager_employee_number", "A person cannot be their own line manager."},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			p := validPerson()
			tt.change(&p)
			ve, ok := asValidation(p.Validate())
			if !ok || len(ve.Fields) != 1 || ve.Fields[0].Field != tt.field || ve.Fields[0].Message != tt.want {
				t.Errorf("Validate() = %v, want %s: %q", p.Validate(), tt.field, tt.want)
			}
		})
	}

	for _, tt := range []struct{ field, in, want string }{
		{"start_date", "2026-13-01", "Enter the start date as a real date in the form YYYY-MM-DD, like 2026-03-27."},
		{"start_date", "27/03/2026", "Enter the start date as a real date in the form YYYY-MM-DD, like 2026-03-27."},
		{"end_date", "3000-01-01", "The end date must be between the years 1900 and 2999."},
		{"as_of", "yesterday", "Enter the date of the report as a real date in the form YYYY-MM-DD, like 2026-03-27."},
	} {
		if got := training.DateProblem(tt.field, tt.in); got != tt.want {
			t.Errorf("DateProblem(%s, %q) = %q, want %q", tt.field, tt.in, got, tt.want)
		}
	}
	for _, tt := range []struct{ email string }{{"ada@example.org"}, {"ada.lovelace@mail.example.gov.uk"}, {"o'brien@example.ie"}} {
		if !training.ValidEmail(tt.email) {
			t.Errorf("ValidEmail(%q) = false", tt.email)
		}
	}
}

// Every message the rules produce, for a wide set of bad inputs, is a
// sentence that names its field in words.
func TestEveryValidationMessageIsASentence(t *testing.T) {
	people := []func(*training.Person){
		func(p *training.Person) {
			*p = training.Person{ID: "x", ManagerID: "x", Kind: "x", Email: "x", EndDate: d("2000-01-01"), StartDate: d("2001-01-01")}
		},
		func(p *training.Person) {
			p.EmployeeNumber, p.GivenName, p.FamilyName = "E 1", strings.Repeat("a", 101), "\x00"
			p.JobTitle, p.Department, p.Email = "a\nb", "\xff", strings.Repeat("a", 250)+"@example.org"
		},
		func(p *training.Person) {
			p.EmployeeNumber, p.GivenName, p.Email = strings.Repeat("1", 41), "\u0301", "@"
		},
		func(p *training.Person) { p.StartDate = training.Date{} },
	}
	for i, change := range people {
		p := validPerson()
		change(&p)
		ve, ok := asValidation(p.Validate())
		if !ok {
			t.Fatalf("person %d: no problems", i)
		}
		for _, f := range ve.Fields {
			checkSentence(t, "person "+f.Field, f.Message)
		}
	}
	c := validCourse()
	c.Code, c.Title, c.Provider, c.URL, c.Delivery = "-", "", "\u2028", "ftp://x", "post"
	c.AppliesTo = training.AppliesTo{Kinds: []training.Kind{"robot"}, Departments: make([]string, 201)}
	c.NewStarterDays, c.ValidityMonths, c.DueSoonDays, c.RenewWindowDays = -1, -1, -1, -1
	c.ExpiryBasis, c.EffectiveFrom, c.Evidence, c.Verification = "", training.Date{}, "x", "x"
	ve, ok := asValidation(c.Validate())
	if !ok || len(ve.Fields) < 14 {
		t.Fatalf("course: %v", c.Validate())
	}
	for _, f := range ve.Fields {
		checkSentence(t, "course "+f.Field, f.Message)
	}
	c.AppliesTo.Kinds = nil
	for _, f := range mustProblems(t, c.Validate()) {
		checkSentence(t, "course "+f.Field, f.Message)
	}
	for _, on := range []training.Date{{}, d("2030-01-01"), training.NewDate(1899, 1, 1)} {
		for _, f := range mustProblems(t, training.CheckCompletedOn(on, d("2026-03-31"))) {
			checkSentence(t, "completed_on", f.Message)
		}
	}
	for _, field := range []string{"start_date", "end_date", "completed_on", "until", "as_of", "effective_from"} {
		for _, s := range []string{"x", "2026-02-30", "0999-01-01"} {
			checkSentence(t, "date "+field, training.DateProblem(field, s))
		}
	}
	for _, w := range validPersonStarting("2028-01-01").Warnings(d("2026-03-31")) {
		checkSentence(t, "warning "+w.Field, w.Message)
	}
}

func mustProblems(t *testing.T, err error) []training.FieldError {
	t.Helper()
	ve, ok := asValidation(err)
	if !ok {
		t.Fatalf("%v is not a validation error", err)
	}
	return ve.Fields
}

func validPersonStarting(start string) training.Person {
	p := validPerson()
	p.StartDate = d(start)
	return p
}

// A start date more than a year ahead is stored, with a warning.
func TestPersonWarnings(t *testing.T) {
	today := d("2026-03-31")
	for start, warned := range map[string]bool{
		"2026-03-31": false, "2027-03-31": false, "2027-04-01": true, "2036-03-01": true, "2020-01-06": false,
	} {
		p := validPersonStarting(start)
		if err := p.Validate(); err != nil {
			t.Errorf("start %s: refused: %v", start, err)
		}
		w := p.Warnings(today)
		if (len(w) > 0) != warned {
			t.Errorf("start %s: warnings %v, want warned=%v", start, w, warned)
		}
		if warned && (w[0].Field != "start_date" || !strings.Contains(w[0].Message, start)) {
			t.Errorf("start %s: warning %+v does not name the start date", start, w[0])
		}
	}
}

// formatCalls are the functions whose string argument at the index given
// is a message people see, in the domain and the CSV import.
var formatCalls = map[string]int{"Invalid": 1, "Add": 1, "Problem": 1, "Conflict": 0, "refuse": 2, "add": 1, "Sentence": 0, "sentence": 0}

// sentenceCalls make their message a sentence themselves: their literal
// need only start with a capital letter.
var sentenceCalls = map[string]bool{"Problem": true, "Sentence": true, "sentence": true}

// Every message literal in the domain and the CSV import is written as a
// sentence, so that no path through the code can show a fragment, even one
// the tables above do not reach.
func TestMessageLiteralsAreSentences(t *testing.T) {
	var files []string
	for _, dir := range []string{".", "../compliance", "../peoplecsv"} {
		m, err := filepath.Glob(filepath.Join(dir, "*.go"))
		if err != nil {
			t.Fatal(err)
		}
		for _, f := range m {
			if !strings.HasSuffix(f, "_test.go") {
				files = append(files, f)
			}
		}
	}
	fset := token.NewFileSet()
	seen := 0
	for _, name := range files {
		f, err := parser.ParseFile(fset, name, nil, 0)
		if err != nil {
			t.Fatal(err)
		}
		ast.Inspect(f, func(n ast.Node) bool {
			call, ok := n.(*ast.CallExpr)
			if !ok {
				return true
			}
			var fn string
			switch x := call.Fun.(type) {
			case *ast.Ident:
				fn = x.Name
			case *ast.SelectorExpr:
				fn = x.Sel.Name
			}
			i, ok := formatCalls[fn]
			if !ok || i >= len(call.Args) {
				return true
			}
			lit, ok := call.Args[i].(*ast.BasicLit)
			if !ok || lit.Kind != token.STRING {
				return true
			}
			s, err := strconv.Unquote(lit.Value)
			if err != nil || s == "%s" {
				return true
			}
			seen++
			where := fset.Position(lit.Pos()).String()
			r, _ := utf8.DecodeRuneInString(s)
			if !unicode.IsUpper(r) {
				t.Errorf("%s: message %q does not start with a capital letter", where, s)
			}
			if !sentenceCalls[fn] && !strings.HasSuffix(s, ".") {
				t.Errorf("%s: message %q does not end with a full stop", where, s)
			}
			return true
		})
	}
	if seen < 50 {
		t.Errorf("found only %d message literals: is the list of calls out of date?", seen)
	}
}

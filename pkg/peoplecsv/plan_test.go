package peoplecsv_test

import (
	"fmt"
	"slices"
	"strings"
	"testing"

	"github.com/complytrack/complytrack/pkg/peoplecsv"
	"github.com/complytrack/complytrack/pkg/training"
)

// row is a Row on line for input in.
func row(line int, in training.PersonInput) peoplecsv.Row {
	return peoplecsv.Row{Line: line, Input: in}
}

// with returns in changed by f.
func with(in training.PersonInput, f func(*training.PersonInput)) training.PersonInput {
	f(&in)
	return in
}

func TestPlanImport(t *testing.T) {
	tests := []struct {
		name      string
		existing  []training.PersonInput
		rows      []peoplecsv.Row
		creates   []string // employee numbers, in order
		updates   []string
		unchanged int
		errors    []string // see checkErrors
	}{
		{
			name:    "manager later in the file",
			rows:    []peoplecsv.Row{row(2, input("E2", "E3")), row(3, input("E4", "E2")), row(4, input("E3", ""))},
			creates: []string{"E3", "E2", "E4"}, // managers first
		},
		{
			name:     "manager already stored",
			existing: []training.PersonInput{input("E1", "")},
			rows:     []peoplecsv.Row{row(2, input("E2", "E1"))},
			creates:  []string{"E2"},
		},
		{
			name:    "manager unknown, or themself",
			rows:    []peoplecsv.Row{row(2, input("E2", "E9")), row(3, input("E3", "E3"))},
			errors:  []string{"2 manager_employee_number: There is no one with employee number E9 to be the line manager, in this file or already stored.", "3 manager_employee_number: A person cannot be their own line manager."},
			creates: nil,
		},
		{
			name:    "employee number repeated",
			rows:    []peoplecsv.Row{row(2, input("E1", "")), row(3, input("E2", "")), row(5, input("E1", "")), row(9, input("E1", ""))},
			creates: []string{"E1", "E2"},
			errors: []string{
				"5 employee_number: The employee number E1 is also on line 2",
				"9 employee_number: The employee number E1 is also on line 2",
			},
		},
		{
			name: "e-mail repeated, ignoring case",
			rows: []peoplecsv.Row{
				row(2, input("E1", "")),
				row(3, with(input("E2", ""), func(in *training.PersonInput) { in.Email = " E1@Example.ORG" })),
			},
			creates: []string{"E1"},
			errors:  []string{"3 email: The email address E1@Example.ORG is also on line 2"},
		},
		{
			name:     "e-mail of another stored person",
			existing: []training.PersonInput{input("E1", ""), input("E2", "")},
			rows: []peoplecsv.Row{
				row(3, input("E1", "")),
				row(2, with(input("E2", ""), func(in *training.PersonInput) { in.Email = "e1@EXAMPLE.org" })),
				row(4, with(input("E3", ""), func(in *training.PersonInput) { in.Email = "e2@example.org" })),
			},
			unchanged: 1,
			errors: []string{
				"2 email: The email address e1@EXAMPLE.org belongs to someone else already stored, with employee number E1.",
				"4 email: The email address e2@example.org belongs to someone else already stored, with employee number E2.",
			},
		},
		{
			name: "fields invalid",
			rows: []peoplecsv.Row{
				row(2, with(input("E 1", ""), func(in *training.PersonInput) {
					in.Email = "Ada <ada@example.org>"
					in.GivenName = ""
					in.EndDate = training.MustDate("2019-01-01")
				})),
			},
			errors: []string{
				"2 email: Enter the email address in the correct format",
				"2 employee_number: The employee number must not contain spaces",
				"2 end_date: The end date must be the same as or after the start date, 2020-01-06.",
				"2 given_name: Enter the first name.",
			},
		},
		{
			name: "two-person loop, and someone below it",
			rows: []peoplecsv.Row{row(2, input("E1", "E2")), row(3, input("E2", "E1")), row(4, input("E3", "E1")), row(5, input("E4", ""))},
			errors: []string{
				"2 manager_employee_number: This line manager would make a loop in the reporting line, where each reports to the next: E1 → E2 → E1",
				"3 manager_employee_number: This line manager would make a loop in the reporting line, where each reports to the next: E2 → E1 → E2",
				"4 manager_employee_number: The line manager, employee number E1, cannot be imported because their own line, line 2, has errors.",
			},
			creates: []string{"E4"},
		},
		{
			name: "three-person loop, in any order",
			rows: []peoplecsv.Row{row(7, input("E3", "E1")), row(2, input("E1", "E2")), row(4, input("E2", "E3"))},
			errors: []string{
				"2 manager_employee_number: This line manager would make a loop in the reporting line, where each reports to the next: E1 → E2 → E3 → E1",
				"4 manager_employee_number: This line manager would make a loop in the reporting line, where each reports to the next: E2 → E3 → E1 → E2",
				"7 manager_employee_number: This line manager would make a loop in the reporting line, where each reports to the next: E3 → E1 → E2 → E3",
			},
		},
		{
			name:     "loop through a stored person not in the file",
			existing: []training.PersonInput{input("E1", "E2"), input("E2", "")},
			rows:     []peoplecsv.Row{row(2, input("E2", "E3")), row(3, input("E3", "E1")), row(4, input("E4", "E2"))},
			errors: []string{
				"2 manager_employee_number: This line manager would make a loop in the reporting line, where each reports to the next: E2 → E3 → E1 → E2",
				"3 manager_employee_number: This line manager would make a loop in the reporting line, where each reports to the next: E3 → E1 → E2 → E3",
			},
			creates: []string{"E4"}, // E2 keeps its stored place at the top
		},
		{
			name:     "a row that keeps its stored manager is not blamed for a loop",
			existing: []training.PersonInput{input("E1", "E2"), input("E2", "")},
			rows:     []peoplecsv.Row{row(2, input("E1", "E2")), row(3, input("E2", "E1"))},
			errors: []string{
				"3 manager_employee_number: This line manager would make a loop in the reporting line, where each reports to the next: E2 → E1 → E2",
			},
			unchanged: 1,
		},
		{
			name:      "stored people swap places",
			existing:  []training.PersonInput{input("E1", "E2"), input("E2", ""), input("E3", "E1")},
			rows:      []peoplecsv.Row{row(2, input("E2", "E3")), row(3, input("E3", "E1")), row(4, input("E1", ""))},
			updates:   []string{"E1", "E2"}, // E1 to the top first, so no loop on the way
			unchanged: 1,
		},
		{
			name:     "manager's line refused, manager stored: the link is to the stored person",
			existing: []training.PersonInput{input("E1", "")},
			rows: []peoplecsv.Row{
				row(2, with(input("E1", ""), func(in *training.PersonInput) { in.Email = "nobody" })),
				row(3, input("E2", "E1")),
			},
			creates: []string{"E2"},
			errors:  []string{"2 email: Enter the email address in the correct format"},
		},
		{
			name: "manager's line refused, manager new: refused all the way down",
			rows: []peoplecsv.Row{
				row(2, with(input("E1", ""), func(in *training.PersonInput) { in.Email = "nobody" })),
				row(5, input("E3", "E2")),
				row(4, input("E2", "E1")),
				row(6, input("E4", "")),
			},
			creates: []string{"E4"},
			errors: []string{
				"2 email: Enter the email address in the correct format",
				"4 manager_employee_number: The line manager, employee number E1, cannot be imported because their own line, line 2, has errors.",
				"5 manager_employee_number: The line manager, employee number E2, cannot be imported because their own line, line 4, has errors.",
			},
		},
		{
			// E1 and E3 are refused for their loop, so E1 keeps its stored
			// manager E2, and E2's new manager E1 would close another loop.
			name:     "refusing a loop leaves another",
			existing: []training.PersonInput{input("E1", "E2"), input("E2", "")},
			rows:     []peoplecsv.Row{row(2, input("E1", "E3")), row(3, input("E3", "E1")), row(4, input("E2", "E1"))},
			errors: []string{
				"2 manager_employee_number: This line manager would make a loop in the reporting line, where each reports to the next: E1 → E3 → E1",
				"3 manager_employee_number: This line manager would make a loop in the reporting line, where each reports to the next: E3 → E1 → E3",
				"4 manager_employee_number: This line manager leads into a loop in the reporting line that remains because other lines have errors, where each reports to the next: E2 → E1 → E2.",
			},
		},
		{
			name:     "text compared trimmed",
			existing: []training.PersonInput{input("E1", ""), input("E2", "E1")},
			rows: []peoplecsv.Row{row(2, with(input("E2", "E1"), func(in *training.PersonInput) {
				in.EmployeeNumber, in.ManagerEmployeeNumber, in.GivenName = " E2", "E1 ", "GivenE2  "
			}))},
			unchanged: 1,
		},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			existing := stored(tt.existing...)
			plan := PlanImportChecked(t, tt.rows, existing)
			if got := numbers(plan.Creates); !slices.Equal(got, tt.creates) {
				t.Errorf("creates %v, want %v", got, tt.creates)
			}
			if got := updateNumbers(plan.Updates); !slices.Equal(got, tt.updates) {
				t.Errorf("updates %v, want %v", got, tt.updates)
			}
			if plan.Unchanged != tt.unchanged {
				t.Errorf("unchanged %d, want %d", plan.Unchanged, tt.unchanged)
			}
			checkErrors(t, plan.Errors, tt.errors)
			apply(t, existing, plan)
		})
	}
}

// An update carries the whole of what the stored person becomes: the row,
// with the columns the file leaves out taken from the person as stored.
func TestPlanImportUpdate(t *testing.T) {
	leaver := with(input("E1", "E2"), func(in *training.PersonInput) { in.EndDate = training.MustDate("2025-12-31") })
	existing := stored(leaver, input("E2", ""), input("E3", ""))
	tests := []struct {
		name string
		row  peoplecsv.Row
		want training.PersonInput // nothing: the row leaves the person unchanged
	}{
		{
			name: "the row as it is; an empty end date brings a leaver back",
			row:  row(2, with(input("E1", "E3"), func(in *training.PersonInput) { in.JobTitle = "Senior Officer" })),
			want: with(input("E1", "E3"), func(in *training.PersonInput) { in.JobTitle = "Senior Officer" }),
		},
		{
			name: "an empty manager removes the manager; a change of e-mail case is a change",
			row: row(2, with(leaver, func(in *training.PersonInput) {
				in.ManagerEmployeeNumber = ""
				in.Email = "E1@example.org"
				in.Kind = training.KindContractor
				in.StartDate = training.MustDate("2021-02-01")
			})),
			want: with(leaver, func(in *training.PersonInput) {
				in.ManagerEmployeeNumber, in.Email, in.Kind, in.StartDate = "", "E1@example.org", training.KindContractor, training.MustDate("2021-02-01")
			}),
		},
		{
			name: "omitted columns leave stored fields alone",
			row: peoplecsv.Row{Line: 2, Omitted: []string{"job_title", "department", "manager_employee_number", "end_date"},
				Input: with(input("E1", ""), func(in *training.PersonInput) { in.JobTitle, in.Department, in.FamilyName = "", "", "Byron" })},
			want: with(leaver, func(in *training.PersonInput) { in.FamilyName = "Byron" }),
		},
		{
			name: "text is compared trimmed",
			row:  row(2, with(leaver, func(in *training.PersonInput) { in.GivenName, in.ManagerEmployeeNumber = " GivenE1 ", "E2 " })),
		},
		{
			name: "omitted columns alone change nothing",
			row: peoplecsv.Row{Line: 2, Omitted: []string{"job_title", "department", "manager_employee_number", "end_date"},
				Input: with(input("E1", ""), func(in *training.PersonInput) { in.JobTitle, in.Department = "", "" })},
		},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			plan := PlanImportChecked(t, []peoplecsv.Row{tt.row}, existing)
			if len(plan.Errors) != 0 {
				t.Fatalf("errors %q", formatErrors(plan.Errors))
			}
			if tt.want == (training.PersonInput{}) {
				if len(plan.Updates) != 0 || plan.Unchanged != 1 {
					t.Errorf("%d updates and %d unchanged, want the person unchanged", len(plan.Updates), plan.Unchanged)
				}
				return
			}
			if len(plan.Updates) != 1 {
				t.Fatalf("got %+v, want one update", plan)
			}
			u := plan.Updates[0]
			if u.ID != "id-E1" || u.Row.Input != tt.want || u.Before != existing["E1"].Person {
				t.Errorf("update %s to %+v from %+v,\nwant id-E1 to %+v from %+v", u.ID, u.Row.Input, u.Before, tt.want, existing["E1"].Person)
			}
		})
	}
}

// Every column of the file counts: a stored person whose row differs in
// one column only is updated, and one whose file leaves an optional
// column out keeps that field.
func TestPlanImportEveryColumn(t *testing.T) {
	base := map[string]string{
		"employee_number": "E1", "email": "e1@example.org", "given_name": "GivenE1", "family_name": "Family", "kind": "staff",
		"job_title": "Officer", "department": "Finance", "manager_employee_number": "E2", "start_date": "2020-01-06", "end_date": "2025-12-31",
	}
	other := map[string]string{
		"email": "e1@example.net", "given_name": "Ada", "family_name": "Lovelace", "kind": "Member",
		"job_title": "Clerk", "department": "Housing", "manager_employee_number": "", "start_date": "2021-01-06", "end_date": "",
	}
	optional := map[string]bool{"job_title": true, "department": true, "manager_employee_number": true, "end_date": true}
	if got := peoplecsv.OptionalColumns; len(got) != len(optional) || !slices.ContainsFunc(got, func(c string) bool { return optional[c] }) ||
		slices.ContainsFunc(got, func(c string) bool { return !optional[c] }) {
		t.Errorf("optional columns %v, want %v", got, optional)
	}
	existing := stored(with(input("E1", "E2"), func(in *training.PersonInput) { in.EndDate = training.MustDate("2025-12-31") }), input("E2", ""))
	file := func(omit, col, value string) string {
		var names, cells []string
		for _, c := range peoplecsv.Columns {
			if c == omit {
				continue
			}
			v := base[c]
			if c == col {
				v = value
			}
			names, cells = append(names, c), append(cells, v)
		}
		return strings.Join(names, ",") + "\n" + strings.Join(cells, ",") + "\n"
	}
	plan := func(t *testing.T, f string) peoplecsv.Plan {
		t.Helper()
		rows, lineErrs, err := readAll(t, f, 0)
		if err != nil || len(lineErrs) != 0 {
			t.Fatalf("%v %q", err, formatErrors(lineErrs))
		}
		p := PlanImportChecked(t, rows, existing)
		if len(p.Errors) != 0 {
			t.Fatalf("errors %q", formatErrors(p.Errors))
		}
		return p
	}
	if p := plan(t, file("", "", "")); p.Unchanged != 1 {
		t.Fatalf("the stored person as a row: %d unchanged, want 1", p.Unchanged)
	}
	if len(other) != len(peoplecsv.Columns)-1 { // the employee number is the key, not a change
		t.Fatalf("the test changes %d columns of %d", len(other), len(peoplecsv.Columns))
	}
	for _, col := range peoplecsv.Columns[1:] {
		t.Run(col, func(t *testing.T) {
			if p := plan(t, file("", col, other[col])); len(p.Updates) != 1 {
				t.Errorf("%d updates, %d unchanged: a change of %s is not an update", len(p.Updates), p.Unchanged, col)
			}
			if !optional[col] {
				return
			}
			if p := plan(t, file(col, "", "")); p.Unchanged != 1 {
				t.Errorf("a file without %s: %d updates, %d unchanged; want the stored person unchanged", col, len(p.Updates), p.Unchanged)
			}
		})
	}
}

// TestImportTwice reads a file, applies its plan, and imports it again:
// the second time everything is unchanged.
func TestImportTwice(t *testing.T) {
	existing := stored(
		with(input("E1", ""), func(in *training.PersonInput) { in.EndDate = training.MustDate("2025-12-31") }),
		input("E2", "E1"), input("E3", "E1"),
	)
	file := header +
		csvLine("E5", "E4") + // manager later in the file
		"E2,e2@example.org,GivenE2,Family,staff,\"Senior\nOfficer\",Finance,E1,2020-01-06,\n" + // refused: a line break in a name

		csvLine("E1", "") + // brings a leaver back
		csvLine("E3", "E1") +
		csvLine("E4", "E2") +
		"E6,e6@example.org,GivenE6,Family,staff,,,E2,2020-13-01,\n" + // refused by Read
		"E7,E5@example.org,GivenE7,Family,staff,,,E2,2020-01-06,\n" // refused by PlanImport
	rows, readErrs, err := readAll(t, file, 100)
	if err != nil {
		t.Fatal(err)
	}
	checkErrors(t, readErrs, []string{`8 start_date: Enter the start date as a real date`})
	plan := PlanImportChecked(t, rows, existing)
	checkErrors(t, plan.Errors, []string{
		"3 job_title: The job title must be on one line, without line breaks.",
		"9 email: The email address E5@example.org is also on line 2",
	})
	if got, want := numbers(plan.Creates), []string{"E4", "E5"}; !slices.Equal(got, want) {
		t.Errorf("creates %v, want %v", got, want)
	}
	if got, want := updateNumbers(plan.Updates), []string{"E1"}; !slices.Equal(got, want) || plan.Unchanged != 1 {
		t.Errorf("updates %v and %d unchanged, want %v and 1", got, plan.Unchanged, want)
	}
	if u := plan.Updates[0]; u.Row.Line != 5 || u.Row.Input != input("E1", "") {
		t.Errorf("update of E1: line %d, %+v", u.Row.Line, u.Row.Input)
	}

	after := apply(t, existing, plan)
	again := PlanImportChecked(t, rows, after)
	if len(again.Creates)+len(again.Updates) != 0 || again.Unchanged != 4 {
		t.Errorf("second import: creates %v, updates %v, %d unchanged; want 4 unchanged", numbers(again.Creates), updateNumbers(again.Updates), again.Unchanged)
	}
}

// TestPlanImportLarge checks 20,000-person shapes that a quadratic planner
// would take minutes over: a chain 20,000 deep and a loop of 20,000.
func TestPlanImportLarge(t *testing.T) {
	const n = 20000
	num := func(i int) string { return fmt.Sprintf("E%d", i) }
	chain := make([]peoplecsv.Row, n)
	loop := make([]peoplecsv.Row, n)
	for i := range n {
		mgr := ""
		if i+1 < n {
			mgr = num(i + 1) // the last is the top
		}
		chain[i] = row(i+2, input(num(i), mgr))
		loop[i] = row(i+2, input(num(i), num((i+1)%n)))
	}
	plan := peoplecsv.PlanImport(chain, nil)
	if len(plan.Creates) != n || plan.Creates[0].Input.EmployeeNumber != num(n-1) || len(plan.Errors) != 0 {
		t.Errorf("chain: %d creates starting with %s, %d errors", len(plan.Creates), plan.Creates[0].Input.EmployeeNumber, len(plan.Errors))
	}
	plan = peoplecsv.PlanImport(loop, nil)
	if len(plan.Creates) != 0 || len(plan.Errors) != n {
		t.Fatalf("loop: %d creates, %d errors", len(plan.Creates), len(plan.Errors))
	}
	if got, want := plan.Errors[1].Message, "This line manager would make a loop in the reporting line, where each reports to the next: E1 → E2 → E3 → E4 → E5 → E6 → … (20000 people) → E1"; !strings.HasPrefix(got, want) {
		t.Errorf("got %q, want %q", got, want)
	}
}

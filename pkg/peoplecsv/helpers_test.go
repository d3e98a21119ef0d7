package peoplecsv_test

import (
	"fmt"
	"maps"
	"strings"
	"testing"

	"github.com/complytrack/complytrack/pkg/peoplecsv"
	"github.com/complytrack/complytrack/pkg/training"
)

// header is every column in the documented order.
const header = "employee_number,email,given_name,family_name,kind,job_title,department,manager_employee_number,start_date,end_date\n"

// csvLine is a valid data line for employee number num reporting to mgr.
func csvLine(num, mgr string) string {
	return fmt.Sprintf("%s,%s@example.org,Given%s,Family,staff,Officer,Finance,%s,2020-01-06,\n", num, strings.ToLower(num), num, mgr)
}

// input is the PersonInput csvLine(num, mgr) reads as.
func input(num, mgr string) training.PersonInput {
	return training.PersonInput{Person: training.Person{EmployeeNumber: num, Email: strings.ToLower(num) + "@example.org", GivenName: "Given" + num, FamilyName: "Family", Kind: training.KindStaff, JobTitle: "Officer", Department: "Finance", StartDate: training.MustDate("2020-01-06")}, ManagerEmployeeNumber: mgr}
}

// stored makes the existing people from inputs, with IDs "id-" + number.
func stored(ins ...training.PersonInput) map[string]peoplecsv.Existing {
	m := make(map[string]peoplecsv.Existing, len(ins))
	for _, in := range ins {
		put(m, "id-"+in.EmployeeNumber, in)
	}
	return m
}

func put(m map[string]peoplecsv.Existing, id string, in training.PersonInput) {
	p := in.Record()
	p.ID = id
	m[in.EmployeeNumber] = peoplecsv.Existing{ID: id, Person: p, ManagerEmployeeNumber: in.ManagerEmployeeNumber}
}

// readAll reads a whole file with Read.
func readAll(t testing.TB, file string, maxRows int) ([]peoplecsv.Row, []peoplecsv.LineError, error) {
	t.Helper()
	var rows []peoplecsv.Row
	errs, err := peoplecsv.Read(strings.NewReader(file), maxRows, func(r peoplecsv.Row) error {
		rows = append(rows, r)
		return nil
	})
	return rows, errs, err
}

// formatErrors writes errors as "line field: message", one a string.
func formatErrors(errs []peoplecsv.LineError) []string {
	out := make([]string, len(errs))
	for i, e := range errs {
		out[i] = fmt.Sprintf("%d %s: %s", e.Line, e.Field, e.Message)
	}
	return out
}

// checkErrors compares errors with wants, each a prefix of the formatted
// error at the same place.
func checkErrors(t *testing.T, got []peoplecsv.LineError, want []string) {
	t.Helper()
	g := formatErrors(got)
	ok := len(g) == len(want)
	for i := 0; ok && i < len(g); i++ {
		ok = strings.HasPrefix(g[i], want[i])
	}
	if !ok {
		t.Errorf("errors:\n  got  %q\n  want %q", g, want)
	}
}

// apply applies a plan to a copy of existing the way the service would:
// creates then updates, in order, each checked as CreatePerson and
// UpdatePerson check a manager (it must exist, and no loop). It reports
// through t any step the service would refuse.
func apply(t testing.TB, existing map[string]peoplecsv.Existing, plan peoplecsv.Plan) map[string]peoplecsv.Existing {
	t.Helper()
	m := maps.Clone(existing)
	if m == nil {
		m = make(map[string]peoplecsv.Existing)
	}
	for _, r := range plan.Creates {
		if _, ok := m[r.Input.EmployeeNumber]; ok {
			t.Errorf("create %s: already stored", r.Input.EmployeeNumber)
		}
		if mgr := r.Input.ManagerEmployeeNumber; mgr != "" {
			if _, ok := m[mgr]; !ok {
				t.Errorf("create %s: manager %s not stored yet", r.Input.EmployeeNumber, mgr)
			}
		}
		put(m, "new-"+r.Input.EmployeeNumber, r.Input)
	}
	for _, u := range plan.Updates {
		num := u.Row.Input.EmployeeNumber
		ex, ok := m[num]
		if !ok || ex.ID != u.ID {
			t.Errorf("update %s: stored as %+v, update says ID %s", num, ex, u.ID)
			continue
		}
		if u.Before != ex.Person {
			t.Errorf("update %s: planned against %+v, stored %+v", num, u.Before, ex.Person)
		}
		mgr := u.Row.Input.ManagerEmployeeNumber
		if mgr != "" && mgr != ex.ManagerEmployeeNumber {
			if _, ok := m[mgr]; !ok {
				t.Errorf("update %s: manager %s not stored yet", num, mgr)
			}
			if above(m, mgr, num) {
				t.Errorf("update %s: manager %s reports to them already: a loop on the way", num, mgr)
			}
		}
		m[num] = peoplecsv.Existing{ID: ex.ID, Person: ex.Person.Edited(u.Row.Input), ManagerEmployeeNumber: mgr}
	}
	if n, ok := loopIn(m); ok {
		t.Errorf("after the import %s is in a loop", n)
	}
	return m
}

// above reports whether num is found going up the manager links from start.
func above(m map[string]peoplecsv.Existing, start, num string) bool {
	for n, steps := start, 0; n != "" && steps <= len(m); n, steps = m[n].ManagerEmployeeNumber, steps+1 {
		if n == num {
			return true
		}
	}
	return false
}

// loopIn finds someone in a reporting loop, if there is one.
func loopIn(m map[string]peoplecsv.Existing) (string, bool) {
	for n := range m {
		if mgr := m[n].ManagerEmployeeNumber; mgr != "" && above(m, mgr, n) {
			return n, true
		}
	}
	return "", false
}

// numbers lists the employee numbers of rows, in order.
func numbers(rows []peoplecsv.Row) []string {
	var out []string
	for _, r := range rows {
		out = append(out, r.Input.EmployeeNumber)
	}
	return out
}

func updateNumbers(us []peoplecsv.Update) []string {
	var out []string
	for _, u := range us {
		out = append(out, u.Row.Input.EmployeeNumber)
	}
	return out
}

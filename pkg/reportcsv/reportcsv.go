// Package reportcsv writes a compliance report as the CSV file HR opens in
// a spreadsheet: the API's and the pages' download and the monthly
// e-mail's attachment are the same file.
package reportcsv

import (
	"bytes"
	"encoding/csv"
	"io"
	"strings"

	"github.com/complytrack/complytrack/pkg/training"
)

// Header is the header row: one line per applicable person follows.
var Header = []string{"employee_number", "given_name", "family_name", "kind", "department", "job_title",
	"manager_employee_number", "group", "course_code", "status", "due_on", "expires_on", "last_completed_on", "explanation"}

// Write writes the report's per-person list as CSV (UTF-8, header row).
func Write(w io.Writer, rep training.Report) error {
	cw := csv.NewWriter(w)
	if err := cw.Write(Header); err != nil {
		return err
	}
	for _, l := range rep.Lines {
		last := ""
		if l.Assessment.LastCompleted != nil {
			last = l.Assessment.LastCompleted.CompletedOn.String()
		}
		if err := cw.Write(Defuse([]string{l.Person.EmployeeNumber, l.Person.GivenName, l.Person.FamilyName, string(l.Person.Kind),
			l.Person.Department, l.Person.JobTitle, l.Manager.EmployeeNumber, l.Group, rep.CourseCode,
			string(l.Assessment.Status), l.Assessment.DueOn.String(), l.Assessment.ExpiresOn.String(), last, l.Assessment.ExplanationText()})); err != nil {
			return err
		}
	}
	cw.Flush()
	return cw.Error()
}

// Bytes returns Write's output.
func Bytes(rep training.Report) []byte {
	var b bytes.Buffer
	_ = Write(&b, rep) // a bytes.Buffer does not fail
	return b.Bytes()
}

// Defuse defuses spreadsheet formulas in a CSV row, in place: a cell
// starting with = + - @ or a tab would be run by Excel when HR opens the
// file, so it gets a leading apostrophe.
func Defuse(cells []string) []string {
	for i, s := range cells {
		if s != "" && strings.ContainsRune("=+-@\t\r", rune(s[0])) {
			cells[i] = "'" + s
		}
	}
	return cells
}

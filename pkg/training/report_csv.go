package training

import (
	"bytes"
	"encoding/csv"
	"io"
	"strings"
)

// ReportCSVHeader is the header row of a report's CSV: one line per
// applicable person.
var ReportCSVHeader = []string{"employee_number", "given_name", "family_name", "kind", "department", "job_title",
	"manager_employee_number", "group", "course_code", "status", "due_on", "expires_on", "last_completed_on", "explanation"}

// WriteCSV writes the report's per-person list as CSV (UTF-8, header row),
// the same for the API's download and the monthly e-mail's attachment.
func (rep Report) WriteCSV(w io.Writer) error {
	cw := csv.NewWriter(w)
	if err := cw.Write(ReportCSVHeader); err != nil {
		return err
	}
	for _, l := range rep.Lines {
		last := ""
		if l.Assessment.LastCompleted != nil {
			last = l.Assessment.LastCompleted.CompletedOn.String()
		}
		if err := cw.Write(DefuseCSV([]string{l.Person.EmployeeNumber, l.Person.GivenName, l.Person.FamilyName, string(l.Person.Kind),
			l.Person.Department, l.Person.JobTitle, l.Manager.EmployeeNumber, l.Group, rep.CourseCode,
			string(l.Assessment.Status), l.Assessment.DueOn.String(), l.Assessment.ExpiresOn.String(), last, l.Assessment.ExplanationText()})); err != nil {
			return err
		}
	}
	cw.Flush()
	return cw.Error()
}

// CSV returns WriteCSV's output.
func (rep Report) CSV() []byte {
	var b bytes.Buffer
	_ = rep.WriteCSV(&b)
	return b.Bytes()
}

// DefuseCSV defuses spreadsheet formulas in a CSV row, in place: a cell
// starting with = + - @ or a tab would be run by Excel when HR opens the
// file, so it gets a leading apostrophe.
func DefuseCSV(cells []string) []string {
	for i, s := range cells {
		if s != "" && strings.ContainsRune("=+-@\t\r", rune(s[0])) {
			cells[i] = "'" + s
		}
	}
	return cells
}

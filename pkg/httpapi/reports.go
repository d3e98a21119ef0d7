package httpapi

import (
	"encoding/csv"
	"fmt"
	"net/http"
	"strings"

	"github.com/gin-gonic/gin"

	"github.com/complytrack/complytrack/pkg/training"
)

type counts struct {
	Applicable    int     `json:"applicable"`
	Exempt        int     `json:"exempt"`
	Compliant     int     `json:"compliant"`
	Expiring      int     `json:"expiring"`
	Due           int     `json:"due"`
	Overdue       int     `json:"overdue"`
	Expired       int     `json:"expired"`
	CompliancePct float64 `json:"compliance_pct"`
}

func toCounts(t training.Tally) counts {
	return counts{Applicable: t.Applicable, Exempt: t.Exempt, Compliant: t.Compliant, Expiring: t.Expiring,
		Due: t.Due, Overdue: t.Overdue, Expired: t.Expired, CompliancePct: t.Pct()}
}

type reportGroup struct {
	Key string `json:"key"`
	counts
}

type reportResponse struct {
	AsOf       training.Date    `json:"as_of"`
	CourseCode string           `json:"course_code"`
	GroupBy    training.GroupBy `json:"group_by"`
	Totals     counts           `json:"totals"`
	Groups     []reportGroup    `json:"groups"`
}

func (h *handlers) complianceReport(c *gin.Context) {
	v := &training.ValidationError{}
	req := training.ReportRequest{
		CourseCode: c.Query("course_code"),
		GroupBy:    training.GroupBy(c.Query("group_by")),
		AsOf:       parseDate(v, "as_of", c.Query("as_of")),
	}
	format := c.Query("format")
	if format == "" && strings.Contains(c.GetHeader("Accept"), "text/csv") {
		format = "csv"
	}
	if format != "" && format != "csv" && format != "json" {
		v.Add("format", "must be csv or json")
	}
	if err := v.Err(); err != nil {
		fail(c, err)
		return
	}
	rep, err := h.d.Training.ComplianceReport(c.Request.Context(), actor(c), req)
	if err != nil {
		fail(c, err)
		return
	}
	if format == "csv" {
		writeReportCSV(c, rep)
		return
	}
	out := reportResponse{AsOf: rep.AsOf, CourseCode: rep.CourseCode, GroupBy: rep.GroupBy, Totals: toCounts(rep.Totals), Groups: []reportGroup{}}
	for _, g := range rep.Groups {
		out.Groups = append(out.Groups, reportGroup{Key: g.Key, counts: toCounts(g.Tally)})
	}
	c.JSON(http.StatusOK, out)
}

// ReportCSVHeader is the header row of the report's CSV: one line per
// applicable person.
var ReportCSVHeader = []string{"employee_number", "given_name", "family_name", "kind", "department", "job_title",
	"manager_employee_number", "group", "course_code", "status", "due_on", "expires_on", "last_completed_on", "explanation"}

func writeReportCSV(c *gin.Context, rep training.Report) {
	c.Header("Content-Type", "text/csv; charset=utf-8")
	c.Header("Content-Disposition", fmt.Sprintf(`attachment; filename="compliance-%s-%s.csv"`, rep.CourseCode, rep.AsOf))
	c.Status(http.StatusOK)
	w := csv.NewWriter(c.Writer)
	_ = w.Write(ReportCSVHeader)
	for _, l := range rep.Lines {
		last := ""
		if l.Assessment.LastCompleted != nil {
			last = l.Assessment.LastCompleted.CompletedOn.String()
		}
		_ = w.Write(csvSafe([]string{l.Person.EmployeeNumber, l.Person.GivenName, l.Person.FamilyName, string(l.Person.Kind),
			l.Person.Department, l.Person.JobTitle, l.Manager.EmployeeNumber, l.Group, rep.CourseCode,
			string(l.Assessment.Status), l.Assessment.DueOn.String(), l.Assessment.ExpiresOn.String(), last, l.Assessment.ExplanationText()}))
	}
	w.Flush()
}

// csvSafe defuses spreadsheet formulas: a cell starting with = + - @ or a
// tab would be run by Excel when HR opens the file.
func csvSafe(cells []string) []string {
	for i, s := range cells {
		if s != "" && strings.ContainsRune("=+-@\t\r", rune(s[0])) {
			cells[i] = "'" + s
		}
	}
	return cells
}

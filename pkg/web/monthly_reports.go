package web

import (
	"fmt"
	"net/http"

	"github.com/gin-gonic/gin"

	"github.com/complytrack/complytrack/pkg/training"
)

// monthlyReportsPage is the content of monthly_reports.html.
type monthlyReportsPage struct {
	Courses    []courseOption
	CourseCode string
	Course     string
	Reports    []monthlyReportView
}

// monthlyReportView is one kept monthly report: the figure as it was sent.
type monthlyReportView struct {
	ID, Month, AsOf, SentAt string
	Totals                  reportRow
	Groups                  []reportRow
}

// monthlyReports lists the monthly reports kept for a course, newest
// first, each as it was sent (HR and auditors).
func (s *Server) monthlyReports(c *gin.Context) error {
	ctx := c.Request.Context()
	courses, code, err := s.chosenCourse(c)
	if err != nil {
		return err
	}
	snaps, err := s.d.Training.MonthlyReports(ctx, principal(c).Actor(), code)
	if isInputError(err) {
		return fmt.Errorf("monthly reports of %q: %w", code, training.ErrNotFound)
	}
	if err != nil {
		return err
	}
	data := monthlyReportsPage{Courses: courseOptions(courses, code), CourseCode: code, Course: code}
	for _, co := range courses {
		if co.Code == code {
			data.Course = co.Title
		}
	}
	for _, sn := range snaps {
		data.Reports = append(data.Reports, monthlyReportView{
			ID: "month-" + training.MonthLabel(sn.AsOf), Month: monthName(sn.AsOf), AsOf: longDate(sn.AsOf),
			SentAt: sn.TakenAt.In(s.d.Training.Location()).Format("2 January 2006 at 3:04pm"),
			Totals: reportRow{Label: "All", Tally: sn.Totals, Pct: formatPct(sn.Totals.Pct())}, Groups: reportRows(sn.Groups)})
	}
	s.render(c, http.StatusOK, "monthly_reports.html", page{Title: "Monthly reports", Data: data})
	return nil
}

package web

import (
	"fmt"
	"net/http"
	"net/url"
	"strconv"
	"strings"

	"github.com/gin-gonic/gin"

	"github.com/complytrack/complytrack/pkg/training"
)

// The people behind each number on the dashboard: /dashboard/people lists
// them from the same compliance report the dashboard counts, so a number
// and its list always agree (today's statuses, not the flags the daily
// scan raised).

// dashboardListSize is how many people one page of the list shows.
const dashboardListSize = 50

// countKind is which people a dashboard number counts.
type countKind struct {
	// Key is the address's "show" value.
	Key string
	// Heading names the people: "Overdue", "Up to date".
	Heading string
	// Counts reports whether an assessment is one of them.
	Counts func(training.Assessment) bool
	// Of reads the number from a tally.
	Of func(training.Tally) int
}

func statusIs(statuses ...training.Status) func(training.Assessment) bool {
	return func(a training.Assessment) bool {
		for _, st := range statuses {
			if a.Status == st {
				return true
			}
		}
		return false
	}
}

// countKinds are the numbers the dashboard shows, in its order. "Up to
// date" is the percentage's numerator (compliant, expiring included) and
// "required" its denominator (everyone it applies to who is not exempt).
var countKinds = []countKind{
	{Key: "up_to_date", Heading: "Up to date (compliant or expiring)", Counts: statusIs(training.StatusCompliant, training.StatusExpiring),
		Of: training.Tally.UpToDate},
	{Key: "required", Heading: "Required to hold it", Counts: func(a training.Assessment) bool { return a.Status != training.StatusExempt },
		Of: training.Tally.Required},
	{Key: "overdue", Heading: "Overdue", Counts: statusIs(training.StatusOverdue), Of: func(t training.Tally) int { return t.Overdue }},
	{Key: "expired", Heading: "Expired", Counts: statusIs(training.StatusExpired), Of: func(t training.Tally) int { return t.Expired }},
	{Key: "due", Heading: "New starters (due)", Counts: statusIs(training.StatusDue), Of: func(t training.Tally) int { return t.Due }},
	{Key: "exempt", Heading: "Exempt", Counts: statusIs(training.StatusExempt), Of: func(t training.Tally) int { return t.Exempt }},
}

func countKindOf(key string) (countKind, bool) {
	for _, k := range countKinds {
		if k.Key == key {
			return k, true
		}
	}
	return countKind{}, false
}

// countHref is the address of the list behind one number: a course, which
// people, and a department ("" for everyone).
func countHref(course, show, department string) string {
	q := url.Values{"course_code": {course}, "show": {show}}
	if department != "" {
		q.Set("department", department)
	}
	return "/dashboard/people?" + q.Encode()
}

// kindCountHref is countHref for one kind of person (staff, elected
// Members) instead of a department.
func kindCountHref(course, show string, kind training.Kind) string {
	return "/dashboard/people?" + url.Values{"course_code": {course}, "show": {show}, "kind": {string(kind)}}.Encode()
}

// dashboardListPage is the content of dashboard_list.html.
type dashboardListPage struct {
	Course, CourseCode, Department, AsOf string
	Heading                              string
	// Total is how many people the list holds, on all its pages.
	Total int
	// Pct is set for "up to date": the share of those required.
	Pct, Required string
	People        []dashboardListRow
	// From and To number the people on this page (1-based).
	From, To           int
	PrevHref, NextHref string
	BackHref           string
}

type dashboardListRow struct {
	ID, Name, EmployeeNumber, Department string
	Status                               training.Status
	DateLabel, Date                      string
}

func (s *Server) dashboardList(c *gin.Context) error {
	ctx := c.Request.Context()
	kind, ok := countKindOf(c.Query("show"))
	code := strings.TrimSpace(c.Query("course_code"))
	pageNo, err := strconv.Atoi(c.DefaultQuery("page", "1"))
	if !ok || code == "" || err != nil || pageNo < 1 {
		s.NotFound(c)
		return nil
	}
	department := c.Query("department")
	// kind narrows the list to one kind of person, as the dashboard's
	// staff and Members figures count them; an unknown one is no list.
	personKind := training.Kind(c.Query("kind"))
	if personKind != "" && (!personKind.Valid() || department != "") {
		s.NotFound(c)
		return nil
	}
	rep, err := s.departmentReport(c, code)
	if err != nil {
		return err
	}
	course, err := s.d.Training.Course(ctx, rep.CourseCode)
	if err != nil {
		return err
	}
	var lines []training.ReportLine
	tally := rep.Totals
	narrowed := department != "" || personKind != ""
	if narrowed {
		tally = training.Tally{}
	}
	for _, l := range rep.Lines {
		if department != "" && l.Group != department || personKind != "" && l.Person.Kind != personKind {
			continue
		}
		if narrowed {
			tally.Add(l.Assessment)
		}
		if kind.Counts(l.Assessment) {
			lines = append(lines, l)
		}
	}
	data := dashboardListPage{Course: course.Title, CourseCode: course.Code, Department: department, AsOf: longDate(rep.AsOf),
		Heading: kind.Heading, Total: len(lines), BackHref: "/dashboard?course_code=" + url.QueryEscape(course.Code)}
	if kind.Key == "up_to_date" {
		data.Pct, data.Required = formatPct(tally.Pct()), strconv.Itoa(tally.Required())
	}
	start := (pageNo - 1) * dashboardListSize
	if start > 0 && start >= len(lines) {
		s.NotFound(c)
		return nil
	}
	end := min(start+dashboardListSize, len(lines))
	for _, l := range lines[start:end] {
		cs := toCourseStatus(l.Assessment, course)
		data.People = append(data.People, dashboardListRow{ID: l.Person.ID, Name: l.Person.FullName(),
			EmployeeNumber: l.Person.EmployeeNumber, Department: groupLabel(l.Group), Status: l.Assessment.Status,
			DateLabel: cs.DateLabel, Date: cs.Date})
	}
	data.From, data.To = start+1, end
	here := countHref(course.Code, kind.Key, department)
	if personKind != "" {
		here = kindCountHref(course.Code, kind.Key, personKind)
	}
	if pageNo > 1 {
		data.PrevHref = here
		if pageNo > 2 {
			data.PrevHref += "&page=" + strconv.Itoa(pageNo-1)
		}
	}
	if end < len(lines) {
		data.NextHref = here + "&page=" + strconv.Itoa(pageNo+1)
	}
	title := fmt.Sprintf("%s: %s", kind.Heading, course.Title)
	if department != "" {
		title += ", " + groupLabel(department)
	}
	if personKind != "" {
		title += ", " + kindHeading(personKind)
	}
	s.render(c, http.StatusOK, "dashboard_list.html", page{Title: title, Data: data})
	return nil
}

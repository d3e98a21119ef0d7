package web

import (
	"fmt"
	"net/http"
	"strings"

	"github.com/gin-gonic/gin"

	"github.com/complytrack/complytrack/pkg/training"
)

// The HR pages: dashboard, flags, pending evidence, exemptions, courses,
// reports and the outbox. HR acts on them; auditors see them read-only
// (no forms that change anything, and the domain service refuses their
// posts); everyone else gets the "page not found" page, as for a person
// outside their scope. The domain service makes the decisions; the route
// guards (guards.go) only choose which pages and forms to show.

// courseOption is one course in a select.
type courseOption struct {
	Code, Title string
	Selected    bool
}

func courseOptions(courses []training.Course, selected string) []courseOption {
	out := make([]courseOption, 0, len(courses))
	for _, co := range courses {
		out = append(out, courseOption{Code: co.Code, Title: co.Title, Selected: co.Code == selected})
	}
	return out
}

// defaultCourse is the course a page shows when none is chosen: Prevent
// awareness when there is one, else the first.
func defaultCourse(courses []training.Course) string {
	code := ""
	for i, co := range courses {
		if i == 0 || co.Code == "PREVENT" {
			code = co.Code
		}
		if co.Code == "PREVENT" {
			break
		}
	}
	return code
}

// chosenCourse returns the courses and the code of the one the page is
// asked for (course_code), or of defaultCourse when none is.
func (s *Server) chosenCourse(c *gin.Context) ([]training.Course, string, error) {
	courses, err := s.d.Training.Courses(c.Request.Context())
	if err != nil {
		return nil, "", err
	}
	code := strings.TrimSpace(c.Query("course_code"))
	if code == "" {
		code = defaultCourse(courses)
	}
	return courses, code, nil
}

// dashboardPage is the content of dashboard.html.
type dashboardPage struct {
	Courses    []courseOption
	CourseCode string
	Course     string
	AsOf       string
	Totals     dashboardCounts
	// ByKind are the headline figures for staff and elected Members.
	ByKind []dashboardCounts
	Groups []dashboardCounts
	Chart  barChart
	// Target is the compliance percentage the chart's colours are set by.
	Target string
	// Trend is compliance month by month, with its table.
	Trend trendChart
}

// dashboardCounts is one line of counts (a department, or everyone), each
// with the address of the list of the people it counts.
type dashboardCounts struct {
	Label   string
	Pct     string
	PctHref string
	Counts  map[string]dashboardCount
}

type dashboardCount struct {
	N    int
	Href string
}

// headlineKinds are the kinds of person the dashboard gives a headline
// figure of their own: elected Members are not in any line manager's team,
// so their compliance is watched beside the staff's.
var headlineKinds = []training.Kind{training.KindStaff, training.KindMember}

// kindHeading names a kind of person as a group ("Elected Members").
func kindHeading(k training.Kind) string {
	switch k {
	case training.KindStaff:
		return "Staff"
	case training.KindMember:
		return "Elected Members"
	case training.KindContractor:
		return "Contractors"
	case training.KindVolunteer:
		return "Volunteers"
	}
	return kindLabel(k)
}

// newKindCounts is a headline figure for one kind of person, each number
// linking to the people of that kind it counts.
func newKindCounts(course string, k training.Kind, t training.Tally) dashboardCounts {
	out := dashboardCounts{Label: kindHeading(k), Pct: formatPct(t.Pct()), PctHref: kindCountHref(course, "up_to_date", k),
		Counts: map[string]dashboardCount{}}
	for _, c := range countKinds {
		out.Counts[c.Key] = dashboardCount{N: c.Of(t), Href: kindCountHref(course, c.Key, k)}
	}
	return out
}

func newDashboardCounts(course, label, department string, t training.Tally) dashboardCounts {
	out := dashboardCounts{Label: label, Pct: formatPct(t.Pct()), PctHref: countHref(course, "up_to_date", department),
		Counts: map[string]dashboardCount{}}
	for _, k := range countKinds {
		out.Counts[k.Key] = dashboardCount{N: k.Of(t), Href: countHref(course, k.Key, department)}
	}
	return out
}

// reportRow is one group's line in a compliance table.
type reportRow struct {
	Label string
	Tally training.Tally
	Pct   string
}

func reportRows(groups []training.ReportGroup) []reportRow {
	out := make([]reportRow, 0, len(groups))
	for _, g := range groups {
		out = append(out, reportRow{Label: groupLabel(g.Key), Tally: g.Tally, Pct: formatPct(g.Tally.Pct())})
	}
	return out
}

// departmentReport is the compliance report by department for the course
// the address names, as the dashboard and its lists of people show it. An
// unknown course is Not found.
func (s *Server) departmentReport(c *gin.Context, code string) (training.Report, error) {
	rep, err := s.d.Training.ComplianceReport(c.Request.Context(), principal(c).Actor(), training.ReportRequest{CourseCode: code, GroupBy: training.GroupByDepartment})
	if isInputError(err) {
		return training.Report{}, fmt.Errorf("dashboard of %q: %w", code, training.ErrNotFound)
	}
	return rep, err
}

// dashboard is HR's landing page: compliance per department for a course,
// as a chart and a table, and the counts to act on.
func (s *Server) dashboard(c *gin.Context) error {
	ctx := c.Request.Context()
	courses, code, err := s.chosenCourse(c)
	if err != nil {
		return err
	}
	rep, err := s.departmentReport(c, code)
	if err != nil {
		return err
	}
	title, target := code, float64(training.DefaultTargetPct)
	for _, co := range courses {
		if co.Code == rep.CourseCode {
			title, target = co.Title, float64(co.Target())
		}
	}
	months, err := s.d.Training.Trend(ctx, principal(c).Actor(), rep.CourseCode, trendMonths)
	if err != nil {
		return err
	}
	data := dashboardPage{Courses: courseOptions(courses, rep.CourseCode), CourseCode: rep.CourseCode, Course: title,
		AsOf: longDate(rep.AsOf), Totals: newDashboardCounts(rep.CourseCode, "All", "", rep.Totals),
		Chart:  departmentChart("compliance-chart", title+": compliance by department on "+longDate(rep.AsOf), rep.CourseCode, target, rep.Groups),
		Target: formatPct(target), Trend: newTrendChart(title, target, months)}
	for _, g := range byCompliance(rep.Groups) {
		data.Groups = append(data.Groups, newDashboardCounts(rep.CourseCode, groupLabel(g.Key), g.Key, g.Tally))
	}
	byKind := rep.ByKind()
	for _, k := range headlineKinds {
		t, _ := training.KindGroup(byKind, k)
		data.ByKind = append(data.ByKind, newKindCounts(rep.CourseCode, k, t))
	}
	s.render(c, http.StatusOK, "dashboard.html", page{Title: "Dashboard", Data: data})
	return nil
}

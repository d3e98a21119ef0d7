package web

import (
	"errors"
	"net/http"
	"net/url"
	"strconv"
	"strings"

	"github.com/gin-gonic/gin"

	"github.com/complytrack/complytrack/pkg/application"
	"github.com/complytrack/complytrack/pkg/training"
)

// Inputs of the report form (a GET form: its answer is a link).
const (
	asOfDayInput   = "as-of-day"
	asOfMonthInput = "as-of-month"
	asOfYearInput  = "as-of-year"
)

// reportPage is the content of reports.html.
type reportPage struct {
	Courses          []courseOption
	GroupBys         []kindOption
	Course           string
	GroupLabel       string
	AsOf             string
	Day, Month, Year string
	Totals           reportRow
	Groups           []reportRow
	CSVHref          string
	Ready            bool
}

var groupByLabels = []struct {
	By    training.GroupBy
	Label string
}{
	{training.GroupByDepartment, "Department"},
	{training.GroupByManager, "Line manager"},
	{training.GroupByKind, "Kind of person"},
}

// reportRequest reads the report's parameters: course_code, group_by and
// the "as of" date, either as_of (2026-10-31) or the form's three inputs.
// Problems reading it go to the domain with the request.
func reportRequest(c *gin.Context) (training.ReportRequest, *fieldError, [3]string) {
	groupBy, err := training.ParseGroupBy("group_by", strings.TrimSpace(c.Query("group_by")))
	req := training.ReportRequest{CourseCode: strings.TrimSpace(c.Query("course_code")), GroupBy: groupBy}
	if err != nil {
		req.Problems = append(req.Problems, training.FieldError{Field: "group_by", Message: training.GroupByProblem})
	}
	dmy := [3]string{strings.TrimSpace(c.Query(asOfDayInput)), strings.TrimSpace(c.Query(asOfMonthInput)), strings.TrimSpace(c.Query(asOfYearInput))}
	var dateErr *fieldError
	if iso := strings.TrimSpace(c.Query("as_of")); iso != "" {
		d, err := training.ParseDate(iso)
		if err != nil {
			dateErr = &fieldError{ID: asOfDayInput, Message: "The date of the report must be a real date, for example 31 10 2026."}
		} else {
			req.AsOf = d
			dmy = [3]string{strconv.Itoa(d.Day()), strconv.Itoa(int(d.Month())), strconv.Itoa(d.Year())}
		}
	} else if dmy != [3]string{} {
		req.AsOf, dateErr = parseDateInput(dmy[0], dmy[1], dmy[2], "the date of the report")
		if dateErr != nil {
			dateErr.ID = strings.Replace(dateErr.ID, "completed-on", "as-of", 1)
		}
	}
	if dateErr != nil {
		req.Problems = append(req.Problems, training.FieldError{Field: "as_of", Message: dateErr.Message})
	}
	return req, dateErr, dmy
}

// reports shows a course's compliance on a day, grouped, with the link to
// the same report as CSV. HR and auditors (the domain decides).
func (s *Server) reports(c *gin.Context) error {
	ctx := c.Request.Context()
	courses, err := s.d.Training.Courses(ctx)
	if err != nil {
		return err
	}
	req, dateErr, dmy := reportRequest(c)
	if req.CourseCode == "" {
		req.CourseCode = defaultCourse(courses)
	}
	rep, err := s.app().ComplianceReport(ctx, principal(c).Actor(), req)
	code := req.CourseCode
	if err == nil {
		code = rep.CourseCode
	}
	data := reportPage{Courses: courseOptions(courses, code), Day: dmy[0], Month: dmy[1], Year: dmy[2]}
	by := req.GroupBy
	if by == "" {
		by = training.GroupByDepartment
	}
	for _, g := range groupByLabels {
		data.GroupBys = append(data.GroupBys, kindOption{Value: string(g.By), Text: g.Label, Selected: g.By == by})
		if g.By == by {
			data.GroupLabel = g.Label
		}
	}
	if err != nil {
		f := queryForm(map[string]string{"as_of": asOfDayInput, "course_code": "course_code", "group_by": "group_by"}, "course_code")
		if dateErr != nil {
			f.Ours = map[string]fieldError{"as_of": *dateErr}
		}
		f.Say = func(f training.FieldError) string {
			switch f.Field {
			case "course_code":
				return "Choose a course from the list."
			case "group_by":
				return "Choose how to group the report from the list."
			}
			return capitalise(plainDates(f.Message))
		}
		s.formFailed(c, err, f, func(status int, errs []fieldError) {
			s.render(c, status, "reports.html", page{Title: "Reports", Errors: errs, Data: data})
		})
		return nil
	}
	for _, co := range courses {
		if co.Code == rep.CourseCode {
			data.Course = co.Title
		}
	}
	data.Ready = true
	data.AsOf = longDate(rep.AsOf)
	data.Day, data.Month, data.Year = strconv.Itoa(rep.AsOf.Day()), strconv.Itoa(int(rep.AsOf.Month())), strconv.Itoa(rep.AsOf.Year())
	data.Totals = reportRow{Label: "All", Tally: rep.Totals, Pct: formatPct(rep.Totals.Pct())}
	data.Groups = reportRows(rep.Groups)
	if rep.GroupBy == training.GroupByKind {
		// Grouped by kind, the keys are the stored codes ("member").
		for i, g := range rep.Groups {
			if g.Key != "" {
				data.Groups[i].Label = kindLabel(training.Kind(g.Key))
			}
		}
	}
	q := url.Values{"course_code": {rep.CourseCode}, "group_by": {string(rep.GroupBy)}, "as_of": {rep.AsOf.String()}}
	data.CSVHref = "/reports.csv?" + q.Encode()
	s.render(c, http.StatusOK, "reports.html", page{Title: "Reports", Data: data})
	return nil
}

// reportCSV is the same report, one line per person, as a download.
func (s *Server) reportCSV(c *gin.Context) error {
	courses, err := s.d.Training.Courses(c.Request.Context())
	if err != nil {
		return err
	}
	req, _, _ := reportRequest(c)
	if req.CourseCode == "" {
		req.CourseCode = defaultCourse(courses)
	}
	rep, err := s.app().ComplianceReport(c.Request.Context(), principal(c).Actor(), req)
	var ve *training.ValidationError
	if errors.As(err, &ve) {
		s.render(c, http.StatusBadRequest, "error.html", page{Title: "The report could not be made", Data: errorPage{
			Paragraphs: []string{"The address asks for a report that does not exist. Choose the report again."},
			LinkHref:   "/reports", LinkText: "Go to reports"}})
		return nil
	}
	if err != nil {
		return err
	}
	application.Serve(c.Request.Context(), s.d.Logger, c.Writer, application.ReportCSV(rep))
	return nil
}

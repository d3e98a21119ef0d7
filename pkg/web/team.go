package web

import (
	"encoding/csv"
	"net/http"
	"net/url"
	"strings"

	"github.com/gin-gonic/gin"

	"github.com/complytrack/complytrack/pkg/reportcsv"
	"github.com/complytrack/complytrack/pkg/training"
)

// The line manager's "My team": everyone in their reporting line with the
// status of each course, overdue first (the domain's order), filtered by
// status and course with a GET form, one page at a time, and the same rows
// as CSV. compliance.Service.Team decides who is in the line: a person
// outside it never reaches these handlers' output.

// teamPageSize is how many people one page of My team shows.
const teamPageSize = 100

// teamView is the content of team.html.
type teamView struct {
	Filter  teamFilterForm
	Members []teamRow
	// CSVHref downloads everyone matching the filters, on every page;
	// NextHref is the next page,
	// FirstHref the first (when this is not it).
	CSVHref, NextHref, FirstHref string
	Filtered                     bool
	// NobodyReports: the unfiltered first page is empty, so the viewer has
	// no reporting line and filters or a download would offer nothing.
	NobodyReports bool
	// MemberServices: the viewer's team includes every elected Member.
	MemberServices bool
}

// teamFilterForm is the filter form: the choices and what was chosen.
type teamFilterForm struct {
	Status, Course string
	Statuses       []selectOption
	Courses        []selectOption
}

// option is one <option> of a select.
type selectOption struct {
	Value, Text string
	Selected    bool
}

// teamRow is one person on My team.
type teamRow struct {
	ID, Name, JobTitle, Department string
	Courses                        []teamCourse
}

// teamCourse is one course's status in a teamRow.
type teamCourse struct {
	Title     string
	Status    training.Status
	DateLabel string
	Date      string
}

// readTeamQuery reads the filters and cursor of /team and /team.csv; a
// status it cannot read is its error.
func readTeamQuery(c *gin.Context) (training.TeamFilter, training.PageRequest, error) {
	status, err := training.ParseStatus("status", strings.TrimSpace(c.Query("status")))
	f := training.TeamFilter{Status: status, CourseCode: strings.TrimSpace(c.Query("course"))}
	return f, training.PageRequest{Limit: teamPageSize, Cursor: c.Query("cursor")}, err
}

func teamQuery(f training.TeamFilter, cursor string) string {
	q := url.Values{}
	if f.Status != "" {
		q.Set("status", string(f.Status))
	}
	if f.CourseCode != "" {
		q.Set("course", f.CourseCode)
	}
	if cursor != "" {
		q.Set("cursor", cursor)
	}
	if len(q) == 0 {
		return ""
	}
	return "?" + q.Encode()
}

// queryForm is how a list's filters show a refused filter: 400, each
// message above the input for its field (inputs), or above fallback.
func queryForm(inputs map[string]string, fallback string) formErrors {
	return formErrors{Inputs: inputs, Fallback: fallback, Say: queryErrorMessage, Status: http.StatusBadRequest}
}

func queryErrorMessage(f training.FieldError) string {
	switch f.Field {
	case "status":
		return "Choose a status from the list."
	case "course_code":
		return "Choose a course from the list."
	case "cursor":
		return "That page link has expired: start again from the first page."
	}
	return capitalise(f.Message)
}

func statusSelectOptions(chosen training.Status) []selectOption {
	out := []selectOption{{Value: "", Text: "Any status", Selected: chosen == ""}}
	for _, st := range []training.Status{training.StatusOverdue, training.StatusExpired, training.StatusDue,
		training.StatusExpiring, training.StatusCompliant, training.StatusExempt} {
		out = append(out, selectOption{Value: string(st), Text: statusLabel(st), Selected: st == chosen})
	}
	return out
}

func teamCourseOptions(courses []training.Course, chosen string) []selectOption {
	out := []selectOption{{Value: "", Text: "Any course", Selected: chosen == ""}}
	for _, co := range courses {
		out = append(out, selectOption{Value: co.Code, Text: co.Title, Selected: co.Code == chosen})
	}
	return out
}

func (s *Server) myTeam(c *gin.Context) error {
	ctx := c.Request.Context()
	f, pr, filterErr := readTeamQuery(c)
	courses, err := s.d.Training.Courses(ctx)
	if err != nil {
		return err
	}
	titles := map[string]string{}
	for _, co := range courses {
		titles[co.Code] = co.Title
	}
	data := teamView{Filter: teamFilterForm{Status: string(f.Status), Course: f.CourseCode,
		Statuses: statusSelectOptions(f.Status), Courses: teamCourseOptions(courses, f.CourseCode)},
		Filtered: f.Status != "" || f.CourseCode != ""}
	pg := page{Title: "My team", Data: &data}
	list, err := training.Page[training.TeamMember]{}, filterErr
	if err == nil {
		list, err = s.d.Training.Team(ctx, principal(c).Actor(), f, pr)
	}
	if err != nil {
		s.formFailed(c, err, queryForm(map[string]string{"status": "status", "course_code": "course"}, "status"), func(status int, errs []fieldError) {
			pg.Errors = errs
			s.render(c, status, "team.html", pg)
		})
		return nil
	}
	for _, m := range list.Items {
		row := teamRow{ID: m.Person.ID, Name: m.Person.FullName(), JobTitle: m.Person.JobTitle, Department: m.Person.Department}
		for _, a := range m.Training {
			cs := toCourseStatus(a, training.Course{Title: titles[a.CourseCode]})
			row.Courses = append(row.Courses, teamCourse{Title: cs.Title, Status: a.Status, DateLabel: cs.DateLabel, Date: cs.Date})
		}
		data.Members = append(data.Members, row)
	}
	data.NobodyReports = len(data.Members) == 0 && !data.Filtered && pr.Cursor == ""
	data.MemberServices = principal(c).Actor().MemberServices
	data.CSVHref = "/team.csv" + teamQuery(f, "")
	if list.NextCursor != "" {
		data.NextHref = "/team" + teamQuery(f, list.NextCursor)
	}
	if pr.Cursor != "" {
		data.FirstHref = "/team" + teamQuery(f, "")
	}
	s.render(c, http.StatusOK, "team.html", pg)
	return nil
}

// teamCSV is everyone in the reporting line matching My team's filters,
// all pages of them, in the page's order: one line per person and course.
// A cursor in the address is ignored: the download is never one page.
func (s *Server) teamCSV(c *gin.Context) error {
	ctx := c.Request.Context()
	f, pr, err := readTeamQuery(c)
	pr.Cursor, pr.Limit = "", training.MaxPageLimit
	var members []training.TeamMember
	for err == nil {
		var list training.Page[training.TeamMember]
		list, err = s.d.Training.Team(ctx, principal(c).Actor(), f, pr)
		if err != nil {
			break
		}
		members = append(members, list.Items...)
		if list.NextCursor == "" {
			break
		}
		pr.Cursor = list.NextCursor
	}
	if err != nil {
		s.formFailed(c, err, queryForm(nil, "status"), func(status int, errs []fieldError) {
			s.render(c, status, "error.html", page{Title: "The download could not be made", Data: errorPage{
				Paragraphs: []string{training.Sentence(errs[0].Message)}, LinkHref: "/team", LinkText: "Go to My team"}})
		})
		return nil
	}
	courses, err := s.courseTitles(c)
	if err != nil {
		return err
	}
	var b strings.Builder
	w := csv.NewWriter(&b)
	_ = w.Write([]string{"employee_number", "name", "job_title", "department", "course_code", "course", "status", "due_on", "expires_on", "explanation"})
	for _, m := range members {
		if len(m.Training) == 0 {
			// On the page as "None applies": the download lists them too.
			_ = w.Write(reportcsv.Defuse([]string{m.Person.EmployeeNumber, m.Person.FullName(), m.Person.JobTitle, m.Person.Department,
				"", "", "", "", "", "None applies"}))
		}
		for _, a := range m.Training {
			_ = w.Write(reportcsv.Defuse([]string{m.Person.EmployeeNumber, m.Person.FullName(), m.Person.JobTitle, m.Person.Department,
				a.CourseCode, courses[a.CourseCode].Title, string(a.Status), csvDate(a.DueOn), csvDate(a.ExpiresOn), a.ExplanationText()}))
		}
	}
	w.Flush()
	c.Header("Content-Disposition", `attachment; filename="my-team.csv"`)
	c.Header("Cache-Control", "private, no-store")
	c.Data(http.StatusOK, "text/csv; charset=utf-8", []byte(b.String()))
	return nil
}

func csvDate(d training.Date) string {
	if d.IsZero() {
		return ""
	}
	return d.String()
}

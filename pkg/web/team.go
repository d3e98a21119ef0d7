package web

import (
	"encoding/csv"
	"fmt"
	"net/http"
	"net/url"
	"strconv"
	"strings"
	"time"

	"github.com/gin-gonic/gin"

	"github.com/complytrack/complytrack/pkg/chasing"
	"github.com/complytrack/complytrack/pkg/reportcsv"
	"github.com/complytrack/complytrack/pkg/training"
)

// The line manager's "My team", a tool to chase with: everyone in their
// reporting line (and every elected Member for Member Services), a row per
// person and a column per course, how many have something overdue, a
// search and filters (GET, so a filtered list can be bookmarked), pages by
// number, the same rows as CSV, and "Send a reminder to these N people"
// for everyone the filters match, on every page. compliance's
// TeamOverview decides who is in the line and pkg/chasing who may be
// reminded: a person outside the line never reaches these handlers' output.

// teamPageSize is how many people one page of My team shows.
const teamPageSize = 100

// teamView is the content of team.html.
type teamView struct {
	Filter teamFilterForm
	// Courses are the table's course columns: every course, or the one
	// chosen.
	Courses []training.Course
	Members []teamRow
	// People and Overdue make the count at the top.
	People, Overdue int
	Pagination      pagination
	// ToRemind is how many of the people matching have a course worth a
	// reminder (overdue, expired, due or expiring): the button's N.
	// RemindWhat names those courses' statuses in the button's hint.
	// RemindAll: everyone matching has something to chase, so the button
	// may say "these N people".
	ToRemind   int
	RemindWhat string
	RemindAll  bool
	// LateByDepartment links, per department with anyone overdue or
	// expired, to those people, longest overdue first.
	LateByDepartment []teamDepartmentLink
	// CSVHref downloads everyone matching the filters, on every page.
	CSVHref  string
	Filtered bool
	// NobodyReports: the viewer oversees nobody, so filters or a download
	// would offer nothing.
	NobodyReports bool
	// MemberServices: the viewer's team includes every elected Member.
	MemberServices bool
}

// teamDepartmentLink is one department's line of the summary at the top.
type teamDepartmentLink struct {
	Name, Href   string
	People, Late int
}

// teamFilterForm is the search and filter form: the choices and what was
// chosen. Its values are also the hidden fields of the reminder form, so
// the reminder goes to the people the page shows.
type teamFilterForm struct {
	Name, Status, Course, Department, Sort string
	Direct                                 bool
	Statuses, Courses, Departments, Sorts  []selectOption
}

// option is one <option> of a select.
type selectOption struct {
	Value, Text string
	Selected    bool
}

// teamRow is one person on My team.
type teamRow struct {
	ID, Name, JobTitle, Department string
	// Cells has one entry per course column, in the columns' order.
	Cells       []teamCourse
	DaysOverdue int
	// LastReminded is when the person was last sent a reminder by hand,
	// of any course shown; empty: never.
	LastReminded string
	// CanRemind: a course shown is worth a reminder, so the row offers one.
	CanRemind bool
}

// teamCourse is one course's status in a teamRow; Applies is false when
// the course does not apply to the person.
type teamCourse struct {
	Title     string
	Applies   bool
	Status    training.Status
	DateLabel string
	Date      string
}

// teamParams is what My team's address (or the reminder form) asks for,
// as typed: the page shows it back as it came.
type teamParams struct {
	Name, Status, Course, Department, Sort string
	Direct                                 bool
	Page                                   int
}

func readTeamParams(get func(string) string) teamParams {
	return teamParams{Name: strings.TrimSpace(get("q")), Status: strings.TrimSpace(get("status")),
		Course: strings.TrimSpace(get("course")), Department: strings.TrimSpace(get("department")),
		Sort: strings.TrimSpace(get("sort")), Direct: get("direct") == "yes", Page: pageNumber(get("page"))}
}

// teamStatusLate is the status filter's "Overdue or expired": the
// people a manager chases first, and those the count at the top counts.
const teamStatusLate = "late"

// query is the domain's reading of the parameters; a status or an order
// it cannot read is its error.
func (p teamParams) query() (training.TeamQuery, error) {
	q := training.TeamQuery{TeamFilter: training.TeamFilter{CourseCode: p.Course},
		Name: p.Name, Department: p.Department, DirectOnly: p.Direct, Sort: training.TeamSort(p.Sort)}
	if p.Status == teamStatusLate {
		q.Late = true
		return q, nil
	}
	st, err := training.ParseStatus("status", p.Status)
	q.Status = st
	return q, err
}

// wants reports whether a course in status st is one the status filter
// asks for (any, when there is none).
func (p teamParams) wants(st training.Status) bool {
	switch p.Status {
	case "":
		return true
	case teamStatusLate:
		return st.Late()
	}
	return string(st) == p.Status
}

func (p teamParams) filtered() bool {
	return p.Name != "" || p.Status != "" || p.Course != "" || p.Department != "" || p.Direct
}

// href is the address of My team (or its CSV, at path) with these
// parameters and page number n (0: none).
func (p teamParams) href(path string, n int) string {
	v := map[string]string{"q": p.Name, "status": p.Status, "course": p.Course, "department": p.Department, "sort": p.Sort}
	if p.Direct {
		v["direct"] = "yes"
	}
	if n > 1 {
		v["page"] = strconv.Itoa(n)
	}
	return listHref(path, v)
}

// teamQueryForm is how a list's filters show a refused filter: 400, each
// message above the input for its field.
func teamQueryForm() formErrors {
	return queryForm(map[string]string{"status": "status", "course_code": "course", "sort": "sort"}, "status")
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
	case "sort":
		return "Choose an order from the list."
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

// teamStatusOptions is the status filter, "Overdue or expired" first.
func teamStatusOptions(chosen string) []selectOption {
	out := statusSelectOptions(training.Status(chosen))
	late := selectOption{Value: teamStatusLate, Text: "Overdue or expired", Selected: chosen == teamStatusLate}
	return append(out[:1], append([]selectOption{late}, out[1:]...)...)
}

func teamCourseOptions(courses []training.Course, chosen string) []selectOption {
	out := []selectOption{{Value: "", Text: "Any course", Selected: chosen == ""}}
	for _, co := range courses {
		out = append(out, selectOption{Value: co.Code, Text: co.Title, Selected: co.Code == chosen})
	}
	return out
}

func teamSortOptions(chosen string) []selectOption {
	out := make([]selectOption, 0, len(training.TeamSorts))
	for _, o := range []struct {
		sort training.TeamSort
		text string
	}{{training.TeamSortUrgency, "Most urgent first"}, {training.TeamSortDaysOverdue, "Most days overdue first"}, {training.TeamSortName, "Name"}} {
		out = append(out, selectOption{Value: string(o.sort), Text: o.text, Selected: string(o.sort) == chosen})
	}
	return out
}

// teamOverview is My team's list for the signed-in person, as p asks.
func (s *Server) teamOverview(c *gin.Context, p teamParams) (training.TeamOverview, error) {
	q, err := p.query()
	if err != nil {
		return training.TeamOverview{}, err
	}
	return s.d.Training.TeamOverview(c.Request.Context(), principal(c).Actor(), q)
}

func (s *Server) myTeam(c *gin.Context) error {
	ctx := c.Request.Context()
	p := readTeamParams(c.Query)
	courses, err := s.d.Training.Courses(ctx)
	if err != nil {
		return err
	}
	actor := principal(c).Actor()
	data := teamView{Filter: teamFilterForm{Name: p.Name, Status: p.Status, Course: p.Course, Department: p.Department, Sort: p.Sort, Direct: p.Direct,
		Statuses: teamStatusOptions(p.Status), Courses: teamCourseOptions(courses, p.Course),
		Departments: departmentOptions(nil, p.Department), Sorts: teamSortOptions(p.Sort)},
		Filtered: p.filtered(), MemberServices: actor.MemberServices}
	pg := page{Title: "My team", Data: &data, Banner: reminderBanner(c)}
	ov, err := s.teamOverview(c, p)
	if err != nil {
		s.formFailed(c, err, teamQueryForm(), func(status int, errs []fieldError) {
			pg.Errors = errs
			s.render(c, status, "team.html", pg)
		})
		return nil
	}
	data.People, data.Overdue = ov.People, ov.Overdue
	data.NobodyReports = ov.People == 0
	names := make([]string, len(ov.Departments))
	for i, d := range ov.Departments {
		names[i] = d.Name
		// One department's line would only repeat the count above.
		if d.Late > 0 && d.Name != "" && len(ov.Departments) > 1 {
			data.LateByDepartment = append(data.LateByDepartment, teamDepartmentLink{Name: d.Name, People: d.People, Late: d.Late,
				Href: teamParams{Status: teamStatusLate, Department: d.Name, Sort: string(training.TeamSortDaysOverdue)}.href("/team", 0)})
		}
	}
	data.Filter.Departments = departmentOptions(names, p.Department)
	data.CSVHref = p.href("/team.csv", 0)
	switch p.Status {
	case "":
		data.RemindWhat = "overdue, expired, due or expiring"
	case teamStatusLate:
		data.RemindWhat = "overdue or expired"
	default:
		data.RemindWhat = strings.ToLower(statusLabel(training.Status(p.Status)))
	}
	for _, m := range ov.Members {
		if len(reminderTargets(m, p.wants)) > 0 {
			data.ToRemind++
		}
	}
	data.RemindAll = data.ToRemind == len(ov.Members)
	for _, co := range courses {
		if p.Course == "" || co.Code == p.Course {
			data.Courses = append(data.Courses, co)
		}
	}
	noun := "people"
	if len(ov.Members) == 1 {
		noun = "person"
	}
	from, to, pag := paginate(len(ov.Members), teamPageSize, p.Page, noun, func(n int) string { return p.href("/team", n) })
	data.Pagination = pag
	shown := ov.Members[from:to]
	ids := make([]string, len(shown))
	for i, m := range shown {
		ids[i] = m.Person.ID
	}
	var last map[string]map[string]time.Time
	if s.d.Chasing != nil {
		if last, err = s.d.Chasing.LastReminded(ctx, actor, ids); err != nil {
			return err
		}
	}
	loc := s.d.Training.Location()
	for _, m := range shown {
		row := toTeamRow(m, data.Courses, last[m.Person.ID], loc)
		row.CanRemind = len(reminderTargets(m, teamParams{}.wants)) > 0
		data.Members = append(data.Members, row)
	}
	s.render(c, http.StatusOK, "team.html", pg)
	return nil
}

// toTeamRow is one person's row: a cell per course column and when they
// were last reminded of any of those courses.
func toTeamRow(m training.TeamOverviewMember, columns []training.Course, reminded map[string]time.Time, loc *time.Location) teamRow {
	row := teamRow{ID: m.Person.ID, Name: m.Person.FullName(), JobTitle: m.Person.JobTitle, Department: m.Person.Department, DaysOverdue: m.DaysOverdue}
	byCode := make(map[string]training.Assessment, len(m.Training))
	for _, a := range m.Training {
		byCode[a.CourseCode] = a
	}
	var latest time.Time
	for _, co := range columns {
		cell := teamCourse{Title: co.Title}
		if a, ok := byCode[co.Code]; ok {
			cs := toCourseStatus(a, co)
			cell = teamCourse{Title: cs.Title, Applies: true, Status: a.Status, DateLabel: cs.DateLabel, Date: cs.Date}
		}
		row.Cells = append(row.Cells, cell)
		if at := reminded[co.Code]; at.After(latest) {
			latest = at
		}
	}
	if !latest.IsZero() {
		row.LastReminded = longDate(training.DateOf(latest.In(loc)))
	}
	return row
}

// reminderTargets are the courses worth chasing a person for: those shown
// that are overdue, expired, due or expiring, and in a status wanted.
func reminderTargets(m training.TeamOverviewMember, wanted func(training.Status) bool) []chasing.Target {
	var out []chasing.Target
	for _, a := range m.Training {
		if chasing.Chaseable(a.Status) && wanted(a.Status) {
			out = append(out, chasing.Target{PersonID: m.Person.ID, CourseCode: a.CourseCode})
		}
	}
	return out
}

// remindTeam sends a reminder to everyone My team's filters (the form's
// hidden fields) match, on every page, for the courses shown, then shows
// the list again with what was done. The form's person field narrows it
// to the people named; one the sender may not chase is refused as the
// domain says (404 outside their line), and nothing is sent.
func (s *Server) remindTeam(c *gin.Context) error {
	if s.d.Chasing == nil {
		return fmt.Errorf("remind: no reminder service: %w", training.ErrNotFound)
	}
	p := readTeamParams(c.PostForm)
	p.Page = 0
	var targets []chasing.Target
	if named := c.PostFormArray("person"); len(named) > 0 {
		codes := []string{p.Course}
		if p.Course == "" {
			courses, err := s.d.Training.Courses(c.Request.Context())
			if err != nil {
				return err
			}
			codes = codes[:0]
			for _, co := range courses {
				codes = append(codes, co.Code)
			}
		}
		for _, id := range named {
			for _, code := range codes {
				targets = append(targets, chasing.Target{PersonID: id, CourseCode: code})
			}
		}
	} else {
		ov, err := s.teamOverview(c, p)
		if err != nil {
			return err
		}
		for _, m := range ov.Members {
			targets = append(targets, reminderTargets(m, p.wants)...)
		}
	}
	res, err := s.d.Chasing.Remind(c.Request.Context(), principal(c).Actor(), targets)
	if err != nil {
		return err
	}
	already := map[string]bool{}
	for _, t := range res.AlreadyToday {
		already[t.PersonID] = true
	}
	for _, id := range res.Emailed {
		delete(already, id)
	}
	back := p.href("/team", 0)
	sep := "?"
	if strings.Contains(back, "?") {
		sep = "&"
	}
	c.Redirect(http.StatusSeeOther, back+sep+url.Values{"reminded": {strconv.Itoa(len(res.Emailed))}, "already": {strconv.Itoa(len(already))}}.Encode())
	return nil
}

// reminderBanner says what the reminder form just did, from the address
// remindTeam sent the browser back to.
func reminderBanner(c *gin.Context) *banner {
	sent, errSent := strconv.Atoi(c.Query("reminded"))
	already, errAlready := strconv.Atoi(c.Query("already"))
	if errSent != nil || errAlready != nil || sent < 0 || already < 0 {
		return nil
	}
	b := &banner{Success: true, Heading: "Reminder e-mailed to " + peopleCount(sent)}
	if sent == 0 {
		b = &banner{Heading: "No reminders were sent"}
	}
	if already > 0 {
		was := "were"
		if already == 1 {
			was = "was"
		}
		b.Text = fmt.Sprintf("%s %s already reminded today, so they were not e-mailed again.", capitalise(peopleCount(already)), was)
	}
	return b
}

// peopleCount is "1 person", "2 people".
func peopleCount(n int) string {
	if n == 1 {
		return "1 person"
	}
	return thousands(n) + " people"
}

// teamCSV is everyone matching My team's filters, all pages of them, in
// the page's order: one line per person and course.
func (s *Server) teamCSV(c *gin.Context) error {
	p := readTeamParams(c.Query)
	ov, err := s.teamOverview(c, p)
	if err != nil {
		s.formFailed(c, err, teamQueryForm(), func(status int, errs []fieldError) {
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
	for _, m := range ov.Members {
		if len(m.Training) == 0 {
			// On the page as "Does not apply": the download lists them too.
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

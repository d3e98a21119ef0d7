package web

import (
	"fmt"
	"net/http"
	"strconv"
	"strings"

	"github.com/gin-gonic/gin"

	"github.com/complytrack/complytrack/pkg/chasing"
	"github.com/complytrack/complytrack/pkg/training"
)

// flagKindLabels name each kind of flag in plain English.
var flagKindLabels = map[training.FlagKind]string{
	training.FlagNewStarter:        "New starter",
	training.FlagDueSoon:           "Due soon",
	training.FlagOverdue:           "Overdue",
	training.FlagExpired:           "Expired",
	training.FlagDuplicateEvidence: "Same certificate for two people",
}

// kindOption is one choice of a select filter (the outbox's and the
// reports' lists).
type kindOption struct {
	Value, Text string
	Selected    bool
}

// flagKindTags colour each kind of flag as the status it stands for.
var flagKindTags = map[training.FlagKind]training.Status{
	training.FlagNewStarter:        training.StatusDue,
	training.FlagDueSoon:           training.StatusExpiring,
	training.FlagOverdue:           training.StatusOverdue,
	training.FlagExpired:           training.StatusExpired,
	training.FlagDuplicateEvidence: training.StatusOverdue,
}

// The "Show" filter: open flags unless asked otherwise.
const (
	flagsShowOpen  = "open"
	flagsShowDealt = "dealt_with"
	flagsShowAll   = "all"
)

// flagsPage is the content of flags.html.
type flagsPage struct {
	Kinds, Courses, Departments, Shows []selectOption
	Kind                               string
	Filter                             flagsQuery
	Filtered                           bool
	Flags                              []flagRow
	NextHref                           string
	// CanAct: the viewer may send reminders and mark flags as dealt with
	// (not auditors); the domain still decides about each flag.
	CanAct bool
	// SelectError is the problem with the ticked flags (none ticked).
	SelectError string
	// DailyCheck says when the check that raises flags runs, for the
	// empty list: right after installing there are none until it has run.
	DailyCheck string
}

type flagRow struct {
	ID, PersonID, Person, EmployeeNumber, Department string
	Course, Kind, Raised, DueOn                      string
	Detail                                           string
	KindTag                                          training.Status
	// Now is the person's status for the course today; empty when the
	// course no longer applies to them.
	Now training.Status
	// DealtWith says who marked it dealt with and when; empty while open.
	DealtWith string
	Checked   bool
}

// flagsQuery is the flags list's filters as the address carries them.
type flagsQuery struct {
	Kind, Course, Department, Show, After string
}

func readFlagsQuery(get func(string) string) flagsQuery {
	q := flagsQuery{Kind: get("kind"), Course: strings.TrimSpace(get("course")), Department: strings.TrimSpace(get("department")),
		Show: get("show"), After: get("after")}
	if q.Show != flagsShowDealt && q.Show != flagsShowAll {
		q.Show = flagsShowOpen
	}
	return q
}

// href is the list's address with these filters (and no page).
func (q flagsQuery) href(extra map[string]string) string {
	v := map[string]string{"kind": q.Kind, "course": q.Course, "department": q.Department}
	if q.Show != flagsShowOpen {
		v["show"] = q.Show
	}
	for k, x := range extra {
		v[k] = x
	}
	return listHref("/flags", v)
}

func (q flagsQuery) filter() (training.FlagFilter, error) {
	kind, err := training.ParseFlagKind("kind", q.Kind)
	f := training.FlagFilter{Kind: kind, CourseCode: q.Course, Department: q.Department}
	switch q.Show {
	case flagsShowOpen:
		f.State = training.FlagOpen
	case flagsShowDealt:
		f.State = training.FlagDealtWith
	}
	return f, err
}

// flagsForm is how the flags list shows a filter it cannot use.
func flagsForm() formErrors {
	f := queryForm(map[string]string{"kind": "kind", "course_code": "course"}, "kind")
	f.Say = func(fe training.FieldError) string {
		switch fe.Field {
		case "kind":
			return "Choose a kind of flag from the list."
		case "course_code":
			return "Choose a course from the list."
		}
		return queryErrorMessage(fe)
	}
	return f
}

// flags lists what the scan raised about the people the viewer may see:
// HR and auditors everyone, line managers their reporting line. Open
// flags are shown unless the filter asks for those dealt with.
func (s *Server) flags(c *gin.Context) error {
	q := readFlagsQuery(c.Query)
	data, err := s.flagsData(c, q, nil)
	if err != nil {
		s.formFailed(c, err, flagsForm(), func(status int, errs []fieldError) {
			s.render(c, status, "flags.html", page{Title: "Flags", Data: data, Errors: errs})
		})
		return nil
	}
	pg := page{Title: "Flags", Data: data}
	pg.Banner = flagsBanner(c)
	s.render(c, http.StatusOK, "flags.html", pg)
	return nil
}

// flagsData builds the list for q; checked are the flags to show ticked
// (a form sent back with a problem). On an error in the filters, the
// filters are still filled in, to show with the error.
func (s *Server) flagsData(c *gin.Context, q flagsQuery, checked map[string]bool) (flagsPage, error) {
	ctx := c.Request.Context()
	actor := principal(c).Actor()
	f, err := q.filter()
	data := flagsPage{Kind: q.Kind, Filter: q, DailyCheck: dailyCheckWhen(s.d.ScanSchedule), CanAct: may(c, flagChanges),
		Filtered: q.Kind != "" || q.Course != "" || q.Department != "" || q.Show != flagsShowOpen}
	data.Kinds = append(data.Kinds, selectOption{Value: "", Text: "All kinds", Selected: q.Kind == ""})
	for _, k := range training.FlagKinds {
		data.Kinds = append(data.Kinds, selectOption{Value: string(k), Text: flagKindLabels[k], Selected: string(k) == q.Kind})
	}
	for _, o := range []selectOption{{flagsShowOpen, "Open flags", false}, {flagsShowDealt, "Flags dealt with", false}, {flagsShowAll, "All flags", false}} {
		o.Selected = o.Value == q.Show
		data.Shows = append(data.Shows, o)
	}
	courseList, cerr := s.d.Training.Courses(ctx)
	if cerr != nil {
		return data, cerr
	}
	courses := map[string]training.Course{}
	data.Courses = []selectOption{{Value: "", Text: "All courses", Selected: q.Course == ""}}
	for _, co := range courseList {
		courses[co.Code] = co
		data.Courses = append(data.Courses, selectOption{Value: co.Code, Text: co.Title, Selected: co.Code == q.Course})
	}
	departments, derr := s.d.Training.Departments(ctx, actor)
	if derr != nil {
		return data, derr
	}
	data.Departments = departmentOptions(departments, q.Department)
	var list training.Page[training.FlagRow]
	if err == nil {
		list, err = s.d.Training.FlagRows(ctx, actor, f, training.PageRequest{Cursor: q.After})
	}
	if err != nil {
		return data, err
	}
	loc := s.d.Training.Location()
	for _, r := range list.Items {
		fl := r.Flag
		row := flagRow{ID: fl.ID, PersonID: fl.PersonID, Person: r.Person.FullName(), EmployeeNumber: fl.EmployeeNumber,
			Department: r.Person.Department, Course: courses[fl.CourseCode].Title, Kind: flagKindLabels[fl.Kind],
			KindTag: flagKindTags[fl.Kind], Raised: longDate(training.DateOf(fl.RaisedAt.In(loc))),
			DueOn: longDate(fl.DueOn), Detail: plainDates(fl.Detail), Checked: checked[fl.ID]}
		if r.HasStatus {
			row.Now = r.Status
		}
		if row.Course == "" {
			row.Course = fl.CourseCode
		}
		if row.Kind == "" {
			row.Kind = string(fl.Kind)
		}
		if d := fl.DealtWith; d != nil {
			who := r.DealtWithBy
			if who == "" {
				who = "someone whose record you cannot see"
			}
			row.DealtWith = "By " + who + " on " + d.At.In(loc).Format("2 January 2006 at 15:04")
		}
		data.Flags = append(data.Flags, row)
	}
	if list.NextCursor != "" {
		data.NextHref = q.href(map[string]string{"after": list.NextCursor})
	}
	return data, nil
}

// flagsBanner reports what the last action on the list did, from the
// address it redirected to.
func flagsBanner(c *gin.Context) *banner {
	n := func(k string) int { v, _ := strconv.Atoi(c.Query(k)); return v }
	if c.Query("done") == "dealt" {
		dealt := n("dealt")
		b := &banner{Success: true, Heading: fmt.Sprintf("%s marked as dealt with", countOf(dealt, "flag", "flags"))}
		if dealt == 0 {
			b.Heading = "Those flags were dealt with already"
		}
		b.Text = "They are no longer in the list of open flags. Choose \"Flags dealt with\" to see them."
		return b
	}
	if c.Query("done") != "reminded" {
		return nil
	}
	sent, already, nothing := n("sent"), n("already"), n("nothing")
	b := &banner{Success: true, Heading: fmt.Sprintf("Reminder sent to %s", countOf(sent, "person", "people"))}
	if sent == 0 {
		b.Success, b.Heading = false, "No reminder was sent"
	}
	var more []string
	if already > 0 {
		more = append(more, fmt.Sprintf("%s had a reminder about that course today already, so they will not get another until tomorrow.", countOf(already, "flag", "flags")))
	}
	if nothing > 0 {
		more = append(more, fmt.Sprintf("%s had nothing to chase: the training is done and in date, exempt, or no longer required.", countOf(nothing, "flag", "flags")))
	}
	b.Text = strings.Join(more, " ")
	return b
}

// countOf is "1 flag" or "3 flags".
func countOf(n int, one, many string) string {
	if n == 1 {
		return "1 " + one
	}
	return thousands(n) + " " + many
}

// The inputs of the flags form: a checkbox per flag, named flag.
const flagInput = "flag"

// selectedFlags reads the ticked flags and the list's filters from the
// form. None ticked shows the list again with the error.
func (s *Server) selectedFlags(c *gin.Context) ([]string, flagsQuery, bool) {
	q := readFlagsQuery(c.PostForm)
	ids := c.PostFormArray(flagInput)
	if len(ids) > 0 {
		return ids, q, true
	}
	data, err := s.flagsData(c, q, nil)
	if err != nil {
		s.fail(c, err)
		return nil, q, false
	}
	target := "flags-table"
	if len(data.Flags) > 0 {
		target = "flag-" + data.Flags[0].ID
	}
	const msg = "Select the flags to act on."
	data.SelectError = msg
	s.render(c, http.StatusUnprocessableEntity, "flags.html", page{Title: "Flags", Data: data,
		Errors: []fieldError{{ID: target, Message: msg}}})
	return nil, q, false
}

// remindFlags sends the people of the ticked flags a reminder of the
// flag's course, through the same service as My team: one e-mail each, at
// most once a day per person and course.
func (s *Server) remindFlags(c *gin.Context) error {
	ids, q, ok := s.selectedFlags(c)
	if !ok {
		return nil
	}
	ctx := c.Request.Context()
	actor := principal(c).Actor()
	flags, err := s.d.Training.FlagsToRemind(ctx, actor, ids)
	if err != nil {
		return err
	}
	targets := make([]chasing.Target, 0, len(flags))
	for _, fl := range flags {
		targets = append(targets, chasing.Target{PersonID: fl.PersonID, CourseCode: fl.CourseCode})
	}
	res, err := s.d.Chasing.Remind(ctx, actor, targets)
	if err != nil {
		return err
	}
	c.Redirect(http.StatusSeeOther, q.href(map[string]string{"done": "reminded", "sent": strconv.Itoa(len(res.Emailed)),
		"already": strconv.Itoa(len(res.AlreadyToday)), "nothing": strconv.Itoa(len(res.NothingDue))}))
	return nil
}

// dealWithFlags marks the ticked flags as dealt with (recorded with who
// and when): they leave the list of open flags.
func (s *Server) dealWithFlags(c *gin.Context) error {
	ids, q, ok := s.selectedFlags(c)
	if !ok {
		return nil
	}
	done, err := s.d.Training.DealWithFlags(c.Request.Context(), principal(c).Actor(), ids)
	if err != nil {
		return err
	}
	c.Redirect(http.StatusSeeOther, q.href(map[string]string{"done": "dealt", "dealt": strconv.Itoa(len(done))}))
	return nil
}

// dailyCheckWhen says in words when the compliance scan runs, given its
// schedule: a cron expression, "off" or empty (not known). Only the plain
// daily form "M H * * *" is put as a time; any other expression is
// described without one rather than guessed at.
func dailyCheckWhen(schedule string) string {
	if schedule == "off" {
		return "it is switched off on this service, so it runs only when someone starts it"
	}
	f := strings.Fields(schedule)
	if len(f) == 5 && f[2] == "*" && f[3] == "*" && f[4] == "*" {
		m, errM := strconv.Atoi(f[0])
		h, errH := strconv.Atoi(f[1])
		if errM == nil && errH == nil && m >= 0 && m < 60 && h >= 0 && h < 24 {
			return fmt.Sprintf("it runs every day at %02d:%02d", h, m)
		}
	}
	if schedule == "" {
		return "it runs every day"
	}
	return "it runs on the schedule set for this service"
}

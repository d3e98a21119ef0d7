package web

import (
	"errors"
	"fmt"
	"net/http"
	"net/url"
	"strconv"
	"strings"

	"github.com/gin-gonic/gin"

	"github.com/complytrack/complytrack/pkg/training"
)

// HR's people pages (list with search, a person's page, add and edit) and
// the person page line managers reach from My team. Auditors see the
// lists and person pages but no form: the add, edit and import pages
// answer them 403, and no link or button leads there. Employees and line
// managers get 404 on HR's pages, as if they did not exist.

// peoplePageSize is how many people a page of the list shows.
const peoplePageSize = 100

// peoplePage is the content of people.html.
type peoplePage struct {
	Query, Department, Status string
	Statuses, Departments     []selectOption
	// Courses head a column each, in the order of each row's Courses.
	Courses []string
	// Columns are the sortable headers.
	Columns    []sortColumn
	People     []personRow
	Pagination pagination
	Filtered   bool
	CanEdit    bool
}

type personRow struct {
	ID, Name, EmployeeNumber, Department, StartDate string
	// Left or Leaving is the end date, past or to come.
	Left, Leaving string
	// Worst is the status most in need of action; empty when no course
	// applies to them.
	Worst training.Status
	// Courses holds the person's status for each course of the page's
	// Courses; a zero status: the course does not apply to them.
	Courses []personCourse
}

type personCourse struct {
	Title  string
	Status training.Status
}

// sortColumn is a table header that sorts the list, as a link (the
// list is sorted on the server, so it works without JavaScript). Sort is
// the header's aria-sort: ascending, descending, or none when the list is
// sorted by another column.
type sortColumn struct {
	Key, Text, Href, Sort string
}

// peopleColumns are the sortable columns, in the table's order.
var peopleColumns = []struct {
	Key  training.PeopleSortKey
	Text string
}{
	{training.SortByName, "Name"}, {training.SortByDepartment, "Department"},
	{training.SortByStartDate, "Start date"}, {training.SortByStatus, "Worst status"},
}

func (s *Server) peopleList(c *gin.Context) error {
	status, err := training.ParseStatus("status", strings.TrimSpace(c.Query("status")))
	f := training.PeopleFilter{Query: strings.TrimSpace(c.Query("q")), Department: strings.TrimSpace(c.Query("department")),
		Status: status}
	// A sort that is not offered (an old or edited link) sorts by name.
	by, sortErr := training.ParsePeopleSort("sort", c.Query("sort"))
	if sortErr != nil || by == "" {
		by = training.SortByName
	}
	order := training.PeopleSort{By: by, Descending: c.Query("order") == "desc"}
	data := peoplePage{Query: f.Query, Department: f.Department, Status: string(f.Status), Statuses: statusSelectOptions(f.Status),
		Filtered: f.Query != "" || f.Department != "" || f.Status != "", CanEdit: may(c, hrChanges)}
	pg := page{Title: "People", Data: &data}
	query := func(extra map[string]string) map[string]string {
		v := map[string]string{"q": f.Query, "department": f.Department, "status": string(f.Status)}
		for k, x := range extra {
			v[k] = x
		}
		return v
	}
	for _, col := range peopleColumns {
		sc := sortColumn{Key: string(col.Key), Text: col.Text, Sort: "none"}
		next := ""
		if col.Key == order.By {
			sc.Sort = map[bool]string{false: "ascending", true: "descending"}[order.Descending]
			if !order.Descending {
				next = "desc"
			}
		}
		sc.Href = listHref("/people", query(map[string]string{"sort": string(col.Key), "order": next}))
		data.Columns = append(data.Columns, sc)
	}
	var list training.PeopleOverview
	if err == nil {
		list, err = s.d.Training.PeopleOverview(c.Request.Context(), principal(c).Actor(),
			training.PeopleQuery{Filter: f, Sort: order, Page: pageNumber(c.Query("page")), PageSize: peoplePageSize})
	}
	if err != nil {
		s.formFailed(c, err, queryForm(map[string]string{"status": "status"}, "q"), func(status int, errs []fieldError) {
			// The filters are shown again, with every department to choose.
			departments, derr := s.d.Training.Departments(c.Request.Context(), principal(c).Actor())
			if derr != nil {
				s.fail(c, derr)
				return
			}
			data.Departments = departmentOptions(departments, f.Department)
			pg.Errors = errs
			s.render(c, status, "people.html", pg)
		})
		return nil
	}
	data.Departments = departmentOptions(list.Departments, f.Department)
	courses, err := s.d.Training.Courses(c.Request.Context())
	if err != nil {
		return err
	}
	for _, co := range courses {
		data.Courses = append(data.Courses, co.Title)
	}
	sortParams := map[string]string{"sort": string(order.By), "order": map[bool]string{false: "", true: "desc"}[order.Descending]}
	if order.By == training.SortByName {
		sortParams["sort"] = ""
	}
	_, _, pager := paginate(list.Total, peoplePageSize, list.Page, "people", func(n int) string {
		v := query(sortParams)
		if n > 1 {
			v["page"] = strconv.Itoa(n)
		}
		return listHref("/people", v)
	})
	data.Pagination = pager
	today := s.d.Training.Today()
	for _, o := range list.People {
		p := o.Person
		row := personRow{ID: p.ID, Name: p.FullName(), EmployeeNumber: p.EmployeeNumber, Department: p.Department,
			StartDate: longDate(p.StartDate)}
		switch {
		case p.EndDate.IsZero():
		case p.IsLeaver(today):
			row.Left = longDate(p.EndDate)
		default:
			row.Leaving = longDate(p.EndDate)
		}
		row.Worst, _ = training.WorstStatus(o.Training)
		statuses := map[string]training.Status{}
		for _, a := range o.Training {
			statuses[a.CourseCode] = a.Status
		}
		for _, co := range courses {
			row.Courses = append(row.Courses, personCourse{Title: co.Title, Status: statuses[co.Code]})
		}
		data.People = append(data.People, row)
	}
	if c.Query("saved") != "" {
		pg.Banner = &banner{Success: true, Heading: "Saved"}
	}
	s.render(c, http.StatusOK, "people.html", pg)
	return nil
}

// departmentOptions is the department filter: every department on record,
// and the one asked for even when nobody is in it now (a link from before
// a reorganisation), so the page shows what it filtered by.
func departmentOptions(departments []string, chosen string) []selectOption {
	out := []selectOption{{Value: "", Text: "All departments", Selected: chosen == ""}}
	found := chosen == ""
	for _, d := range departments {
		sel := !found && strings.EqualFold(d, chosen)
		found = found || sel
		out = append(out, selectOption{Value: d, Text: d, Selected: sel})
	}
	if !found {
		out = append(out, selectOption{Value: chosen, Text: chosen, Selected: true})
	}
	return out
}

// personDetailPage is the content of person.html.
type personDetailPage struct {
	Person        training.Person
	Name          string
	Kind          string
	Manager       string
	ManagerID     string
	StartDate     string
	EndDate       string
	Courses       []courseStatus
	History       []historyRow
	Audit         []auditRow
	ShowAudit     bool
	CanEdit       bool
	AuditNextHref string
	// Account: where their account stands, with Invite or Resend
	// invitation for HR (invite_many.go); nil for those who do not read
	// accounts.
	Account *accountPanel
	// Added offers to invite the people HR just added, AddAnother to add
	// one more to them (after an add; invite_many.go).
	Added      *addedOffer
	AddAnother string
	// Roles: the account's granted roles, for HR and auditors (roles.go).
	Roles *rolesPanel
	// Sessions: their face-to-face session bookings (person_sessions.go).
	Sessions *personSessions
	// SSO: their single sign-on link, for HR (sso.go).
	SSO *ssoPanel

	// Own: the viewer is this person, who may record their training.
	Own bool
}

type auditRow struct {
	At, Who, What, Changed string
}

func (s *Server) personDetail(c *gin.Context) error {
	ctx := c.Request.Context()
	actor := principal(c).Actor()
	id := c.Param("id")
	p, err := s.d.Training.Person(ctx, actor, id)
	if err != nil {
		return err
	}
	items, err := s.d.Training.TrainingOf(ctx, actor, id)
	if err != nil {
		return err
	}
	completions, err := s.d.Training.CompletionsOf(ctx, actor, id)
	if err != nil {
		return err
	}
	courses, err := s.courseTitles(c)
	if err != nil {
		return err
	}
	data := personDetailPage{Person: p, Name: p.FullName(), Kind: kindLabel(p.Kind), StartDate: longDate(p.StartDate),
		EndDate: longDate(p.EndDate), CanEdit: may(c, hrChanges), ShowAudit: may(c, hrPages), Own: actor.PersonID == p.ID}
	switch {
	case p.ManagerID == "":
	case data.Own:
		// Everyone may know who their own line manager is, though their
		// record is not theirs to open.
		m, ok, err := s.d.Training.ManagerOf(ctx, p.ID)
		if err != nil {
			return err
		}
		if ok {
			data.Manager = m.FullName()
		}
	default:
		m, err := s.d.Training.Person(ctx, actor, p.ManagerID)
		switch {
		case err == nil:
			data.Manager, data.ManagerID = m.FullName(), m.ID
		case errors.Is(err, training.ErrNotFound):
			data.Manager = "Someone outside your reporting line"
		default:
			return err
		}
	}
	if data.Account, err = s.accountPanelOf(c, p); err != nil {
		return err
	}
	if data.Added, data.AddAnother, err = s.addedOnPersonPage(c); err != nil {
		return err
	}
	if data.Roles, err = s.rolesOf(c, p); err != nil {
		return err
	}
	if data.SSO, err = s.ssoPanelOf(c, p); err != nil {
		return err
	}
	if data.Sessions, err = s.personSessionsOf(c, p, items, courses); err != nil {
		return err
	}
	rejected := s.latestRejections(c, completions)
	for _, a := range items {
		cs := toCourseStatus(a, courses[a.CourseCode])
		cs.Rejected = rejected[a.CourseCode]
		data.Courses = append(data.Courses, cs)
	}
	self := "You"
	if !data.Own {
		self = p.FullName() + " (self-certified)"
	}
	for _, done := range completions {
		data.History = append(data.History, toHistoryRow(done, courses[done.CourseCode].Title, self))
	}
	if data.ShowAudit {
		log, err := s.d.Training.ListAudit(ctx, actor, id, training.PageRequest{Limit: 100, Cursor: c.Query("audit")})
		if err != nil {
			if !isInputError(err) {
				return err
			}
			log, err = s.d.Training.ListAudit(ctx, actor, id, training.PageRequest{Limit: 100})
			if err != nil {
				return err
			}
		}
		names := map[string]string{training.SystemActor: "complytrack (automatic)"}
		// nameOf names a person the viewer may see, once per page.
		seen := map[string]bool{}
		nameOf := func(id string) (string, bool) {
			if _, ok := names[id]; !ok && !seen[id] {
				seen[id] = true
				if q, err := s.d.Training.Person(ctx, actor, id); err == nil {
					names[id] = q.FullName()
				}
			}
			name, ok := names[id]
			return name, ok
		}
		for _, e := range log.Items {
			who, ok := nameOf(e.Actor)
			if !ok {
				who = "Someone whose record you cannot see"
			}
			data.Audit = append(data.Audit, auditRow{At: e.At.In(s.d.Training.Location()).Format("2 January 2006 15:04"), Who: who,
				What: auditActionLabel(e.Action), Changed: changedFields(e.Before, e.After, nameOf)})
		}
		if log.NextCursor != "" {
			data.AuditNextHref = "/people/" + url.PathEscape(id) + "?audit=" + url.QueryEscape(log.NextCursor)
		}
	}
	pg := page{Title: data.Name, Data: data}
	if c.Query("saved") != "" {
		pg.Banner = &banner{Success: true, Heading: "Saved: " + data.Name}
		// Saved, but worth a second look (a start date years ahead).
		var check []string
		for _, w := range s.d.Training.PersonWarnings(p) {
			check = append(check, plainDates(w.Message))
		}
		pg.Banner.Text = strings.Join(check, " ")
	}
	bookingCancelledBanner(c, &pg, p, data.Sessions)
	s.render(c, rolesBanner(c, &pg, inviteBanner(c, &pg, p)), "person.html", pg)
	return nil
}

// personForm is the content of person_form.html: add or edit.
type personForm struct {
	Action, Submit                                                                    string
	EmployeeNumber, Email, GivenName, FamilyName, Kind, JobTitle, Department, Manager string
	Start, End                                                                        personDates
	Kinds                                                                             []selectOption
	Editing                                                                           bool
	CancelHref                                                                        string
	// Batch: the people added just before, by the link "Add another
	// person" (invite_many.go).
	Batch string
}

type personDates struct{ Day, Month, Year string }

func dateFieldsOf(d training.Date) personDates {
	if d.IsZero() {
		return personDates{}
	}
	return personDates{Day: fmt.Sprint(d.Day()), Month: fmt.Sprint(int(d.Month())), Year: fmt.Sprint(d.Year())}
}

func personKindOptions(chosen string) []selectOption {
	var out []selectOption
	for _, k := range training.Kinds {
		out = append(out, selectOption{Value: string(k), Text: capitalise(string(k)), Selected: string(k) == chosen})
	}
	return out
}

// The person form's inputs: name and id are the API's field names with
// dashes; each domain field's errors link to its input.
var personInputs = map[string]string{
	"employee_number": "employee-number", "email": "email", "given_name": "given-name", "family_name": "family-name",
	"kind": "kind", "job_title": "job-title", "department": "department",
	"manager_employee_number": "manager", "manager_id": "manager", "start_date": "start-date-day", "end_date": "end-date-day",
}

// personFieldOrder is the order of the inputs on the form, for the error summary.
var personFieldOrder = []string{"employee-number", "given-name", "family-name", "email", "kind", "job-title", "department",
	"manager", "start-date-day", "start-date-month", "start-date-year", "end-date-day", "end-date-month", "end-date-year"}

func readPersonForm(c *gin.Context) personForm {
	v := func(name string) string { return training.TrimText(c.PostForm(name)) }
	return personForm{EmployeeNumber: v("employee-number"), Email: v("email"), GivenName: v("given-name"), FamilyName: v("family-name"),
		Kind: v("kind"), JobTitle: v("job-title"), Department: v("department"), Manager: v("manager"),
		Start: personDates{v("start-date-day"), v("start-date-month"), v("start-date-year")},
		End:   personDates{v("end-date-day"), v("end-date-month"), v("end-date-year")}}
}

// dateInput reads one GOV.UK date input whose ids start with prefix;
// optional dates may be left empty (zero date).
func personDateInput(d personDates, prefix, what string, optional bool) (training.Date, *fieldError) {
	if optional && d.Day == "" && d.Month == "" && d.Year == "" {
		return training.Date{}, nil
	}
	date, fe := parseDateInput(d.Day, d.Month, d.Year, what)
	if fe != nil {
		fe.ID = map[string]string{dayInput: prefix + "-day", monthInput: prefix + "-month", yearInput: prefix + "-year"}[fe.ID]
	}
	return date, fe
}

// personFormErrors is how the person form shows the domain's answer; ours
// are the date problems the form found itself, by domain field.
func personFormErrors(ours map[string]fieldError) formErrors {
	return formErrors{Inputs: personInputs, Fallback: "employee-number", Order: personFieldOrder, Ours: ours,
		Conflict: "Another person already has this employee number or email address.",
		// The form answers 422 whatever it was: a duplicate is something
		// to correct on this form.
		Status: http.StatusUnprocessableEntity}
}

// input is what the form says, with the problems the form found itself in
// its dates, by domain field (the domain finds the rest).
func (form personForm) input() (training.PersonInput, map[string]fieldError) {
	ours := map[string]fieldError{}
	start, fe := personDateInput(form.Start, "start-date", "the start date", false)
	if fe != nil {
		ours["start_date"] = *fe
	}
	end, fe := personDateInput(form.End, "end-date", "the end date", true)
	if fe != nil {
		ours["end_date"] = *fe
	}
	return training.PersonInput{Person: training.Person{
		EmployeeNumber: form.EmployeeNumber, Email: form.Email, GivenName: form.GivenName,
		FamilyName: form.FamilyName, Kind: formKind(form.Kind), JobTitle: form.JobTitle,
		Department: form.Department, StartDate: start, EndDate: end,
	}, ManagerEmployeeNumber: form.Manager}, ours
}

// personFormOf is a person's current input as the edit form shows it.
func personFormOf(in training.PersonInput) personForm {
	return personForm{EmployeeNumber: in.EmployeeNumber, Email: in.Email, GivenName: in.GivenName, FamilyName: in.FamilyName,
		Kind: string(in.Kind), JobTitle: in.JobTitle, Department: in.Department, Manager: in.ManagerEmployeeNumber,
		Start: dateFieldsOf(in.StartDate), End: dateFieldsOf(in.EndDate)}
}

func (s *Server) newPersonForm(c *gin.Context) error {
	s.render(c, http.StatusOK, "person_form.html", page{Title: "Add a person", Data: personForm{
		Action: "/people/new", Submit: "Add person", Kind: string(training.KindStaff), Kinds: personKindOptions(string(training.KindStaff)), CancelHref: "/people",
		Batch: c.Query("batch")}})
	return nil
}

func (s *Server) createPerson(c *gin.Context) error {
	form := readPersonForm(c)
	form.Action, form.Submit, form.Kinds, form.CancelHref = "/people/new", "Add person", personKindOptions(form.Kind), "/people"
	form.Batch = c.PostForm("batch")
	in, ours := form.input()
	var p training.Person
	var err error
	if len(ours) == 0 {
		p, err = s.d.Training.CreatePerson(c.Request.Context(), principal(c).Actor(), in)
	} else {
		// Nothing is stored while the dates are wrong, but the other
		// fields' problems are listed too.
		err = in.Validate()
	}
	if len(ours) > 0 || err != nil {
		s.formFailed(c, err, personFormErrors(ours), func(status int, errs []fieldError) {
			s.render(c, status, "person_form.html", page{Title: "Add a person", Errors: errs, Data: form})
		})
		return nil
	}
	added, err := s.addedAfterCreate(c, form.Batch, p.ID)
	if err != nil {
		return err
	}
	to := "/people/" + url.PathEscape(p.ID) + "?saved=1"
	if added != "" {
		to += "&added=" + url.QueryEscape(added)
	}
	c.Redirect(http.StatusSeeOther, to)
	return nil
}

func (s *Server) editPersonForm(c *gin.Context) error {
	p, err := s.editablePerson(c)
	if err != nil {
		return err
	}
	in := training.PersonInput{Person: p}
	if p.ManagerID != "" {
		if m, err := s.d.Training.Person(c.Request.Context(), principal(c).Actor(), p.ManagerID); err == nil {
			in.ManagerEmployeeNumber = m.EmployeeNumber
		}
	}
	s.renderPersonEdit(c, http.StatusOK, p, personFormOf(in), nil)
	return nil
}

func (s *Server) renderPersonEdit(c *gin.Context, status int, p training.Person, form personForm, errs []fieldError) {
	form.Action = "/people/" + url.PathEscape(p.ID) + "/edit"
	form.Submit, form.Kinds, form.Editing, form.CancelHref = "Save changes", personKindOptions(form.Kind), true, "/people/"+url.PathEscape(p.ID)
	s.render(c, status, "person_form.html", page{Title: "Edit " + p.FullName(), Errors: errs, Data: form})
}

// editablePerson finds the person of an edit page, for HR only.
func (s *Server) editablePerson(c *gin.Context) (training.Person, error) {
	return s.d.Training.Person(c.Request.Context(), principal(c).Actor(), c.Param("id"))
}

func (s *Server) updatePerson(c *gin.Context) error {
	p, err := s.editablePerson(c)
	if err != nil {
		return err
	}
	form := readPersonForm(c)
	// The form holds every field: it is the whole of what the person becomes.
	in, ours := form.input()
	if len(ours) == 0 {
		_, err = s.d.Training.UpdatePerson(c.Request.Context(), principal(c).Actor(), p.ID, func(cur *training.PersonInput) error {
			*cur = in
			return nil
		})
	} else {
		// As on the add form: nothing is stored while the dates are
		// wrong, but the other fields' problems are listed too.
		err = in.Validate()
	}
	if len(ours) > 0 || err != nil {
		s.formFailed(c, err, personFormErrors(ours), func(status int, errs []fieldError) {
			s.renderPersonEdit(c, status, p, form, errs)
		})
		return nil
	}
	c.Redirect(http.StatusSeeOther, "/people/"+url.PathEscape(p.ID)+"?saved=1")
	return nil
}

// formField is one input of person_form.html, with the page for its error.
type formField struct {
	Page            page
	ID, Label, Hint string
	Value           string
}

// Field makes a formField (templates cannot build structs themselves).
func (personForm) Field(p page, id, label, value, hint string) formField {
	return formField{Page: p, ID: id, Label: label, Value: value, Hint: hint}
}

// formKind is the person form's kind. One the form does not offer is left
// empty, and the domain names it with the form's other problems.
func formKind(s string) training.Kind {
	k, _ := training.ParseKind("kind", s)
	return k
}

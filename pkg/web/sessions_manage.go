package web

import (
	"cmp"
	"net/http"
	"net/url"
	"slices"
	"strconv"
	"strings"

	"github.com/gin-gonic/gin"

	"github.com/complytrack/complytrack/pkg/auth"
	"github.com/complytrack/complytrack/pkg/training"
)

// The forms of HR and trainers for face-to-face sessions: schedule one,
// change its day, times or place (everyone booked is told), and cancel it
// with a reason. HR may do so for any session, a trainer for the sessions
// they run: the sessions service refuses them anyone else's. Auditors are
// told they may not; anyone else finds nothing there.

// textField is one input of the text-input template.
type textField struct {
	Page                                       page
	ID, Label, Hint, Autocomplete, Type, Width string
	Value                                      string
	Numeric                                    bool
}

// Field is a full-width text input; autocomplete "email" makes it an
// e-mail input.
func (p page) Field(id, label, value, hint, autocomplete string) textField {
	f := textField{Page: p, ID: id, Label: label, Value: value, Hint: hint, Autocomplete: autocomplete, Type: "text"}
	if autocomplete == "email" {
		f.Type = "email"
	}
	return f
}

// DateInput is a GOV.UK date input: day, month and year named id-day,
// id-month and id-year, under one legend, with the error of whichever
// part is wrong.
func (p page) DateInput(id, legend, hint, day, month, year string) dateField {
	return dateField{Page: p, ID: id, Legend: legend, Hint: hint, Day: day, Month: month, Year: year}
}

// dateField is what the "date-input" template draws.
type dateField struct {
	Page             page
	ID, Legend, Hint string
	Day, Month, Year string
	// LegendSize is empty for the usual legend, as large as a question
	// on its own, or "s" for a smaller one, as for a date that is one of
	// a pair (a report's period) or one detail among many (a session's).
	LegendSize string
}

// Sized sets the size of the legend ("s").
func (f dateField) Sized(size string) dateField {
	f.LegendSize = size
	return f
}

// Short is a short input (a time, a number).
func (p page) Short(id, label, value, hint string, numeric bool) textField {
	return textField{Page: p, ID: id, Label: label, Value: value, Hint: hint, Type: "text", Width: "4", Numeric: numeric}
}

// sessionForm is the content of session_form.html: schedule or change.
type sessionForm struct {
	Action, Submit, CancelHref string
	Editing                    bool
	Course, CourseTitle        string
	Courses                    []selectOption
	Date                       personDates
	Start, End                 string
	Location, Places           string
	Trainer                    string
	Trainers                   []selectOption
	TrainerHint                string
	Notes                      string
	// Told is how many people booked are e-mailed about a change.
	Told int
	// Caption names the session being changed, above the heading.
	Caption string
}

// The session form's inputs by the domain's field name, and their order
// on the page.
var (
	sessionInputs = map[string]string{"course_code": "course", "date": "date-day", "start_time": "start-time", "end_time": "end-time",
		"location": "location", "capacity": "places", "trainer_id": "trainer", "notes": "notes"}
	sessionFieldOrder = []string{"course", "date-day", "date-month", "date-year", "start-time", "end-time", "location", "places", "trainer", "notes"}
)

func sessionFormErrors(ours map[string]fieldError) formErrors {
	return formErrors{Inputs: sessionInputs, Fallback: "course", Order: sessionFieldOrder, Ours: ours,
		Say: func(f training.FieldError) string {
			switch f.Field {
			case "course_code":
				return "Choose the course."
			case "trainer_id":
				return "Choose the trainer."
			case "location":
				// The form calls the location the place.
				return capitalise(strings.Replace(f.Message, "location", "place", 1))
			}
			return capitalise(plainDates(f.Message))
		}}
}

// readSessionForm reads the form into the session it describes, with the
// problems found reading it, by domain field (also in the input's
// Problems, so the service lists them with its own).
func readSessionForm(c *gin.Context, form *sessionForm) (training.SessionInput, map[string]fieldError) {
	v := func(name string) string { return training.TrimText(c.PostForm(name)) }
	if !form.Editing {
		form.Course = v("course")
	}
	form.Date = personDates{v("date-day"), v("date-month"), v("date-year")}
	form.Start, form.End, form.Location, form.Places, form.Trainer = v("start-time"), v("end-time"), v("location"), v("places"), v("trainer")
	form.Notes = strings.TrimSpace(c.PostForm("notes"))

	ours := map[string]fieldError{}
	in := training.SessionInput{CourseCode: form.Course, Location: form.Location, TrainerID: form.Trainer, Notes: form.Notes}
	var fe *fieldError
	if in.Date, fe = personDateInput(form.Date, "date", "the date of the session", false); fe != nil {
		ours["date"] = *fe
	}
	for _, t := range []struct {
		field, id, value string
		into             *training.TimeOfDay
		missing, wrong   string
	}{
		{"start_time", "start-time", form.Start, &in.Start, "Enter the start time, like 09:30.", "Enter the start time on the 24-hour clock, like 09:30."},
		{"end_time", "end-time", form.End, &in.End, "Enter the end time, like 12:30.", "Enter the end time on the 24-hour clock, like 12:30."},
	} {
		switch tod, err := training.ParseTimeOfDay(t.value); {
		case t.value == "":
			ours[t.field] = fieldError{ID: t.id, Message: t.missing}
		case err != nil:
			ours[t.field] = fieldError{ID: t.id, Message: t.wrong}
		default:
			*t.into = tod
		}
	}
	switch n, err := strconv.Atoi(form.Places); {
	case form.Places == "":
		ours["capacity"] = fieldError{ID: "places", Message: "Enter the number of places."}
	case err != nil:
		ours["capacity"] = fieldError{ID: "places", Message: "The number of places must be a whole number, like 12."}
	default:
		in.Capacity = n
	}
	for field, e := range ours {
		in.Problems = append(in.Problems, training.FieldError{Field: field, Message: e.Message})
	}
	slices.SortFunc(in.Problems, func(a, b training.FieldError) int { return strings.Compare(a.Field, b.Field) })
	return in, ours
}

// trainerOptions are the people with the trainer role, by name, as the
// options of a select. A trainer who is not HR runs the sessions they
// schedule and may name nobody else, so they are offered themself alone.
func (s *Server) trainerOptions(c *gin.Context, chosen string) ([]selectOption, error) {
	ctx := c.Request.Context()
	if p := principal(c); !p.Roles.Has(auth.RoleHR) {
		me, err := s.d.Training.PersonByID(ctx, p.PersonID)
		if err != nil {
			return nil, err
		}
		return []selectOption{{Value: me.ID, Text: me.FullName(), Selected: true}}, nil
	}
	opts := []selectOption{{Value: "", Text: "Choose a trainer", Selected: chosen == ""}}
	if s.d.Roles == nil {
		return opts, nil
	}
	ids, err := s.d.Roles.PeopleWithRole(ctx, auth.RoleTrainer)
	if err != nil {
		return nil, err
	}
	today := s.d.Training.Today()
	var people []selectOption
	for _, id := range ids {
		p, err := s.d.Training.PersonByID(ctx, id)
		if err != nil {
			if ignoreMissing(err) == nil {
				continue
			}
			return nil, err
		}
		if p.IsLeaver(today) && id != chosen {
			continue
		}
		people = append(people, selectOption{Value: p.ID, Text: p.FullName(), Selected: p.ID == chosen})
	}
	slices.SortFunc(people, func(a, b selectOption) int { return cmp.Compare(a.Text, b.Text) })
	return append(opts, people...), nil
}

// fillSessionForm sets the form's choices for what it holds.
func (s *Server) fillSessionForm(c *gin.Context, form *sessionForm) error {
	courses, err := s.d.Training.Courses(c.Request.Context())
	if err != nil {
		return err
	}
	opts, _, title := faceToFaceCourses(courses, form.Course, "Choose a course")
	form.Courses = opts
	if title != "" {
		form.CourseTitle = title
	}
	form.Trainers, err = s.trainerOptions(c, form.Trainer)
	form.TrainerHint = "People with the trainer role"
	if !principal(c).Roles.Has(auth.RoleHR) {
		form.TrainerHint = "You run the sessions you schedule. HR can schedule sessions for other trainers."
	}
	return err
}

// newSessionCancelHref is where the schedule form leads back to: a trainer
// comes from My sessions, HR from the sessions list.
func newSessionCancelHref(c *gin.Context) string {
	if principal(c).Roles.Has(auth.RoleHR) {
		return "/sessions"
	}
	return "/my-sessions"
}

// newSessionForm is the form to schedule a session, of the course chosen
// on the sessions page when one was.
func (s *Server) newSessionForm(c *gin.Context) error {
	form := sessionForm{Action: "/sessions/new", Submit: "Schedule session", CancelHref: newSessionCancelHref(c), Course: c.Query("course")}
	if err := s.fillSessionForm(c, &form); err != nil {
		return err
	}
	s.render(c, http.StatusOK, "session_form.html", page{Title: "Schedule a session", Data: form})
	return nil
}

func (s *Server) scheduleSession(c *gin.Context) error {
	form := sessionForm{Action: "/sessions/new", Submit: "Schedule session", CancelHref: newSessionCancelHref(c)}
	in, ours := readSessionForm(c, &form)
	v, err := s.d.Sessions.Schedule(c.Request.Context(), principal(c).Actor(), in)
	if err != nil {
		if ferr := s.fillSessionForm(c, &form); ferr != nil {
			return ferr
		}
		s.formFailed(c, err, sessionFormErrors(ours), func(status int, errs []fieldError) {
			s.render(c, status, "session_form.html", page{Title: "Schedule a session", Errors: errs, Data: form})
		})
		return nil
	}
	c.Redirect(http.StatusSeeOther, "/sessions/"+url.PathEscape(v.ID)+"?scheduled=1")
	return nil
}

// editForm is the change form for a session, as it stands.
func (s *Server) editForm(c *gin.Context) (sessionForm, error) {
	ctx := c.Request.Context()
	actor := principal(c).Actor()
	id := c.Param("id")
	v, err := s.d.Sessions.Session(ctx, actor, id)
	if err != nil {
		return sessionForm{}, err
	}
	if v.State == training.SessionCancelled {
		return sessionForm{}, training.Conflict("This session is cancelled, so it cannot be changed.")
	}
	in, err := s.d.Sessions.Current(ctx, actor, id)
	if err != nil {
		return sessionForm{}, err
	}
	return sessionForm{Action: "/sessions/" + url.PathEscape(id) + "/edit", Submit: "Save changes", CancelHref: "/sessions/" + url.PathEscape(id),
		Editing: true, Course: in.CourseCode, CourseTitle: courseTitleOf(v), Date: dateFieldsOf(in.Date), Start: in.Start.String(), End: in.End.String(),
		Location: in.Location, Places: strconv.Itoa(in.Capacity), Trainer: in.TrainerID, Notes: in.Notes, Told: v.Booked + v.Waiting, Caption: sessionTitle(v)}, nil
}

func (s *Server) editSessionForm(c *gin.Context) error {
	form, err := s.editForm(c)
	if err != nil {
		return err
	}
	if err := s.fillSessionForm(c, &form); err != nil {
		return err
	}
	s.render(c, http.StatusOK, "session_form.html", page{Title: "Change the session", Data: form})
	return nil
}

func (s *Server) rescheduleSession(c *gin.Context) error {
	form, err := s.editForm(c)
	if err != nil {
		return err
	}
	in, ours := readSessionForm(c, &form)
	id := c.Param("id")
	if _, err := s.d.Sessions.Reschedule(c.Request.Context(), principal(c).Actor(), id, in); err != nil {
		if ferr := s.fillSessionForm(c, &form); ferr != nil {
			return ferr
		}
		s.formFailed(c, err, sessionFormErrors(ours), func(status int, errs []fieldError) {
			s.render(c, status, "session_form.html", page{Title: "Change the session", Errors: errs, Data: form})
		})
		return nil
	}
	c.Redirect(http.StatusSeeOther, "/sessions/"+url.PathEscape(id)+"?changed=1")
	return nil
}

// sessionCancelPage is the content of session_cancel.html.
type sessionCancelPage struct {
	ID, Session, Reason string
	Told                int
}

func (s *Server) sessionCancelData(c *gin.Context) (sessionCancelPage, error) {
	ctx := c.Request.Context()
	actor := principal(c).Actor()
	v, err := s.d.Sessions.Session(ctx, actor, c.Param("id"))
	if err != nil {
		return sessionCancelPage{}, err
	}
	// Whoever may not change the session (a trainer who does not run it)
	// is refused the form, not only its sending.
	if _, err := s.d.Sessions.Current(ctx, actor, v.ID); err != nil {
		return sessionCancelPage{}, err
	}
	if v.State == training.SessionCancelled {
		return sessionCancelPage{}, training.Conflict("This session is cancelled already.")
	}
	return sessionCancelPage{ID: v.ID, Session: sessionTitle(v), Told: v.Booked + v.Waiting}, nil
}

// cancelSessionForm asks for the reason, and warns that everyone booked
// is told.
func (s *Server) cancelSessionForm(c *gin.Context) error {
	d, err := s.sessionCancelData(c)
	if err != nil {
		return err
	}
	s.render(c, http.StatusOK, "session_cancel.html", page{Title: "Cancel the session", Data: d})
	return nil
}

func (s *Server) cancelSession(c *gin.Context) error {
	d, err := s.sessionCancelData(c)
	if err != nil {
		return err
	}
	d.Reason = training.TrimText(c.PostForm("reason"))
	ours := map[string]fieldError{}
	if d.Reason == "" {
		ours["reason"] = fieldError{ID: "reason", Message: "Enter why the session is cancelled."}
	} else {
		_, err = s.d.Sessions.Cancel(c.Request.Context(), principal(c).Actor(), d.ID, d.Reason)
	}
	if len(ours) > 0 || err != nil {
		s.formFailed(c, err, formErrors{Inputs: map[string]string{"reason": "reason"}, Fallback: "reason", Ours: ours}, func(status int, errs []fieldError) {
			s.render(c, status, "session_cancel.html", page{Title: "Cancel the session", Errors: errs, Data: d})
		})
		return nil
	}
	c.Redirect(http.StatusSeeOther, "/sessions/"+url.PathEscape(d.ID)+"?session_cancelled=1")
	return nil
}

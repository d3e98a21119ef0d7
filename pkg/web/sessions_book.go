package web

import (
	"errors"
	"fmt"
	"net/http"
	"net/url"
	"slices"
	"strings"

	"github.com/gin-gonic/gin"

	"github.com/complytrack/complytrack/pkg/auth"
	"github.com/complytrack/complytrack/pkg/sessions"
	"github.com/complytrack/complytrack/pkg/training"
)

// Face-to-face sessions as everyone signed in sees them: the upcoming
// sessions of the courses taught in a room, one session's page with its
// Book button, cancelling a booking, and the session for a calendar. The
// sessions service decides who may book whom and who sees the bookings;
// these pages only leave out the forms the viewer could not send.

// sessionsPage is the content of sessions.html.
type sessionsPage struct {
	Course      string
	Courses     []selectOption
	CourseTitle string
	Sessions    []sessionRow
	// NoCourses: no course is taught face to face, so there is nothing to
	// choose or book.
	NoCourses   bool
	CanSchedule bool
}

// sessionRow is one session as the list and its page show it.
type sessionRow struct {
	ID, Course, CourseCode, Date, Time, Place, Trainer, Places string
	Cancelled, Full                                            bool
	CancelReason                                               string
	// Mine is the viewer's own live booking on this session, in words
	// ("Booked"), MineID its ID and MineTag its tag's colour; empty: none.
	Mine, MineID, MineTag string
	// CanBook: the session may be booked today, the course applies to the
	// viewer and they hold no live booking for it.
	CanBook bool
	// Elsewhere is the day of the viewer's live booking for this course on
	// another session: they cancel that one first.
	Elsewhere string
	// NotForYou: the course does not apply to the viewer.
	NotForYou bool
}

// viewerBookings is what the session pages need to know about the
// viewer's own bookings and courses.
type viewerBookings struct {
	bySession map[string]sessions.BookingView // live, by session
	byCourse  map[string]sessions.BookingView // live, by course
	applies   map[string]bool                 // courses that apply to the viewer
	all       []sessions.BookingView
}

func (s *Server) viewerBookings(c *gin.Context) (viewerBookings, error) {
	ctx := c.Request.Context()
	p := principal(c)
	mine, err := s.d.Sessions.MyBookings(ctx, p.Actor())
	if err != nil {
		return viewerBookings{}, err
	}
	items, err := s.d.Training.TrainingOf(ctx, p.Actor(), p.PersonID)
	if err != nil {
		return viewerBookings{}, err
	}
	v := viewerBookings{bySession: map[string]sessions.BookingView{}, byCourse: map[string]sessions.BookingView{},
		applies: map[string]bool{}, all: mine}
	for _, b := range mine {
		if b.Live() {
			v.bySession[b.SessionID] = b
			v.byCourse[b.CourseCode] = b
		}
	}
	for _, a := range items {
		v.applies[a.CourseCode] = true
	}
	return v, nil
}

func (s *Server) toSessionRow(v sessions.SessionView, today training.Date, mine viewerBookings) sessionRow {
	r := sessionRow{ID: v.ID, Course: courseTitleOf(v), CourseCode: v.CourseCode, Date: sessionDate(v.Date), Time: sessionTimes(v.Session),
		Place: v.Location, Trainer: v.TrainerName, Places: placesText(v), Cancelled: v.State == training.SessionCancelled,
		Full: v.PlacesLeft <= 0, CancelReason: strings.TrimRight(strings.TrimSpace(v.CancelReason), ".")}
	if r.Trainer == "" {
		r.Trainer = "To be confirmed"
	}
	if b, ok := mine.bySession[v.ID]; ok {
		r.Mine, r.MineID, r.MineTag = bookingStateText(b.PlacedBooking), b.ID, bookingTag(b.State)
		return r
	}
	if b, ok := mine.byCourse[v.CourseCode]; ok {
		r.Elsewhere = sessionDate(b.Session.Date)
		return r
	}
	r.NotForYou = !mine.applies[v.CourseCode]
	r.CanBook = v.Bookable(today) && !r.NotForYou
	return r
}

// faceToFaceCourses are the courses taught in a room, as options of a
// select with chosen selected; found reports whether chosen is one.
func faceToFaceCourses(courses []training.Course, chosen, none string) (opts []selectOption, found bool, title string) {
	opts = []selectOption{{Value: "", Text: none, Selected: chosen == ""}}
	for _, co := range courses {
		if !faceToFace(co) {
			continue
		}
		opts = append(opts, selectOption{Value: co.Code, Text: co.Title, Selected: co.Code == chosen})
		if co.Code == chosen {
			found, title = true, co.Title
		}
	}
	return opts, found, title
}

// sessionsList is the upcoming sessions, of one course or of all.
func (s *Server) sessionsList(c *gin.Context) error {
	ctx := c.Request.Context()
	courses, err := s.d.Training.Courses(ctx)
	if err != nil {
		return err
	}
	code := strings.TrimSpace(c.Query("course"))
	opts, found, title := faceToFaceCourses(courses, code, "Every course")
	data := sessionsPage{Course: code, Courses: opts, CourseTitle: title, NoCourses: len(opts) == 1, CanSchedule: may(c, sessionChanges)}
	pg := page{Title: "Face-to-face sessions", Data: &data}
	if code != "" && !found {
		pg.Errors = []fieldError{{ID: "course", Message: "Choose a course from the list."}}
		s.render(c, http.StatusBadRequest, "sessions.html", pg)
		return nil
	}
	list, err := s.d.Sessions.List(ctx, principal(c).Actor(), sessions.Filter{CourseCode: code})
	if err != nil {
		s.formFailed(c, err, queryForm(map[string]string{"course_code": "course"}, "course"), func(status int, errs []fieldError) {
			pg.Errors = errs
			s.render(c, status, "sessions.html", pg)
		})
		return nil
	}
	mine, err := s.viewerBookings(c)
	if err != nil {
		return err
	}
	today := s.d.Training.Today()
	for _, v := range list {
		data.Sessions = append(data.Sessions, s.toSessionRow(v, today, mine))
	}
	s.render(c, http.StatusOK, "sessions.html", pg)
	return nil
}

// sessionPage is the content of session.html.
type sessionPage struct {
	Row      sessionRow
	Notes    string
	Capacity string
	BackHref string
	// People are those the viewer may book onto the session (line
	// managers: their reporting line; HR: everyone the course applies
	// to); empty: no such form.
	People    []selectOption
	BookOther bool
	// Bookings: HR and the session's trainer see who is booked.
	ShowBookings bool
	Bookings     []bookingRow
	// What the viewer may do to the session itself.
	CanChange, CanRegister, CanAddPartner bool
	RegisterFrom                          string
}

// bookingRow is one booking as a session's bookings list shows it.
type bookingRow struct {
	ID, Name, PersonID, State, Tag string
	Live                           bool
}

func toBookingRows(list []sessions.BookingView) []bookingRow {
	var out []bookingRow
	for _, b := range list {
		out = append(out, bookingRow{ID: b.ID, Name: attendeeName(b), PersonID: b.PersonID, State: bookingStateText(b.PlacedBooking),
			Tag: bookingTag(b.State), Live: b.Live()})
	}
	return out
}

// personSelect is the session page's select of someone else to book; the
// viewer's own Book button is "book-" and the session's ID.
const personSelect = "person"

// sessionOnPage is a session row with the page's CSRF token, for the
// session-book template's form.
type sessionOnPage struct {
	Row  sessionRow
	CSRF string
}

// BookForm pairs a session row with the page, for the session-book
// template (templates cannot build structs themselves).
func (p page) BookForm(r sessionRow) sessionOnPage { return sessionOnPage{Row: r, CSRF: p.CSRF} }

// runsSession reports whether the viewer keeps the session's bookings:
// HR, or its trainer.
func runsSession(c *gin.Context, v sessions.SessionView) bool {
	p := principal(c)
	return p.Roles.Has(auth.RoleHR) || (v.TrainerID != "" && v.TrainerID == p.PersonID)
}

// renderSession shows a session's page with status, the errors of the
// form just sent, and the banner.
func (s *Server) renderSession(c *gin.Context, status int, id string, errs []fieldError, chosen string) error {
	ctx := c.Request.Context()
	actor := principal(c).Actor()
	v, err := s.d.Sessions.Session(ctx, actor, id)
	if err != nil {
		return err
	}
	mine, err := s.viewerBookings(c)
	if err != nil {
		return err
	}
	today := s.d.Training.Today()
	data := sessionPage{Row: s.toSessionRow(v, today, mine), Notes: v.Notes, BackHref: "/sessions?course=" + url.QueryEscape(v.CourseCode),
		Capacity: capacityText(v), CanChange: may(c, sessionChanges) && runsSession(c, v) && v.State == training.SessionScheduled}
	if runsSession(c, v) {
		list, err := s.d.Sessions.Bookings(ctx, actor, v.ID)
		if err != nil {
			return err
		}
		data.ShowBookings, data.Bookings = true, toBookingRows(list)
		data.CanRegister = v.State == training.SessionScheduled
		data.CanAddPartner = v.Bookable(today)
		if !v.RegisterOpen(today) {
			data.RegisterFrom = longDate(v.Date)
		}
	}
	if v.Bookable(today) {
		if data.People, err = s.bookablePeople(c, v.CourseCode, chosen); err != nil {
			return err
		}
		data.BookOther = len(data.People) > 1
		// Whoever books others is not told the course is not theirs.
		data.Row.NotForYou = data.Row.NotForYou && !data.BookOther
	}
	pg := page{Title: sessionTitle(v), Errors: errs, Data: data}
	if errs == nil {
		pg.Banner, err = s.sessionBanner(c, v, mine)
		if err != nil {
			return err
		}
	}
	s.render(c, status, "session.html", pg)
	return nil
}

// capacityText says how full a session is.
func capacityText(v sessions.SessionView) string {
	t := fmt.Sprintf("%d of %d places booked", v.Booked, v.Capacity)
	if v.Waiting > 0 {
		t = fmt.Sprintf("%s, %d on the waiting list", t, v.Waiting)
	}
	return t
}

// bookablePeople are the people the viewer may book onto a session of the
// course, as the options of a select (the first: none chosen): a line
// manager's reporting line, or everyone for HR, still here, required to
// do the course and not holding a place on it already (booked or waiting
// on a session still to come), not the viewer (who has the Book button).
// Auditors read everyone but book nobody.
func (s *Server) bookablePeople(c *gin.Context, courseCode, chosen string) ([]selectOption, error) {
	p := principal(c)
	if !p.Roles.Has(auth.RoleHR) && !p.Roles.Has(auth.RoleManager) {
		return nil, nil
	}
	ctx := c.Request.Context()
	course, err := s.d.Training.Course(ctx, courseCode)
	if err != nil {
		return nil, err
	}
	actor := p.Actor()
	if !p.Roles.Has(auth.RoleHR) {
		// A line manager who also audits would otherwise be offered
		// everyone; they book their own reporting line only.
		actor.Auditor = false
	}
	today := s.d.Training.Today()
	var candidates []training.Person
	for req := (training.PageRequest{Limit: 500}); ; {
		list, err := s.d.Training.ListPeople(ctx, actor, training.PeopleFilter{}, req)
		if err != nil {
			return nil, err
		}
		for _, person := range list.Items {
			if person.ID != p.PersonID && !person.IsLeaver(today) && course.Applies(person) {
				candidates = append(candidates, person)
			}
		}
		if list.NextCursor == "" {
			break
		}
		req.Cursor = list.NextCursor
	}
	held, err := s.heldOnCourse(c, actor, p.Roles.Has(auth.RoleHR), course.Code, candidates)
	if err != nil {
		return nil, err
	}
	opts := []selectOption{{Value: "", Text: "Choose a person", Selected: chosen == ""}}
	for _, person := range candidates {
		// The person just chosen stays, so the refusal names them.
		if held[person.ID] && person.ID != chosen {
			continue
		}
		text := person.FullName()
		if person.JobTitle != "" {
			text = fmt.Sprintf("%s, %s", text, person.JobTitle)
		}
		opts = append(opts, selectOption{Value: person.ID, Text: text, Selected: person.ID == chosen})
	}
	return opts, nil
}

// sessionDetail is one session's page.
func (s *Server) sessionDetail(c *gin.Context) error {
	return s.renderSession(c, http.StatusOK, c.Param("id"), nil, "")
}

// sessionBanner is the outcome of the form just sent, built from the
// records themselves, so a crafted link shows nothing untrue.
func (s *Server) sessionBanner(c *gin.Context, v sessions.SessionView, mine viewerBookings) (*banner, error) {
	switch {
	case c.Query("booked") != "":
		return s.bookedBanner(c, v, mine, c.Query("booked"))
	case c.Query("cancelled") != "":
		b, err := s.findBooking(c, c.Query("cancelled"), v.ID)
		if err != nil || b.State != training.BookingCancelled {
			return nil, ignoreMissing(err)
		}
		return &banner{Success: true, Heading: fmt.Sprintf("Booking cancelled: %s", attendeeName(b)),
			Text: "They have been emailed. The first person on the waiting list, if there is one, gets the place."}, nil
	case c.Query("partner") != "":
		b, err := s.findBooking(c, c.Query("partner"), v.ID)
		if err != nil || b.External == nil {
			return nil, ignoreMissing(err)
		}
		return &banner{Success: true, Heading: fmt.Sprintf("Added: %s", attendeeName(b)),
			Text: fmt.Sprintf("%s. They have been emailed the details.", bookingStateText(b.PlacedBooking))}, nil
	case c.Query("scheduled") != "":
		return &banner{Success: true, Heading: "Session scheduled", Text: "People can book it now."}, nil
	case c.Query("changed") != "":
		b := &banner{Success: true, Heading: "Session changed"}
		if v.Booked+v.Waiting > 0 {
			b.Text = "Everyone booked has been emailed the new details."
		}
		return b, nil
	case c.Query("session_cancelled") != "" && v.State == training.SessionCancelled:
		// The bookings are cancelled with the session, so the counts
		// no longer say whether anyone was told.
		return &banner{Success: true, Heading: "Session cancelled", Text: "Anyone who was booked has been emailed to say it is not going ahead."}, nil
	}
	return nil, nil
}

// ignoreMissing drops "not found": a banner for a record the viewer
// cannot see is simply not shown.
func ignoreMissing(err error) error {
	if errors.Is(err, training.ErrNotFound) || errors.Is(err, training.ErrForbidden) {
		return nil
	}
	return err
}

// bookedBanner confirms a booking: the viewer's own, with their place or
// their position in the waiting list; one HR or the trainer made, from
// the bookings list; one a line manager made for someone in their line,
// who is told by e-mail where they stand.
func (s *Server) bookedBanner(c *gin.Context, v sessions.SessionView, mine viewerBookings, id string) (*banner, error) {
	for _, b := range mine.all {
		if b.ID != id || b.SessionID != v.ID {
			continue
		}
		switch b.State {
		case training.BookingBooked:
			return &banner{Success: true, Heading: fmt.Sprintf("You are booked on %s", sessionTitle(v)),
				Text: "We have emailed you to confirm your place, with the session for your calendar."}, nil
		case training.BookingWaiting:
			return &banner{Success: true, Heading: fmt.Sprintf("You are on the waiting list: number %d", b.Position),
				Text: "The session is full. If someone cancels, you get their place and we email you."}, nil
		}
		return nil, nil
	}
	if runsSession(c, v) {
		b, err := s.findBooking(c, id, v.ID)
		if err != nil || !b.Live() {
			return nil, ignoreMissing(err)
		}
		if b.State == training.BookingWaiting {
			return &banner{Success: true, Heading: fmt.Sprintf("%s is on the waiting list: number %d", attendeeName(b), b.Position),
				Text: "They have been emailed. They get a place if someone cancels."}, nil
		}
		return &banner{Success: true, Heading: fmt.Sprintf("Booked: %s", attendeeName(b)), Text: "They have been emailed to confirm their place."}, nil
	}
	if who := c.Query("for"); who != "" {
		p, err := s.d.Training.Person(c.Request.Context(), principal(c).Actor(), who)
		if err != nil {
			return nil, ignoreMissing(err)
		}
		return &banner{Success: true, Heading: fmt.Sprintf("Booking made for %s", p.FullName()),
			Text: "They have been emailed to say whether they have a place or are on the waiting list."}, nil
	}
	return nil, nil
}

// book books the viewer, or the person chosen in the select, onto the
// session, then shows the session with the outcome; or the page again
// with what is wrong.
func (s *Server) book(c *gin.Context) error {
	ctx := c.Request.Context()
	p := principal(c)
	id := c.Param("id")
	someoneElse := c.PostForm("for") == "someone"
	req := sessions.BookingRequest{}
	ours := map[string]fieldError{}
	if someoneElse {
		req.PersonID = strings.TrimSpace(c.PostForm(personSelect))
		if req.PersonID == "" {
			ours["person_id"] = fieldError{ID: personSelect, Message: "Choose the person to book."}
		}
	}
	var b sessions.BookingView
	var err error
	if len(ours) == 0 {
		b, err = s.d.Sessions.Book(ctx, p.Actor(), id, req)
	}
	if len(ours) > 0 || err != nil {
		fallback := "book-" + id
		if someoneElse {
			fallback = personSelect
		}
		f := formErrors{Inputs: map[string]string{"person_id": personSelect}, Fallback: fallback, Ours: ours}
		var renderErr error
		s.formFailed(c, err, f, func(status int, errs []fieldError) {
			renderErr = s.renderSession(c, status, id, errs, req.PersonID)
		})
		return renderErr
	}
	q := url.Values{"booked": {b.ID}}
	if req.PersonID != "" {
		q.Set("for", req.PersonID)
	}
	c.Redirect(http.StatusSeeOther, "/sessions/"+url.PathEscape(id)+"?"+q.Encode())
	return nil
}

// findBooking finds a booking the viewer may see: one of their own, or
// one of the session's bookings when they keep them (HR, the trainer).
func (s *Server) findBooking(c *gin.Context, id, sessionID string) (sessions.BookingView, error) {
	ctx := c.Request.Context()
	actor := principal(c).Actor()
	mine, err := s.d.Sessions.MyBookings(ctx, actor)
	if err != nil {
		return sessions.BookingView{}, err
	}
	if i := slices.IndexFunc(mine, func(b sessions.BookingView) bool { return b.ID == id }); i >= 0 {
		return mine[i], nil
	}
	if sessionID == "" {
		return sessions.BookingView{}, training.ErrNotFound
	}
	list, err := s.d.Sessions.Bookings(ctx, actor, sessionID)
	if err != nil {
		return sessions.BookingView{}, err
	}
	if i := slices.IndexFunc(list, func(b sessions.BookingView) bool { return b.ID == id }); i >= 0 {
		return list[i], nil
	}
	return sessions.BookingView{}, training.ErrNotFound
}

// personBooking finds one of a person's bookings, for those who may see
// the person (their line manager, HR, an auditor).
func (s *Server) personBooking(c *gin.Context, id, personID string) (sessions.BookingView, error) {
	list, err := s.d.Sessions.PersonBookings(c.Request.Context(), principal(c).Actor(), personID)
	if err != nil {
		return sessions.BookingView{}, err
	}
	if i := slices.IndexFunc(list, func(b sessions.BookingView) bool { return b.ID == id }); i >= 0 {
		return list[i], nil
	}
	return sessions.BookingView{}, training.ErrNotFound
}

// bookingCancelPage is the content of booking_cancel.html.
type bookingCancelPage struct {
	ID, SessionID, Name, Course, Date, Time, Place, State string
	Own                                                   bool
	BackHref                                              string
	// PersonID: the booking was reached from this person's page, where
	// the viewer goes back to.
	PersonID string
}

// bookingCancelData finds the booking to cancel: the viewer's own, one of
// the session's bookings (sessionHint) for HR and its trainer, or one of a
// person's (personHint) for those who look after them.
func (s *Server) bookingCancelData(c *gin.Context, sessionHint, personHint string) (bookingCancelPage, error) {
	b, err := s.findBooking(c, c.Param("id"), sessionHint)
	viaPerson := false
	if err != nil && personHint != "" && ignoreMissing(err) == nil {
		b, err = s.personBooking(c, c.Param("id"), personHint)
		viaPerson = true
	}
	if err != nil {
		return bookingCancelPage{}, err
	}
	if !b.Live() {
		// Cancelled already, or the register was kept: nothing to cancel.
		return bookingCancelPage{}, training.ErrNotFound
	}
	d := bookingCancelPage{ID: b.ID, SessionID: b.SessionID, Name: attendeeName(b), Course: courseTitleOf(b.Session),
		Date: sessionDate(b.Session.Date), Time: sessionTimes(b.Session.Session), Place: b.Session.Location,
		State: bookingStateText(b.PlacedBooking), Own: b.PersonID != "" && b.PersonID == principal(c).PersonID}
	switch {
	case d.Own:
		d.BackHref = "/my-training#my-bookings"
	case viaPerson:
		d.PersonID = b.PersonID
		d.BackHref = "/people/" + url.PathEscape(b.PersonID) + "#sessions"
	default:
		d.BackHref = "/sessions/" + url.PathEscape(b.SessionID)
	}
	return d, nil
}

// cancelBookingForm asks to confirm cancelling a booking.
func (s *Server) cancelBookingForm(c *gin.Context) error {
	d, err := s.bookingCancelData(c, c.Query("session"), c.Query("person"))
	if err != nil {
		return err
	}
	title := "Are you sure you want to cancel this booking?"
	s.render(c, http.StatusOK, "booking_cancel.html", page{Title: title, Data: d})
	return nil
}

// cancelBooking cancels it, then shows where the viewer came from with
// the outcome.
func (s *Server) cancelBooking(c *gin.Context) error {
	d, err := s.bookingCancelData(c, c.PostForm("session"), c.PostForm("person"))
	if err != nil {
		return err
	}
	if _, err := s.d.Sessions.CancelBooking(c.Request.Context(), principal(c).Actor(), d.ID); err != nil {
		s.formFailed(c, err, formErrors{Fallback: "cancel-booking"}, func(status int, errs []fieldError) {
			s.render(c, status, "booking_cancel.html", page{Title: "Are you sure you want to cancel this booking?", Errors: errs, Data: d})
		})
		return nil
	}
	if d.Own {
		c.Redirect(http.StatusSeeOther, "/my-training?cancelled="+url.QueryEscape(d.ID)+"#my-bookings")
		return nil
	}
	if d.PersonID != "" {
		c.Redirect(http.StatusSeeOther, "/people/"+url.PathEscape(d.PersonID)+"?booking_cancelled="+url.QueryEscape(d.ID)+"#sessions")
		return nil
	}
	c.Redirect(http.StatusSeeOther, "/sessions/"+url.PathEscape(d.SessionID)+"?cancelled="+url.QueryEscape(d.ID))
	return nil
}

// sessionCalendar is the session as a calendar file (iCalendar), for
// whoever may see the session, to add to their calendar.
func (s *Server) sessionCalendar(c *gin.Context) error {
	ctx := c.Request.Context()
	actor := principal(c).Actor()
	v, err := s.d.Sessions.Session(ctx, actor, c.Param("id"))
	if err != nil {
		return err
	}
	ics, err := s.d.Sessions.Calendar(ctx, actor, v.ID)
	if err != nil {
		return err
	}
	name := fmt.Sprintf("%s-%s.ics", strings.ToLower(v.CourseCode), v.Date)
	c.Header("Content-Disposition", fmt.Sprintf("attachment; filename=%q", name))
	c.Data(http.StatusOK, "text/calendar; charset=utf-8", ics)
	return nil
}

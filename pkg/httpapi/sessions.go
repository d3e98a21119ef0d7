package httpapi

import (
	"fmt"
	"mime"
	"net/http"
	"strings"

	"github.com/gin-gonic/gin"

	"github.com/complytrack/complytrack/pkg/sessions"
	"github.com/complytrack/complytrack/pkg/training"
)

// Face-to-face sessions: scheduling, booking, the register and the
// calendar file. The rules (who may book whom, the waiting list, the
// e-mails) are pkg/sessions'; these handlers parse the request, call it
// and shape its answer.

type sessionResponse struct {
	ID           string                `json:"id"`
	CourseCode   string                `json:"course_code"`
	CourseTitle  string                `json:"course_title"`
	Date         training.Date         `json:"date"`
	StartTime    string                `json:"start_time"`
	EndTime      string                `json:"end_time"`
	Location     string                `json:"location"`
	Capacity     int                   `json:"capacity"`
	TrainerID    string                `json:"trainer_id"`
	TrainerName  string                `json:"trainer_name"`
	Notes        string                `json:"notes,omitempty"`
	State        training.SessionState `json:"state"`
	CancelReason string                `json:"cancel_reason,omitempty"`
	Booked       int                   `json:"booked"`
	Waiting      int                   `json:"waiting"`
	PlacesLeft   int                   `json:"places_left"`
}

func toSession(v sessions.SessionView) sessionResponse {
	return sessionResponse{
		ID: v.ID, CourseCode: v.CourseCode, CourseTitle: v.CourseTitle, Date: v.Date,
		StartTime: v.Start.String(), EndTime: v.End.String(), Location: v.Location, Capacity: v.Capacity,
		TrainerID: v.TrainerID, TrainerName: v.TrainerName, Notes: v.Notes, State: v.State, CancelReason: v.CancelReason,
		Booked: v.Booked, Waiting: v.Waiting, PlacesLeft: v.PlacesLeft,
	}
}

type externalAttendee struct {
	Name         string `json:"name"`
	Email        string `json:"email"`
	Organisation string `json:"organisation"`
}

// bookingResponse is a booking with its session, so that a list of one's
// own bookings says what each is for. State is worked out for a live
// booking: booked while it holds a place, waiting (with its position in
// the queue, 1 first) while it does not.
type bookingResponse struct {
	ID           string                `json:"id"`
	SessionID    string                `json:"session_id"`
	PersonID     string                `json:"person_id,omitempty"`
	PersonName   string                `json:"person_name,omitempty"`
	External     *externalAttendee     `json:"external,omitempty"`
	State        training.BookingState `json:"state"`
	Position     int                   `json:"position,omitempty"`
	CompletionID string                `json:"completion_id,omitempty"`
	Session      sessionResponse       `json:"session"`
}

func toBooking(v sessions.BookingView) bookingResponse {
	r := bookingResponse{
		ID: v.ID, SessionID: v.SessionID, PersonID: v.PersonID, PersonName: v.PersonName,
		State: v.State, Position: v.Position, CompletionID: v.CompletionID, Session: toSession(v.Session),
	}
	if x := v.External; x != nil {
		r.External = &externalAttendee{Name: x.Name, Email: x.Email, Organisation: x.Organisation}
	}
	return r
}

func toBookings(vs []sessions.BookingView) list[bookingResponse] {
	out := list[bookingResponse]{Items: make([]bookingResponse, 0, len(vs))}
	for _, v := range vs {
		out.Items = append(out.Items, toBooking(v))
	}
	return out
}

// sessionRequest is a session as scheduled (POST) and, laid over the
// current session, as rescheduled (PATCH). Times are "HH:MM" on the
// 24-hour clock; the number of places is a JSON number.
type sessionRequest struct {
	CourseCode string `json:"course_code"`
	Date       string `json:"date"`
	StartTime  string `json:"start_time"`
	EndTime    string `json:"end_time"`
	Location   string `json:"location"`
	Capacity   int    `json:"capacity"`
	TrainerID  string `json:"trainer_id"`
	Notes      string `json:"notes"`
}

// input parses the request's dates and times. What does not parse is
// kept in Problems, for the service to report with its own checks.
func (r sessionRequest) input() training.SessionInput {
	v := &training.ValidationError{}
	in := training.SessionInput{
		CourseCode: r.CourseCode, Date: parseDate(v, "date", r.Date),
		Start:    parseTime(v, "start_time", r.StartTime, "Enter the start time as HH:MM, like 10:00"),
		End:      parseTime(v, "end_time", r.EndTime, "Enter the end time as HH:MM, like 12:00"),
		Location: r.Location, Capacity: r.Capacity, TrainerID: r.TrainerID, Notes: r.Notes,
	}
	in.Problems = v.Fields
	return in
}

// sessionRequestOf renders a session as the request that would schedule
// it, for a PATCH to be decoded onto.
func sessionRequestOf(in training.SessionInput) sessionRequest {
	return sessionRequest{
		CourseCode: in.CourseCode, Date: in.Date.String(), StartTime: in.Start.String(), EndTime: in.End.String(),
		Location: in.Location, Capacity: in.Capacity, TrainerID: in.TrainerID, Notes: in.Notes,
	}
}

// parseTime reads an optional "HH:MM" field: "" is no time (the
// service's check asks for it); text that is not a time adds problem.
func parseTime(v *training.ValidationError, field, s, problem string) training.TimeOfDay {
	if s == "" {
		return training.TimeOfDay{}
	}
	t, err := training.ParseTimeOfDay(s)
	if err != nil {
		v.Problem(field, "%s", problem)
	}
	return t
}

// bookingRequest says whom to book: nobody named (or no body) books the
// caller; person_id, someone on record; external, a partner
// organisation's attendee.
type bookingRequest struct {
	PersonID string                   `json:"person_id"`
	External *externalAttendeeRequest `json:"external"`
}

type externalAttendeeRequest struct {
	Name         string `json:"name"`
	Email        string `json:"email"`
	Organisation string `json:"organisation"`
}

// check refuses a body naming both a person and a partner attendee: one
// booking is for one attendee.
func (r *bookingRequest) check() error {
	if r.PersonID != "" && r.External != nil {
		return invalidField("person_id", "Book either a person or a partner attendee, not both")
	}
	return nil
}

func (r bookingRequest) request() sessions.BookingRequest {
	out := sessions.BookingRequest{PersonID: r.PersonID}
	if x := r.External; x != nil {
		out.External = &training.ExternalAttendee{Name: x.Name, Email: x.Email, Organisation: x.Organisation}
	}
	return out
}

// registerRequest marks the register: the bookings of those who came and
// of those who did not.
type registerRequest struct {
	Attended []string `json:"attended"`
	NoShow   []string `json:"no_show"`
}

// check refuses a register that marks nobody: it would change nothing,
// and look as if it had.
func (r *registerRequest) check() error {
	if len(r.Attended) == 0 && len(r.NoShow) == 0 {
		return invalidField("attended", "Choose the bookings of the people who attended, or of those who did not come")
	}
	return nil
}

type registerResponse struct {
	// Completions are the IDs of the completions the register recorded,
	// one for each person marked as attended. Never null.
	Completions []string `json:"completions"`
}

type partnerOrganisation struct {
	Name     string `json:"name"`
	Attended int    `json:"attended"`
	NoShow   int    `json:"no_show"`
}

type partnerReportResponse struct {
	From          training.Date         `json:"from"`
	To            training.Date         `json:"to"`
	Sessions      int                   `json:"sessions"`
	PlacesOffered int                   `json:"places_offered"`
	PlacesFilled  int                   `json:"places_filled"`
	Organisations []partnerOrganisation `json:"organisations"`
}

func (h *handlers) scheduleSession(c *gin.Context) (reply, error) {
	var req sessionRequest
	if err := bindJSON(c, &req); err != nil {
		return reply{}, err
	}
	s, err := h.d.Sessions.Schedule(c.Request.Context(), actor(c), req.input())
	if err != nil {
		return reply{}, err
	}
	c.Header("Location", "/api/v1/sessions/"+s.ID)
	return reply{http.StatusCreated, toSession(s)}, nil
}

func (h *handlers) listSessions(c *gin.Context) (reply, error) {
	v := &training.ValidationError{}
	f := sessions.Filter{
		CourseCode: c.Query("course_code"), TrainerID: c.Query("trainer_id"),
		From: parseDate(v, "from", c.Query("from")), To: parseDate(v, "to", c.Query("to")),
	}
	switch c.Query("include_cancelled") {
	case "", "false":
	case "true":
		f.IncludeCancelled = true
	default:
		v.Problem("include_cancelled", "The include_cancelled parameter must be true or false")
	}
	if err := v.Err(); err != nil {
		return reply{}, err
	}
	found, err := h.d.Sessions.List(c.Request.Context(), actor(c), f)
	if err != nil {
		return reply{}, err
	}
	out := list[sessionResponse]{Items: make([]sessionResponse, 0, len(found))}
	for _, s := range found {
		out.Items = append(out.Items, toSession(s))
	}
	return reply{http.StatusOK, out}, nil
}

func (h *handlers) getSession(c *gin.Context) (reply, error) {
	s, err := h.d.Sessions.Session(c.Request.Context(), actor(c), c.Param("id"))
	if err != nil {
		return reply{}, err
	}
	return reply{http.StatusOK, toSession(s)}, nil
}

// patchSession reschedules: the body is checked on its own first (its
// media type, text, field names and types), then laid over the session
// as it stands, so absent fields keep their value and the service checks
// the session whole.
func (h *handlers) patchSession(c *gin.Context) (reply, error) {
	raw, err := readJSON(c)
	if err != nil {
		return reply{}, err
	}
	if err := decodeJSON(raw, &sessionRequest{}); err != nil {
		return reply{}, err
	}
	ctx, id := c.Request.Context(), c.Param("id")
	current, err := h.d.Sessions.Current(ctx, actor(c), id)
	if err != nil {
		return reply{}, err
	}
	req := sessionRequestOf(current)
	if err := decodeJSON(raw, &req); err != nil {
		return reply{}, err
	}
	s, err := h.d.Sessions.Reschedule(ctx, actor(c), id, req.input())
	if err != nil {
		return reply{}, err
	}
	return reply{http.StatusOK, toSession(s)}, nil
}

func (h *handlers) cancelSession(c *gin.Context) (reply, error) {
	var req reasonRequest
	if err := bindJSON(c, &req); err != nil {
		return reply{}, err
	}
	s, err := h.d.Sessions.Cancel(c.Request.Context(), actor(c), c.Param("id"), req.Reason)
	if err != nil {
		return reply{}, err
	}
	return reply{http.StatusOK, toSession(s)}, nil
}

func (h *handlers) book(c *gin.Context) (reply, error) {
	var req bookingRequest
	// No body at all books the caller, as {} does.
	if c.Request.ContentLength != 0 || c.GetHeader("Content-Type") != "" {
		if err := bindJSON(c, &req); err != nil {
			return reply{}, err
		}
	}
	b, err := h.d.Sessions.Book(c.Request.Context(), actor(c), c.Param("id"), req.request())
	if err != nil {
		return reply{}, err
	}
	return reply{http.StatusCreated, toBooking(b)}, nil
}

func (h *handlers) sessionBookings(c *gin.Context) (reply, error) {
	bs, err := h.d.Sessions.Bookings(c.Request.Context(), actor(c), c.Param("id"))
	if err != nil {
		return reply{}, err
	}
	return reply{http.StatusOK, toBookings(bs)}, nil
}

func (h *handlers) myBookings(c *gin.Context) (reply, error) {
	bs, err := h.d.Sessions.MyBookings(c.Request.Context(), actor(c))
	if err != nil {
		return reply{}, err
	}
	return reply{http.StatusOK, toBookings(bs)}, nil
}

func (h *handlers) cancelBooking(c *gin.Context) (reply, error) {
	b, err := h.d.Sessions.CancelBooking(c.Request.Context(), actor(c), c.Param("id"))
	if err != nil {
		return reply{}, err
	}
	return reply{http.StatusOK, toBooking(b)}, nil
}

func (h *handlers) register(c *gin.Context) (reply, error) {
	var req registerRequest
	if err := bindJSON(c, &req); err != nil {
		return reply{}, err
	}
	ids, err := h.d.Sessions.Register(c.Request.Context(), actor(c), c.Param("id"), req.Attended, req.NoShow)
	if err != nil {
		return reply{}, err
	}
	return reply{http.StatusOK, registerResponse{Completions: append([]string{}, ids...)}}, nil
}

// sessionCalendar answers the session as an iCalendar file to add to a
// calendar program, named for the session's day and course.
func (h *handlers) sessionCalendar(c *gin.Context) (reply, error) {
	ctx, id := c.Request.Context(), c.Param("id")
	s, err := h.d.Sessions.Session(ctx, actor(c), id)
	if err != nil {
		return reply{}, err
	}
	ics, err := h.d.Sessions.Calendar(ctx, actor(c), id)
	if err != nil {
		return reply{}, err
	}
	c.Header("Content-Disposition", mime.FormatMediaType("attachment", map[string]string{"filename": calendarFilename(s)}))
	c.Data(http.StatusOK, CalendarContentType, ics)
	return reply{}, nil
}

// CalendarContentType is the media type of a session's calendar file.
const CalendarContentType = "text/calendar; charset=utf-8"

// calendarFilename is "2026-11-20-wrap.ics": the day and the course code,
// kept to letters, digits and hyphens so that no file system or header
// objects to it.
func calendarFilename(s sessions.SessionView) string {
	code := strings.Map(func(r rune) rune {
		switch {
		case r >= 'a' && r <= 'z', r >= '0' && r <= '9', r == '-':
			return r
		case r >= 'A' && r <= 'Z':
			return r + ('a' - 'A')
		}
		return '-'
	}, s.CourseCode)
	return fmt.Sprintf("%s-%s.ics", s.Date, strings.Trim(code, "-"))
}

func (h *handlers) partnerReport(c *gin.Context) (reply, error) {
	v := &training.ValidationError{}
	from, to := parseDate(v, "from", c.Query("from")), parseDate(v, "to", c.Query("to"))
	if err := v.Err(); err != nil {
		return reply{}, err
	}
	rep, err := h.d.Sessions.PartnerReport(c.Request.Context(), actor(c), from, to)
	if err != nil {
		return reply{}, err
	}
	out := partnerReportResponse{From: rep.From, To: rep.To, Sessions: rep.Sessions, PlacesOffered: rep.PlacesOffered,
		PlacesFilled: rep.PlacesFilled, Organisations: make([]partnerOrganisation, 0, len(rep.Organisations))}
	for _, o := range rep.Organisations {
		out.Organisations = append(out.Organisations, partnerOrganisation{Name: o.Name, Attended: o.Attended, NoShow: o.NoShow})
	}
	return reply{http.StatusOK, out}, nil
}

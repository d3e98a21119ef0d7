package web

import (
	"net/url"

	"github.com/gin-gonic/gin"

	"github.com/complytrack/complytrack/pkg/auth"
	"github.com/complytrack/complytrack/pkg/sessions"
	"github.com/complytrack/complytrack/pkg/training"
)

// A person's face-to-face sessions on their page: what their line manager,
// HR or an auditor needs to see to know whether they are booked, and the
// way to cancel a booking for those who may.

// personSessions is the "Face-to-face sessions" section of person.html.
type personSessions struct {
	Rows []personBookingRow
	// CanCancel: some row has a Cancel link, so the table has a column
	// for them.
	CanCancel bool
}

// personBookingRow is one of the person's bookings.
type personBookingRow struct {
	ID, SessionID, Course, Date, Time, Place, State, Tag string
	// CancelHref leads to the booking's cancel confirmation; empty: the
	// viewer may not cancel it, or it cannot be cancelled any more.
	CancelHref string
	cancelled  bool
}

// personSessionsOf lists the person's bookings, newest session first. The
// section is left out (nil) when they have none and no course taught in a
// room applies to them: there is nothing to say.
func (s *Server) personSessionsOf(c *gin.Context, p training.Person, items []training.Assessment, courses map[string]training.Course) (*personSessions, error) {
	list, err := s.d.Sessions.PersonBookings(c.Request.Context(), principal(c).Actor(), p.ID)
	if err != nil {
		return nil, err
	}
	offered := false
	for _, a := range items {
		offered = offered || faceToFace(courses[a.CourseCode])
	}
	if len(list) == 0 && !offered {
		return nil, nil
	}
	mayCancel, err := s.mayCancelFor(c, p)
	if err != nil {
		return nil, err
	}
	today := s.d.Training.Today()
	out := &personSessions{}
	for _, b := range list {
		row := personBookingRow{ID: b.ID, SessionID: b.SessionID, Course: courseTitleOf(b.Session), Date: sessionDate(b.Session.Date),
			Time: sessionTimes(b.Session.Session), Place: b.Session.Location, State: bookingStateText(b.PlacedBooking), Tag: bookingTag(b.State),
			cancelled: b.State == training.BookingCancelled}
		if mayCancel && b.Live() && !b.Session.Date.Before(today) {
			row.CancelHref = "/bookings/" + url.PathEscape(b.ID) + "/cancel?" + url.Values{"person": {p.ID}}.Encode()
			out.CanCancel = true
		}
		out.Rows = append(out.Rows, row)
	}
	return out, nil
}

// mayCancelFor reports whether the viewer may cancel the person's
// bookings: the person, HR, or someone above them in their reporting line
// (Member Services for a Member). Reading everyone, as an auditor does,
// is not enough.
func (s *Server) mayCancelFor(c *gin.Context, p training.Person) (bool, error) {
	viewer := principal(c)
	if viewer.PersonID == p.ID || viewer.Roles.Has(auth.RoleHR) {
		return true, nil
	}
	actor := viewer.Actor()
	actor.Auditor = false
	if _, err := s.d.Training.Person(c.Request.Context(), actor, p.ID); err != nil {
		return false, ignoreMissing(err)
	}
	return true, nil
}

// bookingCancelledBanner confirms a booking cancelled from the person's
// page, from the booking itself, so a crafted link shows nothing untrue.
func bookingCancelledBanner(c *gin.Context, pg *page, p training.Person, list *personSessions) {
	id := c.Query("booking_cancelled")
	if id == "" || pg.Banner != nil || list == nil {
		return
	}
	for _, r := range list.Rows {
		if r.ID == id && r.cancelled {
			pg.Banner = &banner{Success: true, Heading: "Booking cancelled: " + p.FullName(),
				Text: "They have been emailed. The first person on the waiting list, if there is one, gets the place."}
		}
	}
}

// heldOnCourse says which of the candidates hold a place (booked or
// waiting) on a session of the course still to come, and so cannot be
// booked on it again. A line manager's candidates are their reporting
// line, each read with PersonBookings. HR's are everyone the course
// applies to: reading the bookings of the course's few upcoming sessions
// costs a handful of reads where everyone's own would cost hundreds.
func (s *Server) heldOnCourse(c *gin.Context, actor training.Actor, hr bool, courseCode string, candidates []training.Person) (map[string]bool, error) {
	ctx := c.Request.Context()
	held := map[string]bool{}
	if hr {
		upcoming, err := s.d.Sessions.List(ctx, actor, sessions.Filter{CourseCode: courseCode})
		if err != nil {
			return nil, err
		}
		for _, v := range upcoming {
			list, err := s.d.Sessions.Bookings(ctx, actor, v.ID)
			if err != nil {
				return nil, err
			}
			for _, b := range list {
				if b.Live() && b.PersonID != "" {
					held[b.PersonID] = true
				}
			}
		}
		return held, nil
	}
	today := s.d.Training.Today()
	for _, p := range candidates {
		list, err := s.d.Sessions.PersonBookings(ctx, actor, p.ID)
		if err != nil {
			return nil, err
		}
		for _, b := range list {
			if b.CourseCode == courseCode && b.Live() && b.Session.Bookable(today) {
				held[p.ID] = true
			}
		}
	}
	return held, nil
}

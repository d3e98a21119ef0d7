package web

import (
	"fmt"
	"strings"
	"time"

	"github.com/complytrack/complytrack/pkg/sessions"
	"github.com/complytrack/complytrack/pkg/training"
)

// How the session pages write a session's day, times and places, the
// GOV.UK way: "Thursday 3 December 2026", "9:30am to midday", "3 places
// left".

// sessionDate is a session's day with its weekday, since people plan a
// session by the day of the week.
func sessionDate(d training.Date) string {
	if d.IsZero() {
		return ""
	}
	return time.Date(d.Year(), d.Month(), d.Day(), 0, 0, 0, 0, time.UTC).Format("Monday 2 January 2006")
}

// clockTime is a time of day as GOV.UK writes it: "9am", "2:30pm",
// "midday", "midnight".
func clockTime(t training.TimeOfDay) string {
	if !t.Valid() {
		return ""
	}
	h, m := t.Hour(), t.Minute()
	switch {
	case h == 12 && m == 0:
		return "midday"
	case h == 0 && m == 0:
		return "midnight"
	}
	suffix := "am"
	if h >= 12 {
		suffix = "pm"
	}
	h12 := h % 12
	if h12 == 0 {
		h12 = 12
	}
	if m == 0 {
		return fmt.Sprintf("%d%s", h12, suffix)
	}
	return fmt.Sprintf("%d:%02d%s", h12, m, suffix)
}

// sessionTimes is when a session runs: "10am to 12:30pm".
func sessionTimes(s training.Session) string {
	return clockTime(s.Start) + " to " + clockTime(s.End)
}

// placesText says how many places a session has left, or that it is
// full and a booking joins the waiting list.
func placesText(v sessions.SessionView) string {
	switch {
	case v.State == training.SessionCancelled:
		return "Cancelled"
	case v.PlacesLeft == 1:
		return "1 place left"
	case v.PlacesLeft > 1:
		return fmt.Sprintf("%d places left", v.PlacesLeft)
	}
	return "Full: join the waiting list"
}

// bookingStateText is a booking's state in words, with its place in the
// waiting list.
func bookingStateText(b training.PlacedBooking) string {
	switch b.State {
	case training.BookingBooked:
		return "Booked"
	case training.BookingWaiting:
		return fmt.Sprintf("On the waiting list: number %d", b.Position)
	case training.BookingAttended:
		return "Attended"
	case training.BookingNoShow:
		return "Did not attend"
	case training.BookingCancelled:
		return "Cancelled"
	}
	return string(b.State)
}

// bookingTag is the colour of a booking's state tag (the status tags'
// colours: the words carry the meaning).
func bookingTag(s training.BookingState) string {
	switch s {
	case training.BookingBooked, training.BookingAttended:
		return "compliant"
	case training.BookingWaiting:
		return "expiring"
	case training.BookingNoShow:
		return "overdue"
	}
	return "exempt"
}

// attendeeName names whoever a booking is for: the person, or the partner
// attendee with their organisation.
func attendeeName(b sessions.BookingView) string {
	if b.External != nil {
		return fmt.Sprintf("%s (%s)", strings.TrimSpace(b.External.Name), strings.TrimSpace(b.External.Organisation))
	}
	if b.PersonName != "" {
		return b.PersonName
	}
	return "Someone whose record you cannot see"
}

// sessionTitle names a session: its course and its day.
func sessionTitle(v sessions.SessionView) string {
	return fmt.Sprintf("%s, %s", courseTitleOf(v), sessionDate(v.Date))
}

func courseTitleOf(v sessions.SessionView) string {
	if v.CourseTitle != "" {
		return v.CourseTitle
	}
	return v.CourseCode
}

// faceToFace reports whether a course is taught in a room, so that
// sessions of it may be scheduled and booked.
func faceToFace(c training.Course) bool {
	return c.Delivery == training.DeliveryClassroom || c.Delivery == training.DeliveryEither
}

package training

import (
	"cmp"
	"fmt"
	"slices"
	"strings"
	"time"
)

// A Session is one sitting of a face-to-face course (a WRAP workshop, a
// Member briefing): a day, a time, a place, a trainer and a number of
// places. People book places; the trainer keeps the register.
//
// The JSON names are how a session appears in the audit log's "before"
// and "after", in the API's own field names; so are a Booking's.
type Session struct {
	ID         string       `json:"id"`
	CourseCode string       `json:"course_code"`
	Date       Date         `json:"date"`
	Start      TimeOfDay    `json:"start_time"` // in the organisation's zone
	End        TimeOfDay    `json:"end_time"`
	Location   string       `json:"location"`
	Capacity   int          `json:"capacity"`
	TrainerID  string       `json:"trainer_id"` // a person with the trainer role
	Notes      string       `json:"notes,omitempty"`
	State      SessionState `json:"state"`
	// CancelReason says why a cancelled session is not going ahead.
	CancelReason string `json:"cancel_reason,omitempty"`
	// Sequence counts the changes people were told about (reschedules, a
	// cancellation), as calendar programs expect: an invitation with a
	// higher sequence replaces the one they hold.
	Sequence  int       `json:"sequence"`
	CreatedBy string    `json:"-"`
	CreatedAt time.Time `json:"-"`
	UpdatedAt time.Time `json:"-"`
}

// SessionState is whether a session is going ahead.
type SessionState string

const (
	SessionScheduled SessionState = "scheduled"
	SessionCancelled SessionState = "cancelled"
)

// Session field limits.
const (
	MaxSessionCapacity = 500
	maxLocationLen     = 200
	maxNotesLen        = 2000
)

// SessionInput is a session as HR or a trainer enters it.
type SessionInput struct {
	CourseCode string
	Date       Date
	Start      TimeOfDay
	End        TimeOfDay
	Location   string
	Capacity   int
	TrainerID  string
	Notes      string
	// Problems are what the transport could not parse (a time that is not
	// HH:MM), reported with the rest.
	Problems []FieldError
}

// Validate checks the session's own fields, as of day today, and returns
// every problem at once. Whether the course and the trainer exist is for
// the service, which knows them.
func (in SessionInput) Validate(today Date) error {
	v := &ValidationError{Fields: append([]FieldError(nil), in.Problems...)}
	has := func(field string) bool {
		for _, f := range v.Fields {
			if f.Field == field {
				return true
			}
		}
		return false
	}
	if strings.TrimSpace(in.CourseCode) == "" {
		v.Problem("course_code", "Enter the course code")
	}
	switch {
	case has("date"):
	case in.Date.IsZero():
		v.Problem("date", "Enter the date of the session")
	case in.Date.Before(today):
		v.Problem("date", "The date of the session must be today or in the future")
	}
	if !has("start_time") && !in.Start.Valid() {
		v.Problem("start_time", "Enter the start time, like 10:00")
	}
	if !has("end_time") {
		switch {
		case !in.End.Valid():
			v.Problem("end_time", "Enter the end time, like 12:00")
		case in.Start.Valid() && !in.Start.Before(in.End):
			v.Problem("end_time", "The end time must be after the start time, %s", in.Start)
		}
	}
	CheckText(v, "location", in.Location, maxLocationLen, true)
	if !has("capacity") && (in.Capacity < 1 || in.Capacity > MaxSessionCapacity) {
		v.Problem("capacity", "The number of places must be between 1 and %d", MaxSessionCapacity)
	}
	if strings.TrimSpace(in.TrainerID) == "" {
		v.Problem("trainer_id", "Choose the trainer")
	}
	// Notes may run over several lines (what to bring, how to find the
	// room); every other text rule holds.
	notes := strings.NewReplacer("\r\n", " ", "\n", " ").Replace(in.Notes)
	CheckText(v, "notes", notes, maxNotesLen, false)
	return v.Err()
}

// Starts is when the session starts, as an instant.
func (s Session) Starts(loc *time.Location) time.Time { return s.Start.On(s.Date, loc) }

// Ends is when the session ends, as an instant.
func (s Session) Ends(loc *time.Location) time.Time { return s.End.On(s.Date, loc) }

// Bookable reports whether people may still book the session on day
// today: it is going ahead and has not started its day yet.
func (s Session) Bookable(today Date) bool {
	return s.State == SessionScheduled && !s.Date.Before(today)
}

// RegisterOpen reports whether the register may be kept on day today: from
// the session's day onward, for a session that went ahead.
func (s Session) RegisterOpen(today Date) bool {
	return s.State == SessionScheduled && !today.Before(s.Date)
}

// TimeOfDay is a time on the clock, in minutes after midnight, in the
// organisation's zone. The zero value is midnight; Valid rejects values
// that came from nowhere (negative or past the day).
type TimeOfDay struct{ minutes int }

// NewTimeOfDay makes a TimeOfDay; hour 0-23, minute 0-59.
func NewTimeOfDay(hour, minute int) TimeOfDay { return TimeOfDay{hour*60 + minute + 1} }

// ParseTimeOfDay reads "HH:MM" (24-hour clock, like 09:30 or 14:00).
func ParseTimeOfDay(s string) (TimeOfDay, error) {
	t, err := time.Parse("15:04", strings.TrimSpace(s))
	if err != nil || len(strings.TrimSpace(s)) != 5 {
		return TimeOfDay{}, fmt.Errorf("time %q is not HH:MM: %w", s, ErrInvalid)
	}
	return NewTimeOfDay(t.Hour(), t.Minute()), nil
}

// Valid reports whether t was made by NewTimeOfDay or ParseTimeOfDay.
func (t TimeOfDay) Valid() bool { return t.minutes >= 1 && t.minutes <= 24*60 }

// Hour and Minute are t's parts.
func (t TimeOfDay) Hour() int   { return (t.minutes - 1) / 60 }
func (t TimeOfDay) Minute() int { return (t.minutes - 1) % 60 }

// Before reports whether t is earlier in the day than u.
func (t TimeOfDay) Before(u TimeOfDay) bool { return t.minutes < u.minutes }

// String is "HH:MM", or "" for the zero value.
func (t TimeOfDay) String() string {
	if !t.Valid() {
		return ""
	}
	return fmt.Sprintf("%02d:%02d", t.Hour(), t.Minute())
}

// On is the instant at t on day d in zone loc.
func (t TimeOfDay) On(d Date, loc *time.Location) time.Time {
	return time.Date(d.Year(), d.Month(), d.Day(), t.Hour(), t.Minute(), 0, 0, loc)
}

// MarshalJSON writes "HH:MM".
func (t TimeOfDay) MarshalJSON() ([]byte, error) { return []byte(`"` + t.String() + `"`), nil }

// Booking is one person's place (or place in the queue) on a session: a
// member of staff or a Member (PersonID), or a partner organisation's
// attendee with no account (External).
type Booking struct {
	ID        string `json:"id"`
	SessionID string `json:"session_id"`
	// CourseCode is the session's course, kept so that "one live booking
	// per person per course" can be checked without the session.
	CourseCode string            `json:"course_code"`
	PersonID   string            `json:"person_id,omitempty"`
	External   *ExternalAttendee `json:"external,omitempty"`
	// State is as stored: booked (holding a place or waiting: see Places),
	// cancelled, attended or no_show.
	State BookingState `json:"state"`
	// Queued orders the bookings of a session: the first Capacity live
	// bookings hold the places, the rest wait in this order.
	Queued   time.Time `json:"-"`
	BookedBy string    `json:"-"`
	// Decided is who cancelled the booking or marked the register, and when.
	DecidedBy string    `json:"-"`
	DecidedAt time.Time `json:"-"`
	// CompletionID is the completion the register recorded for an attended
	// person.
	CompletionID string `json:"completion_id,omitempty"`
}

// ExternalAttendee is a partner organisation's attendee, who has no
// account: their name, e-mail and organisation are all that is kept.
type ExternalAttendee struct {
	Name         string `json:"name"`
	Email        string `json:"email"`
	Organisation string `json:"organisation"`
}

// Validate checks a partner attendee's fields.
func (e ExternalAttendee) Validate() error {
	v := &ValidationError{}
	// Named for the reader ("the attendee's name"), not by the API's
	// dotted field name.
	if msg := TextProblem("attendee's name", TrimText(e.Name), maxNameLen, true); msg != "" {
		v.Add("external.name", "%s", msg)
	}
	if msg := TextProblem("attendee's organisation", TrimText(e.Organisation), maxTextLen, true); msg != "" {
		v.Add("external.organisation", "%s", msg)
	}
	switch {
	case strings.TrimSpace(e.Email) == "":
		v.Problem("external.email", "Enter the attendee's email address")
	case len(e.Email) > maxEmailLen || !ValidEmail(e.Email):
		v.Problem("external.email", "Enter the attendee's email address in the correct format, like name@example.org")
	}
	return v.Err()
}

// BookingState is where a booking stands. Waiting is never stored: a live
// booking waits while the places are taken by bookings queued before it.
type BookingState string

const (
	BookingBooked    BookingState = "booked"
	BookingWaiting   BookingState = "waiting"
	BookingCancelled BookingState = "cancelled"
	BookingAttended  BookingState = "attended"
	BookingNoShow    BookingState = "no_show"
)

// Live reports whether the booking still holds, or waits for, a place.
func (b Booking) Live() bool { return b.State == BookingBooked || b.State == BookingWaiting }

// Attendee is who the booking is for: the person's ID, or the partner
// attendee's e-mail, lower-cased.
func (b Booking) Attendee() string {
	if b.External != nil {
		return "external:" + NormaliseEmail(b.External.Email)
	}
	return b.PersonID
}

// Places works out a session's bookings: each live booking is booked while
// it is among the first capacity live ones in queue order (Queued, then
// ID), and waiting after that, with its position in the queue (1 for the
// first waiting). Bookings that are not live keep their state (position 0);
// attended and no-show bookings hold a place (the register is kept after
// the session, so they were there or were expected). The result is in
// queue order.
func Places(capacity int, bookings []Booking) (out []PlacedBooking, booked, waiting int) {
	sorted := slices.Clone(bookings)
	slices.SortFunc(sorted, func(a, b Booking) int {
		return cmp.Or(a.Queued.Compare(b.Queued), cmp.Compare(a.ID, b.ID))
	})
	out = make([]PlacedBooking, len(sorted))
	for _, b := range sorted {
		if b.State == BookingAttended || b.State == BookingNoShow {
			booked++
		}
	}
	for i, b := range sorted {
		out[i].Booking = b
		if !b.Live() {
			continue
		}
		if booked < capacity {
			booked++
			out[i].State = BookingBooked
			continue
		}
		waiting++
		out[i].State = BookingWaiting
		out[i].Position = waiting
	}
	return out, booked, waiting
}

// PlacedBooking is a booking with its worked-out state: booked or waiting
// for a live booking, with the position in the waiting list.
type PlacedBooking struct {
	Booking
	Position int
}

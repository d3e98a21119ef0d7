// Package calendar writes a face-to-face session as an iCalendar object
// (RFC 5545), with the scheduling method of iTIP (RFC 5546), so a booking
// e-mail adds the session to the reader's calendar (Outlook, Google,
// Apple) and a later e-mail with the same UID moves or removes it.
//
// Times are written in UTC (DTSTART:20261201T093000Z), so no VTIMEZONE is
// needed and every client shows them in its own zone. Lines end in CRLF and
// are folded at 75 octets, never inside a UTF-8 character.
//
// The serialising is github.com/arran4/golang-ical's, with two corrections
// this package makes for it: the library ends lines with the platform's
// newline (LF on Linux), so CRLF is asked for explicitly; and it writes
// parameter values backslash-escaped and unquoted, which is not iCalendar
// (a CN of "Okoro, Daniel" would reach Outlook as two values, "O'Brien" as
// "O\'Brien"), so the CN of the organiser and attendees is written here,
// quoted (see cnParameter).
package calendar

import (
	"strings"
	"time"
	"unicode/utf8"

	ics "github.com/arran4/golang-ical"
)

// ProductID names complytrack as the program that wrote the calendar.
const ProductID = "-//complytrack//sessions//EN"

// Address is a person in a calendar: who organises the session, who attends.
type Address struct {
	Name  string // shown by calendar programs; may be empty
	Email string
}

// Event is one session as calendar programs see it.
type Event struct {
	// UID identifies the session for its whole life: every invitation,
	// change and cancellation of one session carries the same UID, so the
	// reader's calendar updates the entry it holds instead of adding one.
	UID string
	// Sequence counts the changes attendees were told about. A calendar
	// program ignores a message whose sequence is lower than that of the
	// entry it holds, so a change must carry a higher one than the last
	// invitation sent.
	Sequence int
	// Stamp is when this message was written (DTSTAMP), from the caller's
	// clock.
	Stamp      time.Time
	Start, End time.Time
	Summary    string
	Location   string
	// Description may hold several lines.
	Description string
	// URL is the session's page in complytrack.
	URL string
	// Organizer is who runs the session; a reply to an invitation goes to
	// them. RFC 5546 requires one on every method: without an e-mail
	// address it is left out, and calendars may then treat an invitation
	// as a plain appointment.
	Organizer Address
	// Attendees are the people the message is addressed to. Publish leaves
	// them out, as RFC 5546 asks of a published event.
	Attendees []Address
	// Cancelled marks a session that is not going ahead: Publish then
	// writes STATUS:CANCELLED. Cancel always does.
	Cancelled bool
}

// Request is an invitation (METHOD:REQUEST): the session is added to the
// attendees' calendars, or, with the UID of one they hold and a higher
// Sequence, changed there.
func Request(e Event) []byte {
	return write(ics.MethodRequest, e, ics.ObjectStatusConfirmed, true)
}

// Cancel removes the session from the attendees' calendars
// (METHOD:CANCEL, STATUS:CANCELLED): the whole session, or, for the
// attendees named, their place on it.
func Cancel(e Event) []byte {
	return write(ics.MethodCancel, e, ics.ObjectStatusCancelled, true)
}

// Publish is the session as a file to download (METHOD:PUBLISH): it can be
// imported into any calendar, and is not an invitation, so nobody is asked
// to reply.
func Publish(e Event) []byte {
	status := ics.ObjectStatusConfirmed
	if e.Cancelled {
		status = ics.ObjectStatusCancelled
	}
	return write(ics.MethodPublish, e, status, false)
}

func write(method ics.Method, e Event, status ics.ObjectStatus, withAttendees bool) []byte {
	cal := ics.NewCalendarFor("complytrack")
	cal.SetProductId(ProductID)
	cal.SetMethod(method)

	ev := cal.AddEvent(cleanText(e.UID))
	ev.SetDtStampTime(e.Stamp)
	ev.SetSequence(e.Sequence)
	ev.SetStartAt(e.Start)
	ev.SetEndAt(e.End)
	ev.SetSummary(cleanText(e.Summary))
	if s := cleanText(e.Location); s != "" {
		ev.SetLocation(s)
	}
	if s := cleanText(e.Description); s != "" {
		ev.SetDescription(s)
	}
	if s := cleanAddress(e.URL); s != "" {
		ev.SetURL(s)
	}
	ev.SetStatus(status)
	if e.Organizer.Email != "" {
		addAddress(&ev.ComponentBase, ics.ComponentPropertyOrganizer, e.Organizer)
	}
	if withAttendees {
		for _, a := range e.Attendees {
			addAddress(&ev.ComponentBase, ics.ComponentPropertyAttendee, a,
				ics.CalendarUserTypeIndividual, ics.ParticipationRoleReqParticipant,
				ics.ParticipationStatusNeedsAction,
				// The booking is already made in complytrack: a reply
				// would go to the organiser's mailbox and change nothing.
				&ics.KeyValues{Key: string(ics.ParameterRsvp), Value: []string{"FALSE"}})
		}
	}
	return []byte(cal.Serialize(ics.WithNewLineWindows))
}

// addAddress adds an ORGANIZER or ATTENDEE line. The library writes the
// property name as given, so a quoted CN parameter travels with it; the
// other parameters are plain tokens the library writes correctly.
func addAddress(c *ics.ComponentBase, prop ics.ComponentProperty, a Address, params ...ics.PropertyParameter) {
	name := string(prop)
	if cn := cleanText(a.Name); cn != "" {
		name += ";" + cnParameter(cn)
	}
	c.AddProperty(ics.ComponentProperty(name), "mailto:"+cleanAddress(a.Email), params...)
}

// cnParameter writes a common name as a quoted parameter value. Quoting
// keeps commas, semicolons and colons inside the name (RFC 5545 3.2); a
// double quote, a caret and a line break, which a quoted value cannot
// hold, are written ^' ^^ ^n (RFC 6868). A backslash is doubled: RFC 5545
// reads it literally, but golang-ical's reader (and some others) take it
// as an escape, and a lone one before the closing quote would swallow it.
func cnParameter(name string) string {
	var b strings.Builder
	b.WriteString(`CN="`)
	for _, r := range name {
		switch r {
		case '"':
			b.WriteString("^'")
		case '^':
			b.WriteString("^^")
		case '\n':
			b.WriteString("^n")
		case '\\':
			b.WriteString(`\\`)
		default:
			b.WriteRune(r)
		}
	}
	b.WriteByte('"')
	return b.String()
}

// cleanText makes s writable as iCalendar TEXT, which holds UTF-8 and no
// control characters but the tab: a CRLF or lone CR becomes a line break
// (written \n), other control characters are dropped, and bytes that are
// not UTF-8 become U+FFFD. Commas, semicolons, backslashes and line
// breaks are escaped by the library.
func cleanText(s string) string {
	if !utf8.ValidString(s) {
		s = strings.ToValidUTF8(s, "\uFFFD")
	}
	s = strings.ReplaceAll(s, "\r\n", "\n")
	return strings.Map(func(r rune) rune {
		switch {
		case r == '\r':
			return '\n'
		case r == '\n' || r == '\t':
			return r
		case r < 0x20 || r == 0x7f:
			return -1
		}
		return r
	}, s)
}

// cleanAddress drops from an e-mail address or URL what cannot be in a
// content line (control characters, line breaks included), so a bad value
// cannot add lines of its own.
func cleanAddress(s string) string {
	return strings.Map(func(r rune) rune {
		if r < 0x20 || r == 0x7f {
			return -1
		}
		return r
	}, strings.ToValidUTF8(s, "\uFFFD"))
}

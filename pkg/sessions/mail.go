package sessions

import (
	"context"
	"fmt"
	"net/url"
	"strings"

	"github.com/complytrack/complytrack/pkg/calendar"
	"github.com/complytrack/complytrack/pkg/logging"
	"github.com/complytrack/complytrack/pkg/notify"
	"github.com/complytrack/complytrack/pkg/training"
)

// The e-mails about sessions. Each has a key naming the event it tells
// of, so a retried request or job never sends it twice. A booking or a
// change carries an invitation (.ics, METHOD:REQUEST) with the session's
// sequence, so the reader's calendar adds or moves the entry; a
// cancellation carries METHOD:CANCEL, which removes it.

// tell queues a message. The change it tells of is stored already, so a
// message that cannot be queued is logged, not returned: the operator
// sees it, and the person's change stands.
func (s *Service) tell(ctx context.Context, m notify.Message) {
	if m.To == "" {
		return
	}
	if _, err := s.outbox.Queue(ctx, m); err != nil {
		s.o.Logger.ErrorContext(ctx, "session e-mail not queued", "key", m.Key, "kind", string(m.Kind), logging.Err(err))
	}
}

// recipient is where a booking's e-mails go.
type recipient struct{ Name, Email string }

func (s *Service) recipientOf(ctx context.Context, b training.Booking) recipient {
	if b.External != nil {
		return recipient{b.External.Name, b.External.Email}
	}
	p, err := s.people.PersonByID(ctx, b.PersonID)
	if err != nil {
		s.o.Logger.WarnContext(ctx, "session e-mail: no person for booking", "booking_id", b.ID, logging.Err(err))
		return recipient{}
	}
	return recipient{p.FullName(), p.Email}
}

// about is what every message says about the session.
type about struct {
	title, when, trainer string
	day                  string // "Monday 7 December 2026", for subjects
	link                 string
}

func (s *Service) about(ctx context.Context, x training.Session) about {
	a := about{title: x.CourseCode, when: s.when(x), day: x.Starts(s.o.Location).Format("Monday 2 January 2006"), link: s.link(x)}
	if c, err := s.people.Course(ctx, x.CourseCode); err == nil && c.Title != "" {
		a.title = c.Title
	}
	if p, err := s.people.PersonByID(ctx, x.TrainerID); err == nil {
		a.trainer = p.FullName()
	}
	return a
}

// when is "Tuesday 1 December 2026, 10:00 to 12:00".
func (s *Service) when(x training.Session) string {
	return fmt.Sprintf("%s, %s to %s", x.Starts(s.o.Location).Format("Monday 2 January 2006"), x.Start, x.End)
}

func (s *Service) link(x training.Session) string {
	return strings.TrimRight(s.o.PublicURL, "/") + "/sessions/" + url.PathEscape(x.ID)
}

func (a about) details(x training.Session) string {
	var b strings.Builder
	fmt.Fprintf(&b, "Course: %s\nWhen: %s\nWhere: %s\n", a.title, a.when, x.Location)
	if a.trainer != "" {
		fmt.Fprintf(&b, "Trainer: %s\n", a.trainer)
	}
	if x.Notes != "" {
		fmt.Fprintf(&b, "\n%s\n", x.Notes)
	}
	fmt.Fprintf(&b, "\nThe session: %s\n", a.link)
	return b.String()
}

// event is the session as a calendar entry addressed to r.
func (s *Service) event(ctx context.Context, x training.Session, r recipient) calendar.Event {
	a := s.about(ctx, x)
	e := calendar.Event{
		UID: s.uid(x), Sequence: x.Sequence, Stamp: s.now(), Start: x.Starts(s.o.Location), End: x.Ends(s.o.Location),
		Summary: a.title, Location: x.Location, Description: x.Notes, URL: a.link, Cancelled: x.State == training.SessionCancelled,
		Organizer: calendar.Address{Name: s.o.OrgName},
	}
	if p, err := s.people.PersonByID(ctx, x.TrainerID); err == nil {
		e.Organizer = calendar.Address{Name: p.FullName(), Email: p.Email}
	}
	if r.Email != "" {
		e.Attendees = []calendar.Address{{Name: r.Name, Email: r.Email}}
	}
	return e
}

// uid names the session in calendars for its whole life.
func (s *Service) uid(x training.Session) string {
	host := "complytrack"
	if u, err := url.Parse(s.o.PublicURL); err == nil && u.Hostname() != "" {
		host = u.Hostname()
	}
	return "session-" + x.ID + "@" + host
}

func invitation(data []byte) notify.Attachment {
	return notify.Attachment{Filename: "invite.ics", ContentType: "text/calendar; charset=utf-8; method=REQUEST", Data: data}
}

func withdrawal(data []byte) notify.Attachment {
	return notify.Attachment{Filename: "cancel.ics", ContentType: "text/calendar; charset=utf-8; method=CANCEL", Data: data}
}

func greeting(r recipient) string {
	if r.Name == "" {
		return "Hello,\n\n"
	}
	return "Dear " + r.Name + ",\n\n"
}

// bookedMessage confirms a new booking: a place, or a place in the queue.
func (s *Service) bookedMessage(ctx context.Context, x training.Session, b training.PlacedBooking) notify.Message {
	r := s.recipientOf(ctx, b.Booking)
	a := s.about(ctx, x)
	m := notify.Message{To: r.Email, Kind: notify.KindSessionBooking, Key: "booking/" + b.ID + "/created"}
	if b.State == training.BookingWaiting {
		m.Subject = fmt.Sprintf("Waiting list: %s on %s", a.title, a.day)
		m.BodyText = greeting(r) + fmt.Sprintf("The session is full, so you are on its waiting list, number %d. "+
			"If a place comes free you will get it in turn, and we will e-mail you with a calendar invitation.\n\n", b.Position) + a.details(x)
		return m
	}
	m.Subject = fmt.Sprintf("Place booked: %s on %s", a.title, a.day)
	m.BodyText = greeting(r) + "You have a place on this session. The invitation attached adds it to your calendar.\n\n" + a.details(x)
	m.Attachments = []notify.Attachment{invitation(calendar.Request(s.event(ctx, x, r)))}
	return m
}

// promotionMessage tells a waiting person they now have a place.
func (s *Service) promotionMessage(ctx context.Context, x training.Session, b training.PlacedBooking) notify.Message {
	r := s.recipientOf(ctx, b.Booking)
	a := s.about(ctx, x)
	return notify.Message{
		To: r.Email, Kind: notify.KindSessionBooking, Key: "booking/" + b.ID + "/promoted",
		Subject: fmt.Sprintf("You now have a place: %s on %s", a.title, a.day),
		BodyText: greeting(r) + "A place came free on this session and it is now yours. The invitation attached adds it to your calendar. " +
			"If you cannot come, cancel your booking so the next person on the waiting list can have it.\n\n" + a.details(x),
		Attachments: []notify.Attachment{invitation(calendar.Request(s.event(ctx, x, r)))},
	}
}

// changeMessage tells a booked or waiting person that the session moved.
func (s *Service) changeMessage(ctx context.Context, x training.Session, b training.PlacedBooking) notify.Message {
	r := s.recipientOf(ctx, b.Booking)
	a := s.about(ctx, x)
	m := notify.Message{
		To: r.Email, Kind: notify.KindSessionChange, Key: fmt.Sprintf("session/%s/change/%d/booking/%s", x.ID, x.Sequence, b.ID),
		Subject: fmt.Sprintf("Session changed: %s, now on %s", a.title, a.day),
	}
	if b.State == training.BookingWaiting {
		m.BodyText = greeting(r) + fmt.Sprintf("The session you are on the waiting list for (number %d) has changed. It is now:\n\n", b.Position) + a.details(x)
		return m
	}
	m.BodyText = greeting(r) + "The session you have a place on has changed. It is now as below; the invitation attached updates your calendar. " +
		"If you can no longer come, cancel your booking so someone else can have the place.\n\n" + a.details(x)
	m.Attachments = []notify.Attachment{invitation(calendar.Request(s.event(ctx, x, r)))}
	return m
}

// sessionCancelledMessage tells a booked or waiting person the session
// will not go ahead.
func (s *Service) sessionCancelledMessage(ctx context.Context, x training.Session, b training.PlacedBooking) notify.Message {
	r := s.recipientOf(ctx, b.Booking)
	a := s.about(ctx, x)
	m := notify.Message{
		To: r.Email, Kind: notify.KindSessionCancelled, Key: "session/" + x.ID + "/cancelled/booking/" + b.ID,
		Subject: fmt.Sprintf("Session cancelled: %s on %s", a.title, a.day),
		BodyText: greeting(r) + "This session has been cancelled, so your booking is cancelled too. You can book a place on another session of the course.\n\n" +
			"Reason: " + x.CancelReason + "\n\n" + a.details(x),
	}
	if b.State == training.BookingBooked {
		m.Attachments = []notify.Attachment{withdrawal(calendar.Cancel(s.event(ctx, x, r)))}
	}
	return m
}

// bookingCancelledMessage confirms a cancelled booking.
func (s *Service) bookingCancelledMessage(ctx context.Context, x training.Session, b training.PlacedBooking) notify.Message {
	r := s.recipientOf(ctx, b.Booking)
	a := s.about(ctx, x)
	m := notify.Message{
		To: r.Email, Kind: notify.KindSessionBooking, Key: "booking/" + b.ID + "/cancelled",
		Subject:  fmt.Sprintf("Booking cancelled: %s on %s", a.title, a.day),
		BodyText: greeting(r) + "Your booking on this session has been cancelled. You can book a place on another session of the course.\n\n" + a.details(x),
	}
	if b.State == training.BookingBooked {
		m.Attachments = []notify.Attachment{withdrawal(calendar.Cancel(s.event(ctx, x, r)))}
	}
	return m
}

// reminderMessage reminds a booked person of the session.
func (s *Service) reminderMessage(ctx context.Context, x training.Session, b training.PlacedBooking) notify.Message {
	r := s.recipientOf(ctx, b.Booking)
	a := s.about(ctx, x)
	return notify.Message{
		To: r.Email, Kind: notify.KindSessionReminder,
		// A session moved to another day is reminded of again.
		Key:     fmt.Sprintf("booking/%s/reminder/%s/%s", b.ID, x.Date, x.Start),
		Subject: fmt.Sprintf("Reminder: %s on %s", a.title, a.day),
		BodyText: greeting(r) + "This is a reminder of the session you have a place on. " +
			"If you cannot come, cancel your booking so someone on the waiting list can have the place.\n\n" + a.details(x),
	}
}

// noShowMessage tells a line manager that someone in their team did not
// come to a session they were booked on.
func (s *Service) noShowMessage(ctx context.Context, x training.Session, b training.Booking, p, manager training.Person) notify.Message {
	a := s.about(ctx, x)
	r := recipient{manager.FullName(), manager.Email}
	return notify.Message{
		To: r.Email, Kind: notify.KindSessionNoShow, Key: "booking/" + b.ID + "/no_show",
		Subject: fmt.Sprintf("%s did not attend %s on %s", p.FullName(), a.title, a.day),
		BodyText: greeting(r) + fmt.Sprintf("%s had a place on this session but did not attend, so their training is not recorded. "+
			"Please ask them to book another session.\n\n", p.FullName()) + a.details(x),
	}
}

// memberNoShowMessage tells a Member Services officer that an elected
// Member did not come to a session they were booked on. Each officer's
// message has its own key.
func (s *Service) memberNoShowMessage(ctx context.Context, x training.Session, b training.Booking, member, officer training.Person) notify.Message {
	a := s.about(ctx, x)
	r := recipient{officer.FullName(), officer.Email}
	return notify.Message{
		To: r.Email, Kind: notify.KindSessionNoShow, Key: "booking/" + b.ID + "/no_show/" + officer.ID,
		Subject: fmt.Sprintf("%s did not attend %s on %s", member.FullName(), a.title, a.day),
		BodyText: greeting(r) + fmt.Sprintf("%s, an elected Member, had a place on this session but did not attend, so their training is not recorded. "+
			"Elected Members have no line manager, so this comes to you as a Member Services officer. "+
			"Please ask them to book another session.\n\n", member.FullName()) + a.details(x),
	}
}

// Calendar is the session as a calendar file to download
// (METHOD:PUBLISH): anyone signed in.
func (s *Service) Calendar(ctx context.Context, actor training.Actor, sessionID string) ([]byte, error) {
	if actor.PersonID == "" {
		return nil, fmt.Errorf("session calendar: %w", training.ErrUnauthenticated)
	}
	x, err := s.store.Session(ctx, sessionID)
	if err != nil {
		return nil, err
	}
	return calendar.Publish(s.event(ctx, x, recipient{})), nil
}

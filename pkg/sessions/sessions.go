// Package sessions runs face-to-face training sessions: HR and trainers
// schedule them, people book places (or join the waiting list), the
// trainer keeps the register, and everyone booked is told by e-mail, with
// a calendar invitation, about every change.
//
// There are no transactions: each change is one document written with a
// condition. The places are never stored: the first Capacity live
// bookings of a session, in queue order, hold them (training.Places), so
// a cancellation promotes the first waiting booking without a write, and
// two processes booking at once can never fill more places than there are.
package sessions

import (
	"context"
	"log/slog"
	"time"

	"github.com/complytrack/complytrack/pkg/auth"
	"github.com/complytrack/complytrack/pkg/notify"
	"github.com/complytrack/complytrack/pkg/training"
)

// Store keeps sessions, bookings and the holds that allow one live
// booking per attendee per course. pkg/mongodb implements it. Errors wrap
// training.ErrNotFound and training.ErrConflict as documented.
type Store interface {
	// InsertSession stores a new session.
	InsertSession(ctx context.Context, s training.Session) error
	// Session returns one session, or ErrNotFound.
	Session(ctx context.Context, id string) (training.Session, error)
	// UpdateSession replaces a session if it is still as last read (its
	// UpdatedAt is prevUpdated); else ErrConflict.
	UpdateSession(ctx context.Context, s training.Session, prevUpdated time.Time) error
	// Sessions returns the sessions dated from..to inclusive (a zero to:
	// no end), in no particular order.
	Sessions(ctx context.Context, from, to training.Date) ([]training.Session, error)

	// InsertBooking stores a new booking.
	InsertBooking(ctx context.Context, b training.Booking) error
	// Booking returns one booking, or ErrNotFound.
	Booking(ctx context.Context, id string) (training.Booking, error)
	// UpdateBooking replaces a booking if its stored state is still from;
	// else ErrConflict.
	UpdateBooking(ctx context.Context, b training.Booking, from training.BookingState) error
	// SessionBookings returns every booking of a session.
	SessionBookings(ctx context.Context, sessionID string) ([]training.Booking, error)
	// BookingsOfSessions returns every booking of the sessions named.
	BookingsOfSessions(ctx context.Context, sessionIDs []string) ([]training.Booking, error)
	// ScanBookingsOfSessions returns the same in one read of every
	// booking, for a report over many sessions.
	ScanBookingsOfSessions(ctx context.Context, sessionIDs []string) ([]training.Booking, error)
	// PersonBookings returns every booking of a person.
	PersonBookings(ctx context.Context, personID string) ([]training.Booking, error)

	// InsertHold claims key for bookingID; a key already held is ErrConflict.
	InsertHold(ctx context.Context, key, bookingID string, at time.Time) error
	// Hold returns the booking holding key and when it claimed it, or ErrNotFound.
	Hold(ctx context.Context, key string) (bookingID string, at time.Time, err error)
	// ReplaceHold moves key from booking old to booking next; ErrConflict
	// when old no longer holds it.
	ReplaceHold(ctx context.Context, key, old, next string, at time.Time) error
	// ReleaseHold frees key if bookingID holds it; otherwise it does nothing.
	ReleaseHold(ctx context.Context, key, bookingID string) error
}

// People is what the service needs from the compliance service: people,
// who may see whom, courses, completions and the audit log.
type People interface {
	PersonByID(ctx context.Context, id string) (training.Person, error)
	CanSee(ctx context.Context, actor training.Actor, personID string) (bool, error)
	ManagerOf(ctx context.Context, personID string) (training.Person, bool, error)
	Course(ctx context.Context, code string) (training.Course, error)
	RecordAttendance(ctx context.Context, actor training.Actor, personID, courseCode string, on training.Date, key string) (training.Completion, error)
	Audit(ctx context.Context, actor training.Actor, action, entity, id string, before, after any) error
	Today() training.Date
}

// Roles says which roles a person's account holds (the trainer role),
// and who holds a role (the Member Services officers, told of an elected
// Member's no-show).
type Roles interface {
	Roles(ctx context.Context, personID string) (auth.Roles, error)
	PeopleWithRole(ctx context.Context, r auth.Role) ([]string, error)
}

// Options configure a Service.
type Options struct {
	Location  *time.Location   // the organisation's zone; default Europe/London
	Now       func() time.Time // default time.Now
	PublicURL string           // for links in e-mails and calendar UIDs
	Logger    *slog.Logger
	OrgName   string // the organiser's name on invitations
}

// Service is the sessions use cases with their authorization.
type Service struct {
	store  Store
	people People
	roles  Roles
	outbox *notify.Outbox
	o      Options
}

// New returns a service.
func New(store Store, people People, roles Roles, outbox *notify.Outbox, o Options) *Service {
	if o.Location == nil {
		o.Location, _ = time.LoadLocation("Europe/London")
	}
	if o.Now == nil {
		o.Now = time.Now
	}
	if o.Logger == nil {
		o.Logger = slog.New(slog.DiscardHandler)
	}
	if o.OrgName == "" {
		o.OrgName = "complytrack"
	}
	return &Service{store: store, people: people, roles: roles, outbox: outbox, o: o}
}

// Filter narrows a list of sessions.
type Filter struct {
	CourseCode string
	// From and To bound the sessions' dates, inclusive; a zero From is
	// today, a zero To is no end.
	From, To         training.Date
	TrainerID        string
	IncludeCancelled bool
}

// SessionView is a session with what people see about it.
type SessionView struct {
	training.Session
	CourseTitle, TrainerName string
	Booked, Waiting          int
	PlacesLeft               int
}

// BookingView is a booking with its worked-out state and its session.
type BookingView struct {
	training.PlacedBooking
	Session    SessionView
	PersonName string
}

// BookingRequest says whom to book: a person (PersonID), a partner
// attendee (External), or, both empty, the actor themself.
type BookingRequest struct {
	PersonID string
	External *training.ExternalAttendee
}

// PartnerReport counts partner organisations' attendance at sessions
// dated From..To.
type PartnerReport struct {
	From, To                              training.Date
	Sessions, PlacesOffered, PlacesFilled int
	Organisations                         []PartnerOrganisation
}

// PartnerOrganisation is one partner organisation's attendance.
type PartnerOrganisation struct {
	Name             string
	Attended, NoShow int
}

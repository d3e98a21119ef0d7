package sessions

import (
	"cmp"
	"context"
	"errors"
	"fmt"
	"slices"
	"time"

	"github.com/complytrack/complytrack/pkg/ids"
	"github.com/complytrack/complytrack/pkg/training"
)

// staleHoldAfter is how long a hold whose booking cannot be found is
// trusted: the booking is written just after its hold, so a hold without
// one for this long belongs to a booking that failed.
const staleHoldAfter = time.Minute

// Book books a place on a session, or a place on its waiting list when it
// is full. Who may book whom: anyone signed in books themself; HR, or a
// manager for someone in their reporting line, books a person; HR or a
// trainer books a partner organisation's attendee. Each attendee has at
// most one live booking per course.
func (s *Service) Book(ctx context.Context, actor training.Actor, sessionID string, r BookingRequest) (BookingView, error) {
	if actor.PersonID == "" {
		return BookingView{}, fmt.Errorf("book: %w", training.ErrUnauthenticated)
	}
	x, err := s.store.Session(ctx, sessionID)
	if err != nil {
		return BookingView{}, err
	}
	b := training.Booking{SessionID: x.ID, CourseCode: x.CourseCode, State: training.BookingBooked, BookedBy: actor.PersonID}
	var person training.Person
	switch {
	case r.External != nil && r.PersonID != "":
		return BookingView{}, training.Invalid("person_id", "Book either a person or a partner attendee, not both.")
	case r.External != nil:
		if !actor.HR && !actor.Trainer {
			return BookingView{}, fmt.Errorf("book partner attendee: %w", training.ErrForbidden)
		}
		e := training.ExternalAttendee{Name: training.TrimText(r.External.Name), Email: training.NormaliseEmail(r.External.Email),
			Organisation: training.TrimText(r.External.Organisation)}
		if err := e.Validate(); err != nil {
			return BookingView{}, err
		}
		b.External = &e
	default:
		id := r.PersonID
		if id == "" {
			id = actor.PersonID
		}
		if person, err = s.bookable(ctx, actor, id); err != nil {
			return BookingView{}, err
		}
		b.PersonID = person.ID
	}
	today := s.today()
	switch {
	case x.State == training.SessionCancelled:
		return BookingView{}, training.Conflict("This session has been cancelled, so it cannot be booked.")
	case !x.Bookable(today):
		return BookingView{}, training.Conflict("This session has already taken place, so it cannot be booked.")
	}
	course, err := s.people.Course(ctx, x.CourseCode)
	if err != nil {
		return BookingView{}, err
	}
	if b.PersonID != "" && !course.Applies(person) {
		if person.ID == actor.PersonID {
			return BookingView{}, training.Conflict("Course %s does not apply to you, so you cannot book this session.", course.Code)
		}
		return BookingView{}, training.Conflict("Course %s does not apply to %s, so they cannot be booked on this session.", course.Code, person.FullName())
	}

	now := s.now()
	b.ID, b.Queued = ids.New(now), now
	if err := s.hold(ctx, b, attendeeName(person, b), b.PersonID == actor.PersonID, course); err != nil {
		return BookingView{}, err
	}
	if err := s.store.InsertBooking(ctx, b); err != nil {
		_ = s.store.ReleaseHold(context.WithoutCancel(ctx), holdKey(b), b.ID)
		return BookingView{}, err
	}
	if err := s.people.Audit(ctx, actor, "booking.create", "booking", b.ID, nil, b); err != nil {
		return BookingView{}, err
	}
	bookings, err := s.store.SessionBookings(ctx, x.ID)
	if err != nil {
		return BookingView{}, err
	}
	placed := placeOf(x, bookings, b)
	s.tell(ctx, s.bookedMessage(ctx, x, placed))
	return s.bookingView(ctx, x, bookings, placed)
}

// bookable returns the person actor wants to book, if they may.
func (s *Service) bookable(ctx context.Context, actor training.Actor, personID string) (training.Person, error) {
	if personID != actor.PersonID && !actor.HR {
		// Managers book people in their reporting line: visibility as a
		// manager, without what reading everything (an auditor) adds.
		above, err := s.people.CanSee(ctx, overseer(actor), personID)
		if err != nil {
			return training.Person{}, err
		}
		if !above {
			if sees, err := s.people.CanSee(ctx, actor, personID); err != nil || sees {
				return training.Person{}, cmp.Or(err, fmt.Errorf("book person %s: %w", personID, training.ErrForbidden))
			}
			return training.Person{}, fmt.Errorf("person %s: %w", personID, training.ErrNotFound)
		}
	}
	p, err := s.people.PersonByID(ctx, personID)
	if err != nil {
		return training.Person{}, err
	}
	if p.IsLeaver(s.today()) {
		return training.Person{}, training.Conflict("%s has left, so cannot be booked on a session.", p.FullName())
	}
	return p, nil
}

// overseer is the actor as one who looks after people (a line manager, a
// Member Services officer for the elected Members), without the reading
// of everything an auditor's role adds: that is who may book and cancel
// for others.
func overseer(actor training.Actor) training.Actor {
	actor.Auditor = false
	return actor
}

// attendeeName names the attendee in messages.
func attendeeName(p training.Person, b training.Booking) string {
	if b.External != nil {
		return b.External.Name
	}
	return p.FullName()
}

// hold claims the attendee's one live booking of the course for b; self
// when the actor books themself, which the refusal says. A hold
// whose booking is no longer live (cancelled, registered, on a session
// cancelled or past) is stale and taken over.
func (s *Service) hold(ctx context.Context, b training.Booking, name string, self bool, course training.Course) error {
	key := holdKey(b)
	taken := func() error {
		if self {
			return training.Conflict("You already have a place on a session of %s.", course.Title)
		}
		return training.Conflict("%s already has a place on a session of %s.", name, course.Title)
	}
	for range 3 {
		err := s.store.InsertHold(ctx, key, b.ID, b.Queued)
		if !errors.Is(err, training.ErrConflict) {
			return err
		}
		holder, at, err := s.store.Hold(ctx, key)
		if errors.Is(err, training.ErrNotFound) {
			continue // released meanwhile: claim it again
		}
		if err != nil {
			return err
		}
		live, err := s.holdsLive(ctx, holder, at)
		if err != nil {
			return err
		}
		if live {
			return taken()
		}
		err = s.store.ReplaceHold(ctx, key, holder, b.ID, b.Queued)
		if !errors.Is(err, training.ErrConflict) {
			return err
		}
	}
	return taken()
}

// holdsLive reports whether the booking holding a key still counts.
func (s *Service) holdsLive(ctx context.Context, bookingID string, at time.Time) (bool, error) {
	hb, err := s.store.Booking(ctx, bookingID)
	if errors.Is(err, training.ErrNotFound) {
		return s.now().Sub(at) < staleHoldAfter, nil
	}
	if err != nil || !hb.Live() {
		return false, err
	}
	hx, err := s.store.Session(ctx, hb.SessionID)
	if errors.Is(err, training.ErrNotFound) {
		return false, nil
	}
	if err != nil {
		return false, err
	}
	return hx.Bookable(s.today()), nil
}

// holdKey is the key of the attendee's one live booking of the course.
func holdKey(b training.Booking) string { return b.CourseCode + "|" + b.Attendee() }

// placeOf works out one booking's state among the session's bookings.
func placeOf(x training.Session, bookings []training.Booking, b training.Booking) training.PlacedBooking {
	placed, _, _ := training.Places(x.Capacity, bookings)
	for _, p := range placed {
		if p.ID == b.ID {
			return p
		}
	}
	return training.PlacedBooking{Booking: b}
}

// promoted are the bookings that were waiting before and hold a place
// after.
func promoted(before, after []training.PlacedBooking) []training.PlacedBooking {
	was := map[string]training.BookingState{}
	for _, b := range before {
		was[b.ID] = b.State
	}
	var out []training.PlacedBooking
	for _, b := range after {
		if b.State == training.BookingBooked && was[b.ID] == training.BookingWaiting {
			out = append(out, b)
		}
	}
	return out
}

// CancelBooking cancels a booking: the person themself, a manager above
// them, HR; a partner attendee's booking, HR or a trainer. The first
// waiting booking takes the place, and its holder is told.
func (s *Service) CancelBooking(ctx context.Context, actor training.Actor, bookingID string) (BookingView, error) {
	b, err := s.store.Booking(ctx, bookingID)
	if err != nil {
		return BookingView{}, err
	}
	if err := s.mayCancel(ctx, actor, b); err != nil {
		return BookingView{}, err
	}
	x, err := s.store.Session(ctx, b.SessionID)
	if err != nil {
		return BookingView{}, err
	}
	switch {
	case b.State == training.BookingCancelled:
		return BookingView{}, training.Conflict("This booking has already been cancelled.")
	case !b.Live():
		return BookingView{}, training.Conflict("The register for this session has been kept, so this booking cannot be cancelled.")
	case x.Date.Before(s.today()):
		return BookingView{}, training.Conflict("This session has already taken place, so the booking cannot be cancelled.")
	}
	bookings, err := s.store.SessionBookings(ctx, x.ID)
	if err != nil {
		return BookingView{}, err
	}
	before, _, _ := training.Places(x.Capacity, bookings)
	done := b
	done.State, done.DecidedBy, done.DecidedAt = training.BookingCancelled, actor.PersonID, s.now()
	if err := s.store.UpdateBooking(ctx, done, training.BookingBooked); err != nil {
		if errors.Is(err, training.ErrConflict) {
			return BookingView{}, training.Conflict("This booking was changed by someone else at the same time. Check it and try again.")
		}
		return BookingView{}, err
	}
	if err := s.store.ReleaseHold(ctx, holdKey(b), b.ID); err != nil {
		return BookingView{}, err
	}
	if err := s.people.Audit(ctx, actor, "booking.cancel", "booking", b.ID, b, done); err != nil {
		return BookingView{}, err
	}
	// Read again rather than patch the first read: of two cancellations
	// at once, the later read sees both, so everyone they promote is told
	// (the messages' keys keep it to once).
	if bookings, err = s.store.SessionBookings(ctx, x.ID); err != nil {
		return BookingView{}, err
	}
	after, _, _ := training.Places(x.Capacity, bookings)
	was := placeOf(x, nil, b)
	for _, p := range before {
		if p.ID == b.ID {
			was = p
		}
	}
	if x.State == training.SessionScheduled {
		s.tell(ctx, s.bookingCancelledMessage(ctx, x, was))
		for _, p := range promoted(before, after) {
			s.tell(ctx, s.promotionMessage(ctx, x, p))
		}
	}
	return s.bookingView(ctx, x, bookings, training.PlacedBooking{Booking: done})
}

// mayCancel is who may cancel a booking.
func (s *Service) mayCancel(ctx context.Context, actor training.Actor, b training.Booking) error {
	if actor.HR {
		return nil
	}
	if b.External != nil {
		if actor.Trainer {
			return nil
		}
		return fmt.Errorf("cancel booking %s: %w", b.ID, training.ErrNotFound)
	}
	if b.PersonID == actor.PersonID {
		return nil
	}
	above, err := s.people.CanSee(ctx, overseer(actor), b.PersonID)
	if err != nil {
		return err
	}
	if above {
		return nil
	}
	if actor.Auditor {
		return fmt.Errorf("cancel booking %s: %w", b.ID, training.ErrForbidden)
	}
	return fmt.Errorf("booking %s: %w", b.ID, training.ErrNotFound)
}

// Bookings lists a session's bookings in queue order: HR and the
// session's trainer.
func (s *Service) Bookings(ctx context.Context, actor training.Actor, sessionID string) ([]BookingView, error) {
	x, err := s.store.Session(ctx, sessionID)
	if err != nil {
		return nil, err
	}
	if !runs(actor, x) {
		return nil, fmt.Errorf("bookings of session %s: %w", sessionID, training.ErrForbidden)
	}
	bookings, err := s.store.SessionBookings(ctx, sessionID)
	if err != nil {
		return nil, err
	}
	sv, err := s.view(ctx, x, bookings)
	if err != nil {
		return nil, err
	}
	placed, _, _ := training.Places(x.Capacity, bookings)
	out := make([]BookingView, 0, len(placed))
	for _, p := range placed {
		bv, err := s.withName(ctx, BookingView{PlacedBooking: p, Session: sv})
		if err != nil {
			return nil, err
		}
		out = append(out, bv)
	}
	return out, nil
}

// MyBookings lists the actor's own bookings, live and past, the latest
// session first.
func (s *Service) MyBookings(ctx context.Context, actor training.Actor) ([]BookingView, error) {
	if actor.PersonID == "" {
		return nil, fmt.Errorf("my bookings: %w", training.ErrUnauthenticated)
	}
	mine, err := s.store.PersonBookings(ctx, actor.PersonID)
	if err != nil {
		return nil, err
	}
	var ids []string
	for _, b := range mine {
		if !slices.Contains(ids, b.SessionID) {
			ids = append(ids, b.SessionID)
		}
	}
	all, err := s.store.BookingsOfSessions(ctx, ids)
	if err != nil {
		return nil, err
	}
	bySession := map[string][]training.Booking{}
	for _, b := range all {
		bySession[b.SessionID] = append(bySession[b.SessionID], b)
	}
	var out []BookingView
	for _, id := range ids {
		x, err := s.store.Session(ctx, id)
		if errors.Is(err, training.ErrNotFound) {
			continue
		}
		if err != nil {
			return nil, err
		}
		sv, err := s.view(ctx, x, nonNil(bySession[id]))
		if err != nil {
			return nil, err
		}
		placed, _, _ := training.Places(x.Capacity, bySession[id])
		for _, p := range placed {
			if p.PersonID == actor.PersonID {
				bv, err := s.withName(ctx, BookingView{PlacedBooking: p, Session: sv})
				if err != nil {
					return nil, err
				}
				out = append(out, bv)
			}
		}
	}
	slices.SortStableFunc(out, func(a, b BookingView) int {
		return cmp.Or(b.Session.Date.Compare(a.Session.Date), cmp.Compare(b.Session.Start.String(), a.Session.Start.String()),
			b.Queued.Compare(a.Queued))
	})
	return out, nil
}

func (s *Service) bookingView(ctx context.Context, x training.Session, bookings []training.Booking, p training.PlacedBooking) (BookingView, error) {
	sv, err := s.view(ctx, x, nonNil(bookings))
	if err != nil {
		return BookingView{}, err
	}
	return s.withName(ctx, BookingView{PlacedBooking: p, Session: sv})
}

func (s *Service) withName(ctx context.Context, bv BookingView) (BookingView, error) {
	if bv.External != nil {
		bv.PersonName = bv.External.Name
		return bv, nil
	}
	p, err := s.people.PersonByID(ctx, bv.PersonID)
	if err != nil && !errors.Is(err, training.ErrNotFound) {
		return BookingView{}, err
	}
	bv.PersonName = p.FullName()
	return bv, nil
}

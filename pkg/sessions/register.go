package sessions

import (
	"context"
	"errors"
	"fmt"

	"github.com/complytrack/complytrack/pkg/auth"
	"github.com/complytrack/complytrack/pkg/logging"
	"github.com/complytrack/complytrack/pkg/training"
)

// Register keeps the register of a session: HR or the session's trainer,
// from the session's day onward. Each attended booking of a member of
// staff or a Member gets an accepted completion (source trainer) dated the
// session's day; a partner attendee's attendance is recorded on the
// booking only. No-shows are recorded and the person's line manager is
// told, or for an elected Member the Member Services officers. Nobody
// marks their own booking.
//
// Submitting the register again is safe: a booking already attended keeps
// its completion, and a no-show can be corrected to attended. It returns
// the completions of the attended bookings, in the order given.
func (s *Service) Register(ctx context.Context, actor training.Actor, sessionID string, attended, noShow []string) ([]string, error) {
	x, err := s.store.Session(ctx, sessionID)
	if err != nil {
		return nil, err
	}
	if !runs(actor, x) {
		return nil, fmt.Errorf("register of session %s: %w", sessionID, training.ErrForbidden)
	}
	switch {
	case x.State == training.SessionCancelled:
		return nil, training.Conflict("This session was cancelled, so it has no register.")
	case !x.RegisterOpen(s.today()):
		return nil, training.Conflict("The register opens on the day of the session, %s.", x.Date)
	}
	bookings, err := s.store.SessionBookings(ctx, sessionID)
	if err != nil {
		return nil, err
	}
	byID := map[string]training.Booking{}
	for _, b := range bookings {
		byID[b.ID] = b
	}
	v := &training.ValidationError{}
	seen := map[string]string{}
	check := func(field string, ids []string, to training.BookingState) {
		for _, id := range ids {
			b, ok := byID[id]
			switch {
			case !ok:
				v.Add(field, "Booking %s is not a booking on this session.", id)
			case seen[id] != "":
				v.Add(field, "Booking %s is marked both as attended and as not attended: choose one.", id)
			case b.PersonID != "" && b.PersonID == actor.PersonID:
				v.Add(field, "You cannot mark your own attendance: someone else keeps the register for your booking.")
			case b.State == training.BookingCancelled:
				v.Add(field, "Booking %s was cancelled, so it cannot be marked.", id)
			case to == training.BookingNoShow && b.State == training.BookingAttended:
				v.Add(field, "Booking %s is already recorded as attended, with a completion. HR can revoke the completion if it is wrong.", id)
			}
			seen[id] = field
		}
	}
	check("attended", attended, training.BookingAttended)
	check("no_show", noShow, training.BookingNoShow)
	if err := v.Err(); err != nil {
		return nil, err
	}

	completions := []string{}
	for _, id := range attended {
		b := byID[id]
		done := b
		if b.State == training.BookingAttended {
			if b.CompletionID != "" {
				completions = append(completions, b.CompletionID)
			}
			continue
		}
		if b.PersonID != "" {
			c, err := s.people.RecordAttendance(ctx, actor, b.PersonID, x.CourseCode, x.Date, b.ID)
			if err != nil {
				return nil, fmt.Errorf("attendance of booking %s: %w", b.ID, err)
			}
			done.CompletionID = c.ID
			completions = append(completions, c.ID)
		}
		done.State, done.DecidedBy, done.DecidedAt = training.BookingAttended, actor.PersonID, s.now()
		if err := s.mark(ctx, actor, b, done); err != nil {
			return nil, err
		}
	}
	for _, id := range noShow {
		b := byID[id]
		if b.State == training.BookingNoShow {
			continue
		}
		done := b
		done.State, done.DecidedBy, done.DecidedAt = training.BookingNoShow, actor.PersonID, s.now()
		if err := s.mark(ctx, actor, b, done); err != nil {
			return nil, err
		}
		if b.PersonID != "" {
			if err := s.tellOverseers(ctx, x, done); err != nil {
				return nil, err
			}
		}
	}
	return completions, nil
}

// mark stores a register entry, frees the attendee to book the course
// again, and audits it.
func (s *Service) mark(ctx context.Context, actor training.Actor, b, done training.Booking) error {
	if err := s.store.UpdateBooking(ctx, done, b.State); err != nil {
		if errors.Is(err, training.ErrConflict) {
			return training.Conflict("Someone else changed booking %s at the same time. Check the register and submit it again.", b.ID)
		}
		return err
	}
	if err := s.store.ReleaseHold(ctx, holdKey(b), b.ID); err != nil {
		return err
	}
	return s.people.Audit(ctx, actor, "booking.register", "booking", b.ID, b, done)
}

// tellOverseers e-mails whoever looks after a no-show: their line
// manager; for an elected Member, who has none, every Member Services
// officer who has not left.
func (s *Service) tellOverseers(ctx context.Context, x training.Session, b training.Booking) error {
	m, ok, err := s.people.ManagerOf(ctx, b.PersonID)
	if err != nil {
		return err
	}
	p, err := s.people.PersonByID(ctx, b.PersonID)
	if err != nil {
		return err
	}
	if ok {
		s.tell(ctx, s.noShowMessage(ctx, x, b, p, m))
		return nil
	}
	if p.Kind != training.KindMember {
		return nil
	}
	officers, err := s.memberServicesOfficers(ctx, p.ID)
	if err != nil {
		// The no-show is stored already, and a register submitted again
		// skips it: like a message that cannot be queued, it is logged.
		s.o.Logger.ErrorContext(ctx, "no-show e-mail: Member Services officers not found", "booking_id", b.ID, logging.Err(err))
		return nil
	}
	for _, o := range officers {
		s.tell(ctx, s.memberNoShowMessage(ctx, x, b, p, o))
	}
	return nil
}

// memberServicesOfficers are the people holding the Member Services role
// who have not left, the Member themself aside.
func (s *Service) memberServicesOfficers(ctx context.Context, memberID string) ([]training.Person, error) {
	ids, err := s.roles.PeopleWithRole(ctx, auth.RoleMemberServices)
	if err != nil {
		return nil, err
	}
	today := s.today()
	var out []training.Person
	for _, id := range ids {
		if id == memberID {
			continue
		}
		p, err := s.people.PersonByID(ctx, id)
		switch {
		case errors.Is(err, training.ErrNotFound):
			continue
		case err != nil:
			return nil, err
		case p.IsLeaver(today):
			continue
		}
		out = append(out, p)
	}
	return out, nil
}

// Teaches reports whether the trainer runs a session of the course, not
// cancelled, on which the person has a booking that was not cancelled:
// the people a trainer may record the course for by hand
// (compliance.Attendance).
func (s *Service) Teaches(ctx context.Context, trainerID, personID, courseCode string) (bool, error) {
	bookings, err := s.store.PersonBookings(ctx, personID)
	if err != nil {
		return false, err
	}
	for _, b := range bookings {
		if b.CourseCode != courseCode || b.State == training.BookingCancelled {
			continue
		}
		x, err := s.store.Session(ctx, b.SessionID)
		if errors.Is(err, training.ErrNotFound) {
			continue
		}
		if err != nil {
			return false, err
		}
		if x.TrainerID == trainerID && x.State == training.SessionScheduled {
			return true, nil
		}
	}
	return false, nil
}

package sessions

import (
	"cmp"
	"context"
	"errors"
	"fmt"
	"slices"
	"strings"
	"time"

	"github.com/complytrack/complytrack/pkg/auth"
	"github.com/complytrack/complytrack/pkg/ids"
	"github.com/complytrack/complytrack/pkg/training"
)

// Schedule adds a session. HR may schedule one for any trainer; a trainer
// schedules the sessions they run.
func (s *Service) Schedule(ctx context.Context, actor training.Actor, in training.SessionInput) (SessionView, error) {
	if !actor.HR && !actor.Trainer {
		return SessionView{}, fmt.Errorf("schedule session: %w", training.ErrForbidden)
	}
	in = trimInput(in)
	v := &training.ValidationError{}
	v.Merge(in.Validate(s.today()))
	course, err := s.checkCourse(ctx, v, in.CourseCode)
	if err != nil {
		return SessionView{}, err
	}
	if err := s.checkTrainer(ctx, v, actor, in.TrainerID, ""); err != nil {
		return SessionView{}, err
	}
	if err := v.Err(); err != nil {
		return SessionView{}, err
	}
	now := s.now()
	x := training.Session{
		ID: ids.New(now), CourseCode: course.Code, Date: in.Date, Start: in.Start, End: in.End, Location: in.Location,
		Capacity: in.Capacity, TrainerID: in.TrainerID, Notes: in.Notes, State: training.SessionScheduled,
		CreatedBy: actor.PersonID, CreatedAt: now, UpdatedAt: now,
	}
	if err := s.store.InsertSession(ctx, x); err != nil {
		return SessionView{}, err
	}
	if err := s.people.Audit(ctx, actor, "session.schedule", "session", x.ID, nil, x); err != nil {
		return SessionView{}, err
	}
	return s.view(ctx, x, nil)
}

// Current is the session as an input, for an edit form or to merge a
// partial change onto: HR and the session's trainer.
func (s *Service) Current(ctx context.Context, actor training.Actor, id string) (training.SessionInput, error) {
	x, err := s.store.Session(ctx, id)
	if err != nil {
		return training.SessionInput{}, err
	}
	if !runs(actor, x) {
		return training.SessionInput{}, fmt.Errorf("edit session %s: %w", id, training.ErrForbidden)
	}
	return training.SessionInput{
		CourseCode: x.CourseCode, Date: x.Date, Start: x.Start, End: x.End, Location: x.Location,
		Capacity: x.Capacity, TrainerID: x.TrainerID, Notes: x.Notes,
	}, nil
}

// Reschedule changes a session: HR and the session's trainer. in is the
// whole session as it should be. Everyone with a live booking is told
// when the day, the times or the place change, with an invitation that
// replaces the one they hold; people a larger capacity gives a place to
// are told they have one.
func (s *Service) Reschedule(ctx context.Context, actor training.Actor, id string, in training.SessionInput) (SessionView, error) {
	x, err := s.store.Session(ctx, id)
	if err != nil {
		return SessionView{}, err
	}
	if !runs(actor, x) {
		return SessionView{}, fmt.Errorf("reschedule session %s: %w", id, training.ErrForbidden)
	}
	today := s.today()
	switch {
	case x.State == training.SessionCancelled:
		return SessionView{}, training.Conflict("This session has been cancelled, so it cannot be changed.")
	case x.Date.Before(today):
		return SessionView{}, training.Conflict("This session has already taken place, so it cannot be changed.")
	}
	in = trimInput(in)
	v := &training.ValidationError{}
	v.Merge(in.Validate(today))
	if in.CourseCode != "" && !strings.EqualFold(in.CourseCode, x.CourseCode) {
		v.Add("course_code", "The course of a session cannot be changed: cancel this session and schedule a new one.")
	}
	if err := s.checkTrainer(ctx, v, actor, in.TrainerID, x.TrainerID); err != nil {
		return SessionView{}, err
	}
	bookings, err := s.store.SessionBookings(ctx, id)
	if err != nil {
		return SessionView{}, err
	}
	before, taken, _ := training.Places(x.Capacity, bookings)
	if in.Capacity >= 1 && in.Capacity < taken {
		v.Add("capacity", "The number of places cannot be fewer than the %d already booked.", taken)
	}
	if err := v.Err(); err != nil {
		return SessionView{}, err
	}
	next := x
	next.Date, next.Start, next.End, next.Location = in.Date, in.Start, in.End, in.Location
	next.Capacity, next.TrainerID, next.Notes = in.Capacity, in.TrainerID, in.Notes
	moved := next.Date != x.Date || next.Start != x.Start || next.End != x.End || next.Location != x.Location || next.TrainerID != x.TrainerID
	if moved {
		next.Sequence++
	}
	next.UpdatedAt = s.now()
	if sameSession(next, x) {
		return s.view(ctx, x, bookings)
	}
	if err := s.store.UpdateSession(ctx, next, x.UpdatedAt); err != nil {
		if errors.Is(err, training.ErrConflict) {
			return SessionView{}, training.Conflict("Someone else changed this session at the same time. Check it and try again.")
		}
		return SessionView{}, err
	}
	if err := s.people.Audit(ctx, actor, "session.reschedule", "session", id, x, next); err != nil {
		return SessionView{}, err
	}
	after, _, _ := training.Places(next.Capacity, bookings)
	if moved {
		for _, b := range after {
			if b.Live() {
				s.tell(ctx, s.changeMessage(ctx, next, b))
			}
		}
	}
	for _, b := range promoted(before, after) {
		s.tell(ctx, s.promotionMessage(ctx, next, b))
	}
	return s.view(ctx, next, bookings)
}

// sameSession reports whether nothing anyone entered changed.
func sameSession(a, b training.Session) bool {
	a.UpdatedAt, b.UpdatedAt = time.Time{}, time.Time{}
	return a == b
}

// Cancel cancels a session: HR and the session's trainer. Every live
// booking is cancelled with it, its holder told (the invitation is
// withdrawn from their calendar) and free to book another session.
func (s *Service) Cancel(ctx context.Context, actor training.Actor, id, reason string) (SessionView, error) {
	x, err := s.store.Session(ctx, id)
	if err != nil {
		return SessionView{}, err
	}
	if !runs(actor, x) {
		return SessionView{}, fmt.Errorf("cancel session %s: %w", id, training.ErrForbidden)
	}
	reason = training.TrimText(reason)
	v := &training.ValidationError{}
	training.CheckText(v, "reason", reason, 500, true)
	switch {
	case x.State == training.SessionCancelled:
		return SessionView{}, training.Conflict("This session has already been cancelled.")
	case x.Date.Before(s.today()):
		return SessionView{}, training.Conflict("This session has already taken place, so it cannot be cancelled.")
	}
	if err := v.Err(); err != nil {
		return SessionView{}, err
	}
	bookings, err := s.store.SessionBookings(ctx, id)
	if err != nil {
		return SessionView{}, err
	}
	placed, _, _ := training.Places(x.Capacity, bookings)
	next := x
	next.State, next.CancelReason, next.Sequence, next.UpdatedAt = training.SessionCancelled, reason, x.Sequence+1, s.now()
	if err := s.store.UpdateSession(ctx, next, x.UpdatedAt); err != nil {
		if errors.Is(err, training.ErrConflict) {
			return SessionView{}, training.Conflict("Someone else changed this session at the same time. Check it and try again.")
		}
		return SessionView{}, err
	}
	if err := s.people.Audit(ctx, actor, "session.cancel", "session", id, x, next); err != nil {
		return SessionView{}, err
	}
	now := s.now()
	for i, b := range placed {
		if !b.Live() {
			continue
		}
		done := b.Booking
		done.State, done.DecidedBy, done.DecidedAt = training.BookingCancelled, actor.PersonID, now
		if err := s.store.UpdateBooking(ctx, done, training.BookingBooked); err != nil && !errors.Is(err, training.ErrConflict) {
			return SessionView{}, err
		}
		if err := s.store.ReleaseHold(ctx, holdKey(done), done.ID); err != nil {
			return SessionView{}, err
		}
		s.tell(ctx, s.sessionCancelledMessage(ctx, next, b))
		placed[i].Booking = done
	}
	out := make([]training.Booking, len(placed))
	for i, b := range placed {
		out[i] = b.Booking
	}
	return s.view(ctx, next, out)
}

// Session returns one session: anyone signed in.
func (s *Service) Session(ctx context.Context, actor training.Actor, id string) (SessionView, error) {
	if actor.PersonID == "" {
		return SessionView{}, fmt.Errorf("read session: %w", training.ErrUnauthenticated)
	}
	x, err := s.store.Session(ctx, id)
	if err != nil {
		return SessionView{}, err
	}
	return s.view(ctx, x, nil)
}

// List returns the sessions that match f, by date then start time: anyone
// signed in. The bookings of all of them are read at once.
func (s *Service) List(ctx context.Context, actor training.Actor, f Filter) ([]SessionView, error) {
	if actor.PersonID == "" {
		return nil, fmt.Errorf("list sessions: %w", training.ErrUnauthenticated)
	}
	if f.From.IsZero() {
		f.From = s.today()
	}
	if !f.To.IsZero() && f.To.Before(f.From) {
		return nil, training.Invalid("to", "The end date must be the same as or after the start date, %s.", f.From)
	}
	all, err := s.store.Sessions(ctx, f.From, f.To)
	if err != nil {
		return nil, err
	}
	var picked []training.Session
	var ids []string
	for _, x := range all {
		if f.CourseCode != "" && !strings.EqualFold(f.CourseCode, x.CourseCode) ||
			f.TrainerID != "" && f.TrainerID != x.TrainerID ||
			!f.IncludeCancelled && x.State == training.SessionCancelled {
			continue
		}
		picked = append(picked, x)
		ids = append(ids, x.ID)
	}
	bookings, err := s.store.BookingsOfSessions(ctx, ids)
	if err != nil {
		return nil, err
	}
	bySession := map[string][]training.Booking{}
	for _, b := range bookings {
		bySession[b.SessionID] = append(bySession[b.SessionID], b)
	}
	out := make([]SessionView, 0, len(picked))
	for _, x := range picked {
		sv, err := s.view(ctx, x, nonNil(bySession[x.ID]))
		if err != nil {
			return nil, err
		}
		out = append(out, sv)
	}
	slices.SortStableFunc(out, func(a, b SessionView) int {
		return cmp.Or(a.Date.Compare(b.Date), cmp.Compare(a.Start.String(), b.Start.String()), cmp.Compare(a.ID, b.ID))
	})
	return out, nil
}

// nonNil makes "no bookings" distinct from "not read yet" for view.
func nonNil(b []training.Booking) []training.Booking {
	if b == nil {
		return []training.Booking{}
	}
	return b
}

// view adds what people see to a session; bookings nil: read them.
func (s *Service) view(ctx context.Context, x training.Session, bookings []training.Booking) (SessionView, error) {
	if bookings == nil {
		var err error
		if bookings, err = s.store.SessionBookings(ctx, x.ID); err != nil {
			return SessionView{}, err
		}
	}
	_, booked, waiting := training.Places(x.Capacity, bookings)
	v := SessionView{Session: x, Booked: booked, Waiting: waiting, PlacesLeft: max(0, x.Capacity-booked)}
	if x.State == training.SessionCancelled {
		v.PlacesLeft = 0
	}
	if c, err := s.people.Course(ctx, x.CourseCode); err == nil {
		v.CourseTitle = c.Title
	} else if !errors.Is(err, training.ErrNotFound) {
		return SessionView{}, err
	}
	if p, err := s.people.PersonByID(ctx, x.TrainerID); err == nil {
		v.TrainerName = p.FullName()
	} else if !errors.Is(err, training.ErrNotFound) {
		return SessionView{}, err
	}
	return v, nil
}

// runs reports whether actor may change the session: HR, or the trainer
// who runs it.
func runs(actor training.Actor, x training.Session) bool {
	return actor.HR || actor.Trainer && actor.PersonID == x.TrainerID
}

// checkCourse adds a problem when the course does not exist or is taken
// only as e-learning.
func (s *Service) checkCourse(ctx context.Context, v *training.ValidationError, code string) (training.Course, error) {
	if code == "" {
		return training.Course{}, nil
	}
	c, err := s.people.Course(ctx, code)
	switch {
	case errors.Is(err, training.ErrNotFound):
		v.Add("course_code", "There is no course with code %s.", code)
	case err != nil:
		return training.Course{}, err
	case c.Delivery == training.DeliveryELearning:
		v.Add("course_code", "Course %s is e-learning only: sessions can be scheduled for classroom courses.", c.Code)
	}
	return c, nil
}

// checkTrainer adds a problem unless the trainer is someone still here who
// holds the trainer role, and one the actor may name: a trainer who is not
// HR names themself (or keeps the trainer the session has, was).
func (s *Service) checkTrainer(ctx context.Context, v *training.ValidationError, actor training.Actor, id, was string) error {
	if id == "" {
		return nil
	}
	if !actor.HR && id != actor.PersonID && id != was {
		v.Add("trainer_id", "Choose yourself as the trainer: only HR can schedule sessions for other trainers.")
		return nil
	}
	p, err := s.people.PersonByID(ctx, id)
	switch {
	case errors.Is(err, training.ErrNotFound):
		v.Add("trainer_id", "There is no person with that ID to be the trainer.")
		return nil
	case err != nil:
		return err
	case p.IsLeaver(s.today()):
		v.Add("trainer_id", "%s has left, so cannot be the trainer.", p.FullName())
		return nil
	}
	roles, err := s.roles.Roles(ctx, id)
	if err != nil {
		return err
	}
	if !roles.Has(auth.RoleTrainer) {
		v.Add("trainer_id", "%s does not have the trainer role. HR can give it to them.", p.FullName())
	}
	return nil
}

func trimInput(in training.SessionInput) training.SessionInput {
	in.CourseCode = strings.ToUpper(training.TrimText(in.CourseCode))
	in.Location = training.TrimText(in.Location)
	in.TrainerID = training.TrimText(in.TrainerID)
	in.Notes = strings.TrimSpace(in.Notes)
	return in
}

func (s *Service) today() training.Date { return training.Today(s.now(), s.o.Location) }

func (s *Service) now() time.Time { return s.o.Now().UTC() }

package sessions

import (
	"context"
	"fmt"

	"github.com/complytrack/complytrack/pkg/training"
)

// PersonBookings lists a person's bookings, live and past, the latest
// session first: for whoever may see the person (themself, those who
// oversee them, HR and auditors, as compliance decides). Anyone else is
// told there is no such person, so the answer reveals nobody.
func (s *Service) PersonBookings(ctx context.Context, actor training.Actor, personID string) ([]BookingView, error) {
	if actor.PersonID == "" {
		return nil, fmt.Errorf("person bookings: %w", training.ErrUnauthenticated)
	}
	sees, err := s.people.CanSee(ctx, actor, personID)
	if err != nil {
		return nil, err
	}
	if !sees {
		return nil, fmt.Errorf("person %s: %w", personID, training.ErrNotFound)
	}
	// MyBookings reads by its actor's person and nothing else of the
	// actor, so the person's own list is theirs read as them.
	return s.MyBookings(ctx, training.Actor{PersonID: personID})
}

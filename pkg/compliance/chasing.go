package compliance

import (
	"context"
	"fmt"

	"github.com/complytrack/complytrack/pkg/training"
)

// Chaseable returns the people named, each with their status today for
// every course that applies to them, for an actor who may chase them for
// their training: HR anyone, everyone else only the people they oversee
// (their reporting line; every elected Member for a Member Services
// officer). One person the actor may not chase refuses the whole list: a
// person they cannot see is ErrNotFound, one they see but do not oversee
// (themself, or anyone for an auditor) ErrForbidden.
func (s *Reports) Chaseable(ctx context.Context, actor training.Actor, personIDs []string) ([]training.TeamMember, error) {
	today := s.Today()
	out := make([]training.TeamMember, 0, len(personIDs))
	err := s.read(ctx, func(o Org) error {
		for _, id := range personIDs {
			p, ok := o.Person(id)
			if !ok || !canSee(o, actor, id) {
				return fmt.Errorf("person %s: %w", id, training.ErrNotFound)
			}
			if !actor.HR && !oversees(o, actor, id) {
				return fmt.Errorf("chase person %s: %w", id, training.ErrForbidden)
			}
			out = append(out, training.TeamMember{Person: p, Training: assess(o, p, today)})
		}
		return nil
	})
	return out, err
}

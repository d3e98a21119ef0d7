package compliance

import "github.com/complytrack/complytrack/pkg/training"

// MayReview reports whether Review would let the actor decide this
// pending item, so that pages offer the verify and reject forms only
// where they would be accepted.
func (s *Completions) MayReview(actor training.Actor, item training.PendingItem) bool {
	var above bool
	s.store.Peek(func(o Org) { above = oversees(o, actor, item.Person.ID) })
	return training.MayReview(actor, item.Person.ID, item.Course, above)
}

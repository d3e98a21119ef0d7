package training

import (
	"cmp"
	"context"
	"slices"
)

// PendingItem is one completion awaiting verification, with the person and
// course it is about.
type PendingItem struct {
	Completion Completion
	Person     Person
	Course     Course
}

// PendingCompletions lists the completions in state pending that the actor
// may review, oldest first: HR sees all of them; a line manager (or anyone
// above them) those in their reporting line for courses whose verification
// is "manager". Nobody is offered their own. Auditors, who review nothing,
// see all of them read-only, as they see every record.
func (s *Service) PendingCompletions(ctx context.Context, actor Actor) ([]PendingItem, error) {
	if err := s.refresh(ctx); err != nil {
		return nil, err
	}
	r := s.roster
	r.mu.RLock()
	defer r.mu.RUnlock()
	var out []PendingItem
	for pid, list := range r.complete {
		p := r.people[pid]
		if p == nil {
			continue
		}
		for _, c := range list {
			if c.State() != StatePending {
				continue
			}
			course := r.courses[c.CourseCode]
			mayReview := actor.HR || actor.Auditor ||
				(course.Verification == VerificationManager && r.isAbove(actor.PersonID, pid))
			if !mayReview || (pid == actor.PersonID && !actor.Auditor) {
				continue
			}
			out = append(out, PendingItem{Completion: c, Person: *p, Course: course})
		}
	}
	slices.SortFunc(out, func(a, b PendingItem) int {
		return cmp.Or(a.Completion.RecordedAt.Compare(b.Completion.RecordedAt), cmp.Compare(a.Completion.ID, b.Completion.ID))
	})
	return out, nil
}

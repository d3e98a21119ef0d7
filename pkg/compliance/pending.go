package compliance

import (
	"cmp"
	"context"
	"slices"

	"github.com/complytrack/complytrack/pkg/training"
)

// PendingCompletions lists the completions in state pending that the actor
// may review, oldest first: HR sees all of them; a line manager (or anyone
// above them) those in their reporting line for courses whose verification
// is "manager", and a Member Services officer the elected Members'.
// Nobody is offered their own. Auditors, who review nothing, see all of
// them read-only, as they see every record.
func (s *Completions) PendingCompletions(ctx context.Context, actor training.Actor) ([]training.PendingItem, error) {
	var out []training.PendingItem
	err := s.read(ctx, func(o Org) error {
		o.EachPerson(func(p training.Person) bool {
			for _, c := range o.Completions(p.ID) {
				if c.State() != training.StatePending {
					continue
				}
				course, _ := o.Course(c.CourseCode)
				mayReview := actor.HR || actor.Auditor ||
					(course.Verification == training.VerificationManager && oversees(o, actor, p.ID))
				if !mayReview || (p.ID == actor.PersonID && !actor.Auditor) {
					continue
				}
				out = append(out, training.PendingItem{Completion: c, Person: p, Course: course})
			}
			return true
		})
		return nil
	})
	if err != nil {
		return nil, err
	}
	slices.SortFunc(out, func(a, b training.PendingItem) int {
		return cmp.Or(a.Completion.RecordedAt.Compare(b.Completion.RecordedAt), cmp.Compare(a.Completion.ID, b.Completion.ID))
	})
	return out, nil
}

// PendingCount is how many completions wait for the actor's decision: those
// PendingCompletions lists that the actor may verify (so none for an
// auditor, who decides nothing). The navigation shows it on every page, so
// it counts in the organisation held in memory without building the list,
// and works out the reporting line only for completions that are pending.
func (s *Completions) PendingCount(ctx context.Context, actor training.Actor) (int, error) {
	n := 0
	err := s.read(ctx, func(o Org) error {
		o.EachPerson(func(p training.Person) bool {
			if p.ID == actor.PersonID {
				return true
			}
			for _, c := range o.Completions(p.ID) {
				if c.State() != training.StatePending {
					continue
				}
				course, _ := o.Course(c.CourseCode)
				above := !actor.HR && course.Verification == training.VerificationManager && oversees(o, actor, p.ID)
				if training.MayReview(actor, p.ID, course, above) {
					n++
				}
			}
			return true
		})
		return nil
	})
	return n, err
}

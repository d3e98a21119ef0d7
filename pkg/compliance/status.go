package compliance

import (
	"cmp"
	"context"
	"fmt"
	"slices"
	"time"

	"github.com/complytrack/complytrack/pkg/training"
)

// TrainingOf returns the person's status for every course that applies to
// them today, ordered by course code. The actor must be able to see them.
func (s *Reports) TrainingOf(ctx context.Context, actor training.Actor, personID string) ([]training.Assessment, error) {
	today := s.Today()
	var out []training.Assessment
	err := s.read(ctx, func(o Org) error {
		p, ok := o.Person(personID)
		if !ok || !canSee(o, actor, personID) {
			return fmt.Errorf("person %s: %w", personID, training.ErrNotFound)
		}
		out = assess(o, p, today)
		return nil
	})
	return out, err
}

// assess evaluates every course for p, keeping the applicable ones.
// Callers hold the roster lock.
func assess(o Org, p training.Person, today training.Date) []training.Assessment {
	var out []training.Assessment
	for _, c := range o.Courses() {
		a := training.Evaluate(p, c, o.Completions(p.ID), o.Exemptions(p.ID), today, time.Time{})
		if a.Applicable {
			out = append(out, a)
		}
	}
	return out
}

// Team returns everyone in the actor's reporting line, direct and
// indirect (and every Member for a Member Services officer), with their
// statuses: from memory, with no query per person. People with an
// overdue or expired course come first, then by name.
func (s *Reports) Team(ctx context.Context, actor training.Actor, f training.TeamFilter, page training.PageRequest) (training.Page[training.TeamMember], error) {
	if _, err := training.ParseStatus("status", string(f.Status)); err != nil {
		return training.Page[training.TeamMember]{}, err
	}
	after, err := training.DecodeCursor(page.Cursor)
	if err != nil {
		return training.Page[training.TeamMember]{}, err
	}
	today := s.Today()
	var members []training.TeamMember
	err = s.read(ctx, func(o Org) error {
		if f.CourseCode != "" {
			if _, ok := o.Course(f.CourseCode); !ok {
				return training.Invalid("course_code", "There is no course with the code %s.", f.CourseCode)
			}
		}
		for _, id := range overseen(o, actor) {
			p, ok := o.Person(id)
			if !ok || p.IsLeaver(today) {
				continue
			}
			assessments := assess(o, p, today)
			if f.CourseCode != "" {
				assessments = slices.DeleteFunc(assessments, func(a training.Assessment) bool { return a.CourseCode != f.CourseCode })
			}
			if f.Status != "" && !slices.ContainsFunc(assessments, func(a training.Assessment) bool { return a.Status == f.Status }) {
				continue
			}
			members = append(members, training.TeamMember{Person: p, Training: assessments})
		}
		return nil
	})
	if err != nil {
		return training.Page[training.TeamMember]{}, err
	}
	slices.SortFunc(members, func(a, b training.TeamMember) int {
		return cmp.Or(cmp.Compare(urgency(a.Training), urgency(b.Training)), comparePeople(a.Person, b.Person))
	})
	return training.Paginate(members, after, page.Size(), func(m training.TeamMember) string {
		return fmt.Sprintf("%d\x00%s", urgency(m.Training), personKey(m.Person))
	}), nil
}

// urgency orders people for a manager: 0 overdue or expired, 1 due or
// expiring, 2 the rest.
func urgency(assessments []training.Assessment) int {
	u := 2
	for _, a := range assessments {
		switch a.Status {
		case training.StatusOverdue, training.StatusExpired:
			return 0
		case training.StatusDue, training.StatusExpiring:
			u = 1
		}
	}
	return u
}

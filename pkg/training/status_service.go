package training

import (
	"cmp"
	"context"
	"fmt"
	"slices"
	"strings"
	"time"
)

// TrainingOf returns the person's status for every course that applies to
// them today, ordered by course code. The actor must be able to see them.
func (s *Service) TrainingOf(ctx context.Context, actor Actor, personID string) ([]Assessment, error) {
	if err := s.refresh(ctx); err != nil {
		return nil, err
	}
	today := s.Today()
	r := s.roster
	r.mu.RLock()
	defer r.mu.RUnlock()
	p, ok := r.people[personID]
	if !ok || !s.canSee(actor, personID) {
		return nil, fmt.Errorf("person %s: %w", personID, ErrNotFound)
	}
	return s.assess(*p, today, time.Time{}), nil
}

// assess evaluates every course for p, keeping the applicable ones.
// Callers hold the roster lock.
func (s *Service) assess(p Person, today Date, asOf time.Time) []Assessment {
	var out []Assessment
	for _, c := range s.sortedCourses() {
		a := Evaluate(p, c, s.roster.complete[p.ID], s.roster.exempt[p.ID], today, asOf)
		if a.Applicable {
			out = append(out, a)
		}
	}
	return out
}

// TeamMember is one person in a manager's reporting line with their
// training.
type TeamMember struct {
	Person   Person
	Training []Assessment
}

// TeamFilter narrows the team view; empty fields do not filter.
type TeamFilter struct {
	Status     Status
	CourseCode string
}

// Team returns everyone in the actor's reporting line, direct and
// indirect, with their statuses: from memory, with no query per person.
// People with an overdue or expired course come first, then by name.
func (s *Service) Team(ctx context.Context, actor Actor, f TeamFilter, page PageRequest) (Page[TeamMember], error) {
	if f.Status != "" && !f.Status.Valid() {
		return Page[TeamMember]{}, Invalid("status", "Choose a status: compliant, expiring, expired, due, overdue or exempt.")
	}
	after, err := decodeCursor(page.Cursor)
	if err != nil {
		return Page[TeamMember]{}, err
	}
	if err := s.refresh(ctx); err != nil {
		return Page[TeamMember]{}, err
	}
	today := s.Today()
	r := s.roster
	r.mu.RLock()
	defer r.mu.RUnlock()
	if f.CourseCode != "" {
		if _, ok := r.courses[f.CourseCode]; !ok {
			return Page[TeamMember]{}, Invalid("course_code", "There is no course with the code %s.", f.CourseCode)
		}
	}
	var members []TeamMember
	for _, id := range r.below(actor.PersonID) {
		p := r.people[id]
		if p == nil || p.IsLeaver(today) {
			continue
		}
		training := s.assess(*p, today, time.Time{})
		if f.CourseCode != "" {
			training = slices.DeleteFunc(training, func(a Assessment) bool { return a.CourseCode != f.CourseCode })
		}
		if f.Status != "" && !slices.ContainsFunc(training, func(a Assessment) bool { return a.Status == f.Status }) {
			continue
		}
		members = append(members, TeamMember{Person: *p, Training: training})
	}
	slices.SortFunc(members, func(a, b TeamMember) int {
		return cmp.Or(cmp.Compare(urgency(a.Training), urgency(b.Training)), comparePeople(a.Person, b.Person))
	})
	return paginate(members, after, page.Size(), func(m TeamMember) string {
		return fmt.Sprintf("%d\x00%s", urgency(m.Training), personKey(m.Person))
	}), nil
}

// urgency orders people for a manager: 0 overdue or expired, 1 due or
// expiring, 2 the rest.
func urgency(training []Assessment) int {
	u := 2
	for _, a := range training {
		switch a.Status {
		case StatusOverdue, StatusExpired:
			return 0
		case StatusDue, StatusExpiring:
			u = 1
		}
	}
	return u
}

// ExplanationText joins an assessment's explanation into one line.
func (a Assessment) ExplanationText() string { return strings.Join(a.Explanation, "; ") }

package compliance

import (
	"cmp"
	"context"
	"slices"
	"strings"

	"github.com/complytrack/complytrack/pkg/training"
)

// TeamOverview returns everyone the actor oversees who matches q (leavers
// aside), all of them in q's order, with how many people they oversee and
// how many of those have a course overdue or expired: My team's page,
// which pages, counts and chases the whole list. Like Team it reads the
// organisation in memory, with no query per person.
func (s *Reports) TeamOverview(ctx context.Context, actor training.Actor, q training.TeamQuery) (training.TeamOverview, error) {
	if _, err := training.ParseStatus("status", string(q.Status)); err != nil {
		return training.TeamOverview{}, err
	}
	if !slices.Contains(training.TeamSorts, q.Sort) {
		return training.TeamOverview{}, training.Invalid("sort", "Choose an order from the list.")
	}
	name := strings.ToLower(strings.TrimSpace(q.Name))
	today := s.Today()
	var out training.TeamOverview
	err := s.read(ctx, func(o Org) error {
		if q.CourseCode != "" {
			if _, ok := o.Course(q.CourseCode); !ok {
				return training.Invalid("course_code", "There is no course with the code %s.", q.CourseCode)
			}
		}
		departments := map[string]*training.TeamDepartment{}
		for _, id := range overseen(o, actor) {
			p, ok := o.Person(id)
			if !ok || p.IsLeaver(today) {
				continue
			}
			all := assess(o, p, today)
			late := slices.ContainsFunc(all, func(a training.Assessment) bool { return a.Status.Late() })
			out.People++
			d := departments[p.Department]
			if d == nil {
				d = &training.TeamDepartment{Name: p.Department}
				departments[p.Department] = d
			}
			d.People++
			if late {
				out.Overdue++
				d.Late++
			}
			if (q.DirectOnly && p.ManagerID != actor.PersonID) ||
				(q.Department != "" && p.Department != q.Department) ||
				(name != "" && !p.MatchesName(name)) {
				continue
			}
			shown := all
			if q.CourseCode != "" {
				shown = slices.DeleteFunc(all, func(a training.Assessment) bool { return a.CourseCode != q.CourseCode })
			}
			if q.Status != "" && !slices.ContainsFunc(shown, func(a training.Assessment) bool { return a.Status == q.Status }) {
				continue
			}
			if q.Late && !slices.ContainsFunc(shown, func(a training.Assessment) bool { return a.Status.Late() }) {
				continue
			}
			m := training.TeamOverviewMember{TeamMember: training.TeamMember{Person: p, Training: shown}}
			for _, a := range shown {
				m.DaysOverdue = max(m.DaysOverdue, a.DaysOverdue(today))
			}
			out.Members = append(out.Members, m)
		}
		for _, d := range departments {
			out.Departments = append(out.Departments, *d)
		}
		return nil
	})
	if err != nil {
		return training.TeamOverview{}, err
	}
	slices.SortFunc(out.Departments, func(a, b training.TeamDepartment) int { return cmp.Compare(a.Name, b.Name) })
	slices.SortFunc(out.Members, func(a, b training.TeamOverviewMember) int {
		switch q.Sort {
		case training.TeamSortDaysOverdue:
			return cmp.Or(cmp.Compare(b.DaysOverdue, a.DaysOverdue), comparePeople(a.Person, b.Person))
		case training.TeamSortName:
			return comparePeople(a.Person, b.Person)
		}
		return cmp.Or(cmp.Compare(urgency(a.Training), urgency(b.Training)), comparePeople(a.Person, b.Person))
	})
	return out, nil
}

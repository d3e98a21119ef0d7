package compliance

import (
	"context"
	"slices"
	"strings"

	"github.com/complytrack/complytrack/pkg/training"
)

// PeopleOverview is one page of HR's people list: everyone the actor may
// see who matches the filter, in the order asked for, each on the page with
// their status for every course that applies to them today, with the
// number of people in the whole list and the departments on record among
// the people the actor may see. It is worked out from the organisation held
// in memory, in one read: no query per person. Statuses are worked out for
// everyone only when the filter or the order needs them, else for the page
// alone.
func (s *People) PeopleOverview(ctx context.Context, actor training.Actor, q training.PeopleQuery) (training.PeopleOverview, error) {
	f, order := q.Filter, q.Sort
	if _, err := training.ParseStatus("status", string(f.Status)); err != nil {
		return training.PeopleOverview{}, err
	}
	if _, err := training.ParsePeopleSort("sort", string(order.By)); err != nil {
		return training.PeopleOverview{}, err
	}
	size := training.PageRequest{Limit: q.PageSize}.Size()
	today := s.Today()
	text := strings.ToLower(strings.TrimSpace(f.Query))
	everyone := f.Status != "" || order.NeedsStatus()
	var out training.PeopleOverview
	departments := departmentSet{}
	err := s.read(ctx, func(o Org) error {
		var list []training.PersonOverview
		eachVisible(o, actor, func(p training.Person) {
			departments.add(p.Department)
			if (f.Department != "" && !strings.EqualFold(p.Department, f.Department)) || (text != "" && !matchesQuery(p, text)) {
				return
			}
			row := training.PersonOverview{Person: p}
			if everyone {
				row.Training = assess(o, p, today)
				if f.Status != "" && !slices.ContainsFunc(row.Training, func(a training.Assessment) bool { return a.Status == f.Status }) {
					return
				}
			}
			list = append(list, row)
		})
		order.Sort(list)
		out.Total = len(list)
		pages := max(1, (len(list)+size-1)/size)
		out.Page = min(max(q.Page, 1), pages)
		out.People = list[(out.Page-1)*size : min(out.Page*size, len(list))]
		if !everyone {
			for i := range out.People {
				out.People[i].Training = assess(o, out.People[i].Person, today)
			}
		}
		return nil
	})
	if err != nil {
		return training.PeopleOverview{}, err
	}
	out.Departments = departments.sorted()
	return out, nil
}

// Departments lists the departments on record among the people the actor
// may see, sorted, for a department filter.
func (s *People) Departments(ctx context.Context, actor training.Actor) ([]string, error) {
	d := departmentSet{}
	err := s.read(ctx, func(o Org) error {
		eachVisible(o, actor, func(p training.Person) { d.add(p.Department) })
		return nil
	})
	return d.sorted(), err
}

// eachVisible calls fn for everyone the actor may see.
func eachVisible(o Org, actor training.Actor, fn func(training.Person)) {
	if actor.ReadsAll() {
		o.EachPerson(func(p training.Person) bool { fn(p); return true })
		return
	}
	for _, id := range append(overseen(o, actor), actor.PersonID) {
		if p, ok := o.Person(id); ok {
			fn(p)
		}
	}
}

// departmentSet collects department names, ignoring case and the spaces
// around them. Of two spellings the one that sorts first is kept
// ("Housing" over "housing"), so the list is the same however the people
// are visited.
type departmentSet map[string]string

func (d departmentSet) add(name string) {
	name = strings.TrimSpace(name)
	key := strings.ToLower(name)
	if had, ok := d[key]; name != "" && (!ok || name < had) {
		d[key] = name
	}
}

func (d departmentSet) sorted() []string {
	out := make([]string, 0, len(d))
	for _, name := range d {
		out = append(out, name)
	}
	slices.SortFunc(out, func(a, b string) int { return strings.Compare(strings.ToLower(a), strings.ToLower(b)) })
	return out
}

package readmodel

import (
	"slices"
	"strings"

	"github.com/complytrack/complytrack/pkg/compliance"
	"github.com/complytrack/complytrack/pkg/training"
)

// state is the organisation in memory: what the services read on every
// request. It holds no history (person versions, flags, notices, the
// audit log): those are read from the database when asked for.
type state struct {
	people   map[string]*training.Person
	reports  map[string][]string // manager ID -> direct reports' IDs
	byEmail  map[string]string   // normalised e-mail -> person ID
	byNumber map[string]string   // employee number -> person ID
	courses  map[string]training.Course
	complete map[string][]training.Completion // person ID -> completions, oldest first
	exempt   map[string][]training.Exemption  // person ID -> exemptions
	// completionOwner maps a completion ID to its person; exemptionOwner
	// likewise.
	completionOwner map[string]string
	exemptionOwner  map[string]string
}

func newState() *state {
	return &state{
		people:          map[string]*training.Person{},
		reports:         map[string][]string{},
		byEmail:         map[string]string{},
		byNumber:        map[string]string{},
		courses:         map[string]training.Course{},
		complete:        map[string][]training.Completion{},
		exempt:          map[string][]training.Exemption{},
		completionOwner: map[string]string{},
		exemptionOwner:  map[string]string{},
	}
}

// putPerson adds or replaces p and keeps the indexes right.
func (s *state) putPerson(p training.Person) {
	if old, ok := s.people[p.ID]; ok {
		if s.byEmail[training.NormaliseEmail(old.Email)] == p.ID {
			delete(s.byEmail, training.NormaliseEmail(old.Email))
		}
		if s.byNumber[old.EmployeeNumber] == p.ID {
			delete(s.byNumber, old.EmployeeNumber)
		}
		if old.ManagerID != "" {
			s.reports[old.ManagerID] = slices.DeleteFunc(s.reports[old.ManagerID], func(id string) bool { return id == p.ID })
		}
	}
	cp := p
	s.people[p.ID] = &cp
	s.byEmail[training.NormaliseEmail(p.Email)] = p.ID
	s.byNumber[p.EmployeeNumber] = p.ID
	if p.ManagerID != "" {
		s.reports[p.ManagerID] = append(s.reports[p.ManagerID], p.ID)
	}
}

func sortCompletions(cs []training.Completion) {
	slices.SortStableFunc(cs, func(a, b training.Completion) int {
		if c := a.CompletedOn.Compare(b.CompletedOn); c != 0 {
			return c
		}
		return strings.Compare(a.ID, b.ID)
	})
}

// putCompletion adds or replaces a completion. The list is copied, not
// changed in place: a caller may still hold the old one.
func (s *state) putCompletion(c training.Completion) {
	list, added := upsert(s.complete[c.PersonID], c, func(o training.Completion) bool { return o.ID == c.ID })
	if added {
		sortCompletions(list)
	}
	s.complete[c.PersonID] = list
	s.completionOwner[c.ID] = c.PersonID
}

// putExemption adds or replaces an exemption, copying the list likewise.
func (s *state) putExemption(e training.Exemption) {
	s.exempt[e.PersonID], _ = upsert(s.exempt[e.PersonID], e, func(o training.Exemption) bool { return o.ID == e.ID })
	s.exemptionOwner[e.ID] = e.PersonID
}

// upsert returns a copy of list with x in place of the item same picks,
// or with x added at the end (added).
func upsert[T any](list []T, x T, same func(T) bool) (out []T, added bool) {
	out = slices.Clone(list)
	if i := slices.IndexFunc(out, same); i >= 0 {
		out[i] = x
		return out, false
	}
	return append(out, x), true
}

// The methods below make *state a compliance.Org.

func (s *state) Person(id string) (training.Person, bool) {
	p, ok := s.people[id]
	if !ok {
		return training.Person{}, false
	}
	return *p, true
}

func (s *state) PersonByEmail(email string) (training.Person, bool) {
	return s.Person(s.byEmail[training.NormaliseEmail(email)])
}

func (s *state) PersonByNumber(number string) (training.Person, bool) {
	id, ok := s.byNumber[number]
	if !ok {
		return training.Person{}, false
	}
	return s.Person(id)
}

func (s *state) Reports(managerID string) []string { return s.reports[managerID] }

func (s *state) Below(managerID string) []string {
	var out []string
	seen := map[string]bool{managerID: true}
	queue := []string{managerID}
	for len(queue) > 0 {
		id := queue[0]
		queue = queue[1:]
		for _, child := range s.reports[id] {
			if seen[child] {
				continue
			}
			seen[child] = true
			out = append(out, child)
			queue = append(queue, child)
		}
	}
	return out
}

// IsAbove walks up from personID. The walk is bounded by the number of
// people, so a cycle in stored data (which the service refuses to create)
// cannot loop for ever.
func (s *state) IsAbove(managerID, personID string) bool {
	if managerID == "" {
		return false
	}
	p := s.people[personID]
	for steps := 0; p != nil && p.ManagerID != "" && steps <= len(s.people); steps++ {
		if p.ManagerID == managerID {
			return true
		}
		p = s.people[p.ManagerID]
	}
	return false
}

func (s *state) EachPerson(fn func(training.Person) bool) {
	for _, p := range s.people {
		if !fn(*p) {
			return
		}
	}
}

func (s *state) People() int { return len(s.people) }

func (s *state) Course(code string) (training.Course, bool) {
	c, ok := s.courses[code]
	return c, ok
}

func (s *state) Courses() []training.Course {
	out := make([]training.Course, 0, len(s.courses))
	for _, c := range s.courses {
		out = append(out, c)
	}
	slices.SortFunc(out, func(a, b training.Course) int { return strings.Compare(a.Code, b.Code) })
	return out
}

func (s *state) Completions(personID string) []training.Completion { return s.complete[personID] }
func (s *state) Exemptions(personID string) []training.Exemption   { return s.exempt[personID] }

func (s *state) CompletionOwner(id string) (string, bool) {
	p, ok := s.completionOwner[id]
	return p, ok
}

func (s *state) ExemptionOwner(id string) (string, bool) {
	p, ok := s.exemptionOwner[id]
	return p, ok
}

var _ compliance.Org = (*state)(nil)

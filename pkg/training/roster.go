package training

import (
	"context"
	"fmt"
	"maps"
	"slices"
	"strings"
	"sync"
	"time"
)

// roster is the process's in-memory copy of the organisation: every person,
// course, completion and exemption. The team view, the reports and the
// scheduled scan read it instead of the database, because on the embedded
// engine only a look-up by _id is fast and these need everyone.
//
// Freshness across processes: every process has its own stamp document
// that only it writes, bumped after each of its writes. Before serving a
// read, a roster compares every other process's stamp with the value it
// saw when it last loaded; if any differs it loads again. Stamps are read
// before loading, so a write that lands during a load bumps its stamp
// after, and the next read loads again: no change is missed, and no two
// processes ever update the same stamp document (the embedded engine has
// no atomic compare-and-set).
type roster struct {
	mu       sync.RWMutex
	loaded   bool
	seen     map[string]int64 // other processes' stamps at the last load
	people   map[string]*Person
	reports  map[string][]string // manager ID -> direct reports' IDs
	byEmail  map[string]string   // normalised e-mail -> person ID
	byNumber map[string]string   // employee number -> person ID
	courses  map[string]Course
	complete map[string][]Completion // person ID -> completions, oldest first
	exempt   map[string][]Exemption  // person ID -> exemptions
	// completionOwner maps a completion ID to its person; exemptionOwner
	// likewise.
	completionOwner map[string]string
	exemptionOwner  map[string]string
	flags           []Flag // every flag, oldest first
	// versions holds each person's past records, oldest first, for
	// reports on a past day.
	versions map[string][]Person
	notices  map[string]bool   // keys of recorded notices, and every key a batch covers
	batches  map[string]Notice // batch notices by key

	loadMu sync.Mutex // one load at a time
}

func newRoster() *roster {
	r := &roster{}
	r.reset()
	return r
}

func (r *roster) reset() {
	r.people = map[string]*Person{}
	r.reports = map[string][]string{}
	r.byEmail = map[string]string{}
	r.byNumber = map[string]string{}
	r.courses = map[string]Course{}
	r.complete = map[string][]Completion{}
	r.exempt = map[string][]Exemption{}
	r.completionOwner = map[string]string{}
	r.exemptionOwner = map[string]string{}
	r.flags = nil
	r.versions = map[string][]Person{}
	r.notices = map[string]bool{}
	r.batches = map[string]Notice{}
}

// putNotice records a notice and, for a batch, the keys it covers.
// Callers hold mu.
func (r *roster) putNotice(n Notice) {
	r.notices[n.Key] = true
	for _, k := range n.Covers {
		r.notices[k] = true
	}
	if len(n.Covers) > 0 {
		r.batches[n.Key] = n
	}
}

// snapshot is everything a load reads.
type snapshot struct {
	people      []Person
	courses     []Course
	completions []Completion
	exemptions  []Exemption
	flags       []Flag
	versions    []Person
	notices     []Notice
}

// refresh loads again when another process has written since the last
// load. self is this process's stamp key, which is ignored.
func (s *Service) refresh(ctx context.Context) error {
	r := s.roster
	stamps, err := s.store.Stamps(ctx)
	if err != nil {
		return fmt.Errorf("read change stamps: %w", err)
	}
	delete(stamps, s.process)
	r.mu.RLock()
	fresh := r.loaded && maps.Equal(stamps, r.seen)
	r.mu.RUnlock()
	if fresh {
		return nil
	}

	r.loadMu.Lock()
	defer r.loadMu.Unlock()
	// Another request may have loaded while this one waited.
	stamps, err = s.store.Stamps(ctx)
	if err != nil {
		return fmt.Errorf("read change stamps: %w", err)
	}
	delete(stamps, s.process)
	r.mu.RLock()
	fresh = r.loaded && maps.Equal(stamps, r.seen)
	r.mu.RUnlock()
	if fresh {
		return nil
	}

	var snap snapshot
	if err := s.store.EachPerson(ctx, func(p Person) error { snap.people = append(snap.people, p); return nil }); err != nil {
		return err
	}
	if snap.courses, err = s.store.Courses(ctx); err != nil {
		return err
	}
	if err := s.store.EachCompletion(ctx, func(c Completion) error { snap.completions = append(snap.completions, c); return nil }); err != nil {
		return err
	}
	if err := s.store.EachExemption(ctx, func(e Exemption) error { snap.exemptions = append(snap.exemptions, e); return nil }); err != nil {
		return err
	}
	if err := s.store.EachPersonVersion(ctx, func(p Person) error { snap.versions = append(snap.versions, p); return nil }); err != nil {
		return err
	}
	if err := s.notices.EachNotice(ctx, func(n Notice) error { snap.notices = append(snap.notices, n); return nil }); err != nil {
		return err
	}
	if err := s.flags.EachFlag(ctx, func(f Flag) error { snap.flags = append(snap.flags, f); return nil }); err != nil {
		return err
	}

	r.mu.Lock()
	defer r.mu.Unlock()
	r.reset()
	for i := range snap.people {
		r.putPerson(snap.people[i])
	}
	for _, c := range snap.courses {
		r.courses[c.Code] = c
	}
	for _, c := range snap.completions {
		r.complete[c.PersonID] = append(r.complete[c.PersonID], c)
		r.completionOwner[c.ID] = c.PersonID
	}
	for id := range r.complete {
		sortCompletions(r.complete[id])
	}
	for _, e := range snap.exemptions {
		r.exempt[e.PersonID] = append(r.exempt[e.PersonID], e)
		r.exemptionOwner[e.ID] = e.PersonID
	}
	r.flags = snap.flags
	for _, n := range snap.notices {
		r.putNotice(n)
	}
	for _, v := range snap.versions {
		r.versions[v.ID] = append(r.versions[v.ID], v)
	}
	for id := range r.versions {
		slices.SortStableFunc(r.versions[id], func(a, b Person) int { return a.UpdatedAt.Compare(b.UpdatedAt) })
	}
	slices.SortStableFunc(r.flags, func(a, b Flag) int { return a.RaisedAt.Compare(b.RaisedAt) })
	r.seen = stamps
	r.loaded = true
	return nil
}

func sortCompletions(cs []Completion) {
	slices.SortStableFunc(cs, func(a, b Completion) int {
		if c := a.CompletedOn.Compare(b.CompletedOn); c != 0 {
			return c
		}
		return strings.Compare(a.ID, b.ID)
	})
}

// putPerson adds or replaces p and keeps the indexes right. Callers hold mu.
func (r *roster) putPerson(p Person) {
	if old, ok := r.people[p.ID]; ok {
		delete(r.byEmail, NormaliseEmail(old.Email))
		delete(r.byNumber, old.EmployeeNumber)
		if old.ManagerID != "" {
			r.reports[old.ManagerID] = slices.DeleteFunc(r.reports[old.ManagerID], func(id string) bool { return id == p.ID })
		}
	}
	cp := p
	r.people[p.ID] = &cp
	if v := r.versions[p.ID]; len(v) == 0 || !v[len(v)-1].UpdatedAt.Equal(p.UpdatedAt) {
		r.versions[p.ID] = append(v, p)
	}
	r.byEmail[NormaliseEmail(p.Email)] = p.ID
	r.byNumber[p.EmployeeNumber] = p.ID
	if p.ManagerID != "" {
		r.reports[p.ManagerID] = append(r.reports[p.ManagerID], p.ID)
	}
}

// putCompletion adds or replaces a completion. Callers hold mu.
func (r *roster) putCompletion(c Completion) {
	list := r.complete[c.PersonID]
	for i := range list {
		if list[i].ID == c.ID {
			list[i] = c
			return
		}
	}
	list = append(list, c)
	sortCompletions(list)
	r.complete[c.PersonID] = list
	r.completionOwner[c.ID] = c.PersonID
}

// putExemption adds or replaces an exemption. Callers hold mu.
func (r *roster) putExemption(e Exemption) {
	list := r.exempt[e.PersonID]
	for i := range list {
		if list[i].ID == e.ID {
			list[i] = e
			return
		}
	}
	r.exempt[e.PersonID] = append(list, e)
	r.exemptionOwner[e.ID] = e.PersonID
}

// personAt returns the person as they were at instant t: the last version
// from on or before t. ok is false when they did not exist yet. A zero t
// means now. Callers hold mu.
func (r *roster) personAt(id string, t time.Time) (Person, bool) {
	p, ok := r.people[id]
	if !ok {
		return Person{}, false
	}
	if t.IsZero() {
		return *p, true
	}
	if p.CreatedAt.After(t) {
		return Person{}, false
	}
	versions := r.versions[id]
	for i := len(versions) - 1; i >= 0; i-- {
		if !versions[i].UpdatedAt.After(t) {
			return versions[i], true
		}
	}
	// Created before t but no version recorded (data from before versions
	// were kept): the current record is the best there is.
	return *p, true
}

// isAbove reports whether managerID is somewhere above personID in the
// reporting line (direct or indirect). Callers hold mu. The walk is
// bounded by the number of people, so a cycle in stored data (which the
// service refuses to create) cannot loop for ever.
func (r *roster) isAbove(managerID, personID string) bool {
	if managerID == "" {
		return false
	}
	p := r.people[personID]
	for steps := 0; p != nil && p.ManagerID != "" && steps <= len(r.people); steps++ {
		if p.ManagerID == managerID {
			return true
		}
		p = r.people[p.ManagerID]
	}
	return false
}

// below returns everyone in managerID's reporting line, direct and
// indirect, breadth first. Callers hold mu.
func (r *roster) below(managerID string) []string {
	var out []string
	seen := map[string]bool{managerID: true}
	queue := []string{managerID}
	for len(queue) > 0 {
		id := queue[0]
		queue = queue[1:]
		for _, child := range r.reports[id] {
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

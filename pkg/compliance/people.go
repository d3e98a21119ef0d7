package compliance

import (
	"cmp"
	"context"
	"errors"
	"fmt"
	"strings"

	"github.com/complytrack/complytrack/pkg/training"
)

// CreatePerson adds a person. Only HR may.
func (s *People) CreatePerson(ctx context.Context, actor training.Actor, in training.PersonInput) (training.Person, error) {
	if !actor.HR {
		return training.Person{}, fmt.Errorf("create person: %w", training.ErrForbidden)
	}
	p := in.Record()
	if err := s.read(ctx, func(o Org) error { return checkPerson(o, &p, in.ManagerEmployeeNumber) }); err != nil {
		return training.Person{}, err
	}
	created, err := s.store.CreatePerson(ctx, p)
	if err != nil {
		return training.Person{}, s.explainConflict(err, p)
	}
	return created, s.audit(ctx, actor, "person.create", "person", created.ID, nil, training.PersonForAudit(created))
}

// checkPerson validates p, resolves its manager's employee number, and
// checks uniqueness against the organisation so the caller gets a clear
// message (the store's unique indexes remain the final guard).
func checkPerson(o Org, p *training.Person, managerNumber string) error {
	v := &training.ValidationError{}
	if err := p.Validate(); err != nil {
		v = err.(*training.ValidationError)
	}
	managerNumber = training.TrimText(managerNumber)
	p.ManagerID = ""
	if managerNumber != "" {
		m, ok := o.PersonByNumber(managerNumber)
		id := m.ID
		switch {
		case !ok:
			v.Problem("manager_employee_number", "There is no one with employee number %s to be the line manager", managerNumber)
		case id == p.ID || managerNumber == p.EmployeeNumber:
			v.Problem("manager_employee_number", "A person cannot be their own line manager")
		case p.ID != "" && o.IsAbove(p.ID, id):
			v.Problem("manager_employee_number", "The person with employee number %s reports to this person already, directly or further down, so they cannot be their line manager", managerNumber)
		default:
			p.ManagerID = id
		}
	}
	if err := v.Err(); err != nil {
		return err
	}
	if other, ok := o.PersonByNumber(p.EmployeeNumber); ok && other.ID != p.ID {
		return training.Conflict("Someone else already has the employee number %s.", p.EmployeeNumber)
	}
	if other, ok := o.PersonByEmail(p.Email); ok && other.ID != p.ID {
		return training.Conflict("Someone else already has the email address %s.", p.Email)
	}
	return nil
}

// explainConflict turns the store's unique-index conflict (a write that
// raced another) into the same message checkPerson gives.
func (s *People) explainConflict(err error, p training.Person) error {
	if !isConflict(err) {
		return err
	}
	return training.Conflict("Someone else already has the employee number %s or the email address %s.", p.EmployeeNumber, p.Email)
}

// Person returns a person the actor may see: themself, anyone below them
// in the reporting line, or anyone for HR and auditors. To everyone else
// the person does not exist (ErrNotFound).
func (s *People) Person(ctx context.Context, actor training.Actor, id string) (training.Person, error) {
	return s.person(ctx, actor, id)
}

// person is People.Person, for the other families.
func (s *core) person(ctx context.Context, actor training.Actor, id string) (training.Person, error) {
	var p training.Person
	err := s.read(ctx, func(o Org) error {
		var ok bool
		p, ok = o.Person(id)
		if !ok || !canSee(o, actor, id) {
			return fmt.Errorf("person %s: %w", id, training.ErrNotFound)
		}
		return nil
	})
	return p, err
}

// canSee is the object-level read rule: HR and auditors see everyone,
// anyone themself, and line managers (and Member Services officers, for
// Members) those they oversee.
func canSee(o Org, actor training.Actor, personID string) bool {
	return actor.ReadsAll() || actor.PersonID == personID || oversees(o, actor, personID)
}

// CanSee reports whether actor may see the person's records.
func (s *People) CanSee(ctx context.Context, actor training.Actor, personID string) (bool, error) {
	var sees bool
	err := s.read(ctx, func(o Org) error {
		_, ok := o.Person(personID)
		sees = ok && canSee(o, actor, personID)
		return nil
	})
	return sees, err
}

// UpdatePerson changes a person to what edit makes of their current input
// (their stored fields and their line manager's employee number). Only HR
// may: a person the actor cannot see is ErrNotFound and anyone else gets
// ErrForbidden, both before edit is called, so a caller's reading of its
// request never tells a stranger anything. An error from edit is returned
// as it is, with nothing stored. Changing the manager may not make a loop
// in the reporting line. An edit that changes nothing writes nothing.
func (s *People) UpdatePerson(ctx context.Context, actor training.Actor, id string, edit func(*training.PersonInput) error) (training.Person, error) {
	before, err := s.Person(ctx, actor, id)
	if err != nil {
		return training.Person{}, err
	}
	if !actor.HR {
		return training.Person{}, fmt.Errorf("update person: %w", training.ErrForbidden)
	}
	in := training.PersonInput{Person: before}
	if err := s.read(ctx, func(o Org) error {
		if m, ok := o.Person(before.ManagerID); ok {
			in.ManagerEmployeeNumber = m.EmployeeNumber
		}
		return nil
	}); err != nil {
		return training.Person{}, err
	}
	if err := edit(&in); err != nil {
		return training.Person{}, err
	}
	p := before.Edited(in)
	if err := s.read(ctx, func(o Org) error { return checkPerson(o, &p, in.ManagerEmployeeNumber) }); err != nil {
		return training.Person{}, err
	}
	if p == before {
		return before, nil
	}
	updated, err := s.store.UpdatePerson(ctx, p)
	if err != nil {
		return training.Person{}, s.explainConflict(err, p)
	}
	return updated, s.audit(ctx, actor, "person.update", "person", id, training.PersonForAudit(before), training.PersonForAudit(updated))
}

// PersonByEmail finds a person by e-mail, for signing in. It applies no
// authorization: the caller is not signed in yet.
func (s *People) PersonByEmail(ctx context.Context, email string) (training.Person, error) {
	var p training.Person
	err := s.read(ctx, func(o Org) error {
		var ok bool
		if p, ok = o.PersonByEmail(email); !ok {
			return fmt.Errorf("person by e-mail: %w", training.ErrNotFound)
		}
		return nil
	})
	return p, err
}

// PersonByID finds a person with no authorization, for the account layer
// (which acts for the person themself) and the jobs.
func (s *People) PersonByID(ctx context.Context, id string) (training.Person, error) {
	return s.Person(ctx, training.SystemActorFor(), id)
}

// Manages reports whether anyone reports to personID, directly: such a
// person has the manager role.
func (s *People) Manages(ctx context.Context, personID string) (bool, error) {
	var manages bool
	err := s.read(ctx, func(o Org) error { manages = len(o.Reports(personID)) > 0; return nil })
	return manages, err
}

// ManagerOf returns the person's line manager, if any (no authorization:
// for the jobs and e-mails).
func (s *People) ManagerOf(ctx context.Context, personID string) (training.Person, bool, error) {
	var m training.Person
	var found bool
	err := s.read(ctx, func(o Org) error {
		if p, ok := o.Person(personID); ok && p.ManagerID != "" {
			m, found = o.Person(p.ManagerID)
		}
		return nil
	})
	return m, found, err
}

// ListPeople lists the people the actor may see (HR and auditors: all;
// managers: their reporting line and themself; anyone else: themself),
// ordered by family name, given name, then ID.
func (s *People) ListPeople(ctx context.Context, actor training.Actor, f training.PeopleFilter, page training.PageRequest) (training.Page[training.Person], error) {
	if _, err := training.ParseStatus("status", string(f.Status)); err != nil {
		return training.Page[training.Person]{}, err
	}
	after, err := training.DecodeCursor(page.Cursor)
	if err != nil {
		return training.Page[training.Person]{}, err
	}
	today := s.Today()
	q := strings.ToLower(strings.TrimSpace(f.Query))
	var out []training.Person
	keep := func(o Org, p training.Person) {
		switch {
		case f.Department != "" && !strings.EqualFold(p.Department, f.Department):
		case q != "" && !matchesQuery(p, q):
		case f.Status != "" && !hasStatus(o, p, f.Status, today):
		default:
			out = append(out, p)
		}
	}
	err = s.read(ctx, func(o Org) error {
		if actor.ReadsAll() {
			o.EachPerson(func(p training.Person) bool { keep(o, p); return true })
			return nil
		}
		for _, id := range append(overseen(o, actor), actor.PersonID) {
			if p, ok := o.Person(id); ok {
				keep(o, p)
			}
		}
		return nil
	})
	if err != nil {
		return training.Page[training.Person]{}, err
	}
	return training.Paginate(sortedByKey(out, personKey), after, page.Size(), personKey), nil
}

func comparePeople(a, b training.Person) int {
	return cmp.Or(
		strings.Compare(strings.ToLower(a.FamilyName), strings.ToLower(b.FamilyName)),
		strings.Compare(strings.ToLower(a.GivenName), strings.ToLower(b.GivenName)),
		strings.Compare(a.ID, b.ID),
	)
}

func personKey(p training.Person) string {
	return strings.ToLower(p.FamilyName) + "\x00" + strings.ToLower(p.GivenName) + "\x00" + p.ID
}

func matchesQuery(p training.Person, q string) bool {
	for _, s := range []string{p.GivenName + " " + p.FamilyName, p.Email, p.EmployeeNumber} {
		if strings.Contains(strings.ToLower(s), q) {
			return true
		}
	}
	return false
}

// hasStatus reports whether the person has status st for at least one
// course.
func hasStatus(o Org, p training.Person, st training.Status, today training.Date) bool {
	for _, c := range o.Courses() {
		a := training.Evaluate(p, c, o.Completions(p.ID), o.Exemptions(p.ID), today, timeZero)
		if a.Applicable && a.Status == st {
			return true
		}
	}
	return false
}

// EmployeeNumberOf returns the employee number of a person ID ("" when
// unknown), for showing a manager link as HR systems name it.
func (s *People) EmployeeNumberOf(id string) string {
	if id == "" {
		return ""
	}
	var number string
	s.store.Peek(func(o Org) {
		if p, ok := o.Person(id); ok {
			number = p.EmployeeNumber
		}
	})
	return number
}

// PersonWarnings lists what is allowed in a stored person but probably a
// mistake, as of today in the organisation's zone (see Person.Warnings).
func (s *People) PersonWarnings(p training.Person) []training.FieldError {
	return p.Warnings(s.Today())
}

// LineManagers returns everyone above the person in the reporting line,
// nearest first (no authorization: for the jobs).
func (s *People) LineManagers(ctx context.Context, personID string) ([]training.Person, error) {
	var out []training.Person
	err := s.read(ctx, func(o Org) error {
		p, ok := o.Person(personID)
		for steps := 0; ok && p.ManagerID != "" && steps <= o.People(); steps++ {
			if p, ok = o.Person(p.ManagerID); ok {
				out = append(out, p)
			}
		}
		return nil
	})
	return out, err
}

func isConflict(err error) bool { return errors.Is(err, training.ErrConflict) }

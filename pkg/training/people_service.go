package training

import (
	"cmp"
	"context"
	"fmt"
	"slices"
	"strings"
)

// PersonInput is a new person as HR enters it. The line manager is named
// by employee number, as HR systems export it.
type PersonInput struct {
	EmployeeNumber        string
	Email                 string
	GivenName             string
	FamilyName            string
	Kind                  Kind
	JobTitle              string
	Department            string
	ManagerEmployeeNumber string
	StartDate             Date
	EndDate               Date
}

// PersonPatch changes some fields of a person; nil leaves a field alone.
// ClearEndDate brings a leaver back (EndDate cannot say "no date" itself).
type PersonPatch struct {
	EmployeeNumber        *string
	Email                 *string
	GivenName             *string
	FamilyName            *string
	Kind                  *Kind
	JobTitle              *string
	Department            *string
	ManagerEmployeeNumber *string // "" removes the manager
	StartDate             *Date
	EndDate               *Date // zero Date clears it
}

// Apply writes a patch's fields onto p, trimming text. The manager link is
// left to the caller, who resolves employee numbers.
func (p *Person) Apply(patch PersonPatch) {
	set := func(dst *string, src *string) {
		if src != nil {
			*dst = TrimText(*src)
		}
	}
	set(&p.EmployeeNumber, patch.EmployeeNumber)
	set(&p.Email, patch.Email)
	set(&p.GivenName, patch.GivenName)
	set(&p.FamilyName, patch.FamilyName)
	set(&p.JobTitle, patch.JobTitle)
	set(&p.Department, patch.Department)
	if patch.Kind != nil {
		p.Kind = *patch.Kind
	}
	if patch.StartDate != nil {
		p.StartDate = *patch.StartDate
	}
	if patch.EndDate != nil {
		p.EndDate = *patch.EndDate
	}
}

// personAudit is how a person appears in the audit log.
type personAudit struct {
	ID             string `json:"id"`
	EmployeeNumber string `json:"employee_number"`
	Email          string `json:"email"`
	GivenName      string `json:"given_name"`
	FamilyName     string `json:"family_name"`
	Kind           Kind   `json:"kind"`
	JobTitle       string `json:"job_title"`
	Department     string `json:"department"`
	ManagerID      string `json:"manager_id,omitempty"`
	StartDate      Date   `json:"start_date"`
	EndDate        Date   `json:"end_date"`
}

func auditPerson(p Person) personAudit {
	return personAudit{p.ID, p.EmployeeNumber, p.Email, p.GivenName, p.FamilyName, p.Kind, p.JobTitle, p.Department, p.ManagerID, p.StartDate, p.EndDate}
}

// CreatePerson adds a person. Only HR may.
func (s *Service) CreatePerson(ctx context.Context, actor Actor, in PersonInput) (Person, error) {
	if !actor.HR {
		return Person{}, fmt.Errorf("create person: %w", ErrForbidden)
	}
	if err := s.refresh(ctx); err != nil {
		return Person{}, err
	}
	p := in.person()
	if err := s.checkPerson(&p, in.ManagerEmployeeNumber); err != nil {
		return Person{}, err
	}
	created, err := s.store.CreatePerson(ctx, p)
	if err != nil {
		return Person{}, s.explainConflict(err, p)
	}
	s.roster.mu.Lock()
	s.roster.putPerson(created)
	s.roster.mu.Unlock()
	s.changed(ctx)
	return created, s.audit(ctx, actor, "person.create", "person", created.ID, nil, auditPerson(created))
}

// checkPerson validates p, resolves its manager's employee number, and
// checks uniqueness against the roster so the caller gets a clear message
// (the store's unique indexes remain the final guard).
func (s *Service) checkPerson(p *Person, managerNumber string) error {
	v := &ValidationError{}
	if err := p.Validate(); err != nil {
		v = err.(*ValidationError)
	}
	r := s.roster
	r.mu.RLock()
	defer r.mu.RUnlock()
	managerNumber = TrimText(managerNumber)
	p.ManagerID = ""
	if managerNumber != "" {
		id, ok := r.byNumber[managerNumber]
		switch {
		case !ok:
			v.Problem("manager_employee_number", "There is no one with employee number %s to be the line manager", managerNumber)
		case id == p.ID || managerNumber == p.EmployeeNumber:
			v.Problem("manager_employee_number", "A person cannot be their own line manager")
		case p.ID != "" && r.isAbove(p.ID, id):
			v.Problem("manager_employee_number", "The person with employee number %s reports to this person already, directly or further down, so they cannot be their line manager", managerNumber)
		default:
			p.ManagerID = id
		}
	}
	if err := v.Err(); err != nil {
		return err
	}
	if id, ok := r.byNumber[p.EmployeeNumber]; ok && id != p.ID {
		return Conflict("Someone else already has the employee number %s.", p.EmployeeNumber)
	}
	if id, ok := r.byEmail[NormaliseEmail(p.Email)]; ok && id != p.ID {
		return Conflict("Someone else already has the email address %s.", p.Email)
	}
	return nil
}

// explainConflict turns the store's unique-index conflict (a write that
// raced another) into the same message checkPerson gives.
func (s *Service) explainConflict(err error, p Person) error {
	if !isConflict(err) {
		return err
	}
	return Conflict("Someone else already has the employee number %s or the email address %s.", p.EmployeeNumber, p.Email)
}

// Person returns a person the actor may see: themself, anyone below them
// in the reporting line, or anyone for HR and auditors. To everyone else
// the person does not exist (ErrNotFound).
func (s *Service) Person(ctx context.Context, actor Actor, id string) (Person, error) {
	if err := s.refresh(ctx); err != nil {
		return Person{}, err
	}
	r := s.roster
	r.mu.RLock()
	defer r.mu.RUnlock()
	p, ok := r.people[id]
	if !ok || !s.canSee(actor, id) {
		return Person{}, fmt.Errorf("person %s: %w", id, ErrNotFound)
	}
	return *p, nil
}

// canSee is the object-level read rule. Callers hold the roster lock.
func (s *Service) canSee(actor Actor, personID string) bool {
	return actor.readsAll() || actor.PersonID == personID || s.roster.isAbove(actor.PersonID, personID)
}

// CanSee reports whether actor may see the person's records.
func (s *Service) CanSee(ctx context.Context, actor Actor, personID string) (bool, error) {
	if err := s.refresh(ctx); err != nil {
		return false, err
	}
	s.roster.mu.RLock()
	defer s.roster.mu.RUnlock()
	_, ok := s.roster.people[personID]
	return ok && s.canSee(actor, personID), nil
}

// UpdatePerson applies a patch. Only HR may. Changing the manager may not
// make a loop in the reporting line.
func (s *Service) UpdatePerson(ctx context.Context, actor Actor, id string, patch PersonPatch) (Person, error) {
	before, err := s.Person(ctx, actor, id)
	if err != nil {
		return Person{}, err
	}
	if !actor.HR {
		return Person{}, fmt.Errorf("update person: %w", ErrForbidden)
	}
	p := before
	p.Apply(patch)
	managerNumber := ""
	s.roster.mu.RLock()
	if m, ok := s.roster.people[before.ManagerID]; ok {
		managerNumber = m.EmployeeNumber
	}
	s.roster.mu.RUnlock()
	if patch.ManagerEmployeeNumber != nil {
		managerNumber = *patch.ManagerEmployeeNumber
	}
	if err := s.checkPerson(&p, managerNumber); err != nil {
		return Person{}, err
	}
	if p == before {
		return before, nil
	}
	updated, err := s.store.UpdatePerson(ctx, p)
	if err != nil {
		return Person{}, s.explainConflict(err, p)
	}
	s.roster.mu.Lock()
	s.roster.putPerson(updated)
	s.roster.mu.Unlock()
	s.changed(ctx)
	return updated, s.audit(ctx, actor, "person.update", "person", id, auditPerson(before), auditPerson(updated))
}

// PersonByEmail finds a person by e-mail, for signing in. It applies no
// authorization: the caller is not signed in yet.
func (s *Service) PersonByEmail(ctx context.Context, email string) (Person, error) {
	if err := s.refresh(ctx); err != nil {
		return Person{}, err
	}
	s.roster.mu.RLock()
	defer s.roster.mu.RUnlock()
	id, ok := s.roster.byEmail[NormaliseEmail(email)]
	if !ok {
		return Person{}, fmt.Errorf("person by e-mail: %w", ErrNotFound)
	}
	return *s.roster.people[id], nil
}

// PersonByID finds a person with no authorization, for the account layer
// (which acts for the person themself) and the jobs.
func (s *Service) PersonByID(ctx context.Context, id string) (Person, error) {
	return s.Person(ctx, SystemActorFor(), id)
}

// Manages reports whether anyone reports to personID, directly: such a
// person has the manager role.
func (s *Service) Manages(ctx context.Context, personID string) (bool, error) {
	if err := s.refresh(ctx); err != nil {
		return false, err
	}
	s.roster.mu.RLock()
	defer s.roster.mu.RUnlock()
	return len(s.roster.reports[personID]) > 0, nil
}

// ManagerOf returns the person's line manager, if any (no authorization:
// for the jobs and e-mails).
func (s *Service) ManagerOf(ctx context.Context, personID string) (Person, bool, error) {
	if err := s.refresh(ctx); err != nil {
		return Person{}, false, err
	}
	s.roster.mu.RLock()
	defer s.roster.mu.RUnlock()
	p, ok := s.roster.people[personID]
	if !ok || p.ManagerID == "" {
		return Person{}, false, nil
	}
	m, ok := s.roster.people[p.ManagerID]
	if !ok {
		return Person{}, false, nil
	}
	return *m, true, nil
}

// PeopleFilter narrows ListPeople; empty fields do not filter.
type PeopleFilter struct {
	Department string
	Query      string // matched against names, e-mail and employee number, ignoring case
	Status     Status // people with this status for at least one course
}

// ListPeople lists the people the actor may see (HR and auditors: all;
// managers: their reporting line and themself; anyone else: themself),
// ordered by family name, given name, then ID.
func (s *Service) ListPeople(ctx context.Context, actor Actor, f PeopleFilter, page PageRequest) (Page[Person], error) {
	if err := s.refresh(ctx); err != nil {
		return Page[Person]{}, err
	}
	if f.Status != "" && !f.Status.Valid() {
		return Page[Person]{}, Invalid("status", "Choose a status: compliant, expiring, expired, due, overdue or exempt.")
	}
	after, err := decodeCursor(page.Cursor)
	if err != nil {
		return Page[Person]{}, err
	}
	today := s.Today()
	q := strings.ToLower(strings.TrimSpace(f.Query))
	r := s.roster
	r.mu.RLock()
	defer r.mu.RUnlock()
	var ids []string
	if actor.readsAll() {
		for id := range r.people {
			ids = append(ids, id)
		}
	} else {
		ids = append(r.below(actor.PersonID), actor.PersonID)
	}
	var out []Person
	for _, id := range ids {
		p, ok := r.people[id]
		if !ok {
			continue
		}
		if f.Department != "" && !strings.EqualFold(p.Department, f.Department) {
			continue
		}
		if q != "" && !matchesQuery(*p, q) {
			continue
		}
		if f.Status != "" && !s.hasStatus(*p, f.Status, today) {
			continue
		}
		out = append(out, *p)
	}
	slices.SortFunc(out, comparePeople)
	return paginate(out, after, page.Size(), personKey), nil
}

func comparePeople(a, b Person) int {
	return cmp.Or(
		strings.Compare(strings.ToLower(a.FamilyName), strings.ToLower(b.FamilyName)),
		strings.Compare(strings.ToLower(a.GivenName), strings.ToLower(b.GivenName)),
		strings.Compare(a.ID, b.ID),
	)
}

func personKey(p Person) string {
	return strings.ToLower(p.FamilyName) + "\x00" + strings.ToLower(p.GivenName) + "\x00" + p.ID
}

func matchesQuery(p Person, q string) bool {
	for _, s := range []string{p.GivenName + " " + p.FamilyName, p.Email, p.EmployeeNumber} {
		if strings.Contains(strings.ToLower(s), q) {
			return true
		}
	}
	return false
}

// hasStatus reports whether the person has status st for at least one
// course. Callers hold the roster lock.
func (s *Service) hasStatus(p Person, st Status, today Date) bool {
	for _, c := range s.roster.courses {
		a := Evaluate(p, c, s.roster.complete[p.ID], s.roster.exempt[p.ID], today, timeZero)
		if a.Applicable && a.Status == st {
			return true
		}
	}
	return false
}

// EmployeeNumberOf returns the employee number of a person ID ("" when
// unknown), for showing a manager link as HR systems name it.
func (s *Service) EmployeeNumberOf(id string) string {
	if id == "" {
		return ""
	}
	s.roster.mu.RLock()
	defer s.roster.mu.RUnlock()
	if p, ok := s.roster.people[id]; ok {
		return p.EmployeeNumber
	}
	return ""
}

// Validate checks the fields of a new person, as CreatePerson will; the
// HTTP layer calls it to report every bad field at once, alongside its own
// parsing errors.
func (in PersonInput) Validate() error {
	return in.person().Validate()
}

// person is the input as CreatePerson stores it, trimmed, without its
// manager link.
func (in PersonInput) person() Person {
	return Person{
		EmployeeNumber: TrimText(in.EmployeeNumber), Email: TrimText(in.Email),
		GivenName: TrimText(in.GivenName), FamilyName: TrimText(in.FamilyName), Kind: in.Kind,
		JobTitle: TrimText(in.JobTitle), Department: TrimText(in.Department),
		StartDate: in.StartDate, EndDate: in.EndDate,
	}
}

// Warnings lists what is allowed in the input but probably a mistake, as
// of day today (see Person.Warnings).
func (in PersonInput) Warnings(today Date) []FieldError {
	return in.person().Warnings(today)
}

// PersonWarnings lists what is allowed in a stored person but probably a
// mistake, as of today in the organisation's zone (see Person.Warnings).
func (s *Service) PersonWarnings(p Person) []FieldError {
	return p.Warnings(s.Today())
}

// LineManagers returns everyone above the person in the reporting line,
// nearest first (no authorization: for the jobs).
func (s *Service) LineManagers(ctx context.Context, personID string) ([]Person, error) {
	if err := s.refresh(ctx); err != nil {
		return nil, err
	}
	r := s.roster
	r.mu.RLock()
	defer r.mu.RUnlock()
	var out []Person
	p := r.people[personID]
	for steps := 0; p != nil && p.ManagerID != "" && steps <= len(r.people); steps++ {
		m := r.people[p.ManagerID]
		if m == nil {
			break
		}
		out = append(out, *m)
		p = m
	}
	return out, nil
}

package training

import "time"

// PersonInput is a new person as HR enters it: the person's own fields
// (their ID, manager link and record times are ignored) and the line
// manager named by employee number, as HR systems export it.
type PersonInput struct {
	Person
	ManagerEmployeeNumber string
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

// PeopleFilter narrows ListPeople; empty fields do not filter.
type PeopleFilter struct {
	Department string
	Query      string // matched against names, e-mail and employee number, ignoring case
	Status     Status // people with this status for at least one course
}

// Validate checks the fields of a new person, as CreatePerson will; the
// HTTP layer calls it to report every bad field at once, alongside its own
// parsing errors.
func (in PersonInput) Validate() error {
	return in.Record().Validate()
}

// Record is the input as CreatePerson stores it, trimmed, without its
// manager link.
func (in PersonInput) Record() Person {
	p := in.Person.Trimmed()
	p.ID, p.ManagerID, p.CreatedAt, p.UpdatedAt = "", "", time.Time{}, time.Time{}
	return p
}

// Warnings lists what is allowed in the input but probably a mistake, as
// of day today (see Person.Warnings).
func (in PersonInput) Warnings(today Date) []FieldError {
	return in.Record().Warnings(today)
}

package training

import "time"

// PersonInput is a person as HR enters them, new or changed: the person's
// own fields (their ID, manager link and record times are ignored) and
// the line manager named by employee number, as HR systems export it. An
// edit is always a whole input: the front doors lay what they were sent
// over the person's current input, so the fields are spelled out only
// where they are read and written.
type PersonInput struct {
	Person
	ManagerEmployeeNumber string
}

// Edited is p changed to what in says: in's fields, trimmed, with p's ID,
// manager link and record times. The caller resolves in's manager
// employee number into the link. An edit that changes nothing gives p
// back exactly, so comparing the two says whether there is anything to
// store.
func (p Person) Edited(in PersonInput) Person {
	e := in.Record()
	e.ID, e.ManagerID, e.CreatedAt, e.UpdatedAt = p.ID, p.ManagerID, p.CreatedAt, p.UpdatedAt
	return e
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

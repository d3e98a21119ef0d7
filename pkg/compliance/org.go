package compliance

import (
	"context"

	"github.com/complytrack/complytrack/pkg/training"
)

// Roster is the organisation as the service reads it: every person and
// their reporting line, the courses, and everyone's completions and
// exemptions. The team view, the reports, authorization and the daily
// scan need all of it at once, so the store keeps it in memory
// (pkg/readmodel) and hands the service a consistent view.
type Roster interface {
	// Read calls fn with the organisation, brought up to date first with
	// every change committed before Read was called (by this process or
	// any other). fn must not keep the view or call back into the store.
	Read(ctx context.Context, fn func(Org) error) error
	// Peek is Read without bringing the view up to date, for the few
	// callers with no context (a label on a page).
	Peek(fn func(Org))
}

// Org is a read-only view of the organisation. Slices it returns belong
// to the view: callers copy before changing them.
type Org interface {
	Person(id string) (training.Person, bool)
	PersonByEmail(email string) (training.Person, bool)
	PersonByNumber(employeeNumber string) (training.Person, bool)
	// Reports returns the IDs of the people reporting directly to managerID.
	Reports(managerID string) []string
	// Below returns everyone in managerID's reporting line, direct and
	// indirect, breadth first.
	Below(managerID string) []string
	// IsAbove reports whether managerID is somewhere above personID in
	// the reporting line.
	IsAbove(managerID, personID string) bool
	// EachPerson calls fn for everyone, in no order, until fn returns false.
	EachPerson(fn func(training.Person) bool)
	People() int

	Course(code string) (training.Course, bool)
	// Courses returns every course ordered by code.
	Courses() []training.Course

	// Completions returns a person's completions, oldest first.
	Completions(personID string) []training.Completion
	Exemptions(personID string) []training.Exemption
	// CompletionOwner and ExemptionOwner return the person a completion
	// or exemption belongs to.
	CompletionOwner(id string) (string, bool)
	ExemptionOwner(id string) (string, bool)
}

// read is Roster.Read for the service's own methods.
func (s *core) read(ctx context.Context, fn func(Org) error) error {
	return s.store.Read(ctx, fn)
}

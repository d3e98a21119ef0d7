package training

import "time"

// FlagKind says why someone was flagged.
type FlagKind string

const (
	FlagNewStarter        FlagKind = "new_starter"        // assigned a course, inside their window
	FlagDueSoon           FlagKind = "due_soon"           // expiring soon
	FlagOverdue           FlagKind = "overdue"            // never completed, past the due date
	FlagExpired           FlagKind = "expired"            // lapsed
	FlagDuplicateEvidence FlagKind = "duplicate_evidence" // one certificate file offered for two people
)

// FlagKinds lists every kind.
var FlagKinds = []FlagKind{FlagNewStarter, FlagDueSoon, FlagOverdue, FlagExpired, FlagDuplicateEvidence}

// Valid reports whether k is one of FlagKinds.
func (k FlagKind) Valid() bool {
	for _, v := range FlagKinds {
		if k == v {
			return true
		}
	}
	return false
}

// Flag is something the system raised for HR and managers to act on.
// Flags are inserted once under a unique key and never changed; that
// someone dealt with one is recorded beside it, once.
type Flag struct {
	ID             string
	Key            string // unique: what makes a second raise of the same thing a no-op
	PersonID       string
	EmployeeNumber string
	CourseCode     string
	Kind           FlagKind
	RaisedAt       time.Time
	DueOn          Date
	Detail         string
	// DealtWith says who marked the flag as dealt with, and when; nil
	// while it is open.
	DealtWith *Decision
}

// FlagState is whether a flag still waits for someone to act on it.
type FlagState string

const (
	FlagOpen      FlagState = "open"
	FlagDealtWith FlagState = "dealt_with"
)

// FlagStateProblem is the message for a state that is not one of these.
const FlagStateProblem = "Choose which flags to show: open or dealt_with."

// ParseFlagState reads a flag state; empty means either (no filter).
func ParseFlagState(field, s string) (FlagState, error) {
	return parseOptional(field, s, FlagStateProblem, FlagOpen, FlagDealtWith)
}

// State is the flag's state.
func (f Flag) State() FlagState {
	if f.DealtWith != nil {
		return FlagDealtWith
	}
	return FlagOpen
}

// FlagRow is a flag as a list shows it: with the person it is about and
// their status for the flag's course today (HasStatus is false when the
// course no longer applies to them, a leaver for one).
type FlagRow struct {
	Flag      Flag
	Person    Person
	Status    Status
	HasStatus bool
	// DealtWithBy names who dealt with the flag, when the reader may see
	// them ("" otherwise, or while the flag is open).
	DealtWithBy string
}

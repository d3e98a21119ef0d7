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
// Flags are inserted once under a unique key and never changed.
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
}

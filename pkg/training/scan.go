package training

import (
	"fmt"
)

// A scan raises flags on transitions and the jobs notify people about
// them. Exactly once, on both engines and through crashes, comes from keys:
// every flag and every notice has a key made of (what, who, which course,
// which cycle), stored under a unique index. The jobs queue an e-mail under
// the same key first and record the flag or notice after, so a crash in
// between leaves the e-mail queued and the next run records it; a second
// run with nothing changed finds every key recorded and writes nothing.

// Notice records, once, a notification that is not a flag (an escalation
// to HR, a weekly digest). A batch notice also names every key it covers
// and carries the e-mail it stands for: it is recorded in one insert before
// the e-mail is queued, so a run killed in between finishes sending it next
// time, and nobody it covers is ever put in a second batch.
type Notice struct {
	Key     string
	Covers  []string // batch only: the keys it covers
	To      []string // batch only: its recipients
	Subject string   // batch only
	Body    string   // batch only
}

// Due is one person's transition on one course found by a scan.
type Due struct {
	Flag       Flag // Key, Kind, PersonID, CourseCode, DueOn set
	Person     Person
	Manager    Person // zero when none
	Course     Course
	Assessment Assessment
}

// ScanResult is what a scan found on a day.
type ScanResult struct {
	Today Date
	// New are transitions not flagged before.
	New []Due
	// Overdue are everyone overdue or expired, for escalation and digests.
	Overdue []Due
	// DueSoon are everyone expiring or due (in their window), for digests.
	DueSoon []Due
	// Evaluated counts the (person, course) pairs looked at.
	Evaluated int
	// ByCourse tallies every applicable person's status, by course code.
	ByCourse map[string]Tally
}

// FlagKindFor maps a status to the flag it raises, if any.
func FlagKindFor(st Status) (FlagKind, bool) {
	switch st {
	case StatusDue:
		return FlagNewStarter, true
	case StatusExpiring:
		return FlagDueSoon, true
	case StatusOverdue:
		return FlagOverdue, true
	case StatusExpired:
		return FlagExpired, true
	}
	return "", false
}

// FlagKey is the key of a transition: the kind, the person, the course and
// the date that defines the cycle (the due or expiry date), so the next
// cycle (after a renewal) is a new flag.
func FlagKey(kind FlagKind, personID, courseCode string, cycle Date) string {
	return fmt.Sprintf("%s:%s:%s:%s", kind, personID, courseCode, cycle)
}

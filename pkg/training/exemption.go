package training

import "time"

// Exemption excuses a person from a course, with a reason, until an optional
// end date (inclusive). Removing one is recorded, never deleted, so that a
// report for a past day still sees it.
type Exemption struct {
	ID         string
	PersonID   string
	CourseCode string
	Reason     string
	Until      Date // zero: no end date
	CreatedBy  string
	CreatedAt  time.Time
	// Removal is set once when HR withdraws the exemption.
	Removal *Decision
}

// InForce reports whether the exemption excuses the person on day today, as
// known at instant t (zero t: now). An exemption counts from the day it was
// granted (its grant instant in the organisation's zone is irrelevant here:
// the caller passes only exemptions known at t).
func (e Exemption) InForce(today Date, t time.Time) bool {
	if !t.IsZero() && e.CreatedAt.After(t) {
		return false
	}
	if e.Removal != nil && (t.IsZero() || !e.Removal.At.After(t)) {
		return false
	}
	return e.Until.IsZero() || !today.After(e.Until)
}

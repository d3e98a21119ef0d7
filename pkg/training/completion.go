package training

import "time"

// Source says who recorded a completion.
type Source string

const (
	SourceSelf    Source = "self"    // the person self-certified
	SourceHR      Source = "hr"      // HR recorded it
	SourceTrainer Source = "trainer" // a trainer recorded attendance at a session
	SourceImport  Source = "import"  // loaded from an earlier system
)

// State is where a completion stands.
type State string

const (
	StateAccepted State = "accepted" // counts
	StatePending  State = "pending"  // awaits verification
	StateRejected State = "rejected" // a verifier refused it
	StateRevoked  State = "revoked"  // HR withdrew it after the fact
)

// Evidence file limits and kinds.
const MaxEvidenceBytes = 5 << 20

// EvidenceFile describes a stored certificate file. The bytes live in the store.
type EvidenceFile struct {
	FileID      string
	SHA256      string // hex
	ContentType string // application/pdf, image/png or image/jpeg, from the first bytes
	Size        int64
	Filename    string
}

// Decision is one verifier's or HR officer's act on a completion.
type Decision struct {
	By     string // person ID of who decided
	At     time.Time
	Reason string
}

// Completion is one record that a person finished a course on a day.
//
// It is never edited: its review (verification or rejection) and its
// revocation are each recorded once, beside it, with who, when and why. So
// the state on any past instant can be worked out again (StateAt).
type Completion struct {
	ID             string
	PersonID       string
	CourseCode     string
	CompletedOn    Date
	Source         Source
	CertificateRef string
	Evidence       *EvidenceFile
	RecordedBy     string
	RecordedAt     time.Time
	// NeedsVerification is the course's rule when the completion was
	// recorded: when true it starts pending, else accepted.
	NeedsVerification bool
	// Review is set once when a pending completion is verified or rejected.
	Review *Review
	// Revocation is set once when HR revokes the completion.
	Revocation *Decision
}

// Review is the verification outcome of a pending completion.
type Review struct {
	Decision
	Accepted bool
}

// State is the completion's state now.
func (c Completion) State() State {
	s, _ := c.StateAt(time.Time{})
	return s
}

// StateAt is the completion's state as it was known at instant t. known is
// false when the completion had not been recorded yet. A zero t means "now"
// (everything recorded counts).
func (c Completion) StateAt(t time.Time) (s State, known bool) {
	at := func(x time.Time) bool { return t.IsZero() || !x.After(t) }
	if !at(c.RecordedAt) {
		return "", false
	}
	if c.Revocation != nil && at(c.Revocation.At) {
		return StateRevoked, true
	}
	if c.Review != nil && at(c.Review.At) {
		if c.Review.Accepted {
			return StateAccepted, true
		}
		return StateRejected, true
	}
	if c.NeedsVerification {
		return StatePending, true
	}
	return StateAccepted, true
}

// CheckCompletedOn refuses a completion date after today (in the
// organisation's zone) or before the year 1900.
func CheckCompletedOn(completedOn, today Date) error {
	if completedOn.IsZero() {
		return Invalid("completed_on", "Enter the date the course was completed.")
	}
	if completedOn.After(today) {
		return Invalid("completed_on", "The date the course was completed must be today or in the past (today is %s).", today)
	}
	if completedOn.Year() < 1900 {
		return Invalid("completed_on", "The date the course was completed must be in the year 1900 or later.")
	}
	return nil
}

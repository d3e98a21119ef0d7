package training

import (
	"strings"
)

// TeamMember is one person in a manager's reporting line with their
// training.
type TeamMember struct {
	Person   Person
	Training []Assessment
}

// TeamFilter narrows the team view; empty fields do not filter.
type TeamFilter struct {
	Status     Status
	CourseCode string
}

// ExplanationText joins an assessment's explanation into one line.
func (a Assessment) ExplanationText() string { return strings.Join(a.Explanation, "; ") }

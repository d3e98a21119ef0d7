package training

import "time"

// Reminded records that a person was sent a reminder of a course by hand
// (a manager's or HR's "Send a reminder"): when, and by whom.
type Reminded struct {
	PersonID   string
	CourseCode string
	At         time.Time
	By         string
}

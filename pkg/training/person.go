package training

import (
	"net/mail"
	"strings"
	"time"
	"unicode/utf8"
)

// Kind is what sort of person someone is to the organisation. Courses apply to
// kinds: the Prevent duty covers staff and elected Members.
type Kind string

const (
	KindStaff      Kind = "staff"
	KindMember     Kind = "member" // an elected Member (councillor)
	KindContractor Kind = "contractor"
	KindVolunteer  Kind = "volunteer"
)

// Kinds lists every Kind in display order.
var Kinds = []Kind{KindStaff, KindMember, KindContractor, KindVolunteer}

// Valid reports whether k is one of Kinds.
func (k Kind) Valid() bool {
	for _, v := range Kinds {
		if k == v {
			return true
		}
	}
	return false
}

// Person is an employee, elected Member, contractor or volunteer who may have
// to complete statutory training. People are never deleted: a leaver gets an
// end date.
type Person struct {
	ID             string
	EmployeeNumber string
	Email          string
	GivenName      string
	FamilyName     string
	Kind           Kind
	JobTitle       string
	Department     string
	// ManagerID is the ID of the person's line manager, empty for the top of
	// the organisation and for elected Members.
	ManagerID string
	StartDate Date
	EndDate   Date // zero while the person is still here
	CreatedAt time.Time
	UpdatedAt time.Time
}

// FullName is "Given Family".
func (p Person) FullName() string {
	return strings.TrimSpace(p.GivenName + " " + p.FamilyName)
}

// IsLeaver reports whether the person has left by today: their end date is
// before today. On their last day they are still here.
func (p Person) IsLeaver(today Date) bool {
	return !p.EndDate.IsZero() && p.EndDate.Before(today)
}

// NormaliseEmail returns the form used for uniqueness and look-ups: trimmed and
// lower-cased.
func NormaliseEmail(email string) string {
	return strings.ToLower(strings.TrimSpace(email))
}

// Field length limits. They bound what one request can store.
const (
	maxNameLen   = 100
	maxNumberLen = 40
	maxEmailLen  = 254
	maxTextLen   = 200
)

// Validate checks every field of a person that is about to be stored and
// returns a ValidationError naming each bad field. The manager link is checked
// by the service, which knows the other people.
func (p Person) Validate() error {
	v := &ValidationError{}
	checkText(v, "employee_number", p.EmployeeNumber, maxNumberLen, true)
	if p.EmployeeNumber != "" && strings.ContainsAny(p.EmployeeNumber, " \t\r\n/\\?#%") {
		v.Add("employee_number", "must not contain spaces or the characters / \\ ? # %%")
	}
	checkText(v, "given_name", p.GivenName, maxNameLen, true)
	checkText(v, "family_name", p.FamilyName, maxNameLen, true)
	checkText(v, "job_title", p.JobTitle, maxTextLen, false)
	checkText(v, "department", p.Department, maxTextLen, false)
	switch {
	case strings.TrimSpace(p.Email) == "":
		v.Add("email", "is required")
	case len(p.Email) > maxEmailLen:
		v.Add("email", "must be at most %d characters", maxEmailLen)
	default:
		if a, err := mail.ParseAddress(p.Email); err != nil || a.Address != strings.TrimSpace(p.Email) {
			v.Add("email", "must be an e-mail address like name@example.org")
		}
	}
	if !p.Kind.Valid() {
		v.Add("kind", "must be one of staff, member, contractor, volunteer")
	}
	if p.StartDate.IsZero() {
		v.Add("start_date", "is required")
	}
	if !p.EndDate.IsZero() && !p.StartDate.IsZero() && p.EndDate.Before(p.StartDate) {
		v.Add("end_date", "must be on or after the start date %s", p.StartDate)
	}
	if p.ManagerID != "" && p.ManagerID == p.ID {
		v.Add("manager_employee_number", "a person cannot be their own line manager")
	}
	return v.Err()
}

func checkText(v *ValidationError, field, s string, max int, required bool) {
	switch {
	case required && strings.TrimSpace(s) == "":
		v.Add(field, "is required")
	case !utf8.ValidString(s):
		v.Add(field, "must be valid UTF-8 text")
	case utf8.RuneCountInString(s) > max:
		v.Add(field, "must be at most %d characters", max)
	case strings.ContainsFunc(s, func(r rune) bool { return r < 0x20 || r == 0x7f }):
		v.Add(field, "must not contain control characters")
	}
}

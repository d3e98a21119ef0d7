package training

import (
	"net/mail"
	"strings"
	"time"
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

// KindProblem is the message for a kind that is not one of Kinds.
const KindProblem = "The kind of person must be staff, member, contractor or volunteer."

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
//
// The JSON names are how a person appears in the audit log's "before" and
// "after" (PersonForAudit), in the API's own field names.
type Person struct {
	ID             string `json:"id"`
	EmployeeNumber string `json:"employee_number"`
	Email          string `json:"email"`
	GivenName      string `json:"given_name"`
	FamilyName     string `json:"family_name"`
	Kind           Kind   `json:"kind"`
	JobTitle       string `json:"job_title"`
	Department     string `json:"department"`
	// ManagerID is the ID of the person's line manager, empty for the top of
	// the organisation and for elected Members.
	ManagerID string    `json:"manager_id,omitempty"`
	StartDate Date      `json:"start_date"`
	EndDate   Date      `json:"end_date"` // zero while the person is still here
	CreatedAt time.Time `json:"-"`
	UpdatedAt time.Time `json:"-"`
}

// Trimmed is p with the blanks around its text fields taken off
// (TrimText).
func (p Person) Trimmed() Person {
	for _, s := range []*string{&p.EmployeeNumber, &p.Email, &p.GivenName, &p.FamilyName, &p.JobTitle, &p.Department} {
		*s = TrimText(*s)
	}
	return p
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
	CheckText(v, "employee_number", p.EmployeeNumber, maxNumberLen, true)
	if p.EmployeeNumber != "" && strings.ContainsAny(p.EmployeeNumber, " \t\r\n/\\?#%") {
		v.Problem("employee_number", "The employee number must not contain spaces or the characters / \\ ? # %%")
	}
	CheckText(v, "given_name", p.GivenName, maxNameLen, true)
	CheckText(v, "family_name", p.FamilyName, maxNameLen, true)
	CheckText(v, "job_title", p.JobTitle, maxTextLen, false)
	CheckText(v, "department", p.Department, maxTextLen, false)
	switch {
	case strings.TrimSpace(p.Email) == "":
		v.Problem("email", "Enter the email address")
	case len(p.Email) > maxEmailLen:
		v.Problem("email", "The email address must be %d characters or fewer", maxEmailLen)
	case !ValidEmail(p.Email):
		v.Problem("email", "Enter the email address in the correct format, like name@example.org")
	}
	if !p.Kind.Valid() {
		v.Add("kind", "%s", KindProblem)
	}
	if p.StartDate.IsZero() {
		v.Problem("start_date", "Enter the start date")
	}
	if !p.EndDate.IsZero() && !p.StartDate.IsZero() && p.EndDate.Before(p.StartDate) {
		v.Problem("end_date", "The end date must be the same as or after the start date, %s", p.StartDate)
	}
	if p.ManagerID != "" && p.ManagerID == p.ID {
		v.Problem("manager_employee_number", "A person cannot be their own line manager")
	}
	return v.Err()
}

// ValidEmail reports whether s is a bare e-mail address (no display name,
// no comments) whose domain has a dot, and not at either end. The mail
// syntax allows "ada@examplecom" and "ada@example.", but for the people of
// an organisation they are typing slips, and reminders sent there are lost.
func ValidEmail(s string) bool {
	a, err := mail.ParseAddress(s)
	if err != nil || a.Address != s || a.Name != "" {
		return false
	}
	at := strings.LastIndexByte(s, '@')
	domain := s[at+1:]
	return strings.Contains(domain, ".") && !strings.HasPrefix(domain, ".") && !strings.HasSuffix(domain, ".")
}

// Warnings lists what is allowed in p but is probably a mistake, as of day
// today: a start date more than a year ahead is usually a typing slip in
// the year. They never stop p being stored.
func (p Person) Warnings(today Date) []FieldError {
	var out []FieldError
	if p.StartDate.After(today.AddMonths(12)) {
		out = append(out, FieldError{Field: "start_date", Message: sentence(
			"The start date, %s, is more than a year from today: check the year is right", p.StartDate)})
	}
	return out
}

package training

import (
	"fmt"
	"strings"
	"time"
	"unicode"
	"unicode/utf8"
)

// Every message a person sees about their input is one plain English
// sentence that names the field in words (never its API name), says what
// is wrong or what to do, starts with a capital letter and ends with a full
// stop, in the GOV.UK error message style: "Enter the start date", "There
// is no one with employee number E0000 to be the line manager". The API
// sends the same sentences the web pages show, so they never need a prefix
// added to make sense.

// fieldLabels names each input field as a message does.
var fieldLabels = map[string]string{
	"employee_number":         "employee number",
	"email":                   "email address",
	"given_name":              "first name",
	"family_name":             "last name",
	"kind":                    "kind of person",
	"job_title":               "job title",
	"department":              "department",
	"manager_employee_number": "line manager's employee number",
	"start_date":              "start date",
	"end_date":                "end date",
	"code":                    "course code",
	"title":                   "course title",
	"provider":                "provider",
	"url":                     "course's web address",
	"delivery":                "way the course is delivered",
	"new_starter_days":        "number of days a new starter has to complete it",
	"validity_months":         "number of months a completion stays valid",
	"due_soon_days":           "number of days before expiry it shows as expiring",
	"renew_window_days":       "number of days before expiry a renewal keeps the old expiry date",
	"expiry_basis":            "date a renewal runs from",
	"effective_from":          "date the policy took effect",
	"evidence":                "evidence",
	"verification":            "verification",
	"reason":                  "reason",
	"certificate_ref":         "certificate reference",
	"certificate":             "certificate",
	"completed_on":            "date the course was completed",
	"until":                   "date the exemption ends",
	"course_code":             "course",
	"as_of":                   "date of the report",
	"group_by":                "grouping",
	"status":                  "status",
	"format":                  "format",
	"file":                    "file",
}

// Label is how a message names an input field: "start date" for
// start_date. A field with no label of its own is named by its API name
// with spaces.
func Label(field string) string {
	if l, ok := fieldLabels[field]; ok {
		return l
	}
	return strings.ReplaceAll(strings.ReplaceAll(field, "_", " "), ".", " ")
}

// sentence formats a message and makes it a sentence: a capital letter
// first and a full stop last (unless it ends with a question mark).
func sentence(format string, args ...any) string {
	return Sentence(fmt.Sprintf(format, args...))
}

// Sentence makes s a sentence: upper-cases its first letter and ends it
// with a full stop when it has none.
func Sentence(s string) string {
	s = strings.TrimSpace(s)
	if s == "" {
		return s
	}
	r, n := utf8.DecodeRuneInString(s)
	s = string(unicode.ToUpper(r)) + s[n:]
	if !strings.HasSuffix(s, ".") && !strings.HasSuffix(s, "?") {
		s += "."
	}
	return s
}

// Problem adds a message about field to v, as a sentence.
func (e *ValidationError) Problem(field, format string, args ...any) {
	e.Add(field, "%s", sentence(format, args...))
}

// DateProblem is the message for a date field whose text s is not a date
// in the only accepted form, YYYY-MM-DD.
func DateProblem(field, s string) string {
	label := Label(field)
	if t, err := time.Parse(DateLayout, s); err == nil && len(s) == len(DateLayout) && (t.Year() < 1900 || t.Year() > 2999) {
		return sentence("The %s must be between the years 1900 and 2999", label)
	}
	return sentence("Enter the %s as a real date in the form YYYY-MM-DD, like 2026-03-27", label)
}

// ParseDateField reads an optional date field: "" is no date; text that is
// not a date adds DateProblem to v and gives the zero Date.
func ParseDateField(v *ValidationError, field, s string) Date {
	if s == "" {
		return Date{}
	}
	d, err := ParseDate(s)
	if err != nil {
		v.Add(field, "%s", DateProblem(field, s))
		return Date{}
	}
	return d
}

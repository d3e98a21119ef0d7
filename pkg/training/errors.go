package training

import (
	"errors"
	"fmt"
	"slices"
	"strings"
)

// Sentinel errors. Every error the domain or a store returns wraps exactly one
// of these, so that one place (the HTTP layer) can map them to status codes.
var (
	// ErrNotFound: the object does not exist, or the caller may not know it exists.
	ErrNotFound = errors.New("not found")
	// ErrConflict: the change collides with existing data (duplicate employee
	// number or e-mail, an already decided completion).
	ErrConflict = errors.New("conflict")
	// ErrInvalid: the input breaks a rule; see FieldErrors for the details.
	ErrInvalid = errors.New("invalid input")
	// ErrForbidden: the caller is known but their role may not do this.
	ErrForbidden = errors.New("forbidden")
	// ErrUnauthenticated: no valid credentials.
	ErrUnauthenticated = errors.New("unauthenticated")
)

// FieldError names one invalid input field and says what is wrong with it in
// plain English.
type FieldError struct {
	Field   string `json:"field"`
	Message string `json:"message"`
}

// ValidationError carries every invalid field of one input. It wraps ErrInvalid.
type ValidationError struct {
	Fields []FieldError
}

func (e *ValidationError) Error() string {
	parts := make([]string, len(e.Fields))
	for i, f := range e.Fields {
		parts[i] = f.Field + ": " + f.Message
	}
	return "invalid input: " + strings.Join(parts, "; ")
}

func (e *ValidationError) Unwrap() error { return ErrInvalid }

// Add records a problem with one field.
func (e *ValidationError) Add(field, format string, args ...any) {
	e.Fields = append(e.Fields, FieldError{Field: field, Message: fmt.Sprintf(format, args...)})
}

// Err returns e when it holds at least one problem, else nil. A field
// named more than once keeps its first message: problems found while
// reading a request (a date that does not parse) come first and are more
// precise than the rules' later "Enter the start date".
func (e *ValidationError) Err() error {
	if e == nil || len(e.Fields) == 0 {
		return nil
	}
	seen := map[string]bool{}
	kept := e.Fields[:0]
	for _, f := range e.Fields {
		if !seen[f.Field] {
			seen[f.Field] = true
			kept = append(kept, f)
		}
	}
	e.Fields = kept
	return e
}

// Invalid returns a ValidationError for a single field.
func Invalid(field, format string, args ...any) error {
	v := &ValidationError{}
	v.Add(field, format, args...)
	return v
}

// conflictError is a conflict whose message is safe to show the caller.
type conflictError struct{ msg string }

func (e *conflictError) Error() string         { return e.msg }
func (e *conflictError) Unwrap() error         { return ErrConflict }
func (e *conflictError) PublicMessage() string { return e.msg }

// Conflict returns an ErrConflict carrying a message for the caller, a
// sentence such as "Someone else already has the employee number E123.".
func Conflict(format string, args ...any) error {
	return &conflictError{msg: fmt.Sprintf(format, args...)}
}

// ConflictMessage returns the sentence a conflict made with Conflict
// carries, if err is one.
func ConflictMessage(err error) (string, bool) {
	var c *conflictError
	if errors.As(err, &c) {
		return c.msg, true
	}
	return "", false
}

// Merge adds other's field problems to e, skipping fields e already names
// (its message is the more specific: "Enter the start date as a real
// date…" beats "Enter the start date" for a date that did not parse).
func (e *ValidationError) Merge(other error) {
	var o *ValidationError
	if !errors.As(other, &o) {
		return
	}
	for _, f := range o.Fields {
		if !slices.ContainsFunc(e.Fields, func(g FieldError) bool { return g.Field == f.Field }) {
			e.Fields = append(e.Fields, f)
		}
	}
}

package training

import (
	"crypto/sha256"
	"encoding/json"
	"errors"
)

// Upload is a certificate file as received: its bytes, already checked to
// be a PDF, PNG or JPEG by their first bytes.
type Upload struct {
	Data        []byte
	SHA256      string
	ContentType string
	Filename    string
}

// CompletionInput is a completion as someone records it.
type CompletionInput struct {
	// Problems found while reading the request (a date that did not
	// parse), reported with the service's own.
	Problems       []FieldError
	CourseCode     string
	CompletedOn    Date
	CertificateRef string
	Certificate    *Upload
}

const maxReasonLen = 1000

// ErrCertificateFileNeeded is why a self-certification of a course that
// asks for a certificate is refused without the file: a reference anyone
// could type proves nothing. It comes inside a ValidationError (field
// "certificate"), so it is answered like any other invalid field, and the
// web form can tell it from a file that would not read.
var ErrCertificateFileNeeded = errors.New("the certificate file is needed")

// certificateFileError is a ValidationError that is also
// ErrCertificateFileNeeded.
type certificateFileError struct{ *ValidationError }

func (e certificateFileError) Unwrap() []error {
	return []error{e.ValidationError, ErrCertificateFileNeeded}
}

// CertificateFileNeeded is v, which names the missing file, as an error
// that is also ErrCertificateFileNeeded.
func CertificateFileNeeded(v *ValidationError) error { return certificateFileError{v} }

// CompletionRecordedAudit is the audit entry that records c being
// recorded. Its ID is made from the completion (the time it was recorded,
// then a hash of its ID), so it sorts with the entries around it and is
// written once however many times it is written: the store writes it with
// the completion, and a process repairing a write cut short by a crash
// writes it again.
func CompletionRecordedAudit(c Completion) AuditEntry {
	after, _ := json.Marshal(completionForAudit(c))
	sum := sha256.Sum256([]byte("completion.record/" + c.ID))
	return AuditEntry{ID: AuditID(c.RecordedAt, [6]byte(sum[:6])), At: c.RecordedAt, Actor: c.RecordedBy, Action: "completion.record",
		Entity: "completion", EntityID: c.ID, After: after}
}

type completionAudit struct {
	ID             string `json:"id"`
	PersonID       string `json:"person_id"`
	CourseCode     string `json:"course_code"`
	CompletedOn    Date   `json:"completed_on"`
	Source         Source `json:"source"`
	State          State  `json:"state"`
	CertificateRef string `json:"certificate_ref,omitempty"`
	SHA256         string `json:"certificate_sha256,omitempty"`
	Reason         string `json:"reason,omitempty"`
}

func completionForAudit(c Completion) completionAudit {
	a := completionAudit{ID: c.ID, PersonID: c.PersonID, CourseCode: c.CourseCode, CompletedOn: c.CompletedOn,
		Source: c.Source, State: c.State(), CertificateRef: c.CertificateRef}
	if c.Evidence != nil {
		a.SHA256 = c.Evidence.SHA256
	}
	switch {
	case c.Revocation != nil:
		a.Reason = c.Revocation.Reason
	case c.Review != nil:
		a.Reason = c.Review.Reason
	}
	return a
}

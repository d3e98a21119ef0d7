package training

import (
	"context"
	"errors"
	"fmt"
	"strings"
	"unicode/utf8"
)

// Upload is a certificate file as received: its bytes, already checked to
// be a PDF, PNG or JPEG by their first bytes.
type Upload struct {
	Data        []byte
	SHA256      string
	ContentType string
	Filename    string
}

// EvidenceStore keeps certificate files.
type EvidenceStore interface {
	PutEvidenceFile(ctx context.Context, u Upload) (fileID string, err error)
	EvidenceFile(ctx context.Context, fileID string) (Upload, error)
}

// FlagStore keeps flags.
type FlagStore interface {
	// InsertFlag stores a flag; one with the same key is ErrConflict.
	InsertFlag(ctx context.Context, f Flag) (Flag, error)
	EachFlag(ctx context.Context, fn func(Flag) error) error
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

// SelfCertify records that the actor completed a course. It needs
// verification when the course says so.
func (s *Service) SelfCertify(ctx context.Context, actor Actor, in CompletionInput) (Completion, error) {
	return s.recordCompletion(ctx, actor, actor.PersonID, SourceSelf, in)
}

// RecordCompletion records a completion for someone else: HR (accepted at
// once) or a trainer recording attendance at their session (likewise).
func (s *Service) RecordCompletion(ctx context.Context, actor Actor, personID string, in CompletionInput) (Completion, error) {
	if err := s.refresh(ctx); err != nil {
		return Completion{}, err
	}
	s.roster.mu.RLock()
	_, exists := s.roster.people[personID]
	visible := exists && (s.canSee(actor, personID) || actor.Trainer)
	s.roster.mu.RUnlock()
	switch {
	case !visible:
		return Completion{}, fmt.Errorf("person %s: %w", personID, ErrNotFound)
	case actor.HR:
		return s.recordCompletion(ctx, actor, personID, SourceHR, in)
	case actor.Trainer:
		return s.recordCompletion(ctx, actor, personID, SourceTrainer, in)
	default:
		return Completion{}, fmt.Errorf("record completion: %w", ErrForbidden)
	}
}

func (s *Service) recordCompletion(ctx context.Context, actor Actor, personID string, source Source, in CompletionInput) (Completion, error) {
	if err := s.refresh(ctx); err != nil {
		return Completion{}, err
	}
	today := s.Today()
	r := s.roster
	r.mu.RLock()
	person, pok := r.people[personID]
	course, cok := r.courses[in.CourseCode]
	r.mu.RUnlock()
	if !pok {
		return Completion{}, fmt.Errorf("person %s: %w", personID, ErrNotFound)
	}
	v := &ValidationError{Fields: append([]FieldError(nil), in.Problems...)}
	switch {
	case in.CourseCode == "":
		v.Add("course_code", "is required")
	case !cok:
		v.Add("course_code", "no course has code %s", in.CourseCode)
	case !course.Applies(*person):
		v.Add("course_code", "course %s does not apply to %s", course.Code, person.FullName())
	}
	v.Merge(CheckCompletedOn(in.CompletedOn, today))
	in.CertificateRef = strings.TrimSpace(in.CertificateRef)
	if utf8.RuneCountInString(in.CertificateRef) > 200 || strings.ContainsFunc(in.CertificateRef, func(r rune) bool { return r < 0x20 }) {
		v.Add("certificate_ref", "must be at most 200 characters of plain text")
	}
	if cok && course.Evidence == EvidenceCertificate && in.Certificate == nil && in.CertificateRef == "" {
		v.Add("certificate", "course %s needs the certificate: attach the file (PDF, PNG or JPEG) or give its reference", course.Code)
	}
	if err := v.Err(); err != nil {
		return Completion{}, err
	}

	c := Completion{
		PersonID: personID, CourseCode: course.Code, CompletedOn: in.CompletedOn, Source: source,
		CertificateRef: in.CertificateRef, RecordedBy: actor.PersonID, RecordedAt: s.now().UTC(),
		// HR and trainers are the verifiers: only self-certification waits.
		NeedsVerification: source == SourceSelf && course.Verification != VerificationNone,
	}
	if in.Certificate != nil {
		id, err := s.evidence.PutEvidenceFile(ctx, *in.Certificate)
		if err != nil {
			return Completion{}, fmt.Errorf("store certificate: %w", err)
		}
		c.Evidence = &EvidenceFile{FileID: id, SHA256: in.Certificate.SHA256, ContentType: in.Certificate.ContentType,
			Size: int64(len(in.Certificate.Data)), Filename: in.Certificate.Filename}
	}
	stored, err := s.store.InsertCompletion(ctx, c)
	if err != nil {
		return Completion{}, err
	}
	r.mu.Lock()
	r.putCompletion(stored)
	r.mu.Unlock()
	s.changed(ctx)
	if err := s.audit(ctx, actor, "completion.record", "completion", stored.ID, nil, auditCompletion(stored)); err != nil {
		return Completion{}, err
	}
	if stored.Evidence != nil {
		if err := s.flagDuplicateEvidence(ctx, *person, stored); err != nil {
			return Completion{}, err
		}
	}
	return stored, nil
}

// flagDuplicateEvidence raises a flag for HR when the same certificate file
// has been offered for someone else: a copied certificate.
func (s *Service) flagDuplicateEvidence(ctx context.Context, person Person, c Completion) error {
	var others []string
	s.roster.mu.RLock()
	for pid, list := range s.roster.complete {
		if pid == person.ID {
			continue
		}
		for _, o := range list {
			if o.Evidence != nil && o.Evidence.SHA256 == c.Evidence.SHA256 {
				others = append(others, s.roster.people[pid].EmployeeNumber)
				break
			}
		}
	}
	s.roster.mu.RUnlock()
	if len(others) == 0 {
		return nil
	}
	return s.raiseFlag(ctx, Flag{
		Key:      fmt.Sprintf("duplicate_evidence:%s:%s", c.Evidence.SHA256, person.ID),
		PersonID: person.ID, EmployeeNumber: person.EmployeeNumber, CourseCode: c.CourseCode,
		Kind: FlagDuplicateEvidence, DueOn: c.CompletedOn,
		Detail: fmt.Sprintf("the certificate file for completion %s was also offered for employee number(s) %s", c.ID, strings.Join(others, ", ")),
	})
}

// raiseFlag stores a flag unless one with its key exists.
func (s *Service) raiseFlag(ctx context.Context, f Flag) error {
	f.RaisedAt = s.now().UTC()
	stored, err := s.flags.InsertFlag(ctx, f)
	if errors.Is(err, ErrConflict) {
		return nil
	}
	if err != nil {
		return err
	}
	s.roster.mu.Lock()
	s.roster.flags = append(s.roster.flags, stored)
	s.roster.mu.Unlock()
	s.changed(ctx)
	return nil
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

func auditCompletion(c Completion) completionAudit {
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

// completionFor finds a completion the actor may see. Callers hold no lock.
func (s *Service) completionFor(ctx context.Context, actor Actor, id string) (Completion, Person, Course, error) {
	if err := s.refresh(ctx); err != nil {
		return Completion{}, Person{}, Course{}, err
	}
	r := s.roster
	r.mu.RLock()
	defer r.mu.RUnlock()
	pid, ok := r.completionOwner[id]
	if !ok || !s.canSee(actor, pid) {
		return Completion{}, Person{}, Course{}, fmt.Errorf("completion %s: %w", id, ErrNotFound)
	}
	for _, c := range r.complete[pid] {
		if c.ID == id {
			return c, *r.people[pid], r.courses[c.CourseCode], nil
		}
	}
	return Completion{}, Person{}, Course{}, fmt.Errorf("completion %s: %w", id, ErrNotFound)
}

// Completion returns one completion the actor may see.
func (s *Service) Completion(ctx context.Context, actor Actor, id string) (Completion, error) {
	c, _, _, err := s.completionFor(ctx, actor, id)
	return c, err
}

// CompletionsOf lists a person's completions, newest first.
func (s *Service) CompletionsOf(ctx context.Context, actor Actor, personID string) ([]Completion, error) {
	if err := s.refresh(ctx); err != nil {
		return nil, err
	}
	r := s.roster
	r.mu.RLock()
	defer r.mu.RUnlock()
	if _, ok := r.people[personID]; !ok || !s.canSee(actor, personID) {
		return nil, fmt.Errorf("person %s: %w", personID, ErrNotFound)
	}
	list := r.complete[personID]
	out := make([]Completion, len(list))
	for i, c := range list {
		out[len(list)-1-i] = c
	}
	return out, nil
}

// Certificate returns a completion's certificate file.
func (s *Service) Certificate(ctx context.Context, actor Actor, completionID string) (Upload, error) {
	c, _, _, err := s.completionFor(ctx, actor, completionID)
	if err != nil {
		return Upload{}, err
	}
	if c.Evidence == nil {
		return Upload{}, fmt.Errorf("completion %s has no certificate file: %w", completionID, ErrNotFound)
	}
	return s.evidence.EvidenceFile(ctx, c.Evidence.FileID)
}

// Review verifies (accept) or rejects a pending completion. Who may: per
// the course, the person's line manager or anyone above them, or HR
// (verification "manager"); only HR ("hr"). Nobody reviews their own.
func (s *Service) Review(ctx context.Context, actor Actor, completionID string, accept bool, reason string) (Completion, error) {
	c, person, course, err := s.completionFor(ctx, actor, completionID)
	if err != nil {
		return Completion{}, err
	}
	s.roster.mu.RLock()
	above := s.roster.isAbove(actor.PersonID, person.ID)
	s.roster.mu.RUnlock()
	allowed := actor.HR || (course.Verification == VerificationManager && above)
	if !allowed || actor.PersonID == person.ID {
		return Completion{}, fmt.Errorf("review completion: %w", ErrForbidden)
	}
	reason = strings.TrimSpace(reason)
	if !accept && reason == "" {
		return Completion{}, Invalid("reason", "is required: say why, so the person can put it right")
	}
	if utf8.RuneCountInString(reason) > maxReasonLen {
		return Completion{}, Invalid("reason", "must be at most %d characters", maxReasonLen)
	}
	if c.State() != StatePending {
		return Completion{}, Conflict("this completion is %s, not awaiting verification", c.State())
	}
	d := Decision{By: actor.PersonID, At: s.now().UTC(), Reason: reason}
	if err := s.store.ReviewCompletion(ctx, c.ID, accept, d); err != nil {
		if errors.Is(err, ErrConflict) {
			return Completion{}, Conflict("this completion has been reviewed already")
		}
		return Completion{}, err
	}
	before := c
	c.Review = &Review{Decision: d, Accepted: accept}
	s.roster.mu.Lock()
	s.roster.putCompletion(c)
	s.roster.mu.Unlock()
	s.changed(ctx)
	action := "completion.verify"
	if !accept {
		action = "completion.reject"
	}
	return c, s.audit(ctx, actor, action, "completion", c.ID, auditCompletion(before), auditCompletion(c))
}

// Revoke withdraws a completion after the fact (a certificate found to be
// someone else's, a session not attended). Only HR may; a reason is required.
func (s *Service) Revoke(ctx context.Context, actor Actor, completionID, reason string) (Completion, error) {
	c, _, _, err := s.completionFor(ctx, actor, completionID)
	if err != nil {
		return Completion{}, err
	}
	if !actor.HR {
		return Completion{}, fmt.Errorf("revoke completion: %w", ErrForbidden)
	}
	reason = strings.TrimSpace(reason)
	if reason == "" {
		return Completion{}, Invalid("reason", "is required: the audit log must say why")
	}
	if utf8.RuneCountInString(reason) > maxReasonLen {
		return Completion{}, Invalid("reason", "must be at most %d characters", maxReasonLen)
	}
	if c.Revocation != nil {
		return Completion{}, Conflict("this completion was revoked already")
	}
	d := Decision{By: actor.PersonID, At: s.now().UTC(), Reason: reason}
	if err := s.store.RevokeCompletion(ctx, c.ID, d); err != nil {
		if errors.Is(err, ErrConflict) {
			return Completion{}, Conflict("this completion was revoked already")
		}
		return Completion{}, err
	}
	before := c
	c.Revocation = &d
	s.roster.mu.Lock()
	s.roster.putCompletion(c)
	s.roster.mu.Unlock()
	s.changed(ctx)
	return c, s.audit(ctx, actor, "completion.revoke", "completion", c.ID, auditCompletion(before), auditCompletion(c))
}

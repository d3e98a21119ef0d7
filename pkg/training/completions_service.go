package training

import (
	"context"
	"errors"
	"fmt"
	"strings"
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

// SelfCertify records that the actor completed a course. It needs
// verification when the course says so.
func (s *Service) SelfCertify(ctx context.Context, actor Actor, in CompletionInput) (Completion, error) {
	return s.recordCompletion(ctx, actor, actor.PersonID, SourceSelf, in)
}

// RecordCompletion records a completion for someone else.
//
// HR may record one for anyone, from a session or another system. A
// trainer records attendance at a classroom session: for anyone in the
// organisation (sessions are open to all staff, whoever they report to)
// but never for themself, and never for an e-learning course, which people
// record themselves. Nobody else may record for others.
//
// Who may not record for a person learns nothing about them: a person the
// caller may neither see nor record for does not exist (ErrNotFound),
// before any of the input is looked at, and no message names the person,
// since a trainer may record for people whose records they cannot read.
func (s *Service) RecordCompletion(ctx context.Context, actor Actor, personID string, in CompletionInput) (Completion, error) {
	source, err := s.recordingAs(ctx, actor, personID)
	if err != nil {
		return Completion{}, err
	}
	return s.recordCompletion(ctx, actor, personID, source, in)
}

// MayRecordFor says whether actor may record a completion for the person
// (RecordCompletion): nil, ErrNotFound or ErrForbidden. The API asks it
// before reading the request, so that the answer about someone the caller
// may not record for is the same whatever was sent.
func (s *Service) MayRecordFor(ctx context.Context, actor Actor, personID string) error {
	_, err := s.recordingAs(ctx, actor, personID)
	return err
}

// recordingAs is the rule of RecordCompletion: the source a completion
// the actor records for the person has, or why they may not.
func (s *Service) recordingAs(ctx context.Context, actor Actor, personID string) (Source, error) {
	if err := s.refresh(ctx); err != nil {
		return "", err
	}
	s.roster.mu.RLock()
	_, exists := s.roster.people[personID]
	sees := exists && s.canSee(actor, personID)
	s.roster.mu.RUnlock()
	switch {
	case !exists || !sees && !actor.Trainer:
		return "", fmt.Errorf("person %s: %w", personID, ErrNotFound)
	case actor.HR:
		return SourceHR, nil
	case actor.Trainer && personID != actor.PersonID:
		return SourceTrainer, nil
	default:
		return "", fmt.Errorf("record completion: %w", ErrForbidden)
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
	own := personID == actor.PersonID
	v := &ValidationError{Fields: append([]FieldError(nil), in.Problems...)}
	switch {
	case in.CourseCode == "":
		v.Add("course_code", "Enter the course code.")
	case !cok:
		v.Add("course_code", "There is no course with code %s.", in.CourseCode)
	case !course.Applies(*person) && own:
		v.Add("course_code", "Course %s does not apply to you.", course.Code)
	case !course.Applies(*person):
		v.Add("course_code", "Course %s does not apply to this person.", course.Code)
	case source == SourceTrainer && course.Delivery == DeliveryELearning:
		v.Add("course_code", "Course %s is e-learning: trainers record attendance at classroom sessions only, and people record e-learning themselves.", course.Code)
	}
	v.Merge(CheckCompletedOn(in.CompletedOn, today))
	in.CertificateRef = TrimText(in.CertificateRef)
	CheckText(v, "certificate_ref", in.CertificateRef, 200, false)
	needsCertificate := cok && course.Evidence == EvidenceCertificate && in.Certificate == nil
	// A person recording their own completion must show the file itself;
	// a reference is enough from HR or a trainer, who copy it from another
	// system or an attendance register.
	fileMissing := needsCertificate && source == SourceSelf
	switch {
	case fileMissing:
		v.Add("certificate", "Attach your certificate for course %s as a PDF, PNG or JPEG file: a reference alone is not enough when you record it yourself.", course.Code)
	case needsCertificate && in.CertificateRef == "":
		v.Add("certificate", "Course %s needs the certificate: attach the file (PDF, PNG or JPEG) or give its reference.", course.Code)
	}
	if err := v.Err(); err != nil {
		if fileMissing {
			return Completion{}, certificateFileError{v}
		}
		return Completion{}, err
	}

	c := Completion{
		PersonID: personID, CourseCode: course.Code, CompletedOn: in.CompletedOn, Source: source,
		CertificateRef: in.CertificateRef, RecordedBy: actor.PersonID, RecordedAt: s.now().UTC(),
		// HR and trainers vouch for others, so what they record counts at
		// once; nobody vouches for themself, so a person's own completion
		// waits where the course needs verification, whoever records it.
		NeedsVerification: course.Verification != VerificationNone && (source == SourceSelf || own),
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
	if !mayReview(actor, person.ID, course, above) {
		return Completion{}, fmt.Errorf("review completion: %w", ErrForbidden)
	}
	missing := ""
	if !accept {
		missing = "Enter the reason you are rejecting it, so the person can put it right."
	}
	rv := &ValidationError{}
	reason = checkReason(rv, reason, missing)
	if err := rv.Err(); err != nil {
		return Completion{}, err
	}
	if c.State() != StatePending {
		return Completion{}, Conflict("This completion is %s, not awaiting verification.", c.State())
	}
	d := Decision{By: actor.PersonID, At: s.now().UTC(), Reason: reason}
	if err := s.store.ReviewCompletion(ctx, c.ID, accept, d); err != nil {
		if errors.Is(err, ErrConflict) {
			return Completion{}, Conflict("This completion has been reviewed already.")
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
	rv := &ValidationError{}
	reason = checkReason(rv, reason, "Enter the reason you are revoking it: the audit log must say why.")
	if err := rv.Err(); err != nil {
		return Completion{}, err
	}
	if c.Revocation != nil {
		return Completion{}, Conflict("This completion was revoked already.")
	}
	d := Decision{By: actor.PersonID, At: s.now().UTC(), Reason: reason}
	if err := s.store.RevokeCompletion(ctx, c.ID, d); err != nil {
		if errors.Is(err, ErrConflict) {
			return Completion{}, Conflict("This completion was revoked already.")
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

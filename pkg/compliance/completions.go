package compliance

import (
	"context"
	"errors"
	"fmt"
	"slices"
	"strings"

	"github.com/complytrack/complytrack/pkg/ids"
	"github.com/complytrack/complytrack/pkg/training"
)

// EvidenceStore keeps certificate files.
type EvidenceStore interface {
	PutEvidenceFile(ctx context.Context, u training.Upload) (fileID string, err error)
	EvidenceFile(ctx context.Context, fileID string) (training.Upload, error)
}

// FlagStore keeps flags.
type FlagStore interface {
	// InsertFlag stores a flag; one with the same key is ErrConflict.
	InsertFlag(ctx context.Context, f training.Flag) (training.Flag, error)
	EachFlag(ctx context.Context, fn func(training.Flag) error) error
	// Flag reads one flag by ID, with whether it was dealt with
	// (ErrNotFound when there is none).
	Flag(ctx context.Context, id string) (training.Flag, error)
	// DealWithFlag records that a flag was dealt with; a second time is
	// ErrConflict.
	DealWithFlag(ctx context.Context, id string, d training.Decision) error
	// EachFlagDealtWith streams every flag dealt with: its ID, who and when.
	EachFlagDealtWith(ctx context.Context, fn func(flagID string, d training.Decision) error) error
}

// SelfCertify records that the actor completed a course. It needs
// verification when the course says so.
func (s *Completions) SelfCertify(ctx context.Context, actor training.Actor, in training.CompletionInput) (training.Completion, error) {
	return s.recordCompletion(ctx, actor, actor.PersonID, training.SourceSelf, in)
}

// RecordCompletion records a completion for someone else.
//
// HR may record one for anyone, from a session or another system. A
// trainer records attendance at a classroom session: for anyone in the
// organisation booked on a session of the course they run (sessions are
// open to all staff, whoever they report to; see UseAttendance) but never
// for themself, and never for an e-learning course, which people record
// themselves. Nobody else may record for others.
//
// Who may not record for a person learns nothing about them: a person the
// caller may neither see nor record for does not exist (ErrNotFound),
// before any of the input is looked at, and no message names the person,
// since a trainer may record for people whose records they cannot read.
func (s *Completions) RecordCompletion(ctx context.Context, actor training.Actor, personID string, in training.CompletionInput) (training.Completion, error) {
	source, err := s.recordingAs(ctx, actor, personID)
	if err != nil {
		return training.Completion{}, err
	}
	return s.recordCompletion(ctx, actor, personID, source, in)
}

// MayRecordFor says whether actor may record a completion for the person
// (RecordCompletion): nil, ErrNotFound or ErrForbidden. The API asks it
// before reading the request, so that the answer about someone the caller
// may not record for is the same whatever was sent.
func (s *Completions) MayRecordFor(ctx context.Context, actor training.Actor, personID string) error {
	_, err := s.recordingAs(ctx, actor, personID)
	return err
}

// recordingAs is the rule of RecordCompletion: the source a completion
// the actor records for the person has, or why they may not.
func (s *Completions) recordingAs(ctx context.Context, actor training.Actor, personID string) (training.Source, error) {
	var exists, sees bool
	err := s.read(ctx, func(o Org) error {
		_, exists = o.Person(personID)
		sees = exists && canSee(o, actor, personID)
		return nil
	})
	if err != nil {
		return "", err
	}
	switch {
	case !exists || !sees && !actor.Trainer:
		return "", fmt.Errorf("person %s: %w", personID, training.ErrNotFound)
	case actor.HR:
		return training.SourceHR, nil
	case actor.Trainer && personID != actor.PersonID:
		return training.SourceTrainer, nil
	default:
		return "", fmt.Errorf("record completion: %w", training.ErrForbidden)
	}
}

func (s *Completions) recordCompletion(ctx context.Context, actor training.Actor, personID string, source training.Source, in training.CompletionInput) (training.Completion, error) {
	today := s.Today()
	var person training.Person
	var course training.Course
	var pok, cok bool
	if err := s.read(ctx, func(o Org) error {
		person, pok = o.Person(personID)
		course, cok = o.Course(in.CourseCode)
		return nil
	}); err != nil {
		return training.Completion{}, err
	}
	if !pok {
		return training.Completion{}, fmt.Errorf("person %s: %w", personID, training.ErrNotFound)
	}
	own := personID == actor.PersonID
	v := &training.ValidationError{Fields: append([]training.FieldError(nil), in.Problems...)}
	switch {
	case in.CourseCode == "":
		v.Add("course_code", "Enter the course code.")
	case !cok:
		v.Add("course_code", "There is no course with code %s.", in.CourseCode)
	case !course.Applies(person) && own:
		v.Add("course_code", "Course %s does not apply to you.", course.Code)
	case !course.Applies(person):
		v.Add("course_code", "Course %s does not apply to this person.", course.Code)
	case source == training.SourceTrainer && course.Delivery == training.DeliveryELearning:
		v.Add("course_code", "Course %s is e-learning: trainers record attendance at classroom sessions only, and people record e-learning themselves.", course.Code)
	}
	if err := s.checkTaught(ctx, v, actor, personID, source, course, pok && cok && course.Applies(person)); err != nil {
		return training.Completion{}, err
	}
	v.Merge(training.CheckCompletedOn(in.CompletedOn, today))
	in.CertificateRef = training.TrimText(in.CertificateRef)
	training.CheckText(v, "certificate_ref", in.CertificateRef, 200, false)
	needsCertificate := cok && course.Evidence == training.EvidenceCertificate && in.Certificate == nil
	// A person recording their own completion must show the file itself;
	// a reference is enough from HR or a trainer, who copy it from another
	// system or an attendance register.
	fileMissing := needsCertificate && source == training.SourceSelf
	switch {
	case fileMissing:
		v.Add("certificate", "Attach your certificate for course %s as a PDF, PNG or JPEG file: a reference alone is not enough when you record it yourself.", course.Code)
	case needsCertificate && in.CertificateRef == "":
		v.Add("certificate", "Course %s needs the certificate: attach the file (PDF, PNG or JPEG) or give its reference.", course.Code)
	}
	if err := v.Err(); err != nil {
		if fileMissing {
			return training.Completion{}, training.CertificateFileNeeded(v)
		}
		return training.Completion{}, err
	}

	c := training.Completion{
		ID: ids.New(s.now()), PersonID: personID, CourseCode: course.Code, CompletedOn: in.CompletedOn, Source: source,
		CertificateRef: in.CertificateRef, RecordedBy: actor.PersonID, RecordedAt: s.now().UTC(),
		// HR and trainers vouch for others, so what they record counts at
		// once; nobody vouches for themself, so a person's own completion
		// waits where the course needs verification, whoever records it.
		NeedsVerification: course.Verification != training.VerificationNone && (source == training.SourceSelf || own),
	}
	if in.Certificate != nil {
		id, err := s.evidence.PutEvidenceFile(ctx, *in.Certificate)
		if err != nil {
			return training.Completion{}, fmt.Errorf("store certificate: %w", err)
		}
		c.Evidence = &training.EvidenceFile{FileID: id, SHA256: in.Certificate.SHA256, ContentType: in.Certificate.ContentType,
			Size: int64(len(in.Certificate.Data)), Filename: in.Certificate.Filename}
	}
	// The store writes the completion's audit entry with it.
	stored, err := s.store.InsertCompletion(ctx, c)
	if err != nil {
		return training.Completion{}, err
	}
	if stored.Evidence != nil {
		if err := s.flagDuplicateEvidence(ctx, person, stored); err != nil {
			return training.Completion{}, err
		}
	}
	return stored, nil
}

// flagDuplicateEvidence raises a flag for HR when the same certificate file
// has been offered for someone else: a copied certificate.
func (s *Completions) flagDuplicateEvidence(ctx context.Context, person training.Person, c training.Completion) error {
	var others []string
	err := s.read(ctx, func(o Org) error {
		o.EachPerson(func(p training.Person) bool {
			if p.ID == person.ID {
				return true
			}
			for _, done := range o.Completions(p.ID) {
				if done.Evidence != nil && done.Evidence.SHA256 == c.Evidence.SHA256 {
					others = append(others, p.EmployeeNumber)
					break
				}
			}
			return true
		})
		return nil
	})
	if err != nil {
		return err
	}
	slices.Sort(others)
	if len(others) == 0 {
		return nil
	}
	return s.raiseFlag(ctx, training.Flag{
		Key:      fmt.Sprintf("duplicate_evidence:%s:%s", c.Evidence.SHA256, person.ID),
		PersonID: person.ID, EmployeeNumber: person.EmployeeNumber, CourseCode: c.CourseCode,
		Kind: training.FlagDuplicateEvidence, DueOn: c.CompletedOn,
		Detail: fmt.Sprintf("the certificate file for completion %s was also offered for employee number(s) %s", c.ID, strings.Join(others, ", ")),
	})
}

// raiseFlag stores a flag unless one with its key exists.
func (s *core) raiseFlag(ctx context.Context, f training.Flag) error {
	f.RaisedAt = s.now().UTC()
	_, err := s.flags.InsertFlag(ctx, f)
	if errors.Is(err, training.ErrConflict) {
		return nil
	}
	return err
}

// completionFor finds a completion the actor may see, with its person,
// its course and whether the actor is above the person.
func (s *Completions) completionFor(ctx context.Context, actor training.Actor, id string) (c training.Completion, p training.Person, course training.Course, above bool, err error) {
	err = s.read(ctx, func(o Org) error {
		pid, ok := o.CompletionOwner(id)
		if !ok || !canSee(o, actor, pid) {
			return fmt.Errorf("completion %s: %w", id, training.ErrNotFound)
		}
		for _, x := range o.Completions(pid) {
			if x.ID == id {
				c, ok = x, true
				p, _ = o.Person(pid)
				course, _ = o.Course(x.CourseCode)
				above = oversees(o, actor, pid)
				return nil
			}
		}
		return fmt.Errorf("completion %s: %w", id, training.ErrNotFound)
	})
	return c, p, course, above, err
}

// Completion returns one completion the actor may see.
func (s *Completions) Completion(ctx context.Context, actor training.Actor, id string) (training.Completion, error) {
	c, _, _, _, err := s.completionFor(ctx, actor, id)
	return c, err
}

// CompletionsOf lists a person's completions, newest first.
func (s *Completions) CompletionsOf(ctx context.Context, actor training.Actor, personID string) ([]training.Completion, error) {
	var out []training.Completion
	err := s.read(ctx, func(o Org) error {
		if _, ok := o.Person(personID); !ok || !canSee(o, actor, personID) {
			return fmt.Errorf("person %s: %w", personID, training.ErrNotFound)
		}
		list := o.Completions(personID)
		out = make([]training.Completion, len(list))
		for i, c := range list {
			out[len(list)-1-i] = c
		}
		return nil
	})
	return out, err
}

// Certificate returns a completion's certificate file.
func (s *Completions) Certificate(ctx context.Context, actor training.Actor, completionID string) (training.Upload, error) {
	c, _, _, _, err := s.completionFor(ctx, actor, completionID)
	if err != nil {
		return training.Upload{}, err
	}
	if c.Evidence == nil {
		return training.Upload{}, fmt.Errorf("completion %s has no certificate file: %w", completionID, training.ErrNotFound)
	}
	return s.evidence.EvidenceFile(ctx, c.Evidence.FileID)
}

// Review verifies (accept) or rejects a pending completion. Who may: per
// the course, the person's line manager or anyone above them, or HR
// (verification "manager"); only HR ("hr"). Nobody reviews their own.
func (s *Completions) Review(ctx context.Context, actor training.Actor, completionID string, accept bool, reason string) (training.Completion, error) {
	c, person, course, above, err := s.completionFor(ctx, actor, completionID)
	if err != nil {
		return training.Completion{}, err
	}
	if !training.MayReview(actor, person.ID, course, above) {
		return training.Completion{}, fmt.Errorf("review completion: %w", training.ErrForbidden)
	}
	missing := ""
	if !accept {
		missing = "Enter the reason you are rejecting it, so the person can put it right."
	}
	rv := &training.ValidationError{}
	reason = training.CheckReason(rv, reason, missing)
	if err := rv.Err(); err != nil {
		return training.Completion{}, err
	}
	if c.State() != training.StatePending {
		return training.Completion{}, training.Conflict("This completion is %s, not awaiting verification.", c.State())
	}
	d := training.Decision{By: actor.PersonID, At: s.now().UTC(), Reason: reason}
	if err := s.store.ReviewCompletion(ctx, c.ID, accept, d); err != nil {
		if errors.Is(err, training.ErrConflict) {
			return training.Completion{}, training.Conflict("This completion has been reviewed already.")
		}
		return training.Completion{}, err
	}
	before := c
	c.Review = &training.Review{Decision: d, Accepted: accept}
	action := "completion.verify"
	if !accept {
		action = "completion.reject"
	}
	return c, s.audit(ctx, actor, action, "completion", c.ID, training.CompletionForAudit(before), training.CompletionForAudit(c))
}

// Revoke withdraws a completion after the fact (a certificate found to be
// someone else's, a session not attended). Only HR may; a reason is required.
func (s *Completions) Revoke(ctx context.Context, actor training.Actor, completionID, reason string) (training.Completion, error) {
	c, _, _, _, err := s.completionFor(ctx, actor, completionID)
	if err != nil {
		return training.Completion{}, err
	}
	if !actor.HR {
		return training.Completion{}, fmt.Errorf("revoke completion: %w", training.ErrForbidden)
	}
	rv := &training.ValidationError{}
	reason = training.CheckReason(rv, reason, "Enter the reason you are revoking it: the audit log must say why.")
	if err := rv.Err(); err != nil {
		return training.Completion{}, err
	}
	if c.Revocation != nil {
		return training.Completion{}, training.Conflict("This completion was revoked already.")
	}
	d := training.Decision{By: actor.PersonID, At: s.now().UTC(), Reason: reason}
	if err := s.store.RevokeCompletion(ctx, c.ID, d); err != nil {
		if errors.Is(err, training.ErrConflict) {
			return training.Completion{}, training.Conflict("This completion was revoked already.")
		}
		return training.Completion{}, err
	}
	before := c
	c.Revocation = &d
	return c, s.audit(ctx, actor, "completion.revoke", "completion", c.ID, training.CompletionForAudit(before), training.CompletionForAudit(c))
}

package compliance

import (
	"context"
	"errors"
	"fmt"

	"github.com/complytrack/complytrack/pkg/training"
)

// GrantExemption excuses a person from a course, with a reason, until an
// optional end date (inclusive). Only HR may.
func (s *Exemptions) GrantExemption(ctx context.Context, actor training.Actor, personID string, in training.ExemptionInput) (training.Exemption, error) {
	courseCode, reason, until := in.CourseCode, in.Reason, in.Until
	person, err := s.person(ctx, actor, personID)
	if err != nil {
		return training.Exemption{}, err
	}
	if !actor.HR {
		return training.Exemption{}, fmt.Errorf("grant exemption: %w", training.ErrForbidden)
	}
	today := s.Today()
	v := &training.ValidationError{Fields: append([]training.FieldError(nil), in.Problems...)}
	var course training.Course
	var ok bool
	if err := s.read(ctx, func(o Org) error { course, ok = o.Course(courseCode); return nil }); err != nil {
		return training.Exemption{}, err
	}
	switch {
	case courseCode == "":
		v.Problem("course_code", "Choose a course")
	case !ok:
		v.Problem("course_code", "There is no course with the code %s", courseCode)
	case !course.Applies(person):
		v.Problem("course_code", "The course %s does not apply to %s", courseCode, person.FullName())
	}
	reason = training.CheckReason(v, reason, "Enter the reason the person is exempt.")
	if !until.IsZero() && until.Before(today) {
		v.Problem("until", "The date the exemption ends must be today (%s) or later", today)
	}
	if err := v.Err(); err != nil {
		return training.Exemption{}, err
	}
	e, err := s.store.InsertExemption(ctx, training.Exemption{PersonID: personID, CourseCode: courseCode, Reason: reason, Until: until,
		CreatedBy: actor.PersonID, CreatedAt: s.now().UTC()})
	if err != nil {
		return training.Exemption{}, err
	}
	return e, s.audit(ctx, actor, "exemption.grant", "exemption", e.ID, nil, training.ExemptionForAudit(e))
}

// RemoveExemption withdraws an exemption. It is recorded, not deleted, so
// reports for earlier days still see it. Only HR may.
func (s *Exemptions) RemoveExemption(ctx context.Context, actor training.Actor, id string) error {
	var e training.Exemption
	var visible bool
	err := s.read(ctx, func(o Org) error {
		pid, ok := o.ExemptionOwner(id)
		for _, x := range o.Exemptions(pid) {
			if x.ID == id {
				e = x
			}
		}
		visible = ok && canSee(o, actor, pid)
		return nil
	})
	if err != nil {
		return err
	}
	if !visible {
		return fmt.Errorf("exemption %s: %w", id, training.ErrNotFound)
	}
	if !actor.HR {
		return fmt.Errorf("remove exemption: %w", training.ErrForbidden)
	}
	if e.Removal != nil {
		return training.Conflict("This exemption was removed already.")
	}
	d := training.Decision{By: actor.PersonID, At: s.now().UTC()}
	if err := s.store.RemoveExemption(ctx, id, d); err != nil {
		if errors.Is(err, training.ErrConflict) {
			return training.Conflict("This exemption was removed already.")
		}
		return err
	}
	before := e
	e.Removal = &d
	return s.audit(ctx, actor, "exemption.remove", "exemption", id, training.ExemptionForAudit(before), training.ExemptionForAudit(e))
}

// ExemptionsOf lists a person's exemptions (including removed ones).
func (s *Exemptions) ExemptionsOf(ctx context.Context, actor training.Actor, personID string) ([]training.Exemption, error) {
	var out []training.Exemption
	err := s.read(ctx, func(o Org) error {
		if _, ok := o.Person(personID); !ok || !canSee(o, actor, personID) {
			return fmt.Errorf("person %s: %w", personID, training.ErrNotFound)
		}
		out = append(out, o.Exemptions(personID)...)
		return nil
	})
	return out, err
}

// ListFlags lists the flags about people the actor may see, newest first
// (flags.go).
func (s *Flags) ListFlags(ctx context.Context, actor training.Actor, f training.FlagFilter, page training.PageRequest) (training.Page[training.Flag], error) {
	rows, err := s.FlagRows(ctx, actor, f, page)
	out := training.Page[training.Flag]{NextCursor: rows.NextCursor}
	for _, r := range rows.Items {
		out.Items = append(out.Items, r.Flag)
	}
	return out, err
}

// flagKey sorts newest first: it inverts the time so that a larger
// string is an older flag.
func flagKey(fl training.Flag) string {
	return fmt.Sprintf("%020d\x00%s", int64(1<<62)-fl.RaisedAt.UnixNano(), fl.ID)
}

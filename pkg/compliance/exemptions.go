package compliance

import (
	"context"
	"errors"
	"fmt"
	"slices"
	"strings"

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

// ListFlags lists the flags about people the actor may see, newest first.
// Flags are not held in memory: each call streams the flags collection
// once (a page of the flags list is an HR or manager task, not a hot path).
func (s *Flags) ListFlags(ctx context.Context, actor training.Actor, f training.FlagFilter, page training.PageRequest) (training.Page[training.Flag], error) {
	if _, err := training.ParseFlagKind("kind", string(f.Kind)); err != nil {
		return training.Page[training.Flag]{}, err
	}
	after, err := training.DecodeCursor(page.Cursor)
	if err != nil {
		return training.Page[training.Flag]{}, err
	}
	var all []training.Flag
	if err := s.flags.EachFlag(ctx, func(fl training.Flag) error {
		// Duplicate evidence is HR's business (it may mean fraud).
		if (f.Kind == "" || fl.Kind == f.Kind) && (fl.Kind != training.FlagDuplicateEvidence || actor.ReadsAll()) {
			all = append(all, fl)
		}
		return nil
	}); err != nil {
		return training.Page[training.Flag]{}, err
	}
	var out []training.Flag
	if err := s.read(ctx, func(o Org) error {
		for _, fl := range all {
			if canSee(o, actor, fl.PersonID) {
				out = append(out, fl)
			}
		}
		return nil
	}); err != nil {
		return training.Page[training.Flag]{}, err
	}
	// Newest first; the key makes the order total for the cursor.
	slices.SortFunc(out, func(a, b training.Flag) int { return strings.Compare(flagKey(a), flagKey(b)) })
	return training.Paginate(out, after, page.Size(), func(fl training.Flag) string { return flagKey(fl) }), nil
}

// flagKey sorts newest first: it inverts the time so that a larger
// string is an older flag.
func flagKey(fl training.Flag) string {
	return fmt.Sprintf("%020d\x00%s", int64(1<<62)-fl.RaisedAt.UnixNano(), fl.ID)
}

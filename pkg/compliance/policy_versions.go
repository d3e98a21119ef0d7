package compliance

import (
	"context"
	"errors"
	"fmt"
	"slices"

	"github.com/complytrack/complytrack/pkg/training"
)

// PolicyStore keeps every change of a course's policy (append-only).
type PolicyStore interface {
	// InsertCourseVersion stores a version; one with the same ID is ErrConflict.
	InsertCourseVersion(ctx context.Context, v training.CourseVersion) error
	// CourseVersions lists a course's versions, oldest first.
	CourseVersions(ctx context.Context, code string) ([]training.CourseVersion, error)
}

// courseVersions reads a course's versions from the store; a store that
// keeps none (a test double) has none, and the current policy is the only
// one.
func (s *core) courseVersions(ctx context.Context, code string) ([]training.CourseVersion, error) {
	store, ok := s.store.(PolicyStore)
	if !ok {
		return nil, nil
	}
	return store.CourseVersions(ctx, code)
}

// keepCourseVersion records a change of policy, when the change touched
// the policy at all (a new title is not a new policy).
func (s *core) keepCourseVersion(ctx context.Context, actor training.Actor, before, after training.Course) error {
	if len(training.PolicyChanges(before, after)) == 0 {
		return nil
	}
	store, ok := s.store.(PolicyStore)
	if !ok {
		return errors.New("keep course version: the store cannot keep policy versions")
	}
	at := s.now().UTC()
	return store.InsertCourseVersion(ctx, training.CourseVersion{ID: training.CourseVersionID(after.Code, at), CourseCode: after.Code,
		At: at, By: actor.PersonID, Before: before, After: after})
}

// PolicyHistory is one course's policy changes, newest first, each with
// what it changed in words and who made it. Everyone who may read the
// course's page (HR and auditors) may read it.
func (s *Catalogue) PolicyHistory(ctx context.Context, actor training.Actor, code string) ([]training.PolicyVersion, error) {
	if !actor.ReadsAll() {
		return nil, fmt.Errorf("policy history: %w", training.ErrForbidden)
	}
	if _, err := s.Course(ctx, code); err != nil {
		return nil, err
	}
	versions, err := s.courseVersions(ctx, code)
	if err != nil {
		return nil, err
	}
	out := make([]training.PolicyVersion, 0, len(versions))
	err = s.read(ctx, func(o Org) error {
		for _, v := range slices.Backward(versions) {
			pv := training.PolicyVersion{Version: v, EffectiveOn: training.Today(v.At, s.loc), Changes: training.PolicyChanges(v.Before, v.After)}
			if p, ok := o.Person(v.By); ok {
				pv.ByName = p.FullName()
			}
			out = append(out, pv)
		}
		return nil
	})
	return out, err
}

// PolicyImpact says what changing a course's policy would do today:
// everyone is evaluated under the current policy and under the changed
// one. Nothing is saved. Only HR may ask (they alone change policies).
func (s *Catalogue) PolicyImpact(ctx context.Context, actor training.Actor, code string, change func(*training.Course)) (training.PolicyImpact, error) {
	current, err := s.Course(ctx, code)
	if err != nil {
		return training.PolicyImpact{}, err
	}
	if !actor.HR {
		return training.PolicyImpact{}, fmt.Errorf("policy impact: %w", training.ErrForbidden)
	}
	changed := current
	changed.AppliesTo.Kinds = slices.Clone(current.AppliesTo.Kinds)
	change(&changed)
	changed.Code = current.Code
	if err := changed.Validate(); err != nil {
		return training.PolicyImpact{}, err
	}
	today := s.Today()
	out := training.PolicyImpact{Course: changed, Changes: training.PolicyChanges(current, changed), Today: today}
	err = s.read(ctx, func(o Org) error {
		o.EachPerson(func(p training.Person) bool {
			completions, exemptions := o.Completions(p.ID), o.Exemptions(p.ID)
			out.Add(training.Evaluate(p, current, completions, exemptions, today, timeZero),
				training.Evaluate(p, changed, completions, exemptions, today, timeZero))
			return true
		})
		return nil
	})
	return out, err
}

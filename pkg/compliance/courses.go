package compliance

import (
	"context"
	"errors"
	"fmt"
	"slices"
	"strings"

	"github.com/complytrack/complytrack/pkg/training"
)

// EnsureDefaultCourse adds PreventCourse when there are no courses at all
// (a fresh install). Two processes starting at once cannot both add it:
// the code is the document's _id.
func (s *Catalogue) EnsureDefaultCourse(ctx context.Context) error {
	var empty bool
	if err := s.read(ctx, func(o Org) error { empty = len(o.Courses()) == 0; return nil }); err != nil {
		return err
	}
	if !empty {
		return nil
	}
	c := training.PreventCourse()
	if err := s.store.CreateCourse(ctx, c); err != nil {
		if errors.Is(err, training.ErrConflict) {
			return nil
		}
		return err
	}
	return s.audit(ctx, training.SystemActorFor(), "course.create", "course", c.Code, nil, training.CourseForAudit(c))
}

// CreateCourse adds a course. Only HR may.
func (s *Catalogue) CreateCourse(ctx context.Context, actor training.Actor, c training.Course) (training.Course, error) {
	if !actor.HR {
		return training.Course{}, fmt.Errorf("create course: %w", training.ErrForbidden)
	}
	c.Code = strings.TrimSpace(c.Code)
	if err := c.Validate(); err != nil {
		return training.Course{}, err
	}
	if err := s.store.CreateCourse(ctx, c); err != nil {
		if errors.Is(err, training.ErrConflict) {
			return training.Course{}, training.Conflict("There is already a course with the code %s.", c.Code)
		}
		return training.Course{}, err
	}
	return c, s.audit(ctx, actor, "course.create", "course", c.Code, nil, training.CourseForAudit(c))
}

// UpdateCourse replaces a course's policy (the code stays). Only HR may.
// Statuses change at once for everyone: they are computed, not stored. A
// change of policy is kept as a version, so reports for days before it
// still use the policy of their day.
func (s *Catalogue) UpdateCourse(ctx context.Context, actor training.Actor, code string, change func(*training.Course)) (training.Course, error) {
	before, err := s.Course(ctx, code)
	if err != nil {
		return training.Course{}, err
	}
	if !actor.HR {
		return training.Course{}, fmt.Errorf("update course: %w", training.ErrForbidden)
	}
	c := before
	c.AppliesTo.Kinds = slices.Clone(before.AppliesTo.Kinds)
	change(&c)
	c.Code = before.Code
	if err := c.Validate(); err != nil {
		return training.Course{}, err
	}
	if err := s.store.UpdateCourse(ctx, c); err != nil {
		return training.Course{}, err
	}
	// The version is what reports for past days read the old policy from;
	// like the audit entry, a failure to write it is reported, not undone.
	if err := s.keepCourseVersion(ctx, actor, before, c); err != nil {
		return c, err
	}
	return c, s.audit(ctx, actor, "course.update", "course", c.Code, training.CourseForAudit(before), training.CourseForAudit(c))
}

// Course returns one course; everyone signed in may read courses.
func (s *Catalogue) Course(ctx context.Context, code string) (training.Course, error) {
	var c training.Course
	err := s.read(ctx, func(o Org) error {
		var ok bool
		if c, ok = o.Course(code); !ok {
			return fmt.Errorf("course %s: %w", code, training.ErrNotFound)
		}
		return nil
	})
	return c, err
}

// Courses returns every course, ordered by code.
func (s *Catalogue) Courses(ctx context.Context) ([]training.Course, error) {
	var out []training.Course
	err := s.read(ctx, func(o Org) error { out = o.Courses(); return nil })
	return out, err
}

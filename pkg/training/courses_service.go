package training

import (
	"context"
	"errors"
	"fmt"
	"slices"
	"strings"
)

// PreventCourse is the course a fresh install holds: the Home Office
// Prevent awareness e-learning, statutory for staff and elected Members
// under the Prevent duty (Counter-Terrorism and Security Act 2015, s.26),
// in force from 1 July 2015. Existing staff with no record show as overdue
// until their completions are imported; HR can move the date.
func PreventCourse() Course {
	return Course{
		Code:            "PREVENT",
		Title:           "Prevent awareness",
		Provider:        "Home Office",
		URL:             "https://www.gov.uk/guidance/prevent-duty-training",
		Delivery:        DeliveryELearning,
		AppliesTo:       AppliesTo{Kinds: []Kind{KindStaff, KindMember}},
		NewStarterDays:  DefaultNewStarterDays,
		ValidityMonths:  DefaultValidityMonths,
		DueSoonDays:     DefaultDueSoonDays,
		RenewWindowDays: DefaultRenewWindowDays,
		ExpiryBasis:     ExpiryFromPreviousExpiry,
		EffectiveFrom:   NewDate(2015, 7, 1),
		Evidence:        EvidenceCertificate,
		Verification:    VerificationNone,
	}
}

// EnsureDefaultCourse adds PreventCourse when there are no courses at all
// (a fresh install). Two processes starting at once cannot both add it:
// the code is the document's _id.
func (s *Service) EnsureDefaultCourse(ctx context.Context) error {
	if err := s.refresh(ctx); err != nil {
		return err
	}
	s.roster.mu.RLock()
	empty := len(s.roster.courses) == 0
	s.roster.mu.RUnlock()
	if !empty {
		return nil
	}
	c := PreventCourse()
	if err := s.store.CreateCourse(ctx, c); err != nil {
		if errors.Is(err, ErrConflict) {
			return nil
		}
		return err
	}
	s.putCourse(ctx, c)
	return s.audit(ctx, SystemActorFor(), "course.create", "course", c.Code, nil, auditCourse(c))
}

func (s *Service) putCourse(ctx context.Context, c Course) {
	s.roster.mu.Lock()
	s.roster.courses[c.Code] = c
	s.roster.mu.Unlock()
	s.changed(ctx)
}

// courseAudit is how a course appears in the audit log.
type courseAudit struct {
	Code            string   `json:"code"`
	Title           string   `json:"title"`
	Provider        string   `json:"provider"`
	URL             string   `json:"url"`
	Delivery        Delivery `json:"delivery"`
	Kinds           []Kind   `json:"applies_to_kinds"`
	Departments     []string `json:"applies_to_departments"`
	JobTitles       []string `json:"applies_to_job_titles"`
	NewStarterDays  int      `json:"new_starter_days"`
	ValidityMonths  int      `json:"validity_months"`
	DueSoonDays     int      `json:"due_soon_days"`
	RenewWindowDays int      `json:"renew_window_days"`
	ExpiryBasis     string   `json:"expiry_basis"`
	EffectiveFrom   Date     `json:"effective_from"`
	Evidence        string   `json:"evidence"`
	Verification    string   `json:"verification"`
}

func auditCourse(c Course) courseAudit {
	return courseAudit{c.Code, c.Title, c.Provider, c.URL, c.Delivery, c.AppliesTo.Kinds, c.AppliesTo.Departments, c.AppliesTo.JobTitles,
		c.NewStarterDays, c.ValidityMonths, c.DueSoonDays, c.RenewWindowDays, string(c.ExpiryBasis), c.EffectiveFrom, string(c.Evidence), string(c.Verification)}
}

// CreateCourse adds a course. Only HR may.
func (s *Service) CreateCourse(ctx context.Context, actor Actor, c Course) (Course, error) {
	if !actor.HR {
		return Course{}, fmt.Errorf("create course: %w", ErrForbidden)
	}
	c.Code = strings.TrimSpace(c.Code)
	if err := c.Validate(); err != nil {
		return Course{}, err
	}
	if err := s.store.CreateCourse(ctx, c); err != nil {
		if errors.Is(err, ErrConflict) {
			return Course{}, Conflict("There is already a course with the code %s.", c.Code)
		}
		return Course{}, err
	}
	s.putCourse(ctx, c)
	return c, s.audit(ctx, actor, "course.create", "course", c.Code, nil, auditCourse(c))
}

// UpdateCourse replaces a course's policy (the code stays). Only HR may.
// Statuses change at once for everyone: they are computed, not stored.
func (s *Service) UpdateCourse(ctx context.Context, actor Actor, code string, change func(*Course)) (Course, error) {
	before, err := s.Course(ctx, code)
	if err != nil {
		return Course{}, err
	}
	if !actor.HR {
		return Course{}, fmt.Errorf("update course: %w", ErrForbidden)
	}
	c := before
	c.AppliesTo.Kinds = slices.Clone(before.AppliesTo.Kinds)
	change(&c)
	c.Code = before.Code
	if err := c.Validate(); err != nil {
		return Course{}, err
	}
	if err := s.store.UpdateCourse(ctx, c); err != nil {
		return Course{}, err
	}
	s.putCourse(ctx, c)
	return c, s.audit(ctx, actor, "course.update", "course", c.Code, auditCourse(before), auditCourse(c))
}

// Course returns one course; everyone signed in may read courses.
func (s *Service) Course(ctx context.Context, code string) (Course, error) {
	if err := s.refresh(ctx); err != nil {
		return Course{}, err
	}
	s.roster.mu.RLock()
	defer s.roster.mu.RUnlock()
	c, ok := s.roster.courses[code]
	if !ok {
		return Course{}, fmt.Errorf("course %s: %w", code, ErrNotFound)
	}
	return c, nil
}

// Courses returns every course, ordered by code.
func (s *Service) Courses(ctx context.Context) ([]Course, error) {
	if err := s.refresh(ctx); err != nil {
		return nil, err
	}
	s.roster.mu.RLock()
	defer s.roster.mu.RUnlock()
	return s.sortedCourses(), nil
}

// sortedCourses lists the courses by code. Callers hold the roster lock.
func (s *Service) sortedCourses() []Course {
	out := make([]Course, 0, len(s.roster.courses))
	for _, c := range s.roster.courses {
		out = append(out, c)
	}
	slices.SortFunc(out, func(a, b Course) int { return strings.Compare(a.Code, b.Code) })
	return out
}

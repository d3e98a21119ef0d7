package training

import (
	"context"
	"errors"
	"fmt"
	"slices"
	"strings"
)

type exemptionAudit struct {
	ID         string `json:"id"`
	PersonID   string `json:"person_id"`
	CourseCode string `json:"course_code"`
	Reason     string `json:"reason"`
	Until      Date   `json:"until"`
	Removed    bool   `json:"removed"`
}

func auditExemption(e Exemption) exemptionAudit {
	return exemptionAudit{e.ID, e.PersonID, e.CourseCode, e.Reason, e.Until, e.Removal != nil}
}

// ExemptionInput is an exemption as HR enters it.
type ExemptionInput struct {
	Problems   []FieldError // found while reading the request
	CourseCode string
	Reason     string
	Until      Date // zero: no end date
}

// GrantExemption excuses a person from a course, with a reason, until an
// optional end date (inclusive). Only HR may.
func (s *Service) GrantExemption(ctx context.Context, actor Actor, personID string, in ExemptionInput) (Exemption, error) {
	courseCode, reason, until := in.CourseCode, in.Reason, in.Until
	person, err := s.Person(ctx, actor, personID)
	if err != nil {
		return Exemption{}, err
	}
	if !actor.HR {
		return Exemption{}, fmt.Errorf("grant exemption: %w", ErrForbidden)
	}
	today := s.Today()
	v := &ValidationError{Fields: append([]FieldError(nil), in.Problems...)}
	s.roster.mu.RLock()
	course, ok := s.roster.courses[courseCode]
	s.roster.mu.RUnlock()
	switch {
	case courseCode == "":
		v.Problem("course_code", "Choose a course")
	case !ok:
		v.Problem("course_code", "There is no course with the code %s", courseCode)
	case !course.Applies(person):
		v.Problem("course_code", "The course %s does not apply to %s", courseCode, person.FullName())
	}
	reason = checkReason(v, reason, "Enter the reason the person is exempt.")
	if !until.IsZero() && until.Before(today) {
		v.Problem("until", "The date the exemption ends must be today (%s) or later", today)
	}
	if err := v.Err(); err != nil {
		return Exemption{}, err
	}
	e, err := s.store.InsertExemption(ctx, Exemption{PersonID: personID, CourseCode: courseCode, Reason: reason, Until: until,
		CreatedBy: actor.PersonID, CreatedAt: s.now().UTC()})
	if err != nil {
		return Exemption{}, err
	}
	s.roster.mu.Lock()
	s.roster.putExemption(e)
	s.roster.mu.Unlock()
	s.changed(ctx)
	return e, s.audit(ctx, actor, "exemption.grant", "exemption", e.ID, nil, auditExemption(e))
}

// RemoveExemption withdraws an exemption. It is recorded, not deleted, so
// reports for earlier days still see it. Only HR may.
func (s *Service) RemoveExemption(ctx context.Context, actor Actor, id string) error {
	if err := s.refresh(ctx); err != nil {
		return err
	}
	s.roster.mu.RLock()
	pid, ok := s.roster.exemptionOwner[id]
	var e Exemption
	for _, x := range s.roster.exempt[pid] {
		if x.ID == id {
			e = x
		}
	}
	visible := ok && s.canSee(actor, pid)
	s.roster.mu.RUnlock()
	if !visible {
		return fmt.Errorf("exemption %s: %w", id, ErrNotFound)
	}
	if !actor.HR {
		return fmt.Errorf("remove exemption: %w", ErrForbidden)
	}
	if e.Removal != nil {
		return Conflict("This exemption was removed already.")
	}
	d := Decision{By: actor.PersonID, At: s.now().UTC()}
	if err := s.store.RemoveExemption(ctx, id, d); err != nil {
		if errors.Is(err, ErrConflict) {
			return Conflict("This exemption was removed already.")
		}
		return err
	}
	before := e
	e.Removal = &d
	s.roster.mu.Lock()
	s.roster.putExemption(e)
	s.roster.mu.Unlock()
	s.changed(ctx)
	return s.audit(ctx, actor, "exemption.remove", "exemption", id, auditExemption(before), auditExemption(e))
}

// ExemptionsOf lists a person's exemptions (including removed ones).
func (s *Service) ExemptionsOf(ctx context.Context, actor Actor, personID string) ([]Exemption, error) {
	if err := s.refresh(ctx); err != nil {
		return nil, err
	}
	s.roster.mu.RLock()
	defer s.roster.mu.RUnlock()
	if _, ok := s.roster.people[personID]; !ok || !s.canSee(actor, personID) {
		return nil, fmt.Errorf("person %s: %w", personID, ErrNotFound)
	}
	return append([]Exemption(nil), s.roster.exempt[personID]...), nil
}

// FlagFilter narrows ListFlags.
type FlagFilter struct {
	Kind FlagKind
}

// ListFlags lists the flags about people the actor may see, newest first.
func (s *Service) ListFlags(ctx context.Context, actor Actor, f FlagFilter, page PageRequest) (Page[Flag], error) {
	if f.Kind != "" && !f.Kind.Valid() {
		return Page[Flag]{}, Invalid("kind", "Choose a kind of flag: new_starter, due_soon, overdue, expired or duplicate_evidence.")
	}
	after, err := decodeCursor(page.Cursor)
	if err != nil {
		return Page[Flag]{}, err
	}
	if err := s.refresh(ctx); err != nil {
		return Page[Flag]{}, err
	}
	s.roster.mu.RLock()
	defer s.roster.mu.RUnlock()
	var out []Flag
	for i := len(s.roster.flags) - 1; i >= 0; i-- {
		fl := s.roster.flags[i]
		if f.Kind != "" && fl.Kind != f.Kind {
			continue
		}
		// Duplicate evidence is HR's business (it may mean fraud).
		if fl.Kind == FlagDuplicateEvidence && !actor.readsAll() {
			continue
		}
		if !s.canSee(actor, fl.PersonID) {
			continue
		}
		out = append(out, fl)
	}
	// Newest first; the key makes the order total for the cursor.
	slices.SortFunc(out, func(a, b Flag) int { return strings.Compare(flagKey(a), flagKey(b)) })
	return paginate(out, after, page.Size(), func(fl Flag) string { return flagKey(fl) }), nil
}

// flagKey sorts newest first: it inverts the time so that a larger
// string is an older flag.
func flagKey(fl Flag) string {
	return fmt.Sprintf("%020d\x00%s", int64(1<<62)-fl.RaisedAt.UnixNano(), fl.ID)
}

package compliance

import (
	"cmp"
	"context"
	"fmt"
	"slices"
	"time"

	"github.com/complytrack/complytrack/pkg/training"
)

// ComplianceReport works out a course's compliance for everyone on a day,
// grouped. Only HR and auditors may run it. For a past day it uses what
// was recorded by the end of that day (completions, decisions, exemptions
// and people's records as they were then), so it agrees with what the
// status pages said that day. The course's current policy applies: a
// policy change is reflected in reports recomputed afterwards (the
// monthly snapshots keep the figure as it was sent).
func (s *Reports) ComplianceReport(ctx context.Context, actor training.Actor, req training.ReportRequest) (training.Report, error) {
	if !actor.ReadsAll() {
		return training.Report{}, fmt.Errorf("compliance report: %w", training.ErrForbidden)
	}
	today := s.Today()
	v := &training.ValidationError{Fields: append([]training.FieldError(nil), req.Problems...)}
	switch req.GroupBy {
	case "":
		req.GroupBy = training.GroupByDepartment
	case training.GroupByDepartment, training.GroupByManager, training.GroupByKind:
	default:
		v.Add("group_by", "%s", training.GroupByProblem)
	}
	if req.AsOf.IsZero() {
		req.AsOf = today
	}
	if req.AsOf.After(today) {
		v.Problem("as_of", "The date of the report must be today or in the past (today is %s)", today)
	}
	var known time.Time // zero: everything recorded so far
	var then map[string]training.Person
	if req.AsOf.Before(today) {
		known = training.EndOfDay(req.AsOf, s.loc)
		var err error
		if then, err = s.peopleAt(ctx, known); err != nil {
			return training.Report{}, err
		}
	}
	var rep training.Report
	err := s.read(ctx, func(o Org) error {
		courses := o.Courses()
		if req.CourseCode == "" && len(courses) == 1 {
			req.CourseCode = courses[0].Code
		}
		course, ok := o.Course(req.CourseCode)
		switch {
		case req.CourseCode == "":
			v.Problem("course_code", "Choose a course")
		case !ok:
			v.Problem("course_code", "There is no course with the code %s", req.CourseCode)
		}
		if err := v.Err(); err != nil {
			return err
		}
		personAt := func(id string) (training.Person, bool) {
			p, ok := o.Person(id)
			if !ok || known.IsZero() {
				return p, ok
			}
			if p.CreatedAt.After(known) {
				return training.Person{}, false
			}
			if old, ok := then[id]; ok {
				return old, true
			}
			// Created before then but no version recorded (data from before
			// versions were kept): the current record is the best there is.
			return p, true
		}
		rep = training.Report{AsOf: req.AsOf, CourseCode: course.Code, GroupBy: req.GroupBy}
		groups := map[string]*training.Tally{}
		o.EachPerson(func(current training.Person) bool {
			p, existed := personAt(current.ID)
			if !existed {
				return true
			}
			a := training.Evaluate(p, course, o.Completions(p.ID), o.Exemptions(p.ID), req.AsOf, known)
			if !a.Applicable {
				return true
			}
			var manager training.Person
			if m, ok := personAt(p.ManagerID); ok {
				manager = m
			}
			key := training.GroupKey(req.GroupBy, p, manager)
			if groups[key] == nil {
				groups[key] = &training.Tally{}
			}
			groups[key].Add(a)
			rep.Totals.Add(a)
			rep.Lines = append(rep.Lines, training.ReportLine{Group: key, Person: p, Manager: manager, Assessment: a})
			return true
		})
		for k, t := range groups {
			rep.Groups = append(rep.Groups, training.ReportGroup{Key: k, Tally: *t})
		}
		return nil
	})
	if err != nil {
		return training.Report{}, err
	}
	slices.SortFunc(rep.Groups, func(a, b training.ReportGroup) int { return cmp.Compare(a.Key, b.Key) })
	slices.SortFunc(rep.Lines, func(a, b training.ReportLine) int {
		return cmp.Or(cmp.Compare(a.Group, b.Group), comparePeople(a.Person, b.Person))
	})
	return rep, nil
}

// peopleAt returns everyone's record as it was at instant t: for each
// person, the last version recorded on or before t. Versions are history,
// not held in memory: a report on a past day streams them once.
func (s *Reports) peopleAt(ctx context.Context, t time.Time) (map[string]training.Person, error) {
	out := map[string]training.Person{}
	err := s.store.EachPersonVersion(ctx, func(v training.Person) error {
		if v.UpdatedAt.After(t) {
			return nil
		}
		if cur, ok := out[v.ID]; !ok || !v.UpdatedAt.Before(cur.UpdatedAt) {
			out[v.ID] = v
		}
		return nil
	})
	return out, err
}

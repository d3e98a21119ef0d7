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
// and people's records as they were then) and the course's policy as it
// stood then (its versions), so it agrees with what the status pages said
// that day, and a later policy change does not alter it. The monthly
// snapshots keep the figure as it was sent besides.
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
	course, err := s.reportCourse(ctx, req.CourseCode, v)
	if err != nil {
		return training.Report{}, err
	}
	if req.AsOf.Before(today) {
		known := training.EndOfDay(req.AsOf, s.loc)
		if course, _, err = s.policyAt(ctx, course, known); err != nil {
			return training.Report{}, err
		}
		then, err := s.peopleAt(ctx, known)
		if err != nil {
			return training.Report{}, err
		}
		return s.reportOn(ctx, course, req.AsOf, req.GroupBy, known, then)
	}
	return s.reportOn(ctx, course, req.AsOf, req.GroupBy, time.Time{}, nil)
}

// reportCourse finds the course a report is asked for (the only one when
// none is named), adding what is wrong to v, which it returns when it
// holds anything.
func (s *Reports) reportCourse(ctx context.Context, code string, v *training.ValidationError) (training.Course, error) {
	var course training.Course
	err := s.read(ctx, func(o Org) error {
		courses := o.Courses()
		if code == "" && len(courses) == 1 {
			code = courses[0].Code
		}
		c, ok := o.Course(code)
		switch {
		case code == "":
			v.Problem("course_code", "Choose a course")
		case !ok:
			v.Problem("course_code", "There is no course with the code %s", code)
		}
		course = c
		return v.Err()
	})
	return course, err
}

// policyAt is the course's policy as it stood at instant t (from its
// versions), with the key naming that policy (training.PolicyAt).
func (s *core) policyAt(ctx context.Context, current training.Course, t time.Time) (training.Course, string, error) {
	versions, err := s.courseVersions(ctx, current.Code)
	if err != nil {
		return training.Course{}, "", err
	}
	c, key := training.PolicyAt(current, versions, t)
	return c, key, nil
}

// reportOn works out the report of course on day asOf, from what was
// known at instant known (zero: everything recorded so far) with people's
// records as they were then (then; nil for today).
func (s *Reports) reportOn(ctx context.Context, course training.Course, asOf training.Date, by training.GroupBy, known time.Time, then map[string]training.Person) (training.Report, error) {
	var rep training.Report
	err := s.read(ctx, func(o Org) error {
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
		rep = training.Report{AsOf: asOf, CourseCode: course.Code, GroupBy: by}
		groups := map[string]*training.Tally{}
		o.EachPerson(func(current training.Person) bool {
			p, existed := personAt(current.ID)
			if !existed {
				return true
			}
			a := training.Evaluate(p, course, o.Completions(p.ID), o.Exemptions(p.ID), asOf, known)
			if !a.Applicable {
				return true
			}
			var manager training.Person
			if m, ok := personAt(p.ManagerID); ok {
				manager = m
			}
			key := training.GroupKey(by, p, manager)
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
	rep.Lines = sortLines(rep.Lines)
	return rep, nil
}

// sortLines orders a report's lines by group, then by person as the lists
// are (comparePeople). A group key holds no NUL (it is a department, a
// name or a kind, all checked text), so NUL ends it in the joined key and
// a group sorts before any longer one it begins.
func sortLines(lines []training.ReportLine) []training.ReportLine {
	return sortedByKey(lines, func(l training.ReportLine) string { return l.Group + "\x00" + personKey(l.Person) })
}

// sortedByKey returns items ordered by key, making each item's key once
// and sorting the keys rather than the items. For lists of the whole
// organisation this matters: its items are several hundred bytes each,
// and lower-casing names on every comparison of a sort made up a third of
// a report's time.
func sortedByKey[T any](items []T, key func(T) string) []T {
	type keyed struct {
		key string
		i   int
	}
	keys := make([]keyed, len(items))
	for i, it := range items {
		keys[i] = keyed{key(it), i}
	}
	slices.SortFunc(keys, func(a, b keyed) int { return cmp.Compare(a.key, b.key) })
	out := make([]T, len(items))
	for j, k := range keys {
		out[j] = items[k.i]
	}
	return out
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

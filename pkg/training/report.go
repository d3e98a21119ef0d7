package training

import (
	"cmp"
	"context"
	"fmt"
	"slices"
	"time"
)

// GroupBy says how a report splits its totals.
type GroupBy string

const (
	GroupByDepartment GroupBy = "department"
	GroupByManager    GroupBy = "manager"
	GroupByKind       GroupBy = "kind"
)

// ReportRequest asks for a compliance report.
type ReportRequest struct {
	Problems   []FieldError // found while reading the request
	CourseCode string
	GroupBy    GroupBy // default department
	AsOf       Date    // default today; a past day is answered as it was known then
}

// ReportGroup is one group's counts.
type ReportGroup struct {
	Key   string
	Tally Tally
}

// ReportLine is one applicable person in the report (for the CSV).
type ReportLine struct {
	Group      string // the key of the group the person is counted in
	Person     Person
	Manager    Person // zero when none
	Assessment Assessment
}

// Report is a course's compliance on one day.
type Report struct {
	AsOf       Date
	CourseCode string
	GroupBy    GroupBy
	Totals     Tally
	Groups     []ReportGroup
	Lines      []ReportLine
}

// EndOfDay is the last instant of day d in loc: what was known "on" d.
func EndOfDay(d Date, loc *time.Location) time.Time {
	next := d.AddDays(1)
	return time.Date(next.Year(), next.Month(), next.Day(), 0, 0, 0, 0, loc).Add(-time.Nanosecond)
}

// ComplianceReport works out a course's compliance for everyone on a day,
// grouped. Only HR and auditors may run it. For a past day it uses what
// was recorded by the end of that day (completions, decisions, exemptions
// and people's records as they were then), so it agrees with what the
// status pages said that day. The course's current policy applies: a
// policy change is reflected in reports recomputed afterwards (the
// monthly snapshots keep the figure as it was sent).
func (s *Service) ComplianceReport(ctx context.Context, actor Actor, req ReportRequest) (Report, error) {
	if !actor.readsAll() {
		return Report{}, fmt.Errorf("compliance report: %w", ErrForbidden)
	}
	if err := s.refresh(ctx); err != nil {
		return Report{}, err
	}
	today := s.Today()
	v := &ValidationError{Fields: append([]FieldError(nil), req.Problems...)}
	switch req.GroupBy {
	case "":
		req.GroupBy = GroupByDepartment
	case GroupByDepartment, GroupByManager, GroupByKind:
	default:
		v.Problem("group_by", "Choose how to group the report: department, manager or kind")
	}
	if req.AsOf.IsZero() {
		req.AsOf = today
	}
	if req.AsOf.After(today) {
		v.Problem("as_of", "The date of the report must be today or in the past (today is %s)", today)
	}
	r := s.roster
	r.mu.RLock()
	defer r.mu.RUnlock()
	if req.CourseCode == "" && len(r.courses) == 1 {
		for code := range r.courses {
			req.CourseCode = code
		}
	}
	course, ok := r.courses[req.CourseCode]
	switch {
	case req.CourseCode == "":
		v.Problem("course_code", "Choose a course")
	case !ok:
		v.Problem("course_code", "There is no course with the code %s", req.CourseCode)
	}
	if err := v.Err(); err != nil {
		return Report{}, err
	}

	var known time.Time // zero: everything recorded so far
	if req.AsOf.Before(today) {
		known = EndOfDay(req.AsOf, s.loc)
	}
	rep := Report{AsOf: req.AsOf, CourseCode: course.Code, GroupBy: req.GroupBy}
	groups := map[string]*Tally{}
	for id := range r.people {
		p, existed := r.personAt(id, known)
		if !existed {
			continue
		}
		a := Evaluate(p, course, r.complete[id], r.exempt[id], req.AsOf, known)
		if !a.Applicable {
			continue
		}
		var manager Person
		if m, ok := r.personAt(p.ManagerID, known); ok {
			manager = m
		}
		key := groupKey(req.GroupBy, p, manager)
		if groups[key] == nil {
			groups[key] = &Tally{}
		}
		groups[key].Add(a)
		rep.Totals.Add(a)
		rep.Lines = append(rep.Lines, ReportLine{Group: key, Person: p, Manager: manager, Assessment: a})
	}
	for k, t := range groups {
		rep.Groups = append(rep.Groups, ReportGroup{Key: k, Tally: *t})
	}
	slices.SortFunc(rep.Groups, func(a, b ReportGroup) int { return cmp.Compare(a.Key, b.Key) })
	slices.SortFunc(rep.Lines, func(a, b ReportLine) int {
		return cmp.Or(cmp.Compare(a.Group, b.Group), comparePeople(a.Person, b.Person))
	})
	return rep, nil
}

func groupKey(by GroupBy, p, manager Person) string {
	switch by {
	case GroupByManager:
		if manager.ID == "" {
			return "(no line manager)"
		}
		return manager.FullName() + " (" + manager.EmployeeNumber + ")"
	case GroupByKind:
		return string(p.Kind)
	default:
		if p.Department == "" {
			return "(no department)"
		}
		return p.Department
	}
}

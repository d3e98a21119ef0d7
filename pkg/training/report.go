package training

import (
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

func GroupKey(by GroupBy, p, manager Person) string {
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

package training

import (
	"cmp"
	"slices"
	"strings"
)

// PersonOverview is one person as HR's people list shows them: their record
// and their status for every course that applies to them today.
type PersonOverview struct {
	Person   Person
	Training []Assessment
}

// PeopleOverview is one page of a people list: the people on it, in the
// list's order, how many the list holds in all, and the departments on
// record among the people the reader may see (for the department filter),
// sorted.
type PeopleOverview struct {
	People []PersonOverview
	// Total is how many people the whole list holds; Page is the number of
	// the page shown (the one asked for, or the last when that is past the
	// end).
	Total, Page int
	Departments []string
}

// PeopleQuery asks for one page of a people list, by number (from 1), of
// PageSize people (the default page size when 0).
type PeopleQuery struct {
	Filter   PeopleFilter
	Sort     PeopleSort
	Page     int
	PageSize int
}

// PeopleSortKey is a column the people list can be sorted by.
type PeopleSortKey string

const (
	SortByName       PeopleSortKey = "name"
	SortByDepartment PeopleSortKey = "department"
	SortByStartDate  PeopleSortKey = "start_date"
	SortByStatus     PeopleSortKey = "status" // worst status first
)

// PeopleSortKeys lists every sort column.
var PeopleSortKeys = []PeopleSortKey{SortByName, SortByDepartment, SortByStartDate, SortByStatus}

// PeopleSort orders a people list: by a column, ascending or descending.
// The zero value is by name, A to Z.
type PeopleSort struct {
	By         PeopleSortKey
	Descending bool
}

// SortProblem is the message for a sort column the list does not offer.
const SortProblem = "Choose a column to sort by: name, department, start_date or status."

// ParsePeopleSort reads a sort column; empty means by name.
func ParsePeopleSort(field, s string) (PeopleSortKey, error) {
	return parseOptional(field, s, SortProblem, PeopleSortKeys...)
}

// statusSeverity ranks statuses from the most to the least in need of
// action: what the "worst status" column sorts by. Someone no course
// applies to ranks last.
var statusSeverity = map[Status]int{
	StatusOverdue: 0, StatusExpired: 1, StatusDue: 2, StatusExpiring: 3, StatusExempt: 4, StatusCompliant: 5,
}

// WorstStatus is the status most in need of action among the assessments;
// ok is false when there are none.
func WorstStatus(assessments []Assessment) (st Status, ok bool) {
	best := len(statusSeverity)
	for _, a := range assessments {
		if r, known := statusSeverity[a.Status]; known && r < best {
			best, st, ok = r, a.Status, true
		}
	}
	return st, ok
}

func severity(assessments []Assessment) int {
	st, ok := WorstStatus(assessments)
	if !ok {
		return len(statusSeverity)
	}
	return statusSeverity[st]
}

// NeedsStatus reports whether the order depends on people's statuses, so
// that everyone's must be worked out before the list can be paged.
func (s PeopleSort) NeedsStatus() bool { return s.By == SortByStatus }

// Sort orders the list as s asks. Ties always fall back to the name (A to
// Z) and then the ID, so the order, and so each page, is stable.
func (s PeopleSort) Sort(list []PersonOverview) {
	byName := func(a, b Person) int {
		return cmp.Or(
			strings.Compare(strings.ToLower(a.FamilyName), strings.ToLower(b.FamilyName)),
			strings.Compare(strings.ToLower(a.GivenName), strings.ToLower(b.GivenName)),
			strings.Compare(a.ID, b.ID))
	}
	column := func(a, b PersonOverview) int {
		switch s.By {
		case SortByDepartment:
			return strings.Compare(strings.ToLower(a.Person.Department), strings.ToLower(b.Person.Department))
		case SortByStartDate:
			return a.Person.StartDate.Compare(b.Person.StartDate)
		case SortByStatus:
			return cmp.Compare(severity(a.Training), severity(b.Training))
		default:
			return byName(a.Person, b.Person)
		}
	}
	slices.SortFunc(list, func(a, b PersonOverview) int {
		c := column(a, b)
		if s.Descending {
			c = -c
		}
		return cmp.Or(c, byName(a.Person, b.Person))
	})
}

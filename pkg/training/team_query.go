package training

import "strings"

// TeamSort is the order of a team overview.
type TeamSort string

const (
	// TeamSortUrgency: overdue or expired first, then due or expiring,
	// then the rest, by name within each (the default).
	TeamSortUrgency TeamSort = ""
	// TeamSortDaysOverdue: the longest overdue first, then by name.
	TeamSortDaysOverdue TeamSort = "days_overdue"
	// TeamSortName: by family name, then given name.
	TeamSortName TeamSort = "name"
)

// TeamSorts lists every TeamSort, for parsing.
var TeamSorts = []TeamSort{TeamSortUrgency, TeamSortDaysOverdue, TeamSortName}

// TeamQuery chooses and orders the people of a team overview; empty
// fields do not filter.
type TeamQuery struct {
	TeamFilter
	// Name is matched against names, e-mail and employee number,
	// ignoring case.
	Name       string
	Department string
	// DirectOnly keeps the people reporting directly to the actor.
	DirectOnly bool
	// Late keeps the people with a course overdue or expired (of those
	// shown), the people a manager chases first.
	Late bool
	Sort TeamSort
}

// TeamOverview is everyone in a reporting line matching a TeamQuery, all
// of them, in order, with the figures the page shows above them.
type TeamOverview struct {
	// Members are the people matching the query, with the assessments of
	// the chosen course (or of every course that applies).
	Members []TeamOverviewMember
	// People is how many people the actor oversees (leavers aside);
	// Overdue how many of them have a course overdue or expired.
	People, Overdue int
	// Departments are the departments of the people overseen, by name,
	// each with how many people it has and how many have a course overdue
	// or expired.
	Departments []TeamDepartment
}

// TeamDepartment is one department of a TeamOverview.
type TeamDepartment struct {
	Name         string
	People, Late int
}

// Late reports whether a status is overdue or expired: past its date.
func (s Status) Late() bool { return s == StatusOverdue || s == StatusExpired }

// TeamOverviewMember is one person of a TeamOverview.
type TeamOverviewMember struct {
	TeamMember
	// DaysOverdue is how many days the person's longest overdue or
	// expired course (of those shown) has been so; 0 when none is.
	DaysOverdue int
}

// DaysOverdue is how many days a course has been overdue or expired on
// today: since its due date, or since the day after the completion's last
// valid day. It is 0 for any other status.
func (a Assessment) DaysOverdue(today Date) int {
	switch a.Status {
	case StatusOverdue:
		if a.DueOn.IsZero() {
			return 0
		}
		return max(a.DueOn.DaysUntil(today), 0)
	case StatusExpired:
		if a.ExpiresOn.IsZero() {
			return 0
		}
		return max(a.ExpiresOn.DaysUntil(today), 0)
	}
	return 0
}

// MatchesName reports whether q (lower case, trimmed) is part of the
// person's name, e-mail or employee number, ignoring case.
func (p Person) MatchesName(q string) bool {
	for _, s := range []string{p.GivenName + " " + p.FamilyName, p.Email, p.EmployeeNumber} {
		if strings.Contains(strings.ToLower(s), q) {
			return true
		}
	}
	return false
}

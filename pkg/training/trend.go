package training

import "time"

// MonthFigure is a course's compliance at the end of one month: a point
// of the dashboard's trend.
type MonthFigure struct {
	Month  string // "2026-10"
	AsOf   Date   // the month's last day; today for the month under way
	Totals Tally
	Groups []ReportGroup
	// Kept: the figure is the monthly report as it was kept and sent.
	// Otherwise it was worked out for AsOf, from what was recorded by the
	// end of that day, under the policy in force then.
	Kept bool
	// SoFar: the month under way, as it stands today.
	SoFar bool
}

// MonthLabel is "YYYY-MM" for the month of d.
func MonthLabel(d Date) string { return d.String()[:7] }

// MonthEnds returns the last days of the n months up to today's, oldest
// first, with today in place of the last day of the month under way.
func MonthEnds(today Date, n int) []Date {
	out := make([]Date, 0, n)
	for i := n - 1; i >= 1; i-- {
		first := DateOf(time.Date(today.Year(), today.Month()-time.Month(i)+1, 1, 0, 0, 0, 0, time.UTC))
		out = append(out, first.AddDays(-1))
	}
	if n > 0 {
		out = append(out, today)
	}
	return out
}

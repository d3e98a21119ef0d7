package mongodb

import "github.com/complytrack/complytrack/pkg/training"

// Dates are stored as "YYYY-MM-DD" strings: they sort as dates, range queries
// work on both engines, and they read plainly in mongosh. "" is no date.

func dateString(d training.Date) string { return d.String() }

func parseStoredDate(s string) training.Date {
	if s == "" {
		return training.Date{}
	}
	d, err := training.ParseDate(s)
	if err != nil {
		// Only this package writes these fields, always through dateString.
		return training.Date{}
	}
	return d
}

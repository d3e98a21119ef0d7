package web

import (
	"regexp"
	"time"

	"github.com/complytrack/complytrack/pkg/training"
)

// longDate writes a date the GOV.UK way: "3 November 2026"; "" for none.
func longDate(d training.Date) string {
	if d.IsZero() {
		return ""
	}
	return time.Date(d.Year(), d.Month(), d.Day(), 0, 0, 0, 0, time.UTC).Format("2 January 2006")
}

var isoDate = regexp.MustCompile(`\b\d{4}-\d{2}-\d{2}\b`)

// plainDates rewrites the ISO dates in a domain message ("due 2026-02-01 =
// start date 2026-01-04 + 28 days") as people write them.
func plainDates(s string) string {
	return isoDate.ReplaceAllStringFunc(s, func(iso string) string {
		d, err := training.ParseDate(iso)
		if err != nil {
			return iso
		}
		return longDate(d)
	})
}

// statusLabel is a status as its tag says it. The tag's colour repeats
// it; the words alone carry the meaning.
func statusLabel(s training.Status) string {
	switch s {
	case training.StatusCompliant:
		return "Compliant"
	case training.StatusExpiring:
		return "Expiring"
	case training.StatusExpired:
		return "Expired"
	case training.StatusDue:
		return "Due"
	case training.StatusOverdue:
		return "Overdue"
	case training.StatusExempt:
		return "Exempt"
	}
	return string(s)
}

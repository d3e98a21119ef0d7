package training

import (
	"encoding/json"
	"fmt"
	"time"
)

// DateLayout is the only textual form of a Date: ISO 8601 calendar date.
const DateLayout = "2006-01-02"

// Date is a calendar date with no time of day and no zone, as in "completed on
// 2026-03-31". The zero Date means "no date".
type Date struct {
	year  int
	month time.Month
	day   int
}

// NewDate returns the date y-m-d, normalising out-of-range values the way
// time.Date does (so NewDate(2026, 2, 30) is 2 March 2026).
func NewDate(y int, m time.Month, d int) Date {
	return DateOf(time.Date(y, m, d, 0, 0, 0, 0, time.UTC))
}

// DateOf returns the calendar date of t in t's own location.
func DateOf(t time.Time) Date {
	y, m, d := t.Date()
	return Date{year: y, month: m, day: d}
}

// Today returns the calendar date in loc at instant now. The day boundary is
// the organisation's, not UTC's: 23:30 UTC on 31 March 2026 is already
// 1 April in Europe/London.
func Today(now time.Time, loc *time.Location) Date {
	return DateOf(now.In(loc))
}

// ParseDate parses YYYY-MM-DD strictly: exactly that shape, a real day.
func ParseDate(s string) (Date, error) {
	if len(s) != len(DateLayout) {
		return Date{}, fmt.Errorf("date %q is not in the form YYYY-MM-DD", s)
	}
	t, err := time.Parse(DateLayout, s)
	if err != nil {
		return Date{}, fmt.Errorf("date %q is not a real date in the form YYYY-MM-DD", s)
	}
	if t.Year() < 1900 || t.Year() > 2999 {
		return Date{}, fmt.Errorf("date %q is outside the years 1900 to 2999", s)
	}
	return DateOf(t), nil
}

// MustDate is ParseDate for literals in tests and defaults; it panics on error.
func MustDate(s string) Date {
	d, err := ParseDate(s)
	if err != nil {
		panic(err)
	}
	return d
}

// IsZero reports whether d is the zero Date ("no date").
func (d Date) IsZero() bool { return d == Date{} }

// Year, Month and Day return the parts of d.
func (d Date) Year() int         { return d.year }
func (d Date) Month() time.Month { return d.month }
func (d Date) Day() int          { return d.day }
func (d Date) time() time.Time   { return time.Date(d.year, d.month, d.day, 0, 0, 0, 0, time.UTC) }
func (d Date) String() string {
	if d.IsZero() {
		return ""
	}
	return d.time().Format(DateLayout)
}

// AddDays returns d moved by n days (n may be negative).
func (d Date) AddDays(n int) Date { return DateOf(d.time().AddDate(0, 0, n)) }

// AddMonths returns d moved by n months, clamped to the end of the target
// month: 31 January + 1 month is 28 (or 29) February, 29 February + 12 months
// is 28 February.
func (d Date) AddMonths(n int) Date {
	total := int(d.month) - 1 + n
	y := d.year + total/12
	m := total % 12
	if m < 0 {
		m += 12
		y--
	}
	month := time.Month(m + 1)
	last := daysIn(y, month)
	day := d.day
	if day > last {
		day = last
	}
	return Date{year: y, month: month, day: day}
}

func daysIn(y int, m time.Month) int {
	return time.Date(y, m+1, 0, 0, 0, 0, 0, time.UTC).Day()
}

// Compare returns -1, 0 or +1 as d is before, equal to or after e.
func (d Date) Compare(e Date) int { return d.time().Compare(e.time()) }

// Before reports whether d is strictly before e.
func (d Date) Before(e Date) bool { return d.Compare(e) < 0 }

// After reports whether d is strictly after e.
func (d Date) After(e Date) bool { return d.Compare(e) > 0 }

// DaysUntil returns the number of days from d to e (negative when e is earlier).
func (d Date) DaysUntil(e Date) int {
	return int(e.time().Sub(d.time()).Hours() / 24)
}

// MaxDate returns the later of a and b.
func MaxDate(a, b Date) Date {
	if a.After(b) {
		return a
	}
	return b
}

// MarshalJSON writes "YYYY-MM-DD", or null for the zero Date.
func (d Date) MarshalJSON() ([]byte, error) {
	if d.IsZero() {
		return []byte("null"), nil
	}
	return json.Marshal(d.String())
}

// UnmarshalJSON reads "YYYY-MM-DD", "" or null (the last two mean no date).
func (d *Date) UnmarshalJSON(b []byte) error {
	if string(b) == "null" {
		*d = Date{}
		return nil
	}
	var s string
	if err := json.Unmarshal(b, &s); err != nil {
		return fmt.Errorf("a date must be a string in the form YYYY-MM-DD")
	}
	if s == "" {
		*d = Date{}
		return nil
	}
	p, err := ParseDate(s)
	if err != nil {
		return err
	}
	*d = p
	return nil
}

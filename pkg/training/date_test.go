package training_test

import (
	"encoding/json"
	"testing"
	"time"
	_ "time/tzdata" // Europe/London must load even where the system has no zoneinfo.

	"github.com/complytrack/complytrack/pkg/training"
)

var d = training.MustDate

func TestParseDate(t *testing.T) {
	valid := []string{"2026-02-01", "2024-02-29", "1900-01-01", "2999-12-31", "2026-12-31"}
	for _, s := range valid {
		got, err := training.ParseDate(s)
		if err != nil {
			t.Errorf("ParseDate(%q): unexpected error %v", s, err)
			continue
		}
		if got.String() != s {
			t.Errorf("ParseDate(%q).String() = %q, want %q", s, got.String(), s)
		}
	}

	invalid := []string{
		"2026-2-1",             // single digits
		"2026-02-1",            // single-digit day
		"2026-02-30",           // no such day
		"2025-02-29",           // not a leap year
		"2026-13-01",           // no such month
		"2026-00-10",           // month zero
		"2026-01-00",           // day zero
		" 2026-02-01",          // leading space
		"2026-02-01 ",          // trailing space
		"2026-02-01T00:00:00Z", // an instant, not a date
		"2026/02/01",           // wrong separator
		"20260201",             // no separators
		"+026-02-01",           // sign in the year
		"1899-12-31",           // before the supported years
		"3000-01-01",           // after the supported years
		"",                     // empty
		"０２０２６-02-01",          // non-ASCII digits
	}
	for _, s := range invalid {
		if got, err := training.ParseDate(s); err == nil {
			t.Errorf("ParseDate(%q) = %v, want an error", s, got)
		}
	}
}

func TestMustDatePanics(t *testing.T) {
	defer func() {
		if recover() == nil {
			t.Error("MustDate(\"2026-02-30\") did not panic")
		}
	}()
	training.MustDate("2026-02-30")
}

func TestDateZero(t *testing.T) {
	var z training.Date
	if !z.IsZero() {
		t.Error("zero Date: IsZero() = false")
	}
	if z.String() != "" {
		t.Errorf("zero Date: String() = %q, want empty", z.String())
	}
	if d("2026-01-01").IsZero() {
		t.Error("2026-01-01: IsZero() = true")
	}
}

func TestNewDateNormalises(t *testing.T) {
	if got, want := training.NewDate(2026, time.February, 30), d("2026-03-02"); got != want {
		t.Errorf("NewDate(2026, 2, 30) = %v, want %v", got, want)
	}
	if got, want := training.NewDate(2026, time.January, 31), d("2026-01-31"); got != want {
		t.Errorf("NewDate(2026, 1, 31) = %v, want %v", got, want)
	}
}

func TestAddMonths(t *testing.T) {
	tests := []struct {
		from string
		n    int
		want string
	}{
		{"2026-01-31", 1, "2026-02-28"}, // clamped, not a leap year
		{"2024-01-31", 1, "2024-02-29"}, // clamped, leap year
		{"2024-02-29", 12, "2025-02-28"},
		{"2024-02-29", 48, "2028-02-29"},
		{"2026-03-31", 36, "2029-03-31"},
		{"2026-05-31", 1, "2026-06-30"},
		{"2026-12-31", 2, "2027-02-28"},
		{"2026-01-15", 0, "2026-01-15"},
		{"2026-01-15", 12, "2027-01-15"},
		// Negative: backwards across year ends, clamped the same way.
		{"2026-03-31", -1, "2026-02-28"},
		{"2026-01-15", -1, "2025-12-15"},
		{"2026-01-15", -12, "2025-01-15"},
		{"2026-01-15", -13, "2024-12-15"},
		{"2026-03-31", -25, "2024-02-29"},
		{"2026-12-31", -36, "2023-12-31"},
	}
	for _, tt := range tests {
		if got := d(tt.from).AddMonths(tt.n); got != d(tt.want) {
			t.Errorf("%s.AddMonths(%d) = %v, want %s", tt.from, tt.n, got, tt.want)
		}
	}
}

func TestAddDaysAndDaysUntil(t *testing.T) {
	tests := []struct {
		from string
		n    int
		want string
	}{
		{"2026-01-04", 28, "2026-02-01"},
		{"2024-02-28", 1, "2024-02-29"},
		{"2026-03-28", 2, "2026-03-30"}, // across the spring clock change: still whole days
		{"2026-10-24", 2, "2026-10-26"}, // across the autumn clock change
		{"2026-01-01", -1, "2025-12-31"},
		{"2026-01-01", 0, "2026-01-01"},
	}
	for _, tt := range tests {
		got := d(tt.from).AddDays(tt.n)
		if got != d(tt.want) {
			t.Errorf("%s.AddDays(%d) = %v, want %s", tt.from, tt.n, got, tt.want)
		}
		if back := d(tt.from).DaysUntil(got); back != tt.n {
			t.Errorf("%s.DaysUntil(%s) = %d, want %d", tt.from, got, back, tt.n)
		}
	}
}

func TestCompare(t *testing.T) {
	a, b := d("2026-03-31"), d("2026-04-01")
	if a.Compare(b) != -1 || b.Compare(a) != 1 || a.Compare(a) != 0 {
		t.Errorf("Compare: got %d %d %d, want -1 1 0", a.Compare(b), b.Compare(a), a.Compare(a))
	}
	if !a.Before(b) || a.After(b) || a.Before(a) || a.After(a) {
		t.Error("Before/After wrong for 2026-03-31 and 2026-04-01")
	}
	if training.MaxDate(a, b) != b || training.MaxDate(b, a) != b || training.MaxDate(a, a) != a {
		t.Error("MaxDate did not return the later date")
	}
}

func TestDateJSON(t *testing.T) {
	type doc struct {
		Start training.Date `json:"start"`
		End   training.Date `json:"end"`
	}
	in := doc{Start: d("2026-02-01")}
	b, err := json.Marshal(in)
	if err != nil {
		t.Fatal(err)
	}
	if got, want := string(b), `{"start":"2026-02-01","end":null}`; got != want {
		t.Errorf("Marshal = %s, want %s", got, want)
	}
	var out doc
	if err := json.Unmarshal(b, &out); err != nil {
		t.Fatal(err)
	}
	if out != in {
		t.Errorf("round trip = %+v, want %+v", out, in)
	}

	// "" and null both mean no date, even over an existing value.
	for _, s := range []string{`""`, `null`} {
		got := d("2026-01-01")
		if err := json.Unmarshal([]byte(s), &got); err != nil || !got.IsZero() {
			t.Errorf("Unmarshal(%s) = %v, %v; want the zero Date", s, got, err)
		}
	}

	for _, s := range []string{`"2026-2-1"`, `"2026-02-30"`, `20260201`, `"2026-02-01T00:00:00Z"`, `true`, `{}`, `"`} {
		var got training.Date
		if err := json.Unmarshal([]byte(s), &got); err == nil {
			t.Errorf("Unmarshal(%s) = %v, want an error", s, got)
		}
	}
}

// TestTodayLondon: the day boundary is the organisation's. British Summer Time
// began at 01:00 UTC on 29 March 2026 and ends at 01:00 UTC on 25 October 2026.
func TestTodayLondon(t *testing.T) {
	london, err := time.LoadLocation("Europe/London")
	if err != nil {
		t.Fatal(err)
	}
	tests := []struct {
		utc        string
		london, in string // want: date in London, date in UTC
	}{
		{"2026-03-28T23:30:00Z", "2026-03-28", "2026-03-28"}, // GMT: London = UTC
		{"2026-03-29T00:30:00Z", "2026-03-29", "2026-03-29"}, // still GMT, half an hour before the change
		{"2026-03-29T23:30:00Z", "2026-03-30", "2026-03-29"}, // BST: already tomorrow in London
		{"2026-03-31T23:30:00Z", "2026-04-01", "2026-03-31"},
		{"2026-03-31T22:59:59Z", "2026-03-31", "2026-03-31"},
		{"2026-03-31T23:00:00Z", "2026-04-01", "2026-03-31"}, // midnight BST
		{"2026-10-24T23:30:00Z", "2026-10-25", "2026-10-24"}, // BST
		{"2026-10-25T23:30:00Z", "2026-10-25", "2026-10-25"}, // back to GMT
	}
	for _, tt := range tests {
		now, err := time.Parse(time.RFC3339, tt.utc)
		if err != nil {
			t.Fatal(err)
		}
		if got := training.Today(now, london); got != d(tt.london) {
			t.Errorf("Today(%s, London) = %v, want %s", tt.utc, got, tt.london)
		}
		if got := training.Today(now, time.UTC); got != d(tt.in) {
			t.Errorf("Today(%s, UTC) = %v, want %s", tt.utc, got, tt.in)
		}
	}
}

func FuzzParseDate(f *testing.F) {
	for _, s := range []string{"2026-02-01", "2024-02-29", "2026-02-30", "2026-2-1", " 2026-02-01",
		"2026-02-01T00:00:00Z", "1900-01-01", "2999-12-31", "0000-00-00", "+026-02-01", "-026-02-01", ""} {
		f.Add(s)
	}
	f.Fuzz(func(t *testing.T, s string) {
		got, err := training.ParseDate(s)
		if err != nil {
			return
		}
		// Strict: only the canonical spelling of a real date is accepted.
		if got.String() != s {
			t.Fatalf("ParseDate(%q).String() = %q", s, got.String())
		}
		if got.IsZero() || got.Year() < 1900 || got.Year() > 2999 {
			t.Fatalf("ParseDate(%q) = %v: out of range", s, got)
		}
	})
}

func FuzzDateJSON(f *testing.F) {
	for _, s := range []string{`"2026-02-01"`, `null`, `""`, `"2026-02-30"`, `20260201`, `"2024-02-29"`, `"\u0032026-02-01"`, `{}`} {
		f.Add([]byte(s))
	}
	f.Fuzz(func(t *testing.T, b []byte) {
		var got training.Date
		if err := json.Unmarshal(b, &got); err != nil {
			return
		}
		out, err := json.Marshal(got)
		if err != nil {
			t.Fatalf("Marshal(%v): %v", got, err)
		}
		want := `null`
		if !got.IsZero() {
			want = `"` + got.String() + `"`
		}
		if string(out) != want {
			t.Fatalf("Marshal(%v) = %s, want %s", got, out, want)
		}
		var back training.Date
		if err := json.Unmarshal(out, &back); err != nil || back != got {
			t.Fatalf("round trip of %s: got %v, %v; want %v", out, back, err, got)
		}
	})
}

package training

import (
	"testing"
	"time"
)

func TestPolicyAt(t *testing.T) {
	v1 := PreventCourse()
	v2 := v1
	v2.ValidityMonths = 24
	v3 := v2
	v3.NewStarterDays = 7
	t1 := time.Date(2026, 3, 1, 10, 0, 0, 0, time.UTC)
	t2 := time.Date(2026, 9, 1, 10, 0, 0, 0, time.UTC)
	versions := []CourseVersion{
		{ID: CourseVersionID("PREVENT", t1), At: t1, Before: v1, After: v2},
		{ID: CourseVersionID("PREVENT", t2), At: t2, Before: v2, After: v3},
	}
	cases := []struct {
		name     string
		versions []CourseVersion
		at       time.Time
		want     Course
		wantKey  string
	}{
		{"no versions: the current course", nil, t1, v3, "current"},
		{"before the first change", versions, t1.Add(-time.Second), v1, "before " + versions[0].ID},
		{"the instant of the first change", versions, t1, v2, versions[0].ID},
		{"between the changes", versions, t2.Add(-time.Nanosecond), v2, versions[0].ID},
		{"after the last change", versions, t2.Add(time.Hour), v3, versions[1].ID},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			got, key := PolicyAt(v3, tc.versions, tc.at)
			if got.ValidityMonths != tc.want.ValidityMonths || got.NewStarterDays != tc.want.NewStarterDays || key != tc.wantKey {
				t.Errorf("PolicyAt = %d months, %d days, %q; want %d, %d, %q", got.ValidityMonths, got.NewStarterDays, key,
					tc.want.ValidityMonths, tc.want.NewStarterDays, tc.wantKey)
			}
		})
	}
}

func TestPolicyChanges(t *testing.T) {
	base := PreventCourse()
	cases := []struct {
		name   string
		change func(*Course)
		want   []PolicyChange
	}{
		{"title only is not policy", func(c *Course) { c.Title = "Prevent" }, nil},
		{"validity", func(c *Course) { c.ValidityMonths = 0 }, []PolicyChange{{"validity_months", "Valid for", "36 months", "never expires"}}},
		{"target from the default", func(c *Course) { c.TargetPct = 95 }, []PolicyChange{{"target_pct", "Compliance target", "90%", "95%"}}},
		{"the default target written out", func(c *Course) { c.TargetPct = 90 }, nil},
		{"kinds in another order", func(c *Course) { c.AppliesTo.Kinds = []Kind{KindMember, KindStaff} }, nil},
		{"a department added", func(c *Course) { c.AppliesTo.Departments = []string{"Housing"} },
			[]PolicyChange{{"applies_to", "Applies to", "staff, elected Members", "staff, elected Members in Housing"}}},
		{"new starters and verification", func(c *Course) { c.NewStarterDays = 1; c.Verification = VerificationHR }, []PolicyChange{
			{"new_starter_days", "Days a new starter has", "28 days", "1 day"},
			{"verification", "Verified by", "nobody: it counts at once", "HR"}}},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			after := base
			after.AppliesTo.Kinds = append([]Kind(nil), base.AppliesTo.Kinds...)
			tc.change(&after)
			got := PolicyChanges(base, after)
			if len(got) != len(tc.want) {
				t.Fatalf("PolicyChanges = %+v, want %+v", got, tc.want)
			}
			for i := range got {
				if got[i] != tc.want[i] {
					t.Errorf("change %d = %+v, want %+v", i, got[i], tc.want[i])
				}
			}
		})
	}
}

func TestMonthEnds(t *testing.T) {
	got := MonthEnds(MustDate("2026-11-30"), 12)
	if len(got) != 12 || got[0] != MustDate("2025-12-31") || got[1] != MustDate("2026-01-31") || got[2] != MustDate("2026-02-28") ||
		got[10] != MustDate("2026-10-31") || got[11] != MustDate("2026-11-30") {
		t.Errorf("MonthEnds = %v", got)
	}
	if got := MonthEnds(MustDate("2026-03-05"), 3); got[0] != MustDate("2026-01-31") || got[1] != MustDate("2026-02-28") || got[2] != MustDate("2026-03-05") {
		t.Errorf("MonthEnds in March = %v", got)
	}
}

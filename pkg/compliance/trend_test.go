package compliance_test

import (
	"context"
	"sync"
	"testing"
	"time"

	"github.com/complytrack/complytrack/pkg/compliance"
	"github.com/complytrack/complytrack/pkg/dbtest"
	"github.com/complytrack/complytrack/pkg/mongodb"
	"github.com/complytrack/complytrack/pkg/readmodel"
	"github.com/complytrack/complytrack/pkg/training"
)

type testClock struct {
	mu sync.Mutex
	t  time.Time
}

func (c *testClock) Now() time.Time { c.mu.Lock(); defer c.mu.Unlock(); return c.t }
func (c *testClock) Set(t time.Time) {
	c.mu.Lock()
	c.t = t
	c.mu.Unlock()
}

// The trend is the report for each past month's last day, under the
// policy of that day, or the monthly report as kept; the month under way
// follows today's policy. Policy changes after a month leave its figure
// alone, whether it was worked out before the change or after.
func TestTrendUsesThePolicyOfEachMonth(t *testing.T) {
	ctx := context.Background()
	db := dbtest.New(t)
	store := mongodb.New(db)
	if err := store.Migrate(ctx); err != nil {
		t.Fatal(err)
	}
	clk := &testClock{t: time.Date(2026, 1, 10, 9, 0, 0, 0, time.UTC)}
	m := readmodel.New(mongodb.New(db).WithClock(clk.Now), readmodel.Options{Now: clk.Now})
	if err := m.Load(ctx); err != nil {
		t.Fatal(err)
	}
	svc := compliance.NewService(m, compliance.Options{Now: clk.Now})
	if err := svc.EnsureDefaultCourse(ctx); err != nil {
		t.Fatal(err)
	}
	ids := map[string]string{}
	for _, n := range []string{"E1", "E2", "E3", "E4"} {
		p, err := svc.CreatePerson(ctx, hr, input(n))
		if err != nil {
			t.Fatal(err)
		}
		ids[n] = p.ID
	}
	record := func(who, on string) {
		t.Helper()
		if _, err := svc.RecordCompletion(ctx, hr, ids[who], training.CompletionInput{CourseCode: "PREVENT", CompletedOn: training.MustDate(on), CertificateRef: "HO-" + on}); err != nil {
			t.Fatal(err)
		}
	}
	record("E1", "2025-12-01")
	clk.Set(time.Date(2026, 3, 15, 9, 0, 0, 0, time.UTC))
	record("E2", "2026-03-01")
	clk.Set(time.Date(2026, 6, 20, 9, 0, 0, 0, time.UTC))
	// Three months' validity: E1's completion ran out on 1 March, E2's on 1 June.
	if _, err := svc.UpdateCourse(ctx, hr, "PREVENT", func(c *training.Course) { c.ValidityMonths = 3 }); err != nil {
		t.Fatal(err)
	}
	clk.Set(time.Date(2026, 7, 5, 9, 0, 0, 0, time.UTC))
	// The May report as it was kept and sent, whatever it said.
	sent := training.Tally{Applicable: 4, Compliant: 3, Overdue: 1}
	if _, err := svc.KeepSnapshot(ctx, training.Snapshot{Key: "PREVENT/2026-05", CourseCode: "PREVENT", AsOf: training.MustDate("2026-05-31"),
		GroupBy: training.GroupByDepartment, Totals: sent}); err != nil {
		t.Fatal(err)
	}

	check := func(stage string, wantToday int) {
		t.Helper()
		months, err := svc.Trend(ctx, hr, "PREVENT", 12)
		if err != nil {
			t.Fatal(err)
		}
		if len(months) != 12 || months[0].Month != "2025-08" || months[11].Month != "2026-07" || !months[11].SoFar {
			t.Fatalf("%s: months %+v", stage, months)
		}
		want := map[string]int{"2025-12": 0, "2026-01": 1, "2026-02": 1, "2026-03": 2, "2026-04": 2, "2026-05": 3, "2026-06": 0, "2026-07": wantToday}
		for _, f := range months {
			rep, err := svc.ComplianceReport(ctx, hr, training.ReportRequest{CourseCode: "PREVENT", AsOf: f.AsOf})
			if err != nil {
				t.Fatal(err)
			}
			switch {
			case f.Month == "2026-05":
				if !f.Kept || f.Totals != sent {
					t.Errorf("%s: May = %+v, want the report as kept", stage, f)
				}
			case f.Totals != rep.Totals:
				t.Errorf("%s: %s = %+v, the report for %s says %+v", stage, f.Month, f.Totals, f.AsOf, rep.Totals)
			}
			if n, ok := want[f.Month]; ok && f.Totals.UpToDate() != n {
				t.Errorf("%s: %s has %d up to date, want %d", stage, f.Month, f.Totals.UpToDate(), n)
			}
		}
	}
	// Before 20 June the policy was 36 months: E1 and E2 were up to date
	// in April; the month under way has nobody up to date.
	check("first", 0)
	// Back to 36 months today: the past months keep their policies (and
	// come from memory now), the month under way follows the new one.
	if _, err := svc.UpdateCourse(ctx, hr, "PREVENT", func(c *training.Course) { c.ValidityMonths = 36 }); err != nil {
		t.Fatal(err)
	}
	check("after another change", 2)
	history, err := svc.PolicyHistory(ctx, hr, "PREVENT")
	if err != nil || len(history) != 2 || history[0].Changes[0].After != "36 months" || history[1].Changes[0].Before != "36 months" ||
		history[1].EffectiveOn != training.MustDate("2026-06-20") {
		t.Errorf("policy history = %+v, %v", history, err)
	}
}

// What a change would do today is counted person by person, and nothing
// is saved.
func TestPolicyImpact(t *testing.T) {
	ctx := context.Background()
	svc, _ := replicas(t) // today is 2026-06-01
	if err := svc.EnsureDefaultCourse(ctx); err != nil {
		t.Fatal(err)
	}
	for i, on := range []string{"2025-01-10", "2025-09-01", "2026-05-01", ""} {
		p, err := svc.CreatePerson(ctx, hr, input("P"+string(rune('1'+i))))
		if err != nil {
			t.Fatal(err)
		}
		if on != "" {
			if _, err := svc.RecordCompletion(ctx, hr, p.ID, training.CompletionInput{CourseCode: "PREVENT", CompletedOn: training.MustDate(on), CertificateRef: "HO"}); err != nil {
				t.Fatal(err)
			}
		}
	}
	cases := []struct {
		name                string
		change              func(*training.Course)
		newly, noLonger     int
		required, unrequire int
	}{
		{"twelve months' validity", func(c *training.Course) { c.ValidityMonths = 12 }, 1, 0, 0, 0},
		{"six months' validity", func(c *training.Course) { c.ValidityMonths = 6 }, 2, 0, 0, 0},
		{"members only", func(c *training.Course) { c.AppliesTo.Kinds = []training.Kind{training.KindMember} }, 0, 1, 0, 4},
		{"target only", func(c *training.Course) { c.TargetPct = 80 }, 0, 0, 0, 0},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			im, err := svc.PolicyImpact(ctx, hr, "PREVENT", tc.change)
			if err != nil {
				t.Fatal(err)
			}
			if im.NewlyBehind != tc.newly || im.NoLongerBehind != tc.noLonger || im.NewlyRequired != tc.required || im.NoLongerRequired != tc.unrequire {
				t.Errorf("impact = %+v, want %d newly behind, %d no longer, %d newly required, %d no longer", im, tc.newly, tc.noLonger, tc.required, tc.unrequire)
			}
			if len(im.Changes) != 1 {
				t.Errorf("changes = %+v, want one", im.Changes)
			}
		})
	}
	if c, _ := svc.Course(ctx, "PREVENT"); c.ValidityMonths != 36 || c.TargetPct != 0 {
		t.Errorf("the course changed: %+v", c)
	}
	if _, err := svc.PolicyImpact(ctx, training.Actor{PersonID: "x", Auditor: true}, "PREVENT", func(*training.Course) {}); err == nil {
		t.Error("an auditor was told what a change would do")
	}
}

package httpapi_test

import (
	"context"
	"encoding/json"
	"net/http"
	"reflect"
	"testing"
	"time"

	"github.com/complytrack/complytrack/pkg/training"
)

// A report for a past day is worked out under the policy in force that
// day: changing the policy afterwards leaves it as it was, while today's
// report follows the new policy at once.
func TestPastDayReportKeepsThePolicyOfTheDay(t *testing.T) {
	cases := []struct {
		name   string
		change map[string]any
	}{
		{"shorter validity", map[string]any{"validity_months": 24}},
		{"fewer days for new starters", map[string]any{"new_starter_days": 7}},
		{"longer expiring warning", map[string]any{"due_soon_days": 400}},
		{"applies to staff only", map[string]any{"applies_to": map[string]any{"kinds": []string{"staff"}}}},
		{"later effective date", map[string]any{"effective_from": "2026-10-20"}},
		{"expiry from the completion", map[string]any{"expiry_basis": "completion", "validity_months": 12}},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			e := newEnv(t)
			// Today is 2026-11-02; everything below is recorded today.
			e.addPerson("h1", "", map[string]any{"department": "Housing", "start_date": "2020-01-06"})
			e.addPerson("h2", "h1", map[string]any{"department": "Housing", "start_date": "2021-03-01"})
			e.addPerson("h3", "h1", map[string]any{"department": "Housing", "start_date": "2026-10-26"})
			e.addPerson("p1", "", map[string]any{"department": "Planning", "start_date": "2019-05-01"})
			e.addPerson("p2", "p1", map[string]any{"department": "Planning", "start_date": "2026-09-01"})
			e.addPerson("m1", "", map[string]any{"kind": "member", "department": "", "job_title": "Councillor", "start_date": "2024-05-10"})
			e.recordByHR(e.people["h1"].ID, "PREVENT", "2023-12-01")
			e.recordByHR(e.people["h2"].ID, "PREVENT", "2025-06-01")
			e.recordByHR(e.people["p1"].ID, "PREVENT", "2024-11-20")
			e.recordByHR(e.people["m1"].ID, "PREVENT", "2024-06-01")

			e.clock.Advance(4 * 24 * time.Hour) // 2026-11-06
			e.signIn("hr")
			const pastDay = "course_code=PREVENT&group_by=department&as_of=2026-11-05"
			before := e.report(pastDay)
			todayBefore := e.report("course_code=PREVENT&group_by=department")
			if before.Totals.Applicable == 0 {
				t.Fatalf("the report for the past day counts nobody: %+v", before)
			}

			e.must(http.StatusOK, "PATCH", "/api/v1/courses/PREVENT", e.tokens["hr"], tc.change)

			after := e.report(pastDay)
			if !reflect.DeepEqual(before, after) {
				t.Errorf("the report for 2026-11-05 changed with the policy:\nbefore %+v\nafter  %+v", before, after)
			}
			if todayAfter := e.report("course_code=PREVENT&group_by=department"); reflect.DeepEqual(todayBefore, todayAfter) {
				t.Errorf("today's report did not follow the new policy: %+v", todayAfter)
			}
			// A day later, the day of the change is a past day under the new policy.
			e.clock.Advance(24 * time.Hour)
			e.signIn("hr")
			if changeDay := e.report("course_code=PREVENT&group_by=department&as_of=2026-11-06"); reflect.DeepEqual(before.Totals, changeDay.Totals) {
				t.Errorf("the report for the day of the change did not use the new policy: %+v", changeDay)
			}
		})
	}
}

// The monthly reports are listed as they were kept, newest first, to HR
// and auditors; an unknown course is named as the problem.
func TestMonthlyReportsAsKept(t *testing.T) {
	e := newEnv(t)
	e.cast()
	e.recordByHR(e.people["emp"].ID, "PREVENT", "2025-01-10")
	hr := e.tokens["hr"]

	var empty struct{ Items []json.RawMessage }
	decodeInto(t, e.must(http.StatusOK, "GET", "/api/v1/reports/monthly?course_code=PREVENT", hr, nil), &empty)
	if len(empty.Items) != 0 {
		t.Fatalf("monthly reports before the job ran = %d, want none", len(empty.Items))
	}

	e.clock.Advance(29 * 24 * time.Hour) // 2026-12-01
	e.signInAgain("hr", "auditor", "mgra")
	hr = e.tokens["hr"]
	// The monthly job keeps the November figure on 1 December: worked
	// out for 2026-11-30, as the job does.
	ctx := context.Background()
	for _, code := range []string{"PREVENT", "WRAP"} {
		rep, err := e.app.Training.ComplianceReport(ctx, training.SystemActorFor(), training.ReportRequest{CourseCode: code, GroupBy: training.GroupByDepartment, AsOf: training.MustDate("2026-11-30")})
		if err != nil {
			t.Fatal(err)
		}
		if _, err := e.app.Training.KeepSnapshot(ctx, training.Snapshot{Key: training.SnapshotKey(code, rep.AsOf), CourseCode: code, AsOf: rep.AsOf,
			GroupBy: rep.GroupBy, Totals: rep.Totals, Groups: rep.Groups}); err != nil {
			t.Fatal(err)
		}
	}
	novReport := e.report("course_code=PREVENT&group_by=department&as_of=2026-11-30")
	if novReport.Totals.Applicable == 0 {
		t.Fatalf("the November report counts nobody: %+v", novReport)
	}

	type item struct {
		CourseCode string   `json:"course_code"`
		Month      string   `json:"month"`
		Totals     jCounts  `json:"totals"`
		Groups     []jGroup `json:"groups"`
		SentAt     string   `json:"sent_at"`
	}
	var got struct{ Items []item }
	decodeInto(t, e.must(http.StatusOK, "GET", "/api/v1/reports/monthly?course_code=PREVENT", e.tokens["auditor"], nil), &got)
	if len(got.Items) != 1 {
		t.Fatalf("monthly reports = %+v, want the one for November", got.Items)
	}
	it := got.Items[0]
	if it.CourseCode != "PREVENT" || it.Month != "2026-11" || it.SentAt == "" {
		t.Errorf("monthly report = %+v, want PREVENT for 2026-11 with when it was sent", it)
	}
	if it.Totals != novReport.Totals || !reflect.DeepEqual(it.Groups, novReport.Groups) {
		t.Errorf("monthly report figures = %+v %+v, want the report for 2026-11-30: %+v %+v", it.Totals, it.Groups, novReport.Totals, novReport.Groups)
	}

	var other struct{ Items []item }
	decodeInto(t, e.must(http.StatusOK, "GET", "/api/v1/reports/monthly?course_code=WRAP", hr, nil), &other)
	if len(other.Items) != 1 || other.Items[0].CourseCode != "WRAP" {
		t.Errorf("WRAP's monthly reports = %+v, want its own one", other.Items)
	}
	var all struct{ Items []item }
	decodeInto(t, e.must(http.StatusOK, "GET", "/api/v1/reports/monthly", hr, nil), &all)
	if len(all.Items) != 2 {
		t.Errorf("every course's monthly reports = %d, want 2", len(all.Items))
	}
	wantProblem(t, e.do("GET", "/api/v1/reports/monthly?course_code=NOPE", hr, nil), http.StatusUnprocessableEntity, "course_code")
	e.must(http.StatusForbidden, "GET", "/api/v1/reports/monthly?course_code=PREVENT", e.tokens["mgra"], nil)
}

func decodeInto(t *testing.T, r response, v any) {
	t.Helper()
	if err := json.Unmarshal(r.Body, v); err != nil {
		t.Fatalf("%v: %s", err, r.Body)
	}
}

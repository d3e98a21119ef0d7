package web_test

import (
	"net/http"
	"net/url"
	"regexp"
	"strconv"
	"testing"

	"github.com/complytrack/complytrack/pkg/training"
)

// Before a policy change is saved, HR sees what it does to everyone
// today; "Change it again" brings back the form as they filled it;
// confirming saves it, and the course's page lists the change in words,
// with who made it. The number the check page gives is what the dashboard
// counts once the change is saved.
func TestPolicyChangeIsCheckedThenListed(t *testing.T) {
	e := newEnv(t, "http://127.0.0.1")
	for i, on := range []string{"2024-01-10", "2025-03-01", "2025-12-01", ""} {
		p := e.addPerson("Person"+string(rune('A'+i)), "Tester", "")
		if on != "" {
			if _, err := e.app.Training.RecordCompletion(t.Context(), e.hr, p.ID, training.CompletionInput{CourseCode: "PREVENT",
				CompletedOn: training.MustDate(on), CertificateRef: "HO-" + on}); err != nil {
				t.Fatal(err)
			}
		}
	}
	b := hpSignInHR(e)
	behind := func() int {
		t.Helper()
		dash := b.visit("/dashboard")
		n := 0
		for _, id := range []string{"count-overdue", "count-expired"} {
			m := regexp.MustCompile(`id="` + id + `" href="[^"]*">(\d+)`).FindStringSubmatch(dash.Body)
			if m == nil {
				t.Fatalf("the dashboard has no %s", id)
			}
			v, _ := strconv.Atoi(m[1])
			n += v
		}
		return n
	}
	before := behind()
	mustContain(t, b.visit("/courses/PREVENT"), `id="no-policy-changes"`, `<dd class="summary-list__value" id="course-target">90%</dd>`)

	mustStatus(t, b.visit("/courses/PREVENT/edit"), http.StatusOK)
	form := url.Values{"new_starter_days": {"28"}, "validity_months": {"12"}, "due_soon_days": {"30"}, "renew_window_days": {"60"},
		"target_pct": {"95"}, "effective-from-day": {"1"}, "effective-from-month": {"7"}, "effective-from-year": {"2015"}}
	r := b.submit("/courses/PREVENT/edit", form)
	mustStatus(t, r, http.StatusOK)
	// Twelve months' validity: the completions of January 2024 and March
	// 2025 have run out by 2 November 2026; December 2025's has not.
	mustContain(t, r, `<p class="heading-m" id="policy-impact">This makes 2 people overdue or expired today.</p>`,
		`<dd class="summary-list__value">36 months → 12 months</dd>`, `<dd class="summary-list__value">90% → 95%</dd>`)

	back := url.Values{"back": {"yes"}}
	for k, v := range form {
		back[k] = v
	}
	r = b.submit("/courses/PREVENT/edit", back)
	mustStatus(t, r, http.StatusOK)
	mustContain(t, r, `id="validity_months" name="validity_months" type="text" inputmode="numeric" value="12"`, `name="target_pct" type="text" inputmode="numeric" value="95"`)
	if co, _ := e.app.Training.Course(t.Context(), "PREVENT"); co.ValidityMonths != 36 {
		t.Fatalf("the change was saved before HR confirmed it: %+v", co)
	}

	form.Set("confirmed", "yes")
	r = b.submit("/courses/PREVENT/edit", form)
	mustStatus(t, r, http.StatusSeeOther)
	page := b.follow(r)
	mustContain(t, page, "Policy saved", `id="policy-change-1"`, "2 November 2026 at 9:00am, by HR Administrator",
		"<li>Valid for: 36 months → 12 months</li>", "<li>Compliance target: 90% → 95%</li>",
		`<dd class="summary-list__value" id="course-target">95%</dd>`)
	if got := behind(); got != before+2 {
		t.Errorf("overdue and expired on the dashboard went from %d to %d after the change, want %d", before, got, before+2)
	}
	mustContain(t, b.visit("/dashboard"), "The target is 95%")
}

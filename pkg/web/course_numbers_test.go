package web_test

import (
	"net/http"
	"net/url"
	"strconv"
	"testing"
	"time"

	"github.com/complytrack/complytrack/pkg/training"
)

// The add form and the policy form read the policy's numbers by the same
// rules and say the same things about them. The one difference: the
// policy form leaves a number it was not sent as it is, where the add
// form, which needs them all, asks for it.
func TestPolicyNumbersReadAlikeOnBothForms(t *testing.T) {
	e := newEnv(t, "http://127.0.0.1")
	b := hpSignInHR(e)
	const absent = "\x00" // the box is not in the form at all
	for i, tc := range []struct {
		name, field, value  string
		addSays, policySays string // "": accepted, with the number stored as want
		want                int
	}{
		{"empty", "new_starter_days", "  ", "Enter the days a new starter has to complete it.", "Enter the days a new starter has to complete it.", 0},
		{"words", "validity_months", "three years", "The months a completion stays valid must be a whole number, like 36.",
			"The months a completion stays valid must be a whole number, like 36.", 0},
		{"decimal", "due_soon_days", "30.5", "The days before expiry it shows as expiring must be a whole number, like 30.",
			"The days before expiry it shows as expiring must be a whole number, like 30.", 0},
		{"target 0", "target_pct", "0", "The compliance target must be a whole number from 1 to 100.",
			"The compliance target must be a whole number from 1 to 100.", 0},
		{"spaces round a number", "renew_window_days", " 45 ", "", "", 45},
		{"target absent", "target_pct", absent, "Enter the compliance target.", "", 90},
	} {
		t.Run(tc.name, func(t *testing.T) {
			e.clock.Advance(time.Minute) // a policy change a moment after the last
			number := func(co training.Course) int {
				return map[string]int{"new_starter_days": co.NewStarterDays, "validity_months": co.ValidityMonths,
					"due_soon_days": co.DueSoonDays, "renew_window_days": co.RenewWindowDays, "target_pct": co.Target()}[tc.field]
			}
			numbers := url.Values{"new_starter_days": {"28"}, "validity_months": {"36"}, "due_soon_days": {"30"}, "renew_window_days": {"60"},
				"target_pct": {"90"}, "effective-from-day": {"1"}, "effective-from-month": {"7"}, "effective-from-year": {"2015"}}
			if tc.value == absent {
				numbers.Del(tc.field)
			} else {
				numbers.Set(tc.field, tc.value)
			}

			code := "NUM" + strconv.Itoa(i)
			add := url.Values{"code": {code}, "title": {"Numbers " + tc.name}, "provider": {"Us"}, "url": {"https://example.org/numbers"},
				"delivery": {"e-learning"}, "kinds": {"staff"}, "expiry-basis": {"completion"}, "evidence": {"none"}, "verification": {"none"}}
			for k, v := range numbers {
				add[k] = v
			}
			b.visit("/courses/new")
			r := b.submit("/courses/new", add)
			if tc.addSays != "" {
				mustStatus(t, r, http.StatusUnprocessableEntity)
				mustContain(t, r, `<a href="#`+tc.field+`">`+tc.addSays+`</a>`)
			} else {
				mustStatus(t, r, http.StatusSeeOther)
				co, err := e.app.Training.Course(t.Context(), code)
				if err != nil {
					t.Fatal(err)
				}
				if got := number(co); got != tc.want {
					t.Errorf("add form stored %s = %d, want %d", tc.field, got, tc.want)
				}
			}

			numbers.Set("confirmed", "yes")
			b.visit("/courses/PREVENT/edit")
			r = b.submit("/courses/PREVENT/edit", numbers)
			if tc.policySays != "" {
				mustStatus(t, r, http.StatusUnprocessableEntity)
				mustContain(t, r, `<a href="#`+tc.field+`">`+tc.policySays+`</a>`)
				return
			}
			mustStatus(t, r, http.StatusSeeOther)
			co, err := e.app.Training.Course(t.Context(), "PREVENT")
			if err != nil {
				t.Fatal(err)
			}
			if got := number(co); got != tc.want {
				t.Errorf("policy form stored %s = %d, want %d", tc.field, got, tc.want)
			}
		})
	}
}

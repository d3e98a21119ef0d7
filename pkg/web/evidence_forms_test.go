package web_test

import (
	"net/http"
	"strings"
	"testing"

	"github.com/complytrack/complytrack/pkg/auth"
	"github.com/complytrack/complytrack/pkg/training"
)

// An auditor who also manages people sees every pending completion, but
// the verify and reject forms only on those the domain lets them decide:
// their own reporting line's, for a course the line manager verifies.
// Each form shown works; each one withheld would have been refused.
func TestEvidenceFormsOnlyWhereTheViewerMayDecide(t *testing.T) {
	e := newEnv(t, "http://127.0.0.1")
	hpManagerVerifiedCourse(e)
	if _, err := e.app.Training.CreateCourse(t.Context(), e.hr, training.Course{
		Code: "SAFEGUARD", Title: "Safeguarding workshop", Delivery: training.DeliveryClassroom,
		AppliesTo: training.AppliesTo{Kinds: []training.Kind{training.KindStaff}}, ValidityMonths: 36,
		NewStarterDays: 28, DueSoonDays: 30, RenewWindowDays: 60, ExpiryBasis: training.ExpiryFromCompletion,
		EffectiveFrom: training.MustDate("2020-01-01"), Evidence: training.EvidenceNone, Verification: training.VerificationHR,
	}); err != nil {
		t.Fatal(err)
	}
	boss := e.employee("Mia", "Boss")
	if _, err := e.app.Accounts.SetRoles(t.Context(), e.hr, boss.ID, auth.NewRoles(auth.RoleAuditor)); err != nil {
		t.Fatal(err)
	}
	report := e.addPerson("Sophie", "Marsh", "E-Mia")
	stranger := e.addPerson("Tom", "Whitfield", "")
	own := hpSelfCertify(e, boss, "WRAP", "2026-10-01")
	mine := hpSelfCertify(e, report, "WRAP", "2026-10-01")
	hrOnly := hpSelfCertify(e, report, "SAFEGUARD", "2026-10-02")
	theirs := hpSelfCertify(e, stranger, "WRAP", "2026-10-01")

	b := e.newBrowser()
	b.signIn("mia.boss@example.gov.uk", castPassword)
	r := b.visit("/evidence")
	mustStatus(t, r, http.StatusOK)
	for _, c := range []struct {
		name   string
		id     string
		decide bool
	}{
		{"their report's workshop", mine.ID, true},
		{"their report's workshop that HR verifies", hrOnly.ID, false},
		{"someone outside their line", theirs.ID, false},
		{"their own", own.ID, false},
	} {
		verify := strings.Contains(r.Body, `action="/evidence/`+c.id+`/verify"`)
		reject := strings.Contains(r.Body, `action="/evidence/`+c.id+`/reject"`)
		if verify != c.decide || reject != c.decide {
			t.Errorf("%s: verify form %v, reject form %v, want %v", c.name, verify, reject, c.decide)
		}
		if !strings.Contains(r.Body, `id="pending-`+c.id+`"`) {
			t.Errorf("%s: not listed for the auditor", c.name)
		}
	}
	// What is withheld would be refused; what is shown is accepted.
	for _, id := range []string{hrOnly.ID, theirs.ID, own.ID} {
		mustStatus(t, b.submit("/evidence/"+id+"/verify", nil), http.StatusForbidden)
	}
	r = b.submit("/evidence/"+mine.ID+"/verify", nil)
	if r.Status != http.StatusSeeOther {
		t.Fatalf("verify their report's workshop: %d\n%s", r.Status, r.Body)
	}
}

package web_test

import (
	"net/http"
	"regexp"
	"strings"
	"testing"

	"github.com/complytrack/complytrack/pkg/training"
)

// rejectedNote is the text of the element with the given id, tags
// dropped and spaces collapsed.
func rejectedNote(r result, id string) string {
	m := regexp.MustCompile(`(?s)id="` + regexp.QuoteMeta(id) + `">(.*?)</(?:div|p)>`).FindStringSubmatch(r.Body)
	if m == nil {
		return ""
	}
	return strings.Join(strings.Fields(regexp.MustCompile(`<[^>]*>`).ReplaceAllString(m[1], " ")), " ")
}

// A rejected completion is told on the course's card on My training, with
// who rejected it, when, why and the link to record it again; the person
// page's course row says the same to the manager. Recording it again
// replaces the note.
func TestRejectedCompletionIsToldOnTheCourse(t *testing.T) {
	e := newEnv(t, "http://127.0.0.1")
	hpManagerVerifiedCourse(e)
	mia := e.employee("Mia", "Boss")
	sophie := e.addPerson("Sophie", "Marsh", "E-Mia")
	if _, err := e.app.Accounts.AcceptInvite(t.Context(), e.invitation(sophie), castPassword); err != nil {
		t.Fatal(err)
	}
	done := hpSelfCertify(e, sophie, "WRAP", "2026-10-01")
	if _, err := e.app.Training.Review(t.Context(), training.Actor{PersonID: mia.ID}, done.ID, false, "You were not on the register."); err != nil {
		t.Fatal(err)
	}

	b := e.newBrowser()
	b.signIn("sophie.marsh@example.gov.uk", castPassword)
	r := b.visit("/my-training")
	mustStatus(t, r, http.StatusOK)
	want := "Rejected on 2 November 2026 by Mia Boss: You were not on the register. Record it again : Workshop to Raise Awareness of Prevent"
	if got := rejectedNote(r, "rejected-WRAP"); got != want {
		t.Errorf("My training's WRAP card says %q, want %q", got, want)
	}
	mustContain(t, r, `id="rejected-WRAP">Rejected on`, `<a class="link" href="/my-training/WRAP/record">Record it again`)
	if got := rejectedNote(r, "rejected-PREVENT"); got != "" {
		t.Errorf("Prevent awareness, never rejected, says %q", got)
	}

	m := e.newBrowser()
	m.signIn("mia.boss@example.gov.uk", castPassword)
	r = m.visit("/people/" + sophie.ID)
	mustStatus(t, r, http.StatusOK)
	if got, want := rejectedNote(r, "rejected-WRAP"), "Rejected on 2 November 2026 by Mia Boss: You were not on the register. It needs recording again."; got != want {
		t.Errorf("the person page's WRAP row says %q, want %q", got, want)
	}

	// Recorded again: waiting for verification, the rejection is history.
	hpSelfCertify(e, sophie, "WRAP", "2026-10-20")
	r = b.visit("/my-training")
	if got := rejectedNote(r, "rejected-WRAP"); got != "" {
		t.Errorf("after recording again the card still says %q", got)
	}
	mustContain(t, r, "You were not on the register") // in the history table
}

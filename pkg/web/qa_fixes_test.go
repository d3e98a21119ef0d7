package web_test

import (
	"net/http"
	"net/url"
	"regexp"
	"strings"
	"testing"

	"github.com/complytrack/complytrack/pkg/auth"
)

// A completion the person recorded themselves is "You" only on the
// viewer's own pages; anyone else reading the person's history is told
// whose word it is.
func TestSelfRecordedCompletionNamesThePerson(t *testing.T) {
	e := newEnv(t, "http://127.0.0.1")
	hpManagerVerifiedCourse(e)
	e.employee("Mia", "Boss")
	sophie := e.addPerson("Sophie", "Marsh", "E-Mia")
	if _, err := e.app.Accounts.AcceptInvite(t.Context(), e.invitation(sophie), castPassword); err != nil {
		t.Fatal(err)
	}
	hpSelfCertify(e, sophie, "WRAP", "2026-10-01")

	signIn := func(email, password string) func() *browser {
		return func() *browser { b := e.newBrowser(); b.signIn(email, password); return b }
	}
	const named = `<td data-label="Recorded by">Sophie Marsh (self-certified)</td>`
	const you = `<td data-label="Recorded by">You</td>`
	for _, tc := range []struct {
		name, path string
		viewer     func() *browser
		want, not  string
	}{
		{"HR on the person page", "/people/" + sophie.ID, signIn(adminEmail, adminPassword), named, you},
		{"manager on the person page", "/people/" + sophie.ID, signIn("mia.boss@example.gov.uk", castPassword), named, you},
		{"auditor on the person page", "/people/" + sophie.ID, func() *browser { return hpAuditor(e) }, named, you},
		{"the person on their own page", "/people/" + sophie.ID, signIn("sophie.marsh@example.gov.uk", castPassword), you, named},
		{"the person on My training", "/my-training", signIn("sophie.marsh@example.gov.uk", castPassword), you, named},
	} {
		t.Run(tc.name, func(t *testing.T) {
			r := tc.viewer().visit(tc.path)
			mustStatus(t, r, http.StatusOK)
			mustContain(t, r, tc.want)
			hpLacks(t, r, tc.not)
		})
	}
}

// The confirmation after verifying or rejecting says whose completion of
// which course it was. The address carries the completion's id only, and
// the banner is shown only to whoever took the decision.
func TestReviewConfirmationNamesPersonAndCourse(t *testing.T) {
	e := newEnv(t, "http://127.0.0.1")
	hpManagerVerifiedCourse(e)
	e.employee("Mia", "Boss")
	sophie := e.addPerson("Sophie", "Marsh", "E-Mia")
	tom := e.addPerson("Tom", "Whitfield", "E-Mia")
	verified := hpSelfCertify(e, sophie, "WRAP", "2026-10-01")
	rejected := hpSelfCertify(e, tom, "WRAP", "2026-10-02")
	pending := hpSelfCertify(e, e.addPerson("Ann", "Other", "E-Mia"), "WRAP", "2026-10-03")

	b := e.newBrowser()
	b.signIn("mia.boss@example.gov.uk", castPassword)
	b.visit("/evidence")
	for _, tc := range []struct {
		name, action string
		form         url.Values
		id, want     string
	}{
		{"verify", "/verify", nil, verified.ID,
			"Verified Sophie Marsh’s Workshop to Raise Awareness of Prevent completion: it now counts."},
		{"reject", "/reject", url.Values{"reason": {"You were not on the register"}}, rejected.ID,
			"Rejected Tom Whitfield’s Workshop to Raise Awareness of Prevent completion: they can see your reason."},
	} {
		t.Run(tc.name, func(t *testing.T) {
			r := b.submit("/evidence/"+tc.id+tc.action, tc.form)
			if want := "/evidence?reviewed=" + tc.id; r.Status != http.StatusSeeOther || r.Location() != want {
				t.Fatalf("%s: %d to %q, want 303 to %q", tc.name, r.Status, r.Location(), want)
			}
			r = b.follow(r)
			mustStatus(t, r, http.StatusOK)
			mustContain(t, r, tc.want)
		})
	}

	// A link naming a completion nobody has decided on, or one decided by
	// someone else, or no completion at all, confirms nothing.
	hr := hpSignInHR(e)
	for _, tc := range []struct {
		name string
		b    *browser
		id   string
	}{
		{"still pending", b, pending.ID},
		{"decided by someone else", hr, verified.ID},
		{"no such completion", b, "no-such-id"},
	} {
		t.Run(tc.name, func(t *testing.T) {
			r := tc.b.visit("/evidence?reviewed=" + url.QueryEscape(tc.id))
			mustStatus(t, r, http.StatusOK)
			hpLacks(t, r, "notification-banner--success", "Verified ", "Rejected ")
		})
	}
}

// After a rejection the course's card offers one way to record it again.
func TestRejectedCourseOffersOneRecordLink(t *testing.T) {
	e := newEnv(t, "http://127.0.0.1")
	hpManagerVerifiedCourse(e)
	sophie := e.employee("Sophie", "Marsh")
	done := hpSelfCertify(e, sophie, "WRAP", "2026-10-01")
	if _, err := e.app.Training.Review(t.Context(), e.hr, done.ID, false, "You were not on the register."); err != nil {
		t.Fatal(err)
	}

	b := e.newBrowser()
	b.signIn("sophie.marsh@example.gov.uk", castPassword)
	r := b.visit("/my-training")
	mustStatus(t, r, http.StatusOK)
	section := regexp.MustCompile(`(?s)<section class="course" aria-labelledby="course-(\w+)">(.*?)</section>`)
	links := map[string]int{}
	for _, m := range section.FindAllStringSubmatch(r.Body, -1) {
		links[m[1]] = strings.Count(m[2], `href="/my-training/`+m[1]+`/record"`)
	}
	for _, code := range []string{"WRAP", "PREVENT"} {
		if links[code] != 1 {
			t.Errorf("the %s card has %d links to record it, want 1", code, links[code])
		}
	}
	mustContain(t, r, "Record it again")
	// The card never rejected keeps its button.
	if !strings.Contains(r.Body, `href="/my-training/PREVENT/record" class="button`) {
		t.Errorf("Prevent awareness has lost its button:\n%s", r.Body)
	}
}

// Someone with nobody reporting to them is told so in one sentence: no
// filters and no download of an empty list. A manager keeps both, even
// when the filters match nobody.
func TestTeamWithNobodyReportingIsOneSentence(t *testing.T) {
	e := newEnv(t, "http://127.0.0.1")
	newHRCast(e)
	tara := e.employee("Tara", "Train")
	if _, err := e.app.Accounts.SetRoles(t.Context(), e.hr, tara.ID, auth.NewRoles(auth.RoleEmployee, auth.RoleTrainer)); err != nil {
		t.Fatal(err)
	}

	const form = `<form method="get" action="/team"`
	for _, tc := range []struct {
		name, email, path string
		alone             bool
	}{
		{"employee", "olly.field@example.gov.uk", "/team", true},
		{"trainer", "tara.train@example.gov.uk", "/team", true},
		{"manager", "mara.hill@example.gov.uk", "/team", false},
		{"manager, filters matching nobody", "mara.hill@example.gov.uk", "/team?status=exempt", false},
	} {
		t.Run(tc.name, func(t *testing.T) {
			b := e.newBrowser()
			b.signIn(tc.email, castPassword)
			r := b.visit(tc.path)
			mustStatus(t, r, http.StatusOK)
			if tc.alone {
				mustContain(t, r, `<p class="body">Nobody reports to you.</p>`)
				hpLacks(t, r, form, "/team.csv", "Apply filters", "Everyone in your reporting line")
				return
			}
			mustContain(t, r, form, "Apply filters")
			hpLacks(t, r, "Nobody reports to you.")
		})
	}
}

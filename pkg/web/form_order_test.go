package web_test

import (
	"net/http"
	"net/url"
	"regexp"
	"slices"
	"strings"
	"testing"
)

var summaryLink = regexp.MustCompile(`<ul class="error-summary__list">((?s).*?)</ul>`)
var summaryHref = regexp.MustCompile(`<a href="#([^"]+)">([^<]*)</a>`)

// The error summary lists a form's problems in the order of its fields on
// the page, and an incomplete date names every part that is missing.
func TestErrorSummaryFollowsThePage(t *testing.T) {
	e := newEnv(t, "http://complytrack.test")
	sophie := e.addPerson("Sophie", "Marsh", "")
	b := e.newBrowser()
	b.signIn(adminEmail, adminPassword)
	mustStatus(t, b.visit("/people/"+sophie.ID+"/exemptions/new"), http.StatusOK)
	r := b.submit("/people/"+sophie.ID+"/exemptions", url.Values{"course_code": {""}, "reason": {""},
		"until-day": {""}, "until-month": {"13"}, "until-year": {""}})
	mustStatus(t, r, http.StatusUnprocessableEntity)
	list := summaryLink.FindStringSubmatch(r.Body)
	if list == nil {
		t.Fatalf("no error summary:\n%s", r.Body)
	}
	var ids, msgs []string
	for _, m := range summaryHref.FindAllStringSubmatch(list[1], -1) {
		ids, msgs = append(ids, m[1]), append(msgs, m[2])
	}
	want := []string{"course_code", "reason", "until-day"}
	if !slices.Equal(ids, want) {
		t.Errorf("error summary links %v, want %v (the page's order)", ids, want)
	}
	if !slices.Contains(msgs, "The date the exemption ends must include a day and year.") {
		t.Errorf("messages %q: want the incomplete date to name the day and the year", msgs)
	}
}

// A person's own page names their line manager (without a link: the
// manager's record is not theirs to open) and leads back to My training.
func TestOwnPersonPageNamesTheLineManager(t *testing.T) {
	e := newEnv(t, "http://complytrack.test")
	boss := e.addPerson("Daniel", "Okoro", "")
	me := e.addPerson("Sophie", "Marsh", boss.EmployeeNumber)
	if _, err := e.app.Accounts.AcceptInvite(t.Context(), e.invitation(me), castPassword); err != nil {
		t.Fatal(err)
	}
	b := e.newBrowser()
	b.signIn(me.Email, castPassword)
	r := b.get("/people/" + me.ID)
	mustStatus(t, r, http.StatusOK)
	mustContain(t, r, "Daniel Okoro", `href="/my-training" class="back-link">Back to My training`)
	if strings.Contains(r.Body, `href="/people/`+boss.ID+`"`) || strings.Contains(r.Body, "outside your reporting line") {
		t.Errorf("own page links the manager's record or hides their name:\n%s", r.Body)
	}
}

// The policy form reports a box it cannot read and a number the policy's
// rules refuse in one go, in the order of the boxes on the page.
func TestPolicyFormReportsEveryProblemAtOnce(t *testing.T) {
	e := newEnv(t, "http://complytrack.test")
	b := e.newBrowser()
	b.signIn(adminEmail, adminPassword)
	mustStatus(t, b.visit("/courses/PREVENT/edit"), http.StatusOK)
	r := b.submit("/courses/PREVENT/edit", url.Values{"new_starter_days": {"abc"}, "validity_months": {"36"},
		"due_soon_days": {"-5"}, "renew_window_days": {"60"},
		"effective-from-day": {"1"}, "effective-from-month": {"7"}, "effective-from-year": {"2015"}})
	mustStatus(t, r, http.StatusUnprocessableEntity)
	list := summaryLink.FindStringSubmatch(r.Body)
	if list == nil {
		t.Fatalf("no error summary:\n%s", r.Body)
	}
	var ids []string
	for _, m := range summaryHref.FindAllStringSubmatch(list[1], -1) {
		ids = append(ids, m[1])
	}
	if want := []string{"new_starter_days", "due_soon_days"}; !slices.Equal(ids, want) {
		t.Errorf("error summary links %v, want %v", ids, want)
	}
	mustContain(t, r, "must be a whole number, like 28.")
}

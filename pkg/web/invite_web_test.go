package web_test

import (
	"html"
	"net/http"
	"net/url"
	"regexp"
	"strings"
	"testing"

	"github.com/complytrack/complytrack/pkg/auth"
	"github.com/complytrack/complytrack/pkg/training"
)

const inviteButton = "Invite to complytrack"

var (
	outboxMessageLink = regexp.MustCompile(`href="/outbox/([^"]+)"`)
	inviteLink        = regexp.MustCompile(`https?://\S*/invite\?token=[^\s<]+`)
)

// outboxIDs are the ids of the messages to addr on /outbox, newest first.
func (b *browser) outboxIDs(addr string) []string {
	b.t.Helper()
	r := b.visit("/outbox?" + url.Values{"to": {addr}}.Encode())
	mustStatus(b.t, r, http.StatusOK)
	var ids []string
	for _, m := range outboxMessageLink.FindAllStringSubmatch(r.Body, -1) {
		ids = append(ids, m[1])
	}
	return ids
}

// inviteThroughPage presses the person page's invite button ("Resend
// invitation" once they have been invited).
func (b *browser) inviteThroughPage(p training.Person) result {
	b.t.Helper()
	mustContain(b.t, b.visit("/people/"+p.ID), `action="/people/`+p.ID+`/invite"`)
	return b.submit("/people/"+p.ID+"/invite", nil)
}

func TestHRInvitesFromThePersonPage(t *testing.T) {
	e := newEnv(t, "http://127.0.0.1")
	pat := e.addPerson("Pat", "Newstarter", "")
	hr := e.newBrowser()
	hr.signIn(adminEmail, adminPassword)

	r := hr.inviteThroughPage(pat)
	mustStatus(t, r, http.StatusSeeOther)
	if want := "/people/" + pat.ID + "?invited=1"; r.Location() != want {
		t.Fatalf("redirect to %q, want %q", r.Location(), want)
	}
	mustContain(t, hr.follow(r), html.EscapeString("Invitation e-mailed to "+pat.Email+". The link works once, for 7 days."))

	ids := hr.outboxIDs(pat.Email)
	if len(ids) != 1 {
		t.Fatalf("outbox has %d messages to %s, want 1", len(ids), pat.Email)
	}
	msg := hr.visit("/outbox/" + ids[0])
	mustStatus(t, msg, http.StatusOK)
	mustContain(t, msg, "Your complytrack account", "Dear Pat Newstarter")
	link := inviteLink.FindString(msg.Body)
	if link == "" {
		t.Fatalf("the first invitation shows no link:\n%s", msg.Body)
	}
	u, err := url.Parse(html.UnescapeString(link))
	if err != nil {
		t.Fatal(err)
	}
	token := u.Query().Get("token")
	// The link HR read is the one that works: Pat chooses a password with it.
	pb := e.newBrowser()
	form := pb.visit("/invite?" + url.Values{"token": {token}}.Encode())
	mustStatus(t, form, http.StatusOK)
	// The page says whose account the link is for.
	mustContain(t, form, "the account for <strong class=\"invited-email\">"+pat.Email+"</strong>")
	r = pb.submit("/invite", url.Values{"token": {token}, "password": {castPassword}, "confirm_password": {castPassword}})
	mustStatus(t, r, http.StatusSeeOther)

	// Now Pat has an account: no button, and a forged POST gets the
	// service's sentence.
	page := hr.visit("/people/" + pat.ID)
	if strings.Contains(page.Body, inviteButton) {
		t.Errorf("the page of an account holder offers to invite them")
	}
	r = hr.submit("/people/"+pat.ID+"/invite", nil)
	mustStatus(t, r, http.StatusConflict)
	mustContain(t, r, "No invitation was sent",
		html.EscapeString("Pat Newstarter already has an account, so they cannot be invited again."))
	if got := len(hr.outboxIDs(pat.Email)); got != 1 {
		t.Errorf("outbox has %d messages to %s after the refusal, want 1", got, pat.Email)
	}
}

func TestOutboxWithholdsLaterInvitationLinks(t *testing.T) {
	e := newEnv(t, "http://127.0.0.1")
	sam := e.addPerson("Sam", "Twice", "")
	hr := e.newBrowser()
	hr.signIn(adminEmail, adminPassword)
	for range 2 {
		mustStatus(t, hr.inviteThroughPage(sam), http.StatusSeeOther)
	}
	ids := hr.outboxIDs(sam.Email)
	if len(ids) != 2 {
		t.Fatalf("outbox has %d messages to %s, want 2", len(ids), sam.Email)
	}
	tests := []struct {
		name     string
		id       string
		withheld bool
	}{
		{"second invitation", ids[0], true},
		{"first invitation", ids[1], false},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			r := hr.visit("/outbox/" + tt.id)
			mustStatus(t, r, http.StatusOK)
			mustContain(t, r, "Dear Sam Twice")
			shown := strings.Contains(r.Body, "token=")
			if shown == tt.withheld {
				t.Errorf("link shown %v, want %v:\n%s", shown, !tt.withheld, r.Body)
			}
			if tt.withheld {
				mustContain(t, r, "[link withheld]")
			}
		})
	}
	mustStatus(t, hr.visit("/outbox/no-such-message"), http.StatusNotFound)
}

func TestInviteButtonIsHROnly(t *testing.T) {
	e := newEnv(t, "http://127.0.0.1")
	boss := e.employee("Morgan", "Boss")
	report := e.addPerson("Robin", "Report", boss.EmployeeNumber)
	auditor := e.employee("Alex", "Audit")
	if _, err := e.app.Accounts.SetRoles(t.Context(), e.hr, auditor.ID, auth.NewRoles(auth.RoleAuditor)); err != nil {
		t.Fatal(err)
	}
	hr := e.newBrowser()
	hr.signIn(adminEmail, adminPassword)
	mustContain(t, hr.visit("/people/"+report.ID), inviteButton)
	mustStatus(t, hr.visit("/outbox"), http.StatusOK)
	ids := hr.outboxIDs(boss.Email)
	if len(ids) == 0 {
		t.Fatal("no message to the manager in the outbox")
	}

	tests := []struct {
		name, email string
		postStatus  int
	}{
		{"line manager", boss.Email, http.StatusNotFound},
		{"auditor", auditor.Email, http.StatusForbidden},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			b := e.newBrowser()
			b.signIn(tt.email, castPassword)
			page := b.visit("/people/" + report.ID)
			mustStatus(t, page, http.StatusOK)
			if strings.Contains(page.Body, inviteButton) {
				t.Errorf("the %s is offered the invite button", tt.name)
			}
			mustStatus(t, b.submit("/people/"+report.ID+"/invite", nil), tt.postStatus)
			mustStatus(t, b.visit("/outbox/"+ids[0]), http.StatusNotFound)
		})
	}
	if got := hr.outboxIDs(report.Email); len(got) != 0 {
		t.Errorf("outbox has %d messages to %s, want none", len(got), report.Email)
	}
}

func TestInviteButtonHiddenForLeaver(t *testing.T) {
	e := newEnv(t, "http://127.0.0.1")
	lee := e.addPerson("Lee", "Leaver", "")
	end := training.MustDate("2026-10-01")
	if _, err := e.app.Training.UpdatePerson(t.Context(), e.hr, lee.ID, func(in *training.PersonInput) error { in.EndDate = end; return nil }); err != nil {
		t.Fatal(err)
	}
	hr := e.newBrowser()
	hr.signIn(adminEmail, adminPassword)
	page := hr.visit("/people/" + lee.ID)
	mustStatus(t, page, http.StatusOK)
	if strings.Contains(page.Body, inviteButton) {
		t.Errorf("a leaver's page offers to invite them")
	}
	r := hr.submit("/people/"+lee.ID+"/invite", nil)
	mustStatus(t, r, http.StatusUnprocessableEntity)
	mustContain(t, r, "No invitation was sent", "a leaver cannot be invited")
}

package httpapi_test

import (
	"encoding/json"
	"net/http"
	"net/url"
	"regexp"
	"strings"
	"testing"
	"time"

	"github.com/complytrack/complytrack/pkg/jobs"
	"github.com/complytrack/complytrack/pkg/mailtest"
	"github.com/complytrack/complytrack/pkg/notify"
	"github.com/complytrack/complytrack/pkg/training"
)

// mailedTo is every message the mail server received for addr.
func mailedTo(t *testing.T, srv *mailtest.Server, addr string) []mailtest.Mail {
	t.Helper()
	var out []mailtest.Mail
	for _, msg := range srv.Messages() {
		if m := msg.Read(t); m.To == addr {
			out = append(out, m)
		}
	}
	return out
}

// deliver sends the outbox to the mail server.
func (e *env) deliver() {
	e.t.Helper()
	sum, err := e.app.Jobs.RunNow(e.t.Context(), jobs.JobDelivery)
	if err != nil {
		e.t.Fatal(err)
	}
	if sum.Counts["failed"] > 0 || sum.Counts["retrying"] > 0 {
		e.t.Fatalf("delivery: %+v", sum)
	}
}

var resetLink = regexp.MustCompile(`https://complytrack\.example\.gov\.uk/reset-password\?token=(\S+)`)

// resetTokens are the reset links the person's mailbox received, oldest
// first.
func resetTokens(t *testing.T, mb *mailtest.Server, addr string) []string {
	t.Helper()
	var out []string
	for _, m := range mailedTo(t, mb, addr) {
		if got := resetLink.FindStringSubmatch(m.Text); got != nil {
			tok, err := url.QueryUnescape(got[1])
			if err != nil {
				t.Fatal(err)
			}
			out = append(out, tok)
		}
	}
	return out
}

func (e *env) auditActions(personID string) []string {
	e.t.Helper()
	r := e.must(http.StatusOK, "GET", "/api/v1/audit?entity_id="+personID, e.tokens["hr"], nil)
	var audit struct{ Items []struct{ Action string } }
	if err := json.Unmarshal(r.Body, &audit); err != nil {
		e.t.Fatal(err)
	}
	var out []string
	for _, it := range audit.Items {
		out = append(out, it.Action)
	}
	return out
}

func count(xs []string, x string) int {
	n := 0
	for _, y := range xs {
		if y == x {
			n++
		}
	}
	return n
}

// A person who has forgotten their password asks for a link, receives it
// through the mail server (never readable in the outbox), sets a new
// password with it, which signs them in and ends their other sessions;
// the link works once and not after 30 minutes; an unknown address gets
// the same answer and no mail.
func TestPasswordResetEndToEnd(t *testing.T) {
	mb := mailtest.Start(t)
	e := newEnv(t, "COMPLYTRACK_SMTP_URL=smtp://"+mb.Addr)
	sam := e.addPerson("sam", "", nil)
	e.giveAccount("sam")
	e.clock.Advance(time.Minute)

	forgot := func(email string) response {
		return e.do("POST", "/api/v1/auth/forgot-password", "", map[string]string{"email": email})
	}
	// Unknown address: the same answer, nothing sent, nothing audited.
	started := time.Now()
	unknown := forgot("nobody@example.gov.uk")
	unknownTook := time.Since(started)
	started = time.Now()
	expiring := forgot(strings.ToUpper(sam.Email))
	knownTook := time.Since(started)
	// Both answers take at least the floor, which covers the extra work
	// for an account (a link stored, an e-mail queued, an audit entry).
	t.Logf("forgot-password took %v for an unknown address, %v for an account", unknownTook, knownTook)
	if unknownTook < 300*time.Millisecond || knownTook < 300*time.Millisecond {
		t.Errorf("an answer came before the floor: unknown %v, account %v", unknownTook, knownTook)
	}
	if unknown.Status != http.StatusAccepted || expiring.Status != http.StatusAccepted || string(unknown.Body) != string(expiring.Body) {
		t.Fatalf("answers differ: %d %s / %d %s", unknown.Status, unknown.Body, expiring.Status, expiring.Body)
	}
	// The first link expires 30 minutes later on the app's clock; the
	// second is asked for then. Delivery runs once a minute of real time,
	// so both go out together.
	e.clock.Advance(30 * time.Minute)
	e.must(http.StatusAccepted, "POST", "/api/v1/auth/forgot-password", "", map[string]string{"email": sam.Email})
	e.deliver()
	if got := mailedTo(t, mb, "nobody@example.gov.uk"); len(got) != 0 || len(mailedTo(t, mb, sam.Email)) == 0 {
		t.Fatalf("mail sent to an unknown address: %v", got)
	}
	tokens := resetTokens(t, mb, sam.Email)
	if len(tokens) != 2 {
		t.Fatalf("reset links mailed to sam: %d\n%v", len(tokens), mailedTo(t, mb, sam.Email))
	}

	// Sam is signed in elsewhere, by the API.
	oldAccess, oldRefresh := e.tokenPair(sam.Email, castPassword)
	e.must(http.StatusOK, "GET", "/api/v1/me", oldAccess, nil)

	// HR reading the outbox never see a link.
	e.tokens["hr"] = e.login(adminEmail, adminPassword)
	r := e.must(http.StatusOK, "GET", "/api/v1/outbox?kind=password_reset&to="+url.QueryEscape(sam.Email), e.tokens["hr"], nil)
	if strings.Contains(string(r.Body), tokens[0]) || strings.Contains(string(r.Body), tokens[1]) || strings.Contains(string(r.Body), "token=") ||
		strings.Count(string(r.Body), "[link withheld]") != 2 {
		t.Fatalf("the outbox shows a reset link:\n%s", r.Body)
	}

	// Expired link.
	r = e.do("POST", "/api/v1/auth/reset-password", "", map[string]string{"token": tokens[0], "password": "yet-another-password-1"})
	if r.Status != http.StatusUnprocessableEntity || !strings.Contains(string(r.Body), "This password reset link has expired") {
		t.Fatalf("expired link: %d %s", r.Status, r.Body)
	}
	// Too short a password is refused with the policy's message; the link
	// still works afterwards.
	r = e.do("POST", "/api/v1/auth/reset-password", "", map[string]string{"token": tokens[1], "password": "short"})
	if r.Status != http.StatusUnprocessableEntity || !strings.Contains(string(r.Body), `"field":"password"`) {
		t.Fatalf("short password: %d %s", r.Status, r.Body)
	}
	const newPassword = "a-brand-new-password-for-sam"
	r = e.must(http.StatusOK, "POST", "/api/v1/auth/reset-password", "", map[string]string{"token": tokens[1], "password": newPassword})
	got := r.json(t)
	for _, k := range []string{"access_token", "refresh_token", "token_type", "expires_in"} {
		if got[k] == nil {
			t.Fatalf("reset answer lacks %s, unlike login: %s", k, r.Body)
		}
	}
	e.must(http.StatusOK, "GET", "/api/v1/me", got["access_token"].(string), nil)
	e.must(http.StatusOK, "POST", "/api/v1/auth/refresh", "", map[string]string{"refresh_token": got["refresh_token"].(string)})
	// Every other session has ended, API tokens too.
	e.must(http.StatusUnauthorized, "GET", "/api/v1/me", oldAccess, nil)
	e.must(http.StatusUnauthorized, "POST", "/api/v1/auth/refresh", "", map[string]string{"refresh_token": oldRefresh})
	// The old password no longer works, the new one does.
	e.must(http.StatusUnauthorized, "POST", "/api/v1/auth/login", "", loginBody(sam.Email, castPassword))
	e.login(sam.Email, newPassword)

	// Reused link.
	r = e.do("POST", "/api/v1/auth/reset-password", "", map[string]string{"token": tokens[1], "password": "yet-another-password-1"})
	if r.Status != http.StatusUnprocessableEntity || !strings.Contains(string(r.Body), "This password reset link has been used already") {
		t.Fatalf("reused link: %d %s", r.Status, r.Body)
	}
	e.login(sam.Email, newPassword)

	actions := e.auditActions(sam.ID)
	if count(actions, "account.password_reset_requested") != 2 || count(actions, "account.password_reset") != 1 {
		t.Fatalf("audit: %v", actions)
	}
}

// A leaver and a person with no account get the same answer as anyone, and
// no mail; neither is audited as a request.
func TestPasswordResetSendsNothingToThoseWhoCannotSignIn(t *testing.T) {
	mb := mailtest.Start(t)
	e := newEnv(t, "COMPLYTRACK_SMTP_URL=smtp://"+mb.Addr)
	left := e.addPerson("left", "", nil)
	e.giveAccount("left")
	e.must(http.StatusOK, "PATCH", "/api/v1/people/"+left.ID, e.tokens["hr"], map[string]string{"end_date": "2026-10-01"})
	none := e.addPerson("none", "", nil)
	for _, p := range []training.Person{left, none} {
		e.must(http.StatusAccepted, "POST", "/api/v1/auth/forgot-password", "", map[string]string{"email": p.Email})
	}
	e.deliver()
	for _, p := range []training.Person{left, none} {
		if got := resetTokens(t, mb, p.Email); len(got) != 0 {
			t.Errorf("reset link sent to %s", p.Email)
		}
		if n := count(e.auditActions(p.ID), "account.password_reset_requested"); n != 0 {
			t.Errorf("%s: request audited", p.Email)
		}
	}
	msgs, err := e.app.Outbox.List(t.Context(), training.Actor{HR: true}, notify.Filter{Kind: notify.KindPasswordReset}, training.PageRequest{})
	if err != nil || len(msgs.Items) != 0 {
		t.Fatalf("reset e-mails queued: %v %v", msgs.Items, err)
	}
}

// Requests are limited per address typed (3 in 15 minutes) and per client,
// with the same answer for an unknown address: 429 with Retry-After.
func TestPasswordResetRateLimited(t *testing.T) {
	e := newEnv(t)
	for _, email := range []string{adminEmail, "nobody@example.gov.uk"} {
		for i := range 3 {
			if r := e.do("POST", "/api/v1/auth/forgot-password", "", map[string]string{"email": email}); r.Status != http.StatusAccepted {
				t.Fatalf("%s request %d: %d %s", email, i+1, r.Status, r.Body)
			}
		}
		r := e.do("POST", "/api/v1/auth/forgot-password", "", map[string]string{"email": email})
		if r.Status != http.StatusTooManyRequests {
			t.Fatalf("%s fourth request: %d %s", email, r.Status, r.Body)
		}
		if ra := r.Header.Get("Retry-After"); ra != "900" {
			t.Errorf("%s Retry-After %q", email, ra)
		}
		want := "Password reset requests for " + email + " are paused until 09:15"
		if d := problemDetail(t, r); !strings.HasPrefix(d, want) {
			t.Errorf("%s detail %q, want it to start %q", email, d, want)
		}
	}
	// Per client: 30 requests from one address, whatever the e-mail.
	for i := range 30 {
		r := e.doFrom("192.0.2.7", "POST", "/api/v1/auth/forgot-password", "", map[string]string{"email": "many" + string(rune('a'+i%26)) + strings.Repeat("x", i/26) + "@example.gov.uk"})
		if r.Status != http.StatusAccepted {
			t.Fatalf("client request %d: %d %s", i+1, r.Status, r.Body)
		}
	}
	r := e.doFrom("192.0.2.7", "POST", "/api/v1/auth/forgot-password", "", map[string]string{"email": "fresh@example.gov.uk"})
	if r.Status != http.StatusTooManyRequests || r.Header.Get("Retry-After") == "" {
		t.Fatalf("31st request from one client: %d %s", r.Status, r.Body)
	}
	// The limit passes with the window.
	e.clock.Advance(15 * time.Minute)
	e.must(http.StatusAccepted, "POST", "/api/v1/auth/forgot-password", "", map[string]string{"email": adminEmail})
}

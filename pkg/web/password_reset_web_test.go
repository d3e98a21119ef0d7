package web_test

import (
	"net/http"
	"net/url"
	"regexp"
	"strings"
	"testing"
	"time"

	"github.com/complytrack/complytrack/pkg/notify"
	"github.com/complytrack/complytrack/pkg/training"
)

var resetTokenInMail = regexp.MustCompile(`/reset-password\?token=(\S+)`)

// resetToken is the newest reset link mailed to addr, read from the
// outbox as stored (as the mailbox receives it, not as HR are shown it).
func (e *env) resetToken(addr string) string {
	e.t.Helper()
	msgs, err := e.app.Outbox.List(e.t.Context(), e.hr, notify.Filter{To: addr, Kind: notify.KindPasswordReset}, training.PageRequest{})
	if err != nil || len(msgs.Items) == 0 {
		e.t.Fatalf("no reset link mailed to %s (%v)", addr, err)
	}
	m := resetTokenInMail.FindStringSubmatch(msgs.Items[0].BodyText)
	if m == nil {
		e.t.Fatalf("reset e-mail has no link: %s", msgs.Items[0].BodyText)
	}
	tok, err := url.QueryUnescape(m[1])
	if err != nil {
		e.t.Fatal(err)
	}
	return tok
}

// From the sign-in page, "Forgotten your password?" leads to a form for the
// address, then to "Check your email" whatever the address; the mailed link
// opens the form for a new password, which signs in and ends the other
// sign-ins. HR reading the outbox see no link; a used link is refused.
func TestPasswordResetPages(t *testing.T) {
	e := newEnv(t, "http://127.0.0.1")
	sam := e.employee("Sam", "Staff")
	e.clock.Advance(time.Minute)
	elsewhere := e.newBrowser()
	elsewhere.signIn(sam.Email, castPassword)

	b := e.newBrowser()
	mustContain(t, b.visit("/sign-in"), `href="/forgot-password"`, "Forgotten your password?")
	mustContain(t, b.visit("/forgot-password"), "Reset your password", `name="email"`)
	r := b.submit("/forgot-password", url.Values{"email": {""}})
	mustStatus(t, r, http.StatusUnprocessableEntity)
	mustContain(t, r, "There is a problem", `href="#email"`, "Enter your email address.")

	sent := func(email string) string {
		b.visit("/forgot-password")
		r := b.submit("/forgot-password", url.Values{"email": {email}})
		mustStatus(t, r, http.StatusOK)
		mustContain(t, r, "Check your email")
		return strings.ReplaceAll(r.Body, email, "ADDRESS")
	}
	unknownPage := sent("nobody@example.gov.uk")
	knownPage := sent(sam.Email)
	csrf := regexp.MustCompile(`name="csrf_token" value="[^"]*"`)
	if csrf.ReplaceAllString(unknownPage, "") != csrf.ReplaceAllString(knownPage, "") {
		t.Error("the page for an unknown address differs from the page for an account")
	}
	token := e.resetToken(sam.Email)

	hr := e.newBrowser()
	hr.signIn(adminEmail, adminPassword)
	ids := hr.outboxIDs(sam.Email)
	if len(ids) == 0 {
		t.Fatal("the reset e-mail is not in HR's outbox list")
	}
	page := hr.visit("/outbox/" + ids[0])
	mustContain(t, page, "Reset your complytrack password", "[link withheld]")
	if strings.Contains(page.Body, token) || strings.Contains(page.Body, "token=") {
		t.Fatalf("HR can read the reset link:\n%s", page.Body)
	}

	form := b.visit("/reset-password?token=" + url.QueryEscape(token))
	mustStatus(t, form, http.StatusOK)
	mustContain(t, form, "Choose a new password")
	r = b.submit("/reset-password", url.Values{"token": {token}, "password": {"a-new-password-for-sam"}, "confirm_password": {"something-else"}})
	mustStatus(t, r, http.StatusUnprocessableEntity)
	mustContain(t, r, "There is a problem", "The two passwords do not match")
	r = b.submit("/reset-password", url.Values{"token": {token}, "password": {"a-new-password-for-sam"}, "confirm_password": {"a-new-password-for-sam"}})
	mustStatus(t, r, http.StatusSeeOther)
	mustContain(t, b.follow(r), "Your password has been changed")
	if !elsewhere.signedOut() {
		t.Error("the other sign-in survived the reset")
	}
	if b.signedOut() {
		t.Error("the reset did not sign in")
	}
	used := e.newBrowser().visit("/reset-password?token=" + url.QueryEscape(token))
	mustStatus(t, used, http.StatusGone)
	mustContain(t, used, "This link has been used already")
}

// An expired link says so on opening it.
func TestPasswordResetLinkExpires(t *testing.T) {
	e := newEnv(t, "http://127.0.0.1")
	sam := e.employee("Sam", "Staff")
	e.clock.Advance(time.Minute)
	if err := e.app.Accounts.ForgotPassword(t.Context(), sam.Email, "192.0.2.1"); err != nil {
		t.Fatal(err)
	}
	token := e.resetToken(sam.Email)
	e.clock.Advance(30 * time.Minute)
	r := e.newBrowser().visit("/reset-password?token=" + url.QueryEscape(token))
	mustStatus(t, r, http.StatusGone)
	mustContain(t, r, "This link has expired", "30 minutes")
}

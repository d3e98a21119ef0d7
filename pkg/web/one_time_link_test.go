package web_test

import (
	"net/http"
	"net/url"
	"testing"
	"time"
)

// A one-time link (an invitation, a password reset) that is unknown,
// expired or used is explained the same way whether it is opened or its
// form is sent: the status, the title, what to do in the link's own words,
// and a way on.
func TestOneTimeLinkProblems(t *testing.T) {
	e := newEnv(t, "http://127.0.0.1")
	const pw = "a-long-new-password-1"
	usedInvite := e.invitation(e.addPerson("Uma", "Used", ""))
	if _, err := e.app.Accounts.AcceptInvite(t.Context(), usedInvite, castPassword); err != nil {
		t.Fatal(err)
	}
	resetFor := func(given string) string {
		t.Helper()
		p := e.employee(given, "Staff")
		e.clock.Advance(time.Minute)
		if err := e.app.Accounts.ForgotPassword(t.Context(), p.Email, "192.0.2.1"); err != nil {
			t.Fatal(err)
		}
		return e.resetToken(p.Email)
	}
	usedReset := resetFor("Sam")
	if _, err := e.app.Accounts.ResetPassword(t.Context(), usedReset, pw); err != nil {
		t.Fatal(err)
	}
	expiredInvite := e.invitation(e.addPerson("Eli", "Expired", ""))
	expiredReset := resetFor("Kim")
	e.clock.Advance(7*24*time.Hour + time.Minute)

	const (
		notValid = "This link is not valid"
		expired  = "This link has expired"
		used     = "This link has been used already"
	)
	invite := []string{`href="/sign-in"`, "Sign in"}
	reset := []string{`href="/forgot-password"`, "Ask for a new link"}
	for _, tc := range []struct {
		name, page, token string
		status            int
		want              []string
	}{
		{"invitation unknown", "/invite", "made-up", http.StatusBadRequest, append([]string{notValid,
			"Check you copied the whole link from the e-mail. If it still does not work, ask HR to send you a new invitation."}, invite...)},
		{"invitation expired", "/invite", expiredInvite, http.StatusGone, append([]string{expired,
			"Invitation links work for 7 days. Ask HR to send you a new one."}, invite...)},
		{"invitation used", "/invite", usedInvite, http.StatusGone, append([]string{used,
			"Invitation links work once, and this one has been used, or a password has been chosen for your account since it was sent. Sign in with your password.",
			"If you have not chosen a password, ask HR to send you a new invitation."}, invite...)},
		{"reset unknown", "/reset-password", "made-up", http.StatusBadRequest, append([]string{notValid,
			"Check you copied the whole link from the e-mail. If it still does not work, ask for a new one."}, reset...)},
		{"reset expired", "/reset-password", expiredReset, http.StatusGone, append([]string{expired,
			"Password reset links work for 30 minutes. Ask for a new one."}, reset...)},
		{"reset used", "/reset-password", usedReset, http.StatusGone, append([]string{used,
			"Password reset links work once, and this one has been used, or your password has been changed since it was sent. Sign in with your password, or ask for a new link."}, reset...)},
	} {
		t.Run(tc.name, func(t *testing.T) {
			b := e.newBrowser()
			opened := b.visit(tc.page + "?token=" + url.QueryEscape(tc.token))
			mustStatus(t, opened, tc.status)
			mustContain(t, opened, tc.want...)
			mustNotContain(t, opened, `name="password"`)
			b.visit("/sign-in")
			sent := b.submit(tc.page, url.Values{"token": {tc.token}, "password": {pw}, "confirm_password": {pw}})
			mustStatus(t, sent, tc.status)
			mustContain(t, sent, tc.want...)
			if !b.signedOut() {
				t.Error("sending the form of a link that cannot be used signed someone in")
			}
		})
	}
}

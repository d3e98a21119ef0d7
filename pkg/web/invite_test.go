package web_test

import (
	"net/http"
	"net/url"
	"strings"
	"testing"
	"time"
)

// Opening an invitation link says at once whether it can be used, before
// anyone types a password, and looking does not use it up.
func TestInviteLinkIsCheckedWhenOpened(t *testing.T) {
	e := newEnv(t, "http://127.0.0.1")
	used := e.invitation(e.addPerson("Uma", "Used", ""))
	if _, err := e.app.Accounts.AcceptInvite(t.Context(), used, castPassword); err != nil {
		t.Fatal(err)
	}
	expired := e.invitation(e.addPerson("Eli", "Expired", ""))
	e.clock.Advance(7*24*time.Hour + time.Minute)
	live := e.invitation(e.addPerson("Liv", "Live", ""))
	// A second link to someone who has since chosen a password through
	// the first: spent too, or it would replace the password they chose.
	olderPerson := e.addPerson("Ola", "Older", "")
	older := e.invitation(olderPerson)
	e.clock.Advance(time.Second)
	if _, err := e.app.Accounts.AcceptInvite(t.Context(), e.invitation(olderPerson), castPassword); err != nil {
		t.Fatal(err)
	}

	for _, tc := range []struct {
		name   string
		token  string
		status int
		want   []string
	}{
		{"live", live, http.StatusOK, []string{"Choose your password", `for="password"`, `for="confirm-password"`}},
		{"used", used, http.StatusGone, []string{"This link has been used already", "Sign in with your password"}},
		{"password chosen since", older, http.StatusGone, []string{"This link has been used already", "a password has been chosen for your account since it was sent"}},
		{"expired", expired, http.StatusGone, []string{"This link has expired", "Ask HR to send you a new one"}},
		{"unknown", "made-up-token", http.StatusBadRequest, []string{"This link is not valid", "Check you copied the whole link"}},
		{"missing", "", http.StatusBadRequest, []string{"This link is not valid"}},
	} {
		t.Run(tc.name, func(t *testing.T) {
			b := e.newBrowser()
			r := b.visit("/invite?token=" + url.QueryEscape(tc.token))
			mustStatus(t, r, tc.status)
			mustContain(t, r, tc.want...)
			if tc.status != http.StatusOK && strings.Contains(r.Body, `name="password"`) {
				t.Errorf("a link that cannot be used still shows the password form")
			}
		})
	}

	// Looking at the live link twice did not use it.
	b := e.newBrowser()
	b.visit("/invite?token=" + url.QueryEscape(live))
	r := b.submit("/invite", url.Values{"token": {live}, "password": {castPassword}, "confirm_password": {castPassword}})
	if r.Status != http.StatusSeeOther || r.Location() != "/my-training?welcome=1" {
		t.Fatalf("accepting the live link after looking at it: %d to %q\n%s", r.Status, r.Location(), r.Body)
	}
}

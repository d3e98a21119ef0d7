package web_test

import (
	"net/http"
	"net/url"
	"strings"
	"testing"
	"time"
)

// csrfPair is a CSRF cookie and the form token shown beside it.
type csrfPair struct{ cookie, field string }

// pair is the browser's CSRF cookie and the token of its last page.
func (b *browser) pair() csrfPair {
	b.t.Helper()
	c := b.cookie("complytrack-csrf")
	if c == nil {
		b.t.Fatal("the browser has no CSRF cookie")
	}
	return csrfPair{cookie: c.Value, field: b.csrf()}
}

// plantCSRFCookie replaces the browser's CSRF cookie, as a sibling site
// or a man in the middle of plain HTTP could.
func (b *browser) plantCSRFCookie(value string) {
	u, _ := url.Parse(b.e.srv.URL)
	b.client.Jar.SetCookies(u, []*http.Cookie{{Name: "complytrack-csrf", Value: value, Path: "/"}})
}

// The CSRF token is bound to the sign-in: a cookie and token that belong
// together, taken from another account's session or from a signed-out
// page, do not work in this session.
func TestCSRFTokenIsBoundToTheSession(t *testing.T) {
	e := newEnv(t, "http://127.0.0.1")
	e.employee("Sophie", "Marsh")
	e.employee("Tom", "Whitfield")

	attacker := e.newBrowser()
	attacker.signIn("sophie.marsh@example.gov.uk", castPassword)
	attacker.visit("/my-training/PREVENT/record")
	fromOtherSession := attacker.pair()

	signedOut := e.newBrowser()
	signedOut.visit("/sign-in")
	fromSignedOutPage := signedOut.pair()

	victim := e.newBrowser()
	victim.signIn("tom.whitfield@example.gov.uk", castPassword)
	victim.visit("/my-training/PREVENT/record")
	own := victim.pair()

	send := map[string]func(token string) result{
		"record a completion": func(token string) result {
			return victim.postMultipart("/my-training/PREVENT/record", map[string]string{"csrf_token": token,
				"completed-on-day": "30", "completed-on-month": "10", "completed-on-year": "2026"},
				upload{"certificate", "certificate.pdf", pdf("tom")})
		},
		"sign out": func(token string) result {
			return victim.post("/sign-out", url.Values{"csrf_token": {token}})
		},
	}
	for _, form := range []string{"record a completion", "sign out"} {
		for name, p := range map[string]csrfPair{"another account's session": fromOtherSession, "a signed-out page": fromSignedOutPage} {
			victim.plantCSRFCookie(p.cookie)
			r := send[form](p.field)
			if r.Status != http.StatusForbidden {
				t.Errorf("%s with a cookie and token from %s: status %d, want 403", form, name, r.Status)
			}
		}
		// The session's own pair works.
		victim.plantCSRFCookie(own.cookie)
		if r := send[form](own.field); r.Status != http.StatusSeeOther {
			t.Errorf("%s with the session's own token: status %d, want 303\n%s", form, r.Status, r.Body)
		}
	}

	// The sign-in form wants a token bound to the signed-out browser, not
	// one bound to a sign-in.
	b := e.newBrowser()
	b.visit("/sign-in")
	b.plantCSRFCookie(fromOtherSession.cookie)
	r := b.post("/sign-in", url.Values{"csrf_token": {fromOtherSession.field}, "email": {"tom.whitfield@example.gov.uk"}, "password": {castPassword}})
	mustStatus(t, r, http.StatusForbidden)

	// The token in a form is not the cookie's secret itself.
	if fromSignedOutPage.field == fromSignedOutPage.cookie || own.field == own.cookie {
		t.Error("the form token is the CSRF cookie's value")
	}
}

// When the access token has expired, the first request spends the refresh
// token. Another request presenting the spent refresh token within a few
// seconds gets the same new tokens only if it also presents the access
// token that was current with it (a second tab of the same browser);
// anything else is reuse, which ends the sign-in as the API does.
func TestRefreshGraceOnlyForTheSameBrowser(t *testing.T) {
	e := newEnv(t, "http://127.0.0.1")
	e.employee("Sophie", "Marsh")
	u, _ := url.Parse(e.srv.URL)

	cases := []struct {
		name string
		// after is how long after the first refresh the second request comes.
		after time.Duration
		// cookies picks what the second request presents.
		cookies func(access, refresh, strangerAccess *http.Cookie) []*http.Cookie
		// signedIn is whether the second request and the first browser are
		// still signed in afterwards.
		signedIn bool
	}{
		{"second tab of the same browser", 0,
			func(a, r, _ *http.Cookie) []*http.Cookie { return []*http.Cookie{a, r} }, true},
		{"the refresh cookie alone", 0,
			func(_, r, _ *http.Cookie) []*http.Cookie { return []*http.Cookie{r} }, false},
		{"the refresh cookie with another sign-in's access cookie", 0,
			func(_, r, s *http.Cookie) []*http.Cookie { return []*http.Cookie{s, r} }, false},
		{"the refresh cookie with a made-up access cookie", 0,
			func(_, r, _ *http.Cookie) []*http.Cookie {
				return []*http.Cookie{{Name: "complytrack-access", Value: "made-up", Path: "/"}, r}
			}, false},
		{"same browser, after the grace", 11 * time.Second,
			func(a, r, _ *http.Cookie) []*http.Cookie { return []*http.Cookie{a, r} }, false},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			stranger := e.newBrowser()
			stranger.signIn("sophie.marsh@example.gov.uk", castPassword)
			b := e.newBrowser()
			b.signIn("sophie.marsh@example.gov.uk", castPassword)
			oldAccess, oldRefresh := b.cookie("complytrack-access"), b.cookie("complytrack-refresh")

			e.clock.Advance(16 * time.Minute)
			mustStatus(t, b.get("/my-training"), http.StatusOK)
			if c := b.cookie("complytrack-refresh"); c == nil || c.Value == oldRefresh.Value {
				t.Fatal("the refresh token was not rotated")
			}

			e.clock.Advance(tc.after)
			second := e.newBrowser()
			second.client.Jar.SetCookies(u, tc.cookies(oldAccess, oldRefresh, stranger.cookie("complytrack-access")))
			r := second.get("/my-training")
			if tc.signedIn {
				mustStatus(t, r, http.StatusOK)
				if c := second.cookie("complytrack-refresh"); c == nil || c.Value != b.cookie("complytrack-refresh").Value {
					t.Error("the second tab did not get the same new refresh token")
				}
			} else if r.Status != http.StatusSeeOther || !strings.HasPrefix(r.Location(), "/sign-in") {
				t.Errorf("reuse: %d to %q, want a redirect to sign in", r.Status, r.Location())
			}

			// Reuse ended the whole sign-in: the first browser's fresh
			// tokens no longer work either.
			r = b.get("/my-training")
			if tc.signedIn {
				mustStatus(t, r, http.StatusOK)
			} else if r.Status != http.StatusSeeOther {
				t.Errorf("the first browser after reuse: %d, want a redirect to sign in", r.Status)
			}
			// Another sign-in of the same person is not touched.
			mustStatus(t, stranger.get("/my-training"), http.StatusOK)
		})
	}
}

// Signing in keeps the access cookie as long as the refresh cookie: the
// access token inside expires after 15 minutes, but the browser keeps
// presenting it, which is what tells its own tabs from a thief.
func TestAccessCookieOutlivesItsToken(t *testing.T) {
	e := newEnv(t, "http://127.0.0.1")
	e.employee("Sophie", "Marsh")
	b := e.newBrowser()
	b.visit("/sign-in")
	r := b.submit("/sign-in", url.Values{"email": {"sophie.marsh@example.gov.uk"}, "password": {castPassword}})
	mustStatus(t, r, http.StatusSeeOther)
	maxAge := map[string]int{}
	for _, line := range r.Header.Values("Set-Cookie") {
		c, err := http.ParseSetCookie(line)
		if err != nil {
			t.Fatal(err)
		}
		maxAge[c.Name] = c.MaxAge
	}
	want := int((14 * 24 * time.Hour).Seconds())
	if maxAge["complytrack-access"] != want || maxAge["complytrack-refresh"] != want {
		t.Errorf("cookie lifetimes %v, want both %d s", maxAge, want)
	}
}

// The token is bound to the sign-in, not to its access token: a form
// opened before the access token expired still works after the refresh.
func TestFormWorksAcrossARefresh(t *testing.T) {
	e := newEnv(t, "http://127.0.0.1")
	e.employee("Sophie", "Marsh")
	b := e.newBrowser()
	b.signIn("sophie.marsh@example.gov.uk", castPassword)
	b.visit("/my-training/PREVENT/record")
	form := recordForm(b, "30", "10", "2026")
	oldAccess := b.cookie("complytrack-access")

	e.clock.Advance(20 * time.Minute)
	r := b.postMultipart("/my-training/PREVENT/record", form, upload{"certificate", "certificate.pdf", pdf("sophie")})
	if r.Status != http.StatusSeeOther || !strings.HasPrefix(r.Location(), "/my-training?recorded=") {
		t.Fatalf("record after the access token expired: %d to %q\n%s", r.Status, r.Location(), r.Body)
	}
	if c := b.cookie("complytrack-access"); c == nil || c.Value == oldAccess.Value {
		t.Error("the access token was not refreshed")
	}
}

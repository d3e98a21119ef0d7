package web_test

import (
	"net/http"
	"net/http/httptest"
	"net/url"
	"regexp"
	"strings"
	"testing"
	"time"
)

func TestAnonymousIsSentToSignIn(t *testing.T) {
	e := newEnv(t, "http://127.0.0.1")
	b := e.newBrowser()
	for path, want := range map[string]string{
		"/":                           "/sign-in",
		"/my-training":                "/sign-in?next=%2Fmy-training",
		"/my-training/PREVENT/record": "/sign-in?next=%2Fmy-training%2FPREVENT%2Frecord",
		"/certificates/anything":      "/sign-in?next=%2Fcertificates%2Fanything",
	} {
		r := b.get(path)
		if r.Status != http.StatusSeeOther || r.Location() != want {
			t.Errorf("GET %s: %d to %q, want 303 to %q", path, r.Status, r.Location(), want)
		}
	}
	// A form post with a valid CSRF token but no session records nothing:
	// it goes to sign in, saying the form was not sent.
	b.visit("/sign-in")
	r := b.postMultipart("/my-training/PREVENT/record", map[string]string{"csrf_token": b.csrf(),
		"completed-on-day": "30", "completed-on-month": "10", "completed-on-year": "2026"})
	if r.Status != http.StatusSeeOther || !strings.HasPrefix(r.Location(), "/sign-in?form_not_sent=1&") {
		t.Errorf("anonymous post: %d to %q, want 303 to /sign-in?form_not_sent=1&…", r.Status, r.Location())
	}
}

func TestSignInAndBackToWhereTheyWere(t *testing.T) {
	e := newEnv(t, "http://127.0.0.1")
	e.employee("Sophie", "Marsh")
	b := e.newBrowser()
	r := b.visit("/my-training")
	mustContain(t, r, "Sign in to complytrack", `name="next" value="/my-training"`)
	r = b.submit("/sign-in", url.Values{"email": {"sophie.marsh@example.gov.uk"}, "password": {castPassword}, "next": {"/my-training"}})
	if r.Status != http.StatusSeeOther || r.Location() != "/my-training" {
		t.Fatalf("sign in: %d to %q, want 303 to /my-training\n%s", r.Status, r.Location(), r.Body)
	}
	r = b.follow(r)
	mustStatus(t, r, http.StatusOK)
	mustContain(t, r, "<h1 class=\"heading-l\">My training</h1>", "Sophie Marsh", "Sign out", "Prevent awareness")
	if b.visit("/").Body != r.Body {
		t.Error("GET / does not lead to My training once signed in")
	}
	if r := b.get("/sign-in"); r.Status != http.StatusSeeOther {
		t.Errorf("sign-in page when signed in: %d, want a redirect", r.Status)
	}

	// next never leads off the site.
	b2 := e.newBrowser()
	b2.visit("/sign-in")
	r = b2.submit("/sign-in", url.Values{"email": {"sophie.marsh@example.gov.uk"}, "password": {castPassword}, "next": {"//evil.example/"}})
	if r.Location() != "/" {
		t.Errorf("next=//evil.example/: redirect to %q, want /", r.Location())
	}
}

func TestSignInFailures(t *testing.T) {
	e := newEnv(t, "http://127.0.0.1")
	e.employee("Sophie", "Marsh")
	b := e.newBrowser()
	b.visit("/sign-in")

	r := b.submit("/sign-in", url.Values{"email": {""}, "password": {""}})
	mustStatus(t, r, http.StatusUnprocessableEntity)
	mustContain(t, r, "<title>Error: Sign in", "There is a problem",
		`<a href="#email">Enter your email address.</a>`, `<a href="#password">Enter your password.</a>`,
		`aria-describedby="email-error"`)

	// An unknown e-mail and a wrong password get the very same page.
	unknown := b.submit("/sign-in", url.Values{"email": {"nobody@example.gov.uk"}, "password": {"some-password-1"}})
	wrong := b.submit("/sign-in", url.Values{"email": {"sophie.marsh@example.gov.uk"}, "password": {"some-password-1"}})
	for _, r := range []result{unknown, wrong} {
		mustStatus(t, r, http.StatusUnauthorized)
		mustContain(t, r, `<a href="#email">Enter the email address and password of your complytrack account: the ones you entered are not right.</a>`)
	}
	strip := func(s string) string {
		return csrfInput.ReplaceAllString(strings.ReplaceAll(s, "nobody@", "sophie.marsh@"), "")
	}
	if strip(unknown.Body) != strip(wrong.Body) {
		t.Error("an unknown e-mail and a wrong password get different pages")
	}
	if b.cookie("complytrack-access") != nil {
		t.Error("a failed sign-in set a session cookie")
	}
}

func TestSignInRateLimited(t *testing.T) {
	e := newEnv(t, "http://127.0.0.1")
	e.employee("Sophie", "Marsh")
	b := e.newBrowser()
	b.visit("/sign-in")
	for range 5 {
		b.submit("/sign-in", url.Values{"email": {"sophie.marsh@example.gov.uk"}, "password": {"wrong-password-1"}})
	}
	r := b.submit("/sign-in", url.Values{"email": {"sophie.marsh@example.gov.uk"}, "password": {castPassword}})
	mustStatus(t, r, http.StatusTooManyRequests)
	// 09:00 UTC in November is 09:00 in London, the default zone.
	mustContain(t, r, "Sign-in for sophie.marsh@example.gov.uk is paused until 09:05 after 5 wrong passwords. Try again then")
	e.clock.Advance(6 * time.Minute)
	r = b.submit("/sign-in", url.Values{"email": {"sophie.marsh@example.gov.uk"}, "password": {castPassword}})
	mustStatus(t, r, http.StatusSeeOther)
}

// Over https the cookies are Secure, HttpOnly, SameSite=Lax and carry the
// __Host- prefix.
func TestSessionCookiesOverHTTPS(t *testing.T) {
	e := newEnv(t, "https://complytrack.example.gov.uk")
	e.employee("Sophie", "Marsh")
	send := func(req *http.Request) *httptest.ResponseRecorder {
		w := httptest.NewRecorder()
		e.router.ServeHTTP(w, req)
		return w
	}
	w := send(httptest.NewRequest(http.MethodGet, "/sign-in", nil))
	var csrf *http.Cookie
	for _, c := range w.Result().Cookies() {
		if c.Name == "__Host-complytrack-csrf" {
			csrf = c
		}
	}
	if csrf == nil {
		t.Fatalf("no __Host-complytrack-csrf cookie: %v", w.Header()["Set-Cookie"])
	}
	token := csrfInput.FindStringSubmatch(w.Body.String())
	if token == nil {
		t.Fatalf("no CSRF token on the sign-in page:\n%s", w.Body)
	}
	form := url.Values{"email": {"sophie.marsh@example.gov.uk"}, "password": {castPassword}, "csrf_token": {token[1]}}
	req := httptest.NewRequest(http.MethodPost, "/sign-in", strings.NewReader(form.Encode()))
	req.Header.Set("Content-Type", "application/x-www-form-urlencoded")
	req.AddCookie(csrf)
	w = send(req)
	if w.Code != http.StatusSeeOther {
		t.Fatalf("sign in: %d\n%s", w.Code, w.Body)
	}
	got := map[string]*http.Cookie{}
	for _, c := range w.Result().Cookies() {
		got[c.Name] = c
	}
	for _, name := range []string{"__Host-complytrack-access", "__Host-complytrack-refresh", "__Host-complytrack-csrf"} {
		c := got[name]
		switch {
		case c == nil:
			t.Errorf("no cookie %s", name)
		case !c.Secure || !c.HttpOnly || c.SameSite != http.SameSiteLaxMode || c.Path != "/" || c.Domain != "":
			t.Errorf("cookie %s: Secure %v HttpOnly %v SameSite %v Path %q Domain %q", name, c.Secure, c.HttpOnly, c.SameSite, c.Path, c.Domain)
		}
	}
	if got["__Host-complytrack-csrf"] != nil && got["__Host-complytrack-csrf"].Value == csrf.Value {
		t.Error("the CSRF secret did not change at sign-in")
	}
	if rt := got["__Host-complytrack-refresh"]; rt != nil && rt.MaxAge != int((14*24*time.Hour).Seconds()) {
		t.Errorf("refresh cookie lasts %d s, want the sign-in's 14 days", rt.MaxAge)
	}
}

func TestCSRFTokenRequired(t *testing.T) {
	e := newEnv(t, "http://127.0.0.1")
	e.employee("Sophie", "Marsh")
	b := e.newBrowser()

	// Even signing in needs the token (no signing people in to an
	// attacker's account from another site).
	b.visit("/sign-in")
	r := b.post("/sign-in", url.Values{"email": {"sophie.marsh@example.gov.uk"}, "password": {castPassword}})
	mustStatus(t, r, http.StatusForbidden)
	mustContain(t, r, "Your form could not be sent")

	b.signIn("sophie.marsh@example.gov.uk", castPassword)
	for name, form := range map[string]url.Values{
		"no token":    {},
		"wrong token": {"csrf_token": {strings.Repeat("A", 43)}},
	} {
		r := b.post("/sign-out", form)
		if r.Status != http.StatusForbidden {
			t.Errorf("sign out with %s: status %d, want 403", name, r.Status)
		}
		r = b.postMultipart("/my-training/PREVENT/record", map[string]string{"csrf_token": form.Get("csrf_token"),
			"completed-on-day": "30", "completed-on-month": "10", "completed-on-year": "2026"},
			upload{"certificate", "certificate.pdf", pdf("sophie")})
		if r.Status != http.StatusForbidden {
			t.Errorf("self-certify with %s: status %d, want 403", name, r.Status)
		}
	}
	// Still signed in, and nothing was recorded.
	r = b.visit("/my-training")
	mustStatus(t, r, http.StatusOK)
	mustContain(t, r, "Overdue", "Nothing has been recorded yet.")

	// A token from another browser does not fit this one's cookie.
	other := e.newBrowser()
	other.visit("/sign-in")
	r = b.post("/sign-out", url.Values{"csrf_token": {other.csrf()}})
	mustStatus(t, r, http.StatusForbidden)
}

// The JSON API authenticates with the Authorization header only: the
// pages' cookies, with or without a CSRF header, get 401.
func TestCookieSessionCannotCallTheAPI(t *testing.T) {
	e := newEnv(t, "http://127.0.0.1")
	e.employee("Sophie", "Marsh")
	b := e.newBrowser()
	b.signIn("sophie.marsh@example.gov.uk", castPassword)
	if b.cookie("complytrack-access") == nil {
		t.Fatal("signed in without an access cookie")
	}
	for _, withHeader := range []bool{false, true} {
		req, _ := http.NewRequest(http.MethodGet, e.srv.URL+"/api/v1/me", nil)
		if withHeader {
			req.Header.Set("X-CSRF-Token", b.csrf())
		}
		r := b.do(req)
		if r.Status != http.StatusUnauthorized || !strings.HasPrefix(r.Header.Get("Content-Type"), "application/problem+json") {
			t.Errorf("GET /api/v1/me with cookies (CSRF header %v): %d %s, want 401 problem+json", withHeader, r.Status, r.Header.Get("Content-Type"))
		}
	}
	req, _ := http.NewRequest(http.MethodPost, e.srv.URL+"/api/v1/me/completions", strings.NewReader(`{"course_code":"PREVENT","completed_on":"2026-10-30","certificate_ref":"X1"}`))
	req.Header.Set("Content-Type", "application/json")
	req.Header.Set("X-CSRF-Token", b.csrf())
	if r := b.do(req); r.Status != http.StatusUnauthorized {
		t.Errorf("POST /api/v1/me/completions with cookies: %d, want 401", r.Status)
	}
}

func TestSignOut(t *testing.T) {
	e := newEnv(t, "http://127.0.0.1")
	e.employee("Sophie", "Marsh")
	b := e.newBrowser()
	b.signIn("sophie.marsh@example.gov.uk", castPassword)
	access, refresh := b.cookie("complytrack-access"), b.cookie("complytrack-refresh")

	r := b.submit("/sign-out", nil)
	if r.Status != http.StatusSeeOther || r.Location() != "/sign-in?signed_out=1" {
		t.Fatalf("sign out: %d to %q", r.Status, r.Location())
	}
	mustContain(t, b.follow(r), "You have signed out")
	if b.cookie("complytrack-access") != nil || b.cookie("complytrack-refresh") != nil {
		t.Error("session cookies survive signing out")
	}
	if r := b.get("/my-training"); r.Status != http.StatusSeeOther {
		t.Errorf("My training after signing out: %d, want a redirect to sign in", r.Status)
	}

	// The sign-in has ended on the server too: the old cookies, replayed
	// once the access token has expired, do not bring it back.
	e.clock.Advance(16 * time.Minute)
	thief := e.newBrowser()
	u, _ := url.Parse(e.srv.URL)
	thief.client.Jar.SetCookies(u, []*http.Cookie{access, refresh})
	if r := thief.get("/my-training"); r.Status != http.StatusSeeOther {
		t.Errorf("replayed cookies after sign-out: %d, want a redirect to sign in", r.Status)
	}
}

// When the access token has expired the next page refreshes it; a second
// tab presenting the same refresh token at the same moment is not taken for
// a thief.
func TestExpiredAccessTokenIsRefreshed(t *testing.T) {
	e := newEnv(t, "http://127.0.0.1")
	e.employee("Sophie", "Marsh")
	b := e.newBrowser()
	b.signIn("sophie.marsh@example.gov.uk", castPassword)
	oldAccess, oldRefresh := b.cookie("complytrack-access"), b.cookie("complytrack-refresh")

	e.clock.Advance(16 * time.Minute)
	r := b.get("/my-training")
	mustStatus(t, r, http.StatusOK)
	if c := b.cookie("complytrack-refresh"); c == nil || c.Value == oldRefresh.Value {
		t.Fatal("the refresh token was not rotated")
	}

	tab := e.newBrowser()
	u, _ := url.Parse(e.srv.URL)
	tab.client.Jar.SetCookies(u, []*http.Cookie{oldAccess, oldRefresh})
	mustStatus(t, tab.get("/my-training"), http.StatusOK)
	// And the first browser is still signed in.
	mustStatus(t, b.get("/my-training"), http.StatusOK)
}

func TestInvitation(t *testing.T) {
	e := newEnv(t, "http://127.0.0.1")
	p := e.addPerson("Tom", "Whitfield", "")
	token := e.invitation(p)
	b := e.newBrowser()

	r := b.visit("/invite?token=" + url.QueryEscape(token))
	mustStatus(t, r, http.StatusOK)
	mustContain(t, r, "Choose your password", `for="password"`, `for="confirm-password"`, "At least 12 characters")

	r = b.submit("/invite", url.Values{"token": {token}, "password": {"short"}, "confirm_password": {"short"}})
	mustStatus(t, r, http.StatusUnprocessableEntity)
	mustContain(t, r, `<a href="#password">Your password must be at least 12 characters.</a>`)
	r = b.submit("/invite", url.Values{"token": {token}, "password": {castPassword}, "confirm_password": {castPassword + "x"}})
	mustContain(t, r, `<a href="#confirm-password">The two passwords do not match`)

	r = b.submit("/invite", url.Values{"token": {token}, "password": {castPassword}, "confirm_password": {castPassword}})
	if r.Status != http.StatusSeeOther || r.Location() != "/my-training?welcome=1" {
		t.Fatalf("accept: %d to %q\n%s", r.Status, r.Location(), r.Body)
	}
	mustContain(t, b.follow(r), "Your password is set", "Tom Whitfield")

	// The same link again: used.
	other := e.newBrowser()
	r = other.visit("/invite?token=" + url.QueryEscape(token))
	mustStatus(t, r, http.StatusGone)
	mustContain(t, r, "This link has been used already", "Sign in with your password")

	// A link older than 7 days: expired.
	expiring := e.invitation(e.addPerson("Tara", "Late", ""))
	e.clock.Advance(8 * 24 * time.Hour)
	other.visit("/sign-in")
	r = other.submit("/invite", url.Values{"token": {expiring}, "password": {castPassword}, "confirm_password": {castPassword}})
	mustStatus(t, r, http.StatusGone)
	mustContain(t, r, "This link has expired", "Ask HR to send you a new one")

	// Made up, or missing.
	other.visit("/sign-in")
	r = other.submit("/invite", url.Values{"token": {"made-up"}, "password": {castPassword}, "confirm_password": {castPassword}})
	mustStatus(t, r, http.StatusBadRequest)
	mustContain(t, r, "This link is not valid")
	r = other.visit("/invite")
	mustStatus(t, r, http.StatusBadRequest)
	mustContain(t, r, "This link is not valid")
}

func TestPageHeadersAndNotFound(t *testing.T) {
	e := newEnv(t, "http://127.0.0.1")
	b := e.newBrowser()
	r := b.visit("/sign-in")
	for name, want := range map[string]string{
		"Cache-Control":   "no-store",
		"X-Frame-Options": "DENY",
		"Content-Type":    "text/html; charset=utf-8",
	} {
		if got := r.Header.Get(name); got != want {
			t.Errorf("%s: %q, want %q", name, got, want)
		}
	}
	csp := r.Header.Get("Content-Security-Policy")
	for _, want := range []string{"default-src 'self'", "script-src 'self'", "frame-ancestors 'none'", "form-action 'self'"} {
		if !strings.Contains(csp, want) {
			t.Errorf("Content-Security-Policy %q lacks %q", csp, want)
		}
	}
	if strings.Contains(r.Body, "<script") || strings.Contains(r.Body, "style=") {
		t.Error("a page has inline script or style, which the CSP would block")
	}

	css := regexp.MustCompile(`href="(/assets/app\.css\?v=[0-9a-f]+)"`).FindStringSubmatch(r.Body)
	if css == nil {
		t.Fatal("no stylesheet link")
	}
	a := b.get(css[1])
	if a.Status != http.StatusOK || !strings.HasPrefix(a.Header.Get("Content-Type"), "text/css") || !strings.Contains(a.Header.Get("Cache-Control"), "immutable") {
		t.Errorf("stylesheet: %d %q %q", a.Status, a.Header.Get("Content-Type"), a.Header.Get("Cache-Control"))
	}

	r = b.get("/no-such-page")
	mustStatus(t, r, http.StatusNotFound)
	mustContain(t, r, "Page not found")
	if !strings.HasPrefix(r.Header.Get("Content-Type"), "text/html") {
		t.Errorf("page 404 is %s, want HTML", r.Header.Get("Content-Type"))
	}
	// The API keeps answering programs in problem+json.
	r = b.get("/api/v1/no-such-thing")
	if r.Status != http.StatusNotFound || r.Header.Get("Content-Type") != "application/problem+json" {
		t.Errorf("API 404: %d %s", r.Status, r.Header.Get("Content-Type"))
	}
}

package web_test

import (
	"context"
	"encoding/json"
	"errors"
	"log/slog"
	"net"
	"net/http"
	"net/http/httptest"
	"net/url"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/complytrack/complytrack/pkg/accounts"
	"github.com/complytrack/complytrack/pkg/app"
	"github.com/complytrack/complytrack/pkg/apptest"
	"github.com/complytrack/complytrack/pkg/auth"
	"github.com/complytrack/complytrack/pkg/dbtest"
	"github.com/complytrack/complytrack/pkg/oidctest"
	"github.com/complytrack/complytrack/pkg/training"
)

// ssoEnv is the app with single sign-on through a real OpenID provider
// (zitadel's op) running in the test process.
type ssoEnv struct {
	*env
	idp  *oidctest.Provider
	logs *logBuffer
}

// logBuffer keeps the app's log lines, so a test can see why a sign-in
// was refused (the page says only that it was).
type logBuffer struct {
	mu  sync.Mutex
	buf strings.Builder
}

func (l *logBuffer) Write(p []byte) (int, error) {
	l.mu.Lock()
	defer l.mu.Unlock()
	return l.buf.Write(p)
}

// since returns what was logged after mark, and the new mark.
func (l *logBuffer) since(mark int) (string, int) {
	l.mu.Lock()
	defer l.mu.Unlock()
	s := l.buf.String()
	return s[mark:], len(s)
}

// newSSOEnv starts the provider, then the app on an address chosen first,
// so that the redirect URI registered at the provider is the app's own.
func newSSOEnv(t *testing.T, settings ...string) *ssoEnv {
	t.Helper()
	l, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	base := "http://" + l.Addr().String()
	idp := oidctest.New(t, base+app.SSOCallbackPath)
	cfg, _ := apptest.Config(t, append([]string{
		"COMPLYTRACK_ADMIN_EMAIL=" + adminEmail,
		"COMPLYTRACK_ADMIN_PASSWORD=" + adminPassword,
		"COMPLYTRACK_PUBLIC_URL=" + base,
		"COMPLYTRACK_OIDC_ISSUER=" + idp.Issuer,
		"COMPLYTRACK_OIDC_CLIENT_ID=" + idp.ClientID,
		"COMPLYTRACK_OIDC_CLIENT_SECRET=" + idp.ClientSecret,
		"COMPLYTRACK_OIDC_NAME=your Eastmoor account",
	}, settings...)...)
	clk := &clock{t: time.Date(2026, 11, 2, 9, 0, 0, 0, time.UTC)}
	logs := &logBuffer{}
	a, err := app.New(context.Background(), cfg, dbtest.New(t), slog.New(slog.NewTextHandler(logs, nil)),
		app.Options{Now: clk.Now, HasherParams: auth.MinParams})
	if err != nil {
		t.Fatal(err)
	}
	router := a.Router()
	srv := httptest.NewUnstartedServer(router)
	srv.Listener.Close()
	srv.Listener = l
	srv.Start()
	t.Cleanup(srv.Close)
	hr, err := a.Training.PersonByEmail(context.Background(), adminEmail)
	if err != nil {
		t.Fatal(err)
	}
	return &ssoEnv{env: &env{t: t, app: a, router: router, srv: srv, clock: clk, hr: training.Actor{PersonID: hr.ID, HR: true}}, idp: idp, logs: logs}
}

// user adds a person to HR's records and the same person to the provider.
func (e *ssoEnv) user(given, family string) (training.Person, oidctest.User) {
	e.t.Helper()
	p := e.addPerson(given, family, "")
	u := oidctest.User{Subject: "sub-" + strings.ToLower(given), Username: strings.ToLower(given), Password: "provider-password-" + given,
		Email: p.Email, EmailVerified: true, GivenName: given, FamilyName: family}
	e.idp.AddUser(u)
	return p, u
}

// startSSO presses "Sign in with ..." and returns the provider's address
// the browser is sent to.
func (b *browser) startSSO() string {
	b.t.Helper()
	r := b.get("/sign-in/sso")
	if r.Status != http.StatusSeeOther {
		b.t.Fatalf("start single sign-on: status %d, want 303\n%s", r.Status, r.Body)
	}
	return r.Location()
}

// atProvider signs in at the provider's login page and returns the
// callback address (path and query) the provider sends the browser back to.
func (e *ssoEnv) atProvider(authURL string, u oidctest.User) string {
	e.t.Helper()
	back, err := e.idp.SignIn(e.t.Context(), authURL, u.Username, u.Password)
	if err != nil {
		e.t.Fatal(err)
	}
	parsed, err := url.Parse(back)
	if err != nil {
		e.t.Fatal(err)
	}
	if parsed.Path != app.SSOCallbackPath || parsed.Query().Get("code") == "" {
		e.t.Fatalf("the provider sent the browser to %s", back)
	}
	return parsed.RequestURI()
}

// ssoSignIn signs in through the provider and returns the callback's answer.
func (e *ssoEnv) ssoSignIn(b *browser, u oidctest.User) result {
	e.t.Helper()
	return b.get(e.atProvider(b.startSSO(), u))
}

// api calls the JSON API with a bearer token.
func (e *ssoEnv) api(method, path, token, body string) (int, map[string]any) {
	e.t.Helper()
	req, err := http.NewRequest(method, e.srv.URL+path, strings.NewReader(body))
	if err != nil {
		e.t.Fatal(err)
	}
	if token != "" {
		req.Header.Set("Authorization", "Bearer "+token)
	}
	if body != "" {
		req.Header.Set("Content-Type", "application/json")
	}
	resp, err := http.DefaultClient.Do(req)
	if err != nil {
		e.t.Fatal(err)
	}
	defer resp.Body.Close()
	var out map[string]any
	_ = json.NewDecoder(resp.Body).Decode(&out)
	return resp.StatusCode, out
}

func (e *ssoEnv) linkOf(personID string) (accounts.SSOLink, bool) {
	e.t.Helper()
	l, err := e.app.Store.SSOLinkOf(e.t.Context(), personID)
	if errors.Is(err, training.ErrNotFound) {
		return accounts.SSOLink{}, false
	}
	if err != nil {
		e.t.Fatal(err)
	}
	return l, true
}

// A person on HR's records, with no account yet, signs in with the
// provider: they land on My training, get an account with no role beyond
// employee, are linked by issuer and subject, and the session is a
// password sign-in's: its tokens work on the JSON API with the roles HR
// grant, refresh there, and end with sign-out.
func TestSSOSignInStartsTheSessionAPasswordSignInStarts(t *testing.T) {
	e := newSSOEnv(t)
	sophie, u := e.user("Sophie", "Marsh")
	b := e.newBrowser()

	page := b.visit("/sign-in")
	mustContain(t, page, "Sign in with your Eastmoor account", `action="/sign-in"`)

	r := e.ssoSignIn(b, u)
	mustStatus(t, r, http.StatusSeeOther)
	if r.Location() != "/" {
		t.Errorf("after sign-in the browser goes to %q, want /", r.Location())
	}
	mustContain(t, b.follow(r), "My training")
	if b.last.Status != http.StatusOK {
		t.Fatalf("My training: status %d", b.last.Status)
	}

	l, ok := e.linkOf(sophie.ID)
	if !ok || l.Issuer != e.idp.Issuer || l.Subject != u.Subject {
		t.Fatalf("link after the first sign-in: %+v %v", l, ok)
	}
	roles, err := e.app.Accounts.Roles(t.Context(), sophie.ID)
	if err != nil || roles.Has(auth.RoleHR) || !roles.Has(auth.RoleEmployee) {
		t.Fatalf("roles of the account made at sign-in: %v %v", roles, err)
	}

	// The cookies hold the accounts service's tokens: the API takes them.
	access, refresh := b.cookie("complytrack-access"), b.cookie("complytrack-refresh")
	if access == nil || refresh == nil {
		t.Fatal("no session cookies after single sign-on")
	}
	p, err := e.app.Accounts.Authenticate(t.Context(), access.Value)
	if err != nil || p.PersonID != sophie.ID {
		t.Fatalf("access token: %+v %v", p, err)
	}
	sess, err := e.app.Store.Session(t.Context(), p.SessionID)
	if err != nil || sess.Method != accounts.MethodSSO {
		t.Errorf("session method %q (%v), want sso", sess.Method, err)
	}
	last, err := e.app.Store.LastSignIn(t.Context(), sophie.ID)
	if err != nil || last.Method != accounts.MethodSSO || !last.At.Equal(e.clock.Now()) {
		t.Errorf("last sign-in %+v (%v)", last, err)
	}
	status, me := e.api(http.MethodGet, "/api/v1/me", access.Value, "")
	if status != http.StatusOK || me["id"] != sophie.ID {
		t.Fatalf("GET /api/v1/me with the SSO session's token: %d %v", status, me)
	}
	// With no password, there is none to change.
	if status, body := e.api(http.MethodPost, "/api/v1/me/password", access.Value,
		`{"current_password":"a guess at a password","new_password":"a new password for sophie"}`); status != http.StatusUnprocessableEntity {
		t.Errorf("change the password of an SSO account: %d %v, want 422", status, body)
	}

	// Roles are HR's to grant, and the next token carries them.
	if _, err := e.app.Accounts.SetRoles(t.Context(), e.hr, sophie.ID, auth.NewRoles(auth.RoleAuditor)); err != nil {
		t.Fatal(err)
	}
	status, tokens := e.api(http.MethodPost, "/api/v1/auth/refresh", "", `{"refresh_token":"`+refresh.Value+`"}`)
	if status != http.StatusOK {
		t.Fatalf("refresh the SSO session's token: %d %v", status, tokens)
	}
	newAccess, _ := tokens["access_token"].(string)
	status, me = e.api(http.MethodGet, "/api/v1/me", newAccess, "")
	if status != http.StatusOK || !strings.Contains(toJSON(me["roles"]), "auditor") {
		t.Fatalf("me after HR granted auditor: %d %v", status, me)
	}
	// Spending the old refresh token again is reuse: the sign-in ends.
	status, _ = e.api(http.MethodPost, "/api/v1/auth/refresh", "", `{"refresh_token":"`+refresh.Value+`"}`)
	if status != http.StatusUnauthorized {
		t.Fatalf("reused refresh token: %d, want 401", status)
	}
	if status, _ := e.api(http.MethodGet, "/api/v1/me", newAccess, ""); status != http.StatusUnauthorized {
		t.Fatalf("access token after its sign-in was revoked: %d, want 401", status)
	}

	// A second sign-in matches on the link and makes no second account or link.
	b2 := e.newBrowser()
	mustStatus(t, e.ssoSignIn(b2, u), http.StatusSeeOther)
	if l2, _ := e.linkOf(sophie.ID); l2.LinkedAt != l.LinkedAt {
		t.Errorf("the link was made again: %v then %v", l.LinkedAt, l2.LinkedAt)
	}
	// The account has no password: a password sign-in is refused the usual way.
	b3 := e.newBrowser()
	b3.visit("/sign-in")
	mustStatus(t, b3.submit("/sign-in", url.Values{"email": {sophie.Email}, "password": {"any password at all"}}), http.StatusUnauthorized)
}

func toJSON(v any) string {
	b, _ := json.Marshal(v)
	return string(b)
}

// Every way a callback can be wrong is refused with a page, starts no
// session and links nobody: a state that is not this browser's, a code
// replayed, and ID tokens with a wrong nonce, from another issuer, for
// another audience, or expired.
func TestSSORefusesWhatIsNotThisSignIn(t *testing.T) {
	e := newSSOEnv(t)
	sophie, u := e.user("Sophie", "Marsh")

	mark := 0
	// refused checks the answer, and that the log gives reason for it.
	refused := func(t *testing.T, b *browser, r result, status int, heading, reason string) {
		t.Helper()
		mustStatus(t, r, status)
		mustContain(t, r, heading)
		var logged string
		logged, mark = e.logs.since(mark)
		if !strings.Contains(logged, reason) {
			t.Errorf("the log does not give the reason %q:\n%s", reason, logged)
		}
		if c := b.cookie("complytrack-access"); c != nil {
			t.Errorf("a session was started: %v", c)
		}
		if _, linked := e.linkOf(sophie.ID); linked {
			t.Errorf("Sophie was linked")
		}
	}

	t.Run("state of another browser", func(t *testing.T) {
		mine, theirs := e.newBrowser(), e.newBrowser()
		theirs.startSSO()
		callback := e.atProvider(mine.startSSO(), u)
		refused(t, theirs, theirs.get(callback), http.StatusBadRequest, "This sign-in has expired", "")
	})
	t.Run("state changed", func(t *testing.T) {
		b := e.newBrowser()
		callback := e.atProvider(b.startSSO(), u)
		cu, _ := url.Parse(callback)
		q := cu.Query()
		q.Set("state", "not-the-state-sent")
		cu.RawQuery = q.Encode()
		refused(t, b, b.get(cu.RequestURI()), http.StatusBadRequest, "This sign-in has expired", "")
	})
	t.Run("state expired", func(t *testing.T) {
		b := e.newBrowser()
		callback := e.atProvider(b.startSSO(), u)
		e.clock.Advance(11 * time.Minute)
		refused(t, b, b.get(callback), http.StatusBadRequest, "This sign-in has expired", "")
	})
	t.Run("wrong nonce", func(t *testing.T) {
		e.idp.Misbehave(oidctest.Misbehave{Nonce: "the-nonce-of-another-sign-in"})
		t.Cleanup(func() { e.idp.Misbehave(oidctest.Misbehave{}) })
		b := e.newBrowser()
		refused(t, b, e.ssoSignIn(b, u), http.StatusUnauthorized, "You could not be signed in", "nonce is not this sign-in's")
	})
	t.Run("another issuer", func(t *testing.T) {
		e.idp.Misbehave(oidctest.Misbehave{Issuer: "https://login.example.net/another-tenant"})
		t.Cleanup(func() { e.idp.Misbehave(oidctest.Misbehave{}) })
		b := e.newBrowser()
		refused(t, b, e.ssoSignIn(b, u), http.StatusUnauthorized, "You could not be signed in", "issued by a different provider")
	})
	t.Run("another audience", func(t *testing.T) {
		e.idp.Misbehave(oidctest.Misbehave{Audience: "another-application"})
		t.Cleanup(func() { e.idp.Misbehave(oidctest.Misbehave{}) })
		b := e.newBrowser()
		refused(t, b, e.ssoSignIn(b, u), http.StatusUnauthorized, "You could not be signed in", "expected audience")
	})
	t.Run("expired ID token", func(t *testing.T) {
		e.idp.Misbehave(oidctest.Misbehave{Lifetime: -5 * time.Minute})
		t.Cleanup(func() { e.idp.Misbehave(oidctest.Misbehave{}) })
		b := e.newBrowser()
		refused(t, b, e.ssoSignIn(b, u), http.StatusUnauthorized, "You could not be signed in", "token is expired")
	})
	t.Run("ID token just expired, within the clock skew allowed", func(t *testing.T) {
		e.idp.Misbehave(oidctest.Misbehave{Lifetime: -30 * time.Second})
		t.Cleanup(func() { e.idp.Misbehave(oidctest.Misbehave{}) })
		b := e.newBrowser()
		mustStatus(t, e.ssoSignIn(b, u), http.StatusSeeOther)
		// Unlinked again, for the cases that follow.
		l, _ := e.linkOf(sophie.ID)
		if err := e.app.Store.DeleteSSOLink(t.Context(), l); err != nil {
			t.Fatal(err)
		}
	})
	t.Run("code replayed", func(t *testing.T) {
		b := e.newBrowser()
		callback := e.atProvider(b.startSSO(), u)
		mustStatus(t, b.get(callback), http.StatusSeeOther)
		l, _ := e.linkOf(sophie.ID)
		if err := e.app.Store.DeleteSSOLink(t.Context(), l); err != nil {
			t.Fatal(err)
		}
		// The same answer again: its state is used up.
		b2 := e.newBrowser()
		b2.client.Jar.SetCookies(mustURL(e.srv.URL), []*http.Cookie{{Name: "complytrack-sso", Value: mustURL(callback).Query().Get("state")}})
		refused(t, b2, b2.get(callback), http.StatusBadRequest, "This sign-in has expired", "")
		// The used code with a fresh sign-in's state: the provider refuses it.
		b3 := e.newBrowser()
		fresh := mustURL(b3.startSSO()).Query().Get("state")
		replay := mustURL(callback)
		q := replay.Query()
		q.Set("state", fresh)
		replay.RawQuery = q.Encode()
		refused(t, b3, b3.get(replay.RequestURI()), http.StatusUnauthorized, "You could not be signed in", "invalid code")
	})
}

func mustURL(s string) *url.URL {
	u, err := url.Parse(s)
	if err != nil {
		panic(err)
	}
	return u
}

// The provider rotates its signing key between two sign-ins: the app
// fetches the new key set when a token names a key it has not seen.
func TestSSOFollowsAProviderKeyRotation(t *testing.T) {
	e := newSSOEnv(t)
	_, u := e.user("Sophie", "Marsh")
	mustStatus(t, e.ssoSignIn(e.newBrowser(), u), http.StatusSeeOther)
	before := e.idp.KeyID()
	e.idp.RotateKey()
	if e.idp.KeyID() == before {
		t.Fatal("the key did not change")
	}
	r := e.ssoSignIn(e.newBrowser(), u)
	mustStatus(t, r, http.StatusSeeOther)
}

// Identities that match nobody on HR's records, or a leaver, get a page
// saying to contact HR; nothing is created for them.
func TestSSOMatchesOnlyPeopleOnRecord(t *testing.T) {
	e := newSSOEnv(t)
	stranger := oidctest.User{Subject: "sub-stranger", Username: "stranger", Password: "stranger-password",
		Email: "someone.else@example.gov.uk", EmailVerified: true}
	e.idp.AddUser(stranger)
	leaver, err := e.app.Training.CreatePerson(t.Context(), e.hr, training.PersonInput{Person: training.Person{
		EmployeeNumber: "E-LEFT", Email: "left.already@example.gov.uk", GivenName: "Left", FamilyName: "Already",
		Kind: training.KindStaff, JobTitle: "Officer", Department: "Housing",
		StartDate: training.MustDate("2020-01-06"), EndDate: training.MustDate("2026-10-30")}})
	if err != nil {
		t.Fatal(err)
	}
	e.idp.AddUser(oidctest.User{Subject: "sub-left", Username: "left", Password: "left-password", Email: leaver.Email, EmailVerified: true})
	sophie, unverified := e.user("Sophie", "Marsh")
	unverified.Subject, unverified.Username, unverified.EmailVerified = "sub-unverified", "unverified", false
	e.idp.AddUser(unverified)

	for _, tc := range []struct {
		name     string
		user     oidctest.User
		personID string
		heading  string
	}{
		{"nobody has the address", stranger, "", "Your account is not set up in complytrack"},
		{"the address is not verified", unverified, sophie.ID, "Your account is not set up in complytrack"},
		{"a leaver", oidctest.User{Username: "left", Password: "left-password"}, leaver.ID, "You cannot sign in to complytrack"},
	} {
		t.Run(tc.name, func(t *testing.T) {
			b := e.newBrowser()
			r := e.ssoSignIn(b, tc.user)
			mustStatus(t, r, http.StatusForbidden)
			mustContain(t, r, tc.heading, "ontact HR")
			if b.cookie("complytrack-access") != nil {
				t.Error("a session was started")
			}
			if _, err := e.app.Training.PersonByEmail(t.Context(), stranger.Email); !errors.Is(err, training.ErrNotFound) {
				t.Errorf("a person was created for the stranger: %v", err)
			}
			if tc.personID != "" {
				if _, linked := e.linkOf(tc.personID); linked {
					t.Error("linked")
				}
				if _, err := e.app.Store.Account(t.Context(), tc.personID); !errors.Is(err, training.ErrNotFound) {
					t.Errorf("an account was created: %v", err)
				}
			}
		})
	}
}

// After the first sign-in links a person, their address can change at the
// provider and they still sign in as themself. HR see the link on the
// person page and remove it; then the next sign-in is matched afresh.
func TestSSOLinkSurvivesARenameAndHRCanRemoveIt(t *testing.T) {
	e := newSSOEnv(t)
	sophie, u := e.user("Sophie", "Marsh")
	mustStatus(t, e.ssoSignIn(e.newBrowser(), u), http.StatusSeeOther)

	e.idp.SetEmail(u.Username, "sophie.okafor@example.gov.uk")
	b := e.newBrowser()
	mustStatus(t, e.ssoSignIn(b, u), http.StatusSeeOther)
	access := b.cookie("complytrack-access")
	if p, err := e.app.Accounts.Authenticate(t.Context(), access.Value); err != nil || p.PersonID != sophie.ID {
		t.Fatalf("after the rename: %+v %v", p, err)
	}

	hr := e.newBrowser()
	hr.signIn(adminEmail, adminPassword)
	page := hr.visit("/people/" + sophie.ID)
	mustContain(t, page, "Single sign-on", "Linked at their first single sign-on", u.Subject, "Remove the link")
	r := hr.submit("/people/"+sophie.ID+"/sso/unlink", nil)
	mustStatus(t, r, http.StatusSeeOther)
	mustContain(t, hr.follow(r), "The link has been removed")
	if _, linked := e.linkOf(sophie.ID); linked {
		t.Fatal("still linked")
	}
	// Unlinked, the renamed address matches nobody.
	r = e.ssoSignIn(e.newBrowser(), u)
	mustStatus(t, r, http.StatusForbidden)

	// Only HR may remove a link.
	mine := e.newBrowser()
	e.idp.SetEmail(u.Username, sophie.Email)
	mustStatus(t, e.ssoSignIn(mine, u), http.StatusSeeOther)
	mine.visit("/my-training")
	if r := mine.submit("/people/"+sophie.ID+"/sso/unlink", nil); r.Status == http.StatusSeeOther {
		t.Fatalf("an employee removed a link: %d", r.Status)
	}
	if _, linked := e.linkOf(sophie.ID); !linked {
		t.Fatal("the employee's attempt removed the link")
	}
}

// With passwords turned off, the sign-in page offers the provider only and
// a password is refused, on the pages and the API.
func TestSSOWithPasswordsOff(t *testing.T) {
	e := newSSOEnv(t, "COMPLYTRACK_OIDC_PASSWORDS=off")
	b := e.newBrowser()
	page := b.visit("/sign-in")
	mustContain(t, page, "Sign in with your Eastmoor account")
	if strings.Contains(page.Body, `type="password"`) {
		t.Error("the sign-in page offers a password form")
	}
	// A form's CSRF token from the invitation page, so that the post
	// passes that check and meets the refusal of passwords.
	b.visit("/invite?token=" + url.QueryEscape(e.invitation(e.addPerson("Tom", "Whitfield", ""))))
	r := b.submit("/sign-in", url.Values{"email": {adminEmail}, "password": {adminPassword}})
	mustStatus(t, r, http.StatusForbidden)
	mustContain(t, r, "complytrack passwords are turned off")
	status, body := e.api(http.MethodPost, "/api/v1/auth/login", "", `{"email":"`+adminEmail+`","password":"`+adminPassword+`"}`)
	if detail, _ := body["detail"].(string); status != http.StatusForbidden || !strings.Contains(detail, "password is turned off") {
		t.Errorf("API login with passwords off: %d %v, want 403 saying passwords are off", status, body)
	}
}

// The app starts while the provider is unreachable; signing in says so.
func TestSSOProviderDownAtStart(t *testing.T) {
	l, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	down := "http://" + l.Addr().String()
	l.Close()
	e := newEnv(t, "http://127.0.0.1", "COMPLYTRACK_OIDC_ISSUER="+down, "COMPLYTRACK_OIDC_CLIENT_ID=complytrack",
		"COMPLYTRACK_OIDC_CLIENT_SECRET=secret")
	r := e.newBrowser().get("/sign-in/sso")
	mustStatus(t, r, http.StatusServiceUnavailable)
	mustContain(t, r, "is not working at the moment")
}

// The claim that finds the person is a setting: the e-mail address (only
// when verified), the provider's sign-in name (preferred_username, which
// Entra ID fills with the user principal name), or an employee number.
func TestSSOMatchClaims(t *testing.T) {
	for _, tc := range []struct {
		claim   string
		user    func(p training.Person) oidctest.User
		matches bool
	}{
		{"employee_number", func(p training.Person) oidctest.User {
			return oidctest.User{Email: "s.marsh@old-domain.example.net", Extra: map[string]any{"employee_number": p.EmployeeNumber}}
		}, true},
		{"employee_number", func(p training.Person) oidctest.User {
			return oidctest.User{Email: p.Email, EmailVerified: true, Extra: map[string]any{"employee_number": "E-SOMEONE-ELSE"}}
		}, false},
		{"employee_number", func(p training.Person) oidctest.User {
			return oidctest.User{Email: p.Email, EmailVerified: true}
		}, false},
		{"preferred_username", func(p training.Person) oidctest.User {
			return oidctest.User{Username: p.Email}
		}, true},
		{"preferred_username", func(p training.Person) oidctest.User {
			return oidctest.User{Username: "someone.else@example.gov.uk", Email: p.Email, EmailVerified: true}
		}, false},
	} {
		t.Run(tc.claim, func(t *testing.T) {
			e := newSSOEnv(t, "COMPLYTRACK_OIDC_MATCH_CLAIM="+tc.claim)
			p := e.addPerson("Sophie", "Marsh", "")
			u := tc.user(p)
			u.Subject, u.Password = "sub-1", "provider-password"
			if u.Username == "" {
				u.Username = "smarsh"
			}
			e.idp.AddUser(u)
			r := e.ssoSignIn(e.newBrowser(), u)
			_, linked := e.linkOf(p.ID)
			switch {
			case tc.matches && (r.Status != http.StatusSeeOther || !linked):
				t.Errorf("not signed in as Sophie: status %d, linked %v", r.Status, linked)
			case !tc.matches && (r.Status != http.StatusForbidden || linked):
				t.Errorf("signed in: status %d, linked %v", r.Status, linked)
			}
		})
	}
}

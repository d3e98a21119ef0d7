package web_test

import (
	"encoding/json"
	"errors"
	"net/http"
	"net/url"
	"strings"
	"testing"
	"time"

	"github.com/complytrack/complytrack/pkg/auth"
	"github.com/complytrack/complytrack/pkg/training"
)

// apiDo sends a JSON request to the API on the same server.
func (e *env) apiDo(method, path, token string, body any) (int, map[string]any) {
	e.t.Helper()
	var rd *strings.Reader
	if body != nil {
		b, err := json.Marshal(body)
		if err != nil {
			e.t.Fatal(err)
		}
		rd = strings.NewReader(string(b))
	} else {
		rd = strings.NewReader("")
	}
	req, err := http.NewRequest(method, e.srv.URL+path, rd)
	if err != nil {
		e.t.Fatal(err)
	}
	req.Header.Set("Content-Type", "application/json")
	if token != "" {
		req.Header.Set("Authorization", "Bearer "+token)
	}
	resp, err := http.DefaultClient.Do(req)
	if err != nil {
		e.t.Fatal(err)
	}
	defer resp.Body.Close()
	var m map[string]any
	_ = json.NewDecoder(resp.Body).Decode(&m)
	return resp.StatusCode, m
}

// auditActions are the audit entries' actions about a person.
func (e *env) auditActions(personID string) []string {
	e.t.Helper()
	t, err := e.app.Accounts.Login(e.t.Context(), adminEmail, adminPassword, "127.0.0.1")
	if err != nil {
		e.t.Fatal(err)
	}
	status, m := e.apiDo("GET", "/api/v1/audit?entity_id="+url.QueryEscape(personID), t.AccessToken, nil)
	if status != http.StatusOK {
		e.t.Fatalf("audit: %d %v", status, m)
	}
	var out []string
	items, _ := m["items"].([]any)
	for _, it := range items {
		out = append(out, it.(map[string]any)["action"].(string))
	}
	return out
}

func has(xs []string, x string) bool {
	for _, y := range xs {
		if y == x {
			return true
		}
	}
	return false
}

// signedOut reports whether the browser's sign-in has ended: a page for
// the signed-in sends it to the sign-in page.
func (b *browser) signedOut() bool {
	b.t.Helper()
	r := b.get("/my-training")
	return r.Status == http.StatusSeeOther && strings.HasPrefix(r.Location(), "/sign-in")
}

// HR disable an account from the person page: the person's web session
// and API refresh token stop working at once, and they cannot sign in
// again until HR enable it; the panel says "Disabled by HR", unlike a
// leaver's "Disabled". Every action is audited.
func TestHRDisableAndEnableAnAccount(t *testing.T) {
	e := newEnv(t, "http://127.0.0.1")
	sam := e.employee("Sam", "Staff")
	samWeb := e.newBrowser()
	samWeb.signIn(sam.Email, castPassword)
	api, err := e.app.Accounts.Login(t.Context(), sam.Email, castPassword, "192.0.2.1")
	if err != nil {
		t.Fatal(err)
	}

	hr := e.newBrowser()
	hr.signIn(adminEmail, adminPassword)
	page := hr.visit("/people/" + sam.ID)
	mustContain(t, page, "Last signed in on 2 November 2026 at 09:00, with a password.", "End all sessions", "Disable account")
	r := hr.submit("/people/"+sam.ID+"/account/disable", nil)
	mustStatus(t, r, http.StatusSeeOther)
	page = hr.follow(r)
	mustContain(t, page, "Disabled by HR", "HR disabled it on 2 November 2026 at 09:00", "they have been signed out everywhere", "Enable account")

	if !samWeb.signedOut() {
		t.Error("the disabled person's web session still works")
	}
	if status, _ := e.apiDo("POST", "/api/v1/auth/refresh", "", map[string]string{"refresh_token": api.RefreshToken}); status != http.StatusUnauthorized {
		t.Errorf("the disabled person's refresh token: %d, want 401", status)
	}
	if status, _ := e.apiDo("GET", "/api/v1/me", api.AccessToken, nil); status != http.StatusUnauthorized {
		t.Errorf("the disabled person's access token: %d, want 401", status)
	}
	// Signing in is refused with the usual answer, which tells nothing.
	again := e.newBrowser()
	again.visit("/sign-in")
	r = again.submit("/sign-in", url.Values{"email": {sam.Email}, "password": {castPassword}})
	mustStatus(t, r, http.StatusUnauthorized)

	e.clock.Advance(time.Minute)
	hr.visit("/people/" + sam.ID)
	r = hr.submit("/people/"+sam.ID+"/account/enable", nil)
	mustStatus(t, r, http.StatusSeeOther)
	mustContain(t, hr.follow(r), "they can sign in again", "Disable account")
	again.signIn(sam.Email, castPassword)
	if again.signedOut() {
		t.Error("cannot sign in after the account was enabled")
	}
	if !samWeb.signedOut() {
		t.Error("enabling the account brought back a session ended by disabling it")
	}
	actions := e.auditActions(sam.ID)
	if !has(actions, "account.disable") || !has(actions, "account.enable") {
		t.Errorf("audit: %v", actions)
	}
}

// "End all sessions" signs the person out everywhere at once; they may
// sign in again.
func TestHREndAllSessions(t *testing.T) {
	e := newEnv(t, "http://127.0.0.1")
	sam := e.employee("Sam", "Staff")
	one, two := e.newBrowser(), e.newBrowser()
	one.signIn(sam.Email, castPassword)
	two.signIn(sam.Email, castPassword)
	api, err := e.app.Accounts.Login(t.Context(), sam.Email, castPassword, "192.0.2.1")
	if err != nil {
		t.Fatal(err)
	}
	hr := e.newBrowser()
	hr.signIn(adminEmail, adminPassword)
	hr.visit("/people/" + sam.ID)
	r := hr.submit("/people/"+sam.ID+"/account/end-sessions", nil)
	mustStatus(t, r, http.StatusSeeOther)
	mustContain(t, hr.follow(r), "They have been signed out everywhere.", "Active")
	if !one.signedOut() || !two.signedOut() {
		t.Error("a web session survived")
	}
	if status, _ := e.apiDo("POST", "/api/v1/auth/refresh", "", map[string]string{"refresh_token": api.RefreshToken}); status != http.StatusUnauthorized {
		t.Errorf("refresh token after ending all sessions: %d, want 401", status)
	}
	e.clock.Advance(time.Second)
	one.signIn(sam.Email, castPassword)
	if one.signedOut() {
		t.Error("cannot sign in again after the sessions were ended")
	}
	if !has(e.auditActions(sam.ID), "account.end_sessions") {
		t.Error("not audited")
	}
}

// Only HR act on accounts: auditors see the panel without its buttons and
// are refused; everyone else does not find the addresses. HR cannot act
// on their own account. A leaver keeps the "Disabled" of having left.
func TestAccountActionsAuthorization(t *testing.T) {
	e := newEnv(t, "http://127.0.0.1")
	boss := e.employee("Morgan", "Boss")
	sam := e.addPerson("Sam", "Report", boss.EmployeeNumber)
	if _, err := e.app.Accounts.AcceptInvite(t.Context(), e.invitation(sam), castPassword); err != nil {
		t.Fatal(err)
	}
	auditor := e.employee("Alex", "Audit")
	if _, err := e.app.Accounts.SetRoles(t.Context(), e.hr, auditor.ID, auth.NewRoles(auth.RoleAuditor)); err != nil {
		t.Fatal(err)
	}
	aud := e.newBrowser()
	aud.signIn(auditor.Email, castPassword)
	page := aud.visit("/people/" + sam.ID)
	mustContain(t, page, `id="account-last-sign-in"`)
	if strings.Contains(page.Body, "/account/disable") || strings.Contains(page.Body, "/account/end-sessions") {
		t.Error("the auditor is offered HR's buttons")
	}
	mgr := e.newBrowser()
	mgr.signIn(boss.Email, castPassword)
	for _, action := range []string{"disable", "enable", "end-sessions"} {
		aud.visit("/people/" + sam.ID)
		mustStatus(t, aud.submit("/people/"+sam.ID+"/account/"+action, nil), http.StatusForbidden)
		mgr.visit("/people/" + sam.ID)
		mustStatus(t, mgr.submit("/people/"+sam.ID+"/account/"+action, nil), http.StatusNotFound)
	}
	if acct, err := e.app.Accounts.AccountOf(t.Context(), e.hr, sam.ID); err != nil || !acct.DisabledAt.IsZero() {
		t.Fatalf("the refused requests changed the account: %+v %v", acct, err)
	}
	var invalid *training.ValidationError
	if err := e.app.Accounts.Disable(t.Context(), e.hr, e.hr.PersonID); !errors.As(err, &invalid) {
		t.Errorf("HR disabling their own account: %v", err)
	}
	hr := e.newBrowser()
	hr.signIn(adminEmail, adminPassword)
	if strings.Contains(hr.visit("/people/"+e.hr.PersonID).Body, "/account/disable") {
		t.Error("HR are offered to disable their own account")
	}

	// A leaver: "Disabled" as before, no buttons.
	if _, err := e.app.Training.UpdatePerson(t.Context(), e.hr, sam.ID, func(in *training.PersonInput) error { in.EndDate = training.MustDate("2026-10-01"); return nil }); err != nil {
		t.Fatal(err)
	}
	page = hr.visit("/people/" + sam.ID)
	mustContain(t, page, ">Disabled<", "they left on")
	if strings.Contains(page.Body, "/account/disable") {
		t.Error("a leaver's account offers HR's buttons")
	}
}

// A disabled account cannot sign in by single sign-on either; the panel
// says the last sign-in was by single sign-on.
func TestDisabledAccountRefusesSingleSignOn(t *testing.T) {
	e := newSSOEnv(t)
	p, u := e.user("Sophie", "Marsh")
	b := e.newBrowser()
	mustStatus(t, e.ssoSignIn(b, u), http.StatusSeeOther)

	hr := e.newBrowser()
	hr.signIn(adminEmail, adminPassword)
	mustContain(t, hr.visit("/people/"+p.ID), "Last signed in on 2 November 2026 at 09:00, with single sign-on.")
	r := hr.submit("/people/"+p.ID+"/account/disable", nil)
	mustStatus(t, r, http.StatusSeeOther)
	if !b.signedOut() {
		t.Error("the single sign-on session survived disabling")
	}
	again := e.newBrowser()
	r = e.ssoSignIn(again, u)
	mustStatus(t, r, http.StatusForbidden)
	mustContain(t, r, "You cannot sign in to complytrack", "HR have turned off your complytrack account.")
	if again.cookie("complytrack-access") != nil {
		t.Error("a session was started")
	}
}

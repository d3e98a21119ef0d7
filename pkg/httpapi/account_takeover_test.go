package httpapi_test

import (
	"encoding/json"
	"net/http"
	"net/url"
	"strings"
	"testing"
	"time"

	"github.com/complytrack/complytrack/pkg/accounts"
	"github.com/complytrack/complytrack/pkg/auth"
	"github.com/complytrack/complytrack/pkg/notify"
	"github.com/complytrack/complytrack/pkg/training"
)

// tokenPair signs in and returns the access and refresh tokens.
func (e *env) tokenPair(email, password string) (access, refresh string) {
	e.t.Helper()
	m := e.must(http.StatusOK, "POST", "/api/v1/auth/login", "", loginBody(email, password)).json(e.t)
	return m["access_token"].(string), m["refresh_token"].(string)
}

// outboxBodies returns the bodies of the invitations to email as the
// outbox API shows them to HR, newest first.
func (e *env) outboxBodies(email string) []string {
	e.t.Helper()
	r := e.must(http.StatusOK, "GET", "/api/v1/outbox?kind=invitation&to="+url.QueryEscape(email), e.tokens["hr"], nil)
	var out struct {
		Items []struct {
			BodyText string `json:"body_text"`
		}
	}
	if err := json.Unmarshal(r.Body, &out); err != nil {
		e.t.Fatal(err)
	}
	var bodies []string
	for _, it := range out.Items {
		bodies = append(bodies, it.BodyText)
	}
	return bodies
}

// mailedToken reads the newest invitation link as the person's mailbox
// receives it (the outbox as stored, not as HR is shown it).
func (e *env) mailedToken(email string) string {
	e.t.Helper()
	msgs, err := e.app.Outbox.List(e.t.Context(), training.Actor{HR: true}, notify.Filter{To: email, Kind: notify.KindInvitation}, training.PageRequest{})
	if err != nil || len(msgs.Items) == 0 {
		e.t.Fatalf("no invitation mailed to %s (%v)", email, err)
	}
	body := msgs.Items[0].BodyText
	tok := body[strings.Index(body, "token=")+len("token="):]
	tok = tok[:strings.IndexAny(tok, " \n")]
	tok, err = url.QueryUnescape(tok)
	if err != nil {
		e.t.Fatal(err)
	}
	return tok
}

func acceptBody(token string) map[string]string {
	return map[string]string{"token": token, "password": "the-attackers-password"}
}

// HR must not be able to take an account over: re-inviting an account
// holder is refused, the outbox shows no link but a first invitation's,
// an older link cannot replace a password chosen since, and should a link
// ever be accepted on an existing account, every other sign-in of it ends
// and the audit names who issued the link.
func TestHRCannotTakeOverAnAccount(t *testing.T) {
	e := newEnv(t)
	hr, err := e.app.Training.PersonByEmail(t.Context(), adminEmail)
	if err != nil {
		t.Fatal(err)
	}
	sam := e.addPerson("sam", "", nil)
	newbie := e.addPerson("newbie", "", nil)
	invite := func(p training.Person) response {
		return e.do("POST", "/api/v1/people/"+p.ID+"/invite", e.tokens["hr"], nil)
	}

	// First invitation of a person with no account: HR sees the link (to
	// pass it on when no mail server is set up). A second one: withheld.
	for _, p := range []training.Person{sam, newbie} {
		if r := invite(p); r.Status != http.StatusAccepted {
			t.Fatalf("first invitation: %d %s", r.Status, r.Body)
		}
	}
	firstLink := e.inviteToken(sam.Email)
	if r := invite(sam); r.Status != http.StatusAccepted {
		t.Fatalf("second invitation: %d %s", r.Status, r.Body)
	}
	bodies := e.outboxBodies(sam.Email)
	if len(bodies) != 2 || strings.Contains(bodies[0], "token=") || !strings.Contains(bodies[0], "[link withheld]") {
		t.Fatalf("the re-invitation's link is shown to HR:\n%v", bodies)
	}
	if !strings.Contains(bodies[1], "token=") {
		t.Fatalf("the first invitation's link is not shown to HR:\n%s", bodies[1])
	}

	// Sam chooses a password with the link mailed to them, and signs in.
	e.must(http.StatusOK, "POST", "/api/v1/auth/accept-invite", "", map[string]string{"token": e.mailedToken(sam.Email), "password": castPassword})
	samAccess, samRefresh := e.tokenPair(sam.Email, castPassword)

	// Re-inviting an account holder is refused, in a plain sentence.
	r := invite(sam)
	if r.Status != http.StatusConflict || problemDetail(t, r) != "Sam Tester already has an account, so they cannot be invited again." {
		t.Fatalf("re-inviting an account holder: %d %s", r.Status, r.Body)
	}
	// The link HR could read is older than Sam's password: it cannot replace it.
	r = e.do("POST", "/api/v1/auth/accept-invite", "", acceptBody(firstLink))
	if r.Status != http.StatusUnprocessableEntity || !strings.Contains(string(r.Body), "used already") {
		t.Fatalf("older link accepted: %d %s", r.Status, r.Body)
	}
	e.login(sam.Email, castPassword)
	e.must(http.StatusOK, "GET", "/api/v1/me", samAccess, nil)

	// No live link anywhere in the outbox except a first invitation of a
	// person with no account: every link HR can read, but newbie's, fails.
	r = e.must(http.StatusOK, "GET", "/api/v1/outbox", e.tokens["hr"], nil)
	var all struct {
		Items []struct {
			To       string `json:"to"`
			BodyText string `json:"body_text"`
		}
	}
	if err := json.Unmarshal(r.Body, &all); err != nil {
		t.Fatal(err)
	}
	for _, m := range all.Items {
		i := strings.Index(m.BodyText, "token=")
		if i < 0 {
			continue
		}
		if m.To == newbie.Email {
			continue
		}
		tok := m.BodyText[i+len("token="):]
		tok = tok[:strings.IndexAny(tok, " \n")]
		if got := e.do("POST", "/api/v1/auth/accept-invite", "", acceptBody(tok)); got.Status != http.StatusUnprocessableEntity {
			t.Errorf("a link HR can read in the e-mail to %s works: %d", m.To, got.Status)
		}
	}

	// An invitation issued after Sam's password, as a race with another
	// link or an earlier version could leave: accepting it ends every other
	// sign-in of the account, and the audit names who issued it.
	e.clock.Advance(time.Minute)
	token, hash := auth.NewOpaqueToken()
	now := e.clock.Now()
	if err := e.app.Store.InsertInvitation(t.Context(), accounts.Invitation{Hash: hash, PersonID: sam.ID, CreatedBy: hr.ID, CreatedAt: now, ExpiresAt: now.Add(time.Hour)}); err != nil {
		t.Fatal(err)
	}
	e.clock.Advance(time.Second)
	accepted := e.must(http.StatusOK, "POST", "/api/v1/auth/accept-invite", "", acceptBody(token)).json(t)
	e.must(http.StatusUnauthorized, "POST", "/api/v1/auth/refresh", "", map[string]string{"refresh_token": samRefresh})
	e.must(http.StatusUnauthorized, "GET", "/api/v1/me", samAccess, nil)
	e.must(http.StatusOK, "GET", "/api/v1/me", accepted["access_token"].(string), nil)
	e.must(http.StatusOK, "POST", "/api/v1/auth/refresh", "", map[string]string{"refresh_token": accepted["refresh_token"].(string)})

	e.tokens["hr"] = e.login(adminEmail, adminPassword)
	r = e.must(http.StatusOK, "GET", "/api/v1/audit?entity_id="+sam.ID, e.tokens["hr"], nil)
	var audit struct {
		Items []struct {
			Action string         `json:"action"`
			After  map[string]any `json:"after"`
		}
	}
	if err := json.Unmarshal(r.Body, &audit); err != nil {
		t.Fatal(err)
	}
	var found bool
	for _, it := range audit.Items {
		if it.Action == "account.accept_invite" && it.After["other_sessions_ended"] == true {
			found = true
			if it.After["invited_by"] != hr.ID {
				t.Errorf("the audit does not name who issued the link: %v", it.After)
			}
		}
	}
	if !found {
		t.Errorf("no audit of the accepted link: %s", r.Body)
	}
}

// Changing the password ends every other sign-in of the account, refresh
// and access tokens alike; the caller's own stays.
func TestChangePasswordEndsOtherSessions(t *testing.T) {
	e := newEnv(t)
	p := e.addPerson("sam", "", nil)
	e.giveAccount("sam")
	mineAccess, mineRefresh := e.tokenPair(p.Email, castPassword)
	otherAccess, otherRefresh := e.tokenPair(p.Email, castPassword)
	e.must(http.StatusOK, "GET", "/api/v1/me", otherAccess, nil)

	e.must(http.StatusNoContent, "POST", "/api/v1/me/password", mineAccess, map[string]string{"current_password": castPassword, "new_password": "a-new-password-123"})

	e.must(http.StatusUnauthorized, "GET", "/api/v1/me", otherAccess, nil)
	e.must(http.StatusUnauthorized, "POST", "/api/v1/auth/refresh", "", map[string]string{"refresh_token": otherRefresh})
	e.must(http.StatusOK, "GET", "/api/v1/me", mineAccess, nil)
	e.must(http.StatusOK, "POST", "/api/v1/auth/refresh", "", map[string]string{"refresh_token": mineRefresh})

	// A sign-in with the new password afterwards works as any other.
	e.clock.Advance(time.Second)
	access, refresh := e.tokenPair(p.Email, "a-new-password-123")
	e.must(http.StatusOK, "GET", "/api/v1/me", access, nil)
	e.must(http.StatusOK, "POST", "/api/v1/auth/refresh", "", map[string]string{"refresh_token": refresh})
}

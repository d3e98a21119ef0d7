package httpapi_test

import (
	"crypto/ed25519"
	"crypto/rand"
	"encoding/base64"
	"encoding/json"
	"net/http"
	"reflect"
	"strings"
	"testing"
	"time"

	"github.com/golang-jwt/jwt/v5"

	"github.com/complytrack/complytrack/pkg/app"
	"github.com/complytrack/complytrack/pkg/auth"
)

// claims builds a token body as the server would for person sub.
func (e *env) claims(sub string) jwt.MapClaims {
	now := e.clock.Now()
	return jwt.MapClaims{
		"iss": e.cfg.PublicURL, "aud": []string{app.TokenAudience}, "sub": sub, "sid": "s-test",
		"jti": "j-test", "iat": now.Unix(), "exp": now.Add(10 * time.Minute).Unix(),
	}
}

func (e *env) sign(c jwt.MapClaims, key ed25519.PrivateKey, kid string) string {
	e.t.Helper()
	tok := jwt.NewWithClaims(jwt.SigningMethodEdDSA, c)
	tok.Header["kid"] = kid
	tok.Header["typ"] = "at+jwt"
	s, err := tok.SignedString(key)
	if err != nil {
		e.t.Fatal(err)
	}
	return s
}

func TestJWTNegativeSuite(t *testing.T) {
	e := newEnv(t)
	sub := e.people["hr"].ID
	if sub == "" {
		p, _ := e.app.Training.PersonByEmail(t.Context(), adminEmail)
		sub = p.ID
	}
	pub := e.key.Public().(ed25519.PublicKey)
	kid := auth.KeyID(pub)

	// The control: a token crafted here the way the server crafts them
	// is accepted, so every refusal below is about the one thing changed.
	e.must(http.StatusOK, "GET", "/api/v1/me", e.sign(e.claims(sub), e.key, kid), nil)

	without := func(name string) jwt.MapClaims { c := e.claims(sub); delete(c, name); return c }
	with := func(name string, v any) jwt.MapClaims { c := e.claims(sub); c[name] = v; return c }
	_, otherKey, _ := ed25519.GenerateKey(rand.Reader)

	none := func() string {
		tok := jwt.NewWithClaims(jwt.SigningMethodNone, e.claims(sub))
		tok.Header["kid"] = kid
		s, _ := tok.SignedString(jwt.UnsafeAllowNoneSignatureType)
		return s
	}()
	hs256 := func() string {
		tok := jwt.NewWithClaims(jwt.SigningMethodHS256, e.claims(sub))
		tok.Header["kid"] = kid
		s, _ := tok.SignedString([]byte(pub))
		return s
	}()
	altered := func() string {
		s := e.sign(e.claims(sub), e.key, kid)
		parts := strings.Split(s, ".")
		c := e.claims(sub)
		c["sub"] = e.people["hr"].ID + "x"
		body, _ := json.Marshal(c)
		parts[1] = base64.RawURLEncoding.EncodeToString(body)
		return strings.Join(parts, ".")
	}()

	tests := []struct {
		name  string
		token string
	}{
		{"alg none", none},
		{"HS256 signed with the public key", hs256},
		{"wrong iss", e.sign(with("iss", "https://evil.example"), e.key, kid)},
		{"wrong aud", e.sign(with("aud", []string{"someone-else"}), e.key, kid)},
		{"expired", e.sign(with("exp", e.clock.Now().Add(-2*time.Minute).Unix()), e.key, kid)},
		{"no exp", e.sign(without("exp"), e.key, kid)},
		{"unknown kid", e.sign(e.claims(sub), e.key, "no-such-key")},
		{"right kid, other key", e.sign(e.claims(sub), otherKey, kid)},
		{"payload altered after signing", altered},
		{"64 KiB bearer value", strings.Repeat("A", 64<<10)},
		{"garbage", "not.a.token"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			r := e.do("GET", "/api/v1/me", tt.token, nil)
			if r.Status != http.StatusUnauthorized {
				t.Fatalf("status %d, want 401: %s", r.Status, r.Body)
			}
			if ct := r.Header.Get("Content-Type"); ct != "application/problem+json" {
				t.Errorf("Content-Type %q", ct)
			}
		})
	}
	if r := e.do("GET", "/api/v1/me", "", nil); r.Status != http.StatusUnauthorized {
		t.Errorf("no token: %d", r.Status)
	}
}

func TestRefreshRotationAndReuse(t *testing.T) {
	e := newEnv(t)
	r := e.must(http.StatusOK, "POST", "/api/v1/auth/login", "", map[string]string{"email": adminEmail, "password": adminPassword})
	first := r.json(t)
	if first["token_type"] != "Bearer" || first["expires_in"].(float64) != 900 {
		t.Errorf("login answer %v", first)
	}
	r1 := first["refresh_token"].(string)

	second := e.must(http.StatusOK, "POST", "/api/v1/auth/refresh", "", map[string]string{"refresh_token": r1}).json(t)
	r2 := second["refresh_token"].(string)
	if r2 == r1 {
		t.Fatal("refresh token not rotated")
	}
	e.must(http.StatusOK, "GET", "/api/v1/me", second["access_token"].(string), nil)

	// Presenting the spent token again revokes the whole login: the new
	// refresh token and the access tokens of that login stop working.
	e.must(http.StatusUnauthorized, "POST", "/api/v1/auth/refresh", "", map[string]string{"refresh_token": r1})
	e.must(http.StatusUnauthorized, "POST", "/api/v1/auth/refresh", "", map[string]string{"refresh_token": r2})
	e.must(http.StatusUnauthorized, "GET", "/api/v1/me", second["access_token"].(string), nil)

	// Another login is unaffected.
	e.must(http.StatusOK, "GET", "/api/v1/me", e.tokens["hr"], nil)
}

func TestRefreshTokenExpires(t *testing.T) {
	e := newEnv(t, "COMPLYTRACK_REFRESH_TTL=2h")
	r := e.must(http.StatusOK, "POST", "/api/v1/auth/login", "", map[string]string{"email": adminEmail, "password": adminPassword}).json(t)
	e.clock.Advance(2*time.Hour + time.Second)
	e.must(http.StatusUnauthorized, "POST", "/api/v1/auth/refresh", "", map[string]string{"refresh_token": r["refresh_token"].(string)})
	// Access tokens expire after 15 minutes.
	e.must(http.StatusUnauthorized, "GET", "/api/v1/me", r["access_token"].(string), nil)
}

func TestLogout(t *testing.T) {
	e := newEnv(t)
	r := e.must(http.StatusOK, "POST", "/api/v1/auth/login", "", map[string]string{"email": adminEmail, "password": adminPassword}).json(t)
	e.must(http.StatusNoContent, "POST", "/api/v1/auth/logout", "", map[string]string{"refresh_token": r["refresh_token"].(string)})
	e.must(http.StatusUnauthorized, "POST", "/api/v1/auth/refresh", "", map[string]string{"refresh_token": r["refresh_token"].(string)})
	e.must(http.StatusUnauthorized, "GET", "/api/v1/me", r["access_token"].(string), nil)
	// Logging out again, or with an unknown token, still answers 204.
	e.must(http.StatusNoContent, "POST", "/api/v1/auth/logout", "", map[string]string{"refresh_token": r["refresh_token"].(string)})
	e.must(http.StatusNoContent, "POST", "/api/v1/auth/logout", "", map[string]string{"refresh_token": "unknown"})
}

func TestInvitations(t *testing.T) {
	e := newEnv(t)
	p := e.addPerson("newstarter", "", nil)
	e.must(http.StatusAccepted, "POST", "/api/v1/people/"+p.ID+"/invite", e.tokens["hr"], nil)
	token := e.inviteToken(p.Email)

	short := e.do("POST", "/api/v1/auth/accept-invite", "", map[string]string{"token": token, "password": "short"})
	if short.Status != http.StatusUnprocessableEntity || !strings.Contains(string(short.Body), `"field":"password"`) {
		t.Fatalf("short password: %d %s", short.Status, short.Body)
	}
	// The refused attempt did not spend the invitation.
	e.must(http.StatusOK, "POST", "/api/v1/auth/accept-invite", "", map[string]string{"token": token, "password": castPassword})
	e.login(p.Email, castPassword)

	t.Run("reused", func(t *testing.T) {
		r := e.do("POST", "/api/v1/auth/accept-invite", "", map[string]string{"token": token, "password": "another-password-123"})
		if r.Status != http.StatusUnprocessableEntity || !strings.Contains(string(r.Body), "used already") {
			t.Fatalf("reused invitation: %d %s", r.Status, r.Body)
		}
		e.login(p.Email, castPassword) // the password did not change
	})
	t.Run("expired", func(t *testing.T) {
		q := e.addPerson("latecomer", "", nil)
		e.must(http.StatusAccepted, "POST", "/api/v1/people/"+q.ID+"/invite", e.tokens["hr"], nil)
		tok := e.inviteToken(q.Email)
		e.clock.Advance(7*24*time.Hour + time.Minute)
		r := e.do("POST", "/api/v1/auth/accept-invite", "", map[string]string{"token": tok, "password": castPassword})
		if r.Status != http.StatusUnprocessableEntity || !strings.Contains(string(r.Body), "expired") {
			t.Fatalf("expired invitation: %d %s", r.Status, r.Body)
		}
	})
	t.Run("unknown", func(t *testing.T) {
		r := e.do("POST", "/api/v1/auth/accept-invite", "", map[string]string{"token": "made-up", "password": castPassword})
		if r.Status != http.StatusUnprocessableEntity {
			t.Fatalf("unknown invitation: %d %s", r.Status, r.Body)
		}
	})
	t.Run("email queued with the link", func(t *testing.T) {
		e.tokens["hr"] = e.login(adminEmail, adminPassword) // the earlier token expired with the clock
		r := e.must(http.StatusOK, "GET", "/api/v1/outbox?to="+strings.ToUpper(p.Email), e.tokens["hr"], nil)
		if !strings.Contains(string(r.Body), "https://complytrack.example.gov.uk/invite?token=") {
			t.Errorf("outbox: %s", r.Body)
		}
	})
}

func TestLoginRateLimitAndEqualAnswers(t *testing.T) {
	e := newEnv(t)
	wrong := e.do("POST", "/api/v1/auth/login", "", map[string]string{"email": adminEmail, "password": "wrong-password-1"})
	unknown := e.doFrom("198.51.100.7", "POST", "/api/v1/auth/login", "", map[string]string{"email": "nobody@example.gov.uk", "password": "wrong-password-1"})
	if wrong.Status != http.StatusUnauthorized || unknown.Status != http.StatusUnauthorized {
		t.Fatalf("statuses %d and %d, want 401", wrong.Status, unknown.Status)
	}
	// Each answer names its own request, which says nothing of the account.
	w, u := wrong.json(t), unknown.json(t)
	if w["request_id"] == u["request_id"] {
		t.Errorf("two requests have one request ID: %s", wrong.Body)
	}
	delete(w, "request_id")
	delete(u, "request_id")
	if !reflect.DeepEqual(w, u) {
		t.Errorf("unknown e-mail and wrong password answer differently:\n%s\n%s", wrong.Body, unknown.Body)
	}
	for k, v := range wrong.Header {
		if k != "Date" && k != "X-Request-Id" && strings.Join(unknown.Header[k], ",") != strings.Join(v, ",") {
			t.Errorf("header %s differs: %v vs %v", k, v, unknown.Header[k])
		}
	}

	// Four more failures make five for this account: the sixth attempt is
	// refused without checking the password, even the right one.
	// Each from its own address, so only the account's count is at work.
	for i := 0; i < 4; i++ {
		r := e.doFrom("203.0.113."+string(rune('1'+i)), "POST", "/api/v1/auth/login", "", map[string]string{"email": adminEmail, "password": "wrong-password-1"})
		if r.Status != http.StatusUnauthorized {
			t.Fatalf("failure %d: status %d", i+2, r.Status)
		}
	}
	r := e.doFrom("203.0.113.99", "POST", "/api/v1/auth/login", "", map[string]string{"email": adminEmail, "password": adminPassword})
	if r.Status != http.StatusTooManyRequests {
		t.Fatalf("sixth attempt: status %d, want 429", r.Status)
	}
	if ra := r.Header.Get("Retry-After"); ra == "" || ra == "0" {
		t.Errorf("Retry-After %q", ra)
	}
	e.clock.Advance(5*time.Minute + time.Second)
	e.login(adminEmail, adminPassword)
}

func TestBodyAndHeaderLimits(t *testing.T) {
	e := newEnv(t)
	big := `{"email":"` + strings.Repeat("a", 1<<20) + `","password":"x"}`
	e.must(http.StatusRequestEntityTooLarge, "POST", "/api/v1/auth/login", "", big)
	r := e.must(http.StatusUnprocessableEntity, "POST", "/api/v1/auth/login", "", `{"email":"a@b.c","password":"p","admin":true}`)
	if !strings.Contains(string(r.Body), `"field":"admin"`) {
		t.Errorf("unknown field not named: %s", r.Body)
	}
	e.must(http.StatusUnprocessableEntity, "POST", "/api/v1/auth/login", "", `{"email":1,"password":"p"}`)
	e.must(http.StatusUnprocessableEntity, "POST", "/api/v1/auth/login", "", `{"email":"a@b.c"`)
	e.must(http.StatusUnprocessableEntity, "POST", "/api/v1/auth/login", "", `{"email":"a@b.c","password":"p"} {}`)
	e.must(http.StatusUnprocessableEntity, "POST", "/api/v1/auth/login", "", ``)
	req := e.do("POST", "/api/v1/auth/login", "", nil) // no Content-Type
	if req.Status != http.StatusUnsupportedMediaType {
		t.Errorf("no JSON content type: %d", req.Status)
	}
}

func TestChangePassword(t *testing.T) {
	e := newEnv(t)
	e.must(http.StatusUnprocessableEntity, "POST", "/api/v1/me/password", e.tokens["hr"], map[string]string{"current_password": "wrong-password-1", "new_password": "a-new-password-123"})
	e.must(http.StatusUnprocessableEntity, "POST", "/api/v1/me/password", e.tokens["hr"], map[string]string{"current_password": adminPassword, "new_password": "short"})
	e.must(http.StatusNoContent, "POST", "/api/v1/me/password", e.tokens["hr"], map[string]string{"current_password": adminPassword, "new_password": "a-new-password-123"})
	e.login(adminEmail, "a-new-password-123")
	e.must(http.StatusUnauthorized, "POST", "/api/v1/auth/login", "", map[string]string{"email": adminEmail, "password": adminPassword})
}

func TestJWKSPublishesTheSigningKey(t *testing.T) {
	e := newEnv(t)
	var doc struct {
		Keys []map[string]string `json:"keys"`
	}
	if err := json.Unmarshal(e.must(http.StatusOK, "GET", "/.well-known/jwks.json", "", nil).Body, &doc); err != nil {
		t.Fatal(err)
	}
	pub := e.key.Public().(ed25519.PublicKey)
	if len(doc.Keys) != 1 || doc.Keys[0]["kid"] != auth.KeyID(pub) || doc.Keys[0]["x"] != base64.RawURLEncoding.EncodeToString(pub) || doc.Keys[0]["d"] != "" {
		t.Errorf("jwks %v", doc.Keys)
	}
}

func TestLeaverCannotSignIn(t *testing.T) {
	e := newEnv(t)
	p := e.addPerson("leaver", "", nil)
	tok := e.giveAccount("leaver")
	e.must(http.StatusOK, "PATCH", "/api/v1/people/"+p.ID, e.tokens["hr"], map[string]string{"end_date": "2026-11-01"})
	e.must(http.StatusUnauthorized, "GET", "/api/v1/me", tok, nil)
	e.must(http.StatusUnauthorized, "POST", "/api/v1/auth/login", "", map[string]string{"email": p.Email, "password": castPassword})
}

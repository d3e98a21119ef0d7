package auth_test

import (
	"crypto/ed25519"
	"encoding/base64"
	"encoding/json"
	"errors"
	"strings"
	"testing"
	"time"

	"github.com/golang-jwt/jwt/v5"

	"github.com/complytrack/complytrack/pkg/auth"
)

const (
	testIssuer   = "https://complytrack.example.gov.uk"
	testAudience = "complytrack-api"
)

type tokenFixture struct {
	priv   ed25519.PrivateKey
	pub    ed25519.PublicKey
	kid    string
	keys   *auth.KeySet
	tokens *auth.AccessTokens
	now    time.Time
}

func newTokenFixture(t *testing.T) *tokenFixture {
	t.Helper()
	pub, priv, err := ed25519.GenerateKey(nil)
	if err != nil {
		t.Fatal(err)
	}
	ks, err := auth.NewKeySet(priv)
	if err != nil {
		t.Fatal(err)
	}
	f := &tokenFixture{priv: priv, pub: pub, kid: auth.KeyID(pub), keys: ks, now: time.Now()}
	f.tokens = f.accessTokens(t, auth.AccessTokenConfig{})
	return f
}

// accessTokens builds AccessTokens over the fixture's keys with its clock,
// filling in issuer and audience.
func (f *tokenFixture) accessTokens(t *testing.T, cfg auth.AccessTokenConfig) *auth.AccessTokens {
	t.Helper()
	if cfg.Issuer == "" {
		cfg.Issuer = testIssuer
	}
	if cfg.Audience == "" {
		cfg.Audience = testAudience
	}
	if cfg.Now == nil {
		cfg.Now = func() time.Time { return f.now }
	}
	at, err := auth.NewAccessTokens(f.keys, cfg)
	if err != nil {
		t.Fatalf("NewAccessTokens: %v", err)
	}
	return at
}

// claims returns a payload the verifier accepts, for hand-made tokens.
func (f *tokenFixture) claims() jwt.MapClaims {
	return jwt.MapClaims{
		"iss": testIssuer,
		"aud": testAudience,
		"sub": "account-1",
		"sid": "session-1",
		"jti": "token-1",
		"iat": f.now.Unix(),
		"exp": f.now.Add(15 * time.Minute).Unix(),
	}
}

// sign makes a token by hand with any method, key and header; a nil header
// value removes that header (including the library's default typ).
func sign(t *testing.T, method jwt.SigningMethod, key any, header map[string]any, claims jwt.MapClaims) string {
	t.Helper()
	tok := jwt.NewWithClaims(method, claims)
	for k, v := range header {
		if v == nil {
			delete(tok.Header, k)
		} else {
			tok.Header[k] = v
		}
	}
	s, err := tok.SignedString(key)
	if err != nil {
		t.Fatalf("signing test token: %v", err)
	}
	return s
}

func (f *tokenFixture) header() map[string]any {
	return map[string]any{"kid": f.kid, "typ": "at+jwt"}
}

func TestIssueVerifyRoundTrip(t *testing.T) {
	f := newTokenFixture(t)
	tok, issued, err := f.tokens.Issue("account-42", "session-7")
	if err != nil {
		t.Fatalf("Issue: %v", err)
	}
	got, err := f.tokens.Verify(tok)
	if err != nil {
		t.Fatalf("Verify: %v", err)
	}
	if got != issued {
		t.Errorf("Verify claims = %+v, Issue returned %+v", got, issued)
	}
	if got.Subject != "account-42" || got.SessionID != "session-7" || got.ID == "" || got.KeyID != f.kid {
		t.Errorf("claims = %+v", got)
	}
	if d := got.ExpiresAt.Sub(got.IssuedAt); d != auth.DefaultAccessTokenTTL || f.tokens.TTL() != d {
		t.Errorf("lifetime %v, want %v", d, auth.DefaultAccessTokenTTL)
	}

	// Wire format: header alg/kid/typ, payload registered claims and sid.
	parts := strings.Split(tok, ".")
	var hdr, payload map[string]any
	decodeSegment(t, parts[0], &hdr)
	decodeSegment(t, parts[1], &payload)
	if hdr["alg"] != "EdDSA" || hdr["kid"] != f.kid || hdr["typ"] != "at+jwt" {
		t.Errorf("header = %v", hdr)
	}
	for _, k := range []string{"iss", "aud", "sub", "exp", "iat", "jti", "sid"} {
		if _, ok := payload[k]; !ok {
			t.Errorf("payload lacks %q: %v", k, payload)
		}
	}
	if _, ok := payload["roles"]; ok {
		t.Error("roles must not be in the token")
	}

	tok2, _, err := f.tokens.Issue("account-42", "session-7")
	if err != nil {
		t.Fatal(err)
	}
	c2, _ := f.tokens.Verify(tok2)
	if c2.ID == got.ID {
		t.Error("two tokens share a jti")
	}

	if _, _, err := f.tokens.Issue("", "session-7"); err == nil {
		t.Error("Issue without subject succeeded")
	}
	if _, _, err := f.tokens.Issue("account-42", ""); err == nil {
		t.Error("Issue without session id succeeded")
	}
}

func decodeSegment(t *testing.T, seg string, v any) {
	t.Helper()
	b, err := base64.RawURLEncoding.DecodeString(seg)
	if err != nil {
		t.Fatalf("decoding segment: %v", err)
	}
	if err := json.Unmarshal(b, v); err != nil {
		t.Fatalf("decoding segment JSON: %v", err)
	}
}

// TestVerifyHandMadeControl makes sure the negative suite's helper produces
// tokens that are refused only for the reason each case introduces.
func TestVerifyHandMadeControl(t *testing.T) {
	f := newTokenFixture(t)
	tok := sign(t, jwt.SigningMethodEdDSA, f.priv, f.header(), f.claims())
	c, err := f.tokens.Verify(tok)
	if err != nil {
		t.Fatalf("hand-made valid token refused: %v", err)
	}
	if c.Subject != "account-1" || c.SessionID != "session-1" || c.ID != "token-1" {
		t.Fatalf("claims = %+v", c)
	}
}

func TestVerifyRefuses(t *testing.T) {
	f := newTokenFixture(t)
	_, otherPriv, err := ed25519.GenerateKey(nil)
	if err != nil {
		t.Fatal(err)
	}
	otherPub := otherPriv.Public().(ed25519.PublicKey)

	with := func(mutate func(jwt.MapClaims)) jwt.MapClaims {
		c := f.claims()
		mutate(c)
		return c
	}
	hdrWith := func(mutate func(map[string]any)) map[string]any {
		h := f.header()
		mutate(h)
		return h
	}
	edSigned := func(c jwt.MapClaims) string { return sign(t, jwt.SigningMethodEdDSA, f.priv, f.header(), c) }

	valid := edSigned(f.claims())
	parts := strings.Split(valid, ".")
	alteredPayload := func() string {
		c := f.claims()
		c["sub"] = "account-hr"
		b, _ := json.Marshal(c)
		return parts[0] + "." + base64.RawURLEncoding.EncodeToString(b) + "." + parts[2]
	}()
	// A properly signed token made huge by a padding claim: refused for
	// its size alone.
	huge := edSigned(with(func(c jwt.MapClaims) { c["pad"] = strings.Repeat("x", 64<<10) }))

	tests := []struct {
		name  string
		token string
		also  error // a more specific error the failure must match, if any
	}{
		{"alg none", sign(t, jwt.SigningMethodNone, jwt.UnsafeAllowNoneSignatureType, f.header(), f.claims()), nil},
		{"alg none with empty signature stripped", strings.Join([]string{
			base64.RawURLEncoding.EncodeToString([]byte(`{"alg":"none","typ":"at+jwt","kid":"` + f.kid + `"}`)),
			parts[1], "",
		}, "."), nil},
		{"HS256 with the public key as HMAC secret", sign(t, jwt.SigningMethodHS256, []byte(f.pub), f.header(), f.claims()), nil},
		{"HS256 with the JWK x as HMAC secret", sign(t, jwt.SigningMethodHS256, []byte(base64.RawURLEncoding.EncodeToString(f.pub)), f.header(), f.claims()), nil},
		{"wrong iss", edSigned(with(func(c jwt.MapClaims) { c["iss"] = "https://evil.example" })), nil},
		{"no iss", edSigned(with(func(c jwt.MapClaims) { delete(c, "iss") })), nil},
		{"wrong aud", edSigned(with(func(c jwt.MapClaims) { c["aud"] = "other-api" })), nil},
		{"no aud", edSigned(with(func(c jwt.MapClaims) { delete(c, "aud") })), nil},
		{"expired", edSigned(with(func(c jwt.MapClaims) {
			c["iat"] = f.now.Add(-20 * time.Minute).Unix()
			c["exp"] = f.now.Add(-5 * time.Minute).Unix()
		})), auth.ErrTokenExpired},
		{"no exp", edSigned(with(func(c jwt.MapClaims) { delete(c, "exp") })), nil},
		{"no iat", edSigned(with(func(c jwt.MapClaims) { delete(c, "iat") })), nil},
		{"iat in the future", edSigned(with(func(c jwt.MapClaims) { c["iat"] = f.now.Add(5 * time.Minute).Unix() })), nil},
		{"nbf in the future", edSigned(with(func(c jwt.MapClaims) { c["nbf"] = f.now.Add(5 * time.Minute).Unix() })), nil},
		{"no sub", edSigned(with(func(c jwt.MapClaims) { delete(c, "sub") })), nil},
		{"no sid", edSigned(with(func(c jwt.MapClaims) { delete(c, "sid") })), nil},
		{"no jti", edSigned(with(func(c jwt.MapClaims) { delete(c, "jti") })), nil},
		{"unknown kid", sign(t, jwt.SigningMethodEdDSA, otherPriv, hdrWith(func(h map[string]any) { h["kid"] = auth.KeyID(otherPub) }), f.claims()), auth.ErrUnknownKey},
		{"no kid", sign(t, jwt.SigningMethodEdDSA, f.priv, hdrWith(func(h map[string]any) { h["kid"] = nil }), f.claims()), auth.ErrUnknownKey},
		{"different key, same kid", sign(t, jwt.SigningMethodEdDSA, otherPriv, f.header(), f.claims()), nil},
		{"payload altered after signing", alteredPayload, nil},
		{"signature stripped", parts[0] + "." + parts[1] + ".", nil},
		{"wrong typ", sign(t, jwt.SigningMethodEdDSA, f.priv, hdrWith(func(h map[string]any) { h["typ"] = "JWT" }), f.claims()), nil},
		{"no typ", sign(t, jwt.SigningMethodEdDSA, f.priv, hdrWith(func(h map[string]any) { h["typ"] = nil }), f.claims()), nil},
		{"64 KiB token", huge, auth.ErrTokenTooLong},
		{"64 KiB of junk", strings.Repeat("A", 64<<10), auth.ErrTokenTooLong},
		{"empty", "", nil},
		{"two segments", parts[0] + "." + parts[1], nil},
		{"padded base64", parts[0] + "=." + parts[1] + "." + parts[2], nil},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			c, err := f.tokens.Verify(tc.token)
			if err == nil {
				t.Fatalf("accepted: %+v", c)
			}
			t.Logf("refused: %v", err)
			if !errors.Is(err, auth.ErrInvalidToken) {
				t.Errorf("error %v does not match ErrInvalidToken", err)
			}
			if tc.also != nil && !errors.Is(err, tc.also) {
				t.Errorf("error %v does not match %v", err, tc.also)
			}
			if c != (auth.AccessClaims{}) {
				t.Errorf("claims returned with error: %+v", c)
			}
		})
	}
}

func TestVerifyLeeway(t *testing.T) {
	f := newTokenFixture(t)
	issueAt := f.now
	tok, _, err := f.tokens.Issue("a", "s")
	if err != nil {
		t.Fatal(err)
	}
	// 15 minutes and 10 seconds later: expired, but within the default
	// 30-second leeway.
	f.now = issueAt.Add(15*time.Minute + 10*time.Second)
	if _, err := f.tokens.Verify(tok); err != nil {
		t.Fatalf("within leeway: %v", err)
	}
	f.now = issueAt.Add(15*time.Minute + auth.DefaultLeeway + time.Second)
	if _, err := f.tokens.Verify(tok); !errors.Is(err, auth.ErrTokenExpired) {
		t.Fatalf("beyond leeway: %v, want ErrTokenExpired", err)
	}
	// A verifier with a clock 20 s behind accepts a token from "the future".
	f.now = issueAt.Add(-20 * time.Second)
	if _, err := f.tokens.Verify(tok); err != nil {
		t.Fatalf("iat within leeway: %v", err)
	}
	strict := f.accessTokens(t, auth.AccessTokenConfig{Leeway: -1})
	if _, err := strict.Verify(tok); err == nil {
		t.Fatal("iat in the future accepted without leeway")
	}
}

func TestAccessTokenConfig(t *testing.T) {
	ks, err := auth.GenerateKeySet()
	if err != nil {
		t.Fatal(err)
	}
	for name, cfg := range map[string]auth.AccessTokenConfig{
		"no issuer":      {Audience: testAudience},
		"no audience":    {Issuer: testIssuer},
		"TTL too long":   {Issuer: testIssuer, Audience: testAudience, TTL: 24 * time.Hour},
		"TTL too short":  {Issuer: testIssuer, Audience: testAudience, TTL: time.Second},
		"leeway too big": {Issuer: testIssuer, Audience: testAudience, Leeway: 10 * time.Minute},
	} {
		if _, err := auth.NewAccessTokens(ks, cfg); err == nil {
			t.Errorf("%s: accepted", name)
		}
	}
	if _, err := auth.NewAccessTokens(nil, auth.AccessTokenConfig{Issuer: testIssuer, Audience: testAudience}); err == nil {
		t.Error("nil key set accepted")
	}
	at, err := auth.NewAccessTokens(ks, auth.AccessTokenConfig{Issuer: testIssuer, Audience: testAudience, TTL: 5 * time.Minute})
	if err != nil {
		t.Fatal(err)
	}
	_, c, err := at.Issue("a", "s")
	if err != nil || c.ExpiresAt.Sub(c.IssuedAt) != 5*time.Minute {
		t.Errorf("configured TTL not applied: %+v, %v", c, err)
	}
}

// TestKeyRotation walks the documented rotation: old tokens keep verifying
// while the old key is configured (as private or public key), and stop once
// it is removed.
func TestKeyRotation(t *testing.T) {
	cfg := auth.AccessTokenConfig{Issuer: testIssuer, Audience: testAudience}
	_, oldPriv, _ := ed25519.GenerateKey(nil)
	_, newPriv, _ := ed25519.GenerateKey(nil)
	oldPub := oldPriv.Public().(ed25519.PublicKey)

	mk := func(signing ed25519.PrivateKey, verify ...ed25519.PublicKey) *auth.AccessTokens {
		ks, err := auth.NewKeySet(signing, verify...)
		if err != nil {
			t.Fatal(err)
		}
		at, err := auth.NewAccessTokens(ks, cfg)
		if err != nil {
			t.Fatal(err)
		}
		return at
	}
	before := mk(oldPriv)
	oldTok, _, err := before.Issue("a", "s")
	if err != nil {
		t.Fatal(err)
	}
	during := mk(newPriv, oldPub)
	if _, err := during.Verify(oldTok); err != nil {
		t.Fatalf("old token refused during rotation: %v", err)
	}
	newTok, c, err := during.Issue("a", "s")
	if err != nil {
		t.Fatal(err)
	}
	if c.KeyID != auth.KeyID(newPriv.Public().(ed25519.PublicKey)) {
		t.Errorf("signed with %s, want the new key", c.KeyID)
	}
	after := mk(newPriv)
	if _, err := after.Verify(newTok); err != nil {
		t.Fatalf("new token refused after rotation: %v", err)
	}
	if _, err := after.Verify(oldTok); !errors.Is(err, auth.ErrUnknownKey) {
		t.Fatalf("old token after its key was removed: %v, want ErrUnknownKey", err)
	}
}

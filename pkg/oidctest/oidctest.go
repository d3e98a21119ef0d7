// Package oidctest runs a real OpenID Connect provider inside a test
// process: zitadel's certified provider package (op) over a small
// in-memory store holding one client and the users a test adds, with a
// login page of its own, as an organisation's identity provider has.
//
// The provider can be told to misbehave the ways a relying party must
// refuse (another issuer, another audience, a wrong nonce, an expired ID
// token) and to rotate its signing key. Only tests import it.
package oidctest

import (
	"context"
	"crypto/rand"
	"crypto/rsa"
	"encoding/hex"
	"errors"
	"fmt"
	"html/template"
	"net/http"
	"net/http/httptest"
	"net/url"
	"slices"
	"strings"
	"sync"
	"testing"
	"time"

	jose "github.com/go-jose/go-jose/v4"
	"github.com/zitadel/oidc/v3/pkg/oidc"
	"github.com/zitadel/oidc/v3/pkg/op"
)

// User is someone the provider can sign in. Extra are further claims put
// in the ID token (an employee number, say).
type User struct {
	Subject       string
	Username      string // what they type on the login page
	Password      string
	Email         string
	EmailVerified bool
	GivenName     string
	FamilyName    string
	Extra         map[string]any
}

// Provider is a running OpenID provider.
type Provider struct {
	// Issuer is its address (http://127.0.0.1:port), the issuer it names in
	// its discovery document.
	Issuer       string
	ClientID     string
	ClientSecret string

	srv     *httptest.Server
	storage *storage
}

// New starts a provider whose one client may send people back to
// redirectURI. It stops when the test ends.
func New(t testing.TB, redirectURI string) *Provider {
	t.Helper()
	s := &storage{
		requests: map[string]*authRequest{},
		codes:    map[string]string{},
		tokens:   map[string]tokenRecord{},
		users:    map[string]User{},
		lifetime: 5 * time.Minute,
	}
	s.rotate()
	p := &Provider{ClientID: "complytrack-test", ClientSecret: randomID(), storage: s}
	s.client = &client{id: p.ClientID, secret: p.ClientSecret, redirect: redirectURI, s: s}

	mux := http.NewServeMux()
	p.srv = httptest.NewServer(mux)
	t.Cleanup(p.srv.Close)
	p.Issuer = p.srv.URL
	s.issuer = p.Issuer
	s.client.login = p.Issuer + "/login?id="

	var key [32]byte
	_, _ = rand.Read(key[:])
	provider, err := op.NewProvider(&op.Config{CryptoKey: key, CodeMethodS256: true, AuthMethodPost: true},
		s, func(bool) (op.IssuerFromRequest, error) { return s.issuerFor, nil }, op.WithAllowInsecure())
	if err != nil {
		t.Fatal(err)
	}
	s.callback = op.AuthCallbackURL(provider)
	mux.HandleFunc("/login", s.login)
	mux.Handle("/", provider)
	return p
}

// AddUser lets someone sign in.
func (p *Provider) AddUser(u User) {
	p.storage.mu.Lock()
	defer p.storage.mu.Unlock()
	p.storage.users[u.Username] = u
}

// SetEmail changes a user's e-mail address, as a rename at the provider does.
func (p *Provider) SetEmail(username, email string) {
	p.storage.mu.Lock()
	defer p.storage.mu.Unlock()
	u := p.storage.users[username]
	u.Email = email
	p.storage.users[username] = u
}

// RotateKey replaces the signing key: the new one signs, and the key set
// published holds only the new one.
func (p *Provider) RotateKey() {
	p.storage.mu.Lock()
	defer p.storage.mu.Unlock()
	p.storage.rotate()
}

// KeyID is the current signing key's ID.
func (p *Provider) KeyID() string {
	p.storage.mu.Lock()
	defer p.storage.mu.Unlock()
	return p.storage.key.id
}

// Misbehave makes ID tokens issued from now on wrong in the ways given;
// the zero value makes them right again.
type Misbehave struct {
	Issuer   string        // name this issuer in ID tokens
	Audience string        // issue ID tokens to this client ID (their audience) instead of ours
	Nonce    string        // put this nonce in ID tokens
	Lifetime time.Duration // lifetime of ID tokens (negative: expired when issued)
}

// Misbehave changes how the ID tokens issued from now on are made.
func (p *Provider) Misbehave(m Misbehave) {
	p.storage.mu.Lock()
	defer p.storage.mu.Unlock()
	p.storage.bad = m
	p.storage.lifetime = 5 * time.Minute
	if m.Lifetime != 0 {
		p.storage.lifetime = m.Lifetime
	}
}

// SignIn drives the provider's login form for the authorization request
// at authURL as a browser would and returns the address the provider sends
// the browser back to (the relying party's callback with code and state).
func (p *Provider) SignIn(ctx context.Context, authURL, username, password string) (string, error) {
	c := &http.Client{CheckRedirect: func(*http.Request, []*http.Request) error { return http.ErrUseLastResponse }}
	get := func(u string) (string, error) {
		req, err := http.NewRequestWithContext(ctx, http.MethodGet, u, nil)
		if err != nil {
			return "", err
		}
		resp, err := c.Do(req)
		if err != nil {
			return "", err
		}
		resp.Body.Close()
		if resp.StatusCode != http.StatusFound && resp.StatusCode != http.StatusSeeOther {
			return "", fmt.Errorf("GET %s: status %d", u, resp.StatusCode)
		}
		loc, err := resp.Location()
		if err != nil {
			return "", err
		}
		return loc.String(), nil
	}
	// The authorization endpoint sends the browser to the login page.
	login, err := get(authURL)
	if err != nil {
		return "", err
	}
	id := login[len(p.Issuer+"/login?id="):]
	req, err := http.NewRequestWithContext(ctx, http.MethodPost, p.Issuer+"/login",
		strings.NewReader(url.Values{"id": {id}, "username": {username}, "password": {password}}.Encode()))
	if err != nil {
		return "", err
	}
	req.Header.Set("Content-Type", "application/x-www-form-urlencoded")
	resp, err := c.Do(req)
	if err != nil {
		return "", err
	}
	resp.Body.Close()
	if resp.StatusCode != http.StatusFound {
		return "", fmt.Errorf("login: status %d", resp.StatusCode)
	}
	// The login page sends the browser back to the provider, which sends
	// it to the relying party with a code.
	back, err := resp.Location()
	if err != nil {
		return "", err
	}
	u, err := get(back.String())
	if err != nil {
		return "", err
	}
	return u, nil
}

func randomID() string {
	var b [16]byte
	_, _ = rand.Read(b[:])
	return hex.EncodeToString(b[:])
}

// storage is the provider's memory: one client, users, requests, codes,
// tokens and the signing key. It implements op.Storage.
type storage struct {
	mu       sync.Mutex
	issuer   string
	client   *client
	users    map[string]User // by username
	requests map[string]*authRequest
	codes    map[string]string // code -> request ID
	tokens   map[string]tokenRecord
	key      signingKey
	bad      Misbehave
	lifetime time.Duration
	callback func(context.Context, string) string
}

func (s *storage) issuerFor(*http.Request) string {
	s.mu.Lock()
	defer s.mu.Unlock()
	if s.bad.Issuer != "" {
		return s.bad.Issuer
	}
	return s.issuer
}

func (s *storage) rotate() {
	k, err := rsa.GenerateKey(rand.Reader, 2048)
	if err != nil {
		panic(err)
	}
	s.key = signingKey{id: randomID(), key: k}
}

var loginPage = template.Must(template.New("login").Parse(`<!DOCTYPE html>
<html lang="en"><head><meta charset="utf-8"><title>Test identity provider: sign in</title></head>
<body><main><h1>Test identity provider</h1>
{{if .Error}}<p role="alert">{{.Error}}</p>{{end}}
<form method="post" action="/login">
<input type="hidden" name="id" value="{{.ID}}">
<p><label for="username">Username</label> <input id="username" name="username" autocomplete="username"></p>
<p><label for="password">Password</label> <input id="password" name="password" type="password" autocomplete="current-password"></p>
<p><button type="submit">Sign in</button></p>
</form></main></body></html>`))

// login is the provider's own login page: the op sends the browser here
// with the authorization request's ID; a right username and password mark
// the request done and send the browser back to the op.
func (s *storage) login(w http.ResponseWriter, r *http.Request) {
	w.Header().Set("Content-Type", "text/html; charset=utf-8")
	if r.Method == http.MethodGet {
		_ = loginPage.Execute(w, map[string]string{"ID": r.URL.Query().Get("id")})
		return
	}
	if err := r.ParseForm(); err != nil {
		http.Error(w, err.Error(), http.StatusBadRequest)
		return
	}
	id := r.PostForm.Get("id")
	s.mu.Lock()
	u, known := s.users[r.PostForm.Get("username")]
	req, found := s.requests[id]
	ok := known && found && u.Password == r.PostForm.Get("password")
	if ok {
		req.subject, req.done, req.authTime = u.Subject, true, time.Now().UTC()
	}
	s.mu.Unlock()
	if !ok {
		w.WriteHeader(http.StatusUnauthorized)
		_ = loginPage.Execute(w, map[string]string{"ID": id, "Error": "The username or password is not right."})
		return
	}
	http.Redirect(w, r, s.callback(r.Context(), id), http.StatusFound)
}

type authRequest struct {
	id        string
	clientID  string
	redirect  string
	state     string
	nonce     string
	scopes    []string
	challenge *oidc.CodeChallenge
	mode      oidc.ResponseMode
	rtype     oidc.ResponseType
	subject   string
	done      bool
	authTime  time.Time
	s         *storage
}

func (a *authRequest) GetID() string  { return a.id }
func (a *authRequest) GetACR() string { return "" }
func (a *authRequest) GetAMR() []string {
	return []string{"pwd"}
}

func (a *authRequest) GetAudience() []string {
	a.s.mu.Lock()
	defer a.s.mu.Unlock()
	if a.s.bad.Audience != "" {
		return []string{a.s.bad.Audience}
	}
	return []string{a.clientID}
}
func (a *authRequest) GetAuthTime() time.Time { return a.authTime }
func (a *authRequest) GetClientID() string {
	a.s.mu.Lock()
	defer a.s.mu.Unlock()
	if a.s.bad.Audience != "" {
		return a.s.bad.Audience
	}
	return a.clientID
}
func (a *authRequest) GetCodeChallenge() *oidc.CodeChallenge { return a.challenge }
func (a *authRequest) GetRedirectURI() string                { return a.redirect }
func (a *authRequest) GetResponseType() oidc.ResponseType    { return a.rtype }
func (a *authRequest) GetResponseMode() oidc.ResponseMode    { return a.mode }
func (a *authRequest) GetScopes() []string                   { return a.scopes }
func (a *authRequest) GetState() string                      { return a.state }
func (a *authRequest) GetSubject() string                    { return a.subject }
func (a *authRequest) Done() bool                            { return a.done }
func (a *authRequest) GetNonce() string {
	a.s.mu.Lock()
	defer a.s.mu.Unlock()
	if a.s.bad.Nonce != "" {
		return a.s.bad.Nonce
	}
	return a.nonce
}

type tokenRecord struct {
	subject  string
	clientID string
	scopes   []string
	expires  time.Time
}

var errNotFound = errors.New("not found")

func (s *storage) CreateAuthRequest(_ context.Context, r *oidc.AuthRequest, _ string) (op.AuthRequest, error) {
	s.mu.Lock()
	defer s.mu.Unlock()
	a := &authRequest{id: randomID(), clientID: r.ClientID, redirect: r.RedirectURI, state: r.State, nonce: r.Nonce,
		scopes: r.Scopes, mode: r.ResponseMode, rtype: r.ResponseType, s: s}
	if r.CodeChallenge != "" {
		a.challenge = &oidc.CodeChallenge{Challenge: r.CodeChallenge, Method: r.CodeChallengeMethod}
	}
	s.requests[a.id] = a
	return a, nil
}

func (s *storage) AuthRequestByID(_ context.Context, id string) (op.AuthRequest, error) {
	s.mu.Lock()
	defer s.mu.Unlock()
	if a, ok := s.requests[id]; ok {
		return a, nil
	}
	return nil, errNotFound
}

// AuthRequestByCode finds the request a code was issued for; a code is
// forgotten with its request once exchanged, so a replayed one is unknown.
func (s *storage) AuthRequestByCode(_ context.Context, code string) (op.AuthRequest, error) {
	s.mu.Lock()
	defer s.mu.Unlock()
	if a, ok := s.requests[s.codes[code]]; ok {
		return a, nil
	}
	return nil, errNotFound
}

func (s *storage) SaveAuthCode(_ context.Context, id, code string) error {
	s.mu.Lock()
	defer s.mu.Unlock()
	s.codes[code] = id
	return nil
}

func (s *storage) DeleteAuthRequest(_ context.Context, id string) error {
	s.mu.Lock()
	defer s.mu.Unlock()
	delete(s.requests, id)
	for code, rid := range s.codes {
		if rid == id {
			delete(s.codes, code)
		}
	}
	return nil
}

func (s *storage) CreateAccessToken(_ context.Context, r op.TokenRequest) (string, time.Time, error) {
	s.mu.Lock()
	defer s.mu.Unlock()
	id, exp := randomID(), time.Now().Add(5*time.Minute)
	clientID := ""
	if a, ok := r.(*authRequest); ok {
		clientID = a.clientID
	}
	s.tokens[id] = tokenRecord{subject: r.GetSubject(), clientID: clientID, scopes: r.GetScopes(), expires: exp}
	return id, exp, nil
}

func (s *storage) CreateAccessAndRefreshTokens(context.Context, op.TokenRequest, string) (string, string, time.Time, error) {
	return "", "", time.Time{}, errors.New("refresh tokens are not offered")
}

func (s *storage) TokenRequestByRefreshToken(context.Context, string) (op.RefreshTokenRequest, error) {
	return nil, op.ErrInvalidRefreshToken
}

func (s *storage) TerminateSession(context.Context, string, string) error { return nil }

func (s *storage) RevokeToken(_ context.Context, token, _, _ string) *oidc.Error {
	s.mu.Lock()
	defer s.mu.Unlock()
	delete(s.tokens, token)
	return nil
}

func (s *storage) GetRefreshTokenInfo(context.Context, string, string) (string, string, error) {
	return "", "", op.ErrInvalidRefreshToken
}

func (s *storage) SigningKey(context.Context) (op.SigningKey, error) {
	s.mu.Lock()
	defer s.mu.Unlock()
	return s.key, nil
}

func (s *storage) SignatureAlgorithms(context.Context) ([]jose.SignatureAlgorithm, error) {
	return []jose.SignatureAlgorithm{jose.RS256}, nil
}

func (s *storage) KeySet(context.Context) ([]op.Key, error) {
	s.mu.Lock()
	defer s.mu.Unlock()
	return []op.Key{publicKey{s.key}}, nil
}

// GetClientByClientID finds the one client. Told to address ID tokens to
// another audience, the provider mixes our registration up with another
// application's, as a misconfigured tenant would: the code and the tokens
// are then issued to that application.
func (s *storage) GetClientByClientID(_ context.Context, id string) (op.Client, error) {
	s.mu.Lock()
	other := s.bad.Audience
	s.mu.Unlock()
	switch {
	case other != "" && (id == s.client.id || id == other):
		c := *s.client
		c.id = other
		return &c, nil
	case id == s.client.id:
		return s.client, nil
	}
	return nil, errNotFound
}

func (s *storage) AuthorizeClientIDSecret(_ context.Context, id, secret string) error {
	if id != s.client.id || secret != s.client.secret {
		return errors.New("client not authorized")
	}
	return nil
}

func (s *storage) userBySubject(subject string) (User, bool) {
	for _, u := range s.users {
		if u.Subject == subject {
			return u, true
		}
	}
	return User{}, false
}

func (s *storage) SetUserinfoFromScopes(context.Context, *oidc.UserInfo, string, string, []string) error {
	return nil
}

// SetUserinfoFromRequest puts the user's claims in the ID token.
func (s *storage) SetUserinfoFromRequest(_ context.Context, info *oidc.UserInfo, r op.IDTokenRequest, scopes []string) error {
	return s.setUserinfo(info, r.GetSubject(), scopes)
}

func (s *storage) setUserinfo(info *oidc.UserInfo, subject string, scopes []string) error {
	s.mu.Lock()
	defer s.mu.Unlock()
	u, ok := s.userBySubject(subject)
	if !ok {
		return errNotFound
	}
	info.Subject = u.Subject
	if slices.Contains(scopes, oidc.ScopeEmail) {
		info.Email, info.EmailVerified = u.Email, oidc.Bool(u.EmailVerified)
	}
	if slices.Contains(scopes, oidc.ScopeProfile) {
		info.GivenName, info.FamilyName, info.PreferredUsername = u.GivenName, u.FamilyName, u.Username
		for k, v := range u.Extra {
			info.AppendClaims(k, v)
		}
	}
	return nil
}

func (s *storage) SetUserinfoFromToken(_ context.Context, info *oidc.UserInfo, tokenID, _, _ string) error {
	s.mu.Lock()
	t, ok := s.tokens[tokenID]
	s.mu.Unlock()
	if !ok || time.Now().After(t.expires) {
		return errNotFound
	}
	return s.setUserinfo(info, t.subject, t.scopes)
}

func (s *storage) SetIntrospectionFromToken(context.Context, *oidc.IntrospectionResponse, string, string, string) error {
	return errors.New("introspection is not offered")
}

func (s *storage) GetPrivateClaimsFromScopes(context.Context, string, string, []string) (map[string]any, error) {
	return nil, nil
}

func (s *storage) GetKeyByIDAndClientID(context.Context, string, string) (*jose.JSONWebKey, error) {
	return nil, errNotFound
}

func (s *storage) ValidateJWTProfileScopes(context.Context, string, []string) ([]string, error) {
	return nil, errors.New("JWT profile is not offered")
}

func (s *storage) Health(context.Context) error { return nil }

type signingKey struct {
	id  string
	key *rsa.PrivateKey
}

func (k signingKey) SignatureAlgorithm() jose.SignatureAlgorithm { return jose.RS256 }
func (k signingKey) Key() any                                    { return k.key }
func (k signingKey) ID() string                                  { return k.id }

type publicKey struct{ signingKey }

func (k publicKey) Algorithm() jose.SignatureAlgorithm { return jose.RS256 }
func (k publicKey) Use() string                        { return "sig" }
func (k publicKey) Key() any                           { return &k.key.PublicKey }

// client is the one relying party: a confidential web application using
// the authorization code flow.
type client struct {
	id, secret, redirect, login string
	s                           *storage
}

func (c *client) GetID() string                       { return c.id }
func (c *client) RedirectURIs() []string              { return []string{c.redirect} }
func (c *client) PostLogoutRedirectURIs() []string    { return nil }
func (c *client) ApplicationType() op.ApplicationType { return op.ApplicationTypeWeb }
func (c *client) AuthMethod() oidc.AuthMethod         { return oidc.AuthMethodBasic }
func (c *client) ResponseTypes() []oidc.ResponseType {
	return []oidc.ResponseType{oidc.ResponseTypeCode}
}
func (c *client) GrantTypes() []oidc.GrantType         { return []oidc.GrantType{oidc.GrantTypeCode} }
func (c *client) LoginURL(id string) string            { return c.login + id }
func (c *client) AccessTokenType() op.AccessTokenType  { return op.AccessTokenTypeBearer }
func (c *client) DevMode() bool                        { return true } // http redirect URIs on 127.0.0.1
func (c *client) IsScopeAllowed(string) bool           { return false }
func (c *client) IDTokenUserinfoClaimsAssertion() bool { return true }
func (c *client) ClockSkew() time.Duration             { return 0 }
func (c *client) IDTokenLifetime() time.Duration {
	c.s.mu.Lock()
	defer c.s.mu.Unlock()
	return c.s.lifetime
}

func (c *client) RestrictAdditionalIdTokenScopes() func([]string) []string {
	return func(s []string) []string { return s }
}

func (c *client) RestrictAdditionalAccessTokenScopes() func([]string) []string {
	return func(s []string) []string { return s }
}

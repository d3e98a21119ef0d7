// Package sso is complytrack's side of OpenID Connect sign-in: it sends
// people to the organisation's identity provider (authorization code flow
// with PKCE, state and nonce) and checks the ID token the provider returns
// for them, with go-oidc: its signature against the provider's published
// keys (fetched again when a token names a key not seen yet, so the
// provider may rotate keys), its issuer, its audience (our client ID), its
// expiry (with a bounded allowance for clocks that differ) and its nonce.
//
// It only says who the provider says the person is; whether that person
// may sign in to complytrack is the accounts service's to decide.
package sso

import (
	"context"
	"crypto/rand"
	"encoding/base64"
	"errors"
	"fmt"
	"net/http"
	"sync"
	"time"

	"github.com/coreos/go-oidc/v3/oidc"
	"golang.org/x/oauth2"
)

// MaxClockSkew is how far the provider's clock may run ahead of ours before
// a just-expired ID token is refused.
const MaxClockSkew = 2 * time.Minute

// RetryDiscovery is how long a failed discovery is remembered before the
// next sign-in tries the provider again, unless Config says otherwise: a
// provider that is down is not asked at every press of the button.
const RetryDiscovery = 10 * time.Second

var (
	// ErrUnavailable is a provider that could not be reached (or answered
	// nonsense) while discovering it.
	ErrUnavailable = errors.New("identity provider not available")
	// ErrRefused is a sign-in the provider or the checks refused: the code
	// was not accepted, or the ID token is not valid for us.
	ErrRefused = errors.New("identity provider sign-in not valid")
)

// Config names the provider and our registration with it.
type Config struct {
	Issuer       string
	ClientID     string
	ClientSecret string
	// RedirectURL is our callback, as registered with the provider.
	RedirectURL string
	// HTTPClient makes the calls to the provider; nil: http.DefaultClient
	// with a timeout.
	HTTPClient *http.Client
	// Now is the time ID tokens are checked against; nil: time.Now.
	Now func() time.Time
	// RetryAfter is how long a failed discovery is remembered; zero:
	// RetryDiscovery.
	RetryAfter time.Duration
}

// Client signs people in with one provider. Discovery happens at the first
// sign-in, not at start-up, so complytrack starts while the provider is
// down; a failure is retried after a short pause.
type Client struct {
	cfg Config

	mu       sync.Mutex
	provider *oidc.Provider
	verifier *oidc.IDTokenVerifier
	failedAt time.Time
	failure  error
}

// New returns a client; nothing is fetched yet.
func New(cfg Config) *Client {
	if cfg.HTTPClient == nil {
		cfg.HTTPClient = &http.Client{Timeout: 10 * time.Second}
	}
	if cfg.Now == nil {
		cfg.Now = time.Now
	}
	if cfg.RetryAfter <= 0 {
		cfg.RetryAfter = RetryDiscovery
	}
	return &Client{cfg: cfg}
}

// discover fetches the provider's discovery document once.
func (c *Client) discover(ctx context.Context) (*oidc.Provider, *oidc.IDTokenVerifier, error) {
	c.mu.Lock()
	defer c.mu.Unlock()
	if c.provider != nil {
		return c.provider, c.verifier, nil
	}
	if c.failure != nil && time.Since(c.failedAt) < c.cfg.RetryAfter {
		return nil, nil, c.failure
	}
	p, err := oidc.NewProvider(oidc.ClientContext(ctx, c.cfg.HTTPClient), c.cfg.Issuer)
	if err != nil {
		c.failure, c.failedAt = fmt.Errorf("%w: discovery of %s: %v", ErrUnavailable, c.cfg.Issuer, err), time.Now()
		return nil, nil, c.failure
	}
	// The key set behind the verifier fetches the provider's keys with a
	// context of its own, kept for the client's life, carrying our HTTP
	// client; it fetches them again when a token names a key it has not
	// seen (the provider rotated its keys).
	c.provider = p
	c.verifier = p.VerifierContext(oidc.ClientContext(context.Background(), c.cfg.HTTPClient), &oidc.Config{
		ClientID: c.cfg.ClientID,
		// go-oidc allows no skew at expiry: checking against a clock set
		// back by MaxClockSkew allows exactly that much.
		Now: func() time.Time { return c.cfg.Now().Add(-MaxClockSkew) },
	})
	c.failure = nil
	return p, c.verifier, nil
}

func (c *Client) oauth(p *oidc.Provider) *oauth2.Config {
	return &oauth2.Config{
		ClientID: c.cfg.ClientID, ClientSecret: c.cfg.ClientSecret, RedirectURL: c.cfg.RedirectURL,
		Endpoint: p.Endpoint(), Scopes: []string{oidc.ScopeOpenID, "email", "profile"},
	}
}

// Attempt is one sign-in under way: what must be kept until the provider
// sends the person back (State, Nonce and Verifier stay on our side), and
// the address to send them to.
type Attempt struct {
	State    string
	Nonce    string
	Verifier string // the PKCE code verifier
	URL      string
}

// Begin starts a sign-in.
func (c *Client) Begin(ctx context.Context) (Attempt, error) {
	p, _, err := c.discover(ctx)
	if err != nil {
		return Attempt{}, err
	}
	a := Attempt{State: random(), Nonce: random(), Verifier: oauth2.GenerateVerifier()}
	a.URL = c.oauth(p).AuthCodeURL(a.State, oidc.Nonce(a.Nonce), oauth2.S256ChallengeOption(a.Verifier))
	return a, nil
}

// Identity is who the provider says signed in.
type Identity struct {
	Issuer        string
	Subject       string
	Email         string
	EmailVerified bool
	// Claims are all the ID token's claims, for a configured matching claim.
	Claims map[string]any
}

// Finish exchanges the code the provider sent back for an ID token and
// checks it against the attempt's nonce and verifier.
func (c *Client) Finish(ctx context.Context, code string, a Attempt) (Identity, error) {
	p, verifier, err := c.discover(ctx)
	if err != nil {
		return Identity{}, err
	}
	ctx = oidc.ClientContext(ctx, c.cfg.HTTPClient)
	tok, err := c.oauth(p).Exchange(ctx, code, oauth2.VerifierOption(a.Verifier))
	if err != nil {
		return Identity{}, fmt.Errorf("%w: code exchange: %v", ErrRefused, err)
	}
	raw, ok := tok.Extra("id_token").(string)
	if !ok || raw == "" {
		return Identity{}, fmt.Errorf("%w: no ID token in the token response", ErrRefused)
	}
	idt, err := verifier.Verify(ctx, raw)
	if err != nil {
		return Identity{}, fmt.Errorf("%w: %v", ErrRefused, err)
	}
	if idt.Nonce == "" || idt.Nonce != a.Nonce {
		return Identity{}, fmt.Errorf("%w: the ID token's nonce is not this sign-in's", ErrRefused)
	}
	var claims map[string]any
	if err := idt.Claims(&claims); err != nil {
		return Identity{}, fmt.Errorf("%w: claims: %v", ErrRefused, err)
	}
	id := Identity{Issuer: idt.Issuer, Subject: idt.Subject, Claims: claims}
	id.Email, _ = claims["email"].(string)
	// Some providers send email_verified as the string "true".
	switch v := claims["email_verified"].(type) {
	case bool:
		id.EmailVerified = v
	case string:
		id.EmailVerified = v == "true"
	}
	return id, nil
}

// random is 32 random bytes, base64url: a state or a nonce.
func random() string {
	var b [32]byte
	_, _ = rand.Read(b[:])
	return base64.RawURLEncoding.EncodeToString(b[:])
}

package auth

import (
	"encoding/base64"
	"errors"
	"fmt"
	"time"

	"github.com/golang-jwt/jwt/v5"
)

// Access-token limits and defaults.
const (
	// MaxTokenBytes bounds an access token; longer ones are refused before
	// any decoding. The HTTP layer should cap the Authorization header
	// (or cookie) at the same size.
	MaxTokenBytes = 8 << 10
	// DefaultAccessTokenTTL is how long an access token is valid. Short,
	// because it cannot be revoked: a revoked login loses access when its
	// current access token expires, unless the caller checks the sid.
	DefaultAccessTokenTTL = 15 * time.Minute
	// MaxAccessTokenTTL bounds a configured TTL for the same reason.
	MaxAccessTokenTTL = time.Hour
	// DefaultLeeway is the allowance for clock skew between the replicas
	// that issue and verify tokens.
	DefaultLeeway = 30 * time.Second
	// MaxLeeway bounds a configured leeway: skew beyond it is an NTP
	// problem to fix, not to paper over by extending token lifetime.
	MaxLeeway = time.Minute
)

// tokenType is the JWT "typ" header of access tokens (RFC 9068). It is
// required on verification, so no other kind of JWT signed by the same keys
// in future can be replayed as an access token.
const tokenType = "at+jwt"

// Errors returned by AccessTokens.Verify. Every verification failure
// matches ErrInvalidToken (errors.Is); some also match a more specific
// error. None of them contains the token.
var (
	// ErrInvalidToken: the token must not be accepted (answer 401).
	ErrInvalidToken = errors.New("auth: invalid access token")
	// ErrTokenExpired: the token was valid but has expired; the client
	// should use its refresh token.
	ErrTokenExpired = errors.New("auth: access token expired")
	// ErrTokenTooLong: the token exceeds MaxTokenBytes and was not parsed.
	ErrTokenTooLong = errors.New("auth: access token too long")
	// ErrUnknownKey: the kid is missing or names no configured key (for
	// example a key removed after rotation, or another deployment's).
	ErrUnknownKey = errors.New("auth: access token signed with an unknown key")

	errMissingClaims = errors.New("auth: access token lacks sub, sid, jti or iat")
)

// AccessTokenConfig configures AccessTokens.
type AccessTokenConfig struct {
	// Issuer is the iss claim issued and required, for example the
	// service's public base URL. Required.
	Issuer string
	// Audience is the aud claim issued and required, for example
	// "complytrack-api". Required.
	Audience string
	// TTL is the lifetime of issued tokens: DefaultAccessTokenTTL if zero,
	// at most MaxAccessTokenTTL.
	TTL time.Duration
	// Leeway is the clock skew allowed when checking exp, nbf and iat:
	// DefaultLeeway if zero, at most MaxLeeway. Negative means none.
	Leeway time.Duration
	// Now is the clock; time.Now if nil. For tests.
	Now func() time.Time
}

// AccessClaims are the verified contents of an access token.
type AccessClaims struct {
	Subject   string    // sub: the account's id
	SessionID string    // sid: the login (refresh-token family) the token belongs to
	ID        string    // jti: unique per token
	IssuedAt  time.Time // iat
	ExpiresAt time.Time // exp
	KeyID     string    // kid of the key that signed it
}

// AccessTokens issues and verifies access tokens with a KeySet. It is safe
// for concurrent use.
type AccessTokens struct {
	keys     *KeySet
	issuer   string
	audience string
	ttl      time.Duration
	now      func() time.Time
	parser   *jwt.Parser
}

// NewAccessTokens returns AccessTokens signing with keys' signing key and
// verifying with any of keys' verification keys.
func NewAccessTokens(keys *KeySet, cfg AccessTokenConfig) (*AccessTokens, error) {
	if keys == nil {
		return nil, errors.New("auth: access tokens: no key set")
	}
	if cfg.Issuer == "" || cfg.Audience == "" {
		return nil, errors.New("auth: access tokens: issuer and audience are required")
	}
	switch {
	case cfg.TTL == 0:
		cfg.TTL = DefaultAccessTokenTTL
	case cfg.TTL < time.Minute || cfg.TTL > MaxAccessTokenTTL:
		return nil, fmt.Errorf("auth: access tokens: TTL %v not in [1m, %v]", cfg.TTL, MaxAccessTokenTTL)
	}
	switch {
	case cfg.Leeway == 0:
		cfg.Leeway = DefaultLeeway
	case cfg.Leeway < 0:
		cfg.Leeway = 0
	case cfg.Leeway > MaxLeeway:
		return nil, fmt.Errorf("auth: access tokens: leeway %v above %v", cfg.Leeway, MaxLeeway)
	}
	if cfg.Now == nil {
		cfg.Now = time.Now
	}
	t := &AccessTokens{
		keys:     keys,
		issuer:   cfg.Issuer,
		audience: cfg.Audience,
		ttl:      cfg.TTL,
		now:      cfg.Now,
	}
	t.parser = jwt.NewParser(
		// Only EdDSA: this is what refuses "none", and HS256 with the
		// public key as HMAC secret, before any key is looked up.
		jwt.WithValidMethods([]string{jwt.SigningMethodEdDSA.Alg()}),
		jwt.WithIssuer(cfg.Issuer),
		jwt.WithAudience(cfg.Audience),
		jwt.WithExpirationRequired(),
		jwt.WithIssuedAt(),
		jwt.WithLeeway(cfg.Leeway),
		jwt.WithTimeFunc(cfg.Now),
		// We only ever emit canonical base64url; anything else is not ours.
		jwt.WithStrictDecoding(),
	)
	return t, nil
}

// TTL returns the lifetime of issued tokens (the login response's expires_in).
func (t *AccessTokens) TTL() time.Duration { return t.ttl }

// accessClaims is the JWT payload.
type accessClaims struct {
	jwt.RegisteredClaims
	SessionID string `json:"sid"`
}

// Validate is called by the jwt parser after the registered claims are
// checked: every token we issue names its account, login and itself, and
// says when it was issued (the parser checks iat only if present).
func (c accessClaims) Validate() error {
	if c.Subject == "" || c.SessionID == "" || c.ID == "" || c.IssuedAt == nil {
		return errMissingClaims
	}
	return nil
}

// Issue returns a signed access token for account subject in login
// sessionID, both required, valid from now for TTL, and its claims.
func (t *AccessTokens) Issue(subject, sessionID string) (string, AccessClaims, error) {
	if subject == "" || sessionID == "" {
		return "", AccessClaims{}, errors.New("auth: issuing access token: subject and session id are required")
	}
	now := t.now()
	c := accessClaims{
		RegisteredClaims: jwt.RegisteredClaims{
			Issuer:    t.issuer,
			Audience:  jwt.ClaimStrings{t.audience},
			Subject:   subject,
			IssuedAt:  jwt.NewNumericDate(now),
			ExpiresAt: jwt.NewNumericDate(now.Add(t.ttl)),
			ID:        base64.RawURLEncoding.EncodeToString(randomBytes(16)),
		},
		SessionID: sessionID,
	}
	tok := jwt.NewWithClaims(jwt.SigningMethodEdDSA, c)
	tok.Header["kid"] = t.keys.signerKID
	tok.Header["typ"] = tokenType
	signed, err := tok.SignedString(t.keys.signer)
	if err != nil {
		return "", AccessClaims{}, fmt.Errorf("auth: signing access token: %w", err)
	}
	if len(signed) > MaxTokenBytes {
		// Only possible with absurd subject or session ids; refuse to
		// issue what Verify would refuse.
		return "", AccessClaims{}, errors.New("auth: issuing access token: token too long")
	}
	return signed, toAccessClaims(c, t.keys.signerKID), nil
}

// Verify checks token and returns its claims. It refuses, with an error
// matching ErrInvalidToken: a token longer than MaxTokenBytes (before
// parsing it; also ErrTokenTooLong); any algorithm but EdDSA; a typ other
// than "at+jwt"; a kid not among the key set's verification keys (also
// ErrUnknownKey); a bad signature; an iss or aud other than configured; a
// missing exp or iat; exp in the past (also ErrTokenExpired), iat or nbf in the
// future, each beyond the leeway; a missing sub, sid or jti.
//
// It does not know about revocation: a caller that wants a revoked login's
// tokens refused before they expire checks SessionID itself.
func (t *AccessTokens) Verify(token string) (AccessClaims, error) {
	if len(token) > MaxTokenBytes {
		return AccessClaims{}, fmt.Errorf("%w: %w", ErrInvalidToken, ErrTokenTooLong)
	}
	var c accessClaims
	var kid string
	parsed, err := t.parser.ParseWithClaims(token, &c, func(tok *jwt.Token) (any, error) {
		if typ, _ := tok.Header["typ"].(string); typ != tokenType {
			return nil, fmt.Errorf("auth: token type %q, want %q", typ, tokenType)
		}
		kid, _ = tok.Header["kid"].(string)
		pub, ok := t.keys.PublicKey(kid)
		if !ok {
			return nil, ErrUnknownKey
		}
		// A typed Ed25519 key: even if another algorithm got this far, its
		// Verify would reject the key type.
		return pub, nil
	})
	if err != nil {
		if errors.Is(err, jwt.ErrTokenExpired) {
			return AccessClaims{}, fmt.Errorf("%w: %w: %w", ErrInvalidToken, ErrTokenExpired, err)
		}
		return AccessClaims{}, fmt.Errorf("%w: %w", ErrInvalidToken, err)
	}
	if !parsed.Valid {
		return AccessClaims{}, ErrInvalidToken
	}
	return toAccessClaims(c, kid), nil
}

func toAccessClaims(c accessClaims, kid string) AccessClaims {
	return AccessClaims{
		Subject:   c.Subject,
		SessionID: c.SessionID,
		ID:        c.ID,
		IssuedAt:  c.IssuedAt.Time,
		ExpiresAt: c.ExpiresAt.Time,
		KeyID:     kid,
	}
}

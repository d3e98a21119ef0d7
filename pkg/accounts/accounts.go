// Package accounts signs people in: accounts (one per person, holding the
// password hash and granted roles), sign-in sessions with rotating refresh
// tokens, invitations, and the first HR account.
//
// Every change that two requests could race on is an insert under a unique
// key, because the embedded engine has no atomic compare-and-set: a refresh
// token is spent by inserting its "used" record, an invitation likewise, a
// session revoked by inserting its revocation. The loser of a race gets a
// conflict, which is exactly "already used".
package accounts

import (
	"context"
	"crypto/rand"
	"encoding/base32"
	"errors"
	"fmt"
	"log/slog"
	"net/netip"
	"strings"
	"time"

	"github.com/complytrack/complytrack/pkg/auth"
	"github.com/complytrack/complytrack/pkg/logging"
	"github.com/complytrack/complytrack/pkg/notify"
	"github.com/complytrack/complytrack/pkg/training"
)

// Account is a person's ability to sign in.
type Account struct {
	PersonID     string
	PasswordHash string
	// Roles are the granted roles (hr, auditor, trainer, member_services). employee is
	// implied; manager is derived from the reporting line.
	Roles     auth.Roles
	CreatedAt time.Time
	UpdatedAt time.Time
	// PasswordSetAt is when the password was last chosen. An invitation
	// issued before it cannot be used: the person set their password
	// since. Zero on accounts stored before it was kept.
	PasswordSetAt time.Time
	// SessionsEndedAt ends every session started at or before it, except
	// KeptSession (the one that changed the password, when it stays
	// signed in). Ending sessions this way costs one write, where revoking
	// them one by one would first have to find them all.
	SessionsEndedAt time.Time
	KeptSession     string
	// DisabledAt is when HR disabled the account (zero: not disabled),
	// and DisabledBy who did. A disabled account cannot sign in by any
	// means until HR enable it again.
	DisabledAt time.Time
	DisabledBy string
}

// Disabled reports whether HR have disabled the account.
func (a Account) Disabled() bool { return !a.DisabledAt.IsZero() }

// passwordSetAt is when the password was last chosen; for an account stored
// before that was kept, its last change, which is no earlier.
func (a Account) passwordSetAt() time.Time {
	switch {
	case !a.PasswordSetAt.IsZero():
		return a.PasswordSetAt
	case !a.UpdatedAt.IsZero():
		return a.UpdatedAt
	}
	return a.CreatedAt
}

// endOtherSessions ends every session of the account started up to now but
// keep (which may be empty).
func (a *Account) endOtherSessions(now time.Time, keep string) {
	a.SessionsEndedAt, a.KeptSession = now, keep
}

// Session is one sign-in: the family of refresh tokens it hands out.
type Session struct {
	ID        string
	PersonID  string
	CreatedAt time.Time
	// Method is how the person signed in (MethodPassword, MethodSSO);
	// empty on sessions stored before it was kept, and on those an
	// invitation started.
	Method string
}

// RefreshToken is a stored refresh token (only its hash is kept).
type RefreshToken struct {
	Hash      string
	SessionID string
	PersonID  string
	ExpiresAt time.Time
}

// Invitation is a one-time link to set a password (only its hash is kept).
type Invitation struct {
	Hash      string
	PersonID  string
	CreatedBy string
	CreatedAt time.Time // zero on invitations stored before it was kept
	ExpiresAt time.Time
}

// Store keeps accounts, sessions and tokens. pkg/mongodb implements it;
// errors wrap training.ErrNotFound and training.ErrConflict.
type Store interface {
	Account(ctx context.Context, personID string) (Account, error)
	// CreateAccount inserts; an existing account is ErrConflict.
	CreateAccount(ctx context.Context, a Account) error
	// PutAccount creates or replaces.
	PutAccount(ctx context.Context, a Account) error
	// AnyAccountWithRole reports whether any account holds the role.
	AnyAccountWithRole(ctx context.Context, r auth.Role) (bool, error)

	CreateSession(ctx context.Context, s Session) error
	// Session returns a session, or ErrNotFound.
	Session(ctx context.Context, id string) (Session, error)
	// RevokeSession records the revocation; revoking twice is not an error.
	RevokeSession(ctx context.Context, id string, at time.Time, reason string) error
	SessionRevoked(ctx context.Context, id string) (bool, error)

	InsertRefreshToken(ctx context.Context, t RefreshToken) error
	RefreshToken(ctx context.Context, hash string) (RefreshToken, error)
	// SpendRefreshToken records the token's use; a second use is ErrConflict.
	SpendRefreshToken(ctx context.Context, hash string, at time.Time) error

	InsertInvitation(ctx context.Context, inv Invitation) error
	Invitation(ctx context.Context, hash string) (Invitation, error)
	// SpendInvitation records the invitation's use; a second is ErrConflict.
	SpendInvitation(ctx context.Context, hash string, at time.Time) error
	// InvitationSpent reports whether the invitation has been used.
	InvitationSpent(ctx context.Context, hash string) (bool, error)

	// InsertInvitations stores many invitations at once.
	InsertInvitations(ctx context.Context, invs []Invitation) error
	// AccountHolders says which of the people have an account; nil asks
	// about everyone.
	AccountHolders(ctx context.Context, personIDs []string) (map[string]bool, error)
	// LatestInvitations returns each person's latest invitation (its
	// PersonID, CreatedAt and ExpiresAt); nil asks about everyone.
	LatestInvitations(ctx context.Context, personIDs []string) (map[string]Invitation, error)
}

// People is what accounts need from the domain service.
type People interface {
	PersonByEmail(ctx context.Context, email string) (training.Person, error)
	PersonByID(ctx context.Context, id string) (training.Person, error)
	Person(ctx context.Context, actor training.Actor, id string) (training.Person, error)
	Manages(ctx context.Context, personID string) (bool, error)
	CreatePerson(ctx context.Context, actor training.Actor, in training.PersonInput) (training.Person, error)
	Today() training.Date
	Location() *time.Location
	Audit(ctx context.Context, actor training.Actor, action, entity, id string, before, after any) error
	// AuditMany records one change to many records, an entry each.
	AuditMany(ctx context.Context, actor training.Actor, action, entity string, afters map[string]any) error
	// PeopleForImport returns everyone on record (HR only).
	PeopleForImport(ctx context.Context, actor training.Actor) ([]training.Person, error)
}

// Mailer queues e-mails (notify.Outbox).
type Mailer interface {
	Queue(ctx context.Context, m notify.Message) (bool, error)
	// QueueMany queues many at once, returning by position those whose
	// key is in use.
	QueueMany(ctx context.Context, ms []notify.Message) (map[int]bool, error)
}

// Config sets lifetimes and the links in e-mails.
type Config struct {
	RefreshTTL    time.Duration // default 14 days
	InvitationTTL time.Duration // default 7 days
	PublicURL     string        // base of links in e-mails
	Now           func() time.Time
	Logger        *slog.Logger

	// PasswordsOff refuses every sign-in with a password: people sign in
	// with the organisation's identity provider (SSO).
	PasswordsOff bool
}

// Service signs people in and out.
type Service struct {
	store   Store
	people  People
	mail    Mailer
	hasher  *auth.Hasher
	tokens  *auth.AccessTokens
	limiter *auth.Limiter
	cfg     Config
}

// New returns the accounts service.
func New(store Store, people People, mail Mailer, hasher *auth.Hasher, tokens *auth.AccessTokens, limiter *auth.Limiter, cfg Config) *Service {
	if cfg.RefreshTTL <= 0 {
		cfg.RefreshTTL = 14 * 24 * time.Hour
	}
	if cfg.InvitationTTL <= 0 {
		cfg.InvitationTTL = 7 * 24 * time.Hour
	}
	if cfg.Now == nil {
		cfg.Now = time.Now
	}
	if cfg.Logger == nil {
		cfg.Logger = logging.Discard()
	}
	return &Service{store: store, people: people, mail: mail, hasher: hasher, tokens: tokens, limiter: limiter, cfg: cfg}
}

// Tokens is what a successful sign-in returns.
type Tokens struct {
	AccessToken  string
	RefreshToken string
	ExpiresIn    time.Duration
}

// Principal is an authenticated caller.
type Principal struct {
	PersonID  string
	SessionID string
	Roles     auth.Roles // including employee, and manager when anyone reports to them
}

// Actor is the principal as the domain sees it.
func (p Principal) Actor() training.Actor {
	return training.Actor{
		PersonID: p.PersonID,
		HR:       p.Roles.Has(auth.RoleHR),
		Auditor:  p.Roles.Has(auth.RoleAuditor),
		Trainer:  p.Roles.Has(auth.RoleTrainer),

		MemberServices: p.Roles.Has(auth.RoleMemberServices),
	}
}

// RateLimitError is a refused sign-in attempt: which sign-in is paused,
// until when, and after how many wrong passwords.
type RateLimitError struct {
	RetryAfter time.Duration
	// Until is when sign-in may be tried again, in the organisation's
	// time zone.
	Until time.Time
	// Email is the e-mail address as typed (normalised) when the account's
	// limit was reached; empty when the client address's was. It is the
	// address typed, whether or not an account has it, so the answer says
	// nothing about who has an account.
	Email string
	// Failures is the limit that was reached.
	Failures int
	// Resets: the limit is on password reset requests, not on wrong
	// passwords.
	Resets bool
	now    time.Time
}

func (e *RateLimitError) Error() string { return e.PublicMessage() }

// PublicMessage is the sentence shown to the person signing in: which
// sign-in is paused and until when.
func (e *RateLimitError) PublicMessage() string {
	until := e.Until.Format("15:04")
	if e.Until.Format("2006-01-02") != e.now.In(e.Until.Location()).Format("2006-01-02") {
		until += " on " + e.Until.Format("2 January")
	}
	switch {
	case e.Resets && e.Email == "":
		return fmt.Sprintf("Password reset requests from your network are paused until %s after %d of them. Try again then.", until, e.Failures)
	case e.Resets:
		return fmt.Sprintf("Password reset requests for %s are paused until %s after %d of them. Check your email for the links already sent, or try again then.", e.Email, until, e.Failures)
	}
	if e.Email == "" {
		return fmt.Sprintf("Sign-in from your network is paused until %s after %d wrong passwords from it. Try again then.", until, e.Failures)
	}
	return fmt.Sprintf("Sign-in for %s is paused until %s after %d wrong passwords. Try again then, or ask HR for help if you have forgotten your password.", e.Email, until, e.Failures)
}

// ErrRateLimited is wrapped by every RateLimitError.
var ErrRateLimited = errors.New("rate limited")

func (e *RateLimitError) Unwrap() error { return ErrRateLimited }

// errBadCredentials is the one answer for an unknown e-mail, a wrong
// password, a leaver and a person with no account: telling them apart
// would tell an attacker who has an account.
var errBadCredentials = fmt.Errorf("e-mail or password not recognised: %w", training.ErrUnauthenticated)

// ClientKey turns a client address into its rate-limit key. IPv6 clients
// are keyed by their /64, since one client commonly holds a whole /64.
func ClientKey(addr string) string {
	ip, err := netip.ParseAddr(addr)
	if err != nil {
		return "ip:" + addr
	}
	ip = ip.Unmap()
	if ip.Is6() {
		p, _ := ip.Prefix(64)
		return "ip:" + p.String()
	}
	return "ip:" + ip.String()
}

// allow refuses an attempt on a paused key with a RateLimitError. email is
// the address typed for an account key, empty for a client address key.
func (s *Service) allow(ctx context.Context, key string, lim auth.Limit, email string) error {
	wait, ok, err := s.limiter.Allow(ctx, key, lim)
	if err != nil || ok {
		return err
	}
	if len(email) > maxShownEmail {
		email = "this e-mail address"
	}
	now := s.cfg.Now()
	// Rounded up to the minute shown, so trying again at that minute works.
	until := now.Add(wait).Add(time.Minute - time.Nanosecond).Truncate(time.Minute)
	return &RateLimitError{RetryAfter: until.Sub(now), Until: until.In(s.people.Location()), Email: email, Failures: lim.Max, now: now}
}

// maxShownEmail is the longest e-mail address a message repeats (RFC 5321's
// limit): a longer one was not a real address.
const maxShownEmail = 254

// Login checks an e-mail and password and starts a session.
//
// Failures count against the e-mail address as typed, whether or not an
// account has it, and against the client address, with a far higher limit
// there, since a whole office may share one address.
func (s *Service) Login(ctx context.Context, email, password, clientAddr string) (Tokens, error) {
	if s.cfg.PasswordsOff {
		return Tokens{}, ErrPasswordsOff
	}
	typed := training.NormaliseEmail(email)
	accountKey := "account:" + typed
	clientKey := ClientKey(clientAddr)
	if err := s.allow(ctx, accountKey, auth.AccountLimit, typed); err != nil {
		return Tokens{}, err
	}
	if err := s.allow(ctx, clientKey, auth.AddressLimit, ""); err != nil {
		return Tokens{}, err
	}
	fail := func() (Tokens, error) {
		if err := s.limiter.Failure(ctx, accountKey, auth.AccountLimit); err != nil {
			return Tokens{}, err
		}
		if err := s.limiter.Failure(ctx, clientKey, auth.AddressLimit); err != nil {
			return Tokens{}, err
		}
		return Tokens{}, errBadCredentials
	}
	if len(password) > auth.MaxPasswordBytes {
		_ = s.hasher.VerifyDummy(ctx, "")
		return fail()
	}
	person, perr := s.people.PersonByEmail(ctx, email)
	var acct Account
	var aerr error = perr
	if perr == nil {
		acct, aerr = s.store.Account(ctx, person.ID)
	}
	if aerr != nil {
		if !errors.Is(aerr, training.ErrNotFound) {
			return Tokens{}, aerr
		}
		// Spend the same time as a real check.
		if err := s.hasher.VerifyDummy(ctx, password); err != nil {
			return Tokens{}, err
		}
		return fail()
	}
	if acct.PasswordHash == "" {
		// An account made by a single sign-on has no password to match.
		if err := s.hasher.VerifyDummy(ctx, password); err != nil {
			return Tokens{}, err
		}
		return fail()
	}
	match, rehash, err := s.hasher.Verify(ctx, password, acct.PasswordHash)
	if err != nil {
		return Tokens{}, fmt.Errorf("verify password: %w", err)
	}
	if !match || person.IsLeaver(s.people.Today()) || acct.Disabled() {
		return fail()
	}
	if err := s.limiter.Reset(ctx, accountKey, auth.AccountLimit); err != nil {
		return Tokens{}, err
	}
	if rehash {
		if h, err := s.hasher.Hash(ctx, password); err == nil {
			acct.PasswordHash, acct.UpdatedAt = h, s.cfg.Now().UTC()
			if err := s.store.PutAccount(ctx, acct); err != nil {
				s.cfg.Logger.WarnContext(ctx, "could not store upgraded password hash", "person_id", person.ID, logging.Err(err))
			}
		}
	}
	return s.startSessionBy(ctx, person.ID, MethodPassword)
}

func (s *Service) startSessionWithID(ctx context.Context, id, personID string) (Tokens, error) {
	sess := Session{ID: id, PersonID: personID, CreatedAt: s.cfg.Now().UTC()}
	if err := s.store.CreateSession(ctx, sess); err != nil {
		return Tokens{}, fmt.Errorf("start session: %w", err)
	}
	return s.issue(ctx, sess.ID, personID)
}

func (s *Service) issue(ctx context.Context, sessionID, personID string) (Tokens, error) {
	refresh, hash := auth.NewOpaqueToken()
	if err := s.store.InsertRefreshToken(ctx, RefreshToken{
		Hash: hash, SessionID: sessionID, PersonID: personID, ExpiresAt: s.cfg.Now().Add(s.cfg.RefreshTTL).UTC(),
	}); err != nil {
		return Tokens{}, fmt.Errorf("store refresh token: %w", err)
	}
	access, _, err := s.tokens.Issue(personID, sessionID)
	if err != nil {
		return Tokens{}, err
	}
	return Tokens{AccessToken: access, RefreshToken: refresh, ExpiresIn: s.tokens.TTL()}, nil
}

var errBadRefresh = fmt.Errorf("refresh token not valid: %w", training.ErrUnauthenticated)

// Refresh spends a refresh token and returns new tokens. A token already
// spent means it was stolen or replayed: the whole session is revoked.
func (s *Service) Refresh(ctx context.Context, token string) (Tokens, error) {
	if token == "" || len(token) > 256 {
		return Tokens{}, errBadRefresh
	}
	hash := auth.HashToken(token)
	rt, err := s.store.RefreshToken(ctx, hash)
	if err != nil {
		if errors.Is(err, training.ErrNotFound) {
			return Tokens{}, errBadRefresh
		}
		return Tokens{}, err
	}
	now := s.cfg.Now().UTC()
	if revoked, err := s.store.SessionRevoked(ctx, rt.SessionID); err != nil || revoked {
		if err != nil {
			return Tokens{}, err
		}
		return Tokens{}, errBadRefresh
	}
	if !now.Before(rt.ExpiresAt) {
		return Tokens{}, errBadRefresh
	}
	if err := s.store.SpendRefreshToken(ctx, hash, now); err != nil {
		if errors.Is(err, training.ErrConflict) {
			s.cfg.Logger.WarnContext(ctx, "refresh token reused: session revoked", "person_id", rt.PersonID, "session_id", rt.SessionID)
			if err := s.store.RevokeSession(ctx, rt.SessionID, now, "refresh token reused"); err != nil {
				return Tokens{}, err
			}
			return Tokens{}, errBadRefresh
		}
		return Tokens{}, err
	}
	person, err := s.people.PersonByID(ctx, rt.PersonID)
	if err != nil || person.IsLeaver(s.people.Today()) {
		return Tokens{}, errBadRefresh
	}
	acct, err := s.store.Account(ctx, rt.PersonID)
	if err != nil || acct.Disabled() {
		return Tokens{}, errBadRefresh
	}
	if ended, err := s.sessionEnded(ctx, acct, rt.SessionID); err != nil || ended {
		if err != nil {
			return Tokens{}, err
		}
		return Tokens{}, errBadRefresh
	}
	return s.issue(ctx, rt.SessionID, rt.PersonID)
}

// Logout ends the session a refresh token belongs to. An unknown token is
// not an error: the caller is signed out either way.
func (s *Service) Logout(ctx context.Context, token string) error {
	if token == "" || len(token) > 256 {
		return nil
	}
	rt, err := s.store.RefreshToken(ctx, auth.HashToken(token))
	if errors.Is(err, training.ErrNotFound) {
		return nil
	}
	if err != nil {
		return err
	}
	return s.store.RevokeSession(ctx, rt.SessionID, s.cfg.Now().UTC(), "signed out")
}

// Authenticate checks an access token and returns who it belongs to. The
// session must not be revoked or ended by a new password, the account must
// exist and the person must not have left.
func (s *Service) Authenticate(ctx context.Context, accessToken string) (Principal, error) {
	claims, err := s.tokens.Verify(accessToken)
	if err != nil {
		return Principal{}, fmt.Errorf("access token: %w", training.ErrUnauthenticated)
	}
	revoked, err := s.store.SessionRevoked(ctx, claims.SessionID)
	if err != nil {
		return Principal{}, err
	}
	if revoked {
		return Principal{}, fmt.Errorf("session ended: %w", training.ErrUnauthenticated)
	}
	return s.principal(ctx, claims.Subject, claims.SessionID)
}

func (s *Service) principal(ctx context.Context, personID, sessionID string) (Principal, error) {
	acct, err := s.store.Account(ctx, personID)
	if err != nil {
		if errors.Is(err, training.ErrNotFound) {
			return Principal{}, fmt.Errorf("no account: %w", training.ErrUnauthenticated)
		}
		return Principal{}, err
	}
	if sessionID != "" {
		// Roles (no session) still answers for a disabled account: HR
		// see and change its roles.
		if acct.Disabled() {
			return Principal{}, fmt.Errorf("account disabled: %w", training.ErrUnauthenticated)
		}
		if ended, err := s.sessionEnded(ctx, acct, sessionID); err != nil || ended {
			if err != nil {
				return Principal{}, err
			}
			return Principal{}, fmt.Errorf("session ended by a new password: %w", training.ErrUnauthenticated)
		}
	}
	person, err := s.people.PersonByID(ctx, personID)
	if err != nil {
		if errors.Is(err, training.ErrNotFound) {
			return Principal{}, fmt.Errorf("no person: %w", training.ErrUnauthenticated)
		}
		return Principal{}, err
	}
	if person.IsLeaver(s.people.Today()) {
		return Principal{}, fmt.Errorf("person has left: %w", training.ErrUnauthenticated)
	}
	roles := acct.Roles.With(auth.RoleEmployee)
	manages, err := s.people.Manages(ctx, personID)
	if err != nil {
		return Principal{}, err
	}
	if manages {
		roles = roles.With(auth.RoleManager)
	}
	return Principal{PersonID: personID, SessionID: sessionID, Roles: roles}, nil
}

// sessionEnded reports whether a new password ended the session: it started
// at or before the account's SessionsEndedAt and is not the one kept. Only
// accounts whose password changed pay for the session look-up.
func (s *Service) sessionEnded(ctx context.Context, acct Account, sessionID string) (bool, error) {
	if acct.SessionsEndedAt.IsZero() || sessionID == acct.KeptSession {
		return false, nil
	}
	sess, err := s.store.Session(ctx, sessionID)
	if errors.Is(err, training.ErrNotFound) {
		return true, nil
	}
	if err != nil {
		return false, err
	}
	return !sess.CreatedAt.After(acct.SessionsEndedAt), nil
}

// Roles returns a person's roles as Authenticate would (for /me).
func (s *Service) Roles(ctx context.Context, personID string) (auth.Roles, error) {
	p, err := s.principal(ctx, personID, "")
	return p.Roles, err
}

func newID() string {
	var b [16]byte
	_, _ = rand.Read(b[:])
	return strings.ToLower(base32.StdEncoding.WithPadding(base32.NoPadding).EncodeToString(b[:]))
}

// ChangePassword sets a new password for the signed-in person after
// checking the current one, and ends every other session of the account:
// whoever else was signed in with the old password is not any more. The
// caller's own session stays. Wrong guesses count towards the sign-in limit.
func (s *Service) ChangePassword(ctx context.Context, p Principal, current, next string) error {
	personID := p.PersonID
	acct, err := s.store.Account(ctx, personID)
	if err != nil {
		return err
	}
	person, err := s.people.PersonByID(ctx, personID)
	if err != nil {
		return err
	}
	email := training.NormaliseEmail(person.Email)
	key := "account:" + email
	if err := s.allow(ctx, key, auth.AccountLimit, email); err != nil {
		return err
	}
	if len(current) > auth.MaxPasswordBytes {
		return training.Invalid("current_password", "The current password is not right: enter the password you sign in with.")
	}
	if acct.PasswordHash == "" {
		// An account made by a single sign-on: there is no password to
		// change, and none is set without the current one.
		return training.Invalid("current_password", "You have no complytrack password: you sign in with your organisation's account.")
	}
	match, _, err := s.hasher.Verify(ctx, current, acct.PasswordHash)
	if err != nil {
		return err
	}
	if !match {
		if err := s.limiter.Failure(ctx, key, auth.AccountLimit); err != nil {
			return err
		}
		return training.Invalid("current_password", "The current password is not right: enter the password you sign in with.")
	}
	if err := auth.CheckPasswordPolicy(next); err != nil {
		return training.Invalid("new_password", "%s", auth.PolicyMessage(err))
	}
	h, err := s.hasher.Hash(ctx, next)
	if err != nil {
		return err
	}
	// The time is taken after hashing, so the window in which a sign-in
	// with the old password can still start a session is as short as it
	// can be without transactions.
	now := s.cfg.Now().UTC()
	acct.PasswordHash, acct.UpdatedAt, acct.PasswordSetAt = h, now, now
	acct.endOtherSessions(now, p.SessionID)
	if err := s.store.PutAccount(ctx, acct); err != nil {
		return err
	}
	return s.people.Audit(ctx, training.Actor{PersonID: personID}, "account.change_password", "person", personID, nil,
		map[string]any{"other_sessions_ended": true})
}

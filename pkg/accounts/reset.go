package accounts

import (
	"context"
	"errors"
	"fmt"
	"net/url"
	"time"

	"github.com/complytrack/complytrack/pkg/auth"
	"github.com/complytrack/complytrack/pkg/notify"
	"github.com/complytrack/complytrack/pkg/training"
)

// ResetTTL is how long a password reset link works.
const ResetTTL = 30 * time.Minute

// Reset requests count against the e-mail address typed and the client
// address, whether or not an account has the address: a few links an hour
// to one mailbox is all anyone needs, and the limit stops the form being
// used to flood a mailbox or probe many addresses from one client.
var (
	ResetAccountLimit = auth.Limit{Max: 3, Window: 15 * time.Minute}
	ResetAddressLimit = auth.Limit{Max: 30, Window: 15 * time.Minute}
)

// resetFloor is the least time a reset request takes to answer, so that
// one for an address with an account (a link stored and an e-mail queued)
// takes as long as one for an address without.
const resetFloor = 300 * time.Millisecond

// PasswordReset is a one-time link to set a new password, asked for by the
// person themselves (only its hash is kept).
type PasswordReset struct {
	Hash      string
	PersonID  string
	CreatedAt time.Time
	ExpiresAt time.Time
}

// ResetStore keeps password reset links. pkg/mongodb implements it;
// errors wrap training.ErrNotFound and training.ErrConflict.
type ResetStore interface {
	InsertPasswordReset(ctx context.Context, r PasswordReset) error
	// PasswordReset finds a link by its hash, or ErrNotFound.
	PasswordReset(ctx context.Context, hash string) (PasswordReset, error)
	// SpendPasswordReset records the link's use; a second is ErrConflict.
	SpendPasswordReset(ctx context.Context, hash string, at time.Time) error
	// PasswordResetSpent reports whether the link has been used.
	PasswordResetSpent(ctx context.Context, hash string) (bool, error)
}

// Reset link problems, each inside a ValidationError of the field "token"
// as for invitations.
var (
	ErrResetUnknown = errors.New("not a valid password reset link")
	ErrResetExpired = errors.New("password reset link expired")
	ErrResetUsed    = errors.New("password reset link used already")
)

func resetProblem(reason error) error {
	return linkProblem(reason, map[error]string{
		ErrResetExpired: "This password reset link has expired: ask for a new one.",
		ErrResetUsed:    "This password reset link has been used already: sign in, or ask for a new one.",
	}, "This is not a valid password reset link: ask for a new one.")
}

// passwordResetKey is the outbox key of a reset e-mail: never a first
// invitation's, so OutboxBody withholds its link from HR.
const passwordResetKey = "password-reset:"

func (s *Service) resets() (ResetStore, error) {
	r, ok := s.store.(ResetStore)
	if !ok {
		return nil, errors.New("the account store keeps no password reset links")
	}
	return r, nil
}

// ForgotPassword e-mails a one-time link to set a new password to the
// person with this address, when they have a complytrack password and may
// sign in. The answer is the same, in about the same time, whatever the
// address: nil unless the request is over the limit (a RateLimitError,
// which names only the address typed) or something of ours failed.
func (s *Service) ForgotPassword(ctx context.Context, email, clientAddr string) error {
	start := time.Now()
	err := s.forgotPassword(ctx, email, clientAddr)
	if !errors.Is(err, ErrRateLimited) {
		if wait := resetFloor - time.Since(start); wait > 0 {
			select {
			case <-time.After(wait):
			case <-ctx.Done():
			}
		}
	}
	return err
}

func (s *Service) forgotPassword(ctx context.Context, email, clientAddr string) error {
	typed := training.NormaliseEmail(email)
	accountKey, clientKey := "reset:"+typed, "reset-"+ClientKey(clientAddr)
	if err := s.allowResets(ctx, accountKey, ResetAccountLimit, typed); err != nil {
		return err
	}
	if err := s.allowResets(ctx, clientKey, ResetAddressLimit, ""); err != nil {
		return err
	}
	// Every request counts, answered or not.
	if err := s.limiter.Failure(ctx, accountKey, ResetAccountLimit); err != nil {
		return err
	}
	if err := s.limiter.Failure(ctx, clientKey, ResetAddressLimit); err != nil {
		return err
	}
	if s.cfg.PasswordsOff || typed == "" || len(typed) > maxShownEmail {
		return nil
	}
	person, err := s.people.PersonByEmail(ctx, email)
	if errors.Is(err, training.ErrNotFound) {
		return nil
	}
	if err != nil {
		return err
	}
	acct, err := s.store.Account(ctx, person.ID)
	if errors.Is(err, training.ErrNotFound) {
		return nil
	}
	if err != nil {
		return err
	}
	// Only a local password is reset: an account made by a single sign-on
	// has none, a leaver and a disabled account may not sign in at all.
	if acct.PasswordHash == "" || acct.Disabled() || person.IsLeaver(s.people.Today()) {
		return nil
	}
	store, err := s.resets()
	if err != nil {
		return err
	}
	now := s.cfg.Now().UTC()
	token, hash := auth.NewOpaqueToken()
	r := PasswordReset{Hash: hash, PersonID: person.ID, CreatedAt: now, ExpiresAt: now.Add(ResetTTL)}
	if err := store.InsertPasswordReset(ctx, r); err != nil {
		return fmt.Errorf("store password reset: %w", err)
	}
	if _, err := s.mail.Queue(ctx, s.resetMessage(person, token, hash, r.ExpiresAt)); err != nil {
		return fmt.Errorf("queue password reset: %w", err)
	}
	return s.people.Audit(ctx, training.Actor{PersonID: person.ID}, "account.password_reset_requested", "person", person.ID, nil,
		map[string]any{"expires_at": r.ExpiresAt})
}

// allowResets is allow with the reset requests' message.
func (s *Service) allowResets(ctx context.Context, key string, lim auth.Limit, email string) error {
	err := s.allow(ctx, key, lim, email)
	var rle *RateLimitError
	if errors.As(err, &rle) {
		rle.Resets = true
	}
	return err
}

func (s *Service) resetMessage(person training.Person, token, hash string, expires time.Time) notify.Message {
	link := s.cfg.PublicURL + "/reset-password?token=" + url.QueryEscape(token)
	body := fmt.Sprintf(`Dear %s,

Someone asked to reset the password of your complytrack account.

Choose a new password here (the link works once, until %s):

%s

Choosing a new password signs you out everywhere else.

If you did not ask, you can ignore this e-mail: your password stays as it is.
`, person.FullName(), expires.In(s.people.Location()).Format("2 January 2006 15:04"), link)
	return notify.Message{
		Key:      passwordResetKey + hash,
		To:       person.Email,
		Kind:     notify.KindPasswordReset,
		Subject:  "Reset your complytrack password",
		BodyText: body,
	}
}

// liveReset finds a usable reset link and its account.
func (s *Service) liveReset(ctx context.Context, token string) (PasswordReset, Account, error) {
	var r PasswordReset
	if token == "" || len(token) > 256 {
		return r, Account{}, resetProblem(ErrResetUnknown)
	}
	store, err := s.resets()
	if err != nil {
		return r, Account{}, err
	}
	hash := auth.HashToken(token)
	r, err = store.PasswordReset(ctx, hash)
	if errors.Is(err, training.ErrNotFound) {
		return r, Account{}, resetProblem(ErrResetUnknown)
	}
	if err != nil {
		return r, Account{}, err
	}
	spent, err := store.PasswordResetSpent(ctx, hash)
	if err != nil {
		return r, Account{}, err
	}
	if spent {
		return r, Account{}, resetProblem(ErrResetUsed)
	}
	if !s.cfg.Now().UTC().Before(r.ExpiresAt) {
		return r, Account{}, resetProblem(ErrResetExpired)
	}
	person, err := s.people.PersonByID(ctx, r.PersonID)
	if err != nil || person.IsLeaver(s.people.Today()) {
		return r, Account{}, resetProblem(ErrResetUnknown)
	}
	acct, err := s.store.Account(ctx, r.PersonID)
	if err != nil || acct.Disabled() || acct.PasswordHash == "" {
		return r, Account{}, resetProblem(ErrResetUnknown)
	}
	// A password chosen since the link was sent spends it: the person has
	// their way in again.
	if !r.CreatedAt.After(acct.passwordSetAt()) {
		return r, Account{}, resetProblem(ErrResetUsed)
	}
	return r, acct, nil
}

// CheckReset says whether a reset link can still be used, without using
// it: an error that is ErrResetUnknown, ErrResetExpired or ErrResetUsed
// when it cannot.
func (s *Service) CheckReset(ctx context.Context, token string) error {
	_, _, err := s.liveReset(ctx, token)
	return err
}

// ResetPassword sets a new password through a reset link, once, ends every
// other session of the account, and signs the person in.
func (s *Service) ResetPassword(ctx context.Context, token, password string) (Tokens, error) {
	if s.cfg.PasswordsOff {
		return Tokens{}, ErrPasswordsOff
	}
	if err := auth.CheckPasswordPolicy(password); err != nil {
		return Tokens{}, training.Invalid("password", "%s", auth.PolicyMessage(err))
	}
	r, acct, err := s.liveReset(ctx, token)
	if err != nil {
		return Tokens{}, err
	}
	store, err := s.resets()
	if err != nil {
		return Tokens{}, err
	}
	h, err := s.hasher.Hash(ctx, password)
	if err != nil {
		return Tokens{}, err
	}
	now := s.cfg.Now().UTC()
	if err := store.SpendPasswordReset(ctx, r.Hash, now); err != nil {
		if errors.Is(err, training.ErrConflict) {
			return Tokens{}, resetProblem(ErrResetUsed)
		}
		return Tokens{}, err
	}
	sessionID := newID()
	acct.PasswordHash, acct.UpdatedAt, acct.PasswordSetAt = h, now, now
	acct.endOtherSessions(now, sessionID)
	if err := s.store.PutAccount(ctx, acct); err != nil {
		return Tokens{}, err
	}
	// Failures counted against the address are forgotten: the person has
	// proved they hold its mailbox.
	person, err := s.people.PersonByID(ctx, r.PersonID)
	if err != nil {
		return Tokens{}, err
	}
	if err := s.limiter.Reset(ctx, "account:"+training.NormaliseEmail(person.Email), auth.AccountLimit); err != nil {
		return Tokens{}, err
	}
	if err := s.people.Audit(ctx, training.Actor{PersonID: r.PersonID}, "account.password_reset", "person", r.PersonID, nil,
		map[string]any{"other_sessions_ended": true}); err != nil {
		return Tokens{}, err
	}
	return s.startSessionWithIDBy(ctx, sessionID, r.PersonID, MethodPassword)
}

// startSessionWithIDBy starts the session id, recording how the person
// signed in.
func (s *Service) startSessionWithIDBy(ctx context.Context, id, personID, method string) (Tokens, error) {
	now := s.cfg.Now().UTC()
	if err := s.store.CreateSession(ctx, Session{ID: id, PersonID: personID, CreatedAt: now, Method: method}); err != nil {
		return Tokens{}, fmt.Errorf("start session: %w", err)
	}
	if rec, ok := s.store.(interface {
		NoteSignIn(ctx context.Context, personID string, s SignIn) error
	}); ok {
		if err := rec.NoteSignIn(ctx, personID, SignIn{At: now, Method: method}); err != nil {
			return Tokens{}, err
		}
	}
	return s.issue(ctx, id, personID)
}

package accounts

import (
	"context"
	"errors"
	"fmt"
	"time"

	"github.com/complytrack/complytrack/pkg/training"
)

// AccountView is what HR and auditors see of a person's account beyond
// its state: whether HR disabled it, and the latest sign-in.
type AccountView struct {
	HasAccount bool
	DisabledAt time.Time // zero: not disabled
	// LastSignIn is the latest sign-in; ok false when none is recorded.
	LastSignIn   SignIn
	HasSignedIn  bool
	PasswordHeld bool // the account has a complytrack password
}

// AccountOf is the person's account as HR and auditors see it.
func (s *Service) AccountOf(ctx context.Context, actor training.Actor, personID string) (AccountView, error) {
	if _, err := s.people.Person(ctx, actor, personID); err != nil {
		return AccountView{}, err
	}
	if !actor.ReadsAll() {
		return AccountView{}, fmt.Errorf("account: %w", training.ErrForbidden)
	}
	acct, err := s.store.Account(ctx, personID)
	if errors.Is(err, training.ErrNotFound) {
		return AccountView{}, nil
	}
	if err != nil {
		return AccountView{}, err
	}
	v := AccountView{HasAccount: true, DisabledAt: acct.DisabledAt, PasswordHeld: acct.PasswordHash != ""}
	if rec, ok := s.store.(interface {
		LastSignIn(ctx context.Context, personID string) (SignIn, error)
	}); ok {
		in, err := rec.LastSignIn(ctx, personID)
		switch {
		case err == nil:
			v.LastSignIn, v.HasSignedIn = in, true
		case !errors.Is(err, training.ErrNotFound):
			return AccountView{}, err
		}
	}
	return v, nil
}

// hrAccount is the account HR act on: only HR may, never on their own
// (so they cannot lock themselves, or the last HR officer, out).
func (s *Service) hrAccount(ctx context.Context, actor training.Actor, personID, what string) (Account, error) {
	if _, err := s.people.Person(ctx, actor, personID); err != nil {
		return Account{}, err
	}
	if !actor.HR {
		return Account{}, fmt.Errorf("%s: %w", what, training.ErrForbidden)
	}
	if personID == actor.PersonID {
		return Account{}, training.Invalid("account", "You cannot %s your own account: ask another HR officer.", what)
	}
	acct, err := s.store.Account(ctx, personID)
	if errors.Is(err, training.ErrNotFound) {
		return Account{}, training.Invalid("account", "This person has no account.")
	}
	return acct, err
}

// Disable stops the person signing in, by password or single sign-on, and
// ends all their sessions at once (HR only). Disabling a disabled account
// changes nothing.
func (s *Service) Disable(ctx context.Context, actor training.Actor, personID string) error {
	acct, err := s.hrAccount(ctx, actor, personID, "disable")
	if err != nil || acct.Disabled() {
		return err
	}
	now := s.cfg.Now().UTC()
	acct.DisabledAt, acct.DisabledBy, acct.UpdatedAt = now, actor.PersonID, now
	acct.endOtherSessions(now, "")
	if err := s.store.PutAccount(ctx, acct); err != nil {
		return err
	}
	return s.people.Audit(ctx, actor, "account.disable", "person", personID, map[string]any{"disabled": false},
		map[string]any{"disabled": true, "sessions_ended": true})
}

// Enable lets a disabled account sign in again (HR only). Its sessions
// ended when it was disabled stay ended.
func (s *Service) Enable(ctx context.Context, actor training.Actor, personID string) error {
	acct, err := s.hrAccount(ctx, actor, personID, "enable")
	if err != nil || !acct.Disabled() {
		return err
	}
	acct.DisabledAt, acct.DisabledBy, acct.UpdatedAt = time.Time{}, "", s.cfg.Now().UTC()
	if err := s.store.PutAccount(ctx, acct); err != nil {
		return err
	}
	return s.people.Audit(ctx, actor, "account.enable", "person", personID, map[string]any{"disabled": true}, map[string]any{"disabled": false})
}

// EndSessions signs the person out everywhere at once (HR only): every
// session started until now ends, in one write.
func (s *Service) EndSessions(ctx context.Context, actor training.Actor, personID string) error {
	acct, err := s.hrAccount(ctx, actor, personID, "end the sessions of")
	if err != nil {
		return err
	}
	now := s.cfg.Now().UTC()
	acct.UpdatedAt = now
	acct.endOtherSessions(now, "")
	if err := s.store.PutAccount(ctx, acct); err != nil {
		return err
	}
	return s.people.Audit(ctx, actor, "account.end_sessions", "person", personID, nil, map[string]any{"sessions_ended": true})
}

// ErrAccountDisabled: HR have disabled the account a single sign-on
// matched.
var ErrAccountDisabled = errors.New("the account is disabled")

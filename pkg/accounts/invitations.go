package accounts

import (
	"context"
	"errors"
	"fmt"
	"net/url"

	"github.com/complytrack/complytrack/pkg/auth"
	"github.com/complytrack/complytrack/pkg/notify"
	"github.com/complytrack/complytrack/pkg/training"
)

// Invite creates a one-time link for the person to set their password and
// queues the invitation e-mail. Only HR may. Inviting again sends a new
// link; earlier ones stay valid until used or expired.
func (s *Service) Invite(ctx context.Context, actor training.Actor, personID string) error {
	person, err := s.people.Person(ctx, actor, personID)
	if err != nil {
		return err
	}
	if !actor.HR {
		return fmt.Errorf("invite: %w", training.ErrForbidden)
	}
	if person.IsLeaver(s.people.Today()) {
		return training.Invalid("person", "has left (end date %s): a leaver cannot be invited", person.EndDate)
	}
	token, hash := auth.NewOpaqueToken()
	expires := s.cfg.Now().Add(s.cfg.InvitationTTL).UTC()
	if err := s.store.InsertInvitation(ctx, Invitation{Hash: hash, PersonID: personID, CreatedBy: actor.PersonID, ExpiresAt: expires}); err != nil {
		return fmt.Errorf("store invitation: %w", err)
	}
	link := s.cfg.PublicURL + "/invite?token=" + url.QueryEscape(token)
	body := fmt.Sprintf(`Dear %s,

You have been invited to complytrack, where you can see the statutory
training you need to complete (such as the Home Office Prevent awareness
e-learning) and record it when you have done it.

Choose your password here (the link works once, until %s):

%s

If you did not expect this e-mail, you can ignore it.
`, person.FullName(), expires.In(s.people.Location()).Format("2 January 2006 15:04"), link)
	if _, err := s.mail.Queue(ctx, notify.Message{
		Key:      "invitation:" + hash,
		To:       person.Email,
		Kind:     notify.KindInvitation,
		Subject:  "Your complytrack account",
		BodyText: body,
	}); err != nil {
		return fmt.Errorf("queue invitation: %w", err)
	}
	return s.people.Audit(ctx, actor, "person.invite", "person", personID, nil, map[string]any{"expires_at": expires})
}

// AcceptInvite sets the password of the invited person, once, and signs
// them in. Roles already granted to an existing account are kept.
func (s *Service) AcceptInvite(ctx context.Context, token, password string) (Tokens, error) {
	if err := auth.CheckPasswordPolicy(password); err != nil {
		return Tokens{}, training.Invalid("password", "must be at least %d characters", auth.MinPasswordLength)
	}
	if token == "" || len(token) > 256 {
		return Tokens{}, training.Invalid("token", "is not a valid invitation: ask HR for a new one")
	}
	hash := auth.HashToken(token)
	inv, err := s.store.Invitation(ctx, hash)
	if errors.Is(err, training.ErrNotFound) {
		return Tokens{}, training.Invalid("token", "is not a valid invitation: ask HR for a new one")
	}
	if err != nil {
		return Tokens{}, err
	}
	now := s.cfg.Now().UTC()
	if !now.Before(inv.ExpiresAt) {
		return Tokens{}, training.Invalid("token", "this invitation has expired: ask HR for a new one")
	}
	person, err := s.people.PersonByID(ctx, inv.PersonID)
	if err != nil || person.IsLeaver(s.people.Today()) {
		return Tokens{}, training.Invalid("token", "is not a valid invitation: ask HR for a new one")
	}
	// Hash before spending, so a failure here leaves the link usable.
	h, err := s.hasher.Hash(ctx, password)
	if err != nil {
		return Tokens{}, err
	}
	if err := s.store.SpendInvitation(ctx, hash, now); err != nil {
		if errors.Is(err, training.ErrConflict) {
			return Tokens{}, training.Invalid("token", "this invitation has been used already: sign in, or ask HR for a new one")
		}
		return Tokens{}, err
	}
	acct, err := s.store.Account(ctx, person.ID)
	switch {
	case errors.Is(err, training.ErrNotFound):
		acct = Account{PersonID: person.ID, CreatedAt: now}
	case err != nil:
		return Tokens{}, err
	}
	acct.PasswordHash, acct.UpdatedAt = h, now
	if err := s.store.PutAccount(ctx, acct); err != nil {
		return Tokens{}, err
	}
	actor := training.Actor{PersonID: person.ID}
	if err := s.people.Audit(ctx, actor, "account.accept_invite", "person", person.ID, nil, nil); err != nil {
		return Tokens{}, err
	}
	return s.startSession(ctx, person.ID)
}

// SetRoles replaces the granted roles (hr, auditor, trainer) of a person's
// account. Only HR may, and not on their own account (so the last HR
// officer cannot lock everyone out by accident).
func (s *Service) SetRoles(ctx context.Context, actor training.Actor, personID string, roles auth.Roles) (auth.Roles, error) {
	if _, err := s.people.Person(ctx, actor, personID); err != nil {
		return 0, err
	}
	if !actor.HR {
		return 0, fmt.Errorf("set roles: %w", training.ErrForbidden)
	}
	if roles.Has(auth.RoleEmployee) || roles.Has(auth.RoleManager) {
		roles = roles.Without(auth.RoleEmployee).Without(auth.RoleManager)
	}
	if personID == actor.PersonID {
		return 0, training.Invalid("roles", "you cannot change your own roles: ask another HR officer")
	}
	acct, err := s.store.Account(ctx, personID)
	switch {
	case errors.Is(err, training.ErrNotFound):
		return 0, training.Invalid("roles", "this person has no account yet: invite them first")
	case err != nil:
		return 0, err
	}
	before := acct.Roles
	acct.Roles, acct.UpdatedAt = roles, s.cfg.Now().UTC()
	if err := s.store.PutAccount(ctx, acct); err != nil {
		return 0, err
	}
	if err := s.people.Audit(ctx, actor, "account.roles", "person", personID, map[string]any{"roles": before}, map[string]any{"roles": roles}); err != nil {
		return 0, err
	}
	return s.Roles(ctx, personID)
}

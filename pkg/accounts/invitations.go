package accounts

import (
	"context"
	"errors"
	"fmt"
	"net/url"
	"regexp"
	"strings"
	"time"

	"github.com/complytrack/complytrack/pkg/auth"
	"github.com/complytrack/complytrack/pkg/notify"
	"github.com/complytrack/complytrack/pkg/training"
)

// Invitation problems, each inside a ValidationError of the field "token"
// so the API answers them like any invalid input, and the web pages can
// tell them apart.
var (
	ErrInvitationUnknown = errors.New("not a valid invitation")
	ErrInvitationExpired = errors.New("invitation expired")
	ErrInvitationUsed    = errors.New("invitation used already")
)

// linkError is a ValidationError that is also the sentinel saying why a
// one-time link cannot be used (ErrInvitation…, ErrReset…).
type linkError struct {
	*training.ValidationError
	reason error
}

func (e linkError) Unwrap() []error { return []error{e.ValidationError, e.reason} }

func invitationProblem(reason error) error {
	return linkProblem(reason, map[error]string{
		ErrInvitationExpired: "This invitation has expired: ask HR for a new one.",
		ErrInvitationUsed:    "This invitation has been used already: sign in, or ask HR for a new one.",
	}, "This is not a valid invitation: ask HR for a new one.")
}

// linkProblem is the error for a one-time link (an invitation, a password
// reset) that cannot be used: invalid input on the token, with the
// sentence says has for reason (otherwise for any other reason), that is
// also reason for errors.Is.
func linkProblem(reason error, says map[error]string, otherwise string) error {
	msg, ok := says[reason]
	if !ok {
		msg = otherwise
	}
	var ve *training.ValidationError
	errors.As(training.Invalid("token", "%s", msg), &ve)
	return linkError{ValidationError: ve, reason: reason}
}

// Outbox keys of invitation e-mails. The first invitation of a person with
// no account is the only message whose one-time link HR may read in the
// outbox (they pass it on when no mail server is set up); see OutboxBody.
const (
	firstInvitationKey = "invitation:first:"
	invitationKey      = "invitation:"
)

// Invite creates a one-time link for the person to set their password and
// queues the invitation e-mail. Only HR may, and only for a person who has
// no account yet: an invitation sets a password, so inviting an account
// holder would let whoever reads the link take the account over. Inviting
// again sends a new link; earlier ones stay valid until used, expired, or a
// password is chosen through any of them.
func (s *Service) Invite(ctx context.Context, actor training.Actor, personID string) error {
	// Taken before the account is looked at: should the person set a
	// password through an earlier link in between, this one is older than
	// that password and cannot be used.
	created := s.cfg.Now().UTC()
	person, err := s.people.Person(ctx, actor, personID)
	if err != nil {
		return err
	}
	if !actor.HR {
		return fmt.Errorf("invite: %w", training.ErrForbidden)
	}
	if person.IsLeaver(s.people.Today()) {
		return training.Invalid("person", "This person left on %s: a leaver cannot be invited.", person.EndDate)
	}
	switch _, err := s.store.Account(ctx, personID); {
	case err == nil:
		return training.Conflict("%s already has an account, so they cannot be invited again.", person.FullName())
	case !errors.Is(err, training.ErrNotFound):
		return err
	}
	token, hash := auth.NewOpaqueToken()
	expires := created.Add(s.cfg.InvitationTTL)
	if err := s.store.InsertInvitation(ctx, Invitation{Hash: hash, PersonID: personID, CreatedBy: actor.PersonID, CreatedAt: created, ExpiresAt: expires}); err != nil {
		return fmt.Errorf("store invitation: %w", err)
	}
	msg := s.invitationMessage(person, token, expires)
	// The outbox holds one message per key, so only one invitation per
	// person is ever the first; every later one goes under its own key.
	queued, err := s.mail.Queue(ctx, msg)
	if err == nil && !queued {
		msg.Key = invitationKey + hash
		_, err = s.mail.Queue(ctx, msg)
	}
	if err != nil {
		return fmt.Errorf("queue invitation: %w", err)
	}
	return s.people.Audit(ctx, actor, "person.invite", "person", personID, nil, map[string]any{"expires_at": expires})
}

// invitationMessage is the invitation e-mail carrying token, under the key
// of a person's first invitation.
func (s *Service) invitationMessage(person training.Person, token string, expires time.Time) notify.Message {
	link := s.cfg.PublicURL + "/invite?token=" + url.QueryEscape(token)
	body := fmt.Sprintf(`Dear %s,

You have been invited to complytrack, where you can see the statutory
training you need to complete (such as the Home Office Prevent awareness
e-learning) and record it when you have done it.

Choose your password here (the link works once, until %s):

%s

If you did not expect this e-mail, you can ignore it.
`, person.FullName(), expires.In(s.people.Location()).Format("2 January 2006 15:04"), link)
	return notify.Message{
		Key:      firstInvitationKey + person.ID,
		To:       person.Email,
		Kind:     notify.KindInvitation,
		Subject:  "Your complytrack account",
		BodyText: body,
	}
}

// oneTimeLink matches a link carrying a one-time token.
var oneTimeLink = regexp.MustCompile(`\S*[?&]token=\S*`)

// OutboxBody is a message's text as HR may read it in the outbox: every
// one-time link is withheld, except in the first invitation of a person,
// which is queued only while they have no account. A live link in anyone's
// hands is a password waiting to be set, so HR sees only the one they may
// need to pass on themselves.
func OutboxBody(m notify.Message) string {
	if m.Kind == notify.KindInvitation && strings.HasPrefix(m.Key, firstInvitationKey) {
		return m.BodyText
	}
	return oneTimeLink.ReplaceAllString(m.BodyText, "[link withheld]")
}

// InvitationFor says whether an invitation link can still be used, without
// using it, and whose account it sets a password for (their e-mail
// address), so the page asking for it can say so. Whoever holds a usable
// link may set that password anyway. A link that cannot be used is an error
// that is ErrInvitationUnknown, ErrInvitationExpired or ErrInvitationUsed.
func (s *Service) InvitationFor(ctx context.Context, token string) (email string, err error) {
	_, person, _, err := s.liveInvitation(ctx, token)
	if err != nil {
		return "", err
	}
	return person.Email, nil
}

// liveInvitation finds a usable invitation, its person, and their account
// if they have one (found false otherwise).
func (s *Service) liveInvitation(ctx context.Context, token string) (inv Invitation, person training.Person, acct *Account, err error) {
	if token == "" || len(token) > 256 {
		return inv, person, nil, invitationProblem(ErrInvitationUnknown)
	}
	hash := auth.HashToken(token)
	inv, err = s.store.Invitation(ctx, hash)
	if errors.Is(err, training.ErrNotFound) {
		return inv, person, nil, invitationProblem(ErrInvitationUnknown)
	}
	if err != nil {
		return inv, person, nil, err
	}
	spent, err := s.store.InvitationSpent(ctx, hash)
	if err != nil {
		return inv, person, nil, err
	}
	if spent {
		return inv, person, nil, invitationProblem(ErrInvitationUsed)
	}
	if !s.cfg.Now().UTC().Before(inv.ExpiresAt) {
		return inv, person, nil, invitationProblem(ErrInvitationExpired)
	}
	person, err = s.people.PersonByID(ctx, inv.PersonID)
	if err != nil || person.IsLeaver(s.people.Today()) {
		return inv, person, nil, invitationProblem(ErrInvitationUnknown)
	}
	a, err := s.store.Account(ctx, person.ID)
	switch {
	case errors.Is(err, training.ErrNotFound):
		return inv, person, nil, nil
	case err != nil:
		return inv, person, nil, err
	case a.Disabled():
		// No link lets into an account HR have disabled.
		return inv, person, nil, invitationProblem(ErrInvitationUnknown)
	}
	// A password chosen since the link was sent (through another link, or
	// by changing it) makes the link spent too: otherwise whoever holds an
	// older link could replace the password the person chose.
	if !inv.CreatedAt.After(a.passwordSetAt()) {
		return inv, person, nil, invitationProblem(ErrInvitationUsed)
	}
	return inv, person, &a, nil
}

// AcceptInvite sets the password of the invited person, once, and signs
// them in. Roles already granted to an existing account are kept, and every
// other session of it ends. The audit records who issued the link.
func (s *Service) AcceptInvite(ctx context.Context, token, password string) (Tokens, error) {
	if err := auth.CheckPasswordPolicy(password); err != nil {
		return Tokens{}, training.Invalid("password", "%s", auth.PolicyMessage(err))
	}
	inv, person, existing, err := s.liveInvitation(ctx, token)
	if err != nil {
		return Tokens{}, err
	}
	// Hash before spending, so a failure here leaves the link usable.
	h, err := s.hasher.Hash(ctx, password)
	if err != nil {
		return Tokens{}, err
	}
	now := s.cfg.Now().UTC()
	if err := s.store.SpendInvitation(ctx, inv.Hash, now); err != nil {
		if errors.Is(err, training.ErrConflict) {
			return Tokens{}, invitationProblem(ErrInvitationUsed)
		}
		return Tokens{}, err
	}
	sessionID := newID()
	if existing == nil {
		err = s.store.CreateAccount(ctx, Account{PersonID: person.ID, PasswordHash: h, CreatedAt: now, UpdatedAt: now, PasswordSetAt: now})
		if errors.Is(err, training.ErrConflict) {
			// Another link of the same person was used a moment ago.
			return Tokens{}, invitationProblem(ErrInvitationUsed)
		}
	} else {
		acct := *existing
		acct.PasswordHash, acct.UpdatedAt, acct.PasswordSetAt = h, now, now
		acct.endOtherSessions(now, sessionID)
		err = s.store.PutAccount(ctx, acct)
	}
	if err != nil {
		return Tokens{}, err
	}
	// The person is the actor: they chose the password. Who issued the
	// link is recorded with it, since whoever held the link could set it.
	after := map[string]any{"invited_by": inv.CreatedBy, "other_sessions_ended": existing != nil}
	if err := s.people.Audit(ctx, training.Actor{PersonID: person.ID}, "account.accept_invite", "person", person.ID, nil, after); err != nil {
		return Tokens{}, err
	}
	return s.startSessionWithID(ctx, sessionID, person.ID)
}

// SetRoles replaces the granted roles (hr, auditor, trainer, member_services) of a person's
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
		return 0, training.Invalid("roles", "You cannot change your own roles: ask another HR officer.")
	}
	acct, err := s.store.Account(ctx, personID)
	switch {
	case errors.Is(err, training.ErrNotFound):
		return 0, training.Invalid("roles", "This person has no account yet: invite them first.")
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

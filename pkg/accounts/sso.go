package accounts

import (
	"context"
	"errors"
	"fmt"
	"strconv"
	"strings"
	"time"

	"github.com/complytrack/complytrack/pkg/training"
)

// Sign-in methods, recorded on each session and as a person's last sign-in.
const (
	MethodPassword = "password"
	MethodSSO      = "sso"
)

// Why a provider identity cannot sign in. The web pages tell them apart;
// none creates anything.
var (
	// ErrSSONotMatched: nobody on HR's records matches the identity.
	ErrSSONotMatched = errors.New("no person matches the identity")
	// ErrSSOLeaver: the identity matches someone who has left.
	ErrSSOLeaver = errors.New("the identity matches a leaver")
	// ErrSSOLinkedElsewhere: the person matched is linked to another
	// identity of the provider already.
	ErrSSOLinkedElsewhere = errors.New("the person is linked to another identity")
)

// ErrPasswordsOff: local passwords are turned off; people sign in with the
// identity provider. It is forbidden, with a message of its own.
var ErrPasswordsOff error = passwordsOff{}

type passwordsOff struct{}

func (passwordsOff) Error() string { return "sign-in with a password is turned off" }
func (passwordsOff) PublicMessage() string {
	return "Sign-in with a password is turned off: sign in with your organisation's account on the sign-in page."
}
func (passwordsOff) Unwrap() error { return training.ErrForbidden }

// SSOLink ties a provider identity (issuer and subject, which never change
// for one person at one provider) to a person.
type SSOLink struct {
	Issuer   string
	Subject  string
	PersonID string
	LinkedAt time.Time
}

// ID is the link's key: the issuer and subject together (an issuer has no
// "#", since it has no fragment).
func (l SSOLink) ID() string { return SSOLinkID(l.Issuer, l.Subject) }

// SSOLinkID is the key of the link of an issuer's subject.
func SSOLinkID(issuer, subject string) string { return issuer + "#" + subject }

// SignIn is a person's latest sign-in.
type SignIn struct {
	At     time.Time
	Method string
}

// SSOStore keeps the links and the latest sign-ins. pkg/mongodb implements
// it; errors wrap training.ErrNotFound and training.ErrConflict.
type SSOStore interface {
	// SSOLink finds a link by its ID.
	SSOLink(ctx context.Context, id string) (SSOLink, error)
	// SSOLinkOf finds a person's link.
	SSOLinkOf(ctx context.Context, personID string) (SSOLink, error)
	// InsertSSOLink links; a person linked already, or an identity linked
	// already, is ErrConflict.
	InsertSSOLink(ctx context.Context, l SSOLink) error
	// DeleteSSOLink removes a person's link; none is not an error.
	DeleteSSOLink(ctx context.Context, l SSOLink) error
	// NoteSignIn records a person's latest sign-in.
	NoteSignIn(ctx context.Context, personID string, s SignIn) error
	// LastSignIn is a person's latest sign-in, or ErrNotFound.
	LastSignIn(ctx context.Context, personID string) (SignIn, error)
}

// SSOAttempt is a sign-in with the identity provider under way: what our
// side keeps until the provider sends the person back.
type SSOAttempt struct {
	Nonce     string    `bson:"nonce"`
	Verifier  string    `bson:"verifier"` // the PKCE code verifier
	Next      string    `bson:"next"`     // the page to go on to
	ExpiresAt time.Time `bson:"expires_at"`
}

// Identity is who the identity provider says signed in, with the claim
// that matches them to a person.
type Identity struct {
	Issuer, Subject string
	Email           string
	EmailVerified   bool
	Claims          map[string]any
}

// SSO signs people in with the organisation's identity provider. It
// matches identities to people HR keep; it creates no person.
type SSO struct {
	s     *Service
	store SSOStore
	// match is the claim that matches a person: "email" (only when the
	// provider says the address is verified), "preferred_username" or
	// "upn" (matched against the e-mail address: the provider's own sign-in
	// name, which the organisation controls), or any other claim, matched
	// against the employee number.
	match string
}

// NewSSO returns the provider sign-in on top of the accounts service.
func NewSSO(s *Service, store SSOStore, matchClaim string) *SSO {
	if matchClaim == "" {
		matchClaim = "email"
	}
	return &SSO{s: s, store: store, match: matchClaim}
}

// SignIn starts a session for the person the identity belongs to, exactly
// as a password sign-in does (same tokens, same roles, same revocation).
//
// A linked identity signs in as its person, whatever its e-mail address is
// now. An unlinked one is matched by the configured claim and, once
// matched, linked, so later sign-ins survive a change of address. A person
// matched who has no account yet gets one, with no password and no role
// beyond employee: being on HR's records is what lets them in, and HR
// grant roles as for anyone.
func (o *SSO) SignIn(ctx context.Context, id Identity) (Tokens, error) {
	s := o.s
	person, linked, err := o.find(ctx, id)
	if err != nil {
		return Tokens{}, err
	}
	if person.IsLeaver(s.people.Today()) {
		return Tokens{}, ErrSSOLeaver
	}
	now := s.cfg.Now().UTC()
	system := training.SystemActorFor()
	if !linked {
		l := SSOLink{Issuer: id.Issuer, Subject: id.Subject, PersonID: person.ID, LinkedAt: now}
		err := o.store.InsertSSOLink(ctx, l)
		if errors.Is(err, training.ErrConflict) {
			// Another sign-in linked them meanwhile, to this identity or
			// to another.
			if got, gerr := o.store.SSOLinkOf(ctx, person.ID); gerr != nil || got.ID() != l.ID() {
				return Tokens{}, ErrSSOLinkedElsewhere
			}
		} else if err != nil {
			return Tokens{}, err
		} else if err := s.people.Audit(ctx, system, "account.sso_link", "person", person.ID, nil,
			map[string]any{"issuer": id.Issuer, "subject": id.Subject}); err != nil {
			return Tokens{}, err
		}
	}
	switch acct, err := s.store.Account(ctx, person.ID); {
	case err == nil && acct.Disabled():
		return Tokens{}, ErrAccountDisabled
	case errors.Is(err, training.ErrNotFound):
		err := s.store.CreateAccount(ctx, Account{PersonID: person.ID, CreatedAt: now, UpdatedAt: now})
		if err != nil && !errors.Is(err, training.ErrConflict) {
			return Tokens{}, err
		}
		if err == nil {
			if err := s.people.Audit(ctx, system, "account.create_sso", "person", person.ID, nil, map[string]any{"roles": []string{}}); err != nil {
				return Tokens{}, err
			}
		}
	case err != nil:
		return Tokens{}, err
	}
	return s.startSessionBy(ctx, person.ID, MethodSSO)
}

// find is the person an identity belongs to: by its link, else by the
// matching claim. linked says it was by the link.
func (o *SSO) find(ctx context.Context, id Identity) (training.Person, bool, error) {
	s := o.s
	l, err := o.store.SSOLink(ctx, SSOLinkID(id.Issuer, id.Subject))
	switch {
	case err == nil:
		p, err := s.people.PersonByID(ctx, l.PersonID)
		if errors.Is(err, training.ErrNotFound) {
			return training.Person{}, false, ErrSSONotMatched
		}
		return p, true, err
	case !errors.Is(err, training.ErrNotFound):
		return training.Person{}, false, err
	}
	var p training.Person
	switch o.match {
	case "email":
		if !id.EmailVerified || id.Email == "" {
			return training.Person{}, false, fmt.Errorf("%w: the provider did not say the e-mail address is verified", ErrSSONotMatched)
		}
		p, err = s.people.PersonByEmail(ctx, id.Email)
	case "preferred_username", "upn":
		name, _ := id.Claims[o.match].(string)
		if name == "" {
			return training.Person{}, false, fmt.Errorf("%w: no %s claim", ErrSSONotMatched, o.match)
		}
		p, err = s.people.PersonByEmail(ctx, name)
	default:
		number := claimString(id.Claims[o.match])
		if number == "" {
			return training.Person{}, false, fmt.Errorf("%w: no %s claim", ErrSSONotMatched, o.match)
		}
		numbers, ok := s.people.(interface {
			PersonByEmployeeNumber(ctx context.Context, number string) (training.Person, error)
		})
		if !ok {
			return training.Person{}, false, errors.New("people cannot be found by employee number")
		}
		p, err = numbers.PersonByEmployeeNumber(ctx, number)
	}
	if errors.Is(err, training.ErrNotFound) {
		return training.Person{}, false, ErrSSONotMatched
	}
	return p, false, err
}

// claimString is a claim's value as text: employee numbers arrive as
// strings or as JSON numbers.
func claimString(v any) string {
	switch v := v.(type) {
	case string:
		return strings.TrimSpace(v)
	case float64:
		return strconv.FormatFloat(v, 'f', -1, 64)
	}
	return ""
}

// LinkOf is the person's link, for HR; ok is false when there is none.
func (o *SSO) LinkOf(ctx context.Context, actor training.Actor, personID string) (l SSOLink, ok bool, err error) {
	if _, err := o.s.people.Person(ctx, actor, personID); err != nil {
		return SSOLink{}, false, err
	}
	if !actor.HR {
		return SSOLink{}, false, fmt.Errorf("sso link: %w", training.ErrForbidden)
	}
	l, err = o.store.SSOLinkOf(ctx, personID)
	if errors.Is(err, training.ErrNotFound) {
		return SSOLink{}, false, nil
	}
	return l, err == nil, err
}

// Unlink removes the person's link (HR only): their next sign-in with the
// provider is matched afresh by the claim. Their sessions stay.
func (o *SSO) Unlink(ctx context.Context, actor training.Actor, personID string) error {
	l, ok, err := o.LinkOf(ctx, actor, personID)
	if err != nil || !ok {
		return err
	}
	if err := o.store.DeleteSSOLink(ctx, l); err != nil {
		return err
	}
	return o.s.people.Audit(ctx, actor, "account.sso_unlink", "person", personID,
		map[string]any{"issuer": l.Issuer, "subject": l.Subject}, nil)
}

// startSessionBy starts a session, recording how the person signed in.
func (s *Service) startSessionBy(ctx context.Context, personID, method string) (Tokens, error) {
	return s.startSessionWithIDBy(ctx, newID(), personID, method)
}

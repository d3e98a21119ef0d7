package web

import (
	"context"
	"crypto/sha256"
	"crypto/subtle"
	"encoding/hex"
	"errors"
	"fmt"
	"net/http"
	"net/url"
	"time"

	"github.com/gin-gonic/gin"

	"github.com/complytrack/complytrack/pkg/accounts"
	"github.com/complytrack/complytrack/pkg/logging"
	"github.com/complytrack/complytrack/pkg/sso"
	"github.com/complytrack/complytrack/pkg/training"
)

// SSO is sign-in with the organisation's identity provider.
type SSO struct {
	Client   *sso.Client
	Accounts *accounts.SSO
	Attempts SSOAttempts
	// Name completes the button: "Sign in with {Name}".
	Name string
	// PasswordsOff hides the password form and refuses it.
	PasswordsOff bool
}

// SSOAttempts keeps sign-ins under way on our side, keyed by the hash of
// their state (pkg/mongodb implements it): the nonce and PKCE verifier
// never leave the server.
type SSOAttempts interface {
	PutSSOAttempt(ctx context.Context, key string, a accounts.SSOAttempt) error
	// TakeSSOAttempt uses the attempt up; ok is false when there is none,
	// it expired, or it was used already.
	TakeSSOAttempt(ctx context.Context, key string) (accounts.SSOAttempt, bool, error)
}

// A sign-in with the provider is bound to the browser that started it: the
// state travels to the provider and back in the address, and stays here in
// a cookie (HttpOnly; SameSite=Lax, which a top-level redirect back from
// the provider still carries). The callback needs both to agree, and the
// attempt they name to be unused and younger than ssoAttemptTTL.
const (
	ssoCookie     = "complytrack-sso"
	ssoAttemptTTL = 10 * time.Minute
)

func ssoKey(state string) string {
	sum := sha256.Sum256([]byte("complytrack sso state\x00" + state))
	return hex.EncodeToString(sum[:])
}

// ssoStart sends the person to the identity provider.
func (s *Server) ssoStart(c *gin.Context) error {
	if s.d.SSO == nil {
		s.NotFound(c)
		return nil
	}
	next := localPath(c.Query("next"))
	if _, ok, err := s.signedIn(c); err != nil {
		return err
	} else if ok {
		c.Redirect(http.StatusSeeOther, next)
		return nil
	}
	ctx := c.Request.Context()
	a, err := s.d.SSO.Client.Begin(ctx)
	if errors.Is(err, sso.ErrUnavailable) {
		s.d.Logger.WarnContext(ctx, "identity provider not reachable", logging.Err(err))
		s.ssoProblem(c, http.StatusServiceUnavailable, fmt.Sprintf("Sign-in with %s is not working at the moment", s.d.SSO.Name),
			"Try again in a few minutes.")
		return nil
	}
	if err != nil {
		return err
	}
	if err := s.d.SSO.Attempts.PutSSOAttempt(ctx, ssoKey(a.State), accounts.SSOAttempt{
		Nonce: a.Nonce, Verifier: a.Verifier, Next: next, ExpiresAt: s.d.Training.Now().Add(ssoAttemptTTL).UTC(),
	}); err != nil {
		return err
	}
	s.setCookie(c, ssoCookie, a.State, int(ssoAttemptTTL.Seconds()))
	c.Redirect(http.StatusSeeOther, a.URL)
	return nil
}

// ssoCallback completes the sign-in the provider sends the person back
// from: the session it starts is the one a password sign-in starts.
func (s *Server) ssoCallback(c *gin.Context) error {
	if s.d.SSO == nil {
		s.NotFound(c)
		return nil
	}
	ctx := c.Request.Context()
	state := c.Query("state")
	kept := s.readCookie(c, ssoCookie)
	s.setCookie(c, ssoCookie, "", -1) // one use, whatever happens next
	if e := c.Query("error"); e != "" {
		s.d.Logger.InfoContext(ctx, "identity provider refused sign-in", "error", e, "description", c.Query("error_description"))
		s.ssoProblem(c, http.StatusUnauthorized, "You were not signed in",
			fmt.Sprintf("Sign-in with %s was stopped before it finished. Try again.", s.d.SSO.Name))
		return nil
	}
	if state == "" || kept == "" || subtle.ConstantTimeCompare([]byte(state), []byte(kept)) != 1 {
		s.ssoStale(c)
		return nil
	}
	attempt, ok, err := s.d.SSO.Attempts.TakeSSOAttempt(ctx, ssoKey(state))
	if err != nil {
		return err
	}
	if !ok {
		s.ssoStale(c)
		return nil
	}
	id, err := s.d.SSO.Client.Finish(ctx, c.Query("code"), sso.Attempt{Nonce: attempt.Nonce, Verifier: attempt.Verifier})
	switch {
	case errors.Is(err, sso.ErrUnavailable):
		s.d.Logger.WarnContext(ctx, "identity provider not reachable", logging.Err(err))
		s.ssoProblem(c, http.StatusServiceUnavailable, fmt.Sprintf("Sign-in with %s is not working at the moment", s.d.SSO.Name),
			"Try again in a few minutes.")
		return nil
	case errors.Is(err, sso.ErrRefused):
		s.d.Logger.WarnContext(ctx, "identity provider sign-in refused", logging.Err(err))
		s.ssoProblem(c, http.StatusUnauthorized, "You could not be signed in",
			fmt.Sprintf("Sign-in with %s did not finish properly. Try again. If it keeps happening, contact HR.", s.d.SSO.Name))
		return nil
	case err != nil:
		return err
	}
	t, err := s.d.SSO.Accounts.SignIn(ctx, accounts.Identity{Issuer: id.Issuer, Subject: id.Subject, Email: id.Email,
		EmailVerified: id.EmailVerified, Claims: id.Claims})
	if err != nil {
		return s.ssoRefused(c, err)
	}
	s.clearSession(c) // whoever was signed in in this browser is not any more
	s.startSession(c, t)
	s.rotateCSRF(c)
	c.Redirect(http.StatusSeeOther, localPath(attempt.Next))
	return nil
}

// ssoRefused explains an identity that may not sign in; anything else is a
// failure of ours. Nothing was created for them.
func (s *Server) ssoRefused(c *gin.Context, err error) error {
	ctx := c.Request.Context()
	switch {
	case errors.Is(err, accounts.ErrSSONotMatched):
		s.d.Logger.InfoContext(ctx, "single sign-on matched nobody", logging.Err(err))
		s.ssoProblem(c, http.StatusForbidden, "Your account is not set up in complytrack",
			fmt.Sprintf("You signed in with %s, but complytrack has no record of you. HR keep the list of people who use complytrack.", s.d.SSO.Name),
			"Contact HR and ask them to add you, giving your name and work email address.")
	case errors.Is(err, accounts.ErrSSOLeaver):
		s.d.Logger.InfoContext(ctx, "single sign-on by a leaver refused", logging.Err(err))
		s.ssoProblem(c, http.StatusForbidden, "You cannot sign in to complytrack",
			"Our records show that you have left the organisation.",
			"If this is wrong, contact HR.")
	case errors.Is(err, accounts.ErrAccountDisabled):
		s.d.Logger.InfoContext(ctx, "single sign-on to a disabled account refused", logging.Err(err))
		s.ssoProblem(c, http.StatusForbidden, "You cannot sign in to complytrack",
			"HR have turned off your complytrack account.",
			"If this is wrong, contact HR.")
	case errors.Is(err, accounts.ErrSSOLinkedElsewhere):
		s.d.Logger.WarnContext(ctx, "single sign-on matched a person linked to another identity", logging.Err(err))
		s.ssoProblem(c, http.StatusForbidden, "You cannot sign in to complytrack with this account",
			fmt.Sprintf("Your complytrack record is linked to a different identity at %s.", s.d.SSO.Name),
			"Contact HR: they can remove the link so that you can sign in with this one.")
	default:
		return err
	}
	return nil
}

// ssoStale is the answer to a callback that belongs to no sign-in started
// in this browser, or to one used or expired already.
func (s *Server) ssoStale(c *gin.Context) {
	s.ssoProblem(c, http.StatusBadRequest, "This sign-in has expired",
		"Sign-in must be finished in the browser that started it, within 10 minutes, and each one works once. Start again.")
}

func (s *Server) ssoProblem(c *gin.Context, status int, title string, paragraphs ...string) {
	s.render(c, status, "error.html", page{Title: title, Data: errorPage{Paragraphs: paragraphs, LinkHref: "/sign-in", LinkText: "Go to the sign-in page"}})
}

// ssoPanel is the person page's single sign-on section, for HR.
type ssoPanel struct {
	Linked    bool
	LinkedOn  string
	Subject   string
	Issuer    string
	CanChange bool
	Unlinked  bool // the link was just removed
}

// ssoPanelOf is the section for the person, or nil when single sign-on is
// off or the viewer is not HR.
func (s *Server) ssoPanelOf(c *gin.Context, p training.Person) (*ssoPanel, error) {
	if s.d.SSO == nil || !principal(c).Actor().HR {
		return nil, nil
	}
	l, linked, err := s.d.SSO.Accounts.LinkOf(c.Request.Context(), principal(c).Actor(), p.ID)
	if err != nil {
		return nil, err
	}
	panel := &ssoPanel{Linked: linked, CanChange: may(c, hrChanges), Unlinked: c.Query("sso") == "unlinked"}
	if linked {
		panel.LinkedOn, panel.Subject, panel.Issuer = longDateTime(l.LinkedAt, s.d.Training.Location()), l.Subject, l.Issuer
	}
	return panel, nil
}

// ssoUnlink removes the person's link (HR, behind the route's guard).
func (s *Server) ssoUnlink(c *gin.Context) error {
	if s.d.SSO == nil {
		s.NotFound(c)
		return nil
	}
	id := c.Param("id")
	if err := s.d.SSO.Accounts.Unlink(c.Request.Context(), principal(c).Actor(), id); err != nil {
		return err
	}
	c.Redirect(http.StatusSeeOther, "/people/"+url.PathEscape(id)+"?sso=unlinked#sso")
	return nil
}

// longDateTime is a moment as people read it: "2 November 2026 at 09:00".
func longDateTime(t time.Time, loc *time.Location) string {
	return t.In(loc).Format("2 January 2006 at 15:04")
}

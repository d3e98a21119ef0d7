package web

import (
	"errors"
	"fmt"
	"net/http"
	"strings"

	"github.com/gin-gonic/gin"

	"github.com/complytrack/complytrack/pkg/auth"
	"github.com/complytrack/complytrack/pkg/training"
)

// signInPage is the content of sign_in.html.
type signInPage struct {
	Email string
	Next  string
	// SSOName names the identity provider on its button; empty: no
	// single sign-on. PasswordsOff hides the password form.
	SSOName      string
	PasswordsOff bool
}

// withSSO adds the single sign-on button, when it is set up.
func (s *Server) withSSO(p signInPage) signInPage {
	if s.d.SSO != nil {
		p.SSOName, p.PasswordsOff = s.d.SSO.Name, s.d.SSO.PasswordsOff
	}
	return p
}

func (s *Server) signInForm(c *gin.Context) error {
	next := localPath(c.Query("next"))
	if _, ok, err := s.signedIn(c); err != nil {
		return err
	} else if ok {
		c.Redirect(http.StatusSeeOther, next)
		return nil
	}
	p := page{Title: "Sign in to complytrack", Data: s.withSSO(signInPage{Next: next})}
	switch {
	case c.Query(formNotSentParam) != "" && next != "/":
		p.Banner = &banner{Heading: "You were signed out, so your form was not sent", Text: "Sign in again to go back to the form."}
	case c.Query(formNotSentParam) != "":
		p.Banner = &banner{Heading: "You were signed out, so your form was not sent", Text: "Sign in again, then fill in the form again."}
	case c.Query("signed_out") != "":
		p.Banner = &banner{Success: true, Heading: "You have signed out"}
	}
	s.render(c, http.StatusOK, "sign_in.html", p)
	return nil
}

// The one message for an unknown e-mail and a wrong password: telling them
// apart would tell a stranger who has an account.
const badCredentials = "Enter the email address and password of your complytrack account: the ones you entered are not right."

func (s *Server) signIn(c *gin.Context) error {
	email := strings.TrimSpace(c.PostForm("email"))
	password := c.PostForm("password")
	data := s.withSSO(signInPage{Email: email, Next: localPath(c.PostForm("next"))})
	if data.PasswordsOff {
		s.render(c, http.StatusForbidden, "sign_in.html", page{Title: "Sign in to complytrack", Data: data,
			Errors: []fieldError{{ID: "sso", Message: fmt.Sprintf("Sign in with %s: complytrack passwords are turned off.", data.SSOName)}}})
		return nil
	}
	var errs []fieldError
	if email == "" {
		errs = append(errs, fieldError{ID: "email", Message: "Enter your email address."})
	}
	if password == "" {
		errs = append(errs, fieldError{ID: "password", Message: "Enter your password."})
	}
	if len(errs) > 0 {
		s.render(c, http.StatusUnprocessableEntity, "sign_in.html", page{Title: "Sign in to complytrack", Errors: errs, Data: data})
		return nil
	}
	t, err := s.d.Accounts.Login(c.Request.Context(), email, password, c.ClientIP())
	if errors.Is(err, training.ErrUnauthenticated) {
		// Elsewhere this means the sign-in has ended; here it is the answer.
		s.render(c, http.StatusUnauthorized, "sign_in.html", page{Title: "Sign in to complytrack", Data: data,
			Errors: []fieldError{{ID: "email", Message: badCredentials}}})
		return nil
	}
	if err != nil {
		// A paused sign-in says until when, above the e-mail address.
		s.formFailed(c, err, formErrors{Fallback: "email"}, func(status int, errs []fieldError) {
			s.render(c, status, "sign_in.html", page{Title: "Sign in to complytrack", Errors: errs, Data: data})
		})
		return nil
	}
	s.startSession(c, t)
	s.rotateCSRF(c)
	c.Redirect(http.StatusSeeOther, data.Next)
	return nil
}

// signOut ends the sign-in everywhere its refresh token reaches and clears
// the cookies. It needs the sign-in's CSRF token like any form, so another
// site cannot sign people out. A sign-in that has ended already has
// nothing left to end: that goes to the sign-in page, changing nothing.
func (s *Server) signOut(c *gin.Context) error {
	p, ok, err := s.signedIn(c)
	if err != nil {
		return err
	}
	if !ok {
		c.Redirect(http.StatusSeeOther, "/sign-in")
		return nil
	}
	if err := readForm(c); err != nil || !s.csrfValid(c, sessionBinding(p)) {
		s.refuseForm(c)
		return nil
	}
	if err := s.d.Accounts.Logout(c.Request.Context(), s.readCookie(c, refreshCookie)); err != nil {
		return err
	}
	s.clearSession(c)
	s.rotateCSRF(c)
	c.Redirect(http.StatusSeeOther, "/sign-in?signed_out=1")
	return nil
}

// invitePage is the content of invite.html.
type invitePage struct {
	Token     string
	MinLength int
	// Email is whose account the link is for; empty when the page is shown
	// again after a mistake in the form.
	Email string
}

// inviteForm shows the form to choose a password, or at once why the link
// cannot be used; looking does not use it up.
func (s *Server) inviteForm(c *gin.Context) error {
	token := c.Query("token")
	email, err := s.d.Accounts.InvitationFor(c.Request.Context(), token)
	if err != nil {
		s.linkProblem(c, invitationLink, err)
		return nil
	}
	s.render(c, http.StatusOK, "invite.html", page{Title: "Choose your password", Data: invitePage{Token: token, MinLength: auth.MinPasswordLength, Email: email}})
	return nil
}

func (s *Server) acceptInvite(c *gin.Context) error {
	token := c.PostForm("token")
	password := c.PostForm("password")
	data := invitePage{Token: token, MinLength: auth.MinPasswordLength}
	var errs []fieldError
	switch policyErr := auth.CheckPasswordPolicy(password); {
	case password == "":
		errs = append(errs, fieldError{ID: "password", Message: "Enter a password."})
	case policyErr != nil:
		errs = append(errs, fieldError{ID: "password", Message: auth.PolicyMessage(policyErr)})
	case c.PostForm("confirm_password") != password:
		errs = append(errs, fieldError{ID: "confirm-password", Message: "The two passwords do not match: enter the same password twice."})
	}
	if len(errs) > 0 {
		s.render(c, http.StatusUnprocessableEntity, "invite.html", page{Title: "Choose your password", Errors: errs, Data: data})
		return nil
	}
	t, err := s.d.Accounts.AcceptInvite(c.Request.Context(), token, password)
	s.linkUsed(c, invitationLink, t, err, func(status int, errs []fieldError) {
		s.render(c, status, "invite.html", page{Title: "Choose your password", Errors: errs, Data: data})
	})
	return nil
}

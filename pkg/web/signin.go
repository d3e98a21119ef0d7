package web

import (
	"errors"
	"fmt"
	"math"
	"net/http"
	"strings"

	"github.com/gin-gonic/gin"

	"github.com/complytrack/complytrack/pkg/accounts"
	"github.com/complytrack/complytrack/pkg/auth"
	"github.com/complytrack/complytrack/pkg/training"
)

// signInPage is the content of sign_in.html.
type signInPage struct {
	Email string
	Next  string
}

func (s *Server) signInForm(c *gin.Context) {
	next := localPath(c.Query("next"))
	if _, ok, err := s.signedIn(c); err != nil {
		s.fail(c, err)
		return
	} else if ok {
		c.Redirect(http.StatusSeeOther, next)
		return
	}
	p := page{Title: "Sign in to complytrack", Data: signInPage{Next: next}}
	if c.Query("signed_out") != "" {
		p.Banner = &banner{Success: true, Heading: "You have signed out"}
	}
	s.render(c, http.StatusOK, "sign_in.html", p)
}

// The one message for an unknown e-mail and a wrong password: telling them
// apart would tell a stranger who has an account.
const badCredentials = "Enter the email address and password of your complytrack account: the ones you entered are not right"

func (s *Server) signIn(c *gin.Context) {
	email := strings.TrimSpace(c.PostForm("email"))
	password := c.PostForm("password")
	data := signInPage{Email: email, Next: localPath(c.PostForm("next"))}
	var errs []fieldError
	if email == "" {
		errs = append(errs, fieldError{ID: "email", Message: "Enter your email address"})
	}
	if password == "" {
		errs = append(errs, fieldError{ID: "password", Message: "Enter your password"})
	}
	if len(errs) > 0 {
		s.render(c, http.StatusUnprocessableEntity, "sign_in.html", page{Title: "Sign in to complytrack", Errors: errs, Data: data})
		return
	}
	t, err := s.d.Accounts.Login(c.Request.Context(), email, password, c.ClientIP())
	var rle *accounts.RateLimitError
	switch {
	case errors.As(err, &rle):
		s.render(c, http.StatusTooManyRequests, "sign_in.html", page{Title: "Sign in to complytrack", Data: data,
			Errors: []fieldError{{ID: "email", Message: "Too many attempts: try again in " + minutes(rle)}}})
		return
	case errors.Is(err, training.ErrUnauthenticated):
		s.render(c, http.StatusUnauthorized, "sign_in.html", page{Title: "Sign in to complytrack", Data: data,
			Errors: []fieldError{{ID: "email", Message: badCredentials}}})
		return
	case err != nil:
		s.fail(c, err)
		return
	}
	s.startSession(c, t)
	s.rotateCSRF(c)
	c.Redirect(http.StatusSeeOther, data.Next)
}

// minutes says how long a rate limit lasts, rounded up to whole minutes.
func minutes(e *accounts.RateLimitError) string {
	n := int(math.Ceil(e.RetryAfter.Minutes()))
	if n <= 1 {
		return "1 minute"
	}
	return fmt.Sprintf("%d minutes", n)
}

// signOut ends the sign-in everywhere its refresh token reaches and clears
// the cookies. It needs the CSRF token like any form, so another site
// cannot sign people out.
func (s *Server) signOut(c *gin.Context) {
	if err := s.d.Accounts.Logout(c.Request.Context(), s.readCookie(c, refreshCookie)); err != nil {
		s.fail(c, err)
		return
	}
	s.clearSession(c)
	s.rotateCSRF(c)
	c.Redirect(http.StatusSeeOther, "/sign-in?signed_out=1")
}

// invitePage is the content of invite.html.
type invitePage struct {
	Token     string
	MinLength int
}

func (s *Server) inviteForm(c *gin.Context) {
	token := c.Query("token")
	if token == "" {
		s.inviteProblem(c, "")
		return
	}
	s.render(c, http.StatusOK, "invite.html", page{Title: "Choose your password", Data: invitePage{Token: token, MinLength: auth.MinPasswordLength}})
}

func (s *Server) acceptInvite(c *gin.Context) {
	token := c.PostForm("token")
	password := c.PostForm("password")
	data := invitePage{Token: token, MinLength: auth.MinPasswordLength}
	var errs []fieldError
	switch {
	case password == "":
		errs = append(errs, fieldError{ID: "password", Message: "Enter a password"})
	case errors.Is(auth.CheckPasswordPolicy(password), auth.ErrPasswordTooShort):
		errs = append(errs, fieldError{ID: "password", Message: fmt.Sprintf("Your password must be at least %d characters", auth.MinPasswordLength)})
	case auth.CheckPasswordPolicy(password) != nil:
		errs = append(errs, fieldError{ID: "password", Message: fmt.Sprintf("Your password must be at most %d bytes long", auth.MaxPasswordBytes)})
	case c.PostForm("confirm_password") != password:
		errs = append(errs, fieldError{ID: "confirm-password", Message: "The two passwords do not match: enter the same password twice"})
	}
	if len(errs) > 0 {
		s.render(c, http.StatusUnprocessableEntity, "invite.html", page{Title: "Choose your password", Errors: errs, Data: data})
		return
	}
	t, err := s.d.Accounts.AcceptInvite(c.Request.Context(), token, password)
	var ve *training.ValidationError
	if errors.As(err, &ve) {
		for _, f := range ve.Fields {
			if f.Field == "token" {
				s.inviteProblem(c, f.Message)
				return
			}
		}
		for _, f := range ve.Fields {
			errs = append(errs, fieldError{ID: "password", Message: "Your password " + f.Message})
		}
		s.render(c, http.StatusUnprocessableEntity, "invite.html", page{Title: "Choose your password", Errors: errs, Data: data})
		return
	}
	if err != nil {
		s.fail(c, err)
		return
	}
	s.clearSession(c) // whoever was signed in in this browser is not any more
	s.startSession(c, t)
	s.rotateCSRF(c)
	c.Redirect(http.StatusSeeOther, "/my-training?welcome=1")
}

// inviteProblem explains an invitation link that cannot be used, with the
// accounts service's reason (expired, used, or not a link it made).
func (s *Server) inviteProblem(c *gin.Context, reason string) {
	title, status := "This link is not valid", http.StatusBadRequest
	switch {
	case strings.Contains(reason, "expired"):
		title, status = "This link has expired", http.StatusGone
	case strings.Contains(reason, "used"):
		title, status = "This link has been used already", http.StatusGone
	}
	paragraphs := []string{"Invitation links work once, for 7 days. Ask HR to send you a new one."}
	if status == http.StatusGone && strings.Contains(reason, "used") {
		paragraphs = []string{"Invitation links work once. If you chose your password already, sign in with it.",
			"If you did not, ask HR to send you a new invitation."}
	}
	s.render(c, status, "error.html", page{Title: title, Data: errorPage{Paragraphs: paragraphs, LinkHref: "/sign-in", LinkText: "Sign in"}})
}

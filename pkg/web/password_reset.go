package web

import (
	"net/http"
	"strings"

	"github.com/gin-gonic/gin"

	"github.com/complytrack/complytrack/pkg/auth"
)

// forgotPasswordPage is the content of forgot_password.html and
// forgot_password_sent.html.
type forgotPasswordPage struct {
	Email string
}

// resetPasswordPage is the content of reset_password.html.
type resetPasswordPage struct {
	Token     string
	MinLength int
}

const (
	forgotTitle = "Reset your password"
	resetTitle  = "Choose a new password"
)

func (s *Server) forgotPasswordForm(c *gin.Context) error {
	s.render(c, http.StatusOK, "forgot_password.html", page{Title: forgotTitle, Data: forgotPasswordPage{}})
	return nil
}

// forgotPassword asks for a reset link and says to check the mailbox,
// whether or not the address has an account: the page must not tell.
func (s *Server) forgotPassword(c *gin.Context) error {
	email := strings.TrimSpace(c.PostForm("email"))
	data := forgotPasswordPage{Email: email}
	if email == "" {
		s.render(c, http.StatusUnprocessableEntity, "forgot_password.html", page{Title: forgotTitle, Data: data,
			Errors: []fieldError{{ID: "email", Message: "Enter your email address."}}})
		return nil
	}
	if err := s.d.Accounts.ForgotPassword(c.Request.Context(), email, c.ClientIP()); err != nil {
		s.formFailed(c, err, formErrors{Fallback: "email"}, func(status int, errs []fieldError) {
			s.render(c, status, "forgot_password.html", page{Title: forgotTitle, Errors: errs, Data: data})
		})
		return nil
	}
	s.render(c, http.StatusOK, "forgot_password_sent.html", page{Title: "Check your email", Data: data})
	return nil
}

// resetPasswordForm shows the form to choose a new password, or at once
// why the link cannot be used; looking does not use it up.
func (s *Server) resetPasswordForm(c *gin.Context) error {
	token := c.Query("token")
	if err := s.d.Accounts.CheckReset(c.Request.Context(), token); err != nil {
		s.linkProblem(c, resetLink, err)
		return nil
	}
	s.render(c, http.StatusOK, "reset_password.html", page{Title: resetTitle, Data: resetPasswordPage{Token: token, MinLength: auth.MinPasswordLength}})
	return nil
}

func (s *Server) resetPassword(c *gin.Context) error {
	token, password := c.PostForm("token"), c.PostForm("password")
	data := resetPasswordPage{Token: token, MinLength: auth.MinPasswordLength}
	var errs []fieldError
	switch policyErr := auth.CheckPasswordPolicy(password); {
	case password == "":
		errs = append(errs, fieldError{ID: "password", Message: "Enter a new password."})
	case policyErr != nil:
		errs = append(errs, fieldError{ID: "password", Message: auth.PolicyMessage(policyErr)})
	case c.PostForm("confirm_password") != password:
		errs = append(errs, fieldError{ID: "confirm-password", Message: "The two passwords do not match: enter the same password twice."})
	}
	if len(errs) > 0 {
		s.render(c, http.StatusUnprocessableEntity, "reset_password.html", page{Title: resetTitle, Errors: errs, Data: data})
		return nil
	}
	t, err := s.d.Accounts.ResetPassword(c.Request.Context(), token, password)
	s.linkUsed(c, resetLink, t, err, func(status int, errs []fieldError) {
		s.render(c, status, "reset_password.html", page{Title: resetTitle, Errors: errs, Data: data})
	})
	return nil
}

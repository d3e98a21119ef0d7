package web

import (
	"errors"
	"net/http"

	"github.com/gin-gonic/gin"

	"github.com/complytrack/complytrack/pkg/accounts"
	"github.com/complytrack/complytrack/pkg/training"
)

// oneTimeLink is a kind of link sent by e-mail that works once, for a
// while (an invitation, a password reset): the accounts service's
// sentinels for why one cannot be used, what to tell the person in each
// case, and where to go instead.
type oneTimeLink struct {
	unknown, expired, used             error
	unknownSays, expiredSays, usedSays []string
	elsewhereHref, elsewhereText       string
	usedTo                             string // where the person goes once the link has done its work
}

var (
	invitationLink = oneTimeLink{
		unknown: accounts.ErrInvitationUnknown, expired: accounts.ErrInvitationExpired, used: accounts.ErrInvitationUsed,
		unknownSays: []string{"Check you copied the whole link from the e-mail. If it still does not work, ask HR to send you a new invitation."},
		expiredSays: []string{"Invitation links work for 7 days. Ask HR to send you a new one."},
		usedSays: []string{"Invitation links work once, and this one has been used, or a password has been chosen for your account since it was sent. Sign in with your password.",
			"If you have not chosen a password, ask HR to send you a new invitation."},
		elsewhereHref: "/sign-in", elsewhereText: "Sign in",
		usedTo: "/my-training?welcome=1",
	}
	resetLink = oneTimeLink{
		unknown: accounts.ErrResetUnknown, expired: accounts.ErrResetExpired, used: accounts.ErrResetUsed,
		unknownSays:   []string{"Check you copied the whole link from the e-mail. If it still does not work, ask for a new one."},
		expiredSays:   []string{"Password reset links work for 30 minutes. Ask for a new one."},
		usedSays:      []string{"Password reset links work once, and this one has been used, or your password has been changed since it was sent. Sign in with your password, or ask for a new link."},
		elsewhereHref: "/forgot-password", elsewhereText: "Ask for a new link",
		usedTo: "/my-training?password_reset=1",
	}
)

// isProblem reports whether err says why the link cannot be used, rather
// than that something of ours failed.
func (l oneTimeLink) isProblem(err error) bool {
	return errors.Is(err, l.unknown) || errors.Is(err, l.expired) || errors.Is(err, l.used)
}

// linkProblem explains a link that cannot be used, with the accounts
// service's reason (expired, used, or not a link it made); any other error
// is a failure of ours.
func (s *Server) linkProblem(c *gin.Context, l oneTimeLink, err error) {
	if !l.isProblem(err) {
		s.fail(c, err)
		return
	}
	title, status, paragraphs := "This link is not valid", http.StatusBadRequest, l.unknownSays
	switch {
	case errors.Is(err, l.expired):
		title, status, paragraphs = "This link has expired", http.StatusGone, l.expiredSays
	case errors.Is(err, l.used):
		title, status, paragraphs = "This link has been used already", http.StatusGone, l.usedSays
	}
	s.render(c, status, "error.html", page{Title: title, Data: errorPage{Paragraphs: paragraphs, LinkHref: l.elsewhereHref, LinkText: l.elsewhereText}})
}

// linkUsed finishes a form sent from a link's page with the accounts
// service's answer: why the link cannot be used, the form again with what
// to correct (show), or the person signed in, in place of whoever was
// signed in in this browser, and on to where the link leads.
func (s *Server) linkUsed(c *gin.Context, l oneTimeLink, t accounts.Tokens, err error, show func(status int, errs []fieldError)) {
	if l.isProblem(err) {
		s.linkProblem(c, l, err)
		return
	}
	if err != nil {
		s.formFailed(c, err, formErrors{Fallback: "password", Say: func(f training.FieldError) string { return f.Message }}, show)
		return
	}
	s.clearSession(c)
	s.startSession(c, t)
	s.rotateCSRF(c)
	c.Redirect(http.StatusSeeOther, l.usedTo)
}

package web

import (
	"context"
	"errors"
	"net/http"
	"net/url"
	"strings"

	"github.com/gin-gonic/gin"

	"github.com/complytrack/complytrack/pkg/accounts"
	"github.com/complytrack/complytrack/pkg/notify"
	"github.com/complytrack/complytrack/pkg/problem"
	"github.com/complytrack/complytrack/pkg/training"
)

// inviteRefusalKey carries the accounts service's refusal from the invite
// form's POST to the person page it renders again.
const inviteRefusalKey = "web.inviteRefusal"

// invitePerson e-mails the person a one-time link to choose their password.
// HR only (the route's guard): auditors are told they cannot, anyone else
// finds no such page.
func (s *Server) invitePerson(c *gin.Context) error {
	if s.d.Accounts == nil {
		s.NotFound(c)
		return nil
	}
	id := c.Param("id")
	err := s.d.Accounts.Invite(c.Request.Context(), principal(c).Actor(), id)
	if err != nil {
		if r, ok := inviteRefusal(c.Request.Context(), err); ok {
			c.Set(inviteRefusalKey, r)
			s.personDetail(c)
			return nil
		}
		return err
	}
	c.Redirect(http.StatusSeeOther, "/people/"+url.PathEscape(id)+"?invited=1")
	return nil
}

// refusal is why the accounts service sent no invitation, and the status
// the person page then answers with.
type refusal struct {
	Status  int
	Message string
}

// inviteRefusal is the accounts service's sentence for an invitation it
// refuses (409 for an account holder, 422 for a leaver); ok is false for
// any other error.
func inviteRefusal(ctx context.Context, err error) (refusal, bool) {
	p := problem.Classify(ctx, err)
	switch {
	case p.Status == http.StatusConflict && p.Public:
		return refusal{p.Status, p.Detail}, true
	case len(p.Fields) > 0:
		msgs := make([]string, len(p.Fields))
		for i, f := range p.Fields {
			msgs[i] = f.Message
		}
		return refusal{p.Status, strings.Join(msgs, " ")}, true
	}
	return refusal{}, false
}

// inviteBanner puts the outcome of the invite form on the person page and
// returns the page's status: the refusal's when the invitation was refused.
func inviteBanner(c *gin.Context, pg *page, p training.Person) int {
	if v, ok := c.Get(inviteRefusalKey); ok {
		r := v.(refusal)
		pg.Banner = &banner{Heading: "No invitation was sent", Text: r.Message}
		return r.Status
	}
	if c.Query("invited") != "" {
		pg.Banner = &banner{Success: true, Heading: "Invitation e-mailed to " + p.Email + ". The link works once, for 7 days."}
	}
	return http.StatusOK
}

// outboxMessagePage is the content of outbox_message.html.
type outboxMessagePage struct {
	messageRow
	Body string
}

// outboxMessage shows one e-mail of the outbox, with its text as HR may read
// it: accounts.OutboxBody withholds every one-time link but that of a first
// invitation, as the API does.
func (s *Server) outboxMessage(c *gin.Context) error {
	if s.d.Outbox == nil {
		s.NotFound(c)
		return nil
	}
	list, err := s.d.Outbox.List(c.Request.Context(), principal(c).Actor(), notify.Filter{ID: c.Param("id")},
		training.PageRequest{Limit: 1})
	if errors.Is(err, training.ErrForbidden) {
		s.NotFound(c) // as for /outbox itself
		return nil
	}
	if err != nil {
		return err
	}
	if len(list.Items) == 0 {
		s.NotFound(c)
		return nil
	}
	m := list.Items[0]
	data := outboxMessagePage{messageRow: s.toMessageRow(m), Body: accounts.OutboxBody(m)}
	s.render(c, http.StatusOK, "outbox_message.html", page{Title: m.Subject, Data: data})
	return nil
}

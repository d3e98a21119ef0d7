package web

import (
	"context"
	"errors"
	"fmt"
	"net/http"
	"net/url"
	"time"

	"github.com/gin-gonic/gin"

	"github.com/complytrack/complytrack/pkg/accounts"
	"github.com/complytrack/complytrack/pkg/training"
)

// Accounts from the pages: a person's account state with Invite or Resend
// invitation (the person page), "Invite the N people you added" after an
// import or an add, and "Invite everyone not yet invited" from People.
//
// Whom "the people you added" means is never read from the form: the
// import and the add keep the IDs of the people they created in the
// database (Deps.Added) under a random ID bound to the HR officer who
// added them, and the form carries only that ID. A tampered form can at
// worst name another of the officer's own recent additions; someone else's
// ID, an expired one or a made-up one invites nobody. The people are also
// looked at again when the button is pressed: whoever has an account or a
// live invitation by then, or has left, is skipped.

// AddedPeople remembers whom an HR officer just added (pkg/mongodb
// implements it).
type AddedPeople interface {
	// KeepAdded remembers personIDs for owner and returns the ID to ask
	// for them with.
	KeepAdded(ctx context.Context, owner string, personIDs []string, at time.Time) (string, error)
	// Added returns the people kept under id, when they were kept; ok is
	// false when there is no such record or it is not owner's.
	Added(ctx context.Context, owner, id string) (personIDs []string, at time.Time, ok bool, err error)
}

// addedFor is how long "Invite the N people you added" stays on offer.
const addedFor = 24 * time.Hour

// accountPanel is the person page's "Account" section (HR and auditors).
type accountPanel struct {
	// Text says where the account stands, in a sentence.
	Text string
	// Tag is the state in a word, for the status tag.
	Tag, TagClass string
	// Action is the button HR may press: "Invite to complytrack" or
	// "Resend invitation"; empty: none.
	Action string
	// LastSignIn says when and how they last signed in (account_admin.go);
	// Done what HR's action just did; Buttons HR's actions on the account.
	LastSignIn string
	Done       string
	Buttons    []accountButton
}

// accountPanelOf is the account section of p's page: nil for those who do
// not read accounts (anyone but HR and auditors).
func (s *Server) accountPanelOf(c *gin.Context, p training.Person) (*accountPanel, error) {
	if s.d.Accounts == nil || !may(c, hrPages) {
		return nil, nil
	}
	states, err := s.d.Accounts.Statuses(c.Request.Context(), principal(c).Actor(), []training.Person{p})
	if err != nil {
		return nil, err
	}
	st := states[p.ID]
	loc := s.d.Training.Location()
	out := &accountPanel{}
	hr := may(c, hrChanges)
	switch st.State {
	case accounts.Active:
		out.Tag, out.TagClass = "Active", "tag--compliant"
		out.Text = p.FullName() + " has an account and can sign in."
	case accounts.Disabled:
		out.Tag, out.TagClass = "Disabled", "tag--exempt"
		out.Text = p.FullName() + " has an account, but cannot sign in: they left on " + longDate(p.EndDate) + "."
	case accounts.Invited:
		out.Tag, out.TagClass = "Invited", "tag--due"
		out.Text = p.FullName() + " has been invited: the link in their e-mail works until " + st.InvitedUntil.In(loc).Format("2 January 2006 15:04") + "."
		if hr {
			out.Action = "Resend invitation"
		}
	default:
		out.Tag, out.TagClass = "No account", "tag--exempt"
		switch {
		case p.IsLeaver(s.d.Training.Today()):
			out.Text = p.FullName() + " has no account, and cannot be invited: they left on " + longDate(p.EndDate) + "."
		case !st.InvitationExpired.IsZero():
			out.Text = p.FullName() + " has no account. Their invitation expired on " + st.InvitationExpired.In(loc).Format("2 January 2006 15:04") + "."
		default:
			out.Text = p.FullName() + " has no account yet. An invitation e-mails them a link to choose their password."
		}
		if hr && !p.IsLeaver(s.d.Training.Today()) {
			out.Action = "Invite to complytrack"
		}
	}
	if err := s.addAccountAdmin(c, p, out, st.State); err != nil {
		return nil, err
	}
	return out, nil
}

// inviteManyPage is the content of invite_many.html: the confirmation of
// "Invite everyone not yet invited", or what it did.
type inviteManyPage struct {
	Count int
	// Batch is the remembered additions being invited; empty: everyone.
	Batch  string
	Action string
}

// inviteEveryoneForm asks HR to confirm, saying how many people would be
// invited.
func (s *Server) inviteEveryoneForm(c *gin.Context) error {
	if s.d.Accounts == nil {
		s.NotFound(c)
		return nil
	}
	people, err := s.d.Accounts.Uninvited(c.Request.Context(), principal(c).Actor(), nil)
	if err != nil {
		return err
	}
	s.render(c, http.StatusOK, "invite_many.html", page{Title: "Invite everyone not yet invited",
		Data: inviteManyPage{Count: len(people), Action: "/people/invite-everyone"}})
	return nil
}

// inviteEveryone invites everyone still here with no account and no
// invitation that still works, in batches (accounts.InviteMany).
func (s *Server) inviteEveryone(c *gin.Context) error {
	if s.d.Accounts == nil {
		s.NotFound(c)
		return nil
	}
	ctx := c.Request.Context()
	actor := principal(c).Actor()
	people, err := s.d.Accounts.Uninvited(ctx, actor, nil)
	if err != nil {
		return err
	}
	n, err := s.d.Accounts.InviteMany(ctx, actor, people)
	if err != nil {
		return err
	}
	s.renderInvited(c, n)
	return nil
}

// renderInvited says how many invitations were queued.
func (s *Server) renderInvited(c *gin.Context, n int) {
	pg := page{Title: "Invitations sent", Data: inviteManyPage{Count: n}}
	switch n {
	case 0:
		pg.Banner = &banner{Heading: "Nobody was invited: each of them has an account, has an invitation that still works, or has left."}
	case 1:
		pg.Banner = &banner{Success: true, Heading: "1 person invited. The e-mail is in the outbox and goes out with the next delivery."}
	default:
		pg.Banner = &banner{Success: true, Heading: fmt.Sprintf("%d people invited. The e-mails are in the outbox and go out a batch at a time.", n)}
	}
	s.render(c, http.StatusOK, "invite_many.html", pg)
}

// keepAdded remembers the people the signed-in HR officer just added and
// returns the ID the "Invite the N people you added" form carries; "" when
// there is nothing to remember or nowhere to keep it.
func (s *Server) keepAdded(c *gin.Context, ids []string) (string, error) {
	if s.d.Added == nil || s.d.Accounts == nil || len(ids) == 0 {
		return "", nil
	}
	return s.d.Added.KeepAdded(c.Request.Context(), principal(c).PersonID, ids, s.now())
}

// addedOffer is the "Invite the N people you added" form on a page.
type addedOffer struct {
	Batch string
	Count int
}

// addedToInvite is the people kept under batch for the signed-in HR
// officer who can still be invited; ok is false when the batch is not
// theirs, too old, or unknown.
func (s *Server) addedToInvite(c *gin.Context, batch string) ([]training.Person, bool, error) {
	if s.d.Added == nil || s.d.Accounts == nil || batch == "" || len(batch) > 64 {
		return nil, false, nil
	}
	ctx := c.Request.Context()
	actor := principal(c).Actor()
	ids, at, ok, err := s.d.Added.Added(ctx, actor.PersonID, batch)
	if err != nil || !ok || s.now().Sub(at) > addedFor {
		return nil, false, err
	}
	people := make([]training.Person, 0, len(ids))
	for _, id := range ids {
		p, err := s.d.Training.Person(ctx, actor, id)
		switch {
		case errors.Is(err, training.ErrNotFound):
			continue
		case err != nil:
			return nil, false, err
		}
		people = append(people, p)
	}
	out, err := s.d.Accounts.Uninvited(ctx, actor, people)
	return out, err == nil, err
}

// addedOfferFor is the offer to show for batch, nil when there is nobody
// left to invite in it.
func (s *Server) addedOfferFor(c *gin.Context, batch string) (*addedOffer, error) {
	people, ok, err := s.addedToInvite(c, batch)
	if err != nil || !ok || len(people) == 0 {
		return nil, err
	}
	return &addedOffer{Batch: batch, Count: len(people)}, nil
}

// inviteAdded invites the people the HR officer just added who still have
// no account and no live invitation.
func (s *Server) inviteAdded(c *gin.Context) error {
	people, ok, err := s.addedToInvite(c, c.PostForm("batch"))
	if err != nil {
		return err
	}
	if !ok {
		s.render(c, http.StatusGone, "error.html", page{Title: "This list of people has expired", Data: errorPage{
			Paragraphs: []string{
				fmt.Sprintf("The button to invite the people you added works for %d hours, for whoever added them. Nobody was invited from this page.", int(addedFor/time.Hour)),
				"Invite people from their own pages, or invite everyone not yet invited from People.",
			},
			LinkHref: "/people", LinkText: "Go to People"}})
		return nil
	}
	n, err := s.d.Accounts.InviteMany(c.Request.Context(), principal(c).Actor(), people)
	if err != nil {
		return err
	}
	s.renderInvited(c, n)
	return nil
}

// now is the application's clock.
func (s *Server) now() time.Time {
	return s.d.Training.Now()
}

// addedAfterCreate remembers a person just added by hand, with those added
// before it in the same sitting (the batch the "Add another person" link
// carried, when it is the officer's own and recent), and returns the new
// batch's ID.
func (s *Server) addedAfterCreate(c *gin.Context, previous, id string) (string, error) {
	ids := []string{id}
	if s.d.Added != nil && previous != "" && len(previous) <= 64 {
		before, at, ok, err := s.d.Added.Added(c.Request.Context(), principal(c).PersonID, previous)
		if err != nil {
			return "", err
		}
		if ok && s.now().Sub(at) <= addedFor {
			ids = append(before, id)
		}
	}
	return s.keepAdded(c, ids)
}

// addedOnPersonPage is the offer to invite the people just added, and the
// link to add another, on the page of the person added last (HR only).
func (s *Server) addedOnPersonPage(c *gin.Context) (*addedOffer, string, error) {
	batch := c.Query("added")
	if batch == "" || !may(c, hrChanges) {
		return nil, "", nil
	}
	offer, err := s.addedOfferFor(c, batch)
	if err != nil {
		return nil, "", err
	}
	return offer, "/people/new?batch=" + url.QueryEscape(batch), nil
}

// offerToInviteImported remembers the people an import just added and
// returns the offer to invite them; nil when none of them can be.
func (s *Server) offerToInviteImported(c *gin.Context, ids []string) (*addedOffer, error) {
	batch, err := s.keepAdded(c, ids)
	if err != nil || batch == "" {
		return nil, err
	}
	return s.addedOfferFor(c, batch)
}

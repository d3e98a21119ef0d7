package accounts

import (
	"context"
	"fmt"
	"time"

	"github.com/complytrack/complytrack/pkg/auth"
	"github.com/complytrack/complytrack/pkg/notify"
	"github.com/complytrack/complytrack/pkg/training"
)

// State is where a person's account stands, as the pages show it.
type State string

const (
	// NoAccount: they cannot sign in and hold no usable invitation.
	NoAccount State = "none"
	// Invited: an invitation link is waiting to be used (until Status.InvitedUntil).
	Invited State = "invited"
	// Active: they have an account and may sign in.
	Active State = "active"
	// Disabled: they have an account but have left, so sign-in refuses it.
	Disabled State = "disabled"
)

// Status is a person's account state.
type Status struct {
	State State
	// InvitedUntil is when the latest invitation link stops working, while
	// Invited.
	InvitedUntil time.Time
	// InvitationExpired is when the latest invitation stopped working, for
	// someone with no account who was invited before; zero otherwise.
	InvitationExpired time.Time
}

// Statuses returns the account state of each of people, for HR and
// auditors (who see everyone's roles too). It costs two look-ups by _id
// per person for a page of people and two reads of small collections for
// more (Store.AccountHolders, Store.LatestInvitations).
func (s *Service) Statuses(ctx context.Context, actor training.Actor, people []training.Person) (map[string]Status, error) {
	if !actor.ReadsAll() {
		return nil, fmt.Errorf("account states: %w", training.ErrForbidden)
	}
	ids := make([]string, len(people))
	for i, p := range people {
		ids[i] = p.ID
	}
	return s.statuses(ctx, people, ids)
}

func (s *Service) statuses(ctx context.Context, people []training.Person, ids []string) (map[string]Status, error) {
	holders, err := s.store.AccountHolders(ctx, ids)
	if err != nil {
		return nil, err
	}
	latest, err := s.store.LatestInvitations(ctx, ids)
	if err != nil {
		return nil, err
	}
	now, today := s.cfg.Now().UTC(), s.people.Today()
	out := make(map[string]Status, len(people))
	for _, p := range people {
		var st Status
		inv, invited := latest[p.ID]
		switch {
		case holders[p.ID] && p.IsLeaver(today):
			st.State = Disabled
		case holders[p.ID]:
			st.State = Active
		case invited && now.Before(inv.ExpiresAt) && !p.IsLeaver(today):
			st.State, st.InvitedUntil = Invited, inv.ExpiresAt
		default:
			st.State = NoAccount
			if invited {
				st.InvitationExpired = inv.ExpiresAt
			}
		}
		out[p.ID] = st
	}
	return out, nil
}

// inviteBatch is how many invitations are written per round of bulk
// writes: each round is an insert of invitations, of e-mails and of audit
// entries, so a request inviting thousands lets other writes in between.
const inviteBatch = 250

// Uninvited returns those of people that an "invite" of many would invite:
// still here, with no account and no invitation that still works. With
// people nil it looks at everyone on record. Only HR may.
func (s *Service) Uninvited(ctx context.Context, actor training.Actor, people []training.Person) ([]training.Person, error) {
	if !actor.HR {
		return nil, fmt.Errorf("invite people: %w", training.ErrForbidden)
	}
	var ids []string // nil: everyone, read once rather than person by person
	if people == nil {
		all, err := s.people.PeopleForImport(ctx, actor)
		if err != nil {
			return nil, err
		}
		people = all
	} else {
		ids = make([]string, len(people))
		for i, p := range people {
			ids[i] = p.ID
		}
	}
	states, err := s.statuses(ctx, people, ids)
	if err != nil {
		return nil, err
	}
	today := s.people.Today()
	var out []training.Person
	for _, p := range people {
		if states[p.ID].State == NoAccount && !p.IsLeaver(today) {
			out = append(out, p)
		}
	}
	return out, nil
}

// InviteMany invites each of people as Invite would (a one-time link
// e-mailed, audited as "person.invite"), in batches: the e-mails are
// queued in the outbox a batch at a time, and delivery sends them at its
// own pace. Only those Uninvited would return are invited: leavers, account
// holders and people whose invitation still works are skipped, and whether
// they have an account is looked at again batch by batch just before
// writing (an invitation sets a password). It returns how many were
// invited. Only HR may.
func (s *Service) InviteMany(ctx context.Context, actor training.Actor, people []training.Person) (int, error) {
	if !actor.HR {
		return 0, fmt.Errorf("invite people: %w", training.ErrForbidden)
	}
	if len(people) == 0 {
		// Not "everyone", as for Uninvited: nobody was named.
		return 0, nil
	}
	people, err := s.Uninvited(ctx, actor, people)
	if err != nil {
		return 0, err
	}
	invited := 0
	for start := 0; start < len(people); start += inviteBatch {
		batch := people[start:min(start+inviteBatch, len(people))]
		ids := make([]string, len(batch))
		for i, p := range batch {
			ids[i] = p.ID
		}
		holders, err := s.store.AccountHolders(ctx, ids)
		if err != nil {
			return invited, err
		}
		created := s.cfg.Now().UTC()
		expires := created.Add(s.cfg.InvitationTTL)
		var invs []Invitation
		var msgs []notify.Message
		afters := map[string]any{}
		for _, p := range batch {
			if holders[p.ID] {
				continue
			}
			token, hash := auth.NewOpaqueToken()
			invs = append(invs, Invitation{Hash: hash, PersonID: p.ID, CreatedBy: actor.PersonID, CreatedAt: created, ExpiresAt: expires})
			msgs = append(msgs, s.invitationMessage(p, token, expires))
			afters[p.ID] = map[string]any{"expires_at": expires}
		}
		if len(invs) == 0 {
			continue
		}
		if err := s.store.InsertInvitations(ctx, invs); err != nil {
			return invited, fmt.Errorf("store invitations: %w", err)
		}
		if err := s.queueInvitations(ctx, invs, msgs); err != nil {
			return invited, err
		}
		if err := s.people.AuditMany(ctx, actor, "person.invite", "person", afters); err != nil {
			return invited, err
		}
		invited += len(invs)
	}
	return invited, nil
}

// queueInvitations queues the e-mails of invs: under the key of a person's
// first invitation when it is free, else each under its own key, as Invite
// does.
func (s *Service) queueInvitations(ctx context.Context, invs []Invitation, msgs []notify.Message) error {
	taken, err := s.mail.QueueMany(ctx, msgs)
	if err != nil {
		return fmt.Errorf("queue invitations: %w", err)
	}
	var again []notify.Message
	for i := range msgs {
		if taken[i] {
			m := msgs[i]
			m.Key = invitationKey + invs[i].Hash
			again = append(again, m)
		}
	}
	if len(again) == 0 {
		return nil
	}
	if _, err := s.mail.QueueMany(ctx, again); err != nil {
		return fmt.Errorf("queue invitations: %w", err)
	}
	return nil
}

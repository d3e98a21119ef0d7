package jobs

import (
	"context"
	"errors"
	"fmt"
	"log/slog"

	"github.com/complytrack/complytrack/pkg/auth"
	"github.com/complytrack/complytrack/pkg/logging"
	"github.com/complytrack/complytrack/pkg/training"
)

// RoleHolders lists whose accounts hold a role (mongodb.Store).
type RoleHolders interface {
	PeopleWithRole(ctx context.Context, r auth.Role) ([]string, error)
}

// People finds people by ID (compliance.Service).
type People interface {
	PersonByID(ctx context.Context, id string) (training.Person, error)
	Today() training.Date
}

// HRRecipients finds HR's addresses for escalations: everyone holding the
// HR role who has not left; and the Member Services officers, for the
// weekly digest of the elected Members.
//
// Any failure to read an HR person fails the whole lookup. An escalation
// batch is recorded once with its recipients, so an address skipped
// because of a passing error would never be sent that batch; failing
// instead makes the run fail, and the next run records the batch with
// every address.
type HRRecipients struct {
	Roles  RoleHolders
	People People
	Logger *slog.Logger // nil: nothing is logged
}

func (h HRRecipients) HREmails(ctx context.Context) ([]string, error) {
	people, err := h.holders(ctx, auth.RoleHR)
	if err != nil {
		return nil, err
	}
	out := make([]string, 0, len(people))
	for _, p := range people {
		out = append(out, p.Email)
	}
	return out, nil
}

// MemberServicesOfficers returns everyone holding the Member Services role
// who has not left, for the weekly digest of the elected Members. Like
// HREmails, it fails rather than skip someone it could not read.
func (h HRRecipients) MemberServicesOfficers(ctx context.Context) ([]training.Person, error) {
	return h.holders(ctx, auth.RoleMemberServices)
}

// holders returns the people whose accounts hold the role, leavers left out.
func (h HRRecipients) holders(ctx context.Context, role auth.Role) ([]training.Person, error) {
	ids, err := h.Roles.PeopleWithRole(ctx, role)
	if err != nil {
		return nil, fmt.Errorf("find %s accounts: %w", role, err)
	}
	today := h.People.Today()
	var out []training.Person
	for _, id := range ids {
		p, err := h.People.PersonByID(ctx, id)
		switch {
		case errors.Is(err, training.ErrNotFound):
			// People are never deleted, so an account whose person is not
			// on record is a fault to look into, not an address to wait for.
			log := h.Logger
			if log == nil {
				log = logging.Discard()
			}
			log.WarnContext(ctx, "an account has no person record", "role", role, "person_id", id)
			continue
		case err != nil:
			return nil, fmt.Errorf("read %s person %s: %w", role, id, err)
		case p.IsLeaver(today):
			continue
		}
		out = append(out, p)
	}
	return out, nil
}

package app

import (
	"context"
	"errors"
	"log/slog"

	"github.com/complytrack/complytrack/pkg/auth"
	"github.com/complytrack/complytrack/pkg/compliance"
	"github.com/complytrack/complytrack/pkg/config"
	"github.com/complytrack/complytrack/pkg/mongodb"
	"github.com/complytrack/complytrack/pkg/notify"
	"github.com/complytrack/complytrack/pkg/sessions"
	"github.com/complytrack/complytrack/pkg/training"
)

// newSessions builds the face-to-face sessions service. It is built before
// the accounts service (the worker has none, and its reminder job needs
// sessions), so it reads roles from the stored accounts: the trainer role
// is stored, never derived.
func newSessions(cfg config.Config, store *mongodb.Store, svc *compliance.Service, outbox *notify.Outbox, log *slog.Logger, o Options) *sessions.Service {
	sess := sessions.New(store.TrainingSessions(), svc, storedRoles{store}, outbox, sessions.Options{
		Location: cfg.Location, Now: o.Now, PublicURL: cfg.PublicURL, Logger: log,
	})
	// A trainer records a classroom course by hand only for the people
	// booked on the sessions they run.
	svc.UseAttendance(sess)
	return sess
}

// storedRoles reads the roles an account holds; no account, no roles.
type storedRoles struct{ store *mongodb.Store }

func (r storedRoles) Roles(ctx context.Context, personID string) (auth.Roles, error) {
	a, err := r.store.Account(ctx, personID)
	if errors.Is(err, training.ErrNotFound) {
		return 0, nil
	}
	if err != nil {
		return 0, err
	}
	return a.Roles, nil
}

// PeopleWithRole lists whose accounts hold the role.
func (r storedRoles) PeopleWithRole(ctx context.Context, role auth.Role) ([]string, error) {
	return r.store.PeopleWithRole(ctx, role)
}

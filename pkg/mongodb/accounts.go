package mongodb

import (
	"context"
	"errors"
	"time"

	"go.mongodb.org/mongo-driver/v2/bson"
	"go.mongodb.org/mongo-driver/v2/mongo/options"

	"github.com/complytrack/complytrack/pkg/accounts"
	"github.com/complytrack/complytrack/pkg/auth"
	"github.com/complytrack/complytrack/pkg/training"
)

// Accounts, sessions and tokens. Every look-up is by _id; every "spend" or
// "revoke" is an insert under the spent thing's own key, so the unique _id
// index decides races on both engines.
const (
	colAccounts           = "accounts"
	colSessions           = "sessions"
	colSessionRevocations = "session_revocations"
	colRefreshTokens      = "refresh_tokens"
	colRefreshSpent       = "refresh_tokens_spent"
	colInvitations        = "invitations"
	colInvitationsSpent   = "invitations_spent"
)

type accountDoc struct {
	PersonID     string    `bson:"_id"`
	PasswordHash string    `bson:"password_hash"`
	Roles        []string  `bson:"roles"`
	CreatedAt    time.Time `bson:"created_at"`
	UpdatedAt    time.Time `bson:"updated_at"`
	// Absent on accounts stored before they were kept.
	PasswordSetAt   time.Time `bson:"password_set_at,omitempty"`
	SessionsEndedAt time.Time `bson:"sessions_ended_at,omitempty"`
	KeptSession     string    `bson:"kept_session,omitempty"`
	DisabledAt      time.Time `bson:"disabled_at,omitempty"`
	DisabledBy      string    `bson:"disabled_by,omitempty"`
}

func toAccountDoc(a accounts.Account) accountDoc {
	roles := []string{}
	for _, r := range a.Roles.Slice() {
		roles = append(roles, string(r))
	}
	return accountDoc{PersonID: a.PersonID, PasswordHash: a.PasswordHash, Roles: roles, CreatedAt: a.CreatedAt, UpdatedAt: a.UpdatedAt,
		PasswordSetAt: a.PasswordSetAt, SessionsEndedAt: a.SessionsEndedAt, KeptSession: a.KeptSession,
		DisabledAt: a.DisabledAt, DisabledBy: a.DisabledBy}
}

// Account returns a person's account, or training.ErrNotFound.
func (s *Store) Account(ctx context.Context, personID string) (accounts.Account, error) {
	var d accountDoc
	if err := s.db.Collection(colAccounts).FindOne(ctx, bson.D{{Key: "_id", Value: personID}}).Decode(&d); err != nil {
		return accounts.Account{}, translate("find account", err)
	}
	var roles auth.Roles
	for _, r := range d.Roles {
		if role, err := auth.ParseRole(r); err == nil {
			roles = roles.With(role)
		}
	}
	a := accounts.Account{PersonID: d.PersonID, PasswordHash: d.PasswordHash, Roles: roles, CreatedAt: d.CreatedAt.UTC(), UpdatedAt: d.UpdatedAt.UTC(), KeptSession: d.KeptSession}
	if !d.PasswordSetAt.IsZero() {
		a.PasswordSetAt = d.PasswordSetAt.UTC()
	}
	if !d.SessionsEndedAt.IsZero() {
		a.SessionsEndedAt = d.SessionsEndedAt.UTC()
	}
	if !d.DisabledAt.IsZero() {
		a.DisabledAt, a.DisabledBy = d.DisabledAt.UTC(), d.DisabledBy
	}
	return a, nil
}

// CreateAccount inserts an account; one for the same person is training.ErrConflict.
func (s *Store) CreateAccount(ctx context.Context, a accounts.Account) error {
	_, err := s.db.Collection(colAccounts).InsertOne(ctx, toAccountDoc(a))
	return translate("create account", err)
}

// PutAccount creates or replaces a person's account.
func (s *Store) PutAccount(ctx context.Context, a accounts.Account) error {
	_, err := s.db.Collection(colAccounts).ReplaceOne(ctx, bson.D{{Key: "_id", Value: a.PersonID}}, toAccountDoc(a), options.Replace().SetUpsert(true))
	return translate("store account", err)
}

// AnyAccountWithRole reports whether any account holds the role. It reads
// the accounts collection; start-up is its only caller.
func (s *Store) AnyAccountWithRole(ctx context.Context, r auth.Role) (bool, error) {
	err := s.db.Collection(colAccounts).FindOne(ctx, bson.D{{Key: "roles", Value: string(r)}}).Err()
	if err = translate("find account by role", err); err != nil {
		if errors.Is(err, training.ErrNotFound) {
			return false, nil
		}
		return false, err
	}
	return true, nil
}

type sessionDoc struct {
	ID        string    `bson:"_id"`
	PersonID  string    `bson:"person_id"`
	CreatedAt time.Time `bson:"created_at"`
	Method    string    `bson:"method,omitempty"`
}

type spentDoc struct {
	ID     string    `bson:"_id"`
	At     time.Time `bson:"at"`
	Reason string    `bson:"reason,omitempty"`
}

// CreateSession records a sign-in.
func (s *Store) CreateSession(ctx context.Context, sess accounts.Session) error {
	_, err := s.db.Collection(colSessions).InsertOne(ctx, sessionDoc{ID: sess.ID, PersonID: sess.PersonID, CreatedAt: sess.CreatedAt, Method: sess.Method})
	return translate("create session", err)
}

// Session returns a session, or training.ErrNotFound.
func (s *Store) Session(ctx context.Context, id string) (accounts.Session, error) {
	var d sessionDoc
	if err := s.db.Collection(colSessions).FindOne(ctx, bson.D{{Key: "_id", Value: id}}).Decode(&d); err != nil {
		return accounts.Session{}, translate("find session", err)
	}
	return accounts.Session{ID: d.ID, PersonID: d.PersonID, CreatedAt: d.CreatedAt.UTC(), Method: d.Method}, nil
}

// RevokeSession records that a session ended; doing it twice is not an error.
func (s *Store) RevokeSession(ctx context.Context, id string, at time.Time, reason string) error {
	_, err := s.db.Collection(colSessionRevocations).InsertOne(ctx, spentDoc{ID: id, At: at, Reason: reason})
	if err = translate("revoke session", err); errors.Is(err, training.ErrConflict) {
		return nil
	}
	return err
}

// SessionRevoked reports whether a session has ended.
func (s *Store) SessionRevoked(ctx context.Context, id string) (bool, error) {
	return s.exists(ctx, colSessionRevocations, id)
}

type refreshDoc struct {
	Hash      string    `bson:"_id"`
	SessionID string    `bson:"session_id"`
	PersonID  string    `bson:"person_id"`
	ExpiresAt time.Time `bson:"expires_at"`
}

// InsertRefreshToken stores a refresh token's hash.
func (s *Store) InsertRefreshToken(ctx context.Context, t accounts.RefreshToken) error {
	_, err := s.db.Collection(colRefreshTokens).InsertOne(ctx, refreshDoc{Hash: t.Hash, SessionID: t.SessionID, PersonID: t.PersonID, ExpiresAt: t.ExpiresAt})
	return translate("store refresh token", err)
}

// RefreshToken finds a refresh token by hash, or training.ErrNotFound.
func (s *Store) RefreshToken(ctx context.Context, hash string) (accounts.RefreshToken, error) {
	var d refreshDoc
	if err := s.db.Collection(colRefreshTokens).FindOne(ctx, bson.D{{Key: "_id", Value: hash}}).Decode(&d); err != nil {
		return accounts.RefreshToken{}, translate("find refresh token", err)
	}
	return accounts.RefreshToken{Hash: d.Hash, SessionID: d.SessionID, PersonID: d.PersonID, ExpiresAt: d.ExpiresAt.UTC()}, nil
}

// SpendRefreshToken records a refresh token's single use; a second use is
// training.ErrConflict.
func (s *Store) SpendRefreshToken(ctx context.Context, hash string, at time.Time) error {
	_, err := s.db.Collection(colRefreshSpent).InsertOne(ctx, spentDoc{ID: hash, At: at})
	return translate("spend refresh token", err)
}

type invitationDoc struct {
	Hash      string    `bson:"_id"`
	PersonID  string    `bson:"person_id"`
	CreatedBy string    `bson:"created_by"`
	CreatedAt time.Time `bson:"created_at,omitempty"` // absent on invitations stored before it was kept
	ExpiresAt time.Time `bson:"expires_at"`
}

// InsertInvitation stores an invitation's hash.
func (s *Store) InsertInvitation(ctx context.Context, inv accounts.Invitation) error {
	_, err := s.db.Collection(colInvitations).InsertOne(ctx, invitationDoc{Hash: inv.Hash, PersonID: inv.PersonID, CreatedBy: inv.CreatedBy, CreatedAt: inv.CreatedAt, ExpiresAt: inv.ExpiresAt})
	if err != nil {
		return translate("store invitation", err)
	}
	return s.noteLatestInvitations(ctx, []accounts.Invitation{inv})
}

// Invitation finds an invitation by hash, or training.ErrNotFound.
func (s *Store) Invitation(ctx context.Context, hash string) (accounts.Invitation, error) {
	var d invitationDoc
	if err := s.db.Collection(colInvitations).FindOne(ctx, bson.D{{Key: "_id", Value: hash}}).Decode(&d); err != nil {
		return accounts.Invitation{}, translate("find invitation", err)
	}
	inv := accounts.Invitation{Hash: d.Hash, PersonID: d.PersonID, CreatedBy: d.CreatedBy, ExpiresAt: d.ExpiresAt.UTC()}
	if !d.CreatedAt.IsZero() {
		inv.CreatedAt = d.CreatedAt.UTC()
	}
	return inv, nil
}

// SpendInvitation records an invitation's single use; a second is
// training.ErrConflict.
func (s *Store) SpendInvitation(ctx context.Context, hash string, at time.Time) error {
	_, err := s.db.Collection(colInvitationsSpent).InsertOne(ctx, spentDoc{ID: hash, At: at})
	return translate("spend invitation", err)
}

// InvitationSpent reports whether an invitation has been used.
func (s *Store) InvitationSpent(ctx context.Context, hash string) (bool, error) {
	return s.exists(ctx, colInvitationsSpent, hash)
}

func (s *Store) exists(ctx context.Context, collection, id string) (bool, error) {
	err := s.db.Collection(collection).FindOne(ctx, bson.D{{Key: "_id", Value: id}}, options.FindOne().SetProjection(bson.D{{Key: "_id", Value: 1}})).Err()
	switch err = translate("find "+collection, err); {
	case err == nil:
		return true, nil
	case errors.Is(err, training.ErrNotFound):
		return false, nil
	default:
		return false, err
	}
}

var _ accounts.Store = (*Store)(nil)

// PeopleWithRole returns the person IDs of every account holding the role.
// It reads the accounts collection; the jobs call it once a run.
func (s *Store) PeopleWithRole(ctx context.Context, r auth.Role) ([]string, error) {
	docs, err := findAll[accountDoc](ctx, s.db.Collection(colAccounts), bson.D{{Key: "roles", Value: string(r)}},
		options.Find().SetProjection(bson.D{{Key: "_id", Value: 1}}))
	if err != nil {
		return nil, translate("find accounts by role", err)
	}
	ids := make([]string, len(docs))
	for i, d := range docs {
		ids[i] = d.PersonID
	}
	return ids, nil
}

package mongodb

import (
	"context"
	"time"

	"go.mongodb.org/mongo-driver/v2/bson"

	"github.com/complytrack/complytrack/pkg/accounts"
)

// Password reset links, keyed by the hash of their token as invitations
// are; their single use is an insert under the same key.
const (
	colPasswordResets      = "password_resets"
	colPasswordResetsSpent = "password_resets_spent"
)

type passwordResetDoc struct {
	Hash      string    `bson:"_id"`
	PersonID  string    `bson:"person_id"`
	CreatedAt time.Time `bson:"created_at"`
	ExpiresAt time.Time `bson:"expires_at"`
}

// InsertPasswordReset stores a reset link's hash.
func (s *Store) InsertPasswordReset(ctx context.Context, r accounts.PasswordReset) error {
	_, err := s.db.Collection(colPasswordResets).InsertOne(ctx, passwordResetDoc{Hash: r.Hash, PersonID: r.PersonID, CreatedAt: r.CreatedAt, ExpiresAt: r.ExpiresAt})
	return translate("store password reset", err)
}

// PasswordReset finds a reset link by hash, or training.ErrNotFound.
func (s *Store) PasswordReset(ctx context.Context, hash string) (accounts.PasswordReset, error) {
	var d passwordResetDoc
	if err := s.db.Collection(colPasswordResets).FindOne(ctx, bson.D{{Key: "_id", Value: hash}}).Decode(&d); err != nil {
		return accounts.PasswordReset{}, translate("find password reset", err)
	}
	return accounts.PasswordReset{Hash: d.Hash, PersonID: d.PersonID, CreatedAt: d.CreatedAt.UTC(), ExpiresAt: d.ExpiresAt.UTC()}, nil
}

// SpendPasswordReset records a reset link's single use; a second is
// training.ErrConflict.
func (s *Store) SpendPasswordReset(ctx context.Context, hash string, at time.Time) error {
	_, err := s.db.Collection(colPasswordResetsSpent).InsertOne(ctx, spentDoc{ID: hash, At: at})
	return translate("spend password reset", err)
}

// PasswordResetSpent reports whether a reset link has been used.
func (s *Store) PasswordResetSpent(ctx context.Context, hash string) (bool, error) {
	return s.exists(ctx, colPasswordResetsSpent, hash)
}

var _ accounts.ResetStore = (*Store)(nil)

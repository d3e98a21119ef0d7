package mongodb

import (
	"context"
	"errors"
	"time"

	"go.mongodb.org/mongo-driver/v2/bson"
	"go.mongodb.org/mongo-driver/v2/mongo/options"

	"github.com/complytrack/complytrack/pkg/accounts"
	"github.com/complytrack/complytrack/pkg/training"
)

// Single sign-on: the links of provider identities to people, both ways,
// each keyed by _id (the embedded engine indexes nothing else): by the
// identity for signing in, by the person for HR's page. People's latest
// sign-ins, by person. Sign-ins under way, by the hash of their state, and
// their single use, an insert under the same key.
const (
	colSSOLinks         = "sso_links"
	colSSOLinksByPerson = "sso_links_by_person"
	colLastSignIns      = "last_sign_ins"
	colSSOAttempts      = "sso_attempts"
	colSSOAttemptsSpent = "sso_attempts_spent"
)

type ssoLinkDoc struct {
	ID       string    `bson:"_id"`
	PersonID string    `bson:"person_id"`
	Issuer   string    `bson:"issuer"`
	Subject  string    `bson:"subject"`
	LinkedAt time.Time `bson:"linked_at"`
}

func (d ssoLinkDoc) link() accounts.SSOLink {
	return accounts.SSOLink{Issuer: d.Issuer, Subject: d.Subject, PersonID: d.PersonID, LinkedAt: d.LinkedAt.UTC()}
}

// SSOLink finds a link by its identity's key.
func (s *Store) SSOLink(ctx context.Context, id string) (accounts.SSOLink, error) {
	var d ssoLinkDoc
	if err := s.db.Collection(colSSOLinks).FindOne(ctx, bson.D{{Key: "_id", Value: id}}).Decode(&d); err != nil {
		return accounts.SSOLink{}, translate("find sso link", err)
	}
	return d.link(), nil
}

// SSOLinkOf finds a person's link.
func (s *Store) SSOLinkOf(ctx context.Context, personID string) (accounts.SSOLink, error) {
	var d ssoLinkDoc
	if err := s.db.Collection(colSSOLinksByPerson).FindOne(ctx, bson.D{{Key: "_id", Value: personID}}).Decode(&d); err != nil {
		return accounts.SSOLink{}, translate("find sso link of person", err)
	}
	return d.link(), nil
}

// InsertSSOLink links an identity to a person. The person's record goes
// first: its _id makes "one identity per person" hold under a race. An
// identity linked already is training.ErrConflict, and undoes the first.
func (s *Store) InsertSSOLink(ctx context.Context, l accounts.SSOLink) error {
	byPerson := ssoLinkDoc{ID: l.PersonID, PersonID: l.PersonID, Issuer: l.Issuer, Subject: l.Subject, LinkedAt: l.LinkedAt}
	if _, err := s.db.Collection(colSSOLinksByPerson).InsertOne(ctx, byPerson); err != nil {
		return translate("link person", err)
	}
	byID := byPerson
	byID.ID = l.ID()
	if _, err := s.db.Collection(colSSOLinks).InsertOne(ctx, byID); err != nil {
		err = translate("link identity", err)
		if errors.Is(err, training.ErrConflict) {
			_, _ = s.db.Collection(colSSOLinksByPerson).DeleteOne(ctx, bson.D{{Key: "_id", Value: l.PersonID}})
		}
		return err
	}
	return nil
}

// DeleteSSOLink removes a link both ways; one already gone is not an error.
func (s *Store) DeleteSSOLink(ctx context.Context, l accounts.SSOLink) error {
	if _, err := s.db.Collection(colSSOLinks).DeleteOne(ctx, bson.D{{Key: "_id", Value: l.ID()}}); err != nil {
		return translate("unlink identity", err)
	}
	_, err := s.db.Collection(colSSOLinksByPerson).DeleteOne(ctx, bson.D{{Key: "_id", Value: l.PersonID}})
	return translate("unlink person", err)
}

type signInDoc struct {
	PersonID string    `bson:"_id"`
	At       time.Time `bson:"at"`
	Method   string    `bson:"method"`
}

// NoteSignIn records a person's latest sign-in.
func (s *Store) NoteSignIn(ctx context.Context, personID string, in accounts.SignIn) error {
	_, err := s.db.Collection(colLastSignIns).ReplaceOne(ctx, bson.D{{Key: "_id", Value: personID}},
		signInDoc{PersonID: personID, At: in.At, Method: in.Method}, options.Replace().SetUpsert(true))
	return translate("note sign-in", err)
}

// LastSignIn is a person's latest sign-in, or training.ErrNotFound.
func (s *Store) LastSignIn(ctx context.Context, personID string) (accounts.SignIn, error) {
	var d signInDoc
	if err := s.db.Collection(colLastSignIns).FindOne(ctx, bson.D{{Key: "_id", Value: personID}}).Decode(&d); err != nil {
		return accounts.SignIn{}, translate("find last sign-in", err)
	}
	return accounts.SignIn{At: d.At.UTC(), Method: d.Method}, nil
}

var _ accounts.SSOStore = (*Store)(nil)

type ssoAttemptDoc struct {
	Key                 string `bson:"_id"`
	accounts.SSOAttempt `bson:",inline"`
}

// PutSSOAttempt keeps an attempt under key (the hash of its state).
func (s *Store) PutSSOAttempt(ctx context.Context, key string, a accounts.SSOAttempt) error {
	_, err := s.db.Collection(colSSOAttempts).InsertOne(ctx, ssoAttemptDoc{Key: key, SSOAttempt: a})
	return translate("store sso attempt", err)
}

// TakeSSOAttempt returns the attempt kept under key and uses it up; ok is
// false when there is none, it has expired, or it was taken already (the
// loser of two takes at once finds it taken: the use is an insert).
func (s *Store) TakeSSOAttempt(ctx context.Context, key string) (accounts.SSOAttempt, bool, error) {
	var d ssoAttemptDoc
	err := translate("find sso attempt", s.db.Collection(colSSOAttempts).FindOne(ctx, bson.D{{Key: "_id", Value: key}}).Decode(&d))
	if errors.Is(err, training.ErrNotFound) {
		return accounts.SSOAttempt{}, false, nil
	}
	if err != nil {
		return accounts.SSOAttempt{}, false, err
	}
	_, err = s.db.Collection(colSSOAttemptsSpent).InsertOne(ctx, spentDoc{ID: key, At: s.now().UTC()})
	if err = translate("spend sso attempt", err); errors.Is(err, training.ErrConflict) {
		return accounts.SSOAttempt{}, false, nil
	}
	if err != nil {
		return accounts.SSOAttempt{}, false, err
	}
	if !s.now().Before(d.ExpiresAt) {
		return accounts.SSOAttempt{}, false, nil
	}
	return d.SSOAttempt, true, nil
}

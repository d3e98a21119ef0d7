package mongodb

import (
	"context"
	"errors"
	"strconv"
	"time"

	"go.mongodb.org/mongo-driver/v2/bson"
	"go.mongodb.org/mongo-driver/v2/mongo/options"

	"github.com/complytrack/complytrack/pkg/auth"
	"github.com/complytrack/complytrack/pkg/training"
)

// colSigninFailures holds failed sign-in attempts, so that every API
// replica counts the same ones. A failure's _id is "<key>|<bucket>|<n>" and
// a reset's "<key>|reset", so every read and write is by _id (the only fast
// look-up on the embedded engine) and every failure is an insert (the only
// atomic write on both engines). Neither engine needs a TTL index: the
// limiter deletes records past expires_at itself.
const colSigninFailures = "signin_failures"

type signinFailureDoc struct {
	ID        string    `bson:"_id"`
	At        time.Time `bson:"at"`
	ExpiresAt time.Time `bson:"expires_at"`
}

func failureID(key string, bucket int64, n int) string {
	return key + "|" + strconv.FormatInt(bucket, 10) + "|" + strconv.Itoa(n)
}

func resetID(key string) string { return key + "|reset" }

// FailureAt returns when failure n of key in bucket happened.
func (s *Store) FailureAt(ctx context.Context, key string, bucket int64, n int) (time.Time, bool, error) {
	return s.signinRecordAt(ctx, "find sign-in failure", failureID(key, bucket, n))
}

// signinRecordAt returns when the failure or reset with _id id happened;
// found is false when there is none.
func (s *Store) signinRecordAt(ctx context.Context, what, id string) (at time.Time, found bool, err error) {
	var d signinFailureDoc
	err = translate(what, s.db.Collection(colSigninFailures).FindOne(ctx, bson.D{{Key: "_id", Value: id}}).Decode(&d))
	switch {
	case errors.Is(err, training.ErrNotFound):
		return time.Time{}, false, nil
	case err != nil:
		return time.Time{}, false, err
	}
	return d.At.UTC(), true, nil
}

// AddFailure inserts failure n of key in bucket; taken reports that it
// exists already.
func (s *Store) AddFailure(ctx context.Context, key string, bucket int64, n int, at, expires time.Time) (bool, error) {
	_, err := s.db.Collection(colSigninFailures).InsertOne(ctx, signinFailureDoc{ID: failureID(key, bucket, n), At: at, ExpiresAt: expires})
	err = translate("record sign-in failure", err)
	if errors.Is(err, training.ErrConflict) {
		return true, nil
	}
	return false, err
}

// ResetAt returns when key's failures were last forgotten.
func (s *Store) ResetAt(ctx context.Context, key string) (time.Time, error) {
	at, _, err := s.signinRecordAt(ctx, "find sign-in reset", resetID(key))
	return at, err
}

// Reset records that key's failures up to at no longer count. Two resets
// at once may both try to insert; the loser's conflict is retried as the
// replace it then is.
func (s *Store) Reset(ctx context.Context, key string, at, expires time.Time) error {
	d := signinFailureDoc{ID: resetID(key), At: at, ExpiresAt: expires}
	var err error
	for range 2 {
		_, err = s.db.Collection(colSigninFailures).ReplaceOne(ctx, bson.D{{Key: "_id", Value: d.ID}}, d, options.Replace().SetUpsert(true))
		if err = translate("reset sign-in failures", err); !errors.Is(err, training.ErrConflict) {
			return err
		}
	}
	return err
}

// DeleteExpired deletes failures and resets that can no longer matter.
// On the embedded engine this reads the whole collection, which holds only
// the last few minutes' failures because of it.
func (s *Store) DeleteExpired(ctx context.Context, now time.Time) error {
	_, err := s.db.Collection(colSigninFailures).DeleteMany(ctx, bson.D{{Key: "expires_at", Value: bson.D{{Key: "$lt", Value: now}}}})
	return translate("delete expired sign-in failures", err)
}

var _ auth.FailureStore = (*Store)(nil)

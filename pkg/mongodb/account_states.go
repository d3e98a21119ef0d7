package mongodb

import (
	"context"
	"crypto/rand"
	"errors"
	"time"

	"go.mongodb.org/mongo-driver/v2/bson"
	"go.mongodb.org/mongo-driver/v2/mongo"
	"go.mongodb.org/mongo-driver/v2/mongo/options"

	"github.com/complytrack/complytrack/pkg/accounts"
	"github.com/complytrack/complytrack/pkg/training"
)

// What the pages need to say about many people's accounts at once. The
// embedded engine uses an index only for an exact _id look-up, and the
// invitations are keyed by their token's hash, so each person's latest
// invitation is also kept under the person's own ID (invitations_latest):
// a page of people is read by _id, and everyone (the "invite everyone"
// count) by reading the two small collections once.
const (
	colInvitationsLatest = "invitations_latest"
	colAddedBatches      = "added_batches"
)

// byIDLimit is the most people looked up one by one by _id; past it the
// whole collection is read once, which is cheaper than that many look-ups.
const byIDLimit = 200

type latestInvitationDoc struct {
	PersonID  string    `bson:"_id"`
	CreatedAt time.Time `bson:"created_at"`
	ExpiresAt time.Time `bson:"expires_at"`
}

// noteLatestInvitations records each invitation as its person's latest.
// Invitations are issued with the same lifetime, so a later one never
// expires earlier: replacing is enough. Most people are invited for the
// first time, so the records are inserted in one write and only those
// refused as already there are replaced, one by one: an upsert reads the
// collection on the embedded engine, which made inviting 5,000 people at
// once take half a minute.
func (s *Store) noteLatestInvitations(ctx context.Context, invs []accounts.Invitation) error {
	if len(invs) == 0 {
		return nil
	}
	docs := make([]any, len(invs))
	for i, inv := range invs {
		docs[i] = latestInvitationDoc{PersonID: inv.PersonID, CreatedAt: inv.CreatedAt, ExpiresAt: inv.ExpiresAt}
	}
	col := s.db.Collection(colInvitationsLatest)
	_, err := col.InsertMany(ctx, docs, options.InsertMany().SetOrdered(false))
	var bwe mongo.BulkWriteException
	switch {
	case err == nil:
		return nil
	case !errors.As(err, &bwe) || !onlyDuplicates(bwe):
		return translate("note latest invitation", err)
	}
	for _, we := range bwe.WriteErrors {
		d := docs[we.Index].(latestInvitationDoc)
		if _, err := col.ReplaceOne(ctx, bson.D{{Key: "_id", Value: d.PersonID}}, d, options.Replace().SetUpsert(true)); err != nil {
			return translate("note latest invitation", err)
		}
	}
	return nil
}

// InsertInvitations stores many invitations at once, in batches.
func (s *Store) InsertInvitations(ctx context.Context, invs []accounts.Invitation) error {
	for start := 0; start < len(invs); start += bulkBatch {
		end := min(start+bulkBatch, len(invs))
		docs := make([]any, 0, end-start)
		for _, inv := range invs[start:end] {
			docs = append(docs, invitationDoc{Hash: inv.Hash, PersonID: inv.PersonID, CreatedBy: inv.CreatedBy, CreatedAt: inv.CreatedAt, ExpiresAt: inv.ExpiresAt})
		}
		if _, err := s.db.Collection(colInvitations).InsertMany(ctx, docs); err != nil {
			return translate("store invitations", err)
		}
		if err := s.noteLatestInvitations(ctx, invs[start:end]); err != nil {
			return err
		}
	}
	return nil
}

// AccountHolders says which of the people have an account; nil asks about
// everyone.
func (s *Store) AccountHolders(ctx context.Context, personIDs []string) (map[string]bool, error) {
	out := map[string]bool{}
	err := s.eachByID(ctx, colAccounts, personIDs, func(raw bson.Raw) error {
		if id, ok := raw.Lookup("_id").StringValueOK(); ok {
			out[id] = true
		}
		return nil
	})
	return out, err
}

// LatestInvitations returns, by person, when their latest invitation was
// issued and when it expires; nil asks about everyone. Someone never
// invited is absent.
func (s *Store) LatestInvitations(ctx context.Context, personIDs []string) (map[string]accounts.Invitation, error) {
	out := map[string]accounts.Invitation{}
	err := s.eachByID(ctx, colInvitationsLatest, personIDs, func(raw bson.Raw) error {
		var d latestInvitationDoc
		if err := bson.Unmarshal(raw, &d); err != nil {
			return err
		}
		out[d.PersonID] = accounts.Invitation{PersonID: d.PersonID, CreatedAt: d.CreatedAt.UTC(), ExpiresAt: d.ExpiresAt.UTC()}
		return nil
	})
	return out, err
}

// eachByID calls fn with the documents of the collection whose _id is one
// of ids: by _id look-ups for a page of them, else (and for nil: all) by
// reading the collection once.
func (s *Store) eachByID(ctx context.Context, collection string, ids []string, fn func(bson.Raw) error) error {
	col := s.db.Collection(collection)
	if ids != nil && len(ids) <= byIDLimit {
		for _, id := range ids {
			raw, err := col.FindOne(ctx, bson.D{{Key: "_id", Value: id}}).Raw()
			switch err = translate("find "+collection, err); {
			case errors.Is(err, training.ErrNotFound):
				continue
			case err != nil:
				return err
			}
			if err := fn(raw); err != nil {
				return err
			}
		}
		return nil
	}
	want := map[string]bool{}
	for _, id := range ids {
		want[id] = true
	}
	cur, err := col.Find(ctx, bson.D{})
	if err != nil {
		return translate("read "+collection, err)
	}
	defer cur.Close(ctx)
	for cur.Next(ctx) {
		if ids != nil {
			if id, ok := cur.Current.Lookup("_id").StringValueOK(); !ok || !want[id] {
				continue
			}
		}
		if err := fn(cur.Current); err != nil {
			return err
		}
	}
	return translate("read "+collection, cur.Err())
}

type addedBatchDoc struct {
	ID        string    `bson:"_id"`
	Owner     string    `bson:"owner"`
	PersonIDs []string  `bson:"person_ids"`
	CreatedAt time.Time `bson:"created_at"`
}

// KeepAdded remembers the people owner just added (an import, a person
// added by hand) under a new random ID, which it returns.
func (s *Store) KeepAdded(ctx context.Context, owner string, personIDs []string, at time.Time) (string, error) {
	// Random, so that an address holding it cannot be guessed from another.
	id := rand.Text()
	_, err := s.db.Collection(colAddedBatches).InsertOne(ctx, addedBatchDoc{ID: id, Owner: owner, PersonIDs: personIDs, CreatedAt: at.UTC()})
	return id, translate("keep added people", err)
}

// Added returns the people kept under id for owner and when; ok is false
// when there is no such record or it is someone else's.
func (s *Store) Added(ctx context.Context, owner, id string) (personIDs []string, at time.Time, ok bool, err error) {
	var d addedBatchDoc
	err = translate("find added people", s.db.Collection(colAddedBatches).FindOne(ctx, bson.D{{Key: "_id", Value: id}}).Decode(&d))
	switch {
	case errors.Is(err, training.ErrNotFound):
		return nil, time.Time{}, false, nil
	case err != nil:
		return nil, time.Time{}, false, err
	case d.Owner != owner:
		return nil, time.Time{}, false, nil
	}
	return d.PersonIDs, d.CreatedAt.UTC(), true, nil
}

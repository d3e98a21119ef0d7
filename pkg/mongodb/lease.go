package mongodb

import (
	"context"
	"errors"
	"fmt"
	"time"

	"go.mongodb.org/mongo-driver/v2/bson"
	"go.mongodb.org/mongo-driver/v2/mongo"
	"go.mongodb.org/mongo-driver/v2/mongo/options"
)

// The scheduled jobs' lease lock (see package jobs for the design).
const (
	colJobLeases = "job_leases" // one document per epoch of each job's lease, the last few kept
	colJobRuns   = "job_runs"   // one document per finished run, kept for a retention period
)

// leaseDoc is epoch Epoch of a job's lease. Its _id is "<job>/<epoch, 12
// digits>", so that of the contenders inserting the same epoch exactly one
// succeeds. After the insert only its holder writes it (renewal and
// release move expires_at), so no two writers ever race on it.
type leaseDoc struct {
	ID         string    `bson:"_id"`
	Job        string    `bson:"job"`
	Epoch      int64     `bson:"epoch"`
	Holder     string    `bson:"holder"`
	RunAt      time.Time `bson:"run_at"`
	AcquiredAt time.Time `bson:"acquired_at"`
	ExpiresAt  time.Time `bson:"expires_at"`
	ReleasedAt time.Time `bson:"released_at,omitempty"`
}

// runDoc records that a job's run scheduled at RunAt finished. Its _id is
// "<job>/run/<run_at in UTC, RFC 3339>".
type runDoc struct {
	ID         string    `bson:"_id"`
	Job        string    `bson:"job"`
	RunAt      time.Time `bson:"run_at"`
	Epoch      int64     `bson:"epoch"`
	Holder     string    `bson:"holder"`
	FinishedAt time.Time `bson:"finished_at"`
}

func leaseID(job string, epoch int64) string { return fmt.Sprintf("%s/%012d", job, epoch) }

func runID(job string, runAt time.Time) string {
	return job + "/run/" + runAt.UTC().Format(time.RFC3339)
}

// LatestLease returns the holder and expiry of job's lease with the highest
// epoch, or training.ErrNotFound when the job has never been leased.
func (s *Store) LatestLease(ctx context.Context, job string) (epoch int64, holder string, expiresAt time.Time, err error) {
	var d leaseDoc
	err = s.db.Collection(colJobLeases).FindOne(ctx, bson.D{{Key: "job", Value: job}},
		options.FindOne().SetSort(bson.D{{Key: "epoch", Value: -1}})).Decode(&d)
	if err != nil {
		return 0, "", time.Time{}, translate("read lease of "+job, err)
	}
	return d.Epoch, d.Holder, d.ExpiresAt.UTC(), nil
}

// InsertLease stores epoch of job's lease, held by holder until expiresAt
// for the run scheduled at runAt. It is training.ErrConflict when that epoch
// exists: another contender took it first.
func (s *Store) InsertLease(ctx context.Context, job string, epoch int64, holder string, runAt, acquiredAt, expiresAt time.Time) error {
	_, err := s.db.Collection(colJobLeases).InsertOne(ctx, leaseDoc{
		ID: leaseID(job, epoch), Job: job, Epoch: epoch, Holder: holder,
		RunAt: runAt.UTC(), AcquiredAt: acquiredAt.UTC(), ExpiresAt: expiresAt.UTC(),
	})
	return translate("acquire lease of "+job, err)
}

// ExtendLease moves the expiry of epoch of job's lease to expiresAt. Only
// the holder calls it. It is training.ErrNotFound when the epoch's document
// is gone (pruned after later epochs were taken).
func (s *Store) ExtendLease(ctx context.Context, job string, epoch int64, expiresAt time.Time) error {
	return s.setLease(ctx, "renew", job, epoch, bson.D{{Key: "expires_at", Value: expiresAt.UTC()}})
}

// ReleaseLease ends epoch of job's lease at at, so the next contender need
// not wait for it to expire. Only the holder calls it.
func (s *Store) ReleaseLease(ctx context.Context, job string, epoch int64, at time.Time) error {
	return s.setLease(ctx, "release", job, epoch, bson.D{{Key: "expires_at", Value: at.UTC()}, {Key: "released_at", Value: at.UTC()}})
}

func (s *Store) setLease(ctx context.Context, op, job string, epoch int64, set bson.D) error {
	res, err := s.db.Collection(colJobLeases).UpdateOne(ctx, bson.D{{Key: "_id", Value: leaseID(job, epoch)}}, bson.D{{Key: "$set", Value: set}})
	if err != nil {
		return translate(op+" lease of "+job, err)
	}
	if res.MatchedCount == 0 {
		return translate(op+" lease of "+job, mongo.ErrNoDocuments)
	}
	return nil
}

// PruneLeases deletes job's lease epochs below epoch.
func (s *Store) PruneLeases(ctx context.Context, job string, below int64) error {
	_, err := s.db.Collection(colJobLeases).DeleteMany(ctx, bson.D{
		{Key: "job", Value: job}, {Key: "epoch", Value: bson.D{{Key: "$lt", Value: below}}},
	})
	return translate("prune leases of "+job, err)
}

// MarkRunDone records that job's run scheduled at runAt finished under
// epoch of the lease. It is training.ErrConflict when the run was already
// recorded as done.
func (s *Store) MarkRunDone(ctx context.Context, job string, runAt time.Time, epoch int64, holder string, finishedAt time.Time) error {
	_, err := s.db.Collection(colJobRuns).InsertOne(ctx, runDoc{
		ID: runID(job, runAt), Job: job, RunAt: runAt.UTC(), Epoch: epoch, Holder: holder, FinishedAt: finishedAt.UTC(),
	})
	return translate("record run of "+job, err)
}

// RunDone reports whether job's run scheduled at runAt finished.
func (s *Store) RunDone(ctx context.Context, job string, runAt time.Time) (bool, error) {
	err := s.db.Collection(colJobRuns).FindOne(ctx, bson.D{{Key: "_id", Value: runID(job, runAt)}},
		options.FindOne().SetProjection(bson.D{{Key: "_id", Value: 1}})).Err()
	switch {
	case err == nil:
		return true, nil
	case errors.Is(err, mongo.ErrNoDocuments):
		return false, nil
	default:
		return false, translate("read run of "+job, err)
	}
}

// PruneRuns deletes the records of job's runs scheduled before before.
func (s *Store) PruneRuns(ctx context.Context, job string, before time.Time) error {
	_, err := s.db.Collection(colJobRuns).DeleteMany(ctx, bson.D{
		{Key: "job", Value: job}, {Key: "run_at", Value: bson.D{{Key: "$lt", Value: before.UTC()}}},
	})
	return translate("prune runs of "+job, err)
}

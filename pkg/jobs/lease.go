package jobs

import (
	"context"
	"errors"
	"fmt"
	"log/slog"
	"sync"
	"time"

	"github.com/jonboulle/clockwork"

	"github.com/complytrack/complytrack/pkg/logging"
	"github.com/complytrack/complytrack/pkg/training"
)

// LeaseStore keeps the jobs' leases and the records of finished runs (see
// the package documentation). pkg/mongodb's Store implements it. Times are
// stored to the millisecond.
type LeaseStore interface {
	// LatestLease returns the epoch, holder and expiry of job's lease with
	// the highest epoch, or training.ErrNotFound when job was never leased.
	LatestLease(ctx context.Context, job string) (epoch int64, holder string, expiresAt time.Time, err error)
	// InsertLease stores epoch of job's lease, held by holder until
	// expiresAt for the run scheduled at runAt. It is training.ErrConflict
	// when that epoch exists: another contender took it first.
	InsertLease(ctx context.Context, job string, epoch int64, holder string, runAt, acquiredAt, expiresAt time.Time) error
	// ExtendLease moves the expiry of epoch of job's lease. Only its holder
	// calls it. It is training.ErrNotFound when the epoch has been pruned.
	ExtendLease(ctx context.Context, job string, epoch int64, expiresAt time.Time) error
	// ReleaseLease ends epoch of job's lease at the given time. Only its
	// holder calls it.
	ReleaseLease(ctx context.Context, job string, epoch int64, at time.Time) error
	// PruneLeases deletes job's lease epochs below the given one.
	PruneLeases(ctx context.Context, job string, below int64) error
	// MarkRunDone records that job's run scheduled at runAt finished. It
	// is training.ErrConflict when the run is recorded already.
	MarkRunDone(ctx context.Context, job string, runAt time.Time, epoch int64, holder string, finishedAt time.Time) error
	// RunDone reports whether job's run scheduled at runAt is recorded as
	// finished.
	RunDone(ctx context.Context, job string, runAt time.Time) (bool, error)
	// PruneRuns deletes the records of job's runs scheduled before the
	// given time.
	PruneRuns(ctx context.Context, job string, before time.Time) error
}

// ErrLeaseLost means the lease ran out or another holder took it over: the
// run must stop writing.
var ErrLeaseLost = errors.New("jobs: lease lost")

// Lease is a holder's claim on one epoch of a job's lease, for one run.
// Check it (or write through Fenced) before each batch of writes. A nil
// *Lease, as in a job function called directly by a test, always passes.
type Lease struct {
	store  LeaseStore
	clock  clockwork.Clock
	job    string
	epoch  int64
	holder string
	ttl    time.Duration

	mu        sync.Mutex
	expiresAt time.Time
	lost      bool // the lease is gone for good: lost, or released by its holder
}

// Epoch returns the lease's fencing token: it grows with every new holder
// of the job's lease.
func (l *Lease) Epoch() int64 {
	if l == nil {
		return 0
	}
	return l.epoch
}

// Holder returns the process identifier that holds the lease.
func (l *Lease) Holder() string {
	if l == nil {
		return ""
	}
	return l.holder
}

// ExpiresAt returns when the lease ends unless renewed.
func (l *Lease) ExpiresAt() time.Time {
	if l == nil {
		return time.Time{}
	}
	l.mu.Lock()
	defer l.mu.Unlock()
	return l.expiresAt
}

// Check returns an error wrapping ErrLeaseLost when the lease has expired,
// was released, or a higher epoch exists (another process took over), and
// the store's error when it cannot tell. Either way the caller must not
// write. It reads the job's latest lease: one small query.
func (l *Lease) Check(ctx context.Context) error {
	if l == nil {
		return nil
	}
	l.mu.Lock()
	lost, expiresAt := l.lost, l.expiresAt
	l.mu.Unlock()
	if lost {
		return l.lostError("released or lost before")
	}
	if !l.clock.Now().Before(expiresAt) {
		return l.markLost(fmt.Sprintf("expired at %s", expiresAt.Format(time.RFC3339)))
	}
	epoch, holder, _, err := l.store.LatestLease(ctx, l.job)
	switch {
	case errors.Is(err, training.ErrNotFound):
		return l.markLost("its record is gone")
	case err != nil:
		return fmt.Errorf("check lease of %s: %w", l.job, err)
	case epoch != l.epoch:
		return l.markLost(fmt.Sprintf("taken over by %s as epoch %d", holder, epoch))
	}
	return nil
}

// Fenced calls write after checking that the lease is still held, so that
// a holder whose lease was taken over stops writing. Jobs call it for each
// batch of writes.
func (l *Lease) Fenced(ctx context.Context, write func(context.Context) error) error {
	if err := l.Check(ctx); err != nil {
		return err
	}
	return write(ctx)
}

// renew extends the lease by its length from now, after checking it is
// still held. It returns ErrLeaseLost when it is not.
func (l *Lease) renew(ctx context.Context) error {
	if err := l.Check(ctx); err != nil {
		return err
	}
	expiresAt := l.clock.Now().Add(l.ttl).Truncate(time.Millisecond)
	err := l.store.ExtendLease(ctx, l.job, l.epoch, expiresAt)
	switch {
	case errors.Is(err, training.ErrNotFound):
		return l.markLost("its record is gone")
	case err != nil:
		return fmt.Errorf("renew lease of %s: %w", l.job, err)
	}
	l.mu.Lock()
	if !l.lost && expiresAt.After(l.expiresAt) {
		l.expiresAt = expiresAt
	}
	l.mu.Unlock()
	// A contender may have taken over while the renewal was on its way (it
	// read the old expiry); the next Check sees its higher epoch.
	return nil
}

// release gives the lease up, so the next contender need not wait for it
// to expire. A lost lease is left alone.
func (l *Lease) release(ctx context.Context) error {
	l.mu.Lock()
	lost := l.lost
	l.lost = true
	l.mu.Unlock()
	if lost {
		return nil
	}
	if err := l.store.ReleaseLease(ctx, l.job, l.epoch, l.clock.Now().Truncate(time.Millisecond)); err != nil {
		return fmt.Errorf("release lease of %s: %w", l.job, err)
	}
	return nil
}

func (l *Lease) markLost(why string) error {
	l.mu.Lock()
	l.lost = true
	l.mu.Unlock()
	return l.lostError(why)
}

func (l *Lease) lostError(why string) error {
	return fmt.Errorf("%w: %s epoch %d held by %s: %s", ErrLeaseLost, l.job, l.epoch, l.holder, why)
}

// heldError: another process holds the job's lease.
type heldError struct {
	job    string
	holder string
	until  time.Time
}

func (e *heldError) Error() string {
	return fmt.Sprintf("%s is running in %s (lease until %s)", e.job, e.holder, e.until.Format(time.RFC3339))
}

// errRunDone: the run asked for is recorded as finished.
var errRunDone = errors.New("run already finished")

// locker takes leases for one process.
type locker struct {
	store     LeaseStore
	clock     clockwork.Clock
	holder    string
	ttl       time.Duration
	retention time.Duration
	log       *slog.Logger
}

// Lease chain housekeeping: the epochs kept per job, and how often (in
// epochs) the old run records are pruned.
const (
	keepEpochs     = 3
	pruneRunsEvery = 50
)

// acquire takes job's lease for the run scheduled at runAt. It returns a
// *heldError when another process holds the lease (or took the next epoch
// first) and errRunDone when the run is recorded as finished.
func (lk *locker) acquire(ctx context.Context, job string, runAt time.Time) (*Lease, error) {
	now := lk.clock.Now()
	epoch, holder, expiresAt, err := lk.store.LatestLease(ctx, job)
	switch {
	case errors.Is(err, training.ErrNotFound):
		epoch = 0
	case err != nil:
		return nil, err
	case now.Before(expiresAt):
		return nil, &heldError{job: job, holder: holder, until: expiresAt}
	}
	// The previous holder records its run as done before it releases the
	// lease, so a lease seen free means the record, if any, is visible.
	done, err := lk.store.RunDone(ctx, job, runAt)
	if err != nil {
		return nil, err
	}
	if done {
		return nil, errRunDone
	}
	next := epoch + 1
	expiresAt = now.Add(lk.ttl).Truncate(time.Millisecond)
	err = lk.store.InsertLease(ctx, job, next, lk.holder, runAt, now, expiresAt)
	if errors.Is(err, training.ErrConflict) {
		_, holder, until, rerr := lk.store.LatestLease(ctx, job)
		if rerr != nil {
			return nil, rerr
		}
		return nil, &heldError{job: job, holder: holder, until: until}
	}
	if err != nil {
		return nil, err
	}
	l := &Lease{store: lk.store, clock: lk.clock, job: job, epoch: next, holder: lk.holder, ttl: lk.ttl, expiresAt: expiresAt}
	if err := lk.prune(ctx, job, next, now); err != nil {
		lk.log.WarnContext(ctx, "jobs: prune old leases", "job", job, logging.Err(err))
	}
	return l, nil
}

// prune keeps the job's lease chain and run records small. Failures only
// leave a few more documents, so they are not errors of the run.
func (lk *locker) prune(ctx context.Context, job string, epoch int64, now time.Time) error {
	var errs []error
	if epoch > keepEpochs {
		errs = append(errs, lk.store.PruneLeases(ctx, job, epoch-keepEpochs+1))
	}
	if epoch%pruneRunsEvery == 0 {
		errs = append(errs, lk.store.PruneRuns(ctx, job, now.Add(-lk.retention)))
	}
	return errors.Join(errs...)
}

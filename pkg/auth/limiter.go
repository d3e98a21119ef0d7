package auth

import (
	"context"
	"crypto/sha256"
	"encoding/hex"
	"fmt"
	"sync"
	"time"
)

// Limit is how many failures within a sliding window block a key.
type Limit struct {
	Max    int
	Window time.Duration
}

// Sign-in limits: five wrong passwords in five minutes pause one account;
// an address may fail far more often, because a council office or a school
// signs in from behind one address, but not without bound.
var (
	AccountLimit = Limit{Max: 5, Window: 5 * time.Minute}
	AddressLimit = Limit{Max: 100, Window: 5 * time.Minute}
)

// FailureStore keeps failed attempts where every replica sees them.
// pkg/mongodb implements it.
//
// A failure is a record under (key, bucket, n): the n-th failure (counting
// from 1) of key in time bucket bucket. The only operation both database
// engines make atomic is an insert under a unique key, so a failure is
// recorded by inserting the next free n; of two processes that pick the
// same n one gets taken false and tries n+1. A key's records in a bucket
// are therefore numbered 1..count with no gaps, in the order they happened.
type FailureStore interface {
	// FailureAt returns when failure n of key in bucket happened;
	// found is false when there is no such failure.
	FailureAt(ctx context.Context, key string, bucket int64, n int) (at time.Time, found bool, err error)
	// AddFailure records failure n of key in bucket; taken is true when
	// another process recorded failure n first. expires is when the record
	// can no longer matter and may be deleted.
	AddFailure(ctx context.Context, key string, bucket int64, n int, at, expires time.Time) (taken bool, err error)
	// ResetAt returns when key's failures were last forgotten (zero if never).
	ResetAt(ctx context.Context, key string) (time.Time, error)
	// Reset forgets key's failures up to at.
	Reset(ctx context.Context, key string, at, expires time.Time) error
	// DeleteExpired deletes the records whose expiry is before now.
	DeleteExpired(ctx context.Context, now time.Time) error
}

// Limiter counts failures per key (for sign-in: "account:<e-mail>" and
// "ip:<address>") in the shared store, so that every replica counts the
// same failures and the bound does not grow with the number of replicas.
// A key is blocked when Max failures fall within the last Window (and since
// its last Reset), until the oldest of them leaves the window.
//
// Intended use, per sign-in attempt:
//
//	for each key: if wait, ok, err := l.Allow(ctx, key, limit); !ok { refuse, Retry-After: wait; do not verify }
//	... verify the password ...
//	on failure: l.Failure(ctx, key, limit) for every key
//	on success: l.Reset(ctx, "account:<e-mail>") only
//
// Success resets only the account key: resetting the address key too would
// let one client guess at other accounts indefinitely by signing into its
// own account between guesses.
//
// A per-account limit lets anyone pause an account for one window by
// failing on purpose; that is the accepted price for bounding online
// guessing against one account, and why the pause is short and the page
// says until when. Key IPv6 clients by /64 prefix, or one client has
// billions of addresses.
//
// Buckets are as long as the window, so the failures that can matter are in
// the current bucket and the one before: two counts (each a doubling then
// halving search over the numbered records, about 2·log2(count) look-ups by
// _id) and, only when there are Max of them, one read of the record that
// decides and one of the reset time. Records expire two windows after
// their bucket starts and are deleted by a sweep that each process runs at
// most once a minute.
type Limiter struct {
	store FailureStore
	now   func() time.Time

	mu        sync.Mutex
	lastSweep time.Time
}

// NewLimiter returns a limiter on store. now is the clock (time.Now if nil).
func NewLimiter(store FailureStore, now func() time.Time) *Limiter {
	if now == nil {
		now = time.Now
	}
	return &Limiter{store: store, now: now}
}

// sweepEvery bounds how often one process deletes expired records.
const sweepEvery = time.Minute

// Allow reports whether an attempt for key may go ahead. If not, retryAfter
// is how long until it may (always positive).
func (l *Limiter) Allow(ctx context.Context, key string, lim Limit) (retryAfter time.Duration, ok bool, err error) {
	key = storedKey(key)
	now := l.now().UTC()
	oldest, blocked, err := l.decisive(ctx, key, lim, now)
	if err != nil || !blocked {
		return 0, true, err
	}
	return max(oldest.Add(lim.Window).Sub(now), time.Millisecond), false, nil
}

// decisive finds the Max-th most recent failure of key and whether it is
// still inside the window (and after the last reset): if so, key is blocked
// until that failure leaves the window.
func (l *Limiter) decisive(ctx context.Context, key string, lim Limit, now time.Time) (time.Time, bool, error) {
	b := bucketOf(now, lim.Window)
	cur, err := l.count(ctx, key, b)
	if err != nil {
		return time.Time{}, false, err
	}
	bucket, n := b, cur-lim.Max+1
	if cur < lim.Max {
		prev, err := l.count(ctx, key, b-1)
		if err != nil {
			return time.Time{}, false, err
		}
		bucket, n = b-1, prev-(lim.Max-cur)+1
	}
	if n < 1 {
		return time.Time{}, false, nil
	}
	at, found, err := l.store.FailureAt(ctx, key, bucket, n)
	if err != nil || !found || !at.After(now.Add(-lim.Window)) {
		return at, false, err
	}
	// The reset matters only for enough failures inside the window, so a
	// key with few (nearly every sign-in) is decided without reading it.
	reset, err := l.store.ResetAt(ctx, key)
	if err != nil {
		return time.Time{}, false, err
	}
	// A failure at the very time of the reset still counts: the two were
	// concurrent, and counting it is the safe side.
	return at, !at.Before(reset), nil
}

// Failure records a failed attempt for key.
func (l *Limiter) Failure(ctx context.Context, key string, lim Limit) error {
	key = storedKey(key)
	now := l.now().UTC()
	b := bucketOf(now, lim.Window)
	n, err := l.count(ctx, key, b)
	if err != nil {
		return err
	}
	expires := bucketStart(b, lim.Window).Add(2 * lim.Window)
	for n++; ; n++ {
		taken, err := l.store.AddFailure(ctx, key, b, n, now, expires)
		if err != nil {
			return err
		}
		if !taken {
			break
		}
	}
	l.sweep(ctx, now)
	return nil
}

// Reset forgets key's failures so far (for sign-in, the account key after
// the right password).
func (l *Limiter) Reset(ctx context.Context, key string, lim Limit) error {
	now := l.now().UTC()
	return l.store.Reset(ctx, storedKey(key), now, now.Add(lim.Window))
}

// count returns how many failures key has in bucket: the records are
// numbered 1..count without gaps, so the highest present number is found
// by doubling, then halving.
func (l *Limiter) count(ctx context.Context, key string, bucket int64) (int, error) {
	has := func(n int) (bool, error) {
		_, found, err := l.store.FailureAt(ctx, key, bucket, n)
		return found, err
	}
	lo, hi := 0, 1 // failure lo is present (or lo is 0); failure hi is not known yet
	for {
		found, err := has(hi)
		if err != nil {
			return 0, err
		}
		if !found {
			break
		}
		lo, hi = hi, hi*2
	}
	for hi-lo > 1 {
		mid := lo + (hi-lo)/2
		found, err := has(mid)
		if err != nil {
			return 0, err
		}
		if found {
			lo = mid
		} else {
			hi = mid
		}
	}
	return lo, nil
}

// sweep deletes expired records, at most once a minute per process, so the
// store holds only the last few minutes' failures.
func (l *Limiter) sweep(ctx context.Context, now time.Time) {
	l.mu.Lock()
	due := now.Sub(l.lastSweep) >= sweepEvery
	if due {
		l.lastSweep = now
	}
	l.mu.Unlock()
	if due {
		// A failed sweep is tried again a minute later; the records it
		// left cannot change any decision, only take space.
		_ = l.store.DeleteExpired(ctx, now)
	}
}

func bucketOf(t time.Time, window time.Duration) int64 { return t.UnixNano() / int64(window) }

func bucketStart(b int64, window time.Duration) time.Time { return time.Unix(0, b*int64(window)).UTC() }

// maxStoredKeyLen: longer keys are stored as their SHA-256, so a record's
// size is bounded whatever was typed into the e-mail field.
const maxStoredKeyLen = 64

func storedKey(key string) string {
	if len(key) <= maxStoredKeyLen {
		return key
	}
	sum := sha256.Sum256([]byte(key))
	return fmt.Sprintf("sha256:%s", hex.EncodeToString(sum[:]))
}

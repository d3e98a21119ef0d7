package auth

import (
	"container/list"
	"crypto/sha256"
	"sync"
	"time"
)

// Limiter defaults: 5 failures in 5 minutes block a key, and at most
// 50,000 keys are tracked (a few tens of MB at most).
const (
	DefaultMaxFailures    = 5
	DefaultFailureWindow  = 5 * time.Minute
	DefaultLimiterMaxKeys = 50_000
)

// maxStoredKeyLen: longer keys are stored as their SHA-256, so memory per
// key is bounded whatever the caller passes.
const maxStoredKeyLen = 64

// LimiterConfig configures a Limiter. Zero fields take the defaults.
type LimiterConfig struct {
	// MaxFailures within Window block a key.
	MaxFailures int
	// Window is how far back failures count (a sliding window).
	Window time.Duration
	// MaxKeys bounds the number of keys tracked. When a new key would
	// exceed it, the key whose last failure is oldest is forgotten.
	MaxKeys int
	// Now is the clock; time.Now if nil. For tests.
	Now func() time.Time
}

// Limiter counts failures per key (for login: "account:<email>" and
// "ip:<addr>") and blocks a key that has MaxFailures failures within the
// last Window, until the oldest of them leaves the window. It is in-process
// and safe for concurrent use; see the package documentation for what that
// means with several replicas.
//
// Intended use, per login attempt, for each key:
//
//	if wait, ok := l.Allow(key); !ok { answer 429 with Retry-After: wait rounded up to seconds; do not verify }
//	... verify the password ...
//	on failure: l.Failure(key) for every key
//	on success: l.Success("account:<email>") only
//
// Success resets only the account key: resetting the address key too would
// let one client guess at other accounts indefinitely by logging into its
// own account between guesses.
//
// A per-account limit lets anyone lock an account out for one window by
// failing on purpose; that is the accepted price for bounding online
// guessing against a single account. Key IPv6 clients by /64 prefix, or one
// client has billions of addresses.
//
// Memory is bounded by MaxKeys. Entries with no failure inside the window
// are dropped as new failures arrive; if the table is still full, the entry
// with the oldest last failure is dropped, so a flood of new keys can make
// the limiter forget a key early. That only weakens the limit under a flood
// of that size; it never blocks anyone wrongly.
type Limiter struct {
	max     int
	window  time.Duration
	maxKeys int
	now     func() time.Time

	mu      sync.Mutex
	entries map[string]*list.Element // value: *limiterEntry
	// lru orders entries by last failure, most recent at the front, so
	// both expired entries and eviction candidates are at the back.
	lru *list.List
}

type limiterEntry struct {
	key string
	// failures holds the times of at most max most recent failures,
	// oldest first: only the last max can ever matter.
	failures []time.Time
}

// NewLimiter returns a Limiter configured by cfg.
func NewLimiter(cfg LimiterConfig) *Limiter {
	if cfg.MaxFailures <= 0 {
		cfg.MaxFailures = DefaultMaxFailures
	}
	if cfg.Window <= 0 {
		cfg.Window = DefaultFailureWindow
	}
	if cfg.MaxKeys <= 0 {
		cfg.MaxKeys = DefaultLimiterMaxKeys
	}
	if cfg.Now == nil {
		cfg.Now = time.Now
	}
	return &Limiter{
		max:     cfg.MaxFailures,
		window:  cfg.Window,
		maxKeys: cfg.MaxKeys,
		now:     cfg.Now,
		entries: make(map[string]*list.Element),
		lru:     list.New(),
	}
}

// Allow reports whether an attempt for key may go ahead. If not, retryAfter
// is how long until it may (always positive).
func (l *Limiter) Allow(key string) (retryAfter time.Duration, ok bool) {
	key = storedKey(key)
	now := l.now()
	l.mu.Lock()
	defer l.mu.Unlock()
	el, found := l.entries[key]
	if !found {
		return 0, true
	}
	e := el.Value.(*limiterEntry)
	l.prune(e, now)
	if len(e.failures) == 0 {
		l.remove(el)
		return 0, true
	}
	return l.blockedFor(e, now)
}

// Failure records a failed attempt for key and returns how long key is now
// blocked for (0 if it is not). The attempt that reaches the limit is itself
// answered as a failure (for login: 401); it is the next one that Allow
// refuses.
func (l *Limiter) Failure(key string) (retryAfter time.Duration) {
	key = storedKey(key)
	now := l.now()
	l.mu.Lock()
	defer l.mu.Unlock()
	l.dropExpired(now)
	el, found := l.entries[key]
	var e *limiterEntry
	if found {
		e = el.Value.(*limiterEntry)
		l.prune(e, now)
		l.lru.MoveToFront(el)
	} else {
		for len(l.entries) >= l.maxKeys {
			l.remove(l.lru.Back())
		}
		e = &limiterEntry{key: key, failures: make([]time.Time, 0, l.max)}
		l.entries[key] = l.lru.PushFront(e)
	}
	if len(e.failures) == l.max {
		// Keep the slice's capacity: shift out the oldest.
		copy(e.failures, e.failures[1:])
		e.failures = e.failures[:l.max-1]
	}
	e.failures = append(e.failures, now)
	wait, _ := l.blockedFor(e, now)
	return wait
}

// Success forgets key's failures. For login, call it for the account key
// only (see Limiter).
func (l *Limiter) Success(key string) {
	key = storedKey(key)
	l.mu.Lock()
	defer l.mu.Unlock()
	if el, found := l.entries[key]; found {
		l.remove(el)
	}
}

// Len returns the number of keys currently tracked (including some whose
// failures have left the window but have not been dropped yet).
func (l *Limiter) Len() int {
	l.mu.Lock()
	defer l.mu.Unlock()
	return len(l.entries)
}

// blockedFor reports whether e is at the limit and until when.
func (l *Limiter) blockedFor(e *limiterEntry, now time.Time) (time.Duration, bool) {
	if len(e.failures) < l.max {
		return 0, true
	}
	// Blocked until the oldest of the last max failures leaves the window.
	return e.failures[0].Add(l.window).Sub(now), false
}

// expired reports whether t is no longer inside the window ending at now.
func (l *Limiter) expired(t, now time.Time) bool { return !now.Before(t.Add(l.window)) }

// prune drops e's failures that have left the window.
func (l *Limiter) prune(e *limiterEntry, now time.Time) {
	i := 0
	for i < len(e.failures) && l.expired(e.failures[i], now) {
		i++
	}
	if i > 0 {
		n := copy(e.failures, e.failures[i:])
		e.failures = e.failures[:n]
	}
}

// dropExpired removes entries whose last failure has left the window. They
// are all at the back of lru, so this costs O(1) per entry removed.
func (l *Limiter) dropExpired(now time.Time) {
	for el := l.lru.Back(); el != nil; el = l.lru.Back() {
		e := el.Value.(*limiterEntry)
		if len(e.failures) > 0 && !l.expired(e.failures[len(e.failures)-1], now) {
			return
		}
		l.remove(el)
	}
}

func (l *Limiter) remove(el *list.Element) {
	delete(l.entries, el.Value.(*limiterEntry).key)
	l.lru.Remove(el)
}

func storedKey(key string) string {
	if len(key) <= maxStoredKeyLen {
		return key
	}
	sum := sha256.Sum256([]byte(key))
	return string(sum[:])
}

package auth_test

import (
	"fmt"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/complytrack/complytrack/pkg/auth"
)

// fakeClock is a settable clock safe for concurrent use.
type fakeClock struct {
	mu sync.Mutex
	t  time.Time
}

func newFakeClock() *fakeClock { return &fakeClock{t: time.Date(2026, 3, 2, 9, 0, 0, 0, time.UTC)} }

func (c *fakeClock) Now() time.Time {
	c.mu.Lock()
	defer c.mu.Unlock()
	return c.t
}

func (c *fakeClock) Advance(d time.Duration) {
	c.mu.Lock()
	defer c.mu.Unlock()
	c.t = c.t.Add(d)
}

func newLimiter(clock *fakeClock, maxKeys int) *auth.Limiter {
	return auth.NewLimiter(auth.LimiterConfig{MaxFailures: 5, Window: 5 * time.Minute, MaxKeys: maxKeys, Now: clock.Now})
}

func mustAllow(t *testing.T, l *auth.Limiter, key string) {
	t.Helper()
	if wait, ok := l.Allow(key); !ok {
		t.Fatalf("Allow(%s) blocked for %v, want allowed", key, wait)
	}
}

func mustBlock(t *testing.T, l *auth.Limiter, key string, want time.Duration) {
	t.Helper()
	wait, ok := l.Allow(key)
	if ok || wait != want {
		t.Fatalf("Allow(%s) = %v, %v; want blocked for %v", key, wait, ok, want)
	}
}

func TestLimiterBlocksAfterFiveFailures(t *testing.T) {
	clock := newFakeClock()
	l := newLimiter(clock, 0)
	key := "account:alice@example.gov.uk"
	for i := range 4 {
		mustAllow(t, l, key)
		if wait := l.Failure(key); wait != 0 {
			t.Fatalf("failure %d: blocked for %v", i+1, wait)
		}
		clock.Advance(time.Minute)
	}
	// Failures at 0, 1, 2, 3 and 4 minutes: blocked until the first leaves
	// the window, at 5 minutes.
	mustAllow(t, l, key)
	if wait := l.Failure(key); wait != time.Minute {
		t.Fatalf("fifth failure: blocked for %v, want 1m", wait)
	}
	mustBlock(t, l, key, time.Minute)
	clock.Advance(59 * time.Second)
	mustBlock(t, l, key, time.Second)
	// Other keys are unaffected.
	mustAllow(t, l, "account:bob@example.gov.uk")
	mustAllow(t, l, "ip:192.0.2.1")
}

func TestLimiterWindowSlides(t *testing.T) {
	clock := newFakeClock()
	l := newLimiter(clock, 0)
	key := "ip:192.0.2.1"
	for range 5 {
		l.Failure(key)
		clock.Advance(time.Minute)
	}
	// Now at 5 minutes: the failure at 0 has left the window, 4 remain.
	mustAllow(t, l, key)
	// One more failure makes 5 within the window again, until 6 minutes.
	if wait := l.Failure(key); wait != time.Minute {
		t.Fatalf("blocked for %v, want 1m", wait)
	}
	// Long after, everything has expired.
	clock.Advance(10 * time.Minute)
	mustAllow(t, l, key)
	if wait := l.Failure(key); wait != 0 {
		t.Fatalf("first failure of a new window blocked for %v", wait)
	}
}

func TestLimiterSuccessResets(t *testing.T) {
	clock := newFakeClock()
	l := newLimiter(clock, 0)
	account, ip := "account:alice@example.gov.uk", "ip:192.0.2.1"
	for range 4 {
		l.Failure(account)
		l.Failure(ip)
	}
	l.Success(account)
	for range 4 {
		l.Failure(account)
	}
	mustAllow(t, l, account)
	// Only the account key was reset: the address is at its limit.
	if wait := l.Failure(ip); wait != 5*time.Minute {
		t.Fatalf("ip blocked for %v, want 5m", wait)
	}
	mustBlock(t, l, ip, 5*time.Minute)
	// A success while blocked lifts the account block (the caller only
	// reaches Success after Allow, so this is about correct bookkeeping).
	l.Failure(account)
	mustBlock(t, l, account, 5*time.Minute)
	l.Success(account)
	mustAllow(t, l, account)
}

func TestLimiterEvictionBound(t *testing.T) {
	clock := newFakeClock()
	l := newLimiter(clock, 3)
	for range 5 {
		l.Failure("victim")
	}
	mustBlock(t, l, "victim", 5*time.Minute)
	for i := range 10 {
		clock.Advance(time.Second)
		l.Failure(fmt.Sprintf("ip:198.51.100.%d", i))
		if n := l.Len(); n > 3 {
			t.Fatalf("%d keys tracked, bound is 3", n)
		}
	}
	// The least recently failed key went first.
	mustAllow(t, l, "victim")
	if n := l.Len(); n != 3 {
		t.Fatalf("Len = %d, want 3", n)
	}
}

func TestLimiterDropsExpiredEntries(t *testing.T) {
	clock := newFakeClock()
	l := newLimiter(clock, 0)
	for i := range 100 {
		l.Failure(fmt.Sprintf("ip:203.0.113.%d", i))
	}
	if n := l.Len(); n != 100 {
		t.Fatalf("Len = %d, want 100", n)
	}
	clock.Advance(5 * time.Minute)
	l.Failure("ip:203.0.113.200")
	if n := l.Len(); n != 1 {
		t.Fatalf("after the window, Len = %d, want 1", n)
	}
}

func TestLimiterLongKeys(t *testing.T) {
	l := newLimiter(newFakeClock(), 0)
	prefix := "account:" + strings.Repeat("a", 200)
	for range 5 {
		l.Failure(prefix + "1@example.com")
	}
	mustBlock(t, l, prefix+"1@example.com", 5*time.Minute)
	mustAllow(t, l, prefix+"2@example.com")
}

func TestLimiterDefaults(t *testing.T) {
	clock := newFakeClock()
	l := auth.NewLimiter(auth.LimiterConfig{Now: clock.Now})
	for range auth.DefaultMaxFailures - 1 {
		if l.Failure("k") != 0 {
			t.Fatal("blocked early")
		}
	}
	if wait := l.Failure("k"); wait != auth.DefaultFailureWindow {
		t.Fatalf("blocked for %v, want %v", wait, auth.DefaultFailureWindow)
	}
}

func TestLimiterConcurrent(t *testing.T) {
	clock := newFakeClock()
	l := newLimiter(clock, 50)
	var wg sync.WaitGroup
	for g := range 16 {
		wg.Go(func() {
			for i := range 500 {
				key := fmt.Sprintf("k%d", (g*7+i)%80)
				if _, ok := l.Allow(key); ok {
					l.Failure(key)
				}
				if i%50 == 0 {
					l.Success(key)
					clock.Advance(time.Second)
				}
			}
		})
	}
	wg.Wait()
	if n := l.Len(); n > 50 {
		t.Fatalf("Len = %d, bound 50", n)
	}
}

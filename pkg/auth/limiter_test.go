package auth_test

import (
	"context"
	"fmt"
	"strings"
	"sync"
	"testing"
	"time"

	"go.mongodb.org/mongo-driver/v2/bson"
	"go.mongodb.org/mongo-driver/v2/mongo"

	"github.com/complytrack/complytrack/pkg/auth"
	"github.com/complytrack/complytrack/pkg/dbtest"
	"github.com/complytrack/complytrack/pkg/mongodb"
)

func TestMain(m *testing.M) { dbtest.Main(m) }

// fakeClock is a settable clock safe for concurrent use.
type fakeClock struct {
	mu sync.Mutex
	t  time.Time
}

// The start is inside a five-minute bucket, so tests cross bucket edges.
func newFakeClock() *fakeClock { return &fakeClock{t: time.Date(2026, 3, 2, 9, 3, 30, 0, time.UTC)} }

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

// newStore is a fresh database with the store's collections.
func newStore(t *testing.T) (*mongodb.Store, *mongo.Database) {
	t.Helper()
	db := dbtest.New(t)
	s := mongodb.New(db)
	if err := s.Migrate(t.Context()); err != nil {
		t.Fatal(err)
	}
	return s, db
}

var five = auth.Limit{Max: 5, Window: 5 * time.Minute}

func mustAllow(t *testing.T, l *auth.Limiter, key string, lim auth.Limit) {
	t.Helper()
	wait, ok, err := l.Allow(t.Context(), key, lim)
	if err != nil || !ok {
		t.Fatalf("Allow(%s) = %v, %v, %v; want allowed", key, wait, ok, err)
	}
}

func mustBlock(t *testing.T, l *auth.Limiter, key string, lim auth.Limit, want time.Duration) {
	t.Helper()
	wait, ok, err := l.Allow(t.Context(), key, lim)
	if err != nil || ok || wait != want {
		t.Fatalf("Allow(%s) = %v, %v, %v; want blocked for %v", key, wait, ok, err, want)
	}
}

func fail(t *testing.T, l *auth.Limiter, key string, lim auth.Limit) {
	t.Helper()
	if err := l.Failure(t.Context(), key, lim); err != nil {
		t.Fatal(err)
	}
}

// Each row spaces five failures differently and says how long the key is
// blocked after the fifth (0: not blocked).
func TestLimiterSlidingWindow(t *testing.T) {
	store, _ := newStore(t)
	for _, tc := range []struct {
		name    string
		gaps    []time.Duration // before each failure after the first
		blocked time.Duration
	}{
		{"one a minute, across a bucket edge", []time.Duration{time.Minute, time.Minute, time.Minute, time.Minute}, time.Minute},
		{"all at once", []time.Duration{0, 0, 0, 0}, 5 * time.Minute},
		{"the first left the window before the fifth", []time.Duration{5 * time.Minute, 0, 0, 0}, 0},
		{"the first leaves the window just after the fifth", []time.Duration{4*time.Minute + 59*time.Second, 0, 0, 0}, time.Second},
		{"four in one bucket, one in the next", []time.Duration{0, 0, 0, 2 * time.Minute}, 3 * time.Minute},
	} {
		t.Run(tc.name, func(t *testing.T) {
			clock := newFakeClock()
			l := auth.NewLimiter(store, clock.Now)
			key := "account:" + t.Name()
			fail(t, l, key, five)
			for _, g := range tc.gaps {
				clock.Advance(g)
				mustAllow(t, l, key, five)
				fail(t, l, key, five)
			}
			if tc.blocked == 0 {
				mustAllow(t, l, key, five)
				return
			}
			mustBlock(t, l, key, five, tc.blocked)
			clock.Advance(tc.blocked - time.Second)
			mustBlock(t, l, key, five, time.Second)
			clock.Advance(time.Second)
			mustAllow(t, l, key, five)
			// Other keys were never affected.
			mustAllow(t, l, key+"-other", five)
		})
	}
}

func TestLimiterResetForgetsEarlierFailuresOnly(t *testing.T) {
	store, _ := newStore(t)
	clock := newFakeClock()
	l := auth.NewLimiter(store, clock.Now)
	key := "account:alice@example.gov.uk"
	for range 4 {
		fail(t, l, key, five)
	}
	clock.Advance(time.Second)
	if err := l.Reset(t.Context(), key, five); err != nil {
		t.Fatal(err)
	}
	clock.Advance(time.Second)
	for range 4 {
		fail(t, l, key, five)
		mustAllow(t, l, key, five)
	}
	fail(t, l, key, five)
	mustBlock(t, l, key, five, 5*time.Minute)
}

// Two processes on one database (two limiters, each with its own client
// state) count the same failures: the bound does not grow with replicas.
func TestLimitersOnOneDatabaseShareTheCount(t *testing.T) {
	store, db := newStore(t)
	clock := newFakeClock()
	a := auth.NewLimiter(store, clock.Now)
	b := auth.NewLimiter(mongodb.New(db), clock.Now)
	key := "ip:192.0.2.1"
	for i := range 5 {
		l := a
		if i%2 == 1 {
			l = b
		}
		fail(t, l, key, five)
	}
	mustBlock(t, a, key, five, 5*time.Minute)
	mustBlock(t, b, key, five, 5*time.Minute)
}

// Failures recorded at once by many clients are all counted: each is an
// insert under its own number, which both engines make atomic (an $inc
// loses most of them on the embedded engine).
func TestLimiterCountsConcurrentFailures(t *testing.T) {
	store, db := newStore(t)
	clock := newFakeClock()
	lim := auth.Limit{Max: 64, Window: 5 * time.Minute}
	key := "ip:198.51.100.7"
	var wg sync.WaitGroup
	errs := make(chan error, 63)
	for i := range 63 {
		wg.Add(1)
		go func() {
			defer wg.Done()
			// Each goroutine is a process of its own.
			l := auth.NewLimiter(store, clock.Now)
			if i%2 == 0 {
				l = auth.NewLimiter(mongodb.New(db), clock.Now)
			}
			errs <- l.Failure(context.Background(), key, lim)
		}()
	}
	wg.Wait()
	close(errs)
	for err := range errs {
		if err != nil {
			t.Fatal(err)
		}
	}
	l := auth.NewLimiter(store, clock.Now)
	mustAllow(t, l, key, lim)
	fail(t, l, key, lim)
	mustBlock(t, l, key, lim, 5*time.Minute)
}

// Records that can no longer matter are deleted, so the collection holds
// only the last few minutes' failures; a key of any length is stored at a
// bounded size.
func TestLimiterDeletesExpiredRecordsAndBoundsKeys(t *testing.T) {
	store, db := newStore(t)
	clock := newFakeClock()
	l := auth.NewLimiter(store, clock.Now)
	long := "account:" + strings.Repeat("a", 10_000) + "@example.gov.uk"
	for range 3 {
		fail(t, l, long, five)
	}
	if err := l.Reset(t.Context(), long, five); err != nil {
		t.Fatal(err)
	}
	col := db.Collection("signin_failures")
	var doc bson.M
	if err := col.FindOne(t.Context(), bson.D{}).Decode(&doc); err != nil {
		t.Fatal(err)
	}
	if id := doc["_id"].(string); len(id) > 120 {
		t.Errorf("a long key is stored at length %d", len(id))
	}
	clock.Advance(11 * time.Minute)
	fail(t, l, "account:bob@example.gov.uk", five)
	n, err := col.CountDocuments(t.Context(), bson.D{})
	if err != nil {
		t.Fatal(err)
	}
	if n != 1 {
		t.Errorf("%d records after the sweep, want only the new failure", n)
	}
}

// BenchmarkLimiterFailedSignIn is what one wrong password costs the
// limiter: both keys checked, both failures recorded, with the address key
// already near its limit of 100 (the most look-ups).
func BenchmarkLimiterFailedSignIn(b *testing.B) {
	db := dbtest.New(b)
	store := mongodb.New(db)
	if err := store.Migrate(b.Context()); err != nil {
		b.Fatal(err)
	}
	// As at start-up: the embedded engine's look-ups by _id use an index.
	if engine := dbtest.Engine(b); engine != nil {
		if err := engine.IndexIDs(b.Context(), db.Name()); err != nil {
			b.Fatal(err)
		}
	}
	clock := newFakeClock()
	l := auth.NewLimiter(store, clock.Now)
	ctx := b.Context()
	address := "ip:192.0.2.1"
	lim := auth.Limit{Max: 1 << 30, Window: 5 * time.Minute} // never blocks, so the count keeps growing
	for range 90 {
		if err := l.Failure(ctx, address, lim); err != nil {
			b.Fatal(err)
		}
	}
	b.ResetTimer()
	for i := range b.N {
		account := fmt.Sprintf("account:user%d@example.gov.uk", i)
		if _, _, err := l.Allow(ctx, account, auth.AccountLimit); err != nil {
			b.Fatal(err)
		}
		if _, _, err := l.Allow(ctx, address, lim); err != nil {
			b.Fatal(err)
		}
		if err := l.Failure(ctx, account, auth.AccountLimit); err != nil {
			b.Fatal(err)
		}
		if err := l.Failure(ctx, address, lim); err != nil {
			b.Fatal(err)
		}
	}
}

// countingStore counts the look-ups the limiter makes of the real store.
type countingStore struct {
	auth.FailureStore
	mu                  sync.Mutex
	failureAts, resetAt int
}

func (c *countingStore) FailureAt(ctx context.Context, key string, bucket int64, n int) (time.Time, bool, error) {
	c.mu.Lock()
	c.failureAts++
	c.mu.Unlock()
	return c.FailureStore.FailureAt(ctx, key, bucket, n)
}

func (c *countingStore) ResetAt(ctx context.Context, key string) (time.Time, error) {
	c.mu.Lock()
	c.resetAt++
	c.mu.Unlock()
	return c.FailureStore.ResetAt(ctx, key)
}

// Each row is how many failures a key has; a key with fewer than Max is
// allowed on two look-ups (one per bucket) without reading its reset time,
// which matters only once Max failures are on record.
func TestLimiterReadsResetOnlyWhenFailuresCouldBlock(t *testing.T) {
	for _, tc := range []struct {
		failures   int
		wantResets int
	}{
		{0, 0},
		{1, 0},
		{five.Max - 1, 0},
		{five.Max, 1},
	} {
		t.Run(fmt.Sprint(tc.failures), func(t *testing.T) {
			s, _ := newStore(t)
			clock := newFakeClock()
			counted := &countingStore{FailureStore: s}
			l := auth.NewLimiter(counted, clock.Now)
			for range tc.failures {
				fail(t, l, "account:a@example.org", five)
			}
			counted.failureAts, counted.resetAt = 0, 0
			_, ok, err := l.Allow(t.Context(), "account:a@example.org", five)
			if err != nil || ok != (tc.failures < five.Max) {
				t.Fatalf("Allow = %v, %v after %d failures", ok, err, tc.failures)
			}
			if counted.resetAt != tc.wantResets {
				t.Errorf("reset read %d times, want %d", counted.resetAt, tc.wantResets)
			}
			if tc.failures == 0 && counted.failureAts != 2 {
				t.Errorf("a clean key took %d failure look-ups, want 2 (one per bucket)", counted.failureAts)
			}
		})
	}
}

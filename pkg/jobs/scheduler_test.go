package jobs_test

import (
	"context"
	"errors"
	"fmt"
	"io"
	"log/slog"
	"sync"
	"sync/atomic"
	"testing"
	"time"

	"github.com/jonboulle/clockwork"
	"go.mongodb.org/mongo-driver/v2/bson"

	"github.com/complytrack/complytrack/pkg/dbtest"
	"github.com/complytrack/complytrack/pkg/jobs"
	"github.com/complytrack/complytrack/pkg/mongodb"
	"github.com/complytrack/complytrack/pkg/training"
)

func TestMain(m *testing.M) { dbtest.Main(m) }

var _ jobs.LeaseStore = (*mongodb.Store)(nil)

var london = mustLocation("Europe/London")

// start is a minute before the first scheduled run of the tests' daily jobs
// (06:00 in London, which is UTC in November).
var start = time.Date(2026, 11, 27, 5, 59, 0, 0, london)

const (
	ttl        = 2 * time.Minute
	renewEvery = 30 * time.Second
)

func mustLocation(name string) *time.Location {
	loc, err := time.LoadLocation(name)
	if err != nil {
		panic(err)
	}
	return loc
}

func newStore(t *testing.T) *mongodb.Store {
	t.Helper()
	s := mongodb.New(dbtest.New(t))
	if err := s.Migrate(context.Background()); err != nil {
		t.Fatalf("Migrate: %v", err)
	}
	return s
}

// node is one process running the jobs: a scheduler with its own clock and
// holder identity, reporting its events tagged with its number.
type node struct {
	id    int
	s     *jobs.Scheduler
	clock *clockwork.FakeClock
}

type tagged struct {
	node int
	jobs.Event
}

func newNode(t *testing.T, store jobs.LeaseStore, id int, events chan<- tagged, js ...jobs.Job) *node {
	t.Helper()
	clock := clockwork.NewFakeClockAt(start)
	s, err := jobs.New(store, jobs.Config{
		Holder:     fmt.Sprintf("node-%d", id),
		Location:   london,
		LeaseTTL:   ttl,
		RenewEvery: renewEvery,
		Clock:      clock,
		Logger:     slog.New(slog.NewTextHandler(io.Discard, nil)),
		OnEvent: func(e jobs.Event) {
			if events != nil {
				events <- tagged{node: id, Event: e}
			}
		},
	}, js...)
	if err != nil {
		t.Fatalf("jobs.New: %v", err)
	}
	t.Cleanup(func() {
		// Bounded, so that a test that failed with a job still running ends.
		ctx, cancel := context.WithTimeout(context.Background(), 30*time.Second)
		defer cancel()
		if err := s.Shutdown(ctx); err != nil {
			t.Errorf("Shutdown: %v", err)
		}
	})
	return &node{id: id, s: s, clock: clock}
}

// testContext guards against a hang: no assertion depends on it.
func testContext(t *testing.T) context.Context {
	ctx, cancel := context.WithTimeout(context.Background(), 2*time.Minute)
	t.Cleanup(cancel)
	return ctx
}

// fireAt moves n's clock to at, after gocron has set its timer for the
// next run (the only thing on the clock while the node is idle).
func fireAt(ctx context.Context, t *testing.T, n *node, at time.Time) {
	t.Helper()
	if err := n.clock.BlockUntilContext(ctx, 1); err != nil {
		t.Fatalf("node %d: gocron set no timer: %v", n.id, err)
	}
	n.clock.Advance(at.Sub(n.clock.Now()))
}

func next(ctx context.Context, t *testing.T, events <-chan tagged) tagged {
	t.Helper()
	select {
	case e := <-events:
		return e
	case <-ctx.Done():
		t.Fatal("no event: a scheduler is stuck")
		return tagged{}
	}
}

// settle follows the events of the run at `at` until every node is done
// with it, moving a standing-by node's clock on by one renewal interval at
// each of its standby events. With afterFinish, standing-by nodes are
// moved on only once a node has finished the run, so that no lease expires
// while its holder is still working. It returns the count of each kind.
func settle(ctx context.Context, t *testing.T, nodes []*node, events <-chan tagged, at time.Time, afterFinish bool) map[jobs.EventKind]int {
	t.Helper()
	byID := map[int]*node{}
	for _, n := range nodes {
		byID[n.id] = n
	}
	counts := map[jobs.EventKind]int{}
	pending, finished := len(nodes), false
	var waiting []int
	for pending > 0 {
		e := next(ctx, t, events)
		if !e.At.Equal(at) {
			t.Fatalf("node %d: event %s for the run at %s, want %s", e.node, e.Kind, e.At, at)
		}
		counts[e.Kind]++
		switch e.Kind {
		case jobs.EventFinished, jobs.EventFailed:
			pending--
			finished = true
			for _, w := range waiting {
				byID[w].clock.Advance(renewEvery)
			}
			waiting = nil
		case jobs.EventSkipped:
			pending--
		case jobs.EventStandby:
			if afterFinish && !finished {
				waiting = append(waiting, e.node)
			} else {
				byID[e.node].clock.Advance(renewEvery)
			}
		}
	}
	return counts
}

func TestThreeSchedulersRunEachScheduledTimeOnce(t *testing.T) {
	ctx := testContext(t)
	store := newStore(t)
	events := make(chan tagged, 1000)

	var mu sync.Mutex
	runs := map[time.Time][]int{} // scheduled time -> nodes that ran it
	var nodes []*node
	for i := range 3 {
		nodes = append(nodes, newNode(t, store, i, events, jobs.Job{
			Name:     "compliance-scan",
			Schedule: "0 * * * *",
			Run: func(ctx context.Context, run jobs.Run) (jobs.Summary, error) {
				mu.Lock()
				defer mu.Unlock()
				runs[run.At.UTC()] = append(runs[run.At.UTC()], i)
				return jobs.Summary{Counts: map[string]int{"node": i}}, nil
			},
		}))
	}
	for _, n := range nodes {
		n.s.Start()
	}

	const hours = 4
	for h := range hours {
		at := start.Add(time.Minute + time.Duration(h)*time.Hour)
		for _, n := range nodes {
			fireAt(ctx, t, n, at)
		}
		got := settle(ctx, t, nodes, events, at, true)
		want := map[jobs.EventKind]int{jobs.EventStarted: 1, jobs.EventFinished: 1, jobs.EventSkipped: 2}
		for _, k := range []jobs.EventKind{jobs.EventStarted, jobs.EventFinished, jobs.EventSkipped, jobs.EventFailed} {
			if got[k] != want[k] {
				t.Errorf("run at %s: %d %s events, want %d (all: %v)", at.Format("15:04"), got[k], k, want[k], got)
			}
		}
	}

	mu.Lock()
	defer mu.Unlock()
	if len(runs) != hours {
		t.Errorf("ran at %d scheduled times, want %d: %v", len(runs), hours, runs)
	}
	for at, by := range runs {
		if len(by) != 1 {
			t.Errorf("run at %s executed %d times (by nodes %v), want once", at.Format(time.RFC3339), len(by), by)
		}
	}
}

func TestLeaseExpiredMidRunLetsNewHolderInAndFencesOldHolder(t *testing.T) {
	ctx := testContext(t)
	store := newStore(t)
	eventsA := make(chan tagged, 100)
	eventsB := make(chan tagged, 100)

	type outcome struct {
		epoch   int64
		cause   error
		fenced  error
		wrote   bool
		checked error
	}
	aDone := make(chan outcome, 1)
	a := newNode(t, store, 0, eventsA, jobs.Job{
		Name: "compliance-scan", Schedule: "0 6 * * *",
		// A stalls (a long pause) until its lease is found lost.
		Run: func(ctx context.Context, run jobs.Run) (jobs.Summary, error) {
			<-ctx.Done()
			o := outcome{epoch: run.Lease.Epoch(), cause: context.Cause(ctx)}
			o.checked = run.Lease.Check(context.Background())
			o.fenced = run.Lease.Fenced(context.Background(), func(context.Context) error { o.wrote = true; return nil })
			aDone <- o
			return jobs.Summary{}, o.fenced
		},
	})
	var bEpoch atomic.Int64
	b := newNode(t, store, 1, eventsB, jobs.Job{
		Name: "compliance-scan", Schedule: "0 6 * * *",
		Run: func(ctx context.Context, run jobs.Run) (jobs.Summary, error) {
			if err := run.Lease.Check(ctx); err != nil {
				return jobs.Summary{}, err
			}
			bEpoch.Store(run.Lease.Epoch())
			return jobs.Summary{}, nil
		},
	})
	a.s.Start()
	b.s.Start()
	at := start.Add(time.Minute)

	// A takes the lease for 06:00 and stalls: its clock stops, so it does
	// not renew.
	fireAt(ctx, t, a, at)
	if e := next(ctx, t, eventsA); e.Kind != jobs.EventStarted {
		t.Fatalf("A: %s event, want started", e.Kind)
	}

	// B fires at 06:00 too and stands by until A's lease expires (06:02 by
	// the lease), then takes it over and runs the 06:00 run.
	fireAt(ctx, t, b, at)
	got := settle(ctx, t, []*node{b}, eventsB, at, false)
	if got[jobs.EventFinished] != 1 || got[jobs.EventStandby] == 0 {
		t.Fatalf("B: events %v, want standby then finished", got)
	}
	if bEpoch.Load() != 2 {
		t.Errorf("B ran under epoch %d, want 2", bEpoch.Load())
	}

	// A wakes: its next renewal finds epoch 2, so its run's context is
	// cancelled, and its checks refuse to write.
	if err := a.clock.BlockUntilContext(ctx, 2); err != nil { // gocron's next run and A's renewal ticker
		t.Fatal(err)
	}
	a.clock.Advance(renewEvery)
	var o outcome
	select {
	case o = <-aDone:
	case <-ctx.Done():
		t.Fatal("A's run was not cancelled")
	}
	if o.epoch != 1 {
		t.Errorf("A ran under epoch %d, want 1", o.epoch)
	}
	if !errors.Is(o.cause, jobs.ErrLeaseLost) {
		t.Errorf("A's context cancelled with cause %v, want ErrLeaseLost", o.cause)
	}
	if !errors.Is(o.checked, jobs.ErrLeaseLost) {
		t.Errorf("A's Check: %v, want ErrLeaseLost", o.checked)
	}
	if !errors.Is(o.fenced, jobs.ErrLeaseLost) || o.wrote {
		t.Errorf("A's Fenced: %v, wrote %v; want ErrLeaseLost and no write", o.fenced, o.wrote)
	}
	if e := next(ctx, t, eventsA); e.Kind != jobs.EventFailed || !errors.Is(e.Err, jobs.ErrLeaseLost) {
		t.Errorf("A: %s event (%v), want failed with ErrLeaseLost", e.Kind, e.Err)
	}
	if done, err := store.RunDone(ctx, "compliance-scan", at); err != nil || !done {
		t.Errorf("RunDone(06:00) = %v, %v; want true (B finished it)", done, err)
	}
}

func TestLeaseContentionOneOfEightWins(t *testing.T) {
	ctx := testContext(t)
	store := newStore(t)

	t.Run("store", func(t *testing.T) {
		for epoch := int64(1); epoch <= 5; epoch++ {
			var wins, conflicts atomic.Int32
			var wg sync.WaitGroup
			for i := range 8 {
				wg.Add(1)
				go func() {
					defer wg.Done()
					now := start.Add(time.Duration(epoch) * time.Minute)
					err := store.InsertLease(ctx, "contended", epoch, fmt.Sprintf("holder-%d", i), now, now, now.Add(ttl))
					switch {
					case err == nil:
						wins.Add(1)
					case errors.Is(err, training.ErrConflict):
						conflicts.Add(1)
					default:
						t.Errorf("InsertLease: %v", err)
					}
				}()
			}
			wg.Wait()
			if wins.Load() != 1 || conflicts.Load() != 7 {
				t.Errorf("epoch %d: %d winners, %d conflicts; want 1 and 7", epoch, wins.Load(), conflicts.Load())
			}
		}
		if epoch, _, _, err := store.LatestLease(ctx, "contended"); err != nil || epoch != 5 {
			t.Errorf("LatestLease = %d, %v; want 5", epoch, err)
		}
	})

	t.Run("RunNow", func(t *testing.T) {
		release := make(chan struct{})
		var ran atomic.Int32
		var nodes []*node
		for i := range 8 {
			nodes = append(nodes, newNode(t, store, i, nil, jobs.Job{
				Name: "monthly-report",
				Run: func(ctx context.Context, run jobs.Run) (jobs.Summary, error) {
					ran.Add(1)
					<-release
					return jobs.Summary{}, nil
				},
			}))
		}
		results := make(chan error, len(nodes))
		for _, n := range nodes {
			go func() {
				_, err := n.s.RunNow(ctx, "monthly-report")
				results <- err
			}()
		}
		// The winner's run holds the lease until released: every other
		// caller is told it is busy.
		var busy int
		for range len(nodes) - 1 {
			err := <-results
			if !errors.Is(err, jobs.ErrBusy) || !errors.Is(err, training.ErrConflict) {
				t.Errorf("RunNow: %v, want ErrBusy (a conflict)", err)
			}
			busy++
		}
		close(release)
		if err := <-results; err != nil {
			t.Errorf("the winner's RunNow: %v", err)
		}
		if ran.Load() != 1 {
			t.Errorf("ran %d times, want 1", ran.Load())
		}
		// The same minute again: it ran already.
		if _, err := nodes[3].s.RunNow(ctx, "monthly-report"); !errors.Is(err, jobs.ErrAlreadyRan) {
			t.Errorf("RunNow again in the same minute: %v, want ErrAlreadyRan", err)
		}
	})
}

func TestKilledRunIsRunAgainByAnotherHolder(t *testing.T) {
	ctx := testContext(t)
	store := newStore(t)
	at := start.Add(time.Minute)

	// A process took the lease for 06:00 and was killed: no renewal, no
	// release, no record of the run.
	if err := store.InsertLease(ctx, "compliance-scan", 1, "killed", at, at, at.Add(ttl)); err != nil {
		t.Fatal(err)
	}

	events := make(chan tagged, 100)
	var ran []int64
	b := newNode(t, store, 0, events, jobs.Job{
		Name: "compliance-scan", Schedule: "0 6 * * *",
		Run: func(ctx context.Context, run jobs.Run) (jobs.Summary, error) {
			ran = append(ran, run.Lease.Epoch())
			return jobs.Summary{}, nil
		},
	})
	b.s.Start()
	fireAt(ctx, t, b, at)
	got := settle(ctx, t, []*node{b}, events, at, false)
	if got[jobs.EventStandby] == 0 || got[jobs.EventFinished] != 1 {
		t.Errorf("events %v, want standby while the dead lease lasts, then finished", got)
	}
	if len(ran) != 1 || ran[0] != 2 {
		t.Errorf("runs under epochs %v, want one under epoch 2", ran)
	}
	if done, err := store.RunDone(ctx, "compliance-scan", at); err != nil || !done {
		t.Errorf("RunDone = %v, %v; want true", done, err)
	}
}

func TestPanicIsRecoveredAndReported(t *testing.T) {
	ctx := testContext(t)
	store := newStore(t)
	events := make(chan tagged, 100)
	var calls atomic.Int32
	n := newNode(t, store, 0, events, jobs.Job{
		Name: "manager-digest",
		Run: func(ctx context.Context, run jobs.Run) (jobs.Summary, error) {
			if calls.Add(1) == 1 {
				panic("nil map somewhere")
			}
			return jobs.Summary{Message: "sent"}, nil
		},
	})

	_, err := n.s.RunNow(ctx, "manager-digest")
	if !errors.Is(err, jobs.ErrPanicked) {
		t.Fatalf("RunNow: %v, want ErrPanicked", err)
	}
	for e := next(ctx, t, events); e.Kind != jobs.EventFailed; e = next(ctx, t, events) {
		if e.Kind != jobs.EventStarted {
			t.Fatalf("%s event, want started then failed", e.Kind)
		}
	}
	// The panicked run released its lease and is not recorded as done, so
	// it may run again at once.
	sum, err := n.s.RunNow(ctx, "manager-digest")
	if err != nil || sum.Message != "sent" {
		t.Errorf("RunNow after the panic = %+v, %v; want it to run", sum, err)
	}
}

func TestPanicInScheduledRunIsReported(t *testing.T) {
	ctx := testContext(t)
	store := newStore(t)
	events := make(chan tagged, 100)
	n := newNode(t, store, 0, events, jobs.Job{
		Name: "compliance-scan", Schedule: "0 6 * * *",
		Run: func(ctx context.Context, run jobs.Run) (jobs.Summary, error) {
			panic(fmt.Sprintf("scan of %s exploded", run.At.Format("15:04")))
		},
	})
	n.s.Start()
	at := start.Add(time.Minute)
	fireAt(ctx, t, n, at)
	for e := next(ctx, t, events); ; e = next(ctx, t, events) {
		if e.Kind == jobs.EventFailed {
			if !errors.Is(e.Err, jobs.ErrPanicked) {
				t.Errorf("failed with %v, want ErrPanicked", e.Err)
			}
			break
		}
	}
	// The scheduler goes on: the next day's run happens.
	fireAt(ctx, t, n, at.AddDate(0, 0, 1))
	if e := next(ctx, t, events); e.Kind != jobs.EventStarted || !e.At.Equal(at.AddDate(0, 0, 1)) {
		t.Errorf("next day: %s event at %s, want started", e.Kind, e.At)
	}
}

func TestRunsNeverOverlapInOneProcess(t *testing.T) {
	ctx := testContext(t)
	store := newStore(t)
	events := make(chan tagged, 100)
	release := make(chan struct{})
	var runs atomic.Int32
	n := newNode(t, store, 0, events, jobs.Job{
		Name: "delivery", Schedule: "* * * * *",
		Run: func(ctx context.Context, run jobs.Run) (jobs.Summary, error) {
			runs.Add(1)
			<-release
			return jobs.Summary{}, nil
		},
	})
	n.s.Start()
	first := start.Add(time.Minute)
	fireAt(ctx, t, n, first)
	if e := next(ctx, t, events); e.Kind != jobs.EventStarted || !e.At.Equal(first) {
		t.Fatalf("%s event at %s, want started at %s", e.Kind, e.At, first)
	}
	// The next minute comes while the first run is still going: skipped.
	second := first.Add(time.Minute)
	fireAt(ctx, t, n, second)
	if e := next(ctx, t, events); e.Kind != jobs.EventSkipped || !e.At.Equal(second) || e.Err == nil {
		t.Errorf("%s event at %s (%v), want skipped at %s because the first is running", e.Kind, e.At, e.Err, second)
	}
	close(release)
	if e := next(ctx, t, events); e.Kind != jobs.EventFinished || !e.At.Equal(first) {
		t.Errorf("%s event at %s, want finished at %s", e.Kind, e.At, first)
	}
	// Once it has finished, the following minute runs.
	third := second.Add(time.Minute)
	fireAt(ctx, t, n, third)
	if e := next(ctx, t, events); e.Kind != jobs.EventStarted || !e.At.Equal(third) {
		t.Errorf("%s event at %s, want started at %s", e.Kind, e.At, third)
	}
	if e := next(ctx, t, events); e.Kind != jobs.EventFinished {
		t.Errorf("%s event, want finished", e.Kind)
	}
	if runs.Load() != 2 {
		t.Errorf("%d runs, want 2", runs.Load())
	}
}

func TestRunNowUnknownJobIsNotFound(t *testing.T) {
	n := newNode(t, newStore(t), 0, nil, jobs.Job{Name: "delivery", Run: func(context.Context, jobs.Run) (jobs.Summary, error) {
		return jobs.Summary{}, nil
	}})
	if _, err := n.s.RunNow(context.Background(), "no-such-job"); !errors.Is(err, training.ErrNotFound) {
		t.Errorf("RunNow(no-such-job): %v, want ErrNotFound", err)
	}
}

func TestShutdownWaitsForRunningJob(t *testing.T) {
	ctx := testContext(t)
	store := newStore(t)
	started, release := make(chan struct{}), make(chan struct{})
	var ctxErrAtEnd error
	n := newNode(t, store, 0, nil,
		jobs.Job{Name: "compliance-scan", Run: func(ctx context.Context, run jobs.Run) (jobs.Summary, error) {
			close(started)
			<-release
			ctxErrAtEnd = ctx.Err()
			return jobs.Summary{}, nil
		}},
		jobs.Job{Name: "delivery", Schedule: jobs.ScheduleOff, Run: func(context.Context, jobs.Run) (jobs.Summary, error) {
			return jobs.Summary{}, nil
		}},
	)
	ran := make(chan error, 1)
	go func() { _, err := n.s.RunNow(ctx, "compliance-scan"); ran <- err }()
	<-started

	stopped := make(chan error, 1)
	go func() { stopped <- n.s.Shutdown(context.Background()) }()
	// Once shutdown has begun no run starts...
	for {
		_, err := n.s.RunNow(ctx, "delivery")
		if errors.Is(err, jobs.ErrStopped) {
			break
		}
	}
	// ...and the one in progress is waited for.
	select {
	case err := <-stopped:
		t.Fatalf("Shutdown returned (%v) while a job was running", err)
	default:
	}
	close(release)
	if err := <-stopped; err != nil {
		t.Errorf("Shutdown: %v", err)
	}
	if err := <-ran; err != nil {
		t.Errorf("the run: %v", err)
	}
	if ctxErrAtEnd != nil {
		t.Errorf("the run's context was cancelled (%v) though it finished in time", ctxErrAtEnd)
	}
	if done, err := store.RunDone(ctx, "compliance-scan", start); err != nil || !done {
		t.Errorf("RunDone = %v, %v; want the run recorded", done, err)
	}
}

func TestShutdownCancelsJobAfterTimeout(t *testing.T) {
	ctx := testContext(t)
	store := newStore(t)
	started := make(chan struct{})
	var cause error
	n := newNode(t, store, 0, nil, jobs.Job{Name: "compliance-scan", Run: func(ctx context.Context, run jobs.Run) (jobs.Summary, error) {
		close(started)
		<-ctx.Done() // a job that would run on and on
		cause = context.Cause(ctx)
		return jobs.Summary{}, ctx.Err()
	}})
	ran := make(chan error, 1)
	go func() { _, err := n.s.RunNow(ctx, "compliance-scan"); ran <- err }()
	<-started

	// The shutdown deadline passes (cancelled here rather than timed).
	deadline, passed := context.WithCancel(context.Background())
	stopped := make(chan error, 1)
	go func() { stopped <- n.s.Shutdown(deadline) }()
	passed()
	if err := <-stopped; !errors.Is(err, context.Canceled) {
		t.Errorf("Shutdown: %v, want the deadline's error", err)
	}
	if !errors.Is(cause, jobs.ErrShutdownTimeout) {
		t.Errorf("the run's context ended with %v, want ErrShutdownTimeout", cause)
	}
	if err := <-ran; !errors.Is(err, jobs.ErrShutdownTimeout) {
		t.Errorf("the run: %v, want ErrShutdownTimeout", err)
	}
	// Not finished, so not recorded: the next holder runs it again. Its
	// lease is released, so the next holder need not wait for it.
	if done, err := store.RunDone(ctx, "compliance-scan", start); err != nil || done {
		t.Errorf("RunDone = %v, %v; want false", done, err)
	}
	if _, _, until, err := store.LatestLease(ctx, "compliance-scan"); err != nil || until.After(start) {
		t.Errorf("LatestLease expiry %s, %v; want released at %s", until, err, start)
	}
}

func TestLeaseChainIsPruned(t *testing.T) {
	ctx := testContext(t)
	db := dbtest.New(t)
	store := mongodb.New(db)
	if err := store.Migrate(ctx); err != nil {
		t.Fatal(err)
	}
	n := newNode(t, store, 0, nil, jobs.Job{Name: "delivery", Run: func(context.Context, jobs.Run) (jobs.Summary, error) {
		return jobs.Summary{}, nil
	}})
	for i := range 8 {
		if _, err := n.s.RunNow(ctx, "delivery"); err != nil {
			t.Fatalf("run %d: %v", i, err)
		}
		n.clock.Advance(time.Minute)
	}
	count, err := db.Collection("job_leases").CountDocuments(ctx, bson.D{{Key: "job", Value: "delivery"}})
	if err != nil {
		t.Fatal(err)
	}
	if count > 3 {
		t.Errorf("%d lease documents kept, want at most 3", count)
	}
	if epoch, _, _, err := store.LatestLease(ctx, "delivery"); err != nil || epoch != 8 {
		t.Errorf("LatestLease = %d, %v; want epoch 8", epoch, err)
	}
}

func TestNewChecksSchedules(t *testing.T) {
	store := newStore(t)
	noop := func(context.Context, jobs.Run) (jobs.Summary, error) { return jobs.Summary{}, nil }
	quiet := slog.New(slog.NewTextHandler(io.Discard, nil))
	s, err := jobs.New(store, jobs.Config{Logger: quiet, Schedules: map[string]string{"compliance-scan": "30 5 * * *"}},
		jobs.Job{Name: "compliance-scan", Run: noop}, jobs.Job{Name: "delivery", Run: noop})
	if err != nil {
		t.Fatal(err)
	}
	defer s.Shutdown(context.Background())
	for name, want := range map[string]string{"compliance-scan": "30 5 * * *", "delivery": "* * * * *"} {
		if got, _ := s.Schedule(name); got != want {
			t.Errorf("Schedule(%s) = %q, want %q", name, got, want)
		}
	}

	for _, tc := range []struct {
		name string
		cfg  jobs.Config
		job  jobs.Job
	}{
		{"bad cron", jobs.Config{}, jobs.Job{Name: "delivery", Schedule: "every minute", Run: noop}},
		{"six fields", jobs.Config{}, jobs.Job{Name: "delivery", Schedule: "0 0 6 * * *", Run: noop}},
		{"no schedule", jobs.Config{}, jobs.Job{Name: "custom", Run: noop}},
		{"bad name", jobs.Config{}, jobs.Job{Name: "Compliance Scan", Schedule: "0 6 * * *", Run: noop}},
		{"unknown job configured", jobs.Config{Schedules: map[string]string{"compliance-scna": "0 6 * * *"}}, jobs.Job{Name: "delivery", Run: noop}},
	} {
		tc.cfg.Logger = quiet
		if s, err := jobs.New(store, tc.cfg, tc.job); err == nil {
			s.Shutdown(context.Background())
			t.Errorf("%s: New accepted it", tc.name)
		}
	}
}

func TestNilLeasePasses(t *testing.T) {
	var run jobs.Run // a job function called directly, outside a scheduler
	if err := run.Lease.Check(context.Background()); err != nil {
		t.Errorf("Check: %v", err)
	}
	wrote := false
	if err := run.Lease.Fenced(context.Background(), func(context.Context) error { wrote = true; return nil }); err != nil || !wrote {
		t.Errorf("Fenced: %v, wrote %v", err, wrote)
	}
}

package jobs

import (
	"context"
	"crypto/rand"
	"encoding/hex"
	"errors"
	"fmt"
	"log/slog"
	"maps"
	"os"
	"regexp"
	"runtime/debug"
	"slices"
	"sync"
	"sync/atomic"
	"time"

	"github.com/go-co-op/gocron/v2"
	"github.com/jonboulle/clockwork"

	"github.com/complytrack/complytrack/pkg/logging"
	"github.com/complytrack/complytrack/pkg/training"
)

// Job is one named, scheduled piece of work.
type Job struct {
	// Name identifies the job in configuration, in the API
	// (POST /api/v1/jobs/{name}/run) and in the lease: lower-case letters,
	// digits and '-'.
	Name string
	// Schedule is a 5-field cron expression in the organisation's time zone,
	// for example "0 6 * * *"; configuration (Config.Schedules) overrides it,
	// and when both are empty DefaultSchedules names it. "off" registers the
	// job for on-demand runs only.
	Schedule string
	// Run does the work. It must be idempotent (a run that failed or was
	// killed midway is run again), call run.Lease.Check or Fenced before
	// each batch of writes, and return soon after ctx is cancelled.
	Run func(ctx context.Context, run Run) (Summary, error)
}

// Run describes one run of a job.
type Run struct {
	Job string
	// At is the scheduled time, in the organisation's time zone, to the
	// minute; for an on-demand run, the minute it was asked for.
	At       time.Time
	OnDemand bool
	// Lease is the run's lease, for fencing; nil when the job function is
	// called directly (tests), and a nil Lease always passes its checks.
	Lease *Lease
	// RequestID is the request that asked for an on-demand run: the run's
	// log lines carry it (see pkg/logging). Empty for scheduled runs.
	RequestID string
}

// Summary is what a run reports: counts by name (people scanned, flags
// raised, e-mails sent...) and a sentence for people.
type Summary struct {
	Counts  map[string]int `json:"counts,omitempty"`
	Message string         `json:"message,omitempty"`
}

// Add adds n to the count called name.
func (s *Summary) Add(name string, n int) {
	if s.Counts == nil {
		s.Counts = map[string]int{}
	}
	s.Counts[name] += n
}

// DefaultSchedules returns the jobs' default schedules, in the
// organisation's time zone.
func DefaultSchedules() map[string]string {
	return map[string]string{
		"compliance-scan":   "0 6 * * *", // daily at 06:00
		"monthly-report":    "0 7 1 * *", // the 1st of the month at 07:00
		"delivery":          "* * * * *", // every minute
		"manager-digest":    "0 8 * * 1", // Mondays at 08:00
		"session-reminders": "0 8 * * *", // daily at 08:00: reminders of the next working day's sessions
	}
}

// ScheduleOff, as a job's schedule, registers it for on-demand runs only.
const ScheduleOff = "off"

// Errors of RunNow. ErrBusy and ErrAlreadyRan wrap training.ErrConflict and
// come with a message fit for the caller.
var (
	ErrBusy       = fmt.Errorf("job is running: %w", training.ErrConflict)
	ErrAlreadyRan = fmt.Errorf("job already ran: %w", training.ErrConflict)
	// ErrStopped: the scheduler is shutting down and starts no runs.
	ErrStopped = errors.New("jobs: scheduler stopped")
	// ErrPanicked: the job panicked; the run's error wraps it.
	ErrPanicked = errors.New("job panicked")
	// ErrShutdownTimeout is the cause of the cancellation of a run's
	// context when Shutdown's deadline passes.
	ErrShutdownTimeout = errors.New("jobs: shutdown timed out")
)

// runError is an error of RunNow whose message the API may show.
type runError struct {
	kind error
	msg  string
}

func (e *runError) Error() string         { return e.msg }
func (e *runError) Unwrap() error         { return e.kind }
func (e *runError) PublicMessage() string { return e.msg }

// EventKind says what happened to a run.
type EventKind string

// Event kinds.
const (
	EventStarted  EventKind = "started"  // this process took the lease and started the job
	EventFinished EventKind = "finished" // the job returned no error; the run is recorded as done
	EventFailed   EventKind = "failed"   // the job (or taking the lease) failed, panicked or lost the lease
	EventSkipped  EventKind = "skipped"  // the run is recorded as done already (by another process)
	EventStandby  EventKind = "standby"  // another process holds the lease; waiting for it on the clock
)

// Event reports a step of a run, for logs, metrics and tests.
type Event struct {
	Kind EventKind
	Job  string
	At   time.Time // the run's scheduled time
	// Holder is this process for started, finished and failed, the other
	// holder for standby.
	Holder  string
	Epoch   int64
	Summary Summary
	Err     error
	// Took is how long the run took, for finished and failed runs.
	Took time.Duration
}

// Config configures a Scheduler. The zero value is usable: every field has
// a default.
type Config struct {
	// Holder identifies this process in the leases; default host-pid-random.
	Holder string
	// Location is the organisation's time zone; default Europe/London.
	Location *time.Location
	// Schedules overrides jobs' schedules by name (cron expression or "off").
	Schedules map[string]string
	// LeaseTTL is the lease's length from each renewal; default 2 minutes.
	LeaseTTL time.Duration
	// RenewEvery is how often a running job's lease is renewed, and how
	// often a standing-by process looks again; default 30 seconds. It must
	// be well below LeaseTTL.
	RenewEvery time.Duration
	// RunRetention is how long records of finished runs are kept; default 7 days.
	RunRetention time.Duration
	// Clock drives the schedule, the leases and renewals; default the real clock.
	Clock clockwork.Clock
	// Logger receives the scheduler's and gocron's logs; nil: nothing is logged.
	Logger *slog.Logger
	// OnEvent, when set, is called for every Event, on the run's goroutine:
	// it must not block.
	OnEvent func(Event)
}

// cancelGrace is how long Shutdown waits, after cancelling the runs'
// contexts, for them to return.
const cancelGrace = 5 * time.Second

// Scheduler runs registered jobs on their schedules and on demand, each
// scheduled run once across the processes sharing the store.
type Scheduler struct {
	locker     locker
	clock      clockwork.Clock
	loc        *time.Location
	renewEvery time.Duration
	log        *slog.Logger
	onEvent    func(Event)
	jobs       map[string]*registered
	cron       gocron.Scheduler

	base       context.Context // parent of every run's context
	cancelRuns context.CancelCauseFunc

	mu           sync.Mutex
	stopped      bool
	stopping     chan struct{} // closed when Shutdown begins
	running      sync.WaitGroup
	shutdownCron sync.Once
}

// registered is a job with its schedule and whether a scheduled run of it
// is in progress in this process.
type registered struct {
	Job
	schedule string
	busy     atomic.Bool
}

var jobName = regexp.MustCompile(`^[a-z0-9][a-z0-9-]*$`)

// New returns a Scheduler for jobs, taking leases in store. It checks the
// names and schedules; call Start to begin running them.
func New(store LeaseStore, cfg Config, jobs ...Job) (*Scheduler, error) {
	if cfg.Location == nil {
		loc, err := time.LoadLocation("Europe/London")
		if err != nil {
			return nil, fmt.Errorf("jobs: time zone: %w", err)
		}
		cfg.Location = loc
	}
	if cfg.Holder == "" {
		cfg.Holder = defaultHolder()
	}
	if cfg.LeaseTTL <= 0 {
		cfg.LeaseTTL = 2 * time.Minute
	}
	if cfg.RenewEvery <= 0 {
		cfg.RenewEvery = 30 * time.Second
	}
	if cfg.RenewEvery*2 > cfg.LeaseTTL {
		return nil, fmt.Errorf("jobs: renewal every %s leaves too little of a %s lease", cfg.RenewEvery, cfg.LeaseTTL)
	}
	if cfg.RunRetention <= 0 {
		cfg.RunRetention = 7 * 24 * time.Hour
	}
	if cfg.Clock == nil {
		cfg.Clock = clockwork.NewRealClock()
	}
	if cfg.Logger == nil {
		cfg.Logger = logging.Discard()
	}
	if cfg.OnEvent == nil {
		cfg.OnEvent = func(Event) {}
	}

	cron, err := gocron.NewScheduler(
		gocron.WithClock(cfg.Clock),
		gocron.WithLocation(cfg.Location),
		gocron.WithLogger(cfg.Logger),
		// gocron's tasks only start runs (see fire): stopping it never
		// waits for a job, Shutdown does.
		gocron.WithStopTimeout(time.Second),
	)
	if err != nil {
		return nil, fmt.Errorf("jobs: %w", err)
	}
	base, cancel := context.WithCancelCause(context.Background())
	s := &Scheduler{
		locker: locker{store: store, clock: cfg.Clock, holder: cfg.Holder, ttl: cfg.LeaseTTL,
			retention: cfg.RunRetention, log: cfg.Logger},
		clock: cfg.Clock, loc: cfg.Location, renewEvery: cfg.RenewEvery, log: cfg.Logger, onEvent: cfg.OnEvent,
		jobs: map[string]*registered{}, cron: cron,
		base: base, cancelRuns: cancel, stopping: make(chan struct{}),
	}
	if err := s.register(jobs, cfg.Schedules); err != nil {
		_ = cron.Shutdown()
		cancel(nil)
		return nil, err
	}
	return s, nil
}

func (s *Scheduler) register(jobs []Job, overrides map[string]string) error {
	defaults := DefaultSchedules()
	for _, j := range jobs {
		if !jobName.MatchString(j.Name) {
			return fmt.Errorf("jobs: job name %q: use lower-case letters, digits and '-'", j.Name)
		}
		if _, dup := s.jobs[j.Name]; dup {
			return fmt.Errorf("jobs: job %s registered twice", j.Name)
		}
		if j.Run == nil {
			return fmt.Errorf("jobs: job %s has no Run function", j.Name)
		}
		schedule := j.Schedule
		if o, ok := overrides[j.Name]; ok && o != "" {
			schedule = o
		}
		if schedule == "" {
			schedule = defaults[j.Name]
		}
		if schedule == "" {
			return fmt.Errorf("jobs: job %s has no schedule", j.Name)
		}
		r := &registered{Job: j, schedule: schedule}
		s.jobs[j.Name] = r
		if schedule == ScheduleOff {
			continue
		}
		_, err := s.cron.NewJob(gocron.CronJob(schedule, false), gocron.NewTask(func() { s.fire(r) }),
			gocron.WithName(j.Name))
		if err != nil {
			return fmt.Errorf("jobs: schedule %q of job %s: %w", schedule, j.Name, err)
		}
	}
	for name := range overrides {
		if _, ok := s.jobs[name]; !ok {
			return fmt.Errorf("jobs: a schedule is configured for %q, which is not a job (jobs: %v)", name, s.Names())
		}
	}
	return nil
}

// Names returns the registered jobs' names, sorted.
func (s *Scheduler) Names() []string { return slices.Sorted(maps.Keys(s.jobs)) }

// Schedule returns the schedule job name runs on ("off" for on demand
// only), and whether the job exists.
func (s *Scheduler) Schedule(name string) (string, bool) {
	r, ok := s.jobs[name]
	if !ok {
		return "", false
	}
	return r.schedule, true
}

// Start begins running the jobs on their schedules.
func (s *Scheduler) Start() { s.cron.Start() }

// Shutdown stops scheduling runs and waits for the runs in progress to
// finish. When ctx ends first it cancels their contexts (with cause
// ErrShutdownTimeout), waits a few seconds more for them to return, and
// returns ctx's error. Runs that were standing by for another process stop
// at once; their lease, if they take one later, is someone else's to take.
func (s *Scheduler) Shutdown(ctx context.Context) error {
	s.mu.Lock()
	if !s.stopped {
		s.stopped = true
		close(s.stopping)
	}
	s.mu.Unlock()
	var err error
	// gocron's tasks only start runs, so this does not wait for them.
	s.shutdownCron.Do(func() {
		if cerr := s.cron.Shutdown(); cerr != nil {
			err = fmt.Errorf("jobs: stop gocron: %w", cerr)
		}
	})

	done := make(chan struct{})
	go func() { s.running.Wait(); close(done) }()
	select {
	case <-done:
	case <-ctx.Done():
		err = errors.Join(err, fmt.Errorf("jobs: shutdown: %w", ctx.Err()))
		s.log.Warn("jobs: shutdown timeout: cancelling the running jobs")
		s.cancelRuns(ErrShutdownTimeout)
		select {
		case <-done:
		case <-time.After(cancelGrace):
			err = errors.Join(err, errors.New("jobs: shutdown: a job ignored its cancelled context and is still running"))
		}
	}
	s.cancelRuns(nil)
	return err
}

// begin counts a run in, unless the scheduler is stopping.
func (s *Scheduler) begin() bool {
	s.mu.Lock()
	defer s.mu.Unlock()
	if s.stopped {
		return false
	}
	s.running.Add(1)
	return true
}

// RunNow runs job name at once, under the lease, with the scheduled time
// the current minute: two requests in the same minute run it once. It
// returns an error wrapping training.ErrNotFound for an unknown job,
// ErrBusy when a run of the job holds the lease (here or elsewhere),
// ErrAlreadyRan when this minute's run finished already, and otherwise the
// job's own result. The run does not end when ctx does (a client that goes
// away does not cut a scan in half); Shutdown's deadline ends it.
func (s *Scheduler) RunNow(ctx context.Context, name string) (Summary, error) {
	r, ok := s.jobs[name]
	if !ok {
		return Summary{}, fmt.Errorf("job %q: %w", name, training.ErrNotFound)
	}
	if !s.begin() {
		return Summary{}, ErrStopped
	}
	defer s.running.Done()
	at := s.clock.Now().In(s.loc).Truncate(time.Minute)
	lease, err := s.locker.acquire(ctx, name, at)
	var held *heldError
	switch {
	case errors.As(err, &held):
		s.log.InfoContext(ctx, "jobs: on-demand run refused: lease held", "job", name, "holder", held.holder, "until", held.until)
		return Summary{}, &runError{ErrBusy, fmt.Sprintf("%s is running already; try again when it has finished", name)}
	case errors.Is(err, errRunDone):
		return Summary{}, &runError{ErrAlreadyRan, fmt.Sprintf("%s ran at %s already; try again in a minute", name, at.Format("15:04"))}
	case err != nil:
		return Summary{}, fmt.Errorf("run %s: take the lease: %w", name, err)
	}
	end := s.execute(r.Job, Run{Job: name, At: at, OnDemand: true, Lease: lease, RequestID: logging.RequestID(ctx)})
	s.onEvent(end)
	return end.Summary, end.Err
}

// fire is what gocron calls at each scheduled time of a job. It starts the
// run on a goroutine of the scheduler's own, so that Shutdown waits for it
// (and gocron's own stopping never has a job to wait for), and skips the
// time if the job's previous scheduled run is still going: runs never
// overlap in one process. That is gocron's singleton mode (reschedule),
// done here because the run is not gocron's goroutine.
func (s *Scheduler) fire(r *registered) {
	// Cron schedules are to the minute; the timer fires at the minute's start.
	at := s.clock.Now().In(s.loc).Truncate(time.Minute)
	if !r.busy.CompareAndSwap(false, true) {
		s.log.Warn("jobs: the previous run is still going; skipping this one", "job", r.Name, "at", at)
		s.onEvent(Event{Kind: EventSkipped, Job: r.Name, At: at, Err: errors.New("the previous run is still going")})
		return
	}
	if !s.begin() {
		r.busy.Store(false)
		return
	}
	go func() {
		defer s.running.Done()
		end, ok := s.scheduled(r, at)
		// Free the job before reporting, so that whoever sees the report
		// may fire the next run.
		r.busy.Store(false)
		if ok {
			s.onEvent(end)
		}
	}()
}

// scheduled takes the lease for the run at `at` and executes it, or stands
// by while another process holds the lease. It returns the run's last
// event, and false when it stopped for shutdown.
func (s *Scheduler) scheduled(r *registered, at time.Time) (Event, bool) {
	for {
		lease, err := s.locker.acquire(s.base, r.Name, at)
		var held *heldError
		switch {
		case err == nil:
			return s.execute(r.Job, Run{Job: r.Name, At: at, Lease: lease}), true
		case errors.Is(err, errRunDone):
			s.log.Debug("jobs: run done already", "job", r.Name, "at", at)
			return Event{Kind: EventSkipped, Job: r.Name, At: at}, true
		case errors.As(err, &held):
			// Wait for the holder to finish (the run is then recorded as
			// done), release, or let its lease expire.
			wait := min(held.until.Sub(s.clock.Now()), s.renewEvery)
			if wait <= 0 {
				continue
			}
			timer := s.clock.NewTimer(wait)
			s.log.Debug("jobs: lease held elsewhere; standing by", "job", r.Name, "at", at, "holder", held.holder, "until", held.until)
			s.onEvent(Event{Kind: EventStandby, Job: r.Name, At: at, Holder: held.holder})
			select {
			case <-timer.Chan():
			case <-s.stopping:
				timer.Stop()
				return Event{}, false
			}
		default:
			s.log.Error("jobs: take the lease", "job", r.Name, "at", at, logging.Err(err))
			return Event{Kind: EventFailed, Job: r.Name, At: at, Holder: s.locker.holder, Err: err}, true
		}
	}
}

// execute runs j under its lease, renewing the lease while it runs; on
// success it records the run as done; either way it releases the lease. It
// reports the start and returns the finished or failed event for the
// caller to report.
func (s *Scheduler) execute(j Job, run Run) Event {
	lease := run.Lease
	base := s.base
	if run.RequestID != "" {
		base = logging.WithRequestID(base, run.RequestID)
	}
	ctx, cancel := context.WithCancelCause(base)
	defer cancel(nil)
	s.log.InfoContext(ctx, "jobs: run started", "job", j.Name, "at", run.At, "on_demand", run.OnDemand, "epoch", lease.Epoch())
	s.onEvent(Event{Kind: EventStarted, Job: j.Name, At: run.At, Holder: lease.Holder(), Epoch: lease.Epoch()})
	start := s.clock.Now()

	stopRenewing := make(chan struct{})
	renewed := make(chan struct{})
	go func() {
		defer close(renewed)
		ticker := s.clock.NewTicker(s.renewEvery)
		defer ticker.Stop()
		for {
			select {
			case <-stopRenewing:
				return
			case <-ticker.Chan():
				err := lease.renew(ctx)
				if errors.Is(err, ErrLeaseLost) {
					s.log.ErrorContext(ctx, "jobs: lease lost; cancelling the run", "job", j.Name, "at", run.At, logging.Err(err))
					cancel(err)
					return
				}
				if err != nil {
					s.log.WarnContext(ctx, "jobs: renew lease", "job", j.Name, "at", run.At, logging.Err(err))
				}
			}
		}
	}()

	summary, err := s.call(ctx, j, run)
	close(stopRenewing)
	<-renewed

	err = withCause(err, context.Cause(ctx))
	// Cleanup writes must happen even when the run's context was cancelled.
	cleanup, cancelCleanup := context.WithTimeout(context.WithoutCancel(ctx), 10*time.Second)
	defer cancelCleanup()
	if err == nil {
		err = lease.Check(cleanup)
	}
	if err == nil {
		derr := s.locker.store.MarkRunDone(cleanup, j.Name, run.At, lease.Epoch(), lease.Holder(), s.clock.Now())
		if derr != nil && !errors.Is(derr, training.ErrConflict) {
			err = fmt.Errorf("record the run as done: %w", derr)
		}
	}
	if rerr := lease.release(cleanup); rerr != nil {
		s.log.WarnContext(cleanup, "jobs: release lease", "job", j.Name, "at", run.At, logging.Err(rerr))
	}

	took := s.clock.Since(start)
	if err != nil {
		err = fmt.Errorf("job %s (%s): %w", j.Name, run.At.Format(time.RFC3339), err)
		s.log.ErrorContext(cleanup, "jobs: run failed", "job", j.Name, "at", run.At, "took", took, logging.Err(err))
		return Event{Kind: EventFailed, Job: j.Name, At: run.At, Holder: lease.Holder(), Epoch: lease.Epoch(), Summary: summary, Err: err, Took: took}
	}
	s.log.InfoContext(cleanup, "jobs: run finished", "job", j.Name, "at", run.At, "took", took, "counts", summary.Counts, "message", summary.Message)
	return Event{Kind: EventFinished, Job: j.Name, At: run.At, Holder: lease.Holder(), Epoch: lease.Epoch(), Summary: summary, Took: took}
}

// withCause adds to a run's error why its context was cancelled (lease
// lost, shutdown timeout), unless the error says so already.
func withCause(err, cause error) error {
	if err == nil || cause == nil || errors.Is(err, cause) ||
		errors.Is(cause, ErrLeaseLost) && errors.Is(err, ErrLeaseLost) {
		return err
	}
	return fmt.Errorf("%w: %w", cause, err)
}

// call runs the job function, turning a panic into an error.
func (s *Scheduler) call(ctx context.Context, j Job, run Run) (summary Summary, err error) {
	defer func() {
		if r := recover(); r != nil {
			s.log.ErrorContext(ctx, "jobs: job panicked", "job", j.Name, "at", run.At, "panic", fmt.Sprint(r), "stack", string(debug.Stack()))
			err = fmt.Errorf("%w: %v", ErrPanicked, r)
		}
	}()
	return j.Run(ctx, run)
}

func defaultHolder() string {
	host, err := os.Hostname()
	if err != nil {
		host = "unknown"
	}
	b := make([]byte, 3)
	_, _ = rand.Read(b)
	return fmt.Sprintf("%s-%d-%s", host, os.Getpid(), hex.EncodeToString(b))
}

// Package readmodel keeps the organisation in memory for the services, and
// keeps every process's copy current through an ordered change log in the
// database.
//
// Model wraps the store (it is a compliance.Store itself): the services
// write through it and read the organisation from it. Each write is
// bracketed by two entries of the change log: an intent, appended before
// the write, naming what is about to change, and a done entry, appended
// after the write and what depends on it (a person's version, a
// completion's audit entry). Entries are numbered 1, 2, 3... and each
// number is claimed by inserting under it, so a process learns what others
// wrote by reading the entries after the last it applied, by _id, and
// re-reading from the database just what they name. docs/read-model.md
// explains the whole design.
package readmodel

import (
	"context"
	"errors"
	"fmt"
	"log/slog"
	"sync"
	"sync/atomic"
	"time"

	"go.mongodb.org/mongo-driver/v2/bson"

	"github.com/complytrack/complytrack/pkg/compliance"
	"github.com/complytrack/complytrack/pkg/training"
)

// Kind is what a change-log entry is about.
type Kind string

const (
	KindPerson     Kind = "person"
	KindCourse     Kind = "course"
	KindCompletion Kind = "completion"
	KindExemption  Kind = "exemption"
	// KindAll says that data was written in bulk outside the model (the
	// demo council, a migration): every process loads everything again,
	// in the background.
	KindAll Kind = "all"
)

// Change is one entry of the change log.
type Change struct {
	// Seq is the entry's number. When appending, it is the latest number
	// the writer knows of; the store claims the first free one after it.
	Seq int64
	// Of is 0 for an intent; for a done entry, the intent it finishes.
	Of     int64
	Kind   Kind
	IDs    []string // what changed: person IDs, course codes...
	Origin string   // the process that wrote it
	At     time.Time
}

// ChangeLog is the ordered log in the database.
type ChangeLog interface {
	AppendChange(ctx context.Context, c Change) (int64, error)
	// Change reads one entry; training.ErrNotFound when it does not exist yet.
	Change(ctx context.Context, seq int64) (Change, error)
	// ChangeHint returns a number that exists, close to the newest (0 when
	// the log is empty).
	ChangeHint(ctx context.Context) (int64, error)
}

// Inner is the store Model wraps.
type Inner interface {
	compliance.Records
	compliance.BulkStore
	compliance.SnapshotStore
	compliance.PolicyStore
	ChangeLog
	Course(ctx context.Context, code string) (training.Course, error)
	Courses(ctx context.Context) ([]training.Course, error)
	EachPerson(ctx context.Context, fn func(training.Person) error) error
	EachCompletion(ctx context.Context, fn func(training.Completion) error) error
	EachExemption(ctx context.Context, fn func(training.Exemption) error) error
	// EnsurePersonVersion records p's version if it is missing (a crash
	// between writing a person and their version).
	EnsurePersonVersion(ctx context.Context, p training.Person) error
}

// Options configure a Model.
type Options struct {
	Logger *slog.Logger
	// Settle is how long an intent may stay without its done entry before
	// other processes treat its writer as gone: they re-read what it names
	// and repair what depends on it. Default 30 s, far longer than a write
	// takes.
	Settle time.Duration
	// Poll is how often the background follower looks for new entries
	// when Run is used. Default 200 ms.
	Poll time.Duration
	// RequestBudget caps how many records one request reads again while
	// catching up (about: it finishes the entry it is on); the rest is
	// left to the background follower. Default 64.
	RequestBudget int
	Now           func() time.Time
}

// Model is the caching store. Build it with New, call Load before serving
// and Run in the background.
type Model struct {
	Inner
	origin string
	log    *slog.Logger
	o      Options

	mu      sync.RWMutex // guards st, touched and stale
	st      *state
	touched map[string]uint64 // entity key -> number of this process's writes to it
	stale   map[string]bool   // entity keys to read again at this process's next done entry for them

	// writeMu is held shared by every write from its intent to its done
	// entry, and alone by a reload while it swaps in its new state, so
	// that no write of this process falls between the two.
	writeMu sync.RWMutex

	followMu sync.Mutex // one catch-up at a time; guards applied and pending
	applied  int64
	pending  map[int64]intent

	known       atomic.Int64 // newest entry number this process has seen or written
	loaded      atomic.Bool
	reloadAsked atomic.Bool
	kick        chan struct{}
}

type intent struct {
	kind Kind
	ids  []string
	at   time.Time
}

// New wraps inner.
func New(inner Inner, o Options) *Model {
	if o.Logger == nil {
		o.Logger = slog.New(slog.DiscardHandler)
	}
	if o.Settle <= 0 {
		o.Settle = 30 * time.Second
	}
	if o.Poll <= 0 {
		o.Poll = 200 * time.Millisecond
	}
	if o.RequestBudget <= 0 {
		o.RequestBudget = 64
	}
	if o.Now == nil {
		o.Now = time.Now
	}
	return &Model{
		Inner: inner, origin: bson.NewObjectID().Hex(), log: o.Logger, o: o,
		st: newState(), touched: map[string]uint64{}, stale: map[string]bool{}, pending: map[int64]intent{},
		kick: make(chan struct{}, 1),
	}
}

// requestKey marks a context as one request's (WithRequest).
type requestKey struct{}

// requestMark records which models have caught up for the request.
type requestMark struct {
	mu     sync.Mutex
	caught map[*Model]bool
}

// WithRequest marks ctx as one HTTP request's. A model then catches up
// with the change log at the request's first read only: what was
// committed before the request began is applied once, and the request's
// later reads (a page makes several) look nothing up.
func WithRequest(ctx context.Context) context.Context {
	return context.WithValue(ctx, requestKey{}, &requestMark{caught: map[*Model]bool{}})
}

// Read implements compliance.Roster: it applies what other processes wrote
// before the call (before the request, under WithRequest), then calls fn
// under the read lock.
func (m *Model) Read(ctx context.Context, fn func(compliance.Org) error) error {
	if !m.loaded.Load() {
		if err := m.Load(ctx); err != nil {
			return err
		}
	}
	if err := m.catchUpFor(ctx); err != nil {
		return err
	}
	m.mu.RLock()
	defer m.mu.RUnlock()
	return fn(m.st)
}

// Peek implements compliance.Roster.
func (m *Model) Peek(fn func(compliance.Org)) {
	m.mu.RLock()
	defer m.mu.RUnlock()
	fn(m.st)
}

// Applied returns the number of the last log entry applied.
func (m *Model) Applied() int64 {
	m.followMu.Lock()
	defer m.followMu.Unlock()
	return m.applied
}

func key(k Kind, id string) string { return string(k) + "/" + id }

// errLoad is how a failed start-up load reads.
var errLoad = errors.New("load the organisation")

// Load reads the whole organisation from the database. Start-up calls it
// once; afterwards only a bulk change (KindAll) makes the background
// follower load again.
func (m *Model) Load(ctx context.Context) error {
	m.followMu.Lock()
	defer m.followMu.Unlock()
	if m.loaded.Load() {
		return nil
	}
	head, err := m.head(ctx)
	if err != nil {
		return fmt.Errorf("%w: %w", errLoad, err)
	}
	st, err := m.snapshot(ctx)
	if err != nil {
		return fmt.Errorf("%w: %w", errLoad, err)
	}
	if err := m.unfinishedBefore(ctx, head); err != nil {
		return fmt.Errorf("%w: %w", errLoad, err)
	}
	m.mu.Lock()
	m.st = st
	m.mu.Unlock()
	m.applied = head
	m.loaded.Store(true)
	return nil
}

// head finds the newest entry: from the hint, look-ups forward until one
// is missing.
func (m *Model) head(ctx context.Context) (int64, error) {
	seq, err := m.Inner.ChangeHint(ctx)
	if err != nil {
		return 0, err
	}
	seq = max(seq, m.known.Load())
	for {
		_, err := m.Inner.Change(ctx, seq+1)
		if errors.Is(err, training.ErrNotFound) {
			m.see(seq)
			return seq, nil
		}
		if err != nil {
			return 0, err
		}
		seq++
	}
}

// see records that entry seq exists.
func (m *Model) see(seq int64) {
	for {
		k := m.known.Load()
		if seq <= k || m.known.CompareAndSwap(k, seq) {
			return
		}
	}
}

// unfinishedLookback is how many entries before the head a start-up reads
// for intents whose writer died before finishing.
const unfinishedLookback = 1000

// unfinishedBefore reads the last entries up to head and keeps, as
// pending, the intents that have no done entry yet. Callers hold followMu.
func (m *Model) unfinishedBefore(ctx context.Context, head int64) error {
	for seq := max(1, head-unfinishedLookback+1); seq <= head; seq++ {
		c, err := m.Inner.Change(ctx, seq)
		if err != nil {
			return err
		}
		m.notePending(c)
	}
	return nil
}

// notePending keeps an intent as pending, or forgets the intent a done
// entry finishes. Callers hold followMu.
func (m *Model) notePending(c Change) {
	switch {
	case c.Kind == KindAll:
	case c.Of == 0:
		m.pending[c.Seq] = intent{kind: c.Kind, ids: c.IDs, at: c.At}
	default:
		delete(m.pending, c.Of)
	}
}

// snapshot reads everything, streaming one cursor per collection.
func (m *Model) snapshot(ctx context.Context) (*state, error) {
	st := newState()
	if err := m.Inner.EachPerson(ctx, func(p training.Person) error { st.putPerson(p); return nil }); err != nil {
		return nil, err
	}
	courses, err := m.Inner.Courses(ctx)
	if err != nil {
		return nil, err
	}
	for _, c := range courses {
		st.courses[c.Code] = c
	}
	if err := m.Inner.EachCompletion(ctx, func(c training.Completion) error {
		st.complete[c.PersonID] = append(st.complete[c.PersonID], c)
		st.completionOwner[c.ID] = c.PersonID
		return nil
	}); err != nil {
		return nil, err
	}
	for id := range st.complete {
		sortCompletions(st.complete[id])
	}
	if err := m.Inner.EachExemption(ctx, func(e training.Exemption) error {
		st.exempt[e.PersonID] = append(st.exempt[e.PersonID], e)
		st.exemptionOwner[e.ID] = e.PersonID
		return nil
	}); err != nil {
		return nil, err
	}
	return st, nil
}

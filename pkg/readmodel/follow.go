package readmodel

import (
	"context"
	"errors"
	"fmt"
	"sync"
	"time"

	"github.com/complytrack/complytrack/pkg/logging"
	"github.com/complytrack/complytrack/pkg/training"
)

// catchUp applies the entries after the last applied until it has read
// about budget records (0: no limit): an entry costs one look-up, a done
// entry one more per record it names. It tells the background follower
// when it stopped short.
func (m *Model) catchUp(ctx context.Context, budget int) error {
	m.followMu.Lock()
	defer m.followMu.Unlock()
	for n := 0; budget == 0 || n < budget; {
		c, err := m.Inner.Change(ctx, m.applied+1)
		if errors.Is(err, training.ErrNotFound) {
			return nil
		}
		if err != nil {
			return fmt.Errorf("follow the change log: %w", err)
		}
		if err := m.apply(ctx, m.st, c); err != nil {
			return err
		}
		m.applied = c.Seq
		m.see(c.Seq)
		n++
		if c.Of != 0 {
			n += len(c.IDs)
		}
	}
	m.poke()
	return nil
}

// apply applies one entry to st. Callers hold followMu.
func (m *Model) apply(ctx context.Context, st *state, c Change) error {
	m.notePending(c)
	switch {
	case c.Kind == KindAll:
		m.reloadAsked.Store(true)
		m.poke()
		return nil
	case c.Of == 0:
		// An intent: the write may not have happened yet. What it names is
		// read when its done entry arrives, or after Settle without one.
		return nil
	case c.Origin == m.origin:
		// This process's own write is in memory already; only a record
		// whose reading was skipped meanwhile (stale) is read again.
		return m.reread(ctx, st, c.Kind, m.takeStale(c.Kind, c.IDs))
	}
	return m.reread(ctx, st, c.Kind, c.IDs)
}

// takeStale returns those of ids marked stale, and unmarks them.
func (m *Model) takeStale(kind Kind, ids []string) []string {
	m.mu.Lock()
	defer m.mu.Unlock()
	var out []string
	for _, id := range ids {
		if k := key(kind, id); m.stale[k] {
			delete(m.stale, k)
			out = append(out, id)
		}
	}
	return out
}

// reread reads what ids name from the database and puts it into st,
// unless this process wrote one of them meanwhile. That record is then
// marked stale: what was read may be older or newer than this process's
// write, so the write's own done entry, further on, reads it again.
// The records are read a few at a time in parallel (each is one look-up
// by _id), then put in together.
func (m *Model) reread(ctx context.Context, st *state, kind Kind, ids []string) error {
	type got struct {
		key string
		gen uint64
		put func(*state)
		err error
	}
	results := make([]got, len(ids))
	m.mu.RLock()
	for i, id := range ids {
		results[i].key = key(kind, id)
		results[i].gen = m.touched[results[i].key]
	}
	m.mu.RUnlock()
	sem := make(chan struct{}, rereadParallel)
	var wg sync.WaitGroup
	for i, id := range ids {
		sem <- struct{}{}
		wg.Go(func() {
			defer func() { <-sem }()
			results[i].put, results[i].err = m.fetch(ctx, kind, id)
		})
	}
	wg.Wait()
	for _, r := range results {
		if r.err != nil && !errors.Is(r.err, training.ErrNotFound) {
			return fmt.Errorf("follow the change log: read %s: %w", r.key, r.err)
		}
	}
	m.mu.Lock()
	defer m.mu.Unlock()
	for _, r := range results {
		// Not found: a write that failed, or a create that never happened.
		switch {
		case r.err != nil:
		case m.touched[r.key] == r.gen:
			r.put(st)
		default:
			m.stale[r.key] = true
		}
	}
	return nil
}

// rereadParallel is how many records one catch-up reads at once.
const rereadParallel = 8

// fetch reads one entity and returns how to put it into a state.
func (m *Model) fetch(ctx context.Context, kind Kind, id string) (func(*state), error) {
	switch kind {
	case KindPerson:
		p, err := m.Inner.Person(ctx, id)
		return func(st *state) { st.putPerson(p) }, err
	case KindCourse:
		c, err := m.Inner.Course(ctx, id)
		return func(st *state) { st.courses[c.Code] = c }, err
	case KindCompletion:
		c, err := m.Inner.Completion(ctx, id)
		return func(st *state) { st.putCompletion(c) }, err
	case KindExemption:
		e, err := m.Inner.Exemption(ctx, id)
		return func(st *state) { st.putExemption(e) }, err
	}
	return nil, fmt.Errorf("unknown kind of change %q", kind)
}

func (m *Model) poke() {
	select {
	case m.kick <- struct{}{}:
	default:
	}
}

// Run follows the change log in the background until ctx ends: it applies
// new entries every Poll (so an idle process stays current), finishes what
// a request left, repairs the writes of processes that died between an
// intent and its done entry, and loads everything again after a bulk
// change.
func (m *Model) Run(ctx context.Context) {
	t := time.NewTicker(m.o.Poll)
	defer t.Stop()
	for {
		select {
		case <-ctx.Done():
			return
		case <-t.C:
		case <-m.kick:
		}
		if err := m.Step(ctx); err != nil && ctx.Err() == nil {
			m.log.ErrorContext(ctx, "read model: follow the change log", logging.Err(err))
		}
	}
}

// reloadBehind is how far behind the log a process may fall before it
// loads everything again rather than applying the entries one by one
// (a process that was paused for a long time): past this many entries,
// reading them costs more than one full load.
const reloadBehind = 50_000

// Step is one round of Run.
func (m *Model) Step(ctx context.Context) error {
	hint, err := m.Inner.ChangeHint(ctx)
	if err != nil {
		return err
	}
	if hint-m.Applied() > reloadBehind {
		m.reloadAsked.Store(true)
	}
	if m.reloadAsked.Swap(false) {
		if err := m.reload(ctx); err != nil {
			m.reloadAsked.Store(true)
			return err
		}
	}
	// In slices, so that requests waiting to catch up wait for one slice.
	for {
		before := m.Applied()
		if err := m.catchUp(ctx, m.o.RequestBudget); err != nil {
			return err
		}
		if m.Applied() == before {
			break
		}
	}
	return m.settle(ctx)
}

// settle handles intents older than Settle with no done entry: their
// writer died or lost the database in the middle of a write. What they
// name is read again, and what depends on it is written if missing.
func (m *Model) settle(ctx context.Context) error {
	m.followMu.Lock()
	defer m.followMu.Unlock()
	cutoff := m.o.Now().Add(-m.o.Settle)
	for seq, in := range m.pending {
		if in.at.After(cutoff) {
			continue
		}
		if err := m.repair(ctx, in.kind, in.ids); err != nil {
			return err
		}
		if err := m.reread(ctx, m.st, in.kind, in.ids); err != nil {
			return err
		}
		delete(m.pending, seq)
		m.log.WarnContext(ctx, "read model: repaired a write whose process stopped before finishing it",
			"entry", seq, "kind", in.kind, "count", len(in.ids))
	}
	return nil
}

// repair writes what a write of kind leaves behind if it is missing: a
// person's version, the audit entry of a recorded completion. Both are
// inserts under keys made from the entity, so repairing twice (two
// processes at once) writes them once.
func (m *Model) repair(ctx context.Context, kind Kind, ids []string) error {
	for _, id := range ids {
		switch kind {
		case KindPerson:
			p, err := m.Inner.Person(ctx, id)
			if errors.Is(err, training.ErrNotFound) {
				continue
			}
			if err != nil {
				return err
			}
			if err := m.Inner.EnsurePersonVersion(ctx, p); err != nil {
				return err
			}
		case KindCompletion:
			c, err := m.Inner.Completion(ctx, id)
			if errors.Is(err, training.ErrNotFound) {
				continue
			}
			if err != nil {
				return err
			}
			if _, err := m.Inner.AppendAudit(ctx, training.CompletionRecordedAudit(c)); err != nil && !errors.Is(err, training.ErrConflict) {
				return err
			}
		}
	}
	return nil
}

// reload loads everything into a new state while requests go on reading
// the old one, then brings the new state up to the log's head and swaps it
// in with this process's writes held back for that moment.
func (m *Model) reload(ctx context.Context) error {
	head, err := m.head(ctx)
	if err != nil {
		return err
	}
	st, err := m.snapshot(ctx)
	if err != nil {
		return err
	}
	m.writeMu.Lock()
	defer m.writeMu.Unlock()
	m.followMu.Lock()
	defer m.followMu.Unlock()
	for seq := min(head, m.applied) + 1; ; seq++ {
		c, err := m.Inner.Change(ctx, seq)
		if errors.Is(err, training.ErrNotFound) {
			break
		}
		if err != nil {
			return err
		}
		if c.Seq > m.applied {
			m.notePending(c)
			m.applied = c.Seq
		}
		if c.Kind == KindAll && c.Seq > head {
			// Bulk data written while this load read: load again.
			m.reloadAsked.Store(true)
		}
		if c.Of != 0 {
			if err := m.reread(ctx, st, c.Kind, c.IDs); err != nil {
				return err
			}
		}
		m.see(c.Seq)
	}
	m.mu.Lock()
	m.st = st
	m.touched, m.stale = map[string]uint64{}, map[string]bool{}
	m.mu.Unlock()
	return nil
}

// catchUpFor catches up for a read: once per request under WithRequest,
// else every time.
func (m *Model) catchUpFor(ctx context.Context) error {
	mark, _ := ctx.Value(requestKey{}).(*requestMark)
	if mark == nil {
		return m.catchUp(ctx, m.o.RequestBudget)
	}
	mark.mu.Lock()
	defer mark.mu.Unlock()
	if mark.caught[m] {
		return nil
	}
	if err := m.catchUp(ctx, m.o.RequestBudget); err != nil {
		return err
	}
	mark.caught[m] = true
	return nil
}

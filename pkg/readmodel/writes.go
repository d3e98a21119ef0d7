package readmodel

import (
	"context"
	"errors"

	"go.mongodb.org/mongo-driver/v2/bson"

	"github.com/complytrack/complytrack/pkg/compliance"
	"github.com/complytrack/complytrack/pkg/logging"
	"github.com/complytrack/complytrack/pkg/training"
)

// bulkChunk bounds the IDs of one entry, so that a process applying it
// re-reads at most this many documents in one step.
const bulkChunk = 64

// write brackets do with an intent and a done entry naming ids, and puts
// what do wrote into this process's state (read-your-writes). A failure to
// append the intent stops the write before anything is written. A failure
// to append the done entry does not undo the write: other processes read
// it after Settle, from the pending intent.
func (m *Model) write(ctx context.Context, kind Kind, ids []string, do func() (put func(*state), err error)) error {
	m.writeMu.RLock()
	defer m.writeMu.RUnlock()
	seq, err := m.Inner.AppendChange(ctx, Change{Seq: m.known.Load(), Kind: kind, IDs: ids, Origin: m.origin, At: m.o.Now()})
	if err != nil {
		return err
	}
	m.see(seq)
	put, werr := do()
	if put != nil {
		m.mu.Lock()
		put(m.st)
		for _, id := range ids {
			m.touched[key(kind, id)]++
		}
		m.mu.Unlock()
	}
	done, err := m.Inner.AppendChange(ctx, Change{Seq: max(seq, m.known.Load()), Of: seq, Kind: kind, IDs: ids, Origin: m.origin, At: m.o.Now()})
	if err != nil {
		m.log.ErrorContext(ctx, "read model: cannot finish a change-log entry; other processes will read the write later",
			"entry", seq, "kind", kind, logging.Err(err))
	} else {
		m.see(done)
	}
	return werr
}

// writeOne brackets the write of one record: store writes it and returns
// it as stored, put puts that into this process's state.
func writeOne[T any](m *Model, ctx context.Context, kind Kind, id string, store func() (T, error), put func(*state, T)) (T, error) {
	var out T
	err := m.write(ctx, kind, []string{id}, func() (func(*state), error) {
		var err error
		if out, err = store(); err != nil {
			return nil, err
		}
		return func(st *state) { put(st, out) }, nil
	})
	return out, err
}

func newID() string { return bson.NewObjectID().Hex() }

// CreatePerson implements compliance.Store.
func (m *Model) CreatePerson(ctx context.Context, p training.Person) (training.Person, error) {
	if p.ID == "" {
		p.ID = newID()
	}
	return writeOne(m, ctx, KindPerson, p.ID,
		func() (training.Person, error) { return m.Inner.CreatePerson(ctx, p) }, (*state).putPerson)
}

// UpdatePerson implements compliance.Store.
func (m *Model) UpdatePerson(ctx context.Context, p training.Person) (training.Person, error) {
	return writeOne(m, ctx, KindPerson, p.ID,
		func() (training.Person, error) { return m.Inner.UpdatePerson(ctx, p) }, (*state).putPerson)
}

// InsertPeople implements compliance.BulkStore, one pair of entries per
// chunk of people.
func (m *Model) InsertPeople(ctx context.Context, people []training.Person) (map[int]error, error) {
	for i := range people {
		if people[i].ID == "" {
			people[i].ID = newID()
		}
	}
	_, refused, err := m.writePeople(ctx, people, func(chunk []training.Person) ([]training.Person, map[int]error, error) {
		bad, err := m.Inner.InsertPeople(ctx, chunk)
		return chunk, bad, err
	})
	return refused, err
}

// UpdatePeople implements compliance.BulkStore, one pair of entries per
// chunk of people.
func (m *Model) UpdatePeople(ctx context.Context, people []training.Person) ([]training.Person, map[int]error, error) {
	return m.writePeople(ctx, people, func(chunk []training.Person) ([]training.Person, map[int]error, error) {
		return m.Inner.UpdatePeople(ctx, chunk)
	})
}

// writePeople writes people in chunks of bulkChunk, each bracketed by its
// pair of entries, with store, which returns the people as stored and,
// by position in the chunk, those it refused.
func (m *Model) writePeople(ctx context.Context, people []training.Person,
	store func([]training.Person) ([]training.Person, map[int]error, error)) ([]training.Person, map[int]error, error) {
	out := make([]training.Person, len(people))
	refused := map[int]error{}
	for start := 0; start < len(people); start += bulkChunk {
		chunk := people[start:min(start+bulkChunk, len(people))]
		ids := make([]string, len(chunk))
		for i := range chunk {
			ids[i] = chunk[i].ID
		}
		err := m.write(ctx, KindPerson, ids, func() (func(*state), error) {
			stored, bad, err := store(chunk)
			if err != nil {
				return nil, err
			}
			copy(out[start:], stored)
			for i, e := range bad {
				refused[start+i] = e
			}
			return func(st *state) {
				for i, p := range stored {
					if _, no := bad[i]; !no {
						st.putPerson(p)
					}
				}
			}, nil
		})
		if err != nil {
			return out, refused, err
		}
	}
	return out, refused, nil
}

// CreateCourse implements compliance.Store.
func (m *Model) CreateCourse(ctx context.Context, c training.Course) error {
	return m.write(ctx, KindCourse, []string{c.Code}, func() (func(*state), error) {
		if err := m.Inner.CreateCourse(ctx, c); err != nil {
			return nil, err
		}
		return func(st *state) { st.courses[c.Code] = c }, nil
	})
}

// UpdateCourse implements compliance.Store.
func (m *Model) UpdateCourse(ctx context.Context, c training.Course) error {
	return m.write(ctx, KindCourse, []string{c.Code}, func() (func(*state), error) {
		if err := m.Inner.UpdateCourse(ctx, c); err != nil {
			return nil, err
		}
		return func(st *state) { st.courses[c.Code] = c }, nil
	})
}

// InsertCompletion implements compliance.Store. The completion's audit
// entry is written here, inside the bracket, under a key made from the
// completion: a process that dies between the two leaves an unfinished
// intent, and whoever settles it writes the missing entry.
func (m *Model) InsertCompletion(ctx context.Context, c training.Completion) (training.Completion, error) {
	if c.ID == "" {
		c.ID = newID()
	}
	var out training.Completion
	err := m.write(ctx, KindCompletion, []string{c.ID}, func() (func(*state), error) {
		var err error
		if out, err = m.Inner.InsertCompletion(ctx, c); err != nil {
			return nil, err
		}
		put := func(st *state) { st.putCompletion(out) }
		if _, err := m.Inner.AppendAudit(ctx, training.CompletionRecordedAudit(out)); err != nil && !errors.Is(err, training.ErrConflict) {
			return put, err
		}
		return put, nil
	})
	return out, err
}

// ReviewCompletion implements compliance.Store.
func (m *Model) ReviewCompletion(ctx context.Context, id string, accepted bool, d training.Decision) error {
	return m.decide(ctx, id, func() error { return m.Inner.ReviewCompletion(ctx, id, accepted, d) })
}

// RevokeCompletion implements compliance.Store.
func (m *Model) RevokeCompletion(ctx context.Context, id string, d training.Decision) error {
	return m.decide(ctx, id, func() error { return m.Inner.RevokeCompletion(ctx, id, d) })
}

// decide records a decision on a completion, then reads the completion
// back with all its decisions for this process's state.
func (m *Model) decide(ctx context.Context, id string, record func() error) error {
	return m.write(ctx, KindCompletion, []string{id}, func() (func(*state), error) {
		if err := record(); err != nil {
			return nil, err
		}
		c, err := m.Inner.Completion(ctx, id)
		if err != nil {
			return nil, err
		}
		return func(st *state) { st.putCompletion(c) }, nil
	})
}

// InsertExemption implements compliance.Store.
func (m *Model) InsertExemption(ctx context.Context, e training.Exemption) (training.Exemption, error) {
	if e.ID == "" {
		e.ID = newID()
	}
	return writeOne(m, ctx, KindExemption, e.ID,
		func() (training.Exemption, error) { return m.Inner.InsertExemption(ctx, e) }, (*state).putExemption)
}

// RemoveExemption implements compliance.Store.
func (m *Model) RemoveExemption(ctx context.Context, id string, d training.Decision) error {
	return m.write(ctx, KindExemption, []string{id}, func() (func(*state), error) {
		if err := m.Inner.RemoveExemption(ctx, id, d); err != nil {
			return nil, err
		}
		e, err := m.Inner.Exemption(ctx, id)
		if err != nil {
			return nil, err
		}
		return func(st *state) { st.putExemption(e) }, nil
	})
}

// Bulk announces data written in bulk straight to the database (the demo
// council, a migration): every other process loads everything again in
// the background, and this one loads now.
func (m *Model) Bulk(ctx context.Context) error {
	seq, err := m.Inner.AppendChange(ctx, Change{Seq: m.known.Load(), Kind: KindAll, Origin: m.origin, At: m.o.Now()})
	if err != nil {
		return err
	}
	m.see(seq)
	if err := m.reload(ctx); err != nil {
		return err
	}
	m.loaded.Store(true)
	return nil
}

var (
	_ compliance.Store     = (*Model)(nil)
	_ compliance.BulkStore = (*Model)(nil)
	_ compliance.Roster    = (*Model)(nil)
)

package training

import (
	"context"
	"crypto/rand"
	"encoding/hex"
	"encoding/json"
	"fmt"
	"log/slog"
	"sync"
	"time"
)

// Store is what the service needs from the database. pkg/mongodb implements
// it. Errors wrap ErrNotFound and ErrConflict as documented on each method
// there.
type Store interface {
	EvidenceStore
	FlagStore
	NoticeStore

	// Stamps returns every process's change stamp; SetStamp writes this
	// process's own (see roster).
	Stamps(ctx context.Context) (map[string]int64, error)
	SetStamp(ctx context.Context, process string, n int64) error

	CreatePerson(ctx context.Context, p Person) (Person, error)
	Person(ctx context.Context, id string) (Person, error)
	UpdatePerson(ctx context.Context, p Person) (Person, error)
	EachPerson(ctx context.Context, fn func(Person) error) error
	// EachPersonVersion streams every recorded version of every person
	// (one per create and update).
	EachPersonVersion(ctx context.Context, fn func(Person) error) error

	CreateCourse(ctx context.Context, c Course) error
	Course(ctx context.Context, code string) (Course, error)
	UpdateCourse(ctx context.Context, c Course) error
	Courses(ctx context.Context) ([]Course, error)

	InsertCompletion(ctx context.Context, c Completion) (Completion, error)
	Completion(ctx context.Context, id string) (Completion, error)
	ReviewCompletion(ctx context.Context, id string, accepted bool, d Decision) error
	RevokeCompletion(ctx context.Context, id string, d Decision) error
	EachCompletion(ctx context.Context, fn func(Completion) error) error

	InsertExemption(ctx context.Context, e Exemption) (Exemption, error)
	Exemption(ctx context.Context, id string) (Exemption, error)
	RemoveExemption(ctx context.Context, id string, d Decision) error
	EachExemption(ctx context.Context, fn func(Exemption) error) error

	AppendAudit(ctx context.Context, e AuditEntry) (AuditEntry, error)
	ListAudit(ctx context.Context, entityID string, page PageRequest) (Page[AuditEntry], error)
}

// Actor is who is asking: a signed-in person and the roles their account
// holds. Whether they manage someone is worked out from the reporting line,
// never stored.
type Actor struct {
	PersonID string
	HR       bool
	Auditor  bool
	Trainer  bool
	system   bool
}

// SystemActorFor returns the actor the scheduled jobs and start-up act as:
// it may do what HR may.
func SystemActorFor() Actor { return Actor{PersonID: SystemActor, HR: true, system: true} }

// readsAll reports whether the actor may read every person's records.
func (a Actor) readsAll() bool { return a.HR || a.Auditor || a.system }

// Service holds complytrack's rules and object-level authorization; the
// HTTP API and the scheduled jobs both call it.
type Service struct {
	store    Store
	evidence EvidenceStore
	flags    FlagStore
	notices  NoticeStore
	log      *slog.Logger
	now      func() time.Time
	loc      *time.Location
	roster   *roster
	process  string // this process's stamp key
	stampMu  sync.Mutex
	stampSeq int64
}

// Options configure a Service.
type Options struct {
	Location *time.Location   // the organisation's zone; default Europe/London
	Now      func() time.Time // default time.Now
	Logger   *slog.Logger
}

// NewService returns a service on store.
func NewService(store Store, o Options) *Service {
	if o.Location == nil {
		o.Location, _ = time.LoadLocation("Europe/London")
	}
	if o.Now == nil {
		o.Now = time.Now
	}
	if o.Logger == nil {
		o.Logger = slog.Default()
	}
	var b [8]byte
	_, _ = rand.Read(b[:])
	return &Service{
		store: store, evidence: store, flags: store, notices: store, log: o.Logger, now: o.Now, loc: o.Location,
		roster:  newRoster(),
		process: hex.EncodeToString(b[:]),
	}
}

// Today is the date now in the organisation's zone.
func (s *Service) Today() Date { return Today(s.now(), s.loc) }

// Location is the organisation's zone.
func (s *Service) Location() *time.Location { return s.loc }

// Refresh brings the in-memory roster up to date with the database. Reads
// call it themselves; start-up calls it to load before serving.
func (s *Service) Refresh(ctx context.Context) error { return s.refresh(ctx) }

// changed bumps this process's stamp after a write, so other processes
// load again. The roster was already updated in place by the caller.
func (s *Service) changed(ctx context.Context) {
	s.stampMu.Lock()
	defer s.stampMu.Unlock()
	s.stampSeq++
	if err := s.store.SetStamp(ctx, s.process, s.stampSeq); err != nil {
		// The write itself succeeded; other processes will see it at their
		// next load once a later stamp lands.
		s.log.ErrorContext(ctx, "cannot record change stamp", "err", err)
	}
}

func jsonOrNil(v any) (json.RawMessage, error) {
	if v == nil {
		return nil, nil
	}
	return json.Marshal(v)
}

// audit records one change. The change is already stored: a failure here
// is returned so the caller sees a 500 and the operator a log line, but
// nothing is undone.
func (s *Service) audit(ctx context.Context, actor Actor, action, entity, id string, before, after any) error {
	e := AuditEntry{At: s.now().UTC(), Actor: actor.PersonID, Action: action, Entity: entity, EntityID: id}
	var err error
	if before != nil {
		if e.Before, err = json.Marshal(before); err != nil {
			return fmt.Errorf("audit %s: %w", action, err)
		}
	}
	if after != nil {
		if e.After, err = json.Marshal(after); err != nil {
			return fmt.Errorf("audit %s: %w", action, err)
		}
	}
	if _, err := s.store.AppendAudit(ctx, e); err != nil {
		s.log.ErrorContext(ctx, "audit entry not written", "action", action, "entity_id", id, "err", err)
		return fmt.Errorf("audit %s: %w", action, err)
	}
	return nil
}

// timeZero is "as known now" for Evaluate.
var timeZero time.Time

// Audit records a change made outside this package (accounts, jobs) in the
// same audit log.
func (s *Service) Audit(ctx context.Context, actor Actor, action, entity, id string, before, after any) error {
	return s.audit(ctx, actor, action, entity, id, before, after)
}

// ListAudit returns one page of the audit log, newest first, about one
// entity or everything. Only HR and auditors may read it.
func (s *Service) ListAudit(ctx context.Context, actor Actor, entityID string, page PageRequest) (Page[AuditEntry], error) {
	if !actor.readsAll() {
		return Page[AuditEntry]{}, fmt.Errorf("read audit: %w", ErrForbidden)
	}
	return s.store.ListAudit(ctx, entityID, page)
}

// PersonForAudit and CompletionForAudit are how a person and a completion
// appear in the audit log, for writes made outside this package (the demo
// data's bulk import).
func PersonForAudit(p Person) any         { return auditPerson(p) }
func CompletionForAudit(c Completion) any { return auditCompletion(c) }

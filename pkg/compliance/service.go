package compliance

import (
	"context"
	"encoding/json"
	"fmt"
	"log/slog"
	"time"

	"github.com/complytrack/complytrack/pkg/logging"
	"github.com/complytrack/complytrack/pkg/training"
)

// Store is what the service needs from the database: the organisation
// held in memory (Roster) and the records behind it. pkg/readmodel
// implements it on top of pkg/mongodb. Errors wrap training.ErrNotFound
// and training.ErrConflict as documented on each method there.
type Store interface {
	Roster
	Records
}

// Records is what the service reads and writes in the database itself:
// single records by key, history, and every write.
type Records interface {
	EvidenceStore
	FlagStore
	NoticeStore

	CreatePerson(ctx context.Context, p training.Person) (training.Person, error)
	Person(ctx context.Context, id string) (training.Person, error)
	UpdatePerson(ctx context.Context, p training.Person) (training.Person, error)
	// EachPersonVersion streams every recorded version of every person
	// (one per create and update).
	EachPersonVersion(ctx context.Context, fn func(training.Person) error) error

	CreateCourse(ctx context.Context, c training.Course) error
	UpdateCourse(ctx context.Context, c training.Course) error

	// InsertCompletion records a completion and, under a key made from it,
	// its audit entry (CompletionRecordedAudit).
	InsertCompletion(ctx context.Context, c training.Completion) (training.Completion, error)
	Completion(ctx context.Context, id string) (training.Completion, error)
	ReviewCompletion(ctx context.Context, id string, accepted bool, d training.Decision) error
	RevokeCompletion(ctx context.Context, id string, d training.Decision) error

	InsertExemption(ctx context.Context, e training.Exemption) (training.Exemption, error)
	Exemption(ctx context.Context, id string) (training.Exemption, error)
	RemoveExemption(ctx context.Context, id string, d training.Decision) error

	AppendAudit(ctx context.Context, e training.AuditEntry) (training.AuditEntry, error)
	ListAudit(ctx context.Context, entityID string, page training.PageRequest) (training.Page[training.AuditEntry], error)
}

// Service runs complytrack's use cases with object-level authorization;
// the HTTP API, the web pages and the scheduled jobs all call it. It is
// one service per family of use cases, sharing the store: a caller may
// hold just the family it needs (the jobs, Flags), or the whole Service,
// whose methods are the families'.
type Service struct {
	*core
	People
	Catalogue
	Completions
	Exemptions
	Flags
	Reports
}

// People adds, changes, finds and imports people, and says who may see
// whom.
type People struct{ *core }

// Catalogue keeps the courses and their policies.
type Catalogue struct{ *core }

// Completions records completions, with their certificates, and has them
// verified, rejected or revoked.
type Completions struct{ *core }

// Exemptions grants and removes exemptions.
type Exemptions struct{ *core }

// Flags finds who is due or overdue (the daily scan), records the flags
// it raises and lists them.
type Flags struct{ *core }

// Reports works out compliance: one person's, a manager's team's, the
// organisation's on any day, and keeps the monthly snapshots.
type Reports struct{ *core }

// core is what every family shares: the store, the clock and the zone.
type core struct {
	store    Store
	evidence EvidenceStore
	flags    FlagStore
	notices  NoticeStore
	log      *slog.Logger
	now      func() time.Time
	loc      *time.Location

	// attendance, when set, limits what a trainer records for others to
	// the people booked on their sessions (UseAttendance).
	attendance Attendance

	// trends keeps past months' figures for Reports.Trend.
	trends trendCache
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
		o.Logger = slog.New(slog.DiscardHandler)
	}
	c := &core{store: store, evidence: store, flags: store, notices: store, log: o.Logger, now: o.Now, loc: o.Location}
	return &Service{core: c, People: People{c}, Catalogue: Catalogue{c}, Completions: Completions{c},
		Exemptions: Exemptions{c}, Flags: Flags{c}, Reports: Reports{c}}
}

// Today is the date now in the organisation's zone.
func (s *core) Today() training.Date { return training.Today(s.now(), s.loc) }

// Location is the organisation's zone.
func (s *core) Location() *time.Location { return s.loc }

func jsonOrNil(v any) (json.RawMessage, error) {
	if v == nil {
		return nil, nil
	}
	return json.Marshal(v)
}

// audit records one change. The change is already stored: a failure here
// is returned so the caller sees a 500 and the operator a log line, but
// nothing is undone.
func (s *core) audit(ctx context.Context, actor training.Actor, action, entity, id string, before, after any) error {
	e := training.AuditEntry{At: s.now().UTC(), Actor: actor.PersonID, Action: action, Entity: entity, EntityID: id}
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
		s.log.ErrorContext(ctx, "audit entry not written", "action", action, "entity_id", id, logging.Err(err))
		return fmt.Errorf("audit %s: %w", action, err)
	}
	return nil
}

// timeZero is "as known now" for Evaluate.
var timeZero time.Time

// Audit records a change made outside this package (accounts, jobs) in the
// same audit log.
func (s *core) Audit(ctx context.Context, actor training.Actor, action, entity, id string, before, after any) error {
	return s.audit(ctx, actor, action, entity, id, before, after)
}

// ListAudit returns one page of the audit log, newest first, about one
// entity or everything. Only HR and auditors may read it.
func (s *core) ListAudit(ctx context.Context, actor training.Actor, entityID string, page training.PageRequest) (training.Page[training.AuditEntry], error) {
	if !actor.ReadsAll() {
		return training.Page[training.AuditEntry]{}, fmt.Errorf("read audit: %w", training.ErrForbidden)
	}
	return s.store.ListAudit(ctx, entityID, page)
}

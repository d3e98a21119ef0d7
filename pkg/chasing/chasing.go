// Package chasing sends the reminders a manager or HR asks for by hand: "Send
// a reminder to these people" on My team and on Flags. Each person gets one
// e-mail listing the courses they are chased for, at most once a day per
// person and course however often the button is pressed, and the reminder
// is recorded (an audit entry, and when each course was last reminded, for
// the "last reminded" columns).
//
// There are no transactions (see docs/database.md): "once a day" is an
// insert under a unique key per person, course and day (the claim), so of
// two presses at once exactly one claims each course; the e-mail is queued
// under a key made from the claimed courses, so a retry after a failure
// queues it once.
package chasing

import (
	"cmp"
	"context"
	"errors"
	"fmt"
	"log/slog"
	"maps"
	"slices"
	"strings"
	"sync"
	"time"

	"github.com/complytrack/complytrack/pkg/logging"
	"github.com/complytrack/complytrack/pkg/notify"
	"github.com/complytrack/complytrack/pkg/training"
)

// Target is one course to chase one person for.
type Target struct {
	PersonID   string
	CourseCode string
}

// Result says what a Remind did with each target.
type Result struct {
	// Emailed lists the people sent an e-mail now, one each.
	Emailed []string
	// Reminded lists the targets those e-mails chased.
	Reminded []Target
	// AlreadyToday lists the targets reminded earlier the same day (by
	// anyone): they are not chased again until tomorrow.
	AlreadyToday []Target
	// NothingDue lists the targets with nothing to chase: the course is
	// done and in date, the person is exempt, or it does not apply to them.
	NothingDue []Target
}

// People is what chasing needs from the compliance service.
type People interface {
	// Chaseable returns the people named with their status for every
	// course that applies to them, or refuses the whole list if the actor
	// may not chase one of them (ErrNotFound, ErrForbidden).
	Chaseable(ctx context.Context, actor training.Actor, personIDs []string) ([]training.TeamMember, error)
	Courses(ctx context.Context) ([]training.Course, error)
	Audit(ctx context.Context, actor training.Actor, action, entity, id string, before, after any) error
	Today() training.Date
}

// Store keeps the claims and the "last reminded" records. pkg/mongodb
// implements it.
type Store interface {
	// ClaimReminder records that the person is reminded of the course on
	// day; a claim already made is training.ErrConflict.
	ClaimReminder(ctx context.Context, personID, courseCode string, day training.Date, at time.Time, by string) error
	// ReleaseReminder removes a claim whose e-mail could not be queued.
	ReleaseReminder(ctx context.Context, personID, courseCode string, day training.Date) error
	// RecordReminded records when each person was last reminded of each
	// course and logs it for the other processes, under the first free
	// number after `after`, which it returns.
	RecordReminded(ctx context.Context, after int64, rs []training.Reminded) (int64, error)
	// RemindedAfter returns what the log holds after entry seq, and the
	// number of the last entry read.
	RemindedAfter(ctx context.Context, seq int64) ([]training.Reminded, int64, error)
	// RemindedHint is the number of a recent entry of the log (or 0).
	RemindedHint(ctx context.Context) (int64, error)
	// AllReminded returns every person and course's last reminder.
	AllReminded(ctx context.Context) ([]training.Reminded, error)
}

// Options configure a Service.
type Options struct {
	Now       func() time.Time // default time.Now
	Location  *time.Location   // the organisation's zone, for dates in e-mails; default Europe/London
	PublicURL string           // where people record their training
	Logger    *slog.Logger
}

// Service sends and records reminders.
type Service struct {
	people People
	store  Store
	outbox *notify.Outbox
	o      Options
	last   lastReminded
}

// lastReminded is when each person was last reminded of each course, in
// memory: a page of My team asks about a hundred people, and the embedded
// engine reads a whole collection for anything but one _id. Measured in
// pkg/mongodb (BenchmarkAllReminded, BenchmarkRemindedAfterNothingNew;
// 1,200 records): 45-75 ms to read them, which any query for a page would
// cost, against 0.2 ms for the one look-up that finds nothing new in the
// log. It is loaded on first use and brought up to date before every read
// from the log every process appends to, so it shows what any process
// recorded.
type lastReminded struct {
	mu     sync.Mutex
	loaded bool
	seq    int64
	at     map[string]map[string]time.Time
}

// New returns a Service.
func New(people People, store Store, outbox *notify.Outbox, o Options) *Service {
	if o.Now == nil {
		o.Now = time.Now
	}
	if o.Location == nil {
		o.Location, _ = time.LoadLocation("Europe/London")
	}
	if o.Logger == nil {
		o.Logger = slog.New(slog.DiscardHandler)
	}
	return &Service{people: people, store: store, outbox: outbox, o: o}
}

// MaxTargets is how many targets one Remind takes: a whole organisation's
// people for a handful of courses.
const MaxTargets = 20000

// ErrTooMany: a Remind with more than MaxTargets targets. It wraps
// training.ErrInvalid.
var ErrTooMany = training.Invalid("targets", "Choose at most %d reminders at once.", MaxTargets)

// Remind chases each person for the courses named, in one e-mail per
// person. The actor must oversee every person (their line manager or
// someone above, or a Member Services officer for an elected Member) or
// be HR, else nothing is sent: ErrNotFound for a person they cannot see,
// ErrForbidden for one they see but do not oversee. A course done and in
// date, or exempt, is not chased; nor is one already chased that day.
func (s *Service) Remind(ctx context.Context, actor training.Actor, targets []Target) (res Result, err error) {
	if len(targets) > MaxTargets {
		return Result{}, ErrTooMany
	}
	byPerson := map[string][]string{}
	var order []string
	for _, t := range targets {
		if _, ok := byPerson[t.PersonID]; !ok {
			order = append(order, t.PersonID)
		}
		if !slices.Contains(byPerson[t.PersonID], t.CourseCode) {
			byPerson[t.PersonID] = append(byPerson[t.PersonID], t.CourseCode)
		}
	}
	var members []training.TeamMember
	members, err = s.people.Chaseable(ctx, actor, order)
	if err != nil {
		return Result{}, err
	}
	courses, err := s.people.Courses(ctx)
	if err != nil {
		return Result{}, err
	}
	titles := map[string]training.Course{}
	for _, c := range courses {
		titles[c.Code] = c
	}
	day := s.people.Today()
	var record []training.Reminded
	// What was sent is recorded even when a later person fails, so
	// "last reminded" never misses an e-mail that went.
	defer func() {
		if len(record) == 0 {
			return
		}
		if rerr := s.record(ctx, record); rerr != nil && err == nil {
			err = rerr
		}
	}()
	for _, m := range members {
		var due []training.Assessment
		for _, code := range byPerson[m.Person.ID] {
			t := Target{PersonID: m.Person.ID, CourseCode: code}
			i := slices.IndexFunc(m.Training, func(a training.Assessment) bool { return a.CourseCode == code })
			if i < 0 || !Chaseable(m.Training[i].Status) {
				res.NothingDue = append(res.NothingDue, t)
				continue
			}
			due = append(due, m.Training[i])
		}
		if len(due) == 0 {
			continue
		}
		sent, already, at, err := s.remindOne(ctx, actor, m.Person, due, titles, day)
		for _, t := range sent {
			record = append(record, training.Reminded{PersonID: t.PersonID, CourseCode: t.CourseCode, At: at, By: actor.PersonID})
		}
		if err != nil {
			return res, err
		}
		res.AlreadyToday = append(res.AlreadyToday, already...)
		if len(sent) > 0 {
			res.Emailed = append(res.Emailed, m.Person.ID)
			res.Reminded = append(res.Reminded, sent...)
		}
	}
	return res, nil
}

// Chaseable reports whether a course in this status is worth a reminder:
// it is overdue, expired, due or expiring.
func Chaseable(st training.Status) bool {
	switch st {
	case training.StatusOverdue, training.StatusExpired, training.StatusDue, training.StatusExpiring:
		return true
	}
	return false
}

// remindOne claims today's reminder of each course for one person, then
// sends one e-mail about the courses it claimed and audits it. It returns
// the courses reminded now, those reminded earlier today, and when.
func (s *Service) remindOne(ctx context.Context, actor training.Actor, p training.Person, due []training.Assessment, courses map[string]training.Course, day training.Date) (sent, already []Target, at time.Time, err error) {
	at = s.o.Now().UTC()
	var claimed []training.Assessment
	for _, a := range due {
		t := Target{PersonID: p.ID, CourseCode: a.CourseCode}
		err := s.store.ClaimReminder(ctx, p.ID, a.CourseCode, day, at, actor.PersonID)
		switch {
		case errors.Is(err, training.ErrConflict):
			already = append(already, t)
		case err != nil:
			s.release(ctx, p.ID, claimed, day)
			return nil, nil, at, err
		default:
			claimed = append(claimed, a)
		}
	}
	if len(claimed) == 0 {
		return nil, already, at, nil
	}
	slices.SortFunc(claimed, func(a, b training.Assessment) int { return cmp.Compare(a.CourseCode, b.CourseCode) })
	codes := make([]string, len(claimed))
	for i, a := range claimed {
		codes[i] = a.CourseCode
	}
	msg := s.message(p, claimed, courses)
	msg.Key = "manual_reminder:" + p.ID + ":" + day.String() + ":" + strings.Join(codes, ",")
	if _, err := s.outbox.Queue(ctx, msg); err != nil {
		// Unclaimed, the courses can be chased again today once the
		// cause (say, an address the outbox refuses) is put right.
		s.release(ctx, p.ID, claimed, day)
		return nil, nil, at, fmt.Errorf("remind %s: %w", p.ID, err)
	}
	for _, a := range claimed {
		sent = append(sent, Target{PersonID: p.ID, CourseCode: a.CourseCode})
	}
	if err := s.people.Audit(ctx, actor, "person.reminded", "person", p.ID, nil, map[string]any{"courses": codes, "to": p.Email}); err != nil {
		return sent, already, at, err
	}
	return sent, already, at, nil
}

func (s *Service) release(ctx context.Context, personID string, claimed []training.Assessment, day training.Date) {
	for _, a := range claimed {
		if err := s.store.ReleaseReminder(ctx, personID, a.CourseCode, day); err != nil {
			s.o.Logger.ErrorContext(ctx, "reminder claim not released: the course cannot be chased again today",
				"person_id", personID, "course", a.CourseCode, logging.Err(err))
		}
	}
}

// LastReminded returns when each of the people named was last reminded of
// each course, for the people the actor may see as a manager does (or
// everyone for HR and auditors): a person they may not see is ErrNotFound.
// People never reminded are missing from the map.
func (s *Service) LastReminded(ctx context.Context, actor training.Actor, personIDs []string) (map[string]map[string]time.Time, error) {
	if len(personIDs) == 0 {
		return map[string]map[string]time.Time{}, nil
	}
	if !actor.ReadsAll() {
		// Chaseable is the same rule (oversight) with the same answers.
		if _, err := s.people.Chaseable(ctx, actor, personIDs); err != nil {
			return nil, err
		}
	}
	s.last.mu.Lock()
	defer s.last.mu.Unlock()
	if err := s.catchUp(ctx); err != nil {
		return nil, err
	}
	out := make(map[string]map[string]time.Time, len(personIDs))
	for _, id := range personIDs {
		if at, ok := s.last.at[id]; ok {
			out[id] = maps.Clone(at)
		}
	}
	return out, nil
}

// record stores what was just sent for "last reminded" and logs it.
func (s *Service) record(ctx context.Context, rs []training.Reminded) error {
	s.last.mu.Lock()
	after := s.last.seq
	s.last.mu.Unlock()
	_, err := s.store.RecordReminded(ctx, after, rs)
	return err
}

// catchUp loads "last reminded" on first use and applies what the log
// gained since. Applying keeps the later time, so an entry read twice
// (the first load may already hold what the log then brings) is harmless.
// The caller holds s.last.mu.
func (s *Service) catchUp(ctx context.Context) error {
	if !s.last.loaded {
		// The hint first: every entry after it is read from the log, and
		// every record before it is in the collection read next.
		seq, err := s.store.RemindedHint(ctx)
		if err != nil {
			return err
		}
		all, err := s.store.AllReminded(ctx)
		if err != nil {
			return err
		}
		s.last.at = map[string]map[string]time.Time{}
		s.apply(all)
		s.last.seq, s.last.loaded = seq, true
	}
	rs, seq, err := s.store.RemindedAfter(ctx, s.last.seq)
	if err != nil {
		return err
	}
	s.apply(rs)
	s.last.seq = seq
	return nil
}

func (s *Service) apply(rs []training.Reminded) {
	for _, r := range rs {
		m := s.last.at[r.PersonID]
		if m == nil {
			m = map[string]time.Time{}
			s.last.at[r.PersonID] = m
		}
		if r.At.After(m[r.CourseCode]) {
			m[r.CourseCode] = r.At
		}
	}
}

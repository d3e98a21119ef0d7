package training

import (
	"context"
	"fmt"
	"slices"
	"strings"
	"time"
)

// A scan raises flags on transitions and the jobs notify people about
// them. Exactly once, on both engines and through crashes, comes from keys:
// every flag and every notice has a key made of (what, who, which course,
// which cycle), stored under a unique index. The jobs queue an e-mail under
// the same key first and record the flag or notice after, so a crash in
// between leaves the e-mail queued and the next run records it; a second
// run with nothing changed finds every key in memory and writes nothing.

// Notice records, once, a notification that is not a flag (an escalation
// to HR, a weekly digest). A batch notice also names every key it covers
// and carries the e-mail it stands for: it is recorded in one insert before
// the e-mail is queued, so a run killed in between finishes sending it next
// time, and nobody it covers is ever put in a second batch.
type Notice struct {
	Key     string
	Covers  []string // batch only: the keys it covers
	To      []string // batch only: its recipients
	Subject string   // batch only
	Body    string   // batch only
}

// NoticeStore records notices by key, once.
type NoticeStore interface {
	// InsertNotice records a notice; an existing key is ErrConflict.
	InsertNotice(ctx context.Context, n Notice, at time.Time) error
	EachNotice(ctx context.Context, fn func(Notice) error) error
}

// sentSuffix marks a batch whose e-mails are all queued.
const sentSuffix = "/sent"

// Due is one person's transition on one course found by a scan.
type Due struct {
	Flag       Flag // Key, Kind, PersonID, CourseCode, DueOn set
	Person     Person
	Manager    Person // zero when none
	Course     Course
	Assessment Assessment
}

// ScanResult is what a scan found on a day.
type ScanResult struct {
	Today Date
	// New are transitions not flagged before.
	New []Due
	// Overdue are everyone overdue or expired, for escalation and digests.
	Overdue []Due
	// DueSoon are everyone expiring or due (in their window), for digests.
	DueSoon []Due
	// Evaluated counts the (person, course) pairs looked at.
	Evaluated int
}

// flagKind maps a status to the flag it raises, if any.
func flagKind(st Status) (FlagKind, bool) {
	switch st {
	case StatusDue:
		return FlagNewStarter, true
	case StatusExpiring:
		return FlagDueSoon, true
	case StatusOverdue:
		return FlagOverdue, true
	case StatusExpired:
		return FlagExpired, true
	}
	return "", false
}

// FlagKey is the key of a transition: the kind, the person, the course and
// the date that defines the cycle (the due or expiry date), so the next
// cycle (after a renewal) is a new flag.
func FlagKey(kind FlagKind, personID, courseCode string, cycle Date) string {
	return fmt.Sprintf("%s:%s:%s:%s", kind, personID, courseCode, cycle)
}

// Scan evaluates every applicable person and course on today, from memory
// after one refresh, and reports the transitions. It writes nothing.
func (s *Service) Scan(ctx context.Context) (ScanResult, error) {
	if err := s.refresh(ctx); err != nil {
		return ScanResult{}, err
	}
	today := s.Today()
	res := ScanResult{Today: today}
	r := s.roster
	r.mu.RLock()
	defer r.mu.RUnlock()
	known := make(map[string]bool, len(r.flags))
	for _, f := range r.flags {
		known[f.Key] = true
	}
	courses := s.sortedCourses()
	for _, p := range r.people {
		if p.IsLeaver(today) {
			continue
		}
		var manager Person
		if m, ok := r.people[p.ManagerID]; ok {
			manager = *m
		}
		for _, c := range courses {
			a := Evaluate(*p, c, r.complete[p.ID], r.exempt[p.ID], today, time.Time{})
			if !a.Applicable {
				continue
			}
			res.Evaluated++
			kind, ok := flagKind(a.Status)
			if !ok {
				continue
			}
			d := Due{
				Flag:   Flag{Key: FlagKey(kind, p.ID, c.Code, a.DueOn), Kind: kind, PersonID: p.ID, EmployeeNumber: p.EmployeeNumber, CourseCode: c.Code, DueOn: a.DueOn},
				Person: *p, Manager: manager, Course: c, Assessment: a,
			}
			if !known[d.Flag.Key] {
				res.New = append(res.New, d)
			}
			switch kind {
			case FlagOverdue, FlagExpired:
				res.Overdue = append(res.Overdue, d)
			default:
				res.DueSoon = append(res.DueSoon, d)
			}
		}
	}
	for _, list := range [][]Due{res.New, res.Overdue, res.DueSoon} {
		slices.SortFunc(list, func(a, b Due) int { return strings.Compare(a.Flag.Key, b.Flag.Key) })
	}
	return res, nil
}

// RecordFlag stores a flag the scan found (its e-mail already queued).
// A flag stored already is not an error.
func (s *Service) RecordFlag(ctx context.Context, f Flag) error {
	return s.raiseFlag(ctx, f)
}

// Noticed reports whether a notice with this key was recorded.
func (s *Service) Noticed(key string) bool {
	s.roster.mu.RLock()
	defer s.roster.mu.RUnlock()
	return s.roster.notices[key]
}

// RecordNotice records that the notification with this key was queued.
// Recording it twice is not an error.
func (s *Service) RecordNotice(ctx context.Context, key string) error {
	return s.recordNotice(ctx, Notice{Key: key})
}

// RecordBatch records a batch notice (see Notice) before its e-mail is
// queued. Recording it twice is not an error.
func (s *Service) RecordBatch(ctx context.Context, n Notice) error {
	return s.recordNotice(ctx, n)
}

// RecordBatchSent records that every e-mail of the batch is queued.
func (s *Service) RecordBatchSent(ctx context.Context, batchKey string) error {
	return s.RecordNotice(ctx, batchKey+sentSuffix)
}

func (s *Service) recordNotice(ctx context.Context, n Notice) error {
	err := s.notices.InsertNotice(ctx, n, s.now().UTC())
	if err != nil && !isConflict(err) {
		return err
	}
	s.roster.mu.Lock()
	s.roster.putNotice(n)
	s.roster.mu.Unlock()
	s.changed(ctx)
	return nil
}

// OpenBatches returns the batches whose key starts with prefix and whose
// e-mails are not all queued yet (a run was killed between recording and
// sending), oldest key first.
func (s *Service) OpenBatches(ctx context.Context, prefix string) ([]Notice, error) {
	if err := s.refresh(ctx); err != nil {
		return nil, err
	}
	s.roster.mu.RLock()
	defer s.roster.mu.RUnlock()
	var out []Notice
	for key, b := range s.roster.batches {
		if strings.HasPrefix(key, prefix) && !s.roster.notices[key+sentSuffix] {
			out = append(out, b)
		}
	}
	slices.SortFunc(out, func(a, b Notice) int { return strings.Compare(a.Key, b.Key) })
	return out, nil
}

// Now is the service's clock.
func (s *Service) Now() time.Time { return s.now() }

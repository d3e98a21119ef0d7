package compliance

import (
	"context"
	"slices"
	"strings"
	"time"

	"github.com/complytrack/complytrack/pkg/training"
)

// NoticeStore records notices by key, once.
type NoticeStore interface {
	// InsertNotice records a notice; an existing key is ErrConflict.
	InsertNotice(ctx context.Context, n training.Notice, at time.Time) error
	EachNotice(ctx context.Context, fn func(training.Notice) error) error
}

// Scan evaluates every applicable person and course on today, from the
// organisation in memory, and reports the transitions. It writes nothing.
func (s *Flags) Scan(ctx context.Context) (training.ScanResult, error) {
	today := s.Today()
	res := training.ScanResult{Today: today, ByCourse: map[string]training.Tally{}}
	// The flags raised so far are read once per scan, not kept in memory.
	known := map[string]bool{}
	if err := s.flags.EachFlag(ctx, func(f training.Flag) error { known[f.Key] = true; return nil }); err != nil {
		return training.ScanResult{}, err
	}
	err := s.read(ctx, func(o Org) error {
		courses := o.Courses()
		o.EachPerson(func(p training.Person) bool {
			if p.IsLeaver(today) {
				return true
			}
			manager, _ := o.Person(p.ManagerID)
			for _, c := range courses {
				a := training.Evaluate(p, c, o.Completions(p.ID), o.Exemptions(p.ID), today, time.Time{})
				if !a.Applicable {
					continue
				}
				t := res.ByCourse[c.Code]
				t.Add(a)
				res.ByCourse[c.Code] = t
				res.Evaluated++
				kind, ok := training.FlagKindFor(a.Status)
				if !ok {
					continue
				}
				d := training.Due{
					Flag:   training.Flag{Key: training.FlagKey(kind, p.ID, c.Code, a.DueOn), Kind: kind, PersonID: p.ID, EmployeeNumber: p.EmployeeNumber, CourseCode: c.Code, DueOn: a.DueOn},
					Person: p, Manager: manager, Course: c, Assessment: a,
				}
				if !known[d.Flag.Key] {
					res.New = append(res.New, d)
				}
				switch kind {
				case training.FlagOverdue, training.FlagExpired:
					res.Overdue = append(res.Overdue, d)
				default:
					res.DueSoon = append(res.DueSoon, d)
				}
			}
			return true
		})
		return nil
	})
	if err != nil {
		return training.ScanResult{}, err
	}
	for _, list := range [][]training.Due{res.New, res.Overdue, res.DueSoon} {
		slices.SortFunc(list, func(a, b training.Due) int { return strings.Compare(a.Flag.Key, b.Flag.Key) })
	}
	return res, nil
}

// RecordFlag stores a flag the scan found (its e-mail already queued).
// A flag stored already is not an error.
func (s *Flags) RecordFlag(ctx context.Context, f training.Flag) error {
	return s.raiseFlag(ctx, f)
}

// NoticeStore returns where notices are recorded, for the jobs'
// exactly-once bookkeeping (pkg/jobs).
func (s *Flags) NoticeStore() NoticeStore { return s.notices }

// Now is the service's clock.
func (s *core) Now() time.Time { return s.now() }

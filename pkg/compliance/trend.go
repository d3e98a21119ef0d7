package compliance

import (
	"context"
	"fmt"
	"sync"
	"time"

	"github.com/complytrack/complytrack/pkg/training"
)

// trendCacheSize bounds the cache of past months' figures: a dozen months
// of a handful of courses, under a few policies each, is far below it.
const trendCacheSize = 2000

// trendKey names a past month's figure: the course, the day, and the
// policy in force on that day (training.PolicyAt's key).
type trendKey struct {
	course, day, policy string
}

// trendCache keeps the figures of past month ends worked out for the
// trend. A report for a past day is answered from what was recorded by
// the end of that day, and records are never changed afterwards (a
// completion recorded today with an old date counts from today; a
// correction is a new record), so such a figure never goes stale: the only
// thing that could change it is the policy of that day, which is in the
// key. Today's figure is never cached. (Someone recorded before people's
// versions were kept is counted with their current record, as the report
// for a past day does; the cache keeps the figure first worked out.)
type trendCache struct {
	mu sync.Mutex
	m  map[trendKey]training.MonthFigure
}

func (c *trendCache) get(k trendKey) (training.MonthFigure, bool) {
	c.mu.Lock()
	defer c.mu.Unlock()
	f, ok := c.m[k]
	return f, ok
}

func (c *trendCache) put(k trendKey, f training.MonthFigure) {
	c.mu.Lock()
	defer c.mu.Unlock()
	if c.m == nil || len(c.m) >= trendCacheSize {
		c.m = map[trendKey]training.MonthFigure{}
	}
	c.m[k] = f
}

// Trend is a course's compliance by department at the end of each of the
// last months months, oldest first, the month under way as it stands
// today. A month whose report was kept (the monthly snapshot) shows the
// figure as it was sent; any other is worked out for its last day as a
// report for a past day is. HR and auditors only.
func (s *Reports) Trend(ctx context.Context, actor training.Actor, code string, months int) ([]training.MonthFigure, error) {
	if !actor.ReadsAll() {
		return nil, fmt.Errorf("trend: %w", training.ErrForbidden)
	}
	course, err := s.reportCourse(ctx, code, &training.ValidationError{})
	if err != nil {
		return nil, err
	}
	started := time.Now()
	today := s.Today()
	ends := training.MonthEnds(today, months)
	kept := map[string]training.Snapshot{}
	if store, ok := s.store.(SnapshotStore); ok {
		snaps, err := store.ListSnapshots(ctx, course.Code)
		if err != nil {
			return nil, err
		}
		for _, sn := range snaps {
			kept[sn.Key] = sn
		}
	}
	versions, err := s.courseVersions(ctx, course.Code)
	if err != nil {
		return nil, err
	}
	out := make([]training.MonthFigure, len(ends))
	type missing struct {
		i     int
		key   trendKey
		known time.Time
		c     training.Course
	}
	var todo []missing
	for i, d := range ends {
		f := training.MonthFigure{Month: training.MonthLabel(d), AsOf: d}
		if !d.Before(today) {
			rep, err := s.reportOn(ctx, course, d, training.GroupByDepartment, time.Time{}, nil)
			if err != nil {
				return nil, err
			}
			f.Totals, f.Groups, f.SoFar = rep.Totals, rep.Groups, true
			out[i] = f
			continue
		}
		if sn, ok := kept[training.SnapshotKey(course.Code, d)]; ok && sn.GroupBy == training.GroupByDepartment {
			f.Totals, f.Groups, f.Kept = sn.Totals, sn.Groups, true
			out[i] = f
			continue
		}
		known := training.EndOfDay(d, s.loc)
		c, policy := training.PolicyAt(course, versions, known)
		k := trendKey{course: course.Code, day: d.String(), policy: policy}
		if f, ok := s.trends.get(k); ok {
			out[i] = f
			continue
		}
		todo = append(todo, missing{i: i, key: k, known: known, c: c})
	}
	if len(todo) == 0 {
		return out, nil
	}
	// People's records as they were at each missing month end, from one
	// pass over their versions rather than one per month.
	then := make([]map[string]training.Person, len(todo))
	for j := range then {
		then[j] = map[string]training.Person{}
	}
	err = s.store.EachPersonVersion(ctx, func(v training.Person) error {
		for j, m := range todo {
			if v.UpdatedAt.After(m.known) {
				continue
			}
			if cur, ok := then[j][v.ID]; !ok || !v.UpdatedAt.Before(cur.UpdatedAt) {
				then[j][v.ID] = v
			}
		}
		return nil
	})
	if err != nil {
		return nil, err
	}
	for j, m := range todo {
		d := ends[m.i]
		rep, err := s.reportOn(ctx, m.c, d, training.GroupByDepartment, m.known, then[j])
		if err != nil {
			return nil, err
		}
		f := training.MonthFigure{Month: training.MonthLabel(d), AsOf: d, Totals: rep.Totals, Groups: rep.Groups}
		s.trends.put(m.key, f)
		out[m.i] = f
	}
	s.log.DebugContext(ctx, "trend worked out", "course", course.Code, "months_computed", len(todo), "took", time.Since(started))
	return out, nil
}

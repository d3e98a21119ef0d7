package main

import (
	"fmt"
	"io"
	"maps"
	"slices"
	"strings"
	"sync"
	"sync/atomic"
	"time"
)

// stats records every timed request of the run: its duration and status,
// per operation. Durations are kept whole and sorted at the end, so the
// percentiles are exact (nearest rank): a run of a minute at a few
// hundred requests a second is a few hundred thousand numbers, which
// sort in milliseconds, so a histogram's approximation buys nothing here.
type stats struct {
	mu  sync.Mutex
	ops map[string]*opStats

	// Running totals for the progress line.
	requests  atomic.Int64
	errors    atomic.Int64 // transport errors and non-2xx other than 429
	throttled atomic.Int64 // 429s, waited out and retried
}

type opStats struct {
	durations []time.Duration // successful and failed answers alike
	statuses  map[int]int     // every answer's status; 0 is a transport error
	throttled int             // 429s (not in durations: the request is sent again)
}

func newStats() *stats { return &stats{ops: map[string]*opStats{}} }

func (s *stats) op(name string) *opStats {
	o := s.ops[name]
	if o == nil {
		o = &opStats{statuses: map[int]int{}}
		s.ops[name] = o
	}
	return o
}

// record notes one answer (status 0: no answer, a transport error).
func (s *stats) record(name string, status int, took time.Duration) {
	s.mu.Lock()
	o := s.op(name)
	o.durations = append(o.durations, took)
	o.statuses[status]++
	s.mu.Unlock()
	s.requests.Add(1)
	if status < 200 || status > 299 {
		s.errors.Add(1)
	}
}

// recordThrottled notes a 429, which the client waits out and retries.
func (s *stats) recordThrottled(name string) {
	s.mu.Lock()
	s.op(name).throttled++
	s.mu.Unlock()
	s.throttled.Add(1)
}

// OpResult is one operation's figures.
type OpResult struct {
	Name          string
	Count         int
	PerSecond     float64
	P50, P95, P99 time.Duration
	Max           time.Duration
	// Statuses counts every answer by status; 0 is a transport error.
	Statuses  map[int]int
	Throttled int
}

// OK reports whether every answer of the operation was a 2xx.
func (r OpResult) OK() bool {
	for st, n := range r.Statuses {
		if n > 0 && (st < 200 || st > 299) {
			return false
		}
	}
	return r.Count > 0
}

// TransportErrors counts the requests that got no answer (a refused or
// reset connection, a time-out).
func (r OpResult) TransportErrors() int { return r.Statuses[0] }

// ServerErrors counts the 5xx answers.
func (r OpResult) ServerErrors() int {
	n := 0
	for st, c := range r.Statuses {
		if st >= 500 {
			n += c
		}
	}
	return n
}

// results computes every operation's figures over elapsed, by name.
func (s *stats) results(elapsed time.Duration) []OpResult {
	s.mu.Lock()
	defer s.mu.Unlock()
	out := make([]OpResult, 0, len(s.ops))
	for _, name := range slices.Sorted(maps.Keys(s.ops)) {
		o := s.ops[name]
		d := slices.Clone(o.durations)
		slices.Sort(d)
		r := OpResult{Name: name, Count: len(d), Statuses: maps.Clone(o.statuses), Throttled: o.throttled}
		if elapsed > 0 {
			r.PerSecond = float64(len(d)) / elapsed.Seconds()
		}
		if len(d) > 0 {
			r.P50, r.P95, r.P99, r.Max = rank(d, 50), rank(d, 95), rank(d, 99), d[len(d)-1]
		}
		out = append(out, r)
	}
	return out
}

// rank is the nearest-rank percentile p of sorted d.
func rank(d []time.Duration, p int) time.Duration {
	i := (len(d)*p + 99) / 100 // ceil(n·p/100), 1-based
	return d[max(i, 1)-1]
}

// printResults writes the table of figures.
func printResults(w io.Writer, rs []OpResult, elapsed time.Duration) {
	total, throttled := 0, 0
	for _, r := range rs {
		total += r.Count
		throttled += r.Throttled
	}
	fmt.Fprintf(w, "\n%d requests in %.1f s: %.1f requests/s overall; %d answered 429 and were retried after Retry-After\n\n",
		total, elapsed.Seconds(), float64(total)/elapsed.Seconds(), throttled)
	fmt.Fprintf(w, "%-18s %8s %8s %9s %9s %9s %9s  %s\n", "operation", "count", "req/s", "p50 ms", "p95 ms", "p99 ms", "max ms", "not 2xx")
	for _, r := range rs {
		fmt.Fprintf(w, "%-18s %8d %8.1f %9.1f %9.1f %9.1f %9.1f  %s\n", r.Name, r.Count, r.PerSecond,
			ms(r.P50), ms(r.P95), ms(r.P99), ms(r.Max), notOK(r))
	}
}

func ms(d time.Duration) float64 { return float64(d.Microseconds()) / 1000 }

// notOK lists the answers that were not 2xx, as "status×count", and the
// 429s; "-" when there were none.
func notOK(r OpResult) string {
	var parts []string
	for _, st := range slices.Sorted(maps.Keys(r.Statuses)) {
		if st >= 200 && st <= 299 {
			continue
		}
		name := fmt.Sprint(st)
		if st == 0 {
			name = "no answer"
		}
		parts = append(parts, fmt.Sprintf("%s×%d", name, r.Statuses[st]))
	}
	if r.Throttled > 0 {
		parts = append(parts, fmt.Sprintf("429×%d (retried)", r.Throttled))
	}
	if len(parts) == 0 {
		return "-"
	}
	return strings.Join(parts, " ")
}

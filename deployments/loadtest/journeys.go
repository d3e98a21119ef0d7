package main

import (
	"bytes"
	"context"
	"encoding/json"
	"fmt"
	"io"
	"math/rand/v2"
	"mime/multipart"
	"net/http"
	"slices"
	"strconv"
	"strings"
	"sync"
	"sync/atomic"
	"time"
)

// The operations of the three journeys, with the status each succeeds with.
var journeyOps = []struct {
	name   string
	status int
	who    string // employee, manager or HR
}{
	{"my-training", http.StatusOK, "employee"},       // GET /api/v1/me/training
	{"self-certify", http.StatusCreated, "employee"}, // POST /api/v1/me/completions, multipart with a PDF
	{"team", http.StatusOK, "manager"},               // GET /api/v1/team?limit=100
	{"person-training", http.StatusOK, "manager"},    // GET /api/v1/people/{id}/training, someone in the team
	{"report", http.StatusOK, "HR"},                  // GET /api/v1/reports/compliance?course_code=PREVENT&group_by=…
	{"report-csv", http.StatusOK, "HR"},              // the same, &format=csv
	{"import-dry-run", http.StatusOK, "HR"},          // POST /api/v1/people/import?dry_run=true, 10 changed rows
	{"import", http.StatusOK, "HR"},                  // POST /api/v1/people/import, 10 changed rows
}

// defaultMix is the share of each operation, in percent: employees 45
// (reading their training three times as often as recording), managers 40,
// HR 15, reports and imports alike.
const defaultMix = "my-training=30,self-certify=15,team=25,person-training=15,report=5,report-csv=3,import-dry-run=4,import=3"

// parseMix reads "name=weight,..." into weights by operation.
func parseMix(s string) (map[string]int, error) {
	known := map[string]bool{}
	for _, op := range journeyOps {
		known[op.name] = true
	}
	mix := map[string]int{}
	total := 0
	for part := range strings.SplitSeq(s, ",") {
		name, weight, ok := strings.Cut(strings.TrimSpace(part), "=")
		n, err := strconv.Atoi(weight)
		if !ok || err != nil || n < 0 {
			return nil, fmt.Errorf("-mix: %q is not name=weight", part)
		}
		if !known[name] {
			return nil, fmt.Errorf("-mix: there is no operation %q", name)
		}
		mix[name] = n
		total += n
	}
	if total == 0 {
		return nil, fmt.Errorf("-mix: every weight is 0")
	}
	return mix, nil
}

// driver runs the journeys.
type driver struct {
	c    *client
	w    *world
	mix  []weighted
	sum  int
	pool atomic.Int64 // turns of the import journey

	mu       sync.Mutex
	recorded []string // IDs of the completions the run recorded (201)
	// importLineErrors counts rows an import answered 200 for but refused.
	importLineErrors atomic.Int64
}

type weighted struct {
	name   string
	weight int
}

// drive runs clients concurrent clients for d, each sending one request
// after another, an operation drawn from mix each time, and prints a
// progress line every progress. A request in flight at the end is waited
// for and counted; no new one starts.
func drive(ctx context.Context, c *client, w *world, mix map[string]int, clients int, d, progress time.Duration, seed uint64,
	out func(string, ...any)) (elapsed time.Duration, recorded []string, importLineErrors int) {
	dr := &driver{c: c, w: w}
	for _, op := range journeyOps {
		if mix[op.name] > 0 {
			dr.mix = append(dr.mix, weighted{op.name, mix[op.name]})
			dr.sum += mix[op.name]
		}
	}
	start := time.Now()
	deadline := start.Add(d)
	done := make(chan struct{})
	go func() {
		t := time.NewTicker(progress)
		defer t.Stop()
		for {
			select {
			case <-done:
				return
			case <-t.C:
				el := time.Since(start)
				n := c.stats.requests.Load()
				out("%5.0fs  %8d requests  %7.1f req/s  %d errors  %d throttled (429)",
					el.Seconds(), n, float64(n)/el.Seconds(), c.stats.errors.Load(), c.stats.throttled.Load())
			}
		}
	}()
	var wg sync.WaitGroup
	for i := range clients {
		wg.Go(func() {
			rng := rand.New(rand.NewPCG(seed, uint64(i)+1))
			for time.Now().Before(deadline) && ctx.Err() == nil {
				dr.once(ctx, rng)
			}
		})
	}
	wg.Wait()
	close(done)
	return time.Since(start), dr.recorded, int(dr.importLineErrors.Load())
}

// once sends one request of an operation drawn from the mix.
func (dr *driver) once(ctx context.Context, rng *rand.Rand) {
	n := rng.IntN(dr.sum)
	op := dr.mix[len(dr.mix)-1].name
	for _, m := range dr.mix {
		if n < m.weight {
			op = m.name
			break
		}
		n -= m.weight
	}
	w := dr.w
	switch op {
	case "my-training":
		s := w.employees[rng.IntN(len(w.employees))]
		_, _, _ = dr.c.send(ctx, op, "GET", "/api/v1/me/training", s, nil)
	case "self-certify":
		s := w.employees[rng.IntN(len(w.employees))]
		on := day(time.Now().AddDate(0, 0, -1-rng.IntN(20)))
		b, err := certificateForm(s.email, on, fmt.Sprintf("%016x", rng.Uint64()))
		if err != nil {
			return
		}
		status, data, err := dr.c.send(ctx, op, "POST", "/api/v1/me/completions", s, b)
		if err == nil && status == http.StatusCreated {
			var c completion
			if json.Unmarshal(data, &c) == nil {
				dr.mu.Lock()
				dr.recorded = append(dr.recorded, c.ID)
				dr.mu.Unlock()
			}
		}
	case "team":
		m := w.managers[rng.IntN(len(w.managers))]
		_, _, _ = dr.c.send(ctx, op, "GET", "/api/v1/team?limit=100", m.s, nil)
	case "person-training":
		m := w.managers[rng.IntN(len(w.managers))]
		if len(m.team) == 0 {
			return
		}
		_, _, _ = dr.c.send(ctx, op, "GET", "/api/v1/people/"+m.team[rng.IntN(len(m.team))]+"/training", m.s, nil)
	case "report", "report-csv":
		path := "/api/v1/reports/compliance?course_code=PREVENT&group_by=" + []string{"department", "manager", "kind"}[rng.IntN(3)]
		if op == "report-csv" {
			path += "&format=csv"
		}
		_, _, _ = dr.c.send(ctx, op, "GET", path, w.hr, nil)
	case "import-dry-run", "import":
		path := "/api/v1/people/import"
		if op == "import-dry-run" {
			path += "?dry_run=true"
		}
		status, data, err := dr.c.send(ctx, op, "POST", path, w.hr, csvBody(dr.changedPool(rng)))
		var res importResult
		if err == nil && status == http.StatusOK && json.Unmarshal(data, &res) == nil {
			dr.importLineErrors.Add(int64(len(res.Errors)))
		}
	}
}

// changedPool is a small HR export: the next ten of the import journey's
// people, each with a grade drawn afresh, so that most rows change.
func (dr *driver) changedPool(rng *rand.Rand) []byte {
	pool := dr.w.plan.pool
	from := int(dr.pool.Add(1)-1) * 10 % len(pool)
	rows := slices.Clone(pool[from:min(from+10, len(pool))])
	for i := range rows {
		rows[i].job = fmt.Sprintf("%s, grade %d", rows[i].job, 1+rng.IntN(9))
	}
	return peopleCSV(rows)
}

// certificateForm is a self-certification of PREVENT as
// multipart/form-data, with a certificate PDF.
func certificateForm(name, on, serial string) (*body, error) {
	var buf bytes.Buffer
	mw := multipart.NewWriter(&buf)
	_ = mw.WriteField("course_code", "PREVENT")
	_ = mw.WriteField("completed_on", on)
	fw, err := mw.CreateFormFile("certificate", "prevent-certificate-"+serial+".pdf")
	if err != nil {
		return nil, err
	}
	if _, err := io.Copy(fw, bytes.NewReader(certificatePDF(name, on, serial))); err != nil {
		return nil, err
	}
	if err := mw.Close(); err != nil {
		return nil, err
	}
	return &body{mw.FormDataContentType(), buf.Bytes()}, nil
}

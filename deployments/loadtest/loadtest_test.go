package main

import (
	"bytes"
	"context"
	"io"
	"log/slog"
	"net/http"
	"net/http/httptest"
	"strconv"
	"strings"
	"testing"
	"time"

	"github.com/gin-gonic/gin"

	"github.com/complytrack/complytrack/pkg/app"
	"github.com/complytrack/complytrack/pkg/apptest"
	"github.com/complytrack/complytrack/pkg/auth"
	"github.com/complytrack/complytrack/pkg/dbtest"
)

func TestMain(m *testing.M) {
	gin.SetMode(gin.ReleaseMode)
	dbtest.Main(m)
}

const (
	hrEmail    = "hr.officer@loadtest.example.org"
	hrPassword = "hr-password-for-the-load-test"
)

// server is the whole complytrack on a fresh database, served over real
// HTTP on a local port, as the load test meets it in use.
func server(t *testing.T) string {
	t.Helper()
	cfg, _ := apptest.Config(t, "COMPLYTRACK_ADMIN_EMAIL="+hrEmail, "COMPLYTRACK_ADMIN_PASSWORD="+hrPassword)
	a, err := app.New(context.Background(), cfg, dbtest.New(t), slog.New(slog.NewTextHandler(io.Discard, nil)),
		app.Options{HasherParams: auth.MinParams})
	if err != nil {
		t.Fatal(err)
	}
	srv := httptest.NewServer(a.Router())
	t.Cleanup(srv.Close)
	return srv.URL
}

type reportTotals struct {
	Totals Totals `json:"totals"`
}

func report(t *testing.T, c *client, hr *session) reportTotals {
	t.Helper()
	var r reportTotals
	if err := c.call(context.Background(), "report", http.StatusOK, "GET", "/api/v1/reports/compliance?course_code=PREVENT", hr, nil, &r); err != nil {
		t.Fatal(err)
	}
	return r
}

// TestLoadTestRunsEveryJourneyAndChecksTheAuditLog runs the program's own
// generation, journeys and check at a tiny scale against a real server,
// then generates again.
func TestLoadTestRunsEveryJourneyAndChecksTheAuditLog(t *testing.T) {
	ctx := context.Background()
	url := server(t)
	cfg, err := parseFlags([]string{"-url", url, "-email", hrEmail, "-people", "40", "-clients", "4", "-duration", "3s", "-progress", "1s"},
		func(name string) string {
			if name == "COMPLYTRACK_ADMIN_PASSWORD" {
				return hrPassword
			}
			return ""
		}, io.Discard)
	if err != nil {
		t.Fatal(err)
	}
	// Tokens are refreshed every half second, so the run refreshes them
	// as a long run would after ten minutes.
	cfg.refreshAfter = 500 * time.Millisecond

	c := &client{base: cfg.url, http: newHTTPClient(cfg.clients)}
	var tk tokens
	if err := c.call(ctx, "login", http.StatusOK, "POST", "/api/v1/auth/login", nil,
		jsonBody(map[string]string{"email": hrEmail, "password": hrPassword}), &tk); err != nil {
		t.Fatal(err)
	}
	hr := c.newSession(hrEmail, "", tk)
	before := report(t, c, hr)

	var out bytes.Buffer
	res, err := run(ctx, cfg, &out)
	t.Log(out.String())
	if err != nil {
		t.Fatal(err)
	}
	p := newPlan(cfg.people, cfg.seed, cfg.prefix, today())

	// The organisation was made, with its history and accounts.
	g := res.Generation
	if g.Created != len(p.people)+len(p.pool) || g.Updated != 0 || g.Unchanged != 0 {
		t.Errorf("import: %d created, %d updated, %d unchanged; want %d created", g.Created, g.Updated, g.Unchanged, len(p.people)+len(p.pool))
	}
	planned := 0
	for _, r := range p.people {
		planned += len(r.history)
	}
	if planned == 0 || g.HistoryRecorded != planned || g.HistoryFound != 0 {
		t.Errorf("history: %d recorded, %d found; want the %d planned recorded", g.HistoryRecorded, g.HistoryFound, planned)
	}
	if g.Report.Applicable != before.Totals.Applicable+p.applicable()+len(p.pool) {
		t.Errorf("the report after generating counts %d applicable, want %d", g.Report.Applicable, before.Totals.Applicable+p.applicable()+len(p.pool))
	}
	if g.Employees != cfg.employees || g.Managers != cfg.managers || g.AccountsMade != g.Employees+g.Managers || g.AccountsSignedIn != 0 {
		t.Errorf("accounts: %d employees and %d managers, %d made, %d signed in; want %d and %d, all made",
			g.Employees, g.Managers, g.AccountsMade, g.AccountsSignedIn, cfg.employees, cfg.managers)
	}

	// Every journey's operation ran, and every answer was a 2xx; tokens
	// were refreshed along the way.
	ran := map[string]OpResult{}
	for _, op := range res.Ops {
		ran[op.Name] = op
	}
	for _, op := range journeyOps {
		r, ok := ran[op.name]
		if !ok || !r.OK() {
			t.Errorf("%s: ran %d times, answers %v; want at least once, every answer a 2xx", op.name, r.Count, r.Statuses)
		}
		if ok && (r.P50 <= 0 || r.P50 > r.P95 || r.P95 > r.P99 || r.P99 > r.Max) {
			t.Errorf("%s: percentiles out of order: p50 %s, p95 %s, p99 %s, max %s", op.name, r.P50, r.P95, r.P99, r.Max)
		}
	}
	if r := ran["refresh"]; !r.OK() {
		t.Errorf("refresh: ran %d times, answers %v; want tokens refreshed during the run", r.Count, r.Statuses)
	}
	if res.ServerErrors() != 0 || res.ImportLineErrors != 0 {
		t.Errorf("%d server errors, %d import rows refused", res.ServerErrors(), res.ImportLineErrors)
	}
	for _, want := range []string{"requests/s overall", "p95 ms", "self-certify", "audit check: passed"} {
		if !strings.Contains(out.String(), want) {
			t.Errorf("the output does not say %q", want)
		}
	}

	// The report counts the organisation and the shapes of its history.
	after := report(t, c, hr).Totals
	if want := before.Totals.Applicable + p.applicable() + len(p.pool); after.Applicable != want {
		t.Errorf("applicable: %d, want %d (%d before, %d made by the run)", after.Applicable, want, before.Totals.Applicable, p.applicable()+len(p.pool))
	}
	if sum := after.Exempt + after.Compliant + after.Expiring + after.Due + after.Overdue + after.Expired; sum != after.Applicable {
		t.Errorf("the statuses add up to %d, not the %d applicable: %+v", sum, after.Applicable, after)
	}
	if after.Compliant == 0 || after.Expired == 0 || after.Due+after.Overdue == 0 {
		t.Errorf("want people compliant, expired, and due or overdue: %+v", after)
	}

	// The check found every completion with its audit entry, including
	// the ones the run recorded.
	ch := res.Check
	if !ch.OK() || ch.Completions < planned+ran["self-certify"].Count || ch.AuditEntries < ch.Completions {
		t.Errorf("check: %d completions, %d audit entries, missing %v, lost %v; want at least %d completions, each audited",
			ch.Completions, ch.AuditEntries, ch.Missing, ch.Lost, planned+ran["self-certify"].Count)
	}
	if !res.OK() {
		t.Error("the run's verdict is a failure")
	}

	// A second generation run finds everything and adds nothing.
	_, again, err := generate(ctx, c, cfg, p, func(string, ...any) {})
	if err != nil {
		t.Fatal(err)
	}
	if again.Created != 0 || again.Updated != 0 || again.Unchanged != len(p.people) || again.HistoryRecorded != 0 ||
		again.HistoryFound != planned || again.AccountsMade != 0 || again.AccountsSignedIn != g.Employees+g.Managers {
		t.Errorf("second generation: %+v; want everything found and nothing added", again)
	}
	if ch2 := report(t, c, hr).Totals; ch2.Applicable != after.Applicable {
		t.Errorf("applicable after the second generation: %d, want %d", ch2.Applicable, after.Applicable)
	}
}

// TestCertificatePDFIsWellFormed checks the certificate the journey
// uploads: a PDF whose cross-reference offsets point at its objects, so
// it is what a real certificate would be, and different for each serial.
func TestCertificatePDFIsWellFormed(t *testing.T) {
	a, b := certificatePDF("Ann (O'Neill)", "2026-11-02", "1"), certificatePDF("Ann (O'Neill)", "2026-11-02", "2")
	if bytes.Equal(a, b) {
		t.Fatal("two serials gave the same file")
	}
	if !bytes.HasPrefix(a, []byte("%PDF-")) || !bytes.HasSuffix(a, []byte("%%EOF\n")) {
		t.Fatalf("not a PDF:\n%s", a)
	}
	xref := bytes.Index(a, []byte("xref\n"))
	lines := strings.Split(string(a[xref:]), "\n")
	for i, line := range lines[3:8] {
		off, err := strconv.Atoi(line[:10])
		if err != nil {
			t.Fatalf("xref line %q: %v", line, err)
		}
		if prefix := string(a[off : off+len("1 0 obj")]); prefix != string(rune('1'+i))+" 0 obj" {
			t.Errorf("object %d: offset %d points at %q", i+1, off, prefix)
		}
	}
}

func TestPercentilesAreNearestRank(t *testing.T) {
	ms := func(ns ...int) []time.Duration {
		out := make([]time.Duration, len(ns))
		for i, n := range ns {
			out[i] = time.Duration(n) * time.Millisecond
		}
		return out
	}
	hundred := make([]int, 100)
	for i := range hundred {
		hundred[i] = i + 1
	}
	for _, tc := range []struct {
		name          string
		sorted        []time.Duration
		p50, p95, p99 time.Duration
	}{
		{"one", ms(7), 7 * time.Millisecond, 7 * time.Millisecond, 7 * time.Millisecond},
		{"two", ms(1, 9), 1 * time.Millisecond, 9 * time.Millisecond, 9 * time.Millisecond},
		{"hundred", ms(hundred...), 50 * time.Millisecond, 95 * time.Millisecond, 99 * time.Millisecond},
		{"twenty, the slowest one in twenty", ms(1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 2, 500),
			1 * time.Millisecond, 2 * time.Millisecond, 500 * time.Millisecond},
	} {
		t.Run(tc.name, func(t *testing.T) {
			if got := [3]time.Duration{rank(tc.sorted, 50), rank(tc.sorted, 95), rank(tc.sorted, 99)}; got != [3]time.Duration{tc.p50, tc.p95, tc.p99} {
				t.Errorf("p50, p95, p99 = %v, want %v %v %v", got, tc.p50, tc.p95, tc.p99)
			}
		})
	}
}

func TestVerdict(t *testing.T) {
	passed := Check{Completions: 3}
	for _, tc := range []struct {
		name     string
		statuses map[int]int
		check    Check
		ok       bool
	}{
		{"every answer 2xx, check passed", map[int]int{200: 10, 201: 2}, passed, true},
		{"4xx answers are counted but are not a failure", map[int]int{200: 10, 422: 1}, passed, true},
		{"a 5xx", map[int]int{200: 10, 503: 1}, passed, false},
		{"a request unanswered", map[int]int{200: 10, 0: 1}, passed, false},
		{"a completion without its audit entry", map[int]int{200: 10}, Check{Completions: 3, Missing: []string{"c1"}}, false},
		{"a completion acknowledged and not stored", map[int]int{200: 10}, Check{Completions: 3, Lost: []string{"c1"}}, false},
		{"nothing checked", map[int]int{200: 10}, Check{}, false},
	} {
		t.Run(tc.name, func(t *testing.T) {
			r := Result{Ops: []OpResult{{Name: "team", Count: 12, Statuses: tc.statuses}}, Check: tc.check}
			if r.OK() != tc.ok {
				t.Errorf("OK() = %v, want %v", r.OK(), tc.ok)
			}
		})
	}
}

package httpapi_test

import (
	"bytes"
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"log/slog"
	"math/rand/v2"
	"net/http"
	"net/http/httptest"
	"slices"
	"strings"
	"sync"
	"testing"
	"time"

	"go.mongodb.org/mongo-driver/v2/bson"

	"github.com/complytrack/complytrack/pkg/app"
	"github.com/complytrack/complytrack/pkg/apptest"
	"github.com/complytrack/complytrack/pkg/auth"
	"github.com/complytrack/complytrack/pkg/dbtest"
	"github.com/complytrack/complytrack/pkg/training"
)

// logLines keeps every JSON log line, for tests that read the logs.
type logLines struct {
	mu  sync.Mutex
	buf bytes.Buffer
}

func (l *logLines) Write(p []byte) (int, error) {
	l.mu.Lock()
	defer l.mu.Unlock()
	return l.buf.Write(p)
}

// lines returns the records logged so far, decoded.
func (l *logLines) lines(t *testing.T) []map[string]any {
	t.Helper()
	l.mu.Lock()
	defer l.mu.Unlock()
	var out []map[string]any
	for _, line := range strings.Split(strings.TrimSpace(l.buf.String()), "\n") {
		if line == "" {
			continue
		}
		var m map[string]any
		if err := json.Unmarshal([]byte(line), &m); err != nil {
			t.Fatalf("log line is not JSON: %v\n%s", err, line)
		}
		out = append(out, m)
	}
	return out
}

// errors returns the records logged at ERROR.
func (l *logLines) errors(t *testing.T) []map[string]any {
	var out []map[string]any
	for _, m := range l.lines(t) {
		if m["level"] == "ERROR" {
			out = append(out, m)
		}
	}
	return out
}

// newLoggingEnv is newEnv with the app's log, the one every part writes
// to, kept for the test.
func newLoggingEnv(t *testing.T) (*env, *logLines) {
	t.Helper()
	logs := &logLines{}
	log := slog.New(slog.NewJSONHandler(logs, &slog.HandlerOptions{Level: slog.LevelDebug}))
	cfg, priv := apptest.Config(t,
		"COMPLYTRACK_ADMIN_EMAIL="+adminEmail,
		"COMPLYTRACK_ADMIN_PASSWORD="+adminPassword,
		"COMPLYTRACK_PUBLIC_URL=https://complytrack.example.gov.uk",
	)
	clk := &clock{t: time.Date(2026, 11, 2, 9, 0, 0, 0, time.UTC)}
	a, err := app.New(context.Background(), cfg, dbtest.New(t), log, app.Options{Now: clk.Now, HasherParams: auth.MinParams})
	if err != nil {
		t.Fatal(err)
	}
	e := &env{t: t, app: a, router: a.Router(), clock: clk, key: priv, cfg: cfg,
		people: map[string]training.Person{}, tokens: map[string]string{}}
	e.tokens["hr"] = e.login(adminEmail, adminPassword)
	return e, logs
}

// accessLog returns the access log's lines for a route.
func accessLog(t *testing.T, logs *logLines, method, route string) []map[string]any {
	t.Helper()
	var out []map[string]any
	for _, m := range logs.lines(t) {
		if m["msg"] == "request" && m["method"] == method && m["route"] == route {
			out = append(out, m)
		}
	}
	return out
}

// gone sends a request through the router whose client has already gone
// away: its context is cancelled before the router sees it.
func (e *env) gone(method, path, token string, body any) {
	e.t.Helper()
	raw, err := json.Marshal(body)
	if err != nil {
		e.t.Fatal(err)
	}
	ctx, cancel := context.WithCancel(context.Background())
	cancel()
	req := httptest.NewRequestWithContext(ctx, method, path, bytes.NewReader(raw))
	req.Header.Set("Content-Type", "application/json")
	req.Header.Set("Authorization", "Bearer "+token)
	e.router.ServeHTTP(httptest.NewRecorder(), req)
}

// TestWriteFinishesWhenItsClientHasGone: a write whose client has gone
// away is done and audited all the same, and logged as closed by the
// client (499, with what was done), not as an error; a read whose client
// has gone stops, logged the same way.
func TestWriteFinishesWhenItsClientHasGone(t *testing.T) {
	e, logs := newLoggingEnv(t)
	emp := e.addPerson("emp", "", nil)

	e.gone("POST", "/api/v1/people/"+emp.ID+"/completions", e.tokens["hr"],
		map[string]string{"course_code": "PREVENT", "completed_on": "2026-10-01", "certificate_ref": "HO-GONE"})
	done := e.completions(emp.ID)
	if len(done) != 1 || done[0].CertificateRef != "HO-GONE" {
		t.Fatalf("completions after the client left: %+v, want the one recorded", done)
	}
	e.auditEntry(done[0].ID, "completion.record")
	lines := accessLog(t, logs, "POST", "/api/v1/people/:id/completions")
	if len(lines) != 1 || lines[0]["status"] != float64(499) || lines[0]["handler_status"] != float64(http.StatusCreated) || lines[0]["level"] != "INFO" {
		t.Errorf("access log %v, want one INFO line with status 499 and handler_status 201", lines)
	}

	e.gone("GET", "/api/v1/people", e.tokens["hr"], nil)
	lines = accessLog(t, logs, "GET", "/api/v1/people")
	if len(lines) != 1 || lines[0]["status"] != float64(499) || lines[0]["level"] != "INFO" {
		t.Errorf("access log %v, want one INFO line with status 499", lines)
	}
	if errs := logs.errors(t); len(errs) != 0 {
		t.Errorf("clients going away were logged as errors: %v", errs)
	}
}

// TestClientsLeavingAtRandomLeaveNoUnauditedChange: against a real HTTP
// server, clients give up on completions, imports and decisions (verify,
// reject) after random short delays, some before the request is sent,
// some while it is being written. Whatever was stored has its audit
// entry, and no request is logged as a server error.
func TestClientsLeavingAtRandomLeaveNoUnauditedChange(t *testing.T) {
	e, logs := newLoggingEnv(t)
	ctx := t.Context()
	svc := e.app.Training
	hr := training.Actor{PersonID: e.hrID(), HR: true}
	wrap := training.PreventCourse()
	wrap.Code, wrap.Title, wrap.URL, wrap.Delivery = "WRAP", "Workshop to Raise Awareness of Prevent", "", training.DeliveryClassroom
	wrap.Evidence, wrap.Verification = training.EvidenceNone, training.VerificationManager
	if _, err := svc.CreateCourse(ctx, hr, wrap); err != nil {
		t.Fatal(err)
	}

	// Staff to record completions for, to update by import, and pending
	// completions to decide on.
	const staff, decisions, imports, completions = 40, 60, 30, 120
	var people []training.Person
	for i := range staff {
		p, err := svc.CreatePerson(ctx, hr, training.PersonInput{Person: training.Person{EmployeeNumber: fmt.Sprintf("S%03d", i), Email: fmt.Sprintf("s%03d@example.gov.uk", i), GivenName: "Staff", FamilyName: fmt.Sprintf("Member %d", i), Kind: training.KindStaff, JobTitle: "Officer", Department: "Housing", StartDate: training.NewDate(2024, 4, 1)}})
		if err != nil {
			t.Fatal(err)
		}
		people = append(people, p)
	}
	var pending []string
	for i := range decisions {
		c, err := svc.SelfCertify(ctx, training.Actor{PersonID: people[i%staff].ID}, training.CompletionInput{
			CourseCode: "WRAP", CompletedOn: training.NewDate(2026, 9, 1+i%28)})
		if err != nil {
			t.Fatal(err)
		}
		pending = append(pending, c.ID)
	}

	srv := httptest.NewServer(e.router)
	token := e.tokens["hr"]
	type call struct {
		method, path, contentType, body string
	}
	var calls []call
	for i := range completions {
		body, _ := json.Marshal(map[string]string{"course_code": "PREVENT", "completed_on": fmt.Sprintf("2026-10-%02d", 1+i%28),
			"certificate_ref": fmt.Sprintf("REQ-%d", i)})
		calls = append(calls, call{"POST", "/api/v1/people/" + people[i%staff].ID + "/completions", "application/json", string(body)})
	}
	for i := range imports {
		var csv strings.Builder
		csv.WriteString("employee_number,email,given_name,family_name,kind,job_title,department,manager_employee_number,start_date,end_date\n")
		for k := range 3 {
			fmt.Fprintf(&csv, "I%03d-%d,i%03d-%d@example.gov.uk,Imported,Person,staff,Officer,Housing,,2026-10-01,\n", i, k, i, k)
		}
		// And a change to someone on record: their job title.
		p := people[i]
		fmt.Fprintf(&csv, "%s,%s,%s,%s,staff,Senior Officer %d,Housing,,2024-04-01,\n", p.EmployeeNumber, p.Email, p.GivenName, p.FamilyName, i)
		calls = append(calls, call{"POST", "/api/v1/people/import", "text/csv", csv.String()})
	}
	for i, id := range pending {
		action, body := "verify", ""
		if i%2 == 1 {
			action, body = "reject", `{"reason": "The session on this date was cancelled."}`
		}
		ct := ""
		if body != "" {
			ct = "application/json"
		}
		calls = append(calls, call{"POST", "/api/v1/completions/" + id + "/" + action, ct, body})
	}
	rand.Shuffle(len(calls), func(i, j int) { calls[i], calls[j] = calls[j], calls[i] })

	// send makes one call, giving up after giveUp (0: never), and says
	// how long it took and whether its client gave up.
	send := func(c call, giveUp time.Duration) (time.Duration, bool) {
		rctx, cancel := context.Background(), context.CancelFunc(func() {})
		if giveUp > 0 {
			rctx, cancel = context.WithTimeout(rctx, giveUp)
		}
		defer cancel()
		req, err := http.NewRequestWithContext(rctx, c.method, srv.URL+c.path, strings.NewReader(c.body))
		if err != nil {
			t.Error(err)
			return 0, false
		}
		if c.contentType != "" {
			req.Header.Set("Content-Type", c.contentType)
		}
		req.Header.Set("Authorization", "Bearer "+token)
		start := time.Now()
		resp, err := srv.Client().Do(req)
		if err != nil {
			if !errors.Is(err, context.DeadlineExceeded) {
				t.Errorf("%s %s: %v", c.method, c.path, err)
			}
			return time.Since(start), true
		}
		defer resp.Body.Close()
		if resp.StatusCode >= 500 {
			t.Errorf("%s %s: status %d", c.method, c.path, resp.StatusCode)
		}
		return time.Since(start), false
	}
	// runAll sends calls from 8 clients at once.
	runAll := func(calls []call, giveUp func() time.Duration) (took []time.Duration, abandoned int) {
		var mu sync.Mutex
		work := make(chan call)
		var wg sync.WaitGroup
		for range 8 {
			wg.Go(func() {
				for c := range work {
					d, gaveUp := send(c, giveUp())
					mu.Lock()
					took = append(took, d)
					if gaveUp {
						abandoned++
					}
					mu.Unlock()
				}
			})
		}
		for _, c := range calls {
			work <- c
		}
		close(work)
		wg.Wait()
		return took, abandoned
	}

	// The first calls are waited for, to learn how long a request takes
	// on this machine; the others' clients give up after a random delay
	// up to four times that, so some leave before, some during, some
	// after, even when the shared machine slows down between the two
	// phases.
	took, _ := runAll(calls[:24], func() time.Duration { return 0 })
	slices.Sort(took)
	typical := took[len(took)/2]
	_, abandoned := runAll(calls[24:], func() time.Duration { return time.Duration(1 + rand.Int64N(int64(4*typical))) })
	answered := len(calls) - 24 - abandoned
	srv.Close() // waits for every request still being handled
	t.Logf("%d requests (typically %s each): %d abandoned by their client, %d answered", len(calls), typical, abandoned, answered)
	if abandoned == 0 || answered == 0 {
		t.Fatalf("%d abandoned and %d answered: the delays no longer straddle a request's time here", abandoned, answered)
	}

	// What was stored, and what the audit log says about it.
	audited := map[string]map[string]int{} // entity ID -> action -> count
	cur, err := e.app.Store.DB().Collection("audit").Find(ctx, bson.D{})
	if err != nil {
		t.Fatal(err)
	}
	var entries []struct {
		Action   string `bson:"action"`
		EntityID string `bson:"entity_id"`
	}
	if err := cur.All(ctx, &entries); err != nil {
		t.Fatal(err)
	}
	for _, a := range entries {
		if audited[a.EntityID] == nil {
			audited[a.EntityID] = map[string]int{}
		}
		audited[a.EntityID][a.Action]++
	}

	recorded, decided := 0, 0
	if err := e.app.Store.EachCompletion(ctx, func(c training.Completion) error {
		if audited[c.ID]["completion.record"] != 1 {
			t.Errorf("completion %s (%s) stored with %d record audit entries, want 1", c.ID, c.CertificateRef, audited[c.ID]["completion.record"])
		}
		if strings.HasPrefix(c.CertificateRef, "REQ-") {
			recorded++
		}
		if c.Review != nil {
			decided++
			action := "completion.reject"
			if c.Review.Accepted {
				action = "completion.verify"
			}
			if audited[c.ID][action] != 1 {
				t.Errorf("completion %s decided (%s) with %d audit entries for it, want 1", c.ID, action, audited[c.ID][action])
			}
		}
		return nil
	}); err != nil {
		t.Fatal(err)
	}
	versions := map[string]int{}
	if err := e.app.Store.EachPersonVersion(ctx, func(p training.Person) error { versions[p.ID]++; return nil }); err != nil {
		t.Fatal(err)
	}
	for id, n := range versions {
		a := audited[id]
		changes := a["person.create"] + a["person.import_create"] + a["person.update"] + a["person.import_update"]
		if changes != n && id != hr.PersonID { // the first HR account is made at start-up, before anyone acts
			t.Errorf("person %s has %d stored versions and %d audited changes", id, n, changes)
		}
	}
	t.Logf("stored: %d completions recorded, %d decided, %d person versions", recorded, decided, len(versions))
	for _, m := range logs.errors(t) {
		t.Errorf("logged as an error: %v", m)
	}
	for _, m := range logs.lines(t) {
		if m["msg"] == "request" && m["status"] == float64(http.StatusInternalServerError) {
			t.Errorf("access log has a server error: %v", m)
		}
	}
}

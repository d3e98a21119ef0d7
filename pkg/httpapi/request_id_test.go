package httpapi_test

import (
	"context"
	"encoding/json"
	"net/http"
	"net/http/httptest"
	"testing"

	"go.mongodb.org/mongo-driver/v2/bson"

	"github.com/complytrack/complytrack/pkg/logging"
)

// sendWithID is one request through the real router with an X-Request-ID
// header (none when id is empty).
func (e *env) sendWithID(method, path, token, id string) *httptest.ResponseRecorder {
	e.t.Helper()
	req := httptest.NewRequest(method, path, nil)
	if token != "" {
		req.Header.Set("Authorization", "Bearer "+token)
	}
	if id != "" {
		req.Header.Set("X-Request-ID", id)
	}
	w := httptest.NewRecorder()
	e.router.ServeHTTP(w, req)
	return w
}

// linesOf returns the log lines that name request id.
func linesOf(t *testing.T, logs *logLines, id string) map[string]map[string]any {
	t.Helper()
	out := map[string]map[string]any{}
	for _, m := range logs.lines(t) {
		if m[logging.RequestIDKey] == id {
			out[m["msg"].(string)] = m
		}
	}
	return out
}

// Every line a request logs names it, wherever it is logged: the access
// log, the scheduler running a job for it, the error handler. The ID is
// the caller's when it sent a sane one, and comes back in the header and
// in a problem body.
func TestRequestIDOnEveryLogLineAndInProblems(t *testing.T) {
	e, logs := newLoggingEnv(t)

	t.Run("a job run on demand", func(t *testing.T) {
		w := e.sendWithID("POST", "/api/v1/jobs/compliance-scan/run", e.tokens["hr"], "ticket-4711")
		if w.Code != http.StatusOK {
			t.Fatalf("run job: %d %s", w.Code, w.Body)
		}
		if got := w.Header().Get("X-Request-ID"); got != "ticket-4711" {
			t.Errorf("X-Request-ID answered %q, want the one sent", got)
		}
		lines := linesOf(t, logs, "ticket-4711")
		for _, msg := range []string{"jobs: run started", "jobs: run finished", "request"} {
			if lines[msg] == nil {
				t.Errorf("no line %q with the request ID; the request's lines: %v", msg, lines)
			}
		}
	})

	t.Run("a problem names its request", func(t *testing.T) {
		w := e.sendWithID("GET", "/api/v1/people/nobody-has-this-id", e.tokens["hr"], "ticket-4712")
		if w.Code != http.StatusNotFound {
			t.Fatalf("status %d %s", w.Code, w.Body)
		}
		var p map[string]any
		if err := json.Unmarshal(w.Body.Bytes(), &p); err != nil {
			t.Fatal(err)
		}
		if p["request_id"] != "ticket-4712" {
			t.Errorf("problem: %s", w.Body)
		}
		if m := linesOf(t, logs, "ticket-4712")["request"]; m == nil || m["status"] != float64(http.StatusNotFound) {
			t.Errorf("access log line with the request ID: %v", m)
		}
	})

	t.Run("an ID that is not sane is replaced", func(t *testing.T) {
		for _, sent := range []string{"", "Jane Smith, HR", `x" level="ERROR`} {
			w := e.sendWithID("GET", "/api/v1/people/nobody-has-this-id", e.tokens["hr"], sent)
			got := w.Header().Get("X-Request-ID")
			if got == sent || !logging.SaneRequestID(got) {
				t.Errorf("sent %q, answered %q: want a new sane ID", sent, got)
			}
			var p map[string]any
			if err := json.Unmarshal(w.Body.Bytes(), &p); err != nil {
				t.Fatal(err)
			}
			if p["request_id"] != got {
				t.Errorf("problem names %v, header %q", p["request_id"], got)
			}
		}
	})

	t.Run("a failure of ours is logged once with the ID", func(t *testing.T) {
		// An audit entry the store cannot read makes the audit list fail.
		if _, err := e.app.Store.DB().Collection("audit").InsertOne(context.Background(),
			bson.D{{Key: "_id", Value: "zzzz-unreadable"}, {Key: "at", Value: "not a time"}}); err != nil {
			t.Fatal(err)
		}
		w := e.sendWithID("GET", "/api/v1/audit", e.tokens["hr"], "ticket-4713")
		if w.Code != http.StatusInternalServerError {
			t.Fatalf("status %d %s", w.Code, w.Body)
		}
		var p map[string]any
		if err := json.Unmarshal(w.Body.Bytes(), &p); err != nil {
			t.Fatal(err)
		}
		if p["request_id"] != "ticket-4713" || p["detail"] != "Something went wrong on our side. It has been logged." {
			t.Errorf("problem: %s", w.Body)
		}
		failed := 0
		for _, m := range logs.lines(t) {
			if m["msg"] == "request failed" {
				failed++
				if m[logging.RequestIDKey] != "ticket-4713" || m[logging.ErrKey] == nil {
					t.Errorf("error line: %v", m)
				}
			}
		}
		if failed != 1 {
			t.Errorf("%d error lines, want 1", failed)
		}
	})
}

package main

import (
	"encoding/json"
	"io"
	"net/http"
	"strings"
	"testing"
	"time"

	"github.com/complytrack/complytrack/pkg/dbtest"
	"github.com/complytrack/complytrack/pkg/problem"
)

// The worker answers its health checks on COMPLYTRACK_METRICS_ADDR:
// /healthz while it runs, /readyz while the database answers. Across an
// outage of the database /readyz answers 503 and then 200 again, with no
// restart, and /healthz stays 200 throughout.
func TestWorkerProbesAcrossADatabaseOutage(t *testing.T) {
	db := dbtest.New(t)
	proxy := dbtest.NewProxy(t)
	w := startListeningWorker(t, proxy.URIFor(db.Name())+"&serverSelectionTimeoutMS=1000")
	addr, logs := w.addr, w.logs
	get := func(path string) (int, string) {
		t.Helper()
		res, err := http.Get("http://" + addr + path)
		if err != nil {
			t.Fatal(err)
		}
		defer res.Body.Close()
		b, _ := io.ReadAll(res.Body)
		return res.StatusCode, string(b)
	}
	waitFor := func(path string, want int) string {
		t.Helper()
		deadline := time.Now().Add(60 * time.Second)
		for {
			code, body := get(path)
			if code == want {
				return body
			}
			if time.Now().After(deadline) {
				t.Fatalf("GET %s still %d after a minute, want %d: %s", path, code, want, body)
			}
			time.Sleep(200 * time.Millisecond)
		}
	}

	if code, body := get("/healthz"); code != http.StatusOK || !strings.Contains(body, `"status":"ok"`) {
		t.Errorf("healthz: %d %s", code, body)
	}
	if code, body := get("/readyz"); code != http.StatusOK || !strings.Contains(body, `"status":"ready"`) {
		t.Errorf("readyz: %d %s", code, body)
	}

	proxy.Stop()
	body := waitFor("/readyz", http.StatusServiceUnavailable)
	var prob map[string]any
	if err := json.Unmarshal([]byte(body), &prob); err != nil || prob["detail"] != problem.UnavailableMessage {
		t.Errorf("readyz during the outage: %s (%v)", body, err)
	}
	if code, _ := get("/healthz"); code != http.StatusOK {
		t.Errorf("healthz during the outage: %d, want 200", code)
	}
	if !strings.Contains(logs.String(), `"msg":"readiness check failed"`) {
		t.Errorf("the failed check is not in the log:\n%s", logs.String())
	}

	proxy.Start()
	waitFor("/readyz", http.StatusOK)

	select {
	case err := <-w.done:
		t.Fatalf("the worker stopped during the outage: %v", err)
	default:
	}
	w.stop(t)
	if _, err := http.Get("http://" + addr + "/healthz"); err == nil {
		t.Error("the probes are still answered after the worker stopped")
	}
}

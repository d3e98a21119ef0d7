package main

import (
	"io"
	"net/http"
	"strings"
	"testing"
	"time"

	"github.com/complytrack/complytrack/pkg/dbtest"
)

// A worker has no HTTP server of its own: with COMPLYTRACK_METRICS_ADDR it
// serves /metrics there while it runs, and stops serving when it stops.
func TestWorkerServesMetricsOnItsAddress(t *testing.T) {
	db := dbtest.New(t)
	w := startListeningWorker(t, strings.TrimSuffix(dbtest.URI(t), "/")+"/"+db.Name())
	addr := w.addr
	deadline := time.Now().Add(30 * time.Second)
	// The read model follows the change log in the background: its lag
	// (the start-up's own writes) comes down to 0 within a few polls.
	var body []byte
	for {
		res, err := http.Get("http://" + addr + "/metrics")
		if err != nil {
			t.Fatal(err)
		}
		body, _ = io.ReadAll(res.Body)
		res.Body.Close()
		if res.StatusCode != http.StatusOK {
			t.Fatalf("GET /metrics: %d", res.StatusCode)
		}
		if strings.Contains(string(body), "\ncomplytrack_readmodel_lag_entries 0\n") || time.Now().After(deadline) {
			break
		}
		time.Sleep(100 * time.Millisecond)
	}
	for _, want := range []string{"\ncomplytrack_outbox_waiting_messages 0\n", "\ncomplytrack_readmodel_lag_entries 0\n", "\ngo_goroutines "} {
		if !strings.Contains(string(body), want) {
			t.Errorf("metrics lack %q:\n%s", strings.TrimSpace(want), body)
		}
	}

	w.stop(t)
	if res, err := http.Get("http://" + addr + "/metrics"); err == nil {
		res.Body.Close()
		t.Error("the metrics listener is still up after the worker stopped")
	}
}

package main

import (
	"context"
	"encoding/json"
	"strings"
	"testing"
	"time"
)

// listeningWorker is a worker running in the test with its listener
// (COMPLYTRACK_METRICS_ADDR) on a free loopback port.
type listeningWorker struct {
	addr   string // host:port of the listener, read from the log
	logs   *syncBuffer
	cancel context.CancelFunc
	done   chan error // run's result once it returns
}

// startListeningWorker runs the worker on the database at mongoURI and
// returns once it has started and logged where it listens.
func startListeningWorker(t *testing.T, mongoURI string) *listeningWorker {
	t.Helper()
	ctx, cancel := context.WithCancel(context.Background())
	t.Cleanup(cancel)
	w := &listeningWorker{logs: &syncBuffer{}, cancel: cancel, done: make(chan error, 1)}
	go func() {
		w.done <- run(ctx, nil, []string{"MONGODB_URI=" + mongoURI, "COMPLYTRACK_METRICS_ADDR=127.0.0.1:0"}, w.logs)
	}()
	deadline := time.Now().Add(30 * time.Second)
	for !strings.Contains(w.logs.String(), "worker started") {
		if time.Now().After(deadline) {
			t.Fatalf("worker did not start: %s", w.logs.String())
		}
		time.Sleep(50 * time.Millisecond)
	}
	for _, line := range strings.Split(w.logs.String(), "\n") {
		var rec struct{ Msg, Addr string }
		if json.Unmarshal([]byte(line), &rec) == nil && rec.Msg == "metrics listening" {
			w.addr = rec.Addr
		}
	}
	if w.addr == "" {
		t.Fatalf("no metrics listener in the log:\n%s", w.logs.String())
	}
	return w
}

// stop stops the worker and fails the test unless run returned nil.
func (w *listeningWorker) stop(t *testing.T) {
	t.Helper()
	w.cancel()
	if err := <-w.done; err != nil {
		t.Fatalf("run after cancel: %v", err)
	}
}

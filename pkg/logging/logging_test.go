package logging_test

import (
	"bytes"
	"context"
	"encoding/json"
	"log/slog"
	"strings"
	"testing"

	"github.com/complytrack/complytrack/pkg/logging"
)

func TestSaneRequestID(t *testing.T) {
	tests := []struct {
		id   string
		sane bool
	}{
		{"", false},
		{"9f1c2b7e-3d4a-4c1e-8b2f-0a6d5e4c3b21", true},
		{"req_01HZX3:proxy.a", true},
		{strings.Repeat("a", 128), true},
		{strings.Repeat("a", 129), false},
		{"abc\ndef", false},
		{`abc" admin="true`, false},
		{"Jane Smith", false},
		{"café", false},
	}
	for _, tc := range tests {
		if got := logging.SaneRequestID(tc.id); got != tc.sane {
			t.Errorf("SaneRequestID(%q) = %v, want %v", tc.id, got, tc.sane)
		}
	}
	if a, b := logging.NewRequestID(), logging.NewRequestID(); a == b || !logging.SaneRequestID(a) {
		t.Errorf("new request IDs %q and %q: want two different sane ones", a, b)
	}
}

func TestLinesCarryTheContextsRequestID(t *testing.T) {
	var buf bytes.Buffer
	log := logging.New(slog.New(slog.NewJSONHandler(&buf, nil)))
	if logging.New(log) != log {
		t.Error("wrapping twice made a new logger")
	}
	ctx := logging.WithRequestID(context.Background(), "req-1")
	log.With("component", "test").ErrorContext(ctx, "failed", logging.Err(context.Canceled))
	log.InfoContext(context.Background(), "no request")

	lines := strings.Split(strings.TrimSpace(buf.String()), "\n")
	if len(lines) != 2 {
		t.Fatalf("%d lines: %s", len(lines), buf.String())
	}
	var first, second map[string]any
	if err := json.Unmarshal([]byte(lines[0]), &first); err != nil {
		t.Fatal(err)
	}
	if err := json.Unmarshal([]byte(lines[1]), &second); err != nil {
		t.Fatal(err)
	}
	if first[logging.RequestIDKey] != "req-1" || first["component"] != "test" || first[logging.ErrKey] != "context canceled" {
		t.Errorf("line logged for a request: %s", lines[0])
	}
	if _, ok := second[logging.RequestIDKey]; ok {
		t.Errorf("line logged outside a request names one: %s", lines[1])
	}
}

package main

import (
	"bytes"
	"context"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/complytrack/complytrack/pkg/dbtest"
)

func TestMain(m *testing.M) { dbtest.Main(m) }

func TestNeedsMongoURI(t *testing.T) {
	err := run(context.Background(), nil, nil, &bytes.Buffer{})
	if err == nil || !strings.HasPrefix(err.Error(), "setting MONGODB_URI: is required") || strings.Contains(err.Error(), "\n") {
		t.Fatalf("got %v, want one line saying MONGODB_URI is required", err)
	}
}

func TestUnreachableMongoIsOneClearLine(t *testing.T) {
	err := run(context.Background(), nil, []string{"MONGODB_URI=mongodb://127.0.0.1:1/complytrack?serverSelectionTimeoutMS=500"}, &bytes.Buffer{})
	if err == nil || !strings.HasPrefix(err.Error(), "setting MONGODB_URI: ") || !strings.Contains(err.Error(), "did not answer") {
		t.Fatalf("got %v", err)
	}
}

// syncBuffer is a bytes.Buffer safe for one writer and one reader.
type syncBuffer struct {
	mu sync.Mutex
	b  bytes.Buffer
}

func (s *syncBuffer) Write(p []byte) (int, error) {
	s.mu.Lock()
	defer s.mu.Unlock()
	return s.b.Write(p)
}
func (s *syncBuffer) String() string { s.mu.Lock(); defer s.mu.Unlock(); return s.b.String() }

func TestRunsUntilCancelled(t *testing.T) {
	db := dbtest.New(t)
	uri := dbtest.URI(t)
	ctx, cancel := context.WithCancel(context.Background())
	var logs syncBuffer
	done := make(chan error, 1)
	go func() {
		done <- run(ctx, nil, []string{"MONGODB_URI=" + strings.TrimSuffix(uri, "/") + "/" + db.Name()}, &logs)
	}()
	deadline := time.Now().Add(30 * time.Second)
	for !strings.Contains(logs.String(), "worker started") {
		if time.Now().After(deadline) {
			t.Fatalf("worker did not start: %s", logs.String())
		}
		time.Sleep(50 * time.Millisecond)
	}
	cancel()
	if err := <-done; err != nil {
		t.Fatalf("run after cancel: %v", err)
	}
}

package main

import (
	"context"
	"encoding/json"
	"log/slog"
	"strings"
	"testing"
	"time"

	"github.com/jonboulle/clockwork"

	"github.com/complytrack/complytrack/pkg/app"
	"github.com/complytrack/complytrack/pkg/apptest"
	"github.com/complytrack/complytrack/pkg/dbtest"
	"github.com/complytrack/complytrack/pkg/mongodb"
)

// A scheduled run that falls while the database is unreachable fails and
// says so in the log; the scheduler carries on, and the next scheduled run,
// once the database is back, runs as usual.
func TestScheduledRunDuringAnOutageFailsAndTheNextRuns(t *testing.T) {
	db := dbtest.New(t)
	proxy := dbtest.NewProxy(t)
	ctx, cancel := context.WithTimeout(context.Background(), 3*time.Minute)
	defer cancel()
	client, err := mongodb.Connect(ctx, proxy.URIFor(db.Name())+"&serverSelectionTimeoutMS=1000", 10*time.Second)
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { _ = client.Disconnect(context.Background()) })
	cfg, _ := apptest.Config(t,
		"MONGODB_URI="+proxy.URIFor(db.Name()),
		"COMPLYTRACK_SCHEDULE_COMPLIANCE_SCAN=off",
		"COMPLYTRACK_SCHEDULE_MANAGER_DIGEST=off",
		"COMPLYTRACK_SCHEDULE_MONTHLY_REPORT=off",
		"COMPLYTRACK_SCHEDULE_SESSION_REMINDERS=off",
		"COMPLYTRACK_SCHEDULE_DELIVERY=* * * * *",
	)
	var logs syncBuffer
	clock := clockwork.NewFakeClockAt(time.Date(2026, 11, 30, 9, 0, 30, 0, time.UTC))
	a, err := app.New(ctx, cfg, client.Database(db.Name()), slog.New(slog.NewJSONHandler(&logs, nil)), app.Options{Worker: true, Clock: clock})
	if err != nil {
		t.Fatal(err)
	}
	a.Jobs.Start()
	t.Cleanup(func() { _ = a.Jobs.Shutdown(context.Background()) })

	// fire moves the clock to the next minute, once gocron waits for it,
	// and returns the run's last line.
	fire := func() map[string]any {
		t.Helper()
		if err := clock.BlockUntilContext(ctx, 1); err != nil {
			t.Fatalf("no run scheduled: %v", err)
		}
		seen := strings.Count(logs.String(), "\n")
		clock.Advance(time.Minute)
		for {
			lines := strings.Split(strings.TrimSpace(logs.String()), "\n")
			for _, line := range lines[min(seen, len(lines)):] {
				var m map[string]any
				if err := json.Unmarshal([]byte(line), &m); err != nil {
					t.Fatalf("log line %q: %v", line, err)
				}
				switch m["msg"] {
				case "jobs: run finished", "jobs: run failed", "jobs: take the lease":
					return m
				}
			}
			select {
			case <-ctx.Done():
				t.Fatalf("the run neither finished nor failed:\n%s", logs.String())
			case <-time.After(20 * time.Millisecond):
			}
		}
	}

	if m := fire(); m["msg"] != "jobs: run finished" {
		t.Fatalf("run before the outage: %v", m)
	}
	proxy.Stop()
	m := fire()
	if m["msg"] == "jobs: run finished" || m["level"] != "ERROR" || m["job"] != "delivery" {
		t.Errorf("run during the outage: %v", m)
	}
	if m["err"] == nil {
		t.Errorf("the failed run's line does not say why: %v", m)
	}
	proxy.Start()
	if m := fire(); m["msg"] != "jobs: run finished" || m["job"] != "delivery" {
		t.Errorf("run after the outage: %v\n%s", m, logs.String())
	}
}

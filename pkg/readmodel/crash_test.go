package readmodel_test

import (
	"context"
	"errors"
	"fmt"
	"os"
	"os/exec"
	"syscall"
	"testing"
	"time"

	"go.mongodb.org/mongo-driver/v2/event"
	"go.mongodb.org/mongo-driver/v2/mongo"
	"go.mongodb.org/mongo-driver/v2/mongo/options"

	"github.com/complytrack/complytrack/pkg/compliance"
	"github.com/complytrack/complytrack/pkg/dbtest"
	"github.com/complytrack/complytrack/pkg/mongodb"
	"github.com/complytrack/complytrack/pkg/readmodel"
	"github.com/complytrack/complytrack/pkg/training"
)

// The crash tests run this test binary again as a child process that
// makes one write and is killed (SIGKILL, by itself, from the driver's
// command monitor) just before the second of the write's two inserts is
// sent: the person's version, or the completion's audit entry.
const (
	envCrashURI  = "READMODEL_CRASH_URI"
	envCrashDB   = "READMODEL_CRASH_DB"
	envCrashOp   = "READMODEL_CRASH_OP"
	envCrashKill = "READMODEL_CRASH_KILL_BEFORE" // a collection name
	envCrashArg  = "READMODEL_CRASH_ARG"
)

// crashChild is the child's whole life; it never returns.
func crashChild() {
	kill := os.Getenv(envCrashKill)
	mon := &event.CommandMonitor{Started: func(_ context.Context, e *event.CommandStartedEvent) {
		if e.CommandName != "insert" {
			return
		}
		if coll, ok := e.Command.Lookup("insert").StringValueOK(); ok && coll == kill {
			_ = syscall.Kill(os.Getpid(), syscall.SIGKILL)
			select {} // the signal is on its way
		}
	}}
	ctx := context.Background()
	client, err := mongo.Connect(options.Client().ApplyURI(os.Getenv(envCrashURI)).SetMonitor(mon))
	if err != nil {
		fmt.Fprintln(os.Stderr, err)
		os.Exit(2)
	}
	m := readmodel.New(mongodb.New(client.Database(os.Getenv(envCrashDB))), readmodel.Options{})
	if err := m.Load(ctx); err != nil {
		fmt.Fprintln(os.Stderr, err)
		os.Exit(2)
	}
	svc := compliance.NewService(m, compliance.Options{})
	switch os.Getenv(envCrashOp) {
	case "create-person":
		_, err = svc.CreatePerson(ctx, hr, input(os.Getenv(envCrashArg)))
	case "record-completion":
		_, err = svc.RecordCompletion(ctx, hr, os.Getenv(envCrashArg), completion("2026-03-02"))
	default:
		err = errors.New("unknown operation")
	}
	fmt.Fprintf(os.Stderr, "the write finished without being killed: %v\n", err)
	os.Exit(3)
}

// crash runs the child and checks that it was killed.
func crash(t *testing.T, dbName, op, killBefore, arg string) {
	t.Helper()
	cmd := exec.Command(os.Args[0], "-test.run=^$")
	cmd.Env = append(os.Environ(), envCrashURI+"="+dbtest.URI(t), envCrashDB+"="+dbName, envCrashOp+"="+op,
		envCrashKill+"="+killBefore, envCrashArg+"="+arg)
	out, err := cmd.CombinedOutput()
	var exit *exec.ExitError
	if !errors.As(err, &exit) || exit.Sys().(syscall.WaitStatus).Signal() != syscall.SIGKILL {
		t.Fatalf("the child was not killed between the two writes: %v\n%s", err, out)
	}
}

func versionsOf(t *testing.T, s *mongodb.Store, personID string) int {
	t.Helper()
	n := 0
	if err := s.EachPersonVersion(context.Background(), func(p training.Person) error {
		if p.ID == personID {
			n++
		}
		return nil
	}); err != nil {
		t.Fatal(err)
	}
	return n
}

func recordedAudit(t *testing.T, s *mongodb.Store, completionID string) int {
	t.Helper()
	page, err := s.ListAudit(context.Background(), completionID, training.PageRequest{Limit: 100})
	if err != nil {
		t.Fatal(err)
	}
	n := 0
	for _, e := range page.Items {
		if e.Action == "completion.record" {
			n++
		}
	}
	return n
}

const settle = 300 * time.Millisecond

// A process killed between writing a person and writing their version:
// a process that was running all along does not show the person until the
// write settles, then shows them and writes the missing version.
func TestKilledBetweenPersonAndVersion(t *testing.T) {
	ctx := context.Background()
	db := dbtest.New(t)
	running := newProcess(t, db.Name(), readmodel.Options{Settle: settle})
	seedPeople(t, running, 1)

	crash(t, db.Name(), "create-person", "person_versions", "CRASHED")
	p, err := running.store.PersonByEmail(ctx, "CRASHED@example.org")
	if err != nil {
		t.Fatalf("the person the child wrote before it was killed: %v", err)
	}
	if n := versionsOf(t, running.store, p.ID); n != 0 {
		t.Fatalf("%d versions: the child was killed after writing the version, not before", n)
	}

	// Until the write settles, the running process holds what it had.
	if _, err := running.svc.Person(ctx, hr, p.ID); !errors.Is(err, training.ErrNotFound) {
		t.Fatalf("the running process shows the unfinished write at once: %v", err)
	}
	time.Sleep(settle)
	if err := running.model.Step(ctx); err != nil {
		t.Fatal(err)
	}
	if got, err := running.svc.Person(ctx, hr, p.ID); err != nil || got.EmployeeNumber != "CRASHED" {
		t.Fatalf("after the write settled: %+v, %v", got, err)
	}
	if n := versionsOf(t, running.store, p.ID); n != 1 {
		t.Fatalf("after the write settled the person has %d versions, want 1", n)
	}
	// Repairing twice (another process settling it too) writes nothing more.
	other := newProcess(t, db.Name(), readmodel.Options{Settle: settle})
	if err := other.model.Step(ctx); err != nil {
		t.Fatal(err)
	}
	if n := versionsOf(t, running.store, p.ID); n != 1 {
		t.Fatalf("after a second repair: %d versions, want 1", n)
	}
}

// A process killed between recording a completion and writing its audit
// entry: a process started afterwards loads the completion and, once the
// write has settled, writes the missing audit entry.
func TestKilledBetweenCompletionAndAudit(t *testing.T) {
	ctx := context.Background()
	db := dbtest.New(t)
	first := newProcess(t, db.Name(), readmodel.Options{Settle: settle})
	people := seedPeople(t, first, 1)

	crash(t, db.Name(), "record-completion", "audit", people[0].ID)
	after := newProcess(t, db.Name(), readmodel.Options{Settle: settle})
	cs, err := after.svc.CompletionsOf(ctx, hr, people[0].ID)
	if err != nil || len(cs) != 1 {
		t.Fatalf("the completion the child wrote before it was killed: %+v, %v", cs, err)
	}
	if n := recordedAudit(t, after.store, cs[0].ID); n != 0 {
		t.Fatalf("%d audit entries: the child was killed after writing the entry, not before", n)
	}
	time.Sleep(settle)
	if err := after.model.Step(ctx); err != nil {
		t.Fatal(err)
	}
	if n := recordedAudit(t, after.store, cs[0].ID); n != 1 {
		t.Fatalf("after the write settled: %d audit entries recording the completion, want 1", n)
	}
	// The repaired entry is the one the writer would have written.
	want := training.CompletionRecordedAudit(cs[0])
	page, err := after.store.ListAudit(ctx, cs[0].ID, training.PageRequest{Limit: 10})
	if err != nil {
		t.Fatal(err)
	}
	if got := page.Items[0]; got.ID != want.ID || got.Actor != want.Actor || string(got.After) != string(want.After) {
		t.Fatalf("repaired audit entry %+v, want %+v", got, want)
	}
	// And the process that was running when the child died repairs
	// nothing twice.
	if err := first.model.Step(ctx); err != nil {
		t.Fatal(err)
	}
	if n := recordedAudit(t, after.store, cs[0].ID); n != 1 {
		t.Fatalf("after a second repair: %d entries, want 1", n)
	}
}

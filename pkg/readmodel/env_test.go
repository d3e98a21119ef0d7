package readmodel_test

import (
	"context"
	"fmt"
	"os"
	"sort"
	"strings"
	"sync/atomic"
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

func TestMain(m *testing.M) {
	if os.Getenv(envCrashOp) != "" {
		crashChild()
	}
	dbtest.Main(m)
}

var hr = training.SystemActorFor()

// process is one app instance: its own driver client, store, read model
// and service, on a database shared with others, as two replicas are.
type process struct {
	model *readmodel.Model
	svc   *compliance.Service
	store *mongodb.Store
	cmds  atomic.Int64 // database commands sent, when counting
	count atomic.Bool
}

func newProcess(t testing.TB, dbName string, o readmodel.Options) *process {
	t.Helper()
	p := &process{}
	mon := &event.CommandMonitor{Started: func(context.Context, *event.CommandStartedEvent) {
		if p.count.Load() {
			p.cmds.Add(1)
		}
	}}
	client, err := mongo.Connect(options.Client().ApplyURI(dbtest.URI(t)).SetMonitor(mon))
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { _ = client.Disconnect(context.Background()) })
	p.store = mongodb.New(client.Database(dbName))
	ctx := context.Background()
	if err := p.store.Migrate(ctx); err != nil {
		t.Fatal(err)
	}
	p.model = readmodel.New(p.store, o)
	if err := p.model.Load(ctx); err != nil {
		t.Fatal(err)
	}
	p.svc = compliance.NewService(p.model, compliance.Options{})
	return p
}

// commands counts the database commands fn sends.
func (p *process) commands(fn func()) int64 {
	p.cmds.Store(0)
	p.count.Store(true)
	fn()
	p.count.Store(false)
	return p.cmds.Load()
}

func input(n string) training.PersonInput {
	return training.PersonInput{Person: training.Person{EmployeeNumber: n, Email: n + "@example.org", GivenName: "G", FamilyName: n, Kind: training.KindStaff, StartDate: training.MustDate("2025-01-06")}}
}

// digest describes everything a process holds about the organisation, in
// a stable order, so two processes (or a process and a fresh load of the
// database) can be compared.
func digest(t *testing.T, p *process) string {
	t.Helper()
	ctx := context.Background()
	people, err := p.svc.PeopleForImport(ctx, hr)
	if err != nil {
		t.Fatal(err)
	}
	var lines []string
	for _, person := range people {
		cs, err := p.svc.CompletionsOf(ctx, hr, person.ID)
		if err != nil {
			t.Fatal(err)
		}
		var done []string
		for _, c := range cs {
			done = append(done, fmt.Sprintf("%s:%s:%s", c.ID, c.CourseCode, c.State()))
		}
		sort.Strings(done)
		lines = append(lines, fmt.Sprintf("%s %s %s %s manager=%s [%s]", person.ID, person.EmployeeNumber, person.Email, person.JobTitle,
			person.ManagerID, strings.Join(done, " ")))
	}
	sort.Strings(lines)
	return strings.Join(lines, "\n")
}

// truth is what a process starting now would load.
func truth(t *testing.T, dbName string) string {
	t.Helper()
	return digest(t, newProcess(t, dbName, readmodel.Options{}))
}

func waitUntil(t *testing.T, what string, cond func() bool) {
	t.Helper()
	deadline := time.Now().Add(30 * time.Second)
	for !cond() {
		if time.Now().After(deadline) {
			t.Fatalf("after 30 s: %s", what)
		}
		time.Sleep(20 * time.Millisecond)
	}
}

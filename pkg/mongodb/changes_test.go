package mongodb_test

import (
	"context"
	"errors"
	"fmt"
	"slices"
	"sync"
	"sync/atomic"
	"testing"
	"time"

	"go.mongodb.org/mongo-driver/v2/event"
	"go.mongodb.org/mongo-driver/v2/mongo"
	"go.mongodb.org/mongo-driver/v2/mongo/options"

	"github.com/complytrack/complytrack/pkg/dbtest"
	"github.com/complytrack/complytrack/pkg/mongodb"
	"github.com/complytrack/complytrack/pkg/readmodel"
)

// TestAppendChangeConcurrently appends change-log entries from many
// goroutines at once, as a busy process does (every write appends two),
// through one store or two (two processes on one database). The entries
// must take the numbers 1..n, each once, with no gap. Within one process
// each entry must also be claimed with one insert: concurrent appends that
// all probed the same free number made each entry cost as many inserts as
// there were writers, and on the embedded engine every one of those is a
// write that waits for the database file's single writer lock.
func TestAppendChangeConcurrently(t *testing.T) {
	for _, tc := range []struct {
		name    string
		stores  int
		workers int // per store
		each    int // entries per worker
	}{
		{"one process", 1, 32, 8},
		{"two processes", 2, 16, 8},
	} {
		t.Run(tc.name, func(t *testing.T) {
			ctx := context.Background()
			name := dbtest.New(t).Name()
			var inserts atomic.Int64
			mon := &event.CommandMonitor{Started: func(_ context.Context, e *event.CommandStartedEvent) {
				if e.CommandName != "insert" {
					return
				}
				if v, err := e.Command.LookupErr("insert"); err == nil {
					if coll, _ := v.StringValueOK(); coll == "changes" {
						inserts.Add(1)
					}
				}
			}}
			var stores []*mongodb.Store
			for range tc.stores {
				client, err := mongo.Connect(options.Client().ApplyURI(dbtest.URI(t)).SetMonitor(mon))
				if err != nil {
					t.Fatal(err)
				}
				t.Cleanup(func() { _ = client.Disconnect(context.Background()) })
				s := mongodb.New(client.Database(name))
				if err := s.Migrate(ctx); err != nil {
					t.Fatal(err)
				}
				stores = append(stores, s)
			}
			inserts.Store(0)

			// known is each process's newest entry, as the read model
			// keeps it: appends start from it.
			known := make([]atomic.Int64, len(stores))
			var mu sync.Mutex
			var got []int64
			var wg sync.WaitGroup
			for si, s := range stores {
				for w := range tc.workers {
					wg.Go(func() {
						for i := range tc.each {
							seq, err := s.AppendChange(ctx, readmodel.Change{Seq: known[si].Load(), Kind: readmodel.KindPerson,
								IDs: []string{fmt.Sprintf("p%d-%d-%d", si, w, i)}, Origin: fmt.Sprint(si)})
							if err != nil {
								t.Error(err)
								return
							}
							for k := known[si].Load(); k < seq && !known[si].CompareAndSwap(k, seq); k = known[si].Load() {
							}
							mu.Lock()
							got = append(got, seq)
							mu.Unlock()
						}
					})
				}
			}
			wg.Wait()

			n := tc.stores * tc.workers * tc.each
			slices.Sort(got)
			for i, seq := range got {
				if seq != int64(i+1) {
					t.Fatalf("the entries took %v; want 1..%d, each once", got, n)
				}
			}
			for seq := int64(1); seq <= int64(n); seq++ {
				if _, err := stores[0].Change(ctx, seq); err != nil {
					t.Fatalf("entry %d: %v", seq, err)
				}
			}
			if tc.stores == 1 && inserts.Load() != int64(n) {
				t.Errorf("%d inserts into the change log for %d entries; want one each", inserts.Load(), n)
			}
			t.Logf("%d entries, %d inserts", n, inserts.Load())
		})
	}
}

// TestAppendChangeWaitingForItsTurnGivesUp: appends take turns, and while
// the database does not answer a turn lasts until the driver gives up. A
// writer queued behind it must give up when its own request does, not
// wait out every turn before its own.
func TestAppendChangeWaitingForItsTurnGivesUp(t *testing.T) {
	name := dbtest.New(t).Name()
	proxy := dbtest.NewProxy(t)
	client, err := mongodb.Connect(context.Background(), proxy.URIFor(name)+"&serverSelectionTimeoutMS=30000", 10*time.Second)
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { _ = client.Disconnect(context.Background()) })
	store := mongodb.New(client.Database(name))
	if _, err := store.AppendChange(context.Background(), readmodel.Change{Kind: readmodel.KindPerson, IDs: []string{"p0"}}); err != nil {
		t.Fatal(err)
	}

	proxy.Stop()
	// The first use of the cut connections fails at once; after it the
	// driver looks for a server until its selection timeout.
	pingCtx, cancelPing := context.WithTimeout(context.Background(), 2*time.Second)
	_ = client.Ping(pingCtx, nil)
	cancelPing()
	// The first append holds the turn while the driver looks for a server.
	firstCtx, cancelFirst := context.WithCancel(context.Background())
	first := make(chan error, 1)
	go func() {
		_, err := store.AppendChange(firstCtx, readmodel.Change{Kind: readmodel.KindPerson, IDs: []string{"p1"}})
		first <- err
	}()
	time.Sleep(300 * time.Millisecond) // let it take the turn

	secondCtx, cancelSecond := context.WithTimeout(context.Background(), 500*time.Millisecond)
	defer cancelSecond()
	_, err = store.AppendChange(secondCtx, readmodel.Change{Kind: readmodel.KindPerson, IDs: []string{"p2"}})
	if !errors.Is(err, context.DeadlineExceeded) {
		t.Errorf("the queued append: %v, want its own deadline", err)
	}
	select {
	case err := <-first:
		t.Fatalf("the first append returned (%v) before the queued one gave up: the test proves nothing", err)
	default:
	}
	cancelFirst()
	if err := <-first; err == nil {
		t.Error("the first append succeeded with the database unreachable")
	}

	// The turn is free again, and the store appends once the database is back.
	proxy.Start()
	seq, err := store.AppendChange(context.Background(), readmodel.Change{Kind: readmodel.KindPerson, IDs: []string{"p3"}})
	if err != nil || seq != 2 {
		t.Errorf("append after the outage: seq %d, %v; want 2", seq, err)
	}
}

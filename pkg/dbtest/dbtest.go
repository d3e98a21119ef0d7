// Package dbtest gives each test a database of its own, on a real MongoDB
// when one is named and on the embedded engine otherwise, so that the same
// tests run on the build machines (where no MongoDB can be installed) and
// against production's engine.
//
// When COMPLYTRACK_TEST_MONGODB_URI is set, every database is created on
// that server. Otherwise the first call in a test binary starts one embedded
// engine (pkg/embedded) in a temporary directory, which every test of the
// binary shares: one engine, one port and one set of SQLite pools however
// many tests run in parallel. Either way the binary shares one mongo.Client,
// and each test gets a database with a unique name that is dropped when the
// test ends, so tests may run in parallel (t.Parallel) and test binaries of
// different packages may share one MongoDB server.
//
// To stop the shared engine and remove its directory when the binary ends,
// use Main from TestMain:
//
//	func TestMain(m *testing.M) { dbtest.Main(m) }
//
// Without it the engine dies with the process and its temporary directory
// (empty once every test's database has been dropped) is left for the
// operating system's temp cleaning.
//
// What the embedded engine does not do is listed in docs/database.md and
// in pkg/embedded's documentation; the trap most likely to
// make a test pass on MongoDB and fail here (or the reverse): on the embedded
// engine, concurrent updates of one document through a client with more than
// one connection can overwrite each other.
package dbtest

import (
	"context"
	"crypto/rand"
	"encoding/hex"
	"errors"
	"fmt"
	"log/slog"
	"net/url"
	"os"
	"strings"
	"sync"
	"sync/atomic"
	"testing"
	"time"

	"go.mongodb.org/mongo-driver/v2/mongo"
	"go.mongodb.org/mongo-driver/v2/mongo/options"

	"github.com/complytrack/complytrack/pkg/embedded"
)

// EnvURI names the environment variable that points the tests at a MongoDB.
const EnvURI = "COMPLYTRACK_TEST_MONGODB_URI"

// Timeouts short enough that a wrong URI fails the first test within seconds
// instead of after the driver's default 30 s, long enough for a loaded CI box.
const (
	serverSelectionTimeout = 5 * time.Second
	connectTimeout         = 5 * time.Second
	startTimeout           = 60 * time.Second // the embedded engine under -race on a busy machine
	dropTimeout            = 30 * time.Second
)

// shared is what every test of the binary uses; set up once, on first use.
var shared struct {
	once   sync.Once
	err    error
	uri    string
	client *mongo.Client
	engine *embedded.Engine // nil when a real MongoDB is in use
	dir    string           // the engine's temporary directory
}

// seq numbers the databases of this binary.
var seq atomic.Uint64

// binaryTag is random per test binary, so that binaries running at the same
// time against one MongoDB server never pick the same database name.
var binaryTag = randomHex(3)

// New returns a database that exists only for this test: its name is unique,
// it is empty, and it is dropped in tb.Cleanup. On the embedded engine it is
// created (as a file) by the first write; call Engine(tb).IndexIDs after the
// test has created its collections if it measures writes by _id.
func New(tb testing.TB) *mongo.Database {
	tb.Helper()
	client := setup(tb)
	db := client.Database(databaseName(tb.Name()))
	tb.Cleanup(func() {
		ctx, cancel := context.WithTimeout(context.Background(), dropTimeout)
		defer cancel()
		if err := db.Drop(ctx); err != nil {
			tb.Errorf("dbtest: drop database %s: %v", db.Name(), err)
		}
	})
	return db
}

// URI returns the connection string of the server New uses, for tests that
// start other processes pointed at the same server. Databases are named by
// New, not by the URI.
func URI(tb testing.TB) string {
	tb.Helper()
	setup(tb)
	return shared.uri
}

// Engine returns the shared embedded engine, or nil when a real MongoDB is in
// use (COMPLYTRACK_TEST_MONGODB_URI), for tests and benchmarks that call
// IndexIDs. Callers must not Close it.
func Engine(tb testing.TB) *embedded.Engine {
	tb.Helper()
	setup(tb)
	return shared.engine
}

// Main runs the tests, then stops the shared engine and removes its
// directory, and exits with the tests' status. Call it from TestMain.
func Main(m *testing.M) {
	code := m.Run()
	if err := shutdown(); err != nil {
		fmt.Fprintln(os.Stderr, "dbtest:", err)
		if code == 0 {
			code = 1
		}
	}
	os.Exit(code)
}

// databaseName returns a fresh database name for a test: the test's name
// lower-cased with every run of characters other than letters, digits and
// '_' replaced by one '_', cut to fit, then a sequence number and a random
// tag of this binary. The result is at most 63 characters of [a-z0-9_],
// valid on MongoDB and FerretDB alike; lower case because MongoDB refuses two
// database names that differ only in case.
func databaseName(testName string) string {
	suffix := fmt.Sprintf("_%d_%s", seq.Add(1), binaryTag)
	const maxLen = 63
	base := sanitize(testName)
	if base == "" {
		base = "test"
	}
	if room := maxLen - len(suffix); len(base) > room {
		base = strings.TrimRight(base[:room], "_")
	}
	return base + suffix
}

func sanitize(s string) string {
	var b strings.Builder
	underscore := false
	for _, r := range strings.ToLower(s) {
		if r >= 'a' && r <= 'z' || r >= '0' && r <= '9' {
			b.WriteRune(r)
			underscore = false
			continue
		}
		if !underscore && b.Len() > 0 {
			b.WriteByte('_')
			underscore = true
		}
	}
	return strings.TrimRight(b.String(), "_")
}

// setup connects (and starts the engine) on first use; a failure is reported
// to every test that asks, without retrying.
func setup(tb testing.TB) *mongo.Client {
	tb.Helper()
	shared.once.Do(func() { shared.err = connect() })
	if shared.err != nil {
		tb.Fatalf("dbtest: %v", shared.err)
	}
	return shared.client
}

func connect() error {
	ctx, cancel := context.WithTimeout(context.Background(), startTimeout)
	defer cancel()

	source := EnvURI
	uri := os.Getenv(EnvURI)
	if uri == "" {
		dir, err := os.MkdirTemp("", "complytrack-dbtest-")
		if err != nil {
			return err
		}
		e, err := embedded.Start(ctx, embedded.Config{
			Dir: dir,
			// tests stay quiet unless something is wrong with the engine
			Logger: slog.New(slog.NewTextHandler(os.Stderr, &slog.HandlerOptions{Level: slog.LevelWarn})),
		})
		if err != nil {
			_ = os.RemoveAll(dir)
			return fmt.Errorf("start the embedded engine: %w", err)
		}
		shared.engine, shared.dir, uri = e, dir, e.URI()
		source = "the embedded engine"
	}

	client, err := mongo.Connect(options.Client().
		ApplyURI(uri).
		SetServerSelectionTimeout(serverSelectionTimeout).
		SetConnectTimeout(connectTimeout))
	if err == nil {
		// Connect does not talk to the server; Ping does, and fails after the
		// server-selection timeout when nothing answers at uri.
		err = client.Ping(ctx, nil)
		if err != nil {
			_ = client.Disconnect(context.Background())
		}
	}
	if err != nil {
		_ = stopEngine()
		return fmt.Errorf("cannot reach MongoDB at %s (from %s) within %s: %w",
			redact(uri), source, serverSelectionTimeout, err)
	}

	shared.uri, shared.client = uri, client
	return nil
}

// shutdown disconnects the client and stops the engine, if they were started.
func shutdown() error {
	var errs []error
	if shared.client != nil {
		ctx, cancel := context.WithTimeout(context.Background(), 10*time.Second)
		defer cancel()
		if err := shared.client.Disconnect(ctx); err != nil {
			errs = append(errs, fmt.Errorf("disconnect: %w", err))
		}
	}
	if err := stopEngine(); err != nil {
		errs = append(errs, err)
	}
	return errors.Join(errs...)
}

func stopEngine() error {
	if shared.engine == nil {
		return nil
	}
	err := shared.engine.Close()
	shared.engine = nil
	if rmErr := os.RemoveAll(shared.dir); rmErr != nil {
		err = errors.Join(err, fmt.Errorf("remove %s: %w", shared.dir, rmErr))
	}
	return err
}

// redact hides a password in a connection string, for error messages.
func redact(uri string) string {
	u, err := url.Parse(uri)
	if err != nil {
		return "(unparsable URI)"
	}
	if u.User != nil {
		if _, ok := u.User.Password(); ok {
			u.User = url.UserPassword(u.User.Username(), "xxxxx")
		}
	}
	return u.String()
}

func randomHex(n int) string {
	b := make([]byte, n)
	_, _ = rand.Read(b) // never fails (crypto/rand.Read panics rather than return an error)
	return hex.EncodeToString(b)
}

// Package embedded runs a MongoDB-compatible database engine (FerretDB v1.24.2
// with its SQLite backend) inside the current process, so that complytrack can
// run on one machine with nothing else installed and so that every test can
// run without a MongoDB server.
//
// The engine is spoken to over the real MongoDB wire protocol on a loopback TCP
// port, by the same driver (go.mongodb.org/mongo-driver/v2) and the same code
// that talk to a real MongoDB in production. Nothing in complytrack calls
// FerretDB's Go API other than this package; the store does not know which
// engine it is talking to.
//
// Data lives in one SQLite file per database under Config.Dir and survives a
// restart. The engine has no authentication in this configuration, which is
// why it only ever listens on a loopback address.
//
// FerretDB's SQLite backend cannot use its own unique _id index for updates and
// deletes by _id (see [Engine.IndexIDs]); call IndexIDs after creating a
// database's collections to make writes by _id independent of collection size.
//
// Atomicity differs from MongoDB's (measured in atomicity_test.go). FerretDB
// runs an update, replace, findAndModify or upsert as "read the matching
// documents, change them in Go, write each back by _id", with nothing held in
// between and no re-check of the filter when writing. So, through a client
// with several connections, concurrent updates of one document overwrite each
// other (8 clients × 100 $inc ended at about 120-190, not 800), a
// conditional update such as {_id: X, version: 3} is not a compare-and-set,
// and two FindOneAndUpdate "claims" of one document can both succeed. What is
// atomic: an insert against a unique index (exactly one of concurrent inserts
// of one _id or one unique key succeeds, the rest get error 11000) and a
// delete (exactly one of concurrent deletes reports the document deleted).
// FerretDB serves each connection's commands one at a time, so a process
// whose only client has MaxPoolSize 1 gets every single-document update
// applied atomically (8 × 100 $inc = 800), at the price of running one
// command at a time. Also unlike MongoDB, an update that breaks a unique
// index fails with InternalError, not a duplicate key error (11000).
//
// Importing this package links FerretDB and a pure-Go SQLite into the binary,
// which costs about 100 s on a cold build cache: keep it out of packages that
// do not start an engine.
package embedded

import (
	"context"
	"errors"
	"fmt"
	"log/slog"
	"net"
	"os"
	"path/filepath"
	"strings"
	"sync"
	"time"

	"github.com/FerretDB/FerretDB/ferretdb"
	"go.mongodb.org/mongo-driver/v2/mongo"
	"go.mongodb.org/mongo-driver/v2/mongo/options"

	"github.com/complytrack/complytrack/pkg/logging"
)

// ErrClosed is returned by methods called after [Engine.Close].
var ErrClosed = errors.New("embedded engine is closed")

// defaultStartTimeout bounds how long Start waits for the engine to answer when
// the caller's context has no deadline of its own: an engine that does not
// answer a ping on loopback within this time is broken, not slow.
const defaultStartTimeout = 30 * time.Second

// Config configures [Start].
type Config struct {
	// Dir is the data directory; each database is one SQLite file
	// "<Dir>/<database>.sqlite" (plus its -wal and -shm files while open).
	// It is created with mode 0700 if missing, because it holds personal data.
	// Only one Engine may use a directory at a time.
	Dir string

	// Addr is the TCP listen address; default "127.0.0.1:0" (a free port).
	// It must be a loopback address: the engine has no authentication.
	Addr string

	// Logger receives this package's own records (the URI at INFO) and the
	// engine's ERROR-level records, tagged component=ferretdb. Nil means
	// nothing is logged.
	//
	// The engine's records below ERROR are dropped on purpose: at WARN FerretDB
	// prints whole wire messages for ordinary command errors such as a
	// duplicate key, which is both noise (the caller already gets the error)
	// and a leak of document contents (personal data) into the logs; at INFO
	// and DEBUG it logs every connection. Its ERROR records mean the engine
	// itself is in trouble (a connection closed on a handler failure, a
	// backend that cannot be opened, a failed capped-collection cleanup), which
	// an operator must see, so those are kept.
	Logger *slog.Logger
}

// Engine is a running embedded engine. Its methods are safe for concurrent use.
type Engine struct {
	dir string
	uri string
	log *slog.Logger

	cancel context.CancelFunc
	done   chan struct{} // closed when FerretDB's Run has returned

	// mu guards closed; IndexIDs holds it for reading so that Close waits for
	// an IndexIDs in progress instead of pulling the files from under it.
	mu     sync.RWMutex
	closed bool
}

// Start starts an engine and returns once it answers a ping over the wire
// protocol, so the returned URI is immediately usable.
//
// ctx bounds the start-up only (if it has no deadline, 30 s is used); the
// engine runs until [Engine.Close], whatever happens to ctx afterwards.
func Start(ctx context.Context, cfg Config) (*Engine, error) {
	log := cfg.Logger
	if log == nil {
		log = logging.Discard()
	}

	if cfg.Dir == "" {
		return nil, errors.New("embedded: Config.Dir is empty")
	}
	dir, err := filepath.Abs(cfg.Dir)
	if err != nil {
		return nil, fmt.Errorf("embedded: data directory %q: %w", cfg.Dir, err)
	}
	// FerretDB turns the directory into a SQLite URI without escaping it, so
	// these characters would silently point it somewhere else.
	if strings.ContainsAny(dir, "?#%") {
		return nil, fmt.Errorf("embedded: data directory %q must not contain '?', '#' or '%%'", dir)
	}
	if err := os.MkdirAll(dir, 0o700); err != nil {
		return nil, fmt.Errorf("embedded: create data directory: %w", err)
	}

	addr := cfg.Addr
	if addr == "" {
		addr = "127.0.0.1:0"
	}
	if err := checkLoopback(addr); err != nil {
		return nil, err
	}

	fdb, err := ferretdb.New(&ferretdb.Config{
		Listener:  ferretdb.ListenerConfig{TCP: addr},
		Logger:    engineLogger(log),
		Handler:   "sqlite",
		SQLiteURL: "file:" + dir + "/",
	})
	if err != nil {
		return nil, fmt.Errorf("embedded: start FerretDB in %s: %w", dir, err)
	}

	runCtx, cancel := context.WithCancel(context.WithoutCancel(ctx))
	e := &Engine{
		dir:    dir,
		log:    log,
		cancel: cancel,
		done:   make(chan struct{}),
	}
	go func() {
		defer close(e.done)
		// Run only returns nil (after runCtx is canceled), and closes the
		// listener, every connection and the SQLite backend before returning.
		_ = fdb.Run(runCtx)
	}()

	// MongoDBURI blocks until the listener is bound; FerretDB's doc warns it
	// may deadlock if called before Run has started, so call it only now.
	e.uri = fdb.MongoDBURI()

	if err := e.waitReady(ctx); err != nil {
		_ = e.Close()
		return nil, fmt.Errorf("embedded: engine at %s did not answer: %w", e.uri, err)
	}

	log.InfoContext(ctx, "embedded MongoDB-compatible engine started",
		slog.String("uri", e.uri), slog.String("dir", dir))

	return e, nil
}

// waitReady pings the engine through the real driver: that proves the accept
// loop, the wire protocol handler and the SQLite backend are all serving,
// where a bare TCP dial would succeed as soon as the socket is bound.
func (e *Engine) waitReady(ctx context.Context) error {
	if _, ok := ctx.Deadline(); !ok {
		var cancel context.CancelFunc
		ctx, cancel = context.WithTimeout(ctx, defaultStartTimeout)
		defer cancel()
	}

	client, err := mongo.Connect(options.Client().
		ApplyURI(e.uri).
		SetDirect(true).
		SetMaxPoolSize(1))
	if err != nil {
		return err
	}
	defer func() {
		dctx, cancel := context.WithTimeout(context.Background(), 5*time.Second)
		defer cancel()
		_ = client.Disconnect(dctx)
	}()

	return client.Ping(ctx, nil)
}

// checkLoopback refuses listen addresses other than loopback ones, because the
// engine accepts every connection without authentication.
func checkLoopback(addr string) error {
	host, _, err := net.SplitHostPort(addr)
	if err != nil {
		return fmt.Errorf("embedded: listen address %q: %w", addr, err)
	}
	if host == "localhost" {
		return nil
	}
	if ip := net.ParseIP(host); ip != nil && ip.IsLoopback() {
		return nil
	}
	return fmt.Errorf("embedded: listen address %q is not a loopback address; the engine has no authentication", addr)
}

// URI returns the mongodb:// connection string of the engine, for the driver,
// mongosh or Compass.
func (e *Engine) URI() string { return e.uri }

// Dir returns the absolute data directory.
func (e *Engine) Dir() string { return e.dir }

// Close stops the listener, waits for FerretDB to finish and closes its SQLite
// databases. The data stays in Dir for the next Start. Close is idempotent and
// safe to call concurrently; every call returns after the engine has stopped.
//
// Disconnect clients first: FerretDB gives connections that are still open
// up to 3 seconds to go away before it cuts them, and Close waits for that.
func (e *Engine) Close() error {
	e.mu.Lock()
	already := e.closed
	e.closed = true
	e.mu.Unlock()

	e.cancel()
	<-e.done

	if !already {
		e.log.Info("embedded MongoDB-compatible engine stopped", slog.String("dir", e.dir))
	}
	return nil
}

// engineLogger returns the logger given to FerretDB: only its ERROR (and
// higher) records reach ours, for the reasons given on Config.Logger.
func engineLogger(ours *slog.Logger) *slog.Logger {
	return slog.New(minLevelHandler{min: slog.LevelError, next: ours.Handler()}).
		With(slog.String("component", "ferretdb"))
}

// minLevelHandler drops records below min. Because Enabled reports false for
// them, FerretDB does not even format the wire messages it would have logged.
type minLevelHandler struct {
	min  slog.Level
	next slog.Handler
}

func (h minLevelHandler) Enabled(ctx context.Context, l slog.Level) bool {
	return l >= h.min && h.next.Enabled(ctx, l)
}

func (h minLevelHandler) Handle(ctx context.Context, r slog.Record) error {
	if r.Level < h.min {
		return nil
	}
	return h.next.Handle(ctx, r)
}

func (h minLevelHandler) WithAttrs(attrs []slog.Attr) slog.Handler {
	return minLevelHandler{min: h.min, next: h.next.WithAttrs(attrs)}
}

func (h minLevelHandler) WithGroup(name string) slog.Handler {
	return minLevelHandler{min: h.min, next: h.next.WithGroup(name)}
}

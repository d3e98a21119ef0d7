// Command api runs complytrack: the HTTP API and web pages and, unless told
// otherwise, the scheduled jobs. With no MONGODB_URI it also runs an
// embedded MongoDB-compatible engine with its data in COMPLYTRACK_DATA_DIR,
// so `go run ./api` needs no set-up at all.
package main

import (
	"context"
	"errors"
	"flag"
	"fmt"
	"io"
	"log/slog"
	"net"
	"net/http"
	"os"
	"os/signal"
	"path/filepath"
	"syscall"
	"time"

	"github.com/gin-gonic/gin"
	"go.mongodb.org/mongo-driver/v2/mongo"

	"github.com/complytrack/complytrack/pkg/app"
	"github.com/complytrack/complytrack/pkg/auth"
	"github.com/complytrack/complytrack/pkg/backup"
	"github.com/complytrack/complytrack/pkg/config"
	"github.com/complytrack/complytrack/pkg/demo"
	"github.com/complytrack/complytrack/pkg/embedded"
	"github.com/complytrack/complytrack/pkg/logging"
	"github.com/complytrack/complytrack/pkg/metrics"
	"github.com/complytrack/complytrack/pkg/mongodb"
)

func main() {
	ctx, stop := signal.NotifyContext(context.Background(), os.Interrupt, syscall.SIGTERM)
	defer stop()
	if err := run(ctx, os.Args[1:], os.Environ(), os.Stdout); err != nil {
		fmt.Fprintln(os.Stderr, "complytrack:", err)
		os.Exit(1)
	}
}

// commandLine is what the command is told besides its settings.
type commandLine struct {
	genkey, demo    bool
	backup, restore string // file names
}

// flags declares the command's flags, each documented in the README.
func (cl *commandLine) flags() *flag.FlagSet {
	fs := flag.NewFlagSet("api", flag.ContinueOnError)
	fs.SetOutput(io.Discard)
	fs.BoolVar(&cl.genkey, "genkey", false, "print a new token-signing key (PEM) and exit")
	fs.BoolVar(&cl.demo, "demo", false, "fill an empty install with a fictional council's demo data (see the README)")
	fs.StringVar(&cl.backup, "backup", "", "write a backup of the embedded engine's data to this file and exit")
	fs.StringVar(&cl.restore, "restore", "", "restore a backup made with -backup into an empty data directory and exit")
	return fs
}

// run starts everything, serves until ctx is cancelled, then stops in
// order: HTTP first (finishing requests in flight), then the jobs, then the
// database. Logs go to logOut as JSON lines.
func run(ctx context.Context, args []string, environ []string, logOut io.Writer) error {
	var cl commandLine
	flags := cl.flags()
	if err := flags.Parse(args); err != nil {
		return fmt.Errorf("command line: %w (see the README)", err)
	}
	if flags.NArg() > 0 {
		return fmt.Errorf("command line: unexpected %q (see the README)", flags.Arg(0))
	}
	if cl.backup != "" || cl.restore != "" {
		if cl.backup != "" && cl.restore != "" || cl.genkey || cl.demo {
			return errors.New("command line: -backup and -restore each run alone (see the README)")
		}
		cfg, err := config.Load(environ)
		if err != nil {
			return err
		}
		if cl.backup != "" {
			return runBackup(ctx, cfg, cl.backup, logOut)
		}
		return runRestore(ctx, cfg, cl.restore, logOut)
	}
	if cl.genkey {
		ks, err := auth.GenerateKeySet()
		if err != nil {
			return err
		}
		pem, err := ks.MarshalPEM()
		if err != nil {
			return err
		}
		_, err = logOut.Write(pem)
		return err
	}
	cfg, err := config.Load(environ)
	if err != nil {
		return err
	}
	if cl.demo && cfg.OrgName == "" {
		// The demo's pages name its fictional council, as a real install
		// names its own organisation.
		cfg.OrgName = demo.Council
	}
	// The one logger of the process, passed to every part: nothing logs
	// through slog's process-wide default.
	log := newLogger(logOut, cfg.LogLevel)

	db, closeDB, err := openDatabase(ctx, cfg, log)
	if err != nil {
		return err
	}
	defer closeDB()

	gin.SetMode(gin.ReleaseMode)
	a, err := app.New(ctx, cfg, db, log, app.Options{})
	if err != nil {
		return err
	}
	if cl.demo { // logs what it did, or why it did nothing
		if _, err := demo.Fill(ctx, a, log); err != nil {
			return err
		}
	}
	go a.Follow(ctx)
	router := a.Router()
	if cfg.Worker {
		a.Jobs.Start()
		log.Info("scheduled jobs started", "jobs", a.Jobs.Names())
	}

	if cfg.MetricsAddr != "" {
		stopMetrics, err := metrics.Serve(cfg.MetricsAddr, a.Metrics.Handler(), log)
		if err != nil {
			return err
		}
		// Deferred: the metrics stay up while the rest shuts down.
		defer func() { _ = stopMetrics(context.Background()) }()
	}

	ln, err := net.Listen("tcp", cfg.HTTPAddr)
	if err != nil {
		return fmt.Errorf("setting COMPLYTRACK_HTTP_ADDR: cannot listen on %s: %w", cfg.HTTPAddr, err)
	}
	srv := &http.Server{
		Handler:           router,
		ReadHeaderTimeout: 10 * time.Second,
		ReadTimeout:       60 * time.Second,
		WriteTimeout:      120 * time.Second,
		IdleTimeout:       120 * time.Second,
		// Room for a 64 KiB header to reach the handlers, which refuse an
		// over-long bearer token with 401 like any other bad token.
		MaxHeaderBytes: 128 << 10,
		ErrorLog:       slog.NewLogLogger(log.Handler(), slog.LevelWarn),
	}
	serveErr := make(chan error, 1)
	go func() { serveErr <- srv.Serve(ln) }()
	log.Info("listening", "addr", ln.Addr().String(), "embedded", cfg.Embedded(), "worker", config.Bool(cfg.Worker))

	select {
	case <-ctx.Done():
	case err := <-serveErr:
		return fmt.Errorf("http server: %w", err)
	}
	log.Info("shutting down")
	shutdownCtx, cancel := context.WithTimeout(context.Background(), cfg.ShutdownGrace)
	defer cancel()
	// HTTP first (requests in flight finish), then the jobs (a running job
	// finishes or is cancelled at the deadline), then the database (deferred).
	if err := srv.Shutdown(shutdownCtx); err != nil {
		log.Warn("http shutdown", logging.Err(err))
	}
	if err := a.Jobs.Shutdown(shutdownCtx); err != nil {
		log.Warn("jobs shutdown", logging.Err(err))
	}
	return nil
}

func newLogger(w io.Writer, level string) *slog.Logger {
	var l slog.Level
	_ = l.UnmarshalText([]byte(level))
	return logging.New(slog.New(slog.NewJSONHandler(w, &slog.HandlerOptions{Level: l})))
}

// openDatabase connects to MONGODB_URI, or starts the embedded engine in
// the data directory and connects to that; then brings the collections and
// indexes up to date. The returned func closes the client, then the engine.
func openDatabase(ctx context.Context, cfg config.Config, log *slog.Logger) (*mongo.Database, func(), error) {
	uri := cfg.MongoURI
	var engine *embedded.Engine
	if cfg.Embedded() {
		dir, err := filepath.Abs(filepath.Join(cfg.DataDir, config.DataDBDir))
		if err != nil {
			return nil, nil, fmt.Errorf("setting COMPLYTRACK_DATA_DIR: %w", err)
		}
		engine, err = embedded.Start(ctx, embedded.Config{Dir: dir, Logger: log})
		if err != nil {
			return nil, nil, fmt.Errorf("setting COMPLYTRACK_DATA_DIR: start the embedded engine in %s: %w", dir, err)
		}
		uri = engine.URI()
	}
	closeEngine := func() {
		if engine != nil {
			if err := engine.Close(); err != nil {
				log.Warn("closing embedded engine", logging.Err(err))
			}
		}
	}
	client, err := mongodb.Connect(ctx, uri, 10*time.Second)
	if err != nil {
		closeEngine()
		if cfg.Embedded() {
			return nil, nil, err
		}
		return nil, nil, fmt.Errorf("setting MONGODB_URI: %w", err)
	}
	closeAll := func() {
		dctx, cancel := context.WithTimeout(context.Background(), 5*time.Second)
		defer cancel()
		if err := client.Disconnect(dctx); err != nil {
			log.Warn("disconnecting from database", logging.Err(err))
		}
		closeEngine()
	}
	db := client.Database(cfg.Database)
	if err := mongodb.New(db).Migrate(ctx); err != nil {
		closeAll()
		return nil, nil, fmt.Errorf("prepare database: %w", err)
	}
	// The embedded engine's _id index goes on the collections Migrate
	// just made (app.New migrates again: it finds nothing to do).
	if engine != nil {
		if err := engine.IndexIDs(ctx, cfg.Database); err != nil {
			closeAll()
			return nil, nil, fmt.Errorf("prepare embedded engine: %w", err)
		}
	}
	return db, closeAll, nil
}

// runBackup writes a backup of the embedded engine's data directory, as
// the server running on it (or not) sees it, and prints one line.
func runBackup(ctx context.Context, cfg config.Config, file string, out io.Writer) error {
	if !cfg.Embedded() {
		return errors.New("backup: MONGODB_URI is set, and -backup copies only the embedded engine's data: back up MongoDB with mongodump (see \"Backup and restore\" in the README)")
	}
	res, err := backup.Create(ctx, cfg.DataDir, file)
	if err != nil {
		return fmt.Errorf("backup: %w", err)
	}
	note := ""
	if !res.Manifest.HasKey() && (cfg.JWTKeys != "" || cfg.JWTKeysFile != "") {
		note = " (the signing key is configured, not in the data directory: keep it with the backup)"
	}
	_, err = fmt.Fprintln(out, res.String()+note)
	return err
}

// runRestore restores a backup into the configured, empty, data directory
// and prints one line; the server is then started as usual.
func runRestore(ctx context.Context, cfg config.Config, file string, out io.Writer) error {
	if !cfg.Embedded() {
		return errors.New("restore: MONGODB_URI is set, and -restore fills only the embedded engine's data directory: restore MongoDB with mongorestore (see \"Backup and restore\" in the README)")
	}
	res, err := backup.Restore(ctx, file, cfg.DataDir)
	if err != nil {
		return fmt.Errorf("restore: %w", err)
	}
	_, err = fmt.Fprintln(out, res.String())
	return err
}

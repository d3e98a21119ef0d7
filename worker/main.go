// Command worker runs complytrack's scheduled jobs apart from the API, for
// deployments with several API replicas on a shared MongoDB: the daily
// compliance scan, managers' weekly digests, the monthly report and e-mail
// delivery. Several workers (and APIs with COMPLYTRACK_WORKER=on) may run at
// once: each scheduled run happens once, under a lease in the database.
//
// With -run NAME it runs that one job now and exits. With
// COMPLYTRACK_METRICS_ADDR it serves /metrics and its health checks
// (/healthz, /readyz) on that address, its only listener.
package main

import (
	"context"
	"encoding/json"
	"errors"
	"flag"
	"fmt"
	"io"
	"log/slog"
	"os"
	"os/signal"
	"syscall"
	"time"

	"github.com/complytrack/complytrack/pkg/app"
	"github.com/complytrack/complytrack/pkg/config"
	"github.com/complytrack/complytrack/pkg/logging"
	"github.com/complytrack/complytrack/pkg/metrics"
	"github.com/complytrack/complytrack/pkg/mongodb"
)

func main() {
	ctx, stop := signal.NotifyContext(context.Background(), os.Interrupt, syscall.SIGTERM)
	defer stop()
	if err := run(ctx, os.Args[1:], os.Environ(), os.Stdout); err != nil {
		fmt.Fprintln(os.Stderr, "complytrack worker:", err)
		os.Exit(1)
	}
}

func run(ctx context.Context, args, environ []string, logOut io.Writer) error {
	flags := flag.NewFlagSet("worker", flag.ContinueOnError)
	flags.SetOutput(io.Discard)
	once := flags.String("run", "", "run this job now and exit (compliance-scan, manager-digest, monthly-report, delivery)")
	if err := flags.Parse(args); err != nil {
		return fmt.Errorf("command line: %w (see the README)", err)
	}
	cfg, err := config.Load(environ)
	if err != nil {
		return err
	}
	if cfg.MongoURI == "" {
		return errors.New("setting MONGODB_URI: is required: the worker connects to the MongoDB the api uses (mongodb://host:27017/complytrack)")
	}
	var level slog.Level
	_ = level.UnmarshalText([]byte(cfg.LogLevel))
	// The one logger of the process, passed to every part: nothing logs
	// through slog's process-wide default.
	log := logging.New(slog.New(slog.NewJSONHandler(logOut, &slog.HandlerOptions{Level: level})))

	client, err := mongodb.Connect(ctx, cfg.MongoURI, 10*time.Second)
	if err != nil {
		return fmt.Errorf("setting MONGODB_URI: %w", err)
	}
	defer func() {
		dctx, cancel := context.WithTimeout(context.Background(), 5*time.Second)
		defer cancel()
		_ = client.Disconnect(dctx)
	}()
	a, err := app.New(ctx, cfg, client.Database(cfg.Database), log, app.Options{Worker: true})
	if err != nil {
		return err
	}

	if *once != "" {
		sum, err := a.Jobs.RunNow(ctx, *once)
		if err != nil {
			return fmt.Errorf("job %s: %w", *once, err)
		}
		out, _ := json.Marshal(sum)
		log.Info("job finished", "job", *once, "summary", json.RawMessage(out))
		return nil
	}

	if cfg.MetricsAddr != "" {
		stopMetrics, err := metrics.Serve(cfg.MetricsAddr, a.Metrics.Handler(), log, probes(a.Store, log)...)
		if err != nil {
			return err
		}
		defer func() { _ = stopMetrics(context.Background()) }()
	}
	go a.Follow(ctx)
	a.Jobs.Start()
	log.Info("worker started", "database", cfg.Database, "jobs", a.Jobs.Names())
	<-ctx.Done()
	log.Info("worker stopping")
	shutdownCtx, cancel := context.WithTimeout(context.Background(), cfg.ShutdownGrace)
	defer cancel()
	return a.Jobs.Shutdown(shutdownCtx)
}

// Command worker runs complytrack's scheduled jobs apart from the API, for
// deployments with several API replicas on a shared MongoDB. It needs
// MONGODB_URI: the embedded engine belongs to one api process.
package main

import (
	"context"
	"errors"
	"fmt"
	"io"
	"log/slog"
	"os"
	"os/signal"
	"syscall"
	"time"

	"github.com/complytrack/complytrack/pkg/config"
	"github.com/complytrack/complytrack/pkg/mongodb"
)

func main() {
	ctx, stop := signal.NotifyContext(context.Background(), os.Interrupt, syscall.SIGTERM)
	defer stop()
	if err := run(ctx, os.Environ(), os.Stdout); err != nil {
		fmt.Fprintln(os.Stderr, "complytrack worker:", err)
		os.Exit(1)
	}
}

func run(ctx context.Context, environ []string, logOut io.Writer) error {
	cfg, err := config.Load(environ)
	if err != nil {
		return err
	}
	if cfg.MongoURI == "" {
		return errors.New("setting MONGODB_URI: is required: the worker connects to the MongoDB the api uses (mongodb://host:27017/complytrack)")
	}
	var level slog.Level
	_ = level.UnmarshalText([]byte(cfg.LogLevel))
	log := slog.New(slog.NewJSONHandler(logOut, &slog.HandlerOptions{Level: level}))
	slog.SetDefault(log)

	client, err := mongodb.Connect(ctx, cfg.MongoURI, 10*time.Second)
	if err != nil {
		return fmt.Errorf("setting MONGODB_URI: %w", err)
	}
	defer func() {
		dctx, cancel := context.WithTimeout(context.Background(), 5*time.Second)
		defer cancel()
		_ = client.Disconnect(dctx)
	}()
	store := mongodb.New(client.Database(cfg.Database))
	if err := store.Migrate(ctx); err != nil {
		return fmt.Errorf("prepare database: %w", err)
	}
	log.Info("worker started", "database", cfg.Database)
	<-ctx.Done()
	log.Info("worker stopping")
	return nil
}

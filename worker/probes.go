package main

import (
	"context"
	"encoding/json"
	"log/slog"
	"net/http"
	"time"

	"github.com/complytrack/complytrack/pkg/logging"
	"github.com/complytrack/complytrack/pkg/metrics"
	"github.com/complytrack/complytrack/pkg/problem"
)

// pinger is the database, as far as the readiness check needs it.
type pinger interface {
	Ping(ctx context.Context) error
}

// readyTimeout bounds the readiness check's ping, as the api's does.
const readyTimeout = 2 * time.Second

// probes are the worker's health checks, served beside /metrics (it has no
// other listener), answering as the api's do: /healthz while the process
// is up, whatever the database does, so an outage of the database
// restarts nothing; /readyz only while the database answers a ping in
// time, asked afresh on every call.
func probes(db pinger, log *slog.Logger) []metrics.Route {
	return []metrics.Route{
		{Path: "/healthz", Handler: http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
			writeJSON(w, http.StatusOK, "application/json", map[string]string{"status": "ok"})
		})},
		{Path: "/readyz", Handler: http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
			ctx, cancel := context.WithTimeout(r.Context(), readyTimeout)
			defer cancel()
			if err := db.Ping(ctx); err != nil {
				log.WarnContext(ctx, "readiness check failed", logging.Err(err))
				writeJSON(w, http.StatusServiceUnavailable, "application/problem+json", map[string]any{
					"type": "about:blank", "title": http.StatusText(http.StatusServiceUnavailable),
					"status": http.StatusServiceUnavailable, "detail": problem.UnavailableMessage,
				})
				return
			}
			writeJSON(w, http.StatusOK, "application/json", map[string]string{"status": "ready"})
		})},
	}
}

func writeJSON(w http.ResponseWriter, status int, contentType string, body any) {
	w.Header().Set("Content-Type", contentType)
	w.Header().Set("Cache-Control", "no-store")
	w.WriteHeader(status)
	_ = json.NewEncoder(w).Encode(body)
}

// Package metrics keeps complytrack's Prometheus metrics in one registry of
// its own (never the process-wide default, so every App and test has its
// own), and serves them at /metrics in the Prometheus text format.
package metrics

import (
	"context"
	"errors"
	"fmt"
	"log/slog"
	"net"
	"net/http"
	"strconv"
	"time"

	"github.com/gin-gonic/gin"
	"github.com/prometheus/client_golang/prometheus"
	"github.com/prometheus/client_golang/prometheus/collectors"
	"github.com/prometheus/client_golang/prometheus/promhttp"

	"github.com/complytrack/complytrack/pkg/notify"
	"github.com/complytrack/complytrack/pkg/training"
)

// Path is where the metrics are served.
const Path = "/metrics"

// unmatched is the route label of requests no route matched: the raw
// address would give every probe of a scanner a series of its own.
const unmatched = "unmatched"

var knownMethods = map[string]bool{
	http.MethodGet: true, http.MethodHead: true, http.MethodPost: true, http.MethodPut: true,
	http.MethodPatch: true, http.MethodDelete: true, http.MethodOptions: true,
}

// scrapeTimeout bounds the database reads one scrape makes.
const scrapeTimeout = 5 * time.Second

// Metrics holds complytrack's metrics and the registry they are in.
type Metrics struct {
	reg *prometheus.Registry

	requests    *prometheus.CounterVec
	latency     *prometheus.HistogramVec
	jobRuns     *prometheus.CounterVec
	jobFailures *prometheus.CounterVec
	jobDuration *prometheus.HistogramVec
	emails      *prometheus.CounterVec
	course      *prometheus.GaugeVec
	scannedAt   prometheus.Gauge
}

// New returns the metrics in a new registry, with the Go runtime and
// process collectors.
func New() *Metrics {
	m := &Metrics{
		reg: prometheus.NewRegistry(),
		requests: prometheus.NewCounterVec(prometheus.CounterOpts{
			Name: "complytrack_http_requests_total",
			Help: "HTTP requests answered, by route pattern, method and status code.",
		}, []string{"route", "method", "status"}),
		latency: prometheus.NewHistogramVec(prometheus.HistogramOpts{
			Name:    "complytrack_http_request_duration_seconds",
			Help:    "How long HTTP requests took to answer, by route pattern and method.",
			Buckets: []float64{.005, .01, .025, .05, .1, .25, .5, 1, 2.5, 5, 10, 30},
		}, []string{"route", "method"}),
		jobRuns: prometheus.NewCounterVec(prometheus.CounterOpts{
			Name: "complytrack_job_runs_total",
			Help: "Runs of each scheduled job this process made (scheduled or on demand), finished or failed.",
		}, []string{"job"}),
		jobFailures: prometheus.NewCounterVec(prometheus.CounterOpts{
			Name: "complytrack_job_failures_total",
			Help: "Runs of each scheduled job that failed, panicked or lost their lease.",
		}, []string{"job"}),
		jobDuration: prometheus.NewHistogramVec(prometheus.HistogramOpts{
			Name:    "complytrack_job_duration_seconds",
			Help:    "How long each job's runs took, finished or failed.",
			Buckets: []float64{.01, .05, .1, .5, 1, 5, 15, 30, 60, 120, 300, 600},
		}, []string{"job"}),
		emails: prometheus.NewCounterVec(prometheus.CounterOpts{
			Name: "complytrack_emails_total",
			Help: "Attempts to hand an e-mail to the mail server, by result: sent, refused_temporary (tried again later) or refused_permanent.",
		}, []string{"result"}),
		course: prometheus.NewGaugeVec(prometheus.GaugeOpts{
			Name: "complytrack_course_people",
			Help: "People per course at the last compliance scan, by status: applicable (must or may hold it), compliant (hold it now, expiring included), overdue, expired, due, exempt.",
		}, []string{"course", "status"}),
		scannedAt: prometheus.NewGauge(prometheus.GaugeOpts{
			Name: "complytrack_compliance_scan_timestamp_seconds",
			Help: "When the per-course figures were last refreshed by a compliance scan (Unix time).",
		}),
	}
	m.reg.MustRegister(
		collectors.NewGoCollector(),
		collectors.NewProcessCollector(collectors.ProcessCollectorOpts{}),
		m.requests, m.latency, m.jobRuns, m.jobFailures, m.jobDuration, m.emails, m.course, m.scannedAt,
	)
	// Every result from the start, so a rate over them works before the
	// first refusal.
	for _, r := range []string{"sent", "refused_temporary", "refused_permanent"} {
		m.emails.WithLabelValues(r)
	}
	return m
}

// Registry is where the metrics are registered, for more collectors.
func (m *Metrics) Registry() *prometheus.Registry { return m.reg }

// Handler serves the metrics in the Prometheus text format.
func (m *Metrics) Handler() http.Handler {
	return promhttp.HandlerFor(m.reg, promhttp.HandlerOpts{Registry: m.reg})
}

// Gin counts every request and its latency by the route pattern that
// matched it (gin's FullPath: /api/v1/people/:id, never the address asked
// for, so the number of series stays bounded).
func (m *Metrics) Gin() gin.HandlerFunc {
	return func(c *gin.Context) {
		start := time.Now()
		c.Next()
		route := c.FullPath()
		if route == "" {
			route = unmatched
		}
		method := c.Request.Method
		if !knownMethods[method] {
			// A client may send any word as the method.
			method = "other"
		}
		m.requests.WithLabelValues(route, method, strconv.Itoa(c.Writer.Status())).Inc()
		m.latency.WithLabelValues(route, method).Observe(time.Since(start).Seconds())
	}
}

// JobRun records one run of job that took took; failed when it did not
// finish.
func (m *Metrics) JobRun(job string, took time.Duration, failed bool) {
	m.jobRuns.WithLabelValues(job).Inc()
	// Touched either way, so a job that never failed shows 0, not nothing.
	failures := m.jobFailures.WithLabelValues(job)
	if failed {
		failures.Inc()
	}
	m.jobDuration.WithLabelValues(job).Observe(took.Seconds())
}

// Sender wraps s so that each attempt's result is counted; nil stays nil
// (no mail server: nothing is sent).
func (m *Metrics) Sender(s notify.Sender) notify.Sender {
	if s == nil {
		return nil
	}
	return countingSender{s, m}
}

type countingSender struct {
	notify.Sender
	m *Metrics
}

func (c countingSender) Send(ctx context.Context, msg notify.Message) error {
	err := c.Sender.Send(ctx, msg)
	switch {
	case err == nil:
		c.m.emails.WithLabelValues("sent").Inc()
	case notify.IsPermanent(err):
		c.m.emails.WithLabelValues("refused_permanent").Inc()
	default:
		c.m.emails.WithLabelValues("refused_temporary").Inc()
	}
	return err
}

// Scanned sets the per-course figures from a compliance scan's own tally,
// keyed by course code. Courses the scan no longer reports (deleted) are
// dropped.
func (m *Metrics) Scanned(at time.Time, byCourse map[string]training.Tally) {
	m.course.Reset()
	for code, t := range byCourse {
		for status, n := range map[string]int{
			"applicable": t.Applicable, "compliant": t.UpToDate(), "overdue": t.Overdue,
			"expired": t.Expired, "due": t.Due, "exempt": t.Exempt,
		} {
			m.course.WithLabelValues(code, status).Set(float64(n))
		}
	}
	m.scannedAt.Set(float64(at.Unix()))
}

// OutboxSource reports the e-mails waiting to be sent and when the
// longest-waiting was queued (zero when none wait), in one read.
type OutboxSource func(ctx context.Context) (waiting int, oldest time.Time, err error)

// LagSource reports how many change-log entries the read model has still
// to apply.
type LagSource func(ctx context.Context) (int64, error)

// WatchOutbox adds the outbox gauges, read from src at each scrape; now is
// the clock the age is measured by.
func (m *Metrics) WatchOutbox(src OutboxSource, now func() time.Time) {
	m.reg.MustRegister(&scrapeCollector{
		descs: []*prometheus.Desc{outboxWaiting, outboxOldest, scrapeErrorsDesc("outbox")},
		collect: func(ctx context.Context, ch chan<- prometheus.Metric) error {
			n, oldest, err := src(ctx)
			if err != nil {
				return err
			}
			age := 0.0
			if n > 0 && !oldest.IsZero() {
				age = max(now().Sub(oldest).Seconds(), 0)
			}
			ch <- prometheus.MustNewConstMetric(outboxWaiting, prometheus.GaugeValue, float64(n))
			ch <- prometheus.MustNewConstMetric(outboxOldest, prometheus.GaugeValue, age)
			return nil
		},
	})
}

// WatchReadModel adds the read model's lag, read from src at each scrape.
func (m *Metrics) WatchReadModel(src LagSource) {
	m.reg.MustRegister(&scrapeCollector{
		descs: []*prometheus.Desc{readModelLag, scrapeErrorsDesc("readmodel")},
		collect: func(ctx context.Context, ch chan<- prometheus.Metric) error {
			n, err := src(ctx)
			if err != nil {
				return err
			}
			ch <- prometheus.MustNewConstMetric(readModelLag, prometheus.GaugeValue, float64(max(n, 0)))
			return nil
		},
	})
}

var (
	outboxWaiting = prometheus.NewDesc("complytrack_outbox_waiting_messages",
		"E-mails queued in the outbox and not yet sent (or refused for good).", nil, nil)
	outboxOldest = prometheus.NewDesc("complytrack_outbox_oldest_waiting_seconds",
		"How long the longest-waiting queued e-mail has waited; 0 when none wait.", nil, nil)
	readModelLag = prometheus.NewDesc("complytrack_readmodel_lag_entries",
		"Change-log entries (every process's writes) that this process's in-memory organisation has not applied yet.", nil, nil)
)

func scrapeErrorsDesc(what string) *prometheus.Desc {
	return prometheus.NewDesc("complytrack_"+what+"_scrape_error",
		"1 when the last scrape could not read the "+what+" figures (they are then left out), else 0.", nil, nil)
}

// scrapeCollector reads its figures from the database when scraped. A
// failed read leaves the figures out and sets its error gauge, rather than
// failing the whole scrape: the other metrics say most about an outage.
type scrapeCollector struct {
	descs   []*prometheus.Desc // the last is the error gauge
	collect func(ctx context.Context, ch chan<- prometheus.Metric) error
}

func (s *scrapeCollector) Describe(ch chan<- *prometheus.Desc) {
	for _, d := range s.descs {
		ch <- d
	}
}

func (s *scrapeCollector) Collect(ch chan<- prometheus.Metric) {
	ctx, cancel := context.WithTimeout(context.Background(), scrapeTimeout)
	defer cancel()
	failed := 0.0
	if err := s.collect(ctx, ch); err != nil {
		failed = 1
	}
	ch <- prometheus.MustNewConstMetric(s.descs[len(s.descs)-1], prometheus.GaugeValue, failed)
}

// Route is one more address served beside the metrics: the worker, which
// has no other listener, answers its health checks there.
type Route struct {
	Path    string
	Handler http.Handler
}

// Serve serves the metrics on addr, with the extra routes and nothing
// else, for COMPLYTRACK_METRICS_ADDR: an address the public cannot reach.
// It returns once it listens; the returned func shuts the server down.
func Serve(addr string, h http.Handler, log *slog.Logger, extra ...Route) (stop func(context.Context) error, err error) {
	ln, err := net.Listen("tcp", addr)
	if err != nil {
		return nil, fmt.Errorf("setting COMPLYTRACK_METRICS_ADDR: cannot listen on %s: %w", addr, err)
	}
	mux := http.NewServeMux()
	mux.Handle("GET "+Path, h)
	for _, r := range extra {
		mux.Handle("GET "+r.Path, r.Handler)
	}
	srv := &http.Server{Handler: mux, ReadHeaderTimeout: 10 * time.Second, ErrorLog: slog.NewLogLogger(log.Handler(), slog.LevelWarn)}
	go func() {
		if err := srv.Serve(ln); err != nil && !errors.Is(err, http.ErrServerClosed) {
			log.Error("metrics server stopped", "err", err.Error())
		}
	}()
	log.Info("metrics listening", "addr", ln.Addr().String())
	return srv.Shutdown, nil
}

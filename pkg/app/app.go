// Package app assembles complytrack from its parts: the store, the domain
// service, accounts, the outbox and the HTTP router. The api command and the
// end-to-end tests build it the same way.
package app

import (
	"context"
	"errors"
	"fmt"
	"log/slog"
	"os"
	"path/filepath"
	"time"

	"github.com/gin-gonic/gin"
	"github.com/jonboulle/clockwork"
	"go.mongodb.org/mongo-driver/v2/mongo"

	"github.com/complytrack/complytrack/pkg/accounts"
	"github.com/complytrack/complytrack/pkg/auth"
	"github.com/complytrack/complytrack/pkg/chasing"
	"github.com/complytrack/complytrack/pkg/compliance"
	"github.com/complytrack/complytrack/pkg/config"
	"github.com/complytrack/complytrack/pkg/httpapi"
	"github.com/complytrack/complytrack/pkg/jobs"
	"github.com/complytrack/complytrack/pkg/logging"
	"github.com/complytrack/complytrack/pkg/metrics"
	"github.com/complytrack/complytrack/pkg/mongodb"
	"github.com/complytrack/complytrack/pkg/notify"
	"github.com/complytrack/complytrack/pkg/readmodel"
	"github.com/complytrack/complytrack/pkg/sessions"
	"github.com/complytrack/complytrack/pkg/training"
	"github.com/complytrack/complytrack/pkg/web"
)

// TokenAudience is the "aud" of every access token: this API.
const TokenAudience = "complytrack-api"

// App is everything the process serves with, built once at start-up.
type App struct {
	Store *mongodb.Store
	// Model is the organisation in memory, kept current through the
	// change log; Follow keeps it current in the background.
	Model    *readmodel.Model
	Training *compliance.Service
	// Sessions runs face-to-face sessions and their bookings.
	Sessions *sessions.Service
	// Chasing sends and records the reminders managers and HR send by hand.
	Chasing  *chasing.Service
	Accounts *accounts.Service // nil in a worker
	Outbox   *notify.Outbox
	Keys     *auth.KeySet // nil in a worker
	// SSO is sign-in with the organisation's identity provider; nil when
	// it is not set up, and in a worker.
	SSO *web.SSO
	// Jobs runs the scheduled jobs; the caller starts it (COMPLYTRACK_WORKER)
	// and shuts it down. Built in every process, so on-demand runs work
	// from any API replica.
	Jobs *jobs.Scheduler
	// Metrics are served at /metrics: by Router, or on their own address
	// (COMPLYTRACK_METRICS_ADDR) by the api and worker commands.
	Metrics *metrics.Metrics
	cfg     config.Config
	log     *slog.Logger
}

// Options replace parts for tests; the zero value is production's.
type Options struct {
	Now          func() time.Time
	HasherParams auth.Params // zero: auth.DefaultParams
	Limiter      *auth.Limiter
	// Worker builds only what the scheduled jobs need: no signing keys, no
	// accounts, no first HR account (the API makes it).
	Worker bool
	// Clock drives the job scheduler; default the real clock.
	Clock clockwork.Clock
}

// New builds the application on db, whose collections it brings up to date
// first, and creates the first HR account when there is none.
func New(ctx context.Context, cfg config.Config, db *mongo.Database, log *slog.Logger, o Options) (*App, error) {
	if o.Now == nil {
		o.Now = time.Now
	}
	// Every part logs through this one logger, whose lines name the
	// request they were logged for (see pkg/logging).
	log = logging.New(log)
	if o.HasherParams == (auth.Params{}) {
		o.HasherParams = auth.DefaultParams
	}
	store := mongodb.New(db).WithClock(o.Now)
	if o.Limiter == nil {
		// Failure counts live in the database, shared by every replica.
		o.Limiter = auth.NewLimiter(store, o.Now)
	}
	if err := store.Migrate(ctx); err != nil {
		return nil, fmt.Errorf("prepare database: %w", err)
	}
	model := readmodel.New(store, readmodel.Options{Logger: log, Now: o.Now})
	if err := model.Load(ctx); err != nil {
		return nil, err
	}
	svc := compliance.NewService(model, compliance.Options{Location: cfg.Location, Logger: log, Now: o.Now})
	if err := svc.EnsureDefaultCourse(ctx); err != nil {
		return nil, fmt.Errorf("default course: %w", err)
	}
	outbox := notify.NewOutbox(store).WithClock(o.Now)
	sess := newSessions(cfg, store, svc, outbox, log, o)
	met := newMetrics(store, model, o.Now)
	sched, err := newScheduler(cfg, store, svc, sess, outbox, met, log, o)
	if err != nil {
		return nil, err
	}
	a := &App{Store: store, Model: model, Training: svc, Sessions: sess, Outbox: outbox, Jobs: sched, Metrics: met, cfg: cfg, log: log}
	a.Chasing = chasing.New(svc, store.Reminders(), outbox, chasing.Options{Now: o.Now, Location: cfg.Location, PublicURL: cfg.PublicURL, Logger: log})
	if o.Worker {
		return a, nil
	}

	keys, err := loadKeys(cfg)
	if err != nil {
		return nil, err
	}
	hasher, err := auth.NewHasher(o.HasherParams, 0)
	if err != nil {
		return nil, err
	}
	tokens, err := auth.NewAccessTokens(keys, auth.AccessTokenConfig{Issuer: cfg.PublicURL, Audience: TokenAudience, Now: o.Now})
	if err != nil {
		return nil, err
	}
	acct := accounts.New(store, svc, outbox, hasher, tokens, o.Limiter, accounts.Config{
		RefreshTTL: cfg.RefreshTTL, PublicURL: cfg.PublicURL, Logger: log, Now: o.Now,
		PasswordsOff: cfg.OIDC.Enabled() && !cfg.OIDC.Passwords,
	})
	if a.SSO, err = newSSO(cfg, acct, store); err != nil {
		return nil, err
	}

	generated, created, err := acct.EnsureAdmin(ctx, cfg.AdminEmail, cfg.AdminPassword)
	if err != nil {
		return nil, err
	}
	switch {
	case generated != "":
		// Printed once, now: it is stored only as an argon2id hash.
		log.Warn("first HR account created: sign in and change this password", "email", cfg.AdminEmail, "password", generated)
	case created:
		log.Info("first HR account created", "email", cfg.AdminEmail)
	}
	a.Accounts, a.Keys = acct, keys
	return a, nil
}

// newScheduler builds the scheduled jobs: the compliance scan, digests,
// the monthly report and outbox delivery (over SMTP when configured).
func newScheduler(cfg config.Config, store *mongodb.Store, svc *compliance.Service, sess *sessions.Service, outbox *notify.Outbox, met *metrics.Metrics, log *slog.Logger, o Options) (*jobs.Scheduler, error) {
	var sender notify.Sender
	if cfg.SMTPURL != "" {
		sc, err := notify.ParseSMTPURL(cfg.SMTPURL)
		if err != nil {
			return nil, fmt.Errorf("setting COMPLYTRACK_SMTP_URL: %w", err)
		}
		s, err := notify.NewSMTPSender(sc, cfg.MailFrom)
		if err != nil {
			return nil, fmt.Errorf("setting COMPLYTRACK_MAIL_FROM: %w", err)
		}
		sender = s
	}
	deliverer := notify.NewDeliverer(store, met.Sender(sender), notify.DeliveryConfig{Now: o.Now, Logger: log})
	recipients := jobs.HRRecipients{Roles: store, People: svc, Logger: log}
	catalog := jobs.Catalog(jobs.Deps{
		Training: svc, Mail: outbox, Recipients: recipients, Officers: recipients, Deliverer: deliverer,
		PublicURL: cfg.PublicURL, ReportTo: cfg.ReportTo, Logger: log, Sessions: sess, Partners: sess,
		Scanned: func(res training.ScanResult) { met.Scanned(o.Now(), res.ByCourse) },
	})
	sched, err := jobs.New(store, jobs.Config{
		Location: cfg.Location, Schedules: cfg.Schedules, Logger: log, Clock: o.Clock,
		LeaseTTL: cfg.JobLease, RenewEvery: cfg.JobLease / 4,
		OnEvent: func(e jobs.Event) {
			if e.Kind == jobs.EventFinished || e.Kind == jobs.EventFailed {
				met.JobRun(e.Job, e.Took, e.Kind == jobs.EventFailed)
			}
		},
	}, catalog...)
	if err != nil {
		return nil, fmt.Errorf("scheduled jobs: %w", err)
	}
	return sched, nil
}

// Follow keeps the organisation in memory current until ctx ends: it
// applies other processes' changes as they are committed, so requests
// seldom have any to apply, and loads everything again after a bulk
// change. The api and worker commands run it for the process's life.
func (a *App) Follow(ctx context.Context) { a.Model.Run(ctx) }

// Router returns the HTTP handler serving the API and the web pages.
func (a *App) Router() *gin.Engine {
	var scan string
	if a.Jobs != nil {
		scan, _ = a.Jobs.Schedule(jobs.JobComplianceScan)
	}
	pages := web.New(web.Deps{
		Logger: a.log, Training: a.Training, Accounts: a.Accounts, Outbox: a.Outbox, PublicURL: a.cfg.PublicURL, RefreshTTL: a.cfg.RefreshTTL,
		ScanSchedule: scan, HeldImports: a.Store, ImportMappings: a.importMappings(), Organisation: a.cfg.OrgName, Phase: a.cfg.Phase, SitePages: a.Store,
		Sessions: a.Sessions, Roles: a.Store, Chasing: a.Chasing, Added: a.Store,
		SSO: a.SSO,
	})
	r := httpapi.New(httpapi.Deps{
		Logger: a.log, DB: a.Store, Training: a.Training, Accounts: a.Accounts, Keys: a.Keys, Outbox: a.Outbox, Jobs: a.Jobs,
		Sessions:       a.Sessions,
		ImportMappings: a.importMappings(),
		TrustedProxies: a.cfg.TrustedProxy, Pages: pages.Mount, PageNotFound: pages.NotFound,
		RequestContext: readmodel.WithRequest,
		Metrics:        a.Metrics.Gin(),
	})
	if a.cfg.MetricsAddr == "" {
		r.GET(metrics.Path, gin.WrapH(a.Metrics.Handler()))
	}
	return r
}

// newMetrics builds the metrics with the collectors that read the store
// when scraped: the outbox's queue and the read model's lag.
func newMetrics(store *mongodb.Store, model *readmodel.Model, now func() time.Time) *metrics.Metrics {
	m := metrics.New()
	m.WatchOutbox(store.OutboxWaiting, now)
	m.WatchReadModel(model.Lag)
	return m
}

// loadKeys reads the token-signing keys from configuration or, embedded,
// from a key file in the data directory that is made on first start.
func loadKeys(cfg config.Config) (*auth.KeySet, error) {
	switch {
	case cfg.JWTKeys != "":
		ks, err := auth.ParseKeySetPEM([]byte(cfg.JWTKeys))
		if err != nil {
			return nil, fmt.Errorf("setting COMPLYTRACK_JWT_KEYS: %w", err)
		}
		return ks, nil
	case cfg.JWTKeysFile != "":
		ks, err := auth.LoadKeyFile(cfg.JWTKeysFile)
		if err != nil {
			return nil, fmt.Errorf("setting COMPLYTRACK_JWT_KEYS_FILE: %w", err)
		}
		return ks, nil
	case cfg.Embedded():
		if err := os.MkdirAll(cfg.DataDir, 0o700); err != nil {
			return nil, fmt.Errorf("setting COMPLYTRACK_DATA_DIR: %w", err)
		}
		ks, err := auth.LoadOrCreateKeyFile(filepath.Join(cfg.DataDir, config.DataKeyFile))
		if err != nil {
			return nil, fmt.Errorf("setting COMPLYTRACK_DATA_DIR: signing key: %w", err)
		}
		return ks, nil
	default:
		return nil, errors.New("setting COMPLYTRACK_JWT_KEYS_FILE: is required with MONGODB_URI, so every replica signs with the same key (make one with: go run ./api -genkey > jwt.pem)")
	}
}

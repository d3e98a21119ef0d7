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
	"go.mongodb.org/mongo-driver/v2/mongo"

	"github.com/complytrack/complytrack/pkg/accounts"
	"github.com/complytrack/complytrack/pkg/auth"
	"github.com/complytrack/complytrack/pkg/config"
	"github.com/complytrack/complytrack/pkg/httpapi"
	"github.com/complytrack/complytrack/pkg/mongodb"
	"github.com/complytrack/complytrack/pkg/notify"
	"github.com/complytrack/complytrack/pkg/training"
)

// TokenAudience is the "aud" of every access token: this API.
const TokenAudience = "complytrack-api"

// App is everything the process serves with, built once at start-up.
type App struct {
	Store    *mongodb.Store
	Training *training.Service
	Accounts *accounts.Service
	Outbox   *notify.Outbox
	Keys     *auth.KeySet
	cfg      config.Config
	log      *slog.Logger
}

// Options replace parts for tests; the zero value is production's.
type Options struct {
	Now          func() time.Time
	HasherParams auth.Params // zero: auth.DefaultParams
	Limiter      *auth.Limiter
}

// New builds the application on db, whose collections it brings up to date
// first, and creates the first HR account when there is none.
func New(ctx context.Context, cfg config.Config, db *mongo.Database, log *slog.Logger, o Options) (*App, error) {
	if o.Now == nil {
		o.Now = time.Now
	}
	if o.HasherParams == (auth.Params{}) {
		o.HasherParams = auth.DefaultParams
	}
	if o.Limiter == nil {
		o.Limiter = auth.NewLimiter(auth.LimiterConfig{Now: o.Now})
	}
	store := mongodb.New(db).WithClock(o.Now)
	if err := store.Migrate(ctx); err != nil {
		return nil, fmt.Errorf("prepare database: %w", err)
	}
	if err := store.PruneStamps(ctx, 30*24*time.Hour); err != nil {
		return nil, err
	}
	svc := training.NewService(store, training.Options{Location: cfg.Location, Logger: log, Now: o.Now})
	if err := svc.Refresh(ctx); err != nil {
		return nil, fmt.Errorf("load organisation: %w", err)
	}
	if err := svc.EnsureDefaultCourse(ctx); err != nil {
		return nil, fmt.Errorf("default course: %w", err)
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
	outbox := notify.NewOutbox(store)
	acct := accounts.New(store, svc, outbox, hasher, tokens, o.Limiter, accounts.Config{
		RefreshTTL: cfg.RefreshTTL, PublicURL: cfg.PublicURL, Logger: log, Now: o.Now,
	})

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
	return &App{Store: store, Training: svc, Accounts: acct, Outbox: outbox, Keys: keys, cfg: cfg, log: log}, nil
}

// Router returns the HTTP handler serving the API.
func (a *App) Router() *gin.Engine {
	return httpapi.New(httpapi.Deps{
		Logger: a.log, DB: a.Store, Training: a.Training, Accounts: a.Accounts, Keys: a.Keys, Outbox: a.Outbox,
		TrustedProxies: a.cfg.TrustedProxy,
	})
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
		ks, err := auth.LoadOrCreateKeyFile(filepath.Join(cfg.DataDir, "jwt-signing-key.pem"))
		if err != nil {
			return nil, fmt.Errorf("setting COMPLYTRACK_DATA_DIR: signing key: %w", err)
		}
		return ks, nil
	default:
		return nil, errors.New("setting COMPLYTRACK_JWT_KEYS_FILE: is required with MONGODB_URI, so every replica signs with the same key (make one with: go run ./api -genkey > jwt.pem)")
	}
}

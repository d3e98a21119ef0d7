// Package httpapi is complytrack's HTTP API: the Gin router, its
// middleware, and thin handlers that bind requests, call the domain services
// and shape responses. Errors are answered in one place (fail) as RFC 9457
// problem details.
package httpapi

import (
	"context"
	"log/slog"
	"net/http"
	"slices"
	"strings"
	"time"

	"github.com/gin-gonic/gin"

	"github.com/complytrack/complytrack/pkg/accounts"
	"github.com/complytrack/complytrack/pkg/auth"
	"github.com/complytrack/complytrack/pkg/jobs"
	"github.com/complytrack/complytrack/pkg/notify"
	"github.com/complytrack/complytrack/pkg/training"
)

// Pinger reports whether the database answers.
type Pinger interface {
	Ping(ctx context.Context) error
}

// Deps is what the router needs from the rest of the program.
type Deps struct {
	Logger   *slog.Logger
	DB       Pinger
	Training *training.Service
	Accounts *accounts.Service
	Keys     *auth.KeySet
	Outbox   *notify.Outbox
	Jobs     *jobs.Scheduler
	// TrustedProxies are the addresses or CIDRs of reverse proxies whose
	// X-Forwarded-For is believed; empty: none (the peer address counts).
	TrustedProxies []string
	// Pages mounts the web pages (pkg/web) on the same engine, after the
	// API's routes; nil: the API alone.
	Pages func(r *gin.Engine)
	// PageNotFound answers an unknown address outside the API with an HTML
	// page; nil: problem+json everywhere. API addresses (IsAPIPath) always
	// get problem+json, since their callers are programs.
	PageNotFound gin.HandlerFunc
}

type handlers struct{ d Deps }

// MaxJSONBody bounds every JSON request body.
const MaxJSONBody = 1 << 20

// New returns the complete router.
func New(d Deps) *gin.Engine {
	h := &handlers{d: d}
	r := gin.New()
	// An empty list means the client address is the connection's peer:
	// a forged X-Forwarded-For cannot dodge the sign-in limits.
	if err := r.SetTrustedProxies(d.TrustedProxies); err != nil {
		panic(err) // config validated the list already
	}
	r.HandleMethodNotAllowed = true
	r.ContextWithFallback = true
	// Gin would answer /api/v1/me/ with an HTML redirect; an API caller
	// gets a problem+json 404 instead (NoRoute redirects page addresses
	// itself).
	r.RedirectTrailingSlash = false
	r.RedirectFixedPath = false
	r.Use(recoverer(d.Logger), requestLog(d.Logger), securityHeaders(), staticMethods(), finishWrites(WriteTimeout))

	r.GET("/healthz", func(c *gin.Context) {
		c.JSON(http.StatusOK, gin.H{"status": "ok"})
	})
	r.GET("/readyz", func(c *gin.Context) {
		ctx, cancel := context.WithTimeout(c.Request.Context(), 2*time.Second)
		defer cancel()
		if err := d.DB.Ping(ctx); err != nil {
			d.Logger.WarnContext(ctx, "readiness check failed", "err", err)
			writeProblem(c, Problem{Status: http.StatusServiceUnavailable, Detail: "The database is not reachable."})
			return
		}
		c.JSON(http.StatusOK, gin.H{"status": "ready"})
	})

	r.GET("/.well-known/jwks.json", h.jwks)
	r.GET("/openapi.json", h.openapi)

	v1 := r.Group("/api/v1", noStore)
	v1.POST("/auth/login", h.login)
	v1.POST("/auth/refresh", h.refresh)
	v1.POST("/auth/logout", h.logout)
	v1.POST("/auth/accept-invite", h.acceptInvite)

	in := v1.Group("", h.authenticate, checkQuery())
	in.GET("/me", h.me)
	in.POST("/me/password", h.changePassword)
	in.GET("/me/training", h.myTraining)
	in.POST("/me/completions", h.selfCertify)

	in.GET("/people", h.listPeople)
	in.POST("/people", h.createPerson)
	in.POST("/people/import", h.importPeople)
	in.GET("/people/:id", h.getPerson)
	in.PATCH("/people/:id", h.patchPerson)
	in.POST("/people/:id/invite", h.invite)
	in.PUT("/people/:id/roles", h.setRoles)
	in.GET("/people/:id/training", h.personTraining)
	in.GET("/people/:id/completions", h.listCompletions)
	in.POST("/people/:id/completions", h.recordCompletion)
	in.GET("/people/:id/exemptions", h.listExemptions)
	in.POST("/people/:id/exemptions", h.grantExemption)

	in.GET("/courses", h.listCourses)
	in.POST("/courses", h.createCourse)
	in.GET("/courses/:code", h.getCourse)
	in.PATCH("/courses/:code", h.patchCourse)

	in.GET("/completions/:id/certificate", h.certificate)
	in.POST("/completions/:id/verify", h.verify)
	in.POST("/completions/:id/reject", h.reject)
	in.POST("/completions/:id/revoke", h.revoke)
	in.DELETE("/exemptions/:id", h.removeExemption)

	in.GET("/team", h.team)
	in.GET("/flags", h.listFlags)
	in.GET("/reports/compliance", h.complianceReport)
	in.GET("/outbox", h.listOutbox)
	in.GET("/audit", h.listAudit)
	in.POST("/jobs/:name/run", h.runJob)

	if d.Pages != nil {
		d.Pages(r)
	}

	r.NoRoute(func(c *gin.Context) {
		if d.PageNotFound != nil && !IsAPIPath(c.Request.URL.Path) {
			if redirectPageSlash(c, r) {
				return
			}
			d.PageNotFound(c)
			return
		}
		writeProblem(c, Problem{Status: http.StatusNotFound, Detail: "There is nothing at this address."})
	})
	r.NoMethod(func(c *gin.Context) {
		writeProblem(c, Problem{Status: http.StatusMethodNotAllowed, Detail: "This address does not accept that method."})
	})
	return r
}

// IsAPIPath reports whether path belongs to the JSON API (or the health and
// discovery documents beside it) rather than to the web pages.
func IsAPIPath(path string) bool {
	for _, prefix := range []string{"/api/", "/.well-known/"} {
		if strings.HasPrefix(path, prefix) {
			return true
		}
	}
	switch strings.TrimRight(path, "/") {
	case "/api", "/openapi.json", "/healthz", "/readyz":
		return true
	}
	return false
}

// recoverer turns a panic into a logged 500, never a stack trace to the client.
func recoverer(log *slog.Logger) gin.HandlerFunc {
	return func(c *gin.Context) {
		defer func() {
			if v := recover(); v != nil {
				if v == http.ErrAbortHandler {
					panic(v)
				}
				log.ErrorContext(c.Request.Context(), "panic in handler", "path", c.FullPath(), "panic", v)
				writeProblem(c, Problem{Status: http.StatusInternalServerError, Detail: "Something went wrong on our side. It has been logged."})
			}
		}()
		c.Next()
	}
}

// requestLog writes one JSON line per request. Query strings are left out:
// they may hold search terms naming people.
func requestLog(log *slog.Logger) gin.HandlerFunc {
	return func(c *gin.Context) {
		client := c.Request.Context() // the client's: finishWrites replaces it for writes
		start := time.Now()
		c.Next()
		route := c.FullPath()
		if route == "" {
			route = "unmatched"
		}
		attrs := append([]slog.Attr{slog.String("method", c.Request.Method), slog.String("route", route)},
			statusAttrs(client, c.Writer.Status())...)
		log.LogAttrs(c.Request.Context(), slog.LevelInfo, "request", append(attrs, slog.Duration("duration", time.Since(start)))...)
	}
}

// noStore keeps API answers out of browser and proxy caches: they are
// personal records, or tokens, read with credentials.
func noStore(c *gin.Context) {
	c.Header("Cache-Control", "no-store")
	c.Next()
}

// staticMethods answers 405 for an address the API serves under another
// method when a parameterised route would otherwise take it: GET
// /api/v1/people/import is not the person "import".
func staticMethods() gin.HandlerFunc {
	allowed := map[string][]string{}
	for _, op := range operations {
		if !strings.Contains(op.Path, "{") {
			allowed[op.Path] = append(allowed[op.Path], op.Method)
		}
	}
	return func(c *gin.Context) {
		methods, ok := allowed[c.Request.URL.Path]
		if !ok || c.FullPath() == c.Request.URL.Path || slices.Contains(methods, c.Request.Method) {
			c.Next()
			return
		}
		c.Header("Allow", strings.Join(methods, ", "))
		writeProblem(c, Problem{Status: http.StatusMethodNotAllowed, Detail: "This address does not accept that method."})
	}
}

// redirectPageSlash sends a web page address with a trailing slash to the
// page without it, as Gin would, when that page exists.
func redirectPageSlash(c *gin.Context, r *gin.Engine) bool {
	p := c.Request.URL.Path
	m := c.Request.Method
	if (m != http.MethodGet && m != http.MethodHead) || len(p) < 2 || !strings.HasSuffix(p, "/") {
		return false
	}
	trimmed := strings.TrimRight(p, "/")
	// "//host" would be a link to another site.
	if trimmed == "" || strings.HasPrefix(trimmed, "//") || strings.ContainsRune(trimmed, '\\') {
		return false
	}
	for _, rt := range r.Routes() {
		if rt.Method == m && routeMatches(rt.Path, trimmed) {
			u := *c.Request.URL
			u.Path = trimmed
			c.Redirect(http.StatusMovedPermanently, u.RequestURI())
			c.Abort()
			return true
		}
	}
	return false
}

// routeMatches reports whether a Gin route pattern (/people/:id) matches path.
func routeMatches(pattern, path string) bool {
	ps, xs := strings.Split(pattern, "/"), strings.Split(path, "/")
	for i, seg := range ps {
		if strings.HasPrefix(seg, "*") {
			return true
		}
		if i >= len(xs) || (seg != xs[i] && !(strings.HasPrefix(seg, ":") && xs[i] != "")) {
			return false
		}
	}
	return len(ps) == len(xs)
}

func securityHeaders() gin.HandlerFunc {
	return func(c *gin.Context) {
		h := c.Writer.Header()
		h.Set("X-Content-Type-Options", "nosniff")
		h.Set("X-Frame-Options", "DENY")
		h.Set("Referrer-Policy", "same-origin")
		c.Next()
	}
}

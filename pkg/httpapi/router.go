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
	"github.com/complytrack/complytrack/pkg/compliance"
	"github.com/complytrack/complytrack/pkg/importmap"
	"github.com/complytrack/complytrack/pkg/jobs"
	"github.com/complytrack/complytrack/pkg/logging"
	"github.com/complytrack/complytrack/pkg/notify"
	"github.com/complytrack/complytrack/pkg/problem"
	"github.com/complytrack/complytrack/pkg/sessions"
)

// Pinger reports whether the database answers.
type Pinger interface {
	Ping(ctx context.Context) error
}

// Deps is what the router needs from the rest of the program.
type Deps struct {
	Logger   *slog.Logger
	DB       Pinger
	Training *compliance.Service
	Accounts *accounts.Service
	Keys     *auth.KeySet
	Outbox   *notify.Outbox
	Jobs     *jobs.Scheduler
	Sessions *sessions.Service
	// ImportMappings keeps HR's mappings of HR-system exports.
	ImportMappings *importmap.Service
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
	// RequestContext, when set, gives each request's context what the
	// layers below want to know per request (the read model catches up
	// with the change log once per request: readmodel.WithRequest).
	RequestContext func(context.Context) context.Context
	// Metrics, when set, observes every request (API and pages alike):
	// it runs outside the recoverer, so a panic counts as the 500 it is.
	Metrics gin.HandlerFunc
}

type handlers struct {
	d Deps
	// document is OpenAPIDocument: reached through a field because the
	// document is built from the operations table, which holds this
	// router's handlers.
	document func() ([]byte, error)
}

// MaxJSONBody bounds every JSON request body.
const MaxJSONBody = 1 << 20

// New returns the complete router.
func New(d Deps) *gin.Engine {
	h := &handlers{d: d, document: OpenAPIDocument}
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
	if d.Logger == nil {
		d.Logger = logging.Discard()
	}
	if d.Metrics != nil {
		r.Use(d.Metrics)
	}
	r.Use(requestID(d.Logger), requestContext(d.RequestContext), recoverer(d.Logger), requestLog(d.Logger), securityHeaders(), staticMethods(), finishWrites(WriteTimeout))

	h.routes(r)

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

// routes registers every operation of the table (operations.go) with its
// handler: /api/v1 answers are never cached, and an operation that is not
// Public runs behind authenticate, as the document's security says.
func (h *handlers) routes(r *gin.Engine) {
	v1 := r.Group("/api/v1", noStore)
	signedIn := v1.Group("", h.authenticate)
	for _, op := range operations {
		g, path := &r.RouterGroup, op.Path
		if rest, ok := strings.CutPrefix(op.Path, "/api/v1/"); ok {
			g, path = v1, "/"+rest
			if !op.Public {
				g = signedIn
			}
		} else if !op.Public {
			panic(op.Method + " " + op.Path + ": only /api/v1 operations can require a token")
		}
		var chain []gin.HandlerFunc
		if q := checkQuery(op); q != nil {
			chain = append(chain, q)
		}
		chain = append(chain, h.serve(op.Handle))
		g.Handle(op.Method, pathParam.ReplaceAllString(path, ":$1"), chain...)
	}
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
				writeProblem(c, Problem{Status: http.StatusInternalServerError, Detail: problem.UnexpectedMessage})
			}
		}()
		c.Next()
	}
}

// requestContext applies Deps.RequestContext to every request.
func requestContext(with func(context.Context) context.Context) gin.HandlerFunc {
	return func(c *gin.Context) {
		if with != nil {
			c.Request = c.Request.WithContext(with(c.Request.Context()))
		}
		c.Next()
	}
}

// RequestIDHeader carries a request's ID: taken from the request when a
// proxy or client sent a sane one, else made here, and always answered.
const RequestIDHeader = "X-Request-ID"

// requestID gives each request its ID (see logging.SaneRequestID) and
// puts it in the request's context, where the logger's handler finds it:
// every line logged with that context, the access log's included, names
// the request. The router's logger rides along for fail. It runs first,
// for the API and the web pages alike.
func requestID(log *slog.Logger) gin.HandlerFunc {
	return func(c *gin.Context) {
		id := c.GetHeader(RequestIDHeader)
		if !logging.SaneRequestID(id) {
			id = logging.NewRequestID()
		}
		c.Request = c.Request.WithContext(logging.WithRequestID(c.Request.Context(), id))
		c.Header(RequestIDHeader, id)
		c.Set(loggerKey, log)
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

// reply is what an operation's handler answers: a status and a body to
// send as JSON. A handler that wrote its answer itself (a file, a CSV)
// returns the zero reply; one with only a status sends no body.
type reply struct {
	Status int
	Body   any
}

// serve runs an operation's handler and sends its reply, or its error as
// problem+json: the one place the API encodes answers and maps errors.
func (h *handlers) serve(handle func(*handlers, *gin.Context) (reply, error)) gin.HandlerFunc {
	return func(c *gin.Context) {
		r, err := handle(h, c)
		switch {
		case err != nil:
			fail(c, err)
		case r.Body != nil:
			c.JSON(r.Status, r.Body)
		case r.Status != 0:
			c.Status(r.Status)
		}
	}
}

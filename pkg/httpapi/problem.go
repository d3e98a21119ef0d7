package httpapi

import (
	"log/slog"
	"math"
	"net/http"
	"strconv"

	"github.com/gin-gonic/gin"

	"github.com/complytrack/complytrack/pkg/logging"
	"github.com/complytrack/complytrack/pkg/problem"
	"github.com/complytrack/complytrack/pkg/training"
)

// Problem is an RFC 9457 problem details body.
type Problem struct {
	Type   string                `json:"type"`
	Title  string                `json:"title"`
	Status int                   `json:"status"`
	Detail string                `json:"detail,omitempty"`
	Errors []training.FieldError `json:"errors,omitempty"`
	// RequestID names the request in complytrack's logs (also sent as
	// X-Request-ID): quoting it lets an operator find what happened.
	RequestID string `json:"request_id,omitempty"`
}

const problemContentType = "application/problem+json"

// writeProblem answers with a problem body and stops the handler chain.
func writeProblem(c *gin.Context, p Problem) {
	if p.Type == "" {
		p.Type = "about:blank"
	}
	if p.Title == "" {
		p.Title = http.StatusText(p.Status)
	}
	p.RequestID = logging.RequestID(c.Request.Context())
	c.Header("Content-Type", problemContentType)
	c.Header("Cache-Control", "no-store")
	c.AbortWithStatusJSON(p.Status, p)
}

// ErrTooLarge marks a body or upload over its size limit.
var ErrTooLarge = problem.ErrTooLarge

// fail answers err as problem+json. What the caller is told comes from
// problem.Classify, as on the web pages; this adds only what belongs to
// the API (the Bearer challenge, Retry-After in whole seconds). A failure
// of ours, the database not answering included, is logged here, once,
// with the request's ID.
func fail(c *gin.Context, err error) {
	p := problem.Classify(c.Request.Context(), err)
	if p.RetryAfter > 0 {
		c.Header("Retry-After", strconv.Itoa(int(math.Ceil(p.RetryAfter.Seconds()))))
	}
	switch {
	case p.Status == problem.StatusClientClosedRequest:
		// Nobody is waiting for an answer, and nothing failed here: the
		// access log records the request as closed by its client.
		c.AbortWithStatus(p.Status)
		return
	case p.Unexpected():
		requestLogger(c).ErrorContext(c.Request.Context(), "request failed", "method", c.Request.Method, "path", c.FullPath(), logging.Err(err))
	case p.Status == http.StatusUnauthorized:
		c.Header("WWW-Authenticate", `Bearer realm="complytrack"`)
	}
	writeProblem(c, Problem{Status: p.Status, Title: p.Title, Detail: p.Detail, Errors: p.Fields})
}

// loggerKey holds the router's logger on each request, for fail.
const loggerKey = "httpapi.logger"

// requestLogger is the logger of the router serving c.
func requestLogger(c *gin.Context) *slog.Logger {
	if v, ok := c.Get(loggerKey); ok {
		return v.(*slog.Logger)
	}
	return logging.Discard()
}

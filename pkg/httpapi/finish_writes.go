package httpapi

import (
	"context"
	"log/slog"
	"net/http"
	"time"

	"github.com/gin-gonic/gin"

	"github.com/complytrack/complytrack/pkg/problem"
)

// WriteTimeout bounds how long a request that changes something may run,
// whether or not its client is still there (the server's own write
// timeout is two minutes).
const WriteTimeout = time.Minute

// StatusClientClosedRequest is what the access log records for a request
// whose client went away before it was answered (nginx's 499): no answer
// reached anyone, and nothing went wrong on our side.
const StatusClientClosedRequest = problem.StatusClientClosedRequest

// finishWrites runs every request that may change something (anything but
// GET, HEAD and OPTIONS) on a context that does not end when its client
// goes away, bounded by timeout instead.
//
// A write is several inserts (a completion, then its audit entry; an
// import's people, then theirs): cancelled between them, it would leave
// a change with no record of who made it. Reads keep the client's
// context, so work nobody is waiting for stops.
//
// It is the one place this is decided, for the API and the web pages
// alike (both are served by this router).
func finishWrites(timeout time.Duration) gin.HandlerFunc {
	return func(c *gin.Context) {
		switch c.Request.Method {
		case http.MethodGet, http.MethodHead, http.MethodOptions:
			c.Next()
			return
		}
		ctx, cancel := context.WithTimeout(context.WithoutCancel(c.Request.Context()), timeout)
		defer cancel()
		c.Request = c.Request.WithContext(ctx)
		c.Next()
	}
}

// statusAttrs is the access log's status for a request whose handler
// answered with written. A client that went away before the answer makes
// it 499, with what the handler did beside it, so that a write that
// finished after its client left is not taken for one that failed.
func statusAttrs(client context.Context, written int) []slog.Attr {
	if client.Err() == nil {
		return []slog.Attr{slog.Int("status", written)}
	}
	return []slog.Attr{slog.Int("status", StatusClientClosedRequest), slog.Int("handler_status", written)}
}

package httpapi

import (
	"context"
	"net/http"
	"strconv"
	"time"

	"github.com/gin-gonic/gin"

	"github.com/complytrack/complytrack/pkg/logging"
	"github.com/complytrack/complytrack/pkg/problem"
)

// health answers while the process is up, whatever the database does.
func (h *handlers) health(c *gin.Context) (reply, error) {
	return reply{http.StatusOK, statusMessage{Status: "ok"}}, nil
}

// ready answers 200 only when the database answers a ping in time. It asks
// afresh on every call: the driver reconnects by itself, so a database
// that comes back makes the next probe answer 200, with no restart.
func (h *handlers) ready(c *gin.Context) (reply, error) {
	ctx, cancel := context.WithTimeout(c.Request.Context(), 2*time.Second)
	defer cancel()
	if err := h.d.DB.Ping(ctx); err != nil {
		h.d.Logger.WarnContext(ctx, "readiness check failed", logging.Err(err))
		c.Header("Retry-After", strconv.Itoa(int(problem.UnavailableRetry.Seconds())))
		writeProblem(c, Problem{Status: http.StatusServiceUnavailable, Detail: problem.UnavailableMessage})
		return reply{}, nil
	}
	return reply{http.StatusOK, statusMessage{Status: "ready"}}, nil
}

package httpapi

import (
	"context"
	"net/http"
	"time"

	"github.com/gin-gonic/gin"

	"github.com/complytrack/complytrack/pkg/logging"
)

// health answers while the process is up, whatever the database does.
func (h *handlers) health(c *gin.Context) (reply, error) {
	return reply{http.StatusOK, statusMessage{Status: "ok"}}, nil
}

// ready answers 200 only when the database answers a ping in time.
func (h *handlers) ready(c *gin.Context) (reply, error) {
	ctx, cancel := context.WithTimeout(c.Request.Context(), 2*time.Second)
	defer cancel()
	if err := h.d.DB.Ping(ctx); err != nil {
		h.d.Logger.WarnContext(ctx, "readiness check failed", logging.Err(err))
		writeProblem(c, Problem{Status: http.StatusServiceUnavailable, Detail: "The database is not reachable."})
		return reply{}, nil
	}
	return reply{http.StatusOK, statusMessage{Status: "ready"}}, nil
}

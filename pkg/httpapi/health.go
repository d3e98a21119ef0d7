package httpapi

import (
	"context"
	"net/http"
	"time"

	"github.com/gin-gonic/gin"

	"github.com/complytrack/complytrack/pkg/logging"
)

// health answers while the process is up, whatever the database does.
func (h *handlers) health(c *gin.Context) {
	c.JSON(http.StatusOK, statusMessage{Status: "ok"})
}

// ready answers 200 only when the database answers a ping in time.
func (h *handlers) ready(c *gin.Context) {
	ctx, cancel := context.WithTimeout(c.Request.Context(), 2*time.Second)
	defer cancel()
	if err := h.d.DB.Ping(ctx); err != nil {
		h.d.Logger.WarnContext(ctx, "readiness check failed", logging.Err(err))
		writeProblem(c, Problem{Status: http.StatusServiceUnavailable, Detail: "The database is not reachable."})
		return
	}
	c.JSON(http.StatusOK, statusMessage{Status: "ready"})
}

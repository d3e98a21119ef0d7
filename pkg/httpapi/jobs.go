package httpapi

import (
	"fmt"
	"net/http"

	"github.com/gin-gonic/gin"

	"github.com/complytrack/complytrack/pkg/jobs"
	"github.com/complytrack/complytrack/pkg/training"
)

type jobRunResponse struct {
	Job     string       `json:"job"`
	Summary jobs.Summary `json:"summary"`
}

// runJob runs a scheduled job now (HR only) and answers with its summary.
// The run takes the job's lease like a scheduled one, so two clicks, or a
// click during the scheduled run, run it once.
func (h *handlers) runJob(c *gin.Context) (reply, error) {
	if !actor(c).HR {
		return reply{}, fmt.Errorf("run job: %w", training.ErrForbidden)
	}
	sum, err := h.d.Jobs.RunNow(c.Request.Context(), c.Param("name"))
	if err != nil {
		return reply{}, err
	}
	if sum.Counts == nil {
		sum.Counts = map[string]int{}
	}
	return reply{http.StatusOK, jobRunResponse{Job: c.Param("name"), Summary: sum}}, nil
}

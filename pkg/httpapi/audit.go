package httpapi

import (
	"encoding/json"
	"net/http"
	"time"

	"github.com/gin-gonic/gin"

	"github.com/complytrack/complytrack/pkg/training"
)

type auditResponse struct {
	ID       string          `json:"id"`
	At       time.Time       `json:"at"`
	Actor    string          `json:"actor"`
	Action   string          `json:"action"`
	Entity   string          `json:"entity"`
	EntityID string          `json:"entity_id"`
	Before   json.RawMessage `json:"before"`
	After    json.RawMessage `json:"after"`
}

func toAudit(e training.AuditEntry) auditResponse {
	r := auditResponse{ID: e.ID, At: e.At, Actor: e.Actor, Action: e.Action, Entity: e.Entity, EntityID: e.EntityID, Before: e.Before, After: e.After}
	if len(r.Before) == 0 {
		r.Before = json.RawMessage("null")
	}
	if len(r.After) == 0 {
		r.After = json.RawMessage("null")
	}
	return r
}

func (h *handlers) listAudit(c *gin.Context) (reply, error) {
	page, err := pageRequest(c)
	if err != nil {
		return reply{}, err
	}
	res, err := h.d.Training.ListAudit(c.Request.Context(), actor(c), c.Query("entity_id"), page)
	if err != nil {
		return reply{}, err
	}
	return reply{http.StatusOK, newList(res, toAudit)}, nil
}

package httpapi

import (
	"net/http"
	"time"

	"github.com/gin-gonic/gin"

	"github.com/complytrack/complytrack/pkg/accounts"
	"github.com/complytrack/complytrack/pkg/notify"
)

type messageResponse struct {
	ID        string       `json:"id"`
	To        string       `json:"to"`
	Kind      notify.Kind  `json:"kind"`
	Subject   string       `json:"subject"`
	BodyText  string       `json:"body_text"`
	State     notify.State `json:"state"`
	CreatedAt time.Time    `json:"created_at"`
	SentAt    *time.Time   `json:"sent_at"`
	Attempts  int          `json:"attempts"`
	LastError string       `json:"last_error,omitempty"`
}

// toMessage shows a message as HR may read it: one-time links withheld
// except in a first invitation (accounts.OutboxBody).
func toMessage(m notify.Message) messageResponse {
	r := messageResponse{ID: m.ID, To: m.To, Kind: m.Kind, Subject: m.Subject, BodyText: accounts.OutboxBody(m), State: m.State,
		CreatedAt: m.CreatedAt, Attempts: m.Attempts, LastError: m.LastError}
	if !m.SentAt.IsZero() {
		t := m.SentAt
		r.SentAt = &t
	}
	return r
}

func (h *handlers) listOutbox(c *gin.Context) (reply, error) {
	page, err := pageRequest(c)
	if err != nil {
		return reply{}, err
	}
	res, err := h.d.Outbox.List(c.Request.Context(), actor(c), notify.Filter{To: c.Query("to"), Kind: notify.Kind(c.Query("kind"))}, page)
	if err != nil {
		return reply{}, err
	}
	return reply{http.StatusOK, newList(res, toMessage)}, nil
}

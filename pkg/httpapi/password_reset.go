package httpapi

import (
	"net/http"
	"strings"

	"github.com/gin-gonic/gin"

	"github.com/complytrack/complytrack/pkg/training"
)

type forgotPasswordRequest struct {
	Email string `json:"email"`
}

type resetPasswordRequest struct {
	Token    string `json:"token"`
	Password string `json:"password"`
}

// forgotPassword answers 202 whatever the address: whether a link was
// e-mailed is for the mailbox's owner to see, not for the caller.
func (h *handlers) forgotPassword(c *gin.Context) (reply, error) {
	var req forgotPasswordRequest
	if err := bindJSON(c, &req); err != nil {
		return reply{}, err
	}
	if strings.TrimSpace(req.Email) == "" {
		return reply{}, training.Invalid("email", "Enter your email address.")
	}
	if err := h.d.Accounts.ForgotPassword(c.Request.Context(), req.Email, c.ClientIP()); err != nil {
		return reply{}, err
	}
	return reply{http.StatusAccepted, statusMessage{Status: "If the address has a complytrack password, a link to reset it has been e-mailed to it."}}, nil
}

func (h *handlers) resetPassword(c *gin.Context) (reply, error) {
	var req resetPasswordRequest
	if err := bindJSON(c, &req); err != nil {
		return reply{}, err
	}
	t, err := h.d.Accounts.ResetPassword(c.Request.Context(), req.Token, req.Password)
	if err != nil {
		return reply{}, err
	}
	noStore(c)
	return reply{http.StatusOK, toTokens(t)}, nil
}

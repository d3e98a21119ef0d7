package httpapi

import (
	"fmt"
	"net/http"
	"strings"

	"github.com/gin-gonic/gin"

	"github.com/complytrack/complytrack/pkg/accounts"
	"github.com/complytrack/complytrack/pkg/auth"
	"github.com/complytrack/complytrack/pkg/training"
)

// MaxAuthorizationHeader bounds the Authorization header: no token this
// server issues comes near it, so a longer one is refused unread.
const MaxAuthorizationHeader = 8 << 10

const principalKey = "complytrack.principal"

type tokensResponse struct {
	AccessToken  string `json:"access_token"`
	RefreshToken string `json:"refresh_token"`
	TokenType    string `json:"token_type"`
	ExpiresIn    int    `json:"expires_in"`
}

func toTokens(t accounts.Tokens) tokensResponse {
	return tokensResponse{AccessToken: t.AccessToken, RefreshToken: t.RefreshToken, TokenType: "Bearer", ExpiresIn: int(t.ExpiresIn.Seconds())}
}

type loginRequest struct {
	Email    string `json:"email"`
	Password string `json:"password"`
}

type refreshRequest struct {
	RefreshToken string `json:"refresh_token"`
}

type acceptInviteRequest struct {
	Token    string `json:"token"`
	Password string `json:"password"`
}

func (h *handlers) login(c *gin.Context) (reply, error) {
	var req loginRequest
	if err := bindJSON(c, &req); err != nil {
		return reply{}, err
	}
	v := &training.ValidationError{}
	if strings.TrimSpace(req.Email) == "" {
		v.Problem("email", "Enter your email address")
	}
	if req.Password == "" {
		v.Problem("password", "Enter your password")
	}
	if err := v.Err(); err != nil {
		return reply{}, err
	}
	t, err := h.d.Accounts.Login(c.Request.Context(), req.Email, req.Password, c.ClientIP())
	if err != nil {
		return reply{}, err
	}
	noStore(c)
	return reply{http.StatusOK, toTokens(t)}, nil
}

func (h *handlers) refresh(c *gin.Context) (reply, error) {
	var req refreshRequest
	if err := bindJSON(c, &req); err != nil {
		return reply{}, err
	}
	t, err := h.d.Accounts.Refresh(c.Request.Context(), req.RefreshToken)
	if err != nil {
		return reply{}, err
	}
	noStore(c)
	return reply{http.StatusOK, toTokens(t)}, nil
}

func (h *handlers) logout(c *gin.Context) (reply, error) {
	var req refreshRequest
	if err := bindJSON(c, &req); err != nil {
		return reply{}, err
	}
	if err := h.d.Accounts.Logout(c.Request.Context(), req.RefreshToken); err != nil {
		return reply{}, err
	}
	return reply{Status: http.StatusNoContent}, nil
}

func (h *handlers) acceptInvite(c *gin.Context) (reply, error) {
	var req acceptInviteRequest
	if err := bindJSON(c, &req); err != nil {
		return reply{}, err
	}
	t, err := h.d.Accounts.AcceptInvite(c.Request.Context(), req.Token, req.Password)
	if err != nil {
		return reply{}, err
	}
	noStore(c)
	return reply{http.StatusOK, toTokens(t)}, nil
}

func (h *handlers) jwks(c *gin.Context) (reply, error) {
	c.Header("Cache-Control", "public, max-age=300")
	return reply{http.StatusOK, h.d.Keys.JWKS()}, nil
}

// authenticate requires a valid bearer access token and puts the caller's
// principal on the request.
func (h *handlers) authenticate(c *gin.Context) {
	header := c.GetHeader("Authorization")
	if len(header) > MaxAuthorizationHeader {
		fail(c, fmt.Errorf("authorization header too long: %w", training.ErrUnauthenticated))
		return
	}
	scheme, token, ok := strings.Cut(header, " ")
	if !ok || !strings.EqualFold(scheme, "Bearer") || token == "" {
		fail(c, fmt.Errorf("no bearer token: %w", training.ErrUnauthenticated))
		return
	}
	p, err := h.d.Accounts.Authenticate(c.Request.Context(), strings.TrimSpace(token))
	if err != nil {
		fail(c, err)
		return
	}
	c.Set(principalKey, p)
	c.Next()
}

// principal is the authenticated caller (authenticate ran before).
func principal(c *gin.Context) accounts.Principal {
	return c.MustGet(principalKey).(accounts.Principal)
}

func actor(c *gin.Context) training.Actor { return principal(c).Actor() }

type meResponse struct {
	personResponse
	Roles auth.Roles `json:"roles"`
}

func (h *handlers) me(c *gin.Context) (reply, error) {
	p := principal(c)
	person, err := h.d.Training.Person(c.Request.Context(), p.Actor(), p.PersonID)
	if err != nil {
		return reply{}, err
	}
	return reply{http.StatusOK, meResponse{personResponse: h.toPerson(c.Request.Context(), person), Roles: p.Roles}}, nil
}

type rolesRequest struct {
	Roles []string `json:"roles"`
}

type rolesResponse struct {
	Roles auth.Roles `json:"roles"`
}

// setRoles grants the hr, auditor, trainer and member_services roles (PUT /people/{id}/roles).
func (h *handlers) setRoles(c *gin.Context) (reply, error) {
	var req rolesRequest
	if err := bindJSON(c, &req); err != nil {
		return reply{}, err
	}
	var roles auth.Roles
	for _, r := range req.Roles {
		role, err := auth.ParseRole(r)
		if err != nil || role == auth.RoleEmployee || role == auth.RoleManager {
			return reply{}, invalidField("roles", "Choose roles from hr, auditor, trainer and member_services only: employee and manager follow from the person's record")
		}
		roles = roles.With(role)
	}
	got, err := h.d.Accounts.SetRoles(c.Request.Context(), actor(c), c.Param("id"), roles)
	if err != nil {
		return reply{}, err
	}
	return reply{http.StatusOK, rolesResponse{Roles: got}}, nil
}

func (h *handlers) invite(c *gin.Context) (reply, error) {
	if err := h.d.Accounts.Invite(c.Request.Context(), actor(c), c.Param("id")); err != nil {
		return reply{}, err
	}
	return reply{http.StatusAccepted, gin.H{"status": "invitation queued"}}, nil
}

type changePasswordRequest struct {
	CurrentPassword string `json:"current_password"`
	NewPassword     string `json:"new_password"`
}

// changePassword lets the signed-in person choose a new password. Every
// other session of the account ends; the caller's stays.
func (h *handlers) changePassword(c *gin.Context) (reply, error) {
	var req changePasswordRequest
	if err := bindJSON(c, &req); err != nil {
		return reply{}, err
	}
	if err := h.d.Accounts.ChangePassword(c.Request.Context(), principal(c), req.CurrentPassword, req.NewPassword); err != nil {
		return reply{}, err
	}
	return reply{Status: http.StatusNoContent}, nil
}

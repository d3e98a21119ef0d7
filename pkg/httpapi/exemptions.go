package httpapi

import (
	"net/http"
	"time"

	"github.com/gin-gonic/gin"

	"github.com/complytrack/complytrack/pkg/training"
)

type exemptionResponse struct {
	ID         string            `json:"id"`
	PersonID   string            `json:"person_id"`
	CourseCode string            `json:"course_code"`
	Reason     string            `json:"reason"`
	Until      training.Date     `json:"until"`
	CreatedBy  string            `json:"created_by"`
	CreatedAt  time.Time         `json:"created_at"`
	Removal    *decisionResponse `json:"removal,omitempty"`
}

func toExemption(e training.Exemption) exemptionResponse {
	r := exemptionResponse{ID: e.ID, PersonID: e.PersonID, CourseCode: e.CourseCode, Reason: e.Reason, Until: e.Until,
		CreatedBy: e.CreatedBy, CreatedAt: e.CreatedAt}
	if e.Removal != nil {
		r.Removal = &decisionResponse{By: e.Removal.By, At: e.Removal.At, Reason: e.Removal.Reason}
	}
	return r
}

type exemptionRequest struct {
	CourseCode string `json:"course_code"`
	Reason     string `json:"reason"`
	Until      string `json:"until"`
}

func (h *handlers) grantExemption(c *gin.Context) (reply, error) {
	var req exemptionRequest
	if err := bindJSON(c, &req); err != nil {
		return reply{}, err
	}
	v := &training.ValidationError{}
	in := training.ExemptionInput{CourseCode: req.CourseCode, Reason: req.Reason, Until: parseDate(v, "until", req.Until)}
	in.Problems = v.Fields
	e, err := h.d.Training.GrantExemption(c.Request.Context(), actor(c), c.Param("id"), in)
	if err != nil {
		return reply{}, err
	}
	return reply{http.StatusCreated, toExemption(e)}, nil
}

func (h *handlers) removeExemption(c *gin.Context) (reply, error) {
	if err := h.d.Training.RemoveExemption(c.Request.Context(), actor(c), c.Param("id")); err != nil {
		return reply{}, err
	}
	return reply{Status: http.StatusNoContent}, nil
}

func (h *handlers) listExemptions(c *gin.Context) (reply, error) {
	items, err := h.d.Training.ExemptionsOf(c.Request.Context(), actor(c), c.Param("id"))
	if err != nil {
		return reply{}, err
	}
	out := list[exemptionResponse]{Items: make([]exemptionResponse, 0, len(items))}
	for _, e := range items {
		out.Items = append(out.Items, toExemption(e))
	}
	return reply{http.StatusOK, out}, nil
}

type flagResponse struct {
	ID             string            `json:"id"`
	PersonID       string            `json:"person_id"`
	EmployeeNumber string            `json:"employee_number"`
	CourseCode     string            `json:"course_code"`
	Kind           training.FlagKind `json:"kind"`
	RaisedAt       time.Time         `json:"raised_at"`
	DueOn          training.Date     `json:"due_on"`
	Detail         string            `json:"detail,omitempty"`
}

func toFlag(f training.Flag) flagResponse {
	return flagResponse{ID: f.ID, PersonID: f.PersonID, EmployeeNumber: f.EmployeeNumber, CourseCode: f.CourseCode,
		Kind: f.Kind, RaisedAt: f.RaisedAt, DueOn: f.DueOn, Detail: f.Detail}
}

func (h *handlers) listFlags(c *gin.Context) (reply, error) {
	page, err := pageRequest(c)
	if err != nil {
		return reply{}, err
	}
	kind, err := training.ParseFlagKind("kind", c.Query("kind"))
	if err != nil {
		return reply{}, err
	}
	res, err := h.d.Training.ListFlags(c.Request.Context(), actor(c), training.FlagFilter{Kind: kind}, page)
	if err != nil {
		return reply{}, err
	}
	return reply{http.StatusOK, newList(res, toFlag)}, nil
}

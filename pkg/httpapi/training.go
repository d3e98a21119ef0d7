package httpapi

import (
	"net/http"

	"github.com/gin-gonic/gin"

	"github.com/complytrack/complytrack/pkg/training"
)

type trainingItem struct {
	CourseCode        string          `json:"course_code"`
	CourseTitle       string          `json:"course_title"`
	CourseURL         string          `json:"course_url,omitempty"`
	Status            training.Status `json:"status"`
	DueOn             training.Date   `json:"due_on"`
	ExpiresOn         training.Date   `json:"expires_on"`
	LastCompletedOn   training.Date   `json:"last_completed_on"`
	PendingCompletion bool            `json:"pending_completion"`
	ExemptUntil       training.Date   `json:"exempt_until,omitempty"`
	ExemptionReason   string          `json:"exemption_reason,omitempty"`
	Explanation       string          `json:"explanation"`
}

type trainingResponse struct {
	Items []trainingItem `json:"items"`
}

func (h *handlers) toTraining(items []training.Assessment, courses map[string]training.Course) []trainingItem {
	out := make([]trainingItem, 0, len(items))
	for _, a := range items {
		it := trainingItem{
			CourseCode: a.CourseCode, CourseTitle: courses[a.CourseCode].Title, CourseURL: courses[a.CourseCode].URL,
			Status: a.Status, DueOn: a.DueOn, ExpiresOn: a.ExpiresOn,
			PendingCompletion: a.PendingCompletion, Explanation: a.ExplanationText(),
		}
		if a.LastCompleted != nil {
			it.LastCompletedOn = a.LastCompleted.CompletedOn
		}
		if a.Exemption != nil {
			it.ExemptUntil, it.ExemptionReason = a.Exemption.Until, a.Exemption.Reason
		}
		out = append(out, it)
	}
	return out
}

func (h *handlers) courseMap(c *gin.Context) (map[string]training.Course, error) {
	courses, err := h.d.Training.Courses(c.Request.Context())
	if err != nil {
		return nil, err
	}
	m := make(map[string]training.Course, len(courses))
	for _, course := range courses {
		m[course.Code] = course
	}
	return m, nil
}

func (h *handlers) trainingOf(c *gin.Context, personID string) (reply, error) {
	items, err := h.d.Training.TrainingOf(c.Request.Context(), actor(c), personID)
	if err != nil {
		return reply{}, err
	}
	courses, err := h.courseMap(c)
	if err != nil {
		return reply{}, err
	}
	return reply{http.StatusOK, trainingResponse{Items: h.toTraining(items, courses)}}, nil
}

func (h *handlers) personTraining(c *gin.Context) (reply, error) {
	return h.trainingOf(c, c.Param("id"))
}
func (h *handlers) myTraining(c *gin.Context) (reply, error) {
	return h.trainingOf(c, principal(c).PersonID)
}

type teamMember struct {
	personResponse
	Training []trainingItem `json:"training"`
}

func (h *handlers) team(c *gin.Context) (reply, error) {
	page, err := pageRequest(c)
	if err != nil {
		return reply{}, err
	}
	status, err := training.ParseStatus("status", c.Query("status"))
	if err != nil {
		return reply{}, err
	}
	f := training.TeamFilter{Status: status, CourseCode: c.Query("course_code")}
	res, err := h.d.Training.Team(c.Request.Context(), actor(c), f, page)
	if err != nil {
		return reply{}, err
	}
	courses, err := h.courseMap(c)
	if err != nil {
		return reply{}, err
	}
	ctx := c.Request.Context()
	return reply{http.StatusOK, newList(res, func(m training.TeamMember) teamMember {
		return teamMember{personResponse: h.toPerson(ctx, m.Person), Training: h.toTraining(m.Training, courses)}
	})}, nil
}

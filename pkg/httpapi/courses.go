package httpapi

import (
	"net/http"

	"github.com/gin-gonic/gin"

	"github.com/complytrack/complytrack/pkg/training"
)

type appliesTo struct {
	Kinds       []training.Kind `json:"kinds"`
	Departments []string        `json:"departments"`
	JobTitles   []string        `json:"job_titles"`
}

type courseResponse struct {
	Code            string                `json:"code"`
	Title           string                `json:"title"`
	Provider        string                `json:"provider"`
	URL             string                `json:"url"`
	Delivery        training.Delivery     `json:"delivery"`
	AppliesTo       appliesTo             `json:"applies_to"`
	NewStarterDays  int                   `json:"new_starter_days"`
	ValidityMonths  int                   `json:"validity_months"`
	DueSoonDays     int                   `json:"due_soon_days"`
	RenewWindowDays int                   `json:"renew_window_days"`
	ExpiryBasis     training.ExpiryBasis  `json:"expiry_basis"`
	EffectiveFrom   training.Date         `json:"effective_from"`
	Evidence        training.Evidence     `json:"evidence"`
	Verification    training.Verification `json:"verification"`
	// TargetPct is the compliance, in percent, the dashboard measures
	// departments against.
	TargetPct int `json:"target_pct"`
}

func toCourse(c training.Course) courseResponse {
	nz := func(s []string) []string {
		if s == nil {
			return []string{}
		}
		return s
	}
	return courseResponse{
		Code: c.Code, Title: c.Title, Provider: c.Provider, URL: c.URL, Delivery: c.Delivery,
		AppliesTo:      appliesTo{Kinds: c.AppliesTo.Kinds, Departments: nz(c.AppliesTo.Departments), JobTitles: nz(c.AppliesTo.JobTitles)},
		NewStarterDays: c.NewStarterDays, ValidityMonths: c.ValidityMonths, DueSoonDays: c.DueSoonDays,
		RenewWindowDays: c.RenewWindowDays, ExpiryBasis: c.ExpiryBasis, EffectiveFrom: c.EffectiveFrom,
		Evidence: c.Evidence, Verification: c.Verification, TargetPct: c.Target(),
	}
}

type appliesToRequest struct {
	Kinds       *[]string `json:"kinds"`
	Departments *[]string `json:"departments"`
	JobTitles   *[]string `json:"job_titles"`
}

// courseRequest is a course or a change to one: absent fields keep their
// value (PATCH) or take the default policy (POST).
type courseRequest struct {
	Code            *string           `json:"code"`
	Title           *string           `json:"title"`
	Provider        *string           `json:"provider"`
	URL             *string           `json:"url"`
	Delivery        *string           `json:"delivery"`
	AppliesTo       *appliesToRequest `json:"applies_to"`
	NewStarterDays  *int              `json:"new_starter_days"`
	ValidityMonths  *int              `json:"validity_months"`
	DueSoonDays     *int              `json:"due_soon_days"`
	RenewWindowDays *int              `json:"renew_window_days"`
	ExpiryBasis     *string           `json:"expiry_basis"`
	EffectiveFrom   *string           `json:"effective_from"`
	Evidence        *string           `json:"evidence"`
	Verification    *string           `json:"verification"`
	TargetPct       *int              `json:"target_pct"`
}

// apply writes the request's fields onto c, naming unparseable ones in v.
func (r courseRequest) apply(c *training.Course, v *training.ValidationError) {
	str := func(dst *string, src *string) {
		if src != nil {
			*dst = *src
		}
	}
	num := func(dst *int, src *int) {
		if src != nil {
			*dst = *src
		}
	}
	str(&c.Code, r.Code)
	str(&c.Title, r.Title)
	str(&c.Provider, r.Provider)
	str(&c.URL, r.URL)
	// A value not among a closed set's is left empty: the course's own
	// check names it, with the course's other problems, in its order.
	if r.Delivery != nil {
		c.Delivery, _ = training.ParseDelivery("delivery", *r.Delivery)
	}
	if a := r.AppliesTo; a != nil {
		if a.Kinds != nil {
			c.AppliesTo.Kinds = nil
			for _, s := range *a.Kinds {
				k, err := training.ParseKind("applies_to.kinds", s)
				if err != nil {
					v.Problem("applies_to.kinds", "The course can apply only to staff, members, contractors or volunteers, not to %q", s)
					continue
				}
				c.AppliesTo.Kinds = append(c.AppliesTo.Kinds, k)
			}
		}
		if a.Departments != nil {
			c.AppliesTo.Departments = *a.Departments
		}
		if a.JobTitles != nil {
			c.AppliesTo.JobTitles = *a.JobTitles
		}
	}
	num(&c.NewStarterDays, r.NewStarterDays)
	num(&c.ValidityMonths, r.ValidityMonths)
	num(&c.DueSoonDays, r.DueSoonDays)
	num(&c.RenewWindowDays, r.RenewWindowDays)
	if r.ExpiryBasis != nil {
		c.ExpiryBasis, _ = training.ParseExpiryBasis("expiry_basis", *r.ExpiryBasis)
	}
	if r.EffectiveFrom != nil {
		c.EffectiveFrom = parseDate(v, "effective_from", *r.EffectiveFrom)
	}
	if r.Evidence != nil {
		c.Evidence, _ = training.ParseEvidence("evidence", *r.Evidence)
	}
	if r.Verification != nil {
		c.Verification, _ = training.ParseVerification("verification", *r.Verification)
	}
	if r.TargetPct != nil {
		// 0 is how a stored course says "the default": a caller asks for
		// a real target.
		if *r.TargetPct < 1 {
			v.Problem("target_pct", "The compliance target must be a whole number from 1 to 100")
		}
		c.TargetPct = *r.TargetPct
	}
}

// defaultCourse is the policy a new course starts from: the defaults in
// docs/domain-rules.md.
func defaultCourse() training.Course {
	return training.Course{
		Delivery: training.DeliveryELearning, NewStarterDays: training.DefaultNewStarterDays,
		ValidityMonths: training.DefaultValidityMonths, DueSoonDays: training.DefaultDueSoonDays,
		RenewWindowDays: training.DefaultRenewWindowDays, ExpiryBasis: training.ExpiryFromCompletion,
		Evidence: training.EvidenceNone, Verification: training.VerificationNone, TargetPct: training.DefaultTargetPct,
	}
}

func (h *handlers) createCourse(c *gin.Context) (reply, error) {
	var req courseRequest
	if err := bindJSON(c, &req); err != nil {
		return reply{}, err
	}
	course := defaultCourse()
	v := &training.ValidationError{}
	req.apply(&course, v)
	if len(v.Fields) > 0 {
		v.Merge(course.Validate())
		return reply{}, v
	}
	created, err := h.d.Training.CreateCourse(c.Request.Context(), actor(c), course)
	if err != nil {
		return reply{}, err
	}
	c.Header("Location", "/api/v1/courses/"+created.Code)
	return reply{http.StatusCreated, toCourse(created)}, nil
}

func (h *handlers) patchCourse(c *gin.Context) (reply, error) {
	var req courseRequest
	if err := bindJSON(c, &req); err != nil {
		return reply{}, err
	}
	if req.Code != nil && *req.Code != c.Param("code") {
		return reply{}, invalidField("code", "The course code cannot be changed: create a new course instead")
	}
	v := &training.ValidationError{}
	updated, err := h.d.Training.UpdateCourse(c.Request.Context(), actor(c), c.Param("code"), func(course *training.Course) {
		req.apply(course, v)
	})
	if len(v.Fields) > 0 {
		v.Merge(err)
		return reply{}, v.Err()
	}
	if err != nil {
		return reply{}, err
	}
	return reply{http.StatusOK, toCourse(updated)}, nil
}

func (h *handlers) getCourse(c *gin.Context) (reply, error) {
	course, err := h.d.Training.Course(c.Request.Context(), c.Param("code"))
	if err != nil {
		return reply{}, err
	}
	return reply{http.StatusOK, toCourse(course)}, nil
}

func (h *handlers) listCourses(c *gin.Context) (reply, error) {
	courses, err := h.d.Training.Courses(c.Request.Context())
	if err != nil {
		return reply{}, err
	}
	out := list[courseResponse]{Items: []courseResponse{}}
	for _, course := range courses {
		out.Items = append(out.Items, toCourse(course))
	}
	return reply{http.StatusOK, out}, nil
}

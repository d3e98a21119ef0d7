package httpapi

import (
	"context"
	"net/http"
	"time"

	"github.com/gin-gonic/gin"

	"github.com/complytrack/complytrack/pkg/training"
)

type personResponse struct {
	ID                    string        `json:"id"`
	EmployeeNumber        string        `json:"employee_number"`
	Email                 string        `json:"email"`
	GivenName             string        `json:"given_name"`
	FamilyName            string        `json:"family_name"`
	Kind                  training.Kind `json:"kind"`
	JobTitle              string        `json:"job_title"`
	Department            string        `json:"department"`
	ManagerID             string        `json:"manager_id,omitempty"`
	ManagerEmployeeNumber string        `json:"manager_employee_number,omitempty"`
	StartDate             training.Date `json:"start_date"`
	EndDate               training.Date `json:"end_date"`
	CreatedAt             time.Time     `json:"created_at"`
	UpdatedAt             time.Time     `json:"updated_at"`
}

func (h *handlers) toPerson(ctx context.Context, p training.Person) personResponse {
	return personResponse{
		ID: p.ID, EmployeeNumber: p.EmployeeNumber, Email: p.Email, GivenName: p.GivenName, FamilyName: p.FamilyName,
		Kind: p.Kind, JobTitle: p.JobTitle, Department: p.Department,
		ManagerID: p.ManagerID, ManagerEmployeeNumber: h.d.Training.EmployeeNumberOf(p.ManagerID),
		StartDate: p.StartDate, EndDate: p.EndDate, CreatedAt: p.CreatedAt, UpdatedAt: p.UpdatedAt,
	}
}

// savedPersonResponse answers a create or a change: the person, and what
// was stored but is probably a mistake (a start date years ahead), for the
// caller to check. Warnings is never null.
type savedPersonResponse struct {
	personResponse
	Warnings []training.FieldError `json:"warnings"`
}

func (h *handlers) toSavedPerson(ctx context.Context, p training.Person) savedPersonResponse {
	return savedPersonResponse{personResponse: h.toPerson(ctx, p),
		Warnings: append([]training.FieldError{}, h.d.Training.PersonWarnings(p)...)}
}

// personRequest is a person as the API takes them: all of a new person
// (POST /people), or laid over the person as they are for a change
// (PATCH /people/{id}).
type personRequest struct {
	EmployeeNumber        string `json:"employee_number"`
	Email                 string `json:"email"`
	GivenName             string `json:"given_name"`
	FamilyName            string `json:"family_name"`
	Kind                  string `json:"kind"`
	JobTitle              string `json:"job_title"`
	Department            string `json:"department"`
	ManagerEmployeeNumber string `json:"manager_employee_number"`
	StartDate             string `json:"start_date"`
	EndDate               string `json:"end_date"`
}

// personRequestOf is a person's current input as the API writes it, for a
// change to be laid over.
func personRequestOf(in training.PersonInput) personRequest {
	return personRequest{
		EmployeeNumber: in.EmployeeNumber, Email: in.Email, GivenName: in.GivenName, FamilyName: in.FamilyName,
		Kind: string(in.Kind), JobTitle: in.JobTitle, Department: in.Department,
		ManagerEmployeeNumber: in.ManagerEmployeeNumber, StartDate: in.StartDate.String(), EndDate: in.EndDate.String(),
	}
}

func (r personRequest) input() (training.PersonInput, error) {
	v := &training.ValidationError{}
	// An unknown kind is left empty: the domain names it, with every other
	// field's problem, in its order.
	kind, _ := training.ParseKind("kind", r.Kind)
	in := training.PersonInput{Person: training.Person{
		EmployeeNumber: r.EmployeeNumber, Email: r.Email, GivenName: r.GivenName, FamilyName: r.FamilyName,
		Kind: kind, JobTitle: r.JobTitle, Department: r.Department,
		StartDate: parseDate(v, "start_date", r.StartDate), EndDate: parseDate(v, "end_date", r.EndDate),
	}, ManagerEmployeeNumber: r.ManagerEmployeeNumber}
	if len(v.Fields) > 0 {
		v.Merge(in.Validate())
	}
	return in, v.Err()
}

// personPatchRequest is the body of PATCH /people/{id}: a personRequest
// whose fields are all optional. JSON merge rules apply: an absent field
// (or null) is left as it is; "" clears end_date and
// manager_employee_number, and a start_date of "" is refused.
type personPatchRequest personRequest

func (h *handlers) createPerson(c *gin.Context) (reply, error) {
	var req personRequest
	if err := bindJSON(c, &req); err != nil {
		return reply{}, err
	}
	in, err := req.input()
	if err != nil {
		return reply{}, err
	}
	p, err := h.d.Training.CreatePerson(c.Request.Context(), actor(c), in)
	if err != nil {
		return reply{}, err
	}
	c.Header("Location", "/api/v1/people/"+p.ID)
	return reply{http.StatusCreated, h.toSavedPerson(c.Request.Context(), p)}, nil
}

func (h *handlers) getPerson(c *gin.Context) (reply, error) {
	p, err := h.d.Training.Person(c.Request.Context(), actor(c), c.Param("id"))
	if err != nil {
		return reply{}, err
	}
	return reply{http.StatusOK, h.toPerson(c.Request.Context(), p)}, nil
}

func (h *handlers) patchPerson(c *gin.Context) (reply, error) {
	// The body is checked on its own first (its media type, size, JSON and
	// field names and types), so a malformed one is refused whoever sends
	// it; then the same body is laid over the person as they are.
	raw, err := readJSON(c)
	if err != nil {
		return reply{}, err
	}
	if err := decodeJSON(raw, &personPatchRequest{}); err != nil {
		return reply{}, err
	}
	p, err := h.d.Training.UpdatePerson(c.Request.Context(), actor(c), c.Param("id"), func(in *training.PersonInput) error {
		req := personPatchRequest(personRequestOf(*in))
		if err := decodeJSON(raw, &req); err != nil {
			return err
		}
		next, err := personRequest(req).input()
		*in = next
		return err
	})
	if err != nil {
		return reply{}, err
	}
	return reply{http.StatusOK, h.toSavedPerson(c.Request.Context(), p)}, nil
}

func (h *handlers) listPeople(c *gin.Context) (reply, error) {
	page, err := pageRequest(c)
	if err != nil {
		return reply{}, err
	}
	status, err := training.ParseStatus("status", c.Query("status"))
	if err != nil {
		return reply{}, err
	}
	f := training.PeopleFilter{Department: c.Query("department"), Query: c.Query("q"), Status: status}
	if len(f.Query) > 200 || len(f.Department) > 200 {
		return reply{}, training.Invalid("q", "The search words and department must be 200 characters or fewer.")
	}
	res, err := h.d.Training.ListPeople(c.Request.Context(), actor(c), f, page)
	if err != nil {
		return reply{}, err
	}
	ctx := c.Request.Context()
	return reply{http.StatusOK, newList(res, func(p training.Person) personResponse { return h.toPerson(ctx, p) })}, nil
}

// check refuses a roles body without the list: {} or {"roles": null}
// would otherwise take every granted role away. An empty list ([]) says
// so on purpose.
func (r *rolesRequest) check() error {
	if r.Roles == nil {
		return invalidField("roles", "Enter the roles to grant, or an empty list to remove them all")
	}
	return nil
}

package httpapi

import (
	"mime"
	"net/http"
	"time"

	"github.com/gin-gonic/gin"

	"github.com/complytrack/complytrack/pkg/application"
	"github.com/complytrack/complytrack/pkg/training"
)

type decisionResponse struct {
	By     string    `json:"by"`
	At     time.Time `json:"at"`
	Reason string    `json:"reason,omitempty"`
}

type completionResponse struct {
	ID                  string            `json:"id"`
	PersonID            string            `json:"person_id"`
	CourseCode          string            `json:"course_code"`
	CompletedOn         training.Date     `json:"completed_on"`
	Source              training.Source   `json:"source"`
	State               training.State    `json:"state"`
	CertificateRef      string            `json:"certificate_ref,omitempty"`
	CertificateSHA256   string            `json:"certificate_sha256,omitempty"`
	CertificateFilename string            `json:"certificate_filename,omitempty"`
	RecordedBy          string            `json:"recorded_by"`
	RecordedAt          time.Time         `json:"recorded_at"`
	Review              *decisionResponse `json:"review,omitempty"`
	Revocation          *decisionResponse `json:"revocation,omitempty"`
}

func toCompletion(c training.Completion) completionResponse {
	r := completionResponse{ID: c.ID, PersonID: c.PersonID, CourseCode: c.CourseCode, CompletedOn: c.CompletedOn,
		Source: c.Source, State: c.State(), CertificateRef: c.CertificateRef, RecordedBy: c.RecordedBy, RecordedAt: c.RecordedAt}
	if c.Evidence != nil {
		r.CertificateSHA256, r.CertificateFilename = c.Evidence.SHA256, c.Evidence.Filename
	}
	if c.Review != nil {
		r.Review = &decisionResponse{By: c.Review.By, At: c.Review.At, Reason: c.Review.Reason}
	}
	if c.Revocation != nil {
		r.Revocation = &decisionResponse{By: c.Revocation.By, At: c.Revocation.At, Reason: c.Revocation.Reason}
	}
	return r
}

type completionRequest struct {
	CourseCode     string `json:"course_code"`
	CompletedOn    string `json:"completed_on"`
	CertificateRef string `json:"certificate_ref"`
}

// bindCompletion reads a completion as JSON, or as multipart/form-data
// with the certificate file, read by the one reader the web form uses too
// (application.ReadCompletionForm). The file is recognised by its first
// bytes, never by its name or declared type.
func bindCompletion(c *gin.Context) (training.CompletionInput, error) {
	mt, _, _ := mime.ParseMediaType(c.GetHeader("Content-Type"))
	var req completionRequest
	var certificate *training.Upload
	switch mt {
	case "application/json":
		if err := bindJSON(c, &req); err != nil {
			return training.CompletionInput{}, err
		}
	case "multipart/form-data":
		form, err := application.ReadCompletionForm(c.Request.Body, c.GetHeader("Content-Type"), "course_code", "completed_on", "certificate_ref")
		if err == nil {
			err = form.CertificateErr
		}
		if err != nil {
			return training.CompletionInput{}, err
		}
		req = completionRequest{CourseCode: form.Values["course_code"], CompletedOn: form.Values["completed_on"],
			CertificateRef: form.Values["certificate_ref"]}
		certificate = form.Certificate
	default:
		return training.CompletionInput{}, ErrUnsupportedMediaType
	}
	v := &training.ValidationError{}
	in := training.CompletionInput{
		CourseCode: req.CourseCode, CertificateRef: req.CertificateRef, Certificate: certificate,
		CompletedOn: parseDate(v, "completed_on", req.CompletedOn),
	}
	in.Problems = v.Fields // reported with the service's own checks
	return in, nil
}

func (h *handlers) selfCertify(c *gin.Context) (reply, error) {
	in, err := bindCompletion(c)
	if err != nil {
		return reply{}, err
	}
	done, err := h.app().SelfCertify(c.Request.Context(), actor(c), in)
	if err != nil {
		return reply{}, err
	}
	return reply{http.StatusCreated, toCompletion(done)}, nil
}

func (h *handlers) recordCompletion(c *gin.Context) (reply, error) {
	// Refused before the form is read: nobody uploads a file in vain.
	if err := h.app().MayRecordFor(c.Request.Context(), actor(c), c.Param("id")); err != nil {
		return reply{}, err
	}
	in, err := bindCompletion(c)
	if err != nil {
		return reply{}, err
	}
	done, err := h.app().RecordCompletion(c.Request.Context(), actor(c), c.Param("id"), in)
	if err != nil {
		return reply{}, err
	}
	return reply{http.StatusCreated, toCompletion(done)}, nil
}

func (h *handlers) listCompletions(c *gin.Context) (reply, error) {
	items, err := h.d.Training.CompletionsOf(c.Request.Context(), actor(c), c.Param("id"))
	if err != nil {
		return reply{}, err
	}
	out := list[completionResponse]{Items: make([]completionResponse, 0, len(items))}
	for _, it := range items {
		out.Items = append(out.Items, toCompletion(it))
	}
	return reply{http.StatusOK, out}, nil
}

func (h *handlers) certificate(c *gin.Context) (reply, error) {
	d, err := h.app().Certificate(c.Request.Context(), actor(c), c.Param("id"))
	if err != nil {
		return reply{}, err
	}
	application.Serve(c.Request.Context(), h.d.Logger, c.Writer, d)
	return reply{}, nil
}

type reasonRequest struct {
	Reason string `json:"reason"`
}

// bindReason reads an optional {reason} body (verify needs none).
func bindReason(c *gin.Context) (string, error) {
	if c.Request.ContentLength == 0 && c.GetHeader("Content-Type") == "" {
		return "", nil
	}
	var req reasonRequest
	if err := bindJSON(c, &req); err != nil {
		return "", err
	}
	return req.Reason, nil
}

func (h *handlers) decide(c *gin.Context, do func(reason string) (training.Completion, error)) (reply, error) {
	reason, err := bindReason(c)
	if err != nil {
		return reply{}, err
	}
	done, err := do(reason)
	if err != nil {
		return reply{}, err
	}
	return reply{http.StatusOK, toCompletion(done)}, nil
}

func (h *handlers) verify(c *gin.Context) (reply, error) {
	return h.decide(c, func(reason string) (training.Completion, error) {
		return h.d.Training.Review(c.Request.Context(), actor(c), c.Param("id"), true, reason)
	})
}

func (h *handlers) reject(c *gin.Context) (reply, error) {
	return h.decide(c, func(reason string) (training.Completion, error) {
		return h.d.Training.Review(c.Request.Context(), actor(c), c.Param("id"), false, reason)
	})
}

func (h *handlers) revoke(c *gin.Context) (reply, error) {
	return h.decide(c, func(reason string) (training.Completion, error) {
		return h.d.Training.Revoke(c.Request.Context(), actor(c), c.Param("id"), reason)
	})
}

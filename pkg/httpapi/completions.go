package httpapi

import (
	"errors"
	"fmt"
	"io"
	"mime"
	"mime/multipart"
	"net/http"
	"time"

	"github.com/gin-gonic/gin"

	"github.com/complytrack/complytrack/pkg/evidence"
	"github.com/complytrack/complytrack/pkg/training"
	"github.com/complytrack/complytrack/pkg/upload"
)

// maxMultipartBody bounds a completion with its certificate: the file limit
// plus room for the form's other fields.
const maxMultipartBody = training.MaxEvidenceBytes + 64<<10

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
// with the certificate file. The file is recognised by its first bytes,
// never by its name or declared type.
func bindCompletion(c *gin.Context) (training.CompletionInput, error) {
	mt, params, _ := mime.ParseMediaType(c.GetHeader("Content-Type"))
	var req completionRequest
	var certificate *training.Upload
	switch mt {
	case "application/json":
		if err := bindJSON(c, &req); err != nil {
			return training.CompletionInput{}, err
		}
	case "multipart/form-data":
		body := upload.NewBody(http.MaxBytesReader(c.Writer, c.Request.Body, maxMultipartBody), params["boundary"])
		u, err := readCompletionForm(multipart.NewReader(body, params["boundary"]), &req)
		if err == nil && !body.Complete() {
			err = fmt.Errorf("%w: %w", upload.ErrIncomplete, errBadForm)
		}
		if err != nil {
			return training.CompletionInput{}, err
		}
		certificate = u
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

// readCompletionForm streams the form's parts: three short text fields and
// at most one certificate file. Anything else is refused.
func readCompletionForm(mr *multipart.Reader, req *completionRequest) (*training.Upload, error) {
	if mr == nil {
		return nil, invalidField("body", "The request body must be a multipart form")
	}
	var upload *training.Upload
	for {
		part, err := mr.NextPart()
		if errors.Is(err, io.EOF) {
			return upload, nil
		}
		if err != nil {
			var mbe *http.MaxBytesError
			if errors.As(err, &mbe) {
				return nil, fmt.Errorf("form: %w", ErrTooLarge)
			}
			return nil, fmt.Errorf("multipart form: %v: %w", err, errBadForm)
		}
		name := part.FormName()
		switch name {
		case "course_code", "completed_on", "certificate_ref":
			b, err := io.ReadAll(io.LimitReader(part, 1025))
			if err != nil {
				return nil, wrapBodyErr(err)
			}
			if len(b) > 1024 {
				return nil, invalidField(name, "The %s must be 1024 characters or fewer", training.Label(name))
			}
			switch name {
			case "course_code":
				req.CourseCode = string(b)
			case "completed_on":
				req.CompletedOn = string(b)
			default:
				req.CertificateRef = string(b)
			}
		case evidence.Field:
			if upload != nil {
				return nil, invalidField(evidence.Field, "Send only one certificate file")
			}
			f, err := evidence.Read(part, training.MaxEvidenceBytes)
			if err != nil {
				if errors.Is(err, evidence.ErrTooLarge) {
					return nil, fmt.Errorf("certificate over %d MiB: %w", training.MaxEvidenceBytes>>20, ErrTooLarge)
				}
				return nil, wrapBodyErr(err)
			}
			upload = &training.Upload{Data: f.Data, SHA256: f.SHA256, ContentType: f.ContentType,
				Filename: evidence.SafeFilename(part.FileName(), f.ContentType)}
		default:
			return nil, invalidField(name, "Remove the field %q: this form does not have it", name)
		}
		_ = part.Close()
	}
}

// errBadForm marks a form that cannot be read to its end (cut off, or
// not multipart at all): the request is malformed, a 400.
var errBadForm = fmt.Errorf("malformed multipart form: %w", training.ErrInvalid)

// wrapBodyErr classifies an error reading a form part: over the size
// limit, or a body that ends early or is not a form.
func wrapBodyErr(err error) error {
	var mbe *http.MaxBytesError
	if errors.As(err, &mbe) {
		return fmt.Errorf("body: %w", ErrTooLarge)
	}
	var ve *training.ValidationError
	if errors.As(err, &ve) {
		return err
	}
	return fmt.Errorf("multipart form: %v: %w", err, errBadForm)
}

func (h *handlers) selfCertify(c *gin.Context) {
	in, err := bindCompletion(c)
	if err != nil {
		fail(c, err)
		return
	}
	done, err := h.d.Training.SelfCertify(c.Request.Context(), actor(c), in)
	if err != nil {
		fail(c, err)
		return
	}
	c.JSON(http.StatusCreated, toCompletion(done))
}

func (h *handlers) recordCompletion(c *gin.Context) {
	if err := h.d.Training.MayRecordFor(c.Request.Context(), actor(c), c.Param("id")); err != nil {
		fail(c, err)
		return
	}
	in, err := bindCompletion(c)
	if err != nil {
		fail(c, err)
		return
	}
	done, err := h.d.Training.RecordCompletion(c.Request.Context(), actor(c), c.Param("id"), in)
	if err != nil {
		fail(c, err)
		return
	}
	c.JSON(http.StatusCreated, toCompletion(done))
}

func (h *handlers) listCompletions(c *gin.Context) {
	items, err := h.d.Training.CompletionsOf(c.Request.Context(), actor(c), c.Param("id"))
	if err != nil {
		fail(c, err)
		return
	}
	out := list[completionResponse]{Items: make([]completionResponse, 0, len(items))}
	for _, it := range items {
		out.Items = append(out.Items, toCompletion(it))
	}
	c.JSON(http.StatusOK, out)
}

func (h *handlers) certificate(c *gin.Context) {
	f, err := h.d.Training.Certificate(c.Request.Context(), actor(c), c.Param("id"))
	if err != nil {
		fail(c, err)
		return
	}
	// Served as an attachment with its sniffed type: never rendered inline
	// from our origin, never sniffed into something else by the browser.
	c.Header("Content-Disposition", mime.FormatMediaType("attachment", map[string]string{"filename": f.Filename}))
	c.Header("Content-Security-Policy", "default-src 'none'; sandbox")
	c.Header("Cache-Control", "private, no-store")
	c.Data(http.StatusOK, f.ContentType, f.Data)
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

func (h *handlers) decide(c *gin.Context, do func(reason string) (training.Completion, error)) {
	reason, err := bindReason(c)
	if err != nil {
		fail(c, err)
		return
	}
	done, err := do(reason)
	if err != nil {
		fail(c, err)
		return
	}
	c.JSON(http.StatusOK, toCompletion(done))
}

func (h *handlers) verify(c *gin.Context) {
	h.decide(c, func(reason string) (training.Completion, error) {
		return h.d.Training.Review(c.Request.Context(), actor(c), c.Param("id"), true, reason)
	})
}

func (h *handlers) reject(c *gin.Context) {
	h.decide(c, func(reason string) (training.Completion, error) {
		return h.d.Training.Review(c.Request.Context(), actor(c), c.Param("id"), false, reason)
	})
}

func (h *handlers) revoke(c *gin.Context) {
	h.decide(c, func(reason string) (training.Completion, error) {
		return h.d.Training.Revoke(c.Request.Context(), actor(c), c.Param("id"), reason)
	})
}

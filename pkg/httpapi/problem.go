package httpapi

import (
	"errors"
	"log/slog"
	"math"
	"net/http"
	"strconv"

	"github.com/gin-gonic/gin"

	"github.com/complytrack/complytrack/pkg/accounts"
	"github.com/complytrack/complytrack/pkg/training"
)

// Problem is an RFC 9457 problem details body.
type Problem struct {
	Type   string                `json:"type"`
	Title  string                `json:"title"`
	Status int                   `json:"status"`
	Detail string                `json:"detail,omitempty"`
	Errors []training.FieldError `json:"errors,omitempty"`
}

const problemContentType = "application/problem+json"

// writeProblem answers with a problem body and stops the handler chain.
func writeProblem(c *gin.Context, p Problem) {
	if p.Type == "" {
		p.Type = "about:blank"
	}
	if p.Title == "" {
		p.Title = http.StatusText(p.Status)
	}
	c.Header("Content-Type", problemContentType)
	c.Header("Cache-Control", "no-store")
	c.AbortWithStatusJSON(p.Status, p)
}

// ErrTooLarge marks a body or upload over its size limit.
var ErrTooLarge = errors.New("request body too large")

// fail is the one place that turns an error into a status code and a
// problem body. Domain sentinels decide the status; anything else is a 500
// whose details are logged, never shown.
func fail(c *gin.Context, err error) {
	var ve *training.ValidationError
	var mbe *http.MaxBytesError
	var rle *accounts.RateLimitError
	switch {
	case errors.As(err, &ve):
		writeProblem(c, Problem{Status: http.StatusUnprocessableEntity, Title: "Invalid input",
			Detail: "Some fields are not valid: see errors.", Errors: ve.Fields})
	case errors.Is(err, ErrTooLarge), errors.As(err, &mbe):
		writeProblem(c, Problem{Status: http.StatusRequestEntityTooLarge, Detail: "The request is larger than this endpoint accepts."})
	case errors.Is(err, ErrUnsupportedMediaType):
		writeProblem(c, Problem{Status: http.StatusUnsupportedMediaType, Detail: "Send the body as JSON with Content-Type: application/json."})
	case errors.Is(err, training.ErrInvalid):
		writeProblem(c, Problem{Status: http.StatusBadRequest, Detail: "The request could not be understood."})
	case errors.Is(err, training.ErrUnauthenticated):
		c.Header("WWW-Authenticate", `Bearer realm="complytrack"`)
		writeProblem(c, Problem{Status: http.StatusUnauthorized, Detail: "Sign in to do this."})
	case errors.Is(err, training.ErrForbidden):
		writeProblem(c, Problem{Status: http.StatusForbidden, Detail: "Your role does not allow this."})
	case errors.Is(err, training.ErrNotFound):
		writeProblem(c, Problem{Status: http.StatusNotFound, Detail: "There is nothing here, or you may not see it."})
	case errors.Is(err, training.ErrConflict):
		writeProblem(c, Problem{Status: http.StatusConflict, Detail: conflictDetail(err)})
	case errors.As(err, &rle):
		secs := int(math.Ceil(rle.RetryAfter.Seconds()))
		c.Header("Retry-After", strconv.Itoa(max(secs, 1)))
		writeProblem(c, Problem{Status: http.StatusTooManyRequests, Detail: rle.Error()})
	case clientClosed(c, err):
		// Nobody is waiting for an answer, and nothing failed here: the
		// access log records the request as closed by its client.
		c.AbortWithStatus(StatusClientClosedRequest)
	default:
		slog.ErrorContext(c.Request.Context(), "request failed", "method", c.Request.Method, "path", c.FullPath(), "err", err)
		writeProblem(c, Problem{Status: http.StatusInternalServerError, Detail: "Something went wrong on our side. It has been logged."})
	}
}

// conflictDetail gives a conflict's public message. A domain conflict may
// carry a safe message of its own (training.Conflict); otherwise a generic
// one is shown.
func conflictDetail(err error) string {
	var pe interface{ PublicMessage() string }
	if errors.As(err, &pe) {
		return pe.PublicMessage()
	}
	return "This conflicts with something that already exists."
}

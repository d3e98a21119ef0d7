// Package problem decides what a caller is told when a request fails: the
// HTTP status, one plain-English sentence, the invalid fields, and how long
// to wait before trying again. The JSON API (as problem+json) and the web
// pages (as GOV.UK error pages and error summaries) both answer from
// Classify, so a failure reads the same through either door and neither
// can forget a kind of failure and answer 500.
//
// Failures are recognised by type, never by message text: the sentinels
// and error types of the packages that make them (training.ErrNotFound,
// *training.ValidationError, *accounts.RateLimitError, evidence.ErrTooLarge,
// upload.ErrIncomplete, and the transport's own below), and the database
// driver's for a database that does not answer (mongodb.Unreachable).
package problem

import (
	"context"
	"errors"
	"net/http"
	"time"

	"github.com/complytrack/complytrack/pkg/accounts"
	"github.com/complytrack/complytrack/pkg/evidence"
	"github.com/complytrack/complytrack/pkg/mongodb"
	"github.com/complytrack/complytrack/pkg/training"
	"github.com/complytrack/complytrack/pkg/upload"
)

// Failures of reading a request, found by the transports.
var (
	// ErrTooLarge: a body or an upload over its size limit.
	ErrTooLarge = errors.New("request body too large")
	// ErrUnsupportedMediaType: a body that is not of a type the address takes.
	ErrUnsupportedMediaType = errors.New("unsupported media type")
)

// StatusClientClosedRequest is the status of a request whose client went
// away before it was answered (nginx's 499): nobody reads the answer, and
// nothing went wrong on our side.
const StatusClientClosedRequest = 499

// Public is an error whose message is written for the person who made the
// request: a sentence such as "Someone else already has the employee
// number E123." (training.Conflict, the scheduler's refusals, the sign-in
// pause). Only conflicts and rate limits show it; any other error's text
// stays in the log.
type Public interface {
	error
	PublicMessage() string
}

// Problem is what the caller is told about a failed request.
type Problem struct {
	Status int
	// Title is a short heading for the status; empty: the status's own text.
	Title string
	// Detail is one plain-English sentence for the person who sent the
	// request. It never holds internals.
	Detail string
	// Fields are the invalid inputs, each with its sentence (status 422).
	Fields []training.FieldError
	// RetryAfter is how long to wait before trying again (status 429 and
	// 503).
	RetryAfter time.Duration
	// Public is the error's own message for the caller, when it has one
	// (see Public); Detail holds it too.
	Public bool
}

// Unexpected reports whether the failure is ours rather than the
// request's: it is logged, with the request ID the caller is shown.
func (p Problem) Unexpected() bool { return p.Status >= http.StatusInternalServerError }

// Messages of the classification, also used by the transports where they
// answer the same situation without an error value.
const (
	InvalidFieldsMessage = "Some fields are not valid: see errors."
	UnexpectedMessage    = "Something went wrong on our side. It has been logged."
	ConflictMessage      = "This conflicts with something that already exists."
	UnavailableMessage   = "The database is not reachable. Try again in a minute."
)

// UnavailableRetry is the Retry-After of a request refused because the
// database does not answer: the minute UnavailableMessage promises, long
// enough for a restarted database or a replica set's election.
const UnavailableRetry = time.Minute

// Classify turns any error into what the caller is told. ctx is the
// request's: a cancellation is the client going away only while that
// context is done. An error of no known kind is a 500 with a generic
// message; the caller logs it.
func Classify(ctx context.Context, err error) Problem {
	var (
		ve  *training.ValidationError
		mbe *http.MaxBytesError
		rle *accounts.RateLimitError
		pub Public
	)
	switch {
	case err == nil:
		return Problem{Status: http.StatusOK}
	case errors.As(err, &ve):
		return Problem{Status: http.StatusUnprocessableEntity, Title: "Invalid input", Detail: InvalidFieldsMessage, Fields: ve.Fields}
	case errors.Is(err, ErrTooLarge), errors.Is(err, evidence.ErrTooLarge), errors.As(err, &mbe):
		return Problem{Status: http.StatusRequestEntityTooLarge, Detail: "The request is larger than this endpoint accepts."}
	case errors.Is(err, ErrUnsupportedMediaType):
		return Problem{Status: http.StatusUnsupportedMediaType, Detail: "Send the body as JSON with Content-Type: application/json."}
	case errors.Is(err, training.ErrInvalid), errors.Is(err, upload.ErrIncomplete):
		return Problem{Status: http.StatusBadRequest, Detail: "The request could not be understood."}
	case errors.Is(err, training.ErrUnauthenticated):
		return Problem{Status: http.StatusUnauthorized, Detail: "Sign in to do this."}
	case errors.Is(err, training.ErrForbidden):
		if errors.As(err, &pub) {
			return Problem{Status: http.StatusForbidden, Detail: pub.PublicMessage(), Public: true}
		}
		return Problem{Status: http.StatusForbidden, Detail: "Your role does not allow this."}
	case errors.Is(err, training.ErrNotFound):
		return Problem{Status: http.StatusNotFound, Detail: "There is nothing here, or you may not see it."}
	case errors.Is(err, training.ErrConflict):
		if errors.As(err, &pub) {
			return Problem{Status: http.StatusConflict, Detail: pub.PublicMessage(), Public: true}
		}
		return Problem{Status: http.StatusConflict, Detail: ConflictMessage}
	case errors.As(err, &rle):
		return Problem{Status: http.StatusTooManyRequests, Detail: rle.PublicMessage(), Public: true,
			RetryAfter: max(rle.RetryAfter, time.Second)}
	case ctx != nil && ctx.Err() != nil && errors.Is(err, context.Canceled):
		return Problem{Status: StatusClientClosedRequest}
	case mongodb.Unreachable(err):
		// After the client's cancellation: a request whose client left
		// while the driver waited for a server is the client's going.
		return Problem{Status: http.StatusServiceUnavailable, Detail: UnavailableMessage, RetryAfter: UnavailableRetry}
	default:
		return Problem{Status: http.StatusInternalServerError, Detail: UnexpectedMessage}
	}
}

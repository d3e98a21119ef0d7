package web

import (
	"cmp"
	"context"
	"math"
	"net/http"
	"slices"
	"sort"
	"strconv"

	"github.com/gin-gonic/gin"

	"github.com/complytrack/complytrack/pkg/logging"
	"github.com/complytrack/complytrack/pkg/problem"
	"github.com/complytrack/complytrack/pkg/training"
)

// How the pages answer a failure. problem.Classify decides what it is (the
// same classification as the API's); the pages decide how it looks:
//
//   - A form's own problems (invalid fields, a conflict, a paused sign-in,
//     a request it cannot read) are shown on the form again, in the
//     GOV.UK error summary and above each input (formFailed with the
//     form's formErrors). No handler lists the kinds of failure itself,
//     so none can forget one and answer 500.
//   - Anything else gets its page (fail): sign-in when the session has
//     ended, 403, 404, a page with the sentence for the rest, a logged
//     503 saying to try again when the database does not answer, and for
//     a failure of ours a logged 500 quoting the request's reference.

// formErrors says how one form shows the domain's answer to it.
type formErrors struct {
	// Inputs maps a domain field ("start_date") to the id of the input its
	// message sits above and the error summary links to.
	Inputs map[string]string
	// Fallback is the input for a field the form has no input for (the
	// course stopped applying, say) and for a refusal of the whole form
	// (a conflict): the form's first input.
	Fallback string
	// Order is the form's inputs in page order, for the error summary;
	// nil keeps the domain's order.
	Order []string
	// Ours are the problems the form found reading itself, by domain
	// field (a date that is not a date). Each is shown in place of the
	// domain's message for that field, and shown when the domain names
	// no problem at all.
	Ours map[string]fieldError
	// Say words a field's message for this form; nil: the domain's
	// sentence with its dates written out (plainDates).
	Say func(f training.FieldError) string
	// Conflict is the sentence for a conflict that carries no message of
	// its own; empty: "This has changed since you opened the page…".
	Conflict string
	// Status, when set, is the status of every form error: a list's
	// filters answer 400. Zero: the classification's (422, 409, 429).
	Status int
}

const conflictFallbackMessage = "This has changed since you opened the page: go back and try again."

// errors turns a classified failure into the form's errors and the status
// to show them with; ok is false when the failure is not about what the
// form sent (not signed in, not allowed, ours), which the form cannot fix.
// A nil error with problems of ours is a form error too.
func (f formErrors) errors(p problem.Problem) (errs []fieldError, status int, ok bool) {
	named := map[string]bool{}
	switch {
	case len(p.Fields) > 0:
		for _, fe := range p.Fields {
			named[fe.Field] = true
			if e, ok := f.Ours[fe.Field]; ok {
				errs = append(errs, e)
				continue
			}
			id, ok := f.Inputs[fe.Field]
			if !ok {
				id = f.Fallback
			}
			errs = append(errs, fieldError{ID: id, Message: f.say(fe)})
		}
	case p.Status == http.StatusConflict:
		msg := capitalise(p.Detail)
		if !p.Public {
			msg = cmp.Or(f.Conflict, conflictFallbackMessage)
		}
		errs = append(errs, fieldError{ID: f.Fallback, Message: msg})
	case p.Status == http.StatusTooManyRequests, p.Status == http.StatusBadRequest:
		errs = append(errs, fieldError{ID: f.Fallback, Message: p.Detail})
	case p.Status == http.StatusOK && len(f.Ours) > 0:
		p.Status = http.StatusUnprocessableEntity
	default:
		return nil, 0, false
	}
	// What the form found that the domain did not name (it was not asked:
	// nothing is sent to it while a date is not a date).
	var fields []string
	for field := range f.Ours {
		if !named[field] {
			fields = append(fields, field)
		}
	}
	sort.Strings(fields)
	for _, field := range fields {
		errs = append(errs, f.Ours[field])
	}
	errs = slices.CompactFunc(errs, func(a, b fieldError) bool { return a == b })
	if f.Order != nil {
		// An input the order does not name goes last.
		at := func(id string) int {
			if i := slices.Index(f.Order, id); i >= 0 {
				return i
			}
			return len(f.Order)
		}
		slices.SortStableFunc(errs, func(a, b fieldError) int { return at(a.ID) - at(b.ID) })
	}
	status = p.Status
	if f.Status != 0 {
		status = f.Status
	}
	return errs, status, true
}

func (f formErrors) say(fe training.FieldError) string {
	if f.Say != nil {
		return f.Say(fe)
	}
	return capitalise(plainDates(fe.Message))
}

// formFailed answers the form's err: the form again with its errors
// (show renders it with the status and the errors), or the page fail
// gives anything the form cannot fix. err may be nil when the form found
// problems of its own (f.Ours).
func (s *Server) formFailed(c *gin.Context, err error, f formErrors, show func(status int, errs []fieldError)) {
	if errs, status, ok := f.errors(problem.Classify(c.Request.Context(), err)); ok {
		show(status, errs)
		return
	}
	s.fail(c, err)
}

// isInputError reports whether err is about what the request asked for
// (a filter, a page link) rather than a failure: the page can be shown
// without it.
func isInputError(err error) bool {
	return len(problem.Classify(context.Background(), err).Fields) > 0
}

// fail answers an error with its page: the sign-in page when the session
// has ended, 403, 404, a page with the plain-English sentence for the rest
// of the request's mistakes, a logged 503 (with Retry-After) while the
// database does not answer, or a logged 500 that shows no internals but
// the request's reference.
func (s *Server) fail(c *gin.Context, err error) {
	ctx := c.Request.Context()
	p := problem.Classify(ctx, err)
	switch {
	case p.Status == http.StatusUnauthorized:
		s.clearSession(c)
		c.Redirect(http.StatusSeeOther, "/sign-in")
		c.Abort()
	case p.Status == http.StatusForbidden:
		s.render(c, http.StatusForbidden, "error.html", page{Title: "You cannot do this", Data: errorPage{
			Paragraphs: []string{"Your role does not allow it. If you think it should, ask HR."},
			LinkHref:   "/", LinkText: "Go to the start page"}})
	case p.Status == http.StatusNotFound:
		s.NotFound(c)
	case p.Status == problem.StatusClientClosedRequest:
		// The browser went away: nobody is waiting for the page, and
		// nothing failed here. Only reads end so; the router lets a form's
		// write finish whoever leaves. The access log shows 499.
		c.AbortWithStatus(p.Status)
	case p.Status == http.StatusServiceUnavailable:
		// The database does not answer: nothing is wrong with the request
		// or the page, and trying again later works.
		s.d.Logger.ErrorContext(ctx, "page failed", "method", c.Request.Method, "path", c.FullPath(), logging.Err(err))
		c.Header("Retry-After", strconv.Itoa(int(math.Ceil(p.RetryAfter.Seconds()))))
		s.render(c, http.StatusServiceUnavailable, "error.html", s.unavailablePage(c))
	case p.Unexpected():
		s.d.Logger.ErrorContext(ctx, "page failed", "method", c.Request.Method, "path", c.FullPath(), logging.Err(err))
		s.render(c, http.StatusInternalServerError, "error.html", s.serverErrorPage(c))
	default:
		s.render(c, p.Status, "error.html", refusedPage(p))
	}
}

// refusedPage is the page for a request the service refused, outside any
// form that could show why: what is wrong, in the classification's words
// or the invalid fields' own.
func refusedPage(p problem.Problem) page {
	title, paragraphs := "There is a problem", []string{p.Detail}
	switch p.Status {
	case http.StatusConflict:
		title = "This could not be done"
		if !p.Public {
			paragraphs = []string{conflictFallbackMessage}
		}
	case http.StatusTooManyRequests:
		title = "Try again later"
	case http.StatusRequestEntityTooLarge:
		title, paragraphs = "What you sent is too large", []string{"Go back and send something smaller."}
	case http.StatusBadRequest, http.StatusUnsupportedMediaType:
		title, paragraphs = "The form could not be read", []string{"Go back, reload the page and try again."}
	}
	if len(p.Fields) > 0 {
		paragraphs = nil
		for _, f := range p.Fields {
			paragraphs = append(paragraphs, capitalise(plainDates(f.Message)))
		}
	}
	for i, para := range paragraphs {
		paragraphs[i] = capitalise(para)
	}
	return page{Title: title, Data: errorPage{Paragraphs: paragraphs, LinkHref: "/", LinkText: "Go to the start page"}}
}

// unavailablePage is the 503 page, GOV.UK's "service unavailable" in the
// classification's words, with the request's reference like the 500 page.
func (s *Server) unavailablePage(c *gin.Context) page {
	return page{Title: "Sorry, the service is unavailable", Data: errorPage{
		Paragraphs: []string{problem.UnavailableMessage, "If you were sending a form, check whether it was recorded before you send it again."},
		Reference:  logging.RequestID(c.Request.Context()),
	}}
}

// serverErrorPage is the 500 page. It quotes the request's reference (its
// ID in the logs), so that whoever helps can find what went wrong.
func (s *Server) serverErrorPage(c *gin.Context) page {
	return page{Title: "Sorry, there is a problem with the service", Data: errorPage{
		Paragraphs: []string{"Try again later. Nothing you sent was recorded unless a page said so."},
		Reference:  logging.RequestID(c.Request.Context()),
	}}
}

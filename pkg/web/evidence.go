package web

import (
	"context"
	"errors"
	"net/http"
	"net/url"

	"github.com/gin-gonic/gin"

	"github.com/complytrack/complytrack/pkg/training"
)

// evidencePage is the content of evidence.html.
type evidencePage struct {
	Items []pendingRow
	// Reviewable is how many of Items the viewer may decide: the "Verify
	// selected" form is offered only when there are some.
	Reviewable int
	// Refused lists the completions of a "Verify selected" that were not
	// verified, each with why.
	Refused []refusedReview
}

type pendingRow struct {
	ID, PersonID, Person, EmployeeNumber string
	Course, CompletedOn, RecordedOn      string
	CertificateName, CertificateRef      string
	// Reason is what was typed before a refused rejection.
	Reason string
	// CanReview: the viewer may verify or reject this one (the domain's
	// rule), so its forms are shown. An auditor sees the rest read-only.
	CanReview bool
	// Preview is how the certificate is shown in the page: "pdf" in a
	// sandboxed frame, "image" as an image, "" not at all (none stored).
	Preview string
	// Selected: ticked in a "Verify selected" that is shown again.
	Selected bool
}

// SelectID is the id of the row's "Verify selected" checkbox.
func (r pendingRow) SelectID() string { return selectInput(r.ID) }

func selectInput(id string) string { return "select-" + id }

// reasonInput is the id of the reason field of completion id's forms.
func reasonInput(id string) string { return "reason-" + id }

// ReasonID is the reason field's id in the template.
func (r pendingRow) ReasonID() string { return reasonInput(r.ID) }

// evidence lists the completions waiting for the viewer to verify: HR
// all of them, a line manager their reporting line's (per the course's
// verification rule). Auditors see the list read-only.
func (s *Server) evidence(c *gin.Context) error {
	s.renderEvidence(c, http.StatusOK, nil, "", "")
	return nil
}

func (s *Server) renderEvidence(c *gin.Context, status int, errs []fieldError, failedID, reason string) {
	s.renderEvidencePage(c, status, evidenceOutcome{errs: errs, failedID: failedID, reason: reason})
}

// evidenceOutcome is what the evidence page shows of the form just sent.
type evidenceOutcome struct {
	errs             []fieldError
	failedID, reason string // a refused rejection, with what was typed
	banner           *banner
	refused          []refusedReview
	selected         map[string]bool
}

func (s *Server) renderEvidencePage(c *gin.Context, status int, out evidenceOutcome) {
	items, err := s.d.Training.PendingCompletions(c.Request.Context(), principal(c).Actor())
	if err != nil {
		s.fail(c, err)
		return
	}
	actor := principal(c).Actor()
	failedID, reason := out.failedID, out.reason
	data := evidencePage{Refused: out.refused}
	for _, it := range items {
		row := pendingRow{ID: it.Completion.ID, PersonID: it.Person.ID, Person: it.Person.FullName(),
			EmployeeNumber: it.Person.EmployeeNumber, Course: it.Course.Title, CompletedOn: longDate(it.Completion.CompletedOn),
			RecordedOn:     longDate(training.DateOf(it.Completion.RecordedAt.In(s.d.Training.Location()))),
			CertificateRef: it.Completion.CertificateRef, CanReview: s.d.Training.MayReview(actor, it)}
		if row.Course == "" {
			row.Course = it.Completion.CourseCode
		}
		if it.Completion.Evidence != nil {
			row.CertificateName = it.Completion.Evidence.Filename
			row.Preview = previewKind(it.Completion.Evidence.ContentType)
		}
		if row.ID == failedID {
			row.Reason = reason
		}
		if row.CanReview {
			data.Reviewable++
			row.Selected = out.selected[row.ID]
		}
		data.Items = append(data.Items, row)
	}
	pg := page{Title: "Evidence to verify", Errors: out.errs, Data: data, Banner: out.banner}
	if pg.Banner == nil {
		pg.Banner = s.reviewBanner(c, actor)
	}
	s.render(c, status, "evidence.html", pg)
}

// reviewBanner confirms a decision just taken, naming the person and the
// course. The address carries only the completion's id: the names are read
// from the record, as the viewer may see it, so a crafted link can show
// nothing the viewer could not see anyway, and only a decision the viewer
// took themselves.
func (s *Server) reviewBanner(c *gin.Context, actor training.Actor) *banner {
	id := c.Query("reviewed")
	if id == "" {
		return nil
	}
	done, whose, ok := s.decided(c.Request.Context(), actor, id)
	if !ok || done.Review == nil || done.Review.By != actor.PersonID {
		return nil
	}
	what := whose + " completion"
	switch done.State() {
	case training.StateAccepted:
		return &banner{Success: true, Heading: "Verified " + what + ": it now counts."}
	case training.StateRejected:
		return &banner{Success: true, Heading: "Rejected " + what + ": they can see your reason."}
	}
	return nil
}

// decided reads a completion as the actor may see it and names it the way
// the banners do: "Ada Lovelace’s Prevent awareness". ok is false when the
// actor may not see it (or it is gone): then nothing is named.
func (s *Server) decided(ctx context.Context, actor training.Actor, id string) (training.Completion, string, bool) {
	done, err := s.d.Training.Completion(ctx, actor, id)
	if err != nil {
		return done, "", false
	}
	person, err := s.d.Training.Person(ctx, actor, done.PersonID)
	if err != nil {
		return done, "", false
	}
	title := done.CourseCode
	if course, err := s.d.Training.Course(ctx, done.CourseCode); err == nil && course.Title != "" {
		title = course.Title
	}
	return done, person.FullName() + "’s " + title, true
}

func (s *Server) verifyCompletion(c *gin.Context) error { s.review(c, true); return nil }
func (s *Server) rejectCompletion(c *gin.Context) error { s.review(c, false); return nil }

// review verifies or rejects one completion; the domain decides whether
// the viewer may. A rejection without a reason shows the list again with
// the error.
func (s *Server) review(c *gin.Context, accept bool) {
	id := c.Param("id")
	reason := training.TrimText(c.PostForm("reason"))
	_, err := s.d.Training.Review(c.Request.Context(), principal(c).Actor(), id, accept, reason)
	switch {
	case errors.Is(err, training.ErrConflict):
		// Not a mistake in the form: someone else decided first.
		s.render(c, http.StatusConflict, "error.html", page{Title: "This has been dealt with already", Data: errorPage{
			Paragraphs: []string{"Someone verified or rejected this completion before you did."},
			LinkHref:   "/evidence", LinkText: "Back to the evidence to verify"}})
	case err != nil:
		f := formErrors{Fallback: reasonInput(id), Say: reasonMessage(reason, "Enter the reason you are rejecting it, so the person can put it right.")}
		s.formFailed(c, err, f, func(status int, errs []fieldError) {
			s.renderEvidence(c, status, errs, id, reason)
		})
	default:
		c.Redirect(http.StatusSeeOther, "/evidence?reviewed="+url.QueryEscape(id))
	}
}

// reasonMessage words the problem with a reason: missing when none was
// given, else the domain's sentence (too long, a line break).
func reasonMessage(reason, missing string) func(training.FieldError) string {
	return func(f training.FieldError) string {
		if reason == "" {
			return missing
		}
		return f.Message
	}
}

// revokePage is the content of evidence_revoke.html.
type revokePage struct {
	ID, PersonID, Person, Course, CompletedOn, State string
	Reason                                           string
	Done                                             bool
}

// revokeForm asks HR why a completion is withdrawn.
func (s *Server) revokeForm(c *gin.Context) error {
	s.renderRevoke(c, http.StatusOK, nil, "")
	return nil
}

func (s *Server) renderRevoke(c *gin.Context, status int, errs []fieldError, reason string) {
	ctx := c.Request.Context()
	actor := principal(c).Actor()
	done, err := s.d.Training.Completion(ctx, actor, c.Param("id"))
	if err != nil {
		s.fail(c, err)
		return
	}
	person, err := s.d.Training.Person(ctx, actor, done.PersonID)
	if err != nil {
		s.fail(c, err)
		return
	}
	course, err := s.d.Training.Course(ctx, done.CourseCode)
	if err != nil {
		s.fail(c, err)
		return
	}
	data := revokePage{ID: done.ID, PersonID: person.ID, Person: person.FullName(), Course: course.Title,
		CompletedOn: longDate(done.CompletedOn), State: stateLabels[done.State()], Reason: reason, Done: done.Revocation != nil}
	title := "Revoke " + person.FullName() + "’s " + course.Title + " completion"
	if data.Done {
		title = person.FullName() + "’s " + course.Title + " completion, revoked"
	}
	pg := page{Title: title, Errors: errs, Data: data}
	if c.Query("revoked") != "" && data.Done {
		pg.Banner = &banner{Success: true, Heading: "Revoked: it no longer counts"}
	}
	s.render(c, status, "evidence_revoke.html", pg)
}

// revoke withdraws a completion with a reason (HR only; the domain says).
func (s *Server) revoke(c *gin.Context) error {
	id := c.Param("id")
	reason := training.TrimText(c.PostForm("reason"))
	_, err := s.d.Training.Revoke(c.Request.Context(), principal(c).Actor(), id, reason)
	if err != nil {
		f := formErrors{Fallback: "reason", Say: reasonMessage(reason, "Enter the reason you are revoking it."),
			Conflict: "This completion was revoked already."}
		s.formFailed(c, err, f, func(status int, errs []fieldError) {
			s.renderRevoke(c, status, errs, reason)
		})
		return nil
	}
	c.Redirect(http.StatusSeeOther, "/completions/"+id+"/revoke?revoked=1")
	return nil
}

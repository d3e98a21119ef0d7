package web

import (
	"errors"
	"fmt"
	"mime"
	"net/http"
	"strings"

	"github.com/gin-gonic/gin"

	"github.com/complytrack/complytrack/pkg/application"
	"github.com/complytrack/complytrack/pkg/evidence"
	"github.com/complytrack/complytrack/pkg/training"
)

// maxVerifySelected is the most completions one "Verify selected" decides:
// each is a decision of its own with its audit entry, so a form that ticks
// thousands is refused rather than left running.
const maxVerifySelected = 200

// selectField is the name of the evidence page's checkboxes.
const selectField = "completion"

// refusedReview is one completion of a "Verify selected" that was not
// verified: What names it when the viewer may see it, Why says what to do.
type refusedReview struct {
	What, Why string
}

// verifySelected verifies every completion ticked on the evidence page.
// Each goes through the same Review call as its own Verify button, so each
// is authorised on its own: what the viewer may not decide, or someone
// decided first, is reported by name and the rest are verified. Someone who
// may decide none of them (an auditor) is refused the whole form.
func (s *Server) verifySelected(c *gin.Context) error {
	ctx := c.Request.Context()
	actor := principal(c).Actor()
	ids := uniqueNonEmpty(c.PostFormArray(selectField))
	selected := make(map[string]bool, len(ids))
	for _, id := range ids {
		selected[id] = true
	}
	switch {
	case len(ids) == 0:
		s.renderEvidencePage(c, http.StatusUnprocessableEntity, evidenceOutcome{
			errs: []fieldError{{ID: s.firstReviewable(c), Message: "Select the completions you want to verify."}}})
		return nil
	case len(ids) > maxVerifySelected:
		s.renderEvidencePage(c, http.StatusUnprocessableEntity, evidenceOutcome{selected: selected,
			errs: []fieldError{{ID: s.firstReviewable(c), Message: fmt.Sprintf("Select %d or fewer completions at a time.", maxVerifySelected)}}})
		return nil
	}
	var verified []string
	var refused []refusedReview
	forbidden := 0
	for _, id := range ids {
		_, err := s.d.Training.Review(ctx, actor, id, true, "")
		_, whose, visible := s.decided(ctx, actor, id)
		if err == nil {
			verified = append(verified, whose)
			continue
		}
		why, known := refusalReason(err)
		if !known {
			return err
		}
		if errors.Is(err, training.ErrForbidden) || errors.Is(err, training.ErrNotFound) {
			forbidden++
		}
		if !visible {
			whose = "A completion you selected"
		}
		refused = append(refused, refusedReview{What: whose, Why: why})
	}
	if forbidden == len(ids) && actor.Auditor && !actor.HR {
		return training.ErrForbidden
	}
	out := evidenceOutcome{refused: refused}
	if len(verified) > 0 {
		out.banner = &banner{Success: true, Heading: verifiedHeading(verified)}
	}
	status := http.StatusOK
	if len(verified) == 0 {
		status = http.StatusConflict
		if forbidden == len(ids) {
			status = http.StatusForbidden
		}
	}
	s.renderEvidencePage(c, status, out)
	return nil
}

// verifiedHeading names every completion verified: "Verified: Ada
// Lovelace’s Prevent awareness and Alan Turing’s Channel awareness."
func verifiedHeading(names []string) string {
	return "Verified: " + andList(names) + "."
}

// andList joins "a", "b" and "c" as "a, b and c".
func andList(items []string) string {
	switch len(items) {
	case 0:
		return ""
	case 1:
		return items[0]
	}
	return strings.Join(items[:len(items)-1], ", ") + " and " + items[len(items)-1]
}

// refusalReason is the sentence for a completion not verified, for the
// domain's refusals; known is false for any other error (a fault).
func refusalReason(err error) (why string, known bool) {
	var ve *training.ValidationError
	switch {
	case errors.Is(err, training.ErrConflict):
		return "Someone verified or rejected it before you did.", true
	case errors.Is(err, training.ErrForbidden):
		return "You cannot verify this one: it is for HR or their line manager to decide.", true
	case errors.Is(err, training.ErrNotFound):
		return "It is no longer waiting for verification, or you cannot see it.", true
	case errors.As(err, &ve) && len(ve.Fields) > 0:
		return ve.Fields[0].Message, true
	}
	return "", false
}

// firstReviewable is the id of the first checkbox on the page, which the
// error summary links to; "" when there is none.
func (s *Server) firstReviewable(c *gin.Context) string {
	items, err := s.d.Training.PendingCompletions(c.Request.Context(), principal(c).Actor())
	if err != nil {
		return ""
	}
	actor := principal(c).Actor()
	for _, it := range items {
		if s.d.Training.MayReview(actor, it) {
			return selectInput(it.Completion.ID)
		}
	}
	return ""
}

func uniqueNonEmpty(in []string) []string {
	seen := make(map[string]bool, len(in))
	var out []string
	for _, v := range in {
		v = strings.TrimSpace(v)
		if v == "" || seen[v] {
			continue
		}
		seen[v] = true
		out = append(out, v)
	}
	return out
}

// previewKind says how a certificate of this stored content type is shown
// in the page. The type is the one the upload's first bytes showed
// (pkg/evidence), never what the browser claimed, so only a file that is
// really a PDF is put in a frame.
func previewKind(contentType string) string {
	switch contentType {
	case evidence.TypePDF:
		return "pdf"
	case evidence.TypePNG, evidence.TypeJPEG:
		return "image"
	}
	return ""
}

// certificatePreviewCSP is the policy of a certificate shown in the page:
// nothing in it may run or load anything, it is a sandbox with an opaque
// origin, and only this site's pages may frame it. The sandbox is the
// answer's own rather than the frame's sandbox attribute, which makes
// browsers refuse to open a PDF at all.
const certificatePreviewCSP = "default-src 'none'; img-src 'self'; sandbox; frame-ancestors 'self'"

// certificatePreview serves a certificate to be shown in the evidence page
// (a PDF in a sandboxed frame, an image as an image): the download's file
// and access check, but inline. Only the stored, recognised types are
// served so; anything else has no preview.
func (s *Server) certificatePreview(c *gin.Context) error {
	d, err := s.app().Certificate(c.Request.Context(), principal(c).Actor(), c.Param("id"))
	if err != nil {
		return err
	}
	if previewKind(d.ContentType) == "" {
		s.NotFound(c)
		return nil
	}
	d.Header.Set("Content-Disposition", mime.FormatMediaType("inline", map[string]string{"filename": d.Filename}))
	d.Header.Set("Content-Security-Policy", certificatePreviewCSP)
	d.Header.Set("X-Content-Type-Options", "nosniff")
	d.Header.Set("Cache-Control", "private, no-store")
	d.Header.Set("Cross-Origin-Resource-Policy", "same-origin")
	// The router denies framing everywhere; this is the one answer this
	// site's own pages frame.
	d.Header.Set("X-Frame-Options", "SAMEORIGIN")
	application.Serve(c.Request.Context(), s.d.Logger, c.Writer, d)
	return nil
}

// countWaiting puts the number of completions waiting for the viewer's
// decision on the Evidence link: "Evidence (3)". It is counted in memory
// (PendingCount) on every page; a failure leaves the link without a count
// rather than failing the page.
func (s *Server) countWaiting(c *gin.Context, nav []navLink) {
	for i := range nav {
		if nav[i].Href != "/evidence" {
			continue
		}
		n, err := s.d.Training.PendingCount(c.Request.Context(), principal(c).Actor())
		if err == nil && n > 0 {
			nav[i].Text = fmt.Sprintf("%s (%d)", nav[i].Text, n)
		}
	}
}

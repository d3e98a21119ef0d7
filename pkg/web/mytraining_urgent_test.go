package web_test

import (
	"net/http"
	"regexp"
	"slices"
	"strings"
	"testing"

	"github.com/complytrack/complytrack/pkg/training"
)

// My training leads with what is late or due: a panel names each course to
// do and by when, the cards follow in order of urgency (overdue, expired,
// due, expiring, then the rest), and each card explains its dates in plain
// words behind "How we worked this out". Booking a face-to-face session
// stays on the card of a course taught in a room.
func TestMyTrainingUrgentFirst(t *testing.T) {
	e := newEnv(t, "http://127.0.0.1") // today is 2 November 2026
	sophie := e.employee("Sophie", "Marsh")
	course := func(code, title string, delivery training.Delivery, effective string, validity int) {
		c := training.PreventCourse()
		c.Code, c.Title, c.URL, c.Delivery, c.Evidence = code, title, "", delivery, training.EvidenceNone
		c.EffectiveFrom, c.ValidityMonths, c.ExpiryBasis = training.MustDate(effective), validity, training.ExpiryFromCompletion
		c.AppliesTo.Kinds = []training.Kind{training.KindStaff}
		if _, err := e.app.Training.CreateCourse(t.Context(), e.hr, c); err != nil {
			t.Fatal(err)
		}
	}
	done := func(code, on string) {
		if _, err := e.app.Training.RecordCompletion(t.Context(), e.hr, sophie.ID,
			training.CompletionInput{CourseCode: code, CompletedOn: training.MustDate(on), CertificateRef: "HR-1"}); err != nil {
			t.Fatal(err)
		}
	}
	course("AAA-GDPR", "Data protection", training.DeliveryELearning, "2020-01-01", 12)
	done("AAA-GDPR", "2026-06-01") // compliant until 1 June 2027
	course("FIRE", "Fire safety", training.DeliveryClassroom, "2020-01-01", 36)
	done("FIRE", "2023-11-20") // expires 20 November 2026: expiring
	course("MANUAL", "Manual handling", training.DeliveryELearning, "2020-01-01", 12)
	done("MANUAL", "2025-05-03") // expired 3 May 2026
	course("WRAP", "Safeguarding refresher", training.DeliveryELearning, "2026-10-20", 36)
	// Prevent awareness: overdue since 29 April 2024.

	b := e.newBrowser()
	b.signIn(sophie.Email, castPassword)
	r := b.visit("/my-training")
	mustStatus(t, r, http.StatusOK)

	var panel []string
	if i, j := strings.Index(r.Body, `id="urgent"`), strings.Index(r.Body, `<section class="course"`); i < 0 || j < i {
		t.Fatalf("no panel before the cards:\n%s", r.Body)
	} else {
		for _, m := range regexp.MustCompile(`<li class="urgent__item">(.*?)</li>`).FindAllStringSubmatch(r.Body[i:j], -1) {
			panel = append(panel, tags.ReplaceAllString(m[1], ""))
		}
	}
	want := []string{
		"You must complete Prevent awareness now. It was due on 29 April 2024.",
		"You must do Manual handling again now. Your training expired on 3 May 2026.",
		"You must complete Safeguarding refresher by 17 November 2026.",
		"You must do Fire safety again by 20 November 2026, when your training expires.",
	}
	if !slices.Equal(panel, want) {
		t.Errorf("panel\n got %q\nwant %q", panel, want)
	}

	var cards []string
	for _, m := range regexp.MustCompile(`<section class="course" aria-labelledby="course-([^"]+)">`).FindAllStringSubmatch(r.Body, -1) {
		cards = append(cards, m[1])
	}
	if want := []string{"PREVENT", "MANUAL", "WRAP", "FIRE", "AAA-GDPR"}; !slices.Equal(cards, want) {
		t.Errorf("cards in the order %v, want %v", cards, want)
	}

	mustContain(t, r,
		`<summary class="details__summary"><span class="details__summary-text">How we worked this out</span></summary>`,
		"You last completed it on 3 May 2025. It lasts 1 year, so it expired on 3 May 2026.",
		"You last completed it on 20 November 2023. It lasts 3 years, so it expires on 20 November 2026.",
		"You last completed it on 1 June 2026. It lasts 1 year, so it expires on 1 June 2027.",
		"You started before this training became required on 20 October 2026. Everyone already here had 28 days from then to complete it, so the deadline is 17 November 2026.",
		`href="/sessions?course=FIRE"`, "Book a face-to-face session", `id="my-bookings"`)
	if strings.Contains(r.Body, " = ") || strings.Contains(r.Body, "&#43;") {
		t.Error("My training shows the domain's shorthand (\"=\", \"+\") to the person")
	}

	// Nothing to do: no panel.
	for _, code := range []string{"PREVENT", "MANUAL", "WRAP", "FIRE"} {
		done(code, "2026-11-01")
	}
	r = b.visit("/my-training")
	if strings.Contains(r.Body, `id="urgent"`) {
		t.Error("the panel is shown with nothing to do")
	}
}

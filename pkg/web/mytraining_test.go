package web_test

import (
	"bytes"
	"net/http"
	"regexp"
	"strings"
	"testing"

	"github.com/complytrack/complytrack/pkg/training"
)

// recordForm is the self-certification form filled in with a date.
func recordForm(b *browser, day, month, year string) map[string]string {
	return map[string]string{"csrf_token": b.csrf(), "completed-on-day": day, "completed-on-month": month, "completed-on-year": year}
}

func TestSelfCertifyWithPDF(t *testing.T) {
	e := newEnv(t, "http://127.0.0.1")
	sophie := e.employee("Sophie", "Marsh")
	b := e.newBrowser()
	r := b.signIn("sophie.marsh@example.gov.uk", castPassword)
	mustContain(t, r, `<strong class="tag tag--overdue">Overdue</strong>`,
		"This was due on 29 April 2024. Complete it as soon as you can.",
		"You must complete <a class=\"notification-banner__link\" href=\"#course-PREVENT\">Prevent awareness</a> now. It was due on 29 April 2024.",
		"<span class=\"details__summary-text\">How we worked this out</span>",
		"You started on 1 April 2024. New starters have 28 days to complete it, so the deadline is 29 April 2024.",
		`href="https://www.gov.uk/guidance/prevent-duty-training"`,
		`href="/my-training/PREVENT/record"`)

	r = b.visit("/my-training/PREVENT/record")
	mustStatus(t, r, http.StatusOK)
	mustContain(t, r, "Record your Prevent awareness training", `enctype="multipart/form-data"`,
		`<label class="label" for="completed-on-day">Day</label>`, `<label class="label label--m" for="certificate">Certificate</label>`)

	certificate := pdf("sophie")
	r = b.postMultipart("/my-training/PREVENT/record", recordForm(b, "30", "10", "2026"),
		upload{"certificate", `C:\Users\sophie\Prevent certificate.pdf`, certificate})
	if r.Status != http.StatusSeeOther || !strings.HasPrefix(r.Location(), "/my-training?recorded=") {
		t.Fatalf("record: %d to %q\n%s", r.Status, r.Location(), r.Body)
	}
	r = b.follow(r)
	mustStatus(t, r, http.StatusOK)
	mustContain(t, r, "Recorded: Prevent awareness, completed 30 October 2026",
		`<strong class="tag tag--compliant">Compliant</strong>`, "You are up to date until 30 October 2029.",
		`<td data-label="Recorded by">You</td>`, `<td data-label="State">Accepted</td>`, "Prevent certificate.pdf")

	// The certificate can be downloaded by its owner, as an attachment.
	link := regexp.MustCompile(`href="(/certificates/[^"]+)"`).FindStringSubmatch(r.Body)
	if link == nil {
		t.Fatal("no certificate link in the history")
	}
	f := b.get(link[1])
	mustStatus(t, f, http.StatusOK)
	if f.Header.Get("Content-Type") != "application/pdf" || !strings.HasPrefix(f.Header.Get("Content-Disposition"), "attachment") ||
		!bytes.Equal([]byte(f.Body), certificate) {
		t.Errorf("certificate: %s, %s, %d bytes", f.Header.Get("Content-Type"), f.Header.Get("Content-Disposition"), len(f.Body))
	}
	// ... and by nobody outside their line (a colleague gets a 404 page).
	e.employee("Graham", "Pellow")
	other := e.newBrowser()
	other.signIn("graham.pellow@example.gov.uk", castPassword)
	mustStatus(t, other.get(link[1]), http.StatusNotFound)

	// The domain agrees.
	items, err := e.app.Training.TrainingOf(t.Context(), training.Actor{PersonID: sophie.ID}, sophie.ID)
	if err != nil || len(items) != 1 || items[0].Status != training.StatusCompliant {
		t.Errorf("training after self-certifying: %+v, %v", items, err)
	}
}

func TestSelfCertifyValidation(t *testing.T) {
	e := newEnv(t, "http://127.0.0.1")
	e.employee("Sophie", "Marsh")
	b := e.newBrowser()
	b.signIn("sophie.marsh@example.gov.uk", castPassword)
	b.visit("/my-training/PREVENT/record")

	cases := []struct {
		name                         string
		day, month, year             string
		file                         *upload
		want                         []string
		wantDay, wantMonth, wantYear string
	}{
		{name: "nothing", want: []string{
			`<a href="#completed-on-day">Enter the date you completed the course.</a>`,
			`<a href="#certificate">Choose the certificate file the course gave you (PDF, PNG or JPEG).</a>`}},
		{name: "no month", day: "30", year: "2026", file: &upload{"certificate", "c.pdf", pdf("a")},
			want: []string{`<a href="#completed-on-month">The date you completed the course must include a month.</a>`}, wantDay: "30", wantYear: "2026"},
		{name: "not a real date", day: "31", month: "4", year: "2026", file: &upload{"certificate", "c.pdf", pdf("b")},
			want: []string{`<a href="#completed-on-day">The date you completed the course must be a real date`}, wantDay: "31", wantMonth: "4", wantYear: "2026"},
		{name: "in the future", day: "3", month: "11", year: "2026", file: &upload{"certificate", "c.pdf", pdf("c")},
			want: []string{`<a href="#completed-on-day">The date the course was completed must be today or in the past (today is 2 November 2026).</a>`}},
		{name: "not a certificate", day: "30", month: "10", year: "2026", file: &upload{"certificate", "c.pdf", []byte("hello, I am a text file")},
			want: []string{`<a href="#certificate">The certificate must be a PDF, PNG or JPEG file.</a>`}},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			var files []upload
			if tc.file != nil {
				files = append(files, *tc.file)
			}
			r := b.postMultipart("/my-training/PREVENT/record", recordForm(b, tc.day, tc.month, tc.year), files...)
			mustStatus(t, r, http.StatusUnprocessableEntity)
			mustContain(t, r, append(tc.want, "<title>Error: Record your Prevent awareness training", `class="error-summary"`,
				`<span class="visually-hidden">Error:</span>`)...)
			for id, v := range map[string]string{"completed-on-day": tc.wantDay, "completed-on-month": tc.wantMonth, "completed-on-year": tc.wantYear} {
				if v != "" {
					mustContain(t, r, `name="`+id+`" type="text" inputmode="numeric" value="`+v+`"`)
				}
			}
		})
	}
	r := b.visit("/my-training")
	mustContain(t, r, "Nothing has been recorded yet.", "Overdue")
}

// A course that needs the manager's verification shows as waiting.
func TestSelfCertifyAwaitingVerification(t *testing.T) {
	e := newEnv(t, "http://127.0.0.1")
	_, err := e.app.Training.CreateCourse(t.Context(), e.hr, training.Course{
		Code: "WRAP", Title: "Workshop to Raise Awareness of Prevent", Delivery: training.DeliveryClassroom,
		AppliesTo: training.AppliesTo{Kinds: []training.Kind{training.KindStaff}}, ValidityMonths: 36,
		NewStarterDays: 28, DueSoonDays: 30, RenewWindowDays: 60, ExpiryBasis: training.ExpiryFromCompletion,
		EffectiveFrom: training.MustDate("2020-01-01"), Evidence: training.EvidenceNone, Verification: training.VerificationManager,
	})
	if err != nil {
		t.Fatal(err)
	}
	e.employee("Sophie", "Marsh")
	b := e.newBrowser()
	b.signIn("sophie.marsh@example.gov.uk", castPassword)
	r := b.visit("/my-training/WRAP/record")
	mustContain(t, r, "Certificate (optional)")
	r = b.follow(b.postMultipart("/my-training/WRAP/record", recordForm(b, "1", "10", "2026")))
	mustContain(t, r, "Recorded: Workshop to Raise Awareness of Prevent, completed 1 October 2026",
		"It counts once it has been verified.", "Waiting for verification", "is waiting for verification")
}

func TestRecordFormForACourseThatDoesNotApply(t *testing.T) {
	e := newEnv(t, "http://127.0.0.1")
	e.employee("Sophie", "Marsh")
	b := e.newBrowser()
	b.signIn("sophie.marsh@example.gov.uk", castPassword)
	r := b.get("/my-training/NOPE/record")
	mustStatus(t, r, http.StatusNotFound)
	mustContain(t, r, "Page not found", "Sophie Marsh")
}

package web_test

import (
	"bytes"
	"html"
	"image"
	"image/png"
	"mime"
	"net/http"
	"net/url"
	"strings"
	"testing"

	"github.com/complytrack/complytrack/pkg/auth"
	"github.com/complytrack/complytrack/pkg/training"
)

// evChannelCourse adds an e-learning course whose certificate HR verifies.
func evChannelCourse(e *env) {
	e.t.Helper()
	_, err := e.app.Training.CreateCourse(e.t.Context(), e.hr, training.Course{
		Code: "CHANNEL", Title: "Channel awareness", Delivery: training.DeliveryELearning,
		AppliesTo: training.AppliesTo{Kinds: []training.Kind{training.KindStaff}}, ValidityMonths: 36,
		NewStarterDays: 28, DueSoonDays: 30, RenewWindowDays: 60, ExpiryBasis: training.ExpiryFromCompletion,
		EffectiveFrom: training.MustDate("2020-01-01"), Evidence: training.EvidenceCertificate, Verification: training.VerificationHR,
	})
	if err != nil {
		e.t.Fatal(err)
	}
}

// evPNG is a small real PNG, distinct per seed.
func evPNG(t *testing.T, seed uint8) []byte {
	t.Helper()
	img := image.NewGray(image.Rect(0, 0, 4, 4))
	img.Pix[0] = seed
	var buf bytes.Buffer
	if err := png.Encode(&buf, img); err != nil {
		t.Fatal(err)
	}
	return buf.Bytes()
}

// evCertify records p's Channel awareness through My training, as they
// would, with the file under the name given, and returns the completion.
func evCertify(e *env, p training.Person, name string, file []byte) training.Completion {
	e.t.Helper()
	b := e.newBrowser()
	b.signIn(p.Email, castPassword)
	b.visit("/my-training/CHANNEL/record")
	r := b.postMultipart("/my-training/CHANNEL/record", recordForm(b, "2", "10", "2026"), upload{"certificate", name, file})
	if r.Status != http.StatusSeeOther {
		e.t.Fatalf("record %s's certificate: status %d\n%s", p.FullName(), r.Status, r.Body)
	}
	list, err := e.app.Training.CompletionsOf(e.t.Context(), e.hr, p.ID)
	if err != nil {
		e.t.Fatal(err)
	}
	var latest training.Completion
	for _, c := range list {
		if c.CourseCode == "CHANNEL" && !c.RecordedAt.Before(latest.RecordedAt) {
			latest = c
		}
	}
	if latest.ID == "" {
		e.t.Fatalf("no Channel awareness recorded for %s", p.FullName())
	}
	return latest
}

func TestCertificatePreviewIsInlineAndSandboxed(t *testing.T) {
	e := newEnv(t, "http://127.0.0.1")
	evChannelCourse(e)
	ada := e.employee("Ada", "Lovelace")
	alan := e.employee("Alan", "Turing")
	grace := e.employee("Grace", "Hopper")
	outsider := e.employee("Olive", "Outsider")
	// A PDF named as an image is framed as the PDF it is; an image is an image.
	tests := []struct {
		name, file, contentType, markup string
		data                            []byte
		person                          training.Person
	}{
		{"pdf", "certificate.pdf", "application/pdf", "<iframe", pdf("ada"), ada},
		{"png", "certificate.png", "image/png", "<img", evPNG(t, 1), alan},
		{"pdf named as png", "scan.png", "application/pdf", "<iframe", pdf("grace"), grace},
	}
	hr := e.newBrowser()
	hr.signIn(adminEmail, adminPassword)
	other := e.newBrowser()
	other.signIn(outsider.Email, castPassword)
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			done := evCertify(e, tt.person, tt.file, tt.data)
			page := hr.visit("/evidence")
			mustStatus(t, page, http.StatusOK)
			src := `src="/certificates/` + done.ID + `/preview"`
			i := strings.Index(page.Body, src)
			if i < 0 {
				t.Fatalf("the evidence page does not show %s's certificate:\n%s", tt.person.FullName(), page.Body)
			}
			tag := page.Body[strings.LastIndex(page.Body[:i], "<"):]
			tag = tag[:strings.Index(tag, ">")+1]
			if !strings.HasPrefix(tag, tt.markup) {
				t.Errorf("the certificate is shown as %s, want %s…", tag, tt.markup)
			}

			r := hr.get("/certificates/" + done.ID + "/preview")
			mustStatus(t, r, http.StatusOK)
			for header, want := range map[string]string{
				"Content-Type":            tt.contentType,
				"Content-Security-Policy": "default-src 'none'; img-src 'self'; sandbox; frame-ancestors 'self'",
				"X-Content-Type-Options":  "nosniff",
				"X-Frame-Options":         "SAMEORIGIN",
				"Cache-Control":           "private, no-store",
			} {
				if got := r.Header.Get(header); got != want {
					t.Errorf("%s: %q, want %q", header, got, want)
				}
			}
			// Inline, under the name it was stored with (its extension
			// that of the type found).
			disp, params, err := mime.ParseMediaType(r.Header.Get("Content-Disposition"))
			if err != nil || disp != "inline" || params["filename"] != done.Evidence.Filename {
				t.Errorf("Content-Disposition %q, want inline with the filename %q", r.Header.Get("Content-Disposition"), done.Evidence.Filename)
			}
			if r.Body != string(tt.data) {
				t.Errorf("the preview is not the stored file")
			}
			// The download stays a download.
			d := hr.get("/certificates/" + done.ID)
			mustStatus(t, d, http.StatusOK)
			if got := d.Header.Get("Content-Disposition"); !strings.HasPrefix(got, "attachment") {
				t.Errorf("download Content-Disposition %q, want attachment", got)
			}
			// Someone who may not see the record finds no preview either.
			mustStatus(t, other.get("/certificates/"+done.ID+"/preview"), http.StatusNotFound)
		})
	}
}

func TestVerifySelected(t *testing.T) {
	e := newEnv(t, "http://127.0.0.1")
	evChannelCourse(e)
	hpManagerVerifiedCourse(e)
	ada := e.employee("Ada", "Lovelace")
	alan := e.employee("Alan", "Turing")
	grace := e.employee("Grace", "Hopper")
	adaDone := evCertify(e, ada, "ada.pdf", pdf("ada"))
	alanDone := evCertify(e, alan, "alan.pdf", pdf("alan"))
	graceDone := evCertify(e, grace, "grace.pdf", pdf("grace"))

	hr := e.newBrowser()
	hr.signIn(adminEmail, adminPassword)
	page := hr.visit("/evidence")
	mustContain(t, page, `id="verify-selected"`, `>Verify selected</button>`, ">Evidence (3)<")
	for _, id := range []string{adaDone.ID, alanDone.ID, graceDone.ID} {
		mustContain(t, page, `name="completion" type="checkbox" value="`+id+`" form="verify-selected"`)
	}

	// Nothing selected: said, and nothing decided.
	r := hr.submit("/evidence/verify", nil)
	mustStatus(t, r, http.StatusUnprocessableEntity)
	mustContain(t, r, "Select the completions you want to verify.", `href="#select-`)

	// Someone else decides Grace's first: the other two are verified and
	// hers is reported by name.
	other := e.employee("Harriet", "Other")
	if _, err := e.app.Accounts.SetRoles(t.Context(), e.hr, other.ID, auth.NewRoles(auth.RoleHR)); err != nil {
		t.Fatal(err)
	}
	if _, err := e.app.Training.Review(t.Context(), training.Actor{PersonID: other.ID, HR: true}, graceDone.ID, true, ""); err != nil {
		t.Fatal(err)
	}
	r = hr.submit("/evidence/verify", url.Values{"completion": {adaDone.ID, alanDone.ID, graceDone.ID}})
	mustStatus(t, r, http.StatusOK)
	mustContain(t, r, html.EscapeString("Verified: Ada Lovelace’s Channel awareness and Alan Turing’s Channel awareness."),
		"1 of the completions you selected was not verified.",
		html.EscapeString("Grace Hopper’s Channel awareness: Someone verified or rejected it before you did."),
		"Nothing is waiting for verification.")
	if strings.Contains(r.Body, "Evidence (") {
		t.Errorf("the navigation still counts waiting items")
	}
	for _, c := range []training.Completion{adaDone, alanDone} {
		got, err := e.app.Training.Completion(t.Context(), e.hr, c.ID)
		if err != nil {
			t.Fatal(err)
		}
		if got.State() != training.StateAccepted || got.Review.By != e.hr.PersonID {
			t.Errorf("completion %s: state %s by %v, want accepted by HR", c.ID, got.State(), got.Review)
		}
	}
}

// Each completion of a "Verify selected" is authorised on its own: a line
// manager verifies their report's workshop and is told, by name, that the
// certificate HR verifies is not theirs to decide; an auditor, who
// decides nothing, is refused; someone who reviews nothing finds no page.
func TestVerifySelectedAuthorisesEachItem(t *testing.T) {
	e := newEnv(t, "http://127.0.0.1")
	evChannelCourse(e)
	hpManagerVerifiedCourse(e)
	boss := e.employee("Mia", "Boss")
	report := e.addPerson("Sophie", "Marsh", boss.EmployeeNumber)
	if _, err := e.app.Accounts.AcceptInvite(t.Context(), e.invitation(report), castPassword); err != nil {
		t.Fatal(err)
	}
	auditor := e.employee("Alex", "Audit")
	if _, err := e.app.Accounts.SetRoles(t.Context(), e.hr, auditor.ID, auth.NewRoles(auth.RoleAuditor)); err != nil {
		t.Fatal(err)
	}
	plain := e.employee("Pat", "Plain")
	workshop := hpSelfCertify(e, report, "WRAP", "2026-10-01")
	channel := evCertify(e, report, "sophie.pdf", pdf("sophie"))

	tests := []struct {
		name, email string
		status      int
		want        []string
		accepted    []string
	}{
		{"auditor", auditor.Email, http.StatusForbidden, nil, nil},
		{"employee", plain.Email, http.StatusNotFound, nil, nil},
		{"line manager", boss.Email, http.StatusOK, []string{
			html.EscapeString("Verified: Sophie Marsh’s Workshop to Raise Awareness of Prevent."),
			html.EscapeString("Sophie Marsh’s Channel awareness: You cannot verify this one: it is for HR or their line manager to decide."),
		}, []string{workshop.ID}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			b := e.newBrowser()
			b.signIn(tt.email, castPassword)
			b.visit("/my-training")
			r := b.submit("/evidence/verify", url.Values{"completion": {workshop.ID, channel.ID}})
			mustStatus(t, r, tt.status)
			mustContain(t, r, tt.want...)
			for _, id := range []string{workshop.ID, channel.ID} {
				got, err := e.app.Training.Completion(t.Context(), e.hr, id)
				if err != nil {
					t.Fatal(err)
				}
				wantAccepted := false
				for _, a := range tt.accepted {
					wantAccepted = wantAccepted || a == id
				}
				if (got.State() == training.StateAccepted) != wantAccepted {
					t.Errorf("completion %s is %s after the %s's form", id, got.State(), tt.name)
				}
			}
		})
	}
}

// The navigation counts what waits for the viewer's own decision.
func TestEvidenceCountInNavigation(t *testing.T) {
	e := newEnv(t, "http://127.0.0.1")
	evChannelCourse(e)
	hpManagerVerifiedCourse(e)
	boss := e.employee("Mia", "Boss")
	report := e.addPerson("Sophie", "Marsh", boss.EmployeeNumber)
	stranger := e.addPerson("Tom", "Whitfield", "")
	auditor := e.employee("Alex", "Audit")
	if _, err := e.app.Accounts.SetRoles(t.Context(), e.hr, auditor.ID, auth.NewRoles(auth.RoleAuditor)); err != nil {
		t.Fatal(err)
	}
	hpSelfCertify(e, report, "WRAP", "2026-10-01")
	hpSelfCertify(e, stranger, "WRAP", "2026-10-01")
	theirs := hpSelfCertify(e, boss, "WRAP", "2026-10-01")

	tests := []struct {
		name, email, password, want string
	}{
		// HR decides all three; the manager their report's only (not their
		// own, not a stranger's); the auditor decides nothing.
		{"HR", adminEmail, adminPassword, ">Evidence (3)<"},
		{"line manager", boss.Email, castPassword, ">Evidence (1)<"},
		{"auditor", auditor.Email, castPassword, ">Evidence<"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			b := e.newBrowser()
			b.signIn(tt.email, tt.password)
			mustContain(t, b.visit("/my-training"), tt.want)
		})
	}
	if _, err := e.app.Training.Review(t.Context(), e.hr, theirs.ID, true, ""); err != nil {
		t.Fatal(err)
	}
	hr := e.newBrowser()
	hr.signIn(adminEmail, adminPassword)
	mustContain(t, hr.visit("/my-training"), ">Evidence (2)<")
}

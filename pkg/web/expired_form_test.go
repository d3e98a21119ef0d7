package web_test

import (
	"html"
	"net/http"
	"net/url"
	"regexp"
	"strings"
	"testing"
	"time"
)

var nextInput = regexp.MustCompile(`name="next" value="([^"]*)"`)

// A form sent after the sign-in has ended is not lost without a word:
// sign-in says the form was not sent, then brings the person back to it
// with the date they typed (never the file, never the CSRF token).
func TestExpiredSessionReturnsToTheForm(t *testing.T) {
	e := newEnv(t, "http://127.0.0.1")
	e.employee("Sophie", "Marsh")
	b := e.newBrowser()
	b.signIn("sophie.marsh@example.gov.uk", castPassword)
	b.visit("/my-training/PREVENT/record")
	form := recordForm(b, "30", "10", "2026")
	token := form["csrf_token"]

	// The sign-in lasts 14 days; this form was left open for longer.
	e.clock.Advance(15 * 24 * time.Hour)
	r := b.postMultipart("/my-training/PREVENT/record", form, upload{"certificate", "certificate.pdf", pdf("sophie")})
	if r.Status != http.StatusSeeOther || !strings.HasPrefix(r.Location(), "/sign-in?") {
		t.Fatalf("expired post: %d to %q, want 303 to the sign-in page", r.Status, r.Location())
	}
	if strings.Contains(r.Location(), token) || strings.Contains(r.Location(), "csrf") {
		t.Errorf("the CSRF token travels in the address: %q", r.Location())
	}

	r = b.follow(r)
	mustStatus(t, r, http.StatusOK)
	mustContain(t, r, "You were signed out, so your form was not sent", "Sign in again to go back to the form")
	m := nextInput.FindStringSubmatch(r.Body)
	if m == nil {
		t.Fatalf("the sign-in page has no next:\n%s", r.Body)
	}
	next := html.UnescapeString(m[1])
	u, err := url.Parse(next)
	if err != nil || u.Path != "/my-training/PREVENT/record" {
		t.Fatalf("next is %q, want the record form", next)
	}
	q := u.Query()
	for field, want := range map[string]string{"completed-on-day": "30", "completed-on-month": "10", "completed-on-year": "2026"} {
		if q.Get(field) != want {
			t.Errorf("next keeps %s=%q, want %q (next %q)", field, q.Get(field), want, next)
		}
	}
	if q.Has("csrf_token") || q.Has("certificate") {
		t.Errorf("next keeps more than the date: %q", next)
	}

	r = b.submit("/sign-in", url.Values{"email": {"sophie.marsh@example.gov.uk"}, "password": {castPassword}, "next": {next}})
	if r.Status != http.StatusSeeOther || r.Location() != next {
		t.Fatalf("sign in: %d to %q, want 303 to %q", r.Status, r.Location(), next)
	}
	r = b.follow(r)
	mustStatus(t, r, http.StatusOK)
	mustContain(t, r, "Record your Prevent awareness training", "Your form was not sent",
		"You were signed out before it was sent.", "choose your certificate file again",
		`name="completed-on-day" type="text" inputmode="numeric" value="30"`,
		`name="completed-on-month" type="text" inputmode="numeric" value="10"`,
		`name="completed-on-year" type="text" inputmode="numeric" value="2026"`)

	// Nothing was recorded while signed out; sending the form again does it.
	mustContain(t, b.visit("/my-training"), "Nothing has been recorded yet.")
	b.visit(next)
	r = b.postMultipart("/my-training/PREVENT/record", recordForm(b, "30", "10", "2026"), upload{"certificate", "certificate.pdf", pdf("sophie")})
	if r.Status != http.StatusSeeOther || !strings.HasPrefix(r.Location(), "/my-training?recorded=") {
		t.Fatalf("record after signing in again: %d to %q\n%s", r.Status, r.Location(), r.Body)
	}
}

// Other forms come back to the page they were on, without their fields:
// only fields known to be safe travel in an address.
func TestExpiredSessionReturnsToOtherForms(t *testing.T) {
	e := newEnv(t, "http://127.0.0.1")
	cases := []struct {
		name, referer string
		wantNext      string
	}{
		{"from the page the form was on", "/people/new", "/people/new?form_not_sent=1"},
		{"from another site: no way back", "https://evil.example/people/new", ""},
		{"no Referer: no way back", "", ""},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			b := hpSignInHR(e)
			b.visit("/people/new")
			form := personForm(map[string]string{"csrf_token": b.csrf()})
			b.submit("/sign-out", nil)

			req, _ := http.NewRequest(http.MethodPost, e.srv.URL+"/people/new", strings.NewReader(form.Encode()))
			req.Header.Set("Content-Type", "application/x-www-form-urlencoded")
			switch {
			case strings.HasPrefix(tc.referer, "/"):
				req.Header.Set("Referer", e.srv.URL+tc.referer)
			case tc.referer != "":
				req.Header.Set("Referer", tc.referer)
			}
			r := b.do(req)
			if r.Status != http.StatusSeeOther {
				t.Fatalf("expired post: %d, want 303", r.Status)
			}
			loc, err := url.Parse(r.Location())
			if err != nil || loc.Path != "/sign-in" {
				t.Fatalf("expired post to %q, want the sign-in page", r.Location())
			}
			if got := loc.Query().Get("next"); got != tc.wantNext {
				t.Errorf("next %q, want %q", got, tc.wantNext)
			}
			for _, v := range form {
				if len(v[0]) > 3 && strings.Contains(r.Location(), url.QueryEscape(v[0])) {
					t.Errorf("the address carries the form's %q: %q", v[0], r.Location())
				}
			}
			mustContain(t, b.follow(r), "You were signed out, so your form was not sent")
		})
	}
}

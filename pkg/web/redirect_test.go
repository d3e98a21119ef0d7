package web_test

import (
	"net/http"
	"net/url"
	"strconv"
	"strings"
	"testing"
)

// openRedirectPayloads are known ways to smuggle another site past a
// "local path" check: doubled, backslashed or encoded slashes, dot
// segments the redirect's own path cleaning removes, control characters
// browsers drop, user-info, and schemes.
var openRedirectPayloads = []string{
	"//evil.example",
	"///evil.example",
	"////evil.example/",
	"/\\evil.example",
	"\\\\evil.example",
	"\\/evil.example",
	"/\\/evil.example",
	"/\\\\evil.example",
	"/./\\evil.example",
	"/.//evil.example",
	"/./\\/evil.example",
	"/a/..//evil.example",
	"/a/../\\evil.example",
	"/../\\evil.example",
	"/.\\./evil.example",
	"/%2F%2Fevil.example",
	"/%2f/evil.example",
	"/%5Cevil.example",
	"/%5C%5Cevil.example",
	"/%09/evil.example",
	"/\t/evil.example",
	"/\n/evil.example",
	"/\r/evil.example",
	"\t//evil.example",
	" //evil.example",
	"/\\\tevil.example",
	"/\r\nLocation: https://evil.example",
	"https://evil.example",
	"http:evil.example",
	"https:/evil.example",
	"https:\\\\evil.example",
	"//evil.example@complytrack.example",
	"//complytrack.example@evil.example",
	"/@evil.example",
	"javascript:alert(1)",
	"data:text/html,<script>alert(1)</script>",
	"evil.example",
	"//evil%2Eexample",
	"\u2215\u2215evil.example",
	"/\u2215\u2215evil.example",
	"/\uff0f\uff0fevil.example",
	"/?next=//evil.example",
	"/#//evil.example",
	"/;//evil.example",
	"https://complytrack.example.evil.example/",
}

// browserTarget resolves a Location header the way a browser would
// (WHATWG URL parsing): it trims control characters and spaces at the
// ends, drops tabs and newlines anywhere, and reads a backslash as a
// slash in http(s) addresses. Go's url package does none of that, so a
// plain url.Parse would miss the very tricks that matter.
func browserTarget(location string) (*url.URL, error) {
	s := strings.TrimFunc(location, func(r rune) bool { return r <= ' ' })
	s = strings.NewReplacer("\t", "", "\n", "", "\r", "", "\\", "/").Replace(s)
	base, err := url.Parse("https://complytrack.example/sign-in")
	if err != nil {
		return nil, err
	}
	ref, err := url.Parse(s)
	if err != nil {
		return nil, err
	}
	return base.ResolveReference(ref), nil
}

// mustStayOnSite fails unless location takes a browser to our own host.
func mustStayOnSite(t *testing.T, what, location string) {
	t.Helper()
	u, err := browserTarget(location)
	switch {
	case location == "":
		t.Errorf("%s: no Location", what)
	case err != nil:
		t.Errorf("%s: Location %q does not parse: %v", what, location, err)
	case u.Scheme != "https" || u.Host != "complytrack.example" || !strings.HasPrefix(location, "/"):
		t.Errorf("%s: Location %q takes a browser to %s", what, location, u)
	}
}

func TestSignInNeverRedirectsOffSite(t *testing.T) {
	if len(openRedirectPayloads) < 30 {
		t.Fatalf("only %d payloads", len(openRedirectPayloads))
	}
	e := newEnv(t, "http://127.0.0.1")
	e.employee("Sophie", "Marsh")
	signedIn := e.newBrowser()
	signedIn.signIn("sophie.marsh@example.gov.uk", castPassword)

	for _, payload := range openRedirectPayloads {
		// Signing in with next=payload.
		b := e.newBrowser()
		b.visit("/sign-in")
		r := b.submit("/sign-in", url.Values{"email": {"sophie.marsh@example.gov.uk"}, "password": {castPassword}, "next": {payload}})
		if r.Status != http.StatusSeeOther {
			t.Errorf("sign in with next=%q: status %d, want 303", payload, r.Status)
			continue
		}
		mustStayOnSite(t, "sign in with next="+strconv.Quote(payload), r.Location())

		// Opening the sign-in page, already signed in, with next=payload.
		r = signedIn.get("/sign-in?next=" + url.QueryEscape(payload))
		if r.Status != http.StatusSeeOther {
			t.Errorf("signed in, GET /sign-in?next=%q: status %d, want 303", payload, r.Status)
			continue
		}
		mustStayOnSite(t, "signed in, GET /sign-in?next="+strconv.Quote(payload), r.Location())
	}

	// Addresses on the site go through as they are.
	for _, next := range []string{"/my-training", "/my-training/PREVENT/record", "/people?q=Marsh", "/reports?as_of=2026-10-01&course_code=PREVENT", "/team/"} {
		b := e.newBrowser()
		b.visit("/sign-in")
		r := b.submit("/sign-in", url.Values{"email": {"sophie.marsh@example.gov.uk"}, "password": {castPassword}, "next": {next}})
		if r.Status != http.StatusSeeOther || r.Location() != next {
			t.Errorf("sign in with next=%q: %d to %q, want 303 to the same", next, r.Status, r.Location())
		}
	}
}

package web_test

import (
	"net/http"
	"net/url"
	"slices"
	"strings"
	"testing"

	"github.com/complytrack/complytrack/pkg/auth"
)

// The header names the organisation (COMPLYTRACK_ORG_NAME) and the phase
// banner its phase (COMPLYTRACK_PHASE), on every page, signed in or not;
// the phase banner can be turned off.
func TestHeaderOrganisationAndPhase(t *testing.T) {
	e := newEnv(t, "http://127.0.0.1", "COMPLYTRACK_ORG_NAME=Eastmoor District Council & Partners", "COMPLYTRACK_PHASE=alpha")
	b := e.newBrowser()
	for _, path := range []string{"/sign-in", "/accessibility"} {
		r := b.visit(path)
		mustStatus(t, r, http.StatusOK)
		mustContain(t, r, `<span class="header__organisation">Eastmoor District Council &amp; Partners</span>`,
			`<strong class="tag phase-banner__tag">alpha</strong>`, `<a class="link" href="/contact">Tell us what you think</a>`)
	}
	b.signIn(adminEmail, adminPassword)
	mustContain(t, b.visit("/my-training"), `<span class="header__organisation">Eastmoor District Council &amp; Partners</span>`)

	off := newEnv(t, "http://127.0.0.1", "COMPLYTRACK_PHASE=off")
	r := off.newBrowser().visit("/sign-in")
	mustNotContain(t, r, "phase-banner", "header__organisation")
	beta := newEnv(t, "http://127.0.0.1")
	mustContain(t, beta.newBrowser().visit("/sign-in"), `<strong class="tag phase-banner__tag">beta</strong>`)
}

// Every footer links the accessibility statement, the privacy notice and
// the contact page, which anyone may read, signed in or not, with their
// default text until HR write their own. HR's text is shown as plain
// paragraphs: markup in it is shown as typed, never run.
func TestFooterPagesHREdits(t *testing.T) {
	e := newEnv(t, "http://127.0.0.1")
	anon := e.newBrowser()
	r := anon.visit("/sign-in")
	for _, link := range []string{`href="/accessibility">Accessibility statement</a>`, `href="/privacy">Privacy notice</a>`, `href="/contact">Contact</a>`} {
		mustContain(t, r, link)
	}
	r = anon.visit("/accessibility")
	mustStatus(t, r, http.StatusOK)
	mustContain(t, r, "<h1 class=\"heading-l\">Accessibility statement</h1>", "Web Content Accessibility Guidelines version 2.2 AA")
	mustNotContain(t, r, "Change the text of this page")
	mustStatus(t, anon.visit("/privacy"), http.StatusOK)
	mustStatus(t, anon.visit("/contact"), http.StatusOK)

	hr := e.newBrowser()
	hr.signIn(adminEmail, adminPassword)
	r = hr.visit("/contact")
	mustContain(t, r, `href="/site-pages/contact/edit"`, `<a class="header__link" href="/manage">Manage</a>`)
	r = hr.visit("/site-pages/contact/edit")
	mustStatus(t, r, http.StatusOK)
	mustContain(t, r, "For questions about your training")

	// Empty: the form says what to do.
	r = hr.submit("/site-pages/contact/edit", url.Values{"text": {"  "}})
	mustStatus(t, r, http.StatusBadRequest)
	mustContain(t, r, `<a href="#text">Enter the text of the page.</a>`)

	text := "Call HR on 01632 960000.\r\n\r\n<script>alert(1)</script> <b>Monday</b>\r\nto Friday."
	r = hr.submit("/site-pages/contact/edit", url.Values{"text": {text}})
	if r.Status != http.StatusSeeOther || r.Location() != "/contact?saved=1" {
		t.Fatalf("save: %d to %q\n%s", r.Status, r.Location(), r.Body)
	}
	r = hr.follow(r)
	mustContain(t, r, "Page saved")
	for _, b := range []*browser{hr, anon} {
		r = b.visit("/contact")
		mustContain(t, r, `<p class="body">Call HR on 01632 960000.</p>`,
			`<p class="body">&lt;script&gt;alert(1)&lt;/script&gt; &lt;b&gt;Monday&lt;/b&gt; to Friday.</p>`)
		mustNotContain(t, r, "<script>alert(1)</script>", "<b>Monday</b>", "For questions about your training")
	}

	// Only HR may change them: an auditor is told, anyone else does not
	// find the form.
	auditor := e.employee("Aditi", "Audit")
	if _, err := e.app.Accounts.SetRoles(t.Context(), e.hr, auditor.ID, auth.NewRoles(auth.RoleAuditor)); err != nil {
		t.Fatal(err)
	}
	ab := e.newBrowser()
	ab.signIn(auditor.Email, castPassword)
	mustStatus(t, ab.get("/site-pages/contact/edit"), http.StatusForbidden)
	mustNotContain(t, ab.visit("/contact"), "Change the text of this page")
	employee := e.employee("Ella", "Staff")
	eb := e.newBrowser()
	eb.signIn(employee.Email, castPassword)
	mustStatus(t, eb.get("/site-pages/contact/edit"), http.StatusNotFound)
	r = eb.post("/site-pages/contact/edit", url.Values{"csrf_token": {eb.csrf()}, "text": {"Defaced"}})
	if r.Status != http.StatusNotFound {
		t.Errorf("an employee's edit answered %d, want 404", r.Status)
	}
	mustNotContain(t, anon.visit("/contact"), "Defaced")
	mustStatus(t, hr.get("/site-pages/nonsense/edit"), http.StatusNotFound)
}

// "Manage" gathers the pages HR set up now and then, and lists to each
// person only those their roles reach.
func TestManageListsWhatTheGuardsAllow(t *testing.T) {
	e := newEnv(t, "http://127.0.0.1")
	hr := e.newBrowser()
	hr.signIn(adminEmail, adminPassword)
	r := hr.visit("/manage")
	mustStatus(t, r, http.StatusOK)
	mustContain(t, r, `href="/courses">Courses</a>`, `href="/outbox">Outbox</a>`, `href="/site-pages/accessibility/edit">Accessibility statement</a>`,
		`<a class="header__link" href="/manage" aria-current="page">Manage</a>`)
	// A page under Manage shows Manage as the current item.
	mustContain(t, hr.visit("/courses"), `<a class="header__link" href="/manage" aria-current="page">Manage</a>`)

	auditor := e.employee("Aditi", "Audit")
	if _, err := e.app.Accounts.SetRoles(t.Context(), e.hr, auditor.ID, auth.NewRoles(auth.RoleAuditor)); err != nil {
		t.Fatal(err)
	}
	ab := e.newBrowser()
	ab.signIn(auditor.Email, castPassword)
	r = ab.visit("/manage")
	mustStatus(t, r, http.StatusOK)
	mustContain(t, r, `href="/courses">Courses</a>`)
	mustNotContain(t, r, `href="/outbox"`, `/site-pages/`)
	var listed []string
	for _, m := range anchorHref.FindAllStringSubmatch(r.Body[strings.Index(r.Body, `<main`):], -1) {
		listed = append(listed, m[1])
	}
	for _, href := range listed {
		if strings.HasPrefix(href, "/") && !slices.Contains([]string{"/contact"}, href) {
			if got := ab.get(href).Status; got != http.StatusOK {
				t.Errorf("auditor: %s is listed on Manage but answers %d", href, got)
			}
		}
	}
	employee := e.employee("Ella", "Staff")
	eb := e.newBrowser()
	eb.signIn(employee.Email, castPassword)
	mustStatus(t, eb.get("/manage"), http.StatusNotFound)
}

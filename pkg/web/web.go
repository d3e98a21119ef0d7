// Package web serves complytrack's web pages: server-rendered HTML
// (html/template) following the GOV.UK Design System's patterns, on the same
// Gin engine and the same domain services as the JSON API. Templates and the
// stylesheet are embedded in the binary; nothing is fetched at run time and
// every core flow works without JavaScript (plain forms, POST-redirect-GET).
//
// Signing in sets cookies (see session.go): the access token and the refresh
// token, both HttpOnly and SameSite=Lax, Secure over TLS. Every form carries
// a CSRF token (an HMAC of the sign-in keyed by a secret cookie, checked in
// constant time) and a post without it is refused with a 403 page. The JSON
// API stays bearer-only: the cookies do not authenticate it.
//
// Authorization is the domain service's, as for the API: pages call the
// same methods with the signed-in person's training.Actor, so nobody sees a
// person outside their scope.
//
// Adding pages: write a file with its handlers and templates/<name>.html
// (which defines "content"), register its routes in Mount, and its header
// link in navItems.
package web

import (
	"bytes"
	"context"
	"crypto/sha256"
	"embed"
	"encoding/hex"
	"fmt"
	"html/template"
	"io/fs"
	"log/slog"
	"mime"
	"net/http"
	"path"
	"slices"
	"strings"
	"sync"
	"time"

	"github.com/gin-gonic/gin"

	"github.com/complytrack/complytrack/pkg/accounts"
	"github.com/complytrack/complytrack/pkg/auth"
	"github.com/complytrack/complytrack/pkg/chasing"
	"github.com/complytrack/complytrack/pkg/compliance"
	"github.com/complytrack/complytrack/pkg/importmap"
	"github.com/complytrack/complytrack/pkg/logging"
	"github.com/complytrack/complytrack/pkg/notify"
	"github.com/complytrack/complytrack/pkg/sessions"
)

//go:embed templates/*.html
var templateFS embed.FS

//go:embed static
var staticFS embed.FS

// Deps is what the pages need from the rest of the program.
type Deps struct {
	Logger   *slog.Logger
	Training *compliance.Service
	Accounts *accounts.Service
	// PublicURL is the address people use (COMPLYTRACK_PUBLIC_URL). When it
	// is https the cookies are Secure even when TLS ends at a proxy.
	PublicURL string
	// RefreshTTL is how long a sign-in lasts: the refresh cookie's lifetime.
	RefreshTTL time.Duration
	// Organisation is shown in the header beside the service name; empty:
	// not shown.
	Organisation string
	// Phase is the phase banner's tag ("alpha", "beta"); empty: no banner.
	Phase string
	// SitePages keeps the footer pages' text as HR wrote it; nil: the
	// default text, and no form to change it.
	SitePages SitePages
	// Outbox is the e-mail outbox HR reads on /outbox; nil: no such page.
	Outbox *notify.Outbox
	// ScanSchedule is the compliance scan's schedule (cron or "off"), so
	// the flags page can say when flags are raised; empty: not known.
	ScanSchedule string
	// HeldImports keeps a previewed import file until it is confirmed, in
	// the database, so that the confirmation may reach any replica.
	HeldImports HeldImports
	// Sessions books and runs face-to-face sessions.
	Sessions *sessions.Service
	// ImportMappings keeps HR's mappings of HR-system exports.
	ImportMappings *importmap.Service
	// Roles names the people holding a role: the trainers HR may choose
	// for a session.
	Roles RoleHolders
	// Added remembers whom HR just added, for "Invite the N people you
	// added" (invite_many.go); nil: not offered.
	Added AddedPeople
	// Chasing sends the reminders managers and HR send by hand (My team,
	// Flags) and says when each person was last reminded.
	Chasing *chasing.Service
	// SSO is sign-in with the organisation's identity provider (sso.go);
	// nil: not set up.
	SSO *SSO
}

// RoleHolders finds who holds a role (pkg/mongodb implements it).
type RoleHolders interface {
	PeopleWithRole(ctx context.Context, r auth.Role) ([]string, error)
}

// HeldImports keeps uploaded import files between their preview and their
// confirmation (pkg/mongodb implements it).
type HeldImports interface {
	// HoldImport keeps data for owner for ttl and returns the token that
	// takes it; an owner holds one file at a time.
	HoldImport(ctx context.Context, owner, name string, data []byte, ttl time.Duration) (string, error)
	// TakeImport returns and forgets the file; ok is false when there is
	// none for owner, it has expired, or it was taken already.
	TakeImport(ctx context.Context, owner, token string) (name string, data []byte, ok bool, err error)
	// PeekImport returns the file and keeps it; ok as for TakeImport.
	PeekImport(ctx context.Context, owner, token string) (name string, data []byte, ok bool, err error)
}

// Server holds the parsed templates and the session machinery.
type Server struct {
	d           Deps
	httpsPublic bool
	pages       map[string]*template.Template
	assets      map[string]asset

	// refreshMu serialises refreshes, so that two requests arriving with
	// the same expired access token do not both spend the refresh token
	// (the second would look like theft and end the sign-in).
	refreshMu sync.Mutex
	refreshed map[string]refreshedTokens
}

// New parses the embedded templates and assets. A template that does not
// parse is a programming error, caught by any test: New panics.
func New(d Deps) *Server {
	if d.Logger == nil {
		d.Logger = logging.Discard()
	}
	if d.RefreshTTL <= 0 {
		d.RefreshTTL = 14 * 24 * time.Hour
	}
	s := &Server{
		d:           d,
		httpsPublic: strings.HasPrefix(strings.ToLower(d.PublicURL), "https://"),
		refreshed:   map[string]refreshedTokens{},
	}
	s.assets = loadAssets()
	s.pages = s.parseTemplates()
	return s
}

// Mount registers the pages on r. The API's routes are registered already;
// pages live at every other address.
func (s *Server) Mount(r *gin.Engine) {
	r.GET("/assets/:name", s.asset)

	pages := r.Group("", s.pageHeaders)
	pages.GET("/", s.h(s.home))
	pages.POST("/sign-out", s.h(s.signOut)) // checks its own CSRF token, bound to the sign-in it ends
	// The forms of people not signed in; their CSRF token is bound to the
	// browser alone. Everywhere else it is bound to the sign-in, so
	// verifyCSRF runs after requireSignIn.
	out := pages.Group("", s.verifyCSRF)
	out.GET("/sign-in", s.h(s.signInForm))
	out.POST("/sign-in", s.h(s.signIn))
	// Sign-in with the organisation's identity provider (sso.go).
	out.GET("/sign-in/sso", s.h(s.ssoStart))
	out.GET("/sign-in/sso/callback", s.h(s.ssoCallback))
	out.GET("/invite", s.h(s.inviteForm))
	out.POST("/invite", s.h(s.acceptInvite))
	// Self-service password reset (password_reset.go).
	out.GET("/forgot-password", s.h(s.forgotPasswordForm))
	out.POST("/forgot-password", s.h(s.forgotPassword))
	out.GET("/reset-password", s.h(s.resetPasswordForm))
	out.POST("/reset-password", s.h(s.resetPassword))
	// The pages the footer links to, open to everyone (site_pages.go).
	for _, p := range sitePages {
		pages.GET("/"+p.Name, s.identify, s.showSitePage(p))
	}

	// Everyone signed in; the domain decides about each record.
	in := pages.Group("", s.requireSignIn, s.verifyCSRF)
	in.GET("/my-training", s.h(s.myTraining))
	in.GET("/my-training/:code/record", s.h(s.recordForm))
	in.GET("/certificates/:id", s.h(s.certificate))
	in.GET("/certificates/:id/preview", s.h(s.certificatePreview)) // evidence_batch.go
	in.GET("/people/:id", s.h(s.personDetail))
	// Line managers verify or reject, HR too: the domain decides whose.
	in.POST("/evidence/:id/verify", s.h(s.verifyCompletion))
	in.POST("/evidence/:id/reject", s.h(s.rejectCompletion))
	// Face-to-face sessions (sessions_book.go): anyone may see and book
	// them; who may book whom, see the bookings or keep the register is
	// the sessions service's to decide.
	in.GET("/sessions", s.h(s.sessionsList))
	in.GET("/sessions/:id", s.h(s.sessionDetail))
	in.POST("/sessions/:id/book", s.h(s.book))
	in.GET("/sessions/:id/calendar.ics", s.h(s.sessionCalendar))
	in.GET("/bookings/:id/cancel", s.h(s.cancelBookingForm))
	in.POST("/bookings/:id/cancel", s.h(s.cancelBooking))
	in.GET("/sessions/:id/register", s.h(s.registerForm))
	in.POST("/sessions/:id/register", s.h(s.takeRegister))
	// The self-certification form is read as it arrives, by the reader the API's completions use, before verifyCSRF.
	r.Group("", s.pageHeaders, s.requireSignIn, s.completionBody, s.verifyCSRF).POST("/my-training/:code/record", s.h(s.record))

	// Each group below is behind its guard (guards.go), which also decides
	// which links the header shows.
	// My team is open to everyone signed in (it says so when nobody reports
	// to them); the header links it for line managers (teamLink).
	in.GET("/team", s.h(s.myTeam))
	in.GET("/team.csv", s.h(s.teamCSV))
	// Anyone may send; pkg/chasing decides whom they may remind.
	in.POST("/team/remind", s.h(s.remindTeam))

	review := in.Group("", s.require(reviewPages))
	review.GET("/evidence", s.h(s.evidence))
	review.POST("/evidence/verify", s.h(s.verifySelected)) // evidence_batch.go
	review.GET("/flags", s.h(s.flags))
	flagActions := in.Group("", s.require(flagChanges)) // flags.go
	flagActions.POST("/flags/remind", s.h(s.remindFlags))
	flagActions.POST("/flags/dealt-with", s.h(s.dealWithFlags))

	read := in.Group("", s.require(hrPages))
	read.GET("/people", s.h(s.peopleList))
	read.GET("/dashboard", s.h(s.dashboard))
	read.GET("/dashboard/people", s.h(s.dashboardList))
	read.GET("/people/:id/exemptions", s.h(s.exemptions))
	read.GET("/manage", s.h(s.manage)) // manage.go
	read.GET("/courses", s.h(s.courses))
	read.GET("/courses/:code", s.h(s.course))
	read.GET("/reports", s.h(s.reports))
	read.GET("/reports.csv", s.h(s.reportCSV))
	read.GET("/reports/partners", s.h(s.partnerReport)) // partner_report.go
	read.GET("/reports/partners.csv", s.h(s.partnerReportCSV))
	read.GET("/reports/monthly", s.h(s.monthlyReports)) // monthly_reports.go

	change := in.Group("", s.require(hrChanges))
	change.GET("/people/new", s.h(s.newPersonForm))
	change.POST("/people/new", s.h(s.createPerson))
	change.GET("/people/import", s.h(s.importForm))
	change.POST("/people/import/confirm", s.h(s.confirmImport))
	change.GET("/people/import/columns", s.h(s.importColumnsForm)) // import_mapping.go
	change.POST("/people/import/columns", s.h(s.chooseImportColumns))
	change.GET("/people/import/preview", s.h(s.importPreview))
	change.POST("/people/import/end-date", s.h(s.endLeaver))
	change.GET("/people/:id/edit", s.h(s.editPersonForm))
	change.POST("/people/:id/edit", s.h(s.updatePerson))
	change.POST("/people/:id/invite", s.h(s.invitePerson)) // invite.go
	change.POST("/people/:id/roles", s.h(s.updateRoles))   // roles.go
	// Removing a person's single sign-on link (sso.go).
	change.POST("/people/:id/sso/unlink", s.h(s.ssoUnlink))
	// HR's actions on a person's account (account_admin.go).
	change.POST("/people/:id/account/disable", s.h(s.disableAccount))
	change.POST("/people/:id/account/enable", s.h(s.enableAccount))
	change.POST("/people/:id/account/end-sessions", s.h(s.endAccountSessions))
	// Invitations to many at once (invite_many.go).
	change.GET("/people/invite-everyone", s.h(s.inviteEveryoneForm))
	change.POST("/people/invite-everyone", s.h(s.inviteEveryone))
	change.POST("/people/invite-added", s.h(s.inviteAdded))
	change.GET("/completions/:id/revoke", s.h(s.revokeForm))
	change.POST("/completions/:id/revoke", s.h(s.revoke))
	change.GET("/people/:id/exemptions/new", s.h(s.exemptionNew))
	change.POST("/people/:id/exemptions", s.h(s.grantExemption))
	change.POST("/people/:id/exemptions/:exemption/remove", s.h(s.removeExemption))
	change.GET("/site-pages/:name/edit", s.h(s.sitePageForm)) // site_pages.go
	change.POST("/site-pages/:name/edit", s.h(s.saveSitePage))
	change.GET("/courses/new", s.h(s.newCourseForm)) // courses_form.go
	change.POST("/courses/new", s.h(s.createCourse))
	change.GET("/courses/:code/details", s.h(s.courseDetailsForm))
	change.POST("/courses/:code/details", s.h(s.updateCourseDetails))
	change.GET("/courses/:code/edit", s.h(s.courseEdit))
	change.POST("/courses/:code/edit", s.h(s.courseUpdate))
	// The upload is read with the import's 32 MiB limit, for HR only, before verifyCSRF.
	r.Group("", s.pageHeaders, s.requireSignIn, s.require(hrChanges), s.importBody, s.verifyCSRF).POST("/people/import", s.h(s.previewImport))

	sessionAdmin := in.Group("", s.require(sessionChanges))
	sessionAdmin.GET("/sessions/new", s.h(s.newSessionForm)) // sessions_manage.go
	sessionAdmin.POST("/sessions/new", s.h(s.scheduleSession))
	sessionAdmin.GET("/sessions/:id/edit", s.h(s.editSessionForm))
	sessionAdmin.POST("/sessions/:id/edit", s.h(s.rescheduleSession))
	sessionAdmin.GET("/sessions/:id/cancel", s.h(s.cancelSessionForm))
	sessionAdmin.POST("/sessions/:id/cancel", s.h(s.cancelSession))
	sessionAdmin.GET("/sessions/:id/partner", s.h(s.partnerForm)) // sessions_register.go
	sessionAdmin.POST("/sessions/:id/partner", s.h(s.addPartner))

	trainer := in.Group("", s.require(trainerPages))
	trainer.GET("/my-sessions", s.h(s.mySessions)) // sessions_register.go

	outbox := in.Group("", s.require(outboxPages))
	outbox.GET("/outbox", s.h(s.outbox))
	outbox.GET("/outbox/:id", s.h(s.outboxMessage))
}

// navItem is one link in the header, shown to those its page's guard
// lets through.
type navItem struct {
	Href  string
	Text  string
	Guard guard
	// Under are the addresses of pages grouped under this item (listed on
	// its page), which show it as the current one.
	Under []string
}

// navItems is the header's navigation, in order.
var navItems = []navItem{
	{Href: "/my-training", Text: "My training", Guard: everyone},
	{Href: "/sessions", Text: "Sessions", Guard: everyone},
	{Href: "/my-sessions", Text: "My sessions", Guard: trainerPages},
	{Href: "/team", Text: "My team", Guard: teamLink},
	{Href: "/people", Text: "People", Guard: hrPages},
	{Href: "/dashboard", Text: "Dashboard", Guard: hrPages},
	{Href: "/evidence", Text: "Evidence", Guard: reviewPages},
	{Href: "/flags", Text: "Flags", Guard: reviewPages},
	{Href: "/reports", Text: "Reports", Guard: hrPages},
	// The pages HR set up now and then, rather than work in every week:
	// one item keeps the navigation on one line (manage.go lists them).
	{Href: "/manage", Text: "Manage", Guard: manageLink, Under: manageUnder()},
}

// navLink is a navItem as one page shows it.
type navLink struct {
	Href    string
	Text    string
	Current bool
}

// within reports whether the page at path is href or one below it.
func within(path, href string) bool { return path == href || strings.HasPrefix(path, href+"/") }

func navFor(roles auth.Roles, current string) []navLink {
	var out []navLink
	for _, it := range navItems {
		if it.Guard.allows(roles) {
			out = append(out, navLink{Href: it.Href, Text: it.Text, Current: within(current, it.Href) ||
				slices.ContainsFunc(it.Under, func(href string) bool { return within(current, href) })})
		}
	}
	return out
}

// page is what every template receives. Data is the page's own content.
type page struct {
	Title string
	// Errors fill the error summary, in the order of the form's fields.
	Errors []fieldError
	// Banner is a notification shown above the content (the outcome of
	// the form just sent).
	Banner *banner
	Data   any

	// Set by render.
	User         *viewer
	Nav          []navLink
	CSRF         string
	Organisation string
	// Phase is the phase banner's tag; Footer the footer's links.
	Phase  string
	Footer []footerLink
}

// fieldError is one problem with a form. ID is the input the error
// summary links to ("#" + ID) and the inline message sits above.
type fieldError struct {
	ID      string
	Message string
}

// ErrorFor returns the message for the input with this id, or "".
func (p page) ErrorFor(id string) string {
	for _, e := range p.Errors {
		if e.ID == id {
			return e.Message
		}
	}
	return ""
}

// banner is a GOV.UK notification banner. Success ones are green.
type banner struct {
	Success bool
	Heading string
	Text    string
}

// viewer is the signed-in person as the header shows them.
type viewer struct {
	Name  string
	Roles auth.Roles
}

// parseTemplates makes one template set per page: the layout plus the
// page's file, so each page's "content" block is its own.
func (s *Server) parseTemplates() map[string]*template.Template {
	// Partials (partial_*.html) are sections a page includes by name.
	base := template.Must(template.New("layout.html").Funcs(s.funcs()).ParseFS(templateFS, "templates/layout.html", "templates/partial_*.html"))
	names, err := fs.Glob(templateFS, "templates/*.html")
	if err != nil {
		panic(err)
	}
	pages := map[string]*template.Template{}
	for _, name := range names {
		file := path.Base(name)
		if file == "layout.html" || strings.HasPrefix(file, "partial_") {
			continue
		}
		pages[file] = template.Must(template.Must(base.Clone()).ParseFS(templateFS, name))
	}
	return pages
}

func (s *Server) funcs() template.FuncMap {
	return template.FuncMap{
		"asset":       s.assetURL,
		"longDate":    longDate,
		"statusLabel": statusLabel,
	}
}

// render writes a whole page with status. The template runs into a buffer
// first, so a template error becomes a clean 500 page, not half a page.
func (s *Server) render(c *gin.Context, status int, name string, p page) {
	t, ok := s.pages[name]
	if !ok {
		panic("web: no template " + name)
	}
	if pr, ok := currentPrincipal(c); ok {
		p.User = &viewer{Name: c.GetString(personNameKey), Roles: pr.Roles}
		p.Nav = navFor(pr.Roles, c.Request.URL.Path)
		s.countWaiting(c, p.Nav)
	}
	if p.Banner == nil {
		p.Banner = formNotSent(c)
	}
	p.CSRF = s.csrfToken(c)
	p.Organisation = s.d.Organisation
	p.Phase, p.Footer = s.d.Phase, footerLinks()
	var buf bytes.Buffer
	if err := t.ExecuteTemplate(&buf, "layout.html", p); err != nil {
		s.d.Logger.ErrorContext(c.Request.Context(), "render page", "template", name, logging.Err(err))
		if name != "error.html" {
			s.render(c, http.StatusInternalServerError, "error.html", s.serverErrorPage(c))
		}
		return
	}
	c.Data(status, "text/html; charset=utf-8", buf.Bytes())
	c.Abort()
}

// errorPage is the content of error.html.
type errorPage struct {
	Paragraphs []string
	// Link, when set, is offered as the way on.
	LinkHref, LinkText string
	// Reference, when set, names the request in our logs: the 500 page
	// asks people to quote it.
	Reference string
}

// NotFound is the HTML 404 page for every address that is neither the
// API's nor a page's.
func (s *Server) NotFound(c *gin.Context) {
	setPageHeaders(c)
	s.render(c, http.StatusNotFound, "error.html", page{Title: "Page not found", Data: errorPage{
		Paragraphs: []string{
			"If you typed the web address, check it is correct.",
			"If you pasted the web address, check you copied the entire address.",
		},
		LinkHref: "/", LinkText: "Go to the start page"}})
}

// pageHeaders are set on every page: a strict Content-Security-Policy (no
// inline script or style at all, nothing from other origins) and no
// caching, since pages show personal records. X-Frame-Options and
// nosniff come from the router's global middleware.
func (s *Server) pageHeaders(c *gin.Context) {
	setPageHeaders(c)
	c.Next()
}

const contentSecurityPolicy = "default-src 'self'; script-src 'self'; style-src 'self'; img-src 'self' data:; " +
	"object-src 'none'; base-uri 'none'; form-action 'self'; frame-ancestors 'none'"

func setPageHeaders(c *gin.Context) {
	h := c.Writer.Header()
	h.Set("Content-Security-Policy", contentSecurityPolicy)
	h.Set("Cache-Control", "no-store")
}

// home sends people where their work is: HR to the dashboard, everyone
// else to their own training.
func (s *Server) home(c *gin.Context) error {
	p, ok, err := s.signedIn(c)
	switch {
	case err != nil:
		return err
	case !ok:
		c.Redirect(http.StatusSeeOther, "/sign-in")
	case p.Actor().HR:
		c.Redirect(http.StatusSeeOther, "/dashboard")
	default:
		c.Redirect(http.StatusSeeOther, "/my-training")
	}
	return nil
}

// asset is one embedded static file, served under a URL carrying its hash
// so it can be cached for ever and still change with each release.
type asset struct {
	data        []byte
	contentType string
	version     string
}

func loadAssets() map[string]asset {
	out := map[string]asset{}
	err := fs.WalkDir(staticFS, "static", func(p string, d fs.DirEntry, err error) error {
		if err != nil || d.IsDir() {
			return err
		}
		data, err := staticFS.ReadFile(p)
		if err != nil {
			return err
		}
		sum := sha256.Sum256(data)
		out[path.Base(p)] = asset{data: data, contentType: mime.TypeByExtension(path.Ext(p)), version: hex.EncodeToString(sum[:6])}
		return nil
	})
	if err != nil {
		panic(err)
	}
	return out
}

func (s *Server) assetURL(name string) (string, error) {
	a, ok := s.assets[name]
	if !ok {
		return "", fmt.Errorf("no asset %s", name)
	}
	return "/assets/" + name + "?v=" + a.version, nil
}

func (s *Server) asset(c *gin.Context) {
	a, ok := s.assets[c.Param("name")]
	if !ok {
		s.NotFound(c)
		return
	}
	if c.Query("v") == a.version {
		c.Header("Cache-Control", "public, max-age=31536000, immutable")
	} else {
		c.Header("Cache-Control", "no-cache")
	}
	c.Data(http.StatusOK, a.contentType, a.data)
}

// h runs a page's handler and answers its error with the error's page
// (fail): the one place the pages map errors.
func (s *Server) h(handle func(*gin.Context) error) gin.HandlerFunc {
	return func(c *gin.Context) {
		if err := handle(c); err != nil {
			s.fail(c, err)
		}
	}
}

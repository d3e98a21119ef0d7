package web

import (
	"context"
	"net/http"
	"slices"
	"strings"
	"unicode/utf8"

	"github.com/gin-gonic/gin"
)

// SitePages keeps the text of the pages every footer links to, as HR
// wrote it (pkg/mongodb implements it).
type SitePages interface {
	// SitePageText is the text HR wrote for the page; ok is false while
	// nobody has, and the page shows its default text.
	SitePageText(ctx context.Context, name string) (text string, ok bool, err error)
	SaveSitePageText(ctx context.Context, name, text, by string) error
}

// sitePage is one page the footer links to: open to everyone, signed in
// or not (an accessibility statement must be), its text HR's to change.
type sitePage struct {
	Name, Title string
	// Default is the text shown until HR writes their own.
	Default string
}

// maxSitePageChars bounds a page's text: a long statement, not a book.
const maxSitePageChars = 20000

var sitePages = []sitePage{
	{Name: "accessibility", Title: "Accessibility statement", Default: `This statement applies to complytrack, the service that keeps the records of our statutory training.

We want as many people as possible to be able to use it. You should be able to change colours, contrast levels and fonts, zoom in up to 400% without the text spilling off the screen, navigate the whole service using just a keyboard or speech recognition software, and listen to it using a screen reader.

The pages are built to the Web Content Accessibility Guidelines version 2.2 AA standard and are checked with automated accessibility tests. Certificates people upload (PDF files and images) may not be accessible: ask HR for the information in another format.

If you find a problem with accessibility, or need information in a different format, contact HR. If you are not happy with how we respond, contact the Equality Advisory and Support Service (EASS).`},
	{Name: "privacy", Title: "Privacy notice", Default: `complytrack keeps the records the law requires us to keep about statutory training, such as the Prevent duty: your name, work e-mail address, employee number, job title, department, line manager, start and end dates, the training you have completed and any certificates you uploaded.

We use this information to show you and your line manager what training you must do, to remind you when it is due, and to report on compliance to the organisation. Our lawful basis is legal obligation and public task.

Your line manager, HR and the organisation's auditors can see your training records. Nobody outside the organisation can, except where the law requires it.

We keep training records for as long as you work here and for the period our records retention schedule sets after you leave. You have the right to see the information we hold about you and to ask for it to be corrected: contact HR or the data protection officer.`},
	{Name: "contact", Title: "Contact", Default: `For questions about your training, a date that looks wrong, or access to this service, contact your HR team.

If your question is about a course itself, such as the content of the Prevent awareness e-learning, ask your line manager first.`},
}

func sitePageNamed(name string) (sitePage, bool) {
	i := slices.IndexFunc(sitePages, func(p sitePage) bool { return p.Name == name })
	if i < 0 {
		return sitePage{}, false
	}
	return sitePages[i], true
}

// footerLink is one link in every page's footer.
type footerLink struct{ Href, Text string }

func footerLinks() []footerLink {
	out := make([]footerLink, len(sitePages))
	for i, p := range sitePages {
		out[i] = footerLink{Href: "/" + p.Name, Text: p.Title}
	}
	return out
}

// sitePageView is the content of site_page.html.
type sitePageView struct {
	Name       string
	Paragraphs []string
	CanEdit    bool
}

// sitePageEdit is the content of site_page_edit.html.
type sitePageEdit struct {
	Name, PageTitle, Text string
}

// paragraphs splits text at blank lines; the lines inside a paragraph run
// on, as in an e-mail. The template escapes each: HR write text, not HTML.
func paragraphs(text string) []string {
	text = strings.ReplaceAll(text, "\r\n", "\n")
	var out []string
	for _, block := range strings.Split(text, "\n\n") {
		if p := strings.Join(strings.Fields(block), " "); p != "" {
			out = append(out, p)
		}
	}
	return out
}

// sitePageText is the page's text: HR's when they wrote one, else the default.
func (s *Server) sitePageText(c *gin.Context, p sitePage) (string, error) {
	if s.d.SitePages == nil {
		return p.Default, nil
	}
	text, ok, err := s.d.SitePages.SitePageText(c.Request.Context(), p.Name)
	if err != nil || !ok {
		return p.Default, err
	}
	return text, nil
}

func (s *Server) showSitePage(p sitePage) gin.HandlerFunc {
	return s.h(func(c *gin.Context) error {
		text, err := s.sitePageText(c, p)
		if err != nil {
			return err
		}
		_, signedIn := currentPrincipal(c)
		data := sitePageView{Name: p.Name, Paragraphs: paragraphs(text), CanEdit: signedIn && s.d.SitePages != nil && may(c, hrChanges)}
		pg := page{Title: p.Title, Data: data}
		if c.Query("saved") != "" && data.CanEdit {
			pg.Banner = &banner{Success: true, Heading: "Page saved", Text: "Everyone now sees the new text."}
		}
		s.render(c, http.StatusOK, "site_page.html", pg)
		return nil
	})
}

func (s *Server) editSitePageFor(c *gin.Context) (sitePage, bool) {
	p, ok := sitePageNamed(c.Param("name"))
	if !ok || s.d.SitePages == nil {
		s.NotFound(c)
		return sitePage{}, false
	}
	return p, true
}

// sitePageForm is HR's form for a footer page's text.
func (s *Server) sitePageForm(c *gin.Context) error {
	p, ok := s.editSitePageFor(c)
	if !ok {
		return nil
	}
	text, err := s.sitePageText(c, p)
	if err != nil {
		return err
	}
	s.render(c, http.StatusOK, "site_page_edit.html", page{Title: "Change the " + strings.ToLower(p.Title[:1]) + p.Title[1:] + " page",
		Data: sitePageEdit{Name: p.Name, PageTitle: p.Title, Text: text}})
	return nil
}

// saveSitePage keeps HR's text, or shows the form with what to correct.
func (s *Server) saveSitePage(c *gin.Context) error {
	p, ok := s.editSitePageFor(c)
	if !ok {
		return nil
	}
	text := strings.TrimSpace(strings.ReplaceAll(c.PostForm("text"), "\r\n", "\n"))
	var problem string
	switch {
	case text == "":
		problem = "Enter the text of the page."
	case utf8.RuneCountInString(text) > maxSitePageChars:
		problem = "The text must be 20,000 characters or fewer."
	}
	if problem != "" {
		s.render(c, http.StatusBadRequest, "site_page_edit.html", page{Title: "Change the " + strings.ToLower(p.Title[:1]) + p.Title[1:] + " page",
			Errors: []fieldError{{ID: "text", Message: problem}}, Data: sitePageEdit{Name: p.Name, PageTitle: p.Title, Text: text}})
		return nil
	}
	if err := s.d.SitePages.SaveSitePageText(c.Request.Context(), p.Name, text, principal(c).PersonID); err != nil {
		return err
	}
	c.Redirect(http.StatusSeeOther, "/"+p.Name+"?saved=1")
	return nil
}

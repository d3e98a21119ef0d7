package web

import (
	"net/http"
	"slices"
	"strings"

	"github.com/gin-gonic/gin"
)

// manageItem is one page HR set up now and then, listed on "Manage"
// for those its guard lets through.
type manageItem struct {
	Href, Text, Hint string
	Guard            guard
}

var manageItems = func() []manageItem {
	items := []manageItem{
		{Href: "/courses", Text: "Courses", Hint: "Add a course, and change who must do it, by when and how long it lasts.", Guard: hrPages},
		{Href: "/outbox", Text: "Outbox", Hint: "Every e-mail sent, or waiting to be sent.", Guard: outboxPages},
	}
	for _, p := range sitePages {
		items = append(items, manageItem{Href: "/site-pages/" + p.Name + "/edit", Text: p.Title,
			Hint: "Change the text of the page every footer links to.", Guard: hrChanges.passing()})
	}
	return items
}()

// manageLink shows "Manage" to whoever may reach one of its pages: it is
// the guards of the pages themselves, so the link and the pages agree.
var manageLink = func() guard {
	var g guard
	for _, it := range manageItems {
		for _, r := range it.Guard.roles {
			if !slices.Contains(g.roles, r) {
				g.roles = append(g.roles, r)
			}
		}
	}
	return g
}()

// manageUnder lists the addresses grouped under "Manage": each page's
// first segment, so a course's own pages count too.
func manageUnder() []string {
	var out []string
	for _, it := range manageItems {
		first, _, _ := strings.Cut(strings.TrimPrefix(it.Href, "/"), "/")
		if href := "/" + first; !slices.Contains(out, href) {
			out = append(out, href)
		}
	}
	return out
}

// passing is the guard without the roles it only tells "you cannot do
// this": the people who may actually use the pages.
func (g guard) passing() guard { return guard{roles: g.roles} }

// managePage is the content of manage.html.
type managePage struct {
	Items []manageItem
}

// manage lists the pages under "Manage" the signed-in person may use.
func (s *Server) manage(c *gin.Context) error {
	var data managePage
	for _, it := range manageItems {
		if may(c, it.Guard) && (s.d.SitePages != nil || !strings.HasPrefix(it.Href, "/site-pages/")) {
			data.Items = append(data.Items, it)
		}
	}
	s.render(c, http.StatusOK, "manage.html", page{Title: "Manage", Data: data})
	return nil
}

// identify puts the signed-in person, if any, on a page open to everyone,
// so it has the header they see everywhere; nobody is sent to sign in.
func (s *Server) identify(c *gin.Context) {
	if p, ok, err := s.signedIn(c); err == nil && ok {
		if person, err := s.d.Training.PersonByID(c.Request.Context(), p.PersonID); err == nil {
			c.Set(principalKey, p)
			c.Set(personNameKey, person.FullName())
		}
	}
	c.Next()
}

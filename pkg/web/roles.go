package web

import (
	"errors"
	"net/http"
	"net/url"
	"strings"

	"github.com/gin-gonic/gin"

	"github.com/complytrack/complytrack/pkg/auth"
	"github.com/complytrack/complytrack/pkg/training"
)

// grantableRoles are the roles HR grants on a person's page, in the order
// the form lists them, each with what it lets the person do. Employee and
// line manager are not granted: they follow from the person's record.
var grantableRoles = []struct {
	Role auth.Role
	Hint string
}{
	{auth.RoleHR, "Administers people, courses and training records."},
	{auth.RoleAuditor, "Reads everything, changes nothing."},
	{auth.RoleTrainer, "Records attendance at face-to-face sessions."},
	{auth.RoleMemberServices, "Sees every elected Member's training, like a line manager, and gets the weekly summary for them."},
}

// rolesRefusalKey carries the accounts service's refusal from the roles
// form's POST to the person page it renders again.
const rolesRefusalKey = "web.rolesRefusal"

// rolesPanel is the person page's account roles: HR and auditors see
// them, HR may change them.
type rolesPanel struct {
	Granted   string // the granted roles, named; "" for none
	CanChange bool
	Options   []roleOption
}

type roleOption struct {
	Value, Label, Hint string
	Checked            bool
}

// rolesOf is the roles panel for the person, or nil when the viewer may
// not see roles or the person has no account to hold them.
func (s *Server) rolesOf(c *gin.Context, p training.Person) (*rolesPanel, error) {
	if !may(c, hrPages) || s.d.Accounts == nil {
		return nil, nil
	}
	held, err := s.d.Accounts.Roles(c.Request.Context(), p.ID)
	switch {
	case errors.Is(err, training.ErrUnauthenticated):
		// No account (or a leaver's, which cannot sign in): nothing to grant.
		return nil, nil
	case err != nil:
		return nil, err
	}
	panel := &rolesPanel{CanChange: may(c, hrChanges) && principal(c).PersonID != p.ID}
	var names []string
	for _, g := range grantableRoles {
		panel.Options = append(panel.Options, roleOption{Value: string(g.Role), Label: roleLabels[g.Role], Hint: g.Hint, Checked: held.Has(g.Role)})
		if held.Has(g.Role) {
			names = append(names, roleLabels[g.Role])
		}
	}
	panel.Granted = strings.Join(names, ", ")
	return panel, nil
}

// updateRoles replaces the roles HR grants a person (the boxes ticked).
// HR only (the route's guard); the accounts service refuses HR's own
// roles and a person with no account, shown on the person page.
func (s *Server) updateRoles(c *gin.Context) error {
	if s.d.Accounts == nil {
		s.NotFound(c)
		return nil
	}
	id := c.Param("id")
	var roles auth.Roles
	for _, v := range c.PostFormArray("roles") {
		r, err := auth.ParseRole(v)
		if err != nil || r == auth.RoleEmployee || r == auth.RoleManager {
			// Only a hand-made request sends another value.
			c.Set(rolesRefusalKey, refusal{http.StatusUnprocessableEntity, "Choose roles from the list only."})
			return s.personDetail(c)
		}
		roles = roles.With(r)
	}
	if _, err := s.d.Accounts.SetRoles(c.Request.Context(), principal(c).Actor(), id, roles); err != nil {
		if r, ok := inviteRefusal(c.Request.Context(), err); ok {
			c.Set(rolesRefusalKey, r)
			return s.personDetail(c)
		}
		return err
	}
	c.Redirect(http.StatusSeeOther, "/people/"+url.PathEscape(id)+"?roles=1")
	return nil
}

// rolesBanner puts the outcome of the roles form on the person page and
// returns the page's status: the refusal's when the change was refused.
func rolesBanner(c *gin.Context, pg *page, status int) int {
	if v, ok := c.Get(rolesRefusalKey); ok {
		r := v.(refusal)
		pg.Banner = &banner{Heading: "The roles were not changed", Text: r.Message}
		return r.Status
	}
	if c.Query("roles") != "" && pg.Banner == nil {
		pg.Banner = &banner{Success: true, Heading: "Roles saved"}
	}
	return status
}

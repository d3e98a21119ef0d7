package web

import (
	"github.com/gin-gonic/gin"

	"github.com/complytrack/complytrack/pkg/auth"
	"github.com/complytrack/complytrack/pkg/training"
)

// guard is who may reach a group of pages, by role. The routes are mounted
// behind their guard (Mount), and the header's navigation shows a link
// only to those its page's guard lets through (navItems), so the two
// cannot disagree. Within a page, the domain service still decides about
// each record (a line manager sees their own reporting line only).
type guard struct {
	// roles may pass; none: everyone signed in.
	roles []auth.Role
	// told are refused with "you cannot do this" (403): they see these
	// pages but may not change anything there (auditors). Anyone else
	// gets the "page not found" page, as for a page outside their scope.
	told []auth.Role
}

var (
	everyone = guard{}
	// HR's pages, which auditors read too.
	hrPages = guard{roles: []auth.Role{auth.RoleHR, auth.RoleAuditor}}
	// HR's changes: auditors see the pages but are told they may not.
	hrChanges = guard{roles: []auth.Role{auth.RoleHR}, told: []auth.Role{auth.RoleAuditor}}
	// The evidence queue and the flags, which line managers work too, and
	// Member Services for the elected Members.
	reviewPages = guard{roles: []auth.Role{auth.RoleHR, auth.RoleAuditor, auth.RoleManager, auth.RoleMemberServices}}
	// Acting on flags (sending a reminder, marking them dealt with): those
	// who work the flags list, for the flags the domain lets them; auditors
	// see the list but are told they may not.
	flagChanges = guard{roles: []auth.Role{auth.RoleHR, auth.RoleManager, auth.RoleMemberServices}, told: []auth.Role{auth.RoleAuditor}}
	// Who is shown the link to My team: line managers, and Member Services,
	// whose team is the elected Members. The page itself is open to
	// everyone signed in, and says when nobody reports to them.
	teamLink = guard{roles: []auth.Role{auth.RoleManager, auth.RoleMemberServices}}
	// The outbox: HR only, the e-mails may hold personal details.
	outboxPages = guard{roles: []auth.Role{auth.RoleHR}}
	// A trainer's own sessions and their registers. HR keep any register
	// from the session's page; the domain decides about each session.
	trainerPages = guard{roles: []auth.Role{auth.RoleTrainer}}
	// Scheduling, changing and cancelling face-to-face sessions, and adding
	// partner attendees: HR for any session, trainers for the sessions
	// they run, which the sessions service decides session by session.
	// Auditors see the sessions but are told they may not.
	sessionChanges = guard{roles: []auth.Role{auth.RoleHR, auth.RoleTrainer}, told: []auth.Role{auth.RoleAuditor}}
)

func holdsAny(roles auth.Roles, want []auth.Role) bool {
	for _, r := range want {
		if roles.Has(r) {
			return true
		}
	}
	return false
}

// allows reports whether someone with these roles may pass.
func (g guard) allows(roles auth.Roles) bool { return len(g.roles) == 0 || holdsAny(roles, g.roles) }

// require is the guard as route middleware. It runs after requireSignIn.
func (s *Server) require(g guard) gin.HandlerFunc {
	return func(c *gin.Context) {
		roles := principal(c).Roles
		switch {
		case g.allows(roles):
			c.Next()
		case holdsAny(roles, g.told):
			s.fail(c, training.ErrForbidden)
			c.Abort()
		default:
			s.NotFound(c)
			c.Abort()
		}
	}
}

// may reports whether the signed-in person passes g, for pages that offer
// a form only to those who may send it.
func may(c *gin.Context, g guard) bool { return g.allows(principal(c).Roles) }

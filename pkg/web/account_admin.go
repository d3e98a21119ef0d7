package web

import (
	"context"
	"net/http"
	"net/url"

	"github.com/gin-gonic/gin"

	"github.com/complytrack/complytrack/pkg/accounts"
	"github.com/complytrack/complytrack/pkg/training"
)

// accountButton is one of HR's actions on an account.
type accountButton struct {
	Action string // the address under /people/{id}/account/
	Text   string
	Warn   bool
}

// accountDone says what an action just did, after its redirect.
var accountDone = map[string]string{
	"disabled":       "The account is disabled: they have been signed out everywhere and cannot sign in.",
	"enabled":        "The account is enabled: they can sign in again.",
	"sessions-ended": "They have been signed out everywhere.",
}

// addAccountAdmin completes the account panel of someone who has an
// account: HR's disabling (distinct from having left), the latest sign-in
// and how it was made, and HR's actions on it.
func (s *Server) addAccountAdmin(c *gin.Context, p training.Person, out *accountPanel, st accounts.State) error {
	if st != accounts.Active && st != accounts.Disabled {
		return nil
	}
	v, err := s.d.Accounts.AccountOf(c.Request.Context(), principal(c).Actor(), p.ID)
	if err != nil || !v.HasAccount {
		return err
	}
	loc := s.d.Training.Location()
	if v.HasSignedIn {
		how := "with a password"
		if v.LastSignIn.Method == accounts.MethodSSO {
			how = "with single sign-on"
		}
		out.LastSignIn = "Last signed in on " + longDateTime(v.LastSignIn.At, loc) + ", " + how + "."
	} else {
		out.LastSignIn = "No sign-in recorded."
	}
	out.Done = accountDone[c.Query("account")]
	if st == accounts.Active && !v.DisabledAt.IsZero() {
		out.Tag, out.TagClass = "Disabled by HR", "tag--overdue"
		out.Text = p.FullName() + " has an account, but cannot sign in: HR disabled it on " + longDateTime(v.DisabledAt, loc) + "."
	}
	if st != accounts.Active || !may(c, hrChanges) || p.ID == principal(c).PersonID {
		return nil
	}
	if v.DisabledAt.IsZero() {
		out.Buttons = []accountButton{{Action: "end-sessions", Text: "End all sessions"}, {Action: "disable", Text: "Disable account", Warn: true}}
	} else {
		out.Buttons = []accountButton{{Action: "enable", Text: "Enable account"}}
	}
	return nil
}

func (s *Server) disableAccount(c *gin.Context) error {
	return s.accountAction(c, s.d.Accounts.Disable, "disabled")
}

func (s *Server) enableAccount(c *gin.Context) error {
	return s.accountAction(c, s.d.Accounts.Enable, "enabled")
}

func (s *Server) endAccountSessions(c *gin.Context) error {
	return s.accountAction(c, s.d.Accounts.EndSessions, "sessions-ended")
}

// accountAction runs one of HR's actions (behind the route's guard) and
// goes back to the person's account panel.
func (s *Server) accountAction(c *gin.Context, act func(ctx context.Context, actor training.Actor, personID string) error, done string) error {
	id := c.Param("id")
	if err := act(c.Request.Context(), principal(c).Actor(), id); err != nil {
		return err
	}
	c.Redirect(http.StatusSeeOther, "/people/"+url.PathEscape(id)+"?account="+done+"#account")
	return nil
}

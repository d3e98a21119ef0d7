package httpapi_test

import (
	"context"
	"fmt"
	"io"
	"log/slog"
	"net/http"
	"strings"
	"testing"
	"time"

	"github.com/gin-gonic/gin"

	"github.com/complytrack/complytrack/pkg/app"
	"github.com/complytrack/complytrack/pkg/auth"
)

func loginBody(email, password string) map[string]string {
	return map[string]string{"email": email, "password": password}
}

// problemDetail is the detail of a problem+json answer.
func problemDetail(t *testing.T, r response) string {
	t.Helper()
	d, _ := r.json(t)["detail"].(string)
	return d
}

// The per-account pause names the address typed and the time sign-in may
// be tried again, in the organisation's time zone, and says exactly the same
// for an address no account has (apart from the address itself).
func TestSignInPauseSaysWhichAccountAndUntilWhen(t *testing.T) {
	// 09:00 UTC is 10:00 in Paris: the message must use the organisation's zone.
	e := newEnv(t, "COMPLYTRACK_TIMEZONE=Europe/Paris")
	p := e.addPerson("sam", "", nil)
	e.giveAccount("sam")
	for _, tc := range []struct{ name, typed, shown string }{
		{"an account", "  " + strings.ToUpper(p.Email) + " ", p.Email},
		{"no account", "Nobody@Example.gov.uk", "nobody@example.gov.uk"},
	} {
		t.Run(tc.name, func(t *testing.T) {
			for i := range 5 {
				// Each from its own address, so only the account's count is at work.
				r := e.doFrom(fmt.Sprintf("203.0.113.%d", i+1), "POST", "/api/v1/auth/login", "", loginBody(tc.typed, "wrong-password-1"))
				if r.Status != http.StatusUnauthorized {
					t.Fatalf("failure %d: status %d", i+1, r.Status)
				}
			}
			r := e.doFrom("203.0.113.50", "POST", "/api/v1/auth/login", "", loginBody(tc.typed, castPassword))
			if r.Status != http.StatusTooManyRequests {
				t.Fatalf("sixth attempt: status %d, want 429\n%s", r.Status, r.Body)
			}
			want := "Sign-in for " + tc.shown + " is paused until 10:05 after 5 wrong passwords. Try again then, or ask HR for help if you have forgotten your password."
			if got := problemDetail(t, r); got != want {
				t.Errorf("detail\n got %q\nwant %q", got, want)
			}
			if ra := r.Header.Get("Retry-After"); ra != "300" {
				t.Errorf("Retry-After %q, want 300", ra)
			}
		})
	}
	e.clock.Advance(5 * time.Minute)
	e.login(p.Email, castPassword)
}

// A council office signs in from one address: twenty people getting their
// password wrong there must not stop a twenty-first signing in. The address
// limit is far higher, and it holds.
func TestSignInLimitPerAddressIsFarHigher(t *testing.T) {
	e := newEnv(t, "COMPLYTRACK_TIMEZONE=Europe/London")
	const office = "192.0.2.77"
	for i := range 20 {
		r := e.doFrom(office, "POST", "/api/v1/auth/login", "", loginBody(fmt.Sprintf("colleague%d@example.gov.uk", i), "wrong-password-1"))
		if r.Status != http.StatusUnauthorized {
			t.Fatalf("failure %d: status %d", i+1, r.Status)
		}
	}
	if r := e.doFrom(office, "POST", "/api/v1/auth/login", "", loginBody(adminEmail, adminPassword)); r.Status != http.StatusOK {
		t.Fatalf("21st account from the office: status %d, want 200\n%s", r.Status, r.Body)
	}
	// Eighty more failures make the address's hundred.
	for i := 20; i < 100; i++ {
		e.doFrom(office, "POST", "/api/v1/auth/login", "", loginBody(fmt.Sprintf("colleague%d@example.gov.uk", i), "wrong-password-1"))
	}
	r := e.doFrom(office, "POST", "/api/v1/auth/login", "", loginBody(adminEmail, adminPassword))
	if r.Status != http.StatusTooManyRequests {
		t.Fatalf("after 100 failures from one address: status %d, want 429", r.Status)
	}
	if got, want := problemDetail(t, r), "Sign-in from your network is paused until 09:05 after 100 wrong passwords from it. Try again then."; got != want {
		t.Errorf("detail\n got %q\nwant %q", got, want)
	}
	// Another address is not affected.
	if r := e.doFrom("192.0.2.78", "POST", "/api/v1/auth/login", "", loginBody(adminEmail, adminPassword)); r.Status != http.StatusOK {
		t.Errorf("another address: status %d", r.Status)
	}
}

// Two API replicas on one database count the same failures.
func TestSignInFailuresAreSharedByReplicas(t *testing.T) {
	e := newEnv(t)
	second, err := app.New(context.Background(), e.cfg, e.app.Store.DB(), slog.New(slog.NewTextHandler(io.Discard, nil)),
		app.Options{Now: e.clock.Now, HasherParams: auth.MinParams})
	if err != nil {
		t.Fatal(err)
	}
	routers := []*gin.Engine{e.router, second.Router()}
	for i := range 5 {
		e.router = routers[i%2]
		e.must(http.StatusUnauthorized, "POST", "/api/v1/auth/login", "", loginBody(adminEmail, "wrong-password-1"))
	}
	for i, r := range routers {
		e.router = r
		if got := e.doFrom(fmt.Sprintf("198.51.100.%d", i+1), "POST", "/api/v1/auth/login", "", loginBody(adminEmail, adminPassword)); got.Status != http.StatusTooManyRequests {
			t.Errorf("replica %d: status %d, want 429", i+1, got.Status)
		}
	}
}

package sso_test

import (
	"errors"
	"net/http"
	"net/url"
	"strings"
	"sync/atomic"
	"testing"
	"time"

	"github.com/complytrack/complytrack/pkg/oidctest"
	"github.com/complytrack/complytrack/pkg/sso"
)

// flaky fails every request while down is set, as a provider that is
// unreachable does.
type flaky struct {
	down  atomic.Bool
	calls atomic.Int32
}

func (f *flaky) RoundTrip(r *http.Request) (*http.Response, error) {
	f.calls.Add(1)
	if f.down.Load() {
		return nil, errors.New("connection refused")
	}
	return http.DefaultTransport.RoundTrip(r)
}

// The provider is only asked at the first sign-in; while it is down,
// signing in says so, and once it is back the next try after the pause
// works. The address people are sent to asks for the code with PKCE
// (S256), a state and a nonce, and the scopes complytrack needs.
func TestDiscoveryIsLazyAndRetried(t *testing.T) {
	idp := oidctest.New(t, "http://127.0.0.1:1/sign-in/sso/callback")
	f := &flaky{}
	f.down.Store(true)
	c := sso.New(sso.Config{Issuer: idp.Issuer, ClientID: idp.ClientID, ClientSecret: idp.ClientSecret,
		RedirectURL: "http://127.0.0.1:1/sign-in/sso/callback", HTTPClient: &http.Client{Transport: f}, RetryAfter: 50 * time.Millisecond})
	if n := f.calls.Load(); n != 0 {
		t.Fatalf("the provider was asked %d times before anyone signed in", n)
	}
	if _, err := c.Begin(t.Context()); !errors.Is(err, sso.ErrUnavailable) {
		t.Fatalf("provider down: %v, want ErrUnavailable", err)
	}
	f.down.Store(false)
	calls := f.calls.Load()
	if _, err := c.Begin(t.Context()); !errors.Is(err, sso.ErrUnavailable) || f.calls.Load() != calls {
		t.Fatalf("straight after a failure the provider was asked again (%v)", err)
	}
	time.Sleep(60 * time.Millisecond)
	a, err := c.Begin(t.Context())
	if err != nil {
		t.Fatalf("provider back: %v", err)
	}
	u, err := url.Parse(a.URL)
	if err != nil || !strings.HasPrefix(a.URL, idp.Issuer+"/") {
		t.Fatalf("sent to %s", a.URL)
	}
	q := u.Query()
	for k, want := range map[string]string{"response_type": "code", "client_id": idp.ClientID, "state": a.State, "nonce": a.Nonce,
		"code_challenge_method": "S256", "scope": "openid email profile"} {
		if q.Get(k) != want {
			t.Errorf("%s = %q, want %q", k, q.Get(k), want)
		}
	}
	if q.Get("code_challenge") == "" || strings.Contains(a.URL, a.Verifier) {
		t.Errorf("the code challenge is missing, or the verifier itself is sent: %s", a.URL)
	}
	b, _ := c.Begin(t.Context())
	if b.State == a.State || b.Nonce == a.Nonce || b.Verifier == a.Verifier {
		t.Error("two sign-ins share a state, nonce or verifier")
	}
}

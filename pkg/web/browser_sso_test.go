package web_test

import (
	"context"
	"net/url"
	"strings"
	"testing"

	"github.com/chromedp/chromedp"
)

// A person on HR's records signs in with the organisation's identity
// provider in a real browser: "Sign in with ..." on complytrack's page, the
// provider's own login page, and back to My training. HR then see the link
// on the person's page. Our pages meet axe-core's serious and critical
// rules, and do not scroll sideways at 320px.
func TestBrowserSignInWithIdentityProvider(t *testing.T) {
	e := newSSOEnv(t)
	sophie, u := e.user("Sophie", "Marsh")
	ctx := newChrome(t)
	t.Cleanup(func() { saveScreenshot(t, ctx, t.Name()) })
	base := e.srv.URL

	must(t, "open the sign-in page", chromedp.Do(ctx, chromedp.Navigate(base+"/sign-in"), chromedp.WaitVisible(chromedp.ID("sso-button"))))
	if got := text(t, ctx, "#sso-button"); got != "Sign in with your Eastmoor account" {
		t.Errorf("button says %q", got)
	}
	checkAccessibility(t, ctx, "sign-in page with single sign-on")
	saveScreenshot(t, ctx, t.Name()+"-sign-in")
	noSidewaysScroll(t, ctx, base, "/sign-in")
	must(t, "back to the button", chromedp.Do(ctx, chromedp.WaitVisible(chromedp.ID("sso-button"))))

	must(t, "sign in at the provider", chromedp.Do(ctx,
		chromedp.Click(chromedp.ID("sso-button")),
		chromedp.WaitVisible(chromedp.ID("username")),
	))
	at, err := chromedp.Run(ctx, chromedp.Location())
	must(t, "read the provider's address", err)
	if !strings.HasPrefix(at, e.idp.Issuer+"/login") {
		t.Fatalf("the button led to %s, not the provider's login page", at)
	}
	must(t, "fill in the provider's form", chromedp.Do(ctx,
		chromedp.SendKeys(chromedp.ID("username"), u.Username),
		chromedp.SendKeys(chromedp.ID("password"), u.Password),
		chromedp.Click(chromedp.CSS(`button[type="submit"]`)),
		chromedp.WaitVisible(chromedp.CSS("footer")),
	))
	landed, err := chromedp.Run(ctx, chromedp.Location())
	must(t, "read where the browser landed", err)
	if lu, err := url.Parse(landed); err != nil || lu.Path != "/my-training" || !strings.HasPrefix(landed, base) {
		t.Fatalf("landed on %s, want My training", landed)
	}
	if got := text(t, ctx, "h1"); got != "My training" {
		t.Errorf("heading %q, want My training", got)
	}
	checkAccessibility(t, ctx, "My training after single sign-on")

	// HR see the link on Sophie's page.
	hr := ctx
	must(t, "sign Sophie out", chromedp.Do(hr, chromedp.Click(chromedp.CSS(`form[action="/sign-out"] button`)),
		chromedp.WaitVisible(chromedp.ID("sso-button"))))
	must(t, "sign in as HR", chromedp.Do(hr, chromedp.Navigate(base+"/sign-in"), chromedp.WaitVisible(chromedp.ID("email")),
		chromedp.SendKeys(chromedp.ID("email"), adminEmail),
		chromedp.SendKeys(chromedp.ID("password"), adminPassword),
		chromedp.Click(chromedp.CSS(`form[action="/sign-in"] button`)),
		chromedp.WaitVisible(chromedp.CSS(`form[action="/sign-out"]`))))
	must(t, "open Sophie's page", chromedp.Do(hr, chromedp.Navigate(base+"/people/"+sophie.ID), chromedp.WaitVisible(chromedp.ID("sso-state"))))
	if got := text(t, hr, "#sso-state"); !strings.HasPrefix(got, "Linked at their first single sign-on, on 2 November 2026 at 09:00") {
		t.Errorf("single sign-on section says %q", got)
	}
	checkAccessibility(t, hr, "person page with a single sign-on link")
	noSidewaysScroll(t, hr, base, "/people/"+sophie.ID)
}

// noSidewaysScroll opens the page at 320px wide and fails when it is wider
// than the window, then gives the window its width back.
func noSidewaysScroll(t *testing.T, ctx context.Context, base, path string) {
	t.Helper()
	must(t, "narrow the window", chromedp.Do(ctx, chromedp.EmulateViewport(320, 800),
		chromedp.Navigate(base+path), chromedp.WaitVisible(chromedp.CSS("footer"))))
	widths, err := chromedp.Run(ctx, chromedp.Evaluate[[]int](`[document.documentElement.scrollWidth, document.documentElement.clientWidth]`))
	must(t, "measure "+path, err)
	if widths[0] > widths[1] {
		t.Errorf("%s at 320px scrolls sideways: the page is %dpx wide in a %dpx window", path, widths[0], widths[1])
	}
	checkAccessibility(t, ctx, path+" at 320px")
	must(t, "widen the window", chromedp.Do(ctx, chromedp.EmulateViewport(1200, 900), chromedp.Navigate(base+path),
		chromedp.WaitVisible(chromedp.CSS("footer"))))
}

package web_test

import (
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/chromedp/chromedp"
)

// In a real browser: a form sent after the sign-in has ended leads to the
// sign-in page, which says the form was not sent, and signing in again
// leads back to the form with its date filled in. A form not listed as
// keeping fields comes back to the page it was on (the browser's Referer).
func TestBrowserFormAfterTheSignInEnded(t *testing.T) {
	e := newEnv(t, "http://127.0.0.1")
	e.employee("Sophie", "Marsh")
	ctx := newChrome(t)
	t.Cleanup(func() { saveScreenshot(t, ctx, t.Name()) })
	base := e.srv.URL
	certificate := filepath.Join(t.TempDir(), "certificate.pdf")
	must(t, "write the certificate", os.WriteFile(certificate, pdf("sophie"), 0o644))

	signIn := func(what, email, password string, then chromedp.Action[chromedp.Void]) {
		t.Helper()
		must(t, what, chromedp.Do(ctx,
			chromedp.SendKeys(chromedp.ID("email"), email),
			chromedp.SendKeys(chromedp.ID("password"), password),
			chromedp.Click(chromedp.CSS(`form[action="/sign-in"] button`)),
			then))
	}
	must(t, "open the sign-in page", chromedp.Do(ctx, chromedp.Navigate(base+"/my-training/PREVENT/record"), chromedp.WaitVisible(chromedp.ID("email"))))
	signIn("sign in", "sophie.marsh@example.gov.uk", castPassword, chromedp.WaitVisible(chromedp.ID("completed-on-day")))
	must(t, "fill in the form", chromedp.Do(ctx,
		chromedp.SendKeys(chromedp.ID("completed-on-day"), "30"),
		chromedp.SendKeys(chromedp.ID("completed-on-month"), "10"),
		chromedp.SendKeys(chromedp.ID("completed-on-year"), "2026"),
		chromedp.SetUploadFiles(chromedp.ID("certificate"), []string{certificate})))

	// The sign-in lasts 14 days; the form was left open for longer.
	e.clock.Advance(15 * 24 * time.Hour)
	must(t, "send the form", chromedp.Do(ctx,
		chromedp.Click(chromedp.CSS(`form[enctype="multipart/form-data"] button`)),
		chromedp.WaitVisible(chromedp.ID("email"))))
	if got := text(t, ctx, ".notification-banner__heading"); got != "You were signed out, so your form was not sent" {
		t.Errorf("sign-in banner %q", got)
	}
	checkAccessibility(t, ctx, "sign in after the sign-in ended")

	signIn("sign in again", "sophie.marsh@example.gov.uk", castPassword, chromedp.WaitVisible(chromedp.ID("completed-on-day")))
	if got := text(t, ctx, ".notification-banner"); !strings.Contains(got, "Your form was not sent") || !strings.Contains(got, "choose your certificate file again") {
		t.Errorf("form banner %q", got)
	}
	for id, want := range map[string]string{"completed-on-day": "30", "completed-on-month": "10", "completed-on-year": "2026"} {
		got, err := chromedp.Run(ctx, chromedp.Value(chromedp.ID(id)))
		must(t, "read "+id, err)
		if got != want {
			t.Errorf("%s is %q, want %q", id, got, want)
		}
	}
	checkAccessibility(t, ctx, "record completion, not sent")
	must(t, "send the form again", chromedp.Do(ctx,
		chromedp.SetUploadFiles(chromedp.ID("certificate"), []string{certificate}),
		chromedp.Click(chromedp.CSS(`form[enctype="multipart/form-data"] button`)),
		chromedp.WaitVisible(chromedp.CSS(".notification-banner--success"))))
	if got, want := text(t, ctx, ".notification-banner__heading"), "Recorded: Prevent awareness, completed 30 October 2026"; got != want {
		t.Errorf("banner %q, want %q", got, want)
	}

	// HR's add-a-person form: back to the page it was on, fields empty.
	must(t, "sign out", chromedp.Do(ctx,
		chromedp.Click(chromedp.CSS(`form[action="/sign-out"] button`)),
		chromedp.WaitVisible(chromedp.ID("email"))))
	must(t, "open the add-a-person page", chromedp.Do(ctx, chromedp.Navigate(base+"/people/new"), chromedp.WaitVisible(chromedp.ID("email"))))
	signIn("sign in as HR", adminEmail, adminPassword, chromedp.WaitVisible(chromedp.ID("given-name")))
	must(t, "fill in a name", chromedp.Do(ctx, chromedp.SendKeys(chromedp.ID("given-name"), "Nia")))
	e.clock.Advance(15 * 24 * time.Hour)
	must(t, "send the form", chromedp.Do(ctx,
		chromedp.Submit(chromedp.ID("given-name")),
		chromedp.WaitVisible(chromedp.ID("password"))))
	signIn("sign in again as HR", adminEmail, adminPassword, chromedp.WaitVisible(chromedp.ID("given-name")))
	loc, err := chromedp.Run(ctx, chromedp.Location())
	must(t, "read the address", err)
	if !strings.HasPrefix(loc, base+"/people/new?") || strings.Contains(loc, "Nia") {
		t.Errorf("back at %q, want /people/new without the name", loc)
	}
	if got := text(t, ctx, ".notification-banner__heading"); got != "Your form was not sent" {
		t.Errorf("banner %q", got)
	}
}

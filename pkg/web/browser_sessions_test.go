package web_test

import (
	"strings"
	"testing"

	"github.com/chromedp/chromedp"
)

// In a real browser: an employee books a place on today's workshop from
// My training, and the trainer takes its register, first sent with no
// choice, then with the employee marked as attended. Every page meets
// axe-core's serious and critical rules, at desktop and at phone width.
func TestBrowserBookAndTakeTheRegister(t *testing.T) {
	e := newEnv(t, "http://127.0.0.1")
	e.workshop()
	tom := e.trainer("Tom", "Whitfield")
	v := e.session("2026-11-02", 2, tom)
	e.employee("Sophie", "Marsh")
	ctx := newChrome(t)
	t.Cleanup(func() { saveScreenshot(t, ctx, t.Name()) })
	base := e.srv.URL

	signIn := func(email, password, then string) {
		t.Helper()
		must(t, "sign in as "+email, chromedp.Do(ctx,
			chromedp.Navigate(base+"/sign-in"),
			chromedp.WaitVisible(chromedp.ID("email")),
			chromedp.SendKeys(chromedp.ID("email"), email),
			chromedp.SendKeys(chromedp.ID("password"), password),
			chromedp.Click(chromedp.CSS(`form[action="/sign-in"] button`)),
			chromedp.WaitVisible(chromedp.CSS(then))))
	}

	signIn("sophie.marsh@example.gov.uk", castPassword, "#course-WRAP")
	checkAccessibility(t, ctx, "my training with a face-to-face course")
	must(t, "open the sessions", chromedp.Do(ctx,
		chromedp.Click(chromedp.CSS(`a[href="/sessions?course=WRAP"].button`)),
		chromedp.WaitVisible(chromedp.ID("session-"+v.ID))))
	if got := text(t, ctx, "#session-"+v.ID+" .session-places"); got != "2 places left" {
		t.Errorf("places %q, want 2 places left", got)
	}
	checkAccessibility(t, ctx, "sessions")
	must(t, "book a place", chromedp.Do(ctx,
		chromedp.Click(chromedp.ID("book-"+v.ID)),
		chromedp.WaitVisible(chromedp.CSS(".notification-banner--success"))))
	if got, want := text(t, ctx, ".notification-banner__heading"), "You are booked on WRAP workshop, Monday 2 November 2026"; got != want {
		t.Errorf("banner %q, want %q", got, want)
	}
	checkAccessibility(t, ctx, "session booked")
	must(t, "see my bookings", chromedp.Do(ctx,
		chromedp.Navigate(base+"/my-training"),
		chromedp.WaitVisible(chromedp.ID("my-bookings"))))
	if got := text(t, ctx, `table[aria-labelledby="my-bookings"] tbody tr`); !strings.Contains(got, "Booked") || !strings.Contains(got, "10am to 12:30pm") {
		t.Errorf("my bookings row %q", got)
	}
	checkAccessibility(t, ctx, "my training with a booking")
	must(t, "sign out", chromedp.Do(ctx,
		chromedp.Click(chromedp.CSS(`form[action="/sign-out"] button`)),
		chromedp.WaitVisible(chromedp.ID("email"))))

	signIn(tom.Email, castPassword, `a.header__link[href="/my-sessions"]`)
	must(t, "open my sessions", chromedp.Do(ctx,
		chromedp.Click(chromedp.CSS(`a.header__link[href="/my-sessions"]`)),
		chromedp.WaitVisible(chromedp.ID("upcoming"))))
	checkAccessibility(t, ctx, "my sessions")
	must(t, "open the register", chromedp.Do(ctx,
		chromedp.Click(chromedp.CSS(`a[href="/sessions/`+v.ID+`/register"]`)),
		chromedp.WaitVisible(chromedp.ID("save-register"))))
	checkAccessibility(t, ctx, "register")
	must(t, "save the register with no choice", chromedp.Do(ctx,
		chromedp.Click(chromedp.ID("save-register")),
		chromedp.WaitVisible(chromedp.CSS(".error-summary"))))
	if got := text(t, ctx, ".error-summary__list"); got != "Choose Attended or Did not attend for at least one person." {
		t.Errorf("error summary %q", got)
	}
	checkAccessibility(t, ctx, "register with errors")

	// At phone width the radios still sit one under the other, whole.
	must(t, "narrow the window", chromedp.Do(ctx, chromedp.EmulateViewport(390, 844)))
	overflow, err := chromedp.Run(ctx, chromedp.Evaluate[bool](`document.documentElement.scrollWidth > window.innerWidth`))
	must(t, "measure the page", err)
	if overflow {
		t.Error("at 390px the register is wider than the screen")
	}
	checkAccessibility(t, ctx, "register at phone width")
	saveScreenshot(t, ctx, t.Name()+"-register-phone")
	must(t, "widen the window", chromedp.Do(ctx, chromedp.EmulateViewport(1200, 900)))

	must(t, "mark Sophie as attended", chromedp.Do(ctx,
		chromedp.Click(chromedp.CSS(`label[for^="attended-"]`)),
		chromedp.Click(chromedp.ID("save-register")),
		chromedp.WaitVisible(chromedp.CSS(".notification-banner--success"))))
	if got := text(t, ctx, ".notification-banner__content"); !strings.Contains(got, "Attended: 1. Did not attend: 0.") {
		t.Errorf("banner %q", got)
	}
	if got := text(t, ctx, "main form"); !strings.Contains(got, "Sophie Marsh") || !strings.Contains(got, "Recorded: Attended") {
		t.Errorf("register after saving %q", got)
	}
	checkAccessibility(t, ctx, "register saved")
}

package web_test

import (
	"strings"
	"testing"
	"time"

	"github.com/chromedp/chromedp"

	"github.com/complytrack/complytrack/pkg/sessions"
	"github.com/complytrack/complytrack/pkg/training"
)

// In a real browser, at desktop and at phone width: HR reads a person's
// face-to-face sessions and the partner report (first with a date that
// is not one), and a trainer's schedule form. Every page meets axe-core's
// serious and critical rules and fits a phone's screen.
func TestBrowserPersonSessionsAndPartnerReport(t *testing.T) {
	e := newEnv(t, "http://127.0.0.1")
	e.workshop()
	tom := e.trainer("Tom", "Whitfield")
	v := e.session("2026-11-03", 4, tom)
	rory := e.addPerson("Rory", "Report", "")
	if _, err := e.app.Sessions.Book(t.Context(), e.hr, v.ID, sessions.BookingRequest{PersonID: rory.ID}); err != nil {
		t.Fatal(err)
	}
	pat, err := e.app.Sessions.Book(t.Context(), e.hr, v.ID, sessions.BookingRequest{External: &training.ExternalAttendee{
		Name: "Pat Constable", Email: "pat.constable@police.example.org", Organisation: "Eastmoor Police"}})
	if err != nil {
		t.Fatal(err)
	}
	e.clock.Advance(31 * 24 * time.Hour)
	if _, err := e.app.Sessions.Register(t.Context(), e.hr, v.ID, nil, []string{pat.ID}); err != nil {
		t.Fatal(err)
	}
	ctx := newChrome(t)
	t.Cleanup(func() { saveScreenshot(t, ctx, t.Name()) })
	base := e.srv.URL
	signIn := func(email, password string) {
		t.Helper()
		must(t, "sign in as "+email, chromedp.Do(ctx,
			chromedp.Navigate(base+"/sign-in"),
			chromedp.WaitVisible(chromedp.ID("email")),
			chromedp.SendKeys(chromedp.ID("email"), email),
			chromedp.SendKeys(chromedp.ID("password"), password),
			chromedp.Click(chromedp.CSS(`form[action="/sign-in"] button`)),
			chromedp.WaitVisible(chromedp.CSS(`form[action="/sign-out"]`))))
	}
	// check looks at the page at both widths.
	check := func(name string) {
		t.Helper()
		checkAccessibility(t, ctx, name)
		must(t, "narrow the window", chromedp.Do(ctx, chromedp.EmulateViewport(390, 844)))
		overflow, err := chromedp.Run(ctx, chromedp.Evaluate[bool](`document.documentElement.scrollWidth > window.innerWidth`))
		must(t, "measure the page", err)
		if overflow {
			t.Errorf("at 390px %s is wider than the screen", name)
		}
		checkAccessibility(t, ctx, name+" at phone width")
		saveScreenshot(t, ctx, t.Name()+"-"+strings.ReplaceAll(name, " ", "-"))
		must(t, "widen the window", chromedp.Do(ctx, chromedp.EmulateViewport(1200, 900)))
	}

	signIn(adminEmail, adminPassword)
	must(t, "open the person", chromedp.Do(ctx, chromedp.Navigate(base+"/people/"+rory.ID), chromedp.WaitVisible(chromedp.ID("sessions"))))
	if got := text(t, ctx, `table[aria-labelledby="sessions"] tbody tr`); !strings.Contains(got, "Tuesday 3 November 2026") || !strings.Contains(got, "Booked") {
		t.Errorf("session row %q", got)
	}
	check("person with sessions")

	must(t, "open the reports", chromedp.Do(ctx, chromedp.Navigate(base+"/reports"), chromedp.WaitVisible(chromedp.CSS(`a[href="/reports/partners"]`))))
	must(t, "open the partner report", chromedp.Do(ctx,
		chromedp.Click(chromedp.CSS(`a[href="/reports/partners"]`)),
		chromedp.WaitVisible(chromedp.ID("partner-table"))))
	if got := text(t, ctx, "#partner-table tbody"); !strings.Contains(got, "Eastmoor Police") {
		t.Errorf("partner table %q", got)
	}
	check("partner report")
	must(t, "ask for a date that is not one", chromedp.Do(ctx,
		chromedp.SetValue(chromedp.ID("from-day"), "31"),
		chromedp.SetValue(chromedp.ID("from-month"), "2"),
		chromedp.Click(chromedp.CSS(`form[action="/reports/partners"] button`)),
		chromedp.WaitVisible(chromedp.CSS(".error-summary"))))
	check("partner report with errors")
	must(t, "sign out", chromedp.Do(ctx,
		chromedp.Click(chromedp.CSS(`form[action="/sign-out"] button`)),
		chromedp.WaitVisible(chromedp.ID("email"))))

	signIn(tom.Email, castPassword)
	must(t, "open my sessions", chromedp.Do(ctx, chromedp.Navigate(base+"/my-sessions"), chromedp.WaitVisible(chromedp.ID("upcoming"))))
	check("my sessions")
	must(t, "schedule a session", chromedp.Do(ctx,
		chromedp.Click(chromedp.CSS(`a[href="/sessions/new"].button`)),
		chromedp.WaitVisible(chromedp.ID("trainer"))))
	got, err := chromedp.Run(ctx, chromedp.Evaluate[string](`document.getElementById("trainer").selectedOptions[0].text`))
	must(t, "read the trainer chosen", err)
	if got != "Tom Whitfield" {
		t.Errorf("trainer chosen %q, want Tom Whitfield", got)
	}
	check("schedule form for a trainer")
}

package web_test

import (
	"strconv"
	"testing"

	"github.com/chromedp/chromedp"

	"github.com/complytrack/complytrack/pkg/auth"
	"github.com/complytrack/complytrack/pkg/training"
)

// On a 1280px screen the header's navigation keeps to one line for the
// person with the most links (HR who also train and manage a team), with
// the organisation's name in the header; at 320px wide (WCAG 1.4.10,
// reflow) My training with its panel, the footer pages, Manage and the
// course forms do not scroll sideways, and axe finds nothing serious.
func TestBrowserHeaderFitsAndPagesReflow(t *testing.T) {
	e := newEnv(t, "http://127.0.0.1", "COMPLYTRACK_ORG_NAME=Eastmoor District Council")
	rachel := e.employee("Rachel", "Thornbury")
	if _, err := e.app.Accounts.SetRoles(t.Context(), e.hr, rachel.ID, auth.NewRoles(auth.RoleHR, auth.RoleTrainer)); err != nil {
		t.Fatal(err)
	}
	e.addPerson("Rory", "Report", rachel.EmployeeNumber) // makes her a line manager too
	wrap := training.PreventCourse()
	wrap.Code, wrap.Title, wrap.Delivery, wrap.EffectiveFrom = "WRAP", "Workshop to Raise Awareness of Prevent (WRAP) for designated safeguarding leads", training.DeliveryClassroom, training.MustDate("2026-10-25")
	if _, err := e.app.Training.CreateCourse(t.Context(), e.hr, wrap); err != nil {
		t.Fatal(err)
	}

	ctx := newChrome(t)
	t.Cleanup(func() { saveScreenshot(t, ctx, t.Name()) })
	base := e.srv.URL
	must(t, "sign in", chromedp.Do(ctx, chromedp.EmulateViewport(1280, 900), chromedp.Navigate(base+"/sign-in"), chromedp.WaitVisible(chromedp.ID("email")),
		chromedp.SendKeys(chromedp.ID("email"), rachel.Email),
		chromedp.SendKeys(chromedp.ID("password"), castPassword),
		chromedp.Click(chromedp.CSS(`form[action="/sign-in"] button`)),
		chromedp.WaitVisible(chromedp.CSS(".header__list"))))

	must(t, "open My training", chromedp.Do(ctx, chromedp.Navigate(base+"/my-training"), chromedp.WaitVisible(chromedp.CSS("footer"))))
	tops, err := chromedp.Run(ctx, chromedp.Evaluate[[]float64](`[...document.querySelectorAll(".header__list > li")].map(li => li.offsetTop)`))
	must(t, "measure the navigation", err)
	if len(tops) < 10 {
		t.Fatalf("HR who train and manage see %d links, want at least 10", len(tops))
	}
	for i, top := range tops {
		if top != tops[0] {
			t.Errorf("at 1280px link %d of the navigation is on another line (offsetTop %v, the first's %v): %d links", i+1, top, tops[0], len(tops))
		}
	}
	if org := text(t, ctx, ".header__organisation"); org != "Eastmoor District Council" {
		t.Errorf("the header names %q", org)
	}
	saveScreenshot(t, ctx, t.Name()+"-1280")

	must(t, "narrow the window", chromedp.Do(ctx, chromedp.EmulateViewport(320, 800)))
	for _, path := range []string{"/my-training", "/accessibility", "/privacy", "/contact", "/site-pages/privacy/edit", "/manage", "/courses/new", "/courses/WRAP/details"} {
		must(t, "open "+path, chromedp.Do(ctx, chromedp.Navigate(base+path), chromedp.WaitVisible(chromedp.CSS("footer"))))
		widths, err := chromedp.Run(ctx, chromedp.Evaluate[[]int](`[document.documentElement.scrollWidth, document.documentElement.clientWidth]`))
		must(t, "measure "+path, err)
		if widths[0] > widths[1] {
			t.Errorf("%s at 320px scrolls sideways: the page is %dpx wide in a %dpx window", path, widths[0], widths[1])
		}
		checkAccessibility(t, ctx, path+" at 320px")
		saveScreenshot(t, ctx, t.Name()+"-320-"+strconv.Itoa(len(path)))
	}
	// The explanation opens from its summary.
	must(t, "open My training", chromedp.Do(ctx, chromedp.Navigate(base+"/my-training"), chromedp.WaitVisible(chromedp.CSS("#urgent")),
		chromedp.Click(chromedp.CSS("#course-PREVENT ~ details summary"), chromedp.NodeVisible),
		chromedp.WaitVisible(chromedp.CSS("#course-PREVENT ~ details .details__text"))))
}

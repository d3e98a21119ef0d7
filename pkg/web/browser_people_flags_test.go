package web_test

import (
	"fmt"
	"testing"

	"github.com/chromedp/chromedp"

	"github.com/complytrack/complytrack/pkg/training"
)

// People and Flags at 320 CSS pixels wide (WCAG 1.4.10, reflow): with a
// status column per course, sortable headings, pagination, the flags'
// checkboxes and a flag dealt with, neither page scrolls sideways, and
// axe finds nothing serious at 320 px or at 1280 px.
func TestBrowserPeopleAndFlagsReflow(t *testing.T) {
	e := newEnv(t, "http://127.0.0.1")
	pfSafeguarding(e)
	for i := range 120 {
		pfPerson(e, fmt.Sprintf("Christopher%03d", i), "Montgomeryfitzwilliam", "Legal & Democratic Services", "2024-04-01", "")
	}
	if _, err := e.app.Jobs.RunNow(t.Context(), "compliance-scan"); err != nil {
		t.Fatalf("compliance scan: %v", err)
	}
	rows, err := e.app.Training.FlagRows(t.Context(), e.hr, training.FlagFilter{}, training.PageRequest{Limit: 1})
	if err != nil || len(rows.Items) == 0 {
		t.Fatalf("no flag to deal with (%v)", err)
	}
	if _, err := e.app.Training.DealWithFlags(t.Context(), e.hr, []string{rows.Items[0].Flag.ID}); err != nil {
		t.Fatal(err)
	}

	ctx := newChrome(t)
	t.Cleanup(func() { saveScreenshot(t, ctx, t.Name()) })
	base := e.srv.URL
	must(t, "sign in", chromedp.Do(ctx, chromedp.Navigate(base+"/sign-in"), chromedp.WaitVisible(chromedp.ID("email")),
		chromedp.SendKeys(chromedp.ID("email"), adminEmail),
		chromedp.SendKeys(chromedp.ID("password"), adminPassword),
		chromedp.Click(chromedp.CSS(`form[action="/sign-in"] button`)),
		// Signed in: the next page's header, not the sign-in page's footer,
		// so that no navigation is still under way.
		chromedp.WaitVisible(chromedp.CSS(`form[action="/sign-out"]`))))

	pages := []struct{ path, ready string }{
		{"/people?sort=status&page=2", "#people-table"},
		{"/people?department=Legal+%26+Democratic+Services", ".pagination"},
		{"/flags", "#flags-table"},
		{"/flags?show=all&course=SAFE", "#flags-table"},
	}
	for _, width := range []int64{1280, 320} {
		must(t, "resize", chromedp.Do(ctx, chromedp.EmulateViewport(width, 900)))
		for _, p := range pages {
			must(t, "open "+p.path, chromedp.Do(ctx, chromedp.Navigate(base+p.path), chromedp.WaitVisible(chromedp.CSS(p.ready))))
			widths, err := chromedp.Run(ctx, chromedp.Evaluate[[]int](`[document.documentElement.scrollWidth, document.documentElement.clientWidth]`))
			must(t, "measure "+p.path, err)
			if widths[0] > widths[1] {
				t.Errorf("%s at %dpx scrolls sideways: the page is %dpx wide in a %dpx window", p.path, width, widths[0], widths[1])
			}
			checkAccessibility(t, ctx, fmt.Sprintf("%s at %dpx", p.path, width))
		}
	}
}

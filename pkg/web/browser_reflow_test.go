package web_test

import (
	"strconv"
	"strings"
	"testing"

	"github.com/chromedp/chromedp"

	"github.com/complytrack/complytrack/pkg/training"
)

// At 320 CSS pixels wide (WCAG 1.4.10, reflow) the people list and the
// outbox do not scroll sideways, however long the e-mail addresses; the
// dashboard's chart keeps every department's name whole and readable at
// desktop and phone widths, and says in words what its colours mean.
func TestBrowserReflowAndChart(t *testing.T) {
	e := newEnv(t, "http://127.0.0.1")
	for i, name := range [][2]string{{"Christopher", "Montgomeryfitzwilliam"}, {"Alexandra", "Wolstenholmecarrington"}} {
		p, err := e.app.Training.CreatePerson(t.Context(), e.hr, training.PersonInput{Person: training.Person{EmployeeNumber: "E-LONG-" + string(rune('A'+i)), Email: strings.ToLower(name[0]+"."+name[1]) + "@eastmoor.example.org", GivenName: name[0], FamilyName: name[1], Kind: training.KindStaff, JobTitle: "Democratic Services Officer", Department: "Legal & Democratic Services", StartDate: training.MustDate("2024-04-01")}})
		if err != nil {
			t.Fatal(err)
		}
		e.invitation(p) // an e-mail to the long address, for the outbox
	}
	e.addPerson("Sophie", "Marsh", "")

	ctx := newChrome(t)
	t.Cleanup(func() { saveScreenshot(t, ctx, t.Name()) })
	base := e.srv.URL
	must(t, "sign in", chromedp.Do(ctx, chromedp.Navigate(base+"/sign-in"), chromedp.WaitVisible(chromedp.ID("email")),
		chromedp.SendKeys(chromedp.ID("email"), adminEmail),
		chromedp.SendKeys(chromedp.ID("password"), adminPassword),
		chromedp.Click(chromedp.CSS(`form[action="/sign-in"] button`)),
		chromedp.WaitVisible(chromedp.CSS(".bar-chart"))))

	must(t, "narrow the window", chromedp.Do(ctx, chromedp.EmulateViewport(320, 800)))
	for _, path := range []string{"/people", "/outbox", "/dashboard"} {
		must(t, "open "+path, chromedp.Do(ctx, chromedp.Navigate(base+path), chromedp.WaitVisible(chromedp.CSS("footer"))))
		widths, err := chromedp.Run(ctx, chromedp.Evaluate[[]int](`[document.documentElement.scrollWidth, document.documentElement.clientWidth]`))
		must(t, "measure "+path, err)
		if widths[0] > widths[1] {
			t.Errorf("%s at 320px scrolls sideways: the page is %dpx wide in a %dpx window", path, widths[0], widths[1])
		}
		checkAccessibility(t, ctx, path+" at 320px")
	}

	for _, width := range []int64{1280, 375, 320} {
		must(t, "resize", chromedp.Do(ctx, chromedp.EmulateViewport(width, 900), chromedp.Navigate(base+"/dashboard"),
			chromedp.WaitVisible(chromedp.CSS(".bar-chart"))))
		// Each label: its text whole inside the chart (nothing clipped or
		// cut off), and at least 16px, as the page's own text.
		type label struct {
			Text              string
			Left, Right, Top  float64
			FigLeft, FigRight float64
			ScrollW, ClientW  float64
			FontSize          float64
		}
		labels, err := chromedp.Run(ctx, chromedp.Evaluate[[]label](`(() => {
			const fig = document.querySelector(".bar-chart").getBoundingClientRect();
			return [...document.querySelectorAll(".bar-chart__label, .bar-chart__value")].map(el => {
				const r = el.getBoundingClientRect();
				return {text: el.textContent, left: r.left, right: r.right, top: r.top, figLeft: fig.left, figRight: fig.right,
					scrollW: el.scrollWidth, clientW: el.clientWidth, fontSize: parseFloat(getComputedStyle(el).fontSize)};
			});
		})()`))
		must(t, "measure the chart's labels", err)
		if len(labels) != 2*3 {
			t.Fatalf("at %dpx the chart has %d labels and figures, want 6 (three departments)", width, len(labels))
		}
		for _, l := range labels {
			if l.Left < l.FigLeft-0.5 || l.Right > l.FigRight+0.5 || l.ScrollW > l.ClientW {
				t.Errorf("at %dpx %q is cut off: it spans %.0f to %.0f in a chart from %.0f to %.0f (text %v wide in %v)",
					width, l.Text, l.Left, l.Right, l.FigLeft, l.FigRight, l.ScrollW, l.ClientW)
			}
			if l.FontSize < 16 {
				t.Errorf("at %dpx %q is %.1fpx: too small to read", width, l.Text, l.FontSize)
			}
		}
		key := text(t, ctx, ".bar-chart figcaption")
		for _, want := range []string{"The target is 90%", "blue", "red", "below"} {
			if !strings.Contains(key, want) {
				t.Errorf("the chart's key %q does not say %q", key, want)
			}
		}
		checkAccessibility(t, ctx, "dashboard at "+strconv.FormatInt(width, 10)+"px")
		saveScreenshot(t, ctx, t.Name()+"-dashboard-"+strconv.FormatInt(width, 10))
	}
}

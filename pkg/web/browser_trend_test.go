package web_test

import (
	"fmt"
	"net/url"
	"strconv"
	"strings"
	"testing"
	"time"

	"github.com/chromedp/chromedp"

	"github.com/complytrack/complytrack/pkg/training"
)

// On the demo council, HR's dashboard shows the last 12 months of
// compliance as a line against the target, with a legend and a table of
// every figure: the months the monthly job kept as they were sent, the
// others as the report for their last day says, the month under way as it
// stands today. The departments come lowest first, each linking to its
// people. The dashboard and the monthly reports page pass axe at 1280px
// and do not scroll sideways at 320px.
func TestBrowserDashboardTrendOnTheDemoCouncil(t *testing.T) {
	e := newDemoEnv(t)
	ctx := newChrome(t)
	t.Cleanup(func() { saveScreenshot(t, ctx, t.Name()) })
	base := e.srv.URL
	must(t, "sign in", chromedp.Do(ctx, chromedp.EmulateViewport(1280, 900), chromedp.Navigate(base+"/sign-in"), chromedp.WaitVisible(chromedp.ID("email")),
		chromedp.SendKeys(chromedp.ID("email"), "fiona.gallagher@eastmoor.example.org"),
		chromedp.SendKeys(chromedp.ID("password"), "eastmoor-demo-password"),
		chromedp.Click(chromedp.CSS(`form[action="/sign-in"] button`)),
		chromedp.WaitVisible(chromedp.ID("trend-chart"))))
	checkAccessibility(t, ctx, "dashboard")

	today := e.app.Training.Today()
	ends := training.MonthEnds(today, 12)
	type row struct{ Month, Pct, Counts, Source string }
	rows, err := chromedp.Run(ctx, chromedp.Evaluate[[]row](`[...document.querySelectorAll("#trend-table tbody tr")].map(tr => {
		const c = tr.querySelectorAll("th, td");
		return {month: c[0].textContent.trim(), pct: c[1].textContent.trim(), counts: c[2].textContent.trim(), source: c[3].textContent.trim()};
	})`))
	must(t, "read the trend's table", err)
	if len(rows) != 12 {
		t.Fatalf("the trend's table has %d months, want 12: %+v", len(rows), rows)
	}
	for i, r := range rows {
		end := ends[i]
		wantMonth := time.Date(end.Year(), end.Month(), 1, 0, 0, 0, 0, time.UTC).Format("January 2006")
		if !strings.HasPrefix(r.Month, wantMonth) {
			t.Errorf("row %d is %q, want %s", i, r.Month, wantMonth)
		}
		rep, err := e.app.Training.ComplianceReport(t.Context(), e.hr, training.ReportRequest{CourseCode: "PREVENT", AsOf: end})
		if err != nil {
			t.Fatal(err)
		}
		wantSource := "Worked out for "
		switch {
		case i == 11:
			wantSource = "Today"
		case i >= 12-1-3: // the demo keeps the last three months' reports
			wantSource = "Monthly report as sent"
		}
		if !strings.HasPrefix(r.Source, wantSource) {
			t.Errorf("%s comes from %q, want %q", r.Month, r.Source, wantSource)
		}
		// Nothing was recorded since the reports were kept: the figures
		// as sent are the report for the day.
		wantCounts := fmt.Sprintf("%d of %d", rep.Totals.UpToDate(), rep.Totals.Required())
		if r.Counts != wantCounts || !strings.HasPrefix(r.Pct, strconv.FormatFloat(rep.Totals.Pct(), 'f', -1, 64)+"%") {
			t.Errorf("%s: %s, %s; the report for %s says %v%%, %s", r.Month, r.Pct, r.Counts, end, rep.Totals.Pct(), wantCounts)
		}
	}
	drawn, err := chromedp.Run(ctx, chromedp.Evaluate[[]int](`[document.querySelectorAll("#trend-chart .trend-chart__dot").length,
		document.querySelectorAll("#trend-chart .trend-chart__target").length]`))
	must(t, "count the trend's dots", err)
	if drawn[0] != 12 || drawn[1] != 1 {
		t.Errorf("the trend draws %d dots and %d target lines, want 12 and 1", drawn[0], drawn[1])
	}
	if legend := text(t, ctx, "#trend-chart figcaption"); !strings.Contains(legend, "Target: 90%") || !strings.Contains(legend, "Compliance at the end of each month") {
		t.Errorf("the trend's legend says %q", legend)
	}

	// Departments lowest first, each name a link to its people.
	type bar struct{ Label, Value, Href string }
	bars, err := chromedp.Run(ctx, chromedp.Evaluate[[]bar](`[...document.querySelectorAll(".bar-chart__row")].map(li => ({
		label: li.querySelector(".bar-chart__label a").firstChild.textContent, value: li.querySelector(".bar-chart__value").textContent,
		href: li.querySelector(".bar-chart__label a").getAttribute("href")}))`))
	must(t, "read the departments' bars", err)
	if len(bars) < 5 {
		t.Fatalf("the chart has %d departments", len(bars))
	}
	prev := -1.0
	for _, b := range bars {
		pct, err := strconv.ParseFloat(b.Value[:strings.Index(b.Value, "%")], 64)
		if err != nil {
			t.Fatalf("bar value %q: %v", b.Value, err)
		}
		if pct < prev {
			t.Errorf("%s (%v%%) comes after a department at %v%%: not lowest first", b.Label, pct, prev)
		}
		prev = pct
		u, err := url.Parse(b.Href)
		if err != nil || u.Path != "/dashboard/people" || u.Query().Get("department") != b.Label {
			t.Errorf("%s links to %q, want its people", b.Label, b.Href)
		}
	}
	first := bars[0]
	must(t, "open the first department's people", chromedp.Do(ctx, chromedp.Click(chromedp.CSS(".bar-chart__row .bar-chart__label a")),
		chromedp.WaitVisible(chromedp.CSS("h1"))))
	required := strings.TrimSpace(first.Value[strings.Index(first.Value, " of ")+4 : strings.Index(first.Value, ")")])
	if body := text(t, ctx, "main"); !strings.Contains(body, first.Label) || !strings.Contains(body, required) {
		t.Errorf("the list behind %s (%s required) says:\n%s", first.Label, required, body)
	}

	must(t, "open the monthly reports", chromedp.Do(ctx, chromedp.Navigate(base+"/reports/monthly?course_code=PREVENT"), chromedp.WaitVisible(chromedp.CSS("h1"))))
	kept, err := chromedp.Run(ctx, chromedp.Evaluate[[]string](`[...document.querySelectorAll("main h3")].map(h => h.textContent)`))
	must(t, "read the monthly reports", err)
	if len(kept) != 3 || !strings.HasPrefix(kept[0], rows[10].Month) {
		t.Errorf("the monthly reports page lists %q, want the last three months, %s first", kept, rows[10].Month)
	}
	checkAccessibility(t, ctx, "monthly reports")

	must(t, "narrow the window", chromedp.Do(ctx, chromedp.EmulateViewport(320, 800)))
	for _, path := range []string{"/dashboard", "/reports/monthly", "/courses/PREVENT"} {
		must(t, "open "+path, chromedp.Do(ctx, chromedp.Navigate(base+path), chromedp.WaitVisible(chromedp.CSS("footer"))))
		widths, err := chromedp.Run(ctx, chromedp.Evaluate[[]int](`[document.documentElement.scrollWidth, document.documentElement.clientWidth]`))
		must(t, "measure "+path, err)
		if widths[0] > widths[1] {
			t.Errorf("%s at 320px scrolls sideways: the page is %dpx wide in a %dpx window", path, widths[0], widths[1])
		}
		checkAccessibility(t, ctx, path+" at 320px")
	}
	if sum := text(t, ctx, "#no-policy-changes"); sum == "" {
		t.Error("the course page does not say its policy has not changed")
	}

	// The check before a policy change is saved, on a phone.
	must(t, "change the policy", chromedp.Do(ctx, chromedp.Navigate(base+"/courses/PREVENT/edit"), chromedp.WaitVisible(chromedp.ID("validity_months")),
		chromedp.SetValue(chromedp.ID("validity_months"), "12"),
		chromedp.Click(chromedp.CSS(`form[action="/courses/PREVENT/edit"] button.button`)), chromedp.WaitVisible(chromedp.ID("policy-impact"))))
	widths, err := chromedp.Run(ctx, chromedp.Evaluate[[]int](`[document.documentElement.scrollWidth, document.documentElement.clientWidth]`))
	must(t, "measure the check page", err)
	if widths[0] > widths[1] {
		t.Errorf("the check of a policy change at 320px scrolls sideways: %dpx in %dpx", widths[0], widths[1])
	}
	checkAccessibility(t, ctx, "the check of a policy change at 320px")
	if headline := text(t, ctx, "#policy-impact"); !strings.HasPrefix(headline, "This makes ") || !strings.HasSuffix(headline, " people overdue or expired today.") {
		t.Errorf("the check says %q", headline)
	}
}

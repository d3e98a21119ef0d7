package web_test

import (
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/chromedp/chromedp"

	"github.com/complytrack/complytrack/pkg/training"
)

// HR import an iTrent-style export with UK dates in a real browser: the
// columns page proposes each column and the date format, the preview names
// the new starter and shows each update as before → after, and confirming
// imports it. Every page passes axe's serious and critical rules, and at
// 320px wide none scrolls sideways.
func TestBrowserImportFromHRSystem(t *testing.T) {
	e := newEnv(t, "http://127.0.0.1")
	file := importCast(e)
	path := filepath.Join(t.TempDir(), "itrent-export.csv")
	must(t, "write the export", os.WriteFile(path, []byte(file), 0o644))

	ctx := newChrome(t)
	t.Cleanup(func() { saveScreenshot(t, ctx, t.Name()) })
	base := e.srv.URL
	must(t, "sign in", chromedp.Do(ctx, chromedp.Navigate(base+"/people/import"),
		chromedp.WaitVisible(chromedp.ID("email")),
		chromedp.SendKeys(chromedp.ID("email"), adminEmail),
		chromedp.SendKeys(chromedp.ID("password"), adminPassword),
		chromedp.Click(chromedp.CSS(`form[action="/sign-in"] button`)),
		chromedp.WaitVisible(chromedp.ID("file"))))

	// reflows checks the page at 320px, then goes back to the desktop width.
	reflows := func(name string) {
		t.Helper()
		must(t, "narrow the window", chromedp.Do(ctx, chromedp.EmulateViewport(320, 800)))
		widths, err := chromedp.Run(ctx, chromedp.Evaluate[[]int](`[document.documentElement.scrollWidth, document.documentElement.clientWidth]`))
		must(t, "measure "+name, err)
		if widths[0] > widths[1] {
			t.Errorf("%s at 320px scrolls sideways: the page is %dpx wide in a %dpx window", name, widths[0], widths[1])
		}
		checkAccessibility(t, ctx, name+" at 320px")
		saveScreenshot(t, ctx, t.Name()+"-"+strings.ReplaceAll(name, " ", "-")+"-320")
		must(t, "widen the window", chromedp.Do(ctx, chromedp.EmulateViewport(1280, 900)))
	}
	checkAccessibility(t, ctx, "import")
	reflows("import")

	must(t, "upload the export", chromedp.Do(ctx,
		chromedp.SetUploadFiles(chromedp.ID("file"), []string{path}),
		chromedp.Click(chromedp.CSS(`form[action="/people/import"] button`)),
		chromedp.WaitVisible(chromedp.ID("column-0"))))
	checkAccessibility(t, ctx, "columns")
	saveScreenshot(t, ctx, t.Name()+"-columns")
	chosen, err := chromedp.Run(ctx, chromedp.Evaluate[[]string](`[...document.querySelectorAll("select")].map(s => s.value)`))
	must(t, "read the proposed columns", err)
	want := []string{"employee_number", "", "given_name", "family_name", "email", "kind", "job_title", "department", "manager_employee_number", "start_date", "end_date"}
	if strings.Join(chosen, ",") != strings.Join(want, ",") {
		t.Errorf("proposed columns %q, want %q", chosen, want)
	}
	uk, err := chromedp.Run(ctx, chromedp.Evaluate[bool](`document.getElementById("date_format").checked`))
	must(t, "read the date format", err)
	if !uk {
		t.Error("the columns page does not propose day-first dates for 23/11/2026")
	}
	reflows("columns")

	must(t, "name the choices and continue", chromedp.Do(ctx,
		chromedp.SetValue(chromedp.ID("name"), "iTrent"),
		chromedp.Click(chromedp.CSS(`form[action="/people/import/columns"] button`)),
		chromedp.WaitVisible(chromedp.ID("import-counts"))))
	if got := text(t, ctx, "#added + table tbody"); !strings.Contains(got, "Nathan Newman") {
		t.Errorf("people to add: %q, want Nathan Newman", got)
	}
	// As seen: the arrow, not the words for screen readers beside it.
	changes, err := chromedp.Run(ctx, chromedp.Evaluate[[]string](`[...document.querySelectorAll("#changed + table tr")].slice(1).map(tr => {
		const c = tr.cloneNode(true);
		c.querySelectorAll(".visually-hidden").forEach(n => n.remove());
		return c.textContent.replace(/\s+/g, " ").trim();
	})`))
	must(t, "read the updates", err)
	wantChanges := []string{
		"P1 Person (E-P1, line 2) Job title: Housing Officer → Team Leader",
		"P2 Person (E-P2, line 3) Department: Housing → Finance Line manager's employee number: none → E-P1",
	}
	if strings.Join(changes, "\n") != strings.Join(wantChanges, "\n") {
		t.Errorf("people to update:\n%s\nwant\n%s", strings.Join(changes, "\n"), strings.Join(wantChanges, "\n"))
	}
	if got := text(t, ctx, "#problems ~ table tbody"); !strings.Contains(got, "Hire Date (start date)") || !strings.Contains(got, "DD/MM/YYYY") {
		t.Errorf("the bad line: %q", got)
	}
	if got := text(t, ctx, "#leavers + p + table tbody"); !strings.Contains(got, "P10 Person") {
		t.Errorf("possible leavers: %q, want P10 Person", got)
	}
	if _, err := e.app.Training.PersonByEmail(t.Context(), "nathan.newman@example.gov.uk"); err == nil {
		t.Fatal("the preview imported people")
	}
	checkAccessibility(t, ctx, "preview")
	saveScreenshot(t, ctx, t.Name()+"-preview")
	reflows("preview")

	must(t, "import", chromedp.Do(ctx,
		chromedp.Click(chromedp.CSS(`form[action="/people/import/confirm"] button`)),
		chromedp.WaitVisible(chromedp.CSS(".notification-banner"))))
	if got, want := text(t, ctx, ".notification-banner__heading"), "Imported itrent-export.csv: 1 added, 2 updated"; got != want {
		t.Errorf("banner %q, want %q", got, want)
	}
	checkAccessibility(t, ctx, "import done")
	reflows("import done")
	n1, err := e.app.Training.PersonByEmail(t.Context(), "nathan.newman@example.gov.uk")
	if err != nil || n1.StartDate != training.MustDate("2026-11-23") {
		t.Errorf("Nathan Newman: %+v %v, want a start date of 23 November 2026", n1, err)
	}
}

package web_test

import (
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/chromedp/chromedp"
)

// A line manager signs in and sees their reporting line on My team, and
// nobody outside it; the filters, a person's page and the phone layout
// meet axe-core's serious and critical rules.
func TestBrowserManagerSeesOnlyTheirLine(t *testing.T) {
	e := newEnv(t, "http://127.0.0.1")
	cast := newHRCast(e)
	ctx := newChrome(t)
	t.Cleanup(func() { saveScreenshot(t, ctx, t.Name()) })
	base := e.srv.URL

	must(t, "open the sign-in page", chromedp.Do(ctx, chromedp.Navigate(base+"/team"), chromedp.WaitVisible(chromedp.ID("email"))))
	must(t, "sign in", chromedp.Do(ctx,
		chromedp.SendKeys(chromedp.ID("email"), "mara.hill@example.gov.uk"),
		chromedp.SendKeys(chromedp.ID("password"), castPassword),
		chromedp.Click(chromedp.CSS(`form[action="/sign-in"] button`)),
		chromedp.WaitVisible(chromedp.CSS("table tbody tr"))))
	if got := text(t, ctx, "h1"); got != "My team" {
		t.Fatalf("after signing in: %q, want My team", got)
	}
	team := text(t, ctx, "table tbody")
	for _, name := range []string{"Ben Stone", "Cara Lee"} {
		if !strings.Contains(team, name) {
			t.Errorf("My team does not list %s:\n%s", name, team)
		}
	}
	for _, name := range []string{"Olly Field", "Audrey Quill"} {
		if strings.Contains(team, name) {
			t.Errorf("My team lists %s, who is outside the reporting line", name)
		}
	}
	checkAccessibility(t, ctx, "my team")

	// Filter by status and course with the GET form.
	must(t, "filter", chromedp.Do(ctx,
		chromedp.SetValue(chromedp.ID("status"), "overdue"),
		chromedp.SetValue(chromedp.ID("course"), "PREVENT"),
		chromedp.Click(chromedp.CSS(`form[action="/team"] button`)),
		chromedp.WaitVisible(chromedp.Search(`//main//a[normalize-space()="Clear filters"]`))))
	if got := text(t, ctx, "table tbody"); !strings.Contains(got, "Cara Lee") || strings.Contains(got, "Olly Field") {
		t.Errorf("filtered team:\n%s", got)
	}
	checkAccessibility(t, ctx, "my team, filtered")

	// A person's page, from the list.
	must(t, "open Cara's page", chromedp.Do(ctx,
		chromedp.Click(chromedp.CSS(`a[href="/people/`+cast.cara.ID+`"]`)),
		chromedp.WaitVisible(chromedp.CSS("table"))))
	if got := text(t, ctx, "h1"); got != "Cara Lee" {
		t.Errorf("person page heading %q", got)
	}
	checkAccessibility(t, ctx, "a person in the team")

	// Someone outside the line does not exist for the manager.
	must(t, "open Olly's page", chromedp.Do(ctx, chromedp.Navigate(base+"/people/"+cast.olly.ID)))
	if got := text(t, ctx, "h1"); got != "Page not found" {
		t.Errorf("a person outside the line: %q, want Page not found", got)
	}
	checkAccessibility(t, ctx, "a person outside the team")

	must(t, "back to My team", chromedp.Do(ctx, chromedp.Navigate(base+"/team"), chromedp.WaitVisible(chromedp.CSS("table tbody tr"))))
	must(t, "narrow the window", chromedp.Do(ctx, chromedp.EmulateViewport(375, 812)))
	checkAccessibility(t, ctx, "my team at phone width")
}

// HR imports a CSV file with one bad line: the preview shows that line's
// error and writes nothing; HR fixes the file, uploads it again and
// imports it.
func TestBrowserHRImportsCSV(t *testing.T) {
	e := newEnv(t, "http://127.0.0.1")
	newHRCast(e)
	ctx := newChrome(t)
	t.Cleanup(func() { saveScreenshot(t, ctx, t.Name()) })
	base := e.srv.URL

	dir := t.TempDir()
	bad := filepath.Join(dir, "people.csv")
	must(t, "write the file", os.WriteFile(bad, []byte(importCSV), 0o644))

	must(t, "sign in", chromedp.Do(ctx, chromedp.Navigate(base+"/people"),
		chromedp.WaitVisible(chromedp.ID("email")),
		chromedp.SendKeys(chromedp.ID("email"), adminEmail),
		chromedp.SendKeys(chromedp.ID("password"), adminPassword),
		chromedp.Click(chromedp.CSS(`form[action="/sign-in"] button`)),
		chromedp.WaitVisible(chromedp.CSS(`a[href="/people/import"]`))))
	checkAccessibility(t, ctx, "people")
	must(t, "search", chromedp.Do(ctx,
		chromedp.SendKeys(chromedp.ID("q"), "cara"),
		chromedp.Click(chromedp.CSS(`form[action="/people"] button`)),
		chromedp.WaitVisible(chromedp.Search(`//main//a[normalize-space()="Clear search"]`))))
	if got := text(t, ctx, "table tbody"); !strings.Contains(got, "Cara Lee") || strings.Contains(got, "Ben Stone") {
		t.Errorf("search for cara:\n%s", got)
	}
	checkAccessibility(t, ctx, "people, searched")

	must(t, "open the import", chromedp.Do(ctx,
		chromedp.Click(chromedp.CSS(`a[href="/people/import"]`)),
		chromedp.WaitVisible(chromedp.ID("file"))))
	checkAccessibility(t, ctx, "import")
	must(t, "check the file with no file", chromedp.Do(ctx,
		chromedp.Click(chromedp.CSS(`form[action="/people/import"] button`)),
		chromedp.WaitVisible(chromedp.CSS(".error-summary"))))
	checkAccessibility(t, ctx, "import with an error")

	must(t, "upload the file with a bad line", chromedp.Do(ctx,
		chromedp.SetUploadFiles(chromedp.ID("file"), []string{bad}),
		chromedp.Click(chromedp.CSS(`form[action="/people/import"] button`)),
		chromedp.WaitVisible(chromedp.ID("problems"))))
	row := text(t, ctx, "table tbody tr")
	if !strings.HasPrefix(row, "3") || !strings.Contains(row, "email") {
		t.Errorf("the preview's bad line: %q, want line 3, email", row)
	}
	if got := text(t, ctx, "#count-created"); got != "2 people" {
		t.Errorf("preview would add %q", got)
	}
	if _, err := e.app.Training.PersonByEmail(t.Context(), "imp.one@example.gov.uk"); err == nil {
		t.Fatal("the preview imported people")
	}
	checkAccessibility(t, ctx, "import preview with a bad line")

	// Fix the file, go back and upload it again.
	fixed := filepath.Join(dir, "people-fixed.csv")
	must(t, "fix the file", os.WriteFile(fixed, []byte(strings.Replace(importCSV, "not-an-address", "imp.two@example.gov.uk", 1)), 0o644))
	must(t, "upload the corrected file", chromedp.Do(ctx,
		chromedp.Click(chromedp.CSS(`main a[href="/people/import"].link`)),
		chromedp.WaitVisible(chromedp.ID("file")),
		chromedp.SetUploadFiles(chromedp.ID("file"), []string{fixed}),
		chromedp.Click(chromedp.CSS(`form[action="/people/import"] button`)),
		chromedp.WaitVisible(chromedp.ID("count-errors"))))
	if got := text(t, ctx, "#count-errors"); got != "0" {
		t.Errorf("the corrected file still has %s bad lines", got)
	}
	if got := text(t, ctx, "#count-created"); got != "3 people" {
		t.Errorf("the corrected file would add %q", got)
	}
	checkAccessibility(t, ctx, "import preview")

	must(t, "import", chromedp.Do(ctx,
		chromedp.Click(chromedp.CSS(`form[action="/people/import/confirm"] button`)),
		chromedp.WaitVisible(chromedp.CSS(".notification-banner"))))
	if got, want := text(t, ctx, ".notification-banner__heading"), "Imported people-fixed.csv: 3 added, 0 updated"; got != want {
		t.Errorf("banner %q, want %q", got, want)
	}
	for _, email := range []string{"imp.one@example.gov.uk", "imp.two@example.gov.uk", "imp.three@example.gov.uk"} {
		if _, err := e.app.Training.PersonByEmail(t.Context(), email); err != nil {
			t.Errorf("%s was not imported: %v", email, err)
		}
	}
	checkAccessibility(t, ctx, "import done")
}

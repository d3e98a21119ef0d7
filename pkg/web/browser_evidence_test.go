package web_test

import (
	"context"
	"fmt"
	"strings"
	"testing"
	"time"

	"github.com/chromedp/chromedp"

	"github.com/complytrack/complytrack/pkg/training"
)

// HR looks at three certificates in the evidence page itself, ticks them
// and verifies them with one button; the banner names each, the count in
// the navigation goes, and the evidence page and a person's page with its
// account section reflow at 320px, every page meeting axe-core's serious
// and critical rules.
func TestBrowserHRVerifiesThreeCertificatesAtOnce(t *testing.T) {
	e := newEnv(t, "http://127.0.0.1")
	evChannelCourse(e)
	var people []training.Person
	var ticks []string // the select boxes' IDs
	for i, name := range []string{"Ada", "Alan", "Grace"} {
		p := e.employee(name, "Lovelace")
		file := pdf(name)
		fileName := name + ".pdf"
		if i == 1 {
			file, fileName = evPNG(t, 7), name+".png"
		}
		done := evCertify(e, p, fileName, file)
		people = append(people, p)
		// Ticked through the element rather than by a mouse click at its
		// place on the screen: the certificate frames above it load
		// afterwards and move it, so a click at the old place misses.
		ticks = append(ticks, "select-"+done.ID)
	}
	newcomer := e.addPerson("Christopher", "Montgomeryfitzwilliam", "")

	ctx := newChrome(t)
	t.Cleanup(func() { saveScreenshot(t, ctx, t.Name()) })
	base := e.srv.URL
	must(t, "sign in", chromedp.Do(ctx, chromedp.Navigate(base+"/sign-in"), chromedp.WaitVisible(chromedp.ID("email")),
		chromedp.SendKeys(chromedp.ID("email"), adminEmail),
		chromedp.SendKeys(chromedp.ID("password"), adminPassword),
		chromedp.Click(chromedp.CSS(`form[action="/sign-in"] button`)),
		// The sign-in page has a footer too: wait for the signed-in header.
		chromedp.WaitVisible(chromedp.CSS(`a[href="/evidence"]`))))
	if got := text(t, ctx, `a[href="/evidence"]`); got != "Evidence (3)" {
		t.Errorf("navigation link %q, want Evidence (3)", got)
	}
	must(t, "open the evidence", chromedp.Do(ctx, chromedp.Navigate(base+"/evidence"), chromedp.WaitVisible(chromedp.ID("verify-selected"))))
	// Each certificate is shown in the page: two PDFs framed, the image as
	// an image. The PDF viewer opens in the frame (headless chromium
	// shows its toolbar), so the sandbox of the answer does not stop it.
	shown, err := chromedp.Run(ctx, chromedp.Evaluate[[]int](`[document.querySelectorAll("iframe.certificate-preview").length,
		document.querySelectorAll("img.certificate-preview").length]`))
	must(t, "count the certificates shown", err)
	if shown[0] != 2 || shown[1] != 1 {
		t.Errorf("%d sandboxed frames and %d images, want 2 and 1", shown[0], shown[1])
	}
	checkAccessibility(t, ctx, "evidence")
	saveScreenshot(t, ctx, t.Name()+"-before")

	for _, id := range ticks {
		checked, err := chromedp.Run(ctx, chromedp.Evaluate[bool](fmt.Sprintf(`(b => { b.click(); return b.checked })(document.getElementById(%q))`, id)))
		must(t, "select "+id, err)
		if !checked {
			t.Fatalf("%s is not ticked after a click", id)
		}
	}
	// Pressed through the element for the same reason as the ticks.
	_, err = chromedp.Run(ctx, chromedp.Evaluate[bool](`(b => { b.click(); return true })(document.querySelector("#verify-selected button"))`))
	must(t, "verify them", err)
	wctx, cancel := context.WithTimeout(ctx, 20*time.Second)
	defer cancel()
	if err := chromedp.Do(wctx, chromedp.WaitVisible(chromedp.CSS(".notification-banner--success"))); err != nil {
		page, _ := chromedp.Run(ctx, chromedp.Evaluate[string](`location.href + "\n" + document.body.innerText`))
		t.Fatalf("no success banner after Verify selected (%v); the page:\n%s", err, page)
	}
	banner := text(t, ctx, ".notification-banner__heading")
	for _, p := range people {
		if !strings.Contains(banner, p.FullName()+"’s Channel awareness") {
			t.Errorf("banner %q does not name %s", banner, p.FullName())
		}
	}
	if got := text(t, ctx, `a[href="/evidence"]`); got != "Evidence" {
		t.Errorf("navigation link after verifying %q, want Evidence", got)
	}
	checkAccessibility(t, ctx, "evidence after verifying")
	for _, p := range people {
		list, err := e.app.Training.CompletionsOf(t.Context(), e.hr, p.ID)
		if err != nil {
			t.Fatal(err)
		}
		if got := list[len(list)-1].State(); got != training.StateAccepted {
			t.Errorf("%s's certificate is %s, want accepted", p.FullName(), got)
		}
	}

	// At 320px: the evidence page with a certificate waiting, and a
	// person's page with its account section.
	evCertify(e, e.employee("Alexandra", "Wolstenholmecarrington"), "a certificate with a long name.pdf", pdf("alexandra"))
	must(t, "narrow the window", chromedp.Do(ctx, chromedp.EmulateViewport(320, 800)))
	for _, path := range []string{"/evidence", "/people/" + newcomer.ID, "/people/invite-everyone"} {
		must(t, "open "+path, chromedp.Do(ctx, chromedp.Navigate(base+path), chromedp.WaitVisible(chromedp.CSS("footer"))))
		widths, err := chromedp.Run(ctx, chromedp.Evaluate[[]int](`[document.documentElement.scrollWidth, document.documentElement.clientWidth]`))
		must(t, "measure "+path, err)
		if widths[0] > widths[1] {
			t.Errorf("%s at 320px scrolls sideways: the page is %dpx wide in a %dpx window", path, widths[0], widths[1])
		}
		checkAccessibility(t, ctx, path+" at 320px")
		saveScreenshot(t, ctx, t.Name()+"-320-"+strings.ReplaceAll(strings.Trim(path, "/"), "/", "-"))
	}
}

package web_test

import (
	"context"
	_ "embed"
	"fmt"
	"net/url"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/chromedp/chromedp"
)

// The browser tests drive Debian's chromium, headless, against the real
// server on 127.0.0.1, and check every page they reach with axe-core run
// inside the page. Each saves a screenshot of its last page in
// test-artifacts/screenshots/ at the module root (or the directory named
// by COMPLYTRACK_TEST_SCREENSHOTS).

// axeSource is axe-core, vendored (see testdata/README.md): nothing is
// fetched while the tests run.
//
//go:embed testdata/axe.min.js
var axeSource string

// chromiumPath finds the browser. Without one the test is skipped on a
// developer's machine, but fails in CI, which must run it.
func chromiumPath(t *testing.T) string {
	t.Helper()
	for _, name := range []string{"chromium", "chromium-browser"} {
		if p, err := exec.LookPath(name); err == nil {
			return p
		}
	}
	if _, err := os.Stat("/usr/bin/chromium"); err == nil {
		return "/usr/bin/chromium"
	}
	const msg = "chromium is not installed, so the browser tests cannot run: install it with `apt-get install chromium` (Debian, Ubuntu)"
	if os.Getenv("CI") == "true" {
		t.Fatal(msg + "; in CI they must run (.ci/run installs it)")
	}
	t.Skip(msg)
	return ""
}

// newChrome starts a headless chromium with a fresh profile and returns
// the context of its first tab. It stops when the test ends.
func newChrome(t *testing.T) context.Context {
	t.Helper()
	path := chromiumPath(t)
	profile := t.TempDir() // removed after the browser has stopped (cleanups run last-in first-out)
	alloc, cancelAlloc := chromedp.NewExecAllocator(context.Background(),
		chromedp.ExecPath(path),
		chromedp.Headless,
		chromedp.NoSandbox, // CI runs as root, where chromium's sandbox cannot start
		chromedp.DisableGPU,
		chromedp.NoFirstRun,
		chromedp.NoDefaultBrowserCheck,
		chromedp.Flag("disable-quic", true),
		chromedp.Flag("disable-background-networking", true),
		chromedp.Flag("disable-component-update", true),
		chromedp.Flag("disable-sync", true),
		chromedp.Flag("disable-extensions", true),
		chromedp.Flag("disable-dev-shm-usage", true),
		chromedp.UserDataDir(profile),
		chromedp.WindowSize(1200, 900),
	)
	ctx, cancelTab := chromedp.NewContext(alloc)
	ctx, cancelTimeout := context.WithTimeout(ctx, 3*time.Minute)
	t.Cleanup(func() { cancelTimeout(); cancelTab(); cancelAlloc() })
	if err := chromedp.Do(ctx); err != nil {
		t.Fatalf("start chromium (%s): %v", path, err)
	}
	return ctx
}

// screenshotDir is where screenshots go; it is made when missing.
func screenshotDir(t *testing.T) string {
	t.Helper()
	dir := os.Getenv("COMPLYTRACK_TEST_SCREENSHOTS")
	if dir == "" {
		root, err := moduleRoot()
		if err != nil {
			t.Fatal(err)
		}
		dir = filepath.Join(root, "test-artifacts", "screenshots")
	}
	if err := os.MkdirAll(dir, 0o755); err != nil {
		t.Fatal(err)
	}
	return dir
}

func moduleRoot() (string, error) {
	dir, err := os.Getwd()
	if err != nil {
		return "", err
	}
	for {
		if _, err := os.Stat(filepath.Join(dir, "go.mod")); err == nil {
			return dir, nil
		}
		parent := filepath.Dir(dir)
		if parent == dir {
			return "", fmt.Errorf("no go.mod above the working directory")
		}
		dir = parent
	}
}

// saveScreenshot writes the whole of the current page as <name>.png.
func saveScreenshot(t *testing.T, ctx context.Context, name string) {
	t.Helper()
	png, err := chromedp.Run(ctx, chromedp.FullScreenshot(100))
	if err != nil {
		t.Errorf("screenshot %s: %v", name, err)
		return
	}
	path := filepath.Join(screenshotDir(t), name+".png")
	if err := os.WriteFile(path, png, 0o644); err != nil {
		t.Errorf("screenshot %s: %v", name, err)
		return
	}
	t.Logf("screenshot of the last page: %s", path)
}

// axeViolation is one rule a page breaks, as axe-core reports it.
type axeViolation struct {
	ID      string   `json:"id"`
	Impact  string   `json:"impact"`
	Help    string   `json:"help"`
	HelpURL string   `json:"helpUrl"`
	Nodes   []string `json:"nodes"`
}

// checkAccessibility runs axe-core in the current page and fails the test
// on any violation of serious or critical impact; lesser ones are logged.
func checkAccessibility(t *testing.T, ctx context.Context, pageName string) {
	t.Helper()
	if err := chromedp.Do(ctx, chromedp.Evaluate[chromedp.Void](axeSource)); err != nil {
		t.Fatalf("inject axe-core into %s: %v", pageName, err)
	}
	violations, err := chromedp.Run(ctx, chromedp.Evaluate[[]axeViolation](`axe.run(document, {resultTypes: ["violations"]}).then(r =>
		r.violations.map(v => ({id: v.id, impact: v.impact || "", help: v.help, helpUrl: v.helpUrl,
			nodes: v.nodes.map(n => n.target.join(" "))})))`, chromedp.EvalAwaitPromise))
	if err != nil {
		t.Fatalf("run axe-core on %s: %v", pageName, err)
	}
	for _, v := range violations {
		line := fmt.Sprintf("%s: accessibility %s (%s): %s\n    %s\n    at %s", pageName, v.ID, v.Impact, v.Help, v.HelpURL, strings.Join(v.Nodes, "; "))
		if v.Impact == "serious" || v.Impact == "critical" {
			t.Error(line)
		} else {
			t.Log(line)
		}
	}
}

func text(t *testing.T, ctx context.Context, css string) string {
	t.Helper()
	s, err := chromedp.Run(ctx, chromedp.Text(chromedp.CSS(css)))
	if err != nil {
		t.Fatalf("read %s: %v", css, err)
	}
	return strings.TrimSpace(s)
}

func must(t *testing.T, what string, err error) {
	t.Helper()
	if err != nil {
		t.Fatalf("%s: %v", what, err)
	}
}

// An employee signs in, self-certifies Prevent awareness with their PDF
// certificate and sees it compliant, on every page meeting axe-core's
// serious and critical rules.
func TestBrowserEmployeeSelfCertifies(t *testing.T) {
	e := newEnv(t, "http://127.0.0.1") // plain HTTP: cookies without Secure
	e.employee("Sophie", "Marsh")
	invited := e.addPerson("Tom", "Whitfield", "")
	ctx := newChrome(t)
	t.Cleanup(func() { saveScreenshot(t, ctx, t.Name()) })
	base := e.srv.URL

	certificate := filepath.Join(t.TempDir(), "Prevent certificate.pdf")
	must(t, "write the certificate", os.WriteFile(certificate, pdf("sophie"), 0o644))

	// Pages anyone may reach.
	must(t, "open an invitation", chromedp.Do(ctx, chromedp.Navigate(base+"/invite?token="+url.QueryEscape(e.invitation(invited))),
		chromedp.WaitVisible(chromedp.ID("confirm-password"))))
	checkAccessibility(t, ctx, "invitation")
	must(t, "open a page that does not exist", chromedp.Do(ctx, chromedp.Navigate(base+"/no-such-page")))
	if got := text(t, ctx, "h1"); got != "Page not found" {
		t.Errorf("404 page heading %q", got)
	}
	checkAccessibility(t, ctx, "page not found")

	// My training needs signing in first.
	must(t, "open My training", chromedp.Do(ctx, chromedp.Navigate(base+"/my-training"), chromedp.WaitVisible(chromedp.ID("email"))))
	checkAccessibility(t, ctx, "sign in")
	must(t, "sign in with nothing", chromedp.Do(ctx,
		chromedp.Click(chromedp.CSS(`form[action="/sign-in"] button`)),
		chromedp.WaitVisible(chromedp.CSS(".error-summary"))))
	checkAccessibility(t, ctx, "sign in with errors")
	must(t, "sign in", chromedp.Do(ctx,
		chromedp.SendKeys(chromedp.ID("email"), "sophie.marsh@example.gov.uk"),
		chromedp.SendKeys(chromedp.ID("password"), castPassword),
		chromedp.Click(chromedp.CSS(`form[action="/sign-in"] button`)),
		chromedp.WaitVisible(chromedp.ID("course-PREVENT"))))
	if got := text(t, ctx, `section[aria-labelledby="course-PREVENT"] .tag`); got != "Overdue" {
		t.Errorf("Prevent awareness before recording: %q, want Overdue", got)
	}
	checkAccessibility(t, ctx, "my training")

	// The form, sent empty first: the error summary takes the focus.
	must(t, "open the form", chromedp.Do(ctx,
		chromedp.Click(chromedp.CSS(`a[href="/my-training/PREVENT/record"]`)),
		chromedp.WaitVisible(chromedp.ID("completed-on-day"))))
	checkAccessibility(t, ctx, "record completion")
	must(t, "send the form empty", chromedp.Do(ctx,
		chromedp.Click(chromedp.CSS(`form[enctype="multipart/form-data"] button`)),
		chromedp.WaitVisible(chromedp.CSS(".error-summary"))))
	focused, err := chromedp.Run(ctx, chromedp.Evaluate[string](`document.activeElement.className`))
	must(t, "read the focus", err)
	if !strings.Contains(focused, "error-summary") {
		t.Errorf("after a refused form the focus is on %q, want the error summary", focused)
	}
	checkAccessibility(t, ctx, "record completion with errors")

	must(t, "self-certify", chromedp.Do(ctx,
		chromedp.SendKeys(chromedp.ID("completed-on-day"), "30"),
		chromedp.SendKeys(chromedp.ID("completed-on-month"), "10"),
		chromedp.SendKeys(chromedp.ID("completed-on-year"), "2026"),
		chromedp.SetUploadFiles(chromedp.ID("certificate"), []string{certificate}),
		chromedp.Click(chromedp.CSS(`form[enctype="multipart/form-data"] button`)),
		chromedp.WaitVisible(chromedp.CSS(".notification-banner"))))
	if got, want := text(t, ctx, ".notification-banner__heading"), "Recorded: Prevent awareness, completed 30 October 2026"; got != want {
		t.Errorf("banner %q, want %q", got, want)
	}
	if got := text(t, ctx, `section[aria-labelledby="course-PREVENT"] .tag`); strings.ToLower(got) != "compliant" {
		t.Errorf("Prevent awareness after recording: %q, want compliant", got)
	}
	if got := text(t, ctx, "table tbody tr"); !strings.Contains(got, "Prevent certificate.pdf") {
		t.Errorf("history row %q does not name the certificate", got)
	}
	checkAccessibility(t, ctx, "my training after recording")

	// At phone width the history table turns into stacked rows.
	must(t, "narrow the window", chromedp.Do(ctx, chromedp.EmulateViewport(375, 812)))
	display, err := chromedp.Run(ctx, chromedp.Evaluate[string](`getComputedStyle(document.querySelector("table tbody td")).display`))
	must(t, "read the table's layout", err)
	if display != "block" {
		t.Errorf("at 375px a table cell is display %q, want block (stacked rows)", display)
	}
	checkAccessibility(t, ctx, "my training at phone width")
	saveScreenshot(t, ctx, t.Name()+"-phone")
	must(t, "widen the window", chromedp.Do(ctx, chromedp.EmulateViewport(1200, 900)))
}

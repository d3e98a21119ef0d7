package web_test

import (
	"context"
	"io"
	"log/slog"
	"net/http/httptest"
	"regexp"
	"slices"
	"strconv"
	"strings"
	"testing"
	"time"

	"github.com/chromedp/chromedp"
	"github.com/jonboulle/clockwork"

	"github.com/complytrack/complytrack/pkg/app"
	"github.com/complytrack/complytrack/pkg/apptest"
	"github.com/complytrack/complytrack/pkg/auth"
	"github.com/complytrack/complytrack/pkg/dbtest"
	"github.com/complytrack/complytrack/pkg/demo"
	"github.com/complytrack/complytrack/pkg/jobs"
	"github.com/complytrack/complytrack/pkg/mailtest"
	"github.com/complytrack/complytrack/pkg/training"
)

// received is every message the mail server received, in order.
func received(t *testing.T, srv *mailtest.Server) []mailtest.Mail {
	t.Helper()
	var out []mailtest.Mail
	for _, msg := range srv.Messages() {
		out = append(out, msg.Read(t))
	}
	return out
}

// mailEnv is the demo council with its e-mail going to a real mail server (mailtest), the
// scheduler on a fake clock kept with the app's, so delivery can run on
// demand minute after minute.
type mailEnv struct {
	*env
	mail  *mailtest.Server
	sched *clockwork.FakeClock
}

func newDemoMailEnv(t *testing.T) *mailEnv {
	t.Helper()
	mc := mailtest.Start(t)
	cfg, _ := apptest.Config(t,
		"COMPLYTRACK_ADMIN_EMAIL="+adminEmail,
		"COMPLYTRACK_ADMIN_PASSWORD="+adminPassword,
		"COMPLYTRACK_PUBLIC_URL=http://127.0.0.1",
		"COMPLYTRACK_SMTP_URL=smtp://"+mc.Addr,
	)
	start := time.Date(2026, 11, 2, 9, 0, 0, 0, time.UTC)
	clk := &clock{t: start}
	sched := clockwork.NewFakeClockAt(start)
	logger := slog.New(slog.NewTextHandler(io.Discard, nil))
	a, err := app.New(context.Background(), cfg, dbtest.New(t), logger, app.Options{Now: clk.Now, Clock: sched, HasherParams: auth.MinParams})
	if err != nil {
		t.Fatal(err)
	}
	res, err := demo.Fill(context.Background(), a, logger)
	if err != nil || !res.Filled {
		t.Fatalf("the demo data was not loaded: %v %s", err, res.Reason)
	}
	router := a.Router()
	srv := httptest.NewServer(router)
	t.Cleanup(srv.Close)
	hr, err := a.Training.PersonByEmail(context.Background(), adminEmail)
	if err != nil {
		t.Fatal(err)
	}
	return &mailEnv{env: &env{t: t, app: a, router: router, srv: srv, clock: clk, hr: training.Actor{PersonID: hr.ID, HR: true}}, mail: mc, sched: sched}
}

// deliver runs delivery a minute apart until nothing is left to send.
func (e *mailEnv) deliver() {
	e.t.Helper()
	for range 10 {
		e.clock.Advance(time.Minute)
		e.sched.Advance(time.Minute)
		sum, err := e.app.Jobs.RunNow(e.t.Context(), jobs.JobDelivery)
		if err != nil {
			e.t.Fatal(err)
		}
		if sum.Counts["retrying"] > 0 || sum.Counts["failed"] > 0 {
			e.t.Fatalf("delivery: %+v", sum)
		}
		if sum.Counts["sent"] == 0 {
			return
		}
	}
}

var reminderButton = regexp.MustCompile(`^Send a reminder to these (\d+) people$`)

// Rachel, over 413 people, finds the people of one department with
// something overdue and reminds them in two actions after signing in:
// the department's line in the summary, then the button. Pressed twice,
// each of them still gets one e-mail, through a real mail server.
func TestBrowserRachelRemindsADepartment(t *testing.T) {
	e := newDemoMailEnv(t)
	ctx := newChrome(t)
	t.Cleanup(func() { saveScreenshot(t, ctx, t.Name()) })
	base := e.srv.URL

	must(t, "sign in", chromedp.Do(ctx, chromedp.Navigate(base+"/team"), chromedp.WaitVisible(chromedp.ID("email")),
		chromedp.SendKeys(chromedp.ID("email"), "rachel.thornbury@eastmoor.example.org"),
		chromedp.SendKeys(chromedp.ID("password"), demo.Password),
		chromedp.Click(chromedp.CSS(`form[action="/sign-in"] button`)),
		chromedp.WaitVisible(chromedp.ID("late-by-department"))))
	count := text(t, ctx, "#team-count")
	if !regexp.MustCompile(`^\d+ of 4\d\d people have something overdue\.$`).MatchString(count) {
		t.Errorf("the count at the top: %q", count)
	}
	checkAccessibility(t, ctx, "my team, 400 people")
	// What the demo queued before (invitations, bookings) goes first.
	e.deliver()
	before := len(received(e.t, e.mail))

	// Action 1: Housing's line in the summary.
	must(t, "choose Housing", chromedp.Do(ctx,
		chromedp.Click(chromedp.CSS(`#late-by-department a[href="/team?department=Housing&sort=days_overdue&status=late"]`)),
		chromedp.WaitVisible(chromedp.CSS(`form.team-remind button`))))
	button := text(t, ctx, "form.team-remind button")
	m := reminderButton.FindStringSubmatch(button)
	if m == nil {
		t.Fatalf("the reminder button says %q", button)
	}
	n, _ := strconv.Atoi(m[1])
	if showing := text(t, ctx, "#team-showing"); showing != "Showing 1–"+m[1]+" of "+m[1]+" people" {
		t.Errorf("Housing's overdue people: %q, and the button %q", showing, button)
	}
	// Everyone listed is in Housing with something overdue or expired.
	rows, err := chromedp.Run(ctx, chromedp.Evaluate[[]string](`[...document.querySelectorAll(".team-table tbody tr")].map(r => r.innerText)`))
	must(t, "read the rows", err)
	if len(rows) != n {
		t.Fatalf("%d rows for %d people", len(rows), n)
	}
	for _, r := range rows {
		if !strings.Contains(r, "Housing") || !(strings.Contains(r, "Overdue") || strings.Contains(r, "Expired")) {
			t.Errorf("a row that is not Housing's overdue: %q", r)
		}
	}
	checkAccessibility(t, ctx, "my team, Housing overdue")

	// Action 2: the button; then the same button again.
	for press, want := range []string{"Reminder e-mailed to " + m[1] + " people",
		m[1] + " people were already reminded today, so they were not e-mailed again."} {
		must(t, "press the button, time "+strconv.Itoa(press+1), chromedp.Do(ctx, chromedp.Click(chromedp.CSS(`form.team-remind button`)),
			chromedp.WaitVisible(chromedp.Search(`//div[contains(@class, "notification-banner")]//p[normalize-space()="`+want+`"]`))))
	}
	if got := text(t, ctx, ".team-table tbody tr td[data-label='Last reminded']"); !strings.HasPrefix(got, "2 November 2026") {
		t.Errorf("last reminded: %q", got)
	}
	checkAccessibility(t, ctx, "my team, reminded")

	// The people the page listed, from the domain itself: Housing, in
	// Rachel's line, with a course overdue or expired.
	rachel, err := e.app.Training.PersonByEmail(t.Context(), "rachel.thornbury@eastmoor.example.org")
	if err != nil {
		t.Fatal(err)
	}
	var want []string
	for pr := (training.PageRequest{Limit: training.MaxPageLimit}); ; {
		page, err := e.app.Training.Team(t.Context(), training.Actor{PersonID: rachel.ID}, training.TeamFilter{}, pr)
		if err != nil {
			t.Fatal(err)
		}
		for _, mem := range page.Items {
			if mem.Person.Department == "Housing" && slices.ContainsFunc(mem.Training, func(a training.Assessment) bool { return a.Status.Late() }) {
				want = append(want, mem.Person.Email)
			}
		}
		if page.NextCursor == "" {
			break
		}
		pr.Cursor = page.NextCursor
	}
	e.deliver()
	var got []string
	for _, m := range received(e.t, e.mail)[before:] {
		if !strings.HasPrefix(m.Subject, "Reminder: ") {
			t.Errorf("the mail server received %q for %s, not a reminder", m.Subject, m.To)
		}
		got = append(got, m.To)
	}
	slices.Sort(got)
	slices.Sort(want)
	if len(want) != n || !slices.Equal(got, want) {
		t.Errorf("the mail server received %d messages for %d people (the page said %d):\ngot  %v\nwant %v", len(got), len(want), n, got, want)
	}

	// On a phone the list stacks: no sideways scrolling at 320px.
	must(t, "narrow the window", chromedp.Do(ctx, chromedp.EmulateViewport(320, 800), chromedp.Navigate(base+"/team"),
		chromedp.WaitVisible(chromedp.CSS("footer"))))
	widths, err := chromedp.Run(ctx, chromedp.Evaluate[[]int](`[document.documentElement.scrollWidth, document.documentElement.clientWidth]`))
	must(t, "measure /team", err)
	if widths[0] > widths[1] {
		t.Errorf("/team at 320px scrolls sideways: the page is %dpx wide in a %dpx window", widths[0], widths[1])
	}
	checkAccessibility(t, ctx, "my team at 320px")
}

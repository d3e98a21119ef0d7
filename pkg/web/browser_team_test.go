package web_test

import (
	"context"
	"io"
	"log"
	"log/slog"
	"net"
	"net/http/httptest"
	"net/mail"
	"regexp"
	"slices"
	"strconv"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/chromedp/chromedp"
	"github.com/emersion/go-smtp"
	"github.com/jonboulle/clockwork"

	"github.com/complytrack/complytrack/pkg/app"
	"github.com/complytrack/complytrack/pkg/apptest"
	"github.com/complytrack/complytrack/pkg/auth"
	"github.com/complytrack/complytrack/pkg/dbtest"
	"github.com/complytrack/complytrack/pkg/demo"
	"github.com/complytrack/complytrack/pkg/jobs"
	"github.com/complytrack/complytrack/pkg/training"
)

// mailCatcher is a plain SMTP server on 127.0.0.1 (no TLS, no login), as
// a local mail catcher is, keeping the recipient of every message.
type mailCatcher struct {
	addr string
	mu   sync.Mutex
	got  []caughtMail
}

// caughtMail is one message the mail server received.
type caughtMail struct{ To, Subject string }

func startMailCatcher(t *testing.T) *mailCatcher {
	t.Helper()
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	mc := &mailCatcher{addr: ln.Addr().String()}
	srv := smtp.NewServer(smtp.BackendFunc(func(*smtp.Conn) (smtp.Session, error) { return &catcherSession{mc: mc}, nil }))
	srv.Domain = "mail.test"
	srv.ReadTimeout, srv.WriteTimeout = 30*time.Second, 30*time.Second
	srv.ErrorLog = log.New(io.Discard, "", 0)
	done := make(chan struct{})
	go func() {
		defer close(done)
		_ = srv.Serve(ln)
	}()
	t.Cleanup(func() { _ = srv.Close(); <-done })
	return mc
}

// received is every message received, in order.
func (mc *mailCatcher) received() []caughtMail {
	mc.mu.Lock()
	defer mc.mu.Unlock()
	return slices.Clone(mc.got)
}

type catcherSession struct {
	mc *mailCatcher
}

func (s *catcherSession) Mail(string, *smtp.MailOptions) error { return nil }
func (s *catcherSession) Rcpt(string, *smtp.RcptOptions) error { return nil }
func (s *catcherSession) Reset()                               {}
func (s *catcherSession) Logout() error                        { return nil }
func (s *catcherSession) Data(r io.Reader) error {
	m, err := mail.ReadMessage(r)
	if err != nil {
		return err
	}
	to, err := mail.ParseAddress(m.Header.Get("To"))
	if err != nil {
		return err
	}
	if _, err := io.Copy(io.Discard, m.Body); err != nil {
		return err
	}
	s.mc.mu.Lock()
	s.mc.got = append(s.mc.got, caughtMail{To: to.Address, Subject: m.Header.Get("Subject")})
	s.mc.mu.Unlock()
	return nil
}

// mailEnv is the demo council with its e-mail going to a mailCatcher, the
// scheduler on a fake clock kept with the app's, so delivery can run on
// demand minute after minute.
type mailEnv struct {
	*env
	mail  *mailCatcher
	sched *clockwork.FakeClock
}

func newDemoMailEnv(t *testing.T) *mailEnv {
	t.Helper()
	mc := startMailCatcher(t)
	cfg, _ := apptest.Config(t,
		"COMPLYTRACK_ADMIN_EMAIL="+adminEmail,
		"COMPLYTRACK_ADMIN_PASSWORD="+adminPassword,
		"COMPLYTRACK_PUBLIC_URL=http://127.0.0.1",
		"COMPLYTRACK_SMTP_URL=smtp://"+mc.addr,
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
	before := len(e.mail.received())

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
	for _, m := range e.mail.received()[before:] {
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

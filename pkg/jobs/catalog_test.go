package jobs_test

// End-to-end tests of the job bodies (jobs.Catalog) as the application
// assembles them (app.New): the whole app on a fresh database, a real SMTP
// server (github.com/emersion/go-smtp) in the test process as
// COMPLYTRACK_SMTP_URL, and one fake clock (clockwork) driving both the
// domain service's "now" and the scheduler. Jobs run through
// a.Jobs.RunNow, as POST /api/v1/jobs/{name}/run does; e-mails are checked
// as the mail server received them (MIME parsed: headers, text, the CSV
// attachment). Nothing here asserts a time.
//
// The organisation (cast) is built relative to "today":
//
//	head (Hannah Head, compliant)
//	├── lead (Liam Lead, compliant)
//	│   ├── overdue   never completed, due 5 days ago
//	│   ├── starter   new starter, started 3 days ago, due in 25 days
//	│   ├── expired   completion expired 2 days ago
//	│   ├── compliant completed a year ago
//	│   ├── exempt    never completed, exempt
//	│   └── leaver    never completed (would be overdue), left 10 days ago
//	└── expiring      completion expires in 20 days
//	hr (the first HR account, made by app.New; completed today)
//
// and COMPLYTRACK_REPORT_TO=cst@example.org.

import (
	"bytes"
	"context"
	"encoding/base64"
	"encoding/csv"
	"errors"
	"fmt"
	"io"
	"log/slog"
	"maps"
	"mime"
	"mime/multipart"
	"mime/quotedprintable"
	"net/mail"
	"slices"
	"sort"
	"strings"
	"testing"
	"time"

	"github.com/jonboulle/clockwork"
	"go.mongodb.org/mongo-driver/v2/bson"

	"github.com/complytrack/complytrack/pkg/app"
	"github.com/complytrack/complytrack/pkg/apptest"
	"github.com/complytrack/complytrack/pkg/auth"
	"github.com/complytrack/complytrack/pkg/dbtest"
	"github.com/complytrack/complytrack/pkg/jobs"
	"github.com/complytrack/complytrack/pkg/mailtest"
	"github.com/complytrack/complytrack/pkg/mongodb"
	"github.com/complytrack/complytrack/pkg/notify"
	"github.com/complytrack/complytrack/pkg/reportcsv"
	"github.com/complytrack/complytrack/pkg/training"
)

const (
	hrEmail     = "hr@example.org"
	reportTo    = "cst@example.org"
	mailFrom    = "training@example.gov.uk"
	publicURL   = "https://complytrack.example.gov.uk"
	preventURL  = "https://www.gov.uk/guidance/prevent-duty-training" // training.PreventCourse().URL
	preventName = "Prevent awareness"
)

// ---------------------------------------------------------------------------
// A real SMTP server in the test process.

// received returns every message the mail server accepted so far, parsed.
func received(t *testing.T, mail *mailtest.Server) []email {
	t.Helper()
	got := mail.Messages()
	out := make([]email, len(got))
	for i, m := range got {
		out[i] = parseEmail(t, m)
	}
	return out
}

// email is a received message, parsed.
type email struct {
	envelopeFrom string
	envelopeTo   []string
	from         string // the From header's address
	to           string // the To header's address
	subject      string
	messageID    string
	text         string            // the text/plain body, decoded
	attachments  map[string][]byte // by file name, decoded
}

func parseEmail(t *testing.T, c mailtest.Message) email {
	t.Helper()
	m, err := mail.ReadMessage(bytes.NewReader(c.Data))
	if err != nil {
		t.Fatalf("received a message that does not parse: %v\n%s", err, c.Data)
	}
	dec := new(mime.WordDecoder)
	subject, err := dec.DecodeHeader(m.Header.Get("Subject"))
	if err != nil {
		t.Fatalf("Subject %q: %v", m.Header.Get("Subject"), err)
	}
	e := email{envelopeFrom: c.From, envelopeTo: c.To, subject: subject, messageID: m.Header.Get("Message-Id"),
		attachments: map[string][]byte{}}
	if a, err := mail.ParseAddress(m.Header.Get("From")); err == nil {
		e.from = a.Address
	}
	if a, err := mail.ParseAddress(m.Header.Get("To")); err == nil {
		e.to = a.Address
	}
	mediaType, params, err := mime.ParseMediaType(m.Header.Get("Content-Type"))
	if err != nil {
		t.Fatalf("Content-Type %q: %v", m.Header.Get("Content-Type"), err)
	}
	if !strings.HasPrefix(mediaType, "multipart/") {
		e.text = string(decodeBody(t, m.Header.Get("Content-Transfer-Encoding"), m.Body))
		return e
	}
	mr := multipart.NewReader(m.Body, params["boundary"])
	for {
		p, err := mr.NextPart() // undoes quoted-printable itself
		if errors.Is(err, io.EOF) {
			break
		}
		if err != nil {
			t.Fatalf("multipart: %v", err)
		}
		body := decodeBody(t, p.Header.Get("Content-Transfer-Encoding"), p)
		if name := p.FileName(); name != "" {
			e.attachments[name] = body
			continue
		}
		if ct, _, _ := mime.ParseMediaType(p.Header.Get("Content-Type")); ct == "text/plain" {
			e.text += string(body)
		}
	}
	return e
}

func decodeBody(t *testing.T, cte string, r io.Reader) []byte {
	t.Helper()
	switch strings.ToLower(strings.TrimSpace(cte)) {
	case "quoted-printable":
		r = quotedprintable.NewReader(r)
	case "base64":
		r = base64.NewDecoder(base64.StdEncoding, r)
	}
	b, err := io.ReadAll(r)
	if err != nil {
		t.Fatalf("decode body (%s): %v", cte, err)
	}
	return bytes.ReplaceAll(b, []byte("\r\n"), []byte("\n"))
}

// to returns the messages addressed to addr.
func to(msgs []email, addr string) []email {
	var out []email
	for _, m := range msgs {
		if m.to == addr {
			out = append(out, m)
		}
	}
	return out
}

// ---------------------------------------------------------------------------
// The whole application, a mail server and one clock.

// orgEnv is the app on a fresh database with its mail going to a
// mail server (mailtest), driven by one fake clock.
type orgEnv struct {
	t       *testing.T
	ctx     context.Context
	a       *app.App
	clock   *clockwork.FakeClock
	mail    *mailtest.Server
	hr      training.Person
	hrActor training.Actor
	people  map[string]training.Person // the cast, by name
}

// jobsYear is the year the tests happen in: next year, so that the
// scenario's fixed days (16 November, the report on 1 December) are always
// ahead of the real time, whichever day the tests run on.
var jobsYear = time.Now().Year() + 1

// jobsStart is when each test begins: 09:00 on 16 November, London time
// (UTC in winter). The monthly report's day, 1 December, is 15 days on.
var jobsStart = time.Date(jobsYear, time.November, 16, 9, 0, 0, 0, london)

func newOrgEnv(t *testing.T) *orgEnv {
	t.Helper()
	ctx, cancel := context.WithTimeout(context.Background(), 5*time.Minute)
	t.Cleanup(cancel)
	mc := mailtest.Start(t)
	cfg, _ := apptest.Config(t,
		"COMPLYTRACK_ADMIN_EMAIL="+hrEmail,
		"COMPLYTRACK_ADMIN_PASSWORD=admin-password-for-tests",
		"COMPLYTRACK_PUBLIC_URL="+publicURL,
		"COMPLYTRACK_SMTP_URL=smtp://"+mc.Addr,
		"COMPLYTRACK_MAIL_FROM=Complytrack <"+mailFrom+">",
		"COMPLYTRACK_REPORT_TO="+reportTo,
	)
	clk := clockwork.NewFakeClockAt(jobsStart)
	logger := slog.New(slog.NewTextHandler(io.Discard, nil))
	a, err := app.New(ctx, cfg, dbtest.New(t), logger, app.Options{Now: clk.Now, Clock: clk, HasherParams: auth.MinParams})
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() {
		sctx, cancel := context.WithTimeout(context.Background(), 30*time.Second)
		defer cancel()
		if err := a.Jobs.Shutdown(sctx); err != nil {
			t.Errorf("Shutdown: %v", err)
		}
	})
	hr, err := a.Training.PersonByEmail(ctx, hrEmail)
	if err != nil {
		t.Fatal(err)
	}
	return &orgEnv{t: t, ctx: ctx, a: a, clock: clk, mail: mc, hr: hr,
		hrActor: training.Actor{PersonID: hr.ID, HR: true}, people: map[string]training.Person{"hr": hr}}
}

func (e *orgEnv) today() training.Date { return e.a.Training.Today() }

// at moves the clock to the given day after jobsStart, at the same hour.
func (e *orgEnv) at(day int) {
	e.t.Helper()
	target := jobsStart.AddDate(0, 0, day)
	if target.Before(e.clock.Now()) {
		e.t.Fatalf("clock at %s, cannot go back to %s", e.clock.Now(), target)
	}
	e.clock.Advance(target.Sub(e.clock.Now()))
}

// run runs a job at once, as POST /api/v1/jobs/{name}/run does.
func (e *orgEnv) run(name string) jobs.Summary {
	e.t.Helper()
	sum, err := e.a.Jobs.RunNow(e.ctx, name)
	if err != nil {
		e.t.Fatalf("run %s at %s: %v", name, e.clock.Now().Format(time.RFC3339), err)
	}
	return sum
}

// deliver runs the delivery job until nothing is left to send (a minute
// apart: one run per job per minute) and returns what the mail server
// received meanwhile.
func (e *orgEnv) deliver() []email {
	e.t.Helper()
	before := len(received(e.t, e.mail))
	for range 10 {
		e.clock.Advance(time.Minute)
		sum := e.run(jobs.JobDelivery)
		if sum.Counts["retrying"] > 0 || sum.Counts["failed"] > 0 {
			e.t.Fatalf("delivery: %+v", sum)
		}
		if sum.Counts["sent"] == 0 {
			break
		}
	}
	return received(e.t, e.mail)[before:]
}

// count counts the documents of a collection, optionally filtered.
func (e *orgEnv) count(collection string, filter bson.D) int64 {
	e.t.Helper()
	if filter == nil {
		filter = bson.D{}
	}
	n, err := e.a.Store.DB().Collection(collection).CountDocuments(e.ctx, filter)
	if err != nil {
		e.t.Fatalf("count %s: %v", collection, err)
	}
	return n
}

// member is one person of the cast.
type member struct {
	name           string
	given, family  string
	manager        string // name of the line manager, "" for none
	start, end     training.Date
	completedOn    training.Date // zero: no completion
	exempt         bool
	wouldBeFlagged training.FlagKind // the flag a scan raises for them, "" for none
}

func (m member) email() string  { return strings.ToLower(m.given+"."+m.family) + "@example.org" }
func (m member) number() string { return "E-" + strings.ToUpper(m.name) }

// cast is the organisation in the file comment, relative to today. The
// second level of the reporting line (lead) sits under head, so head's
// digest covers both levels.
func cast(today training.Date) []member {
	long := training.NewDate(2016, 3, 1)
	return []member{
		{name: "head", given: "Hannah", family: "Head", start: training.NewDate(2012, 1, 9), completedOn: today.AddDays(-200)},
		{name: "lead", given: "Liam", family: "Lead", manager: "head", start: long, completedOn: today.AddDays(-300)},
		{name: "overdue", given: "Olive", family: "Overdue", manager: "lead", start: today.AddDays(-33), wouldBeFlagged: training.FlagOverdue},
		{name: "starter", given: "Nina", family: "Starter", manager: "lead", start: today.AddDays(-3), wouldBeFlagged: training.FlagNewStarter},
		{name: "expired", given: "Ed", family: "Expired", manager: "lead", start: long, completedOn: today.AddDays(-2).AddMonths(-36), wouldBeFlagged: training.FlagExpired},
		{name: "compliant", given: "Carys", family: "Compliant", manager: "lead", start: long, completedOn: today.AddDays(-365)},
		{name: "exempt", given: "Xavier", family: "Exempt", manager: "lead", start: long, exempt: true},
		{name: "leaver", given: "Lewis", family: "Leaver", manager: "lead", start: training.NewDate(2024, 1, 8), end: today.AddDays(-10)},
		{name: "expiring", given: "Erin", family: "Expiring", manager: "head", start: long, completedOn: today.AddDays(20).AddMonths(-36), wouldBeFlagged: training.FlagDueSoon},
	}
}

// addCast creates the members through the domain service as HR, with
// their completions and exemptions, and makes the HR account compliant.
func (e *orgEnv) addCast(members []member) {
	e.t.Helper()
	svc := e.a.Training
	byName := map[string]member{}
	for _, m := range members {
		byName[m.name] = m
		in := training.PersonInput{Person: training.Person{EmployeeNumber: m.number(), Email: m.email(), GivenName: m.given, FamilyName: m.family, Kind: training.KindStaff, JobTitle: "Officer", Department: "Housing", StartDate: m.start, EndDate: m.end}}
		if m.manager != "" {
			in.ManagerEmployeeNumber = byName[m.manager].number()
		}
		p, err := svc.CreatePerson(e.ctx, e.hrActor, in)
		if err != nil {
			e.t.Fatalf("create %s: %v", m.name, err)
		}
		e.people[m.name] = p
		if !m.completedOn.IsZero() {
			e.complete(m.name, m.completedOn)
		}
		if m.exempt {
			if _, err := svc.GrantExemption(e.ctx, e.hrActor, p.ID, training.ExemptionInput{
				CourseCode: "PREVENT", Reason: "long-term absence: will complete on return",
			}); err != nil {
				e.t.Fatalf("exempt %s: %v", m.name, err)
			}
		}
	}
	e.complete("hr", e.today())
}

// complete records a PREVENT completion for a member of the cast, as HR.
func (e *orgEnv) complete(name string, on training.Date) {
	e.t.Helper()
	if _, err := e.a.Training.RecordCompletion(e.ctx, e.hrActor, e.people[name].ID, training.CompletionInput{
		CourseCode: "PREVENT", CompletedOn: on, CertificateRef: "CERT-" + strings.ToUpper(name) + "-" + on.String(),
	}); err != nil {
		e.t.Fatalf("record completion for %s: %v", name, err)
	}
}

// assessment is a person's PREVENT assessment now, as HR sees it.
func (e *orgEnv) assessment(name string) training.Assessment {
	e.t.Helper()
	as, err := e.a.Training.TrainingOf(e.ctx, e.hrActor, e.people[name].ID)
	if err != nil {
		e.t.Fatal(err)
	}
	for _, a := range as {
		if a.CourseCode == "PREVENT" {
			return a
		}
	}
	e.t.Fatalf("%s has no PREVENT assessment", name)
	return training.Assessment{}
}

// flagged returns the scan's flags, "kind person-name" sorted, as actor
// sees them through the service (GET /api/v1/flags).
func (e *orgEnv) flagged(actor training.Actor, kind training.FlagKind) []string {
	e.t.Helper()
	names := map[string]string{}
	for n, p := range e.people {
		names[p.ID] = n
	}
	var out []string
	page := training.PageRequest{Limit: 100}
	for {
		got, err := e.a.Training.ListFlags(e.ctx, actor, training.FlagFilter{Kind: kind}, page)
		if err != nil {
			e.t.Fatal(err)
		}
		for _, f := range got.Items {
			out = append(out, string(f.Kind)+" "+names[f.PersonID])
		}
		if got.NextCursor == "" {
			break
		}
		page.Cursor = got.NextCursor
	}
	sort.Strings(out)
	return out
}

func longDate(d training.Date) string { return fmt.Sprintf("%d %s %d", d.Day(), d.Month(), d.Year()) }

// listed returns the names that text lists as entries ("- Full Name (..."),
// as digests and escalations list people.
func listed(text string, names ...string) []string {
	var out []string
	for _, n := range names {
		if strings.Contains(text, "- "+n+" (") {
			out = append(out, n)
		}
	}
	return out
}

// fullNames maps cast names to full names.
func (e *orgEnv) fullNames(names ...string) []string {
	out := make([]string, len(names))
	for i, n := range names {
		out[i] = e.people[n].FullName()
	}
	return out
}

// ---------------------------------------------------------------------------
// 1. Everything a month of jobs sends, as the mail server receives it.

func TestJobsSendRemindersDigestsEscalationsAndReportOverSMTP(t *testing.T) {
	e := newOrgEnv(t)
	members := cast(e.today())
	e.addCast(members)

	// The scan raises one flag per transition and reminds each person.
	scan := e.run(jobs.JobComplianceScan)
	wantScan := map[string]int{"evaluated": 9, "flags_raised": 4, "reminders_queued": 4, "escalated": 0,
		"flags_overdue": 1, "flags_new_starter": 1, "flags_due_soon": 1, "flags_expired": 1}
	for k, v := range wantScan {
		if scan.Counts[k] != v {
			t.Errorf("scan: %s = %d, want %d (summary %+v)", k, scan.Counts[k], v, scan)
		}
	}

	// Flags, through the service, within each caller's scope.
	wantFlags := []string{"due_soon expiring", "expired expired", "new_starter starter", "overdue overdue"}
	if got := e.flagged(e.hrActor, ""); !slices.Equal(got, wantFlags) {
		t.Errorf("HR sees flags %v, want %v", got, wantFlags)
	}
	for _, kind := range []training.FlagKind{training.FlagNewStarter, training.FlagDueSoon, training.FlagOverdue, training.FlagExpired} {
		if got := e.flagged(e.hrActor, kind); len(got) != 1 {
			t.Errorf("HR sees %d %s flags (%v), want 1", len(got), kind, got)
		}
	}
	// The second-level manager sees their own reporting line only.
	if got, want := e.flagged(training.Actor{PersonID: e.people["lead"].ID}, ""), []string{"expired expired", "new_starter starter", "overdue overdue"}; !slices.Equal(got, want) {
		t.Errorf("lead sees flags %v, want %v", got, want)
	}

	// The weekly digest: one e-mail per manager.
	digest := e.run(jobs.JobManagerDigest)
	if digest.Counts["digests_queued"] != 2 || digest.Counts["managers"] != 2 {
		t.Errorf("digest: %+v, want 2 digests for 2 managers", digest)
	}

	// What the explanations say, on the day of the reminders.
	explained := map[string]training.Assessment{}
	for _, m := range members {
		if m.wouldBeFlagged != "" {
			explained[m.name] = e.assessment(m.name)
		}
	}

	got := e.deliver()
	if len(got) != 6 {
		t.Errorf("received %d messages, want 4 reminders and 2 digests", len(got))
	}
	for _, m := range got {
		if m.from != mailFrom || m.envelopeFrom != mailFrom {
			t.Errorf("message %q from %q (envelope %q), want %s", m.subject, m.from, m.envelopeFrom, mailFrom)
		}
		if len(m.envelopeTo) != 1 || m.envelopeTo[0] != m.to {
			t.Errorf("message %q: envelope to %v, header To %q", m.subject, m.envelopeTo, m.to)
		}
	}

	// Reminders: subject, recipient, the course link and the explanation.
	reminders := []struct {
		name, subject, when string
	}{
		{"overdue", preventName + " training is overdue", "It was due on " + longDate(explained["overdue"].DueOn) + "."},
		{"starter", preventName + " training is one of your induction tasks", "Please complete it by " + longDate(explained["starter"].DueOn) + "."},
		{"expiring", preventName + " training is due for renewal", "Your current completion expires on " + longDate(explained["expiring"].ExpiresOn) + "."},
		{"expired", preventName + " training has expired", "Your completion expired on " + longDate(explained["expired"].ExpiresOn) + "."},
	}
	for _, r := range reminders {
		p := e.people[r.name]
		mine := to(got, p.Email)
		if len(mine) != 1 {
			t.Errorf("%s received %d messages, want one reminder", r.name, len(mine))
			continue
		}
		m := mine[0]
		if m.subject != r.subject {
			t.Errorf("%s: subject %q, want %q", r.name, m.subject, r.subject)
		}
		explanation := explained[r.name].ExplanationText()
		for _, want := range []string{"Dear " + p.FullName() + ",", r.when, "How the date was worked out: " + explanation + ".",
			"Take the course here: " + preventURL, publicURL} {
			if !strings.Contains(m.text, want) {
				t.Errorf("%s's reminder lacks %q:\n%s", r.name, want, m.text)
			}
		}
	}

	// Digests: one per manager, listing their whole reporting line.
	digests := []struct {
		manager      string
		subject      string
		overdue      []string // "Overdue or expired"
		soon         []string // "Due soon or new starters"
		notMentioned []string
	}{
		{"head", "Your team's statutory training: 2 overdue, 2 due soon",
			[]string{"overdue", "expired"}, []string{"starter", "expiring"}, []string{"leaver", "exempt", "compliant", "lead"}},
		{"lead", "Your team's statutory training: 2 overdue, 1 due soon",
			[]string{"overdue", "expired"}, []string{"starter"}, []string{"leaver", "exempt", "compliant", "expiring", "head"}},
	}
	for _, d := range digests {
		mine := to(got, e.people[d.manager].Email)
		if len(mine) != 1 {
			t.Errorf("%s received %d messages, want one digest", d.manager, len(mine))
			continue
		}
		m := mine[0]
		if m.subject != d.subject {
			t.Errorf("%s's digest: subject %q, want %q", d.manager, m.subject, d.subject)
		}
		overduePart, soonPart, ok := strings.Cut(m.text, "Due soon or new starters")
		if !ok || !strings.Contains(overduePart, "Overdue or expired") {
			t.Errorf("%s's digest has not both sections:\n%s", d.manager, m.text)
			continue
		}
		for _, n := range d.overdue {
			if !strings.Contains(overduePart, e.people[n].FullName()+" ("+e.people[n].EmployeeNumber+")") {
				t.Errorf("%s's digest does not list %s as overdue:\n%s", d.manager, n, m.text)
			}
		}
		for _, n := range d.soon {
			if !strings.Contains(soonPart, e.people[n].FullName()+" ("+e.people[n].EmployeeNumber+")") {
				t.Errorf("%s's digest does not list %s as due soon:\n%s", d.manager, n, m.text)
			}
		}
		if extra := listed(m.text, e.fullNames(d.notMentioned...)...); len(extra) > 0 {
			t.Errorf("%s's digest mentions %v:\n%s", d.manager, extra, m.text)
		}
	}

	// Escalation to HR: only once someone is overdue (or expired) by more
	// than 14 days, and each person once. overdue was due on day -5,
	// expired lapsed after day -2.
	steps := []struct {
		day       int
		escalated []string
	}{
		{day: 9}, // overdue by exactly 14 days: not yet
		{day: 10, escalated: []string{"overdue"}}, // 15 days
		{day: 12}, // expired by exactly 14 days; overdue told already
		{day: 13, escalated: []string{"expired"}}, // 15 days
		{day: 15}, // nothing new
	}
	for _, s := range steps {
		e.at(s.day)
		sum := e.run(jobs.JobComplianceScan)
		if sum.Counts["escalated"] != len(s.escalated) || sum.Counts["flags_raised"] != 0 {
			t.Errorf("day %d: scan %+v, want %d escalated and no new flags", s.day, sum, len(s.escalated))
		}
		got := e.deliver()
		hr := to(got, hrEmail)
		if len(got) != len(hr) {
			t.Errorf("day %d: %d messages to others than HR", s.day, len(got)-len(hr))
		}
		if len(s.escalated) == 0 {
			if len(hr) != 0 {
				t.Errorf("day %d: HR received %d messages (%q), want none", s.day, len(hr), hr[0].subject)
			}
			continue
		}
		if len(hr) != 1 {
			t.Errorf("day %d: HR received %d messages, want one escalation", s.day, len(hr))
			continue
		}
		m := hr[0]
		if want := fmt.Sprintf("%d people overdue for statutory training", len(s.escalated)); m.subject != want {
			t.Errorf("day %d: escalation subject %q, want %q", s.day, m.subject, want)
		}
		if !strings.Contains(m.text, "overdue for more than 14 days") {
			t.Errorf("day %d: escalation body:\n%s", s.day, m.text)
		}
		for _, n := range s.escalated {
			p := e.people[n]
			if !strings.Contains(m.text, p.FullName()+" ("+p.EmployeeNumber+")") || !strings.Contains(m.text, "line manager: Liam Lead") {
				t.Errorf("day %d: escalation does not list %s with their manager:\n%s", s.day, n, m.text)
			}
		}
		others := slices.DeleteFunc([]string{"overdue", "expired", "leaver", "exempt", "starter", "expiring"},
			func(n string) bool { return slices.Contains(s.escalated, n) })
		if extra := listed(m.text, e.fullNames(others...)...); len(extra) > 0 {
			t.Errorf("day %d: escalation also lists %v:\n%s", s.day, extra, m.text)
		}
	}

	// The monthly report, on 1 December (day 15), for November.
	if d := e.today(); d.Month() != time.December || d.Day() != 1 {
		t.Fatalf("today is %s, want 1 December", d)
	}
	monthly := e.run(jobs.JobMonthlyReport)
	if monthly.Counts["snapshots"] != 1 || monthly.Counts["reports_queued"] != 1 {
		t.Errorf("monthly report: %+v, want 1 snapshot and 1 report queued", monthly)
	}
	got = e.deliver()
	if len(got) != 1 || got[0].to != reportTo {
		t.Fatalf("received %d messages after the monthly report, want one to %s", len(got), reportTo)
	}
	report := got[0]
	asOf := training.NewDate(jobsYear, time.November, 30)
	if want := fmt.Sprintf("%s compliance at %s: 62.5%%", preventName, longDate(asOf)); report.subject != want {
		t.Errorf("report subject %q, want %q", report.subject, want)
	}
	// 9 applicable (the leaver is not), 1 exempt, so 8 required:
	// (4 compliant + 1 expiring) / 8.
	for _, want := range []string{
		"Compliance: 62.5%",
		"Required: 8 (the 9 people the course applies to, less 1 exempt); compliant: 4; expiring within 30 days: 1; new starters still in their window: 1;",
		"overdue: 1; expired: 1; exempt: 1.",
		"- Housing: 57.1% (4 of 7 required; exempt: 1)",
		"- Human Resources: 100.0% (1 of 1 required; exempt: 0)",
	} {
		if !strings.Contains(report.text, want) {
			t.Errorf("report summary lacks %q:\n%s", want, report.text)
		}
	}
	file := fmt.Sprintf("compliance-PREVENT-%s.csv", asOf)
	data, ok := report.attachments[file]
	if !ok {
		t.Fatalf("report has no %s attachment (has %v)", file, slices.Collect(maps.Keys(report.attachments)))
	}
	rows, err := csv.NewReader(bytes.NewReader(data)).ReadAll()
	if err != nil {
		t.Fatalf("attachment is not CSV: %v\n%s", err, data)
	}
	if len(rows) == 0 || !slices.Equal(rows[0], reportcsv.Header) {
		t.Fatalf("CSV header %v, want %v", rows[:min(1, len(rows))], reportcsv.Header)
	}
	status := map[string]string{}
	for _, r := range rows[1:] {
		status[r[0]] = r[9]
	}
	wantStatus := map[string]string{
		e.hr.EmployeeNumber: "compliant", "E-HEAD": "compliant", "E-LEAD": "compliant", "E-COMPLIANT": "compliant",
		"E-EXPIRING": "expiring", "E-STARTER": "due", "E-OVERDUE": "overdue", "E-EXPIRED": "expired", "E-EXEMPT": "exempt",
	}
	if len(rows)-1 != len(wantStatus) {
		t.Errorf("CSV has %d lines after the header, want one per applicable person (%d)", len(rows)-1, len(wantStatus))
	}
	for number, want := range wantStatus {
		if status[number] != want {
			t.Errorf("CSV: %s is %q, want %q", number, status[number], want)
		}
	}
	if _, ok := status["E-LEAVER"]; ok {
		t.Error("CSV lists the leaver")
	}

	// Over the whole month: who received what.
	all := received(t, e.mail)
	wantCount := map[string]int{"overdue": 1, "starter": 1, "expiring": 1, "expired": 1, "head": 1, "lead": 1,
		"hr": 2, "leaver": 0, "exempt": 0, "compliant": 0}
	for n, want := range wantCount {
		if got := len(to(all, e.people[n].Email)); got != want {
			t.Errorf("%s received %d messages in all, want %d", n, got, want)
		}
	}
	if got := len(to(all, reportTo)); got != 1 {
		t.Errorf("%s received %d messages, want 1", reportTo, got)
	}
	if len(all) != 9 {
		t.Errorf("%d messages in all, want 9: 4 reminders, 2 digests, 2 escalations, 1 report", len(all))
	}
}

// ---------------------------------------------------------------------------
// 2. Exactly once: re-running the jobs queues nothing new.

func TestRunningJobsAgainQueuesNothingNew(t *testing.T) {
	e := newOrgEnv(t)
	e.addCast(cast(e.today()))
	// Day 10: overdue is past the escalation threshold, so the first scan
	// queues reminders and an escalation.
	e.at(10)

	collections := []string{"outbox", "flags", "notices"}
	counts := func() map[string]int64 {
		out := map[string]int64{}
		for _, c := range collections {
			out[c] = e.count(c, nil)
		}
		return out
	}

	steps := []struct {
		job     string
		advance time.Duration
		want    map[string]int // summary counts; absent keys must be zero too
		added   map[string]int64
	}{
		{jobs.JobComplianceScan, 0, map[string]int{"flags_raised": 4, "reminders_queued": 4, "escalated": 1},
			// notices: the escalation batch and its "sent" marker.
			map[string]int64{"outbox": 5, "flags": 4, "notices": 2}},
		{jobs.JobManagerDigest, 0, map[string]int{"digests_queued": 2},
			map[string]int64{"outbox": 2, "notices": 2}},
		// The same again, a minute later (another run: its lease and run
		// record are new, so the scheduler does not refuse it as done).
		{jobs.JobComplianceScan, time.Minute, map[string]int{"flags_raised": 0, "reminders_queued": 0, "escalated": 0}, nil},
		{jobs.JobManagerDigest, time.Minute, map[string]int{"digests_queued": 0}, nil},
		// And later in the same week: still nothing.
		{jobs.JobComplianceScan, laterSameWeek(jobsStart.AddDate(0, 0, 10)), map[string]int{"flags_raised": 0, "reminders_queued": 0, "escalated": 0}, nil},
		{jobs.JobManagerDigest, time.Minute, map[string]int{"digests_queued": 0}, nil},
	}
	for i, s := range steps {
		e.clock.Advance(s.advance)
		before := counts()
		sum := e.run(s.job)
		for k, v := range s.want {
			if sum.Counts[k] != v {
				t.Errorf("step %d (%s): %s = %d, want %d (%+v)", i, s.job, k, sum.Counts[k], v, sum)
			}
		}
		after := counts()
		for _, c := range collections {
			if got := after[c] - before[c]; got != s.added[c] {
				t.Errorf("step %d (%s): %d documents added to %s, want %d", i, s.job, got, c, s.added[c])
			}
		}
	}
	y1, w1 := jobsStart.AddDate(0, 0, 10).ISOWeek()
	if y2, w2 := e.clock.Now().ISOWeek(); y1 != y2 || w1 != w2 {
		t.Fatalf("the digests ran in different weeks (%d-W%d, %d-W%d): the test's dates are wrong", y1, w1, y2, w2)
	}

	queued := e.count("outbox", nil)
	got := e.deliver()
	if int64(len(got)) != queued {
		t.Errorf("delivered %d messages, the outbox holds %d", len(got), queued)
	}
	if again := e.deliver(); len(again) != 0 {
		t.Errorf("a second delivery sent %d more", len(again))
	}
	ids := map[string]int{}
	perRecipient := map[string]int{}
	for _, m := range received(t, e.mail) {
		ids[m.messageID]++
		perRecipient[m.to]++
	}
	for id, n := range ids {
		if n != 1 || id == "" {
			t.Errorf("Message-ID %q received %d times", id, n)
		}
	}
	want := map[string]int{"overdue": 1, "starter": 1, "expiring": 1, "expired": 1, "head": 1, "lead": 1, "hr": 1}
	for n, w := range want {
		if perRecipient[e.people[n].Email] != w {
			t.Errorf("%s received %d messages, want %d", n, perRecipient[e.people[n].Email], w)
		}
	}
}

// laterSameWeek is a day later than t if that is still t's ISO week (the
// digest's cycle), else an hour later.
func laterSameWeek(t time.Time) time.Duration {
	if t.Weekday() == time.Sunday {
		return time.Hour
	}
	return 24 * time.Hour
}

// ---------------------------------------------------------------------------
// 3. A run killed in the middle, then run again.

// killingMailer queues through the real outbox and "kills the process"
// (cancels the run's context) at the n-th message of a kind: after queueing
// it, so that the job's next write fails as if the process had died between
// the two, or, with before, instead of queueing it.
type killingMailer struct {
	next   jobs.Mailer
	kind   notify.Kind
	at     int // kill at this message of kind (1 = the first)
	before bool
	n      int
	cancel context.CancelFunc
}

func (k *killingMailer) Queue(ctx context.Context, m notify.Message) (bool, error) {
	if err := ctx.Err(); err != nil {
		return false, err
	}
	kill := false
	if m.Kind == k.kind {
		k.n++
		kill = k.n == k.at
	}
	if kill && k.before {
		k.cancel()
		return false, ctx.Err()
	}
	queued, err := k.next.Queue(ctx, m)
	if kill {
		k.cancel()
	}
	return queued, err
}

// hrList is the HR recipients of a job run outside the app.
type hrList []string

func (h hrList) HREmails(context.Context) ([]string, error) { return h, nil }

// killedScan runs the compliance-scan job body, as the app assembles it,
// with a mailer that kills the run at the given message, and the given HR
// addresses.
func (e *orgEnv) killedScan(kill killingMailer, hr hrList) error {
	e.t.Helper()
	ctx, cancel := context.WithCancel(e.ctx)
	defer cancel()
	kill.next, kill.cancel = e.a.Outbox, cancel
	_, err := e.scanBody(ctx, &kill, hr)
	return err
}

// scanBody runs the compliance-scan job body from jobs.Catalog directly
// (no lease), on the app's service, with the given mailer and HR.
func (e *orgEnv) scanBody(ctx context.Context, mail jobs.Mailer, hr jobs.Recipients) (jobs.Summary, error) {
	e.t.Helper()
	deps := jobs.Deps{
		Training: e.a.Training, Mail: mail, Recipients: hr, PublicURL: publicURL,
		Logger: slog.New(slog.NewTextHandler(io.Discard, nil)),
	}
	for _, j := range jobs.Catalog(deps) {
		if j.Name == jobs.JobComplianceScan {
			return j.Run(ctx, jobs.Run{Job: j.Name, At: e.clock.Now()})
		}
	}
	e.t.Fatal("no compliance-scan in the catalog")
	return jobs.Summary{}, nil
}

// outboxByKind returns the keys of the queued messages of a kind, sorted.
func (e *orgEnv) outboxByKind(kind notify.Kind) (keys []string) {
	e.t.Helper()
	cur, err := e.a.Store.DB().Collection("outbox").Find(e.ctx, bson.D{{Key: "kind", Value: string(kind)}})
	if err != nil {
		e.t.Fatal(err)
	}
	var docs []struct {
		Key string `bson:"key"`
	}
	if err := cur.All(e.ctx, &docs); err != nil {
		e.t.Fatal(err)
	}
	for _, d := range docs {
		keys = append(keys, d.Key)
	}
	sort.Strings(keys)
	return keys
}

func TestKilledScanRunAgainQueuesWhatIsMissingOnce(t *testing.T) {
	t.Run("reminder queued by hand, flag not recorded", func(t *testing.T) {
		e := newOrgEnv(t)
		e.addCast(cast(e.today()))
		// What a run killed after queueing the overdue reminder, and
		// before recording its flag, leaves behind: the reminder under the
		// key the job uses, and no flag.
		a := e.assessment("overdue")
		key := "reminder:" + training.FlagKey(training.FlagOverdue, e.people["overdue"].ID, "PREVENT", a.DueOn)
		queued, err := e.a.Outbox.Queue(e.ctx, notify.Message{
			Key: key, To: e.people["overdue"].Email, Kind: notify.KindReminder,
			Subject: preventName + " training is overdue", BodyText: "queued by the run that was killed",
		})
		if err != nil || !queued {
			t.Fatalf("queue by hand: %v, %v", queued, err)
		}

		sum := e.run(jobs.JobComplianceScan)
		if sum.Counts["flags_raised"] != 4 || sum.Counts["reminders_queued"] != 3 {
			t.Errorf("scan after the crash: %+v, want 4 flags recorded and 3 reminders queued (the 4th was queued)", sum)
		}
		if n := e.count("flags", nil); n != 4 {
			t.Errorf("%d flags, want 4", n)
		}
		if n := e.count("flags", bson.D{{Key: "key", Value: strings.TrimPrefix(key, "reminder:")}}); n != 1 {
			t.Errorf("the crashed transition's flag recorded %d times, want once", n)
		}
		got := e.deliver()
		mine := to(got, e.people["overdue"].Email)
		if len(mine) != 1 || !strings.Contains(mine[0].text, "queued by the run that was killed") {
			t.Errorf("overdue received %d reminders, want only the one queued before the crash", len(mine))
		}
		if len(got) != 4 {
			t.Errorf("%d messages delivered, want 4 reminders", len(got))
		}
	})

	// The opposite state, a flag recorded and its reminder not queued,
	// cannot be left by a crash: the job queues the reminder first and
	// records the flag only once Queue has returned (each is one insert
	// under a unique key, atomic on both engines), and nothing else
	// records scan flags (RecordFlag is called only there). A flag is the
	// scan's mark that the transition was notified, so if one were
	// recorded some other way the scan would treat the reminder as sent:
	// it would not queue it. That is what this case pins down.
	t.Run("flag recorded, reminder not queued", func(t *testing.T) {
		e := newOrgEnv(t)
		e.addCast(cast(e.today()))
		res, err := e.a.Training.Scan(e.ctx)
		if err != nil {
			t.Fatal(err)
		}
		var starter *training.Due
		for i := range res.New {
			if res.New[i].Person.ID == e.people["starter"].ID {
				starter = &res.New[i]
			}
		}
		if starter == nil {
			t.Fatal("the scan found no transition for the new starter")
		}
		if err := e.a.Training.RecordFlag(e.ctx, starter.Flag); err != nil {
			t.Fatal(err)
		}
		sum := e.run(jobs.JobComplianceScan)
		if sum.Counts["flags_raised"] != 3 || sum.Counts["reminders_queued"] != 3 {
			t.Errorf("scan: %+v, want 3 flags and 3 reminders (the starter's flag exists)", sum)
		}
		if n := e.count("flags", nil); n != 4 {
			t.Errorf("%d flags, want 4", n)
		}
		if keys := e.outboxByKind(notify.KindReminder); len(keys) != 3 || slices.Contains(keys, "reminder:"+starter.Flag.Key) {
			t.Errorf("reminders queued %v: want 3, none for the starter", keys)
		}
	})

	// Killed by the process dying between the k-th reminder and its flag.
	for _, after := range []int{1, 2, 3, 4} {
		t.Run(fmt.Sprintf("killed after reminder %d", after), func(t *testing.T) {
			e := newOrgEnv(t)
			e.addCast(cast(e.today()))
			if err := e.killedScan(killingMailer{kind: notify.KindReminder, at: after}, hrList{hrEmail}); !errors.Is(err, context.Canceled) {
				t.Fatalf("the killed run returned %v, want context.Canceled", err)
			}
			if r, f := e.count("outbox", nil), e.count("flags", nil); r != int64(after) || f != int64(after-1) {
				t.Fatalf("after the kill: %d reminders and %d flags, want %d and %d", r, f, after, after-1)
			}
			sum := e.run(jobs.JobComplianceScan)
			if sum.Counts["flags_raised"] != 4-(after-1) || sum.Counts["reminders_queued"] != 4-after {
				t.Errorf("scan after the crash: %+v, want %d flags and %d reminders", sum, 4-(after-1), 4-after)
			}
			keys := e.outboxByKind(notify.KindReminder)
			if len(keys) != 4 || len(slices.Compact(slices.Clone(keys))) != 4 {
				t.Errorf("reminders %v, want 4 different", keys)
			}
			if n := e.count("flags", nil); n != 4 {
				t.Errorf("%d flags, want 4", n)
			}
			got := e.deliver()
			for _, n := range []string{"overdue", "starter", "expiring", "expired"} {
				if k := len(to(got, e.people[n].Email)); k != 1 {
					t.Errorf("%s received %d reminders, want 1", n, k)
				}
			}
		})
	}

	// The escalation to two HR addresses, killed at each point: the batch
	// (who it covers, the e-mail, its recipients) is one insert before any
	// e-mail is queued, and a marker closes it once all are. The run after,
	// the next day, finishes the open batch: each address gets the one
	// e-mail, listing each person once.
	const hr2 = "hr.deputy@example.org"
	escalationKills := []struct {
		name string
		kill killingMailer
	}{
		{"killed after recording the batch, before its first e-mail", killingMailer{kind: notify.KindEscalation, at: 1, before: true}},
		{"killed between the e-mails to the two addresses", killingMailer{kind: notify.KindEscalation, at: 1}},
		{"killed after the last e-mail, before closing the batch", killingMailer{kind: notify.KindEscalation, at: 2}},
	}
	for _, k := range escalationKills {
		t.Run(k.name, func(t *testing.T) {
			e := newOrgEnv(t)
			e.addCast(cast(e.today()))
			e.at(13) // overdue and expired are both more than 14 days late
			if err := e.killedScan(k.kill, hrList{hrEmail, hr2}); !errors.Is(err, context.Canceled) {
				t.Fatalf("the killed run returned %v, want context.Canceled", err)
			}
			e.at(14)
			e.run(jobs.JobComplianceScan)
			e.clock.Advance(time.Minute)
			if sum := e.run(jobs.JobComplianceScan); sum.Counts["escalated"] != 0 {
				t.Errorf("a later scan escalated again: %+v", sum)
			}
			if keys := e.outboxByKind(notify.KindEscalation); len(keys) != 2 {
				t.Errorf("escalations queued %v, want one per HR address", keys)
			}
			got := e.deliver()
			for _, addr := range []string{hrEmail, hr2} {
				mine := to(got, addr)
				if len(mine) != 1 {
					t.Errorf("%s received %d escalations, want 1", addr, len(mine))
					continue
				}
				for _, n := range []string{"overdue", "expired"} {
					if c := strings.Count(mine[0].text, "- "+e.people[n].FullName()+" ("); c != 1 {
						t.Errorf("%s's escalation lists %s %d times, want once:\n%s", addr, n, c, mine[0].text)
					}
				}
			}
		})
	}
}

// An escalation found while nobody holds the HR role (or every HR account
// holder has left) waits for an HR address: recording it as escalated with
// no e-mail sent would lose it for good.
func TestEscalationWaitsForAnHRAddress(t *testing.T) {
	e := newOrgEnv(t)
	e.addCast(cast(e.today()))
	e.at(10)
	sum, err := e.scanBody(e.ctx, e.a.Outbox, hrList{})
	if err != nil {
		t.Fatal(err)
	}
	if sum.Counts["escalated"] != 0 || e.count("notices", nil) != 0 || len(e.outboxByKind(notify.KindEscalation)) != 0 {
		t.Errorf("with no HR address: %+v, %d notices, %d escalations queued; want nothing recorded",
			sum, e.count("notices", nil), len(e.outboxByKind(notify.KindEscalation)))
	}
	e.clock.Advance(time.Minute)
	if sum := e.run(jobs.JobComplianceScan); sum.Counts["escalated"] != 1 {
		t.Errorf("once HR has an address: %+v, want overdue escalated", sum)
	}
	if got := to(e.deliver(), hrEmail); len(got) != 1 || len(listed(got[0].text, e.people["overdue"].FullName())) != 1 {
		t.Errorf("HR received %d escalations, want one listing overdue", len(got))
	}
}

// ---------------------------------------------------------------------------
// 4. The monthly figure is frozen once kept.

func TestMonthlySnapshotIsFrozen(t *testing.T) {
	e := newOrgEnv(t)
	e.addCast(cast(e.today()))
	e.at(15) // 1 December
	first := e.run(jobs.JobMonthlyReport)
	if first.Counts["snapshots"] != 1 || first.Counts["reports_queued"] != 1 {
		t.Fatalf("first monthly report: %+v", first)
	}
	snaps, err := e.a.Training.Snapshots(e.ctx, e.hrActor, "PREVENT")
	if err != nil || len(snaps) != 1 {
		t.Fatalf("snapshots: %v, %v", snaps, err)
	}
	kept := snaps[0]
	november := training.NewDate(jobsYear, time.November, 30)
	if kept.AsOf != november || kept.Key != training.SnapshotKey("PREVENT", november) {
		t.Fatalf("snapshot %s as of %s, want November's", kept.Key, kept.AsOf)
	}
	if kept.Totals.Overdue != 1 || kept.Totals.Due != 1 {
		t.Fatalf("snapshot totals %+v", kept.Totals)
	}

	// Completions dated in November arrive after the report: the overdue
	// person's, recorded today, and the new starter's, from a late import
	// of records kept in November (recorded then, loaded in bulk now).
	e.complete("overdue", november.AddDays(-10))
	if err := e.a.Store.InsertCompletions(e.ctx, []training.Completion{{
		ID: mongodb.NewID(), PersonID: e.people["starter"].ID, CourseCode: "PREVENT", CompletedOn: november.AddDays(-5),
		Source: training.SourceImport, CertificateRef: "LEGACY-STARTER", RecordedBy: e.hr.ID,
		RecordedAt: time.Date(jobsYear, time.November, 26, 12, 0, 0, 0, time.UTC),
	}}); err != nil {
		t.Fatal(err)
	}
	if err := e.a.Model.Bulk(e.ctx); err != nil {
		t.Fatal(err)
	}
	// Worked out again now, November's figure differs: the snapshot is
	// what keeps the figure that was sent.
	rep, err := e.a.Training.ComplianceReport(e.ctx, e.hrActor, training.ReportRequest{CourseCode: "PREVENT", AsOf: november})
	if err != nil {
		t.Fatal(err)
	}
	if rep.Totals == kept.Totals {
		t.Fatalf("recomputed November totals %+v equal the kept ones: the late records change nothing, so this test shows nothing", rep.Totals)
	}

	e.clock.Advance(time.Minute)
	second := e.run(jobs.JobMonthlyReport)
	if second.Counts["reports_queued"] != 0 {
		t.Errorf("second monthly report queued %d e-mails, want none", second.Counts["reports_queued"])
	}
	snaps, err = e.a.Training.Snapshots(e.ctx, e.hrActor, "PREVENT")
	if err != nil || len(snaps) != 1 {
		t.Fatalf("snapshots after the second run: %d, %v; want still one", len(snaps), err)
	}
	if snaps[0].Totals != kept.Totals || !snaps[0].TakenAt.Equal(kept.TakenAt) {
		t.Errorf("snapshot changed: %+v taken %s, want %+v taken %s", snaps[0].Totals, snaps[0].TakenAt, kept.Totals, kept.TakenAt)
	}
	if n := e.count("outbox", bson.D{{Key: "kind", Value: string(notify.KindMonthlyReport)}}); n != 1 {
		t.Errorf("%d monthly reports in the outbox, want 1", n)
	}
	got := to(e.deliver(), reportTo)
	if len(got) != 1 || !strings.Contains(got[0].text, "Compliance: 62.5%") {
		t.Errorf("%s received %d reports, want one with the first figure", reportTo, len(got))
	}
}

// ---------------------------------------------------------------------------
// 5. Leavers hear nothing and are listed nowhere.

func TestLeaversAreNotRemindedListedOrEscalated(t *testing.T) {
	e := newOrgEnv(t)
	today := e.today()
	members := cast(today)
	members = append(members,
		// A manager who has left, and their report, still overdue.
		member{name: "exmanager", given: "Max", family: "Gone", manager: "head", start: training.NewDate(2010, 5, 4), end: today.AddDays(-5)},
		member{name: "orphan", given: "Orla", family: "Orphan", manager: "exmanager", start: today.AddDays(-33), wouldBeFlagged: training.FlagOverdue},
		// Overdue now, leaves today (a leaver from tomorrow).
		member{name: "goer", given: "Gus", family: "Goer", manager: "lead", start: today.AddDays(-33), wouldBeFlagged: training.FlagOverdue},
	)
	e.addCast(members)

	first := e.run(jobs.JobComplianceScan)
	if first.Counts["flags_raised"] != 6 {
		t.Errorf("first scan: %+v, want 6 flags (4 of the cast, orphan and goer)", first)
	}
	end := today
	if _, err := e.a.Training.UpdatePerson(e.ctx, e.hrActor, e.people["goer"].ID, func(in *training.PersonInput) error { in.EndDate = end; return nil }); err != nil {
		t.Fatal(err)
	}
	e.deliver()

	// Ten days on (next week): overdue, orphan and goer are all 15 days
	// late, but goer has left.
	e.at(10)
	scan := e.run(jobs.JobComplianceScan)
	if scan.Counts["escalated"] != 2 {
		t.Errorf("scan on day 10: %+v, want overdue and orphan escalated", scan)
	}
	digest := e.run(jobs.JobManagerDigest)
	if digest.Counts["digests_queued"] != 2 {
		t.Errorf("digest: %+v, want 2 (head and lead; exmanager has left)", digest)
	}
	got := e.deliver()

	leavers := []string{"leaver", "exmanager", "goer"}
	cases := []struct {
		to      string
		lists   []string
		omits   []string
		subject string
	}{
		{"hr", []string{"overdue", "orphan"}, leavers, "2 people overdue for statutory training"},
		{"head", []string{"overdue", "orphan", "expired", "starter", "expiring"}, leavers, "Your team's statutory training: 3 overdue, 2 due soon"},
		{"lead", []string{"overdue", "expired", "starter"}, append(leavers, "orphan"), "Your team's statutory training: 2 overdue, 1 due soon"},
	}
	for _, c := range cases {
		mine := to(got, e.people[c.to].Email)
		if len(mine) != 1 {
			t.Errorf("%s received %d messages on day 10, want 1", c.to, len(mine))
			continue
		}
		if mine[0].subject != c.subject {
			t.Errorf("%s: subject %q, want %q", c.to, mine[0].subject, c.subject)
		}
		for _, n := range c.lists {
			if len(listed(mine[0].text, e.people[n].FullName())) != 1 {
				t.Errorf("%s's e-mail does not list %s:\n%s", c.to, n, mine[0].text)
			}
		}
		if extra := listed(mine[0].text, e.fullNames(c.omits...)...); len(extra) > 0 {
			t.Errorf("%s's e-mail lists %v:\n%s", c.to, extra, mine[0].text)
		}
	}
	all := received(t, e.mail)
	for _, n := range []string{"leaver", "exmanager"} {
		if k := len(to(all, e.people[n].Email)); k != 0 {
			t.Errorf("%s (a leaver) received %d messages", n, k)
		}
	}
	if k := len(to(all, e.people["goer"].Email)); k != 1 {
		t.Errorf("goer received %d messages, want only the reminder from before they left", k)
	}
	for _, n := range leavers {
		if k := e.count("flags", bson.D{{Key: "person_id", Value: e.people[n].ID}}); n != "goer" && k != 0 {
			t.Errorf("%s (a leaver) has %d flags", n, k)
		}
	}
}

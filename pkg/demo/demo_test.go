package demo

import (
	"context"
	"fmt"
	"io"
	"log/slog"
	"os"
	"slices"
	"strings"
	"testing"
	"time"

	"github.com/complytrack/complytrack/pkg/app"
	"github.com/complytrack/complytrack/pkg/apptest"
	"github.com/complytrack/complytrack/pkg/auth"
	"github.com/complytrack/complytrack/pkg/compliance"
	"github.com/complytrack/complytrack/pkg/dbtest"
	"github.com/complytrack/complytrack/pkg/readmodel"
	"github.com/complytrack/complytrack/pkg/training"
)

func TestMain(m *testing.M) { dbtest.Main(m) }

const adminEmail = "hr.admin@example.org"

// newApp builds the whole application on a fresh database, as the api
// command does, with the real clock.
func newApp(t *testing.T) *app.App {
	t.Helper()
	cfg, _ := apptest.Config(t,
		"COMPLYTRACK_ADMIN_EMAIL="+adminEmail,
		"COMPLYTRACK_ADMIN_PASSWORD=admin-password-for-tests",
		"COMPLYTRACK_PUBLIC_URL=https://complytrack.example.org",
	)
	a, err := app.New(context.Background(), cfg, dbtest.New(t), quiet(), app.Options{HasherParams: auth.MinParams})
	if err != nil {
		t.Fatal(err)
	}
	return a
}

func quiet() *slog.Logger { return slog.New(slog.NewTextHandler(io.Discard, nil)) }

func TestFillEmptyInstall(t *testing.T) {
	ctx := context.Background()
	a := newApp(t)
	hr := training.SystemActorFor()

	// Another process, loaded before the fill: it must see the data too.
	otherModel := readmodel.New(a.Store, readmodel.Options{})
	if err := otherModel.Load(ctx); err != nil {
		t.Fatal(err)
	}
	other := compliance.NewService(otherModel, compliance.Options{Logger: quiet()})

	started := time.Now()
	res, err := Fill(ctx, a, quiet())
	took := time.Since(started)
	if err != nil {
		t.Fatal(err)
	}
	t.Logf("Fill took %v on the %s engine: %d staff, %d members, %d contractors, %d volunteers, %d leavers, %d completions imported, %d pending, %d exemptions",
		took.Round(time.Millisecond), engine(), res.Staff, res.Members, res.Contractors, res.Volunteers, res.Leavers, res.Imported, res.Pending, res.Exemptions)
	if !res.Filled {
		t.Fatalf("not filled: %s", res.Reason)
	}
	if res.Staff < 370 || res.Staff > 430 || res.Members != 50 || res.Contractors == 0 || res.Volunteers == 0 {
		t.Errorf("counts: %+v", res)
	}

	people, err := a.Training.PeopleForImport(ctx, hr)
	if err != nil {
		t.Fatal(err)
	}
	byID := map[string]training.Person{}
	staff, members := 0, 0
	for _, p := range people {
		byID[p.ID] = p
		if p.EndDate.IsZero() || !p.IsLeaver(a.Training.Today()) {
			switch p.Kind {
			case training.KindStaff:
				staff++
			case training.KindMember:
				members++
				if p.ManagerID != "" || p.Department != "Elected Members" {
					t.Errorf("member %s: manager %q, department %q", p.EmployeeNumber, p.ManagerID, p.Department)
				}
			}
		}
	}
	if staff < 370 || staff > 430 || members != 50 {
		t.Errorf("%d current staff and %d members on record", staff, members)
	}
	depth := 0
	for _, p := range people {
		d := 0
		for m := p.ManagerID; m != "" && d <= len(people); m = byID[m].ManagerID {
			d++
		}
		depth = max(depth, d)
	}
	if depth < 3 || depth > 5 {
		t.Errorf("deepest reporting line has %d managers above someone; want 3 to 5", depth)
	}

	rep, err := a.Training.ComplianceReport(ctx, hr, training.ReportRequest{CourseCode: "PREVENT"})
	if err != nil {
		t.Fatal(err)
	}
	tl := rep.Totals
	t.Logf("PREVENT today: %+v, %.1f%% compliant, %d departments", tl, tl.Pct(), len(rep.Groups))
	for name, n := range map[string]int{"compliant": tl.Compliant, "expiring": tl.Expiring, "expired": tl.Expired,
		"due": tl.Due, "overdue": tl.Overdue, "exempt": tl.Exempt} {
		if n == 0 {
			t.Errorf("no one is %s in the PREVENT report: %+v", name, tl)
		}
	}
	if pct := float64(tl.Compliant) / float64(tl.Applicable); pct < 0.5 || pct > 0.72 {
		t.Errorf("compliant share %.2f, want about 0.6", pct)
	}
	if len(rep.Groups) != 11 { // ten departments and the Members
		t.Errorf("%d departments in the report, want 11", len(rep.Groups))
	}

	// A year ago, the report was already full: the records carry their
	// past dates.
	past, err := a.Training.ComplianceReport(ctx, hr, training.ReportRequest{CourseCode: "PREVENT", AsOf: a.Training.Today().AddMonths(-12)})
	if err != nil {
		t.Fatal(err)
	}
	t.Logf("PREVENT a year ago: %+v", past.Totals)
	if past.Totals.Applicable < 300 || past.Totals.Compliant < 150 {
		t.Errorf("a year ago the report shows %+v; want most of the council", past.Totals)
	}

	wrap, err := a.Training.ComplianceReport(ctx, hr, training.ReportRequest{CourseCode: "WRAP"})
	if err != nil {
		t.Fatal(err)
	}
	pending := 0
	for _, l := range wrap.Lines {
		if l.Assessment.PendingCompletion {
			pending++
		}
	}
	if pending == 0 || pending != res.Pending {
		t.Errorf("%d WRAP completions pending in the report, Fill says %d", pending, res.Pending)
	}

	// The demo accounts sign in, and the chief executive sees everyone.
	parts := map[string]Account{}
	for _, acc := range res.Accounts {
		parts[acc.Part] = acc
		if _, err := a.Accounts.Login(ctx, acc.Email, Password, "192.0.2.1"); err != nil {
			t.Errorf("sign in as the %s (%s): %v", acc.Part, acc.Email, err)
		}
	}
	// As the README lists them.
	documented := map[string]string{
		"chief executive": "rachel.thornbury@eastmoor.example.org",
		"team leader":     "daniel.okoro@eastmoor.example.org",
		"employee":        "sophie.marsh@eastmoor.example.org",
		"auditor":         "graham.pellow@eastmoor.example.org",
		"hr":              "fiona.gallagher@eastmoor.example.org",
		"trainer":         "tom.whitfield@eastmoor.example.org",
	}
	for part, email := range documented {
		if parts[part].Email != email {
			t.Errorf("the %s's demo account is %q, the README says %s", part, parts[part].Email, email)
		}
	}
	if len(res.Accounts) != len(documented) {
		t.Errorf("%d demo accounts, the README lists %d", len(res.Accounts), len(documented))
	}
	ceo, err := a.Training.PersonByEmail(ctx, parts["chief executive"].Email)
	if err != nil {
		t.Fatal(err)
	}
	team, err := a.Training.Team(ctx, training.Actor{PersonID: ceo.ID}, training.TeamFilter{}, training.PageRequest{Limit: training.MaxPageLimit})
	if err != nil {
		t.Fatal(err)
	}
	if len(team.Items) == 0 || team.NextCursor == "" && len(team.Items) < 370 {
		t.Errorf("the chief executive's team has %d people on its first page", len(team.Items))
	}
	leader, err := a.Training.PersonByEmail(ctx, parts["team leader"].Email)
	if err != nil {
		t.Fatal(err)
	}
	small, err := a.Training.Team(ctx, training.Actor{PersonID: leader.ID}, training.TeamFilter{CourseCode: "WRAP"}, training.PageRequest{})
	if err != nil {
		t.Fatal(err)
	}
	waiting := 0
	for _, m := range small.Items {
		for _, as := range m.Training {
			if as.PendingCompletion {
				waiting++
			}
		}
	}
	if len(small.Items) < 10 || waiting == 0 {
		t.Errorf("the team leader's team: %d people, %d awaiting verification", len(small.Items), waiting)
	}
	roles, err := a.Accounts.Roles(ctx, ceo.ID)
	if err != nil || !roles.Has(auth.RoleManager) {
		t.Errorf("the chief executive's roles: %v, %v", roles, err)
	}

	// The other process sees the bulk load once its background follower
	// has loaded everything again (one step of it), and the changes made
	// through the service after the load at its next read.
	if _, err := other.Courses(ctx); err != nil {
		t.Fatal(err)
	}
	if err := otherModel.Step(ctx); err != nil {
		t.Fatal(err)
	}
	otherRep, err := other.ComplianceReport(ctx, hr, training.ReportRequest{CourseCode: "PREVENT"})
	if err != nil {
		t.Fatal(err)
	}
	if otherRep.Totals != tl {
		t.Errorf("another process sees %+v, this one %+v", otherRep.Totals, tl)
	}

	// The audit log has the summary.
	audit, err := a.Training.ListAudit(ctx, hr, "demo", training.PageRequest{})
	if err != nil {
		t.Fatal(err)
	}
	if len(audit.Items) != 1 || audit.Items[0].Action != "demo.fill" {
		t.Errorf("audit for the fill: %+v", audit.Items)
	}

	checkSessions(t, ctx, a, res)

	// A second fill does nothing.
	again, err := Fill(ctx, a, quiet())
	if err != nil {
		t.Fatal(err)
	}
	after, err := a.Training.PeopleForImport(ctx, hr)
	if err != nil {
		t.Fatal(err)
	}
	if again.Filled || again.Reason == "" || len(after) != len(people) {
		t.Errorf("second fill: %+v; %d people before, %d after", again, len(people), len(after))
	}
}

func TestFillLeavesRealDataAlone(t *testing.T) {
	ctx := context.Background()
	a := newApp(t)
	hr := training.SystemActorFor()
	if _, err := a.Training.CreatePerson(ctx, hr, training.PersonInput{Person: training.Person{EmployeeNumber: "E1", Email: "someone@example.org", GivenName: "Real", FamilyName: "Person", Kind: training.KindStaff, StartDate: training.NewDate(2020, 1, 6)}}); err != nil {
		t.Fatal(err)
	}
	res, err := Fill(ctx, a, quiet())
	if err != nil {
		t.Fatal(err)
	}
	people, err := a.Training.PeopleForImport(ctx, hr)
	if err != nil {
		t.Fatal(err)
	}
	courses, err := a.Training.Courses(ctx)
	if err != nil {
		t.Fatal(err)
	}
	if res.Filled || res.Reason == "" || len(people) != 2 || len(courses) != 1 {
		t.Errorf("fill on an install with a real person: %+v; %d people, %d courses", res, len(people), len(courses))
	}
}

func engine() string {
	if os.Getenv(dbtest.EnvURI) != "" {
		return "configured MongoDB"
	}
	return "embedded"
}

// TestPlanOnAnyDay works out the plan for days years apart and checks,
// with the status rules themselves, that every status is there in about
// the proportions wanted, and that the people do not change with the day.
func TestPlanOnAnyDay(t *testing.T) {
	loc, _ := time.LoadLocation("Europe/London")
	courses := map[string]training.Course{"PREVENT": training.PreventCourse(), "CHANNEL": ChannelCourse(), "WRAP": WRAPCourse()}
	var firstEmails []string
	for _, day := range []string{"2025-01-15", "2026-02-28", "2026-11-27", "2027-05-07", "2027-06-30", "2028-02-29", "2031-05-02", "2035-12-31"} {
		today := training.MustDate(day)
		now := time.Date(today.Year(), today.Month(), today.Day(), 10, 0, 0, 0, loc)
		n := 0
		pl := makePlan(today, now, loc, courses, map[string]bool{"admin": true}, func() string { n++; return fmt.Sprintf("id%05d", n) })

		var emails []string
		byID := map[string]training.Person{}
		for _, p := range pl.people {
			emails = append(emails, p.Email)
			byID[p.ID] = p
			if err := p.Validate(); err != nil {
				t.Fatalf("%s: %s: %v", day, p.EmployeeNumber, err)
			}
			if p.CreatedAt.After(now) || !strings.HasSuffix(p.Email, "@"+Domain) {
				t.Fatalf("%s: %+v", day, p)
			}
		}
		if firstEmails == nil {
			firstEmails = emails
		} else if !slices.Equal(emails, firstEmails) {
			t.Errorf("%s: the people differ from the first day's", day)
		}
		completions := slices.Clone(pl.completions)
		for _, c := range completions {
			if c.CompletedOn.After(today) || c.RecordedAt.After(now) || c.CompletedOn.Before(byID[c.PersonID].StartDate) {
				t.Fatalf("%s: completion %+v of someone who started %s", day, c, byID[c.PersonID].StartDate)
			}
		}
		for _, pc := range pl.pending {
			completions = append(completions, training.Completion{ID: "p" + pc.personID, PersonID: pc.personID, CourseCode: pc.courseCode,
				CompletedOn: pc.on, Source: training.SourceSelf, RecordedAt: now, NeedsVerification: true})
		}
		var exemptions []training.Exemption
		for _, e := range pl.exemptions {
			for code := range courses {
				exemptions = append(exemptions, training.Exemption{PersonID: e.personID, CourseCode: code, Reason: e.reason, Until: e.until, CreatedAt: now})
			}
		}
		byPerson := map[string][]training.Completion{}
		for _, c := range completions {
			byPerson[c.PersonID] = append(byPerson[c.PersonID], c)
		}
		for _, code := range []string{"PREVENT", "CHANNEL", "WRAP"} {
			var tl training.Tally
			pending := 0
			for _, p := range pl.people {
				a := training.Evaluate(p, courses[code], byPerson[p.ID], exemptions, today, time.Time{})
				tl.Add(a)
				if a.Applicable && a.PendingCompletion {
					pending++
				}
			}
			t.Logf("%s %-7s %+v %.1f%%", day, code, tl, tl.Pct())
			// The two people exempted may not be in WRAP's departments.
			if tl.Compliant == 0 || tl.Expiring == 0 || tl.Expired == 0 || tl.Due == 0 || tl.Overdue == 0 || tl.Exempt == 0 && code != "WRAP" {
				t.Errorf("%s %s: a status is missing: %+v", day, code, tl)
			}
			if code == "WRAP" && pending == 0 {
				t.Errorf("%s: no WRAP completion pending", day)
			}
			if code != "PREVENT" {
				continue
			}
			share := func(n int) float64 { return float64(n) / float64(tl.Applicable) }
			if s := share(tl.Compliant); s < 0.55 || s > 0.7 {
				t.Errorf("%s: compliant %.2f", day, s)
			}
			for name, n := range map[string]int{"expiring": tl.Expiring, "expired": tl.Expired, "overdue": tl.Overdue} {
				if s := share(n); s < 0.05 || s > 0.18 {
					t.Errorf("%s: %s %.2f", day, name, s)
				}
			}
		}
	}
}

package jobs_test

import (
	"fmt"
	"slices"
	"strings"
	"testing"
	"time"

	"github.com/complytrack/complytrack/pkg/accounts"
	"github.com/complytrack/complytrack/pkg/auth"
	"github.com/complytrack/complytrack/pkg/jobs"
	"github.com/complytrack/complytrack/pkg/notify"
	"github.com/complytrack/complytrack/pkg/sessions"
	"github.com/complytrack/complytrack/pkg/training"
)

// addPerson creates one person of the given kind as HR, with no line
// manager, and records them in the cast under name.
func (e *orgEnv) addPerson(name, given, family string, kind training.Kind, start, end training.Date) training.Person {
	e.t.Helper()
	p, err := e.a.Training.CreatePerson(e.ctx, e.hrActor, training.PersonInput{Person: training.Person{
		EmployeeNumber: "E-" + strings.ToUpper(name), Email: strings.ToLower(given+"."+family) + "@example.org",
		GivenName: given, FamilyName: family, Kind: kind, JobTitle: "Councillor", Department: "Members", StartDate: start, EndDate: end,
	}})
	if err != nil {
		e.t.Fatalf("create %s: %v", name, err)
	}
	e.people[name] = p
	return p
}

// grant gives a person's account the roles, creating the account.
func (e *orgEnv) grant(name string, roles ...auth.Role) {
	e.t.Helper()
	now := e.clock.Now()
	if err := e.a.Store.PutAccount(e.ctx, accounts.Account{PersonID: e.people[name].ID, Roles: auth.NewRoles(roles...), CreatedAt: now, UpdatedAt: now}); err != nil {
		e.t.Fatal(err)
	}
}

// Elected Members have no line manager: the weekly digest for them goes
// to each Member Services officer still here, and to no line manager.
func TestMemberServicesOfficerGetsTheMembersDigest(t *testing.T) {
	e := newOrgEnv(t)
	today := e.today()
	e.addCast(cast(today))
	long := training.NewDate(2016, 3, 1)
	e.addPerson("cllrlate", "Colin", "Late", training.KindMember, long, training.Date{})
	e.addPerson("cllrsoon", "Cara", "Soon", training.KindMember, long, training.Date{})
	e.complete("cllrsoon", today.AddDays(20).AddMonths(-36))
	e.addPerson("cllrdone", "Dora", "Done", training.KindMember, long, training.Date{})
	e.complete("cllrdone", today.AddDays(-30))
	e.addPerson("officer", "Mo", "Services", training.KindStaff, long, training.Date{})
	e.complete("officer", today)
	e.grant("officer", auth.RoleMemberServices)
	e.addPerson("gone", "Gail", "Gone", training.KindStaff, long, today.AddDays(-5))
	e.grant("gone", auth.RoleMemberServices)

	digest := e.run(jobs.JobManagerDigest)
	if digest.Counts["digests_queued"] != 3 || digest.Counts["managers"] != 3 {
		t.Errorf("digest: %+v, want 3 digests: the two line managers and the Member Services officer", digest)
	}
	keys := e.outboxByKind(notify.KindManagerDigest)
	year, week := e.clock.Now().ISOWeek()
	for name, want := range map[string]bool{"officer": true, "gone": false, "cllrlate": false, "head": true, "lead": true} {
		key := fmt.Sprintf("digest:%s:%04d-W%02d", e.people[name].ID, year, week)
		if got := slices.Contains(keys, key); got != want {
			t.Errorf("outbox has %s's digest: %v, want %v (keys %v)", name, got, want, keys)
		}
	}

	got := e.deliver()
	mine := to(got, e.people["officer"].Email)
	if len(mine) != 1 {
		t.Fatalf("the officer received %d messages, want one digest", len(mine))
	}
	m := mine[0]
	if want := "Your team's statutory training: 1 overdue, 1 due soon"; m.subject != want {
		t.Errorf("officer's digest subject %q, want %q", m.subject, want)
	}
	if !strings.Contains(m.text, "of the elected Members you look after for Member Services.") {
		t.Errorf("officer's digest does not say it covers the Members:\n%s", m.text)
	}
	if got, want := listed(m.text, e.fullNames("cllrlate", "cllrsoon", "cllrdone", "overdue", "expiring", "starter", "expired")...), e.fullNames("cllrlate", "cllrsoon"); !slices.Equal(got, want) {
		t.Errorf("officer's digest lists %v, want the Members with something to do %v:\n%s", got, want, m.text)
	}
	for _, n := range []string{"head", "lead"} {
		for _, d := range to(got, e.people[n].Email) {
			if l := listed(d.text, e.fullNames("cllrlate", "cllrsoon")...); len(l) != 0 {
				t.Errorf("%s's digest lists Members %v", n, l)
			}
		}
	}
	if n := len(to(got, e.people["gone"].Email)); n != 0 {
		t.Errorf("an officer who has left received %d messages", n)
	}
}

// The monthly report gives staff and elected Members as headline figures,
// kept in the snapshot as sent; they agree with the report by kind.
func TestMonthlyReportHeadlinesMembers(t *testing.T) {
	e := newOrgEnv(t)
	today := e.today()
	e.addCast(cast(today))
	long := training.NewDate(2016, 3, 1)
	e.addPerson("cllrlate", "Colin", "Late", training.KindMember, long, training.Date{})
	e.addPerson("cllrsoon", "Cara", "Soon", training.KindMember, long, training.Date{})
	e.complete("cllrsoon", today.AddDays(20).AddMonths(-36))
	e.addPerson("cllrdone", "Dora", "Done", training.KindMember, long, training.Date{})
	e.complete("cllrdone", today.AddDays(-30))

	e.at(15) // 1 December
	if sum := e.run(jobs.JobMonthlyReport); sum.Counts["reports_queued"] != 1 {
		t.Fatalf("monthly report: %+v", sum)
	}
	snaps, err := e.a.Training.Snapshots(e.ctx, e.hrActor, "PREVENT")
	if err != nil || len(snaps) != 1 {
		t.Fatalf("snapshots: %v, %v", snaps, err)
	}
	kept := snaps[0]
	byKind, err := e.a.Training.ComplianceReport(e.ctx, e.hrActor, training.ReportRequest{CourseCode: "PREVENT", GroupBy: training.GroupByKind, AsOf: kept.AsOf})
	if err != nil {
		t.Fatal(err)
	}
	// The report orders its groups by key, the snapshot by kind.
	sorted := slices.SortedFunc(slices.Values(kept.ByKind), func(a, b training.ReportGroup) int { return strings.Compare(a.Key, b.Key) })
	if !slices.Equal(sorted, byKind.Groups) {
		t.Errorf("snapshot by kind %+v, want the report by kind %+v", kept.ByKind, byKind.Groups)
	}
	members, ok := training.KindGroup(kept.ByKind, training.KindMember)
	if !ok || members.Required() != 3 || members.UpToDate() != 2 || members.Overdue != 1 {
		t.Fatalf("Members in the snapshot: %+v (found %v), want 2 of 3 up to date and 1 overdue", members, ok)
	}
	staff, _ := training.KindGroup(kept.ByKind, training.KindStaff)

	got := to(e.deliver(), reportTo)
	if len(got) != 1 {
		t.Fatalf("%s received %d reports, want 1", reportTo, len(got))
	}
	for _, want := range []string{
		fmt.Sprintf("Staff: %.1f%% (%d of %d required; overdue: %d; expired: %d; exempt: %d)\n",
			staff.Pct(), staff.UpToDate(), staff.Required(), staff.Overdue, staff.Expired, staff.Exempt),
		"Elected Members: 66.7% (2 of 3 required; overdue: 1; expired: 0; exempt: 0)\n",
	} {
		if !strings.Contains(got[0].text, want) {
			t.Errorf("the report does not say %q:\n%s", want, got[0].text)
		}
	}
}

// The monthly report carries the month's face-to-face sessions: those
// held (a cancelled one and next month's left out), their places, and
// each partner organisation's attendance, as the sessions service counts
// them for the month.
func TestMonthlyReportIncludesPartnerSessions(t *testing.T) {
	e := newOrgEnv(t)
	e.addCast(cast(e.today()))
	if _, err := e.a.Training.CreateCourse(e.ctx, e.hrActor, training.Course{
		Code: "WRAP", Title: "Workshop to Raise Awareness of Prevent", Delivery: training.DeliveryClassroom,
		AppliesTo: training.AppliesTo{Kinds: []training.Kind{training.KindStaff}}, ValidityMonths: 36,
		NewStarterDays: 28, DueSoonDays: 30, RenewWindowDays: 60, ExpiryBasis: training.ExpiryFromCompletion,
		EffectiveFrom: training.NewDate(2020, 1, 1), Evidence: training.EvidenceNone, Verification: training.VerificationNone,
	}); err != nil {
		t.Fatal(err)
	}
	e.grant("head", auth.RoleTrainer)
	sess := e.a.Sessions
	november := training.NewDate(jobsYear, time.November, 30)
	schedule := func(day training.Date, capacity int) string {
		t.Helper()
		v, err := sess.Schedule(e.ctx, e.hrActor, training.SessionInput{CourseCode: "WRAP", Date: day, TrainerID: e.people["head"].ID,
			Start: mustTime(t, "10:00"), End: mustTime(t, "12:00"), Location: "Town Hall, Committee Room 2", Capacity: capacity})
		if err != nil {
			t.Fatalf("schedule on %s: %v", day, err)
		}
		return v.ID
	}
	held := schedule(training.NewDate(jobsYear, time.November, 20), 10)
	called := schedule(training.NewDate(jobsYear, time.November, 25), 8)
	schedule(training.NewDate(jobsYear, time.December, 3), 12) // next month's
	book := func(sessionID string, r sessions.BookingRequest) string {
		t.Helper()
		b, err := sess.Book(e.ctx, e.hrActor, sessionID, r)
		if err != nil {
			t.Fatalf("book %+v: %v", r, err)
		}
		return b.ID
	}
	partner := func(name, org string) sessions.BookingRequest {
		return sessions.BookingRequest{External: &training.ExternalAttendee{Name: name, Email: strings.ToLower(strings.ReplaceAll(name, " ", ".")) + "@partner.example.org", Organisation: org}}
	}
	pc1 := book(held, partner("Pat Constable", "Eastmoor Police"))
	pc2 := book(held, partner("Sam Sergeant", "Eastmoor Police"))
	nurse := book(held, partner("Nia Nurse", "Eastmoor NHS Trust"))
	staff := book(held, sessions.BookingRequest{PersonID: e.people["overdue"].ID})
	book(called, partner("Ola Officer", "Eastmoor Fire"))
	if _, err := sess.Cancel(e.ctx, e.hrActor, called, "The trainer is ill."); err != nil {
		t.Fatal(err)
	}

	e.at(4) // 20 November, the day of the session
	if _, err := sess.Register(e.ctx, e.hrActor, held, []string{pc1, pc2, staff}, []string{nurse}); err != nil {
		t.Fatal(err)
	}

	e.at(15) // 1 December
	e.run(jobs.JobMonthlyReport)
	rep, err := sess.PartnerReport(e.ctx, e.hrActor, training.NewDate(jobsYear, time.November, 1), november)
	if err != nil {
		t.Fatal(err)
	}
	if rep.Sessions != 1 || rep.PlacesOffered != 10 || len(rep.Organisations) != 2 {
		t.Fatalf("the sessions service counts %+v: want the one session held, its 10 places and two organisations", rep)
	}
	// One report per course, each with the month's sessions of every course.
	got := to(e.deliver(), reportTo)
	if len(got) != 2 {
		t.Fatalf("%s received %d reports, want one per course", reportTo, len(got))
	}
	for _, m := range got {
		for _, want := range []string{
			"Face-to-face sessions from 1 November " + fmt.Sprint(jobsYear) + " to 30 November " + fmt.Sprint(jobsYear),
			"Sessions held: 1\n",
			"Places offered: 10\n",
			fmt.Sprintf("Places filled: %d\n", rep.PlacesFilled),
			"- Eastmoor Police: 2 attended, 0 did not come\n",
			"- Eastmoor NHS Trust: 0 attended, 1 did not come\n",
		} {
			if !strings.Contains(m.text, want) {
				t.Errorf("%q does not say %q:\n%s", m.subject, want, m.text)
			}
		}
		if strings.Contains(m.text, "Eastmoor Fire") {
			t.Errorf("%q counts the cancelled session's partner:\n%s", m.subject, m.text)
		}
	}
}

func mustTime(t *testing.T, s string) training.TimeOfDay {
	t.Helper()
	v, err := training.ParseTimeOfDay(s)
	if err != nil {
		t.Fatal(err)
	}
	return v
}

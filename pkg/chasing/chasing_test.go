package chasing_test

import (
	"context"
	"errors"
	"slices"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/complytrack/complytrack/pkg/chasing"
	"github.com/complytrack/complytrack/pkg/compliance"
	"github.com/complytrack/complytrack/pkg/dbtest"
	"github.com/complytrack/complytrack/pkg/mongodb"
	"github.com/complytrack/complytrack/pkg/notify"
	"github.com/complytrack/complytrack/pkg/readmodel"
	"github.com/complytrack/complytrack/pkg/training"
)

func TestMain(m *testing.M) { dbtest.Main(m) }

var london, _ = time.LoadLocation("Europe/London")

// clock is the tests' settable time, shared by every part.
type clock struct {
	mu sync.Mutex
	t  time.Time
}

func (c *clock) Now() time.Time  { c.mu.Lock(); defer c.mu.Unlock(); return c.t }
func (c *clock) set(t time.Time) { c.mu.Lock(); c.t = t; c.mu.Unlock() }

// env is the organisation on a fresh database: a chief executive (boss)
// above a manager above two staff, someone outside that line, an elected
// Member, and the service twice over, as two processes would run it.
type env struct {
	t      *testing.T
	ctx    context.Context
	clock  *clock
	store  *mongodb.Store
	svc    *compliance.Service
	outbox *notify.Outbox
	a, b   *chasing.Service
	hr     training.Actor

	boss, manager, emp, emp2, other, member training.Person
}

const publicURL = "https://training.example.org"

func newEnv(t *testing.T) *env {
	t.Helper()
	ctx := context.Background()
	db := dbtest.New(t)
	c := &clock{}
	// 23:30 in London on 30 November: still the 30th there, whatever UTC says.
	c.set(time.Date(2026, 11, 30, 23, 30, 0, 0, london))
	store := mongodb.New(db).WithClock(c.Now)
	if err := store.Migrate(ctx); err != nil {
		t.Fatal(err)
	}
	mk := func() (*compliance.Service, *chasing.Service, *notify.Outbox) {
		m := readmodel.New(mongodb.New(db).WithClock(c.Now), readmodel.Options{Now: c.Now})
		if err := m.Load(ctx); err != nil {
			t.Fatal(err)
		}
		svc := compliance.NewService(m, compliance.Options{Location: london, Now: c.Now})
		outbox := notify.NewOutbox(store).WithClock(c.Now)
		return svc, chasing.New(svc, store.Reminders(), outbox, chasing.Options{Now: c.Now, Location: london, PublicURL: publicURL}), outbox
	}
	e := &env{t: t, ctx: ctx, clock: c, store: store, hr: training.SystemActorFor()}
	e.svc, e.a, e.outbox = mk()
	if err := e.svc.EnsureDefaultCourse(ctx); err != nil {
		t.Fatal(err)
	}
	_, e.b, _ = mk()
	_, err := e.svc.CreateCourse(ctx, e.hr, training.Course{
		Code: "CHANNEL", Title: "Channel awareness", Delivery: training.DeliveryELearning,
		AppliesTo: training.AppliesTo{Kinds: []training.Kind{training.KindStaff}}, ValidityMonths: 36,
		NewStarterDays: 28, DueSoonDays: 30, RenewWindowDays: 60, ExpiryBasis: training.ExpiryFromCompletion,
		EffectiveFrom: training.MustDate("2020-01-01"), Evidence: training.EvidenceNone, Verification: training.VerificationNone,
	})
	if err != nil {
		t.Fatal(err)
	}
	e.boss = e.person("B1", "Bea", "", training.KindStaff)
	e.manager = e.person("M1", "Max", "B1", training.KindStaff)
	e.emp = e.person("E1", "Emma", "M1", training.KindStaff)
	e.emp2 = e.person("E2", "Eli", "M1", training.KindStaff)
	e.other = e.person("O1", "Olu", "", training.KindStaff)
	e.member = e.person("C1", "Cllr", "", training.KindMember)
	return e
}

func (e *env) person(number, given, manager string, kind training.Kind) training.Person {
	e.t.Helper()
	p, err := e.svc.CreatePerson(e.ctx, e.hr, training.PersonInput{
		Person: training.Person{EmployeeNumber: number, Email: strings.ToLower(given) + "@example.org", GivenName: given,
			FamilyName: number, Kind: kind, StartDate: training.MustDate("2025-01-06")},
		ManagerEmployeeNumber: manager,
	})
	if err != nil {
		e.t.Fatal(err)
	}
	return p
}

// complete records that p did course on day, as HR.
func (e *env) complete(p training.Person, course, day string) {
	e.t.Helper()
	if _, err := e.svc.RecordCompletion(e.ctx, e.hr, p.ID, training.CompletionInput{CourseCode: course, CompletedOn: training.MustDate(day), CertificateRef: "CERT-" + p.EmployeeNumber}); err != nil {
		e.t.Fatal(err)
	}
}

// mail is every manual reminder queued to addr.
func (e *env) mail(addr string) []notify.Message {
	e.t.Helper()
	page, err := e.outbox.List(e.ctx, e.hr, notify.Filter{To: addr, Kind: notify.KindManualReminder}, training.PageRequest{Limit: 100})
	if err != nil {
		e.t.Fatal(err)
	}
	return page.Items
}

func (e *env) audits(personID string) int {
	e.t.Helper()
	page, err := e.svc.ListAudit(e.ctx, e.hr, personID, training.PageRequest{Limit: 100})
	if err != nil {
		e.t.Fatal(err)
	}
	n := 0
	for _, a := range page.Items {
		if a.Action == "person.reminded" {
			n++
		}
	}
	return n
}

func as(p training.Person) training.Actor { return training.Actor{PersonID: p.ID} }

func both(p training.Person) []chasing.Target {
	return []chasing.Target{{PersonID: p.ID, CourseCode: "PREVENT"}, {PersonID: p.ID, CourseCode: "CHANNEL"}}
}

// Who may remind whom: HR anyone; a manager, or anyone above them, the
// people in their line; Member Services the elected Members. Anyone else
// is told the person does not exist, or (when they can see them) that
// they may not, and nothing is sent.
func TestRemindAuthorization(t *testing.T) {
	e := newEnv(t)
	auditor := training.Actor{PersonID: e.other.ID, Auditor: true}
	officer := training.Actor{PersonID: e.other.ID, MemberServices: true}
	for _, tc := range []struct {
		name   string
		actor  training.Actor
		target training.Person
		want   error
	}{
		{"line manager, their report", as(e.manager), e.emp, nil},
		{"above the line manager", as(e.boss), e.emp2, nil},
		{"HR, anyone", training.Actor{PersonID: e.other.ID, HR: true}, e.boss, nil},
		{"Member Services, a Member", officer, e.member, nil},
		{"Member Services, staff outside their line", officer, e.emp, training.ErrNotFound},
		{"line manager, outside their line", as(e.manager), e.other, training.ErrNotFound},
		{"line manager, their own manager", as(e.manager), e.boss, training.ErrNotFound},
		{"a report, their manager", as(e.emp), e.manager, training.ErrNotFound},
		{"themself", as(e.emp), e.emp, training.ErrForbidden},
		{"auditor, who reads everyone", auditor, e.emp, training.ErrForbidden},
		{"nobody by that id", training.Actor{PersonID: e.other.ID, HR: true}, training.Person{ID: "no-such-person"}, training.ErrNotFound},
	} {
		t.Run(tc.name, func(t *testing.T) {
			// Each case chases a course of its own on a day of its own, so
			// an earlier case's reminder does not stand in the way.
			e.clock.set(e.clock.Now().Add(24 * time.Hour))
			before := 0
			if tc.target.Email != "" {
				before = len(e.mail(tc.target.Email))
			}
			res, err := e.a.Remind(e.ctx, tc.actor, []chasing.Target{{PersonID: tc.target.ID, CourseCode: "PREVENT"}})
			if !errors.Is(err, tc.want) || (tc.want == nil) != (err == nil) {
				t.Fatalf("Remind: %v, want %v", err, tc.want)
			}
			sent := 0
			if tc.target.Email != "" {
				sent = len(e.mail(tc.target.Email)) - before
			}
			if tc.want != nil {
				if len(res.Emailed) != 0 || sent != 0 {
					t.Errorf("refused, yet %+v and %d e-mails", res, sent)
				}
				return
			}
			if !slices.Equal(res.Emailed, []string{tc.target.ID}) || sent != 1 {
				t.Errorf("allowed: %+v, %d e-mails", res, sent)
			}
		})
	}

	// One person outside the line refuses the whole list: the report in
	// it is not e-mailed either.
	_, err := e.a.Remind(e.ctx, as(e.manager), []chasing.Target{{PersonID: e.emp2.ID, CourseCode: "CHANNEL"}, {PersonID: e.other.ID, CourseCode: "PREVENT"}})
	if !errors.Is(err, training.ErrNotFound) {
		t.Fatalf("a list with an outsider: %v", err)
	}
	if got := e.mail(e.emp2.Email); len(got) != 1 { // the one sent above, by the boss
		t.Errorf("%s has %d reminders, want the 1 from before", e.emp2.Email, len(got))
	}
	if n := e.audits(e.emp2.ID); n != 1 {
		t.Errorf("%d audit entries for %s, want 1", n, e.emp2.Email)
	}
}

// One e-mail per person listing their courses; a course done and in date
// is not chased; pressing twice the same day (even in another process)
// sends nothing more; the next day in the organisation's zone it may be
// sent again; each sending is audited and remembered for "last reminded".
func TestRemindOnceADayPerPersonAndCourse(t *testing.T) {
	e := newEnv(t)
	e.complete(e.emp2, "PREVENT", "2026-06-01")

	targets := append(both(e.emp), both(e.emp2)...)
	res, err := e.a.Remind(e.ctx, as(e.manager), targets)
	if err != nil {
		t.Fatal(err)
	}
	if !slices.Equal(res.Emailed, []string{e.emp.ID, e.emp2.ID}) || len(res.Reminded) != 3 ||
		!slices.Equal(res.NothingDue, []chasing.Target{{PersonID: e.emp2.ID, CourseCode: "PREVENT"}}) || len(res.AlreadyToday) != 0 {
		t.Fatalf("first press: %+v", res)
	}
	emma := e.mail(e.emp.Email)
	if len(emma) != 1 {
		t.Fatalf("Emma has %d reminders, want 1", len(emma))
	}
	for _, want := range []string{"Dear Emma E1", "Prevent awareness: it was due on 3 February 2025", "Channel awareness: it was due on",
		"record it in complytrack", publicURL} {
		if !strings.Contains(emma[0].BodyText, want) {
			t.Errorf("Emma's reminder lacks %q:\n%s", want, emma[0].BodyText)
		}
	}
	if emma[0].Subject != "Reminder: 2 training courses to complete" {
		t.Errorf("subject %q", emma[0].Subject)
	}
	if eli := e.mail(e.emp2.Email); len(eli) != 1 || strings.Contains(eli[0].BodyText, "Prevent awareness") || eli[0].Subject != "Reminder: your Channel awareness training" {
		t.Errorf("Eli's reminders: %+v", eli)
	}

	// Again, from the other process: nothing is sent.
	res, err = e.b.Remind(e.ctx, as(e.boss), targets)
	if err != nil {
		t.Fatal(err)
	}
	if len(res.Emailed) != 0 || len(res.AlreadyToday) != 3 {
		t.Fatalf("second press: %+v", res)
	}
	if n := len(e.mail(e.emp.Email)); n != 1 {
		t.Errorf("Emma has %d reminders after the second press, want 1", n)
	}
	if n := e.audits(e.emp.ID); n != 1 {
		t.Errorf("%d audit entries for Emma, want 1", n)
	}

	last, err := e.a.LastReminded(e.ctx, as(e.manager), []string{e.emp.ID, e.emp2.ID})
	if err != nil {
		t.Fatal(err)
	}
	sent := e.clock.Now().UTC()
	if !last[e.emp.ID]["PREVENT"].Equal(sent) || !last[e.emp.ID]["CHANNEL"].Equal(sent) || !last[e.emp2.ID]["CHANNEL"].Equal(sent) {
		t.Errorf("last reminded: %v, want %s", last, sent)
	}
	if _, ok := last[e.emp2.ID]["PREVENT"]; ok {
		t.Errorf("Eli was never reminded of Prevent: %v", last)
	}

	// 00:30 the next morning in London: a new day.
	e.clock.set(time.Date(2026, 12, 1, 0, 30, 0, 0, london))
	res, err = e.a.Remind(e.ctx, as(e.manager), both(e.emp))
	if err != nil {
		t.Fatal(err)
	}
	if !slices.Equal(res.Emailed, []string{e.emp.ID}) || len(e.mail(e.emp.Email)) != 2 || e.audits(e.emp.ID) != 2 {
		t.Errorf("next day: %+v, %d e-mails", res, len(e.mail(e.emp.Email)))
	}
	last, err = e.a.LastReminded(e.ctx, as(e.boss), []string{e.emp.ID})
	if err != nil || !last[e.emp.ID]["PREVENT"].Equal(e.clock.Now().UTC()) {
		t.Errorf("last reminded the next day: %v (%v)", last, err)
	}
}

// Courses already reminded today are left out of a later e-mail the same
// day, so nobody hears about a course twice in one day.
func TestRemindLaterTheSameDayOnlyTheRest(t *testing.T) {
	e := newEnv(t)
	if _, err := e.a.Remind(e.ctx, as(e.manager), []chasing.Target{{PersonID: e.emp.ID, CourseCode: "PREVENT"}}); err != nil {
		t.Fatal(err)
	}
	res, err := e.a.Remind(e.ctx, as(e.manager), both(e.emp))
	if err != nil {
		t.Fatal(err)
	}
	if !slices.Equal(res.Reminded, []chasing.Target{{PersonID: e.emp.ID, CourseCode: "CHANNEL"}}) ||
		!slices.Equal(res.AlreadyToday, []chasing.Target{{PersonID: e.emp.ID, CourseCode: "PREVENT"}}) {
		t.Fatalf("%+v", res)
	}
	msgs := e.mail(e.emp.Email)
	if len(msgs) != 2 {
		t.Fatalf("%d e-mails, want 2", len(msgs))
	}
	for _, m := range msgs {
		if strings.Contains(m.BodyText, "Prevent awareness") == strings.Contains(m.BodyText, "Channel awareness") {
			t.Errorf("each e-mail names one course:\n%s", m.BodyText)
		}
	}
}

// Eight presses at once, across two processes, send one e-mail.
func TestRemindConcurrentPressesSendOnce(t *testing.T) {
	e := newEnv(t)
	var wg sync.WaitGroup
	errs := make(chan error, 8)
	for i := range 8 {
		svc := e.a
		if i%2 == 1 {
			svc = e.b
		}
		wg.Go(func() {
			_, err := svc.Remind(e.ctx, as(e.manager), both(e.emp))
			errs <- err
		})
	}
	wg.Wait()
	close(errs)
	for err := range errs {
		if err != nil {
			t.Fatal(err)
		}
	}
	if n := len(e.mail(e.emp.Email)); n != 1 {
		t.Errorf("%d e-mails after eight presses at once, want 1", n)
	}
	if n := e.audits(e.emp.ID); n != 1 {
		t.Errorf("%d audit entries, want 1", n)
	}
}

// "Last reminded" is read by those who may see the people: a manager
// about their line, HR and auditors about anyone; for anyone else the
// person does not exist.
func TestLastRemindedAuthorization(t *testing.T) {
	e := newEnv(t)
	if _, err := e.a.Remind(e.ctx, as(e.manager), both(e.emp)); err != nil {
		t.Fatal(err)
	}
	for _, tc := range []struct {
		name  string
		actor training.Actor
		want  error
	}{
		{"line manager", as(e.manager), nil},
		{"auditor", training.Actor{PersonID: e.other.ID, Auditor: true}, nil},
		{"HR", training.Actor{PersonID: e.other.ID, HR: true}, nil},
		{"outside the line", as(e.other), training.ErrNotFound},
	} {
		t.Run(tc.name, func(t *testing.T) {
			last, err := e.a.LastReminded(e.ctx, tc.actor, []string{e.emp.ID})
			if !errors.Is(err, tc.want) || (tc.want == nil) != (err == nil) {
				t.Fatalf("LastReminded: %v, want %v", err, tc.want)
			}
			if tc.want == nil && len(last[e.emp.ID]) != 2 {
				t.Errorf("last reminded: %v", last)
			}
		})
	}
}

func TestRemindRefusesTooManyTargets(t *testing.T) {
	e := newEnv(t)
	targets := make([]chasing.Target, chasing.MaxTargets+1)
	if _, err := e.a.Remind(e.ctx, e.hr, targets); !errors.Is(err, training.ErrInvalid) {
		t.Errorf("Remind with %d targets: %v, want ErrInvalid", len(targets), err)
	}
}

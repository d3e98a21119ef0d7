package sessions_test

import (
	"context"
	"errors"
	"strings"
	"sync"
	"testing"
	"time"

	"go.mongodb.org/mongo-driver/v2/mongo"

	"github.com/complytrack/complytrack/pkg/accounts"
	"github.com/complytrack/complytrack/pkg/auth"
	"github.com/complytrack/complytrack/pkg/compliance"
	"github.com/complytrack/complytrack/pkg/dbtest"
	"github.com/complytrack/complytrack/pkg/mongodb"
	"github.com/complytrack/complytrack/pkg/notify"
	"github.com/complytrack/complytrack/pkg/readmodel"
	"github.com/complytrack/complytrack/pkg/sessions"
	"github.com/complytrack/complytrack/pkg/training"
)

func TestMain(m *testing.M) { dbtest.Main(m) }

var london, _ = time.LoadLocation("Europe/London")

// clock is the tests' settable time, shared by every part.
type clock struct {
	mu sync.Mutex
	t  time.Time
}

func (c *clock) Now() time.Time { c.mu.Lock(); defer c.mu.Unlock(); return c.t }

// setDay moves the clock to 09:00 in London on day d.
func (c *clock) setDay(d string) {
	day := training.MustDate(d)
	c.mu.Lock()
	defer c.mu.Unlock()
	c.t = time.Date(day.Year(), day.Month(), day.Day(), 9, 0, 0, 0, london)
}

// roles reads the stored roles, as the app does.
type roles struct{ store *mongodb.Store }

func (r roles) Roles(ctx context.Context, personID string) (auth.Roles, error) {
	a, err := r.store.Account(ctx, personID)
	if errors.Is(err, training.ErrNotFound) {
		return 0, nil
	}
	return a.Roles, err
}

func (r roles) PeopleWithRole(ctx context.Context, role auth.Role) ([]string, error) {
	return r.store.PeopleWithRole(ctx, role)
}

// process is one complytrack process: its own organisation in memory,
// compliance service and sessions service, on the shared database.
type process struct {
	Training *compliance.Service
	Sessions *sessions.Service
}

type env struct {
	t     testing.TB
	ctx   context.Context
	clock *clock
	store *mongodb.Store
	a, b  process
	hr    training.Actor

	// The people every test has: a trainer, a line manager with two
	// staff, someone outside that line, and an auditor.
	trainer, boss, emp, emp2, other, auditor training.Person
}

const (
	publicURL = "https://training.example.org"
	course    = "WRAP"
)

func newEnv(t testing.TB) *env {
	t.Helper()
	return newEnvOn(t, dbtest.New(t))
}

// newEnvOn builds the env on db: a test database reached through a
// client of the test's own (one that watches the commands).
func newEnvOn(t testing.TB, db *mongo.Database) *env {
	t.Helper()
	ctx := context.Background()
	c := &clock{}
	c.setDay("2026-12-01") // a Tuesday
	store := mongodb.New(db).WithClock(c.Now)
	if err := store.Migrate(ctx); err != nil {
		t.Fatal(err)
	}
	e := &env{t: t, ctx: ctx, clock: c, store: store, hr: training.SystemActorFor()}
	mk := func() process {
		m := readmodel.New(mongodb.New(db).WithClock(c.Now), readmodel.Options{Now: c.Now})
		if err := m.Load(ctx); err != nil {
			t.Fatal(err)
		}
		svc := compliance.NewService(m, compliance.Options{Location: london, Now: c.Now})
		outbox := notify.NewOutbox(store).WithClock(c.Now)
		ss := sessions.New(store.TrainingSessions(), svc, roles{store}, outbox, sessions.Options{
			Location: london, Now: c.Now, PublicURL: publicURL, OrgName: "Eastmoor District Council",
		})
		svc.UseAttendance(ss)
		return process{Training: svc, Sessions: ss}
	}
	e.a, e.b = mk(), mk()
	_, err := e.a.Training.CreateCourse(ctx, e.hr, training.Course{
		Code: course, Title: "WRAP workshop", Delivery: training.DeliveryClassroom,
		AppliesTo: training.AppliesTo{Kinds: []training.Kind{training.KindStaff, training.KindMember}}, ValidityMonths: 36,
		NewStarterDays: 28, DueSoonDays: 30, RenewWindowDays: 60, ExpiryBasis: training.ExpiryFromCompletion,
		EffectiveFrom: training.MustDate("2020-01-01"), Evidence: training.EvidenceNone, Verification: training.VerificationManager,
	})
	if err != nil {
		t.Fatal(err)
	}
	e.trainer = e.person("T1", "Tom", "")
	e.boss = e.person("B1", "Bea", "")
	e.emp = e.person("E1", "Emma", "B1")
	e.emp2 = e.person("E2", "Eli", "B1")
	e.other = e.person("O1", "Olu", "")
	e.auditor = e.person("A1", "Ada", "")
	e.grant(e.trainer, auth.RoleTrainer)
	e.grant(e.auditor, auth.RoleAuditor)
	return e
}

func (e *env) person(number, given, manager string) training.Person {
	e.t.Helper()
	p, err := e.a.Training.CreatePerson(e.ctx, e.hr, training.PersonInput{
		Person: training.Person{EmployeeNumber: number, Email: strings.ToLower(given) + "@example.org", GivenName: given,
			FamilyName: number, Kind: training.KindStaff, StartDate: training.MustDate("2025-01-06")},
		ManagerEmployeeNumber: manager,
	})
	if err != nil {
		e.t.Fatal(err)
	}
	return p
}

func (e *env) grant(p training.Person, r auth.Role) {
	e.t.Helper()
	if err := e.store.PutAccount(e.ctx, accounts.Account{PersonID: p.ID, Roles: auth.NewRoles(r)}); err != nil {
		e.t.Fatal(err)
	}
}

// as is the actor a person is when signed in.
func as(p training.Person) training.Actor { return training.Actor{PersonID: p.ID} }

func (e *env) trainerActor() training.Actor {
	return training.Actor{PersonID: e.trainer.ID, Trainer: true}
}

func (e *env) auditorActor() training.Actor {
	return training.Actor{PersonID: e.auditor.ID, Auditor: true}
}

func tod(s string) training.TimeOfDay {
	t, err := training.ParseTimeOfDay(s)
	if err != nil {
		panic(err)
	}
	return t
}

// input is a session of WRAP on day d, 10:00-12:00, run by the trainer.
func (e *env) input(d string, capacity int) training.SessionInput {
	return training.SessionInput{CourseCode: course, Date: training.MustDate(d), Start: tod("10:00"), End: tod("12:00"),
		Location: "Civic Centre, Room 2", Capacity: capacity, TrainerID: e.trainer.ID}
}

func (e *env) schedule(d string, capacity int) sessions.SessionView {
	e.t.Helper()
	v, err := e.a.Sessions.Schedule(e.ctx, e.hr, e.input(d, capacity))
	if err != nil {
		e.t.Fatal(err)
	}
	return v
}

func (e *env) book(actor training.Actor, sessionID string, r sessions.BookingRequest) sessions.BookingView {
	e.t.Helper()
	bv, err := e.a.Sessions.Book(e.ctx, actor, sessionID, r)
	if err != nil {
		e.t.Fatalf("book: %v", err)
	}
	return bv
}

// mail returns the messages queued to one address, oldest first, with
// their attachments (the outbox list leaves their bytes out).
func (e *env) mail(to string, kind notify.Kind) []notify.Message {
	e.t.Helper()
	all, err := e.store.DueMessages(e.ctx, time.Date(2100, 1, 1, 0, 0, 0, 0, time.UTC), 10000)
	if err != nil {
		e.t.Fatal(err)
	}
	var out []notify.Message
	for _, m := range all {
		if strings.EqualFold(m.To, to) && (kind == "" || m.Kind == kind) {
			out = append(out, m)
		}
	}
	return out
}

// ics returns a message's calendar attachment, failing when there is none.
func ics(t *testing.T, m notify.Message) string {
	t.Helper()
	for _, a := range m.Attachments {
		if strings.HasPrefix(a.ContentType, "text/calendar") {
			return string(a.Data)
		}
	}
	t.Fatalf("message %q has no calendar attachment", m.Subject)
	return ""
}

func wantErr(t *testing.T, err, sentinel error) {
	t.Helper()
	if !errors.Is(err, sentinel) {
		t.Fatalf("error %v, want %v", err, sentinel)
	}
}

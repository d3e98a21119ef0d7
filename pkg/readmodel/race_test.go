package readmodel_test

import (
	"context"
	"fmt"
	"sync"
	"testing"
	"time"

	"github.com/complytrack/complytrack/pkg/dbtest"
	"github.com/complytrack/complytrack/pkg/readmodel"
	"github.com/complytrack/complytrack/pkg/training"
)

func seedPeople(t testing.TB, p *process, n int) []training.Person {
	t.Helper()
	ctx := context.Background()
	if err := p.svc.EnsureDefaultCourse(ctx); err != nil {
		t.Fatal(err)
	}
	var creates []training.ImportCreate
	for i := range n {
		creates = append(creates, training.ImportCreate{Line: i + 2, Input: input(fmt.Sprintf("E%04d", i))})
	}
	res, err := p.svc.ApplyImport(ctx, hr, creates, nil)
	if err != nil || res.Created != n {
		t.Fatalf("seed %d people: %+v, %v", n, res, err)
	}
	people, err := p.svc.PeopleForImport(ctx, hr)
	if err != nil {
		t.Fatal(err)
	}
	return people
}

func completion(day string) training.CompletionInput {
	return training.CompletionInput{CourseCode: "PREVENT", CompletedOn: training.MustDate(day), CertificateRef: "HO-" + day}
}

// Each kind of write made in one process is seen by the other at its very
// next read, with no waiting and no background follower running.
func TestAnotherProcessSeesEachWriteAtItsNextRead(t *testing.T) {
	ctx := context.Background()
	db := dbtest.New(t)
	a := newProcess(t, db.Name(), readmodel.Options{})
	people := seedPeople(t, a, 3)
	b := newProcess(t, db.Name(), readmodel.Options{})

	boss, err := a.svc.CreatePerson(ctx, hr, input("BOSS"))
	if err != nil {
		t.Fatal(err)
	}
	if got, err := b.svc.Person(ctx, hr, boss.ID); err != nil || got.EmployeeNumber != "BOSS" {
		t.Fatalf("b after a created a person: %+v, %v", got, err)
	}
	title := "Youth worker"
	mgr := "BOSS"
	if _, err := b.svc.UpdatePerson(ctx, hr, people[0].ID, func(in *training.PersonInput) error {
		in.JobTitle, in.ManagerEmployeeNumber = title, mgr
		return nil
	}); err != nil {
		t.Fatal(err)
	}
	if got, _ := a.svc.Person(ctx, hr, people[0].ID); got.JobTitle != title || got.ManagerID != boss.ID {
		t.Fatalf("a after b updated a person: %+v", got)
	}
	if team, err := a.svc.Team(ctx, training.Actor{PersonID: boss.ID}, training.TeamFilter{}, training.PageRequest{}); err != nil || len(team.Items) != 1 {
		t.Fatalf("a: the new manager's team after b's change: %+v, %v", team, err)
	}
	c, err := a.svc.RecordCompletion(ctx, hr, people[1].ID, completion("2026-05-01"))
	if err != nil {
		t.Fatal(err)
	}
	if got, err := b.svc.Completion(ctx, hr, c.ID); err != nil || got.State() != training.StateAccepted {
		t.Fatalf("b after a recorded a completion: %+v, %v", got, err)
	}
	if _, err := b.svc.Revoke(ctx, hr, c.ID, "The certificate belongs to someone else."); err != nil {
		t.Fatal(err)
	}
	if got, _ := a.svc.Completion(ctx, hr, c.ID); got.State() != training.StateRevoked {
		t.Fatalf("a after b revoked: %s", got.State())
	}
	e, err := a.svc.GrantExemption(ctx, hr, people[2].ID, training.ExemptionInput{CourseCode: "PREVENT", Reason: "On long-term leave."})
	if err != nil {
		t.Fatal(err)
	}
	if got, _ := b.svc.ExemptionsOf(ctx, hr, people[2].ID); len(got) != 1 || got[0].ID != e.ID {
		t.Fatalf("b after a granted an exemption: %+v", got)
	}
	if err := b.svc.RemoveExemption(ctx, hr, e.ID); err != nil {
		t.Fatal(err)
	}
	if got, _ := a.svc.ExemptionsOf(ctx, hr, people[2].ID); len(got) != 1 || got[0].Removal == nil {
		t.Fatalf("a after b removed the exemption: %+v", got)
	}
	if _, err := b.svc.UpdateCourse(ctx, hr, "PREVENT", func(c *training.Course) { c.Title = "Prevent duty" }); err != nil {
		t.Fatal(err)
	}
	if got, _ := a.svc.Course(ctx, "PREVENT"); got.Title != "Prevent duty" {
		t.Fatalf("a after b changed the course: %q", got.Title)
	}
	if da, dbb := digest(t, a), digest(t, b); da != dbb || da != truth(t, db.Name()) {
		t.Fatalf("the two processes differ or differ from the database:\na:\n%s\nb:\n%s", da, dbb)
	}
}

// The race that lost writes: a process writing while it also applies
// other processes' changes and loads everything again after a bulk change.
// Every write must be visible to its writer at once, and at the end both
// processes must hold exactly what the database holds.
func TestNoWriteIsLostWhileAnotherProcessWritesAndReloads(t *testing.T) {
	ctx, cancel := context.WithCancel(context.Background())
	defer cancel()
	db := dbtest.New(t)
	a := newProcess(t, db.Name(), readmodel.Options{Poll: 5 * time.Millisecond})
	people := seedPeople(t, a, 24)
	b := newProcess(t, db.Name(), readmodel.Options{Poll: 5 * time.Millisecond, RequestBudget: 4})
	var follow sync.WaitGroup
	for _, p := range []*process{a, b} {
		follow.Go(func() { p.model.Run(ctx) })
	}

	var wg sync.WaitGroup
	errs := make(chan error, 100)
	// Process a: job title changes, and twice a bulk change that makes b
	// load everything again in the background while b writes.
	wg.Go(func() {
		for i := range 20 {
			title := fmt.Sprintf("Officer grade %d", i)
			if _, err := a.svc.UpdatePerson(ctx, hr, people[i].ID, func(in *training.PersonInput) error { in.JobTitle = title; return nil }); err != nil {
				errs <- fmt.Errorf("a: update: %w", err)
				return
			}
			if i%8 == 3 {
				if err := a.model.Bulk(ctx); err != nil {
					errs <- fmt.Errorf("a: bulk: %w", err)
					return
				}
			}
		}
	})
	// Process b: readers of everyone, all the time.
	stop := make(chan struct{})
	wg.Go(func() {
		for {
			select {
			case <-stop:
				return
			default:
			}
			if _, err := b.svc.ComplianceReport(ctx, hr, training.ReportRequest{CourseCode: "PREVENT"}); err != nil {
				errs <- fmt.Errorf("b: report: %w", err)
				return
			}
			time.Sleep(2 * time.Millisecond)
		}
	})
	// Process b: a completion for each person, each seen by b at once.
	for i, p := range people {
		day := fmt.Sprintf("2026-05-%02d", i%28+1)
		c, err := b.svc.RecordCompletion(ctx, hr, p.ID, completion(day))
		if err != nil {
			t.Fatal(err)
		}
		got, err := b.svc.CompletionsOf(ctx, hr, p.ID)
		if err != nil || len(got) != 1 || got[0].ID != c.ID {
			t.Fatalf("b does not see its own completion %s for %s: %+v, %v", c.ID, p.EmployeeNumber, got, err)
		}
		training, err := b.svc.TrainingOf(ctx, hr, p.ID)
		if err != nil || len(training) != 1 || training[0].Status != "compliant" {
			t.Fatalf("b: %s after their completion: %+v, %v", p.EmployeeNumber, training, err)
		}
	}
	close(stop)
	wg.Wait()
	close(errs)
	for err := range errs {
		t.Fatal(err)
	}
	want := truth(t, db.Name())
	waitUntil(t, "a and b hold what the database holds", func() bool {
		return digest(t, a) == want && digest(t, b) == want
	})
	cancel()
	follow.Wait()
}

// Catching up costs what changed, not the size of the organisation: a
// process that is current asks the database one question per read, and
// after N changes elsewhere a few per change.
func TestCatchingUpCostsWhatChanged(t *testing.T) {
	ctx := context.Background()
	db := dbtest.New(t)
	a := newProcess(t, db.Name(), readmodel.Options{})
	people := seedPeople(t, a, 120)
	b := newProcess(t, db.Name(), readmodel.Options{})

	read := func() {
		if _, err := b.svc.Team(ctx, training.Actor{PersonID: people[0].ID}, training.TeamFilter{}, training.PageRequest{}); err != nil {
			t.Fatal(err)
		}
	}
	if n := b.commands(read); n != 1 {
		t.Errorf("a read with nothing new sent %d commands, want 1 (is there an entry after the last applied?)", n)
	}
	const changes = 5
	for i := range changes {
		if _, err := a.svc.RecordCompletion(ctx, hr, people[i].ID, completion("2026-04-01")); err != nil {
			t.Fatal(err)
		}
	}
	// Per change: its intent and done entries, and the completion read
	// again with its two possible decisions; then the look-up that finds
	// no more entries.
	want := int64(changes*(2+3) + 1)
	if n := b.commands(read); n != want {
		t.Errorf("catching up after %d changes in an organisation of %d sent %d commands, want %d", changes, len(people), n, want)
	}
	if n := b.commands(read); n != 1 {
		t.Errorf("the next read sent %d commands, want 1", n)
	}
}

// Under WithRequest a model catches up at a request's first read only: a
// page makes several reads, and all but the first look nothing up. The
// next request sees what was committed before it began.
func TestOneCatchUpPerRequest(t *testing.T) {
	ctx := context.Background()
	db := dbtest.New(t)
	a := newProcess(t, db.Name(), readmodel.Options{})
	people := seedPeople(t, a, 3)
	b := newProcess(t, db.Name(), readmodel.Options{})

	request := readmodel.WithRequest(ctx)
	reads := func(ctx context.Context) {
		for range 3 {
			if _, err := b.svc.Person(ctx, hr, people[0].ID); err != nil {
				t.Fatal(err)
			}
		}
	}
	if n := b.commands(func() { reads(request) }); n != 1 {
		t.Errorf("three reads in one request sent %d commands, want 1", n)
	}
	title := "Community safety officer"
	if _, err := a.svc.UpdatePerson(ctx, hr, people[0].ID, func(in *training.PersonInput) error { in.JobTitle = title; return nil }); err != nil {
		t.Fatal(err)
	}
	// The request that began before the change goes on as it was.
	if got, _ := b.svc.Person(request, hr, people[0].ID); got.JobTitle == title {
		t.Errorf("a request that began before the change looked it up again")
	}
	// The next request sees it.
	if got, _ := b.svc.Person(readmodel.WithRequest(ctx), hr, people[0].ID); got.JobTitle != title {
		t.Errorf("the next request sees job title %q, want %q", got.JobTitle, title)
	}
}

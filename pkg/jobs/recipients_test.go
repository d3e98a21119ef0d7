package jobs_test

import (
	"context"
	"errors"
	"strings"
	"testing"
	"time"

	"go.mongodb.org/mongo-driver/v2/bson"

	"github.com/complytrack/complytrack/pkg/accounts"
	"github.com/complytrack/complytrack/pkg/auth"
	"github.com/complytrack/complytrack/pkg/jobs"
	"github.com/complytrack/complytrack/pkg/notify"
	"github.com/complytrack/complytrack/pkg/training"
)

// unreadablePerson is the app's people lookup with one person who cannot
// be read: the lookup for them reaches the real store with a context that
// has already ended, as when the database stops answering mid-run, so the
// store itself returns the error.
type unreadablePerson struct {
	jobs.People
	id string
}

func (u unreadablePerson) PersonByID(ctx context.Context, id string) (training.Person, error) {
	if id == u.id {
		ended, cancel := context.WithCancel(ctx)
		cancel()
		return u.People.PersonByID(ended, id)
	}
	return u.People.PersonByID(ctx, id)
}

// An HR officer who cannot be read when an escalation is put together
// fails the run, with nothing recorded, instead of being left off a batch
// that is then kept (and sent) without them for good. The next run sends
// the escalation to every HR officer, once each.
func TestEscalationIsNotRecordedWithoutAnHRRecipient(t *testing.T) {
	e := newOrgEnv(t)
	e.addCast(cast(e.today()))
	deputy, err := e.a.Training.CreatePerson(e.ctx, e.hrActor, training.PersonInput{Person: training.Person{EmployeeNumber: "E-DEPUTY", Email: "dana.deputy@example.org", GivenName: "Dana", FamilyName: "Deputy", Kind: training.KindStaff, JobTitle: "HR Officer", Department: "HR", StartDate: training.NewDate(2016, 3, 1)}})
	if err != nil {
		t.Fatal(err)
	}
	e.people["deputy"] = deputy
	e.complete("deputy", e.today())
	now := e.clock.Now()
	if err := e.a.Store.PutAccount(e.ctx, accounts.Account{PersonID: deputy.ID, Roles: auth.NewRoles(auth.RoleHR), CreatedAt: now, UpdatedAt: now}); err != nil {
		t.Fatal(err)
	}
	e.at(14) // overdue and expired are both more than 14 days late

	hr := jobs.HRRecipients{Roles: e.a.Store, People: unreadablePerson{People: e.a.Training, id: deputy.ID}}
	if _, err := e.scanBody(e.ctx, e.a.Outbox, hr); !errors.Is(err, context.Canceled) {
		t.Fatalf("the run with an unreadable HR officer returned %v, want the store's error", err)
	}
	batches := bson.D{{Key: "_id", Value: bson.D{{Key: "$regex", Value: "^escalation-batch:"}}}}
	if n, q := e.count("notices", batches), e.outboxByKind(notify.KindEscalation); n != 0 || len(q) != 0 {
		t.Fatalf("the failed run recorded %d escalation batches and queued %v; want nothing", n, q)
	}

	e.clock.Advance(time.Minute)
	if sum := e.run(jobs.JobComplianceScan); sum.Counts["escalated"] != 2 {
		t.Errorf("the next run: %+v, want overdue and expired escalated", sum)
	}
	e.clock.Advance(time.Minute)
	if sum := e.run(jobs.JobComplianceScan); sum.Counts["escalated"] != 0 {
		t.Errorf("a later run escalated again: %+v", sum)
	}
	got := e.deliver()
	for _, addr := range []string{hrEmail, deputy.Email} {
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
}

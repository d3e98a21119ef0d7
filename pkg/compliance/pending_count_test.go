package compliance_test

import (
	"context"
	"fmt"
	"testing"
	"time"

	"github.com/complytrack/complytrack/pkg/compliance"
	"github.com/complytrack/complytrack/pkg/dbtest"
	"github.com/complytrack/complytrack/pkg/mongodb"
	"github.com/complytrack/complytrack/pkg/readmodel"
	"github.com/complytrack/complytrack/pkg/training"
)

// pcService is one service on a fresh database, for tests and benchmarks.
func pcService(tb testing.TB) *compliance.Service {
	tb.Helper()
	db := dbtest.New(tb)
	if err := mongodb.New(db).Migrate(context.Background()); err != nil {
		tb.Fatal(err)
	}
	m := readmodel.New(mongodb.New(db), readmodel.Options{})
	if err := m.Load(context.Background()); err != nil {
		tb.Fatal(err)
	}
	return compliance.NewService(m, compliance.Options{Now: func() time.Time { return time.Date(2026, 6, 1, 12, 0, 0, 0, time.UTC) }})
}

// pcOrganisation puts n people under one manager (E0), with a workshop the
// line manager verifies and a certificate course HR verifies, and has
// every tenth person self-certify both.
func pcOrganisation(tb testing.TB, svc *compliance.Service, n int) (manager training.Person, people []training.Person) {
	tb.Helper()
	ctx := context.Background()
	for _, c := range []struct {
		code string
		v    training.Verification
	}{{"WRAP", training.VerificationManager}, {"HRONLY", training.VerificationHR}} {
		if _, err := svc.CreateCourse(ctx, hr, training.Course{
			Code: c.code, Title: c.code + " course", Delivery: training.DeliveryClassroom,
			AppliesTo: training.AppliesTo{Kinds: []training.Kind{training.KindStaff}}, ValidityMonths: 36,
			NewStarterDays: 28, DueSoonDays: 30, RenewWindowDays: 60, ExpiryBasis: training.ExpiryFromCompletion,
			EffectiveFrom: training.MustDate("2020-01-01"), Evidence: training.EvidenceNone, Verification: c.v,
		}); err != nil {
			tb.Fatal(err)
		}
	}
	creates := make([]training.ImportCreate, n)
	for i := range creates {
		in := input(fmt.Sprintf("E%d", i))
		if i > 0 {
			in.ManagerEmployeeNumber = "E0"
		}
		creates[i] = training.ImportCreate{Line: i + 2, Input: in}
	}
	if _, err := svc.ApplyImport(ctx, hr, creates, nil); err != nil {
		tb.Fatal(err)
	}
	for i := range n {
		p, err := svc.PersonByEmail(ctx, fmt.Sprintf("E%d@example.org", i))
		if err != nil {
			tb.Fatal(err)
		}
		people = append(people, p)
		if i%10 != 0 {
			continue
		}
		for _, code := range []string{"WRAP", "HRONLY"} {
			if _, err := svc.SelfCertify(ctx, training.Actor{PersonID: p.ID}, training.CompletionInput{CourseCode: code, CompletedOn: training.MustDate("2026-05-01")}); err != nil {
				tb.Fatal(err)
			}
		}
	}
	return people[0], people
}

// The count is what the list offers the actor to decide, for every kind
// of actor.
func TestPendingCountIsWhatTheActorMayDecide(t *testing.T) {
	ctx := context.Background()
	svc := pcService(t)
	manager, people := pcOrganisation(t, svc, 30)
	// People 0, 10 and 20 self-certified both courses: 6 pending. The
	// manager (person 0) decides the workshops of 10 and 20, not their own.
	tests := []struct {
		name  string
		actor training.Actor
		want  int
	}{
		{"HR", training.Actor{PersonID: "someone-in-hr", HR: true}, 6},
		{"HR who certified themself", training.Actor{PersonID: manager.ID, HR: true}, 4},
		{"line manager", training.Actor{PersonID: manager.ID}, 2},
		{"employee", training.Actor{PersonID: people[5].ID}, 0},
		{"auditor", training.Actor{PersonID: people[5].ID, Auditor: true}, 0},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			got, err := svc.PendingCount(ctx, tt.actor)
			if err != nil {
				t.Fatal(err)
			}
			items, err := svc.PendingCompletions(ctx, tt.actor)
			if err != nil {
				t.Fatal(err)
			}
			listed := 0
			for _, it := range items {
				if svc.MayReview(tt.actor, it) {
					listed++
				}
			}
			if got != tt.want || got != listed {
				t.Errorf("count %d, list offers %d to decide, want %d", got, listed, tt.want)
			}
		})
	}
}

// BenchmarkPendingCount is the navigation's count on every page, for 5,000
// people with 1,000 completions waiting, as HR and as their line manager,
// within a request.
func BenchmarkPendingCount(b *testing.B) {
	ctx := context.Background()
	svc := pcService(b)
	manager, _ := pcOrganisation(b, svc, 5000)
	for _, bb := range []struct {
		name  string
		actor training.Actor
	}{{"hr", training.Actor{PersonID: "someone-in-hr", HR: true}}, {"manager", training.Actor{PersonID: manager.ID}}} {
		b.Run(bb.name, func(b *testing.B) {
			// A page has caught up with the change log for its request
			// already when the layout counts, so the count costs no look-up.
			ctx := readmodel.WithRequest(ctx)
			for b.Loop() {
				if _, err := svc.PendingCount(ctx, bb.actor); err != nil {
					b.Fatal(err)
				}
			}
		})
	}
}

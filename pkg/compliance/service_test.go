package compliance_test

import (
	"context"
	"errors"
	"sync"
	"testing"
	"time"

	"github.com/complytrack/complytrack/pkg/compliance"
	"github.com/complytrack/complytrack/pkg/dbtest"
	"github.com/complytrack/complytrack/pkg/mongodb"
	"github.com/complytrack/complytrack/pkg/readmodel"
	"github.com/complytrack/complytrack/pkg/training"
)

func TestMain(m *testing.M) { dbtest.Main(m) }

var hr = training.SystemActorFor()

// replicas returns two services on one database, as two processes would be.
func replicas(t *testing.T) (*compliance.Service, *compliance.Service) {
	t.Helper()
	db := dbtest.New(t)
	store := mongodb.New(db)
	if err := store.Migrate(context.Background()); err != nil {
		t.Fatal(err)
	}
	now := func() time.Time { return time.Date(2026, 6, 1, 12, 0, 0, 0, time.UTC) }
	var svcs []*compliance.Service
	for range 2 {
		m := readmodel.New(mongodb.New(db), readmodel.Options{})
		if err := m.Load(context.Background()); err != nil {
			t.Fatal(err)
		}
		svcs = append(svcs, compliance.NewService(m, compliance.Options{Now: now}))
	}
	return svcs[0], svcs[1]
}

func input(n string) training.PersonInput {
	return training.PersonInput{Person: training.Person{EmployeeNumber: n, Email: n + "@example.org", GivenName: "G", FamilyName: n, Kind: training.KindStaff, StartDate: training.MustDate("2025-01-06")}}
}

func TestAnotherProcessSeesWritesAtOnce(t *testing.T) {
	ctx := context.Background()
	a, b := replicas(t)
	if err := a.EnsureDefaultCourse(ctx); err != nil {
		t.Fatal(err)
	}
	boss, err := a.CreatePerson(ctx, hr, input("B1"))
	if err != nil {
		t.Fatal(err)
	}
	in := input("E1")
	in.ManagerEmployeeNumber = "B1"
	emp, err := a.CreatePerson(ctx, hr, in)
	if err != nil {
		t.Fatal(err)
	}

	// b was loaded before those writes; its next read sees them.
	got, err := b.Person(ctx, hr, emp.ID)
	if err != nil || got.ManagerID != boss.ID {
		t.Fatalf("b sees %+v, %v", got, err)
	}
	if manages, _ := b.Manages(ctx, boss.ID); !manages {
		t.Error("b does not see the new reporting line")
	}
	if _, err := b.Course(ctx, "PREVENT"); err != nil {
		t.Errorf("b does not see the default course: %v", err)
	}

	// A completion recorded through b shows in a's status at once.
	if _, err := b.RecordCompletion(ctx, hr, emp.ID, training.CompletionInput{CourseCode: "PREVENT", CompletedOn: training.MustDate("2026-05-01"), CertificateRef: "HO-123"}); err != nil {
		t.Fatal(err)
	}
	items, err := a.TrainingOf(ctx, hr, emp.ID)
	if err != nil || len(items) != 1 || items[0].Status != training.StatusCompliant {
		t.Fatalf("a's view after b's write: %+v, %v", items, err)
	}
}

func TestDuplicateAcrossProcessesIsAConflict(t *testing.T) {
	ctx := context.Background()
	a, b := replicas(t)
	var wg sync.WaitGroup
	errs := make([]error, 2)
	for i, s := range []*compliance.Service{a, b} {
		wg.Add(1)
		go func() {
			defer wg.Done()
			_, errs[i] = s.CreatePerson(ctx, hr, input("SAME"))
		}()
	}
	wg.Wait()
	ok := 0
	for _, err := range errs {
		switch {
		case err == nil:
			ok++
		case !errors.Is(err, training.ErrConflict):
			t.Errorf("unexpected error %v", err)
		}
	}
	if ok != 1 {
		t.Errorf("%d of 2 concurrent creates of one employee number succeeded, want 1", ok)
	}
}

func TestReportingLineLoopRefused(t *testing.T) {
	ctx := context.Background()
	a, _ := replicas(t)
	top, _ := a.CreatePerson(ctx, hr, input("T"))
	mid := input("M")
	mid.ManagerEmployeeNumber = "T"
	if _, err := a.CreatePerson(ctx, hr, mid); err != nil {
		t.Fatal(err)
	}
	low := input("L")
	low.ManagerEmployeeNumber = "M"
	if _, err := a.CreatePerson(ctx, hr, low); err != nil {
		t.Fatal(err)
	}
	_, err := a.UpdatePerson(ctx, hr, top.ID, func(in *training.PersonInput) error { in.ManagerEmployeeNumber = "L"; return nil })
	var ve *training.ValidationError
	if !errors.As(err, &ve) || ve.Fields[0].Field != "manager_employee_number" {
		t.Fatalf("making a loop: %v", err)
	}
}

func TestObjectLevelAuthorization(t *testing.T) {
	ctx := context.Background()
	a, _ := replicas(t)
	boss, _ := a.CreatePerson(ctx, hr, input("B"))
	in := input("E")
	in.ManagerEmployeeNumber = "B"
	emp, _ := a.CreatePerson(ctx, hr, in)
	peer, _ := a.CreatePerson(ctx, hr, input("P"))

	tests := []struct {
		name   string
		actor  training.Actor
		target string
		want   error
	}{
		{"self", training.Actor{PersonID: emp.ID}, emp.ID, nil},
		{"manager reads report", training.Actor{PersonID: boss.ID}, emp.ID, nil},
		{"report cannot read manager", training.Actor{PersonID: emp.ID}, boss.ID, training.ErrNotFound},
		{"peer cannot read", training.Actor{PersonID: peer.ID}, emp.ID, training.ErrNotFound},
		{"auditor reads all", training.Actor{PersonID: peer.ID, Auditor: true}, emp.ID, nil},
		{"unknown person", training.Actor{PersonID: boss.ID}, "nobody", training.ErrNotFound},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			_, err := a.TrainingOf(ctx, tt.actor, tt.target)
			if !errors.Is(err, tt.want) && !(tt.want == nil && err == nil) {
				t.Errorf("got %v, want %v", err, tt.want)
			}
		})
	}
	// Seeing is not changing: a manager may not edit their report.
	if _, err := a.UpdatePerson(ctx, training.Actor{PersonID: boss.ID}, emp.ID, func(in *training.PersonInput) error { in.GivenName = "New"; return nil }); !errors.Is(err, training.ErrForbidden) {
		t.Errorf("manager edit: %v", err)
	}
}

package compliance_test

import (
	"context"
	"testing"

	"github.com/complytrack/complytrack/pkg/training"
)

func TestPendingCompletions(t *testing.T) {
	ctx := context.Background()
	svc, _ := replicas(t)
	course := func(code string, v training.Verification) {
		_, err := svc.CreateCourse(ctx, hr, training.Course{
			Code: code, Title: code + " course", Delivery: training.DeliveryClassroom,
			AppliesTo: training.AppliesTo{Kinds: []training.Kind{training.KindStaff}}, ValidityMonths: 36,
			NewStarterDays: 28, DueSoonDays: 30, RenewWindowDays: 60, ExpiryBasis: training.ExpiryFromCompletion,
			EffectiveFrom: training.MustDate("2020-01-01"), Evidence: training.EvidenceNone, Verification: v,
		})
		if err != nil {
			t.Fatal(err)
		}
	}
	course("WRAP", training.VerificationManager)
	course("HRONLY", training.VerificationHR)
	course("NOVERIFY", training.VerificationNone)

	person := func(n, manager string) training.Person {
		in := input(n)
		in.ManagerEmployeeNumber = manager
		p, err := svc.CreatePerson(ctx, hr, in)
		if err != nil {
			t.Fatal(err)
		}
		return p
	}
	boss := person("B1", "")
	mid := person("M1", "B1")
	emp := person("E1", "M1")
	other := person("E2", "")

	selfCertify := func(p training.Person, code string) training.Completion {
		c, err := svc.SelfCertify(ctx, training.Actor{PersonID: p.ID}, training.CompletionInput{CourseCode: code, CompletedOn: training.MustDate("2026-05-01")})
		if err != nil {
			t.Fatal(err)
		}
		return c
	}
	wrapEmp := selfCertify(emp, "WRAP")
	hrEmp := selfCertify(emp, "HRONLY")
	selfCertify(emp, "NOVERIFY") // accepted at once: never pending
	wrapOther := selfCertify(other, "WRAP")
	wrapMid := selfCertify(mid, "WRAP")

	ids := func(actor training.Actor) map[string]bool {
		t.Helper()
		items, err := svc.PendingCompletions(ctx, actor)
		if err != nil {
			t.Fatal(err)
		}
		out := map[string]bool{}
		for _, it := range items {
			if it.Completion.State() != training.StatePending || it.Person.ID != it.Completion.PersonID || it.Course.Code != it.Completion.CourseCode {
				t.Errorf("item %+v is inconsistent", it)
			}
			out[it.Completion.ID] = true
		}
		return out
	}
	same := func(name string, got map[string]bool, want ...training.Completion) {
		t.Helper()
		if len(got) != len(want) {
			t.Errorf("%s sees %d pending, want %d: %v", name, len(got), len(want), got)
		}
		for _, c := range want {
			if !got[c.ID] {
				t.Errorf("%s does not see %s's %s", name, c.PersonID, c.CourseCode)
			}
		}
	}

	same("HR", ids(hr), wrapEmp, hrEmp, wrapOther, wrapMid)
	same("the direct manager", ids(training.Actor{PersonID: mid.ID}), wrapEmp)
	same("the manager's manager", ids(training.Actor{PersonID: boss.ID}), wrapEmp, wrapMid)
	same("an employee", ids(training.Actor{PersonID: other.ID}))
	same("an auditor", ids(training.Actor{PersonID: other.ID, Auditor: true}), wrapEmp, hrEmp, wrapOther, wrapMid)

	// Reviewed completions leave the list.
	if _, err := svc.Review(ctx, training.Actor{PersonID: mid.ID}, wrapEmp.ID, true, ""); err != nil {
		t.Fatal(err)
	}
	same("the direct manager after verifying", ids(training.Actor{PersonID: mid.ID}))
	same("HR after the manager verified", ids(hr), hrEmp, wrapOther, wrapMid)
}

package compliance_test

import (
	"context"
	"errors"
	"slices"
	"testing"

	"github.com/complytrack/complytrack/pkg/training"
)

// A Member Services officer sees every elected Member as a line manager
// sees their reporting line, and nobody else; where a course is verified
// by the manager, they verify a Member's completion.
func TestMemberServicesOversight(t *testing.T) {
	ctx := context.Background()
	svc, _ := replicas(t)
	kinds := []training.Kind{training.KindStaff, training.KindMember}
	for code, v := range map[string]training.Verification{"WRAP": training.VerificationManager, "HRONLY": training.VerificationHR} {
		_, err := svc.CreateCourse(ctx, hr, training.Course{
			Code: code, Title: code + " course", Delivery: training.DeliveryClassroom,
			AppliesTo: training.AppliesTo{Kinds: kinds}, ValidityMonths: 36,
			NewStarterDays: 28, DueSoonDays: 30, RenewWindowDays: 60, ExpiryBasis: training.ExpiryFromCompletion,
			EffectiveFrom: training.MustDate("2020-01-01"), Evidence: training.EvidenceNone, Verification: v,
		})
		if err != nil {
			t.Fatal(err)
		}
	}
	person := func(n string, kind training.Kind, manager string) training.Person {
		in := input(n)
		in.Kind, in.ManagerEmployeeNumber = kind, manager
		p, err := svc.CreatePerson(ctx, hr, in)
		if err != nil {
			t.Fatal(err)
		}
		return p
	}
	officerP := person("MS1", training.KindStaff, "")
	boss := person("B1", training.KindStaff, "")
	staff := person("S1", training.KindStaff, "B1")
	cllrA := person("C1", training.KindMember, "")
	cllrB := person("C2", training.KindMember, "")
	// A Member who also holds the role: they oversee the other Members, not themself.
	cllrOfficer := person("C3", training.KindMember, "")

	officer := training.Actor{PersonID: officerP.ID, MemberServices: true}
	memberOfficer := training.Actor{PersonID: cllrOfficer.ID, MemberServices: true}
	plain := training.Actor{PersonID: officerP.ID}
	manager := training.Actor{PersonID: boss.ID}

	sees := []struct {
		name   string
		actor  training.Actor
		target training.Person
		want   bool
	}{
		{"officer sees a Member", officer, cllrA, true},
		{"officer sees another Member", officer, cllrB, true},
		{"officer does not see staff", officer, staff, false},
		{"officer does not see a line manager", officer, boss, false},
		{"without the role no Member is seen", plain, cllrA, false},
		{"a line manager does not see Members", manager, cllrA, false},
		{"a line manager still sees their report", manager, staff, true},
		{"a Member officer sees other Members", memberOfficer, cllrA, true},
		{"a Member officer sees themself", memberOfficer, cllrOfficer, true},
	}
	for _, tt := range sees {
		t.Run("sees/"+tt.name, func(t *testing.T) {
			_, err := svc.TrainingOf(ctx, tt.actor, tt.target.ID)
			if got := err == nil; got != tt.want {
				t.Errorf("TrainingOf: sees %v (%v), want %v", got, err, tt.want)
			}
			can, err := svc.CanSee(ctx, tt.actor, tt.target.ID)
			if err != nil || can != tt.want {
				t.Errorf("CanSee = %v, %v; want %v", can, err, tt.want)
			}
		})
	}

	ids := func(people []training.Person) []string {
		var out []string
		for _, p := range people {
			out = append(out, p.ID)
		}
		slices.Sort(out)
		return out
	}
	want := func(people ...training.Person) []string { return ids(people) }

	list, err := svc.ListPeople(ctx, officer, training.PeopleFilter{}, training.PageRequest{Limit: 100})
	if err != nil {
		t.Fatal(err)
	}
	if got := ids(list.Items); !slices.Equal(got, want(officerP, cllrA, cllrB, cllrOfficer)) {
		t.Errorf("officer's people list = %v, want themself and the three Members", got)
	}
	team, err := svc.Team(ctx, officer, training.TeamFilter{}, training.PageRequest{Limit: 100})
	if err != nil {
		t.Fatal(err)
	}
	var teamPeople []training.Person
	for _, m := range team.Items {
		teamPeople = append(teamPeople, m.Person)
		if len(m.Training) != 2 {
			t.Errorf("%s's team row has %d courses, want 2", m.Person.EmployeeNumber, len(m.Training))
		}
	}
	if got := ids(teamPeople); !slices.Equal(got, want(cllrA, cllrB, cllrOfficer)) {
		t.Errorf("officer's team = %v, want the three Members", got)
	}
	team, err = svc.Team(ctx, memberOfficer, training.TeamFilter{}, training.PageRequest{Limit: 100})
	if err != nil {
		t.Fatal(err)
	}
	teamPeople = teamPeople[:0]
	for _, m := range team.Items {
		teamPeople = append(teamPeople, m.Person)
	}
	if got := ids(teamPeople); !slices.Equal(got, want(cllrA, cllrB)) {
		t.Errorf("a Member officer's team = %v, want the other two Members", got)
	}

	selfCertify := func(p training.Person, code string) training.Completion {
		c, err := svc.SelfCertify(ctx, training.Actor{PersonID: p.ID}, training.CompletionInput{CourseCode: code, CompletedOn: training.MustDate("2026-05-01")})
		if err != nil {
			t.Fatal(err)
		}
		return c
	}
	wrapA := selfCertify(cllrA, "WRAP")
	hrA := selfCertify(cllrA, "HRONLY")
	wrapStaff := selfCertify(staff, "WRAP")
	wrapOfficerMember := selfCertify(cllrOfficer, "WRAP")
	wrapB := selfCertify(cllrB, "WRAP")

	pending, err := svc.PendingCompletions(ctx, officer)
	if err != nil {
		t.Fatal(err)
	}
	var offered []string
	for _, it := range pending {
		offered = append(offered, it.Completion.ID)
		if !svc.MayReview(officer, it) {
			t.Errorf("the officer is offered %s's %s but MayReview says no", it.Person.EmployeeNumber, it.Course.Code)
		}
	}
	slices.Sort(offered)
	wantOffered := []string{wrapA.ID, wrapB.ID, wrapOfficerMember.ID}
	slices.Sort(wantOffered)
	if !slices.Equal(offered, wantOffered) {
		t.Errorf("officer's pending list = %v, want the Members' WRAP completions %v", offered, wantOffered)
	}

	reviews := []struct {
		name       string
		actor      training.Actor
		completion training.Completion
		want       error // nil: verified
	}{
		{"officer verifies a Member where the manager verifies", officer, wrapA, nil},
		{"officer may not verify where HR verifies", officer, hrA, training.ErrForbidden},
		{"officer cannot reach staff", officer, wrapStaff, training.ErrNotFound},
		{"without the role a Member's completion is not found", plain, wrapB, training.ErrNotFound},
		{"a Member officer may not verify their own", memberOfficer, wrapOfficerMember, training.ErrForbidden},
		{"a Member officer verifies another Member", memberOfficer, wrapB, nil},
	}
	for _, tt := range reviews {
		t.Run("verify/"+tt.name, func(t *testing.T) {
			got, err := svc.Review(ctx, tt.actor, tt.completion.ID, true, "")
			switch {
			case tt.want == nil && err != nil:
				t.Fatalf("Review: %v", err)
			case tt.want == nil && (got.State() != training.StateAccepted || got.Review.By != tt.actor.PersonID):
				t.Errorf("after Review the completion is %s by %q", got.State(), got.Review.By)
			case tt.want != nil && !errors.Is(err, tt.want):
				t.Errorf("Review = %v, want %v", err, tt.want)
			}
		})
	}
}

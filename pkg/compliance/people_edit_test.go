package compliance_test

import (
	"context"
	"errors"
	"testing"

	"github.com/complytrack/complytrack/pkg/training"
)

// UpdatePerson hands the edit the person as they are, with their line
// manager by employee number, and stores the whole input it makes of it.
// Nobody but HR gets as far as the edit.
func TestUpdatePersonEditsTheCurrentInput(t *testing.T) {
	ctx := context.Background()
	a, _ := replicas(t)
	boss, _ := a.CreatePerson(ctx, hr, input("B"))
	other, _ := a.CreatePerson(ctx, hr, input("O"))
	in := input("E")
	in.ManagerEmployeeNumber, in.JobTitle = "B", "Officer"
	emp, err := a.CreatePerson(ctx, hr, in)
	if err != nil {
		t.Fatal(err)
	}
	peer, _ := a.CreatePerson(ctx, hr, input("P"))
	refused := errors.New("the request does not parse")

	tests := []struct {
		name    string
		actor   training.Actor
		edit    func(*training.PersonInput) error
		want    error  // nil: stored
		manager string // the manager's ID after a stored edit
		title   string // the job title after a stored edit
		written bool   // whether the edit writes (and audits) anything
	}{
		// Refused before the edit is called (it would fail the test).
		{"the manager", training.Actor{PersonID: boss.ID}, nil, training.ErrForbidden, "", "", false},
		{"someone outside the line", training.Actor{PersonID: peer.ID}, nil, training.ErrNotFound, "", "", false},
		{"no such person", hr, nil, training.ErrNotFound, "", "", false},
		{"HR changes one field", hr, func(in *training.PersonInput) error { in.JobTitle = " Senior Officer "; return nil }, nil, boss.ID, "Senior Officer", true},
		{"HR changes nothing", hr, func(*training.PersonInput) error { return nil }, nil, boss.ID, "Senior Officer", false},
		{"HR trims to what is stored", hr, func(in *training.PersonInput) error { in.GivenName = " " + in.GivenName; return nil }, nil, boss.ID, "Senior Officer", false},
		{"HR moves the person", hr, func(in *training.PersonInput) error { in.ManagerEmployeeNumber = "O"; return nil }, nil, other.ID, "Senior Officer", true},
		{"HR removes the manager", hr, func(in *training.PersonInput) error { in.ManagerEmployeeNumber = ""; return nil }, nil, "", "Senior Officer", true},
		{"HR names no one as manager", hr, func(in *training.PersonInput) error { in.ManagerEmployeeNumber = "NOBODY"; return nil }, training.ErrInvalid, "", "", false},
		{"HR breaks a rule", hr, func(in *training.PersonInput) error { in.JobTitle, in.StartDate = "Clerk", training.Date{}; return nil }, training.ErrInvalid, "", "", false},
		{"the edit fails", hr, func(in *training.PersonInput) error { in.JobTitle = "Clerk"; return refused }, refused, "", "", false},
	}
	manager := "B"
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			before, err := a.Person(ctx, hr, emp.ID)
			if err != nil {
				t.Fatal(err)
			}
			audits := auditCount(t, a, emp.ID)
			edit, called := tt.edit, false
			if edit == nil {
				edit = func(*training.PersonInput) error { t.Error("the edit was called"); return nil }
			}
			id := emp.ID
			if tt.name == "no such person" {
				id = "nobody"
			}
			got, err := a.UpdatePerson(ctx, tt.actor, id, func(in *training.PersonInput) error {
				called = true
				if want := (training.PersonInput{Person: before, ManagerEmployeeNumber: manager}); *in != want {
					t.Errorf("the edit starts from %+v, want %+v", *in, want)
				}
				return edit(in)
			})
			after, _ := a.Person(ctx, hr, emp.ID)
			if tt.want != nil {
				if !errors.Is(err, tt.want) {
					t.Errorf("got %v, want %v", err, tt.want)
				}
				if after != before {
					t.Errorf("stored %+v after a refused edit, was %+v", after, before)
				}
				if called != (tt.want != training.ErrForbidden && tt.want != training.ErrNotFound) {
					t.Errorf("edit called: %v", called)
				}
				return
			}
			if err != nil {
				t.Fatal(err)
			}
			if got != after || got.ManagerID != tt.manager || got.JobTitle != tt.title || got.ID != before.ID || !got.CreatedAt.Equal(before.CreatedAt) {
				t.Errorf("got %+v, stored %+v; want manager %q, job title %q", got, after, tt.manager, tt.title)
			}
			if written := auditCount(t, a, emp.ID) > audits; written != tt.written || (after != before) != tt.written {
				t.Errorf("written %v (audit) / %v (record), want %v", written, after != before, tt.written)
			}
			manager = a.EmployeeNumberOf(after.ManagerID)
		})
	}
}

func auditCount(t *testing.T, a interface {
	ListAudit(context.Context, training.Actor, string, training.PageRequest) (training.Page[training.AuditEntry], error)
}, id string) int {
	t.Helper()
	page, err := a.ListAudit(context.Background(), hr, id, training.PageRequest{Limit: 100})
	if err != nil {
		t.Fatal(err)
	}
	return len(page.Items)
}

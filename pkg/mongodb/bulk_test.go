package mongodb_test

import (
	"context"
	"errors"
	"testing"

	"github.com/complytrack/complytrack/pkg/training"
)

// A re-import's bulk update stores every change it can, with a version
// each, and reports by position the people it could not change: a new
// e-mail that belongs to someone else, someone no longer there.
func TestUpdatePeopleInBulk(t *testing.T) {
	ctx := context.Background()
	s := newStore(t)
	var stored []training.Person
	for i := 1; i <= 4; i++ {
		p, err := s.CreatePerson(ctx, person(i))
		if err != nil {
			t.Fatal(err)
		}
		stored = append(stored, p)
	}
	changed := make([]training.Person, 4)
	copy(changed, stored)
	changed[0].JobTitle = "Team leader"
	changed[1].Email = stored[3].Email // taken
	changed[2].ID = "no-such-person"
	changed[3].Department = "Finance"

	out, refused, err := s.UpdatePeople(ctx, changed)
	if err != nil {
		t.Fatal(err)
	}
	if len(refused) != 2 || !errors.Is(refused[1], training.ErrConflict) || !errors.Is(refused[2], training.ErrNotFound) {
		t.Fatalf("refused %v, want 1: conflict and 2: not found", refused)
	}
	for _, i := range []int{0, 3} {
		got, err := s.Person(ctx, changed[i].ID)
		if err != nil || got != out[i] || !got.UpdatedAt.After(stored[i].UpdatedAt) && !got.UpdatedAt.Equal(stored[i].UpdatedAt) {
			t.Fatalf("person %d stored %+v, returned %+v, %v", i, got, out[i], err)
		}
	}
	if got, _ := s.Person(ctx, stored[0].ID); got.JobTitle != "Team leader" {
		t.Fatalf("job title not stored: %+v", got)
	}
	if got, _ := s.Person(ctx, stored[1].ID); got.Email != stored[1].Email {
		t.Fatalf("the refused e-mail was stored: %+v", got)
	}
	versions := map[string]int{}
	if err := s.EachPersonVersion(ctx, func(p training.Person) error { versions[p.ID]++; return nil }); err != nil {
		t.Fatal(err)
	}
	if versions[stored[0].ID] != 2 || versions[stored[1].ID] != 1 || versions[stored[3].ID] != 2 {
		t.Fatalf("versions %v: want 2 for the changed, 1 for the refused", versions)
	}

	// A batch with nothing refused is one bulk write on either engine.
	again := []training.Person{out[0], out[3]}
	again[0].JobTitle, again[1].JobTitle = "Service manager", "Officer (housing)"
	if _, refused, err := s.UpdatePeople(ctx, again); err != nil || len(refused) != 0 {
		t.Fatalf("second batch: %v, %v", refused, err)
	}
	if got, _ := s.Person(ctx, stored[3].ID); got.JobTitle != "Officer (housing)" || got.Department != "Finance" {
		t.Fatalf("second batch not stored: %+v", got)
	}
}

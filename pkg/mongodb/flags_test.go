package mongodb_test

import (
	"context"
	"errors"
	"testing"
	"time"

	"github.com/complytrack/complytrack/pkg/dbtest"
	"github.com/complytrack/complytrack/pkg/mongodb"
	"github.com/complytrack/complytrack/pkg/training"
)

// A flag is dealt with once, recorded beside it under its own _id with who
// and when: reading the flag says so, a second time is a conflict, and the
// flag itself is unchanged.
func TestFlagDealtWithOnce(t *testing.T) {
	ctx := context.Background()
	now := time.Date(2026, 11, 2, 9, 0, 0, 0, time.UTC)
	s := mongodb.New(dbtest.New(t)).WithClock(func() time.Time { return now })
	if err := s.Migrate(ctx); err != nil {
		t.Fatal(err)
	}
	f, err := s.InsertFlag(ctx, training.Flag{Key: "overdue:p1:PREVENT:2026-10-01", PersonID: "p1", EmployeeNumber: "E1",
		CourseCode: "PREVENT", Kind: training.FlagOverdue, DueOn: training.MustDate("2026-10-01")})
	if err != nil {
		t.Fatal(err)
	}
	other, err := s.InsertFlag(ctx, training.Flag{Key: "overdue:p2:PREVENT:2026-10-01", PersonID: "p2", CourseCode: "PREVENT", Kind: training.FlagOverdue})
	if err != nil {
		t.Fatal(err)
	}
	got, err := s.Flag(ctx, f.ID)
	if err != nil || got.DealtWith != nil || got.PersonID != "p1" || got.DueOn != training.MustDate("2026-10-01") {
		t.Fatalf("open flag: %+v, %v", got, err)
	}

	at := now.Add(90 * time.Minute)
	if err := s.DealWithFlag(ctx, f.ID, training.Decision{By: "hr1", At: at}); err != nil {
		t.Fatal(err)
	}
	if err := s.DealWithFlag(ctx, f.ID, training.Decision{By: "hr2", At: at.Add(time.Minute)}); !errors.Is(err, training.ErrConflict) {
		t.Fatalf("second time: %v, want a conflict", err)
	}
	got, err = s.Flag(ctx, f.ID)
	if err != nil || got.DealtWith == nil || got.DealtWith.By != "hr1" || !got.DealtWith.At.Equal(at) || got.Key != f.Key {
		t.Fatalf("dealt-with flag: %+v (%+v), %v", got, got.DealtWith, err)
	}
	dealt := map[string]training.Decision{}
	if err := s.EachFlagDealtWith(ctx, func(id string, d training.Decision) error { dealt[id] = d; return nil }); err != nil {
		t.Fatal(err)
	}
	if len(dealt) != 1 || dealt[f.ID].By != "hr1" {
		t.Errorf("dealt with: %+v", dealt)
	}
	if _, ok := dealt[other.ID]; ok {
		t.Error("the other flag is dealt with too")
	}
	if _, err := s.Flag(ctx, "no-such-flag"); !errors.Is(err, training.ErrNotFound) {
		t.Errorf("a flag that does not exist: %v", err)
	}
}

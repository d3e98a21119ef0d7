package mongodb_test

import (
	"context"
	"errors"
	"testing"
	"time"

	"github.com/complytrack/complytrack/pkg/training"
)

func TestLeaseDocuments(t *testing.T) {
	ctx := context.Background()
	s := newStore(t)
	t0 := time.Date(2026, 11, 27, 6, 0, 0, 0, time.UTC)

	if _, _, _, err := s.LatestLease(ctx, "scan"); !errors.Is(err, training.ErrNotFound) {
		t.Fatalf("LatestLease of a job never leased: %v, want ErrNotFound", err)
	}
	for epoch := int64(1); epoch <= 3; epoch++ {
		if err := s.InsertLease(ctx, "scan", epoch, "a", t0, t0, t0.Add(time.Duration(epoch)*time.Minute)); err != nil {
			t.Fatal(err)
		}
	}
	if err := s.InsertLease(ctx, "scan", 3, "b", t0, t0, t0.Add(time.Hour)); !errors.Is(err, training.ErrConflict) {
		t.Errorf("second insert of epoch 3: %v, want ErrConflict", err)
	}
	// Another job's lease is apart.
	if err := s.InsertLease(ctx, "digest", 7, "c", t0, t0, t0.Add(time.Hour)); err != nil {
		t.Fatal(err)
	}

	check := func(wantEpoch int64, wantHolder string, wantUntil time.Time) {
		t.Helper()
		epoch, holder, until, err := s.LatestLease(ctx, "scan")
		if err != nil || epoch != wantEpoch || holder != wantHolder || !until.Equal(wantUntil) {
			t.Errorf("LatestLease = %d, %q, %s, %v; want %d, %q, %s", epoch, holder, until, err, wantEpoch, wantHolder, wantUntil)
		}
	}
	check(3, "a", t0.Add(3*time.Minute))
	if err := s.ExtendLease(ctx, "scan", 3, t0.Add(10*time.Minute)); err != nil {
		t.Fatal(err)
	}
	check(3, "a", t0.Add(10*time.Minute))
	if err := s.ReleaseLease(ctx, "scan", 3, t0.Add(time.Minute)); err != nil {
		t.Fatal(err)
	}
	check(3, "a", t0.Add(time.Minute))

	if err := s.PruneLeases(ctx, "scan", 3); err != nil {
		t.Fatal(err)
	}
	if err := s.ExtendLease(ctx, "scan", 1, t0.Add(time.Hour)); !errors.Is(err, training.ErrNotFound) {
		t.Errorf("ExtendLease of a pruned epoch: %v, want ErrNotFound", err)
	}
	check(3, "a", t0.Add(time.Minute))

	if done, err := s.RunDone(ctx, "scan", t0); err != nil || done {
		t.Errorf("RunDone before = %v, %v", done, err)
	}
	// The same instant in another zone is the same run.
	london, _ := time.LoadLocation("Europe/London")
	if err := s.MarkRunDone(ctx, "scan", t0.In(london), 3, "a", t0.Add(time.Minute)); err != nil {
		t.Fatal(err)
	}
	if err := s.MarkRunDone(ctx, "scan", t0, 4, "b", t0.Add(2*time.Minute)); !errors.Is(err, training.ErrConflict) {
		t.Errorf("second MarkRunDone: %v, want ErrConflict", err)
	}
	if done, err := s.RunDone(ctx, "scan", t0); err != nil || !done {
		t.Errorf("RunDone after = %v, %v", done, err)
	}
	if err := s.PruneRuns(ctx, "scan", t0.Add(time.Second)); err != nil {
		t.Fatal(err)
	}
	if done, err := s.RunDone(ctx, "scan", t0); err != nil || done {
		t.Errorf("RunDone after pruning = %v, %v", done, err)
	}
}

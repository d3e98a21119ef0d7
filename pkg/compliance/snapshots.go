package compliance

import (
	"context"
	"errors"
	"fmt"

	"github.com/complytrack/complytrack/pkg/training"
)

// SnapshotStore keeps snapshots.
type SnapshotStore interface {
	// InsertSnapshot stores a snapshot; one with the same key is ErrConflict.
	InsertSnapshot(ctx context.Context, s training.Snapshot) error
	Snapshot(ctx context.Context, key string) (training.Snapshot, error)
	ListSnapshots(ctx context.Context, courseCode string) ([]training.Snapshot, error)
}

// KeepSnapshot stores a snapshot unless one for that course and month
// exists, and returns the stored one (the earlier, if any).
func (s *Reports) KeepSnapshot(ctx context.Context, snap training.Snapshot) (training.Snapshot, error) {
	store, ok := s.store.(SnapshotStore)
	if !ok {
		return training.Snapshot{}, errors.New("keep snapshot: the store cannot keep snapshots")
	}
	snap.TakenAt = s.now().UTC()
	err := store.InsertSnapshot(ctx, snap)
	if errors.Is(err, training.ErrConflict) {
		return store.Snapshot(ctx, snap.Key)
	}
	if err != nil {
		return training.Snapshot{}, err
	}
	return snap, nil
}

// Snapshots lists a course's snapshots, newest first. HR and auditors only.
func (s *Reports) Snapshots(ctx context.Context, actor training.Actor, courseCode string) ([]training.Snapshot, error) {
	if !actor.ReadsAll() {
		return nil, fmt.Errorf("read snapshots: %w", training.ErrForbidden)
	}
	store, ok := s.store.(SnapshotStore)
	if !ok {
		return nil, errors.New("read snapshots: the store cannot keep snapshots")
	}
	return store.ListSnapshots(ctx, courseCode)
}

// MonthlyReports lists the monthly reports kept for a course (every
// course's when code is empty), newest first, as they were sent. HR and
// auditors only; a course that does not exist is named as the problem.
func (s *Reports) MonthlyReports(ctx context.Context, actor training.Actor, code string) ([]training.Snapshot, error) {
	if !actor.ReadsAll() {
		return nil, fmt.Errorf("monthly reports: %w", training.ErrForbidden)
	}
	if code != "" {
		if _, err := s.reportCourse(ctx, code, &training.ValidationError{}); err != nil {
			return nil, err
		}
	}
	return s.Snapshots(ctx, actor, code)
}

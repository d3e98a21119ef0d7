package training

import (
	"context"
	"errors"
	"fmt"
	"time"
)

// Snapshot is a report as it was sent: stored once, never recomputed, so
// "the figure at the end of October" stays what the board was told.
type Snapshot struct {
	Key        string // "<course>/<YYYY-MM>"
	CourseCode string
	AsOf       Date
	GroupBy    GroupBy
	Totals     Tally
	Groups     []ReportGroup
	CSV        []byte // the per-person list that was attached
	TakenAt    time.Time
}

// SnapshotStore keeps snapshots.
type SnapshotStore interface {
	// InsertSnapshot stores a snapshot; one with the same key is ErrConflict.
	InsertSnapshot(ctx context.Context, s Snapshot) error
	Snapshot(ctx context.Context, key string) (Snapshot, error)
	ListSnapshots(ctx context.Context, courseCode string) ([]Snapshot, error)
}

// SnapshotKey names the snapshot of a course for the month of asOf.
func SnapshotKey(courseCode string, asOf Date) string {
	return fmt.Sprintf("%s/%04d-%02d", courseCode, asOf.Year(), int(asOf.Month()))
}

// KeepSnapshot stores a snapshot unless one for that course and month
// exists, and returns the stored one (the earlier, if any).
func (s *Service) KeepSnapshot(ctx context.Context, snap Snapshot) (Snapshot, error) {
	store, ok := s.store.(SnapshotStore)
	if !ok {
		return Snapshot{}, errors.New("keep snapshot: the store cannot keep snapshots")
	}
	snap.TakenAt = s.now().UTC()
	err := store.InsertSnapshot(ctx, snap)
	if errors.Is(err, ErrConflict) {
		return store.Snapshot(ctx, snap.Key)
	}
	if err != nil {
		return Snapshot{}, err
	}
	return snap, nil
}

// Snapshots lists a course's snapshots, newest first. HR and auditors only.
func (s *Service) Snapshots(ctx context.Context, actor Actor, courseCode string) ([]Snapshot, error) {
	if !actor.readsAll() {
		return nil, fmt.Errorf("read snapshots: %w", ErrForbidden)
	}
	store, ok := s.store.(SnapshotStore)
	if !ok {
		return nil, errors.New("read snapshots: the store cannot keep snapshots")
	}
	return store.ListSnapshots(ctx, courseCode)
}

package jobs

import (
	"context"
	"errors"
	"slices"
	"strings"
	"time"

	"github.com/complytrack/complytrack/pkg/compliance"
	"github.com/complytrack/complytrack/pkg/training"
)

// ledger is a run's view of the notices recorded so far (escalations,
// digests, batches): read once from the database when the run starts and
// kept up to date with what the run records, so a run asks the database
// nothing per person. Exactly once comes from the database, not from the
// ledger: every notice is an insert under its key, and a key recorded by
// another run meanwhile is a duplicate, which counts as recorded.
type ledger struct {
	store   compliance.NoticeStore
	now     func() time.Time
	seen    map[string]bool // recorded keys, and every key a batch covers
	batches map[string]training.Notice
}

// sentSuffix marks a batch whose e-mails are all queued.
const sentSuffix = "/sent"

func loadLedger(ctx context.Context, store compliance.NoticeStore, now func() time.Time) (*ledger, error) {
	l := &ledger{store: store, now: now, seen: map[string]bool{}, batches: map[string]training.Notice{}}
	if err := store.EachNotice(ctx, func(n training.Notice) error { l.note(n); return nil }); err != nil {
		return nil, err
	}
	return l, nil
}

func (l *ledger) note(n training.Notice) {
	l.seen[n.Key] = true
	for _, k := range n.Covers {
		l.seen[k] = true
	}
	if len(n.Covers) > 0 {
		l.batches[n.Key] = n
	}
}

// noticed reports whether a notice with this key was recorded, or is
// covered by a recorded batch.
func (l *ledger) noticed(key string) bool { return l.seen[key] }

// record records a notice; recording it twice is not an error.
func (l *ledger) record(ctx context.Context, n training.Notice) error {
	if err := l.store.InsertNotice(ctx, n, l.now().UTC()); err != nil && !errors.Is(err, training.ErrConflict) {
		return err
	}
	l.note(n)
	return nil
}

// openBatches returns the batches whose key starts with prefix and whose
// e-mails are not all queued yet (a run was killed between recording and
// sending), oldest key first.
func (l *ledger) openBatches(prefix string) []training.Notice {
	var out []training.Notice
	for key, b := range l.batches {
		if strings.HasPrefix(key, prefix) && !l.seen[key+sentSuffix] {
			out = append(out, b)
		}
	}
	slices.SortFunc(out, func(a, b training.Notice) int { return strings.Compare(a.Key, b.Key) })
	return out
}

package notify

import (
	"context"
	"errors"
	"fmt"
	"net/mail"
	"strings"

	"github.com/complytrack/complytrack/pkg/training"
)

// BulkStore is a Store that also inserts many messages in one round trip.
type BulkStore interface {
	// InsertMessages stores new messages, returning by position those
	// refused because their key is in use.
	InsertMessages(ctx context.Context, ms []Message) (duplicate map[int]bool, err error)
}

// QueueMany adds messages as Queue does, in one write when the store can:
// thousands of invitations queue in a few round trips, and delivery sends
// them at its own pace. It returns, by position, the messages not queued
// because one with the same key is there already.
func (o *Outbox) QueueMany(ctx context.Context, ms []Message) (notQueued map[int]bool, err error) {
	now := o.now()
	for i := range ms {
		if a, err := mail.ParseAddress(ms[i].To); err != nil || a.Address != ms[i].To {
			return nil, fmt.Errorf("queue message: recipient %q is not an e-mail address: %w", ms[i].To, training.ErrInvalid)
		}
		if strings.ContainsAny(ms[i].Subject, "\r\n") {
			return nil, fmt.Errorf("queue message: subject has a line break: %w", training.ErrInvalid)
		}
		ms[i].State, ms[i].CreatedAt = StateQueued, now
	}
	if bulk, ok := o.store.(BulkStore); ok {
		return bulk.InsertMessages(ctx, ms)
	}
	notQueued = map[int]bool{}
	for i, m := range ms {
		if _, err := o.store.InsertMessage(ctx, m); err != nil {
			if !errors.Is(err, training.ErrConflict) {
				return notQueued, err
			}
			notQueued[i] = true
		}
	}
	return notQueued, nil
}

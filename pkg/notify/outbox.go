// Package notify is complytrack's outbox: every e-mail the system sends is
// first written here (invitations, reminders, digests, reports), so HR can
// see what went to whom and nothing is lost when no mail server is set up.
// Delivery (Deliverer, in delivery.go) reads the outbox and sends over SMTP
// (SMTPSender, in smtp.go).
package notify

import (
	"context"
	"errors"
	"fmt"
	"net/mail"
	"strings"
	"time"

	"github.com/complytrack/complytrack/pkg/training"
)

// State is where a message stands.
type State string

const (
	StateQueued State = "queued" // waiting to be sent (or no mail server configured)
	StateSent   State = "sent"
	StateFailed State = "failed" // the mail server refused it for good
)

// Kind says what a message is for.
type Kind string

const (
	KindInvitation     Kind = "invitation"
	KindReminder       Kind = "reminder"
	KindEscalation     Kind = "escalation"
	KindManagerDigest  Kind = "manager_digest"
	KindMonthlyReport  Kind = "monthly_report"
	KindDuplicateFiles Kind = "duplicate_evidence"
	// Face-to-face sessions: a booking (confirmed, waiting, promoted or
	// cancelled), a change to the session, its cancellation, the reminder
	// the working day before, and a no-show told to the line manager.
	KindSessionBooking   Kind = "session_booking"
	KindSessionChange    Kind = "session_change"
	KindSessionCancelled Kind = "session_cancelled"
	KindSessionReminder  Kind = "session_reminder"
	KindSessionNoShow    Kind = "session_no_show"
	// KindManualReminder is a reminder a manager or HR sent by hand
	// (pkg/chasing), as against the daily scan's KindReminder.
	KindManualReminder Kind = "manual_reminder"
	// KindPasswordReset carries a one-time link a person asked for to set
	// a new password; the outbox never shows the link.
	KindPasswordReset Kind = "password_reset"
)

// Attachment is a file sent with a message (the monthly report's CSV).
type Attachment struct {
	Filename    string
	ContentType string
	Data        []byte
}

// Message is one e-mail.
type Message struct {
	ID string
	// Key makes queueing idempotent: a second Queue with the same key is a
	// no-op. Notifications use (person, course, kind, cycle).
	Key         string
	To          string
	Kind        Kind
	Subject     string
	BodyText    string
	Attachments []Attachment
	State       State
	CreatedAt   time.Time
	SentAt      time.Time
	Attempts    int
	LastError   string
	// NextAttemptAt is when delivery may next try a queued message: its
	// creation time at first, later the end of a retry's back-off.
	NextAttemptAt time.Time
}

// Store keeps the outbox. pkg/mongodb implements it.
type Store interface {
	// InsertMessage stores a new message; a message with the same Key is
	// training.ErrConflict.
	InsertMessage(ctx context.Context, m Message) (Message, error)
	ListMessages(ctx context.Context, f Filter, page training.PageRequest) (training.Page[Message], error)
}

// Filter narrows a list of messages; empty fields do not filter.
type Filter struct {
	To   string
	Kind Kind
	// ID picks one message (HR reading it on its own page).
	ID string
}

// Outbox queues and lists messages.
type Outbox struct {
	store Store
	now   func() time.Time
}

// NewOutbox returns an outbox on store.
func NewOutbox(store Store) *Outbox {
	return &Outbox{store: store, now: func() time.Time { return time.Now().UTC() }}
}

// WithClock makes the outbox stamp messages with now, the same clock as the
// rest of the app (delivery compares the two).
func (o *Outbox) WithClock(now func() time.Time) *Outbox {
	o.now = func() time.Time { return now().UTC() }
	return o
}

// Queue adds a message unless one with the same key is there already
// (queued reports false then, and no error).
func (o *Outbox) Queue(ctx context.Context, m Message) (queued bool, err error) {
	if a, err := mail.ParseAddress(m.To); err != nil || a.Address != m.To {
		return false, fmt.Errorf("queue message: recipient %q is not an e-mail address: %w", m.To, training.ErrInvalid)
	}
	if strings.ContainsAny(m.Subject, "\r\n") {
		return false, fmt.Errorf("queue message: subject has a line break: %w", training.ErrInvalid)
	}
	m.State = StateQueued
	m.CreatedAt = o.now()
	if _, err := o.store.InsertMessage(ctx, m); err != nil {
		if errors.Is(err, training.ErrConflict) {
			return false, nil
		}
		return false, err
	}
	return true, nil
}

// List returns one page of messages, newest first. Only HR may read the
// outbox: it holds what was sent to everyone.
func (o *Outbox) List(ctx context.Context, actor training.Actor, f Filter, page training.PageRequest) (training.Page[Message], error) {
	if !actor.HR {
		return training.Page[Message]{}, fmt.Errorf("read outbox: %w", training.ErrForbidden)
	}
	f.To = strings.TrimSpace(f.To)
	return o.store.ListMessages(ctx, f, page)
}

package notify

import (
	"context"
	"crypto/rand"
	"encoding/hex"
	"errors"
	"fmt"
	"log/slog"
	"os"
	"strings"
	"time"

	"github.com/complytrack/complytrack/pkg/logging"
	"github.com/complytrack/complytrack/pkg/training"
)

// Sender sends one e-mail. An error that IsPermanent reports true for means
// the mail server refused the message for good; any other error is taken as
// temporary and the message is tried again later. The error's text is shown
// to HR in the outbox, so a Sender keeps it to what the mail server said.
type Sender interface {
	Send(ctx context.Context, m Message) error
}

// Result is how one delivery attempt ended.
type Result string

const (
	ResultSent      Result = "sent"      // the mail server accepted the message
	ResultTemporary Result = "temporary" // refused or unreachable for now: try again later
	ResultPermanent Result = "permanent" // refused for good
)

// Attempt is one try at sending one message. Number counts from 1.
//
// It is claimed by inserting it under the key (MessageID, Number), which the
// store keeps unique, and only the process whose insert succeeded sends. Its
// outcome (Result, Error, FinishedAt) is recorded once, by that process, as a
// second insert under the same key. Result is empty while the attempt is in
// flight, or when its process stopped before recording the outcome.
type Attempt struct {
	MessageID string
	Number    int
	Owner     string // the deliverer that claimed it, for people reading the records
	ClaimedAt time.Time

	Result     Result
	Error      string // what went wrong, as shown to HR; empty when sent
	FinishedAt time.Time
}

// Status is where a message's delivery stands, as the outbox shows it. It is
// derived from the message's latest attempt.
type Status struct {
	State         State
	Attempts      int
	SentAt        time.Time // when it was sent; zero unless State is sent
	LastError     string
	NextAttemptAt time.Time // when it may be tried again; zero unless State is queued
}

// DeliveryStore is what delivery needs from the database. pkg/mongodb
// implements it.
type DeliveryStore interface {
	// DueMessages returns at most limit queued messages whose next attempt
	// is due at now, the longest-waiting first, with their attachments.
	DueMessages(ctx context.Context, now time.Time, limit int) ([]Message, error)
	// ClaimAttempt inserts a new attempt. An attempt with the same message
	// and number exists already: training.ErrConflict. Only unique inserts
	// are atomic on both engines, so this insert is the claim.
	ClaimAttempt(ctx context.Context, a Attempt) error
	// RecordOutcome inserts the outcome of a claimed attempt (its Result,
	// Error and FinishedAt); recorded already: training.ErrConflict.
	RecordOutcome(ctx context.Context, a Attempt) error
	// Attempt returns attempt number n of a message with its outcome, if
	// one is recorded; never claimed: training.ErrNotFound.
	Attempt(ctx context.Context, messageID string, n int) (Attempt, error)
	// SetMessageStatus writes a message's status, unless the message
	// already shows a later attempt.
	SetMessageStatus(ctx context.Context, messageID string, s Status) error
}

// DeliveryConfig tunes a Deliverer; zero fields take the defaults.
type DeliveryConfig struct {
	BatchSize    int           // messages read per DeliverPending (100)
	MaxAttempts  int           // attempts before a message fails for good (10)
	FirstRetry   time.Duration // wait after the first temporary failure (1 min), doubling each time
	MaxRetry     time.Duration // longest wait between attempts (1 h)
	ClaimTimeout time.Duration // an attempt with no outcome after this was abandoned by its process (10 min)
	SendTimeout  time.Duration // longest one send may take (2 min; at most half of ClaimTimeout)
	Owner        string        // names this process in the attempt records (host name, process ID and a random tag)
	Now          func() time.Time
	Logger       *slog.Logger
}

// DeliveryResult counts what one DeliverPending did.
type DeliveryResult struct {
	Sent     int // accepted by the mail server
	Retrying int // failed for now; another attempt is scheduled
	Failed   int // refused for good, or out of attempts
	Skipped  int // in flight in another process, or found settled in the records
}

// Deliverer sends the queued messages of the outbox.
//
// # Exactly once, as far as it can be
//
// Several processes (workers, and api processes running the jobs) may call
// DeliverPending at once, and any of them may be killed at any point. The
// database offers no transactions, and on the embedded engine not even an
// atomic read-modify-write of one document; only an insert under a unique
// key is atomic on both engines. So each attempt to send a message is
// claimed by inserting an Attempt keyed (message ID, attempt number): of
// several processes that try to claim the same attempt, exactly one insert
// succeeds and only that process sends. Its outcome is a second insert under
// the same key, written only by that process. The message document's status
// (state, attempts, sent_at, last_error, next_attempt_at) is derived from
// its latest attempt and written after the outcome; it is what the outbox
// shows and what the queue is read by, but the attempt records decide:
// before claiming attempt n+1 a deliverer reads attempt n, so a message
// document that lags its records (its writer stopped in between) is brought
// up to date instead of being sent again.
//
// An attempt that has no outcome ClaimTimeout after it was claimed is taken
// as abandoned by a process that died, and counts as a temporary failure, so
// that the next attempt can be claimed and the message is not stuck. A send
// is cut off after SendTimeout, well inside ClaimTimeout, so a live process
// is not mistaken for a dead one.
//
// One duplicate remains possible, and no system can avoid it without the
// mail server's cooperation: if a process stops (or stalls for longer than
// ClaimTimeout) after the mail server accepted a message and before the
// outcome was recorded, the message is sent again by a later attempt. The
// delivery is at-least-once at the SMTP boundary and exactly-once everywhere
// else. Every attempt of one message carries the same Message-ID header,
// derived from the outbox message ID, so mail systems and people can
// recognise such a resend for what it is.
//
// Staleness compares times written by different processes, so their clocks
// must agree to well within ClaimTimeout (NTP does this).
type Deliverer struct {
	store  DeliveryStore
	sender Sender
	cfg    DeliveryConfig
	log    *slog.Logger
}

// NewDeliverer returns a deliverer that reads the queue from store and sends
// with sender. A nil sender means no mail server is configured: then
// DeliverPending does nothing, and messages stay queued and readable in the
// outbox until one is.
func NewDeliverer(store DeliveryStore, sender Sender, cfg DeliveryConfig) *Deliverer {
	if s, ok := sender.(*SMTPSender); ok && s == nil {
		sender = nil // a nil *SMTPSender in the interface is still no sender
	}
	if cfg.BatchSize <= 0 {
		cfg.BatchSize = 100
	}
	if cfg.MaxAttempts <= 0 {
		cfg.MaxAttempts = 10
	}
	if cfg.FirstRetry <= 0 {
		cfg.FirstRetry = time.Minute
	}
	if cfg.MaxRetry <= 0 {
		cfg.MaxRetry = time.Hour
	}
	if cfg.ClaimTimeout <= 0 {
		cfg.ClaimTimeout = 10 * time.Minute
	}
	if cfg.SendTimeout <= 0 {
		cfg.SendTimeout = 2 * time.Minute
	}
	// A send must end well before its claim looks abandoned, or another
	// process would send the same message while this one still is.
	cfg.SendTimeout = min(cfg.SendTimeout, cfg.ClaimTimeout/2)
	if cfg.Owner == "" {
		cfg.Owner = defaultOwner()
	}
	if cfg.Now == nil {
		cfg.Now = time.Now
	}
	log := cfg.Logger
	if log == nil {
		log = slog.New(slog.DiscardHandler)
	}
	return &Deliverer{store: store, sender: sender, cfg: cfg, log: log}
}

func defaultOwner() string {
	host, err := os.Hostname()
	if err != nil {
		host = "unknown-host"
	}
	b := make([]byte, 4)
	_, _ = rand.Read(b)
	return fmt.Sprintf("%s/%d/%s", host, os.Getpid(), hex.EncodeToString(b))
}

// now is the clock, at the precision the database keeps (milliseconds), so
// that a status computed here equals the one computed from the records.
func (d *Deliverer) now() time.Time { return d.cfg.Now().UTC().Truncate(time.Millisecond) }

// Configured reports whether a mail server is set up.
func (d *Deliverer) Configured() bool { return d.sender != nil }

// DeliverPending sends the messages that are due, one batch of them, oldest
// first: it claims an attempt for each, sends it and records the outcome.
// It returns early with an error when the database fails (the next call
// picks up where this one stopped), and stops between messages when ctx is
// cancelled.
func (d *Deliverer) DeliverPending(ctx context.Context) (DeliveryResult, error) {
	var res DeliveryResult
	if d.sender == nil {
		return res, nil
	}
	msgs, err := d.store.DueMessages(ctx, d.now(), d.cfg.BatchSize)
	if err != nil {
		return res, fmt.Errorf("read the mail queue: %w", err)
	}
	for _, m := range msgs {
		if err := ctx.Err(); err != nil {
			return res, err
		}
		r, err := d.deliver(ctx, m)
		if err != nil {
			return res, err
		}
		switch r {
		case ResultSent:
			res.Sent++
		case ResultTemporary:
			res.Retrying++
		case ResultPermanent:
			res.Failed++
		default:
			res.Skipped++
		}
	}
	return res, nil
}

// deliver makes at most one attempt at m. It returns how the message stands
// afterwards when this process settled it, or "" when it skipped it.
func (d *Deliverer) deliver(ctx context.Context, m Message) (Result, error) {
	n, settled, err := d.nextAttempt(ctx, m)
	if err != nil || n == 0 {
		if settled != nil && !sameStatus(m, *settled) {
			err = d.store.SetMessageStatus(ctx, m.ID, *settled)
		}
		return "", err
	}

	a := Attempt{MessageID: m.ID, Number: n, Owner: d.cfg.Owner, ClaimedAt: d.now()}
	if err := d.store.ClaimAttempt(ctx, a); err != nil {
		if errors.Is(err, training.ErrConflict) {
			return "", nil // another process claimed it first, and sends it
		}
		return "", err
	}

	sendCtx, cancel := context.WithTimeout(ctx, d.cfg.SendTimeout)
	sendErr := d.sender.Send(sendCtx, m)
	cancel()
	a.FinishedAt = d.now()
	switch {
	case sendErr == nil:
		a.Result = ResultSent
	case IsPermanent(sendErr):
		a.Result, a.Error = ResultPermanent, publicError(sendErr)
	default:
		a.Result, a.Error = ResultTemporary, publicError(sendErr)
	}

	// The message has gone (or not) whatever ctx says now: record that even
	// when shutting down, or the claim would look abandoned and the message
	// be sent again.
	recCtx, cancel := context.WithTimeout(context.WithoutCancel(ctx), 30*time.Second)
	defer cancel()
	if err := d.recordOutcome(recCtx, a); err != nil {
		return "", fmt.Errorf("record outcome %s of attempt %d of message %s (the attempt will be taken as abandoned after %s): %w",
			a.Result, n, m.ID, d.cfg.ClaimTimeout, err)
	}
	st := d.statusAfter(a)
	d.log.InfoContext(ctx, "mail delivery attempt", "message_id", m.ID, "kind", m.Kind, "attempt", n,
		"result", a.Result, "state", st.State, logging.ErrKey, a.Error)
	if err := d.store.SetMessageStatus(recCtx, m.ID, st); err != nil {
		// The outcome is recorded; the next run brings the message up to date.
		return "", fmt.Errorf("update status of message %s: %w", m.ID, err)
	}
	if st.State == StateFailed {
		return ResultPermanent, nil
	}
	return a.Result, nil
}

// recordOutcome records a's outcome, trying a few times: an outcome lost
// to a passing database error would, after ClaimTimeout, have the message
// sent again.
func (d *Deliverer) recordOutcome(ctx context.Context, a Attempt) error {
	var err error
	for try := range 3 {
		if try > 0 {
			select {
			case <-ctx.Done():
				return err
			case <-time.After(time.Duration(try) * time.Second):
			}
		}
		err = d.store.RecordOutcome(ctx, a)
		if err == nil || errors.Is(err, training.ErrConflict) {
			return nil // recorded (by an earlier try whose answer was lost)
		}
	}
	return err
}

// nextAttempt finds the number of the attempt to claim for m now, or returns
// 0 with the status the records give m when there is nothing to send (sent,
// failed, not due yet), or 0 and nil when another process has an attempt in
// flight. It starts at the latest attempt the message document knows of and
// walks up through the records to the first number nobody has claimed, so a
// message document that lags its records cannot lead to a second send.
func (d *Deliverer) nextAttempt(ctx context.Context, m Message) (int, *Status, error) {
	now := d.now()
	for n := max(m.Attempts, 1); ; n++ {
		a, err := d.store.Attempt(ctx, m.ID, n)
		if errors.Is(err, training.ErrNotFound) {
			return n, nil, nil
		}
		if err != nil {
			return 0, nil, err
		}
		if a.Result == "" {
			if now.Before(a.ClaimedAt.Add(d.cfg.ClaimTimeout)) {
				return 0, nil, nil // in flight in another process
			}
			a = d.abandoned(a)
		}
		st := d.statusAfter(a)
		if st.State != StateQueued || now.Before(st.NextAttemptAt) {
			return 0, &st, nil
		}
	}
}

// abandoned fills in the outcome of an attempt whose process stopped before
// recording one: a temporary failure at the moment it timed out. Nothing is
// written: the outcome follows from the claim and the clock, so every
// process derives the same one, and the late outcome of a process that was
// only stalled is still recorded and shown.
func (d *Deliverer) abandoned(a Attempt) Attempt {
	a.Result = ResultTemporary
	a.Error = fmt.Sprintf("attempt %d was interrupted (the sending process stopped); the message may have been delivered", a.Number)
	a.FinishedAt = a.ClaimedAt.Add(d.cfg.ClaimTimeout)
	return a
}

// statusAfter is a message's status once attempt a has ended.
func (d *Deliverer) statusAfter(a Attempt) Status {
	s := Status{Attempts: a.Number}
	switch {
	case a.Result == ResultSent:
		s.State, s.SentAt = StateSent, a.FinishedAt
	case a.Result == ResultPermanent:
		s.State, s.LastError = StateFailed, a.Error
	case a.Number >= d.cfg.MaxAttempts:
		s.State, s.LastError = StateFailed, fmt.Sprintf("gave up after %d attempts; the last: %s", a.Number, a.Error)
	default:
		s.State, s.LastError = StateQueued, a.Error
		s.NextAttemptAt = a.FinishedAt.Add(d.backoff(a.Number))
	}
	return s
}

// backoff is the wait after the n-th attempt failed for now: FirstRetry,
// doubling with each attempt, at most MaxRetry.
func (d *Deliverer) backoff(n int) time.Duration {
	wait := d.cfg.FirstRetry
	for i := 1; i < n && wait < d.cfg.MaxRetry; i++ {
		wait *= 2
	}
	return min(wait, d.cfg.MaxRetry)
}

func sameStatus(m Message, s Status) bool {
	return m.State == s.State && m.Attempts == s.Attempts && m.SentAt.Equal(s.SentAt) &&
		m.LastError == s.LastError && m.NextAttemptAt.Equal(s.NextAttemptAt)
}

// publicError is the text of a send error as HR sees it in the outbox. An
// SMTPSender's errors are already that (the mail server's reply, or what
// went wrong in plain words, never credentials); another Sender's are cut
// short and kept to one line.
func publicError(err error) string {
	var se *SendError
	if errors.As(err, &se) {
		return se.Reason
	}
	return oneLine(err.Error(), 300)
}

// oneLine folds s onto one line of at most n bytes.
func oneLine(s string, n int) string {
	s = strings.Join(strings.Fields(s), " ")
	if len(s) > n {
		s = strings.ToValidUTF8(s[:n], "") + "…"
	}
	return s
}

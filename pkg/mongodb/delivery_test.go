package mongodb_test

import (
	"context"
	"errors"
	"fmt"
	"sync"
	"testing"
	"time"

	"github.com/complytrack/complytrack/pkg/dbtest"
	"github.com/complytrack/complytrack/pkg/mongodb"
	"github.com/complytrack/complytrack/pkg/notify"
	"github.com/complytrack/complytrack/pkg/training"
)

func queueMessage(t testing.TB, s *mongodb.Store, to string, created time.Time) notify.Message {
	t.Helper()
	m, err := s.InsertMessage(context.Background(), notify.Message{
		To: to, Kind: notify.KindMonthlyReport, Subject: "Report", BodyText: "See the attachment.", State: notify.StateQueued, CreatedAt: created,
		Attachments: []notify.Attachment{{Filename: "report.csv", ContentType: "text/csv", Data: []byte("a,b\r\n1,2\r\n")}},
	})
	if err != nil {
		t.Fatal(err)
	}
	return m
}

func TestDeliveryRecordsAndMessageStatus(t *testing.T) {
	ctx := context.Background()
	s := newStore(t)
	now := time.Now().UTC().Truncate(time.Millisecond)
	older := queueMessage(t, s, "a@example.org", now.Add(-time.Hour))
	newer := queueMessage(t, s, "b@example.org", now.Add(-time.Minute))
	queueMessage(t, s, "later@example.org", now.Add(time.Hour)) // not due yet

	due, err := s.DueMessages(ctx, now, 10)
	if err != nil {
		t.Fatal(err)
	}
	if len(due) != 2 || due[0].ID != older.ID || due[1].ID != newer.ID {
		t.Fatalf("DueMessages = %+v, want the two due, oldest first", due)
	}
	if len(due[0].Attachments) != 1 || string(due[0].Attachments[0].Data) != "a,b\r\n1,2\r\n" {
		t.Errorf("due message lacks its attachment: %+v", due[0].Attachments)
	}

	// Claims and outcomes are taken once; a missing attempt is not found.
	a := notify.Attempt{MessageID: older.ID, Number: 1, Owner: "w1", ClaimedAt: now}
	if err := s.ClaimAttempt(ctx, a); err != nil {
		t.Fatal(err)
	}
	if err := s.ClaimAttempt(ctx, a); !errors.Is(err, training.ErrConflict) {
		t.Errorf("second claim: %v, want ErrConflict", err)
	}
	got, err := s.Attempt(ctx, older.ID, 1)
	if err != nil || got.Result != "" || got.Owner != "w1" || !got.ClaimedAt.Equal(now) {
		t.Errorf("attempt in flight = %+v, %v", got, err)
	}
	a.Result, a.Error, a.FinishedAt = notify.ResultTemporary, "421 try later", now.Add(time.Second)
	if err := s.RecordOutcome(ctx, a); err != nil {
		t.Fatal(err)
	}
	if err := s.RecordOutcome(ctx, a); !errors.Is(err, training.ErrConflict) {
		t.Errorf("second outcome: %v, want ErrConflict", err)
	}
	if got, err = s.Attempt(ctx, older.ID, 1); err != nil || got != a {
		t.Errorf("finished attempt = %+v, %v; want %+v", got, err, a)
	}
	if _, err := s.Attempt(ctx, older.ID, 2); !errors.Is(err, training.ErrNotFound) {
		t.Errorf("unclaimed attempt: %v, want ErrNotFound", err)
	}

	// The status shows in the outbox list; an older attempt's status does
	// not overwrite a newer one's.
	sent := notify.Status{State: notify.StateSent, Attempts: 2, SentAt: now.Add(time.Minute)}
	if err := s.SetMessageStatus(ctx, older.ID, sent); err != nil {
		t.Fatal(err)
	}
	stale := notify.Status{State: notify.StateQueued, Attempts: 1, LastError: "421 try later", NextAttemptAt: now.Add(2 * time.Minute)}
	if err := s.SetMessageStatus(ctx, older.ID, stale); err != nil {
		t.Fatal(err)
	}
	failed := notify.Status{State: notify.StateFailed, Attempts: 1, LastError: "the mail server refused the recipient: 550 5.1.1 No such user"}
	if err := s.SetMessageStatus(ctx, newer.ID, failed); err != nil {
		t.Fatal(err)
	}
	page, err := s.ListMessages(ctx, notify.Filter{}, training.PageRequest{})
	if err != nil {
		t.Fatal(err)
	}
	byID := map[string]notify.Message{}
	for _, m := range page.Items {
		byID[m.ID] = m
	}
	if m := byID[older.ID]; m.State != notify.StateSent || m.Attempts != 2 || !m.SentAt.Equal(sent.SentAt) || m.LastError != "" || !m.NextAttemptAt.IsZero() {
		t.Errorf("sent message lists as %+v", m)
	}
	if m := byID[newer.ID]; m.State != notify.StateFailed || m.Attempts != 1 || !m.SentAt.IsZero() || m.LastError != failed.LastError {
		t.Errorf("failed message lists as %+v", m)
	}
	if due, err := s.DueMessages(ctx, now.Add(24*time.Hour), 10); err != nil || len(due) != 1 || due[0].To != "later@example.org" {
		t.Errorf("due after delivery: %+v, %v", due, err)
	}
}

// Only an insert under a unique key is atomic on the embedded engine; the
// claim relies on it. Many clients racing for one attempt: one wins.
func TestClaimAttemptHasOneWinner(t *testing.T) {
	ctx := context.Background()
	s := newStore(t)
	client, err := mongodb.Connect(ctx, dbtest.URI(t), 10*time.Second)
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { _ = client.Disconnect(context.Background()) })
	other := mongodb.New(client.Database(s.DB().Name()))

	for round := range 20 {
		id := fmt.Sprintf("msg%02d", round)
		var wg sync.WaitGroup
		var mu sync.Mutex
		wins := 0
		for i := range 8 {
			st := s
			if i%2 == 1 {
				st = other
			}
			wg.Go(func() {
				err := st.ClaimAttempt(ctx, notify.Attempt{MessageID: id, Number: 1, Owner: fmt.Sprint(i), ClaimedAt: time.Now()})
				switch {
				case err == nil:
					mu.Lock()
					wins++
					mu.Unlock()
				case !errors.Is(err, training.ErrConflict):
					t.Errorf("claim: %v", err)
				}
			})
		}
		wg.Wait()
		if wins != 1 {
			t.Fatalf("round %d: %d claims won, want 1", round, wins)
		}
	}
}

// BenchmarkDueMessages measures reading the queue with 5,000 messages
// delivered and 100 queued: on the embedded engine the filter reads every
// outbox document (about 40-70 µs each); on MongoDB it is a range on the
// index state_next_attempt that reads the 100 due messages only.
func BenchmarkDueMessages(b *testing.B) {
	ctx := context.Background()
	s := mongodb.New(dbtest.New(b))
	if err := s.Migrate(ctx); err != nil {
		b.Fatal(err)
	}
	now := time.Now().UTC()
	for i := range 5000 {
		_, err := s.InsertMessage(ctx, notify.Message{To: fmt.Sprintf("p%d@example.org", i), Kind: notify.KindReminder,
			Subject: "Reminder", BodyText: "Please complete the Prevent training.", State: notify.StateSent,
			CreatedAt: now.Add(-time.Hour), SentAt: now.Add(-time.Hour), Attempts: 1})
		if err != nil {
			b.Fatal(err)
		}
	}
	for i := range 100 {
		queueMessage(b, s, fmt.Sprintf("q%d@example.org", i), now.Add(-time.Minute))
	}
	b.ResetTimer()
	for b.Loop() {
		due, err := s.DueMessages(ctx, now, 100)
		if err != nil || len(due) != 100 {
			b.Fatalf("%d due, %v", len(due), err)
		}
	}
}

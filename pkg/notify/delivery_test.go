package notify_test

import (
	"bytes"
	"context"
	"encoding/base64"
	"fmt"
	"io"
	"mime"
	"mime/multipart"
	"mime/quotedprintable"
	"net/mail"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/emersion/go-smtp"

	"github.com/complytrack/complytrack/pkg/dbtest"
	"github.com/complytrack/complytrack/pkg/mongodb"
	"github.com/complytrack/complytrack/pkg/notify"
	"github.com/complytrack/complytrack/pkg/training"
)

func TestMain(m *testing.M) { dbtest.Main(m) }

// clock is a settable clock for the deliverer. It starts a little after
// the real now, so that messages queued with the real clock are due.
type clock struct {
	mu sync.Mutex
	t  time.Time
}

func newClock() *clock { return &clock{t: time.Now().UTC().Add(time.Second)} }

func (c *clock) Now() time.Time {
	c.mu.Lock()
	defer c.mu.Unlock()
	return c.t
}

func (c *clock) Add(d time.Duration) {
	c.mu.Lock()
	c.t = c.t.Add(d)
	c.mu.Unlock()
}

type fixture struct {
	store  *mongodb.Store
	outbox *notify.Outbox
	clock  *clock
}

func newFixture(t *testing.T) *fixture {
	t.Helper()
	s := mongodb.New(dbtest.New(t))
	if err := s.Migrate(context.Background()); err != nil {
		t.Fatalf("Migrate: %v", err)
	}
	return &fixture{store: s, outbox: notify.NewOutbox(s), clock: newClock()}
}

func (f *fixture) deliverer(sender notify.Sender, cfg notify.DeliveryConfig) *notify.Deliverer {
	cfg.Now = f.clock.Now
	return notify.NewDeliverer(f.store, sender, cfg)
}

func (f *fixture) queue(t *testing.T, m notify.Message) {
	t.Helper()
	if m.Key == "" {
		m.Key = m.To + "/" + m.Subject
	}
	if m.Kind == "" {
		m.Kind = notify.KindReminder
	}
	if m.BodyText == "" {
		m.BodyText = "Please complete " + m.Subject
	}
	queued, err := f.outbox.Queue(context.Background(), m)
	if err != nil || !queued {
		t.Fatalf("Queue: %v %v", queued, err)
	}
}

func (f *fixture) queueN(t *testing.T, n int) {
	t.Helper()
	for i := range n {
		f.queue(t, notify.Message{To: fmt.Sprintf("person%d@example.org", i), Subject: fmt.Sprintf("Prevent training %d", i)})
	}
}

// messages lists the whole outbox as GET /api/v1/outbox does, by recipient.
func (f *fixture) messages(t *testing.T) map[string]notify.Message {
	t.Helper()
	page, err := f.outbox.List(context.Background(), training.Actor{HR: true}, notify.Filter{}, training.PageRequest{Limit: 200})
	if err != nil {
		t.Fatal(err)
	}
	out := map[string]notify.Message{}
	for _, m := range page.Items {
		out[m.To] = m
	}
	return out
}

func deliver(t *testing.T, d *notify.Deliverer) notify.DeliveryResult {
	t.Helper()
	res, err := d.DeliverPending(context.Background())
	if err != nil {
		t.Fatalf("DeliverPending: %v", err)
	}
	return res
}

func TestDeliverSendsMessagesWithHeadersBodyAndAttachment(t *testing.T) {
	f := newFixture(t)
	ms := startMailServer(t, &mailServer{}, "")
	snd := sender(t, "smtp://"+ms.Addr)
	d := f.deliverer(snd, notify.DeliveryConfig{})

	body := "Dear Siân,\n\nYour Prevent awareness training is due on 2026-02-01 – please complete it.\n\nA line that is long enough to need a soft line break in quoted-printable encoding, which wraps at 76 characters.\n"
	csv := "employee_number,name,status\r\nE0001,Siân Jones,overdue\r\n"
	f.queue(t, notify.Message{To: "sian@example.org", Subject: "Prevent training – due soon", BodyText: body})
	f.queue(t, notify.Message{To: "community-safety@example.org", Kind: notify.KindMonthlyReport, Subject: "Compliance report October 2026",
		BodyText: "Compliance 93.5%.", Attachments: []notify.Attachment{{Filename: "compliance-2026-10.csv", ContentType: "text/csv", Data: []byte(csv)}}})

	if res := deliver(t, d); res != (notify.DeliveryResult{Sent: 2}) {
		t.Fatalf("DeliverPending = %+v, want 2 sent", res)
	}
	got := ms.Received()
	if len(got) != 2 {
		t.Fatalf("server received %d messages, want 2", len(got))
	}
	msgs := f.messages(t)
	byTo := map[string]*mail.Message{}
	for _, r := range got {
		if r.From != "training@council.example" || len(r.To) != 1 {
			t.Errorf("envelope from %q to %v", r.From, r.To)
		}
		pm, err := mail.ReadMessage(bytes.NewReader(r.Data))
		if err != nil {
			t.Fatalf("received message does not parse: %v\n%s", err, r.Data)
		}
		byTo[r.To[0]] = pm
	}

	// The reminder: plain text in UTF-8, with the headers a mail client expects.
	rem := byTo["sian@example.org"]
	if rem == nil {
		t.Fatal("no message to sian@example.org")
	}
	h := rem.Header
	subject, _ := new(mime.WordDecoder).DecodeHeader(h.Get("Subject"))
	from, _ := mail.ParseAddress(h.Get("From"))
	if subject != "Prevent training – due soon" || from == nil || from.Address != "training@council.example" || from.Name != "Compliance Team" ||
		h.Get("To") != "<sian@example.org>" || h.Get("Auto-Submitted") != "auto-generated" || h.Get("MIME-Version") != "1.0" {
		t.Errorf("headers: subject %q, %v", subject, h)
	}
	if date, err := h.Date(); err != nil || time.Since(date) > time.Minute {
		t.Errorf("Date %q: %v", h.Get("Date"), err)
	}
	if want := snd.MessageID(msgs["sian@example.org"].ID); h.Get("Message-ID") != want || !strings.Contains(want, msgs["sian@example.org"].ID) {
		t.Errorf("Message-ID %q, want %q", h.Get("Message-ID"), want)
	}
	mt, params, err := mime.ParseMediaType(h.Get("Content-Type"))
	if err != nil || mt != "text/plain" || !strings.EqualFold(params["charset"], "utf-8") {
		t.Errorf("Content-Type %q", h.Get("Content-Type"))
	}
	if text := decodePart(t, h.Get("Content-Transfer-Encoding"), rem.Body); normaliseNewlines(text) != body {
		t.Errorf("body %q, want %q", text, body)
	}

	// The report: multipart/mixed with the text and the CSV.
	rep := byTo["community-safety@example.org"]
	mt, params, err = mime.ParseMediaType(rep.Header.Get("Content-Type"))
	if err != nil || mt != "multipart/mixed" {
		t.Fatalf("report Content-Type %q", rep.Header.Get("Content-Type"))
	}
	mr := multipart.NewReader(rep.Body, params["boundary"])
	var parts []string
	for {
		p, err := mr.NextPart()
		if err == io.EOF {
			break
		}
		if err != nil {
			t.Fatal(err)
		}
		ct, _, _ := mime.ParseMediaType(p.Header.Get("Content-Type"))
		data := decodePart(t, p.Header.Get("Content-Transfer-Encoding"), p)
		switch {
		case ct == "text/plain" && p.FileName() == "":
			if normaliseNewlines(data) != "Compliance 93.5%." {
				t.Errorf("report text %q", data)
			}
		case ct == "text/csv":
			if p.FileName() != "compliance-2026-10.csv" || !strings.HasPrefix(p.Header.Get("Content-Disposition"), "attachment") || data != csv {
				t.Errorf("attachment %q %q: %q", p.FileName(), p.Header.Get("Content-Disposition"), data)
			}
		}
		parts = append(parts, ct)
	}
	if strings.Join(parts, ",") != "text/plain,text/csv" {
		t.Errorf("report parts %v", parts)
	}

	// The outbox shows both sent, once, at the deliverer's time.
	for to, m := range msgs {
		if m.State != notify.StateSent || m.Attempts != 1 || !m.SentAt.Equal(f.clock.Now().Truncate(time.Millisecond)) || m.LastError != "" {
			t.Errorf("%s: %+v", to, m)
		}
	}
	// Nothing is sent twice.
	f.clock.Add(24 * time.Hour)
	if res := deliver(t, d); res != (notify.DeliveryResult{}) {
		t.Errorf("second run = %+v, want nothing", res)
	}
	if len(ms.Received()) != 2 {
		t.Errorf("server received %d messages after a second run", len(ms.Received()))
	}
}

func decodePart(t *testing.T, encoding string, r io.Reader) string {
	t.Helper()
	// multipart.Reader decodes quoted-printable parts itself and drops the
	// header; mail.Message does not.
	switch strings.ToLower(encoding) {
	case "base64":
		r = base64.NewDecoder(base64.StdEncoding, r)
	case "quoted-printable":
		r = quotedprintable.NewReader(r)
	}
	b, err := io.ReadAll(r)
	if err != nil {
		t.Fatalf("decode %s: %v", encoding, err)
	}
	return string(b)
}

func normaliseNewlines(s string) string { return strings.ReplaceAll(s, "\r\n", "\n") }

func TestNoSMTPConfiguredLeavesMessagesQueued(t *testing.T) {
	f := newFixture(t)
	f.queueN(t, 3)
	var none *notify.SMTPSender // as wired when COMPLYTRACK_SMTP_URL is empty
	for _, d := range []*notify.Deliverer{f.deliverer(nil, notify.DeliveryConfig{}), f.deliverer(none, notify.DeliveryConfig{})} {
		if d.Configured() {
			t.Error("Configured with no sender")
		}
		if res := deliver(t, d); res != (notify.DeliveryResult{}) {
			t.Errorf("DeliverPending = %+v, want nothing", res)
		}
	}
	msgs := f.messages(t)
	if len(msgs) != 3 {
		t.Fatalf("outbox has %d messages", len(msgs))
	}
	for to, m := range msgs {
		if m.State != notify.StateQueued || m.Attempts != 0 || m.BodyText == "" || !m.SentAt.IsZero() {
			t.Errorf("%s: %+v", to, m)
		}
	}
}

func TestSMTPDownThenBackIsRetriedAndDeliveredOnce(t *testing.T) {
	f := newFixture(t)
	addr := freeAddr(t)
	d := f.deliverer(sender(t, "smtp://"+addr), notify.DeliveryConfig{})
	f.queueN(t, 3)

	// Down: each message fails for now and waits a minute.
	start := f.clock.Now()
	if res := deliver(t, d); res != (notify.DeliveryResult{Retrying: 3}) {
		t.Fatalf("server down: %+v, want 3 retrying", res)
	}
	for to, m := range f.messages(t) {
		if m.State != notify.StateQueued || m.Attempts != 1 || !strings.Contains(m.LastError, "connection refused") ||
			!m.NextAttemptAt.Equal(start.Add(time.Minute).Truncate(time.Millisecond)) {
			t.Errorf("%s after a failure: %+v", to, m)
		}
	}
	// Not due yet: nothing is tried.
	f.clock.Add(59 * time.Second)
	if res := deliver(t, d); res != (notify.DeliveryResult{}) {
		t.Fatalf("before the back-off ends: %+v, want nothing", res)
	}
	// Due, still down: the wait doubles.
	f.clock.Add(time.Second)
	if res := deliver(t, d); res != (notify.DeliveryResult{Retrying: 3}) {
		t.Fatalf("second attempt: %+v", res)
	}
	for to, m := range f.messages(t) {
		if m.Attempts != 2 || !m.NextAttemptAt.Equal(f.clock.Now().Add(2*time.Minute).Truncate(time.Millisecond)) {
			t.Errorf("%s after two failures: %+v", to, m)
		}
	}

	// Back: delivered once each, nothing lost.
	ms := startMailServer(t, &mailServer{}, addr)
	f.clock.Add(time.Minute)
	if res := deliver(t, d); res != (notify.DeliveryResult{}) {
		t.Fatalf("during the second back-off: %+v, want nothing", res)
	}
	f.clock.Add(time.Minute)
	if res := deliver(t, d); res != (notify.DeliveryResult{Sent: 3}) {
		t.Fatalf("server back: %+v, want 3 sent", res)
	}
	f.clock.Add(time.Hour)
	deliver(t, d)
	assertEachOnce(t, ms, 3)
	for to, m := range f.messages(t) {
		if m.State != notify.StateSent || m.Attempts != 3 || m.LastError != "" || m.SentAt.IsZero() {
			t.Errorf("%s: %+v", to, m)
		}
	}
}

// assertEachOnce checks that the server received n messages, each to a
// different recipient with a different Message-ID.
func assertEachOnce(t *testing.T, ms *mailServer, n int) {
	t.Helper()
	got := ms.Received()
	ids, rcpts := map[string]int{}, map[string]int{}
	for _, r := range got {
		pm, err := mail.ReadMessage(bytes.NewReader(r.Data))
		if err != nil {
			t.Fatal(err)
		}
		ids[pm.Header.Get("Message-ID")]++
		rcpts[strings.Join(r.To, ",")]++
	}
	if len(got) != n || len(ids) != n || len(rcpts) != n {
		t.Errorf("server received %d messages (%d Message-IDs, %d recipients), want %d, each once", len(got), len(ids), len(rcpts), n)
	}
}

func TestPermanentRefusalFailsWithTheReply(t *testing.T) {
	f := newFixture(t)
	var busy sync.Mutex
	mailboxFull := true
	ms := startMailServer(t, &mailServer{RcptReply: func(to string) error {
		busy.Lock()
		defer busy.Unlock()
		switch {
		case strings.HasPrefix(to, "gone@"):
			return &smtp.SMTPError{Code: 550, EnhancedCode: smtp.EnhancedCode{5, 1, 1}, Message: "No such user here"}
		case strings.HasPrefix(to, "full@") && mailboxFull:
			return &smtp.SMTPError{Code: 452, EnhancedCode: smtp.EnhancedCode{4, 2, 2}, Message: "Mailbox full"}
		}
		return nil
	}}, "")
	d := f.deliverer(sender(t, "smtp://"+ms.Addr), notify.DeliveryConfig{})
	for _, to := range []string{"gone@example.org", "full@example.org", "ok@example.org"} {
		f.queue(t, notify.Message{To: to, Subject: "Reminder"})
	}
	if res := deliver(t, d); res != (notify.DeliveryResult{Sent: 1, Retrying: 1, Failed: 1}) {
		t.Fatalf("DeliverPending = %+v", res)
	}
	msgs := f.messages(t)
	if m := msgs["gone@example.org"]; m.State != notify.StateFailed || m.Attempts != 1 ||
		m.LastError != "the mail server refused the recipient: 550 5.1.1 No such user here" {
		t.Errorf("refused for good: %+v", m)
	}
	if m := msgs["full@example.org"]; m.State != notify.StateQueued || m.LastError != "the mail server refused the recipient: 452 4.2.2 Mailbox full" {
		t.Errorf("refused for now: %+v", m)
	}

	busy.Lock()
	mailboxFull = false
	busy.Unlock()
	f.clock.Add(time.Hour)
	if res := deliver(t, d); res != (notify.DeliveryResult{Sent: 1}) {
		t.Fatalf("later: %+v, want only the retried message sent", res)
	}
	msgs = f.messages(t)
	if m := msgs["gone@example.org"]; m.State != notify.StateFailed || m.Attempts != 1 {
		t.Errorf("a failed message was tried again: %+v", m)
	}
	if m := msgs["full@example.org"]; m.State != notify.StateSent || m.Attempts != 2 || m.LastError != "" {
		t.Errorf("retried message: %+v", m)
	}
	assertEachOnce(t, ms, 2)
}

func TestGivesUpAfterMaxAttempts(t *testing.T) {
	f := newFixture(t)
	d := f.deliverer(sender(t, "smtp://"+freeAddr(t)), notify.DeliveryConfig{MaxAttempts: 3})
	f.queueN(t, 1)
	var total notify.DeliveryResult
	for range 10 {
		res := deliver(t, d)
		total.Retrying += res.Retrying
		total.Failed += res.Failed
		f.clock.Add(time.Hour)
	}
	if total != (notify.DeliveryResult{Retrying: 2, Failed: 1}) {
		t.Errorf("over ten runs: %+v", total)
	}
	m := f.messages(t)["person0@example.org"]
	if m.State != notify.StateFailed || m.Attempts != 3 || !strings.HasPrefix(m.LastError, "gave up after 3 attempts; the last: could not connect") {
		t.Errorf("%+v", m)
	}
}

func TestConcurrentDeliverersSendEachMessageOnce(t *testing.T) {
	f := newFixture(t)
	ms := startMailServer(t, &mailServer{DataDelay: 2 * time.Millisecond}, "")
	f.queueN(t, 50)

	// A second client on the same database: two processes, each with its
	// own connections.
	client, err := mongodb.Connect(context.Background(), dbtest.URI(t), 10*time.Second)
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { _ = client.Disconnect(context.Background()) })
	other := mongodb.New(client.Database(f.store.DB().Name()))

	snd := sender(t, "smtp://"+ms.Addr)
	deliverers := []*notify.Deliverer{
		notify.NewDeliverer(f.store, snd, notify.DeliveryConfig{Owner: "one", Now: f.clock.Now}),
		notify.NewDeliverer(other, snd, notify.DeliveryConfig{Owner: "two", Now: f.clock.Now}),
	}
	results := make([]notify.DeliveryResult, len(deliverers))
	var wg sync.WaitGroup
	startLine := make(chan struct{})
	for i, d := range deliverers {
		wg.Go(func() {
			<-startLine
			// Each runs until its run finds nothing left to do.
			for range 10 {
				res, err := d.DeliverPending(context.Background())
				if err != nil {
					t.Errorf("deliverer %d: %v", i, err)
					return
				}
				results[i].Sent += res.Sent
				results[i].Skipped += res.Skipped
				if res == (notify.DeliveryResult{}) {
					return
				}
			}
		})
	}
	close(startLine)
	wg.Wait()

	t.Logf("deliverer one %+v, two %+v", results[0], results[1])
	if results[0].Sent+results[1].Sent != 50 {
		t.Errorf("sent %d in all, want 50", results[0].Sent+results[1].Sent)
	}
	assertEachOnce(t, ms, 50)
	for to, m := range f.messages(t) {
		if m.State != notify.StateSent || m.Attempts != 1 {
			t.Errorf("%s: %+v", to, m)
		}
	}
}

func TestAbandonedClaimIsRetriedAndDeliveredOnce(t *testing.T) {
	f := newFixture(t)
	ms := startMailServer(t, &mailServer{}, "")
	d := f.deliverer(sender(t, "smtp://"+ms.Addr), notify.DeliveryConfig{})
	f.queueN(t, 1)
	id := f.messages(t)["person0@example.org"].ID

	// A process claimed the first attempt and died before sending.
	ctx := context.Background()
	if err := f.store.ClaimAttempt(ctx, notify.Attempt{MessageID: id, Number: 1, Owner: "dead", ClaimedAt: f.clock.Now()}); err != nil {
		t.Fatal(err)
	}
	if res := deliver(t, d); res != (notify.DeliveryResult{Skipped: 1}) {
		t.Fatalf("claim in flight: %+v, want it left alone", res)
	}
	// Past the claim timeout it counts as a temporary failure, so the next
	// attempt waits the first back-off.
	f.clock.Add(10*time.Minute + time.Second)
	if res := deliver(t, d); res != (notify.DeliveryResult{Skipped: 1}) {
		t.Fatalf("abandoned claim: %+v", res)
	}
	if m := f.messages(t)["person0@example.org"]; m.State != notify.StateQueued || m.Attempts != 1 || !strings.Contains(m.LastError, "interrupted") {
		t.Errorf("after the claim timed out: %+v", m)
	}
	if len(ms.Received()) != 0 {
		t.Fatal("sent before the back-off ended")
	}
	f.clock.Add(time.Minute)
	if res := deliver(t, d); res != (notify.DeliveryResult{Sent: 1}) {
		t.Fatalf("after the back-off: %+v, want sent", res)
	}
	f.clock.Add(time.Hour)
	deliver(t, d)
	assertEachOnce(t, ms, 1)
	if m := f.messages(t)["person0@example.org"]; m.State != notify.StateSent || m.Attempts != 2 || m.LastError != "" {
		t.Errorf("%+v", m)
	}
}

// A process that recorded the outcome but stopped before updating the
// message leaves it looking queued: the records, not the message, decide,
// so it is not sent again.
func TestMessageBehindItsRecordsIsNotSentAgain(t *testing.T) {
	f := newFixture(t)
	ms := startMailServer(t, &mailServer{}, "")
	d := f.deliverer(sender(t, "smtp://"+ms.Addr), notify.DeliveryConfig{})
	f.queueN(t, 1)
	id := f.messages(t)["person0@example.org"].ID

	ctx := context.Background()
	a := notify.Attempt{MessageID: id, Number: 1, Owner: "stopped", ClaimedAt: f.clock.Now()}
	if err := f.store.ClaimAttempt(ctx, a); err != nil {
		t.Fatal(err)
	}
	a.Result, a.FinishedAt = notify.ResultSent, f.clock.Now()
	if err := f.store.RecordOutcome(ctx, a); err != nil {
		t.Fatal(err)
	}
	if res := deliver(t, d); res != (notify.DeliveryResult{Skipped: 1}) {
		t.Fatalf("DeliverPending = %+v", res)
	}
	if len(ms.Received()) != 0 {
		t.Error("sent again")
	}
	if m := f.messages(t)["person0@example.org"]; m.State != notify.StateSent || m.Attempts != 1 || m.SentAt.IsZero() {
		t.Errorf("not brought up to date: %+v", m)
	}
	// A claim is taken once.
	if err := f.store.ClaimAttempt(ctx, a); err == nil {
		t.Error("the same attempt was claimed twice")
	}
}

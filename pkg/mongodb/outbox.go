package mongodb

import (
	"context"
	"time"

	"go.mongodb.org/mongo-driver/v2/bson"
	"go.mongodb.org/mongo-driver/v2/mongo/options"

	"github.com/complytrack/complytrack/pkg/notify"
	"github.com/complytrack/complytrack/pkg/training"
)

const colOutbox = "outbox"

// messageDoc is one outbox message. _id is time-ordered (newest last);
// key is unique so queueing the same notification twice is refused by the
// engine itself. The delivery status (state, attempts, sent_at, last_error,
// next_attempt_at) is written by the deliverer from the message's attempt
// records (see delivery.go); the queue is read by (state, next_attempt_at).
type messageDoc struct {
	ID          string          `bson:"_id"`
	Key         string          `bson:"key"`
	To          string          `bson:"to"`
	ToLower     string          `bson:"to_lower"`
	Kind        string          `bson:"kind"`
	Subject     string          `bson:"subject"`
	BodyText    string          `bson:"body_text"`
	Attachments []attachmentDoc `bson:"attachments,omitempty"`
	State       string          `bson:"state"`
	CreatedAt   time.Time       `bson:"created_at"`
	SentAt      time.Time       `bson:"sent_at,omitempty"`
	Attempts    int             `bson:"attempts"`
	LastError   string          `bson:"last_error,omitempty"`
	// NextAttemptAt is set while queued: the creation time, then the end of
	// each retry's back-off.
	NextAttemptAt time.Time `bson:"next_attempt_at,omitempty"`
}

type attachmentDoc struct {
	Filename    string `bson:"filename"`
	ContentType string `bson:"content_type"`
	Data        []byte `bson:"data"`
}

func (d messageDoc) message() notify.Message {
	m := notify.Message{
		ID: d.ID, Key: d.Key, To: d.To, Kind: notify.Kind(d.Kind), Subject: d.Subject, BodyText: d.BodyText,
		State: notify.State(d.State), CreatedAt: d.CreatedAt.UTC(), SentAt: d.SentAt.UTC(), Attempts: d.Attempts, LastError: d.LastError,
	}
	if d.SentAt.IsZero() {
		m.SentAt = time.Time{}
	}
	if !d.NextAttemptAt.IsZero() {
		m.NextAttemptAt = d.NextAttemptAt.UTC()
	}
	for _, a := range d.Attachments {
		m.Attachments = append(m.Attachments, notify.Attachment{Filename: a.Filename, ContentType: a.ContentType, Data: a.Data})
	}
	return m
}

// InsertMessage stores a new outbox message. The key defaults to the ID;
// a key in use is training.ErrConflict.
func (s *Store) InsertMessage(ctx context.Context, m notify.Message) (notify.Message, error) {
	m, d := s.newMessageDoc(m)
	if _, err := s.db.Collection(colOutbox).InsertOne(ctx, d); err != nil {
		return notify.Message{}, translate("queue message", err)
	}
	return m, nil
}

// newMessageDoc fills in a new message's defaults and makes its document.
func (s *Store) newMessageDoc(m notify.Message) (notify.Message, messageDoc) {
	if m.ID == "" {
		m.ID = NewID()
	}
	if m.Key == "" {
		m.Key = m.ID
	}
	if m.CreatedAt.IsZero() {
		m.CreatedAt = s.now()
	}
	m.CreatedAt = m.CreatedAt.Truncate(time.Millisecond)
	if m.State == "" {
		m.State = notify.StateQueued
	}
	if m.State == notify.StateQueued && m.NextAttemptAt.IsZero() {
		m.NextAttemptAt = m.CreatedAt // due at once
	}
	m.NextAttemptAt = m.NextAttemptAt.Truncate(time.Millisecond)
	d := messageDoc{
		ID: m.ID, Key: m.Key, To: m.To, ToLower: training.NormaliseEmail(m.To), Kind: string(m.Kind),
		Subject: m.Subject, BodyText: m.BodyText, State: string(m.State), CreatedAt: m.CreatedAt,
		Attempts: m.Attempts, LastError: m.LastError, NextAttemptAt: m.NextAttemptAt,
	}
	if !m.SentAt.IsZero() {
		d.SentAt = m.SentAt.Truncate(time.Millisecond)
	}
	for _, a := range m.Attachments {
		d.Attachments = append(d.Attachments, attachmentDoc{Filename: a.Filename, ContentType: a.ContentType, Data: a.Data})
	}
	return m, d
}

// ListMessages returns one page of outbox messages, newest first.
func (s *Store) ListMessages(ctx context.Context, f notify.Filter, page PageRequest) (Page[notify.Message], error) {
	cur, err := parseCursor(page.Cursor)
	if err != nil {
		return Page[notify.Message]{}, err
	}
	var match bson.D
	if f.To != "" {
		match = append(match, bson.E{Key: "to_lower", Value: training.NormaliseEmail(f.To)})
	}
	if f.Kind != "" {
		match = append(match, bson.E{Key: "kind", Value: string(f.Kind)})
	}
	if f.ID != "" {
		match = append(match, bson.E{Key: "_id", Value: f.ID})
	}
	limit := page.Size()
	docs, err := findAll[messageDoc](ctx, s.db.Collection(colOutbox), and(match, cur.after("_id", true)),
		options.Find().SetSort(bson.D{{Key: "_id", Value: -1}}).SetLimit(int64(limit+1)).
			SetProjection(bson.D{{Key: "attachments.data", Value: 0}}))
	if err != nil {
		return Page[notify.Message]{}, translate("list outbox", err)
	}
	var out Page[notify.Message]
	if len(docs) > limit {
		docs = docs[:limit]
		out.NextCursor = cursor{ID: docs[limit-1].ID}.String()
	}
	for _, d := range docs {
		out.Items = append(out.Items, d.message())
	}
	return out, nil
}

var _ notify.Store = (*Store)(nil)

package mongodb

import (
	"context"
	"errors"
	"strconv"
	"time"

	"go.mongodb.org/mongo-driver/v2/bson"
	"go.mongodb.org/mongo-driver/v2/mongo"
	"go.mongodb.org/mongo-driver/v2/mongo/options"

	"github.com/complytrack/complytrack/pkg/notify"
)

// Delivery attempts of outbox messages (see notify.Deliverer). Both
// collections are insert-only and read by _id alone, the one lookup that is
// fast on both engines; the unique _id of a claim is what lets exactly one
// process send a given attempt.
const (
	colDeliveries       = "deliveries"        // one claim per attempt
	colDeliveryOutcomes = "delivery_outcomes" // the claim's outcome, written once by its owner
)

// deliveryDoc claims attempt Attempt of message MessageID; _id is
// "<message id>/<attempt>".
type deliveryDoc struct {
	ID        string    `bson:"_id"`
	MessageID string    `bson:"message_id"`
	Attempt   int       `bson:"attempt"`
	Owner     string    `bson:"owner"`
	ClaimedAt time.Time `bson:"claimed_at"`
}

// deliveryOutcomeDoc is how an attempt ended; same _id as its claim.
type deliveryOutcomeDoc struct {
	ID         string    `bson:"_id"`
	MessageID  string    `bson:"message_id"`
	Attempt    int       `bson:"attempt"`
	Result     string    `bson:"result"`
	Error      string    `bson:"error,omitempty"`
	FinishedAt time.Time `bson:"finished_at"`
}

func attemptID(messageID string, n int) string { return messageID + "/" + strconv.Itoa(n) }

// ClaimAttempt inserts the claim of an attempt; a claim with the same
// message and number is training.ErrConflict.
func (s *Store) ClaimAttempt(ctx context.Context, a notify.Attempt) error {
	_, err := s.db.Collection(colDeliveries).InsertOne(ctx, deliveryDoc{
		ID: attemptID(a.MessageID, a.Number), MessageID: a.MessageID, Attempt: a.Number,
		Owner: a.Owner, ClaimedAt: a.ClaimedAt.UTC().Truncate(time.Millisecond),
	})
	return translate("claim delivery attempt", err)
}

// RecordOutcome inserts the outcome of an attempt; one recorded already is
// training.ErrConflict.
func (s *Store) RecordOutcome(ctx context.Context, a notify.Attempt) error {
	_, err := s.db.Collection(colDeliveryOutcomes).InsertOne(ctx, deliveryOutcomeDoc{
		ID: attemptID(a.MessageID, a.Number), MessageID: a.MessageID, Attempt: a.Number,
		Result: string(a.Result), Error: a.Error, FinishedAt: a.FinishedAt.UTC().Truncate(time.Millisecond),
	})
	return translate("record delivery outcome", err)
}

// Attempt returns attempt n of a message with its outcome when one is
// recorded: two reads by _id. Never claimed: training.ErrNotFound.
func (s *Store) Attempt(ctx context.Context, messageID string, n int) (notify.Attempt, error) {
	id := attemptID(messageID, n)
	var c deliveryDoc
	if err := s.db.Collection(colDeliveries).FindOne(ctx, bson.D{{Key: "_id", Value: id}}).Decode(&c); err != nil {
		return notify.Attempt{}, translate("read delivery attempt", err)
	}
	a := notify.Attempt{MessageID: c.MessageID, Number: c.Attempt, Owner: c.Owner, ClaimedAt: c.ClaimedAt.UTC()}
	var o deliveryOutcomeDoc
	err := s.db.Collection(colDeliveryOutcomes).FindOne(ctx, bson.D{{Key: "_id", Value: id}}).Decode(&o)
	switch {
	case errors.Is(err, mongo.ErrNoDocuments):
		return a, nil // in flight, or abandoned
	case err != nil:
		return notify.Attempt{}, translate("read delivery outcome", err)
	}
	a.Result, a.Error, a.FinishedAt = notify.Result(o.Result), o.Error, o.FinishedAt.UTC()
	return a, nil
}

// DueMessages returns at most limit queued messages whose next attempt is
// due at now, the longest-waiting first, with their attachments.
//
// On MongoDB this is a range on the index (state, next_attempt_at, _id),
// which also gives the order: it reads only the due messages. The embedded
// engine filters every outbox document in Go whatever the indexes (see
// docs/database.md), about 40 µs a document per call.
func (s *Store) DueMessages(ctx context.Context, now time.Time, limit int) ([]notify.Message, error) {
	docs, err := findAll[messageDoc](ctx, s.db.Collection(colOutbox),
		bson.D{
			{Key: "state", Value: string(notify.StateQueued)},
			{Key: "next_attempt_at", Value: bson.D{{Key: "$lte", Value: now.UTC()}}},
		},
		options.Find().SetSort(bson.D{{Key: "next_attempt_at", Value: 1}, {Key: "_id", Value: 1}}).SetLimit(int64(limit)))
	if err != nil {
		return nil, translate("read due messages", err)
	}
	out := make([]notify.Message, 0, len(docs))
	for _, d := range docs {
		out = append(out, d.message())
	}
	return out, nil
}

// SetMessageStatus writes a message's delivery status, unless the message
// already shows a later attempt (a process that stalled must not set back
// what a later attempt wrote).
//
// The check is a read by _id before the write, not a condition in the
// update's filter: on the embedded engine any filter but a bare _id is
// evaluated in Go over the whole collection, and its updates are not atomic
// anyway. The attempt records, not this document, decide what is sent (the
// deliverer re-reads them before every claim), so the rare lost race here
// only shows an out-of-date status until the next run corrects it.
func (s *Store) SetMessageStatus(ctx context.Context, messageID string, st notify.Status) error {
	c := s.db.Collection(colOutbox)
	var cur struct {
		Attempts int `bson:"attempts"`
	}
	err := c.FindOne(ctx, bson.D{{Key: "_id", Value: messageID}},
		options.FindOne().SetProjection(bson.D{{Key: "attempts", Value: 1}})).Decode(&cur)
	if err != nil {
		return translate("read message status", err)
	}
	if cur.Attempts > st.Attempts {
		return nil
	}
	set := bson.D{{Key: "state", Value: string(st.State)}, {Key: "attempts", Value: st.Attempts}}
	var unset bson.D
	field := func(name string, v any, empty bool) {
		if empty {
			unset = append(unset, bson.E{Key: name, Value: ""})
		} else {
			set = append(set, bson.E{Key: name, Value: v})
		}
	}
	field("sent_at", st.SentAt.UTC().Truncate(time.Millisecond), st.SentAt.IsZero())
	field("last_error", st.LastError, st.LastError == "")
	field("next_attempt_at", st.NextAttemptAt.UTC().Truncate(time.Millisecond), st.NextAttemptAt.IsZero())
	update := bson.D{{Key: "$set", Value: set}}
	if len(unset) > 0 {
		update = append(update, bson.E{Key: "$unset", Value: unset})
	}
	_, err = c.UpdateOne(ctx, bson.D{{Key: "_id", Value: messageID}}, update)
	return translate("update message status", err)
}

var _ notify.DeliveryStore = (*Store)(nil)

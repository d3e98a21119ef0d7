package mongodb

import (
	"context"
	"crypto/rand"
	"encoding/json"
	"sync/atomic"
	"time"

	"go.mongodb.org/mongo-driver/v2/bson"
	"go.mongodb.org/mongo-driver/v2/mongo/options"

	"github.com/complytrack/complytrack/pkg/training"
)

// auditDoc is one audit entry, inserted once. Its _id is time-ordered, so
// the newest entries come first when read by descending _id. Before and
// after are kept as JSON text: exactly what the API showed, whatever its
// shape, on both engines.
type auditDoc struct {
	ID       string    `bson:"_id"`
	At       time.Time `bson:"at"`
	Actor    string    `bson:"actor"`
	Action   string    `bson:"action"`
	Entity   string    `bson:"entity"`
	EntityID string    `bson:"entity_id"`
	Before   string    `bson:"before,omitempty"`
	After    string    `bson:"after,omitempty"`
}

// AppendAudit writes one audit entry.
func (s *Store) AppendAudit(ctx context.Context, e training.AuditEntry) (training.AuditEntry, error) {
	if e.At.IsZero() {
		e.At = s.now()
	}
	if e.ID == "" {
		e.ID = newAuditID(e.At)
	}
	e.At = e.At.Truncate(time.Millisecond)
	_, err := s.db.Collection(colAudit).InsertOne(ctx, auditDoc{
		ID: e.ID, At: e.At, Actor: e.Actor, Action: e.Action, Entity: e.Entity, EntityID: e.EntityID,
		Before: string(e.Before), After: string(e.After),
	})
	if err != nil {
		return training.AuditEntry{}, translate("write audit", err)
	}
	return e, nil
}

// ListAudit returns one page of audit entries, newest first, about one
// entity or (entityID empty) about everything.
func (s *Store) ListAudit(ctx context.Context, entityID string, page PageRequest) (Page[training.AuditEntry], error) {
	cur, err := parseCursor(page.Cursor)
	if err != nil {
		return Page[training.AuditEntry]{}, err
	}
	var match bson.D
	if entityID != "" {
		match = bson.D{{Key: "entity_id", Value: entityID}}
	}
	limit := page.Size()
	docs, err := findAll[auditDoc](ctx, s.db.Collection(colAudit), and(match, cur.after("_id", true)),
		options.Find().SetSort(bson.D{{Key: "_id", Value: -1}}).SetLimit(int64(limit+1)))
	if err != nil {
		return Page[training.AuditEntry]{}, translate("list audit", err)
	}
	var out Page[training.AuditEntry]
	if len(docs) > limit {
		docs = docs[:limit]
		out.NextCursor = cursor{ID: docs[limit-1].ID}.String()
	}
	for _, d := range docs {
		out.Items = append(out.Items, training.AuditEntry{
			ID: d.ID, At: d.At.UTC(), Actor: d.Actor, Action: d.Action, Entity: d.Entity, EntityID: d.EntityID,
			Before: rawJSON(d.Before), After: rawJSON(d.After),
		})
	}
	return out, nil
}

func rawJSON(s string) json.RawMessage {
	if s == "" {
		return nil
	}
	return json.RawMessage(s)
}

// newAuditID mints the ID of an audit entry written at at (see
// training.AuditID). Its tail is this process's random prefix and a
// counter, so entries one process writes in the same millisecond keep
// their order.
func newAuditID(at time.Time) string {
	n := auditCounter.Add(1)
	tail := [6]byte{auditProcess[0], auditProcess[1], auditProcess[2], byte(n >> 16), byte(n >> 8), byte(n)}
	return training.AuditID(at, tail)
}

var (
	auditProcess = func() (b [3]byte) { _, _ = rand.Read(b[:]); return b }()
	auditCounter atomic.Uint32
)

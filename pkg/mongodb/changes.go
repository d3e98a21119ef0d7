package mongodb

import (
	"context"
	"errors"
	"fmt"
	"strconv"
	"time"

	"go.mongodb.org/mongo-driver/v2/bson"
	"go.mongodb.org/mongo-driver/v2/mongo/options"

	"github.com/complytrack/complytrack/pkg/readmodel"
	"github.com/complytrack/complytrack/pkg/training"
)

const (
	colChanges    = "changes"
	colChangeHead = "change_head"
)

// changeDoc is one entry of the change log (see pkg/readmodel). Its _id is
// the sequence number as a zero-padded decimal string: the embedded engine
// only looks a document up by index when _id is a string or an ObjectID,
// and the padding keeps string order equal to number order.
type changeDoc struct {
	Seq    string    `bson:"_id"`
	Of     int64     `bson:"of,omitempty"`
	Kind   string    `bson:"kind"`
	IDs    []string  `bson:"ids,omitempty"`
	Origin string    `bson:"origin"`
	At     time.Time `bson:"at"`
}

func seqKey(seq int64) string { return fmt.Sprintf("%019d", seq) }

// headDoc remembers a recent sequence number, so that a process starting
// up does not probe the log from 1. It is a hint only: it may lag the
// true head (it is written every few entries, by whoever wrote them) but
// never names an entry that does not exist.
type headDoc struct {
	ID  string `bson:"_id"`
	Seq int64  `bson:"seq"`
}

const headID = "head"

// headEvery is how often (in entries) a writer updates the head hint.
const headEvery = 32

// changeClaims serialises one store's appends. Without it, the writes a
// process makes at the same time would all start from the same latest
// known entry and probe the same free numbers: with W writers an entry
// cost about W inserts, each of them a write that, on the embedded engine,
// waits for the database file's one writer lock (at 200 concurrent
// self-certifications, 74 inserts an entry; docs/performance.md).
// With it, appends take turns, each starting after the newest number the
// store has claimed or found taken, so within a process the first insert
// succeeds and only another process's entries make it try again.
//
// The turn is a one-place channel rather than a mutex so that a writer
// waiting for it gives up when its request does: while the database does
// not answer, each turn lasts until the driver's timeout, and the writers
// queued behind it must not wait out every one of them.
type changeClaims struct {
	turn chan struct{} // holds a value while an append has the turn
	last int64         // the newest number this store claimed or found taken; guarded by turn
}

func newChangeClaims() *changeClaims { return &changeClaims{turn: make(chan struct{}, 1)} }

// AppendChange writes c under the first free sequence number after
// c.Seq (the caller's latest known entry) and returns that number. The
// number is claimed by inserting under it: of two writers trying the same
// number one gets a duplicate key and tries the next, so entries never
// share a number and never leave a gap. Every number up to the store's
// newest claimed or taken one exists, so starting after it leaves no gap
// either.
func (s *Store) AppendChange(ctx context.Context, c readmodel.Change) (int64, error) {
	at := c.At
	if at.IsZero() {
		at = s.now()
	}
	select {
	case s.claims.turn <- struct{}{}:
	case <-ctx.Done():
		return 0, translate("append change", ctx.Err())
	}
	seq := max(c.Seq, s.claims.last, 0) + 1
	for {
		_, err := s.db.Collection(colChanges).InsertOne(ctx, changeDoc{
			Seq: seqKey(seq), Of: c.Of, Kind: string(c.Kind), IDs: c.IDs, Origin: c.Origin, At: at.Truncate(time.Millisecond),
		})
		err = translate("append change", err)
		if isConflict(err) {
			s.claims.last = seq
			seq++
			continue
		}
		if err != nil {
			<-s.claims.turn
			return 0, err
		}
		s.claims.last = seq
		<-s.claims.turn
		if seq%headEvery == 0 {
			// A lost or late hint only costs a starting process a few more
			// look-ups, so its error is not the writer's.
			_, _ = s.db.Collection(colChangeHead).ReplaceOne(ctx, bson.D{{Key: "_id", Value: headID}},
				headDoc{ID: headID, Seq: seq}, options.Replace().SetUpsert(true))
		}
		return seq, nil
	}
}

// Change reads the entry with this sequence number; training.ErrNotFound
// when it has not been written yet.
func (s *Store) Change(ctx context.Context, seq int64) (readmodel.Change, error) {
	var d changeDoc
	if err := s.db.Collection(colChanges).FindOne(ctx, bson.D{{Key: "_id", Value: seqKey(seq)}}).Decode(&d); err != nil {
		return readmodel.Change{}, translate("read change "+strconv.FormatInt(seq, 10), err)
	}
	return readmodel.Change{Seq: seq, Of: d.Of, Kind: readmodel.Kind(d.Kind), IDs: d.IDs, Origin: d.Origin, At: d.At.UTC()}, nil
}

// ChangeHint returns a sequence number that exists (or 0): the head hint.
func (s *Store) ChangeHint(ctx context.Context) (int64, error) {
	var d headDoc
	err := translate("read change head", s.db.Collection(colChangeHead).FindOne(ctx, bson.D{{Key: "_id", Value: headID}}).Decode(&d))
	if isNotFound(err) {
		return 0, nil
	}
	return d.Seq, err
}

var _ readmodel.Inner = (*Store)(nil)

func isConflict(err error) bool { return errors.Is(err, training.ErrConflict) }

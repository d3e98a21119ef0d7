package mongodb

import (
	"cmp"
	"context"
	"errors"
	"fmt"
	"slices"
	"strconv"
	"sync"

	"go.mongodb.org/mongo-driver/v2/bson"
	"go.mongodb.org/mongo-driver/v2/mongo"
	"go.mongodb.org/mongo-driver/v2/mongo/options"

	"github.com/complytrack/complytrack/pkg/training"
)

// The booking index lists the bookings of each session and of each person,
// so that reading them is look-ups by _id, the only read the embedded
// engine serves from an index: any other filter (session_id, person_id,
// even {_id: {$in: [...]}}) reads the whole bookings collection, which
// grows for ever.
//
// Each listing is its own document, inserted once and never changed or
// removed: _id "<key>|<n>", where key is "session:<id>" or "person:<id>"
// and n counts 0, 1, 2, ... with no gaps, holding one booking ID. A
// cancelled booking stays listed: its state says it is not live. Partner
// attendees have no person, so only their session lists them.
//
// One document per key updated with $addToSet would be read in one
// look-up, but the embedded engine has no atomic read-modify-write: eight
// concurrent $addToSet upserts on one document kept 1 to 3 of the eight
// IDs, and the racing upserts failed with duplicate keys. Two people
// booking the same session at once would then lose a booking from the
// session's list (its place, its register). An insert under a unique _id
// is atomic on both engines, so a writer takes the first free number and,
// on a duplicate key, the next one.
//
// On MongoDB the same code runs; its session_id and person_id indexes on
// bookings stay for ad hoc queries.

// bookingIndexWidth is how many numbers of a key the first round of a
// read probes; later rounds double it up to bookingIndexMaxWidth.
const (
	bookingIndexWidth    = 4
	bookingIndexMaxWidth = 64
)

// lookupParallel is how many look-ups by _id one read makes at once.
const lookupParallel = 8

// bookingIndexBackfilled is the _id of the document that says every
// booking stored before the index existed has been listed.
const bookingIndexBackfilled = "backfilled"

type bookingIndexDoc struct {
	ID        string `bson:"_id"`
	BookingID string `bson:"booking_id,omitempty"`
}

func sessionKey(sessionID string) string { return "session:" + sessionID }
func personKey(personID string) string   { return "person:" + personID }

func indexEntryID(key string, n int) string { return key + "|" + strconv.Itoa(n) }

// keyedBooking is a booking ID to list under a key.
type keyedBooking struct{ key, bookingID string }

// bookingKeys are the listings of one booking: its session's and, unless
// it is a partner attendee's, its person's.
func bookingKeys(sessionID, personID, bookingID string) []keyedBooking {
	out := []keyedBooking{{sessionKey(sessionID), bookingID}}
	if personID != "" {
		out = append(out, keyedBooking{personKey(personID), bookingID})
	}
	return out
}

// listing is what the index holds under one key.
type listing struct {
	ids  []string // in the order listed, each once
	has  map[string]bool
	next int // the first free number
}

func (l *listing) add(id string, n int) {
	l.next = n + 1
	if !l.has[id] {
		l.has[id] = true
		l.ids = append(l.ids, id)
	}
}

// listings reads the index under each key. Each round probes the next
// numbers of every key not yet finished, all in parallel; a key is
// finished at its first number not found. The width doubles each round,
// so a key with k bookings costs about log2(k) rounds and under 2k+4
// look-ups.
func (s *Store) listings(ctx context.Context, keys []string) (map[string]*listing, error) {
	out := make(map[string]*listing, len(keys))
	var open []string
	for _, k := range keys {
		if out[k] == nil {
			out[k] = &listing{has: map[string]bool{}}
			open = append(open, k)
		}
	}
	type probe struct {
		key       string
		n         int
		bookingID string
		found     bool
	}
	col := s.db.Collection(colBookingIndex)
	for width := bookingIndexWidth; len(open) > 0; width = min(2*width, bookingIndexMaxWidth) {
		probes := make([]probe, 0, len(open)*width)
		for _, k := range open {
			for i := range width {
				probes = append(probes, probe{key: k, n: out[k].next + i})
			}
		}
		err := parallel(ctx, len(probes), func(ctx context.Context, i int) error {
			var d bookingIndexDoc
			err := col.FindOne(ctx, bson.D{{Key: "_id", Value: indexEntryID(probes[i].key, probes[i].n)}}).Decode(&d)
			if errors.Is(err, mongo.ErrNoDocuments) {
				return nil
			}
			if err != nil {
				return translate("read booking index", err)
			}
			probes[i].bookingID, probes[i].found = d.BookingID, true
			return nil
		})
		if err != nil {
			return nil, err
		}
		var still []string
		for j, k := range open {
			full := true
			for _, p := range probes[j*width : (j+1)*width] {
				// A number listed after a gap was inserted while this
				// round ran; the next read sees it.
				if !p.found {
					full = false
					break
				}
				out[k].add(p.bookingID, p.n)
			}
			if full {
				still = append(still, k)
			}
		}
		open = still
	}
	return out, nil
}

// listBookings lists each booking under its key, unless it is listed
// there already.
func (s *Store) listBookings(ctx context.Context, items []keyedBooking) error {
	keys := make([]string, len(items))
	for i, it := range items {
		keys[i] = it.key
	}
	ls, err := s.listings(ctx, keys)
	if err != nil {
		return err
	}
	col := s.db.Collection(colBookingIndex)
	for _, it := range items {
		l := ls[it.key]
		if l.has[it.bookingID] {
			continue
		}
		// Each duplicate key is a number another writer took meanwhile,
		// so this ends after at most as many tries as there are writers.
		for n := l.next; ; n++ {
			_, err := col.InsertOne(ctx, bookingIndexDoc{ID: indexEntryID(it.key, n), BookingID: it.bookingID})
			err = translate("list booking "+it.bookingID, err)
			if err == nil {
				l.add(it.bookingID, n)
				break
			}
			if !errors.Is(err, training.ErrConflict) {
				return err
			}
			if n-l.next > 10_000 {
				return fmt.Errorf("list booking %s: no free number under %s: %w", it.bookingID, it.key, err)
			}
		}
	}
	return nil
}

// indexedBookings reads the bookings listed under keys, each once, in the
// order listed, keeping those keep accepts. A listed ID with no booking
// (a booking whose insert failed, or one being inserted right now) is
// skipped.
func (st *SessionStore) indexedBookings(ctx context.Context, keys []string, keep func(training.Booking) bool) ([]training.Booking, error) {
	ls, err := st.s.listings(ctx, keys)
	if err != nil {
		return nil, err
	}
	var ids []string
	seen := map[string]bool{}
	for _, k := range keys {
		for _, id := range ls[k].ids {
			if !seen[id] {
				seen[id] = true
				ids = append(ids, id)
			}
		}
	}
	docs := make([]*bookingDoc, len(ids))
	col := st.s.db.Collection(colBookings)
	err = parallel(ctx, len(ids), func(ctx context.Context, i int) error {
		var d bookingDoc
		err := col.FindOne(ctx, bson.D{{Key: "_id", Value: ids[i]}}).Decode(&d)
		if errors.Is(err, mongo.ErrNoDocuments) {
			return nil
		}
		if err != nil {
			return translate("find booking "+ids[i], err)
		}
		docs[i] = &d
		return nil
	})
	if err != nil {
		return nil, err
	}
	out := make([]training.Booking, 0, len(docs))
	for _, d := range docs {
		if d == nil {
			continue
		}
		if b := d.booking(); keep(b) {
			out = append(out, b)
		}
	}
	return out, nil
}

// parallel calls f for 0..n-1, lookupParallel at a time, and returns the
// first error; the others' context is then cancelled.
func parallel(ctx context.Context, n int, f func(context.Context, int) error) error {
	if n == 1 {
		return f(ctx, 0)
	}
	ctx, cancel := context.WithCancel(ctx)
	defer cancel()
	var (
		wg    sync.WaitGroup
		mu    sync.Mutex
		first error
	)
	sem := make(chan struct{}, lookupParallel)
	for i := range n {
		sem <- struct{}{}
		wg.Go(func() {
			defer func() { <-sem }()
			if err := f(ctx, i); err != nil {
				mu.Lock()
				if first == nil {
					first = err
					cancel()
				}
				mu.Unlock()
			}
		})
	}
	wg.Wait()
	return first
}

// backfillBookingIndex lists the bookings stored before the booking index
// existed. It runs at start-up until it has once finished, which a
// document in the index records; after that it costs one look-up. The
// first run streams the bookings once (their IDs, sessions and people)
// and inserts the listings in batches. A key that already has listings
// (a booking taken by another process meanwhile, or a run cut short) is
// then listed one booking at a time, skipping what it holds already.
func (s *Store) backfillBookingIndex(ctx context.Context) error {
	col := s.db.Collection(colBookingIndex)
	err := col.FindOne(ctx, bson.D{{Key: "_id", Value: bookingIndexBackfilled}}).Err()
	if err == nil {
		return nil
	}
	if !errors.Is(err, mongo.ErrNoDocuments) {
		return translate("read booking index", err)
	}
	cur, err := s.db.Collection(colBookings).Find(ctx, bson.D{},
		options.Find().SetProjection(bson.D{{Key: "session_id", Value: 1}, {Key: "person_id", Value: 1}}))
	if err != nil {
		return translate("read bookings for the booking index", err)
	}
	var rows []bookingKeysDoc
	if err := cur.All(ctx, &rows); err != nil {
		return translate("read bookings for the booking index", err)
	}
	// In _id order, so that a second run lists each key's bookings under
	// the same numbers as a first run cut short did.
	slices.SortFunc(rows, func(a, b bookingKeysDoc) int { return cmp.Compare(a.ID, b.ID) })
	byKey := map[string][]string{}
	var keys []string
	for _, r := range rows {
		for _, kb := range bookingKeys(r.SessionID, r.PersonID, r.ID) {
			if _, ok := byKey[kb.key]; !ok {
				keys = append(keys, kb.key)
			}
			byKey[kb.key] = append(byKey[kb.key], kb.bookingID)
		}
	}
	var docs []bookingIndexDoc
	var docKeys []string
	for _, k := range keys {
		for n, id := range byKey[k] {
			docs = append(docs, bookingIndexDoc{ID: indexEntryID(k, n), BookingID: id})
			docKeys = append(docKeys, k)
		}
	}
	var again []keyedBooking
	taken := map[string]bool{}
	for start := 0; start < len(docs); start += bulkBatch {
		end := min(start+bulkBatch, len(docs))
		many := make([]any, 0, end-start)
		for _, d := range docs[start:end] {
			many = append(many, d)
		}
		_, err := col.InsertMany(ctx, many, options.InsertMany().SetOrdered(false))
		var bwe mongo.BulkWriteException
		switch {
		case err == nil:
		case errors.As(err, &bwe) && onlyDuplicates(bwe):
			for _, we := range bwe.WriteErrors {
				if k := docKeys[start+we.Index]; !taken[k] {
					taken[k] = true
					for _, id := range byKey[k] {
						again = append(again, keyedBooking{k, id})
					}
				}
			}
		default:
			return translate("fill the booking index", err)
		}
	}
	if err := s.listBookings(ctx, again); err != nil {
		return err
	}
	_, err = col.InsertOne(ctx, bookingIndexDoc{ID: bookingIndexBackfilled})
	if err = translate("fill the booking index", err); errors.Is(err, training.ErrConflict) {
		return nil // another process finished it too
	}
	return err
}

// bookingKeysDoc is what the backfill reads of a booking.
type bookingKeysDoc struct {
	ID        string `bson:"_id"`
	SessionID string `bson:"session_id"`
	PersonID  string `bson:"person_id"`
}

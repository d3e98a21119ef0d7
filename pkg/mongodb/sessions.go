package mongodb

import (
	"context"
	"fmt"
	"time"

	"go.mongodb.org/mongo-driver/v2/bson"
	"go.mongodb.org/mongo-driver/v2/mongo/options"

	"github.com/complytrack/complytrack/pkg/training"
)

// Face-to-face sessions, their bookings and the holds that keep one live
// booking per attendee per course. ("sessions" is taken by sign-ins.)
const (
	colTrainingSessions = "training_sessions"
	colBookings         = "bookings"
	colBookingHolds     = "booking_holds"
	colBookingIndex     = "booking_index"
)

// SessionStore keeps face-to-face sessions and their bookings
// (sessions.Store). It is its own type because the Store's method names
// about sessions belong to sign-ins.
type SessionStore struct{ s *Store }

// TrainingSessions returns the store of face-to-face sessions.
func (s *Store) TrainingSessions() *SessionStore { return &SessionStore{s: s} }

type trainingSessionDoc struct {
	ID           string    `bson:"_id"`
	CourseCode   string    `bson:"course_code"`
	Date         string    `bson:"date"`
	Start        string    `bson:"start"`
	End          string    `bson:"end"`
	Location     string    `bson:"location"`
	Capacity     int       `bson:"capacity"`
	TrainerID    string    `bson:"trainer_id"`
	Notes        string    `bson:"notes,omitempty"`
	State        string    `bson:"state"`
	CancelReason string    `bson:"cancel_reason,omitempty"`
	Sequence     int       `bson:"sequence"`
	CreatedBy    string    `bson:"created_by"`
	CreatedAt    time.Time `bson:"created_at"`
	UpdatedAt    time.Time `bson:"updated_at"`
}

func toTrainingSessionDoc(x training.Session) trainingSessionDoc {
	return trainingSessionDoc{
		ID: x.ID, CourseCode: x.CourseCode, Date: dateString(x.Date), Start: x.Start.String(), End: x.End.String(),
		Location: x.Location, Capacity: x.Capacity, TrainerID: x.TrainerID, Notes: x.Notes, State: string(x.State),
		CancelReason: x.CancelReason, Sequence: x.Sequence, CreatedBy: x.CreatedBy,
		CreatedAt: x.CreatedAt.Truncate(time.Millisecond), UpdatedAt: x.UpdatedAt.Truncate(time.Millisecond),
	}
}

func (d trainingSessionDoc) session() training.Session {
	// Only this package writes the times, always as HH:MM.
	start, _ := training.ParseTimeOfDay(d.Start)
	end, _ := training.ParseTimeOfDay(d.End)
	return training.Session{
		ID: d.ID, CourseCode: d.CourseCode, Date: parseStoredDate(d.Date), Start: start, End: end,
		Location: d.Location, Capacity: d.Capacity, TrainerID: d.TrainerID, Notes: d.Notes,
		State: training.SessionState(d.State), CancelReason: d.CancelReason, Sequence: d.Sequence,
		CreatedBy: d.CreatedBy, CreatedAt: d.CreatedAt.UTC(), UpdatedAt: d.UpdatedAt.UTC(),
	}
}

// InsertSession stores a new session.
func (st *SessionStore) InsertSession(ctx context.Context, x training.Session) error {
	_, err := st.s.db.Collection(colTrainingSessions).InsertOne(ctx, toTrainingSessionDoc(x))
	return translate("schedule session", err)
}

// Session returns one session, or training.ErrNotFound.
func (st *SessionStore) Session(ctx context.Context, id string) (training.Session, error) {
	var d trainingSessionDoc
	if err := st.s.db.Collection(colTrainingSessions).FindOne(ctx, bson.D{{Key: "_id", Value: id}}).Decode(&d); err != nil {
		return training.Session{}, translate("find session "+id, err)
	}
	return d.session(), nil
}

// UpdateSession replaces a session still last updated at prevUpdated;
// otherwise training.ErrConflict (someone changed it meanwhile).
func (st *SessionStore) UpdateSession(ctx context.Context, x training.Session, prevUpdated time.Time) error {
	filter := bson.D{{Key: "_id", Value: x.ID}, {Key: "updated_at", Value: prevUpdated.Truncate(time.Millisecond)}}
	res, err := st.s.db.Collection(colTrainingSessions).ReplaceOne(ctx, filter, toTrainingSessionDoc(x))
	if err != nil {
		return translate("update session", err)
	}
	if res.MatchedCount == 0 {
		return fmt.Errorf("update session %s: changed meanwhile: %w", x.ID, training.ErrConflict)
	}
	return nil
}

// Sessions returns the sessions dated from..to inclusive (zero to: no
// end). An organisation schedules a few hundred a year, and the date index
// serves the range on MongoDB.
func (st *SessionStore) Sessions(ctx context.Context, from, to training.Date) ([]training.Session, error) {
	rng := bson.D{{Key: "$gte", Value: dateString(from)}}
	if !to.IsZero() {
		rng = append(rng, bson.E{Key: "$lte", Value: dateString(to)})
	}
	cur, err := st.s.db.Collection(colTrainingSessions).Find(ctx, bson.D{{Key: "date", Value: rng}},
		options.Find().SetSort(bson.D{{Key: "date", Value: 1}, {Key: "start", Value: 1}, {Key: "_id", Value: 1}}))
	if err != nil {
		return nil, translate("list sessions", err)
	}
	var docs []trainingSessionDoc
	if err := cur.All(ctx, &docs); err != nil {
		return nil, translate("list sessions", err)
	}
	out := make([]training.Session, len(docs))
	for i, d := range docs {
		out[i] = d.session()
	}
	return out, nil
}

type externalDoc struct {
	Name         string `bson:"name"`
	Email        string `bson:"email"`
	Organisation string `bson:"organisation"`
}

type bookingDoc struct {
	ID           string       `bson:"_id"`
	SessionID    string       `bson:"session_id"`
	CourseCode   string       `bson:"course_code"`
	PersonID     string       `bson:"person_id,omitempty"`
	External     *externalDoc `bson:"external,omitempty"`
	State        string       `bson:"state"`
	Queued       time.Time    `bson:"queued"`
	BookedBy     string       `bson:"booked_by"`
	DecidedBy    string       `bson:"decided_by,omitempty"`
	DecidedAt    time.Time    `bson:"decided_at,omitempty"`
	CompletionID string       `bson:"completion_id,omitempty"`
}

func toBookingDoc(b training.Booking) bookingDoc {
	d := bookingDoc{
		ID: b.ID, SessionID: b.SessionID, CourseCode: b.CourseCode, PersonID: b.PersonID, State: string(b.State),
		Queued: b.Queued.Truncate(time.Millisecond), BookedBy: b.BookedBy, DecidedBy: b.DecidedBy,
		DecidedAt: b.DecidedAt.Truncate(time.Millisecond), CompletionID: b.CompletionID,
	}
	if b.External != nil {
		d.External = &externalDoc{Name: b.External.Name, Email: b.External.Email, Organisation: b.External.Organisation}
	}
	return d
}

func (d bookingDoc) booking() training.Booking {
	b := training.Booking{
		ID: d.ID, SessionID: d.SessionID, CourseCode: d.CourseCode, PersonID: d.PersonID, State: training.BookingState(d.State),
		Queued: d.Queued.UTC(), BookedBy: d.BookedBy, DecidedBy: d.DecidedBy, CompletionID: d.CompletionID,
	}
	if !d.DecidedAt.IsZero() {
		b.DecidedAt = d.DecidedAt.UTC()
	}
	if d.External != nil {
		b.External = &training.ExternalAttendee{Name: d.External.Name, Email: d.External.Email, Organisation: d.External.Organisation}
	}
	return b
}

// InsertBooking stores a new booking. It is listed in the booking index
// under its session and its person first, then inserted: a failure in
// between leaves at worst a listed ID with no booking, which readers skip,
// never a booking that no reader finds.
func (st *SessionStore) InsertBooking(ctx context.Context, b training.Booking) error {
	if err := st.s.listBookings(ctx, bookingKeys(b.SessionID, b.PersonID, b.ID)); err != nil {
		return err
	}
	_, err := st.s.db.Collection(colBookings).InsertOne(ctx, toBookingDoc(b))
	return translate("book session", err)
}

// Booking returns one booking, or training.ErrNotFound.
func (st *SessionStore) Booking(ctx context.Context, id string) (training.Booking, error) {
	var d bookingDoc
	if err := st.s.db.Collection(colBookings).FindOne(ctx, bson.D{{Key: "_id", Value: id}}).Decode(&d); err != nil {
		return training.Booking{}, translate("find booking "+id, err)
	}
	return d.booking(), nil
}

// UpdateBooking replaces a booking whose stored state is still from;
// otherwise training.ErrConflict.
//
// The state is checked by reading the booking by _id and the write is by
// _id alone: on the embedded engine any other filter reads the whole
// collection, and bookings grow for ever. Neither engine then makes the
// check and the write one step; the service's own rules (holds by key,
// outbox keys) keep a lost race harmless.
func (st *SessionStore) UpdateBooking(ctx context.Context, b training.Booking, from training.BookingState) error {
	cur, err := st.Booking(ctx, b.ID)
	if err != nil {
		return err
	}
	if cur.State != from {
		return fmt.Errorf("update booking %s: no longer %s: %w", b.ID, from, training.ErrConflict)
	}
	res, err := st.s.db.Collection(colBookings).ReplaceOne(ctx, bson.D{{Key: "_id", Value: b.ID}}, toBookingDoc(b))
	if err != nil {
		return translate("update booking", err)
	}
	if res.MatchedCount == 0 {
		return fmt.Errorf("update booking %s: %w", b.ID, training.ErrNotFound)
	}
	return nil
}

// SessionBookings returns a session's bookings: the IDs listed under the
// session in the booking index, then each booking by _id.
func (st *SessionStore) SessionBookings(ctx context.Context, sessionID string) ([]training.Booking, error) {
	return st.indexedBookings(ctx, []string{sessionKey(sessionID)}, func(b training.Booking) bool { return b.SessionID == sessionID })
}

// PersonBookings returns a person's bookings, through the booking index
// as SessionBookings does.
func (st *SessionStore) PersonBookings(ctx context.Context, personID string) ([]training.Booking, error) {
	return st.indexedBookings(ctx, []string{personKey(personID)}, func(b training.Booking) bool { return b.PersonID == personID })
}

type holdDoc struct {
	ID        string    `bson:"_id"`
	BookingID string    `bson:"booking_id"`
	At        time.Time `bson:"at"`
}

// InsertHold claims key for a booking; a key held already is
// training.ErrConflict (the unique _id decides between two processes).
func (st *SessionStore) InsertHold(ctx context.Context, key, bookingID string, at time.Time) error {
	_, err := st.s.db.Collection(colBookingHolds).InsertOne(ctx, holdDoc{ID: key, BookingID: bookingID, At: at.Truncate(time.Millisecond)})
	return translate("hold place", err)
}

// Hold returns the booking holding key, or training.ErrNotFound.
func (st *SessionStore) Hold(ctx context.Context, key string) (string, time.Time, error) {
	var d holdDoc
	if err := st.s.db.Collection(colBookingHolds).FindOne(ctx, bson.D{{Key: "_id", Value: key}}).Decode(&d); err != nil {
		return "", time.Time{}, translate("find hold", err)
	}
	return d.BookingID, d.At.UTC(), nil
}

// ReplaceHold moves key from booking old to booking next: the old hold is
// deleted and the new one inserted, so that of two processes replacing
// the same stale hold only one insert succeeds (training.ErrConflict for
// the other).
func (st *SessionStore) ReplaceHold(ctx context.Context, key, old, next string, at time.Time) error {
	if err := st.ReleaseHold(ctx, key, old); err != nil {
		return err
	}
	return st.InsertHold(ctx, key, next, at)
}

// ReleaseHold frees key if bookingID still holds it.
func (st *SessionStore) ReleaseHold(ctx context.Context, key, bookingID string) error {
	_, err := st.s.db.Collection(colBookingHolds).DeleteOne(ctx, bson.D{{Key: "_id", Value: key}, {Key: "booking_id", Value: bookingID}})
	return translate("release hold", err)
}

// BookingsOfSessions returns the bookings of several sessions (a list of
// sessions with their places), through the booking index.
func (st *SessionStore) BookingsOfSessions(ctx context.Context, sessionIDs []string) ([]training.Booking, error) {
	if len(sessionIDs) == 0 {
		return nil, nil
	}
	keys := make([]string, len(sessionIDs))
	want := make(map[string]bool, len(sessionIDs))
	for i, id := range sessionIDs {
		keys[i] = sessionKey(id)
		want[id] = true
	}
	return st.indexedBookings(ctx, keys, func(b training.Booking) bool { return want[b.SessionID] })
}

// ScanBookingsOfSessions returns the bookings of many sessions in one
// read of the bookings collection: for a report over a period, which
// visits most of the history. MongoDB serves it from the session_id
// index; the embedded engine reads the whole collection, which at 4,000
// bookings costs what the look-ups of fifteen to twenty sessions' bookings
// do.
func (st *SessionStore) ScanBookingsOfSessions(ctx context.Context, sessionIDs []string) ([]training.Booking, error) {
	if len(sessionIDs) == 0 {
		return nil, nil
	}
	cur, err := st.s.db.Collection(colBookings).Find(ctx, bson.D{{Key: "session_id", Value: bson.D{{Key: "$in", Value: sessionIDs}}}})
	if err != nil {
		return nil, translate("list bookings", err)
	}
	var docs []bookingDoc
	if err := cur.All(ctx, &docs); err != nil {
		return nil, translate("list bookings", err)
	}
	out := make([]training.Booking, len(docs))
	for i, d := range docs {
		out[i] = d.booking()
	}
	return out, nil
}

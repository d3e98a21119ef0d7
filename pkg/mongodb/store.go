// Package mongodb is complytrack's store: the documents, indexes and queries
// behind the domain, on MongoDB or the embedded MongoDB-compatible engine.
//
// It uses only what both engines do (see docs/database.md): no transactions, no
// $lookup, no partial or TTL indexes. Concurrency control comes from unique
// indexes and insert-only documents, because the embedded engine applies an
// update by reading, changing and rewriting the document with no lock
// around the three steps: two concurrent updates of one document may lose
// one. So completions, decisions on them, exemption removals and the audit
// log are inserted once and never updated.
package mongodb

import (
	"context"
	"errors"
	"fmt"
	"strings"
	"time"

	"go.mongodb.org/mongo-driver/v2/bson"
	"go.mongodb.org/mongo-driver/v2/mongo"
	"go.mongodb.org/mongo-driver/v2/mongo/options"

	"github.com/complytrack/complytrack/pkg/training"
)

// Collection names.
const (
	colPeople              = "people"
	colCourses             = "courses"
	colCompletions         = "completions"
	colCompletionDecisions = "completion_decisions"
	colExemptions          = "exemptions"
	colExemptionRemovals   = "exemption_removals"
	colAudit               = "audit"
)

// Store reads and writes complytrack's documents in one database.
type Store struct {
	db  *mongo.Database
	now func() time.Time
	// claims is shared by the store's change-log appends (AppendChange).
	claims *changeClaims
}

// New returns a Store on db. Call Migrate before first use.
func New(db *mongo.Database) *Store {
	return &Store{db: db, now: func() time.Time { return time.Now().UTC() }, claims: newChangeClaims()}
}

// WithClock makes the store stamp documents (created, updated, recorded
// times) with now instead of the real clock, so every part of the app
// agrees on what time it is (tests drive one clock through all of them).
func (s *Store) WithClock(now func() time.Time) *Store {
	s.now = func() time.Time { return now().UTC() }
	return s
}

// DB returns the underlying database, for packages that keep their own
// collections in it (accounts, outbox, jobs).
func (s *Store) DB() *mongo.Database { return s.db }

// Ping reports whether the database answers.
func (s *Store) Ping(ctx context.Context) error {
	return s.db.RunCommand(ctx, bson.D{{Key: "ping", Value: 1}}).Err()
}

// Connect opens a client for uri, checks it answers within timeout, and
// returns it. The caller disconnects it.
func Connect(ctx context.Context, uri string, timeout time.Duration) (*mongo.Client, error) {
	// Defaults first, so that timeouts named in the URI win.
	opts := options.Client().
		SetServerSelectionTimeout(timeout).
		SetConnectTimeout(timeout).
		SetAppName("complytrack").
		ApplyURI(uri)
	client, err := mongo.Connect(opts)
	if err != nil {
		return nil, fmt.Errorf("connect to MongoDB: %w", err)
	}
	pingCtx, cancel := context.WithTimeout(ctx, timeout)
	defer cancel()
	if err := client.Ping(pingCtx, nil); err != nil {
		_ = client.Disconnect(context.Background())
		return nil, fmt.Errorf("MongoDB at %s did not answer: %w", redactURI(uri), err)
	}
	return client, nil
}

// redactURI hides the password of a connection string for log lines.
func redactURI(uri string) string {
	cs, err := connstringRedact(uri)
	if err != nil {
		return "(unparseable URI)"
	}
	return cs
}

// index describes one index Migrate ensures.
type index struct {
	collection string
	keys       bson.D
	unique     bool
	name       string
}

var indexes = []index{
	{colJobLeases, bson.D{{Key: "job", Value: 1}, {Key: "epoch", Value: 1}}, false, "job_epoch"},
	{colJobRuns, bson.D{{Key: "job", Value: 1}, {Key: "run_at", Value: 1}}, false, "job_run_at"},
	{colPeople, bson.D{{Key: "employee_number", Value: 1}}, true, "employee_number_unique"},
	{colPeople, bson.D{{Key: "email_lower", Value: 1}}, true, "email_lower_unique"},
	{colPeople, bson.D{{Key: "manager_id", Value: 1}}, false, "manager_id"},
	{colPeople, bson.D{{Key: "department", Value: 1}, {Key: "family_name", Value: 1}, {Key: "_id", Value: 1}}, false, "department_name"},
	{colPeople, bson.D{{Key: "family_name", Value: 1}, {Key: "_id", Value: 1}}, false, "name"},
	{colPeople, bson.D{{Key: "updated_at", Value: 1}}, false, "updated_at"},
	{colCompletions, bson.D{{Key: "person_id", Value: 1}, {Key: "course_code", Value: 1}, {Key: "completed_on", Value: 1}}, false, "person_course_date"},
	{colCompletions, bson.D{{Key: "evidence.sha256", Value: 1}}, false, "evidence_sha256"},
	{colCompletionDecisions, bson.D{{Key: "completion_id", Value: 1}}, false, "completion_id"},
	{colExemptions, bson.D{{Key: "person_id", Value: 1}, {Key: "course_code", Value: 1}}, false, "person_course"},
	{colAudit, bson.D{{Key: "entity_id", Value: 1}, {Key: "_id", Value: 1}}, false, "entity_time"},
	{colOutbox, bson.D{{Key: "key", Value: 1}}, true, "key_unique"},
	{colAccounts, bson.D{{Key: "roles", Value: 1}}, false, "roles"},
	{colFlags, bson.D{{Key: "key", Value: 1}}, true, "key_unique"},
	{colOutbox, bson.D{{Key: "to_lower", Value: 1}, {Key: "_id", Value: 1}}, false, "to_time"},
	{colOutbox, bson.D{{Key: "state", Value: 1}, {Key: "_id", Value: 1}}, false, "state_time"},
	{colOutbox, bson.D{{Key: "state", Value: 1}, {Key: "next_attempt_at", Value: 1}, {Key: "_id", Value: 1}}, false, "state_next_attempt"},
	{colSigninFailures, bson.D{{Key: "expires_at", Value: 1}}, false, "expires_at"},
	{colTrainingSessions, bson.D{{Key: "date", Value: 1}, {Key: "start", Value: 1}}, false, "date_start"},
	{colBookings, bson.D{{Key: "session_id", Value: 1}}, false, "session_id"},
	{colBookings, bson.D{{Key: "person_id", Value: 1}}, false, "person_id"},
}

// Migrate creates the collections and indexes the store needs. It is
// idempotent: every start-up runs it, and an index that exists already is
// left alone.
func (s *Store) Migrate(ctx context.Context) error {
	existing, err := s.db.ListCollectionNames(ctx, bson.D{})
	if err != nil {
		return fmt.Errorf("list collections: %w", err)
	}
	have := map[string]bool{}
	for _, n := range existing {
		have[n] = true
	}
	for _, name := range []string{colJobLeases, colJobRuns, colPeople, colCourses, colCompletions, colCompletionDecisions, colExemptions, colExemptionRemovals, colAudit, colChanges, colChangeHead, colHeldImports, colHeldImportChunks, colOutbox,
		colAccounts, colSessions, colSessionRevocations, colRefreshTokens, colRefreshSpent, colInvitations, colInvitationsSpent, colInvitationsLatest, colAddedBatches, colFlags, colFlagDecisions, colPersonVersions, colNotices, colSnapshots,
		colDeliveries, colDeliveryOutcomes, colSigninFailures, colTrainingSessions, colBookings, colBookingHolds, colBookingIndex,
		colSSOLinks, colSSOLinksByPerson, colLastSignIns, colSSOAttempts, colSSOAttemptsSpent,
		colPasswordResets, colPasswordResetsSpent} {
		if have[name] {
			continue
		}
		if err := s.db.CreateCollection(ctx, name); err != nil && !isNamespaceExists(err) {
			return fmt.Errorf("create collection %s: %w", name, err)
		}
	}
	// Only missing indexes are created: the embedded engine fails (and
	// drops the connection) when asked to create an index that exists.
	present := map[string]map[string]bool{}
	for _, ix := range indexes {
		names, ok := present[ix.collection]
		if !ok {
			specs, err := s.db.Collection(ix.collection).Indexes().ListSpecifications(ctx)
			if err != nil {
				return fmt.Errorf("list indexes of %s: %w", ix.collection, err)
			}
			names = map[string]bool{}
			for _, sp := range specs {
				names[sp.Name] = true
			}
			present[ix.collection] = names
		}
		if names[ix.name] {
			continue
		}
		model := mongo.IndexModel{Keys: ix.keys, Options: options.Index().SetName(ix.name).SetUnique(ix.unique)}
		if _, err := s.db.Collection(ix.collection).Indexes().CreateOne(ctx, model); err != nil {
			return fmt.Errorf("create index %s on %s: %w", ix.name, ix.collection, err)
		}
		names[ix.name] = true
	}
	if err := s.backfillBookingIndex(ctx); err != nil {
		return err
	}
	if err := s.migrateReminders(ctx); err != nil {
		return err
	}
	// The certificate files' collections exist from the start, so the
	// embedded engine's start-up _id indexing covers them too.
	return s.migrateEvidence(ctx)
}

// isEmbeddedUniqueViolation recognises the embedded engine's answer to an
// update that breaks a unique index: it reports SQLite's constraint error as
// an InternalError (code 1) instead of MongoDB's duplicate key (11000).
func isEmbeddedUniqueViolation(err error) bool {
	var ce mongo.CommandError
	if errors.As(err, &ce) && ce.Code == 1 && containsUnique(ce.Message) {
		return true
	}
	var we mongo.WriteException
	if errors.As(err, &we) {
		for _, e := range we.WriteErrors {
			if e.Code == 1 && containsUnique(e.Message) {
				return true
			}
		}
	}
	return false
}

func containsUnique(msg string) bool { return strings.Contains(msg, "UNIQUE constraint failed") }

func isNamespaceExists(err error) bool {
	var ce mongo.CommandError
	return errors.As(err, &ce) && (ce.Code == 48 || ce.Name == "NamespaceExists")
}

// translate turns driver errors into domain errors, wrapped with what was
// being done: no document is training.ErrNotFound, a duplicate key is
// training.ErrConflict. Everything else is returned wrapped as it is.
func translate(op string, err error) error {
	switch {
	case err == nil:
		return nil
	case errors.Is(err, mongo.ErrNoDocuments):
		return fmt.Errorf("%s: %w", op, training.ErrNotFound)
	case mongo.IsDuplicateKeyError(err), isEmbeddedUniqueViolation(err):
		return fmt.Errorf("%s: %w", op, training.ErrConflict)
	default:
		return fmt.Errorf("%s: %w", op, err)
	}
}

// NewID returns a new, time-ordered identifier (an ObjectID in hex), so that
// documents inserted later sort later by _id.
func NewID() string { return bson.NewObjectID().Hex() }

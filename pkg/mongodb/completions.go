package mongodb

import (
	"context"
	"errors"
	"time"

	"go.mongodb.org/mongo-driver/v2/bson"
	"go.mongodb.org/mongo-driver/v2/mongo/options"

	"github.com/complytrack/complytrack/pkg/training"
)

// completionDoc is inserted once and never changed.
type completionDoc struct {
	ID                string       `bson:"_id"`
	PersonID          string       `bson:"person_id"`
	CourseCode        string       `bson:"course_code"`
	CompletedOn       string       `bson:"completed_on"`
	Source            string       `bson:"source"`
	CertificateRef    string       `bson:"certificate_ref,omitempty"`
	Evidence          *evidenceDoc `bson:"evidence,omitempty"`
	RecordedBy        string       `bson:"recorded_by"`
	RecordedAt        time.Time    `bson:"recorded_at"`
	NeedsVerification bool         `bson:"needs_verification"`
}

type evidenceDoc struct {
	FileID      string `bson:"file_id"`
	SHA256      string `bson:"sha256"`
	ContentType string `bson:"content_type"`
	Size        int64  `bson:"size"`
	Filename    string `bson:"filename"`
}

// decisionDoc is a review (verify or reject) or a revocation of one
// completion. Its _id is "<completion id>/review" or "<completion id>/revoke",
// so the unique _id index lets each happen at most once, on both engines,
// without a transaction or a conditional update.
type decisionDoc struct {
	ID           string    `bson:"_id"`
	CompletionID string    `bson:"completion_id"`
	Kind         string    `bson:"kind"` // review or revoke
	Accepted     bool      `bson:"accepted"`
	By           string    `bson:"by"`
	At           time.Time `bson:"at"`
	Reason       string    `bson:"reason,omitempty"`
}

const (
	decisionReview = "review"
	decisionRevoke = "revoke"
)

func toCompletionDoc(c training.Completion) completionDoc {
	d := completionDoc{
		ID: c.ID, PersonID: c.PersonID, CourseCode: c.CourseCode,
		CompletedOn:       dateString(c.CompletedOn),
		Source:            string(c.Source),
		CertificateRef:    c.CertificateRef,
		RecordedBy:        c.RecordedBy,
		RecordedAt:        c.RecordedAt,
		NeedsVerification: c.NeedsVerification,
	}
	if e := c.Evidence; e != nil {
		d.Evidence = &evidenceDoc{FileID: e.FileID, SHA256: e.SHA256, ContentType: e.ContentType, Size: e.Size, Filename: e.Filename}
	}
	return d
}

func (d completionDoc) completion() training.Completion {
	c := training.Completion{
		ID: d.ID, PersonID: d.PersonID, CourseCode: d.CourseCode,
		CompletedOn:       parseStoredDate(d.CompletedOn),
		Source:            training.Source(d.Source),
		CertificateRef:    d.CertificateRef,
		RecordedBy:        d.RecordedBy,
		RecordedAt:        d.RecordedAt.UTC(),
		NeedsVerification: d.NeedsVerification,
	}
	if e := d.Evidence; e != nil {
		c.Evidence = &training.EvidenceFile{FileID: e.FileID, SHA256: e.SHA256, ContentType: e.ContentType, Size: e.Size, Filename: e.Filename}
	}
	return c
}

// applyDecision sets the review or revocation a decision records.
func applyDecision(c *training.Completion, d decisionDoc) {
	dec := training.Decision{By: d.By, At: d.At.UTC(), Reason: d.Reason}
	switch d.Kind {
	case decisionReview:
		c.Review = &training.Review{Decision: dec, Accepted: d.Accepted}
	case decisionRevoke:
		c.Revocation = &dec
	}
}

// InsertCompletion records a completion, giving it an ID and a recorded-at
// time when they are empty, and returns what was stored.
func (s *Store) InsertCompletion(ctx context.Context, c training.Completion) (training.Completion, error) {
	if c.ID == "" {
		c.ID = NewID()
	}
	if c.RecordedAt.IsZero() {
		c.RecordedAt = s.now()
	}
	c.RecordedAt = c.RecordedAt.Truncate(time.Millisecond)
	c.Review, c.Revocation = nil, nil
	if _, err := s.db.Collection(colCompletions).InsertOne(ctx, toCompletionDoc(c)); err != nil {
		return training.Completion{}, translate("record completion", err)
	}
	return c, nil
}

// Completion returns one completion with its review and revocation.
func (s *Store) Completion(ctx context.Context, id string) (training.Completion, error) {
	var d completionDoc
	if err := s.db.Collection(colCompletions).FindOne(ctx, bson.D{{Key: "_id", Value: id}}).Decode(&d); err != nil {
		return training.Completion{}, translate("find completion "+id, err)
	}
	c := d.completion()
	for _, kind := range []string{decisionReview, decisionRevoke} {
		var dd decisionDoc
		err := s.db.Collection(colCompletionDecisions).FindOne(ctx, bson.D{{Key: "_id", Value: id + "/" + kind}}).Decode(&dd)
		if err = translate("find decision", err); err != nil {
			if isNotFound(err) {
				continue
			}
			return training.Completion{}, err
		}
		applyDecision(&c, dd)
	}
	return c, nil
}

// ReviewCompletion records that a pending completion was verified
// (accepted) or rejected. A completion is reviewed at most once: a second
// review is training.ErrConflict.
func (s *Store) ReviewCompletion(ctx context.Context, completionID string, accepted bool, d training.Decision) error {
	return s.insertDecision(ctx, decisionDoc{
		ID: completionID + "/" + decisionReview, CompletionID: completionID, Kind: decisionReview,
		Accepted: accepted, By: d.By, At: d.At, Reason: d.Reason,
	})
}

// RevokeCompletion records that HR withdrew a completion. It happens at
// most once: a second revocation is training.ErrConflict.
func (s *Store) RevokeCompletion(ctx context.Context, completionID string, d training.Decision) error {
	return s.insertDecision(ctx, decisionDoc{
		ID: completionID + "/" + decisionRevoke, CompletionID: completionID, Kind: decisionRevoke,
		By: d.By, At: d.At, Reason: d.Reason,
	})
}

func (s *Store) insertDecision(ctx context.Context, d decisionDoc) error {
	if d.At.IsZero() {
		d.At = s.now()
	}
	d.At = d.At.Truncate(time.Millisecond)
	_, err := s.db.Collection(colCompletionDecisions).InsertOne(ctx, d)
	return translate(d.Kind+" completion "+d.CompletionID, err)
}

// CompletionsOf returns a person's completions, oldest first, with their
// decisions.
func (s *Store) CompletionsOf(ctx context.Context, personID string) ([]training.Completion, error) {
	docs, err := findAll[completionDoc](ctx, s.db.Collection(colCompletions),
		bson.D{{Key: "person_id", Value: personID}},
		options.Find().SetSort(bson.D{{Key: "completed_on", Value: 1}, {Key: "_id", Value: 1}}))
	if err != nil {
		return nil, translate("list completions", err)
	}
	if len(docs) == 0 {
		return nil, nil
	}
	ids := make(bson.A, len(docs))
	for i, d := range docs {
		ids[i] = d.ID
	}
	decisions, err := findAll[decisionDoc](ctx, s.db.Collection(colCompletionDecisions),
		bson.D{{Key: "completion_id", Value: bson.D{{Key: "$in", Value: ids}}}})
	if err != nil {
		return nil, translate("list decisions", err)
	}
	byID := map[string][]decisionDoc{}
	for _, d := range decisions {
		byID[d.CompletionID] = append(byID[d.CompletionID], d)
	}
	out := make([]training.Completion, len(docs))
	for i, d := range docs {
		out[i] = d.completion()
		for _, dd := range byID[d.ID] {
			applyDecision(&out[i], dd)
		}
	}
	return out, nil
}

// EachCompletion streams every completion with its decisions: one pass over
// the decisions (held in memory: they are few and small), then one over the
// completions.
func (s *Store) EachCompletion(ctx context.Context, fn func(training.Completion) error) error {
	decided := map[string][]decisionDoc{}
	if err := each(ctx, s.db.Collection(colCompletionDecisions), bson.D{}, func(d decisionDoc) error {
		decided[d.CompletionID] = append(decided[d.CompletionID], d)
		return nil
	}); err != nil {
		return err
	}
	return each(ctx, s.db.Collection(colCompletions), bson.D{}, func(d completionDoc) error {
		c := d.completion()
		for _, dd := range decided[d.ID] {
			applyDecision(&c, dd)
		}
		return fn(c)
	})
}

// CompletionsWithEvidence returns the completions whose certificate file
// has this SHA-256, to spot one file offered for two people.
func (s *Store) CompletionsWithEvidence(ctx context.Context, sha256 string) ([]training.Completion, error) {
	docs, err := findAll[completionDoc](ctx, s.db.Collection(colCompletions), bson.D{{Key: "evidence.sha256", Value: sha256}})
	if err != nil {
		return nil, translate("find by evidence", err)
	}
	out := make([]training.Completion, len(docs))
	for i, d := range docs {
		out[i] = d.completion()
	}
	return out, nil
}

func isNotFound(err error) bool { return errors.Is(err, training.ErrNotFound) }

package training

import (
	"context"
	"crypto/rand"
	"encoding/binary"
	"encoding/hex"
	"fmt"
	"slices"
	"strings"
	"sync/atomic"
	"time"
)

// BulkStore is what an import needs beyond Store: batch writes, so a
// 20,000-row file costs a few round trips, not tens of thousands.
type BulkStore interface {
	// InsertPeople stores new people (IDs set), returning by position
	// those refused as duplicates.
	InsertPeople(ctx context.Context, people []Person) (refused map[int]error, err error)
	AppendAudits(ctx context.Context, entries []AuditEntry) error
}

// ImportCreate is a new person from line Line of an import file.
type ImportCreate struct {
	Line  int
	Input PersonInput
}

// ImportUpdate changes person ID as line Line of an import file says.
type ImportUpdate struct {
	Line  int
	ID    string
	Patch PersonPatch
}

// LineError is a problem with one line of an import file.
type LineError struct {
	Line    int    `json:"line"`
	Field   string `json:"field"`
	Message string `json:"message"`
}

// ImportResult counts what an import did.
type ImportResult struct {
	Created int
	Updated int
	Errors  []LineError
}

// PeopleForImport returns everyone, for planning an import. Only HR may.
func (s *Service) PeopleForImport(ctx context.Context, actor Actor) ([]Person, error) {
	if !actor.HR {
		return nil, fmt.Errorf("import people: %w", ErrForbidden)
	}
	if err := s.refresh(ctx); err != nil {
		return nil, err
	}
	s.roster.mu.RLock()
	defer s.roster.mu.RUnlock()
	out := make([]Person, 0, len(s.roster.people))
	for _, p := range s.roster.people {
		out = append(out, *p)
	}
	return out, nil
}

// ApplyImport writes a planned import: every create in batches, then each
// update. Creates may name managers created in the same import: IDs are
// given out before anything is written. Managers must come before their
// reports in updates (the planner orders them so). Only HR may.
func (s *Service) ApplyImport(ctx context.Context, actor Actor, creates []ImportCreate, updates []ImportUpdate) (ImportResult, error) {
	if !actor.HR {
		return ImportResult{}, fmt.Errorf("import people: %w", ErrForbidden)
	}
	bulk, ok := s.store.(BulkStore)
	if !ok {
		return ImportResult{}, fmt.Errorf("import people: the store cannot write in bulk")
	}
	if err := s.refresh(ctx); err != nil {
		return ImportResult{}, err
	}
	var res ImportResult
	now := s.now().UTC()

	// Give every new person an ID, so managers created in this file resolve.
	ids := map[string]string{}
	s.roster.mu.RLock()
	for number, id := range s.roster.byNumber {
		ids[number] = id
	}
	s.roster.mu.RUnlock()
	people := make([]Person, len(creates))
	for i, c := range creates {
		people[i] = Person{ID: newID(now), EmployeeNumber: c.Input.EmployeeNumber, Email: c.Input.Email,
			GivenName: c.Input.GivenName, FamilyName: c.Input.FamilyName, Kind: c.Input.Kind, JobTitle: c.Input.JobTitle,
			Department: c.Input.Department, StartDate: c.Input.StartDate, EndDate: c.Input.EndDate}
		ids[c.Input.EmployeeNumber] = people[i].ID
	}
	for i, c := range creates {
		if m := c.Input.ManagerEmployeeNumber; m != "" {
			people[i].ManagerID = ids[m]
		}
	}
	refused, err := bulk.InsertPeople(ctx, people)
	if err != nil {
		return res, err
	}
	var audits []AuditEntry
	s.roster.mu.Lock()
	for i, p := range people {
		if _, bad := refused[i]; bad {
			res.Errors = append(res.Errors, LineError{Line: creates[i].Line, Field: "employee_number",
				Message: "Someone else took this employee number or email address while the file was being imported."})
			continue
		}
		s.roster.putPerson(p)
		res.Created++
		audits = append(audits, s.auditEntry(actor, "person.import_create", "person", p.ID, nil, auditPerson(p), now))
	}
	s.roster.mu.Unlock()

	for _, u := range updates {
		updated, before, err := s.applyPatch(ctx, u.ID, u.Patch, ids)
		if err != nil {
			res.Errors = append(res.Errors, LineError{Line: u.Line, Message: publicMessage(err)})
			continue
		}
		res.Updated++
		audits = append(audits, s.auditEntry(actor, "person.import_update", "person", updated.ID, auditPerson(before), auditPerson(updated), now))
	}
	if res.Created+res.Updated > 0 {
		s.changed(ctx)
	}
	if err := bulk.AppendAudits(ctx, audits); err != nil {
		return res, fmt.Errorf("audit import: %w", err)
	}
	slices.SortFunc(res.Errors, func(a, b LineError) int { return a.Line - b.Line })
	return res, nil
}

// applyPatch applies an import's change to one stored person.
func (s *Service) applyPatch(ctx context.Context, id string, patch PersonPatch, ids map[string]string) (Person, Person, error) {
	s.roster.mu.RLock()
	cur, ok := s.roster.people[id]
	s.roster.mu.RUnlock()
	if !ok {
		return Person{}, Person{}, fmt.Errorf("person %s: %w", id, ErrNotFound)
	}
	before := *cur
	p := before
	p.Apply(patch)
	if patch.ManagerEmployeeNumber != nil {
		p.ManagerID = ids[*patch.ManagerEmployeeNumber]
	}
	updated, err := s.store.UpdatePerson(ctx, p)
	if err != nil {
		return Person{}, Person{}, s.explainConflict(err, p)
	}
	s.roster.mu.Lock()
	s.roster.putPerson(updated)
	s.roster.mu.Unlock()
	return updated, before, nil
}

// auditEntry builds an entry for a batch write.
func (s *Service) auditEntry(actor Actor, action, entity, id string, before, after any, at time.Time) AuditEntry {
	e := AuditEntry{At: at, Actor: actor.PersonID, Action: action, Entity: entity, EntityID: id}
	e.Before, _ = jsonOrNil(before)
	e.After, _ = jsonOrNil(after)
	return e
}

// publicMessage is an error's text when it is safe to show (a conflict's
// own message or a validation error), else a generic one.
func publicMessage(err error) string {
	var pe interface{ PublicMessage() string }
	var ve *ValidationError
	switch {
	case asError(err, &pe):
		return pe.PublicMessage()
	case asError(err, &ve):
		msgs := make([]string, len(ve.Fields))
		for i, f := range ve.Fields {
			msgs[i] = f.Message
		}
		return strings.Join(msgs, " ")
	default:
		return "This line could not be saved. Import the file again."
	}
}

var idCounter atomic.Uint32

// newID returns an ObjectID-shaped, time-ordered ID (4 bytes of seconds,
// 5 random, 3 of a counter), the same shape the store gives out.
func newID(now time.Time) string {
	var b [12]byte
	binary.BigEndian.PutUint32(b[0:4], uint32(now.Unix()))
	_, _ = rand.Read(b[4:9])
	c := idCounter.Add(1)
	b[9], b[10], b[11] = byte(c>>16), byte(c>>8), byte(c)
	return hex.EncodeToString(b[:])
}

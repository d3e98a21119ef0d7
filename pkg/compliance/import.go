package compliance

import (
	"context"
	"errors"
	"fmt"
	"slices"
	"strings"
	"time"

	"github.com/complytrack/complytrack/pkg/ids"
	"github.com/complytrack/complytrack/pkg/training"
)

// BulkStore is what an import needs beyond Store: batch writes, so a
// 20,000-row file costs a few round trips, not tens of thousands.
type BulkStore interface {
	// InsertPeople stores new people (IDs set), returning by position
	// those refused as duplicates.
	InsertPeople(ctx context.Context, people []training.Person) (refused map[int]error, err error)
	// UpdatePeople replaces people (as UpdatePerson), returning them as
	// stored and, by position, those refused (a duplicate employee number
	// or e-mail, someone no longer there).
	UpdatePeople(ctx context.Context, people []training.Person) (stored []training.Person, refused map[int]error, err error)
	AppendAudits(ctx context.Context, entries []training.AuditEntry) error
}

// PeopleForImport returns everyone, for planning an import. Only HR may.
func (s *People) PeopleForImport(ctx context.Context, actor training.Actor) ([]training.Person, error) {
	if !actor.HR {
		return nil, fmt.Errorf("import people: %w", training.ErrForbidden)
	}
	var out []training.Person
	err := s.read(ctx, func(o Org) error {
		out = make([]training.Person, 0, o.People())
		o.EachPerson(func(p training.Person) bool { out = append(out, p); return true })
		return nil
	})
	return out, err
}

// ApplyImport writes a planned import: every create in batches, then each
// update. Creates may name managers created in the same import: IDs are
// given out before anything is written. Managers must come before their
// reports in updates (the planner orders them so). Only HR may.
func (s *People) ApplyImport(ctx context.Context, actor training.Actor, creates []training.ImportCreate, updates []training.ImportUpdate) (training.ImportResult, error) {
	if !actor.HR {
		return training.ImportResult{}, fmt.Errorf("import people: %w", training.ErrForbidden)
	}
	bulk, ok := s.store.(BulkStore)
	if !ok {
		return training.ImportResult{}, fmt.Errorf("import people: the store cannot write in bulk")
	}
	var res training.ImportResult
	now := s.now().UTC()

	// Give every new person an ID, so managers created in this file resolve.
	idOf := map[string]string{}
	current := map[string]training.Person{}
	if err := s.read(ctx, func(o Org) error {
		o.EachPerson(func(p training.Person) bool { idOf[p.EmployeeNumber] = p.ID; return true })
		for _, u := range updates {
			if p, ok := o.Person(u.ID); ok {
				current[u.ID] = p
			}
		}
		return nil
	}); err != nil {
		return res, err
	}
	people := make([]training.Person, len(creates))
	for i, c := range creates {
		people[i] = c.Input.Record()
		people[i].ID = ids.New(now)
		idOf[people[i].EmployeeNumber] = people[i].ID
	}
	for i, c := range creates {
		if m := c.Input.ManagerEmployeeNumber; m != "" {
			people[i].ManagerID = idOf[m]
		}
	}
	refused, err := bulk.InsertPeople(ctx, people)
	if err != nil {
		return res, err
	}
	var audits []training.AuditEntry
	for i, p := range people {
		if _, bad := refused[i]; bad {
			res.Errors = append(res.Errors, training.LineError{Line: creates[i].Line, Field: "employee_number",
				Message: "Someone else took this employee number or email address while the file was being imported."})
			continue
		}
		res.Created++
		res.CreatedIDs = append(res.CreatedIDs, p.ID)
		audits = append(audits, s.auditEntry(actor, "person.import_create", "person", p.ID, nil, training.PersonForAudit(p), now))
	}

	var changed, befores []training.Person
	var lines []int
	for _, u := range updates {
		before, ok := current[u.ID]
		if !ok {
			res.Errors = append(res.Errors, training.LineError{Line: u.Line, Message: publicMessage(fmt.Errorf("person %s: %w", u.ID, training.ErrNotFound))})
			continue
		}
		p := before.Edited(u.Input)
		p.ManagerID = idOf[u.Input.ManagerEmployeeNumber] // "" for none
		changed, befores, lines = append(changed, p), append(befores, before), append(lines, u.Line)
	}
	updated, refusedUpdates, err := bulk.UpdatePeople(ctx, changed)
	if err != nil {
		return res, err
	}
	for i := range changed {
		if err, bad := refusedUpdates[i]; bad {
			res.Errors = append(res.Errors, training.LineError{Line: lines[i], Message: publicMessage(s.explainConflict(err, changed[i]))})
			continue
		}
		res.Updated++
		audits = append(audits, s.auditEntry(actor, "person.import_update", "person", updated[i].ID, training.PersonForAudit(befores[i]), training.PersonForAudit(updated[i]), now))
	}
	if err := bulk.AppendAudits(ctx, audits); err != nil {
		return res, fmt.Errorf("audit import: %w", err)
	}
	slices.SortFunc(res.Errors, func(a, b training.LineError) int { return a.Line - b.Line })
	return res, nil
}

// auditEntry builds an entry for a batch write.
func (s *People) auditEntry(actor training.Actor, action, entity, id string, before, after any, at time.Time) training.AuditEntry {
	e := training.AuditEntry{At: at, Actor: actor.PersonID, Action: action, Entity: entity, EntityID: id}
	e.Before, _ = jsonOrNil(before)
	e.After, _ = jsonOrNil(after)
	return e
}

// publicMessage is an error's text when it is safe to show (a conflict's
// own message or a validation error), else a generic one.
func publicMessage(err error) string {
	var ve *training.ValidationError
	if msg, ok := training.ConflictMessage(err); ok {
		return msg
	}
	switch {
	case errors.Is(err, training.ErrNotFound):
		return "This person is no longer on record: they may have been changed while the file was being imported."
	case errors.As(err, &ve):
		msgs := make([]string, len(ve.Fields))
		for i, f := range ve.Fields {
			msgs[i] = f.Message
		}
		return strings.Join(msgs, " ")
	default:
		return "This line could not be saved. Import the file again."
	}
}

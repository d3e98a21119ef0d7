package application

import (
	"context"
	"errors"
	"fmt"
	"io"
	"net/http"
	"slices"

	"github.com/complytrack/complytrack/pkg/importmap"
	"github.com/complytrack/complytrack/pkg/peoplecsv"
	"github.com/complytrack/complytrack/pkg/training"
)

// Import limits: an HR export of a large trust is tens of thousands of rows
// of a few hundred bytes. The same for the API's CSV body and the web
// page's uploaded file.
const (
	MaxImportBytes = 32 << 20
	MaxImportRows  = 50_000
)

// ImportResult is what importing a file did, or would do on a dry run.
type ImportResult struct {
	DryRun bool
	// Created and Updated count the people added and changed (on a dry
	// run, those that would be); Unchanged those whose line matches them.
	Created, Updated, Unchanged int
	// CreatedIDs are the IDs of the people added (none on a dry run).
	CreatedIDs []string
	// Errors are the problems of the lines that were not imported, by
	// line (a line with two problems is listed twice). Never nil.
	Errors []training.LineError
	// Warnings are about lines imported that look wrong (a start date years
	// ahead), by line. Never nil.
	Warnings []training.LineError

	// Mapping is the stored mapping the file was read with; nil for a
	// file in complytrack's own columns.
	Mapping *importmap.Mapping
	// Added are the people added (on a dry run, to be added), managers
	// before their reports.
	Added []ImportedPerson
	// Changed are the people updated (to be updated), each field that
	// changes with its value before and after.
	Changed []PersonChange
	// WholeOrganisation says the file was taken for an export of everyone
	// (peoplecsv.PossibleLeavers says how that is decided); then
	// PossibleLeavers are the people on record it leaves out.
	WholeOrganisation bool
	PossibleLeavers   []training.Person
}

// ImportedPerson is a person an import adds.
type ImportedPerson struct {
	Line                                  int
	EmployeeNumber, GivenName, FamilyName string
}

// PersonChange is a stored person an import updates.
type PersonChange struct {
	Line           int
	ID             string
	EmployeeNumber string
	Name           string // as they are on record
	Fields         []peoplecsv.FieldChange
}

// ImportOptions say how to import a file.
type ImportOptions struct {
	// DryRun: write nothing, say what importing would do.
	DryRun bool
	// MappingID names the stored mapping (pkg/importmap) to read the file
	// with; "" reads a file in complytrack's own columns and ISO dates.
	MappingID string
}

// ImportPeople reads an HR-system CSV export from file and plans it
// against the people stored now, matched by employee number: with
// o.DryRun it writes nothing and says what importing would do; otherwise
// it applies the plan. Importing the same file twice changes nothing the
// second time. With o.MappingID the file is read through that stored
// mapping: its own headers and date format.
//
// Only HR may (training.ErrForbidden, before file is read). A file over
// MaxImportBytes is an error wrapping *http.MaxBytesError; a file unusable
// as a whole (no header, too many rows) a *training.ValidationError on
// "file"; an unknown mapping one on "mapping". Problems of single lines
// are in the result, not errors.
func (a App) ImportPeople(ctx context.Context, actor training.Actor, file io.Reader, o ImportOptions) (ImportResult, error) {
	existing, err := a.Training.PeopleForImport(ctx, actor)
	if err != nil {
		return ImportResult{}, err
	}
	out := ImportResult{DryRun: o.DryRun, Errors: []training.LineError{}}
	read := peoplecsv.Read
	if o.MappingID != "" {
		m, err := a.mapping(ctx, actor, o.MappingID)
		if err != nil {
			return ImportResult{}, err
		}
		out.Mapping = &m
		read = func(r io.Reader, maxRows int, fn func(peoplecsv.Row) error) ([]peoplecsv.LineError, error) {
			return peoplecsv.ReadMapped(r, maxRows, m.Reading(), fn)
		}
	}
	var rows []peoplecsv.Row
	lineErrs, err := read(limitBytes(file, MaxImportBytes), MaxImportRows, func(r peoplecsv.Row) error {
		rows = append(rows, r)
		return nil
	})
	if err != nil {
		return ImportResult{}, fmt.Errorf("read import file: %w", err)
	}
	stored := byEmployeeNumber(existing)
	plan := peoplecsv.PlanImport(rows, stored)
	today := a.Training.Today()
	out.Unchanged, out.Warnings = plan.Unchanged, plan.Warnings(today)
	for _, e := range append(lineErrs, plan.Errors...) {
		out.Errors = append(out.Errors, training.LineError{Line: e.Line, Field: e.Field, Message: e.Message})
	}
	describePlan(&out, plan, stored)
	out.PossibleLeavers, out.WholeOrganisation = possibleLeavers(rows, lineErrs, stored, today)
	if o.DryRun {
		out.Created, out.Updated = len(plan.Creates), len(plan.Updates)
	} else {
		creates := make([]training.ImportCreate, len(plan.Creates))
		for i, r := range plan.Creates {
			creates[i] = training.ImportCreate{Line: r.Line, Input: r.Input}
		}
		updates := make([]training.ImportUpdate, len(plan.Updates))
		for i, u := range plan.Updates {
			updates[i] = training.ImportUpdate{Line: u.Row.Line, ID: u.ID, Input: u.Row.Input}
		}
		res, err := a.Training.ApplyImport(ctx, actor, creates, updates)
		if err != nil {
			return ImportResult{}, err
		}
		out.Created, out.Updated = res.Created, res.Updated
		out.CreatedIDs = res.CreatedIDs
		out.Errors = append(out.Errors, res.Errors...)
	}
	// Stable: a line's problems keep the order they were found in.
	slices.SortStableFunc(out.Errors, func(a, b training.LineError) int { return a.Line - b.Line })
	return out, nil
}

// mapping is the stored mapping id; an unknown one is a problem of the
// "mapping" parameter, since it names no object of the request's path.
func (a App) mapping(ctx context.Context, actor training.Actor, id string) (importmap.Mapping, error) {
	if a.Mappings == nil {
		return importmap.Mapping{}, errors.New("import mappings are not available")
	}
	m, err := a.Mappings.Get(ctx, actor, id)
	if errors.Is(err, training.ErrNotFound) {
		return importmap.Mapping{}, training.Invalid("mapping", "There is no import mapping with the ID %s.", shortID(id))
	}
	return m, err
}

func shortID(id string) string {
	if r := []rune(id); len(r) > 40 {
		return string(r[:40]) + "…"
	}
	return id
}

// describePlan names the people the plan adds and, field by field, how it
// changes the people it updates.
func describePlan(out *ImportResult, plan peoplecsv.Plan, stored map[string]peoplecsv.Existing) {
	out.Added = make([]ImportedPerson, len(plan.Creates))
	for i, r := range plan.Creates {
		out.Added[i] = ImportedPerson{Line: r.Line, EmployeeNumber: r.Input.EmployeeNumber, GivenName: r.Input.GivenName, FamilyName: r.Input.FamilyName}
	}
	out.Changed = make([]PersonChange, len(plan.Updates))
	for i, u := range plan.Updates {
		before := training.PersonInput{Person: u.Before, ManagerEmployeeNumber: stored[u.Before.EmployeeNumber].ManagerEmployeeNumber}
		out.Changed[i] = PersonChange{Line: u.Row.Line, ID: u.ID, EmployeeNumber: u.Before.EmployeeNumber,
			Name: u.Before.GivenName + " " + u.Before.FamilyName, Fields: peoplecsv.Diff(before, u.Row.Input)}
	}
}

// possibleLeavers is peoplecsv.PossibleLeavers for the file's lines,
// refused ones included.
func possibleLeavers(rows []peoplecsv.Row, lineErrs []peoplecsv.LineError, stored map[string]peoplecsv.Existing, today training.Date) ([]training.Person, bool) {
	named := make(map[string]bool, len(rows))
	kinds := map[training.Kind]bool{}
	for _, r := range rows {
		named[r.Input.EmployeeNumber] = true
		kinds[r.Input.Kind] = true
	}
	for _, e := range lineErrs {
		if e.EmployeeNumber != "" {
			named[e.EmployeeNumber] = true
		}
	}
	missing, whole := peoplecsv.PossibleLeavers(named, kinds, stored, today)
	out := make([]training.Person, len(missing))
	for i, ex := range missing {
		out[i] = ex.Person
	}
	return out, whole
}

// byEmployeeNumber is the stored people as PlanImport takes them.
func byEmployeeNumber(people []training.Person) map[string]peoplecsv.Existing {
	numberOf := make(map[string]string, len(people))
	for _, p := range people {
		numberOf[p.ID] = p.EmployeeNumber
	}
	out := make(map[string]peoplecsv.Existing, len(people))
	for _, p := range people {
		out[p.EmployeeNumber] = peoplecsv.Existing{ID: p.ID, Person: p, ManagerEmployeeNumber: numberOf[p.ManagerID]}
	}
	return out
}

// limitBytes reads r up to limit bytes; reading past them fails with an
// *http.MaxBytesError, the error both front doors answer as "too large".
// The limit belongs to the use case, whichever door the bytes came
// through, so no response writer is involved.
func limitBytes(r io.Reader, limit int64) io.Reader {
	return http.MaxBytesReader(nil, io.NopCloser(r), limit)
}

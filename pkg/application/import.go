package application

import (
	"context"
	"fmt"
	"io"
	"net/http"
	"slices"

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
	// Errors are the problems of the lines that were not imported, by
	// line (a line with two problems is listed twice). Never nil.
	Errors []training.LineError
	// Warnings are about lines imported that look wrong (a start date years
	// ahead), by line. Never nil.
	Warnings []training.LineError
}

// ImportPeople reads an HR-system CSV export from file and plans it
// against the people stored now, matched by employee number: with dryRun
// it writes nothing and says what importing would do; otherwise it applies
// the plan. Importing the same file twice changes nothing the second time.
//
// Only HR may (training.ErrForbidden, before file is read). A file over
// MaxImportBytes is an error wrapping *http.MaxBytesError; a file unusable
// as a whole (no header, too many rows) a *training.ValidationError on
// "file". Problems of single lines are in the result, not errors.
func (a App) ImportPeople(ctx context.Context, actor training.Actor, file io.Reader, dryRun bool) (ImportResult, error) {
	existing, err := a.Training.PeopleForImport(ctx, actor)
	if err != nil {
		return ImportResult{}, err
	}
	var rows []peoplecsv.Row
	lineErrs, err := peoplecsv.Read(limitBytes(file, MaxImportBytes), MaxImportRows, func(r peoplecsv.Row) error {
		rows = append(rows, r)
		return nil
	})
	if err != nil {
		return ImportResult{}, fmt.Errorf("read import file: %w", err)
	}
	plan := peoplecsv.PlanImport(rows, byEmployeeNumber(existing))
	out := ImportResult{DryRun: dryRun, Unchanged: plan.Unchanged, Errors: []training.LineError{},
		Warnings: plan.Warnings(a.Training.Today())}
	for _, e := range append(lineErrs, plan.Errors...) {
		out.Errors = append(out.Errors, training.LineError{Line: e.Line, Field: e.Field, Message: e.Message})
	}
	if dryRun {
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
		out.Errors = append(out.Errors, res.Errors...)
	}
	// Stable: a line's problems keep the order they were found in.
	slices.SortStableFunc(out.Errors, func(a, b training.LineError) int { return a.Line - b.Line })
	return out, nil
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

package httpapi

import (
	"errors"
	"fmt"
	"mime"
	"net/http"
	"slices"

	"github.com/gin-gonic/gin"

	"github.com/complytrack/complytrack/pkg/peoplecsv"
	"github.com/complytrack/complytrack/pkg/training"
)

// Import limits: an HR export of a large trust is tens of thousands of rows
// of a few hundred bytes.
const (
	MaxImportBody = 32 << 20
	MaxImportRows = 50_000
)

type importResponse struct {
	DryRun    bool                 `json:"dry_run"`
	Created   int                  `json:"created"`
	Updated   int                  `json:"updated"`
	Unchanged int                  `json:"unchanged"`
	Errors    []training.LineError `json:"errors"`
	// Warnings are about lines that are imported but look wrong (a start
	// date years ahead). Never null.
	Warnings []training.LineError `json:"warnings"`
}

// importPeople reads an HR-system CSV export and upserts by employee
// number. With ?dry_run=true it reports what it would do and writes nothing.
func (h *handlers) importPeople(c *gin.Context) {
	ctx := c.Request.Context()
	dryRun := c.Query("dry_run") == "true"
	if q := c.Query("dry_run"); q != "" && q != "true" && q != "false" {
		fail(c, training.Invalid("dry_run", "The dry_run parameter must be true or false."))
		return
	}
	mt, _, _ := mime.ParseMediaType(c.GetHeader("Content-Type"))
	if mt != "text/csv" {
		fail(c, fmt.Errorf("import wants text/csv: %w", ErrUnsupportedMediaType))
		return
	}
	existing, err := h.d.Training.PeopleForImport(ctx, actor(c))
	if err != nil {
		fail(c, err)
		return
	}
	var rows []peoplecsv.Row
	body := http.MaxBytesReader(c.Writer, c.Request.Body, MaxImportBody)
	lineErrs, err := peoplecsv.Read(body, MaxImportRows, func(r peoplecsv.Row) error {
		rows = append(rows, r)
		return nil
	})
	if err != nil {
		var mbe *http.MaxBytesError
		if errors.As(err, &mbe) {
			err = fmt.Errorf("import over %d MiB: %w", MaxImportBody>>20, ErrTooLarge)
		}
		fail(c, err)
		return
	}
	byNumber := make(map[string]peoplecsv.Existing, len(existing))
	numberOf := make(map[string]string, len(existing))
	for _, p := range existing {
		numberOf[p.ID] = p.EmployeeNumber
	}
	for _, p := range existing {
		byNumber[p.EmployeeNumber] = peoplecsv.Existing{ID: p.ID, Person: p, ManagerEmployeeNumber: numberOf[p.ManagerID]}
	}
	plan := peoplecsv.PlanImport(rows, byNumber)

	out := importResponse{DryRun: dryRun, Unchanged: plan.Unchanged, Errors: []training.LineError{},
		Warnings: plan.Warnings(h.d.Training.Today())}
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
			updates[i] = training.ImportUpdate{Line: u.Row.Line, ID: u.ID, Patch: u.Patch}
		}
		res, err := h.d.Training.ApplyImport(ctx, actor(c), creates, updates)
		if err != nil {
			fail(c, err)
			return
		}
		out.Created, out.Updated = res.Created, res.Updated
		out.Errors = append(out.Errors, res.Errors...)
	}
	slices.SortStableFunc(out.Errors, func(a, b training.LineError) int { return a.Line - b.Line })
	c.JSON(http.StatusOK, out)
}

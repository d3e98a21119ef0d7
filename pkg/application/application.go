// Package application holds the use cases that complytrack's two front
// doors share: the JSON API (pkg/httpapi) and the web pages (pkg/web). Each
// use case is one call here; a handler of either door parses its request,
// makes that call and renders what comes back, so the two doors cannot
// drift apart on what a use case does, how big an upload may be, or what a
// download is sent with.
//
// The use cases:
//
//   - ImportPeople: read an HR-system CSV export (in our columns, or
//     through one of HR's stored mappings of the system's own headers and
//     dates), plan it against the people stored now, and either preview
//     the plan or apply it;
//   - ReadCompletionForm, then SelfCertify or RecordCompletion: a
//     completion with its certificate, read from a multipart form as a
//     stream under one size limit;
//   - Certificate: a completion's certificate as a Download;
//   - ComplianceReport and ReportCSV: a report, and its per-person CSV as
//     a Download.
//
// Both doors send a Download with Serve, which handles a download cut off
// half-way the one way.
//
// Authorization stays with the domain service (compliance.Service): every
// call passes the caller's training.Actor through. Failures are the typed
// errors the transports already classify (training's sentinels and
// *training.ValidationError, evidence.ErrTooLarge, *http.MaxBytesError,
// upload.ErrIncomplete); this package maps nothing to a status.
package application

import (
	"context"
	"fmt"

	"github.com/complytrack/complytrack/pkg/compliance"
	"github.com/complytrack/complytrack/pkg/importmap"
	"github.com/complytrack/complytrack/pkg/training"
)

// App runs the use cases on the domain service. It holds nothing but the
// service, so a front door may build one whenever it needs it.
type App struct {
	Training *compliance.Service
	// Mappings are HR's stored import mappings; nil: files are imported
	// in complytrack's own columns only.
	Mappings *importmap.Service
}

// New returns the use cases on svc.
func New(svc *compliance.Service) App { return App{Training: svc} }

// WithMappings returns the use cases with HR's stored import mappings.
func (a App) WithMappings(m *importmap.Service) App {
	a.Mappings = m
	return a
}

// SelfCertifiableCourse is the course code names when it applies to the
// actor today, so that they may record completing it; any other course is
// training.ErrNotFound, as if it did not exist.
func (a App) SelfCertifiableCourse(ctx context.Context, actor training.Actor, code string) (training.Course, error) {
	items, err := a.Training.TrainingOf(ctx, actor, actor.PersonID)
	if err != nil {
		return training.Course{}, err
	}
	for _, it := range items {
		if it.CourseCode == code {
			return a.Training.Course(ctx, code)
		}
	}
	return training.Course{}, fmt.Errorf("course %q does not apply to the actor: %w", code, training.ErrNotFound)
}

// Package importmap keeps the column mappings HR make for their HR
// system's exports (see peoplecsv.Mapping), so that an export with its own
// headers and dates ("Employee Number", "Forename", "Hire Date",
// 23/11/2026) imports without being rewritten by hand, the same way every
// time, through the API and the web pages alike.
//
// Only HR read and make mappings. A mapping is never changed once made: an
// import names the one it used, and a different reading is a new mapping.
package importmap

import (
	"context"
	"fmt"
	"io"
	"slices"
	"strings"
	"time"

	"github.com/complytrack/complytrack/pkg/peoplecsv"
	"github.com/complytrack/complytrack/pkg/training"
)

// MaxNameChars is the longest name a mapping may have.
const MaxNameChars = 100

// Mapping is a stored mapping.
type Mapping struct {
	ID   string
	Name string
	// Columns maps the file's header to our column, as peoplecsv.Mapping.
	Columns    map[string]string
	DateFormat peoplecsv.DateFormat
	CreatedBy  string // the person ID of who made it
	CreatedAt  time.Time
}

// Reading is how the mapping reads a file.
func (m Mapping) Reading() peoplecsv.Mapping {
	return peoplecsv.Mapping{Columns: m.Columns, DateFormat: m.DateFormat}
}

// Fits reports whether a file with these headers can be read with m: every
// header m reads is in the file (matched as the reader matches them).
func (m Mapping) Fits(headers []string) bool {
	have := make(map[string]bool, len(headers))
	for _, h := range headers {
		have[peoplecsv.NormaliseHeader(h)] = true
	}
	for h := range m.Columns {
		if !have[peoplecsv.NormaliseHeader(h)] {
			return false
		}
	}
	return len(m.Columns) > 0
}

// Input is a new mapping.
type Input struct {
	Name       string
	Columns    map[string]string
	DateFormat peoplecsv.DateFormat
}

// Store keeps mappings (pkg/mongodb implements it).
type Store interface {
	// InsertImportMapping stores a new mapping, giving it its ID and
	// creation time, and returns it as stored.
	InsertImportMapping(ctx context.Context, m Mapping) (Mapping, error)
	// ImportMappings returns every mapping, oldest first.
	ImportMappings(ctx context.Context) ([]Mapping, error)
	// ImportMapping returns one, or an error wrapping training.ErrNotFound.
	ImportMapping(ctx context.Context, id string) (Mapping, error)
}

// Service makes and finds mappings, for HR only.
type Service struct {
	store Store
}

// New returns the service on store.
func New(store Store) *Service { return &Service{store: store} }

func hrOnly(actor training.Actor, what string) error {
	if !actor.HR {
		return fmt.Errorf("%s: %w", what, training.ErrForbidden)
	}
	return nil
}

// Create checks and stores a new mapping: a name, a known column for each
// header with no column read twice and every required one read, and a
// date format. Problems are a *training.ValidationError naming "name",
// "columns" or "date_format".
func (s *Service) Create(ctx context.Context, actor training.Actor, in Input) (Mapping, error) {
	if err := hrOnly(actor, "create import mapping"); err != nil {
		return Mapping{}, err
	}
	v := &training.ValidationError{}
	name := training.TrimText(in.Name)
	training.CheckText(v, "name", name, MaxNameChars, true)
	cols := make(map[string]string, len(in.Columns))
	for h, c := range in.Columns {
		cols[training.TrimText(h)] = strings.TrimSpace(c)
	}
	reading := peoplecsv.Mapping{Columns: cols, DateFormat: in.DateFormat}
	v.Fields = append(v.Fields, reading.Validate()...)
	if len(v.Fields) > 0 {
		return Mapping{}, v
	}
	return s.store.InsertImportMapping(ctx, Mapping{Name: name, Columns: cols, DateFormat: in.DateFormat, CreatedBy: actor.PersonID})
}

// List returns every mapping, newest first.
func (s *Service) List(ctx context.Context, actor training.Actor) ([]Mapping, error) {
	if err := hrOnly(actor, "list import mappings"); err != nil {
		return nil, err
	}
	all, err := s.store.ImportMappings(ctx)
	if err != nil {
		return nil, err
	}
	slices.Reverse(all)
	return all, nil
}

// Get returns one mapping; an unknown ID is training.ErrNotFound.
func (s *Service) Get(ctx context.Context, actor training.Actor, id string) (Mapping, error) {
	if err := hrOnly(actor, "read import mapping"); err != nil {
		return Mapping{}, err
	}
	return s.store.ImportMapping(ctx, id)
}

// Remembered is the newest mapping that fits a file with these headers
// (Mapping.Fits), so that the next export from the same system is read as
// the last one was; ok is false when none fits.
func (s *Service) Remembered(ctx context.Context, actor training.Actor, headers []string) (m Mapping, ok bool, err error) {
	all, err := s.List(ctx, actor)
	if err != nil {
		return Mapping{}, false, err
	}
	for _, m := range all {
		if m.Fits(headers) {
			return m, true, nil
		}
	}
	return Mapping{}, false, nil
}

// Suggest proposes a mapping for a file from its first lines
// (peoplecsv.Suggest). It reads nothing stored, but is HR's, like the
// mappings.
func (s *Service) Suggest(ctx context.Context, actor training.Actor, file io.Reader) (peoplecsv.Suggestion, error) {
	if err := hrOnly(actor, "suggest import mapping"); err != nil {
		return peoplecsv.Suggestion{}, err
	}
	return peoplecsv.Suggest(file)
}

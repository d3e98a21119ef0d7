package web

import (
	"bytes"
	"errors"
	"fmt"
	"maps"
	"net/http"
	"net/url"
	"strings"

	"github.com/gin-gonic/gin"

	"github.com/complytrack/complytrack/pkg/application"
	"github.com/complytrack/complytrack/pkg/importmap"
	"github.com/complytrack/complytrack/pkg/peoplecsv"
	"github.com/complytrack/complytrack/pkg/training"
)

// An HR system's export in its own headers and dates ("Employee Number",
// "Hire Date", 23/11/2026) is imported through a mapping. After the
// upload, the file is held (Deps.HeldImports) and the columns page
// proposes a column of ours for each of its headers: the newest stored
// mapping that fits these headers when there is one (so the next export
// from the same system is read as the last), else the suggestion made
// from common synonyms. When the dates could be read either way
// (03/04/2026) the page asks how they are written; it never guesses.
// Choosing keeps the mapping (pkg/importmap) and shows the preview, read
// through it, which an end date set for a possible leaver comes back to.
// Confirming imports the held file through the same mapping.

const (
	importColumnPrefix = "column-"
	importDateInput    = "date_format"
	importNameInput    = "name"
	// importListMax bounds each list of people on the preview: the counts
	// say how many there are in all.
	importListMax = 200
)

// importColumnsPage is the content of import_columns.html.
type importColumnsPage struct {
	FileName, Token string
	Rows            []importColumnRow
	Options         []importColumnOption
	DateFormat      string // chosen, or "" to ask
	DateUnknown     bool   // the file's dates could be read either way
	Name            string
	Remembered      bool // the choices come from a mapping used before
}

type importColumnRow struct {
	ID, Header, Example, Selected string
}

type importColumnOption struct {
	Value, Label string
}

// importColumnOptions are the columns a header may be read as.
func importColumnOptions() []importColumnOption {
	required := map[string]bool{}
	for _, c := range peoplecsv.Columns {
		required[c] = true
	}
	for _, c := range peoplecsv.OptionalColumns {
		required[c] = false
	}
	out := make([]importColumnOption, 0, len(peoplecsv.Columns))
	for _, c := range peoplecsv.Columns {
		label := capitalise(peoplecsv.Label(c))
		if required[c] {
			label += " (required)"
		}
		out = append(out, importColumnOption{Value: c, Label: label})
	}
	return out
}

// needsMapping reports whether a file is in an HR system's own headers:
// none of its headers is one of our column names and at least one is a
// known synonym. Any other file is read in our own columns, whose error
// names the columns we expect.
func needsMapping(s peoplecsv.Suggestion) bool {
	for _, h := range s.Headers {
		for _, c := range peoplecsv.Columns {
			if strings.EqualFold(h, c) {
				return false
			}
		}
	}
	return len(s.Columns) > 0
}

// heldImport is the file held under the request's token, or false after
// the expired page has been shown.
func (s *Server) heldImport(c *gin.Context, token string) (name string, content []byte, ok bool, err error) {
	name, content, ok, err = s.d.HeldImports.PeekImport(c.Request.Context(), principal(c).Actor().PersonID, token)
	if err == nil && !ok {
		s.importExpired(c)
	}
	return name, content, ok, err
}

// importExpired says a held file is gone: imported already, or kept too
// long.
func (s *Server) importExpired(c *gin.Context) {
	s.render(c, http.StatusGone, "error.html", page{Title: "This import has expired", Data: errorPage{
		Paragraphs: []string{
			fmt.Sprintf("A checked file waits %d minutes to be imported, and can be imported only once. Nothing was imported from this page.", int(importHold.Minutes())),
			"Look at the list of people to see whether it was imported already, or upload the file again.",
		},
		LinkHref: "/people/import", LinkText: "Upload the file again"}})
}

// importColumnsForm proposes how to read the held file's columns.
func (s *Server) importColumnsForm(c *gin.Context) error {
	token := c.Query("token")
	name, content, ok, err := s.heldImport(c, token)
	if !ok || err != nil {
		return err
	}
	sug, err := peoplecsv.Suggest(bytes.NewReader(content))
	if err != nil {
		return err
	}
	data := importColumnsPage{FileName: name, Token: token, Options: importColumnOptions(), DateFormat: string(sug.DateFormat),
		DateUnknown: sug.DateFormat == "", Name: strings.TrimSuffix(name, ".csv")}
	chosen := sug.Columns
	remembered, found, err := s.d.ImportMappings.Remembered(c.Request.Context(), principal(c).Actor(), sug.Headers)
	if err != nil {
		return err
	}
	if found {
		chosen, data.DateFormat, data.Name, data.Remembered = remembered.Columns, string(remembered.DateFormat), remembered.Name, true
	}
	data.Rows = columnRows(sug, func(_ int, h string) string { return chosenFor(chosen, h) })
	s.render(c, http.StatusOK, "import_columns.html", page{Title: "Match the file's columns", Data: data})
	return nil
}

// chosenFor is the column mapping m reads header h as, matched as the
// reader matches headers.
func chosenFor(m map[string]string, h string) string {
	key := peoplecsv.NormaliseHeader(h)
	for mh, col := range m {
		if peoplecsv.NormaliseHeader(mh) == key {
			return col
		}
	}
	return ""
}

func columnRows(sug peoplecsv.Suggestion, selected func(i int, h string) string) []importColumnRow {
	rows := make([]importColumnRow, len(sug.Headers))
	for i, h := range sug.Headers {
		shown := h
		if shown == "" {
			shown = fmt.Sprintf("Column %d (no name)", i+1)
		}
		rows[i] = importColumnRow{ID: fmt.Sprintf("%s%d", importColumnPrefix, i), Header: shown, Example: sug.Examples[i], Selected: selected(i, h)}
	}
	return rows
}

// chooseImportColumns keeps the chosen mapping (or reuses the remembered
// one when nothing was changed) and shows the preview read through it.
func (s *Server) chooseImportColumns(c *gin.Context) error {
	ctx := c.Request.Context()
	actor := principal(c).Actor()
	token := c.PostForm("token")
	name, content, ok, err := s.heldImport(c, token)
	if !ok || err != nil {
		return err
	}
	sug, err := peoplecsv.Suggest(bytes.NewReader(content))
	if err != nil {
		return err
	}
	in := importmap.Input{Name: c.PostForm(importNameInput), Columns: map[string]string{},
		DateFormat: peoplecsv.DateFormat(c.PostForm(importDateInput))}
	for i, h := range sug.Headers {
		if col := c.PostForm(fmt.Sprintf("%s%d", importColumnPrefix, i)); col != "" && h != "" {
			in.Columns[h] = col
		}
	}
	id := ""
	remembered, found, err := s.d.ImportMappings.Remembered(ctx, actor, sug.Headers)
	if err != nil {
		return err
	}
	if found && maps.Equal(remembered.Columns, in.Columns) && remembered.DateFormat == in.DateFormat {
		id = remembered.ID
	} else {
		m, err := s.d.ImportMappings.Create(ctx, actor, in)
		var ve *training.ValidationError
		if errors.As(err, &ve) {
			data := importColumnsPage{FileName: name, Token: token, Options: importColumnOptions(), DateFormat: string(in.DateFormat),
				DateUnknown: sug.DateFormat == "", Name: in.Name}
			data.Rows = columnRows(sug, func(i int, _ string) string { return c.PostForm(fmt.Sprintf("%s%d", importColumnPrefix, i)) })
			var errs []fieldError
			for _, fe := range ve.Fields {
				id := fe.Field
				if id == "columns" {
					id = importColumnPrefix + "0"
				}
				errs = append(errs, fieldError{ID: id, Message: fe.Message})
			}
			s.render(c, http.StatusUnprocessableEntity, "import_columns.html", page{Title: "Match the file's columns", Errors: errs, Data: data})
			return nil
		}
		if err != nil {
			return err
		}
		id = m.ID
	}
	c.Redirect(http.StatusSeeOther, previewHref(token, id, ""))
	return nil
}

func previewHref(token, mappingID, ended string) string {
	q := url.Values{"token": {token}}
	if mappingID != "" {
		q.Set("mapping", mappingID)
	}
	if ended != "" {
		q.Set("ended", ended)
	}
	return "/people/import/preview?" + q.Encode()
}

// importPreview is the dry run of the held file, through the mapping
// named, planned against the people as they are now.
func (s *Server) importPreview(c *gin.Context) error {
	token, mappingID := c.Query("token"), c.Query("mapping")
	name, content, ok, err := s.heldImport(c, token)
	if !ok || err != nil {
		return err
	}
	actor := principal(c).Actor()
	res, err := s.app().ImportPeople(c.Request.Context(), actor, bytes.NewReader(content), application.ImportOptions{DryRun: true, MappingID: mappingID})
	var ve *training.ValidationError
	switch {
	case errors.As(err, &ve):
		data := newImportPage()
		s.render(c, http.StatusUnprocessableEntity, "import.html", page{Title: "Import people from a CSV file",
			Errors: []fieldError{{ID: importFileInput, Message: ve.Fields[0].Message}}, Data: data})
		return nil
	case err != nil:
		return err
	}
	var b *banner
	if id := c.Query("ended"); id != "" {
		if p, err := s.d.Training.Person(c.Request.Context(), actor, id); err == nil && !p.EndDate.IsZero() {
			b = &banner{Success: true, Heading: fmt.Sprintf("%s’s end date is set to %s.", p.FullName(), longDate(p.EndDate))}
		}
	}
	s.renderImportPreview(c, name, token, res, b)
	return nil
}

// renderImportPreview shows what importing the held file would do.
func (s *Server) renderImportPreview(c *gin.Context, name, token string, res application.ImportResult, b *banner) {
	data := newImportPage()
	data.FileName, data.Token = name, token
	data.importResult(res)
	data.CanImport = token != "" && res.Created+res.Updated > 0
	data.describe(res)
	s.render(c, http.StatusOK, "import_preview.html", page{Title: "Check the import before it is made", Data: data, Banner: b})
}

// importPerson is a person on the preview.
type importPerson struct {
	ID, Name, EmployeeNumber, Department string
	Line                                 int
	Changes                              []importChange
}

type importChange struct {
	Field, Before, After string
}

// describe puts the people the import adds, changes and leaves out on
// the page.
func (p *importPage) describe(res application.ImportResult) {
	p.Columns = peoplecsv.Columns
	if res.Mapping != nil {
		p.MappingID, p.MappingName = res.Mapping.ID, res.Mapping.Name
		p.reading = res.Mapping.Reading()
		p.mapped = true
	}
	for i, a := range res.Added {
		if i == importListMax {
			break
		}
		p.AddedPeople = append(p.AddedPeople, importPerson{Name: a.GivenName + " " + a.FamilyName, EmployeeNumber: a.EmployeeNumber, Line: a.Line})
	}
	for i, ch := range res.Changed {
		if i == importListMax {
			break
		}
		person := importPerson{ID: ch.ID, Name: ch.Name, EmployeeNumber: ch.EmployeeNumber, Line: ch.Line}
		for _, f := range ch.Fields {
			person.Changes = append(person.Changes, importChange{Field: capitalise(peoplecsv.Label(f.Column)),
				Before: importValue(f.Column, f.Before), After: importValue(f.Column, f.After)})
		}
		p.ChangedPeople = append(p.ChangedPeople, person)
	}
	p.WholeOrganisation = res.WholeOrganisation
	p.LeaverCount = len(res.PossibleLeavers)
	for i, l := range res.PossibleLeavers {
		if i == importListMax {
			break
		}
		p.Leavers = append(p.Leavers, importPerson{ID: l.ID, Name: l.FullName(), EmployeeNumber: l.EmployeeNumber, Department: l.Department})
	}
	p.WholeShare = int(peoplecsv.WholeOrganisationShare * 100)
}

// importValue writes a field's value as the pages write it.
func importValue(col, v string) string {
	if v == "" {
		return "none"
	}
	switch col {
	case "start_date", "end_date":
		if d, err := training.ParseDate(v); err == nil {
			return longDate(d)
		}
	case "kind":
		return kindLabel(training.Kind(v))
	}
	return v
}

// ColumnName names a column as the file does: the file's header and, when
// read through a mapping, our name for it.
func (p importPage) ColumnName(col string) string {
	if !p.mapped {
		return col
	}
	if h := p.reading.HeaderFor(col); h != col {
		return fmt.Sprintf("%s (%s)", h, peoplecsv.Label(col))
	}
	return capitalise(peoplecsv.Label(col))
}

// MoreAdded and the others say how many people the lists leave out.
func (p importPage) MoreAdded() int   { return p.Created - len(p.AddedPeople) }
func (p importPage) MoreChanged() int { return p.Updated - len(p.ChangedPeople) }
func (p importPage) MoreLeavers() int { return p.LeaverCount - len(p.Leavers) }

// endLeaver sets today as the end date of a person the preview lists as
// a possible leaver, by the same call as the person's edit form (so it is
// checked and audited like any change), and shows the preview again.
func (s *Server) endLeaver(c *gin.Context) error {
	actor := principal(c).Actor()
	id := c.PostForm("person_id")
	today := s.d.Training.Today()
	_, err := s.d.Training.UpdatePerson(c.Request.Context(), actor, id, func(cur *training.PersonInput) error {
		if cur.EndDate.IsZero() || cur.EndDate.After(today) {
			cur.EndDate = today
		}
		return nil
	})
	if err != nil {
		return err
	}
	c.Redirect(http.StatusSeeOther, previewHref(c.PostForm("token"), c.PostForm("mapping"), id)+"#leavers")
	return nil
}

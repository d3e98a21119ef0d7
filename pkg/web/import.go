package web

import (
	"bytes"
	"errors"
	"fmt"
	"io"
	"net/http"
	"net/url"
	"time"

	"github.com/gin-gonic/gin"

	"github.com/complytrack/complytrack/pkg/application"
	"github.com/complytrack/complytrack/pkg/peoplecsv"
	"github.com/complytrack/complytrack/pkg/training"
	"github.com/complytrack/complytrack/pkg/upload"
)

// HR's CSV import of people, in three steps, writing nothing before the
// last: upload the file (/people/import), see a dry-run preview of what it
// would do (counts, and each bad line with its line number, column and
// problem), then confirm, which imports and shows the summary. The
// preview lets HR go back, fix the file and upload it again.
//
// Between preview and confirm the file is held in the database
// (Deps.HeldImports), under a random token (128 bits) bound to the person
// who uploaded it, for importHold at most, one file per person; any
// replica may take the confirmation. Confirming spends the token, so a
// second click does not import twice. The file never goes back to the
// browser (a 32 MiB file would not fit a form field's round trip under the
// same body limit).
// The import is planned again on confirm against the people as they are
// then, by the same call the JSON API's import makes
// (application.ImportPeople). A file in an HR system's own headers goes
// through the columns page first (import_mapping.go); the preview of any
// file may be shown again from the held file (after a possible leaver's
// end date is set).

const (
	// maxImportBody is the largest upload: the JSON API's limit.
	maxImportBody = application.MaxImportBytes
	maxImportRows = application.MaxImportRows
	// importHold is how long a previewed file waits for confirmation.
	importHold      = 30 * time.Minute
	importFileInput = "file"
)

// importPage is the content of import.html (the upload form), and
// import_preview.html and import_done.html.
type importPage struct {
	FileName                    string
	Token                       string
	Created, Updated, Unchanged int
	Errors                      []training.LineError
	Warnings                    []training.LineError // lines imported that look wrong
	MaxMB                       int
	MaxRows                     string // with commas: 50,000
	Columns                     []string
	// Added offers to invite the people just added (invite_many.go).
	Added *addedOffer

	// The preview's detail (import_mapping.go): the mapping the file is
	// read with, the people added and changed (the first importListMax
	// of each), and the possible leavers of a whole-organisation export.
	MappingID, MappingName string
	CanImport              bool // there is something to import, and the file is held
	AddedPeople            []importPerson
	ChangedPeople          []importPerson
	WholeOrganisation      bool
	WholeShare             int // the share of people a whole-organisation export names, in %
	LeaverCount            int
	Leavers                []importPerson
	reading                peoplecsv.Mapping
	mapped                 bool
}

// ErrorLines is how many lines of the file have a problem: a line with two
// problems is listed twice but is one line that will not be imported.
func (p importPage) ErrorLines() int {
	lines := make(map[int]bool, len(p.Errors))
	for _, e := range p.Errors {
		lines[e.Line] = true
	}
	return len(lines)
}

// importResult puts what importing did, or would do, on the page.
func (p *importPage) importResult(res application.ImportResult) {
	p.Created, p.Updated, p.Unchanged = res.Created, res.Updated, res.Unchanged
	p.Errors, p.Warnings = res.Errors, res.Warnings
}

func newImportPage() importPage {
	return importPage{MaxMB: maxImportBody >> 20, MaxRows: peoplecsv.Thousands(maxImportRows), Columns: peoplecsv.Columns}
}

// importBody reads the import upload with the import's larger limit,
// before verifyCSRF would read it with the certificate's. It runs behind
// the HR guard, so only HR's uploads get the larger limit.
func (s *Server) importBody(c *gin.Context) {
	c.Request.Body = http.MaxBytesReader(c.Writer, c.Request.Body, maxImportBody+64<<10)
	err := upload.ParseMultipartForm(c.Request, 8<<20) // the rest goes to temporary files, removed after the request
	var mbe *http.MaxBytesError
	switch {
	case errors.As(err, &mbe):
		s.render(c, http.StatusRequestEntityTooLarge, "error.html", page{Title: "The file is too large", Data: errorPage{
			Paragraphs: []string{fmt.Sprintf("An import file must be %d MB or smaller. Split it into smaller files and import each.", maxImportBody>>20)},
			LinkHref:   "/people/import", LinkText: "Upload a file"}})
		return
	case err != nil && !errors.Is(err, http.ErrNotMultipart):
		s.render(c, http.StatusBadRequest, "error.html", page{Title: "The form could not be read", Data: errorPage{
			Paragraphs: []string{"Go back, reload the page and try again."}}})
		return
	}
	c.Next()
}

func (s *Server) importForm(c *gin.Context) error {
	s.render(c, http.StatusOK, "import.html", page{Title: "Import people from a CSV file", Data: newImportPage()})
	return nil
}

// previewImport is the dry run: it reads the upload, plans it, holds the
// file and shows what confirming would do. Nothing is written.
func (s *Server) previewImport(c *gin.Context) error {
	data := newImportPage()
	fail := func(msg string) {
		s.render(c, http.StatusUnprocessableEntity, "import.html", page{Title: "Import people from a CSV file",
			Errors: []fieldError{{ID: importFileInput, Message: msg}}, Data: data})
	}
	form := c.Request.MultipartForm
	if form == nil || len(form.File[importFileInput]) == 0 || form.File[importFileInput][0].Size == 0 {
		fail("Choose a CSV file to import.")
		return nil
	}
	fh := form.File[importFileInput][0]
	f, err := fh.Open()
	if err != nil {
		fail("The file could not be read: choose it again.")
		return nil
	}
	content, err := io.ReadAll(io.LimitReader(f, maxImportBody+1))
	f.Close()
	if err != nil {
		fail("The file could not be read: choose it again.")
		return nil
	}
	actor := principal(c).Actor()
	// An export in an HR system's own headers goes to the columns page
	// first (import_mapping.go).
	if sug, err := peoplecsv.Suggest(bytes.NewReader(content)); err == nil && needsMapping(sug) {
		token, err := s.d.HeldImports.HoldImport(c.Request.Context(), actor.PersonID, fh.Filename, content, importHold)
		if err != nil {
			return err
		}
		c.Redirect(http.StatusSeeOther, "/people/import/columns?"+url.Values{"token": {token}}.Encode())
		return nil
	}
	res, err := s.app().ImportPeople(c.Request.Context(), actor, bytes.NewReader(content), application.ImportOptions{DryRun: true})
	var ve *training.ValidationError
	switch {
	case errors.As(err, &ve):
		msg := "The file cannot be imported."
		if len(ve.Fields) > 0 {
			msg = ve.Fields[0].Message
		}
		fail(msg)
		return nil
	case err != nil:
		return err
	}
	// Held in the database, so that the confirmation may reach any
	// replica; one file per person at a time. Held even with nothing to
	// import, for the possible leavers' end dates to come back to.
	token, err := s.d.HeldImports.HoldImport(c.Request.Context(), actor.PersonID, fh.Filename, content, importHold)
	if err != nil {
		return err
	}
	s.renderImportPreview(c, fh.Filename, token, res, nil)
	return nil
}

// confirmImport imports the held file, planned again against the people as
// they are now, and shows the summary.
func (s *Server) confirmImport(c *gin.Context) error {
	actor := principal(c).Actor()
	name, held, ok, err := s.d.HeldImports.TakeImport(c.Request.Context(), actor.PersonID, c.PostForm("token"))
	if err != nil {
		return err
	}
	if !ok {
		s.importExpired(c)
		return nil
	}
	res, err := s.app().ImportPeople(c.Request.Context(), actor, bytes.NewReader(held), application.ImportOptions{MappingID: c.PostForm("mapping")})
	if err != nil {
		return err
	}
	data := newImportPage()
	data.FileName = name
	data.importResult(res)
	if data.Added, err = s.offerToInviteImported(c, res.CreatedIDs); err != nil {
		return err
	}
	pg := page{Title: "Import complete", Data: data,
		Banner: &banner{Success: true, Heading: fmt.Sprintf("Imported %s: %d added, %d updated", name, res.Created, res.Updated)}}
	s.render(c, http.StatusOK, "import_done.html", pg)
	return nil
}

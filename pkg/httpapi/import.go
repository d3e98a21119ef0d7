package httpapi

import (
	"fmt"
	"mime"
	"net/http"

	"github.com/gin-gonic/gin"

	"github.com/complytrack/complytrack/pkg/application"
	"github.com/complytrack/complytrack/pkg/training"
)

// Import limits, the web page's too (see application.ImportPeople).
const (
	MaxImportBody = application.MaxImportBytes
	MaxImportRows = application.MaxImportRows
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
// number. With ?dry_run=true it reports what it would do and writes nothing;
// with ?mapping={id} it reads the file through that stored import mapping.
func (h *handlers) importPeople(c *gin.Context) (reply, error) {
	dryRun := c.Query("dry_run") == "true"
	if q := c.Query("dry_run"); q != "" && q != "true" && q != "false" {
		return reply{}, training.Invalid("dry_run", "The dry_run parameter must be true or false.")
	}
	mt, _, _ := mime.ParseMediaType(c.GetHeader("Content-Type"))
	if mt != "text/csv" {
		return reply{}, fmt.Errorf("import wants text/csv: %w", ErrUnsupportedMediaType)
	}
	res, err := h.app().ImportPeople(c.Request.Context(), actor(c), c.Request.Body,
		application.ImportOptions{DryRun: dryRun, MappingID: c.Query("mapping")})
	if err != nil {
		return reply{}, err
	}
	return reply{http.StatusOK, importResponse{DryRun: res.DryRun, Created: res.Created, Updated: res.Updated,
		Unchanged: res.Unchanged, Errors: res.Errors, Warnings: res.Warnings}}, nil
}

package httpapi

import (
	"fmt"
	"mime"
	"net/http"
	"time"

	"github.com/gin-gonic/gin"

	"github.com/complytrack/complytrack/pkg/importmap"
	"github.com/complytrack/complytrack/pkg/peoplecsv"
)

// importMappingRequest is a new import mapping: the file's headers, each
// to the column it is read as, and how the file writes dates.
type importMappingRequest struct {
	Name       string            `json:"name"`
	Columns    map[string]string `json:"columns"`
	DateFormat string            `json:"date_format"`
}

type importMappingResponse struct {
	ID         string               `json:"id"`
	Name       string               `json:"name"`
	Columns    map[string]string    `json:"columns"`
	DateFormat peoplecsv.DateFormat `json:"date_format"`
	CreatedBy  string               `json:"created_by"`
	CreatedAt  time.Time            `json:"created_at"`
}

// suggestResponse is a proposed mapping; date_format is null when the
// file's dates could be read either way (03/04/2026), which the caller
// must settle. A plain string: the document's enum of DateFormat would
// leave out null.
type suggestResponse struct {
	Columns    map[string]string `json:"columns"`
	DateFormat *string           `json:"date_format"`
	Unmatched  []string          `json:"unmatched"`
}

func toImportMapping(m importmap.Mapping) importMappingResponse {
	return importMappingResponse{ID: m.ID, Name: m.Name, Columns: m.Columns, DateFormat: m.DateFormat, CreatedBy: m.CreatedBy, CreatedAt: m.CreatedAt}
}

func (h *handlers) createImportMapping(c *gin.Context) (reply, error) {
	var req importMappingRequest
	if err := bindJSON(c, &req); err != nil {
		return reply{}, err
	}
	m, err := h.d.ImportMappings.Create(c.Request.Context(), actor(c), importmap.Input{
		Name: req.Name, Columns: req.Columns, DateFormat: peoplecsv.DateFormat(req.DateFormat)})
	if err != nil {
		return reply{}, err
	}
	c.Header("Location", "/api/v1/import-mappings")
	return reply{http.StatusCreated, toImportMapping(m)}, nil
}

func (h *handlers) listImportMappings(c *gin.Context) (reply, error) {
	all, err := h.d.ImportMappings.List(c.Request.Context(), actor(c))
	if err != nil {
		return reply{}, err
	}
	out := list[importMappingResponse]{Items: make([]importMappingResponse, len(all))}
	for i, m := range all {
		out.Items[i] = toImportMapping(m)
	}
	return reply{http.StatusOK, out}, nil
}

// suggestImportMapping proposes a mapping for a CSV file from its first
// lines; the rest of the body is not read.
func (h *handlers) suggestImportMapping(c *gin.Context) (reply, error) {
	mt, _, _ := mime.ParseMediaType(c.GetHeader("Content-Type"))
	if mt != "text/csv" {
		return reply{}, fmt.Errorf("suggest wants text/csv: %w", ErrUnsupportedMediaType)
	}
	s, err := h.d.ImportMappings.Suggest(c.Request.Context(), actor(c), c.Request.Body)
	if err != nil {
		return reply{}, err
	}
	out := suggestResponse{Columns: s.Columns, Unmatched: s.Unmatched}
	if s.DateFormat != "" {
		df := string(s.DateFormat)
		out.DateFormat = &df
	}
	return reply{http.StatusOK, out}, nil
}

package application

import (
	"context"
	"fmt"
	"io"
	"log/slog"
	"mime"
	"net/http"

	"github.com/complytrack/complytrack/pkg/logging"
	"github.com/complytrack/complytrack/pkg/reportcsv"
	"github.com/complytrack/complytrack/pkg/training"
)

// Download is a file to send: its type and name, the response headers that
// go with it, and its content. Both front doors send it with Serve, so a
// certificate or a report reaches a browser and a script with the same
// headers.
type Download struct {
	ContentType string
	Filename    string
	// Header holds the response headers besides Content-Type.
	Header http.Header
	// Content is the file when it is held whole (a certificate).
	Content []byte
	// write writes the content as it is made (a report); nil: Content.
	write func(io.Writer) error
}

// Serve answers with the download (see Send) and logs a download cut off
// half-way, as a warning naming the file: once the first bytes have gone
// the status cannot change, so the log is the only place left to say so.
// Both front doors send their downloads with it.
func Serve(ctx context.Context, log *slog.Logger, w http.ResponseWriter, d Download) {
	if err := d.Send(w); err != nil {
		log.WarnContext(ctx, "download cut off", "file", d.Filename, logging.Err(err))
	}
}

// Send answers with the download: status 200, its headers, then its
// content. A write error (the client went away half-way) is returned.
func (d Download) Send(w http.ResponseWriter) error {
	h := w.Header()
	for k, v := range d.Header {
		h[k] = v
	}
	h.Set("Content-Type", d.ContentType)
	w.WriteHeader(http.StatusOK)
	if d.write != nil {
		return d.write(w)
	}
	_, err := w.Write(d.Content)
	return err
}

// attachment is the Content-Disposition of a file to save, never to show.
func attachment(filename string) string {
	return mime.FormatMediaType("attachment", map[string]string{"filename": filename})
}

// Certificate is a completion's certificate, for whoever may see the
// completion (the domain decides; anyone else gets training.ErrNotFound).
// It is sent as an attachment with the type its first bytes showed, in a
// sandbox and never cached: a file someone uploaded is never rendered as a
// page of this site, nor sniffed into something else, nor kept by a shared
// cache.
func (a App) Certificate(ctx context.Context, actor training.Actor, completionID string) (Download, error) {
	f, err := a.Training.Certificate(ctx, actor, completionID)
	if err != nil {
		return Download{}, err
	}
	return Download{
		ContentType: f.ContentType,
		Filename:    f.Filename,
		Header: http.Header{
			"Content-Disposition":     {attachment(f.Filename)},
			"Content-Security-Policy": {"default-src 'none'; sandbox"},
			"Cache-Control":           {"private, no-store"},
		},
		Content: f.Data,
	}, nil
}

// ComplianceReport is a course's compliance on a day, grouped (HR and
// auditors only; the domain decides). Problems found reading the request
// go in req.Problems and come back with the domain's own.
func (a App) ComplianceReport(ctx context.Context, actor training.Actor, req training.ReportRequest) (training.Report, error) {
	return a.Training.ComplianceReport(ctx, actor, req)
}

// ReportCSV is the report's per-person list as a CSV download, named for
// the course, the day and the grouping (the "group" column depends on it).
func ReportCSV(rep training.Report) Download {
	name := fmt.Sprintf("compliance-%s-%s-by-%s.csv", rep.CourseCode, rep.AsOf, rep.GroupBy)
	return Download{
		ContentType: "text/csv; charset=utf-8",
		Filename:    name,
		Header:      http.Header{"Content-Disposition": {attachment(name)}},
		write:       func(w io.Writer) error { return reportcsv.Write(w, rep) },
	}
}

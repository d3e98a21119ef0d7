package application_test

import (
	"bytes"
	"encoding/json"
	"errors"
	"fmt"
	"log/slog"
	"net/http"
	"net/http/httptest"
	"strings"
	"testing"

	"github.com/complytrack/complytrack/pkg/application"
	"github.com/complytrack/complytrack/pkg/reportcsv"
	"github.com/complytrack/complytrack/pkg/training"
)

func TestCertificateDownload(t *testing.T) {
	e := newEnv(t)
	ctx := t.Context()
	sophie, _ := e.employee("Sophie")
	other, _ := e.employee("Olly")
	pdf := tinyPDF("sophie")
	ct, body := multipartBody(t, field("course_code", "PREVENT"), field("completed_on", "2026-10-01"), file("certificate", `my "cert".pdf`, pdf))
	form, err := application.ReadCompletionForm(bytes.NewReader(body), ct, apiFields...)
	if err != nil || form.CertificateErr != nil {
		t.Fatal(err, form.CertificateErr)
	}
	done, err := e.uc.SelfCertify(ctx, training.Actor{PersonID: sophie.ID}, training.CompletionInput{
		CourseCode: form.Values["course_code"], CompletedOn: training.NewDate(2026, 10, 1), Certificate: form.Certificate})
	if err != nil {
		t.Fatal(err)
	}

	d, err := e.uc.Certificate(ctx, training.Actor{PersonID: sophie.ID}, done.ID)
	if err != nil {
		t.Fatal(err)
	}
	w := httptest.NewRecorder()
	if err := d.Send(w); err != nil {
		t.Fatal(err)
	}
	for name, want := range map[string]string{
		"Content-Type":            "application/pdf",
		"Content-Disposition":     `attachment; filename="my cert.pdf"`,
		"Content-Security-Policy": "default-src 'none'; sandbox",
		"Cache-Control":           "private, no-store",
	} {
		if got := w.Header().Get(name); got != want {
			t.Errorf("%s: %q, want %q", name, got, want)
		}
	}
	if w.Code != http.StatusOK || !bytes.Equal(w.Body.Bytes(), pdf) || !bytes.Equal(d.Content, pdf) || d.Filename != "my cert.pdf" {
		t.Errorf("status %d, %d bytes, name %q: not the file recorded", w.Code, w.Body.Len(), d.Filename)
	}

	// To anyone who may not see the completion it does not exist.
	if _, err := e.uc.Certificate(ctx, training.Actor{PersonID: other.ID}, done.ID); !errors.Is(err, training.ErrNotFound) {
		t.Errorf("another employee: %v, want training.ErrNotFound", err)
	}
}

// failingWriter takes n bytes, then fails.
type failingWriter struct {
	header http.Header
	n      int
	status int
}

var errGone = errors.New("connection reset by peer")

func (w *failingWriter) Header() http.Header { return w.header }
func (w *failingWriter) WriteHeader(s int)   { w.status = s }
func (w *failingWriter) Write(p []byte) (int, error) {
	if len(p) > w.n {
		n := w.n
		w.n = 0
		return n, errGone
	}
	w.n -= len(p)
	return len(p), nil
}

func TestReportCSV(t *testing.T) {
	e := newEnv(t)
	ctx := t.Context()
	e.employee("Sophie")
	rep, err := e.uc.ComplianceReport(ctx, e.hr, training.ReportRequest{CourseCode: "PREVENT", GroupBy: training.GroupByDepartment})
	if err != nil {
		t.Fatal(err)
	}
	d := application.ReportCSV(rep)
	w := httptest.NewRecorder()
	if err := d.Send(w); err != nil {
		t.Fatal(err)
	}
	wantName := "compliance-PREVENT-2026-11-02-by-department.csv"
	if got := w.Header().Get("Content-Disposition"); got != `attachment; filename=`+wantName || d.Filename != wantName {
		t.Errorf("Content-Disposition %q, name %q, want %s", got, d.Filename, wantName)
	}
	if got := w.Header().Get("Content-Type"); got != "text/csv; charset=utf-8" {
		t.Errorf("Content-Type %q", got)
	}
	if !bytes.Equal(w.Body.Bytes(), reportcsv.Bytes(rep)) || !strings.HasPrefix(w.Body.String(), strings.Join(reportcsv.Header, ",")) ||
		!strings.Contains(w.Body.String(), "E-Sophie,Sophie,Tester") {
		t.Errorf("body is not the report's CSV:\n%s", w.Body.String())
	}

	// A download cut off half-way says so, and Serve logs it as a warning
	// naming the file: the status has gone already.
	fw := &failingWriter{header: http.Header{}, n: 20}
	if err := application.ReportCSV(rep).Send(fw); !errors.Is(err, errGone) {
		t.Errorf("cut-off download: %v, want the write error", err)
	}
	if fw.status != http.StatusOK {
		t.Errorf("status %d sent before the content, want 200", fw.status)
	}
	var logged bytes.Buffer
	log := slog.New(slog.NewJSONHandler(&logged, nil))
	application.Serve(ctx, log, &failingWriter{header: http.Header{}, n: 20}, application.ReportCSV(rep))
	application.Serve(ctx, log, httptest.NewRecorder(), application.ReportCSV(rep))
	var rec map[string]any
	if err := json.Unmarshal(logged.Bytes(), &rec); err != nil || strings.Count(logged.String(), "\n") != 1 {
		t.Fatalf("log %q (%v), want one line for the download cut off", logged.String(), err)
	}
	if rec["level"] != "WARN" || rec["file"] != wantName || !strings.Contains(fmt.Sprint(rec), errGone.Error()) {
		t.Errorf("logged %v, want a warning naming the file and the write error", rec)
	}
}

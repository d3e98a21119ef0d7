package web_test

import (
	"bytes"
	"context"
	"mime/multipart"
	"net/http"
	"net/http/httptest"
	"testing"

	"github.com/complytrack/complytrack/pkg/training"
)

// A form posted by a browser that has gone away by the time the server
// handles it (the person closed the tab) is recorded and audited all the
// same: the router lets every write finish, for the pages as for the API.
func TestFormWriteFinishesWhenTheBrowserHasGone(t *testing.T) {
	e := newEnv(t, "http://127.0.0.1")
	sophie := e.employee("Sophie", "Marsh")
	b := e.newBrowser()
	b.signIn("sophie.marsh@example.gov.uk", castPassword)
	b.visit("/my-training/PREVENT/record")

	var body bytes.Buffer
	w := multipart.NewWriter(&body)
	for k, v := range recordForm(b, "30", "10", "2026") {
		if err := w.WriteField(k, v); err != nil {
			t.Fatal(err)
		}
	}
	fw, err := w.CreateFormFile("certificate", "certificate.pdf")
	if err != nil {
		t.Fatal(err)
	}
	if _, err := fw.Write(pdf("closed tab")); err != nil {
		t.Fatal(err)
	}
	if err := w.Close(); err != nil {
		t.Fatal(err)
	}
	gone, cancel := context.WithCancel(context.Background())
	cancel()
	req := httptest.NewRequestWithContext(gone, http.MethodPost, e.srv.URL+"/my-training/PREVENT/record", &body)
	req.Header.Set("Content-Type", w.FormDataContentType())
	for _, c := range b.client.Jar.Cookies(req.URL) {
		req.AddCookie(c)
	}
	e.router.ServeHTTP(httptest.NewRecorder(), req)

	done, err := e.app.Training.CompletionsOf(t.Context(), e.hr, sophie.ID)
	if err != nil {
		t.Fatal(err)
	}
	if len(done) != 1 || done[0].Evidence == nil {
		t.Fatalf("completions after the browser left: %+v, want the one submitted", done)
	}
	audit, err := e.app.Training.ListAudit(t.Context(), e.hr, done[0].ID, training.PageRequest{})
	if err != nil {
		t.Fatal(err)
	}
	if len(audit.Items) != 1 || audit.Items[0].Action != "completion.record" {
		t.Errorf("audit of the completion: %+v, want its record entry", audit.Items)
	}
}

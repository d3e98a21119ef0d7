package web_test

import (
	"bytes"
	"mime/multipart"
	"net/http"
	"testing"
)

// multipartForm encodes fields, in order, then one file part, as a browser
// would send them.
func multipartForm(t *testing.T, fields [][2]string, fileField, fileName string, data []byte) (contentType string, body []byte) {
	t.Helper()
	var buf bytes.Buffer
	w := multipart.NewWriter(&buf)
	for _, f := range fields {
		if err := w.WriteField(f[0], f[1]); err != nil {
			t.Fatal(err)
		}
	}
	fw, err := w.CreateFormFile(fileField, fileName)
	if err != nil {
		t.Fatal(err)
	}
	if _, err := fw.Write(data); err != nil {
		t.Fatal(err)
	}
	if err := w.Close(); err != nil {
		t.Fatal(err)
	}
	return w.FormDataContentType(), buf.Bytes()
}

// sendRaw posts body as it is, cut or not.
func (b *browser) sendRaw(path, contentType string, body []byte) result {
	b.t.Helper()
	req, err := http.NewRequest(http.MethodPost, b.e.srv.URL+path, bytes.NewReader(body))
	if err != nil {
		b.t.Fatal(err)
	}
	req.Header.Set("Content-Type", contentType)
	return b.do(req)
}

// A form cut off anywhere before its closing delimiter (a dropped
// connection) is refused with the 400 page: mime/multipart alone would
// take a body cut inside a part's headers as a whole form without that
// part, and record a completion without its certificate.
func TestTruncatedUploadFormsAreRefused(t *testing.T) {
	e := newEnv(t, "http://127.0.0.1")
	sophie := e.employee("Sophie", "Marsh")
	b := e.newBrowser()
	b.signIn("sophie.marsh@example.gov.uk", castPassword)
	b.visit("/my-training/PREVENT/record")
	ct, whole := multipartForm(t, [][2]string{{"csrf_token", b.csrf()}, {"completed-on-day", "30"},
		{"completed-on-month", "10"}, {"completed-on-year", "2026"}}, "certificate", "cert.pdf", pdf("sophie"))

	refused := func(t *testing.T, b *browser, path string, body []byte) {
		t.Helper()
		r := b.sendRaw(path, ct, body)
		if r.Status != http.StatusBadRequest {
			t.Errorf("%s cut at %d of %d: status %d, want 400", path, len(body), len(whole), r.Status)
			return
		}
		mustContain(t, r, "The form could not be read", "Go back, reload the page and try again.")
	}
	t.Run("record a completion", func(t *testing.T) {
		cert := bytes.Index(whole, []byte(`name="certificate"`))
		refused(t, b, "/my-training/PREVENT/record", whole[:cert+5])                                   // inside the certificate's part headers
		refused(t, b, "/my-training/PREVENT/record", whole[:bytes.LastIndex(whole, []byte("--\r\n"))]) // without the closing "--"
		for cut := 0; cut < len(whole)-4; cut += 11 {
			refused(t, b, "/my-training/PREVENT/record", whole[:cut])
		}
		if got, err := e.app.Training.CompletionsOf(t.Context(), e.hr, sophie.ID); err != nil || len(got) != 0 {
			t.Fatalf("a cut form was recorded: %+v, %v", got, err)
		}
		// The control: the whole form is recorded.
		if r := b.sendRaw("/my-training/PREVENT/record", ct, whole); r.Status != http.StatusSeeOther {
			t.Errorf("the whole form: status %d\n%s", r.Status, r.Body)
		}
	})

	t.Run("import people", func(t *testing.T) {
		hr := hpSignInHR(e)
		hr.visit("/people/import")
		csv := []byte("employee_number,email,given_name,family_name,kind,start_date\nE-Cut,cut@example.gov.uk,Cy,Cut,staff,2026-10-01\n")
		var body []byte
		ct, body = multipartForm(t, [][2]string{{"csrf_token", hr.csrf()}}, "file", "people.csv", csv)
		whole = body
		refused(t, hr, "/people/import", body[:bytes.Index(body, []byte(`name="file"`))+5])
		refused(t, hr, "/people/import", body[:bytes.LastIndex(body, []byte("--\r\n"))])
		for cut := 0; cut < len(body)-4; cut += 11 {
			refused(t, hr, "/people/import", body[:cut])
		}
		if r := hr.sendRaw("/people/import", ct, body); r.Status != http.StatusOK {
			t.Errorf("the whole form: status %d\n%s", r.Status, r.Body)
		}
	})
}

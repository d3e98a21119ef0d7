package upload_test

import (
	"bytes"
	"errors"
	"io"
	"mime/multipart"
	"net/http"
	"strings"
	"testing"
	"testing/iotest"

	"github.com/complytrack/complytrack/pkg/upload"
)

func form(t *testing.T) (contentType string, body []byte) {
	t.Helper()
	var buf bytes.Buffer
	w := multipart.NewWriter(&buf)
	if err := w.WriteField("course_code", "PREVENT"); err != nil {
		t.Fatal(err)
	}
	fw, err := w.CreateFormFile("certificate", "c.pdf")
	if err != nil {
		t.Fatal(err)
	}
	if _, err := fw.Write([]byte("%PDF-1.4\n--not the boundary--\n%%EOF\n")); err != nil {
		t.Fatal(err)
	}
	if err := w.Close(); err != nil {
		t.Fatal(err)
	}
	return w.FormDataContentType(), buf.Bytes()
}

// The delimiter is found however the body is split into reads, and only
// when the body reaches it.
func TestBodySeesTheClosingDelimiter(t *testing.T) {
	ct, whole := form(t)
	boundary := ct[strings.Index(ct, "boundary=")+len("boundary="):]
	end := bytes.LastIndex(whole, []byte("--\r\n")) + 2
	for _, tc := range []struct {
		name string
		r    func([]byte) io.Reader
	}{
		{"one read", func(b []byte) io.Reader { return bytes.NewReader(b) }},
		{"one byte a read", func(b []byte) io.Reader { return iotest.OneByteReader(bytes.NewReader(b)) }},
		{"half a read", func(b []byte) io.Reader { return iotest.HalfReader(bytes.NewReader(b)) }},
	} {
		for cut := 0; cut <= len(whole); cut++ {
			b := upload.NewBody(tc.r(whole[:cut]), boundary)
			if _, err := io.Copy(io.Discard, b); err != nil {
				t.Fatal(err)
			}
			if want := cut >= end; b.Complete() != want {
				t.Errorf("%s, cut at %d of %d: Complete() = %v, want %v", tc.name, cut, len(whole), b.Complete(), want)
			}
		}
	}
}

// ParseMultipartForm refuses a form cut inside its last part's headers,
// which the standard library reads as a whole form without that part.
func TestParseMultipartFormRefusesACutForm(t *testing.T) {
	ct, whole := form(t)
	cut := whole[:bytes.Index(whole, []byte(`name="certificate"`))+4]
	req, _ := http.NewRequest(http.MethodPost, "/", bytes.NewReader(cut))
	req.Header.Set("Content-Type", ct)
	if err := req.ParseMultipartForm(1 << 20); err != nil {
		t.Fatalf("the standard library refuses the cut form (%v): the check may no longer be needed", err)
	}
	req, _ = http.NewRequest(http.MethodPost, "/", bytes.NewReader(cut))
	req.Header.Set("Content-Type", ct)
	if err := upload.ParseMultipartForm(req, 1<<20); !errors.Is(err, upload.ErrIncomplete) {
		t.Errorf("cut form: %v, want ErrIncomplete", err)
	}
	req, _ = http.NewRequest(http.MethodPost, "/", bytes.NewReader(whole))
	req.Header.Set("Content-Type", ct)
	if err := upload.ParseMultipartForm(req, 1<<20); err != nil || req.FormValue("course_code") != "PREVENT" || len(req.MultipartForm.File["certificate"]) != 1 {
		t.Errorf("whole form: %v", err)
	}
	req, _ = http.NewRequest(http.MethodPost, "/", strings.NewReader("a=b"))
	req.Header.Set("Content-Type", "application/x-www-form-urlencoded")
	if err := upload.ParseMultipartForm(req, 1<<20); !errors.Is(err, http.ErrNotMultipart) {
		t.Errorf("not multipart: %v, want ErrNotMultipart", err)
	}
}

package application_test

import (
	"bytes"
	"errors"
	"io"
	"net/http"
	"strings"
	"testing"

	"github.com/complytrack/complytrack/pkg/application"
	"github.com/complytrack/complytrack/pkg/evidence"
	"github.com/complytrack/complytrack/pkg/training"
	"github.com/complytrack/complytrack/pkg/upload"
)

var apiFields = []string{"course_code", "completed_on", "certificate_ref"}

func TestReadCompletionForm(t *testing.T) {
	pdf := tinyPDF("a")
	good := []part{field("course_code", "PREVENT"), field("completed_on", "2026-10-01")}
	type want struct {
		err         func(error) bool // nil: no error
		certErr     func(error) bool // nil: no CertificateErr
		certificate bool
		field       string // the field a *training.ValidationError names
	}
	isValidation := func(err error) bool { var ve *training.ValidationError; return errors.As(err, &ve) }
	isTooLarge := func(err error) bool { return errors.Is(err, evidence.ErrTooLarge) }
	// A form that cannot be read is a malformed request (400 through
	// either door), never a problem with a field.
	isUnreadable := func(err error) bool { return errors.Is(err, training.ErrInvalid) && !isValidation(err) }
	isMaxBytes := func(err error) bool { var mbe *http.MaxBytesError; return errors.As(err, &mbe) }
	manyFields := make([]part, 0, 6000)
	for range 6000 {
		manyFields = append(manyFields, field("certificate_ref", strings.Repeat("r", 1000)))
	}
	for _, tc := range []struct {
		name  string
		parts []part
		want  want
	}{
		{"fields and a certificate", append(good, file("certificate", "cert.pdf", pdf)), want{certificate: true}},
		{"fields alone", good, want{}},
		{"a file input left empty", append(good, file("certificate", "", nil)), want{}},
		{"a certificate of exactly the limit", append(good, file("certificate", "cert.pdf", paddedPDF(training.MaxEvidenceBytes))), want{certificate: true}},
		{"a certificate one byte over the limit", append(good, file("certificate", "cert.pdf", paddedPDF(training.MaxEvidenceBytes+1))), want{certErr: isTooLarge}},
		{"an empty certificate with a name", append(good, file("certificate", "cert.pdf", nil)), want{certErr: isValidation}},
		{"a text file named cert.pdf", append(good, file("certificate", "cert.pdf", []byte("This is my certificate.\n"))), want{certErr: isValidation}},
		{"two certificates", append(good, file("certificate", "a.pdf", pdf), file("certificate", "b.pdf", pdf)), want{err: isValidation, field: "certificate"}},
		{"a field the form does not have", append(good, field("notes", "done it")), want{err: isValidation, field: "notes"}},
		{"a field too long", []part{field("course_code", strings.Repeat("P", application.MaxFieldBytes+1))}, want{err: isValidation, field: "course_code"}},
		{"a field of exactly the limit", []part{field("course_code", strings.Repeat("P", application.MaxFieldBytes))}, want{}},
		{"a body over the form's limit", manyFields, want{err: isMaxBytes}},
	} {
		t.Run(tc.name, func(t *testing.T) {
			ct, body := multipartBody(t, tc.parts...)
			form, err := application.ReadCompletionForm(bytes.NewReader(body), ct, apiFields...)
			switch {
			case tc.want.err == nil && err != nil:
				t.Fatalf("error %v", err)
			case tc.want.err != nil && (err == nil || !tc.want.err(err)):
				t.Fatalf("error %v, not the kind expected", err)
			}
			var ve *training.ValidationError
			if tc.want.field != "" && (!errors.As(err, &ve) || ve.Fields[0].Field != tc.want.field) {
				t.Errorf("error %v, want one naming %q", err, tc.want.field)
			}
			switch {
			case tc.want.certErr == nil && form.CertificateErr != nil:
				t.Errorf("CertificateErr %v", form.CertificateErr)
			case tc.want.certErr != nil && (form.CertificateErr == nil || !tc.want.certErr(form.CertificateErr)):
				t.Errorf("CertificateErr %v, not the kind expected", form.CertificateErr)
			}
			if got := form.Certificate != nil; got != tc.want.certificate {
				t.Errorf("certificate taken: %v, want %v", got, tc.want.certificate)
			}
			if err == nil && form.Values["course_code"] != tc.parts[0].dataString() {
				t.Errorf("course_code %q, want %q", form.Values["course_code"], tc.parts[0].dataString())
			}
		})
	}

	t.Run("the certificate as sent", func(t *testing.T) {
		ct, body := multipartBody(t, append(good, file("certificate", "../My cert.pdf", pdf))...)
		form, err := application.ReadCompletionForm(bytes.NewReader(body), ct, apiFields...)
		if err != nil || form.Certificate == nil {
			t.Fatalf("%+v, %v", form, err)
		}
		c := form.Certificate
		if !bytes.Equal(c.Data, pdf) || c.ContentType != evidence.TypePDF || c.SHA256 == "" || strings.ContainsAny(c.Filename, "/\\") {
			t.Errorf("certificate %q %s %q: not the file sent, or its name not made safe", c.Data[:8], c.ContentType, c.Filename)
		}
	})

	t.Run("not a multipart form", func(t *testing.T) {
		for _, ct := range []string{"application/json", "multipart/form-data", "text/plain; boundary=x", "nonsense;;"} {
			_, err := application.ReadCompletionForm(strings.NewReader("{}"), ct, apiFields...)
			if !errors.Is(err, training.ErrInvalid) || isValidation(err) {
				t.Errorf("%q: error %v, want one wrapping training.ErrInvalid", ct, err)
			}
		}
	})

	// A form cut off anywhere before its closing delimiter is refused as
	// unreadable, never taken as a shorter form; cut between or inside
	// parts' contents, it is said to be cut off.
	t.Run("cut off", func(t *testing.T) {
		ct, whole := multipartBody(t, append(good, file("certificate", "cert.pdf", pdf))...)
		cuts := []int{bytes.Index(whole, []byte(`name="certificate"`)) + 5, bytes.LastIndex(whole, []byte("--\r\n"))}
		for cut := 0; cut < len(whole)-4; cut += 7 {
			cuts = append(cuts, cut)
		}
		for _, cut := range cuts {
			form, err := application.ReadCompletionForm(bytes.NewReader(whole[:cut]), ct, apiFields...)
			if !isUnreadable(err) {
				t.Errorf("cut at %d of %d: error %v, want one wrapping training.ErrInvalid", cut, len(whole), err)
			}
			if form.Certificate != nil {
				t.Errorf("cut at %d: certificate taken", cut)
			}
		}
		for _, cut := range []int{bytes.Index(whole, pdf) + 10, bytes.LastIndex(whole, []byte("--\r\n")), len(whole) - 4} {
			if _, err := application.ReadCompletionForm(bytes.NewReader(whole[:cut]), ct, apiFields...); !errors.Is(err, upload.ErrIncomplete) {
				t.Errorf("cut at %d of %d: error %v, want one wrapping upload.ErrIncomplete", cut, len(whole), err)
			}
		}
	})
}

// dataString is a part's content as text.
func (p part) dataString() string { return string(p.data) }

// endless is a certificate part that never ends: its head, then filler
// for ever. It counts what was read from it.
type endless struct {
	head []byte
	read int64
}

func (e *endless) Read(p []byte) (int, error) {
	n := copy(p, e.head)
	e.head = e.head[n:]
	for i := n; i < len(p); i++ {
		p[i] = 'x'
	}
	e.read += int64(len(p))
	return len(p), nil
}

// An upload far over the limit is never read much past it, whichever part
// holds the bytes: the form stops at the limit, not at the end of the body.
func TestOversizedUploadIsNotReadWhole(t *testing.T) {
	const boundary = "b0undary"
	ct := "multipart/form-data; boundary=" + boundary
	for _, tc := range []struct {
		name  string
		head  string
		check func(application.CompletionForm, error) bool
	}{
		{"a certificate", "--" + boundary + "\r\nContent-Disposition: form-data; name=\"certificate\"; filename=\"c.pdf\"\r\n\r\n%PDF-1.4\n",
			func(f application.CompletionForm, err error) bool {
				return err == nil && errors.Is(f.CertificateErr, evidence.ErrTooLarge)
			}},
		{"a field", "--" + boundary + "\r\nContent-Disposition: form-data; name=\"course_code\"\r\n\r\n",
			func(f application.CompletionForm, err error) bool {
				var ve *training.ValidationError
				return errors.As(err, &ve) && ve.Fields[0].Field == "course_code"
			}},
		{"a part's headers", "--" + boundary + "\r\nX-Filler: ",
			func(f application.CompletionForm, err error) bool {
				var mbe *http.MaxBytesError
				return errors.As(err, &mbe) || errors.Is(err, training.ErrInvalid)
			}},
	} {
		t.Run(tc.name, func(t *testing.T) {
			body := &endless{head: []byte(tc.head)}
			form, err := application.ReadCompletionForm(io.Reader(body), ct, apiFields...)
			if !tc.check(form, err) {
				t.Errorf("answer %+v, %v: not the refusal expected", form.CertificateErr, err)
			}
			if body.read > application.MaxCompletionFormBytes+64<<10 {
				t.Errorf("read %d bytes of an endless body, limit %d", body.read, application.MaxCompletionFormBytes)
			}
		})
	}
}

package application

import (
	"bufio"
	"context"
	"errors"
	"fmt"
	"io"
	"mime"
	"mime/multipart"
	"net/http"

	"github.com/complytrack/complytrack/pkg/evidence"
	"github.com/complytrack/complytrack/pkg/training"
	"github.com/complytrack/complytrack/pkg/upload"
)

// Limits of a completion form: the certificate is at most
// training.MaxEvidenceBytes; the whole body at most that plus room for the
// form's short text fields and the parts' headers. Both doors read the
// form with ReadCompletionForm, so the same file is taken or refused by
// both.
const (
	MaxFieldBytes           = 1024
	MaxCompletionFormBytes  = training.MaxEvidenceBytes + 64<<10
	certificateFormField    = evidence.Field
	maxCertificateFileBytes = training.MaxEvidenceBytes
)

// CompletionForm is a multipart form recording a completion, as read by
// ReadCompletionForm.
type CompletionForm struct {
	// Values are the text fields by name, as sent.
	Values map[string]string
	// Certificate is the certificate file, a PDF, PNG or JPEG by its first
	// bytes; nil when the form has none (a browser sends an empty part
	// with no file name when no file was chosen).
	Certificate *training.Upload
	// CertificateErr is why the certificate part was not taken: it is
	// larger than training.MaxEvidenceBytes (wrapping evidence.ErrTooLarge
	// and an *http.MaxBytesError), or not a certificate (a
	// *training.ValidationError on "certificate"). A file too large is not
	// read past the limit, and neither is the rest of the form: Values
	// holds the fields sent before it. After any other problem with the
	// file the rest of the form is read as usual.
	CertificateErr error
}

// ReadCompletionForm reads a completion form from body, a
// multipart/form-data stream of contentType: the text fields named in
// fields, each at most MaxFieldBytes, and at most one certificate part
// ("certificate"). It reads the body once, as it arrives, never more than
// MaxCompletionFormBytes of it, and holds nothing but the fields and the
// certificate (at most training.MaxEvidenceBytes).
//
// A form that cannot be taken is an error, with the fields read so far
// (never a certificate):
//   - not multipart/form-data, or no boundary: wrapping http.ErrNotMultipart
//     or http.ErrMissingBoundary, and training.ErrInvalid;
//   - cut off before its closing delimiter, or not a well-formed form:
//     wrapping upload.ErrIncomplete (when cut off) and training.ErrInvalid;
//   - larger than MaxCompletionFormBytes: wrapping *http.MaxBytesError;
//   - a field not in fields, a text field too long, or a second certificate
//     part: a *training.ValidationError naming it.
//
// A problem with the certificate alone is not an error: see
// CompletionForm.CertificateErr.
func ReadCompletionForm(body io.Reader, contentType string, fields ...string) (form CompletionForm, err error) {
	form = CompletionForm{Values: map[string]string{}}
	defer func() {
		if err != nil {
			form.Certificate = nil // nothing of a refused form is recorded
		}
	}()
	mt, params, err := mime.ParseMediaType(contentType)
	if err != nil || mt != "multipart/form-data" {
		return form, fmt.Errorf("completion form: %w: %w", http.ErrNotMultipart, training.ErrInvalid)
	}
	boundary := params["boundary"]
	if boundary == "" {
		return form, fmt.Errorf("completion form: %w: %w", http.ErrMissingBoundary, training.ErrInvalid)
	}
	watched := upload.NewBody(limitBytes(body, MaxCompletionFormBytes), boundary)
	mr := multipart.NewReader(watched, boundary)
	allowed := make(map[string]bool, len(fields))
	for _, f := range fields {
		allowed[f] = true
	}
	certificateParts := 0
	for {
		part, err := mr.NextPart()
		if errors.Is(err, io.EOF) {
			break
		}
		if err != nil {
			return form, formError(err)
		}
		name := part.FormName()
		switch {
		case name == certificateFormField:
			if certificateParts++; certificateParts > 1 {
				return form, invalidField(certificateFormField, "Send only one certificate file")
			}
			file, err := readCertificate(part)
			switch {
			case errors.Is(err, evidence.ErrTooLarge):
				// Reading on would only waste time on a file refused already.
				form.CertificateErr = fmt.Errorf("certificate over %d MiB: %w: %w", maxCertificateFileBytes>>20, err,
					&http.MaxBytesError{Limit: maxCertificateFileBytes})
				return form, nil
			case isValidation(err):
				form.CertificateErr = err
			case err != nil:
				return form, formError(err)
			default:
				form.Certificate = file
			}
		case allowed[name]:
			b, err := io.ReadAll(io.LimitReader(part, MaxFieldBytes+1))
			if err != nil {
				return form, formError(err)
			}
			if len(b) > MaxFieldBytes {
				return form, invalidField(name, "The %s must be %d characters or fewer", training.Label(name), MaxFieldBytes)
			}
			form.Values[name] = string(b)
		default:
			return form, invalidField(name, "Remove the field %q: this form does not have it", name)
		}
		_ = part.Close()
	}
	if !watched.Complete() {
		return form, fmt.Errorf("completion form: %w: %w", upload.ErrIncomplete, training.ErrInvalid)
	}
	return form, nil
}

// readCertificate reads and checks the certificate part; nil, nil when it
// is the empty part of a file input left empty.
func readCertificate(part *multipart.Part) (*training.Upload, error) {
	r := bufio.NewReader(part)
	if _, err := r.Peek(1); errors.Is(err, io.EOF) && part.FileName() == "" {
		return nil, nil
	}
	f, err := evidence.Read(r, maxCertificateFileBytes)
	if err != nil {
		return nil, err
	}
	return &training.Upload{Data: f.Data, SHA256: f.SHA256, ContentType: f.ContentType,
		Filename: evidence.SafeFilename(part.FileName(), f.ContentType)}, nil
}

// formError classifies an error reading the form: over the size limit, a
// problem already named, or a body that is cut off or not a form.
func formError(err error) error {
	var mbe *http.MaxBytesError
	switch {
	case errors.As(err, &mbe), isValidation(err):
		return err
	case errors.Is(err, io.ErrUnexpectedEOF):
		return fmt.Errorf("completion form: %v: %w: %w", err, upload.ErrIncomplete, training.ErrInvalid)
	}
	return fmt.Errorf("completion form: %v: %w", err, training.ErrInvalid)
}

func isValidation(err error) bool {
	var ve *training.ValidationError
	return errors.As(err, &ve)
}

// invalidField is a *training.ValidationError with one problem, written as
// a sentence.
func invalidField(field, format string, args ...any) error {
	v := &training.ValidationError{}
	v.Problem(field, format, args...)
	return v
}

// SelfCertify records that the actor completed a course, from what their
// form or request held (in.Problems are reported with the domain's own).
func (a App) SelfCertify(ctx context.Context, actor training.Actor, in training.CompletionInput) (training.Completion, error) {
	return a.Training.SelfCertify(ctx, actor, in)
}

// MayRecordFor answers, before a form is read, whether the actor may
// record a completion for personID: the person being out of sight is
// training.ErrNotFound, a role that may not training.ErrForbidden.
func (a App) MayRecordFor(ctx context.Context, actor training.Actor, personID string) error {
	return a.Training.MayRecordFor(ctx, actor, personID)
}

// RecordCompletion records a completion for someone else (HR, or a trainer
// for a classroom course).
func (a App) RecordCompletion(ctx context.Context, actor training.Actor, personID string, in training.CompletionInput) (training.Completion, error) {
	return a.Training.RecordCompletion(ctx, actor, personID, in)
}

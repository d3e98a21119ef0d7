// Package evidence checks certificate files that people upload as evidence of
// a completion: it reads at most a size limit, recognises the file's kind by
// its first bytes (never by its name or the Content-Type the client
// declared), hashes it, and cleans the client's file name for storage and for
// a Content-Disposition header.
//
// Accepted kinds are PDF, PNG and JPEG. Beyond the magic bytes, Read makes one
// cheap structural check per kind, chosen so that it does not refuse files
// real viewers open:
//
//   - PDF: "%%EOF" must appear within the last 1024 bytes. This is the
//     limit Adobe documents for its own readers (PDF Reference 1.7, Appendix
//     H, implementation note 18: "Acrobat viewers require only that the %%EOF
//     marker appear somewhere within the last 1024 bytes of the file"), so
//     trailing whitespace or padding a generator adds is accepted; what it
//     catches is a download or upload cut short, which is the usual way a
//     real certificate arrives broken. The body is not parsed.
//   - PNG: the header must parse (image/png DecodeConfig): IHDR is the first
//     chunk, its CRC is right and the dimensions are positive.
//   - JPEG: the markers up to the frame header must parse (image/jpeg
//     DecodeConfig). A valid JPEG that uses a feature Go does not decode
//     (12-bit, arithmetic coding, unusual subsampling) is accepted: only a
//     format error refuses the file. The end-of-image marker FFD9 is not
//     required, because many cameras and scanners omit it or append data
//     after it.
//
// Neither check decodes pixels, so a small file cannot make the server
// allocate a huge image. None of this proves a file is harmless or genuine:
// files are served back with the sniffed Content-Type, as attachments, and a
// verifier still looks at them.
package evidence

import (
	"bytes"
	"crypto/sha256"
	"encoding/hex"
	"errors"
	"fmt"
	"image/jpeg"
	"image/png"
	"io"

	"github.com/complytrack/complytrack/pkg/training"
)

// Content types Sniff recognises.
const (
	TypePDF  = "application/pdf"
	TypePNG  = "image/png"
	TypeJPEG = "image/jpeg"
)

// Field is the input field that validation errors name.
const Field = "certificate"

// ErrTooLarge is wrapped by Read's error when the file is over the limit. The
// HTTP layer answers it with 413 Content Too Large.
var ErrTooLarge = errors.New("evidence file too large")

// pdfEOFWindow is how far from the end "%%EOF" may be (see the package doc).
const pdfEOFWindow = 1024

var (
	magicPDF  = []byte("%PDF-")
	magicPNG  = []byte("\x89PNG\r\n\x1a\n")
	magicJPEG = []byte("\xFF\xD8\xFF")
)

// Sniff recognises a file's kind from its first bytes only: "%PDF-" is PDF,
// "\x89PNG\r\n\x1a\n" PNG and "\xFF\xD8\xFF" JPEG. It returns the content
// type and true, or "" and false for anything else (including a head too
// short to hold a signature). head may be the whole file or its start.
func Sniff(head []byte) (contentType string, ok bool) {
	switch {
	case bytes.HasPrefix(head, magicPDF):
		return TypePDF, true
	case bytes.HasPrefix(head, magicPNG):
		return TypePNG, true
	case bytes.HasPrefix(head, magicJPEG):
		return TypeJPEG, true
	}
	return "", false
}

// File is an evidence file read and checked by Read.
type File struct {
	Data        []byte
	SHA256      string // hex, lower case
	ContentType string // TypePDF, TypePNG or TypeJPEG, from Sniff
	Size        int64  // len(Data)
}

// Read reads the whole of r, but never more than limit+1 bytes, and checks it.
//
// A file of more than limit bytes is an error wrapping ErrTooLarge (r is not
// read to its end). An empty file, or one that is not a PDF, PNG or JPEG by
// its first bytes, is training.Invalid("certificate", "The certificate must
// be a PDF, PNG or JPEG file."); one that starts like one of them but fails
// the structural check in the package doc is a training.Invalid saying it
// looks damaged. Both messages are whole sentences, shown as they are.
// Both wrap training.ErrInvalid. An error from r is returned wrapped.
//
// The caller passes training.MaxEvidenceBytes as limit. If r is an
// http.MaxBytesReader with a lower limit, its *http.MaxBytesError comes back
// wrapped, for the HTTP layer to recognise.
func Read(r io.Reader, limit int64) (File, error) {
	if limit < 0 {
		limit = 0
	}
	n := limit + 1
	if n < 0 { // limit is math.MaxInt64
		n = limit
	}
	var buf bytes.Buffer
	if _, err := buf.ReadFrom(io.LimitReader(r, n)); err != nil {
		return File{}, fmt.Errorf("read evidence file: %w", err)
	}
	if int64(buf.Len()) > limit {
		return File{}, fmt.Errorf("evidence file is larger than %d bytes: %w", limit, ErrTooLarge)
	}
	data := buf.Bytes()
	ct, ok := Sniff(data)
	if !ok {
		return File{}, training.Invalid(Field, "The certificate must be a PDF, PNG or JPEG file.")
	}
	if err := check(ct, data); err != nil {
		return File{}, err
	}
	sum := sha256.Sum256(data)
	return File{Data: data, SHA256: hex.EncodeToString(sum[:]), ContentType: ct, Size: int64(len(data))}, nil
}

// check makes the structural check for a file Sniff recognised as ct.
func check(ct string, data []byte) error {
	switch ct {
	case TypePDF:
		tail := data[max(0, len(data)-pdfEOFWindow):]
		if !bytes.Contains(tail, []byte("%%EOF")) {
			return damaged("PDF")
		}
	case TypePNG:
		if _, err := png.DecodeConfig(bytes.NewReader(data)); err != nil {
			var unsupported png.UnsupportedError
			if !errors.As(err, &unsupported) {
				return damaged("PNG")
			}
		}
	case TypeJPEG:
		if _, err := jpeg.DecodeConfig(bytes.NewReader(data)); err != nil {
			var unsupported jpeg.UnsupportedError
			if !errors.As(err, &unsupported) {
				return damaged("JPEG")
			}
		}
	}
	return nil
}

func damaged(kind string) error {
	return training.Invalid(Field, "The certificate looks like a %s file but is damaged or incomplete: download it again and upload that copy.", kind)
}

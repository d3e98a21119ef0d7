package evidence_test

import (
	"archive/zip"
	"bytes"
	"crypto/sha256"
	"encoding/hex"
	"errors"
	"fmt"
	"image"
	"image/color"
	"image/gif"
	"image/jpeg"
	"image/png"
	"io"
	"strings"
	"testing"
	"testing/iotest"

	"github.com/complytrack/complytrack/pkg/evidence"
	"github.com/complytrack/complytrack/pkg/training"
)

const limit = training.MaxEvidenceBytes

// minimalPDF returns a small, well-formed one-page PDF with a correct
// cross-reference table, as a generator would write it.
func minimalPDF() []byte {
	objs := []string{
		"<< /Type /Catalog /Pages 2 0 R >>",
		"<< /Type /Pages /Kids [3 0 R] /Count 1 >>",
		"<< /Type /Page /Parent 2 0 R /MediaBox [0 0 200 100] /Contents 4 0 R /Resources << /Font << /F1 5 0 R >> >> >>",
		"", // the content stream, below
		"<< /Type /Font /Subtype /Type1 /BaseFont /Helvetica >>",
	}
	content := "BT /F1 12 Tf 20 50 Td (Prevent awareness: completed) Tj ET"
	objs[3] = fmt.Sprintf("<< /Length %d >>\nstream\n%s\nendstream", len(content), content)
	var b bytes.Buffer
	b.WriteString("%PDF-1.4\n%\xE2\xE3\xCF\xD3\n")
	offsets := make([]int, len(objs))
	for i, o := range objs {
		offsets[i] = b.Len()
		fmt.Fprintf(&b, "%d 0 obj\n%s\nendobj\n", i+1, o)
	}
	xref := b.Len()
	fmt.Fprintf(&b, "xref\n0 %d\n0000000000 65535 f \n", len(objs)+1)
	for _, off := range offsets {
		fmt.Fprintf(&b, "%010d 00000 n \n", off)
	}
	fmt.Fprintf(&b, "trailer\n<< /Size %d /Root 1 0 R >>\nstartxref\n%d\n%%%%EOF\n", len(objs)+1, xref)
	return b.Bytes()
}

func pixel() image.Image {
	img := image.NewRGBA(image.Rect(0, 0, 1, 1))
	img.Set(0, 0, color.RGBA{R: 0x1d, G: 0x70, B: 0xb8, A: 0xff})
	return img
}

func minimalPNG(t testing.TB) []byte {
	var b bytes.Buffer
	if err := png.Encode(&b, pixel()); err != nil {
		t.Fatal(err)
	}
	return b.Bytes()
}

func minimalJPEG(t testing.TB) []byte {
	var b bytes.Buffer
	if err := jpeg.Encode(&b, pixel(), nil); err != nil {
		t.Fatal(err)
	}
	return b.Bytes()
}

func minimalGIF(t testing.TB) []byte {
	var b bytes.Buffer
	if err := gif.Encode(&b, pixel(), nil); err != nil {
		t.Fatal(err)
	}
	return b.Bytes()
}

func minimalZIP(t testing.TB) []byte {
	var b bytes.Buffer
	z := zip.NewWriter(&b)
	w, err := z.Create("certificate.pdf")
	if err != nil {
		t.Fatal(err)
	}
	_, _ = w.Write(minimalPDF())
	if err := z.Close(); err != nil {
		t.Fatal(err)
	}
	return b.Bytes()
}

// paddedPDF returns a well-formed PDF of exactly size bytes: the padding is
// a comment line before the trailer's end, so "%%EOF" stays at the end.
func paddedPDF(t testing.TB, size int) []byte {
	head := []byte("%PDF-1.7\n%")
	tail := []byte("\n%%EOF\n")
	n := size - len(head) - len(tail)
	if n < 0 {
		t.Fatalf("size %d too small", size)
	}
	b := make([]byte, 0, size)
	b = append(b, head...)
	b = append(b, bytes.Repeat([]byte("x"), n)...)
	b = append(b, tail...)
	return b
}

func hexSHA(b []byte) string {
	s := sha256.Sum256(b)
	return hex.EncodeToString(s[:])
}

func TestSniff(t *testing.T) {
	tests := []struct {
		name string
		head []byte
		want string
	}{
		{"pdf", minimalPDF(), evidence.TypePDF},
		{"pdf magic only", []byte("%PDF-"), evidence.TypePDF},
		{"png", minimalPNG(t), evidence.TypePNG},
		{"jpeg", minimalJPEG(t), evidence.TypeJPEG},
		{"jpeg magic only", []byte{0xFF, 0xD8, 0xFF}, evidence.TypeJPEG},
		{"empty", nil, ""},
		{"short pdf magic", []byte("%PDF"), ""},
		{"short png magic", []byte("\x89PNG\r\n\x1a"), ""},
		{"short jpeg magic", []byte{0xFF, 0xD8}, ""},
		{"lower-case pdf", []byte("%pdf-1.4"), ""},
		{"pdf after a BOM", append([]byte("\xEF\xBB\xBF"), minimalPDF()...), ""},
		{"pdf after white space", append([]byte("\n"), minimalPDF()...), ""},
		{"text", []byte("I completed the course, honest.\n"), ""},
		{"html", []byte("<!DOCTYPE html><html><body>%PDF-</body></html>"), ""},
		{"exe", []byte("MZ\x90\x00\x03\x00\x00\x00"), ""},
		{"zip", minimalZIP(t), ""},
		{"gif", minimalGIF(t), ""},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			got, ok := evidence.Sniff(tt.head)
			if got != tt.want || ok != (tt.want != "") {
				t.Errorf("Sniff = %q, %v; want %q, %v", got, ok, tt.want, tt.want != "")
			}
		})
	}
}

func TestReadAcceptsRealFiles(t *testing.T) {
	tests := []struct {
		name string
		data []byte
		want string
	}{
		{"pdf", minimalPDF(), evidence.TypePDF},
		{"pdf with padding after %%EOF", append(minimalPDF(), bytes.Repeat([]byte{0}, 1000)...), evidence.TypePDF},
		{"pdf with CRLF ends", bytes.ReplaceAll(minimalPDF(), []byte("\n"), []byte("\r\n")), evidence.TypePDF},
		{"png", minimalPNG(t), evidence.TypePNG},
		{"jpeg", minimalJPEG(t), evidence.TypeJPEG},
		{"jpeg without end marker", bytes.TrimSuffix(minimalJPEG(t), []byte{0xFF, 0xD9}), evidence.TypeJPEG},
		{"jpeg with data after end marker", append(minimalJPEG(t), "trailing"...), evidence.TypeJPEG},
		{"exactly at the limit", paddedPDF(t, limit), evidence.TypePDF},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			f, err := evidence.Read(bytes.NewReader(tt.data), limit)
			if err != nil {
				t.Fatalf("Read: %v", err)
			}
			if f.ContentType != tt.want || f.Size != int64(len(tt.data)) || !bytes.Equal(f.Data, tt.data) || f.SHA256 != hexSHA(tt.data) {
				t.Errorf("Read = {%s, size %d, sha %s}; want {%s, size %d, sha %s}",
					f.ContentType, f.Size, f.SHA256, tt.want, len(tt.data), hexSHA(tt.data))
			}
		})
	}
}

func TestReadRefuses(t *testing.T) {
	pdf := minimalPDF()
	png := minimalPNG(t)
	jpg := minimalJPEG(t)
	badCRC := bytes.Clone(png)
	badCRC[29]++ // last byte of the IHDR chunk's CRC
	tests := []struct {
		name    string
		data    []byte
		damaged bool // refused as damaged rather than unrecognised
	}{
		{"empty", nil, false},
		{"text file named .pdf", []byte("Certificate of completion\nPrevent awareness\n"), false},
		{"html", []byte("<!DOCTYPE html>\n<html><head><title>Certificate</title></head><body>%PDF-1.4</body></html>\n"), false},
		{"exe", append([]byte("MZ\x90\x00\x03\x00\x00\x00\x04\x00\x00\x00\xFF\xFF"), make([]byte, 100)...), false},
		{"zip", minimalZIP(t), false},
		{"gif", minimalGIF(t), false},
		{"svg", []byte(`<svg xmlns="http://www.w3.org/2000/svg"><script>alert(1)</script></svg>`), false},
		{"pdf cut short", pdf[:len(pdf)/2], true},
		{"pdf without %%EOF near the end", append(bytes.Clone(pdf), bytes.Repeat([]byte(" "), 1020)...), true},
		{"pdf magic then html", []byte("%PDF-<html><script>alert(1)</script></html>"), true},
		{"png signature only", png[:8], true},
		{"png with a bad IHDR CRC", badCRC, true},
		{"png signature then text", []byte("\x89PNG\r\n\x1a\nhello, this is not a chunk"), true},
		{"jpeg magic only", jpg[:3], true},
		{"jpeg magic then text", []byte("\xFF\xD8\xFFhello, this is not a segment"), true},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			f, err := evidence.Read(bytes.NewReader(tt.data), limit)
			if err == nil {
				t.Fatalf("Read accepted it as %s", f.ContentType)
			}
			var ve *training.ValidationError
			if !errors.Is(err, training.ErrInvalid) || !errors.As(err, &ve) || errors.Is(err, evidence.ErrTooLarge) {
				t.Fatalf("err = %v; want a training validation error", err)
			}
			if len(ve.Fields) != 1 || ve.Fields[0].Field != "certificate" {
				t.Fatalf("fields = %+v; want one on certificate", ve.Fields)
			}
			const unrecognised = "The certificate must be a PDF, PNG or JPEG file."
			msg := ve.Fields[0].Message
			if (msg == unrecognised) == tt.damaged {
				t.Errorf("message %q; damaged = %v", msg, tt.damaged)
			}
			// Shown as it is on the pages and by the API: one sentence that
			// names the certificate and says what to do.
			if tt.damaged && (!strings.HasPrefix(msg, "The certificate looks like a ") || !strings.HasSuffix(msg, ": download it again and upload that copy.")) {
				t.Errorf("damaged: message %q is not the sentence about a damaged certificate", msg)
			}
		})
	}
}

func TestReadTooLarge(t *testing.T) {
	over := paddedPDF(t, limit+1)
	_, err := evidence.Read(bytes.NewReader(over), limit)
	if !errors.Is(err, evidence.ErrTooLarge) || errors.Is(err, training.ErrInvalid) {
		t.Fatalf("one byte over: err = %v; want ErrTooLarge only", err)
	}

	// Something that is not a certificate but is too large is too large:
	// the size is judged before the content.
	if _, err := evidence.Read(io.LimitReader(zeros{}, limit+1), limit); !errors.Is(err, evidence.ErrTooLarge) {
		t.Errorf("zeros: err = %v; want ErrTooLarge", err)
	}

	// An endless body is not read to its end: at most limit+1 bytes.
	c := &counter{r: zeros{}}
	if _, err := evidence.Read(c, limit); !errors.Is(err, evidence.ErrTooLarge) {
		t.Fatalf("endless: err = %v; want ErrTooLarge", err)
	}
	if c.n > limit+1 {
		t.Errorf("read %d bytes of an endless body; want at most %d", c.n, limit+1)
	}

	// Other limits work the same way.
	small := minimalPNG(t)
	if _, err := evidence.Read(bytes.NewReader(small), int64(len(small))); err != nil {
		t.Errorf("at a limit of len: %v", err)
	}
	if _, err := evidence.Read(bytes.NewReader(small), int64(len(small)-1)); !errors.Is(err, evidence.ErrTooLarge) {
		t.Errorf("at a limit of len-1: err = %v; want ErrTooLarge", err)
	}
	if _, err := evidence.Read(bytes.NewReader(small), -1); !errors.Is(err, evidence.ErrTooLarge) {
		t.Errorf("at a negative limit: err = %v; want ErrTooLarge", err)
	}
}

func TestReadPassesReaderErrors(t *testing.T) {
	boom := errors.New("connection reset")
	r := io.MultiReader(bytes.NewReader(minimalPDF()[:20]), iotest.ErrReader(boom))
	_, err := evidence.Read(r, limit)
	if !errors.Is(err, boom) || errors.Is(err, training.ErrInvalid) || errors.Is(err, evidence.ErrTooLarge) {
		t.Fatalf("err = %v; want the reader's error only", err)
	}
	// A reader that returns data in tiny pieces is read whole.
	pdf := minimalPDF()
	if f, err := evidence.Read(iotest.OneByteReader(bytes.NewReader(pdf)), limit); err != nil || f.Size != int64(len(pdf)) {
		t.Fatalf("one byte at a time: %v, size %d", err, f.Size)
	}
}

type zeros struct{}

func (zeros) Read(p []byte) (int, error) {
	clear(p)
	return len(p), nil
}

type counter struct {
	r io.Reader
	n int64
}

func (c *counter) Read(p []byte) (int, error) {
	n, err := c.r.Read(p)
	c.n += int64(n)
	return n, err
}

func FuzzSniff(f *testing.F) {
	for _, s := range seeds(f) {
		f.Add(s)
	}
	f.Fuzz(func(t *testing.T, head []byte) {
		ct, ok := evidence.Sniff(head)
		if ok != (ct != "") {
			t.Fatalf("Sniff = %q, %v", ct, ok)
		}
		if ok && evidence.Extension(ct) == "" {
			t.Fatalf("Sniff returned %q, which has no extension", ct)
		}
		// Only the first bytes matter: whatever follows the signature
		// does not change the answer.
		if ok {
			if ct2, _ := evidence.Sniff(append(bytes.Clone(head), "tail"...)); ct2 != ct {
				t.Fatalf("appending changed %q to %q", ct, ct2)
			}
		}
	})
}

func FuzzRead(f *testing.F) {
	for _, s := range seeds(f) {
		f.Add(s, int64(len(s)))
		f.Add(s, int64(limit))
		f.Add(s, int64(-1))
	}
	f.Fuzz(func(t *testing.T, data []byte, lim int64) {
		file, err := evidence.Read(bytes.NewReader(data), lim)
		ct, sniffed := evidence.Sniff(data)
		if int64(len(data)) > max(lim, 0) { // a negative limit counts as 0
			if !errors.Is(err, evidence.ErrTooLarge) {
				t.Fatalf("%d bytes at limit %d: err = %v; want ErrTooLarge", len(data), lim, err)
			}
			return
		}
		if err != nil {
			if !errors.Is(err, training.ErrInvalid) || errors.Is(err, evidence.ErrTooLarge) {
				t.Fatalf("err = %v; want a validation error", err)
			}
			return
		}
		if !sniffed || file.ContentType != ct {
			t.Fatalf("Read accepted %q but Sniff says %q, %v", file.ContentType, ct, sniffed)
		}
		if !bytes.Equal(file.Data, data) || file.Size != int64(len(data)) || file.SHA256 != hexSHA(data) {
			t.Fatalf("Read returned different bytes, size or hash")
		}
	})
}

func seeds(t testing.TB) [][]byte {
	pdf, png, jpg := minimalPDF(), minimalPNG(t), minimalJPEG(t)
	return [][]byte{
		nil, pdf, png, jpg, minimalGIF(t), minimalZIP(t),
		pdf[:5], png[:8], png[:20], jpg[:3], jpg[:30],
		[]byte("MZ"), []byte("<html>"), []byte(strings.Repeat("%%EOF", 3)),
	}
}

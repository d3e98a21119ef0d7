package evidence_test

import (
	"strings"
	"testing"
	"unicode"
	"unicode/utf8"

	"github.com/complytrack/complytrack/pkg/evidence"
)

func TestSafeFilename(t *testing.T) {
	long := strings.Repeat("é", 150)
	tests := []struct {
		name, ct, want string
	}{
		{"Prevent certificate.pdf", evidence.TypePDF, "Prevent certificate.pdf"},
		{"CERT.PDF", evidence.TypePDF, "CERT.PDF"},
		{"photo.JPEG", evidence.TypeJPEG, "photo.JPEG"},
		{"photo.jpg", evidence.TypeJPEG, "photo.jpg"},
		{"scan.jfif", evidence.TypeJPEG, "scan.jfif"},
		{"Tystysgrif Atal – Ŵyn.png", evidence.TypePNG, "Tystysgrif Atal – Ŵyn.png"},

		// path parts
		{`C:\Users\jsmith\Downloads\cert.pdf`, evidence.TypePDF, "cert.pdf"},
		{"../../etc/passwd", evidence.TypePDF, "passwd.pdf"},
		{"/", evidence.TypePDF, "certificate.pdf"},
		{"dir/", evidence.TypePNG, "certificate.png"},
		{"..", evidence.TypePDF, "certificate.pdf"},
		{".hidden.pdf", evidence.TypePDF, "hidden.pdf"},

		// extension that does not match the content
		{"cert.png", evidence.TypePDF, "cert.pdf"},
		{"cert.jpeg", evidence.TypePNG, "cert.png"},
		{"cert.exe", evidence.TypePDF, "cert.exe.pdf"},
		{"cert.pdf.exe", evidence.TypePDF, "cert.pdf.exe.pdf"},
		{"report.html", evidence.TypeJPEG, "report.html.jpg"},
		{"J. Smith", evidence.TypePDF, "J. Smith.pdf"},
		{"certificate", evidence.TypePNG, "certificate.png"},

		// characters
		{"a\"b'c`d.pdf", evidence.TypePDF, "abcd.pdf"},
		{"new\r\nline\x00\x7f.pdf", evidence.TypePDF, "new line.pdf"},
		{"cert\u202Efdp.exe", evidence.TypePDF, "certfdp.exe.pdf"},
		{"zero\u200Bwidth.pdf", evidence.TypePDF, "zerowidth.pdf"},
		{"a<b>c:d|e?f*g;h.pdf", evidence.TypePDF, "abcdefgh.pdf"},
		{"  lots   of\tspace  .pdf", evidence.TypePDF, "lots of space.pdf"},
		{"bad\xffutf8.pdf", evidence.TypePDF, "badutf8.pdf"},
		{"trailing dots....", evidence.TypePDF, "trailing dots.pdf"},
		{"\x00\x01\x02", evidence.TypeJPEG, "certificate.jpg"},
		{"", evidence.TypePDF, "certificate.pdf"},
		{"", evidence.TypePNG, "certificate.png"},
		{"", evidence.TypeJPEG, "certificate.jpg"},
		{"", "", "certificate"},
		{"notes.txt", "text/plain", "notes.txt"},

		// length
		{long + ".pdf", evidence.TypePDF, strings.Repeat("é", 96) + ".pdf"},
		{long, evidence.TypeJPEG, strings.Repeat("é", 96) + ".jpg"},
		{strings.Repeat("a", 95) + "     b.pdf", evidence.TypePDF, strings.Repeat("a", 95) + ".pdf"},
	}
	for _, tt := range tests {
		got := evidence.SafeFilename(tt.name, tt.ct)
		if got != tt.want {
			t.Errorf("SafeFilename(%q, %q) = %q; want %q", tt.name, tt.ct, got, tt.want)
		}
	}
}

func FuzzSafeFilename(f *testing.F) {
	for _, s := range []string{"cert.pdf", `C:\a\b.png`, "../x", "a\u202Eb", strings.Repeat("ŵ", 120), "\"';", ""} {
		f.Add(s, evidence.TypePDF)
		f.Add(s, "")
	}
	f.Fuzz(func(t *testing.T, name, ct string) {
		got := evidence.SafeFilename(name, ct)
		if got == "" || !utf8.ValidString(got) || utf8.RuneCountInString(got) > evidence.MaxFilenameRunes {
			t.Fatalf("SafeFilename(%q) = %q", name, got)
		}
		if strings.ContainsAny(got, "/\\\"'`<>:|?*;") || strings.HasPrefix(got, ".") || strings.HasPrefix(got, " ") {
			t.Fatalf("SafeFilename(%q) = %q", name, got)
		}
		for _, r := range got {
			if !unicode.IsPrint(r) || r == utf8.RuneError {
				t.Fatalf("SafeFilename(%q) = %q has %U", name, got, r)
			}
		}
		if ext := evidence.Extension(ct); ext != "" && !strings.HasSuffix(strings.ToLower(got), ext) &&
			!(ct == evidence.TypeJPEG && strings.Contains(strings.ToLower(got), ".")) {
			t.Fatalf("SafeFilename(%q, %q) = %q lacks %s", name, ct, got, ext)
		}
		if again := evidence.SafeFilename(got, ct); again != got {
			t.Fatalf("not idempotent: %q -> %q -> %q", name, got, again)
		}
	})
}

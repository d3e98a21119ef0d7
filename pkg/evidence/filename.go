package evidence

import (
	"slices"
	"strings"
	"unicode"
	"unicode/utf8"
)

// MaxFilenameRunes is the longest name SafeFilename returns, extension included.
const MaxFilenameRunes = 100

// extensions maps each content type to its usual extension (first) and the
// other extensions accepted as already right.
var extensions = map[string][]string{
	TypePDF:  {".pdf"},
	TypePNG:  {".png"},
	TypeJPEG: {".jpg", ".jpeg", ".jpe", ".jfif"},
}

// Extension returns the usual file extension for a content type Sniff
// returns (".pdf", ".png", ".jpg"), or "" for any other.
func Extension(contentType string) string {
	if exts := extensions[contentType]; len(exts) > 0 {
		return exts[0]
	}
	return ""
}

// SafeFilename cleans a client-supplied file name for storage and for a
// Content-Disposition header. The result:
//   - is the base name only: everything up to the last "/" or "\" goes (old
//     browsers send "C:\Users\...\cert.pdf");
//   - has no control or invisible formatting characters (so no right-to-left
//     override, U+202E, that makes "cert<U+202E>fdp.exe" display as
//     "certexe.pdf"), no quotes or backticks, and
//     none of < > : | ? * ; which Windows or header parsers trip on; each
//     run of white space becomes one space, and spaces and dots are trimmed
//     from both ends (so no ".." and no hidden ".name"); invalid UTF-8 is
//     dropped; letters of any script are kept;
//   - ends with an extension that matches contentType: a right one
//     (case-insensitive; .jpg, .jpeg, .jpe and .jfif for JPEG) is kept, the
//     extension of another evidence kind (.pdf, .png, .jpg, ...) is replaced,
//     and anything else keeps its name and gets the extension appended, so
//     "certificate.exe" holding a PDF becomes "certificate.exe.pdf";
//   - is at most MaxFilenameRunes runes, shortened before the extension;
//   - is "certificate" plus the extension when nothing is left.
//
// contentType is the sniffed type (File.ContentType); for any other value no
// extension is added. The HTTP layer still encodes the name for the header
// (mime.FormatMediaType, which uses RFC 2231 for non-ASCII names).
func SafeFilename(name, contentType string) string {
	if i := strings.LastIndexAny(name, `/\`); i >= 0 {
		name = name[i+1:]
	}
	var b strings.Builder
	space := false
	for len(name) > 0 {
		r, size := utf8.DecodeRuneInString(name)
		name = name[size:]
		switch {
		case unicode.IsSpace(r):
			space = true
			continue
		case r == utf8.RuneError, // invalid UTF-8 (or U+FFFD itself)
			!unicode.IsPrint(r), // control, format (bidi), private use, unassigned
			strings.ContainsRune("\"'`<>:|?*;", r):
			continue
		}
		if space && b.Len() > 0 {
			b.WriteByte(' ')
		}
		space = false
		b.WriteRune(r)
	}
	clean := strings.Trim(b.String(), " .")

	stem, ext := clean, ""
	want := extensions[contentType]
	if len(want) > 0 {
		ext = want[0]
		if dot := strings.LastIndexByte(clean, '.'); dot >= 0 {
			have := strings.ToLower(clean[dot:])
			switch {
			case slices.Contains(want, have):
				stem, ext = clean[:dot], clean[dot:]
			case isEvidenceExtension(have):
				stem = clean[:dot]
			}
		}
	}
	stem = strings.TrimRight(stem, " .")
	if stem == "" {
		stem = "certificate"
	}
	if n := MaxFilenameRunes - utf8.RuneCountInString(ext); utf8.RuneCountInString(stem) > n {
		stem = strings.TrimRight(truncateRunes(stem, n), " .")
		if stem == "" {
			stem = "certificate"
		}
	}
	return stem + ext
}

func isEvidenceExtension(ext string) bool {
	for _, exts := range extensions {
		if slices.Contains(exts, ext) {
			return true
		}
	}
	return false
}

func truncateRunes(s string, n int) string {
	i := 0
	for j := range s {
		if i == n {
			return s[:j]
		}
		i++
	}
	return s
}

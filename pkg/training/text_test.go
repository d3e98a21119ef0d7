package training_test

import (
	"strings"
	"testing"
	"unicode"
	"unicode/utf8"

	"github.com/complytrack/complytrack/pkg/training"
)

func TestTextProblem(t *testing.T) {
	const (
		unreadable = "The first name contains characters that could not be read: type it again."
		missing    = "Enter the first name."
		tooLong    = "The first name must be 100 characters or fewer."
		oneLine    = "The first name must be on one line, without line breaks."
		hidden     = "The first name must not contain control characters or invisible characters."
		invisible  = "The first name must contain letters or numbers, not only spaces or invisible characters."
	)
	tests := []struct {
		name, in string
		required bool
		want     string // "" when accepted
	}{
		{"plain", "Ada", true, ""},
		{"accents", "Zoë Brontë", true, ""},
		{"apostrophe and hyphen", "O'Brien-Smith", true, ""},
		{"Arabic", "محمد", true, ""},
		{"Vietnamese with combining marks", "Nguye\u0302\u0303n", true, ""},
		{"Devanagari with a zero-width joiner", "क्\u200dष", true, ""},
		{"Persian with a zero-width non-joiner", "می\u200cخواهم", true, ""},
		{"emoji with joiners", "Ada 👩\u200d💻", true, ""},
		{"Chinese", "李小龍", true, ""},
		{"optional and empty", "", false, ""},
		{"at the limit", strings.Repeat("é", 100), true, ""},

		{"required and empty", "", true, missing},
		{"too long", strings.Repeat("é", 101), true, tooLong},
		{"invalid UTF-8", "Ad\xffa", true, unreadable},
		{"an encoded surrogate", "Ada\xed\xa0\x80", true, unreadable},
		{"only replacement characters", "\ufffd\ufffd", true, unreadable},
		{"a replacement character inside", "Ad\ufffda", true, unreadable},
		{"line feed", "Ada\nLovelace", true, oneLine},
		{"carriage return", "Ada\rLovelace", true, oneLine},
		{"CR LF at the end", "Ada\r\n", true, oneLine},
		{"next line U+0085", "Ada\u0085", true, oneLine},
		{"line separator U+2028", "Ada\u2028Lovelace", true, oneLine},
		{"paragraph separator U+2029", "Ada\u2029", true, oneLine},
		{"NUL", "Ada\x00", true, hidden},
		{"escape", "Ada\x1b[31m", true, hidden},
		{"tab inside", "Ada\tLovelace", true, hidden},
		{"C1 control", "Ada\u0090", true, hidden},
		{"right-to-left override", "Ada\u202eecalevoL", true, hidden},
		{"isolate", "\u2066Ada\u2069", true, hidden},
		{"zero-width space only", "\u200b", true, hidden},
		{"zero-width space inside", "A\u200bda", true, hidden},
		{"byte-order mark", "\ufeffAda", true, hidden},
		{"soft hyphen only", "\u00ad", true, hidden},
		{"noncharacter", "Ada\uffff", true, hidden},
		{"only joiners", "\u200d\u200c", true, invisible},
		{"only a combining mark", "\u0301", true, invisible},
		{"only joiners in an optional field", "\u200d", false, invisible},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			if got := training.TextProblem("given_name", training.TrimText(tt.in), 100, tt.required); got != tt.want {
				t.Errorf("TextProblem(%q) = %q, want %q", tt.in, got, tt.want)
			}
		})
	}
}

func TestTrimText(t *testing.T) {
	for in, want := range map[string]string{
		"  Ada  ":               "Ada",
		"\tAda\t":               "Ada",
		"\u00a0Ada\u3000":       "Ada",       // no-break and ideographic spaces
		"Ada\n":                 "Ada\n",     // line breaks are refused, not removed
		"\u2028Ada":             "\u2028Ada", // likewise
		"\u200bAda":             "\u200bAda", // invisible characters are refused, not removed
		"Ada \u0085":            "Ada \u0085",
		"Ada Lovelace":          "Ada Lovelace",
		"  Ada   Lovelace   \t": "Ada   Lovelace",
	} {
		if got := training.TrimText(in); got != want {
			t.Errorf("TrimText(%q) = %q, want %q", in, got, want)
		}
	}
}

// The text rules are the same wherever text enters: a person's text
// fields are refused by Person.Validate exactly when TextProblem finds a
// problem, and an accepted text holds nothing invisible or unreadable.
func FuzzTextRules(f *testing.F) {
	for _, s := range []string{
		"Ada", "  Zoë  ", "", " ", "\u200b", "\u200b\u200b\u200b", "Ada\u2028", "\u0085", "Ada\x00", "a\r\nb",
		"\xff", "\ufffd", "\ufffd\ufffd", "\u202eAda", "\ufeff", "\u00ad", "👩\u200d💻", "क्\u200dष",
		"\u0301", "\t\t", "\u00a0", strings.Repeat("x", 101), "O'Brien", "\xed\xa0\x80",
	} {
		f.Add(s)
	}
	f.Fuzz(func(t *testing.T, s string) {
		trimmed := training.TrimText(s)
		if training.TrimText(trimmed) != trimmed {
			t.Fatalf("TrimText is not idempotent on %q", s)
		}
		msg := training.TextProblem("given_name", trimmed, 100, true)
		if msg != "" {
			if r, _ := utf8.DecodeRuneInString(msg); !unicode.IsUpper(r) || !strings.HasSuffix(msg, ".") {
				t.Fatalf("message %q is not a sentence", msg)
			}
			if !strings.Contains(msg, "first name") {
				t.Fatalf("message %q does not name the field", msg)
			}
		} else {
			if !utf8.ValidString(trimmed) || strings.ContainsRune(trimmed, utf8.RuneError) {
				t.Fatalf("accepted unreadable text %q", trimmed)
			}
			if utf8.RuneCountInString(trimmed) > 100 {
				t.Fatalf("accepted %d characters", utf8.RuneCountInString(trimmed))
			}
			visible := false
			for _, r := range trimmed {
				if unicode.IsControl(r) || strings.ContainsRune("\u2028\u2029\u200b\u202a\u202b\u202c\u202d\u202e\u2066\u2067\u2068\u2069\ufeff\u00ad", r) {
					t.Fatalf("accepted %q, which holds %U", trimmed, r)
				}
				if unicode.IsLetter(r) || unicode.IsNumber(r) || unicode.IsPunct(r) || unicode.IsSymbol(r) {
					visible = true
				}
			}
			if !visible {
				t.Fatalf("accepted %q, which shows nothing", trimmed)
			}
		}

		// Person.Validate applies the same rule to the same field.
		p := validPerson()
		p.GivenName = trimmed
		var got string
		if ve, ok := asValidation(p.Validate()); ok {
			for _, fe := range ve.Fields {
				if fe.Field == "given_name" {
					got = fe.Message
				}
			}
		}
		if got != msg {
			t.Fatalf("Person.Validate says %q about given name %q, TextProblem %q", got, trimmed, msg)
		}
	})
}

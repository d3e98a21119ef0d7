package training

import (
	"strings"
	"unicode"
	"unicode/utf8"
)

// The rules for free text (names, job titles, reasons, titles) are here,
// in one place, so that the JSON API, the web forms and the CSV import
// accept and refuse exactly the same text. Nothing is altered silently: the
// only change made to text is trimming the spaces around it (TrimText);
// anything else that looks wrong is refused with a message naming the field.

// TrimText removes the spaces and tabs around s, as text is stored. Line
// breaks and invisible characters are not removed but refused by CheckText,
// so that what is stored is what was typed.
func TrimText(s string) string {
	return strings.TrimFunc(s, func(r rune) bool { return r == '\t' || unicode.Is(unicode.Zs, r) })
}

// CheckText checks one field of free text against the text rules and adds
// its problem, if any, to v: field is its name in the API (which also
// names it in the message), max the most characters it may have, and
// required whether it may be empty. s is checked as it will be stored,
// after TrimText.
func CheckText(v *ValidationError, field, s string, max int, required bool) {
	if msg := TextProblem(field, s, max, required); msg != "" {
		v.Add(field, "%s", msg)
	}
}

// TextProblem is CheckText's message for s, or "" when s is acceptable.
// The rules, in the order they are checked:
//   - the text must be valid UTF-8 and must not hold U+FFFD, the mark a
//     program leaves where it could not read a character;
//   - a required field must not be empty (after trimming spaces);
//   - it must be at most max characters;
//   - it must be on one line: no CR, LF, NEL (U+0085), or line or
//     paragraph separator (U+2028, U+2029), nor vertical tab or form feed;
//   - it must not hold other control characters (NUL, C0 and C1 controls),
//     characters that reorder text or hide it (bidirectional overrides and
//     isolates, zero-width spaces, byte-order marks, soft hyphens), or
//     Unicode noncharacters. Zero-width joiners and non-joiners, which some
//     scripts and emoji need, are allowed;
//   - text that is not empty must show something: at least one letter,
//     digit, punctuation mark or symbol.
func TextProblem(field, s string, max int, required bool) string {
	label := Label(field)
	if !utf8.ValidString(s) || strings.ContainsRune(s, utf8.RuneError) {
		return sentence("The %s contains characters that could not be read: type it again", label)
	}
	if s == "" {
		if required {
			return sentence("Enter the %s", label)
		}
		return ""
	}
	if utf8.RuneCountInString(s) > max {
		return sentence("The %s must be %d characters or fewer", label, max)
	}
	visible := false
	for _, r := range s {
		switch {
		case isLineBreak(r):
			return sentence("The %s must be on one line, without line breaks", label)
		case isHidden(r):
			return sentence("The %s must not contain control characters or invisible characters", label)
		case unicode.IsLetter(r) || unicode.IsNumber(r) || unicode.IsPunct(r) || unicode.IsSymbol(r):
			visible = true
		}
	}
	if !visible {
		return sentence("The %s must contain letters or numbers, not only spaces or invisible characters", label)
	}
	return ""
}

// isLineBreak reports whether r ends a line in some program that shows it.
func isLineBreak(r rune) bool {
	switch r {
	case '\n', '\r', '\v', '\f', '\u0085', '\u2028', '\u2029':
		return true
	}
	return false
}

// isHidden reports whether r is a control character, a character that
// changes how the text around it is shown without being seen itself, or a
// noncharacter.
func isHidden(r rune) bool {
	switch {
	case unicode.IsControl(r): // C0, DEL and C1, tab included: it is only trimmed at the ends
		return true
	case r == '\u200c' || r == '\u200d': // non-joiner and joiner: needed in Persian, Indic scripts and emoji
		return false
	case r >= 0xe0020 && r <= 0xe007f: // tags: spell out subdivision flag emoji
		return false
	case unicode.Is(unicode.Cf, r): // bidi overrides, zero-width space, BOM, soft hyphen, word joiner…
		return true
	case r >= 0xfdd0 && r <= 0xfdef, r&0xfffe == 0xfffe: // noncharacters
		return true
	}
	return false
}

// CheckReason trims a reason (for an exemption, a rejection, a revocation)
// and checks it with the text rules. missing is the message when it is
// empty; "" when a reason may be left out.
func CheckReason(v *ValidationError, reason, missing string) string {
	reason = TrimText(reason)
	if reason == "" {
		if missing != "" {
			v.Add("reason", "%s", Sentence(missing))
		}
		return reason
	}
	CheckText(v, "reason", reason, maxReasonLen, false)
	return reason
}

package httpapi

import (
	"bytes"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"mime"
	"net/http"
	"strconv"
	"strings"
	"unicode/utf8"

	"github.com/gin-gonic/gin"
	"github.com/go-json-experiment/json/jsontext"

	"github.com/complytrack/complytrack/pkg/problem"
	"github.com/complytrack/complytrack/pkg/training"
)

// ErrUnsupportedMediaType marks a body that is not JSON where JSON is required.
var ErrUnsupportedMediaType = problem.ErrUnsupportedMediaType

// bindJSON decodes a JSON body into dst strictly: at most MaxJSONBody
// bytes, Content-Type application/json, one JSON object and nothing after
// it, no unknown fields, text in valid UTF-8. Type mistakes name the
// field. dst must be a typed request struct: user input is never decoded
// into a free-form map. A dst with a check method has it called after
// decoding, for rules about the body's shape (a field that must be
// present even when empty).
func bindJSON(c *gin.Context, dst any) error {
	raw, err := readJSON(c)
	if err != nil {
		return err
	}
	return decodeJSON(raw, dst)
}

// readJSON reads a JSON body with bindJSON's checks of its media type,
// size and text, for a handler that decodes it more than once (a PATCH
// checked on its own, then laid over the current record).
func readJSON(c *gin.Context) ([]byte, error) {
	mt, _, err := mime.ParseMediaType(c.GetHeader("Content-Type"))
	if err != nil || mt != "application/json" {
		return nil, ErrUnsupportedMediaType
	}
	raw, err := io.ReadAll(http.MaxBytesReader(c.Writer, c.Request.Body, MaxJSONBody))
	if err != nil {
		var mbe *http.MaxBytesError
		if errors.As(err, &mbe) {
			return nil, err
		}
		return nil, fmt.Errorf("reading the body: %v: %w", err, training.ErrInvalid)
	}
	if err := scanJSON(raw); err != nil {
		return nil, err
	}
	return raw, nil
}

// decodeJSON decodes a body readJSON accepted into dst, as bindJSON does.
func decodeJSON(raw []byte, dst any) error {
	dec := json.NewDecoder(bytes.NewReader(raw))
	dec.DisallowUnknownFields()
	if err := dec.Decode(dst); err != nil {
		return jsonError(err)
	}
	if _, err := dec.Token(); !errors.Is(err, io.EOF) {
		return invalidField("body", "The request body must hold one JSON object and nothing after it")
	}
	if ch, ok := dst.(interface{ check() error }); ok {
		return ch.check()
	}
	return nil
}

// scanJSON checks what encoding/json lets through: the body must be an
// object (null would decode as "no fields", which a PATCH or PUT would
// take as a request), and its text must be valid UTF-8 with no unpaired
// surrogate escapes (encoding/json would store U+FFFD in their place, and
// the sender would never know). Other syntax errors are left to
// encoding/json, whose messages the callers already know.
func scanJSON(raw []byte) error {
	if !json.Valid(raw) {
		return nil
	}
	dec := jsontext.NewDecoder(bytes.NewReader(raw), jsontext.AllowDuplicateNames(true))
	if dec.PeekKind() != '{' {
		return invalidField("body", "The request body must be a JSON object")
	}
	for {
		_, err := dec.ReadToken()
		if errors.Is(err, io.EOF) {
			return nil
		}
		if err != nil {
			var se *jsontext.SyntacticError
			if errors.As(err, &se) {
				field := pointerField(se.JSONPointer)
				return invalidField(field, "The %s contains characters that are not text: bytes that are not UTF-8, or half of a surrogate pair", training.Label(field))
			}
			return invalidField("body", "The request body is not valid JSON")
		}
	}
}

// invalidField is a validation error about one field, as a sentence.
func invalidField(field, format string, args ...any) error {
	v := &training.ValidationError{}
	v.Problem(field, format, args...)
	return v
}

// oneOf lists values for a message: "a, b or c".
func oneOf(values []string) string {
	if len(values) < 2 {
		return strings.Join(values, "")
	}
	return strings.Join(values[:len(values)-1], ", ") + " or " + values[len(values)-1]
}

// pointerField names the request field a JSON pointer is in, as the
// other validation errors do: "/applies_to/kinds/1" is
// "applies_to.kinds". A name that is itself invalid text is left out.
func pointerField(p jsontext.Pointer) string {
	var parts []string
	for tok := range p.Tokens() {
		if _, err := strconv.ParseUint(tok, 10, 64); err == nil || tok == "" {
			continue
		}
		if !utf8.ValidString(tok) || strings.ContainsRune(tok, utf8.RuneError) {
			break
		}
		parts = append(parts, tok)
	}
	if len(parts) == 0 {
		return "body"
	}
	return strings.Join(parts, ".")
}

// jsonError turns a decoding error into a field-level validation error.
func jsonError(err error) error {
	var mbe *http.MaxBytesError
	var typeErr *json.UnmarshalTypeError
	var syntaxErr *json.SyntaxError
	switch {
	case errors.As(err, &mbe):
		return err
	case errors.Is(err, io.EOF):
		return invalidField("body", "The request body is empty: send a JSON object")
	case errors.As(err, &typeErr):
		field := typeErr.Field
		if field == "" {
			return invalidField("body", "The request body must be a JSON object")
		}
		return invalidField(field, "The %s must be %s", training.Label(field), jsonKind(typeErr.Type.Kind().String()))
	case errors.As(err, &syntaxErr), errors.Is(err, io.ErrUnexpectedEOF):
		return invalidField("body", "The request body is not valid JSON")
	case strings.HasPrefix(err.Error(), "json: unknown field "):
		name, _ := strconv.Unquote(strings.TrimPrefix(err.Error(), "json: unknown field "))
		if name == "" {
			return invalidField("body", "The request body has a field with no name: remove it")
		}
		return invalidField(name, "Remove the field %q: this request does not have it", name)
	default:
		return invalidField("body", "The request body is not valid JSON")
	}
}

func jsonKind(k string) string {
	switch k {
	case "string":
		return "a string"
	case "int", "int64", "int32":
		return "a whole number"
	case "bool":
		return "true or false"
	case "slice":
		return "a list"
	case "struct", "map":
		return "an object"
	default:
		return "of the right type"
	}
}

// parseDate reads an optional date field, naming it in the error.
func parseDate(v *training.ValidationError, field, s string) training.Date {
	return training.ParseDateField(v, field, s)
}

// pageRequest reads ?limit= and ?cursor=.
func pageRequest(c *gin.Context) (training.PageRequest, error) {
	var p training.PageRequest
	if s := c.Query("limit"); s != "" {
		n, err := strconv.Atoi(s)
		if err != nil || n < 1 || n > training.MaxPageLimit {
			return p, invalidField("limit", "The limit must be a whole number from 1 to %d", training.MaxPageLimit)
		}
		p.Limit = n
	}
	p.Cursor = c.Query("cursor")
	return p, nil
}

// list is the shape of every list response.
type list[T any] struct {
	Items      []T    `json:"items"`
	NextCursor string `json:"next_cursor,omitempty"`
}

func newList[T, U any](page training.Page[T], conv func(T) U) list[U] {
	out := list[U]{Items: make([]U, 0, len(page.Items)), NextCursor: page.NextCursor}
	for _, it := range page.Items {
		out.Items = append(out.Items, conv(it))
	}
	return out
}

// check refuses a refresh or sign-out without its token: the document
// requires it, and a sign-out that ends nothing should not look like one
// that worked.
func (r *refreshRequest) check() error {
	if r.RefreshToken == "" {
		return invalidField("refresh_token", "Enter the refresh token")
	}
	return nil
}

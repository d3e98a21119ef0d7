package httpapi

import (
	"encoding/json"
	"errors"
	"io"
	"mime"
	"net/http"
	"strconv"
	"strings"

	"github.com/gin-gonic/gin"

	"github.com/complytrack/complytrack/pkg/training"
)

// ErrUnsupportedMediaType marks a body that is not JSON where JSON is required.
var ErrUnsupportedMediaType = errors.New("unsupported media type")

// bindJSON decodes a JSON body into dst strictly: at most MaxJSONBody
// bytes, Content-Type application/json, no unknown fields, nothing after
// the value. Type mistakes name the field. dst must be a typed request
// struct: user input is never decoded into a free-form map.
func bindJSON(c *gin.Context, dst any) error {
	mt, _, err := mime.ParseMediaType(c.GetHeader("Content-Type"))
	if err != nil || mt != "application/json" {
		return ErrUnsupportedMediaType
	}
	body := http.MaxBytesReader(c.Writer, c.Request.Body, MaxJSONBody)
	dec := json.NewDecoder(body)
	dec.DisallowUnknownFields()
	if err := dec.Decode(dst); err != nil {
		return jsonError(err)
	}
	if _, err := dec.Token(); !errors.Is(err, io.EOF) {
		var mbe *http.MaxBytesError
		if errors.As(err, &mbe) {
			return err
		}
		return training.Invalid("body", "must hold one JSON object and nothing after it")
	}
	return nil
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
		return training.Invalid("body", "is empty: send a JSON object")
	case errors.As(err, &typeErr):
		field := typeErr.Field
		if field == "" {
			return training.Invalid("body", "must be a JSON object")
		}
		return training.Invalid(field, "must be %s", jsonKind(typeErr.Type.Kind().String()))
	case errors.As(err, &syntaxErr), errors.Is(err, io.ErrUnexpectedEOF):
		return training.Invalid("body", "is not valid JSON")
	case strings.HasPrefix(err.Error(), "json: unknown field "):
		name, _ := strconv.Unquote(strings.TrimPrefix(err.Error(), "json: unknown field "))
		return training.Invalid(name, "is not a field of this request")
	default:
		return training.Invalid("body", "is not valid JSON")
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
	if s == "" {
		return training.Date{}
	}
	d, err := training.ParseDate(s)
	if err != nil {
		v.Add(field, "must be a real date in the form YYYY-MM-DD")
	}
	return d
}

// pageRequest reads ?limit= and ?cursor=.
func pageRequest(c *gin.Context) (training.PageRequest, error) {
	var p training.PageRequest
	if s := c.Query("limit"); s != "" {
		n, err := strconv.Atoi(s)
		if err != nil || n < 1 || n > training.MaxPageLimit {
			return p, training.Invalid("limit", "must be a whole number from 1 to %d", training.MaxPageLimit)
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

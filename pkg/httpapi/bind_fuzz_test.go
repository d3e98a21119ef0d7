package httpapi

import (
	"bytes"
	"errors"
	"net/http"
	"net/http/httptest"
	"reflect"
	"regexp"
	"strings"
	"testing"
	"unicode/utf8"

	"github.com/gin-gonic/gin"

	"github.com/complytrack/complytrack/pkg/training"
)

// escapedReplacement is a JSON escape of U+FFFD itself, which a sender
// may write on purpose.
var escapedReplacement = regexp.MustCompile(`(?i)\\ufffd`)

// FuzzBindJSON: whatever the body, bindJSON answers a validation error, a
// size or media type error, or a struct whose text is exactly what was
// sent. Invalid UTF-8 is always refused, and no U+FFFD appears in a
// decoded string unless the sender wrote one (so nothing was quietly
// replaced), and a refusal for bad text names a field.
func FuzzBindJSON(f *testing.F) {
	for _, seed := range []string{
		`{"given_name":"Ann"}`,
		`{"given_name":"Zoë \ud83d\ude00"}`,
		"{\"given_name\":\"Ann\xff\"}",
		`{"given_name":"\ud800"}`,
		`{"given_name":"\udc00\ud800"}`,
		`{"given_name":"\ufffd"}`,
		"{\"given_name\":\"\xef\xbf\xbd\"}",
		`{"applies_to":{"kinds":["staff","\udfff"]}}`,
		"{\"applies_to\":{\"departments\":[\"a\",\"\xc3\"]}}",
		"{\"\xff\":1}",
		`null`, `[]`, `"x"`, `{}`, `{"given_name":1}`, `{"a":1}`, `{} {}`, ``,
		`{"roles":null}`, `{"roles":[]}`, `{"roles":["hr","\ud83d"]}`, `{"":""}`,
	} {
		f.Add([]byte(seed))
	}
	f.Fuzz(func(t *testing.T, raw []byte) {
		for _, dst := range []any{&personPatchRequest{}, &courseRequest{}, &rolesRequest{}} {
			err := bindBytes(raw, dst)
			var ve *training.ValidationError
			switch {
			case err == nil:
			case errors.As(err, &ve):
				if len(ve.Fields) == 0 || ve.Fields[0].Field == "" || ve.Fields[0].Message == "" {
					t.Fatalf("%q: validation error without a field or message: %+v", raw, ve.Fields)
				}
				continue
			default:
				t.Fatalf("%q: unexpected error %T %v", raw, err, err)
			}
			if !utf8.Valid(raw) {
				t.Fatalf("%q: invalid UTF-8 accepted into %T", raw, dst)
			}
			sentReplacement := bytes.Contains(raw, []byte("\uFFFD")) || escapedReplacement.Match(raw)
			for _, s := range stringsIn(reflect.ValueOf(dst)) {
				if !utf8.ValidString(s) {
					t.Fatalf("%q: decoded %q is not UTF-8", raw, s)
				}
				if strings.ContainsRune(s, utf8.RuneError) && !sentReplacement {
					t.Fatalf("%q: decoded %q holds U+FFFD the sender did not write", raw, s)
				}
			}
		}
	})
}

// TestBindJSONNamesTheField: a refusal for bad text names the field it is
// in, as the other validation errors do.
func TestBindJSONNamesTheField(t *testing.T) {
	for _, tc := range []struct {
		body  string
		dst   any
		field string
	}{
		{"{\"given_name\":\"Ann\xff\"}", &personPatchRequest{}, "given_name"},
		{`{"job_title":"x\ud800y"}`, &personPatchRequest{}, "job_title"},
		{`{"applies_to":{"kinds":["staff","\udfff"]}}`, &courseRequest{}, "applies_to.kinds"},
		{"{\"roles\":[\"hr\",\"\xfe\"]}", &rolesRequest{}, "roles"},
		{"{\"\xff\":1}", &personPatchRequest{}, "body"},
		{`null`, &personPatchRequest{}, "body"},
		{`{"roles":null}`, &rolesRequest{}, "roles"},
		{`{}`, &rolesRequest{}, "roles"},
	} {
		t.Run(tc.body, func(t *testing.T) {
			err := bindBytes([]byte(tc.body), tc.dst)
			var ve *training.ValidationError
			if !errors.As(err, &ve) {
				t.Fatalf("error %v, want a validation error", err)
			}
			if got := ve.Fields[0].Field; got != tc.field {
				t.Errorf("field %q, want %q (%+v)", got, tc.field, ve.Fields)
			}
		})
	}
}

// bindBytes runs bindJSON on a request with this body.
func bindBytes(raw []byte, dst any) error {
	w := httptest.NewRecorder()
	c, _ := gin.CreateTestContext(w)
	c.Request = httptest.NewRequest(http.MethodPost, "/", bytes.NewReader(raw))
	c.Request.Header.Set("Content-Type", "application/json")
	return bindJSON(c, dst)
}

// stringsIn lists every string reachable from v.
func stringsIn(v reflect.Value) []string {
	switch v.Kind() {
	case reflect.Pointer, reflect.Interface:
		if v.IsNil() {
			return nil
		}
		return stringsIn(v.Elem())
	case reflect.String:
		return []string{v.String()}
	case reflect.Struct:
		var out []string
		for i := range v.NumField() {
			out = append(out, stringsIn(v.Field(i))...)
		}
		return out
	case reflect.Slice, reflect.Array:
		var out []string
		for i := range v.Len() {
			out = append(out, stringsIn(v.Index(i))...)
		}
		return out
	}
	return nil
}

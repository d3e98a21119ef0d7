package httpapi

import (
	"errors"
	"reflect"
	"strings"
	"testing"
	"unicode/utf8"

	"github.com/complytrack/complytrack/pkg/training"
)

// FuzzTimeOfDay: whatever the text, parseTime either names the field with
// its one sentence and gives no time, or gives a valid time that prints
// back as the text sent (less surrounding spaces) and parses to itself.
func FuzzTimeOfDay(f *testing.F) {
	for _, seed := range []string{"10:00", "09:30", "23:59", "00:00", " 14:15 ", "24:00", "9:30", "10:60", "10.00",
		"10:00am", "1000", "", "-1:00", "10:-1", "１０:００", "10:00\x00", "\xff"} {
		f.Add(seed)
	}
	const problem = "Enter the start time as HH:MM, like 10:00"
	f.Fuzz(func(t *testing.T, s string) {
		v := &training.ValidationError{}
		got := parseTime(v, "start_time", s, problem)
		switch {
		case s == "":
			if len(v.Fields) != 0 || got.Valid() {
				t.Fatalf("no text: problems %v, time %v", v.Fields, got)
			}
		case len(v.Fields) > 0:
			if len(v.Fields) != 1 || v.Fields[0].Field != "start_time" || v.Fields[0].Message != problem+"." {
				t.Fatalf("%q: problems %+v", s, v.Fields)
			}
			if got.Valid() {
				t.Fatalf("%q: refused, yet gave the time %v", s, got)
			}
		default:
			if !got.Valid() {
				t.Fatalf("%q: accepted as an invalid time", s)
			}
			if got.String() != strings.TrimSpace(s) {
				t.Fatalf("%q: read as %s", s, got)
			}
			again, err := training.ParseTimeOfDay(got.String())
			if err != nil || again != got {
				t.Fatalf("%q: %s reads back as %v (%v)", s, got, again, err)
			}
		}
	})
}

// FuzzSessionRequest: whatever the body, binding a session either fails
// with a validation error naming a field, or gives a request whose
// input keeps every text as sent, names only the fields it could not
// parse, and survives the PATCH path: rendered back as a request and
// parsed again, it is the same input.
func FuzzSessionRequest(f *testing.F) {
	for _, seed := range []string{
		`{"course_code":"WRAP","date":"2026-11-20","start_time":"10:00","end_time":"12:30","location":"Room 1","capacity":12,"trainer_id":"t1"}`,
		`{"start_time":"10am","end_time":"25:00","date":"20/11/2026"}`,
		`{"capacity":"12"}`, `{"capacity":2.5}`, `{"capacity":-1}`, `{"capacity":1e400}`, `{"capacity":null}`,
		`{"notes":"Bring \ud83d\ude00"}`, `{"notes":"\ud800"}`, `{"location":1}`, `{"room":"A"}`, `{}`, `null`, `[]`, ``,
	} {
		f.Add([]byte(seed))
	}
	f.Fuzz(func(t *testing.T, raw []byte) {
		var req sessionRequest
		if err := bindBytes(raw, &req); err != nil {
			requireFieldError(t, raw, err)
			return
		}
		in := req.input()
		if in.CourseCode != req.CourseCode || in.Location != req.Location || in.TrainerID != req.TrainerID ||
			in.Notes != req.Notes || in.Capacity != req.Capacity {
			t.Fatalf("%q: input %+v does not keep the request %+v", raw, in, req)
		}
		for _, p := range in.Problems {
			if p.Field != "date" && p.Field != "start_time" && p.Field != "end_time" {
				t.Fatalf("%q: a problem with %q, which is not parsed here", raw, p.Field)
			}
			if !strings.HasSuffix(p.Message, ".") {
				t.Fatalf("%q: %q is not a sentence", raw, p.Message)
			}
		}
		if len(in.Problems) > 0 {
			return
		}
		again := sessionRequestOf(in).input()
		if again.Date != in.Date || again.Start != in.Start || again.End != in.End || len(again.Problems) > 0 {
			t.Fatalf("%q: %+v rendered and parsed again is %+v", raw, in, again)
		}
	})
}

// FuzzBookingRequest: whatever the body, binding a booking either fails
// with a validation error naming a field, or names at most one attendee,
// kept exactly as sent in valid UTF-8.
func FuzzBookingRequest(f *testing.F) {
	for _, seed := range []string{
		`{}`, `{"person_id":"p1"}`, `{"external":{"name":"Ann Lee","email":"ann@police.example.org","organisation":"Police"}}`,
		`{"person_id":"p1","external":{"name":"A"}}`, `{"external":null}`, `{"external":{}}`, `{"external":"x"}`,
		`{"external":{"name":"\ud800"}}`, "{\"person_id\":\"\xff\"}", `{"person_id":7}`, `{"guest":"x"}`, `null`, ``,
	} {
		f.Add([]byte(seed))
	}
	f.Fuzz(func(t *testing.T, raw []byte) {
		var req bookingRequest
		if err := bindBytes(raw, &req); err != nil {
			requireFieldError(t, raw, err)
			return
		}
		if req.PersonID != "" && req.External != nil {
			t.Fatalf("%q: accepted both a person and a partner attendee", raw)
		}
		r := req.request()
		if r.PersonID != req.PersonID || (r.External == nil) != (req.External == nil) {
			t.Fatalf("%q: request %+v does not keep %+v", raw, r, req)
		}
		if x := r.External; x != nil && (x.Name != req.External.Name || x.Email != req.External.Email || x.Organisation != req.External.Organisation) {
			t.Fatalf("%q: partner %+v does not keep %+v", raw, *x, *req.External)
		}
		for _, s := range stringsIn(reflect.ValueOf(&req)) {
			if !utf8.ValidString(s) {
				t.Fatalf("%q: decoded %q is not UTF-8", raw, s)
			}
		}
	})
}

// requireFieldError fails unless err is a validation error whose every
// problem names a field and says what is wrong.
func requireFieldError(t *testing.T, raw []byte, err error) {
	t.Helper()
	var ve *training.ValidationError
	if !errors.As(err, &ve) {
		t.Fatalf("%q: unexpected error %T %v", raw, err, err)
	}
	if len(ve.Fields) == 0 {
		t.Fatalf("%q: validation error with no field", raw)
	}
	for _, f := range ve.Fields {
		if f.Field == "" || f.Message == "" {
			t.Fatalf("%q: problem without a field or message: %+v", raw, ve.Fields)
		}
	}
}

package httpapi_test

import (
	"bytes"
	"encoding/json"
	"fmt"
	"math/rand/v2"
	"mime"
	"net/http"
	"net/url"
	"os"
	"slices"
	"sort"
	"strconv"
	"strings"
	"testing"
	"time"
)

// TestOpenAPIFuzz drives every operation of the served /openapi.json with
// random requests: valid by the document's schemas, and deliberately
// invalid (wrong types, missing required fields, values outside an enum,
// dates that are not dates, invalid UTF-8, unknown fields, bodies that are
// not objects, oversized values, odd path parameters, a trailing slash),
// as HR, as other roles and unauthenticated. Every answer must keep the
// document's word:
// no 5xx, a status the operation declares, problem+json of the declared
// shape for errors, the declared fields for successes, never a success
// for input the document says is invalid, and no API answer a cache may
// keep.
//
// COMPLYTRACK_FUZZ_SEED and COMPLYTRACK_FUZZ_COUNT (requests per
// operation) change the run; a failure prints the seed to repeat it.
func TestOpenAPIFuzz(t *testing.T) {
	seed, count := uint64(20261130), 60
	if s := os.Getenv("COMPLYTRACK_FUZZ_SEED"); s != "" {
		n, err := strconv.ParseUint(s, 10, 64)
		if err != nil {
			t.Fatalf("COMPLYTRACK_FUZZ_SEED: %v", err)
		}
		seed = n
	}
	if s := os.Getenv("COMPLYTRACK_FUZZ_COUNT"); s != "" {
		n, err := strconv.Atoi(s)
		if err != nil || n < 1 {
			t.Fatalf("COMPLYTRACK_FUZZ_COUNT: want a positive whole number, got %q", s)
		}
		count = n
	}
	t.Cleanup(func() {
		if t.Failed() {
			t.Logf("repeat with COMPLYTRACK_FUZZ_SEED=%d COMPLYTRACK_FUZZ_COUNT=%d", seed, count)
		}
	})

	e := newEnv(t)
	e.cast()
	f := newFuzzer(t, e, seed)

	keys := make([]string, 0, len(f.ops))
	for k := range f.ops {
		keys = append(keys, k)
	}
	sort.Strings(keys)
	started := time.Now()
	sent := 0
	var neverOK []string
	for _, key := range keys {
		method, path, _ := strings.Cut(key, " ")
		t.Run(key, func(t *testing.T) {
			ok := 0
			for i := range count {
				req := f.request(method, path, f.ops[key], i)
				if f.check(t, key, f.ops[key], req) < 300 {
					ok++
				}
				sent++
			}
			if ok == 0 {
				neverOK = append(neverOK, key)
			}
		})
	}
	t.Logf("%d requests over %d operations in %s (seed %d)", sent, len(keys), time.Since(started).Round(time.Millisecond), seed)
	// Random input rarely holds a real token or password: these answer
	// only errors here, and other tests cover their successes.
	t.Logf("operations with no success in this run: %v", neverOK)
	if len(neverOK) > len(keys)/4 {
		t.Errorf("%d of %d operations never succeeded: the generator makes too few valid requests", len(neverOK), len(keys))
	}
}

// fuzzer generates requests from the document and checks the answers.
type fuzzer struct {
	t    *testing.T
	e    *env
	doc  map[string]any
	ops  map[string]map[string]any
	rng  *rand.Rand
	ids  map[string][]string // path parameter name -> real values
	odd  []string            // path parameter values that name nothing
	sc   *schemaCheck
	seed uint64

	// opIDs replace ids["id"] for the operations on a session or a
	// booking ("POST /api/v1/sessions/{id}/cancel"): each has its own, so
	// that one operation's successes (a cancellation) leave the next
	// something to succeed on.
	opIDs map[string][]string
	// attended are bookings on the sessions opIDs gives the register.
	attended []string
}

// fuzzRequest is one generated request and what the generator meant by it.
type fuzzRequest struct {
	method, path, caller, contentType string
	body                              []byte
	// invalid: why the document says this request is wrong (it must not
	// succeed); "" for a request that may.
	invalid string
	// slash: a trailing slash was added, so the address is not the
	// operation's: a problem+json 404, never a redirect.
	slash bool
	// concrete: the path parameters spelled out a path the document
	// lists as such (/people/import for /people/{id}); OpenAPI matches the
	// concrete path first, so its methods are the ones allowed.
	concrete []string
}

func newFuzzer(t *testing.T, e *env, seed uint64) *fuzzer {
	doc := openAPI(t, e)
	f := &fuzzer{t: t, e: e, doc: doc, ops: operations(doc), rng: rand.New(rand.NewPCG(seed, seed^0x9e3779b97f4a7c15)),
		sc: &schemaCheck{doc: doc}, seed: seed}
	hr := e.tokens["hr"]
	emp, stranger := e.people["emp"].ID, e.people["stranger"].ID
	// Records to find: a pending completion, one with a certificate, an exemption.
	pending := decode[jCompletion](t, e.must(http.StatusCreated, "POST", "/api/v1/me/completions", e.tokens["emp"],
		map[string]string{"course_code": "WRAP", "completed_on": "2026-10-01"}))
	withCert := decode[jCompletion](t, e.postForm("/api/v1/me/completions", e.tokens["emp2"], formField("course_code", "PREVENT"),
		formField("completed_on", "2026-10-02"), certFile("cert.pdf", "application/pdf", tinyPDF("fuzz"))))
	var ex struct{ ID string }
	if err := json.Unmarshal(e.must(http.StatusCreated, "POST", "/api/v1/people/"+stranger+"/exemptions", hr,
		map[string]string{"course_code": "PREVENT", "reason": "Long-term sick leave.", "until": "2027-03-31"}).Body, &ex); err != nil {
		t.Fatal(err)
	}
	f.odd = []string{"", "nobody", "import", "..", "%2e%2e", "%00", "%ff%fe", "a%2Fb", "%E2%82%AC", strings.Repeat("x", 3000),
		"000000000000000000000000", "ffffffffffffffffffffffff", "-1", "null", "%7B%24gt%3A%22%22%7D"}
	f.ids = map[string][]string{
		// Not the HR account's own person: a random roles change could
		// take HR's role away and leave nothing else tested as HR.
		"id":   {emp, stranger, e.people["mgra"].ID, e.people["auditor"].ID, pending.ID, withCert.ID, ex.ID},
		"code": {"PREVENT", "WRAP", "prevent"},
		"name": {"compliance-scan", "manager-digest", "monthly-report", "delivery"},
	}
	e.castTrainers()
	f.opIDs, f.attended = sessionFixtures(e)
	return f
}

var fuzzCallers = []string{"hr", "emp", "mgra", "auditor", "", "forged"}

// request builds the i-th request for an operation: valid and invalid in
// turn, from a caller in turn.
func (f *fuzzer) request(method, template string, op map[string]any, i int) fuzzRequest {
	path := template
	r := fuzzRequest{method: method, caller: fuzzCallers[f.rng.IntN(len(fuzzCallers))]}
	if i%3 == 0 {
		r.caller = "hr" // most operations are HR's: test them properly
	}
	wantInvalid := i%2 == 1
	query := url.Values{}
	for _, p := range asList(op["parameters"]) {
		param := resolve(f.t, f.doc, p)
		name := param["name"].(string)
		if param["in"] == "path" {
			vals := f.ids[name]
			if ids, ok := f.opIDs[method+" "+template]; ok {
				vals = ids
			}
			if vals == nil {
				f.t.Fatalf("no values for path parameter %s", name)
			}
			if f.rng.IntN(3) == 0 {
				vals = f.odd
			}
			v := vals[f.rng.IntN(len(vals))]
			if !strings.Contains(v, "%") {
				v = url.PathEscape(v)
			}
			path = strings.Replace(path, "{"+name+"}", v, 1)
			continue
		}
		if f.rng.IntN(2) == 0 {
			continue
		}
		query.Set(name, f.queryValue(resolve(f.t, f.doc, param["schema"])))
	}
	if path == "/api/v1/reports/compliance" && f.rng.IntN(4) > 0 {
		query.Set("course_code", []string{"PREVENT", "WRAP"}[f.rng.IntN(2)])
	}
	rb, hasBody := op["requestBody"].(map[string]any)
	switch {
	case wantInvalid && (!hasBody || f.rng.IntN(3) == 0) && len(asList(op["parameters"])) > 0:
		f.badQuery(op, query, &r)
	case hasBody:
		f.body(rb, wantInvalid, &r)
	}
	r.path = path
	if item, ok := f.doc["paths"].(map[string]any)[path].(map[string]any); ok && path != template {
		for _, m := range httpMethods {
			if item[m] != nil {
				r.concrete = append(r.concrete, strings.ToUpper(m))
			}
		}
	}
	if f.rng.IntN(20) == 0 {
		r.path += "/"
		r.slash = true
	}
	if len(query) > 0 {
		r.path += "?" + query.Encode()
	}
	return r
}

// badQuery puts a value the document forbids into one query parameter,
// when there is one with a rule to break.
func (f *fuzzer) badQuery(op map[string]any, query url.Values, r *fuzzRequest) {
	var cands []map[string]any
	for _, p := range asList(op["parameters"]) {
		param := resolve(f.t, f.doc, p)
		s := resolve(f.t, f.doc, param["schema"])
		if param["in"] == "query" && (s["enum"] != nil || s["type"] == "integer" || s["type"] == "boolean" || s["maxLength"] != nil || s["format"] == "date") {
			cands = append(cands, param)
		}
	}
	if len(cands) == 0 {
		return
	}
	param := cands[f.rng.IntN(len(cands))]
	s := resolve(f.t, f.doc, param["schema"])
	name := param["name"].(string)
	switch {
	case s["enum"] != nil:
		query.Set(name, "abc")
	case s["type"] == "integer":
		query.Set(name, []string{"abc", "0", "-5", "1.5", "99999999999999999999"}[f.rng.IntN(5)])
	case s["type"] == "boolean":
		query.Set(name, "maybe")
	case s["maxLength"] != nil:
		query.Set(name, strings.Repeat("q", int(s["maxLength"].(float64))+1))
	default:
		query.Set(name, []string{"2026-13-01", "2026-02-30", "yesterday", "20261101"}[f.rng.IntN(4)])
	}
	r.invalid = "query " + name + "=" + query.Get(name)
}

func (f *fuzzer) queryValue(s map[string]any) string {
	if enum := asList(s["enum"]); len(enum) > 0 {
		return enum[f.rng.IntN(len(enum))].(string)
	}
	switch s["type"] {
	case "integer":
		lo, hi := 1, 100
		if v, ok := s["minimum"].(float64); ok {
			lo = int(v)
		}
		if v, ok := s["maximum"].(float64); ok {
			hi = int(v)
		}
		return strconv.Itoa(lo + f.rng.IntN(hi-lo+1))
	case "boolean":
		return strconv.FormatBool(f.rng.IntN(2) == 0)
	}
	if s["format"] == "date" {
		return f.date()
	}
	return f.text(20)
}

// body picks a media type the operation takes and builds a body, valid or
// broken in one way.
func (f *fuzzer) body(rb map[string]any, wantInvalid bool, r *fuzzRequest) {
	content := rb["content"].(map[string]any)
	types := keys(content)
	mt := types[f.rng.IntN(len(types))]
	media := content[mt].(map[string]any)
	r.contentType = mt
	switch mt {
	case "application/json":
		schema := f.flatten(media["schema"])
		v := f.value(schema, 0).(map[string]any)
		if !wantInvalid {
			r.body = mustJSON(f.t, v)
			return
		}
		r.body, r.contentType, r.invalid = f.breakJSON(schema, v)
	case "multipart/form-data":
		f.form(f.flatten(media["schema"]), wantInvalid, r)
	case "text/csv":
		f.csv(wantInvalid, r)
	default:
		f.t.Fatalf("no generator for request media type %s", mt)
	}
}

// breakJSON makes a valid body invalid in one of the ways the document
// rules out.
func (f *fuzzer) breakJSON(schema map[string]any, v map[string]any) (body []byte, contentType, why string) {
	props, _ := schema["properties"].(map[string]any)
	names := keys(props)
	required := asList(schema["required"])
	pick := func(ok func(s map[string]any) bool) string {
		var c []string
		for _, n := range names {
			if ok(resolve(f.t, f.doc, props[n])) {
				c = append(c, n)
			}
		}
		if len(c) == 0 {
			return ""
		}
		return c[f.rng.IntN(len(c))]
	}
	stringField := func(s map[string]any) bool {
		return slices.Contains(typeList(s["type"]), "string") || isStringArray(f, s)
	}
	for range 10 {
		switch f.rng.IntN(10) {
		case 0:
			if len(required) > 0 {
				n := required[f.rng.IntN(len(required))].(string)
				delete(v, n)
				return mustJSON(f.t, v), "application/json", "missing required " + n
			}
		case 1:
			if n := pick(func(map[string]any) bool { return true }); n != "" {
				v[n] = f.wrongType(resolve(f.t, f.doc, props[n]))
				return mustJSON(f.t, v), "application/json", fmt.Sprintf("%s of the wrong type (%v)", n, v[n])
			}
		case 2:
			if n := pick(func(s map[string]any) bool { return s["enum"] != nil || enumItems(f, s) }); n != "" {
				s := resolve(f.t, f.doc, props[n])
				if s["enum"] != nil {
					v[n] = "not-a-value"
				} else {
					v[n] = []any{"not-a-value"}
				}
				return mustJSON(f.t, v), "application/json", n + " outside its enum"
			}
		case 3:
			if n := pick(func(s map[string]any) bool { return s["format"] == "date" || s["format"] == "email" }); n != "" {
				s := resolve(f.t, f.doc, props[n])
				if s["format"] == "date" {
					v[n] = []string{"2026-02-30", "2026-13-01", "01/11/2026", "2026-1-1"}[f.rng.IntN(4)]
				} else {
					v[n] = "not an e-mail address"
				}
				return mustJSON(f.t, v), "application/json", fmt.Sprintf("%s not a %s: %v", n, s["format"], v[n])
			}
		case 4:
			if n := pick(stringField); n != "" {
				bad := []string{"ab\xffcd", "\xc3", "\xed\xa0\x80", `\ud800`, `x\udc00`, `\udc00\ud800`}[f.rng.IntN(6)]
				s := resolve(f.t, f.doc, props[n])
				const marker = "FUZZ-INVALID-TEXT"
				if isStringArray(f, s) {
					v[n] = []any{marker}
				} else {
					v[n] = marker
				}
				b := bytes.Replace(mustJSON(f.t, v), []byte(marker), []byte(bad), 1)
				return b, "application/json", fmt.Sprintf("%s holds invalid text %q", n, bad)
			}
		case 5:
			v["zz_not_a_field"] = 1
			return mustJSON(f.t, v), "application/json", "unknown field"
		case 6:
			b := []string{`null`, `[]`, `"body"`, `42`, `true`, `{"a":`, `{} {}`, ``, `{`}[f.rng.IntN(9)]
			return []byte(b), "application/json", "body " + b
		case 7:
			return mustJSON(f.t, v), []string{"text/plain", "application/xml", "application/x-www-form-urlencoded"}[f.rng.IntN(3)], "wrong Content-Type"
		case 8:
			return bytes.Repeat([]byte(" "), 1<<20+1), "application/json", "over the size limit"
		case 9:
			// Oversized text is not against the document (it sets no
			// maxLength on bodies), but must not break anything.
			if n := pick(func(s map[string]any) bool { return slices.Contains(typeList(s["type"]), "string") }); n != "" {
				v[n] = strings.Repeat("Ω", 20000)
				return mustJSON(f.t, v), "application/json", ""
			}
		}
	}
	return []byte(`null`), "application/json", "body null"
}

func isStringArray(f *fuzzer, s map[string]any) bool {
	if !slices.Contains(typeList(s["type"]), "array") {
		return false
	}
	items, ok := s["items"]
	return ok && slices.Contains(typeList(resolve(f.t, f.doc, items)["type"]), "string")
}

func enumItems(f *fuzzer, s map[string]any) bool {
	if !slices.Contains(typeList(s["type"]), "array") || s["items"] == nil {
		return false
	}
	return resolve(f.t, f.doc, s["items"])["enum"] != nil
}

// wrongType is a value of a JSON type the schema does not allow.
func (f *fuzzer) wrongType(s map[string]any) any {
	allowed := typeList(s["type"])
	if len(allowed) == 0 && s["anyOf"] != nil {
		for _, alt := range asList(s["anyOf"]) {
			a := resolve(f.t, f.doc, alt)
			allowed = append(allowed, typeList(a["type"])...)
			if a["properties"] != nil {
				allowed = append(allowed, "object")
			}
		}
	}
	if len(allowed) == 0 && s["properties"] != nil {
		allowed = []string{"object"}
	}
	var out []any
	for _, c := range []struct {
		typ string
		v   any
	}{{"string", "text"}, {"integer", 7}, {"boolean", true}, {"array", []any{1}}, {"object", map[string]any{"x": 1}}} {
		if !slices.Contains(allowed, c.typ) && !(c.typ == "integer" && slices.Contains(allowed, "number")) {
			out = append(out, c.v)
		}
	}
	return out[f.rng.IntN(len(out))]
}

// flatten resolves a schema's $ref and merges allOf into one object schema.
func (f *fuzzer) flatten(s any) map[string]any {
	m := resolve(f.t, f.doc, s)
	parts := asList(m["allOf"])
	if len(parts) == 0 {
		return m
	}
	out := map[string]any{"type": "object", "properties": map[string]any{}}
	var required []any
	for _, p := range parts {
		pm := f.flatten(p)
		for k, v := range pm {
			switch k {
			case "properties":
				for n, ps := range v.(map[string]any) {
					out["properties"].(map[string]any)[n] = ps
				}
			case "required":
				required = append(required, asList(v)...)
			default:
				out[k] = v
			}
		}
	}
	out["required"] = required
	return out
}

// value generates a value the schema accepts.
func (f *fuzzer) value(schema any, depth int) any {
	s := f.flatten(schema)
	if alts := asList(s["anyOf"]); len(alts) > 0 {
		return f.value(alts[f.rng.IntN(len(alts))], depth)
	}
	if enum := asList(s["enum"]); len(enum) > 0 {
		return enum[f.rng.IntN(len(enum))]
	}
	types := typeList(s["type"])
	if len(types) == 0 && s["properties"] != nil {
		types = []string{"object"}
	}
	if len(types) == 0 {
		return nil
	}
	typ := types[f.rng.IntN(len(types))]
	if typ == "null" && len(types) > 1 && f.rng.IntN(4) > 0 {
		typ = types[0]
	}
	switch typ {
	case "null":
		return nil
	case "boolean":
		return f.rng.IntN(2) == 0
	case "integer":
		lo, hi := 0, 400
		if v, ok := s["minimum"].(float64); ok {
			lo = int(v)
		}
		if v, ok := s["maximum"].(float64); ok {
			hi = int(v)
		}
		return lo + f.rng.IntN(hi-lo+1)
	case "number":
		return f.rng.Float64() * 100
	case "string":
		switch s["format"] {
		case "date":
			return f.date()
		case "email":
			return fmt.Sprintf("fuzz%d@example.gov.uk", f.rng.IntN(100000))
		case "uri":
			return "https://learning.example.org/course/" + strconv.Itoa(f.rng.IntN(1000))
		}
		return f.text(40)
	case "array":
		n := f.rng.IntN(3)
		out := make([]any, 0, n)
		for range n {
			out = append(out, f.value(s["items"], depth+1))
		}
		return out
	case "object":
		out := map[string]any{}
		props, _ := s["properties"].(map[string]any)
		required := asList(s["required"])
		for _, n := range keys(props) {
			if slices.Contains(required, any(n)) || (depth < 3 && f.rng.IntN(2) == 0) {
				out[n] = f.value(props[n], depth+1)
				// Mostly a value the domain would also accept, so that
				// valid requests get past the schema and succeed.
				if hint, ok := fuzzHints[n]; ok && f.rng.IntN(4) > 0 {
					if v := hint(f); v != nil || slices.Contains(typeList(resolve(f.t, f.doc, props[n])["type"]), "null") {
						out[n] = v
					}
				}
			}
		}
		return out
	}
	f.t.Fatalf("no generator for schema type %q", typ)
	return nil
}

// fuzzHints give body fields values the domain accepts (a course that
// exists, a past completion date, a password long enough).
var fuzzHints = map[string]func(f *fuzzer) any{
	"course_code":    func(f *fuzzer) any { return []string{"PREVENT", "WRAP"}[f.rng.IntN(2)] },
	"completed_on":   func(f *fuzzer) any { return f.dateIn(2025, 600) },
	"start_date":     func(f *fuzzer) any { return f.dateIn(2020, 2000) },
	"end_date":       func(f *fuzzer) any { return []any{nil, f.dateIn(2027, 300)}[f.rng.IntN(2)] },
	"until":          func(f *fuzzer) any { return f.dateIn(2027, 300) },
	"effective_from": func(f *fuzzer) any { return f.dateIn(2018, 1500) },
	"reason": func(f *fuzzer) any {
		return "Checked against the provider's record " + strconv.Itoa(f.rng.IntN(1000)) + "."
	},
	"code":                    func(f *fuzzer) any { return fmt.Sprintf("FZ%d", f.rng.IntN(100000)) },
	"employee_number":         func(f *fuzzer) any { return fmt.Sprintf("FZ-%d", f.rng.IntN(100000)) },
	"manager_employee_number": func(f *fuzzer) any { return []string{"", "EMP-mgra", "EMP-mgrb"}[f.rng.IntN(3)] },
	"given_name":              func(f *fuzzer) any { return f.word() },
	"family_name":             func(f *fuzzer) any { return f.word() },
	"job_title":               func(f *fuzzer) any { return f.word() + " Officer" },
	"department":              func(f *fuzzer) any { return []string{"Housing", "Finance", "Leisure & Culture"}[f.rng.IntN(3)] },
	"title":                   func(f *fuzzer) any { return f.word() + " awareness" },
	"provider":                func(f *fuzzer) any { return "Home Office" },
	"certificate_ref":         func(f *fuzzer) any { return fmt.Sprintf("CERT-%d", f.rng.IntN(100000)) },
	"current_password":        func(f *fuzzer) any { return castPassword },
	"new_password":            func(f *fuzzer) any { return "fuzz-" + f.word() + "-password-" + strconv.Itoa(f.rng.IntN(1000)) },
	"departments":             func(f *fuzzer) any { return []any{"Housing"} },
	"job_titles":              func(f *fuzzer) any { return []any{} },
	// Sessions: from the test's today on, in working hours, run by the
	// trainer; bookings for someone on record or a partner attendee.
	"date": func(f *fuzzer) any {
		return time.Date(2026, 11, 2, 0, 0, 0, 0, time.UTC).AddDate(0, 0, f.rng.IntN(30)).Format(time.DateOnly)
	},
	"start_time": func(f *fuzzer) any { return []string{"09:00", "10:30", "13:00"}[f.rng.IntN(3)] },
	"end_time":   func(f *fuzzer) any { return []string{"15:00", "16:30"}[f.rng.IntN(2)] },
	"location":   func(f *fuzzer) any { return "Room " + strconv.Itoa(1+f.rng.IntN(9)) + ", Civic Centre" },
	"capacity":   func(f *fuzzer) any { return 1 + f.rng.IntN(20) },
	"trainer_id": func(f *fuzzer) any { return f.e.people["trainer"].ID },
	"person_id": func(f *fuzzer) any {
		return []string{"", f.e.people["mgra"].ID, f.e.people["mgrb"].ID, f.e.people["auditor"].ID}[f.rng.IntN(4)]
	},
	"attended": func(f *fuzzer) any { return []any{f.attended[f.rng.IntN(len(f.attended))]} },
	"no_show":  func(f *fuzzer) any { return []any{} },
}

// dateIn is a day in the year from, up to span days on.
func (f *fuzzer) dateIn(year, span int) string {
	return time.Date(year, 1, 1, 0, 0, 0, 0, time.UTC).AddDate(0, 0, f.rng.IntN(span)).Format(time.DateOnly)
}

// word is a capitalised word of plain letters.
func (f *fuzzer) word() string {
	const letters = "abcdefghijklmnopqrstuvwxyz"
	b := []byte{byte('A' + f.rng.IntN(26))}
	for range 2 + f.rng.IntN(8) {
		b = append(b, letters[f.rng.IntN(len(letters))])
	}
	return string(b)
}

func (f *fuzzer) date() string {
	d := time.Date(2014, 1, 1, 0, 0, 0, 0, time.UTC).AddDate(0, 0, f.rng.IntN(365*14))
	return d.Format(time.DateOnly)
}

// text is a short string of letters, digits, spaces and some non-ASCII.
func (f *fuzzer) text(max int) string {
	const alphabet = "abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOPQRSTUVWXYZ0123456789 -'.éøŁ中😀"
	runes := []rune(alphabet)
	n := 1 + f.rng.IntN(max)
	var sb strings.Builder
	for range n {
		sb.WriteRune(runes[f.rng.IntN(len(runes))])
	}
	return sb.String()
}

// form builds a multipart completion: its text fields, maybe a
// certificate; broken: an unknown part, a cut-off body, a file that is no
// certificate, or no boundary.
func (f *fuzzer) form(schema map[string]any, wantInvalid bool, r *fuzzRequest) {
	v := f.value(schema, 0).(map[string]any)
	var parts []formPart
	for _, n := range keys(v) {
		if n == "certificate" {
			continue
		}
		if s, ok := v[n].(string); ok {
			parts = append(parts, formField(n, s))
		}
	}
	if f.rng.IntN(2) == 0 {
		parts = append(parts, certFile("cert.pdf", "application/pdf", tinyPDF(strconv.Itoa(f.rng.IntN(1e6)))))
	}
	ct, body := multipartBody(f.t, parts...)
	r.contentType, r.body = ct, body
	if !wantInvalid {
		return
	}
	switch f.rng.IntN(4) {
	case 0:
		ct, body = multipartBody(f.t, append(parts, formField("zz_not_a_field", "x"))...)
		r.contentType, r.body, r.invalid = ct, body, "unknown form field"
	case 1:
		r.body, r.invalid = body[:f.rng.IntN(len(body))], "cut-off form"
	case 2:
		ct, body = multipartBody(f.t, append(parts, certFile("cert.pdf", "application/pdf", []byte("not a PDF at all")))...)
		r.contentType, r.body, r.invalid = ct, body, "certificate that is not a PDF, PNG or JPEG"
	default:
		r.contentType, r.invalid = "multipart/form-data", "no boundary"
	}
}

// csv builds a people import; broken: not CSV at all, or sent as another type.
func (f *fuzzer) csv(wantInvalid bool, r *fuzzRequest) {
	var sb strings.Builder
	sb.WriteString("employee_number,email,given_name,family_name,kind,start_date\n")
	for i := range f.rng.IntN(4) {
		fmt.Fprintf(&sb, "FZ%d,fz%d@example.gov.uk,%s,Fuzz,%s,%s\n", f.rng.IntN(1000), i,
			strings.ReplaceAll(f.text(10), ",", ""), []string{"staff", "member", "pilot"}[f.rng.IntN(3)], f.date())
	}
	r.body = []byte(sb.String())
	if wantInvalid {
		switch f.rng.IntN(3) {
		case 0:
			r.contentType, r.invalid = "application/json", "wrong Content-Type"
		case 1:
			r.body = append(r.body, "\xff\xfe,\"unterminated\n"...)
		default:
			r.body = []byte("\x00\x01\x02 not a csv")
		}
	}
}

// check sends the request and holds the answer to the document.
// It returns the status.
func (f *fuzzer) check(t *testing.T, key string, op map[string]any, req fuzzRequest) int {
	t.Helper()
	token := f.e.tokens[req.caller]
	if req.caller == "forged" {
		token = "eyJhbGciOiJub25lIn0.eyJzdWIiOiJ4In0."
	}
	r := f.e.send(req.method, req.path, token, req.contentType, req.body)
	desc := fmt.Sprintf("%s as %q (%s), Content-Type %q, body %.300q", req.path, req.caller, orValid(req.invalid), req.contentType, req.body)
	if r.Status >= 500 {
		t.Errorf("%s: status %d\n  %s\n  %s", key, r.Status, desc, r.Body)
		return r.Status
	}
	if strings.HasPrefix(req.path, "/api/v1/") && !strings.Contains(r.Header.Get("Cache-Control"), "no-store") {
		t.Errorf("%s: %d without Cache-Control: no-store\n  %s", key, r.Status, desc)
	}
	if req.slash {
		if r.Status != http.StatusNotFound || r.Header.Get("Location") != "" || !strings.HasPrefix(r.Header.Get("Content-Type"), "application/problem+json") {
			t.Errorf("%s: %d (%s, Location %q), want a problem+json 404\n  %s", key, r.Status, r.Header.Get("Content-Type"), r.Header.Get("Location"), desc)
		}
		return r.Status
	}
	if len(req.concrete) > 0 && !slices.Contains(req.concrete, req.method) {
		allow := strings.Split(strings.ReplaceAll(r.Header.Get("Allow"), " ", ""), ",")
		slices.Sort(allow)
		slices.Sort(req.concrete)
		if r.Status != http.StatusMethodNotAllowed || !slices.Equal(allow, req.concrete) {
			t.Errorf("%s: %d with Allow %q, want 405 with Allow %v\n  %s", key, r.Status, r.Header.Get("Allow"), req.concrete, desc)
		}
		return r.Status
	}
	responses := op["responses"].(map[string]any)
	declared, ok := responses[strconv.Itoa(r.Status)]
	if !ok {
		t.Errorf("%s: status %d is not declared (declared: %v)\n  %s\n  %s", key, r.Status, keys(responses), desc, r.Body)
		return r.Status
	}
	public := len(asList(op["security"])) == 0
	if req.invalid != "" && (public || (req.caller != "" && req.caller != "forged")) && r.Status < 300 {
		t.Errorf("%s: invalid request answered %d\n  %s\n  %s", key, r.Status, desc, r.Body)
	}
	if r.Status == http.StatusNoContent {
		if len(r.Body) > 0 {
			t.Errorf("%s: 204 with a body: %s", key, r.Body)
		}
		return r.Status
	}
	content, _ := resolve(t, f.doc, declared)["content"].(map[string]any)
	mt, _, _ := mime.ParseMediaType(r.Header.Get("Content-Type"))
	media, ok := content[mt].(map[string]any)
	if !ok {
		t.Errorf("%s: %d with Content-Type %q, declared %v\n  %s", key, r.Status, mt, keys(content), desc)
		return r.Status
	}
	if r.Status >= 400 && mt != "application/problem+json" {
		t.Errorf("%s: error %d is %s, not problem+json\n  %s", key, r.Status, mt, desc)
	}
	if mt != "application/json" && mt != "application/problem+json" {
		return r.Status
	}
	var body any
	if err := json.Unmarshal(r.Body, &body); err != nil {
		t.Errorf("%s: %d body is not JSON: %v\n  %s", key, r.Status, err, desc)
		return r.Status
	}
	for _, p := range f.sc.check(body, media["schema"], "body") {
		t.Errorf("%s: %d: %s\n  %s\n  %s", key, r.Status, p, desc, r.Body)
	}
	if m, ok := body.(map[string]any); ok && r.Status >= 400 && m["status"] != float64(r.Status) {
		t.Errorf("%s: problem status %v in a %d answer", key, m["status"], r.Status)
	}
	return r.Status
}

func orValid(why string) string {
	if why == "" {
		return "valid by the document"
	}
	return "invalid: " + why
}

func mustJSON(t *testing.T, v any) []byte {
	t.Helper()
	b, err := json.Marshal(v)
	if err != nil {
		t.Fatal(err)
	}
	return b
}

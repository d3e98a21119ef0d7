package httpapi_test

import (
	"encoding/json"
	"fmt"
	"mime"
	"net/http"
	"reflect"
	"regexp"
	"slices"
	"sort"
	"strconv"
	"strings"
	"testing"
	"time"

	"github.com/complytrack/complytrack/pkg/httpapi"
)

// openAPI fetches GET /openapi.json as an anonymous client.
func openAPI(t *testing.T, e *env) map[string]any {
	t.Helper()
	if _, err := httpapi.OpenAPIDocument(); err != nil {
		t.Fatalf("the OpenAPI document does not build: %v", err)
	}
	r := e.must(http.StatusOK, "GET", "/openapi.json", "", nil)
	if ct := r.Header.Get("Content-Type"); !strings.HasPrefix(ct, "application/json") {
		t.Fatalf("Content-Type %q, want application/json", ct)
	}
	var doc map[string]any
	if err := json.Unmarshal(r.Body, &doc); err != nil {
		t.Fatalf("/openapi.json is not a JSON object: %v", err)
	}
	return doc
}

var httpMethods = []string{"get", "put", "post", "delete", "options", "head", "patch", "trace"}

// operations lists the document's operations as "METHOD /path/{param}".
func operations(doc map[string]any) map[string]map[string]any {
	out := map[string]map[string]any{}
	for path, item := range doc["paths"].(map[string]any) {
		for method, op := range item.(map[string]any) {
			if slices.Contains(httpMethods, method) {
				out[strings.ToUpper(method)+" "+path] = op.(map[string]any)
			}
		}
	}
	return out
}

var ginParam = regexp.MustCompile(`[:*]([A-Za-z0-9_]+)`)

// openAPIKey turns a router route into the document's form: :id -> {id}.
func openAPIKey(method, ginPath string) string {
	return method + " " + ginParam.ReplaceAllString(ginPath, "{$1}")
}

// TestOpenAPIDescribesEveryRoute fails when a route is added without
// describing it, or the document describes a route that does not exist.
func TestOpenAPIDescribesEveryRoute(t *testing.T) {
	e := newEnv(t)
	documented := map[string]bool{}
	for key := range operations(openAPI(t, e)) {
		documented[key] = true
	}
	undocumented, stale := compareRoutes(e, openAPIKey, documented)
	if len(undocumented) > 0 {
		t.Errorf("routes missing from /openapi.json (add them to operations in pkg/httpapi/operations.go):\n  %s", strings.Join(undocumented, "\n  "))
	}
	if len(stale) > 0 {
		t.Errorf("/openapi.json describes routes the router does not serve:\n  %s", strings.Join(stale, "\n  "))
	}
}

// TestOpenAPIDocumentIsValid checks the document's shape: OpenAPI 3.1,
// info, every $ref resolving, operation IDs, path parameters, responses
// and security schemes.
func TestOpenAPIDocumentIsValid(t *testing.T) {
	e := newEnv(t)
	doc := openAPI(t, e)
	if doc["openapi"] != "3.1.0" {
		t.Errorf("openapi = %v, want 3.1.0", doc["openapi"])
	}
	info, _ := doc["info"].(map[string]any)
	for _, k := range []string{"title", "version"} {
		if s, _ := info[k].(string); s == "" {
			t.Errorf("info.%s is missing", k)
		}
	}

	// Every $ref resolves.
	var refs int
	walkJSON(doc, "#", func(at string, node map[string]any) {
		ref, ok := node["$ref"].(string)
		if !ok {
			return
		}
		refs++
		if _, err := resolvePointer(doc, ref); err != nil {
			t.Errorf("%s: $ref %q: %v", at, ref, err)
		}
	})
	if refs == 0 {
		t.Error("the document has no $ref at all")
	}

	schemes, _ := doc["components"].(map[string]any)["securitySchemes"].(map[string]any)
	ids := map[string]string{}
	for key, op := range operations(doc) {
		id, _ := op["operationId"].(string)
		if id == "" {
			t.Errorf("%s: no operationId", key)
		} else if prev, dup := ids[id]; dup {
			t.Errorf("%s and %s share operationId %s", prev, key, id)
		}
		ids[id] = key
		if s, _ := op["summary"].(string); s == "" {
			t.Errorf("%s: no summary", key)
		}
		if tags, _ := op["tags"].([]any); len(tags) == 0 {
			t.Errorf("%s: no tags", key)
		}

		// Path parameters: exactly those of the template, required.
		_, path, _ := strings.Cut(key, " ")
		want := map[string]bool{}
		for _, m := range regexp.MustCompile(`\{([^}]+)\}`).FindAllStringSubmatch(path, -1) {
			want[m[1]] = true
		}
		for _, p := range asList(op["parameters"]) {
			p := resolve(t, doc, p)
			if p["in"] != "path" {
				continue
			}
			name, _ := p["name"].(string)
			if !want[name] {
				t.Errorf("%s: path parameter %q is not in the path", key, name)
			}
			if p["required"] != true {
				t.Errorf("%s: path parameter %q must be required", key, name)
			}
			delete(want, name)
		}
		for name := range want {
			t.Errorf("%s: path parameter {%s} is not declared", key, name)
		}

		responses, _ := op["responses"].(map[string]any)
		success := false
		for code, r := range responses {
			if code != "default" {
				n, err := strconv.Atoi(code)
				if err != nil || n < 100 || n > 599 {
					t.Errorf("%s: response key %q is not a status code", key, code)
				}
				success = success || n/100 == 2
			}
			if d, _ := resolve(t, doc, r)["description"].(string); d == "" {
				t.Errorf("%s: response %s has no description", key, code)
			}
		}
		if !success {
			t.Errorf("%s: no 2xx response", key)
		}

		for _, req := range asList(op["security"]) {
			for name := range req.(map[string]any) {
				if schemes[name] == nil {
					t.Errorf("%s: security scheme %q is not defined", key, name)
				}
			}
		}
	}
}

// TestOpenAPIAgreesWithMatrix checks the document against the
// authorization matrix: public routes need no credentials, the others a
// bearer token, and every status the matrix expects is a declared
// response.
func TestOpenAPIAgreesWithMatrix(t *testing.T) {
	e := newEnv(t)
	ops := operations(openAPI(t, e))
	for key, entry := range matrix {
		method, path, _ := strings.Cut(key, " ")
		op := ops[openAPIKey(method, path)]
		if op == nil {
			continue // TestOpenAPIDescribesEveryRoute reports it
		}
		security, declared := op["security"].([]any)
		if entry.publicOnly {
			if !declared || len(security) != 0 {
				t.Errorf("%s is public: its security must be [] (none), got %v", key, op["security"])
			}
		} else if !slices.ContainsFunc(security, func(s any) bool { _, ok := s.(map[string]any)["bearerAuth"]; return ok }) {
			t.Errorf("%s needs a bearer token: its security must name bearerAuth, got %v", key, op["security"])
		}
		responses := op["responses"].(map[string]any)
		for _, caller := range callers {
			if entry.publicOnly && caller != "anonymous" {
				continue
			}
			for _, target := range targets {
				if !entry.perTarget && target != "own" {
					continue
				}
				status := strconv.Itoa(entry.want(caller, target))
				if responses[status] == nil {
					t.Errorf("%s as %s on %s answers %s, which the document does not declare", key, caller, target, status)
				}
			}
		}
	}
}

// TestOpenAPIResponsesMatchSchemas sends real requests and checks each
// answer against the schema the document declares for its operation,
// status and Content-Type: every property returned is declared, every
// required one is there, and types, enums and formats hold.
func TestOpenAPIResponsesMatchSchemas(t *testing.T) {
	e := newEnv(t)
	doc := openAPI(t, e)
	ops := operations(doc)
	e.cast()
	emp, stranger := e.people["emp"].ID, e.people["stranger"].ID
	// Some records, so lists and optional fields are not all empty.
	e.must(http.StatusCreated, "POST", "/api/v1/me/completions", e.tokens["emp"], map[string]string{"course_code": "WRAP", "completed_on": "2026-10-01"})
	e.must(http.StatusCreated, "POST", "/api/v1/people/"+stranger+"/exemptions", e.tokens["hr"],
		map[string]string{"course_code": "PREVENT", "reason": "long-term sick leave", "until": "2027-03-31"})

	cases := []struct {
		op, path, caller string
		body             any
		status           int
	}{
		{"GET /api/v1/me", "/api/v1/me", "hr", nil, 200},
		{"GET /api/v1/me", "/api/v1/me", "emp", nil, 200},
		{"GET /api/v1/courses", "/api/v1/courses", "emp", nil, 200},
		{"GET /api/v1/courses/{code}", "/api/v1/courses/WRAP", "emp", nil, 200},
		{"POST /api/v1/people", "/api/v1/people", "hr", map[string]any{"employee_number": 7, "kind": "pilot"}, 422},
		{"POST /api/v1/people", "/api/v1/people", "hr", map[string]any{"employee_number": "EMP-NEW", "email": "new@example.gov.uk",
			"given_name": "New", "family_name": "Starter", "kind": "staff", "start_date": "2026-10-19", "manager_employee_number": "EMP-mgra"}, 201},
		{"GET /api/v1/me", "/api/v1/me", "", nil, 401},
		{"GET /api/v1/people/{id}", "/api/v1/people/" + stranger, "emp", nil, 404},
		{"GET /api/v1/outbox", "/api/v1/outbox", "emp", nil, 403},
		{"GET /api/v1/people", "/api/v1/people?limit=3", "hr", nil, 200},
		{"GET /api/v1/people/{id}/training", "/api/v1/people/" + emp + "/training", "mgra", nil, 200},
		{"GET /api/v1/me/training", "/api/v1/me/training", "emp", nil, 200},
		{"GET /api/v1/people/{id}/completions", "/api/v1/people/" + emp + "/completions", "hr", nil, 200},
		{"GET /api/v1/people/{id}/exemptions", "/api/v1/people/" + stranger + "/exemptions", "hr", nil, 200},
		{"GET /api/v1/team", "/api/v1/team", "mgra", nil, 200},
		{"GET /api/v1/flags", "/api/v1/flags", "hr", nil, 200},
		{"GET /api/v1/reports/compliance", "/api/v1/reports/compliance?course_code=PREVENT", "hr", nil, 200},
		{"GET /api/v1/outbox", "/api/v1/outbox", "hr", nil, 200},
		{"GET /api/v1/audit", "/api/v1/audit?limit=20", "hr", nil, 200},
		{"POST /api/v1/people/import", "/api/v1/people/import?dry_run=true", "hr",
			csvBody("employee_number,email,given_name,family_name,kind,start_date\nX1,x1@example.gov.uk,Xan,Ex,staff,2026-01-05\nX2,bad,,,pilot,2026-13-01\n"), 200},
		{"POST /api/v1/auth/login", "/api/v1/auth/login", "", map[string]string{"email": adminEmail, "password": adminPassword}, 200},
		{"GET /.well-known/jwks.json", "/.well-known/jwks.json", "", nil, 200},
		{"GET /healthz", "/healthz", "", nil, 200},
	}
	for _, c := range cases {
		t.Run(fmt.Sprintf("%s %d as %s", c.op, c.status, c.caller), func(t *testing.T) {
			op := ops[c.op]
			if op == nil {
				t.Fatalf("%s is not in the document", c.op)
			}
			method, _, _ := strings.Cut(c.op, " ")
			r := e.must(c.status, method, c.path, e.tokens[c.caller], c.body)
			declared, ok := op["responses"].(map[string]any)[strconv.Itoa(c.status)]
			if !ok {
				t.Fatalf("status %d is not declared for %s", c.status, c.op)
			}
			mt, _, _ := mime.ParseMediaType(r.Header.Get("Content-Type"))
			content, _ := resolve(t, doc, declared)["content"].(map[string]any)
			media, ok := content[mt].(map[string]any)
			if !ok {
				t.Fatalf("Content-Type %s is not declared for %s %d (declared: %v)", mt, c.op, c.status, keys(content))
			}
			var body any
			if err := json.Unmarshal(r.Body, &body); err != nil {
				t.Fatalf("body is not JSON: %v", err)
			}
			sc := &schemaCheck{doc: doc}
			for _, p := range sc.check(body, media["schema"], "body") {
				t.Error(p)
			}
		})
	}

	// The check is not vacuous: a field the schema does not declare, a
	// missing required one and a wrong enum value are all caught.
	me := e.must(http.StatusOK, "GET", "/api/v1/me", e.tokens["emp"], nil).json(t)
	me["nickname"] = "Em"
	delete(me, "email")
	me["kind"] = "pilot"
	schema := operations(doc)["GET /api/v1/me"]["responses"].(map[string]any)["200"].(map[string]any)["content"].(map[string]any)["application/json"].(map[string]any)["schema"]
	problems := strings.Join((&schemaCheck{doc: doc}).check(me, schema, "body"), "\n")
	for _, want := range []string{"body.nickname", "body.email", "body.kind"} {
		if !strings.Contains(problems, want) {
			t.Errorf("the schema check missed %s; it said:\n%s", want, problems)
		}
	}
}

// ---- helpers ----

func keys(m map[string]any) []string {
	out := make([]string, 0, len(m))
	for k := range m {
		out = append(out, k)
	}
	sort.Strings(out)
	return out
}

func asList(v any) []any {
	l, _ := v.([]any)
	return l
}

// walkJSON calls fn on every object in v, with its JSON pointer.
func walkJSON(v any, at string, fn func(at string, node map[string]any)) {
	switch v := v.(type) {
	case map[string]any:
		fn(at, v)
		for k, c := range v {
			walkJSON(c, at+"/"+strings.NewReplacer("~", "~0", "/", "~1").Replace(k), fn)
		}
	case []any:
		for i, c := range v {
			walkJSON(c, at+"/"+strconv.Itoa(i), fn)
		}
	}
}

// resolvePointer follows a local reference such as #/components/schemas/Person.
func resolvePointer(doc map[string]any, ref string) (any, error) {
	rest, ok := strings.CutPrefix(ref, "#/")
	if !ok {
		return nil, fmt.Errorf("not a local reference")
	}
	var cur any = doc
	for _, tok := range strings.Split(rest, "/") {
		tok = strings.NewReplacer("~1", "/", "~0", "~").Replace(tok)
		m, ok := cur.(map[string]any)
		if !ok {
			return nil, fmt.Errorf("%q is not inside an object", tok)
		}
		if cur, ok = m[tok]; !ok {
			return nil, fmt.Errorf("%q does not exist", tok)
		}
	}
	return cur, nil
}

// resolve follows $ref until an object without one.
func resolve(t *testing.T, doc map[string]any, v any) map[string]any {
	t.Helper()
	for range 20 {
		m, ok := v.(map[string]any)
		if !ok {
			t.Fatalf("expected an object, got %T", v)
		}
		ref, ok := m["$ref"].(string)
		if !ok {
			return m
		}
		if v, _ = resolvePointer(doc, ref); v == nil {
			t.Fatalf("$ref %s does not resolve", ref)
		}
	}
	t.Fatal("$ref loop")
	return nil
}

// schemaCheck validates JSON values against the document's schemas: the
// parts of JSON Schema the document uses ($ref, type, enum, format,
// properties, required, additionalProperties, items, anyOf, oneOf, allOf).
type schemaCheck struct{ doc map[string]any }

func (c *schemaCheck) check(v any, schema any, at string) []string {
	s, ok := schema.(map[string]any)
	if !ok {
		return []string{fmt.Sprintf("%s: schema is %T, not an object", at, schema)}
	}
	if ref, ok := s["$ref"].(string); ok {
		target, err := resolvePointer(c.doc, ref)
		if err != nil {
			return []string{fmt.Sprintf("%s: $ref %s: %v", at, ref, err)}
		}
		return c.check(v, target, at)
	}
	var out []string
	for _, sub := range asList(s["allOf"]) {
		out = append(out, c.check(v, sub, at)...)
	}
	for _, key := range []string{"anyOf", "oneOf"} {
		alts := asList(s[key])
		if len(alts) == 0 {
			continue
		}
		var all []string
		matched := false
		for _, alt := range alts {
			p := c.check(v, alt, at)
			matched = matched || len(p) == 0
			all = append(all, p...)
		}
		if !matched {
			out = append(out, fmt.Sprintf("%s matches none of %s: %s", at, key, strings.Join(all, "; ")))
		}
	}
	if types := typeList(s["type"]); len(types) > 0 {
		got := jsonType(v)
		if !slices.Contains(types, got) && !(got == "integer" && slices.Contains(types, "number")) {
			return append(out, fmt.Sprintf("%s is %s (%v), schema says %v", at, got, v, types))
		}
	}
	if enum, ok := s["enum"].([]any); ok && !slices.ContainsFunc(enum, func(e any) bool { return reflect.DeepEqual(e, v) }) {
		out = append(out, fmt.Sprintf("%s = %v is not one of %v", at, v, enum))
	}
	if str, ok := v.(string); ok {
		switch s["format"] {
		case "date":
			if _, err := time.Parse(time.DateOnly, str); err != nil {
				out = append(out, fmt.Sprintf("%s = %q is not a date", at, str))
			}
		case "date-time":
			if _, err := time.Parse(time.RFC3339, str); err != nil {
				out = append(out, fmt.Sprintf("%s = %q is not an RFC 3339 instant", at, str))
			}
		}
	}
	switch v := v.(type) {
	case map[string]any:
		props, _ := s["properties"].(map[string]any)
		for _, name := range keys(v) {
			if ps, ok := props[name]; ok {
				out = append(out, c.check(v[name], ps, at+"."+name)...)
				continue
			}
			switch ap := s["additionalProperties"].(type) {
			case map[string]any:
				out = append(out, c.check(v[name], ap, at+"."+name)...)
			case nil:
				if props != nil {
					out = append(out, fmt.Sprintf("%s.%s is returned but not declared in the schema", at, name))
				}
			default: // false
				out = append(out, fmt.Sprintf("%s.%s is returned but not declared in the schema", at, name))
			}
		}
		for _, r := range asList(s["required"]) {
			if _, ok := v[r.(string)]; !ok {
				out = append(out, fmt.Sprintf("%s.%s is required by the schema but missing", at, r))
			}
		}
	case []any:
		if items, ok := s["items"]; ok {
			for i, it := range v {
				out = append(out, c.check(it, items, fmt.Sprintf("%s[%d]", at, i))...)
			}
		}
	}
	return out
}

func typeList(v any) []string {
	switch v := v.(type) {
	case string:
		return []string{v}
	case []any:
		out := make([]string, 0, len(v))
		for _, t := range v {
			out = append(out, t.(string))
		}
		return out
	}
	return nil
}

func jsonType(v any) string {
	switch v := v.(type) {
	case nil:
		return "null"
	case bool:
		return "boolean"
	case float64:
		if v == float64(int64(v)) {
			return "integer"
		}
		return "number"
	case string:
		return "string"
	case []any:
		return "array"
	case map[string]any:
		return "object"
	}
	return fmt.Sprintf("%T", v)
}

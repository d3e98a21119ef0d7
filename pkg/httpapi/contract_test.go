package httpapi_test

import (
	"bytes"
	"net/http"
	"slices"
	"strings"
	"testing"
)

// TestAuthenticatedResponsesAreNotCached: anything answered to a signed-in
// caller, or carrying tokens, must not be kept by a browser or a proxy.
func TestAuthenticatedResponsesAreNotCached(t *testing.T) {
	e := newEnv(t)
	e.cast()
	hr := e.tokens["hr"]
	login := e.must(http.StatusOK, "POST", "/api/v1/auth/login", "", map[string]string{"email": adminEmail, "password": adminPassword})
	refresh, _ := login.json(t)["refresh_token"].(string)

	newcomer := e.addPerson("newcomer", "", nil)
	e.must(http.StatusAccepted, "POST", "/api/v1/people/"+newcomer.ID+"/invite", hr, nil)
	invite := e.inviteToken(newcomer.Email)

	for _, tc := range []struct {
		name         string
		method, path string
		token        string
		body         any
		status       int
	}{
		{"login", "POST", "/api/v1/auth/login", "", map[string]string{"email": adminEmail, "password": adminPassword}, 200},
		{"refresh", "POST", "/api/v1/auth/refresh", "", map[string]string{"refresh_token": refresh}, 200},
		{"accept invite", "POST", "/api/v1/auth/accept-invite", "", map[string]string{"token": invite, "password": castPassword}, 200},
		{"me", "GET", "/api/v1/me", hr, nil, 200},
		{"a person", "GET", "/api/v1/people/" + e.people["emp"].ID, hr, nil, 200},
		{"a list", "GET", "/api/v1/people", hr, nil, 200},
		{"courses", "GET", "/api/v1/courses", e.tokens["emp"], nil, 200},
		{"report", "GET", "/api/v1/reports/compliance?course_code=PREVENT", hr, nil, 200},
		{"report as CSV", "GET", "/api/v1/reports/compliance?course_code=PREVENT&format=csv", hr, nil, 200},
		{"a write", "PATCH", "/api/v1/people/" + e.people["emp"].ID, hr, map[string]string{"job_title": "Senior Officer"}, 200},
		{"not found", "GET", "/api/v1/people/nobody", hr, nil, 404},
		{"forbidden", "GET", "/api/v1/outbox", e.tokens["emp"], nil, 403},
		{"invalid", "POST", "/api/v1/people", hr, map[string]string{}, 422},
		{"no token", "GET", "/api/v1/me", "", nil, 401},
	} {
		t.Run(tc.name, func(t *testing.T) {
			r := e.do(tc.method, tc.path, tc.token, tc.body)
			if r.Status != tc.status {
				t.Fatalf("status %d, want %d: %s", r.Status, tc.status, r.Body)
			}
			if got := r.Header.Get("Cache-Control"); got != "no-store" {
				t.Errorf("Cache-Control %q, want no-store", got)
			}
		})
	}
}

// TestJSONBodiesMustBeValidUTF8: encoding/json would quietly store U+FFFD
// in place of bytes that are not UTF-8, or of an unpaired surrogate
// escape; they are refused instead, naming the field.
func TestJSONBodiesMustBeValidUTF8(t *testing.T) {
	e := newEnv(t)
	e.cast()
	hr := e.tokens["hr"]
	emp := e.people["emp"]
	person := func(givenName string) []byte {
		return []byte(`{"employee_number":"EMP-UTF","email":"utf@example.gov.uk","given_name":"` + givenName +
			`","family_name":"Tester","kind":"staff","start_date":"2024-04-01"}`)
	}
	for _, tc := range []struct {
		name, method, path string
		body               []byte
		field              string
	}{
		{"invalid byte", "POST", "/api/v1/people", person("Ann\xffe"), "given_name"},
		{"truncated sequence", "POST", "/api/v1/people", person("Ann\xc3"), "given_name"},
		{"overlong encoding", "POST", "/api/v1/people", person("Ann\xc0\xafe"), "given_name"},
		{"encoded surrogate", "POST", "/api/v1/people", person("Ann\xed\xa0\x80"), "given_name"},
		{"lone high surrogate escape", "POST", "/api/v1/people", person(`Ann\ud800`), "given_name"},
		{"lone low surrogate escape", "POST", "/api/v1/people", person(`\udc00Ann`), "given_name"},
		{"reversed surrogate pair", "POST", "/api/v1/people", person(`\udc00\ud800`), "given_name"},
		{"in a patch", "PATCH", "/api/v1/people/" + emp.ID, []byte(`{"job_title":"Officer\ud83d"}`), "job_title"},
		{"in a list", "PUT", "/api/v1/people/" + emp.ID + "/roles", []byte("{\"roles\":[\"hr\",\"\xfe\"]}"), "roles"},
		{"in a nested object", "POST", "/api/v1/courses", []byte(`{"code":"UTF","title":"T","applies_to":{"kinds":["staff"],"departments":["H` + "\xff" + `ousing"]},"effective_from":"2020-01-01"}`), "applies_to.departments"},
		{"in a reason", "POST", "/api/v1/completions/anything/reject", []byte(`{"reason":"\udfff"}`), "reason"},
	} {
		t.Run(tc.name, func(t *testing.T) {
			before := e.written(emp.ID)
			r := e.send(tc.method, tc.path, hr, "application/json", tc.body)
			wantProblem(t, r, http.StatusUnprocessableEntity, tc.field)
			e.wantUnchanged(before, emp.ID)
		})
	}
	// The controls: real non-ASCII text and a proper surrogate pair are kept as sent.
	r := e.send("POST", "/api/v1/people", hr, "application/json", person(`Zoë \ud83d\ude00`))
	if r.Status != http.StatusCreated {
		t.Fatalf("valid UTF-8 refused: %d %s", r.Status, r.Body)
	}
	if got := r.json(t)["given_name"]; got != "Zoë 😀" {
		t.Errorf("given_name stored as %q", got)
	}
}

// TestRolesBodyMustListRoles: an empty list takes every granted role away,
// so it must be said; a body without the list is a mistake, not a request
// to remove them.
func TestRolesBodyMustListRoles(t *testing.T) {
	e := newEnv(t)
	e.cast()
	hr := e.tokens["hr"]
	path := "/api/v1/people/" + e.people["auditor"].ID + "/roles"
	for _, body := range []string{`{}`, `{"roles":null}`, `null`, `[]`, `"roles"`} {
		t.Run(body, func(t *testing.T) {
			wantProblem(t, e.send("PUT", path, hr, "application/json", []byte(body)), http.StatusUnprocessableEntity)
			me := e.must(http.StatusOK, "GET", "/api/v1/me", e.tokens["auditor"], nil).json(t)
			if !slices.Contains(asList(me["roles"]), any("auditor")) {
				t.Errorf("the auditor lost the role: %v", me["roles"])
			}
		})
	}
	// The control: an explicit empty list removes the role.
	e.must(http.StatusOK, "PUT", path, hr, map[string]any{"roles": []string{}})
}

// TestPatchBodyMustBeAnObject: a PATCH body of null (or any non-object)
// is refused rather than read as "change nothing".
func TestPatchBodyMustBeAnObject(t *testing.T) {
	e := newEnv(t)
	e.cast()
	hr := e.tokens["hr"]
	for _, path := range []string{"/api/v1/people/" + e.people["emp"].ID, "/api/v1/courses/PREVENT"} {
		for _, body := range []string{`null`, `[]`, `"x"`, `1`, `true`} {
			t.Run(path+" "+body, func(t *testing.T) {
				wantProblem(t, e.send("PATCH", path, hr, "application/json", []byte(body)), http.StatusUnprocessableEntity, "body")
			})
		}
	}
	// The control: an empty object changes nothing and is fine.
	e.must(http.StatusOK, "PATCH", "/api/v1/people/"+e.people["emp"].ID, hr, map[string]any{})
}

// TestEnumQueryParametersAreEnforced: every query parameter the document
// restricts to a list of values refuses any other, naming the parameter.
func TestEnumQueryParametersAreEnforced(t *testing.T) {
	e := newEnv(t)
	e.cast()
	doc := openAPI(t, e)
	checked := 0
	for key, op := range operations(doc) {
		method, path, _ := strings.Cut(key, " ")
		if strings.Contains(path, "{") {
			continue
		}
		for _, p := range asList(op["parameters"]) {
			param := resolve(t, doc, p)
			schema := resolve(t, doc, param["schema"])
			if param["in"] != "query" || schema["enum"] == nil {
				continue
			}
			name := param["name"].(string)
			checked++
			t.Run(key+" "+name, func(t *testing.T) {
				query := "?" + name + "=abc"
				if path == "/api/v1/reports/compliance" {
					query += "&course_code=PREVENT"
				}
				wantProblem(t, e.do(method, path+query, e.tokens["hr"], nil), http.StatusUnprocessableEntity, name)
				// Each listed value is accepted.
				for _, v := range asList(schema["enum"]) {
					q := strings.Replace(query, "=abc", "="+v.(string), 1)
					if r := e.do(method, path+q, e.tokens["hr"], nil); r.Status != http.StatusOK {
						t.Errorf("%s=%s: status %d: %s", name, v, r.Status, r.Body)
					}
				}
			})
		}
	}
	if checked < 6 {
		t.Errorf("only %d enum query parameters in the document; expected flags kind, people and team status, report group_by and format, outbox kind", checked)
	}
}

// TestTrailingSlashIsNotRedirected: an API address with a slash too many
// is a problem+json 404, never an HTML redirect.
func TestTrailingSlashIsNotRedirected(t *testing.T) {
	e := newEnv(t)
	for _, tc := range []struct{ method, path string }{
		{"GET", "/api/v1/me/"},
		{"GET", "/api/v1/people/"},
		{"POST", "/api/v1/people/"},
		{"POST", "/api/v1/auth/login/"},
		{"GET", "/api/v1/courses/PREVENT/"},
		{"GET", "/api/v1//me"},
		{"GET", "/openapi.json/"},
	} {
		t.Run(tc.method+" "+tc.path, func(t *testing.T) {
			r := e.do(tc.method, tc.path, e.tokens["hr"], nil)
			wantProblem(t, r, http.StatusNotFound)
			if loc := r.Header.Get("Location"); loc != "" {
				t.Errorf("Location %q", loc)
			}
		})
	}
	// A web page address keeps the redirect people expect, but never to
	// another site.
	for _, tc := range []struct{ path, location string }{
		{"/sign-in/", "/sign-in"},
		{"/sign-in/?next=%2Fteam", "/sign-in?next=%2Fteam"},
		{"//evil.example/", ""},
		{"/no-such-page/", ""},
	} {
		t.Run("page "+tc.path, func(t *testing.T) {
			r := e.do("GET", tc.path, "", nil)
			if tc.location == "" {
				if r.Status != http.StatusNotFound || r.Header.Get("Location") != "" {
					t.Errorf("status %d, Location %q, want a 404", r.Status, r.Header.Get("Location"))
				}
				return
			}
			if r.Status != http.StatusMovedPermanently || r.Header.Get("Location") != tc.location {
				t.Errorf("status %d, Location %q, want 301 to %s", r.Status, r.Header.Get("Location"), tc.location)
			}
		})
	}
}

// TestMethodNotAllowedNamesAllowedMethods: 405 says, in Allow, what the
// address does accept, including addresses that share a shape with a
// parameterised one (/people/import beside /people/{id}).
func TestMethodNotAllowedNamesAllowedMethods(t *testing.T) {
	e := newEnv(t)
	for _, tc := range []struct {
		method, path string
		allow        []string
	}{
		{"GET", "/api/v1/people/import", []string{"POST"}},
		{"PATCH", "/api/v1/people/import", []string{"POST"}},
		{"DELETE", "/api/v1/me", []string{"GET"}},
		{"PUT", "/api/v1/people", []string{"GET", "POST"}},
		{"GET", "/api/v1/auth/login", []string{"POST"}},
		{"DELETE", "/api/v1/people/someone", []string{"GET", "PATCH"}},
	} {
		t.Run(tc.method+" "+tc.path, func(t *testing.T) {
			r := e.do(tc.method, tc.path, e.tokens["hr"], nil)
			wantProblem(t, r, http.StatusMethodNotAllowed)
			var got []string
			for _, m := range strings.Split(r.Header.Get("Allow"), ",") {
				if m = strings.TrimSpace(m); m != "" {
					got = append(got, m)
				}
			}
			slices.Sort(got)
			if !slices.Equal(got, tc.allow) {
				t.Errorf("Allow %q, want %v", r.Header.Get("Allow"), tc.allow)
			}
		})
	}
}

// TestTruncatedMultipartIsABadRequest: a form cut off in the middle (a
// dropped connection, a broken client) is the client's fault: 400, not 500.
func TestTruncatedMultipartIsABadRequest(t *testing.T) {
	e := newEnv(t)
	e.cast()
	ct, whole := multipartBody(t, formField("course_code", "PREVENT"), formField("completed_on", "2026-10-01"),
		certFile("cert.pdf", "application/pdf", tinyPDF("truncated")))
	cert := bytes.Index(whole, []byte("%PDF"))
	// WRAP needs no certificate: a form cut off after its last field
	// would look complete but for the closing boundary.
	fieldsCT, fields := multipartBody(t, formField("course_code", "WRAP"), formField("completed_on", "2026-10-01"))
	for _, tc := range []struct {
		name string
		ct   string
		body []byte
	}{
		{"inside the certificate", ct, whole[:cert+20]},
		{"inside a field", ct, whole[:bytes.Index(whole, []byte("PREVENT"))+3]},
		{"before the closing boundary", ct, whole[:len(whole)-10]},
		{"inside a part header", ct, whole[:bytes.Index(whole, []byte("Content-Disposition"))+10]},
		{"inside the closing boundary after the last field", fieldsCT, fields[:len(fields)-20]},
		{"without the closing boundary", fieldsCT, fields[:bytes.LastIndex(fields, []byte("\r\n--"))]},
	} {
		t.Run(tc.name, func(t *testing.T) {
			before := e.written(e.people["emp"].ID)
			r := e.send("POST", "/api/v1/me/completions", e.tokens["emp"], tc.ct, tc.body)
			wantProblem(t, r, http.StatusBadRequest)
			e.wantUnchanged(before, e.people["emp"].ID)
		})
	}
	// Wherever the form is cut before its closing delimiter ends, nothing
	// is recorded.
	end := bytes.LastIndex(whole, []byte("--\r\n"))
	for cut := 0; cut < end; cut += 7 {
		if r := e.send("POST", "/api/v1/me/completions", e.tokens["emp"], ct, whole[:cut]); r.Status != http.StatusBadRequest {
			t.Errorf("cut at %d of %d: status %d, want 400: %s", cut, len(whole), r.Status, r.Body)
		}
	}
	// The control: the whole form is recorded.
	if r := e.send("POST", "/api/v1/me/completions", e.tokens["emp"], ct, whole); r.Status != http.StatusCreated {
		t.Errorf("the whole form: status %d: %s", r.Status, r.Body)
	}
}

package httpapi_test

import "testing"

// What the API says about a request it cannot read is a whole sentence
// that names the field in words and says what to send, exactly as the
// pages would show it: never a fragment such as "must be a JSON object"
// that only makes sense after the field's name.
func TestRequestProblemsAreSentences(t *testing.T) {
	e := newEnv(t)
	e.cast()
	hr := e.tokens["hr"]
	certCT, certForm := multipartBody(t, formField("course_code", "PREVENT"), formField("colour", "blue"))
	tests := []struct {
		name          string
		method, path  string
		token, ct     string
		body          string
		status        int
		field, wanted string
	}{
		{"an array", "POST", "/api/v1/people", hr, "application/json", `[]`, 422,
			"body", "The request body must be a JSON object."},
		{"two objects", "POST", "/api/v1/people", hr, "application/json", `{} {}`, 422,
			"body", "The request body must hold one JSON object and nothing after it."},
		{"an empty body", "POST", "/api/v1/people", hr, "application/json", ``, 422,
			"body", "The request body is empty: send a JSON object."},
		{"cut-off JSON", "POST", "/api/v1/people", hr, "application/json", `{"given_name":`, 422,
			"body", "The request body is not valid JSON."},
		{"a number for a name", "POST", "/api/v1/people", hr, "application/json", `{"given_name": 5}`, 422,
			"given_name", "The first name must be a string."},
		{"an unknown field", "POST", "/api/v1/people", hr, "application/json", `{"salary": 5}`, 422,
			"salary", `Remove the field "salary": this request does not have it.`},
		{"a limit out of range", "GET", "/api/v1/people?limit=0", hr, "", ``, 422,
			"limit", "The limit must be a whole number from 1 to 500."},
		{"a made-up cursor", "GET", "/api/v1/outbox?cursor=abc", hr, "", ``, 422,
			"cursor", "The cursor is not one this server gave out: start again from the first page."},
		{"a sign-in without an email address", "POST", "/api/v1/auth/login", "", "application/json", `{"email": " ", "password": "x"}`, 422,
			"email", "Enter your email address."},
		{"a course code changed", "PATCH", "/api/v1/courses/PREVENT", hr, "application/json", `{"code": "PREV"}`, 422,
			"code", "The course code cannot be changed: create a new course instead."},
		{"an unknown form field", "POST", "/api/v1/me/completions", e.tokens["emp"], certCT, string(certForm), 422,
			"colour", `Remove the field "colour": this form does not have it.`},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			p := wantProblem(t, e.send(tt.method, tt.path, tt.token, tt.ct, []byte(tt.body)), tt.status, tt.field)
			if len(p.Errors) != 1 || p.Errors[0].Message != tt.wanted {
				t.Errorf("errors %+v, want %s: %q", p.Errors, tt.field, tt.wanted)
			}
		})
	}
}

package httpapi_test

// HTTP tests for every journey of issue 4 (training records API), against
// the real router and the embedded engine: HR onboards people, imports a
// CSV, employees self-certify with evidence, bad input is refused with a
// problem per field and nothing written, verification, exemptions, the
// team view, reports (including "as of" a past day agreeing with what the
// status pages said that day) and the audit trail.

import (
	"bytes"
	"crypto/sha256"
	"encoding/csv"
	"encoding/hex"
	"encoding/json"
	"fmt"
	"image"
	"image/color"
	"image/jpeg"
	"image/png"
	"math"
	"mime/multipart"
	"net/http"
	"net/http/httptest"
	"net/textproto"
	"net/url"
	"slices"
	"sort"
	"strings"
	"testing"
	"time"
)

// ---------------------------------------------------------------------------
// Response shapes, decoded with the field names the API promises (its
// OpenAPI document, GET /openapi.json).

type jPerson struct {
	ID                    string    `json:"id"`
	EmployeeNumber        string    `json:"employee_number"`
	Email                 string    `json:"email"`
	GivenName             string    `json:"given_name"`
	FamilyName            string    `json:"family_name"`
	Kind                  string    `json:"kind"`
	JobTitle              string    `json:"job_title"`
	Department            string    `json:"department"`
	ManagerID             string    `json:"manager_id"`
	ManagerEmployeeNumber string    `json:"manager_employee_number"`
	StartDate             string    `json:"start_date"`
	EndDate               string    `json:"end_date"`
	UpdatedAt             time.Time `json:"updated_at"`
}

type jPeople struct {
	Items      []jPerson `json:"items"`
	NextCursor string    `json:"next_cursor"`
}

type jItem struct {
	CourseCode        string `json:"course_code"`
	Status            string `json:"status"`
	DueOn             string `json:"due_on"`
	ExpiresOn         string `json:"expires_on"`
	LastCompletedOn   string `json:"last_completed_on"`
	PendingCompletion bool   `json:"pending_completion"`
	ExemptUntil       string `json:"exempt_until"`
	ExemptionReason   string `json:"exemption_reason"`
	Explanation       string `json:"explanation"`
}

type jTraining struct {
	Items []jItem `json:"items"`
}

type jDecision struct {
	By     string `json:"by"`
	Reason string `json:"reason"`
}

type jCompletion struct {
	ID                  string     `json:"id"`
	PersonID            string     `json:"person_id"`
	CourseCode          string     `json:"course_code"`
	CompletedOn         string     `json:"completed_on"`
	Source              string     `json:"source"`
	State               string     `json:"state"`
	CertificateRef      string     `json:"certificate_ref"`
	CertificateSHA256   string     `json:"certificate_sha256"`
	CertificateFilename string     `json:"certificate_filename"`
	Review              *jDecision `json:"review"`
	Revocation          *jDecision `json:"revocation"`
}

type jFieldError struct {
	Field   string `json:"field"`
	Message string `json:"message"`
}

type jProblem struct {
	Type   string        `json:"type"`
	Title  string        `json:"title"`
	Status int           `json:"status"`
	Detail string        `json:"detail"`
	Errors []jFieldError `json:"errors"`
}

type jAudit struct {
	ID       string          `json:"id"`
	At       time.Time       `json:"at"`
	Actor    string          `json:"actor"`
	Action   string          `json:"action"`
	Entity   string          `json:"entity"`
	EntityID string          `json:"entity_id"`
	Before   json.RawMessage `json:"before"`
	After    json.RawMessage `json:"after"`
}

type jFlag struct {
	PersonID       string `json:"person_id"`
	EmployeeNumber string `json:"employee_number"`
	CourseCode     string `json:"course_code"`
	Kind           string `json:"kind"`
	DueOn          string `json:"due_on"`
}

type jCounts struct {
	Applicable    int     `json:"applicable"`
	Exempt        int     `json:"exempt"`
	Compliant     int     `json:"compliant"`
	Expiring      int     `json:"expiring"`
	Due           int     `json:"due"`
	Overdue       int     `json:"overdue"`
	Expired       int     `json:"expired"`
	CompliancePct float64 `json:"compliance_pct"`
}

type jGroup struct {
	Key string `json:"key"`
	jCounts
}

type jReport struct {
	AsOf       string   `json:"as_of"`
	CourseCode string   `json:"course_code"`
	Totals     jCounts  `json:"totals"`
	Groups     []jGroup `json:"groups"`
}

type jImport struct {
	DryRun    bool `json:"dry_run"`
	Created   int  `json:"created"`
	Updated   int  `json:"updated"`
	Unchanged int  `json:"unchanged"`
	Errors    []struct {
		Line    int    `json:"line"`
		Field   string `json:"field"`
		Message string `json:"message"`
	} `json:"errors"`
}

type jTeamMember struct {
	jPerson
	Training []jItem `json:"training"`
}

type jTeam struct {
	Items      []jTeamMember `json:"items"`
	NextCursor string        `json:"next_cursor"`
}

// ---------------------------------------------------------------------------
// Helpers (the env harness is in env_test.go).

// decode unmarshals a JSON response into a T, failing the test otherwise.
func decode[T any](t *testing.T, r response) T {
	t.Helper()
	var v T
	if err := json.Unmarshal(r.Body, &v); err != nil {
		t.Fatalf("cannot decode %T: %v\n%s", v, err, r.Body)
	}
	return v
}

// send is do with a chosen Content-Type and extra headers ("Name", "value", ...).
func (e *env) send(method, path, token, contentType string, body []byte, headers ...string) response {
	e.t.Helper()
	req := httptest.NewRequest(method, path, bytes.NewReader(body))
	if contentType != "" {
		req.Header.Set("Content-Type", contentType)
	}
	if token != "" {
		req.Header.Set("Authorization", "Bearer "+token)
	}
	for i := 0; i+1 < len(headers); i += 2 {
		req.Header.Set(headers[i], headers[i+1])
	}
	req.RemoteAddr = "192.0.2.10:40000"
	w := httptest.NewRecorder()
	e.router.ServeHTTP(w, req)
	return response{Status: w.Code, Header: w.Header(), Body: w.Body.Bytes()}
}

// formPart is one part of a multipart/form-data body: a field, or a file
// when filename is set.
type formPart struct {
	name, filename, contentType string
	data                        []byte
}

func formField(name, value string) formPart { return formPart{name: name, data: []byte(value)} }

func certFile(filename, contentType string, data []byte) formPart {
	return formPart{name: "certificate", filename: filename, contentType: contentType, data: data}
}

// multipartBody builds a form and returns its Content-Type and bytes.
func multipartBody(t *testing.T, parts ...formPart) (string, []byte) {
	t.Helper()
	var buf bytes.Buffer
	w := multipart.NewWriter(&buf)
	for _, p := range parts {
		h := textproto.MIMEHeader{}
		if p.filename != "" {
			h.Set("Content-Disposition", fmt.Sprintf(`form-data; name=%q; filename=%q`, p.name, p.filename))
			h.Set("Content-Type", p.contentType)
		} else {
			h.Set("Content-Disposition", fmt.Sprintf(`form-data; name=%q`, p.name))
		}
		pw, err := w.CreatePart(h)
		if err != nil {
			t.Fatal(err)
		}
		if _, err := pw.Write(p.data); err != nil {
			t.Fatal(err)
		}
	}
	if err := w.Close(); err != nil {
		t.Fatal(err)
	}
	return w.FormDataContentType(), buf.Bytes()
}

// postForm sends a multipart completion.
func (e *env) postForm(path, token string, parts ...formPart) response {
	e.t.Helper()
	ct, body := multipartBody(e.t, parts...)
	return e.send("POST", path, token, ct, body)
}

// tinyPDF is a small PDF that passes pkg/evidence's checks; tag makes
// the bytes (and so the SHA-256) distinct.
func tinyPDF(tag string) []byte {
	return []byte("%PDF-1.4\n% " + tag + "\n1 0 obj\n<< /Type /Catalog /Pages 2 0 R >>\nendobj\n" +
		"2 0 obj\n<< /Type /Pages /Kids [] /Count 0 >>\nendobj\ntrailer\n<< /Root 1 0 R >>\n%%EOF\n")
}

// paddedPDF is a PDF of exactly size bytes (padding in a comment).
func paddedPDF(size int) []byte {
	head := []byte("%PDF-1.4\n%")
	tail := []byte("\ntrailer\n<< >>\n%%EOF\n")
	pad := bytes.Repeat([]byte("x"), size-len(head)-len(tail))
	return slices.Concat(head, pad, tail)
}

func tinyImage(seed uint8) image.Image {
	img := image.NewRGBA(image.Rect(0, 0, 4, 3))
	for x := range 4 {
		for y := range 3 {
			img.Set(x, y, color.RGBA{R: seed, G: uint8(x * 40), B: uint8(y * 60), A: 255})
		}
	}
	return img
}

func tinyPNG(t *testing.T, seed uint8) []byte {
	t.Helper()
	var buf bytes.Buffer
	if err := png.Encode(&buf, tinyImage(seed)); err != nil {
		t.Fatal(err)
	}
	return buf.Bytes()
}

func tinyJPEG(t *testing.T, seed uint8) []byte {
	t.Helper()
	var buf bytes.Buffer
	if err := jpeg.Encode(&buf, tinyImage(seed), &jpeg.Options{Quality: 80}); err != nil {
		t.Fatal(err)
	}
	return buf.Bytes()
}

func sha(b []byte) string {
	s := sha256.Sum256(b)
	return hex.EncodeToString(s[:])
}

// wantProblem checks that r is an RFC 9457 problem with this status and,
// for each named field, an error with a message about that field.
func wantProblem(t *testing.T, r response, status int, fields ...string) jProblem {
	t.Helper()
	if r.Status != status {
		t.Fatalf("status %d, want %d\n%s", r.Status, status, r.Body)
	}
	if ct := r.Header.Get("Content-Type"); !strings.HasPrefix(ct, "application/problem+json") {
		t.Errorf("Content-Type %q, want application/problem+json", ct)
	}
	p := decode[jProblem](t, r)
	if p.Status != status || p.Title == "" || p.Type == "" {
		t.Errorf("problem body lacks type/title/status: %+v", p)
	}
	for _, f := range fields {
		if !slices.ContainsFunc(p.Errors, func(fe jFieldError) bool { return fe.Field == f && strings.TrimSpace(fe.Message) != "" }) {
			t.Errorf("no error message for field %q; errors: %+v", f, p.Errors)
		}
	}
	return p
}

// hrID is the person ID of the first HR account.
func (e *env) hrID() string {
	e.t.Helper()
	p, err := e.app.Training.PersonByEmail(e.t.Context(), adminEmail)
	if err != nil {
		e.t.Fatal(err)
	}
	return p.ID
}

// signIn signs a cast member in again (access tokens last minutes, and
// some tests move the clock on by days).
func (e *env) signIn(name string) {
	e.t.Helper()
	if name == "hr" {
		e.tokens["hr"] = e.login(adminEmail, adminPassword)
		return
	}
	e.tokens[name] = e.login(e.people[name].Email, castPassword)
}

func (e *env) training(personID string) map[string]jItem {
	e.t.Helper()
	r := e.must(http.StatusOK, "GET", "/api/v1/people/"+personID+"/training", e.tokens["hr"], nil)
	return itemsByCourse(decode[jTraining](e.t, r).Items)
}

func (e *env) myTraining(name string) map[string]jItem {
	e.t.Helper()
	r := e.must(http.StatusOK, "GET", "/api/v1/me/training", e.tokens[name], nil)
	return itemsByCourse(decode[jTraining](e.t, r).Items)
}

func itemsByCourse(items []jItem) map[string]jItem {
	m := map[string]jItem{}
	for _, it := range items {
		m[it.CourseCode] = it
	}
	return m
}

func (e *env) getPerson(id string) jPerson {
	e.t.Helper()
	return decode[jPerson](e.t, e.must(http.StatusOK, "GET", "/api/v1/people/"+id, e.tokens["hr"], nil))
}

// listPeople follows every cursor of GET /people?query as HR.
func (e *env) listPeople(query string) []jPerson {
	e.t.Helper()
	var out []jPerson
	cursor := ""
	for range 100 {
		q := query
		if cursor != "" {
			q += "&cursor=" + url.QueryEscape(cursor)
		}
		page := decode[jPeople](e.t, e.must(http.StatusOK, "GET", "/api/v1/people?"+q, e.tokens["hr"], nil))
		out = append(out, page.Items...)
		if page.NextCursor == "" {
			return out
		}
		cursor = page.NextCursor
	}
	e.t.Fatal("people list never ends")
	return nil
}

func numbersOf(people []jPerson) []string {
	out := make([]string, 0, len(people))
	for _, p := range people {
		out = append(out, p.EmployeeNumber)
	}
	return out
}

func (e *env) completions(personID string) []jCompletion {
	e.t.Helper()
	r := e.must(http.StatusOK, "GET", "/api/v1/people/"+personID+"/completions", e.tokens["hr"], nil)
	return decode[struct{ Items []jCompletion }](e.t, r).Items
}

// audit returns every audit entry (optionally about one entity), newest first.
func (e *env) audit(entityID string) []jAudit {
	e.t.Helper()
	var out []jAudit
	cursor := ""
	for range 100 {
		q := "/api/v1/audit?limit=500&entity_id=" + url.QueryEscape(entityID)
		if cursor != "" {
			q += "&cursor=" + url.QueryEscape(cursor)
		}
		page := decode[struct {
			Items      []jAudit `json:"items"`
			NextCursor string   `json:"next_cursor"`
		}](e.t, e.must(http.StatusOK, "GET", q, e.tokens["hr"], nil))
		out = append(out, page.Items...)
		if page.NextCursor == "" {
			return out
		}
		cursor = page.NextCursor
	}
	e.t.Fatal("audit list never ends")
	return nil
}

// auditEntry finds the newest entry about entityID with this action.
func (e *env) auditEntry(entityID, action string) jAudit {
	e.t.Helper()
	entries := e.audit(entityID)
	for _, a := range entries {
		if a.Action == action {
			if a.EntityID != entityID {
				e.t.Errorf("audit ?entity_id=%s returned an entry about %s", entityID, a.EntityID)
			}
			return a
		}
	}
	actions := make([]string, len(entries))
	for i, a := range entries {
		actions[i] = a.Action
	}
	e.t.Fatalf("no %s audit entry for %s; entries: %v", action, entityID, actions)
	return jAudit{}
}

// fieldsOf decodes an audit before/after value.
func fieldsOf(t *testing.T, raw json.RawMessage) map[string]any {
	t.Helper()
	if string(raw) == "null" || len(raw) == 0 {
		return nil
	}
	var m map[string]any
	if err := json.Unmarshal(raw, &m); err != nil {
		t.Fatalf("audit value is not an object: %s", raw)
	}
	return m
}

// written is everything observable that a refused request must leave
// alone: the people, the given people's completions and exemptions, the
// courses and the whole audit log.
type written struct {
	people      string
	courses     string
	audit       int
	completions map[string]string
	exemptions  map[string]string
}

func (e *env) written(personIDs ...string) written {
	e.t.Helper()
	w := written{completions: map[string]string{}, exemptions: map[string]string{}}
	w.people = string(e.must(http.StatusOK, "GET", "/api/v1/people?limit=500", e.tokens["hr"], nil).Body)
	w.courses = string(e.must(http.StatusOK, "GET", "/api/v1/courses", e.tokens["hr"], nil).Body)
	w.audit = len(e.audit(""))
	for _, id := range personIDs {
		w.completions[id] = string(e.must(http.StatusOK, "GET", "/api/v1/people/"+id+"/completions", e.tokens["hr"], nil).Body)
		w.exemptions[id] = string(e.must(http.StatusOK, "GET", "/api/v1/people/"+id+"/exemptions", e.tokens["hr"], nil).Body)
	}
	return w
}

func (e *env) wantUnchanged(before written, personIDs ...string) {
	e.t.Helper()
	after := e.written(personIDs...)
	if after.people != before.people {
		e.t.Errorf("people changed:\nbefore %s\nafter  %s", before.people, after.people)
	}
	if after.courses != before.courses {
		e.t.Errorf("courses changed:\nbefore %s\nafter  %s", before.courses, after.courses)
	}
	if after.audit != before.audit {
		e.t.Errorf("audit log grew from %d to %d entries", before.audit, after.audit)
	}
	for _, id := range personIDs {
		if after.completions[id] != before.completions[id] {
			e.t.Errorf("completions of %s changed:\nbefore %s\nafter  %s", id, before.completions[id], after.completions[id])
		}
		if after.exemptions[id] != before.exemptions[id] {
			e.t.Errorf("exemptions of %s changed:\nbefore %s\nafter  %s", id, before.exemptions[id], after.exemptions[id])
		}
	}
}

// recordByHR records a completion for a person as HR with a certificate
// reference (PREVENT needs evidence).
func (e *env) recordByHR(personID, course, completedOn string) jCompletion {
	e.t.Helper()
	r := e.must(http.StatusCreated, "POST", "/api/v1/people/"+personID+"/completions", e.tokens["hr"],
		map[string]string{"course_code": course, "completed_on": completedOn, "certificate_ref": "HO-" + completedOn})
	return decode[jCompletion](e.t, r)
}

func pct(c jCounts) float64 {
	req := c.Applicable - c.Exempt
	if req <= 0 {
		return 100
	}
	return math.Round(float64(c.Compliant+c.Expiring)*1000/float64(req)) / 10
}

// ---------------------------------------------------------------------------
// 1. HR onboards.

func TestDefaultPreventCourseOnFreshInstall(t *testing.T) {
	e := newEnv(t)
	r := e.must(http.StatusOK, "GET", "/api/v1/courses", e.tokens["hr"], nil)
	var list struct {
		Items []map[string]any `json:"items"`
	}
	if err := json.Unmarshal(r.Body, &list); err != nil {
		t.Fatal(err)
	}
	if len(list.Items) != 1 || list.Items[0]["code"] != "PREVENT" {
		t.Fatalf("a fresh install holds %s, want just PREVENT", r.Body)
	}
	c := e.must(http.StatusOK, "GET", "/api/v1/courses/PREVENT", e.tokens["hr"], nil).json(t)
	want := map[string]any{
		"code": "PREVENT", "delivery": "e-learning", "new_starter_days": 28.0, "validity_months": 36.0,
		"due_soon_days": 30.0, "renew_window_days": 60.0, "expiry_basis": "previous_expiry",
		"effective_from": "2015-07-01", "evidence": "certificate", "verification": "none",
	}
	for k, v := range want {
		if c[k] != v {
			t.Errorf("PREVENT %s = %v, want %v", k, c[k], v)
		}
	}
	kinds, _ := c["applies_to"].(map[string]any)["kinds"].([]any)
	got := fmt.Sprint(kinds)
	if got != "[staff member]" && got != "[member staff]" {
		t.Errorf("PREVENT applies to kinds %v, want staff and member", kinds)
	}
	if s, _ := c["url"].(string); !strings.HasPrefix(s, "https://") {
		t.Errorf("PREVENT url %q is not a web address", s)
	}
	if c["title"] == "" || c["provider"] == "" {
		t.Errorf("PREVENT has no title or provider: %v", c)
	}
	// Its creation is in the audit log, by the system.
	a := e.auditEntry("PREVENT", "course.create")
	if after := fieldsOf(t, a.After); after["validity_months"] != 36.0 || after["effective_from"] != "2015-07-01" {
		t.Errorf("course.create audit after = %s", a.After)
	}

	// HR can change it (move the date) and the change shows at once.
	e.must(http.StatusOK, "PATCH", "/api/v1/courses/PREVENT", e.tokens["hr"], map[string]any{"effective_from": "2016-01-01"})
	if got := e.must(http.StatusOK, "GET", "/api/v1/courses/PREVENT", e.tokens["hr"], nil).json(t)["effective_from"]; got != "2016-01-01" {
		t.Errorf("effective_from after PATCH = %v", got)
	}
	upd := e.auditEntry("PREVENT", "course.update")
	if b, a := fieldsOf(t, upd.Before), fieldsOf(t, upd.After); b["effective_from"] != "2015-07-01" || a["effective_from"] != "2016-01-01" {
		t.Errorf("course.update audit before %s after %s", upd.Before, upd.After)
	}
}

func TestHROnboardsPeople(t *testing.T) {
	e := newEnv(t)
	hr := e.tokens["hr"]

	// Create: 201, Location, the manager resolved from the employee number.
	boss := e.addPerson("boss", "", map[string]any{"department": "Housing", "family_name": "Ashworth"})
	r := e.must(http.StatusCreated, "POST", "/api/v1/people", hr, map[string]any{
		"employee_number": "EMP-mgr", "email": "mgr@example.gov.uk", "given_name": "Maya", "family_name": "Brown",
		"kind": "staff", "job_title": "Team Leader", "department": "Housing", "manager_employee_number": "EMP-boss", "start_date": "2024-04-01",
	})
	mgr := decode[jPerson](t, r)
	if mgr.ID == "" || r.Header.Get("Location") != "/api/v1/people/"+mgr.ID {
		t.Errorf("create: id %q, Location %q", mgr.ID, r.Header.Get("Location"))
	}
	if mgr.ManagerID != boss.ID || mgr.ManagerEmployeeNumber != "EMP-boss" || mgr.JobTitle != "Team Leader" || mgr.StartDate != "2024-04-01" || mgr.EndDate != "" {
		t.Errorf("created person = %+v", mgr)
	}
	e.people["mgr"], _ = e.app.Training.PersonByID(t.Context(), mgr.ID)
	e.addPerson("amy", "mgr", map[string]any{"family_name": "Carter", "email": "amy.carter@example.gov.uk"})
	e.addPerson("ben", "mgr", map[string]any{"family_name": "Davies"})
	e.addPerson("cat", "", map[string]any{"family_name": "Evans", "department": "Finance"})
	e.addPerson("dan", "", map[string]any{"family_name": "Fisher", "department": "Finance", "start_date": "2026-10-20"}) // new starter
	e.addPerson("eve", "cat", map[string]any{"family_name": "Green", "department": "Finance", "kind": "contractor"})

	// GET one.
	got := e.getPerson(e.people["amy"].ID)
	if got.EmployeeNumber != "EMP-amy" || got.Email != "amy.carter@example.gov.uk" || got.GivenName != "Amy" ||
		got.FamilyName != "Carter" || got.ManagerEmployeeNumber != "EMP-mgr" || got.Department != "Housing" || got.Kind != "staff" {
		t.Errorf("GET person = %+v", got)
	}
	e.must(http.StatusNotFound, "GET", "/api/v1/people/000000000000000000000000", hr, nil)

	// Lists with filters; ordered by family name.
	everyone := []string{"EMP-boss", "EMP-mgr", "EMP-amy", "EMP-ben", "EMP-cat", "EMP-dan", "EMP-eve"}
	hrNumber := e.getPerson(e.hrID()).EmployeeNumber
	for _, tc := range []struct {
		query string
		want  []string
	}{
		{"department=Finance", []string{"EMP-cat", "EMP-dan", "EMP-eve"}},
		{"department=housing", []string{"EMP-boss", "EMP-mgr", "EMP-amy", "EMP-ben"}},
		{"q=carter", []string{"EMP-amy"}},                          // family name
		{"q=AMY.CARTER@", []string{"EMP-amy"}},                     // e-mail, any case
		{"q=emp-be", []string{"EMP-ben"}},                          // employee number
		{"q=maya+brown", []string{"EMP-mgr"}},                      // full name
		{"q=nobody-by-this-name", []string{}},                      // nothing
		{"status=due", []string{hrNumber, "EMP-dan"}},              // the new starters (the first HR account started today)
		{"status=compliant", []string{}},                           // nobody has trained yet
		{"department=Finance&status=overdue", []string{"EMP-cat"}}, // eve is a contractor: PREVENT does not apply
	} {
		t.Run("list "+tc.query, func(t *testing.T) {
			got := numbersOf(e.listPeople(tc.query))
			if !slices.Equal(got, tc.want) && !(len(got) == 0 && len(tc.want) == 0) {
				t.Errorf("GET /people?%s = %v, want %v", tc.query, got, tc.want)
			}
		})
	}
	wantProblem(t, e.do("GET", "/api/v1/people?status=sleepy", hr, nil), http.StatusUnprocessableEntity, "status")

	// Pagination: pages of two, in the same order as one page, no repeats,
	// and the last page has no cursor.
	all := numbersOf(e.listPeople("limit=500"))
	if want := append(slices.Clone(everyone), hrNumber); len(all) != len(want) {
		t.Fatalf("all people %v, want %d of them", all, len(want))
	}
	var paged []string
	cursor, pages := "", 0
	for {
		q := "/api/v1/people?limit=2"
		if cursor != "" {
			q += "&cursor=" + url.QueryEscape(cursor)
		}
		page := decode[jPeople](t, e.must(http.StatusOK, "GET", q, hr, nil))
		pages++
		if len(page.Items) > 2 {
			t.Fatalf("page of %d items with limit=2", len(page.Items))
		}
		paged = append(paged, numbersOf(page.Items)...)
		if page.NextCursor == "" {
			break
		}
		cursor = page.NextCursor
		if pages > 10 {
			t.Fatal("pagination does not end")
		}
	}
	if !slices.Equal(paged, all) || pages != (len(all)+1)/2 {
		t.Errorf("paged %v in %d pages, want %v", paged, pages, all)
	}
	wantProblem(t, e.do("GET", "/api/v1/people?limit=0", hr, nil), http.StatusUnprocessableEntity, "limit")
	wantProblem(t, e.do("GET", "/api/v1/people?limit=501", hr, nil), http.StatusUnprocessableEntity, "limit")
	wantProblem(t, e.do("GET", "/api/v1/people?cursor=%25%25not-a-cursor", hr, nil), http.StatusUnprocessableEntity, "cursor")
	// "abc" is valid base64 but decodes to bytes no cursor of ours holds.
	wantProblem(t, e.do("GET", "/api/v1/people?cursor=abc", hr, nil), http.StatusUnprocessableEntity, "cursor")

	// PATCH: a leaver's end date.
	ben := e.people["ben"].ID
	p := decode[jPerson](t, e.must(http.StatusOK, "PATCH", "/api/v1/people/"+ben, hr, map[string]any{"end_date": "2026-10-31"}))
	if p.EndDate != "2026-10-31" || p.Department != "Housing" || p.ManagerEmployeeNumber != "EMP-mgr" {
		t.Errorf("after leaver PATCH: %+v (other fields must stay)", p)
	}
	if items := e.training(ben); len(items) != 0 {
		t.Errorf("a leaver still has training to do: %+v", items)
	}
	if got := e.getPerson(ben).EndDate; got != "2026-10-31" {
		t.Errorf("GET after PATCH end_date = %q", got)
	}

	// PATCH: a manager change.
	amy := e.people["amy"].ID
	p = decode[jPerson](t, e.must(http.StatusOK, "PATCH", "/api/v1/people/"+amy, hr, map[string]any{"manager_employee_number": "EMP-boss"}))
	if p.ManagerID != boss.ID || p.ManagerEmployeeNumber != "EMP-boss" {
		t.Errorf("after manager PATCH: %+v", p)
	}

	// PATCH that would make a loop (boss → mgr → ben, and boss under ben),
	// or make someone their own manager: 422, nothing changed.
	before := e.written(boss.ID)
	wantProblem(t, e.do("PATCH", "/api/v1/people/"+boss.ID, hr, map[string]any{"manager_employee_number": "EMP-ben"}),
		http.StatusUnprocessableEntity, "manager_employee_number")
	wantProblem(t, e.do("PATCH", "/api/v1/people/"+boss.ID, hr, map[string]any{"manager_employee_number": "EMP-mgr"}),
		http.StatusUnprocessableEntity, "manager_employee_number")
	wantProblem(t, e.do("PATCH", "/api/v1/people/"+boss.ID, hr, map[string]any{"manager_employee_number": "EMP-boss"}),
		http.StatusUnprocessableEntity, "manager_employee_number")
	wantProblem(t, e.do("PATCH", "/api/v1/people/"+boss.ID, hr, map[string]any{"manager_employee_number": "EMP-nobody"}),
		http.StatusUnprocessableEntity, "manager_employee_number")
	e.wantUnchanged(before, boss.ID)
	if got := e.getPerson(boss.ID).ManagerID; got != "" {
		t.Errorf("boss got a manager after refused PATCHes: %q", got)
	}

	// Duplicates: 409 problem+json, nothing written.
	before = e.written()
	dup := func(number, email string) map[string]any {
		return map[string]any{"employee_number": number, "email": email, "given_name": "Dup", "family_name": "Licate",
			"kind": "staff", "start_date": "2025-01-06"}
	}
	for name, body := range map[string]map[string]any{
		"employee number":      dup("EMP-amy", "someone.new@example.gov.uk"),
		"e-mail in other case": dup("EMP-new", "AMY.Carter@Example.GOV.uk"),
	} {
		t.Run("duplicate "+name, func(t *testing.T) {
			p := wantProblem(t, e.do("POST", "/api/v1/people", hr, body), http.StatusConflict)
			if p.Detail == "" {
				t.Errorf("conflict without a detail: %+v", p)
			}
		})
	}
	// ... and by PATCH.
	wantProblem(t, e.do("PATCH", "/api/v1/people/"+e.people["cat"].ID, hr, map[string]any{"email": "AMY.CARTER@example.gov.uk"}), http.StatusConflict)
	wantProblem(t, e.do("PATCH", "/api/v1/people/"+e.people["cat"].ID, hr, map[string]any{"employee_number": "EMP-amy"}), http.StatusConflict)
	e.wantUnchanged(before)

	// Every write above is in the audit log.
	e.auditEntry(mgr.ID, "person.create")
	upd := e.auditEntry(ben, "person.update")
	if b, a := fieldsOf(t, upd.Before), fieldsOf(t, upd.After); b["end_date"] != nil || a["end_date"] != "2026-10-31" {
		t.Errorf("leaver audit: before %s after %s", upd.Before, upd.After)
	}
}

// ---------------------------------------------------------------------------
// 2. CSV import.

const importHeader = "employee_number,email,given_name,family_name,kind,job_title,department,manager_employee_number,start_date,end_date\n"

func TestCSVImport(t *testing.T) {
	e := newEnv(t)
	e.addPerson("clerk", "", nil)
	e.giveAccount("clerk")
	hr := e.tokens["hr"]

	file := importHeader +
		// line 2: reports to IMP-1, who is further down the file; line 3 to IMP-2.
		"IMP-2,imp2@example.gov.uk,Bea,Second,staff,Officer,Housing,IMP-1,2024-02-01,\n" +
		"IMP-3,imp3@example.gov.uk,Cal,Third,staff,Officer,Housing,IMP-2,2024-03-01,\n" +
		"IMP-1,imp1@example.gov.uk,Ada,First,staff,Director,Housing,,2020-01-06,\n" +
		// line 5: a bad date; line 6: an unknown manager.
		"IMP-4,imp4@example.gov.uk,Dee,Fourth,staff,Officer,Finance,,2024-13-01,\n" +
		"IMP-5,imp5@example.gov.uk,Eli,Fifth,staff,Officer,Finance,NOBODY,2024-01-01,\n" +
		// lines 7 and 8: each the other's manager.
		"IMP-6,imp6@example.gov.uk,Fay,Sixth,staff,Officer,Finance,IMP-7,2024-01-01,\n" +
		"IMP-7,imp7@example.gov.uk,Gus,Seventh,staff,Officer,Finance,IMP-6,2024-01-01,\n"

	wantErrors := func(t *testing.T, res jImport) {
		t.Helper()
		type key struct {
			line  int
			field string
		}
		got := map[key]bool{}
		for _, le := range res.Errors {
			if le.Message == "" {
				t.Errorf("line error without a message: %+v", le)
			}
			got[key{le.Line, le.Field}] = true
		}
		for _, k := range []key{{5, "start_date"}, {6, "manager_employee_number"}, {7, "manager_employee_number"}, {8, "manager_employee_number"}} {
			if !got[k] {
				t.Errorf("no error for line %d field %s; errors %+v", k.line, k.field, res.Errors)
			}
		}
		for k := range got {
			if k.line < 5 {
				t.Errorf("good line %d refused: %+v", k.line, res.Errors)
			}
		}
	}

	// Dry run: the report, and nothing written.
	before := e.written()
	res := decode[jImport](t, e.must(http.StatusOK, "POST", "/api/v1/people/import?dry_run=true", hr, csvBody(file)))
	if !res.DryRun || res.Created != 3 || res.Updated != 0 || res.Unchanged != 0 {
		t.Errorf("dry run = %+v, want 3 created", res)
	}
	wantErrors(t, res)
	e.wantUnchanged(before)

	// The real import.
	res = decode[jImport](t, e.must(http.StatusOK, "POST", "/api/v1/people/import", hr, csvBody(file)))
	if res.DryRun || res.Created != 3 || res.Updated != 0 || res.Unchanged != 0 {
		t.Errorf("import = %+v, want 3 created", res)
	}
	wantErrors(t, res)
	byNumber := map[string]jPerson{}
	for _, p := range e.listPeople("limit=500") {
		byNumber[p.EmployeeNumber] = p
	}
	for num, mgr := range map[string]string{"IMP-1": "", "IMP-2": "IMP-1", "IMP-3": "IMP-2"} {
		p, ok := byNumber[num]
		if !ok {
			t.Errorf("%s not created", num)
			continue
		}
		if p.ManagerEmployeeNumber != mgr {
			t.Errorf("%s manager %q, want %q", num, p.ManagerEmployeeNumber, mgr)
		}
		if mgr != "" && p.ManagerID != byNumber[mgr].ID {
			t.Errorf("%s manager_id %q, want %q", num, p.ManagerID, byNumber[mgr].ID)
		}
		a := e.auditEntry(p.ID, "person.import_create")
		if a.Actor != e.hrID() || fieldsOf(t, a.After)["employee_number"] != num {
			t.Errorf("import audit for %s: %+v", num, a)
		}
	}
	if got := byNumber["IMP-2"]; got.GivenName != "Bea" || got.StartDate != "2024-02-01" || got.Department != "Housing" || got.Kind != "staff" {
		t.Errorf("IMP-2 stored as %+v", got)
	}
	for _, num := range []string{"IMP-4", "IMP-5", "IMP-6", "IMP-7"} {
		if _, ok := byNumber[num]; ok {
			t.Errorf("refused line %s was created", num)
		}
	}
	// The imported people are in the reporting line: IMP-1 manages IMP-3 indirectly.
	if items := e.training(byNumber["IMP-3"].ID); items["PREVENT"].Status != "overdue" {
		t.Errorf("IMP-3 PREVENT = %+v", items["PREVENT"])
	}

	// The same file again: all unchanged, nothing written.
	before = e.written()
	res = decode[jImport](t, e.must(http.StatusOK, "POST", "/api/v1/people/import", hr, csvBody(file)))
	if res.Created != 0 || res.Updated != 0 || res.Unchanged != 3 {
		t.Errorf("second import = %+v, want 3 unchanged", res)
	}
	wantErrors(t, res)
	e.wantUnchanged(before)

	// A changed line updates that person only, audited with before and after.
	changed := strings.Replace(file, "IMP-3,imp3@example.gov.uk,Cal,Third,staff,Officer,Housing,IMP-2", "IMP-3,imp3@example.gov.uk,Cal,Third,staff,Officer,Finance,IMP-1", 1)
	res = decode[jImport](t, e.must(http.StatusOK, "POST", "/api/v1/people/import", hr, csvBody(changed)))
	if res.Created != 0 || res.Updated != 1 || res.Unchanged != 2 {
		t.Errorf("import with one change = %+v, want 1 updated, 2 unchanged", res)
	}
	if p := e.getPerson(byNumber["IMP-3"].ID); p.Department != "Finance" || p.ManagerEmployeeNumber != "IMP-1" {
		t.Errorf("IMP-3 after update: %+v", p)
	}
	upd := e.auditEntry(byNumber["IMP-3"].ID, "person.import_update")
	if b, a := fieldsOf(t, upd.Before), fieldsOf(t, upd.After); b["department"] != "Housing" || a["department"] != "Finance" ||
		b["manager_id"] != byNumber["IMP-2"].ID || a["manager_id"] != byNumber["IMP-1"].ID {
		t.Errorf("import update audit: before %s after %s", upd.Before, upd.After)
	}

	// Refusals of the whole request: nothing written.
	before = e.written()
	t.Run("wrong content type", func(t *testing.T) {
		wantProblem(t, e.send("POST", "/api/v1/people/import", hr, "application/json", []byte(file)), http.StatusUnsupportedMediaType)
		wantProblem(t, e.send("POST", "/api/v1/people/import", hr, "", []byte(file)), http.StatusUnsupportedMediaType)
	})
	t.Run("not HR", func(t *testing.T) {
		wantProblem(t, e.do("POST", "/api/v1/people/import", e.tokens["clerk"], csvBody(file)), http.StatusForbidden)
		wantProblem(t, e.do("POST", "/api/v1/people/import?dry_run=true", e.tokens["clerk"], csvBody(file)), http.StatusForbidden)
	})
	t.Run("bad dry_run", func(t *testing.T) {
		wantProblem(t, e.do("POST", "/api/v1/people/import?dry_run=maybe", hr, csvBody(file)), http.StatusUnprocessableEntity, "dry_run")
	})
	t.Run("unknown column", func(t *testing.T) {
		wantProblem(t, e.do("POST", "/api/v1/people/import", hr, csvBody("employee_number,salary\nX,1\n")), http.StatusUnprocessableEntity, "file")
	})
	e.wantUnchanged(before)
}

// ---------------------------------------------------------------------------
// 3. Employee self-certifies with evidence.

func TestEmployeeSelfCertifies(t *testing.T) {
	e := newEnv(t)
	emp := e.addPerson("emp", "", nil) // staff, started 2024-04-01
	e.giveAccount("emp")

	// Overdue, with the dates explained.
	prev := e.myTraining("emp")["PREVENT"]
	if prev.Status != "overdue" || prev.DueOn != "2024-04-29" || prev.ExpiresOn != "" || prev.LastCompletedOn != "" || prev.PendingCompletion {
		t.Errorf("before: %+v", prev)
	}
	for _, s := range []string{"2024-04-29", "2024-04-01", "28 days"} {
		if !strings.Contains(prev.Explanation, s) {
			t.Errorf("explanation %q does not name %q", prev.Explanation, s)
		}
	}

	// Self-certify with a real PDF.
	pdf := tinyPDF("emp")
	r := e.postForm("/api/v1/me/completions", e.tokens["emp"],
		formField("course_code", "PREVENT"), formField("completed_on", "2026-10-15"), certFile("cert.pdf", "application/pdf", pdf))
	if r.Status != http.StatusCreated {
		t.Fatalf("self-certify: %d %s", r.Status, r.Body)
	}
	done := decode[jCompletion](t, r)
	if done.ID == "" || done.PersonID != emp.ID || done.CourseCode != "PREVENT" || done.CompletedOn != "2026-10-15" ||
		done.Source != "self" || done.State != "accepted" || done.CertificateSHA256 != sha(pdf) {
		t.Errorf("completion = %+v", done)
	}

	now := e.myTraining("emp")["PREVENT"]
	if now.Status != "compliant" || now.LastCompletedOn != "2026-10-15" || now.ExpiresOn != "2029-10-15" || now.DueOn != "2029-10-15" || now.PendingCompletion {
		t.Errorf("after: %+v", now)
	}
	for _, s := range []string{"2029-10-15", "2026-10-15", "36 months"} {
		if !strings.Contains(now.Explanation, s) {
			t.Errorf("explanation %q does not name %q", now.Explanation, s)
		}
	}
	if got := e.training(emp.ID)["PREVENT"]; got != now {
		t.Errorf("HR sees %+v, the employee %+v", got, now)
	}
	if list := e.completions(emp.ID); len(list) != 1 || list[0].ID != done.ID {
		t.Errorf("completions list = %+v", list)
	}
	rec := e.auditEntry(done.ID, "completion.record")
	if rec.Actor != emp.ID || rec.Entity != "completion" || string(rec.Before) != "null" || fieldsOf(t, rec.After)["certificate_sha256"] != sha(pdf) {
		t.Errorf("completion audit = %+v", rec)
	}

	// The certificate comes back byte for byte, as an attachment.
	for _, who := range []string{"emp", "hr"} {
		r := e.must(http.StatusOK, "GET", "/api/v1/completions/"+done.ID+"/certificate", e.tokens[who], nil)
		if !bytes.Equal(r.Body, pdf) {
			t.Errorf("%s downloaded %d bytes, not the %d uploaded", who, len(r.Body), len(pdf))
		}
		if ct := r.Header.Get("Content-Type"); ct != "application/pdf" {
			t.Errorf("certificate Content-Type %q", ct)
		}
		if cd := r.Header.Get("Content-Disposition"); !strings.HasPrefix(cd, "attachment") || !strings.Contains(cd, "cert.pdf") {
			t.Errorf("certificate Content-Disposition %q", cd)
		}
	}

	// PNG and JPEG are accepted too, recognised by their bytes.
	for i, tc := range []struct {
		name, filename, declared, want string
		data                           []byte
	}{
		{"png", "scan.png", "image/png", "image/png", tinyPNG(t, 1)},
		{"jpeg", "photo.jpg", "image/jpeg", "image/jpeg", tinyJPEG(t, 2)},
		{"jpeg declared as octet-stream", "photo", "application/octet-stream", "image/jpeg", tinyJPEG(t, 3)},
	} {
		t.Run(tc.name, func(t *testing.T) {
			name := fmt.Sprintf("img%d", i)
			p := e.addPerson(name, "", nil)
			e.giveAccount(name)
			r := e.postForm("/api/v1/me/completions", e.tokens[name],
				formField("course_code", "PREVENT"), formField("completed_on", "2026-09-01"), certFile(tc.filename, tc.declared, tc.data))
			if r.Status != http.StatusCreated {
				t.Fatalf("self-certify %s: %d %s", tc.name, r.Status, r.Body)
			}
			c := decode[jCompletion](t, r)
			if c.State != "accepted" || c.CertificateSHA256 != sha(tc.data) || c.PersonID != p.ID {
				t.Errorf("completion = %+v", c)
			}
			got := e.must(http.StatusOK, "GET", "/api/v1/completions/"+c.ID+"/certificate", e.tokens[name], nil)
			if !bytes.Equal(got.Body, tc.data) || got.Header.Get("Content-Type") != tc.want {
				t.Errorf("download: %d bytes, Content-Type %q", len(got.Body), got.Header.Get("Content-Type"))
			}
			if e.training(p.ID)["PREVENT"].Status != "compliant" {
				t.Errorf("not compliant after %s evidence", tc.name)
			}
		})
	}

	// A file of exactly 5 MiB is within the limit.
	big := paddedPDF(5 << 20)
	e.addPerson("big", "", nil)
	e.giveAccount("big")
	r = e.postForm("/api/v1/me/completions", e.tokens["big"],
		formField("course_code", "PREVENT"), formField("completed_on", "2026-10-01"), certFile("big.pdf", "application/pdf", big))
	if r.Status != http.StatusCreated {
		t.Errorf("a 5 MiB certificate: %d %.300s", r.Status, r.Body)
	}

	// The employee offering their own file again is no duplicate.
	if r := e.postForm("/api/v1/me/completions", e.tokens["emp"],
		formField("course_code", "PREVENT"), formField("completed_on", "2026-10-16"), certFile("cert.pdf", "application/pdf", pdf)); r.Status != http.StatusCreated {
		t.Fatalf("second self-certification: %d %s", r.Status, r.Body)
	}
	// No flags so far: no file was offered for two people.
	if flags := decode[struct{ Items []jFlag }](t, e.must(http.StatusOK, "GET", "/api/v1/flags?kind=duplicate_evidence", e.tokens["hr"], nil)).Items; len(flags) != 0 {
		t.Errorf("duplicate flags before any duplicate: %+v", flags)
	}

	// The same file offered for someone else: accepted, but flagged to HR only.
	copycat := e.addPerson("copycat", "", nil)
	e.giveAccount("copycat")
	r = e.postForm("/api/v1/me/completions", e.tokens["copycat"],
		formField("course_code", "PREVENT"), formField("completed_on", "2026-10-20"), certFile("my-cert.pdf", "application/pdf", pdf))
	if r.Status != http.StatusCreated {
		t.Fatalf("copycat self-certify: %d %s", r.Status, r.Body)
	}
	flags := decode[struct{ Items []jFlag }](t, e.must(http.StatusOK, "GET", "/api/v1/flags?kind=duplicate_evidence", e.tokens["hr"], nil)).Items
	if len(flags) != 1 || flags[0].PersonID != copycat.ID || flags[0].EmployeeNumber != "EMP-copycat" || flags[0].CourseCode != "PREVENT" || flags[0].Kind != "duplicate_evidence" {
		t.Errorf("HR sees duplicate flags %+v, want one for copycat", flags)
	}
	for _, who := range []string{"copycat", "emp"} {
		for _, q := range []string{"?kind=duplicate_evidence", ""} {
			got := decode[struct{ Items []jFlag }](t, e.must(http.StatusOK, "GET", "/api/v1/flags"+q, e.tokens[who], nil)).Items
			if slices.ContainsFunc(got, func(f jFlag) bool { return f.Kind == "duplicate_evidence" }) {
				t.Errorf("%s sees a duplicate-evidence flag: %+v", who, got)
			}
		}
	}
}

// ---------------------------------------------------------------------------
// 4. Bad input: a problem per invalid field, and nothing written.

func TestBadCompletionInput(t *testing.T) {
	e := newEnv(t)
	emp := e.addPerson("emp", "", nil)
	e.giveAccount("emp")
	con := e.addPerson("con", "", map[string]any{"kind": "contractor"})
	e.giveAccount("con")
	pdf := tinyPDF("bad-input")

	type jsonCase struct {
		name   string
		who    string
		body   string
		status int
		fields []string
	}
	for _, tc := range []jsonCase{
		{"number for a string", "emp", `{"course_code": 12, "completed_on": "2026-10-01", "certificate_ref": "X"}`, 422, []string{"course_code"}},
		{"number for a date", "emp", `{"course_code": "PREVENT", "completed_on": 20261001, "certificate_ref": "X"}`, 422, []string{"completed_on"}},
		{"unknown field", "emp", `{"course_code": "PREVENT", "completed_on": "2026-10-01", "certificate_ref": "X", "score": 100}`, 422, []string{"score"}},
		{"future completed_on", "emp", `{"course_code": "PREVENT", "completed_on": "2026-11-03", "certificate_ref": "X"}`, 422, []string{"completed_on"}},
		{"far future completed_on", "emp", `{"course_code": "PREVENT", "completed_on": "2999-01-01", "certificate_ref": "X"}`, 422, []string{"completed_on"}},
		{"completed_on not a real date", "emp", `{"course_code": "PREVENT", "completed_on": "2026-02-30", "certificate_ref": "X"}`, 422, []string{"completed_on"}},
		{"completed_on not a date", "emp", `{"course_code": "PREVENT", "completed_on": "last Tuesday", "certificate_ref": "X"}`, 422, []string{"completed_on"}},
		{"completed_on in another format", "emp", `{"course_code": "PREVENT", "completed_on": "01/10/2026", "certificate_ref": "X"}`, 422, []string{"completed_on"}},
		{"missing completed_on", "emp", `{"course_code": "PREVENT", "certificate_ref": "X"}`, 422, []string{"completed_on"}},
		{"missing course_code", "emp", `{"completed_on": "2026-10-01", "certificate_ref": "X"}`, 422, []string{"course_code"}},
		{"unknown course", "emp", `{"course_code": "NOPE", "completed_on": "2026-10-01", "certificate_ref": "X"}`, 422, []string{"course_code"}},
		{"course not for a contractor", "con", `{"course_code": "PREVENT", "completed_on": "2026-10-01", "certificate_ref": "X"}`, 422, []string{"course_code"}},
		{"no evidence for a course that needs it", "emp", `{"course_code": "PREVENT", "completed_on": "2026-10-01"}`, 422, []string{"certificate"}},
		{"two bad fields", "emp", `{"course_code": "", "completed_on": "2027-01-01"}`, 422, []string{"course_code", "completed_on"}},
		{"two bad fields, one a bad date", "emp", `{"course_code": "NOPE", "completed_on": "2026-13-01"}`, 422, []string{"course_code", "completed_on"}},
		{"not an object", "emp", `["PREVENT"]`, 422, nil},
		{"not JSON", "emp", `{"course_code": "PREVENT",`, 422, nil},
		{"two objects", "emp", `{"course_code": "PREVENT", "completed_on": "2026-10-01", "certificate_ref": "X"} {}`, 422, nil},
		{"empty body", "emp", ``, 422, nil},
	} {
		t.Run("json "+tc.name, func(t *testing.T) {
			before := e.written(emp.ID, con.ID)
			wantProblem(t, e.send("POST", "/api/v1/me/completions", e.tokens[tc.who], "application/json", []byte(tc.body)), tc.status, tc.fields...)
			// HR recording for the person is checked the same way.
			target := emp.ID
			if tc.who == "con" {
				target = con.ID
			}
			wantProblem(t, e.send("POST", "/api/v1/people/"+target+"/completions", e.tokens["hr"], "application/json", []byte(tc.body)), tc.status, tc.fields...)
			e.wantUnchanged(before, emp.ID, con.ID)
		})
	}

	good := func() []formPart {
		return []formPart{formField("course_code", "PREVENT"), formField("completed_on", "2026-10-01")}
	}
	type formCase struct {
		name   string
		parts  []formPart
		status int
		fields []string
	}
	oversize := paddedPDF(5<<20 + 1)
	huge := paddedPDF(6 << 20)
	for _, tc := range []formCase{
		{"oversize file", append(good(), certFile("cert.pdf", "application/pdf", oversize)), 413, nil},
		{"far oversize file", append(good(), certFile("cert.pdf", "application/pdf", huge)), 413, nil},
		{"text file named cert.pdf", append(good(), certFile("cert.pdf", "application/pdf", []byte("This is my certificate, honest.\n%%EOF\n"))), 422, []string{"certificate"}},
		{"HTML file", append(good(), certFile("cert.html", "text/html", []byte("<!DOCTYPE html><html><body><script>alert(1)</script></body></html>"))), 422, []string{"certificate"}},
		{"HTML file named cert.pdf", append(good(), certFile("cert.pdf", "application/pdf", []byte("<html><body>certificate</body></html>"))), 422, []string{"certificate"}},
		{"empty file", append(good(), certFile("cert.pdf", "application/pdf", nil)), 422, []string{"certificate"}},
		{"cut-short PDF", append(good(), certFile("cert.pdf", "application/pdf", []byte("%PDF-1.4\n1 0 obj\n<< >>\n"))), 422, []string{"certificate"}},
		{"damaged PNG", append(good(), certFile("cert.png", "image/png", tinyPNG(t, 9)[:20])), 422, []string{"certificate"}},
		{"two certificate parts", append(good(), certFile("a.pdf", "application/pdf", pdf), certFile("b.pdf", "application/pdf", tinyPDF("other"))), 422, []string{"certificate"}},
		{"unknown form field", append(good(), formField("notes", "done it"), certFile("cert.pdf", "application/pdf", pdf)), 422, []string{"notes"}},
		{"future completed_on", []formPart{formField("course_code", "PREVENT"), formField("completed_on", "2026-12-25"), certFile("cert.pdf", "application/pdf", pdf)}, 422, []string{"completed_on"}},
		{"completed_on not a date", []formPart{formField("course_code", "PREVENT"), formField("completed_on", "yesterday"), certFile("cert.pdf", "application/pdf", pdf)}, 422, []string{"completed_on"}},
		{"missing course_code", []formPart{formField("completed_on", "2026-10-01"), certFile("cert.pdf", "application/pdf", pdf)}, 422, []string{"course_code"}},
		{"unknown course", []formPart{formField("course_code", "NOPE"), formField("completed_on", "2026-10-01"), certFile("cert.pdf", "application/pdf", pdf)}, 422, []string{"course_code"}},
		{"overlong field", []formPart{formField("course_code", strings.Repeat("P", 2000)), formField("completed_on", "2026-10-01")}, 422, []string{"course_code"}},
	} {
		t.Run("multipart "+tc.name, func(t *testing.T) {
			before := e.written(emp.ID, con.ID)
			wantProblem(t, e.postForm("/api/v1/me/completions", e.tokens["emp"], tc.parts...), tc.status, tc.fields...)
			e.wantUnchanged(before, emp.ID, con.ID)
		})
	}
	t.Run("multipart contractor for PREVENT", func(t *testing.T) {
		before := e.written(emp.ID, con.ID)
		wantProblem(t, e.postForm("/api/v1/me/completions", e.tokens["con"], append(good(), certFile("cert.pdf", "application/pdf", pdf))...),
			http.StatusUnprocessableEntity, "course_code")
		e.wantUnchanged(before, emp.ID, con.ID)
	})
	t.Run("wrong content type", func(t *testing.T) {
		before := e.written(emp.ID, con.ID)
		wantProblem(t, e.send("POST", "/api/v1/me/completions", e.tokens["emp"], "text/plain", []byte("course_code=PREVENT")), http.StatusUnsupportedMediaType)
		wantProblem(t, e.send("POST", "/api/v1/me/completions", e.tokens["emp"], "application/x-www-form-urlencoded", []byte("course_code=PREVENT&completed_on=2026-10-01")), http.StatusUnsupportedMediaType)
		e.wantUnchanged(before, emp.ID, con.ID)
	})
	t.Run("multipart without a boundary", func(t *testing.T) {
		before := e.written(emp.ID, con.ID)
		r := e.send("POST", "/api/v1/me/completions", e.tokens["emp"], "multipart/form-data", []byte("garbage"))
		if r.Status != http.StatusBadRequest && r.Status != http.StatusUnprocessableEntity {
			t.Errorf("status %d, want 400 or 422: %s", r.Status, r.Body)
		}
		wantProblem(t, r, r.Status)
		e.wantUnchanged(before, emp.ID, con.ID)
	})

	// The control: the same person and form, well made, is accepted.
	r := e.postForm("/api/v1/me/completions", e.tokens["emp"], append(good(), certFile("cert.pdf", "application/pdf", pdf))...)
	if r.Status != http.StatusCreated {
		t.Errorf("the good form is refused: %d %s", r.Status, r.Body)
	}
}

func TestBadPersonInput(t *testing.T) {
	e := newEnv(t)
	emp := e.addPerson("emp", "", nil)
	e.addPerson("other", "", nil)
	e.addPerson("clerk", "", nil)
	e.giveAccount("clerk")
	hr := e.tokens["hr"]
	valid := func(change map[string]any) map[string]any {
		m := map[string]any{"employee_number": "NEW-1", "email": "new.one@example.gov.uk", "given_name": "New", "family_name": "One",
			"kind": "staff", "job_title": "Officer", "department": "Housing", "start_date": "2026-01-05"}
		for k, v := range change {
			if v == nil {
				delete(m, k)
			} else {
				m[k] = v
			}
		}
		return m
	}
	for _, tc := range []struct {
		name   string
		body   any
		status int
		fields []string
	}{
		{"every required field missing", map[string]any{}, 422, []string{"employee_number", "email", "given_name", "family_name", "kind", "start_date"}},
		{"required fields missing and a bad date", map[string]any{"start_date": "2026-13-01"}, 422, []string{"employee_number", "email", "given_name", "family_name", "kind", "start_date"}},
		{"blank strings", valid(map[string]any{"given_name": "   ", "family_name": ""}), 422, []string{"given_name", "family_name"}},
		{"bad e-mail", valid(map[string]any{"email": "not-an-email"}), 422, []string{"email"}},
		{"e-mail with a display name", valid(map[string]any{"email": "New One <new.one@example.gov.uk>"}), 422, []string{"email"}},
		{"bad kind", valid(map[string]any{"kind": "robot"}), 422, []string{"kind"}},
		{"end before start", valid(map[string]any{"end_date": "2025-12-31"}), 422, []string{"end_date"}},
		{"start_date not a date", valid(map[string]any{"start_date": "5 January 2026"}), 422, []string{"start_date"}},
		{"end_date not a real date", valid(map[string]any{"end_date": "2026-02-29"}), 422, []string{"end_date"}},
		{"number for a string", valid(map[string]any{"employee_number": 12345}), 422, []string{"employee_number"}},
		{"boolean for a string", valid(map[string]any{"department": true}), 422, []string{"department"}},
		{"unknown field", valid(map[string]any{"salary": 30000}), 422, []string{"salary"}},
		{"unknown manager", valid(map[string]any{"manager_employee_number": "EMP-nobody"}), 422, []string{"manager_employee_number"}},
		{"own manager", valid(map[string]any{"manager_employee_number": "NEW-1"}), 422, []string{"manager_employee_number"}},
		{"employee number with a slash", valid(map[string]any{"employee_number": "A/1"}), 422, []string{"employee_number"}},
		{"overlong name", valid(map[string]any{"given_name": strings.Repeat("a", 101)}), 422, []string{"given_name"}},
		{"control character", valid(map[string]any{"family_name": "One\x00"}), 422, []string{"family_name"}},
	} {
		t.Run("create "+tc.name, func(t *testing.T) {
			before := e.written(emp.ID)
			wantProblem(t, e.do("POST", "/api/v1/people", hr, tc.body), tc.status, tc.fields...)
			e.wantUnchanged(before, emp.ID)
		})
	}
	t.Run("create not JSON", func(t *testing.T) {
		before := e.written(emp.ID)
		wantProblem(t, e.send("POST", "/api/v1/people", hr, "text/plain", []byte("hello")), http.StatusUnsupportedMediaType)
		wantProblem(t, e.send("POST", "/api/v1/people", hr, "application/json", []byte("{")), http.StatusUnprocessableEntity, "body")
		e.wantUnchanged(before, emp.ID)
	})
	t.Run("create not HR", func(t *testing.T) {
		before := e.written(emp.ID)
		wantProblem(t, e.do("POST", "/api/v1/people", e.tokens["clerk"], valid(nil)), http.StatusForbidden)
		e.wantUnchanged(before, emp.ID)
	})

	for _, tc := range []struct {
		name   string
		body   any
		status int
		fields []string
	}{
		{"bad kind", map[string]any{"kind": "robot"}, 422, []string{"kind"}},
		{"bad e-mail", map[string]any{"email": "emp@"}, 422, []string{"email"}},
		{"start_date cleared", map[string]any{"start_date": ""}, 422, []string{"start_date"}},
		{"end before start", map[string]any{"end_date": "2020-01-01"}, 422, []string{"end_date"}},
		{"end_date not a date", map[string]any{"end_date": "soon"}, 422, []string{"end_date"}},
		{"given_name blank", map[string]any{"given_name": " "}, 422, []string{"given_name"}},
		{"number for a string", map[string]any{"job_title": 7}, 422, []string{"job_title"}},
		{"unknown field set to null", map[string]any{"unknown": nil}, 422, []string{"unknown"}},
		{"unknown field", map[string]any{"nickname": "Em"}, 422, []string{"nickname"}},
		{"employee number of someone else", map[string]any{"employee_number": "EMP-other"}, 409, nil},
		{"e-mail of someone else", map[string]any{"email": "OTHER@example.gov.uk"}, 409, nil},
	} {
		t.Run("patch "+tc.name, func(t *testing.T) {
			before := e.written(emp.ID)
			wantProblem(t, e.do("PATCH", "/api/v1/people/"+emp.ID, hr, tc.body), tc.status, tc.fields...)
			e.wantUnchanged(before, emp.ID)
		})
	}
}

func TestBadCourseInput(t *testing.T) {
	e := newEnv(t)
	hr := e.tokens["hr"]
	valid := func(change map[string]any) map[string]any {
		m := map[string]any{"code": "CHANNEL", "title": "Channel awareness", "provider": "Home Office",
			"url": "https://www.elearning.prevent.homeoffice.gov.uk/channel_awareness", "delivery": "e-learning",
			"applies_to": map[string]any{"kinds": []string{"staff"}}, "new_starter_days": 28, "validity_months": 36,
			"due_soon_days": 30, "renew_window_days": 60, "expiry_basis": "completion", "effective_from": "2026-01-01",
			"evidence": "certificate", "verification": "hr"}
		for k, v := range change {
			if v == nil {
				delete(m, k)
			} else {
				m[k] = v
			}
		}
		return m
	}
	for _, tc := range []struct {
		name   string
		body   any
		fields []string
	}{
		{"bad delivery", valid(map[string]any{"delivery": "telepathy"}), []string{"delivery"}},
		{"bad expiry_basis", valid(map[string]any{"expiry_basis": "whenever"}), []string{"expiry_basis"}},
		{"negative numbers", valid(map[string]any{"new_starter_days": -1, "validity_months": -12, "due_soon_days": -30, "renew_window_days": -60}),
			[]string{"new_starter_days", "validity_months", "due_soon_days", "renew_window_days"}},
		{"absurd numbers", valid(map[string]any{"validity_months": 100000}), []string{"validity_months"}},
		{"URL not a web address", valid(map[string]any{"url": "ftp://example.org/course"}), []string{"url"}},
		{"URL not a URL", valid(map[string]any{"url": "not a url"}), []string{"url"}},
		{"javascript URL", valid(map[string]any{"url": "javascript:alert(1)"}), []string{"url"}},
		{"bad evidence and verification", valid(map[string]any{"evidence": "vibes", "verification": "anyone"}), []string{"evidence", "verification"}},
		{"bad kind", valid(map[string]any{"applies_to": map[string]any{"kinds": []string{"robot"}}}), []string{"applies_to.kinds"}},
		{"no kinds", valid(map[string]any{"applies_to": map[string]any{"kinds": []string{}}}), []string{"applies_to.kinds"}},
		{"bad code", valid(map[string]any{"code": "has spaces"}), []string{"code"}},
		{"missing title and effective_from", valid(map[string]any{"title": nil, "effective_from": nil}), []string{"title", "effective_from"}},
		{"bad effective_from and no code", valid(map[string]any{"effective_from": "2026-02-30", "code": nil}), []string{"effective_from", "code"}},
		{"string for a number", valid(map[string]any{"validity_months": "36"}), []string{"validity_months"}},
		{"fraction for a number", valid(map[string]any{"due_soon_days": 1.5}), []string{"due_soon_days"}},
		{"number for a string", valid(map[string]any{"title": 5}), []string{"title"}},
		{"string for a list", valid(map[string]any{"applies_to": map[string]any{"kinds": "staff"}}), []string{"applies_to.kinds"}},
		{"unknown field", valid(map[string]any{"colour": "red"}), []string{"colour"}},
		{"unknown nested field", valid(map[string]any{"applies_to": map[string]any{"kinds": []string{"staff"}, "grades": []string{"7"}}}), []string{"grades"}},
	} {
		t.Run("create "+tc.name, func(t *testing.T) {
			before := e.written()
			wantProblem(t, e.do("POST", "/api/v1/courses", hr, tc.body), http.StatusUnprocessableEntity, tc.fields...)
			e.wantUnchanged(before)
			e.must(http.StatusNotFound, "GET", "/api/v1/courses/CHANNEL", hr, nil)
		})
	}
	for _, tc := range []struct {
		name   string
		body   any
		fields []string
	}{
		{"negative number", map[string]any{"validity_months": -1}, []string{"validity_months"}},
		{"bad delivery", map[string]any{"delivery": "carrier pigeon"}, []string{"delivery"}},
		{"bad URL", map[string]any{"url": "www.example.org"}, []string{"url"}},
		{"change of code", map[string]any{"code": "OTHER"}, []string{"code"}},
		{"effective_from not a date", map[string]any{"effective_from": "2026-02-30"}, []string{"effective_from"}},
		{"effective_from not a date and a bad delivery", map[string]any{"effective_from": "July", "delivery": "post"}, []string{"effective_from", "delivery"}},
		{"string for a number", map[string]any{"due_soon_days": "thirty"}, []string{"due_soon_days"}},
		{"unknown field", map[string]any{"mandatory": true}, []string{"mandatory"}},
	} {
		t.Run("patch "+tc.name, func(t *testing.T) {
			before := e.written()
			wantProblem(t, e.do("PATCH", "/api/v1/courses/PREVENT", hr, tc.body), http.StatusUnprocessableEntity, tc.fields...)
			e.wantUnchanged(before)
		})
	}
	// Duplicate code: 409.
	before := e.written()
	wantProblem(t, e.do("POST", "/api/v1/courses", hr, valid(map[string]any{"code": "PREVENT"})), http.StatusConflict)
	e.wantUnchanged(before)

	// The control: the valid course is created, audited, and read back.
	created := e.must(http.StatusCreated, "POST", "/api/v1/courses", hr, valid(nil)).json(t)
	got := e.must(http.StatusOK, "GET", "/api/v1/courses/CHANNEL", hr, nil).json(t)
	for _, k := range []string{"title", "url", "delivery", "expiry_basis", "evidence", "verification", "effective_from", "validity_months"} {
		if fmt.Sprint(got[k]) != fmt.Sprint(created[k]) || got[k] == nil {
			t.Errorf("course %s: created %v, read back %v", k, created[k], got[k])
		}
	}
	e.auditEntry("CHANNEL", "course.create")
}

// ---------------------------------------------------------------------------
// 5. Verification.

func TestVerificationFlow(t *testing.T) {
	e := newEnv(t)
	hr := e.tokens["hr"]
	e.must(http.StatusCreated, "POST", "/api/v1/courses", hr, map[string]any{
		"code": "SAFE", "title": "Safeguarding adults", "delivery": "either", "applies_to": map[string]any{"kinds": []string{"staff"}},
		"validity_months": 12, "effective_from": "2020-01-01", "evidence": "none", "verification": "manager",
	})
	e.addPerson("boss", "", nil)
	e.addPerson("mgr", "boss", nil)
	emp := e.addPerson("emp", "mgr", nil)
	emp2 := e.addPerson("emp2", "mgr", nil)
	e.addPerson("outsider", "", nil)
	e.addPerson("newbie", "mgr", map[string]any{"start_date": "2026-10-26"})
	for _, n := range []string{"boss", "mgr", "emp", "emp2", "outsider", "newbie"} {
		e.giveAccount(n)
	}

	// Self-certified: pending; the status stays overdue, flagged pending.
	r := e.must(http.StatusCreated, "POST", "/api/v1/me/completions", e.tokens["emp"], map[string]string{"course_code": "SAFE", "completed_on": "2026-10-01"})
	c := decode[jCompletion](t, r)
	if c.State != "pending" || c.Source != "self" {
		t.Fatalf("self-certified = %+v, want pending", c)
	}
	if it := e.myTraining("emp")["SAFE"]; it.Status != "overdue" || !it.PendingCompletion || it.LastCompletedOn != "" {
		t.Errorf("pending completion shows %+v", it)
	}
	// A new starter in their window stays due while pending.
	n := decode[jCompletion](t, e.must(http.StatusCreated, "POST", "/api/v1/me/completions", e.tokens["newbie"], map[string]string{"course_code": "SAFE", "completed_on": "2026-10-30"}))
	if it := e.myTraining("newbie")["SAFE"]; it.Status != "due" || !it.PendingCompletion {
		t.Errorf("newbie pending shows %+v", it)
	}

	// Nobody verifies their own; a manager outside the line cannot see it.
	before := e.written(emp.ID)
	wantProblem(t, e.do("POST", "/api/v1/completions/"+c.ID+"/verify", e.tokens["emp"], nil), http.StatusForbidden)
	wantProblem(t, e.do("POST", "/api/v1/completions/"+c.ID+"/verify", e.tokens["outsider"], nil), http.StatusNotFound)
	wantProblem(t, e.do("POST", "/api/v1/completions/"+c.ID+"/verify", e.tokens["emp2"], nil), http.StatusNotFound)
	e.wantUnchanged(before, emp.ID)

	// The line manager verifies: accepted, compliant.
	v := decode[jCompletion](t, e.must(http.StatusOK, "POST", "/api/v1/completions/"+c.ID+"/verify", e.tokens["mgr"], nil))
	if v.State != "accepted" || v.Review == nil || v.Review.By != e.people["mgr"].ID {
		t.Errorf("verified = %+v", v)
	}
	if it := e.myTraining("emp")["SAFE"]; it.Status != "compliant" || it.PendingCompletion || it.LastCompletedOn != "2026-10-01" || it.ExpiresOn != "2027-10-01" {
		t.Errorf("after verification: %+v", it)
	}
	ver := e.auditEntry(c.ID, "completion.verify")
	if ver.Actor != e.people["mgr"].ID || fieldsOf(t, ver.Before)["state"] != "pending" || fieldsOf(t, ver.After)["state"] != "accepted" {
		t.Errorf("verify audit = actor %s before %s after %s", ver.Actor, ver.Before, ver.After)
	}

	// A second decision: 409.
	before = e.written(emp.ID)
	wantProblem(t, e.do("POST", "/api/v1/completions/"+c.ID+"/verify", e.tokens["mgr"], nil), http.StatusConflict)
	wantProblem(t, e.do("POST", "/api/v1/completions/"+c.ID+"/reject", e.tokens["boss"], map[string]string{"reason": "too late"}), http.StatusConflict)
	e.wantUnchanged(before, emp.ID)

	// Anyone above the line manager may verify too.
	e.must(http.StatusOK, "POST", "/api/v1/completions/"+n.ID+"/verify", e.tokens["boss"], nil)
	if it := e.myTraining("newbie")["SAFE"]; it.Status != "compliant" {
		t.Errorf("newbie after the boss verified: %+v", it)
	}

	// Reject needs a reason.
	c2 := decode[jCompletion](t, e.must(http.StatusCreated, "POST", "/api/v1/me/completions", e.tokens["emp2"], map[string]string{"course_code": "SAFE", "completed_on": "2026-10-20"}))
	before = e.written(emp2.ID)
	wantProblem(t, e.do("POST", "/api/v1/completions/"+c2.ID+"/reject", e.tokens["mgr"], nil), http.StatusUnprocessableEntity, "reason")
	wantProblem(t, e.do("POST", "/api/v1/completions/"+c2.ID+"/reject", e.tokens["mgr"], map[string]string{"reason": "   "}), http.StatusUnprocessableEntity, "reason")
	wantProblem(t, e.do("POST", "/api/v1/completions/"+c2.ID+"/reject", e.tokens["mgr"], map[string]any{"reason": 42}), http.StatusUnprocessableEntity, "reason")
	wantProblem(t, e.do("POST", "/api/v1/completions/"+c2.ID+"/reject", e.tokens["mgr"], map[string]any{"why": "no"}), http.StatusUnprocessableEntity, "why")
	e.wantUnchanged(before, emp2.ID)
	rej := decode[jCompletion](t, e.must(http.StatusOK, "POST", "/api/v1/completions/"+c2.ID+"/reject", e.tokens["mgr"], map[string]string{"reason": "that session was cancelled"}))
	if rej.State != "rejected" || rej.Review == nil || rej.Review.Reason != "that session was cancelled" {
		t.Errorf("rejected = %+v", rej)
	}
	if it := e.myTraining("emp2")["SAFE"]; it.Status != "overdue" || it.PendingCompletion {
		t.Errorf("after rejection: %+v", it)
	}
	ra := e.auditEntry(c2.ID, "completion.reject")
	if fieldsOf(t, ra.After)["state"] != "rejected" || fieldsOf(t, ra.After)["reason"] != "that session was cancelled" {
		t.Errorf("reject audit after %s", ra.After)
	}

	// HR revokes with a reason; the status goes back. Twice: 409.
	before = e.written(emp.ID)
	wantProblem(t, e.do("POST", "/api/v1/completions/"+c.ID+"/revoke", hr, nil), http.StatusUnprocessableEntity, "reason")
	wantProblem(t, e.do("POST", "/api/v1/completions/"+c.ID+"/revoke", hr, map[string]string{"reason": strings.Repeat("x", 1001)}), http.StatusUnprocessableEntity, "reason")
	wantProblem(t, e.do("POST", "/api/v1/completions/"+c.ID+"/revoke", e.tokens["mgr"], map[string]string{"reason": "managers cannot"}), http.StatusForbidden)
	e.wantUnchanged(before, emp.ID)
	rv := decode[jCompletion](t, e.must(http.StatusOK, "POST", "/api/v1/completions/"+c.ID+"/revoke", hr, map[string]string{"reason": "attended a different course"}))
	if rv.State != "revoked" || rv.Revocation == nil || rv.Revocation.Reason != "attended a different course" || rv.Revocation.By != e.hrID() {
		t.Errorf("revoked = %+v", rv)
	}
	if it := e.myTraining("emp")["SAFE"]; it.Status != "overdue" || it.LastCompletedOn != "" || it.ExpiresOn != "" {
		t.Errorf("after revocation: %+v", it)
	}
	before = e.written(emp.ID)
	wantProblem(t, e.do("POST", "/api/v1/completions/"+c.ID+"/revoke", hr, map[string]string{"reason": "again"}), http.StatusConflict)
	e.wantUnchanged(before, emp.ID)
	// A revoked completion cannot be verified back to life either.
	wantProblem(t, e.do("POST", "/api/v1/completions/"+c.ID+"/verify", e.tokens["mgr"], nil), http.StatusConflict)

	// Nothing was edited or deleted: the record is there, with its review and revocation.
	list := e.completions(emp.ID)
	if len(list) != 1 || list[0].State != "revoked" || list[0].Review == nil {
		t.Errorf("emp's completions = %+v", list)
	}
	rva := e.auditEntry(c.ID, "completion.revoke")
	if rva.Actor != e.hrID() || fieldsOf(t, rva.Before)["state"] != "accepted" || fieldsOf(t, rva.After)["state"] != "revoked" ||
		fieldsOf(t, rva.After)["reason"] != "attended a different course" {
		t.Errorf("revoke audit = actor %s before %s after %s", rva.Actor, rva.Before, rva.After)
	}
	// A completion that does not exist.
	wantProblem(t, e.do("POST", "/api/v1/completions/000000000000000000000000/verify", e.tokens["mgr"], nil), http.StatusNotFound)

	// HR-only verification: a manager may not verify.
	e.must(http.StatusCreated, "POST", "/api/v1/courses", hr, map[string]any{
		"code": "FIRE", "title": "Fire warden", "applies_to": map[string]any{"kinds": []string{"staff"}},
		"effective_from": "2020-01-01", "verification": "hr",
	})
	f := decode[jCompletion](t, e.must(http.StatusCreated, "POST", "/api/v1/me/completions", e.tokens["emp"], map[string]string{"course_code": "FIRE", "completed_on": "2026-10-01"}))
	wantProblem(t, e.do("POST", "/api/v1/completions/"+f.ID+"/verify", e.tokens["mgr"], nil), http.StatusForbidden)
	if got := decode[jCompletion](t, e.must(http.StatusOK, "POST", "/api/v1/completions/"+f.ID+"/verify", hr, nil)); got.State != "accepted" {
		t.Errorf("HR verification of FIRE = %+v", got)
	}
	// HR recording a completion needs no verification.
	h := e.recordByHR(emp2.ID, "SAFE", "2026-10-02")
	if h.State != "accepted" || h.Source != "hr" {
		t.Errorf("HR-recorded completion = %+v", h)
	}
}

// ---------------------------------------------------------------------------
// 6. Exemptions.

func TestExemptions(t *testing.T) {
	e := newEnv(t)
	hr := e.tokens["hr"]
	emp := e.addPerson("emp", "", nil)
	e.giveAccount("emp")
	con := e.addPerson("con", "", map[string]any{"kind": "contractor"})
	if it := e.training(emp.ID)["PREVENT"]; it.Status != "overdue" {
		t.Fatalf("before: %+v", it)
	}

	// Bad grants: 422 with the field named, nothing written.
	before := e.written(emp.ID, con.ID)
	for _, tc := range []struct {
		name   string
		person string
		body   any
		fields []string
	}{
		{"until in the past", emp.ID, map[string]any{"course_code": "PREVENT", "reason": "sick leave", "until": "2026-11-01"}, []string{"until"}},
		{"until not a date", emp.ID, map[string]any{"course_code": "PREVENT", "reason": "sick leave", "until": "next year"}, []string{"until"}},
		{"no reason", emp.ID, map[string]any{"course_code": "PREVENT", "until": "2027-01-01"}, []string{"reason"}},
		{"blank reason and no course", emp.ID, map[string]any{"reason": "  "}, []string{"reason", "course_code"}},
		{"until not a date and no reason", emp.ID, map[string]any{"course_code": "PREVENT", "until": "31/03/2027"}, []string{"until", "reason"}},
		{"unknown course", emp.ID, map[string]any{"course_code": "NOPE", "reason": "sick leave"}, []string{"course_code"}},
		{"course not applicable", con.ID, map[string]any{"course_code": "PREVENT", "reason": "sick leave"}, []string{"course_code"}},
		{"number for a string", emp.ID, map[string]any{"course_code": "PREVENT", "reason": 7}, []string{"reason"}},
		{"unknown field", emp.ID, map[string]any{"course_code": "PREVENT", "reason": "sick leave", "from": "2026-11-02"}, []string{"from"}},
	} {
		t.Run(tc.name, func(t *testing.T) {
			wantProblem(t, e.do("POST", "/api/v1/people/"+tc.person+"/exemptions", hr, tc.body), http.StatusUnprocessableEntity, tc.fields...)
		})
	}
	wantProblem(t, e.do("POST", "/api/v1/people/"+emp.ID+"/exemptions", e.tokens["emp"], map[string]any{"course_code": "PREVENT", "reason": "I'd rather not"}), http.StatusForbidden)
	e.wantUnchanged(before, emp.ID, con.ID)

	// Grant with an end date: exempt, with the reason and the date.
	r := e.must(http.StatusCreated, "POST", "/api/v1/people/"+emp.ID+"/exemptions", hr,
		map[string]any{"course_code": "PREVENT", "reason": "long-term sick leave", "until": "2027-03-31"})
	x := r.json(t)
	id, _ := x["id"].(string)
	if id == "" || x["person_id"] != emp.ID || x["course_code"] != "PREVENT" || x["until"] != "2027-03-31" || x["reason"] != "long-term sick leave" {
		t.Errorf("exemption = %v", x)
	}
	it := e.myTraining("emp")["PREVENT"]
	if it.Status != "exempt" || it.ExemptUntil != "2027-03-31" || it.ExemptionReason != "long-term sick leave" ||
		!strings.Contains(it.Explanation, "2027-03-31") || it.DueOn != "2024-04-29" {
		t.Errorf("exempt item = %+v", it)
	}
	grant := e.auditEntry(id, "exemption.grant")
	if grant.Actor != e.hrID() || fieldsOf(t, grant.After)["reason"] != "long-term sick leave" || string(grant.Before) != "null" {
		t.Errorf("grant audit = %+v", grant)
	}

	// DELETE: the status goes back; twice: 409.
	e.must(http.StatusNoContent, "DELETE", "/api/v1/exemptions/"+id, hr, nil)
	if it := e.myTraining("emp")["PREVENT"]; it.Status != "overdue" || it.ExemptUntil != "" || it.ExemptionReason != "" {
		t.Errorf("after removal: %+v", it)
	}
	before = e.written(emp.ID)
	wantProblem(t, e.do("DELETE", "/api/v1/exemptions/"+id, hr, nil), http.StatusConflict)
	wantProblem(t, e.do("DELETE", "/api/v1/exemptions/000000000000000000000000", hr, nil), http.StatusNotFound)
	e.wantUnchanged(before, emp.ID)
	rm := e.auditEntry(id, "exemption.remove")
	if fieldsOf(t, rm.Before)["removed"] != false || fieldsOf(t, rm.After)["removed"] != true {
		t.Errorf("remove audit before %s after %s", rm.Before, rm.After)
	}
	// Removed, not deleted: still listed.
	ex := decode[struct{ Items []map[string]any }](t, e.must(http.StatusOK, "GET", "/api/v1/people/"+emp.ID+"/exemptions", hr, nil)).Items
	if len(ex) != 1 || ex[0]["removal"] == nil {
		t.Errorf("exemptions after removal = %v", ex)
	}

	// An exemption until today counts today and lapses tomorrow.
	e.must(http.StatusCreated, "POST", "/api/v1/people/"+emp.ID+"/exemptions", hr,
		map[string]any{"course_code": "PREVENT", "reason": "on secondment", "until": "2026-11-02"})
	if it := e.training(emp.ID)["PREVENT"]; it.Status != "exempt" || it.ExemptUntil != "2026-11-02" {
		t.Errorf("exempt until today: %+v", it)
	}
	e.clock.Advance(24 * time.Hour)
	e.signIn("hr")
	if it := e.training(emp.ID)["PREVENT"]; it.Status != "overdue" {
		t.Errorf("the day after the exemption ended: %+v", it)
	}
	// With no end date.
	e.must(http.StatusCreated, "POST", "/api/v1/people/"+emp.ID+"/exemptions", e.tokens["hr"],
		map[string]any{"course_code": "PREVENT", "reason": "elected Member's carer"})
	if it := e.training(emp.ID)["PREVENT"]; it.Status != "exempt" || it.ExemptUntil != "" {
		t.Errorf("exempt with no end date: %+v", it)
	}
}

// ---------------------------------------------------------------------------
// 7. Team view.

func TestTeamView(t *testing.T) {
	e := newEnv(t)
	hr := e.tokens["hr"]
	e.must(http.StatusCreated, "POST", "/api/v1/courses", hr, map[string]any{
		"code": "WRAP", "title": "Workshop to Raise Awareness of Prevent", "delivery": "classroom",
		"applies_to": map[string]any{"kinds": []string{"staff"}}, "effective_from": "2020-01-01",
	})
	// boss ── mgr ── amy (compliant), bob (new starter: due), cal ── dan (overdue), eli (overdue)
	//             └─ lea (left)
	// other ── olly
	e.addPerson("boss", "", nil)
	e.addPerson("mgr", "boss", nil)
	e.addPerson("amy", "mgr", nil)
	e.addPerson("bob", "mgr", map[string]any{"start_date": "2026-10-20"})
	e.addPerson("cal", "mgr", nil)
	e.addPerson("dan", "cal", nil)
	e.addPerson("eli", "cal", nil)
	e.addPerson("lea", "mgr", map[string]any{"end_date": "2026-10-31"})
	e.addPerson("other", "", nil)
	e.addPerson("olly", "other", nil)
	for _, n := range []string{"boss", "mgr", "other", "amy"} {
		e.giveAccount(n)
	}
	e.recordByHR(e.people["amy"].ID, "PREVENT", "2026-09-01")
	e.recordByHR(e.people["amy"].ID, "WRAP", "2026-09-01")
	e.recordByHR(e.people["bob"].ID, "WRAP", "2026-10-25")
	e.recordByHR(e.people["cal"].ID, "WRAP", "2026-10-25")

	team := func(who, query string) jTeam {
		t.Helper()
		return decode[jTeam](t, e.must(http.StatusOK, "GET", "/api/v1/team"+query, e.tokens[who], nil))
	}
	names := func(tm jTeam) []string {
		var out []string
		for _, m := range tm.Items {
			out = append(out, m.EmployeeNumber)
		}
		return out
	}

	// Overdue first (cal, dan, eli by name), then due (bob), then compliant (amy).
	all := team("mgr", "")
	if got, want := names(all), []string{"EMP-cal", "EMP-dan", "EMP-eli", "EMP-bob", "EMP-amy"}; !slices.Equal(got, want) {
		t.Errorf("team of mgr = %v, want %v", got, want)
	}
	for _, m := range all.Items {
		items := itemsByCourse(m.Training)
		if len(items) != 2 || items["PREVENT"].Status == "" || items["WRAP"].Status == "" {
			t.Errorf("%s's training = %+v", m.EmployeeNumber, m.Training)
		}
		if m.ID == "" || m.Department == "" {
			t.Errorf("team member lacks person fields: %+v", m.jPerson)
		}
	}
	want := map[string][2]string{ // PREVENT, WRAP
		"EMP-amy": {"compliant", "compliant"}, "EMP-bob": {"due", "compliant"}, "EMP-cal": {"overdue", "compliant"},
		"EMP-dan": {"overdue", "overdue"}, "EMP-eli": {"overdue", "overdue"},
	}
	for _, m := range all.Items {
		items := itemsByCourse(m.Training)
		if w := want[m.EmployeeNumber]; items["PREVENT"].Status != w[0] || items["WRAP"].Status != w[1] {
			t.Errorf("%s: PREVENT %s WRAP %s, want %v", m.EmployeeNumber, items["PREVENT"].Status, items["WRAP"].Status, w)
		}
		if m.EmployeeNumber == "EMP-dan" && (m.ManagerEmployeeNumber != "EMP-cal" || items["PREVENT"].DueOn != "2024-04-29") {
			t.Errorf("dan in the team view: %+v %+v", m.jPerson, items["PREVENT"])
		}
	}

	// Filters.
	for _, tc := range []struct {
		who, query string
		want       []string
		course     string // when set, every member's items are this course only
	}{
		{"mgr", "?status=overdue", []string{"EMP-cal", "EMP-dan", "EMP-eli"}, ""},
		{"mgr", "?status=compliant", []string{"EMP-cal", "EMP-bob", "EMP-amy"}, ""}, // compliant for at least one course
		{"mgr", "?status=due", []string{"EMP-bob"}, ""},
		{"mgr", "?course_code=WRAP", []string{"EMP-dan", "EMP-eli", "EMP-amy", "EMP-bob", "EMP-cal"}, "WRAP"},
		{"mgr", "?course_code=WRAP&status=compliant", []string{"EMP-amy", "EMP-bob", "EMP-cal"}, "WRAP"},
		{"mgr", "?course_code=PREVENT&status=compliant", []string{"EMP-amy"}, "PREVENT"},
		{"mgr", "?status=expired", nil, ""},
		{"boss", "", []string{"EMP-cal", "EMP-dan", "EMP-eli", "EMP-mgr", "EMP-bob", "EMP-amy"}, ""},
		{"other", "", []string{"EMP-olly"}, ""},
		{"amy", "", nil, ""},
		{"hr", "", nil, ""}, // HR manages nobody: the team view is the reporting line, not everyone
	} {
		t.Run(tc.who+tc.query, func(t *testing.T) {
			tm := team(tc.who, tc.query)
			if got := names(tm); !slices.Equal(got, tc.want) {
				t.Errorf("team = %v, want %v", got, tc.want)
			}
			if tc.course != "" {
				for _, m := range tm.Items {
					if len(m.Training) != 1 || m.Training[0].CourseCode != tc.course {
						t.Errorf("%s's training with course filter %s: %+v", m.EmployeeNumber, tc.course, m.Training)
					}
				}
			}
		})
	}
	wantProblem(t, e.do("GET", "/api/v1/team?status=late", e.tokens["mgr"], nil), http.StatusUnprocessableEntity, "status")
	wantProblem(t, e.do("GET", "/api/v1/team?course_code=NOPE", e.tokens["mgr"], nil), http.StatusUnprocessableEntity, "course_code")

	// Paging through the team gives everyone once, in the same order.
	var paged []string
	cursor := ""
	for range 10 {
		q := "?limit=2"
		if cursor != "" {
			q += "&cursor=" + url.QueryEscape(cursor)
		}
		page := team("mgr", q)
		paged = append(paged, names(page)...)
		if cursor = page.NextCursor; cursor == "" {
			break
		}
	}
	if !slices.Equal(paged, names(all)) {
		t.Errorf("paged team %v, want %v", paged, names(all))
	}

	// A team member's training changes the order at once.
	e.recordByHR(e.people["dan"].ID, "PREVENT", "2026-10-01")
	e.recordByHR(e.people["dan"].ID, "WRAP", "2026-10-01")
	if got, want := names(team("mgr", "?status=overdue")), []string{"EMP-cal", "EMP-eli"}; !slices.Equal(got, want) {
		t.Errorf("overdue after dan trained = %v, want %v", got, want)
	}
}

// ---------------------------------------------------------------------------
// 8. Reports.

var reportHeader = []string{"employee_number", "given_name", "family_name", "kind", "department", "job_title",
	"manager_employee_number", "group", "course_code", "status", "due_on", "expires_on", "last_completed_on", "explanation"}

// reportCSV fetches a report as CSV and returns its rows by employee number.
func (e *env) reportCSV(query string, headers ...string) (map[string]map[string]string, response) {
	e.t.Helper()
	r := e.send("GET", "/api/v1/reports/compliance?"+query, e.tokens["hr"], "", nil, headers...)
	if r.Status != http.StatusOK {
		e.t.Fatalf("report %s: %d %s", query, r.Status, r.Body)
	}
	if ct := r.Header.Get("Content-Type"); !strings.HasPrefix(ct, "text/csv") {
		e.t.Fatalf("report CSV Content-Type %q", ct)
	}
	recs, err := csv.NewReader(bytes.NewReader(r.Body)).ReadAll()
	if err != nil {
		e.t.Fatalf("report is not CSV: %v\n%s", err, r.Body)
	}
	if len(recs) == 0 || !slices.Equal(recs[0], reportHeader) {
		e.t.Fatalf("report header = %v, want %v", recs, reportHeader)
	}
	out := map[string]map[string]string{}
	for _, rec := range recs[1:] {
		row := map[string]string{}
		for i, h := range reportHeader {
			row[h] = rec[i]
		}
		if _, dup := out[row["employee_number"]]; dup {
			e.t.Errorf("%s listed twice in the report", row["employee_number"])
		}
		out[row["employee_number"]] = row
	}
	return out, r
}

func (e *env) report(query string) jReport {
	e.t.Helper()
	rep := decode[jReport](e.t, e.must(http.StatusOK, "GET", "/api/v1/reports/compliance?"+query, e.tokens["hr"], nil))
	for _, g := range append([]jGroup{{Key: "totals", jCounts: rep.Totals}}, rep.Groups...) {
		if g.CompliancePct != pct(g.jCounts) {
			e.t.Errorf("%s: compliance_pct %v, want (compliant+expiring)/(applicable-exempt) = %v", g.Key, g.CompliancePct, pct(g.jCounts))
		}
	}
	return rep
}

func TestComplianceReports(t *testing.T) {
	e := newEnv(t)
	hr := e.tokens["hr"]
	// Today is 2026-11-02.
	e.addPerson("h1", "", map[string]any{"department": "Housing"})
	e.addPerson("h2", "h1", map[string]any{"department": "Housing"})
	e.addPerson("h3", "h1", map[string]any{"department": "Housing"})
	e.addPerson("h4", "", map[string]any{"department": "Housing"})
	e.addPerson("h5", "h1", map[string]any{"department": "Housing", "end_date": "2026-10-31"}) // leaver
	e.addPerson("f1", "", map[string]any{"department": "Finance"})
	e.addPerson("f2", "f1", map[string]any{"department": "Finance", "start_date": "2026-10-20"}) // new starter
	e.addPerson("f3", "", map[string]any{"department": "Finance"})
	e.addPerson("c1", "f1", map[string]any{"department": "Finance", "kind": "contractor"}) // not applicable
	e.addPerson("m1", "", map[string]any{"department": "Members", "kind": "member", "job_title": "Councillor"})
	e.recordByHR(e.people["h1"].ID, "PREVENT", "2026-10-01") // compliant
	e.recordByHR(e.people["h2"].ID, "PREVENT", "2023-11-20") // expires 2026-11-20: expiring
	e.recordByHR(e.people["f1"].ID, "PREVENT", "2023-01-10") // expired 2026-01-10
	e.recordByHR(e.people["f3"].ID, "PREVENT", "2025-06-30") // compliant
	e.recordByHR(e.people["h5"].ID, "PREVENT", "2025-06-30") // a leaver's record does not count
	e.must(http.StatusCreated, "POST", "/api/v1/people/"+e.people["h4"].ID+"/exemptions", hr, map[string]any{"course_code": "PREVENT", "reason": "career break"})
	// The first HR account is staff too: in Human Resources, started today, so due.
	hrNumber := e.getPerson(e.hrID()).EmployeeNumber

	wantStatus := map[string]string{
		"EMP-h1": "compliant", "EMP-h2": "expiring", "EMP-h3": "overdue", "EMP-h4": "exempt",
		"EMP-f1": "expired", "EMP-f2": "due", "EMP-f3": "compliant", "EMP-m1": "overdue", hrNumber: "due",
	}
	// Each person's status in the report is what their status page says.
	for num := range wantStatus {
		p := e.listPeople("q=" + url.QueryEscape(num))
		if len(p) != 1 {
			t.Fatalf("cannot find %s: %v", num, numbersOf(p))
		}
		if got := e.training(p[0].ID)["PREVENT"].Status; got != wantStatus[num] {
			t.Errorf("%s status page says %s, want %s", num, got, wantStatus[num])
		}
	}

	rep := e.report("course_code=PREVENT&group_by=department")
	if rep.AsOf != "2026-11-02" || rep.CourseCode != "PREVENT" {
		t.Errorf("report as_of %q course %q", rep.AsOf, rep.CourseCode)
	}
	wantTotals := jCounts{Applicable: 9, Exempt: 1, Compliant: 2, Expiring: 1, Due: 2, Overdue: 2, Expired: 1, CompliancePct: 37.5}
	if rep.Totals != wantTotals {
		t.Errorf("totals = %+v, want %+v", rep.Totals, wantTotals)
	}
	wantGroups := []jGroup{
		{Key: "Finance", jCounts: jCounts{Applicable: 3, Compliant: 1, Due: 1, Expired: 1, CompliancePct: 33.3}},
		{Key: "Housing", jCounts: jCounts{Applicable: 4, Exempt: 1, Compliant: 1, Expiring: 1, Overdue: 1, CompliancePct: 66.7}},
		{Key: "Human Resources", jCounts: jCounts{Applicable: 1, Due: 1, CompliancePct: 0}},
		{Key: "Members", jCounts: jCounts{Applicable: 1, Overdue: 1, CompliancePct: 0}},
	}
	if !slices.Equal(rep.Groups, wantGroups) {
		t.Errorf("groups by department =\n %+v\nwant\n %+v", rep.Groups, wantGroups)
	}
	// Department is the default grouping; the course may be left out while there is one course.
	if def := e.report(""); def.Totals != wantTotals || !slices.Equal(def.Groups, wantGroups) {
		t.Errorf("default report = %+v", def)
	}

	byManager := e.report("course_code=PREVENT&group_by=manager")
	wantMgr := map[string]int{"(no line manager)": 6, "H1 Tester (EMP-h1)": 2, "F1 Tester (EMP-f1)": 1}
	gotMgr := map[string]int{}
	for _, g := range byManager.Groups {
		gotMgr[g.Key] = g.Applicable
	}
	if fmt.Sprint(gotMgr) != fmt.Sprint(wantMgr) || byManager.Totals != wantTotals {
		t.Errorf("by manager = %v (totals %+v), want %v", gotMgr, byManager.Totals, wantMgr)
	}
	byKind := e.report("course_code=PREVENT&group_by=kind")
	if len(byKind.Groups) != 2 || byKind.Groups[0].Key != "member" || byKind.Groups[0].Applicable != 1 ||
		byKind.Groups[1].Key != "staff" || byKind.Groups[1].Applicable != 8 || byKind.Totals != wantTotals {
		t.Errorf("by kind = %+v", byKind.Groups)
	}

	// CSV: a header and one line per applicable person, by ?format= or Accept.
	rows, r := e.reportCSV("course_code=PREVENT&group_by=department&format=csv")
	if cd := r.Header.Get("Content-Disposition"); !strings.HasPrefix(cd, "attachment") {
		t.Errorf("CSV Content-Disposition %q", cd)
	}
	if len(rows) != len(wantStatus) {
		t.Errorf("CSV has %d people, want %d", len(rows), len(wantStatus))
	}
	for num, st := range wantStatus {
		if rows[num]["status"] != st || rows[num]["course_code"] != "PREVENT" {
			t.Errorf("CSV %s: %v, want status %s", num, rows[num], st)
		}
	}
	if h2 := rows["EMP-h2"]; h2["expires_on"] != "2026-11-20" || h2["last_completed_on"] != "2023-11-20" || h2["department"] != "Housing" ||
		h2["manager_employee_number"] != "EMP-h1" || h2["group"] != "Housing" || !strings.Contains(h2["explanation"], "2026-11-20") {
		t.Errorf("CSV line for h2 = %v", h2)
	}
	if f2 := rows["EMP-f2"]; f2["due_on"] != "2026-11-17" {
		t.Errorf("CSV line for f2 = %v", f2)
	}
	accepted, _ := e.reportCSV("course_code=PREVENT", "Accept", "text/csv")
	if fmt.Sprint(accepted) != fmt.Sprint(rows) {
		t.Errorf("Accept: text/csv gives another list than ?format=csv")
	}

	// Bad requests.
	for _, tc := range []struct{ query, field string }{
		{"course_code=PREVENT&group_by=colour", "group_by"},
		{"course_code=PREVENT&as_of=2026-11-03", "as_of"},
		{"course_code=PREVENT&as_of=2026-02-30", "as_of"},
		{"course_code=PREVENT&as_of=yesterday", "as_of"},
		{"course_code=NOPE", "course_code"},
		{"course_code=PREVENT&format=xml", "format"},
	} {
		t.Run(tc.query, func(t *testing.T) {
			wantProblem(t, e.do("GET", "/api/v1/reports/compliance?"+tc.query, hr, nil), http.StatusUnprocessableEntity, tc.field)
		})
	}
	t.Run("every bad parameter named at once", func(t *testing.T) {
		wantProblem(t, e.do("GET", "/api/v1/reports/compliance?course_code=NOPE&group_by=colour&as_of=yesterday", hr, nil),
			http.StatusUnprocessableEntity, "course_code", "group_by", "as_of")
	})
	// With two courses the course must be named.
	e.must(http.StatusCreated, "POST", "/api/v1/courses", hr, map[string]any{"code": "WRAP", "title": "WRAP", "applies_to": map[string]any{"kinds": []string{"staff"}}, "effective_from": "2020-01-01"})
	wantProblem(t, e.do("GET", "/api/v1/reports/compliance", hr, nil), http.StatusUnprocessableEntity, "course_code")
}

// TestReportAsOfAgreesWithStatusPages drives the clock through several
// days of completions, revocations, exemptions and a department change,
// writes down what the status pages said each day, and then asks for the
// report as of each of those days.
func TestReportAsOfAgreesWithStatusPages(t *testing.T) {
	e := newEnv(t)
	hr := func() string { return e.tokens["hr"] }
	for _, n := range []string{"p1", "p2", "p3", "p4", "p5"} {
		e.addPerson(n, "", map[string]any{"department": "Housing"})
	}
	e.addPerson("p7", "", map[string]any{"department": "Finance", "start_date": "2026-10-05"}) // due until 2026-11-02, then overdue
	hrNumber := e.getPerson(e.hrID()).EmployeeNumber

	type seen struct{ status, department string }
	days := map[string]map[string]seen{} // day -> employee number -> what the pages said
	observe := func() string {
		t.Helper()
		day := e.clock.Now().Format("2006-01-02")
		got := map[string]seen{}
		for _, p := range e.listPeople("limit=500") {
			it, ok := e.training(p.ID)["PREVENT"]
			if !ok {
				continue // not applicable (or left)
			}
			one := e.getPerson(p.ID)
			got[p.EmployeeNumber] = seen{it.Status, one.Department}
		}
		days[day] = got
		return day
	}
	next := func() {
		e.clock.Advance(24 * time.Hour)
		e.signIn("hr")
	}
	id := func(n string) string { return e.people[n].ID }

	// Day 0 (2026-11-02): p2 trained.
	c2 := e.recordByHR(id("p2"), "PREVENT", "2026-11-01")
	d0 := observe()

	// Day 1: p1 trained today; p3 exempt; p7's window has closed.
	next()
	e.recordByHR(id("p1"), "PREVENT", "2026-11-03")
	x3 := e.must(http.StatusCreated, "POST", "/api/v1/people/"+id("p3")+"/exemptions", hr(), map[string]any{"course_code": "PREVENT", "reason": "maternity leave"}).json(t)["id"].(string)
	d1 := observe()

	// Day 2: p2's completion revoked; p4 moves to Finance; p5 leaves today (still here today).
	next()
	e.must(http.StatusOK, "POST", "/api/v1/completions/"+c2.ID+"/revoke", hr(), map[string]string{"reason": "certificate was for someone else"})
	e.must(http.StatusOK, "PATCH", "/api/v1/people/"+id("p4"), hr(), map[string]any{"department": "Finance"})
	e.must(http.StatusOK, "PATCH", "/api/v1/people/"+id("p5"), hr(), map[string]any{"end_date": "2026-11-04"})
	d2 := observe()

	// Day 3: p3's exemption removed; p4 recorded with a backdated
	// completion (dated day 0, recorded today: it must not count for days 0-2);
	// a new starter joins; p5 has left.
	next()
	e.must(http.StatusNoContent, "DELETE", "/api/v1/exemptions/"+x3, hr(), nil)
	e.recordByHR(id("p4"), "PREVENT", "2026-11-02")
	e.addPerson("p6", "", map[string]any{"department": "Finance", "start_date": "2026-11-05"})
	d3 := observe()

	// Day 4: a quiet day.
	next()
	d4 := observe()

	// Sanity: the story happened as planned.
	checks := []struct {
		day, num, want string
	}{
		{d0, "EMP-p1", "overdue"}, {d0, "EMP-p2", "compliant"}, {d0, "EMP-p7", "due"},
		{d1, "EMP-p1", "compliant"}, {d1, "EMP-p3", "exempt"}, {d1, "EMP-p7", "overdue"},
		{d2, "EMP-p2", "overdue"}, {d2, "EMP-p5", "overdue"},
		{d3, "EMP-p3", "overdue"}, {d3, "EMP-p4", "compliant"}, {d3, "EMP-p6", "due"},
	}
	for _, c := range checks {
		if got := days[c.day][c.num].status; got != c.want {
			t.Errorf("on %s %s's page said %q, planned %q", c.day, c.num, got, c.want)
		}
	}
	if days[d2]["EMP-p4"].department != "Finance" || days[d1]["EMP-p4"].department != "Housing" {
		t.Errorf("p4's department: day 1 %q, day 2 %q", days[d1]["EMP-p4"].department, days[d2]["EMP-p4"].department)
	}
	if _, ok := days[d3]["EMP-p5"]; ok {
		t.Errorf("p5 still applicable after leaving: %+v", days[d3]["EMP-p5"])
	}
	if _, ok := days[d0][hrNumber]; !ok {
		t.Errorf("HR's own record is not on the pages on day 0")
	}

	// The reports agree, day by day, person by person and in total.
	for _, day := range []string{d0, d1, d2, d3, d4} {
		t.Run("as_of "+day, func(t *testing.T) {
			pages := days[day]
			rows, _ := e.reportCSV("course_code=PREVENT&group_by=department&format=csv&as_of=" + day)
			for num, s := range pages {
				row, ok := rows[num]
				switch {
				case !ok:
					t.Errorf("%s: page said %s, the report leaves them out", num, s.status)
				case row["status"] != s.status:
					t.Errorf("%s: page said %s, the report says %s (%s)", num, s.status, row["status"], row["explanation"])
				case row["department"] != s.department || row["group"] != s.department && s.department != "":
					t.Errorf("%s: department %q that day, the report says %q (group %q)", num, s.department, row["department"], row["group"])
				}
			}
			for num, row := range rows {
				if _, ok := pages[num]; !ok {
					t.Errorf("%s is in the report (%s) but had no PREVENT status that day", num, row["status"])
				}
			}
			want := jCounts{Applicable: len(pages)}
			groups := map[string]*jCounts{}
			for _, s := range pages {
				key := s.department
				if key == "" {
					key = "(no department)"
				}
				if groups[key] == nil {
					groups[key] = &jCounts{}
				}
				for _, c := range []*jCounts{&want, groups[key]} {
					if c != &want {
						c.Applicable++
					}
					switch s.status {
					case "exempt":
						c.Exempt++
					case "compliant":
						c.Compliant++
					case "expiring":
						c.Expiring++
					case "due":
						c.Due++
					case "overdue":
						c.Overdue++
					case "expired":
						c.Expired++
					}
				}
			}
			want.CompliancePct = pct(want)
			rep := e.report("course_code=PREVENT&group_by=department&as_of=" + day)
			if rep.AsOf != day {
				t.Errorf("report as_of %q", rep.AsOf)
			}
			if rep.Totals != want {
				t.Errorf("totals %+v, the pages add up to %+v", rep.Totals, want)
			}
			var keys []string
			for k := range groups {
				keys = append(keys, k)
			}
			sort.Strings(keys)
			var wantGroups []jGroup
			for _, k := range keys {
				g := *groups[k]
				g.CompliancePct = pct(g)
				wantGroups = append(wantGroups, jGroup{Key: k, jCounts: g})
			}
			if !slices.Equal(rep.Groups, wantGroups) {
				t.Errorf("groups %+v, the pages add up to %+v", rep.Groups, wantGroups)
			}
		})
	}
}

// ---------------------------------------------------------------------------
// 9. Audit.

func TestAuditTrail(t *testing.T) {
	e := newEnv(t)
	hrID := e.hrID()
	start := e.clock.Now()
	e.addPerson("mgr", "", nil)
	e.addPerson("mgr2", "", nil)
	emp := e.addPerson("emp", "mgr", map[string]any{"department": "Housing", "job_title": "Officer"})
	e.giveAccount("emp")

	// Create: no before, the whole record after, by HR, now.
	c := e.auditEntry(emp.ID, "person.create")
	if c.Actor != hrID || c.Entity != "person" || string(c.Before) != "null" || !c.At.Equal(start) {
		t.Errorf("person.create = %+v (want actor %s at %s)", c, hrID, start)
	}
	if a := fieldsOf(t, c.After); a["employee_number"] != "EMP-emp" || a["department"] != "Housing" || a["manager_id"] != e.people["mgr"].ID {
		t.Errorf("person.create after = %s", c.After)
	}

	// Update: before and after hold the old and new values.
	e.clock.Advance(time.Hour)
	e.signIn("hr")
	hr := e.tokens["hr"]
	e.must(http.StatusOK, "PATCH", "/api/v1/people/"+emp.ID, hr, map[string]any{
		"department": "Finance", "job_title": "Senior Officer", "manager_employee_number": "EMP-mgr2"})
	u := e.auditEntry(emp.ID, "person.update")
	b, a := fieldsOf(t, u.Before), fieldsOf(t, u.After)
	if u.Actor != hrID || !u.At.Equal(start.Add(time.Hour)) {
		t.Errorf("person.update actor %s at %s", u.Actor, u.At)
	}
	for k, want := range map[string][2]any{
		"department": {"Housing", "Finance"}, "job_title": {"Officer", "Senior Officer"},
		"manager_id": {e.people["mgr"].ID, e.people["mgr2"].ID}, "given_name": {"Emp", "Emp"}, "start_date": {"2024-04-01", "2024-04-01"},
	} {
		if b[k] != want[0] || a[k] != want[1] {
			t.Errorf("person.update %s: before %v after %v, want %v", k, b[k], a[k], want)
		}
	}
	// A PATCH that changes nothing writes nothing.
	n := len(e.audit(emp.ID))
	e.must(http.StatusOK, "PATCH", "/api/v1/people/"+emp.ID, hr, map[string]any{"department": "Finance"})
	if got := len(e.audit(emp.ID)); got != n {
		t.Errorf("a no-op PATCH wrote %d audit entries", got-n)
	}

	// Completion record and revoke, by their actors.
	e.signIn("emp")
	pdf := tinyPDF("audit")
	r := e.postForm("/api/v1/me/completions", e.tokens["emp"],
		formField("course_code", "PREVENT"), formField("completed_on", "2026-10-01"), certFile("c.pdf", "application/pdf", pdf))
	if r.Status != http.StatusCreated {
		t.Fatalf("self-certify: %d %s", r.Status, r.Body)
	}
	done := decode[jCompletion](t, r)
	rec := e.auditEntry(done.ID, "completion.record")
	if ra := fieldsOf(t, rec.After); rec.Actor != emp.ID || rec.Entity != "completion" || ra["state"] != "accepted" ||
		ra["person_id"] != emp.ID || ra["completed_on"] != "2026-10-01" || ra["source"] != "self" || ra["certificate_sha256"] != sha(pdf) {
		t.Errorf("completion.record = actor %s after %s", rec.Actor, rec.After)
	}
	e.must(http.StatusOK, "POST", "/api/v1/completions/"+done.ID+"/revoke", hr, map[string]string{"reason": "wrong person's certificate"})
	rv := e.auditEntry(done.ID, "completion.revoke")
	rb, ra := fieldsOf(t, rv.Before), fieldsOf(t, rv.After)
	if rv.Actor != hrID || rb["state"] != "accepted" || ra["state"] != "revoked" || ra["reason"] != "wrong person's certificate" || rb["reason"] != nil {
		t.Errorf("completion.revoke = actor %s before %s after %s", rv.Actor, rv.Before, rv.After)
	}
	// HR's recording of a completion for someone.
	h := e.recordByHR(emp.ID, "PREVENT", "2026-10-05")
	if hra := e.auditEntry(h.ID, "completion.record"); hra.Actor != hrID || fieldsOf(t, hra.After)["source"] != "hr" {
		t.Errorf("HR completion.record = %+v", hra)
	}

	// Newest first over the whole log; the auditor may read it, the employee may not.
	all := e.audit("")
	for i := 1; i < len(all); i++ {
		if all[i].At.After(all[i-1].At) {
			t.Errorf("audit not newest first at %d: %s after %s", i, all[i].At, all[i-1].At)
			break
		}
	}
	e.addPerson("aud", "", nil)
	e.giveAccount("aud")
	e.must(http.StatusOK, "PUT", "/api/v1/people/"+e.people["aud"].ID+"/roles", e.tokens["hr"], map[string]any{"roles": []string{"auditor"}})
	e.signIn("aud")
	got := decode[struct{ Items []jAudit }](t, e.must(http.StatusOK, "GET", "/api/v1/audit?entity_id="+done.ID, e.tokens["aud"], nil)).Items
	if len(got) != 2 {
		t.Errorf("auditor sees %d entries about the completion, want 2", len(got))
	}
	wantProblem(t, e.do("GET", "/api/v1/audit?entity_id="+done.ID, e.tokens["emp"], nil), http.StatusForbidden)
	if other := e.audit("000000000000000000000000"); len(other) != 0 {
		t.Errorf("entries about nothing: %+v", other)
	}
}

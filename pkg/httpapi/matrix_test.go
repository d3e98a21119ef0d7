package httpapi_test

import (
	"crypto/sha256"
	"encoding/hex"
	"fmt"
	"net/http"
	"sort"
	"strings"
	"testing"

	"github.com/complytrack/complytrack/pkg/httpapi"
	"github.com/complytrack/complytrack/pkg/training"
)

// The callers of the authorization matrix, played by the cast (env.cast):
// employee is emp2 (reports to mgra), manager is mgra (manages emp and
// emp2), otherManager is mgrb (manages other only), memberServices is mso
// (the Member Services officer: manages nobody, looks after the Members),
// trainer has the trainer role and no line manager (env.castTrainers).
var callers = []string{"anonymous", "employee", "manager", "otherManager", "hr", "auditor", "memberServices", "trainer"}

var castName = map[string]string{"employee": "emp2", "manager": "mgra", "otherManager": "mgrb", "hr": "hr", "auditor": "auditor", "memberServices": "mso", "trainer": "trainer"}

// The records each caller is tried on: their own, emp's (a member of
// mgra's team), stranger's (in nobody's reporting line) and cllr's (an
// elected Member, with no line manager).
var targets = []string{"own", "team", "other", "member"}

func (e *env) targetID(caller, target string) string {
	switch target {
	case "own":
		if caller == "anonymous" {
			return e.people["emp"].ID
		}
		return e.people[castName[caller]].ID
	case "team":
		return e.people["emp"].ID
	case "member":
		return e.people["cllr"].ID
	default:
		return e.people["stranger"].ID
	}
}

// sees is the read rule the whole API follows: yourself, your reporting
// line (every Member, for Member Services), or everyone for HR and auditors.
func sees(caller, target string) bool {
	switch caller {
	case "hr", "auditor":
		return true
	case "manager":
		return target == "own" || target == "team"
	case "memberServices":
		return target == "own" || target == "member"
	case "employee", "otherManager", "trainer":
		return target == "own"
	}
	return false
}

// Expected statuses, as functions of caller and target.
func read(caller, target string) int {
	switch {
	case caller == "anonymous":
		return http.StatusUnauthorized
	case sees(caller, target):
		return http.StatusOK
	default:
		return http.StatusNotFound
	}
}

func hrWrite(ok int) func(caller, target string) int {
	return func(caller, target string) int {
		switch {
		case caller == "anonymous":
			return http.StatusUnauthorized
		case !sees(caller, target):
			return http.StatusNotFound
		case caller == "hr":
			return ok
		default:
			return http.StatusForbidden
		}
	}
}

func signedIn(ok int) func(caller, target string) int {
	return func(caller, _ string) int {
		if caller == "anonymous" {
			return http.StatusUnauthorized
		}
		return ok
	}
}

func onlyRoles(ok int, roles ...string) func(caller, target string) int {
	return func(caller, _ string) int {
		switch {
		case caller == "anonymous":
			return http.StatusUnauthorized
		case contains(roles, caller):
			return ok
		default:
			return http.StatusForbidden
		}
	}
}

func public(status int) func(caller, target string) int {
	return func(string, string) int { return status }
}

func contains(list []string, s string) bool {
	for _, v := range list {
		if v == s {
			return true
		}
	}
	return false
}

// matrixEntry says how to call one route and what each caller gets.
type matrixEntry struct {
	// body builds the request body (nil: none).
	body func(e *env, caller, target string, n int) any
	want func(caller, target string) int
	// perTarget: the path has the person's :id and the target matters.
	perTarget bool
	// publicOnly: the route takes no credentials; it is tried once,
	// anonymously.
	publicOnly bool
	// object makes a fresh object belonging to the target person and
	// returns its ID, for routes whose :id is not a person's (a
	// completion, an exemption). Fresh, so one caller's success does not
	// turn the next caller's try into a conflict.
	object func(e *env, personID string) string
	// query is appended to the path.
	query string
	// path replaces the route's pattern when its parameter is not a person,
	// completion or course.
	path string
	// objectBody builds the request body from the object's ID, for a body
	// that names something the object holds (a booking of a session).
	objectBody func(e *env, objectID string) any
}

// pendingCompletion makes a self-certified completion of WRAP awaiting
// the line manager's verification.
func pendingCompletion(e *env, personID string) string {
	c, err := e.app.Training.SelfCertify(e.t.Context(), training.Actor{PersonID: personID}, training.CompletionInput{
		CourseCode: "WRAP", CompletedOn: training.MustDate("2026-10-01")})
	if err != nil {
		e.t.Fatal(err)
	}
	return c.ID
}

// completionWithCertificate makes a completion with a certificate file.
func completionWithCertificate(e *env, personID string) string {
	// Distinct bytes per person, so no duplicate-evidence flag is raised.
	pdf := []byte("%PDF-1.4\n% " + personID + "\n1 0 obj <<>> endobj\ntrailer <<>>\n%%EOF\n")
	sum := sha256.Sum256(pdf)
	c, err := e.app.Training.SelfCertify(e.t.Context(), training.Actor{PersonID: personID}, training.CompletionInput{
		CourseCode: "PREVENT", CompletedOn: training.MustDate("2026-10-01"),
		Certificate: &training.Upload{Data: pdf, SHA256: hex.EncodeToString(sum[:]), ContentType: "application/pdf", Filename: "c.pdf"}})
	if err != nil {
		e.t.Fatal(err)
	}
	return c.ID
}

func exemption(e *env, personID string) string {
	x, err := e.app.Training.GrantExemption(e.t.Context(), training.Actor{PersonID: e.people["hr"].ID, HR: true}, personID, training.ExemptionInput{CourseCode: "PREVENT", Reason: "long-term sick leave"})
	if err != nil {
		e.t.Fatal(err)
	}
	return x.ID
}

// review is who may verify or reject a completion: HR, or anyone above the
// person (Member Services, for a Member) when the course says "manager"
// (WRAP does); never their own.
func review(caller, target string) int {
	switch {
	case caller == "anonymous":
		return http.StatusUnauthorized
	case !sees(caller, target):
		return http.StatusNotFound
	case target == "own":
		return http.StatusForbidden
	case caller == "hr", caller == "manager" && target == "team", caller == "memberServices" && target == "member":
		return http.StatusOK
	default:
		return http.StatusForbidden
	}
}

func reasonBody(*env, string, string, int) any {
	return map[string]string{"reason": "certificate is for another course"}
}

var matrix = map[string]matrixEntry{
	"GET /healthz":               {want: public(http.StatusOK), publicOnly: true},
	"GET /readyz":                {want: public(http.StatusOK), publicOnly: true},
	"GET /.well-known/jwks.json": {want: public(http.StatusOK), publicOnly: true},
	"GET /openapi.json":          {want: public(http.StatusOK), publicOnly: true},
	"POST /api/v1/auth/login": {want: public(http.StatusUnauthorized), publicOnly: true, body: func(*env, string, string, int) any {
		return map[string]string{"email": "x@example.org", "password": "wrong-password"}
	}},
	"POST /api/v1/auth/refresh": {want: public(http.StatusUnauthorized), publicOnly: true, body: func(*env, string, string, int) any { return map[string]string{"refresh_token": "unknown"} }},
	"POST /api/v1/auth/logout":  {want: public(http.StatusNoContent), publicOnly: true, body: func(*env, string, string, int) any { return map[string]string{"refresh_token": "unknown"} }},
	"POST /api/v1/auth/accept-invite": {want: public(http.StatusUnprocessableEntity), publicOnly: true, body: func(*env, string, string, int) any {
		return map[string]string{"token": "unknown", "password": "long-enough-password"}
	}},
	"POST /api/v1/auth/forgot-password": {want: public(http.StatusAccepted), publicOnly: true, body: func(*env, string, string, int) any {
		return map[string]string{"email": "nobody@example.org"}
	}},
	"POST /api/v1/auth/reset-password": {want: public(http.StatusUnprocessableEntity), publicOnly: true, body: func(*env, string, string, int) any {
		return map[string]string{"token": "unknown", "password": "long-enough-password"}
	}},

	"GET /api/v1/me": {want: signedIn(http.StatusOK)},
	"POST /api/v1/me/password": {want: signedIn(http.StatusNoContent), body: func(e *env, caller, _ string, _ int) any {
		pw := castPassword
		if caller == "hr" {
			pw = adminPassword
		}
		return map[string]string{"current_password": pw, "new_password": pw}
	}},
	"GET /api/v1/people": {want: signedIn(http.StatusOK)},
	"POST /api/v1/people": {want: onlyRoles(http.StatusCreated, "hr"), body: func(e *env, caller, _ string, n int) any {
		return map[string]string{"employee_number": fmt.Sprintf("M%d", n), "email": fmt.Sprintf("matrix%d@example.gov.uk", n),
			"given_name": "Matrix", "family_name": "Person", "kind": "staff", "start_date": "2026-01-05"}
	}},
	"GET /api/v1/people/:id":   {want: read, perTarget: true},
	"PATCH /api/v1/people/:id": {want: hrWrite(http.StatusOK), perTarget: true, body: func(*env, string, string, int) any { return map[string]string{} }},
	"POST /api/v1/people/:id/invite": {perTarget: true, want: func(caller, target string) int {
		if caller == "hr" {
			return http.StatusConflict // everyone in the cast has an account already
		}
		return hrWrite(http.StatusAccepted)(caller, target)
	}},
	"PUT /api/v1/people/:id/roles": {perTarget: true, body: func(*env, string, string, int) any { return map[string][]string{"roles": {}} },
		want: func(caller, target string) int {
			if caller == "hr" && target == "own" {
				return http.StatusUnprocessableEntity // nobody changes their own roles
			}
			return hrWrite(http.StatusOK)(caller, target)
		}},
	"GET /api/v1/people/:id/training":    {want: read, perTarget: true},
	"GET /api/v1/people/:id/completions": {want: read, perTarget: true},
	"GET /api/v1/people/:id/exemptions":  {want: read, perTarget: true},
	"POST /api/v1/people/:id/completions": {perTarget: true, body: func(*env, string, string, int) any {
		return map[string]string{"course_code": "WRAP", "completed_on": "2026-10-01"}
	}, want: func(caller, target string) int {
		// A trainer records a classroom course (WRAP) for someone else
		// only when they are booked on a session of it the trainer runs:
		// nobody here is.
		if caller == "trainer" && target != "own" {
			return http.StatusUnprocessableEntity
		}
		return hrWrite(http.StatusCreated)(caller, target)
	}},
	"POST /api/v1/people/:id/exemptions": {want: hrWrite(http.StatusCreated), perTarget: true, body: func(*env, string, string, int) any {
		return map[string]string{"course_code": "PREVENT", "reason": "on maternity leave", "until": "2027-06-30"}
	}},
	"POST /api/v1/people/import": {want: onlyRoles(http.StatusOK, "hr"), query: "?dry_run=true", body: func(*env, string, string, int) any {
		return csvBody("employee_number,email,given_name,family_name,kind,start_date\nX1,x1@example.gov.uk,Xan,Ex,staff,2026-01-05\n")
	}},
	"GET /api/v1/import-mappings": {want: onlyRoles(http.StatusOK, "hr")},
	"POST /api/v1/import-mappings": {want: onlyRoles(http.StatusCreated, "hr"), body: func(*env, string, string, int) any {
		return map[string]any{"name": "iTrent", "date_format": "DD/MM/YYYY", "columns": map[string]string{"Employee Number": "employee_number",
			"Work Email": "email", "Forename": "given_name", "Surname": "family_name", "Person Type": "kind", "Hire Date": "start_date"}}
	}},
	"POST /api/v1/import-mappings/suggest": {want: onlyRoles(http.StatusOK, "hr"), body: func(*env, string, string, int) any {
		return csvBody("Employee Number,Forename,Surname,Hire Date\nX1,Xan,Ex,23/11/2026\n")
	}},

	"GET /api/v1/me/training": {want: signedIn(http.StatusOK)},
	"POST /api/v1/me/completions": {want: signedIn(http.StatusCreated), body: func(*env, string, string, int) any {
		return map[string]string{"course_code": "WRAP", "completed_on": "2026-10-01"}
	}},

	"GET /api/v1/courses":       {want: signedIn(http.StatusOK)},
	"GET /api/v1/courses/:code": {want: signedIn(http.StatusOK)},
	"POST /api/v1/courses": {want: onlyRoles(http.StatusCreated, "hr"), body: func(_ *env, _, _ string, n int) any {
		return map[string]any{"code": fmt.Sprintf("C%d", n), "title": "Channel awareness", "applies_to": map[string]any{"kinds": []string{"staff"}}, "effective_from": "2026-01-01"}
	}},
	"PATCH /api/v1/courses/:code": {want: onlyRoles(http.StatusOK, "hr"), body: func(*env, string, string, int) any { return map[string]any{"due_soon_days": 30} }},

	"GET /api/v1/completions/:id/certificate": {want: read, perTarget: true, object: completionWithCertificate},
	"POST /api/v1/completions/:id/verify":     {want: review, perTarget: true, object: pendingCompletion},
	"POST /api/v1/completions/:id/reject":     {want: review, perTarget: true, object: pendingCompletion, body: reasonBody},
	"POST /api/v1/completions/:id/revoke":     {want: hrWrite(http.StatusOK), perTarget: true, object: pendingCompletion, body: reasonBody},
	"DELETE /api/v1/exemptions/:id":           {want: hrWrite(http.StatusNoContent), perTarget: true, object: exemption},

	"GET /api/v1/team":               {want: signedIn(http.StatusOK)},
	"GET /api/v1/flags":              {want: signedIn(http.StatusOK)},
	"GET /api/v1/reports/compliance": {want: onlyRoles(http.StatusOK, "hr", "auditor"), query: "?course_code=PREVENT&group_by=manager"},
	"GET /api/v1/reports/monthly":    {want: onlyRoles(http.StatusOK, "hr", "auditor"), query: "?course_code=PREVENT"},
	"GET /api/v1/outbox":             {want: onlyRoles(http.StatusOK, "hr")},
	"GET /api/v1/audit":              {want: onlyRoles(http.StatusOK, "hr", "auditor")},

	// Face-to-face sessions. The target of a route on a session is its
	// trainer (sessionRunBy: the trainer's own session, else the tutor's);
	// of a booking, the person booked.
	"GET /api/v1/sessions":                  {want: signedIn(http.StatusOK)},
	"POST /api/v1/sessions":                 {want: onlyRoles(http.StatusCreated, "hr", "trainer"), body: newSessionBody},
	"GET /api/v1/sessions/:id":              {want: signedIn(http.StatusOK), object: sessionRunBy},
	"GET /api/v1/sessions/:id/calendar.ics": {want: signedIn(http.StatusOK), object: sessionRunBy},
	"PATCH /api/v1/sessions/:id": {want: runsSession(http.StatusOK), perTarget: true, object: sessionRunBy,
		body: func(*env, string, string, int) any { return map[string]any{"location": "Council Chamber"} }},
	"POST /api/v1/sessions/:id/cancel": {want: runsSession(http.StatusOK), perTarget: true, object: sessionRunBy,
		body: func(*env, string, string, int) any { return map[string]any{"reason": "The room is closed."} }},
	"GET /api/v1/sessions/:id/bookings":  {want: runsSession(http.StatusOK), perTarget: true, object: sessionRunBy},
	"POST /api/v1/sessions/:id/register": {want: runsSession(http.StatusOK), perTarget: true, object: sessionWithBooking, objectBody: registerBody},
	"POST /api/v1/sessions/:id/bookings": {want: bookFor(http.StatusCreated), perTarget: true, object: sessionToBook, body: bookingBody},
	"POST /api/v1/bookings/:id/cancel":   {want: bookFor(http.StatusOK), perTarget: true, object: bookingFor},
	"GET /api/v1/me/bookings":            {want: signedIn(http.StatusOK)},
	"GET /api/v1/reports/partners":       {want: onlyRoles(http.StatusOK, "hr", "auditor"), query: "?from=2026-11-01&to=2026-11-30"},
	// Only HR gets past the role check, once, so the run is not refused as
	// "ran this minute".
	"POST /api/v1/jobs/:name/run": {want: onlyRoles(http.StatusOK, "hr"), path: "/api/v1/jobs/manager-digest/run"},
}

// TestMatrixCoversEveryRoute fails when a route is added without saying
// who may call it.
func TestMatrixCoversEveryRoute(t *testing.T) {
	e := newEnv(t)
	covered := map[string]bool{}
	for key := range matrix {
		covered[key] = true
	}
	missing, stale := compareRoutes(e, func(method, path string) string { return method + " " + path }, covered)
	if len(missing) > 0 {
		t.Errorf("routes with no authorization matrix entry:\n  %s", strings.Join(missing, "\n  "))
	}
	if len(stale) > 0 {
		t.Errorf("matrix entries for routes that do not exist:\n  %s", strings.Join(stale, "\n  "))
	}
}

// compareRoutes compares the router's API routes (web pages left out:
// pkg/web's tests cover them) with a table keyed by key(method, path). It
// returns the routes the table lacks and the table's keys that are not
// routes, both sorted.
func compareRoutes(e *env, key func(method, path string) string, table map[string]bool) (missing, stale []string) {
	routes := map[string]bool{}
	for _, r := range e.router.Routes() {
		if !httpapi.IsAPIPath(r.Path) {
			continue
		}
		k := key(r.Method, r.Path)
		routes[k] = true
		if !table[k] {
			missing = append(missing, k)
		}
	}
	for k := range table {
		if !routes[k] {
			stale = append(stale, k)
		}
	}
	sort.Strings(missing)
	sort.Strings(stale)
	return missing, stale
}

func TestAuthorizationMatrix(t *testing.T) {
	e := newEnv(t)
	e.cast()
	e.castTrainers()
	keys := make([]string, 0, len(matrix))
	for k := range matrix {
		keys = append(keys, k)
	}
	sort.Strings(keys)
	n := 0
	for _, key := range keys {
		entry := matrix[key]
		method, pattern, _ := strings.Cut(key, " ")
		for _, caller := range callers {
			if entry.publicOnly && caller != "anonymous" {
				continue
			}
			for _, target := range targets {
				if !entry.perTarget && target != "own" {
					continue
				}
				n++
				id := e.targetID(caller, target)
				if entry.object != nil {
					id = entry.object(e, id)
				}
				path := strings.ReplaceAll(strings.ReplaceAll(pattern, ":id", id), ":code", "PREVENT") + entry.query
				if entry.path != "" {
					path = entry.path
				}
				var body any
				if entry.body != nil {
					body = entry.body(e, caller, target, n)
				}
				if entry.objectBody != nil {
					body = entry.objectBody(e, id)
				}
				token := ""
				if caller != "anonymous" {
					token = e.tokens[castName[caller]]
				}
				want := entry.want(caller, target)
				name := fmt.Sprintf("%s as %s", key, caller)
				if entry.perTarget {
					name += " on " + target
				}
				t.Run(name, func(t *testing.T) {
					r := e.do(method, path, token, body)
					if r.Status != want {
						t.Errorf("status %d, want %d: %s", r.Status, want, r.Body)
					}
				})
			}
		}
	}
}

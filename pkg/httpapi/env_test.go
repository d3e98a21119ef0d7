package httpapi_test

import (
	"bytes"
	"context"
	"crypto/ed25519"
	"encoding/json"
	"io"
	"log/slog"
	"net/http"
	"net/http/httptest"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/gin-gonic/gin"

	"github.com/complytrack/complytrack/pkg/app"
	"github.com/complytrack/complytrack/pkg/apptest"
	"github.com/complytrack/complytrack/pkg/auth"
	"github.com/complytrack/complytrack/pkg/config"
	"github.com/complytrack/complytrack/pkg/dbtest"
	"github.com/complytrack/complytrack/pkg/training"
)

func TestMain(m *testing.M) {
	gin.SetMode(gin.ReleaseMode)
	dbtest.Main(m)
}

const (
	adminEmail    = "hr.officer@example.gov.uk"
	adminPassword = "admin-password-for-tests"
	castPassword  = "cast-password-for-tests"
)

// clock is a settable time source shared by every part of the app.
type clock struct {
	mu sync.Mutex
	t  time.Time
}

func (c *clock) Now() time.Time          { c.mu.Lock(); defer c.mu.Unlock(); return c.t }
func (c *clock) Advance(d time.Duration) { c.mu.Lock(); c.t = c.t.Add(d); c.mu.Unlock() }

// env is the whole application on a fresh database, driven through its
// real router.
type env struct {
	t      *testing.T
	app    *app.App
	router *gin.Engine
	clock  *clock
	key    ed25519.PrivateKey
	cfg    config.Config
	// people and tokens of the cast, by name.
	people map[string]training.Person
	tokens map[string]string
}

func newEnv(t *testing.T, extraEnv ...string) *env {
	t.Helper()
	cfg, priv := apptest.Config(t, append([]string{
		"COMPLYTRACK_ADMIN_EMAIL=" + adminEmail,
		"COMPLYTRACK_ADMIN_PASSWORD=" + adminPassword,
		"COMPLYTRACK_PUBLIC_URL=https://complytrack.example.gov.uk",
	}, extraEnv...)...)
	clk := &clock{t: time.Date(2026, 11, 2, 9, 0, 0, 0, time.UTC)}
	log := slog.New(slog.NewTextHandler(io.Discard, nil))
	a, err := app.New(context.Background(), cfg, dbtest.New(t), log, app.Options{Now: clk.Now, HasherParams: auth.MinParams})
	if err != nil {
		t.Fatal(err)
	}
	e := &env{t: t, app: a, router: a.Router(), clock: clk, key: priv, cfg: cfg,
		people: map[string]training.Person{}, tokens: map[string]string{}}
	e.tokens["hr"] = e.login(adminEmail, adminPassword)
	return e
}

// response is one answer from the router.
type response struct {
	Status int
	Header http.Header
	Body   []byte
}

func (r response) json(t *testing.T) map[string]any {
	t.Helper()
	var m map[string]any
	if err := json.Unmarshal(r.Body, &m); err != nil {
		t.Fatalf("body is not a JSON object: %v\n%s", err, r.Body)
	}
	return m
}

// csvBody is a request body sent as text/csv.
type csvBody string

// do sends a request; body is marshalled to JSON unless it is a string or
// []byte (sent as is) or a csvBody.
func (e *env) do(method, path, token string, body any) response {
	e.t.Helper()
	return e.doFrom("192.0.2.10", method, path, token, body)
}

// doFrom is do from a given client address.
func (e *env) doFrom(addr, method, path, token string, body any) response {
	e.t.Helper()
	var rd io.Reader
	contentType := "application/json"
	switch b := body.(type) {
	case nil:
	case csvBody:
		rd, contentType = strings.NewReader(string(b)), "text/csv"
	case string:
		rd = strings.NewReader(b)
	case []byte:
		rd = bytes.NewReader(b)
	default:
		raw, err := json.Marshal(b)
		if err != nil {
			e.t.Fatal(err)
		}
		rd = bytes.NewReader(raw)
	}
	req := httptest.NewRequest(method, path, rd)
	if body != nil {
		req.Header.Set("Content-Type", contentType)
	}
	if token != "" {
		req.Header.Set("Authorization", "Bearer "+token)
	}
	req.RemoteAddr = addr + ":40000"
	w := httptest.NewRecorder()
	e.router.ServeHTTP(w, req)
	return response{Status: w.Code, Header: w.Header(), Body: w.Body.Bytes()}
}

// must sends a request and fails the test unless the status is want.
func (e *env) must(want int, method, path, token string, body any) response {
	e.t.Helper()
	r := e.do(method, path, token, body)
	if r.Status != want {
		e.t.Fatalf("%s %s: status %d, want %d\n%s", method, path, r.Status, want, r.Body)
	}
	return r
}

func (e *env) login(email, password string) string {
	e.t.Helper()
	r := e.must(http.StatusOK, "POST", "/api/v1/auth/login", "", map[string]string{"email": email, "password": password})
	return r.json(e.t)["access_token"].(string)
}

// addPerson creates a person through the API as HR.
func (e *env) addPerson(name, manager string, extra map[string]any) training.Person {
	e.t.Helper()
	body := map[string]any{
		"employee_number": "EMP-" + name, "email": name + "@example.gov.uk",
		"given_name": strings.ToUpper(name[:1]) + name[1:], "family_name": "Tester",
		"kind": "staff", "job_title": "Officer", "department": "Housing", "start_date": "2024-04-01",
	}
	if manager != "" {
		body["manager_employee_number"] = "EMP-" + manager
	}
	for k, v := range extra {
		body[k] = v
	}
	r := e.must(http.StatusCreated, "POST", "/api/v1/people", e.tokens["hr"], body)
	var p struct{ ID string }
	if err := json.Unmarshal(r.Body, &p); err != nil {
		e.t.Fatal(err)
	}
	person, err := e.app.Training.PersonByID(context.Background(), p.ID)
	if err != nil {
		e.t.Fatal(err)
	}
	e.people[name] = person
	return person
}

// giveAccount invites the person and accepts the invitation with
// castPassword, returning their access token. The invitation link is read
// from the outbox, as the person would from their e-mail.
func (e *env) giveAccount(name string) string {
	e.t.Helper()
	p := e.people[name]
	e.must(http.StatusAccepted, "POST", "/api/v1/people/"+p.ID+"/invite", e.tokens["hr"], nil)
	token := e.inviteToken(p.Email)
	r := e.must(http.StatusOK, "POST", "/api/v1/auth/accept-invite", "", map[string]string{"token": token, "password": castPassword})
	at := r.json(e.t)["access_token"].(string)
	e.tokens[name] = at
	return at
}

// inviteToken reads the newest invitation link sent to email.
func (e *env) inviteToken(email string) string {
	e.t.Helper()
	r := e.must(http.StatusOK, "GET", "/api/v1/outbox?kind=invitation&to="+email, e.tokens["hr"], nil)
	var out struct {
		Items []struct {
			BodyText string `json:"body_text"`
		}
	}
	if err := json.Unmarshal(r.Body, &out); err != nil || len(out.Items) == 0 {
		e.t.Fatalf("no invitation for %s in the outbox: %s", email, r.Body)
	}
	body := out.Items[0].BodyText
	i := strings.Index(body, "token=")
	if i < 0 {
		e.t.Fatalf("invitation has no link: %s", body)
	}
	tok := body[i+len("token="):]
	if j := strings.IndexAny(tok, " \n"); j >= 0 {
		tok = tok[:j]
	}
	return tok
}

// cast builds the organisation the authorization tests use:
//
//	mgrA ── emp, emp2        mgrB ── other        stranger (no manager)
//	auditor (no manager)     mso (Member Services) cllr (an elected Member)
//
// and signs everyone in. hr is the first HR account.
func (e *env) cast() {
	e.t.Helper()
	e.addPerson("mgra", "", nil)
	e.addPerson("emp", "mgra", nil)
	e.addPerson("emp2", "mgra", nil)
	e.addPerson("mgrb", "", nil)
	e.addPerson("other", "mgrb", nil)
	e.addPerson("stranger", "", nil)
	e.addPerson("auditor", "", map[string]any{"department": "Internal Audit"})
	e.addPerson("mso", "", map[string]any{"department": "Democratic Services"})
	e.addPerson("cllr", "", map[string]any{"kind": "member", "department": "", "job_title": "Councillor"})
	for _, n := range []string{"mgra", "emp", "emp2", "mgrb", "other", "stranger", "auditor", "mso", "cllr"} {
		e.giveAccount(n)
	}
	e.must(http.StatusOK, "PUT", "/api/v1/people/"+e.people["auditor"].ID+"/roles", e.tokens["hr"], map[string]any{"roles": []string{"auditor"}})
	e.must(http.StatusOK, "PUT", "/api/v1/people/"+e.people["mso"].ID+"/roles", e.tokens["hr"], map[string]any{"roles": []string{"member_services"}})
	// A course whose self-certifications wait for the line manager.
	e.must(http.StatusCreated, "POST", "/api/v1/courses", e.tokens["hr"], map[string]any{
		"code": "WRAP", "title": "Workshop to Raise Awareness of Prevent", "delivery": "classroom",
		"applies_to": map[string]any{"kinds": []string{"staff", "member"}}, "validity_months": 36,
		"effective_from": "2020-01-01", "evidence": "none", "verification": "manager",
	})
	hr, err := e.app.Training.PersonByEmail(context.Background(), adminEmail)
	if err != nil {
		e.t.Fatal(err)
	}
	e.people["hr"] = hr
}

package application_test

import (
	"bytes"
	"context"
	"io"
	"log/slog"
	"mime/multipart"
	"net/http"
	"net/http/cookiejar"
	"net/http/httptest"
	"net/url"
	"regexp"
	"slices"
	"strings"
	"testing"
	"time"

	"github.com/gin-gonic/gin"

	"github.com/complytrack/complytrack/pkg/app"
	"github.com/complytrack/complytrack/pkg/application"
	"github.com/complytrack/complytrack/pkg/apptest"
	"github.com/complytrack/complytrack/pkg/auth"
	"github.com/complytrack/complytrack/pkg/dbtest"
	"github.com/complytrack/complytrack/pkg/notify"
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

// env is the whole program on a fresh database of the embedded engine: the
// use cases, and both front doors on one real server.
type env struct {
	t   *testing.T
	app *app.App
	uc  application.App
	srv *httptest.Server
	hr  training.Actor
}

func newEnv(t *testing.T) *env {
	t.Helper()
	cfg, _ := apptest.Config(t,
		"COMPLYTRACK_ADMIN_EMAIL="+adminEmail,
		"COMPLYTRACK_ADMIN_PASSWORD="+adminPassword,
		"COMPLYTRACK_PUBLIC_URL=http://127.0.0.1",
	)
	// A fixed day, so that "today" and the dates below agree.
	now := func() time.Time { return time.Date(2026, 11, 2, 9, 0, 0, 0, time.UTC) }
	log := slog.New(slog.NewTextHandler(io.Discard, nil))
	a, err := app.New(context.Background(), cfg, dbtest.New(t), log, app.Options{Now: now, HasherParams: auth.MinParams})
	if err != nil {
		t.Fatal(err)
	}
	srv := httptest.NewServer(a.Router())
	t.Cleanup(srv.Close)
	hr, err := a.Training.PersonByEmail(t.Context(), adminEmail)
	if err != nil {
		t.Fatal(err)
	}
	return &env{t: t, app: a, uc: application.New(a.Training), srv: srv, hr: training.Actor{PersonID: hr.ID, HR: true}}
}

// employee adds a member of staff who started on 1 April 2024 (so Prevent
// awareness applies and is overdue) with an account, and returns them and
// an API access token.
func (e *env) employee(given string) (training.Person, string) {
	e.t.Helper()
	ctx := e.t.Context()
	p, err := e.app.Training.CreatePerson(ctx, e.hr, training.PersonInput{Person: training.Person{EmployeeNumber: "E-" + given, Email: strings.ToLower(given) + ".tester@example.gov.uk", GivenName: given, FamilyName: "Tester", Kind: training.KindStaff, JobTitle: "Officer", Department: "Housing", StartDate: training.NewDate(2024, 4, 1)}})
	if err != nil {
		e.t.Fatal(err)
	}
	if err := e.app.Accounts.Invite(ctx, e.hr, p.ID); err != nil {
		e.t.Fatal(err)
	}
	msgs, err := e.app.Outbox.List(ctx, e.hr, notify.Filter{To: p.Email, Kind: notify.KindInvitation}, training.PageRequest{})
	if err != nil || len(msgs.Items) == 0 {
		e.t.Fatalf("no invitation for %s (%v)", p.Email, err)
	}
	token := regexp.MustCompile(`token=([^\s]+)`).FindStringSubmatch(msgs.Items[0].BodyText)
	if token == nil {
		e.t.Fatalf("invitation has no link: %s", msgs.Items[0].BodyText)
	}
	raw, err := url.QueryUnescape(token[1])
	if err != nil {
		e.t.Fatal(err)
	}
	tokens, err := e.app.Accounts.AcceptInvite(ctx, raw, castPassword)
	if err != nil {
		e.t.Fatal(err)
	}
	return p, tokens.AccessToken
}

// completions is what is recorded for a person.
func (e *env) completions(p training.Person) []training.Completion {
	e.t.Helper()
	got, err := e.app.Training.CompletionsOf(e.t.Context(), e.hr, p.ID)
	if err != nil {
		e.t.Fatal(err)
	}
	return got
}

// answer is one response, read whole.
type answer struct {
	Status int
	Header http.Header
	Body   string
}

func do(t *testing.T, client *http.Client, req *http.Request) answer {
	t.Helper()
	resp, err := client.Do(req)
	if err != nil {
		t.Fatal(err)
	}
	defer resp.Body.Close()
	b, err := io.ReadAll(resp.Body)
	if err != nil {
		t.Fatal(err)
	}
	return answer{Status: resp.StatusCode, Header: resp.Header, Body: string(b)}
}

// browser signs in on the web pages and keeps the cookies and the last
// page's CSRF token.
type browser struct {
	t      *testing.T
	e      *env
	client *http.Client
	csrf   string
}

var csrfInput = regexp.MustCompile(`name="csrf_token" value="([^"]+)"`)

func (e *env) signIn(email string) *browser {
	e.t.Helper()
	jar, err := cookiejar.New(nil)
	if err != nil {
		e.t.Fatal(err)
	}
	b := &browser{t: e.t, e: e, client: &http.Client{Jar: jar,
		CheckRedirect: func(*http.Request, []*http.Request) error { return http.ErrUseLastResponse }}}
	b.get("/sign-in")
	form := url.Values{"email": {email}, "password": {castPassword}, "csrf_token": {b.csrf}}
	req, err := http.NewRequest(http.MethodPost, e.srv.URL+"/sign-in", strings.NewReader(form.Encode()))
	if err != nil {
		e.t.Fatal(err)
	}
	req.Header.Set("Content-Type", "application/x-www-form-urlencoded")
	if r := do(e.t, b.client, req); r.Status != http.StatusSeeOther {
		e.t.Fatalf("sign in as %s: status %d\n%s", email, r.Status, r.Body)
	}
	return b
}

// get fetches a page and keeps its CSRF token.
func (b *browser) get(path string) answer {
	b.t.Helper()
	req, err := http.NewRequest(http.MethodGet, b.e.srv.URL+path, nil)
	if err != nil {
		b.t.Fatal(err)
	}
	r := do(b.t, b.client, req)
	if m := csrfInput.FindStringSubmatch(r.Body); m != nil {
		b.csrf = m[1]
	}
	return r
}

// part is one part of a multipart form: a field, or a file when name is set.
type part struct {
	field, filename string
	data            []byte
}

func field(name, value string) part { return part{field: name, data: []byte(value)} }

func file(name, filename string, data []byte) part {
	return part{field: name, filename: filename, data: data}
}

// multipartBody encodes parts, in order, as a browser or a script sends them.
func multipartBody(t *testing.T, parts ...part) (contentType string, body []byte) {
	t.Helper()
	var buf bytes.Buffer
	w := multipart.NewWriter(&buf)
	for _, p := range parts {
		var fw io.Writer
		var err error
		if p.filename != "" {
			fw, err = w.CreateFormFile(p.field, p.filename)
		} else {
			fw, err = w.CreateFormField(p.field)
		}
		if err != nil {
			t.Fatal(err)
		}
		if _, err := fw.Write(p.data); err != nil {
			t.Fatal(err)
		}
	}
	if err := w.Close(); err != nil {
		t.Fatal(err)
	}
	return w.FormDataContentType(), buf.Bytes()
}

// tinyPDF is a small well-formed PDF.
func tinyPDF(tag string) []byte {
	return []byte("%PDF-1.4\n% " + tag + "\n1 0 obj\n<< /Type /Catalog /Pages 2 0 R >>\nendobj\n" +
		"2 0 obj\n<< /Type /Pages /Kids [] /Count 0 >>\nendobj\ntrailer\n<< /Root 1 0 R >>\n%%EOF\n")
}

// paddedPDF is a PDF of exactly size bytes (padding in a comment).
func paddedPDF(size int) []byte {
	head := []byte("%PDF-1.4\n%")
	tail := []byte("\ntrailer\n<< >>\n%%EOF\n")
	return slices.Concat(head, bytes.Repeat([]byte("x"), size-len(head)-len(tail)), tail)
}

package app_test

import (
	"bytes"
	"context"
	"encoding/json"
	"fmt"
	"io"
	"log/slog"
	"net/http"
	"net/http/cookiejar"
	"net/http/httptest"
	"net/url"
	"regexp"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/complytrack/complytrack/pkg/app"
	"github.com/complytrack/complytrack/pkg/apptest"
	"github.com/complytrack/complytrack/pkg/auth"
	"github.com/complytrack/complytrack/pkg/dbtest"
	"github.com/complytrack/complytrack/pkg/logging"
	"github.com/complytrack/complytrack/pkg/mongodb"
)

// jsonLog collects the JSON log lines of the app under test.
type jsonLog struct {
	mu  sync.Mutex
	buf bytes.Buffer
}

func (l *jsonLog) Write(p []byte) (int, error) {
	l.mu.Lock()
	defer l.mu.Unlock()
	return l.buf.Write(p)
}

// lines are every line written so far, parsed.
func (l *jsonLog) lines(t *testing.T) []map[string]any {
	t.Helper()
	l.mu.Lock()
	text := l.buf.String()
	l.mu.Unlock()
	var out []map[string]any
	for _, line := range strings.Split(strings.TrimSpace(text), "\n") {
		if line == "" {
			continue
		}
		var m map[string]any
		if err := json.Unmarshal([]byte(line), &m); err != nil {
			t.Fatalf("log line is not JSON: %q", line)
		}
		out = append(out, m)
	}
	return out
}

// Every line logged while a request is served names it in request_id: the
// access log, the error handlers of the API and of the pages, and the
// lines written deeper down (the readiness check, the accounts service, a
// job run on demand and the mail delivery it does), whether the request
// succeeds, is refused, or fails because the database does not answer.
//
// The app runs as the program runs it, behind a real HTTP server, with the
// background parts that log on their own (the read model's follower, the
// scheduled jobs) not started: every line written between sending a
// request and its access log line is that request's.
func TestEveryLogLineOfARequestNamesIt(t *testing.T) {
	db := dbtest.New(t)
	proxy := dbtest.NewProxy(t)
	ctx := context.Background()
	client, err := mongodb.Connect(ctx, proxy.URIFor(db.Name())+"&serverSelectionTimeoutMS=1000", 10*time.Second)
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { _ = client.Disconnect(context.Background()) })
	cfg, _ := apptest.Config(t,
		"COMPLYTRACK_ADMIN_EMAIL="+hrEmail,
		"COMPLYTRACK_ADMIN_PASSWORD=request-logs-password",
		// Nothing listens on port 1: every delivery is refused and logged.
		"COMPLYTRACK_SMTP_URL=smtp://127.0.0.1:1",
	)
	logs := &jsonLog{}
	a, err := app.New(ctx, cfg, client.Database(db.Name()), slog.New(slog.NewJSONHandler(logs, &slog.HandlerOptions{Level: slog.LevelDebug})),
		app.Options{HasherParams: auth.MinParams})
	if err != nil {
		t.Fatal(err)
	}
	srv := httptest.NewServer(a.Router())
	t.Cleanup(srv.Close)
	jar, _ := cookiejar.New(nil)
	browser := &http.Client{Jar: jar, CheckRedirect: func(*http.Request, []*http.Request) error { return http.ErrUseLastResponse }}

	n := 0
	// send makes one request with a fresh X-Request-ID and checks every
	// line logged for it; it returns the answer and those lines.
	send := func(method, path, token, contentType, body string) (int, string, []map[string]any) {
		t.Helper()
		n++
		id := fmt.Sprintf("req-%d-%s", n, strings.NewReplacer("/", "_", "?", "_", "=", "_").Replace(strings.Trim(path, "/")))
		before := len(logs.lines(t))
		req, err := http.NewRequest(method, srv.URL+path, strings.NewReader(body))
		if err != nil {
			t.Fatal(err)
		}
		req.Header.Set("X-Request-ID", id)
		if token != "" {
			req.Header.Set("Authorization", "Bearer "+token)
		}
		if contentType != "" {
			req.Header.Set("Content-Type", contentType)
		}
		res, err := browser.Do(req)
		if err != nil {
			t.Fatal(err)
		}
		raw, _ := io.ReadAll(res.Body)
		res.Body.Close()
		// The access log line is the request's last: wait for it.
		var lines []map[string]any
		deadline := time.Now().Add(10 * time.Second)
		for {
			lines = logs.lines(t)[before:]
			if len(lines) > 0 && lines[len(lines)-1]["msg"] == "request" {
				break
			}
			if time.Now().After(deadline) {
				t.Fatalf("%s %s: no access log line; lines since: %v", method, path, lines)
			}
			time.Sleep(10 * time.Millisecond)
		}
		for _, m := range lines {
			if m[logging.RequestIDKey] != id {
				t.Errorf("%s %s (%s): a line without its request ID: %v", method, path, id, m)
			}
		}
		return res.StatusCode, string(raw), lines
	}
	has := func(lines []map[string]any, msg string) bool {
		for _, m := range lines {
			if m["msg"] == msg {
				return true
			}
		}
		return false
	}
	jsonBody := func(v any) string { b, _ := json.Marshal(v); return string(b) }

	// An API call, and a refused one.
	code, body, _ := send("POST", "/api/v1/auth/login", "", "application/json", jsonBody(map[string]string{"email": hrEmail, "password": "request-logs-password"}))
	if code != http.StatusOK {
		t.Fatalf("login: %d %s", code, body)
	}
	var tokens struct {
		AccessToken  string `json:"access_token"`
		RefreshToken string `json:"refresh_token"`
	}
	if err := json.Unmarshal([]byte(body), &tokens); err != nil {
		t.Fatal(err)
	}
	if code, body, _ := send("POST", "/api/v1/auth/login", "", "application/json", jsonBody(map[string]string{"email": hrEmail, "password": "not the password"})); code != http.StatusUnauthorized {
		t.Errorf("wrong password: %d %s", code, body)
	}
	if code, _, _ := send("GET", "/api/v1/people/nobody-has-this-id", tokens.AccessToken, "", ""); code != http.StatusNotFound {
		t.Errorf("unknown person: %d", code)
	}

	// A warning from the accounts service: a refresh token used twice ends
	// the sign-in.
	refresh := jsonBody(map[string]string{"refresh_token": tokens.RefreshToken})
	if code, body, _ := send("POST", "/api/v1/auth/refresh", "", "application/json", refresh); code != http.StatusOK {
		t.Fatalf("refresh: %d %s", code, body)
	}
	if code, _, lines := send("POST", "/api/v1/auth/refresh", "", "application/json", refresh); code != http.StatusUnauthorized || !has(lines, "refresh token reused: session revoked") {
		t.Errorf("refresh token reused: %d, lines %v", code, lines)
	}

	// An e-mail queued by a request, then delivered (and refused by the
	// mail server) by a job run on demand.
	if code, body, _ := send("POST", "/api/v1/auth/forgot-password", "", "application/json", jsonBody(map[string]string{"email": hrEmail})); code != http.StatusAccepted {
		t.Fatalf("forgot password: %d %s", code, body)
	}
	code, body, _ = send("POST", "/api/v1/auth/login", "", "application/json", jsonBody(map[string]string{"email": hrEmail, "password": "request-logs-password"}))
	if code != http.StatusOK {
		t.Fatalf("login again: %d %s", code, body)
	}
	if err := json.Unmarshal([]byte(body), &tokens); err != nil {
		t.Fatal(err)
	}
	code, body, lines := send("POST", "/api/v1/jobs/delivery/run", tokens.AccessToken, "", "")
	if code != http.StatusOK {
		t.Fatalf("run delivery: %d %s", code, body)
	}
	for _, msg := range []string{"jobs: run started", "mail delivery attempt", "jobs: run finished"} {
		if !has(lines, msg) {
			t.Errorf("run delivery: no line %q among %v", msg, lines)
		}
	}

	// The pages: the sign-in form, a refused sign-in, a signed-in page and
	// a page that is not there.
	code, form, _ := send("GET", "/sign-in", "", "", "")
	csrf := regexp.MustCompile(`name="csrf_token" value="([^"]+)"`).FindStringSubmatch(form)
	if code != http.StatusOK || csrf == nil {
		t.Fatalf("sign-in page: %d\n%s", code, form)
	}
	signIn := func(password string) int {
		code, _, _ := send("POST", "/sign-in", "", "application/x-www-form-urlencoded",
			url.Values{"email": {hrEmail}, "password": {password}, "csrf_token": {csrf[1]}}.Encode())
		return code
	}
	if code := signIn("not the password"); code != http.StatusUnauthorized && code != http.StatusUnprocessableEntity {
		t.Errorf("refused sign-in form: %d", code)
	}
	if code := signIn("request-logs-password"); code != http.StatusSeeOther {
		t.Fatalf("sign-in form: %d", code)
	}
	if code, page, _ := send("GET", "/dashboard", "", "", ""); code != http.StatusOK {
		t.Fatalf("dashboard: %d\n%s", code, page)
	}
	if code, _, _ := send("GET", "/people/nobody-has-this-id", "", "", ""); code != http.StatusNotFound {
		t.Errorf("unknown person's page: %d", code)
	}

	// A sign-in form opened in another browser, to send during the outage.
	var otherForm struct {
		cookies []*http.Cookie
		csrf    string
	}
	{
		res, err := http.Get(srv.URL + "/sign-in")
		if err != nil {
			t.Fatal(err)
		}
		page, _ := io.ReadAll(res.Body)
		res.Body.Close()
		m := regexp.MustCompile(`name="csrf_token" value="([^"]+)"`).FindStringSubmatch(string(page))
		if m == nil {
			t.Fatalf("sign-in page: %d\n%s", res.StatusCode, page)
		}
		otherForm.cookies, otherForm.csrf = res.Cookies(), m[1]
	}

	// The database goes away: the readiness check, the API and the pages
	// say so, each in a line naming the request.
	proxy.Stop()
	deadline := time.Now().Add(60 * time.Second)
	for {
		code, _, lines := send("GET", "/readyz", "", "", "")
		if code == http.StatusServiceUnavailable {
			if !has(lines, "readiness check failed") {
				t.Errorf("readyz 503 without its warning: %v", lines)
			}
			break
		}
		if time.Now().After(deadline) {
			t.Fatalf("readyz still %d a minute into the outage", code)
		}
		time.Sleep(100 * time.Millisecond)
	}
	if code, _, lines := send("GET", "/api/v1/me", tokens.AccessToken, "", ""); code != http.StatusServiceUnavailable || !has(lines, "request failed") {
		t.Errorf("API during the outage: %d, lines %v", code, lines)
	}
	if code, _, lines := send("GET", "/dashboard", "", "", ""); code != http.StatusServiceUnavailable || !has(lines, "page failed") {
		t.Errorf("page during the outage: %d, lines %v", code, lines)
	}
	if code, _, _ := send("POST", "/api/v1/auth/login", "", "application/json", jsonBody(map[string]string{"email": hrEmail, "password": "request-logs-password"})); code != http.StatusServiceUnavailable {
		t.Errorf("sign-in during the outage: %d", code)
	}
	// Someone else, not signed in, sends the sign-in form they opened
	// before the outage.
	signedInBrowser := browser
	freshJar, _ := cookiejar.New(nil)
	browser = &http.Client{Jar: freshJar, CheckRedirect: signedInBrowser.CheckRedirect}
	browser.Jar.SetCookies(mustParse(t, srv.URL), otherForm.cookies)
	csrf = []string{"", otherForm.csrf}
	if code := signIn("request-logs-password"); code != http.StatusServiceUnavailable {
		t.Errorf("sign-in form during the outage: %d", code)
	}
	proxy.Start()
}

func mustParse(t *testing.T, raw string) *url.URL {
	t.Helper()
	u, err := url.Parse(raw)
	if err != nil {
		t.Fatal(err)
	}
	return u
}

package main

import (
	"encoding/json"
	"io"
	"net/http"
	"net/http/cookiejar"
	"net/url"
	"regexp"
	"strings"
	"testing"
	"time"

	"github.com/complytrack/complytrack/pkg/auth"
	"github.com/complytrack/complytrack/pkg/dbtest"
	"github.com/complytrack/complytrack/pkg/logging"
)

// outageSentence is what every request is told while the database does
// not answer.
const outageSentence = "The database is not reachable. Try again in a minute."

// The real program on a MongoDB behind a proxy: while the proxy is down,
// /readyz answers 503 (and /healthz still 200), the API and the web pages
// answer 503 with a plain sentence and Retry-After, and the log says what
// happened once per request, naming it; when the proxy is back, everything
// answers again without a restart.
func TestReadyAndRequestsAcrossADatabaseOutage(t *testing.T) {
	bin := buildBinary(t)
	db := dbtest.New(t)
	proxy := dbtest.NewProxy(t)
	ks, err := auth.GenerateKeySet()
	if err != nil {
		t.Fatal(err)
	}
	pem, err := ks.MarshalPEM()
	if err != nil {
		t.Fatal(err)
	}
	const password = "outage-test-password"
	p := start(t, bin,
		// A request waits for the database at most this long (the default
		// is 10 s), so that the outage's answers come quickly.
		"MONGODB_URI="+proxy.URIFor(db.Name())+"&serverSelectionTimeoutMS=2000",
		"COMPLYTRACK_JWT_KEYS="+string(pem),
		"COMPLYTRACK_ADMIN_PASSWORD="+password,
		"COMPLYTRACK_HTTP_ADDR=127.0.0.1:0",
	)

	if code := status(t, p.url("/readyz"), nil); code != http.StatusOK {
		t.Fatalf("readyz before the outage: %d", code)
	}
	code, tokens := postJSON(t, p.url("/api/v1/auth/login"), "", map[string]string{"email": "admin@complytrack.local", "password": password})
	if code != http.StatusOK {
		t.Fatalf("login %d %v", code, tokens)
	}
	token := tokens["access_token"].(string)
	browser := signInOnTheWeb(t, p, "admin@complytrack.local", password)
	if code := status(t, p.url("/"), browser); code != http.StatusOK {
		t.Fatalf("start page before the outage: %d", code)
	}

	proxy.Stop()

	// The driver notices at its next use of a connection: poll, within a
	// bound far above the 2 s the check waits.
	waitForStatus(t, p.url("/readyz"), http.StatusServiceUnavailable, 60*time.Second)
	if res, err := http.Get(p.url("/readyz")); err != nil {
		t.Fatal(err)
	} else {
		res.Body.Close()
		if res.StatusCode != http.StatusServiceUnavailable || res.Header.Get("Retry-After") != "60" {
			t.Errorf("readyz during the outage: %d, Retry-After %q; want 503 and 60", res.StatusCode, res.Header.Get("Retry-After"))
		}
	}
	if code := status(t, p.url("/healthz"), nil); code != http.StatusOK {
		t.Errorf("healthz during the outage: %d, want 200 (the process is up)", code)
	}

	t.Run("the API answers 503 with a sentence", func(t *testing.T) {
		res := do(t, p, "GET", "/api/v1/me", token, "outage-api", nil)
		body := readAll(t, res)
		if res.StatusCode != http.StatusServiceUnavailable {
			t.Fatalf("GET /api/v1/me: %d %s", res.StatusCode, body)
		}
		var prob map[string]any
		if err := json.Unmarshal([]byte(body), &prob); err != nil {
			t.Fatalf("problem body %q: %v", body, err)
		}
		if prob["detail"] != outageSentence || prob["request_id"] != "outage-api" {
			t.Errorf("problem: %s", body)
		}
		if ct := res.Header.Get("Content-Type"); ct != "application/problem+json" {
			t.Errorf("Content-Type %q", ct)
		}
		if ra := res.Header.Get("Retry-After"); ra != "60" {
			t.Errorf("Retry-After %q, want 60", ra)
		}
		if strings.Contains(body, "server selection") || strings.Contains(body, "connection") {
			t.Errorf("the answer shows the driver's words: %s", body)
		}
	})

	t.Run("a page answers 503 with a sentence", func(t *testing.T) {
		res := do(t, p, "GET", "/", "", "outage-page", browser)
		body := readAll(t, res)
		if res.StatusCode != http.StatusServiceUnavailable {
			t.Fatalf("GET /: %d %s", res.StatusCode, body)
		}
		if !strings.Contains(body, outageSentence) {
			t.Errorf("the page does not say %q:\n%s", outageSentence, body)
		}
		if ra := res.Header.Get("Retry-After"); ra != "60" {
			t.Errorf("Retry-After %q, want 60", ra)
		}
		if strings.Contains(body, "server selection") || strings.Contains(body, "topology") {
			t.Errorf("the page shows the driver's words:\n%s", body)
		}
		// The sign-in was not ended by the outage: the cookies are kept.
		if res.Header.Get("Set-Cookie") != "" {
			t.Errorf("the outage touched the cookies: %q", res.Header.Values("Set-Cookie"))
		}
	})

	t.Run("each failed request is logged once, naming it", func(t *testing.T) {
		for _, id := range []string{"outage-api", "outage-page"} {
			var said []string
			for _, m := range requestLines(t, p, id) {
				if m[logging.RequestIDKey] != id || m["msg"] == "request" {
					continue
				}
				said = append(said, m["msg"].(string))
				if m[logging.ErrKey] == nil {
					t.Errorf("%s: line without the error: %v", id, m)
				}
			}
			if len(said) != 1 {
				t.Errorf("%s: %d lines besides the access log, want 1: %q", id, len(said), said)
			}
		}
	})

	proxy.Start()

	waitForStatus(t, p.url("/readyz"), http.StatusOK, 60*time.Second)
	if code, me := get(t, p.url("/api/v1/me"), token); code != http.StatusOK || me["email"] != "admin@complytrack.local" {
		t.Errorf("GET /api/v1/me after the outage: %d %v", code, me)
	}
	if code := status(t, p.url("/"), browser); code != http.StatusOK {
		t.Errorf("start page after the outage: %d", code)
	}
	p.stop(t)
}

// status is the status of a GET of u (through client, when given).
func status(t *testing.T, u string, client *http.Client) int {
	t.Helper()
	if client == nil {
		client = http.DefaultClient
	}
	res, err := client.Get(u)
	if err != nil {
		t.Fatal(err)
	}
	_, _ = io.Copy(io.Discard, res.Body)
	res.Body.Close()
	return res.StatusCode
}

// waitForStatus polls u until it answers want, failing after within.
func waitForStatus(t *testing.T, u string, want int, within time.Duration) {
	t.Helper()
	deadline := time.Now().Add(within)
	for {
		got := status(t, u, nil)
		if got == want {
			return
		}
		if time.Now().After(deadline) {
			t.Fatalf("GET %s still answers %d after %s, want %d", u, got, within, want)
		}
		time.Sleep(200 * time.Millisecond)
	}
}

// do sends one request with X-Request-ID id, through client when given.
func do(t *testing.T, p *program, method, path, token, id string, client *http.Client) *http.Response {
	t.Helper()
	req, err := http.NewRequest(method, p.url(path), nil)
	if err != nil {
		t.Fatal(err)
	}
	if token != "" {
		req.Header.Set("Authorization", "Bearer "+token)
	}
	req.Header.Set("X-Request-ID", id)
	if client == nil {
		client = http.DefaultClient
	}
	res, err := client.Do(req)
	if err != nil {
		t.Fatal(err)
	}
	return res
}

func readAll(t *testing.T, res *http.Response) string {
	t.Helper()
	defer res.Body.Close()
	b, err := io.ReadAll(res.Body)
	if err != nil {
		t.Fatal(err)
	}
	return string(b)
}

// requestLines are the log lines naming request id, once its access log
// line (its last) has been read from the program's output.
func requestLines(t *testing.T, p *program, id string) []map[string]any {
	t.Helper()
	deadline := time.Now().Add(10 * time.Second)
	for {
		var lines []map[string]any
		done := false
		for _, m := range logLines(t, p.logs.String()) {
			if m[logging.RequestIDKey] == id {
				lines = append(lines, m)
				done = done || m["msg"] == "request"
			}
		}
		if done {
			return lines
		}
		if time.Now().After(deadline) {
			t.Fatalf("no access log line for request %s:\n%s", id, p.logs.String())
		}
		time.Sleep(20 * time.Millisecond)
	}
}

// logLines parses the program's JSON log lines.
func logLines(t *testing.T, logs string) []map[string]any {
	t.Helper()
	var out []map[string]any
	for _, line := range strings.Split(strings.TrimSpace(logs), "\n") {
		var m map[string]any
		if err := json.Unmarshal([]byte(line), &m); err != nil {
			t.Fatalf("log line is not JSON: %q", line)
		}
		out = append(out, m)
	}
	return out
}

var csrfInput = regexp.MustCompile(`name="csrf_token" value="([^"]+)"`)

// signInOnTheWeb signs in through the sign-in form as a browser does and
// returns a client holding the session's cookies.
func signInOnTheWeb(t *testing.T, p *program, email, password string) *http.Client {
	t.Helper()
	jar, _ := cookiejar.New(nil)
	client := &http.Client{Jar: jar}
	res, err := client.Get(p.url("/sign-in"))
	if err != nil {
		t.Fatal(err)
	}
	form := readAll(t, res)
	m := csrfInput.FindStringSubmatch(form)
	if m == nil {
		t.Fatalf("no CSRF token on the sign-in page:\n%s", form)
	}
	res, err = client.PostForm(p.url("/sign-in"), url.Values{"email": {email}, "password": {password}, "csrf_token": {m[1]}})
	if err != nil {
		t.Fatal(err)
	}
	if body := readAll(t, res); res.StatusCode != http.StatusOK || strings.Contains(body, "Sign in") && strings.Contains(body, `name="password"`) {
		t.Fatalf("sign-in form: %d\n%s", res.StatusCode, body)
	}
	return client
}

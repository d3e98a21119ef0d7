package main

import (
	"bufio"
	"bytes"
	"context"
	"encoding/json"
	"fmt"
	"io"
	"net/http"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"sync"
	"syscall"
	"testing"
	"time"
)

var (
	binOnce sync.Once
	binPath string
	binErr  error
	binDir  string
)

func TestMain(m *testing.M) {
	code := m.Run()
	if binDir != "" {
		_ = os.RemoveAll(binDir)
	}
	os.Exit(code)
}

// buildBinary compiles this command once per test binary: the tests run
// the real program, as an operator would.
func buildBinary(t *testing.T) string {
	t.Helper()
	binOnce.Do(func() {
		binDir, binErr = os.MkdirTemp("", "complytrack-e2e-")
		if binErr != nil {
			return
		}
		binPath = filepath.Join(binDir, "complytrack-api")
		out, err := exec.Command("go", "build", "-o", binPath, ".").CombinedOutput()
		if err != nil {
			binErr = fmt.Errorf("go build: %v\n%s", err, out)
		}
	})
	if binErr != nil {
		t.Fatal(binErr)
	}
	return binPath
}

// logBuffer collects a child's log lines; the reader goroutine writes
// while the test reads.
type logBuffer struct {
	mu sync.Mutex
	b  strings.Builder
}

func (l *logBuffer) WriteString(s string) {
	l.mu.Lock()
	defer l.mu.Unlock()
	l.b.WriteString(s)
}

func (l *logBuffer) String() string {
	l.mu.Lock()
	defer l.mu.Unlock()
	return l.b.String()
}

// program is a running api process.
type program struct {
	cmd  *exec.Cmd
	addr string
	logs *logBuffer
	done chan error
}

// start runs the binary with env and waits for its "listening" log line.
func start(t *testing.T, bin string, env ...string) *program {
	t.Helper()
	cmd := exec.Command(bin)
	cmd.Env = append([]string{"PATH=" + os.Getenv("PATH"), "HOME=" + os.Getenv("HOME")}, env...)
	stdout, err := cmd.StdoutPipe()
	if err != nil {
		t.Fatal(err)
	}
	var stderr bytes.Buffer
	cmd.Stderr = &stderr
	if err := cmd.Start(); err != nil {
		t.Fatal(err)
	}
	p := &program{cmd: cmd, logs: &logBuffer{}, done: make(chan error, 1)}
	addrCh := make(chan string, 1)
	go func() {
		sc := bufio.NewScanner(stdout)
		for sc.Scan() {
			line := sc.Text()
			p.logs.WriteString(line + "\n")
			var rec struct{ Msg, Addr string }
			if json.Unmarshal([]byte(line), &rec) == nil && rec.Msg == "listening" {
				addrCh <- rec.Addr
			}
		}
		_, _ = io.Copy(io.Discard, stdout)
	}()
	go func() { p.done <- cmd.Wait() }()
	t.Cleanup(func() { _ = cmd.Process.Kill() })
	select {
	case p.addr = <-addrCh:
	case err := <-p.done:
		t.Fatalf("program exited before listening: %v\nstderr: %s", err, stderr.String())
	case <-time.After(90 * time.Second):
		t.Fatalf("program not listening after 90s\nstderr: %s", stderr.String())
	}
	return p
}

func (p *program) url(path string) string { return "http://" + p.addr + path }

func (p *program) stop(t *testing.T) {
	t.Helper()
	if err := p.cmd.Process.Signal(syscall.SIGTERM); err != nil {
		t.Fatal(err)
	}
	select {
	case err := <-p.done:
		if err != nil {
			t.Fatalf("exit after SIGTERM: %v\n%s", err, p.logs.String())
		}
	case <-time.After(15 * time.Second):
		t.Fatal("did not stop within 15s of SIGTERM")
	}
}

func postJSON(t *testing.T, url, token string, body any) (int, map[string]any) {
	t.Helper()
	raw, _ := json.Marshal(body)
	req, _ := http.NewRequest("POST", url, bytes.NewReader(raw))
	req.Header.Set("Content-Type", "application/json")
	if token != "" {
		req.Header.Set("Authorization", "Bearer "+token)
	}
	return send(t, req)
}

func get(t *testing.T, url, token string) (int, map[string]any) {
	t.Helper()
	req, _ := http.NewRequest("GET", url, nil)
	if token != "" {
		req.Header.Set("Authorization", "Bearer "+token)
	}
	return send(t, req)
}

func send(t *testing.T, req *http.Request) (int, map[string]any) {
	t.Helper()
	res, err := http.DefaultClient.Do(req)
	if err != nil {
		t.Fatal(err)
	}
	defer res.Body.Close()
	var m map[string]any
	_ = json.NewDecoder(res.Body).Decode(&m)
	return res.StatusCode, m
}

func TestProgramStartsServesStopsAndRestarts(t *testing.T) {
	bin := buildBinary(t)
	dataDir := t.TempDir()
	env := []string{
		"COMPLYTRACK_HTTP_ADDR=127.0.0.1:0",
		"COMPLYTRACK_DATA_DIR=" + dataDir,
	}

	first := start(t, bin, env...)
	if code, _ := get(t, first.url("/readyz"), ""); code != http.StatusOK {
		t.Fatalf("readyz %d", code)
	}
	// No admin password was given: one was generated and logged once.
	var password string
	for _, line := range strings.Split(first.logs.String(), "\n") {
		var rec struct{ Msg, Password string }
		if json.Unmarshal([]byte(line), &rec) == nil && rec.Password != "" {
			password = rec.Password
		}
	}
	if len(password) < 12 {
		t.Fatalf("no generated password in the log:\n%s", first.logs.String())
	}
	code, tokens := postJSON(t, first.url("/api/v1/auth/login"), "", map[string]string{"email": "admin@complytrack.local", "password": password})
	if code != http.StatusOK {
		t.Fatalf("login %d %v", code, tokens)
	}
	at := tokens["access_token"].(string)
	code, person := postJSON(t, first.url("/api/v1/people"), at, map[string]string{
		"employee_number": "E100", "email": "ada@example.gov.uk", "given_name": "Ada", "family_name": "Lovelace",
		"kind": "member", "start_date": "2026-05-07",
	})
	if code != http.StatusCreated {
		t.Fatalf("create person %d %v", code, person)
	}
	first.stop(t)
	if strings.Count(first.logs.String(), `"password"`) != 1 {
		t.Error("the generated password was logged more than once")
	}

	second := start(t, bin, env...)
	if code, _ := get(t, second.url("/readyz"), ""); code != http.StatusOK {
		t.Fatalf("readyz after restart %d", code)
	}
	if strings.Contains(second.logs.String(), `"password"`) {
		t.Error("a second start printed a password again")
	}
	// The signing key survived too: the old access token still verifies.
	code, got := get(t, second.url("/api/v1/people/"+person["id"].(string)), at)
	if code != http.StatusOK || got["family_name"] != "Lovelace" {
		t.Fatalf("person after restart: %d %v", code, got)
	}
	second.stop(t)
	info, err := os.Stat(filepath.Join(dataDir, "jwt-signing-key.pem"))
	if err != nil || info.Mode().Perm() != 0o600 {
		t.Errorf("signing key file: %v, mode %v", err, info.Mode().Perm())
	}
}

func TestMalformedSettingStopsStartWithOneLine(t *testing.T) {
	bin := buildBinary(t)
	for _, tt := range []struct{ env, name string }{
		{"COMPLYTRACK_HTTP_ADDR=eighty", "COMPLYTRACK_HTTP_ADDR"},
		{"COMPLYTRACK_WORKR=on", "COMPLYTRACK_WORKR"},
		{"MONGODB_URI=mysql://db", "MONGODB_URI"},
	} {
		t.Run(tt.name, func(t *testing.T) {
			cmd := exec.Command(bin)
			cmd.Env = []string{tt.env, "COMPLYTRACK_DATA_DIR=" + t.TempDir()}
			var stderr bytes.Buffer
			cmd.Stderr = &stderr
			err := cmd.Run()
			if ee, ok := err.(*exec.ExitError); !ok || ee.ExitCode() != 1 {
				t.Fatalf("exit: %v", err)
			}
			msg := strings.TrimRight(stderr.String(), "\n")
			if strings.Count(msg, "\n") != 0 || !strings.Contains(msg, tt.name) {
				t.Errorf("stderr %q is not one line naming %s", msg, tt.name)
			}
		})
	}
}

func TestGenkeyPrintsAUsableKey(t *testing.T) {
	var out bytes.Buffer
	if err := run(context.Background(), []string{"-genkey"}, nil, &out); err != nil {
		t.Fatal(err)
	}
	if !strings.HasPrefix(out.String(), "-----BEGIN PRIVATE KEY-----") {
		t.Errorf("output %q", out.String())
	}
	// A key given by configuration is used instead of a generated one.
	env := []string{"COMPLYTRACK_JWT_KEYS=" + out.String(), "MONGODB_URI=mongodb://127.0.0.1:1/x"}
	err := run(context.Background(), nil, env, io.Discard)
	if err == nil || !strings.Contains(err.Error(), "MONGODB_URI") {
		t.Errorf("with an unreachable MongoDB: %v", err)
	}
}

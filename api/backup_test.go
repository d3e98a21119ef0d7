package main

import (
	"bytes"
	"encoding/json"
	"flag"
	"fmt"
	"io"
	"mime/multipart"
	"net/http"
	"net/textproto"
	"net/url"
	"os"
	"os/exec"
	"path/filepath"
	"slices"
	"strings"
	"sync"
	"testing"
	"time"
)

// This test runs the embedded engine whatever COMPLYTRACK_TEST_MONGODB_URI
// says: backup and restore exist for the embedded engine only, and each
// program it starts is given its own environment, with no MONGODB_URI.

// The whole journey on the real program: an install with people,
// completions and certificates is backed up while it serves (once while
// writes go on, once quiet), stopped, restored into other data
// directories, and started there. The quiet backup answers the compliance
// report (JSON and CSV), the people list and every certificate byte for
// byte as the original did; the original's password and tokens still
// work. The busy backup holds the original's writes up to one moment, and
// every completion in it has its audit entry.
func TestBackupOfARunningInstallRestoresTheSameAnswers(t *testing.T) {
	bin := buildBinary(t)
	const password = "backup-journey-password"
	envFor := func(dataDir string) []string {
		return []string{
			"COMPLYTRACK_HTTP_ADDR=127.0.0.1:0",
			"COMPLYTRACK_DATA_DIR=" + dataDir,
			"COMPLYTRACK_ADMIN_PASSWORD=" + password,
		}
	}
	origDir := filepath.Join(t.TempDir(), "data")
	orig := start(t, bin, envFor(origDir)...)
	hr := signIn(t, orig, password)

	// Twelve people, nine with a completion and its certificate, of sizes
	// from a few hundred bytes to several 1 MiB chunks.
	uploaded := map[string][]byte{} // completion ID -> certificate sent
	for i := range 12 {
		p := createPerson(t, orig, hr.access, fmt.Sprintf("B%03d", i))
		if i%4 == 3 {
			continue // no record: overdue in the report
		}
		cert := certificatePDF(fmt.Sprintf("seed-%d", i), []int{300, 40_000, 1<<20 + 17, 3 << 20}[i%4])
		id := recordCompletion(t, orig, hr.access, p, fmt.Sprintf("2025-%02d-10", 1+i%12), cert)
		uploaded[id] = cert
	}

	// A writer adds people with completions, one after the other, while
	// the first backup is taken.
	type write struct{ person, completion string }
	var (
		mu     sync.Mutex
		writes []write
		stop   = make(chan struct{})
		done   = make(chan struct{})
	)
	writeCount := func() int { mu.Lock(); defer mu.Unlock(); return len(writes) }
	go func() {
		defer close(done)
		for i := 0; ; i++ {
			select {
			case <-stop:
				return
			default:
			}
			p, ok := tryCreatePerson(orig, hr.access, fmt.Sprintf("W%04d", i))
			if !ok {
				t.Errorf("the writer could not add person W%04d", i)
				return
			}
			cert := certificatePDF(fmt.Sprintf("writer-%d", i), 20_000+i)
			id, ok := tryRecordCompletion(orig, hr.access, p, "2025-06-01", cert)
			if !ok {
				t.Errorf("the writer could not record W%04d's completion", i)
				return
			}
			mu.Lock()
			writes = append(writes, write{p, id})
			uploaded[id] = cert
			mu.Unlock()
		}
	}()
	waitFor(t, 60*time.Second, "the writer to start", func() bool { return writeCount() >= 2 })

	backups := t.TempDir()
	busyBackup := filepath.Join(backups, "busy.tar.gz")
	beforeBackup := writeCount()
	began := time.Now()
	line := runOK(t, bin, envFor(origDir), "-backup", busyBackup)
	took := time.Since(began)
	duringBackup := writeCount()
	waitFor(t, 60*time.Second, "the writer to go on after the backup", func() bool { return writeCount() >= duringBackup+2 })
	close(stop)
	<-done
	t.Logf("busy backup in %v: %s (the writer had made %d writes when it ended)", took.Round(time.Millisecond), line, duringBackup)
	if !strings.HasPrefix(line, "wrote "+busyBackup+" (") || !strings.Contains(line, "database complytrack") ||
		!strings.Contains(line, "and the signing key") || strings.Count(line, "\n") != 1 {
		t.Errorf("-backup printed %q", line)
	}
	if info, err := os.Stat(busyBackup); err != nil || info.Mode().Perm() != 0o600 {
		t.Errorf("backup file: %v, mode %v", err, info.Mode().Perm())
	}

	// The original, quiet now, and a backup of it while it still serves.
	want := answers(t, orig, hr.access)
	if len(want.certificates) != len(uploaded) {
		t.Fatalf("the original serves %d certificates, %d were uploaded", len(want.certificates), len(uploaded))
	}
	for id, cert := range uploaded {
		if !bytes.Equal(want.certificates[id].body, cert) {
			t.Fatalf("the original serves certificate %s not as it was uploaded", id)
		}
	}
	quietBackup := filepath.Join(backups, "quiet.tar.gz")
	runOK(t, bin, envFor(origDir), "-backup", quietBackup)
	// A backup never overwrites a file.
	before, _ := os.ReadFile(quietBackup)
	if msg := runFails(t, bin, envFor(origDir), "-backup", quietBackup); !strings.Contains(msg, "exists already") {
		t.Errorf("-backup onto an existing file: %q", msg)
	}
	if after, _ := os.ReadFile(quietBackup); !bytes.Equal(before, after) {
		t.Error("-backup changed an existing file")
	}
	orig.stop(t)

	// A backup of the stopped install leaves its data directory as it was
	// and restores to the same answers too.
	treeBefore := dirTree(t, origDir)
	stoppedBackup := filepath.Join(backups, "stopped.tar.gz")
	runOK(t, bin, envFor(origDir), "-backup", stoppedBackup)
	if treeAfter := dirTree(t, origDir); !slices.Equal(treeBefore, treeAfter) {
		t.Errorf("-backup of a stopped install changed its data directory from %v to %v", treeBefore, treeAfter)
	}
	stoppedDir := filepath.Join(t.TempDir(), "stopped")
	runOK(t, bin, envFor(stoppedDir), "-restore", stoppedBackup)
	fromStopped := start(t, bin, envFor(stoppedDir)...)
	compareAnswers(t, want, answers(t, fromStopped, hr.access))
	fromStopped.stop(t)

	// Restored into a new data directory, the quiet backup answers as the
	// original did.
	restoredDir := filepath.Join(t.TempDir(), "restored")
	line = runOK(t, bin, envFor(restoredDir), "-restore", quietBackup)
	if !strings.HasPrefix(line, "restored "+quietBackup) || !strings.Contains(line, restoredDir) {
		t.Errorf("-restore printed %q", line)
	}
	if msg := runFails(t, bin, envFor(restoredDir), "-restore", quietBackup); !strings.Contains(msg, filepath.Join(restoredDir, "jwt-signing-key.pem")) {
		t.Errorf("-restore into a data directory that holds data: %q", msg)
	}
	restored := start(t, bin, envFor(restoredDir)...)
	// The original's access token verifies: the signing key came along.
	got := answers(t, restored, hr.access)
	compareAnswers(t, want, got)
	again := signIn(t, restored, password)
	if code, _ := get(t, restored.url("/api/v1/me"), again.access); code != http.StatusOK {
		t.Errorf("GET /api/v1/me with a new sign-in: %d", code)
	}
	// The original's sign-in goes on too: its refresh token is in the data.
	if code, body := postJSON(t, restored.url("/api/v1/auth/refresh"), "", map[string]string{"refresh_token": hr.refresh}); code != http.StatusOK {
		t.Errorf("refresh with the original's token: %d %v", code, body)
	}
	restored.stop(t)

	// The busy backup: the writer's writes up to one moment, nothing after.
	busyDir := filepath.Join(t.TempDir(), "busy")
	runOK(t, bin, envFor(busyDir), "-restore", busyBackup)
	busy := start(t, bin, envFor(busyDir)...)
	people := map[string]json.RawMessage{}
	for _, p := range want.people {
		var id struct{ ID string }
		_ = json.Unmarshal(p, &id)
		people[id.ID] = p
	}
	var restoredPeople []string
	for _, p := range peopleList(t, busy, hr.access) {
		var id struct{ ID string }
		_ = json.Unmarshal(p, &id)
		if !bytes.Equal(people[id.ID], p) {
			t.Errorf("person %s in the busy backup differs from the original's:\n%s\n%s", id.ID, p, people[id.ID])
		}
		restoredPeople = append(restoredPeople, id.ID)
	}
	// A prefix of the writer's sequence: people 0..k-1 with their
	// completions, and maybe person k without one (the moment fell between).
	k := 0
	for k < len(writes) && slices.Contains(restoredPeople, writes[k].person) {
		k++
	}
	for _, w := range writes[k:] {
		if slices.Contains(restoredPeople, w.person) {
			t.Errorf("the busy backup holds %s but not every person written before", w.person)
		}
	}
	if k < beforeBackup || k > duringBackup+1 {
		t.Errorf("the busy backup holds %d of the writer's people; %d were written before it began, %d when it ended", k, beforeBackup, duringBackup)
	}
	if len(restoredPeople) != len(want.people)-len(writes)+k {
		t.Errorf("the busy backup holds %d people, want the %d seeded and %d of the writer's",
			len(restoredPeople), len(want.people)-len(writes), k)
	}
	var completions []string
	for i, w := range writes[:k] {
		cs := completionIDs(t, busy, hr.access, w.person)
		if i < k-1 || len(cs) > 0 {
			if !slices.Equal(cs, []string{w.completion}) {
				t.Errorf("person %s in the busy backup has completions %v, want [%s]", w.person, cs, w.completion)
			}
		}
		completions = append(completions, cs...)
	}
	for id := range want.certificates {
		if !slices.ContainsFunc(writes, func(w write) bool { return w.completion == id }) {
			completions = append(completions, id) // a seeded one
		}
	}
	for _, id := range completions {
		res := download(t, busy, hr.access, "/api/v1/completions/"+id+"/certificate")
		if res.status != http.StatusOK || !bytes.Equal(res.body, uploaded[id]) {
			t.Errorf("certificate of %s in the busy backup: %d, %d bytes, want the %d uploaded", id, res.status, len(res.body), len(uploaded[id]))
		}
	}
	// Every completion has its audit entry. One whose write the moment
	// cut gets it from the program's own repair of unfinished writes,
	// within its 30 s settling time.
	waitFor(t, 90*time.Second, "every completion's audit entry", func() bool {
		for _, id := range completions {
			if !hasAudit(t, busy, hr.access, id, "completion.record") {
				return false
			}
		}
		return true
	})
	t.Logf("the busy backup holds %d of the writer's %d people (%d when the backup ended), %d completions, all with their audit entry",
		k, len(writes), duringBackup, len(completions))
	busy.stop(t)
}

type tokens struct{ access, refresh string }

func signIn(t *testing.T, p *program, password string) tokens {
	t.Helper()
	code, body := postJSON(t, p.url("/api/v1/auth/login"), "", map[string]string{"email": "admin@complytrack.local", "password": password})
	if code != http.StatusOK {
		t.Fatalf("sign in: %d %v", code, body)
	}
	return tokens{body["access_token"].(string), body["refresh_token"].(string)}
}

func createPerson(t *testing.T, p *program, token, number string) string {
	t.Helper()
	id, ok := tryCreatePerson(p, token, number)
	if !ok {
		t.Fatalf("create person %s", number)
	}
	return id
}

func tryCreatePerson(p *program, token, number string) (string, bool) {
	raw, _ := json.Marshal(map[string]string{
		"employee_number": number, "email": strings.ToLower(number) + "@example.gov.uk",
		"given_name": "Person", "family_name": number, "kind": "staff",
		"department": []string{"Housing", "Planning", "Finance"}[len(number)%3], "start_date": "2024-01-15",
	})
	req, _ := http.NewRequest("POST", p.url("/api/v1/people"), bytes.NewReader(raw))
	req.Header.Set("Content-Type", "application/json")
	req.Header.Set("Authorization", "Bearer "+token)
	res, err := http.DefaultClient.Do(req)
	if err != nil {
		return "", false
	}
	defer res.Body.Close()
	var out struct{ ID string }
	if res.StatusCode != http.StatusCreated || json.NewDecoder(res.Body).Decode(&out) != nil {
		return "", false
	}
	return out.ID, true
}

func recordCompletion(t *testing.T, p *program, token, personID, on string, cert []byte) string {
	t.Helper()
	id, ok := tryRecordCompletion(p, token, personID, on, cert)
	if !ok {
		t.Fatalf("record a completion for %s", personID)
	}
	return id
}

// tryRecordCompletion records a PREVENT completion with its certificate
// through the API, as HR.
func tryRecordCompletion(p *program, token, personID, on string, cert []byte) (string, bool) {
	var buf bytes.Buffer
	w := multipart.NewWriter(&buf)
	_ = w.WriteField("course_code", "PREVENT")
	_ = w.WriteField("completed_on", on)
	h := textproto.MIMEHeader{}
	h.Set("Content-Disposition", `form-data; name="certificate"; filename="prevent certificate.pdf"`)
	h.Set("Content-Type", "application/pdf")
	part, _ := w.CreatePart(h)
	_, _ = part.Write(cert)
	_ = w.Close()
	req, _ := http.NewRequest("POST", p.url("/api/v1/people/"+personID+"/completions"), &buf)
	req.Header.Set("Content-Type", w.FormDataContentType())
	req.Header.Set("Authorization", "Bearer "+token)
	res, err := http.DefaultClient.Do(req)
	if err != nil {
		return "", false
	}
	defer res.Body.Close()
	var out struct{ ID string }
	if res.StatusCode != http.StatusCreated || json.NewDecoder(res.Body).Decode(&out) != nil {
		return "", false
	}
	return out.ID, true
}

// certificatePDF is a PDF of exactly size bytes that the evidence checks
// accept; tag makes its bytes unique.
func certificatePDF(tag string, size int) []byte {
	head := "%PDF-1.4\n% " + tag + "\n"
	tail := "\ntrailer\n<< >>\n%%EOF\n"
	pad := size - len(head) - len(tail)
	var b bytes.Buffer
	b.WriteString(head)
	for i := 0; i < pad; i++ {
		b.WriteByte(byte('a' + (i*7+len(tag))%26))
	}
	b.WriteString(tail)
	return b.Bytes()
}

type rawAnswer struct {
	status int
	header http.Header
	body   []byte
}

func download(t *testing.T, p *program, token, path string) rawAnswer {
	t.Helper()
	req, _ := http.NewRequest("GET", p.url(path), nil)
	req.Header.Set("Authorization", "Bearer "+token)
	res, err := http.DefaultClient.Do(req)
	if err != nil {
		t.Fatal(err)
	}
	defer res.Body.Close()
	body, err := io.ReadAll(res.Body)
	if err != nil {
		t.Fatal(err)
	}
	return rawAnswer{res.StatusCode, res.Header, body}
}

// installAnswers is what the issue compares between the original and the
// restored copy.
type installAnswers struct {
	reportJSON, reportCSV rawAnswer
	people                []json.RawMessage
	certificates          map[string]rawAnswer // by completion ID
}

func answers(t *testing.T, p *program, token string) installAnswers {
	t.Helper()
	a := installAnswers{
		reportJSON:   download(t, p, token, "/api/v1/reports/compliance?course_code=PREVENT"),
		reportCSV:    download(t, p, token, "/api/v1/reports/compliance?course_code=PREVENT&format=csv"),
		people:       peopleList(t, p, token),
		certificates: map[string]rawAnswer{},
	}
	if a.reportJSON.status != http.StatusOK || a.reportCSV.status != http.StatusOK {
		t.Fatalf("report: %d, csv: %d", a.reportJSON.status, a.reportCSV.status)
	}
	for _, person := range a.people {
		var id struct{ ID string }
		_ = json.Unmarshal(person, &id)
		for _, c := range completionIDs(t, p, token, id.ID) {
			a.certificates[c] = download(t, p, token, "/api/v1/completions/"+c+"/certificate")
		}
	}
	return a
}

func compareAnswers(t *testing.T, want, got installAnswers) {
	t.Helper()
	for _, c := range []struct {
		name       string
		want, got  rawAnswer
		headerKeys []string
	}{
		{"the compliance report", want.reportJSON, got.reportJSON, []string{"Content-Type"}},
		{"the compliance report as CSV", want.reportCSV, got.reportCSV, []string{"Content-Type", "Content-Disposition"}},
	} {
		if c.got.status != c.want.status || !bytes.Equal(c.got.body, c.want.body) {
			t.Errorf("%s differs:\nrestored %d %s\noriginal %d %s", c.name, c.got.status, c.got.body, c.want.status, c.want.body)
		}
		for _, k := range c.headerKeys {
			if c.got.header.Get(k) != c.want.header.Get(k) {
				t.Errorf("%s: %s %q, the original's %q", c.name, k, c.got.header.Get(k), c.want.header.Get(k))
			}
		}
	}
	if len(got.people) != len(want.people) {
		t.Errorf("the restored copy lists %d people, the original %d", len(got.people), len(want.people))
	}
	for i := range min(len(got.people), len(want.people)) {
		if !bytes.Equal(got.people[i], want.people[i]) {
			t.Errorf("person %d differs:\nrestored %s\noriginal %s", i, got.people[i], want.people[i])
		}
	}
	if len(got.certificates) != len(want.certificates) {
		t.Errorf("the restored copy serves %d certificates, the original %d", len(got.certificates), len(want.certificates))
	}
	for id, w := range want.certificates {
		g := got.certificates[id]
		if g.status != w.status || !bytes.Equal(g.body, w.body) {
			t.Errorf("certificate %s: restored %d, %d bytes; original %d, %d bytes", id, g.status, len(g.body), w.status, len(w.body))
		}
		for _, k := range []string{"Content-Type", "Content-Disposition", "Content-Length"} {
			if g.header.Get(k) != w.header.Get(k) {
				t.Errorf("certificate %s: %s %q, the original's %q", id, k, g.header.Get(k), w.header.Get(k))
			}
		}
	}
	if t.Failed() {
		return
	}
	t.Logf("the restored copy answers as the original: report %d bytes, CSV %d bytes, %d people, %d certificates",
		len(got.reportJSON.body), len(got.reportCSV.body), len(got.people), len(got.certificates))
}

// peopleList reads every page of the people list.
func peopleList(t *testing.T, p *program, token string) []json.RawMessage {
	t.Helper()
	var out []json.RawMessage
	cursor := ""
	for {
		res := download(t, p, token, "/api/v1/people?limit=7&cursor="+url.QueryEscape(cursor))
		if res.status != http.StatusOK {
			t.Fatalf("people: %d %s", res.status, res.body)
		}
		var page struct {
			Items      []json.RawMessage `json:"items"`
			NextCursor string            `json:"next_cursor"`
		}
		if err := json.Unmarshal(res.body, &page); err != nil {
			t.Fatal(err)
		}
		out = append(out, page.Items...)
		if page.NextCursor == "" {
			return out
		}
		cursor = page.NextCursor
	}
}

func completionIDs(t *testing.T, p *program, token, personID string) []string {
	t.Helper()
	res := download(t, p, token, "/api/v1/people/"+personID+"/completions")
	if res.status != http.StatusOK {
		t.Fatalf("completions of %s: %d %s", personID, res.status, res.body)
	}
	var page struct {
		Items []struct{ ID string } `json:"items"`
	}
	if err := json.Unmarshal(res.body, &page); err != nil {
		t.Fatal(err)
	}
	var ids []string
	for _, c := range page.Items {
		ids = append(ids, c.ID)
	}
	return ids
}

func hasAudit(t *testing.T, p *program, token, entityID, action string) bool {
	t.Helper()
	res := download(t, p, token, "/api/v1/audit?entity_id="+url.QueryEscape(entityID))
	if res.status != http.StatusOK {
		t.Fatalf("audit of %s: %d %s", entityID, res.status, res.body)
	}
	var page struct {
		Items []struct{ Action string } `json:"items"`
	}
	if err := json.Unmarshal(res.body, &page); err != nil {
		t.Fatal(err)
	}
	return slices.ContainsFunc(page.Items, func(e struct{ Action string }) bool { return e.Action == action })
}

// runOK runs the program to completion with args and returns what it
// printed; it must succeed and print nothing on stderr.
func runOK(t *testing.T, bin string, env []string, args ...string) string {
	t.Helper()
	cmd := exec.Command(bin, args...)
	cmd.Env = append([]string{"PATH=" + os.Getenv("PATH"), "HOME=" + os.Getenv("HOME")}, env...)
	var stdout, stderr bytes.Buffer
	cmd.Stdout, cmd.Stderr = &stdout, &stderr
	if err := cmd.Run(); err != nil {
		t.Fatalf("%v: %v\nstdout: %s\nstderr: %s", args, err, stdout.String(), stderr.String())
	}
	if stderr.Len() > 0 {
		t.Errorf("%v wrote to stderr: %s", args, stderr.String())
	}
	return stdout.String()
}

// runFails runs the program with args, which must exit with status 1 and
// one line on stderr; it returns that line.
func runFails(t *testing.T, bin string, env []string, args ...string) string {
	t.Helper()
	cmd := exec.Command(bin, args...)
	cmd.Env = append([]string{"PATH=" + os.Getenv("PATH"), "HOME=" + os.Getenv("HOME")}, env...)
	var stderr bytes.Buffer
	cmd.Stderr = &stderr
	err := cmd.Run()
	if ee, ok := err.(*exec.ExitError); !ok || ee.ExitCode() != 1 {
		t.Errorf("%v: exit %v, want 1", args, err)
	}
	msg := strings.TrimSuffix(stderr.String(), "\n")
	if strings.Contains(msg, "\n") {
		t.Errorf("%v: more than one line on stderr: %q", args, msg)
	}
	return msg
}

func waitFor(t *testing.T, limit time.Duration, what string, ok func() bool) {
	t.Helper()
	deadline := time.Now().Add(limit)
	for !ok() {
		if time.Now().After(deadline) {
			t.Fatalf("waited %v for %s", limit, what)
		}
		time.Sleep(100 * time.Millisecond)
	}
}

// -backup and -restore say plainly why they will not run.
func TestBackupAndRestoreRefusals(t *testing.T) {
	empty := t.TempDir()
	withData := t.TempDir()
	if err := os.MkdirAll(filepath.Join(withData, "db"), 0o700); err != nil {
		t.Fatal(err)
	}
	if err := os.WriteFile(filepath.Join(withData, "db", "complytrack.sqlite"), []byte("x"), 0o600); err != nil {
		t.Fatal(err)
	}
	for _, tt := range []struct {
		name string
		args []string
		env  []string
		say  []string
	}{
		{"backup with MongoDB", []string{"-backup", filepath.Join(t.TempDir(), "b.tar.gz")},
			[]string{"MONGODB_URI=mongodb://db:27017/complytrack", "COMPLYTRACK_JWT_KEYS_FILE=/nowhere"}, []string{"MONGODB_URI is set", "mongodump"}},
		{"restore with MongoDB", []string{"-restore", filepath.Join(t.TempDir(), "b.tar.gz")},
			[]string{"MONGODB_URI=mongodb://db:27017/complytrack", "COMPLYTRACK_JWT_KEYS_FILE=/nowhere"}, []string{"MONGODB_URI is set", "mongorestore"}},
		{"backup of an empty data directory", []string{"-backup", filepath.Join(t.TempDir(), "b.tar.gz")},
			[]string{"COMPLYTRACK_DATA_DIR=" + empty}, []string{"nothing to back up", empty, "holds no database"}},
		{"restore into a data directory with data", []string{"-restore", filepath.Join(t.TempDir(), "b.tar.gz")},
			[]string{"COMPLYTRACK_DATA_DIR=" + withData}, []string{"not empty", filepath.Join(withData, "db", "complytrack.sqlite")}},
		{"restore of a missing file", []string{"-restore", filepath.Join(empty, "missing.tar.gz")},
			[]string{"COMPLYTRACK_DATA_DIR=" + filepath.Join(empty, "data")}, []string{"missing.tar.gz", "no such file"}},
		{"both at once", []string{"-backup", "b.tar.gz", "-restore", "b.tar.gz"}, nil, []string{"each run alone"}},
		{"with -demo", []string{"-demo", "-restore", "b.tar.gz"}, nil, []string{"each run alone"}},
	} {
		t.Run(tt.name, func(t *testing.T) {
			var out bytes.Buffer
			err := run(t.Context(), tt.args, tt.env, &out)
			if err == nil {
				t.Fatalf("ran, printing %q", out.String())
			}
			for _, s := range tt.say {
				if !strings.Contains(err.Error(), s) {
					t.Errorf("error %q does not say %q", err, s)
				}
			}
			if out.Len() > 0 {
				t.Errorf("printed %q", out.String())
			}
		})
	}
	if _, err := os.Stat(filepath.Join(empty, "data")); !os.IsNotExist(err) {
		t.Errorf("a refused restore made the data directory: %v", err)
	}
}

// Every flag of the command is in the README, as it is spelled.
func TestEveryFlagIsInTheReadme(t *testing.T) {
	readme, err := os.ReadFile("../README.md")
	if err != nil {
		t.Fatal(err)
	}
	var cl commandLine
	n := 0
	cl.flags().VisitAll(func(f *flag.Flag) {
		n++
		if !bytes.Contains(readme, []byte("go run ./api -"+f.Name)) {
			t.Errorf("README.md shows no `go run ./api -%s`", f.Name)
		}
	})
	if n < 4 {
		t.Errorf("found %d flags", n)
	}
}

// dirTree lists the files under dir with their sizes.
func dirTree(t *testing.T, dir string) []string {
	t.Helper()
	var out []string
	err := filepath.WalkDir(dir, func(p string, d os.DirEntry, err error) error {
		if err != nil || d.IsDir() {
			return err
		}
		info, err := d.Info()
		if err != nil {
			return err
		}
		rel, _ := filepath.Rel(dir, p)
		out = append(out, fmt.Sprintf("%s (%d bytes)", rel, info.Size()))
		return nil
	})
	if err != nil {
		t.Fatal(err)
	}
	return out
}

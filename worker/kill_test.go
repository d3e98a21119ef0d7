package main

import (
	"bufio"
	"context"
	"encoding/json"
	"fmt"
	"io"
	"log/slog"
	"math/rand/v2"
	"os"
	"os/exec"
	"path/filepath"
	"runtime/debug"
	"slices"
	"strconv"
	"strings"
	"sync"
	"testing"
	"time"

	"go.mongodb.org/mongo-driver/v2/bson"
	"go.mongodb.org/mongo-driver/v2/mongo"

	"github.com/complytrack/complytrack/pkg/app"
	"github.com/complytrack/complytrack/pkg/auth"
	"github.com/complytrack/complytrack/pkg/config"
	"github.com/complytrack/complytrack/pkg/dbtest"
	"github.com/complytrack/complytrack/pkg/training"
)

// TestKilledScanNotifiesExactlyOnce is issue 5's crash test: the real
// worker binary runs the compliance scan of a 1,500-person organisation
// (300 under -race) and is killed with SIGKILL at random points of it, many
// times, then runs it to completion. Every reminder, flag and escalation
// must then exist exactly once, and nothing may have gone to a leaver.
//
// The kill points are spread over the whole scan (reminders and flags,
// then the escalation to HR): before each run the test picks a target
// amount of work (writes) from a sorted list of random targets and waits
// the time the scan needs to reach it at the rate measured so far. Set
// KILLTEST_SEED to replay a run's random choices (the waits also depend on
// the measured rate).
func TestKilledScanNotifiesExactlyOnce(t *testing.T) {
	if testing.Short() {
		t.Skip("-short: skipping the SIGKILL test, which builds the worker and kills it a dozen times during a 1,500-person scan (under a minute)")
	}
	begin := time.Now()
	ctx := context.Background()

	seed := uint64(time.Now().UnixNano())
	if s := os.Getenv("KILLTEST_SEED"); s != "" {
		v, err := strconv.ParseUint(s, 10, 64)
		if err != nil {
			t.Fatalf("KILLTEST_SEED: %v", err)
		}
		seed = v
	}
	t.Logf("seed %d (KILLTEST_SEED=%d replays the random choices)", seed, seed)
	rng := rand.New(rand.NewPCG(seed, seed^0x9e3779b97f4a7c15))

	// Build the binary while the organisation is seeded.
	binCh := make(chan string, 1)
	binErr := make(chan error, 1)
	binDir := t.TempDir()
	built := make(chan struct{})
	t.Cleanup(func() { <-built }) // before binDir is removed
	go func() {
		defer close(built)
		bin := filepath.Join(binDir, "complytrack-worker")
		out, err := exec.Command("go", "build", "-o", bin, ".").CombinedOutput()
		if err != nil {
			binErr <- fmt.Errorf("go build: %v\n%s", err, out)
			return
		}
		binCh <- bin
	}()

	db := dbtest.New(t)
	uri := strings.TrimSuffix(dbtest.URI(t), "/") + "/" + db.Name()
	a := newSeededApp(t, ctx, db, uri)
	// 1,500 overdue staff make the scan take several seconds. Under -race
	// the embedded engine (in this process) is some five times slower, and
	// each worker start slower still: 300 make a scan of several seconds.
	staff := 1500
	if raceEnabled() {
		staff = 300
	}
	org := seedOrganisation(t, ctx, a, staff)

	// What the scan must notify, from the service itself before any run.
	res, err := a.Training.Scan(ctx)
	if err != nil {
		t.Fatal(err)
	}
	today := res.Today
	want := expectedNotifications(t, res, org)
	t.Logf("seeded %d people in %v: %d reminders (%v), %d escalations to HR expected",
		org.total, time.Since(begin).Round(time.Millisecond), len(want.reminders), want.byKind, len(want.escalations))

	var bin string
	select {
	case bin = <-binCh:
	case err := <-binErr:
		t.Fatal(err)
	case <-time.After(3 * time.Minute):
		t.Fatal("go build of the worker took more than 3 minutes")
	}
	t.Logf("worker built after %v", time.Since(begin).Round(time.Millisecond))

	env := []string{"MONGODB_URI=" + uri, "COMPLYTRACK_JOB_LEASE=2s"}
	p := progressOf(db)

	// The scan's work, in writes: a reminder and a flag per transition,
	// then the escalation: one batch notice covering everyone escalated,
	// the e-mail to each HR address, and the batch's "sent" marker. Kill
	// targets are spread uniformly over it.
	const kills = 12
	totalWork := 2*len(want.reminders) + 2 + len(want.hr)
	targets := make([]int, kills)
	for i := range targets {
		targets[i] = rng.IntN(totalWork)
	}
	slices.Sort(targets)

	var (
		rate       float64 // writes per millisecond, measured from kills
		midRun     int
		completed  bool // a run finished before its kill
		busyWaits  int
		killReport []string
	)
	before := p.read(t, ctx)
	for i := 0; i < kills && !completed; i++ {
		work := before.work()
		var delay time.Duration
		switch {
		case rate == 0:
			delay = time.Duration(50+rng.IntN(250)) * time.Millisecond
		case targets[i] > work:
			// 30 ms for the run's start (lease, scan in memory), then the
			// writes up to the target at the measured rate.
			delay = 30*time.Millisecond + time.Duration(float64(targets[i]-work)/rate*float64(time.Millisecond))
		default: // already past this target: kill early in the run
			delay = time.Duration(5+rng.IntN(60)) * time.Millisecond
		}
		delay = min(delay, 20*time.Second)

		startAt := time.Now()
		c, busy := startRun(t, bin, env)
		busyWaits += busy
		startedIn := time.Since(startAt)
		if c == nil { // the scan of this minute is recorded as done
			completed = true
			killReport = append(killReport, fmt.Sprintf("run %d: the scan had finished already this minute", i+1))
			break
		}
		killed, exitErr := c.killAfter(delay)
		after := p.read(t, ctx)
		line := fmt.Sprintf("run %2d: started in %v, target %5d writes, kill after %6v; reminders %4d→%4d, flags %4d→%4d, escalations %d→%d, notices %4d→%4d",
			i+1, startedIn.Round(time.Millisecond), targets[i], delay.Round(time.Millisecond), before.reminders, after.reminders, before.flags, after.flags,
			before.escalations, after.escalations, before.notices, after.notices)
		switch {
		case killed:
			if after.work() > work {
				midRun++
				// The highest rate seen: an estimate too high kills early
				// (still mid-run), one too low could wait past the end.
				r := float64(after.work()-work) / float64(max(delay-30*time.Millisecond, time.Millisecond).Milliseconds())
				rate = max(rate, r)
			}
			line += " — killed"
		case exitErr == nil:
			completed = true
			line += " — finished before the kill"
		default:
			t.Fatalf("%s\nthe worker failed on its own: %v\nstderr: %s\nlogs:\n%s", line, exitErr, c.stderr.String(), c.logs.String())
		}
		killReport = append(killReport, line)
		t.Log(line)
		before = after
	}

	// Now the run that completes (unless one did already, this minute).
	final, busy := startRun(t, bin, env)
	busyWaits += busy
	var summary string
	if final == nil {
		if !completed {
			t.Fatal("the final run was refused as already done, but no run had finished")
		}
		summary = "(the scan had finished in an earlier run this minute)"
	} else {
		select {
		case err := <-final.done:
			if err != nil {
				t.Fatalf("final run: %v\nstderr: %s\nlogs:\n%s", err, final.stderr.String(), final.logs.String())
			}
		case <-time.After(90 * time.Second):
			_ = final.cmd.Process.Kill()
			t.Fatalf("final run did not finish within 90s\nlogs:\n%s", final.logs.String())
		}
		summary = final.summary()
	}
	end := p.read(t, ctx)
	t.Logf("final run: %s", summary)
	t.Logf("%d kills landed mid-run (writes done between start and kill), %d waits for a dead worker's lease; total %v",
		midRun, busyWaits, time.Since(begin).Round(time.Millisecond))
	t.Logf("after all runs: reminders %d, flags %d, escalations %d, notices %d", end.reminders, end.flags, end.escalations, end.notices)
	if midRun < kills/2 {
		t.Errorf("only %d of %d kills landed in the middle of a scan; the test did not test much:\n%s", midRun, kills, strings.Join(killReport, "\n"))
	}

	if now := training.Today(time.Now(), a.Training.Location()); now != today {
		t.Skipf("the day changed during the test (%s → %s): the runs scanned different days", today, now)
	}
	checkExactlyOnce(t, ctx, db, want, org)
}

// raceEnabled reports whether this test binary was built with -race.
func raceEnabled() bool {
	bi, ok := debug.ReadBuildInfo()
	if !ok {
		return false
	}
	for _, s := range bi.Settings {
		if s.Key == "-race" {
			return s.Value == "true"
		}
	}
	return false
}

// seededOrg is who was seeded, for the assertions.
type seededOrg struct {
	total   int
	staff   int             // of whom overdue staff and Members
	leavers map[string]bool // e-mail addresses (lower case)
}

func newSeededApp(t *testing.T, ctx context.Context, db *mongo.Database, uri string) *app.App {
	t.Helper()
	ks, err := auth.GenerateKeySet()
	if err != nil {
		t.Fatal(err)
	}
	keyPEM, err := ks.MarshalPEM()
	if err != nil {
		t.Fatal(err)
	}
	cfg, err := config.Load([]string{
		"MONGODB_URI=" + uri,
		"COMPLYTRACK_JWT_KEYS=" + string(keyPEM),
		"COMPLYTRACK_ADMIN_EMAIL=hr.officer@example.gov.uk",
		"COMPLYTRACK_ADMIN_PASSWORD=admin-password-for-tests",
	})
	if err != nil {
		t.Fatal(err)
	}
	// The full app, not a worker: it makes the first HR account, so the
	// scan has someone to escalate to.
	a, err := app.New(ctx, cfg, db, slog.New(slog.NewTextHandler(io.Discard, nil)), app.Options{HasherParams: auth.MinParams})
	if err != nil {
		t.Fatal(err)
	}
	return a
}

// seedOrganisation imports `staff` people overdue for PREVENT (started in
// 2024, nothing completed) under six managers, elected Members, new starters
// (due), people whose completion expires soon (due soon) or has expired,
// compliant people, contractors (not applicable) and leavers.
func seedOrganisation(t *testing.T, ctx context.Context, a *app.App, staff int) seededOrg {
	t.Helper()
	hr := training.SystemActorFor()
	today := a.Training.Today()
	org := seededOrg{staff: staff, leavers: map[string]bool{}}
	var creates []training.ImportCreate
	add := func(number string, kind training.Kind, manager string, start, end training.Date) string {
		email := strings.ToLower(number) + "@example.gov.uk"
		creates = append(creates, training.ImportCreate{Line: len(creates) + 2, Input: training.PersonInput{Person: training.Person{EmployeeNumber: number, Email: email, GivenName: "Person", FamilyName: number, Kind: kind, JobTitle: "Officer", Department: "Housing", StartDate: start, EndDate: end}, ManagerEmployeeNumber: manager}})
		return email
	}
	const managers = 6
	for m := range managers {
		add(fmt.Sprintf("MGR%d", m), training.KindStaff, "", training.NewDate(2023, 3, 1+m), training.Date{})
	}
	for i := range staff {
		kind, manager := training.KindStaff, fmt.Sprintf("MGR%d", i%managers)
		if i%50 == 0 {
			kind, manager = training.KindMember, ""
		}
		add(fmt.Sprintf("E%05d", i), kind, manager, training.NewDate(2024, 1, 1).AddDays(i%330), training.Date{})
	}
	for i := range 10 {
		add(fmt.Sprintf("NEW%d", i), training.KindStaff, "MGR0", today.AddDays(-1-i), training.Date{})
	}
	add("FUTURE0", training.KindStaff, "MGR1", today.AddDays(10), training.Date{})
	var soon, expired, compliant []string
	for i := range 8 {
		soon = append(soon, add(fmt.Sprintf("SOON%d", i), training.KindStaff, "MGR2", training.NewDate(2019, 5, 1), training.Date{}))
	}
	for i := range 5 {
		expired = append(expired, add(fmt.Sprintf("EXP%d", i), training.KindStaff, "MGR3", training.NewDate(2018, 5, 1), training.Date{}))
	}
	for i := range 5 {
		compliant = append(compliant, add(fmt.Sprintf("OK%d", i), training.KindStaff, "MGR4", training.NewDate(2018, 5, 1), training.Date{}))
	}
	for i := range 10 {
		add(fmt.Sprintf("CON%d", i), training.KindContractor, "MGR5", training.NewDate(2024, 2, 1), training.Date{})
	}
	for i := range 12 {
		email := add(fmt.Sprintf("LEFT%d", i), training.KindStaff, "MGR5", training.NewDate(2024, 2, 1), training.NewDate(2025, 6, 30).AddDays(i))
		org.leavers[email] = true
	}
	r, err := a.Training.ApplyImport(ctx, hr, creates, nil)
	if err != nil || len(r.Errors) > 0 || r.Created != len(creates) {
		t.Fatalf("import: %v, %d created of %d, errors %v", err, r.Created, len(creates), r.Errors)
	}
	org.total = len(creates) + 1 // and the first HR account's person

	complete := func(emails []string, on training.Date) {
		for _, email := range emails {
			p, err := a.Training.PersonByEmail(ctx, email)
			if err != nil {
				t.Fatal(err)
			}
			if _, err := a.Training.RecordCompletion(ctx, hr, p.ID, training.CompletionInput{
				CourseCode: "PREVENT", CompletedOn: on, CertificateRef: "HO-" + p.EmployeeNumber,
			}); err != nil {
				t.Fatalf("completion for %s: %v", email, err)
			}
		}
	}
	complete(soon, today.AddMonths(-training.DefaultValidityMonths).AddDays(12)) // expires in about 12 days
	complete(expired, training.NewDate(2022, 3, 1))                              // expired in 2025
	complete(compliant, today.AddDays(-100))
	return org
}

// expected is what the scan must leave in the database.
type expected struct {
	reminders   map[string]string // key → recipient
	flags       map[string]bool
	byKind      map[training.FlagKind]int
	escalations map[string]string // notice key → employee number
	hr          []string
}

func expectedNotifications(t *testing.T, res training.ScanResult, org seededOrg) expected {
	t.Helper()
	w := expected{reminders: map[string]string{}, flags: map[string]bool{}, byKind: map[training.FlagKind]int{}, escalations: map[string]string{}}
	for _, due := range res.New {
		if got := training.FlagKey(due.Flag.Kind, due.Person.ID, due.Course.Code, due.Assessment.DueOn); got != due.Flag.Key {
			t.Fatalf("flag key %q, want %q", due.Flag.Key, got)
		}
		if org.leavers[strings.ToLower(due.Person.Email)] {
			t.Fatalf("the scan found a transition for leaver %s", due.Person.Email)
		}
		w.reminders["reminder:"+due.Flag.Key] = due.Person.Email
		w.flags[due.Flag.Key] = true
		w.byKind[due.Flag.Kind]++
	}
	for _, due := range res.Overdue {
		// jobs.Deps.EscalateAfterDays defaults to 14.
		if due.Assessment.DueOn.AddDays(14).Compare(res.Today) < 0 {
			w.escalations["escalation:"+due.Flag.Key] = due.Person.EmployeeNumber
		}
	}
	w.hr = []string{"hr.officer@example.gov.uk"}
	// The seed covers every kind of transition, and a reminder and an
	// escalation for each of the staff at least.
	for _, k := range []training.FlagKind{training.FlagNewStarter, training.FlagDueSoon, training.FlagOverdue, training.FlagExpired} {
		if w.byKind[k] == 0 {
			t.Fatalf("the seeded organisation has no %s transition: %v", k, w.byKind)
		}
	}
	if len(w.reminders) < org.staff || len(w.escalations) < org.staff {
		t.Fatalf("only %d reminders and %d escalations expected", len(w.reminders), len(w.escalations))
	}
	return w
}

// progress counts what the scan has written so far.
type progress struct {
	reminders, flags, escalations, notices int
}

func (p progress) work() int { return p.reminders + p.flags + p.escalations + p.notices }

type progressReader struct{ db *mongo.Database }

func progressOf(db *mongo.Database) progressReader { return progressReader{db} }

func (r progressReader) read(t *testing.T, ctx context.Context) progress {
	t.Helper()
	count := func(coll string) int {
		n, err := r.db.Collection(coll).CountDocuments(ctx, bson.D{})
		if err != nil {
			t.Fatalf("count %s: %v", coll, err)
		}
		return int(n)
	}
	p := progress{flags: count("flags"), notices: count("notices")}
	// One pass over the outbox (counts are slow on the embedded engine
	// under -race, which serves from this process).
	cur, err := r.db.Collection("outbox").Aggregate(ctx, mongo.Pipeline{
		{{Key: "$group", Value: bson.D{{Key: "_id", Value: "$kind"}, {Key: "n", Value: bson.D{{Key: "$sum", Value: 1}}}}}},
	})
	if err != nil {
		t.Fatalf("count outbox: %v", err)
	}
	var kinds []struct {
		Kind string `bson:"_id"`
		N    int    `bson:"n"`
	}
	if err := cur.All(ctx, &kinds); err != nil {
		t.Fatalf("count outbox: %v", err)
	}
	for _, k := range kinds {
		switch k.Kind {
		case "reminder":
			p.reminders = k.N
		case "escalation":
			p.escalations = k.N
		}
	}
	return p
}

// child is one worker process running -run compliance-scan.
type child struct {
	cmd     *exec.Cmd
	started chan struct{} // closed at the "jobs: run started" log line
	done    chan error
	logs    *syncBuffer
	stderr  *syncBuffer
}

// startRun starts the worker on the compliance scan and waits for the scan
// to start. While a killed worker's lease has not expired the worker exits
// saying the job is running; it is started again until it gets the lease
// (busy counts those waits). It returns nil when the worker says this
// minute's scan is recorded as done already.
func startRun(t *testing.T, bin string, env []string) (c *child, busy int) {
	t.Helper()
	deadline := time.Now().Add(60 * time.Second)
	for {
		c := startChild(t, bin, env)
		select {
		case <-c.started:
			return c, busy
		case err := <-c.done:
			msg := c.stderr.String()
			switch {
			case strings.Contains(msg, "is running already"):
				busy++
				if time.Now().After(deadline) {
					t.Fatalf("the lease was still held after 60s: %s", msg)
				}
				time.Sleep(200 * time.Millisecond)
				continue
			case strings.Contains(msg, "ran at") && strings.Contains(msg, "already"):
				return nil, busy
			}
			t.Fatalf("the worker exited before the scan started: %v\nstderr: %s\nlogs:\n%s", err, msg, c.logs.String())
		case <-time.After(60 * time.Second):
			_ = c.cmd.Process.Kill()
			t.Fatalf("the scan did not start within 60s\nlogs:\n%s", c.logs.String())
		}
	}
}

func startChild(t *testing.T, bin string, env []string) *child {
	t.Helper()
	cmd := exec.Command(bin, "-run", "compliance-scan")
	cmd.Env = append([]string{"PATH=" + os.Getenv("PATH"), "HOME=" + os.Getenv("HOME")}, env...)
	stdout, err := cmd.StdoutPipe()
	if err != nil {
		t.Fatal(err)
	}
	c := &child{cmd: cmd, started: make(chan struct{}), done: make(chan error, 1), logs: &syncBuffer{}, stderr: &syncBuffer{}}
	cmd.Stderr = c.stderr
	if err := cmd.Start(); err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { _ = cmd.Process.Kill() })
	read := make(chan struct{})
	go func() {
		defer close(read)
		sc := bufio.NewScanner(stdout)
		sc.Buffer(make([]byte, 64*1024), 4*1024*1024)
		once := sync.Once{}
		for sc.Scan() {
			line := sc.Bytes()
			_, _ = c.logs.Write(append(line, '\n'))
			var rec struct{ Msg string }
			if json.Unmarshal(line, &rec) == nil && rec.Msg == "jobs: run started" {
				once.Do(func() { close(c.started) })
			}
		}
		_, _ = io.Copy(io.Discard, stdout)
	}()
	go func() {
		<-read // Wait closes the pipe: read it all first
		c.done <- cmd.Wait()
	}()
	return c
}

// killAfter sends SIGKILL after d unless the process exits first. It
// reports whether it killed the process, and the exit error otherwise.
func (c *child) killAfter(d time.Duration) (killed bool, err error) {
	timer := time.NewTimer(d)
	defer timer.Stop()
	select {
	case err := <-c.done:
		return false, err
	case <-timer.C:
	}
	if kerr := c.cmd.Process.Kill(); kerr != nil {
		// It exited just now.
		return false, <-c.done
	}
	err = <-c.done
	if err == nil { // exited 0 between the timer and the kill
		return false, nil
	}
	return true, nil
}

// summary returns the counts the worker logged at the end of its run.
func (c *child) summary() string {
	for _, line := range strings.Split(c.logs.String(), "\n") {
		var rec struct {
			Msg     string
			Summary json.RawMessage
		}
		if json.Unmarshal([]byte(line), &rec) == nil && rec.Msg == "job finished" {
			return string(rec.Summary)
		}
	}
	return "(no summary logged)"
}

func checkExactlyOnce(t *testing.T, ctx context.Context, db *mongo.Database, want expected, org seededOrg) {
	t.Helper()
	type msg struct {
		Key      string `bson:"key"`
		To       string `bson:"to"`
		Kind     string `bson:"kind"`
		BodyText string `bson:"body_text"`
	}
	cur, err := db.Collection("outbox").Find(ctx, bson.D{})
	if err != nil {
		t.Fatal(err)
	}
	var msgs []msg
	if err := cur.All(ctx, &msgs); err != nil {
		t.Fatal(err)
	}

	// Reminders: one per expected key, to the right person, nothing else.
	seen := map[string]int{}
	reminders := 0
	var escalations []msg
	for _, m := range msgs {
		if org.leavers[strings.ToLower(m.To)] {
			t.Errorf("a %s message went to leaver %s (key %s)", m.Kind, m.To, m.Key)
		}
		switch m.Kind {
		case "reminder":
			reminders++
			seen[m.Key]++
			to, ok := want.reminders[m.Key]
			switch {
			case !ok:
				t.Errorf("unexpected reminder %s to %s", m.Key, m.To)
			case to != m.To:
				t.Errorf("reminder %s went to %s, want %s", m.Key, m.To, to)
			}
		case "escalation":
			escalations = append(escalations, m)
		default:
			t.Errorf("unexpected %s message %s to %s", m.Kind, m.Key, m.To)
		}
	}
	missing := 0
	for k := range want.reminders {
		switch n := seen[k]; {
		case n == 0:
			if missing++; missing <= 10 {
				t.Errorf("reminder %s missing", k)
			}
		case n > 1:
			t.Errorf("reminder %s queued %d times", k, n)
		}
	}
	if missing > 0 || reminders != len(want.reminders) {
		t.Errorf("%d reminder messages (%d keys missing), want exactly %d", reminders, missing, len(want.reminders))
	}

	// Flags: exactly the expected keys, once each.
	fcur, err := db.Collection("flags").Find(ctx, bson.D{})
	if err != nil {
		t.Fatal(err)
	}
	var flags []struct {
		Key string `bson:"key"`
	}
	if err := fcur.All(ctx, &flags); err != nil {
		t.Fatal(err)
	}
	fseen := map[string]int{}
	for _, f := range flags {
		fseen[f.Key]++
		if fseen[f.Key] == 2 {
			t.Errorf("flag %s stored twice", f.Key)
		}
		if !want.flags[f.Key] {
			t.Errorf("unexpected flag %s", f.Key)
		}
	}
	fmissing := 0
	for k := range want.flags {
		if fseen[k] == 0 {
			if fmissing++; fmissing <= 10 {
				t.Errorf("flag %s missing", k)
			}
		}
	}
	if len(flags) != len(want.flags) {
		t.Errorf("%d flags (%d missing), want exactly %d", len(flags), fmissing, len(want.flags))
	}

	// Escalations: each overdue person reaches each HR address in exactly
	// one e-mail, and is recorded as escalated once.
	for _, addr := range want.hr {
		listed := map[string]int{}
		n := 0
		for _, m := range escalations {
			if m.To != addr {
				continue
			}
			n++
			for _, line := range strings.Split(m.BodyText, "\n") {
				if !strings.HasPrefix(line, "- ") {
					continue
				}
				i, j := strings.Index(line, "("), strings.Index(line, ")")
				if i < 0 || j < i {
					t.Errorf("escalation line without an employee number: %q", line)
					continue
				}
				listed[line[i+1:j]]++
			}
		}
		twice, absent := 0, 0
		for _, number := range want.escalations {
			switch listed[number] {
			case 0:
				absent++
			case 1:
			default:
				twice++
			}
		}
		if n != 1 || twice > 0 || absent > 0 || len(listed) != len(want.escalations) {
			t.Errorf("HR (%s) got %d escalation e-mails listing %d people: %d expected people escalated more than once, %d never, want one e-mail listing each of the %d once",
				addr, n, len(listed), twice, absent, len(want.escalations))
		}
	}
	// Escalations are recorded as batch notices that cover every escalated
	// key, each closed by a "/sent" marker: together they must cover each
	// expected escalation exactly once.
	ncur, err := db.Collection("notices").Find(ctx, bson.D{})
	if err != nil {
		t.Fatal(err)
	}
	var notices []struct {
		Key    string   `bson:"_id"`
		Covers []string `bson:"covers"`
	}
	if err := ncur.All(ctx, &notices); err != nil {
		t.Fatal(err)
	}
	keys := map[string]bool{}
	covered := map[string]int{}
	for _, n := range notices {
		keys[n.Key] = true
	}
	for _, n := range notices {
		switch {
		case strings.HasSuffix(n.Key, "/sent"):
			if !keys[strings.TrimSuffix(n.Key, "/sent")] {
				t.Errorf("sent marker %s without its batch", n.Key)
			}
		case len(n.Covers) > 0:
			if !keys[n.Key+"/sent"] {
				t.Errorf("batch %s was never closed", n.Key)
			}
			for _, k := range n.Covers {
				covered[k]++
			}
		default:
			t.Errorf("unexpected notice %s", n.Key)
		}
	}
	for k := range want.escalations {
		if covered[k] != 1 {
			t.Errorf("escalation %s covered by %d batches, want 1", k, covered[k])
		}
	}
	if len(covered) != len(want.escalations) {
		t.Errorf("%d escalations covered, want %d", len(covered), len(want.escalations))
	}
}

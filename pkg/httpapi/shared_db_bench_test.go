package httpapi_test

// Benchmarks of several processes on one database (the shared-database
// issue's "Measure"): two instances of the whole app (app.New) on the same
// database of the embedded engine, each with a driver client of its own,
// as two API replicas, or an API and a worker, are in production. Process A
// serves requests through its real router; process B writes. They measure
// whatever read side the tree has, through the public API only.
//
// The organisation is bench_test.go's generated council at benchSize
// people (COMPLYTRACK_BENCH_PEOPLE, 5,000 unless set; 20,000 for the larger
// size) with years of history, loaded in bulk outside the timing:
//
//   - every person with up to three versions (their job title in 2021,
//     after a 2023 reorganisation and since April 2025), as re-imports
//     would have left them;
//   - completions of the three courses from 2020 on, most renewed about
//     every three years, some left to lapse;
//   - the compliance scan run through the scheduler on 4 November 2024 and
//     3 November 2025, so flags, notices and reminder e-mails of two years
//     exist;
//   - "today" is 2 November 2026, as in bench_test.go.
//
// Sub-benchmarks of BenchmarkSharedDB/people=N:
//
//   - startup: a new instance on the filled database, from app.New to the
//     answer of its first team view (p50-ms, p95-ms; new-ms is app.New
//     alone), and the Go heap it holds (HeapInuse after runtime.GC, before
//     and after building it: heap-MB, heap-B/person).
//   - visibility: B records a completion through its router; A is asked for
//     that person's completions, again and again, until it lists it. The
//     time from B's answer to A's first answer that shows it (p50-ms,
//     p95-ms); polls/op and db-cmds/op (per poll, for the last write) say
//     how A got there.
//   - under-writes: while B raises 2,000 flags through the service's flag
//     path (RecordFlag: those the compliance scan finds today, topped up with
//     next-cycle "due soon" flags when a year of transitions holds fewer)
//     and imports 1,000 people whose job title changed
//     (POST /api/v1/people/import), A serves
//     the team view of a manager of 200 people and HR recording
//     completions, one client of each, back to back until B has finished:
//     team-p50-ms, team-p95-ms, record-p50-ms, record-p95-ms, the number of
//     each (team-n, record-n), db-cmds/op of A per request, and how long B
//     took (b-flags-s, b-import-s). B stops raising flags after
//     sharedPhaseLimit, and the log says so. Each iteration is a round
//     with flags and changes of its own.
//
// Nothing here asserts a time. See docs/performance.md for the commands and
// the figures.

import (
	"bytes"
	"context"
	"encoding/csv"
	"encoding/json"
	"fmt"
	"io"
	"log/slog"
	mathrand "math/rand/v2"
	"net/http"
	"runtime"
	"slices"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/jonboulle/clockwork"
	"go.mongodb.org/mongo-driver/v2/bson"
	"go.mongodb.org/mongo-driver/v2/mongo"
	"go.mongodb.org/mongo-driver/v2/mongo/options"

	"github.com/complytrack/complytrack/pkg/app"
	"github.com/complytrack/complytrack/pkg/apptest"
	"github.com/complytrack/complytrack/pkg/auth"
	"github.com/complytrack/complytrack/pkg/config"
	"github.com/complytrack/complytrack/pkg/dbtest"
	"github.com/complytrack/complytrack/pkg/jobs"
	"github.com/complytrack/complytrack/pkg/mongodb"
	"github.com/complytrack/complytrack/pkg/training"
)

// What B writes in one under-writes iteration, and how long it may take.
const (
	sharedFlags      = 2000
	sharedChanged    = 1000
	sharedPhaseLimit = 10 * time.Minute
)

// sharedHistory is when people's versions begin: the move to complytrack,
// a reorganisation, and the current structure.
var sharedHistory = []struct {
	at     time.Time
	suffix string // added to the job title of the version that began then
}{
	{time.Date(2021, 1, 4, 9, 0, 0, 0, time.UTC), " (2021 structure)"},
	{time.Date(2023, 4, 3, 9, 0, 0, 0, time.UTC), " (2023 structure)"},
	{time.Date(2025, 4, 7, 9, 0, 0, 0, time.UTC), ""},
}

// sharedPastScans are the mornings the compliance scan ran before today.
var sharedPastScans = []time.Time{
	time.Date(2024, 11, 4, 6, 0, 0, 0, time.UTC),
	time.Date(2025, 11, 3, 6, 0, 0, 0, time.UTC),
}

// sharedInstall is a database holding the organisation with its history,
// and process A serving it.
type sharedInstall struct {
	cfg     config.Config
	name    string // the database
	clk     *clockwork.FakeClock
	org     benchOrg
	size    int
	a       *benchApp // process A
	ids     []string  // everyone in the organisation, in file order
	people  map[string]training.Person
	manager string // access token of a service manager with benchTeamSize people below them
	team    string // their team view, everyone on one page

	mu   sync.Mutex
	next int // the next person to record a completion for

	scanFound int // new flags the last scan found (before B raised them)
}

// openReplica builds one more instance of the app on the named database,
// with a driver client of its own whose commands are counted, as another
// process would: app.New loads the organisation as it does at start-up.
func openReplica(tb testing.TB, cfg config.Config, name string, clk clockwork.Clock) (*benchApp, *mongo.Client) {
	tb.Helper()
	cmds := newDBCounter()
	client, err := mongo.Connect(options.Client().ApplyURI(dbtest.URI(tb)).SetMonitor(cmds.monitor()))
	if err != nil {
		tb.Fatal(err)
	}
	db := client.Database(name)
	log := slog.New(slog.NewTextHandler(io.Discard, nil))
	a, err := app.New(context.Background(), cfg, db, log, app.Options{Now: clk.Now, Clock: clk, HasherParams: auth.MinParams})
	if err != nil {
		_ = client.Disconnect(context.Background())
		tb.Fatal(err)
	}
	return &benchApp{tb: tb, app: a, router: a.Router(), db: db, cmds: cmds}, client
}

// signInHR gives the replica an access token of the HR officer, signed in
// through its own router.
func (a *benchApp) signInHR() {
	a.tb.Helper()
	a.hr = a.login(adminEmail, adminPassword)
	hr, err := a.app.Training.PersonByEmail(context.Background(), adminEmail)
	if err != nil {
		a.tb.Fatal(err)
	}
	a.hrID = hr.ID
}

func newSharedInstall(b *testing.B) *sharedInstall {
	b.Helper()
	ctx := context.Background()
	began := time.Now()
	s := &sharedInstall{org: theBenchOrg(b), size: benchSize(b), people: map[string]training.Person{}}
	s.cfg, _ = apptest.Config(b,
		"COMPLYTRACK_ADMIN_EMAIL="+adminEmail,
		"COMPLYTRACK_ADMIN_PASSWORD="+adminPassword,
		"COMPLYTRACK_PUBLIC_URL=https://complytrack.example.gov.uk",
	)
	s.name = dbtest.New(b).Name() // unique, dropped when b ends
	// complytrack is installed the day the first versions begin.
	s.clk = clockwork.NewFakeClockAt(sharedHistory[0].at.Add(-time.Hour))
	a, client := openReplica(b, s.cfg, s.name, s.clk)
	b.Cleanup(func() { _ = client.Disconnect(context.Background()) })
	s.a = a
	if engine := dbtest.Engine(b); engine != nil {
		if err := engine.IndexIDs(ctx, s.name); err != nil {
			b.Fatal(err)
		}
	}
	a.signInHR()
	for _, c := range benchCourses {
		a.must(http.StatusCreated, "POST", "/api/v1/courses", a.hr, c)
	}

	current, earlier := s.historyOfPeople()
	refused, err := a.app.Store.InsertPeople(ctx, current)
	if err != nil || len(refused) > 0 {
		b.Fatalf("insert people: %v (refused %v)", err, refused)
	}
	if err := a.app.Store.InsertPersonVersions(ctx, earlier); err != nil {
		b.Fatal(err)
	}
	completions := s.historyOfCompletions(a.hrID)
	if err := a.app.Store.InsertCompletions(ctx, completions); err != nil {
		b.Fatal(err)
	}
	if err := a.app.Model.Bulk(ctx); err != nil {
		b.Fatal(err)
	}
	loaded := time.Since(began)

	for _, at := range sharedPastScans {
		s.clk.Advance(at.Sub(s.clk.Now()))
		started := time.Now()
		sum, err := a.app.Jobs.RunNow(ctx, jobs.JobComplianceScan)
		if err != nil {
			b.Fatal(err)
		}
		b.Logf("compliance scan of %s in %.1f s: %v", at.Format("2 January 2006"), time.Since(started).Seconds(), sum.Counts)
	}
	s.clk.Advance(benchNow.Sub(s.clk.Now()))
	a.signInHR() // the earlier token expired with the years that passed

	var rep struct {
		Totals struct{ Compliant, Expiring, Expired, Overdue, Due, Applicable int }
	}
	a.decode(a.must(http.StatusOK, "GET", "/api/v1/reports/compliance?course_code=PREVENT", a.hr, nil), &rep)
	if rep.Totals.Compliant == 0 || rep.Totals.Expired == 0 {
		b.Fatalf("PREVENT today has no one compliant or no one expired: %+v", rep.Totals)
	}
	s.manager = a.signIn(s.people[s.org.teamManager])
	s.team = "/api/v1/team?limit=500"
	var page struct {
		Items []json.RawMessage `json:"items"`
	}
	a.decode(a.must(http.StatusOK, "GET", s.team, s.manager, nil), &page)
	if len(page.Items) != benchTeamSize {
		b.Fatalf("team view shows %d people, want %d", len(page.Items), benchTeamSize)
	}

	var sizes []string
	for _, c := range []string{"people", "person_versions", "completions", "flags", "notices", "outbox", "audit"} {
		n, err := a.db.Collection(c).CountDocuments(ctx, bson.D{})
		if err != nil {
			b.Fatal(err)
		}
		sizes = append(sizes, fmt.Sprintf("%s %d", c, n))
	}
	b.Logf("setup in %.1f s (people, versions and completions loaded in %.1f s): %s; PREVENT today: %+v",
		time.Since(began).Seconds(), loaded.Seconds(), strings.Join(sizes, ", "), rep.Totals)
	return s
}

// historyOfPeople gives everyone an ID and returns them as they are now
// (for the people collection, with their latest version) and their earlier
// versions: one for each structure they were in before the current one,
// beginning with their start date when they joined later.
func (s *sharedInstall) historyOfPeople() (current, earlier []training.Person) {
	for range s.org.rows {
		s.ids = append(s.ids, mongodb.NewID())
	}
	idOf := make(map[string]string, len(s.org.rows))
	for i, r := range s.org.rows {
		idOf[r.number] = s.ids[i]
	}
	for i, r := range s.org.rows {
		p := training.Person{
			ID: s.ids[i], EmployeeNumber: r.number, Email: r.email, GivenName: r.given, FamilyName: r.family,
			Kind: training.Kind(r.kind), JobTitle: r.job, Department: r.dept, ManagerID: idOf[r.manager],
			StartDate: r.start, EndDate: r.end,
		}
		joined := time.Date(r.start.Year(), r.start.Month(), r.start.Day(), 9, 0, 0, 0, time.UTC)
		var versions []training.Person
		for k, h := range sharedHistory {
			from := h.at
			if k+1 < len(sharedHistory) && !joined.Before(sharedHistory[k+1].at) {
				continue // joined after this structure ended
			}
			if joined.After(from) {
				from = joined
			}
			v := p
			v.JobTitle += h.suffix
			v.UpdatedAt = from
			versions = append(versions, v)
		}
		for k := range versions {
			versions[k].CreatedAt = versions[0].UpdatedAt
		}
		last := versions[len(versions)-1]
		current = append(current, last)
		earlier = append(earlier, versions[:len(versions)-1]...)
		s.people[r.number] = last
	}
	return current, earlier
}

// historyOfCompletions gives most people a first completion of each course
// between March 2020 and June 2023 (or when they started), renewed 33 to 41
// months after each one until today, except that each renewal has a one in
// five chance of not happening (the training lapses). Nobody in their first
// 28 days has done any.
func (s *sharedInstall) historyOfCompletions(hrID string) []training.Completion {
	rng := mathrand.New(mathrand.NewPCG(11, 3))
	today := training.DateOf(benchNow)
	var cs []training.Completion
	for i, r := range s.org.rows {
		if !r.start.Before(today.AddDays(-28)) {
			continue
		}
		for _, code := range []string{"PREVENT", "CHANNEL", "WRAP"} {
			if code != "PREVENT" && r.kind != "staff" || rng.IntN(100) >= benchShare[code] {
				continue
			}
			for done := training.MaxDate(training.NewDate(2020, 3, 2).AddDays(rng.IntN(1200)), r.start); !done.After(today.AddDays(-2)); done = done.AddDays(33*30 + rng.IntN(240)) {
				if !r.end.IsZero() && done.After(r.end) {
					break
				}
				recorded := time.Date(done.Year(), done.Month(), done.Day(), 10, 0, 0, 0, time.UTC).Add(24 * time.Hour)
				cs = append(cs, training.Completion{
					ID: mongodb.NewID(), PersonID: s.ids[i], CourseCode: code, CompletedOn: done,
					Source: training.SourceImport, CertificateRef: "LEGACY-" + r.number + "-" + code + "-" + done.String(),
					RecordedBy: hrID, RecordedAt: recorded,
				})
				if rng.IntN(100) < 20 {
					break
				}
			}
		}
	}
	return cs
}

// nextCompletion returns the next completion to record: everyone in file
// order (which is shuffled), then everyone again a day earlier, so no two
// are the same.
func (s *sharedInstall) nextCompletion(who string) (path string, body []byte) {
	s.mu.Lock()
	k := s.next
	s.next++
	s.mu.Unlock()
	on := training.DateOf(benchNow).AddDays(-2 - k/len(s.ids))
	body = fmt.Appendf(nil, `{"course_code":"PREVENT","completed_on":%q,"certificate_ref":"CERT-%s-%d"}`, on.String(), who, k)
	return "/api/v1/people/" + s.ids[k%len(s.ids)] + "/completions", body
}

// changedFile is an HR export of n people of the organisation, from
// position from on, each with their job title changed in the same way.
func (s *sharedInstall) changedFile(tb testing.TB, from, n int, suffix string) []byte {
	tb.Helper()
	recs, err := csv.NewReader(bytes.NewReader(s.org.csv)).ReadAll()
	if err != nil {
		tb.Fatal(err)
	}
	var out bytes.Buffer
	w := csv.NewWriter(&out)
	_ = w.Write(recs[0])
	for k := range n {
		rec := slices.Clone(recs[1+(from+k)%(len(recs)-1)])
		rec[5] += suffix // job_title
		_ = w.Write(rec)
	}
	w.Flush()
	return out.Bytes()
}

// flagsToRaise returns the sharedFlags flags B raises in a round: those the
// compliance scan finds today and has not raised yet, then, when a year of
// transitions holds fewer, the "due soon" flags of the next cycle of PREVENT
// for people in turn (a later morning's scan), keyed by the round so no two
// are the same. Either way they are the same documents the scan writes.
func (s *sharedInstall) flagsToRaise(r *benchApp, round int) ([]training.Flag, error) {
	found, err := r.app.Training.Scan(context.Background())
	if err != nil {
		return nil, err
	}
	var flags []training.Flag
	for _, d := range found.New[:min(sharedFlags, len(found.New))] {
		flags = append(flags, d.Flag)
	}
	cycle := training.DateOf(benchNow).AddMonths(36).AddDays(round)
	for i := 0; len(flags) < sharedFlags; i++ {
		p := s.people[s.org.rows[i%len(s.org.rows)].number]
		flags = append(flags, training.Flag{
			Key: training.FlagKey(training.FlagDueSoon, p.ID, "PREVENT", cycle), Kind: training.FlagDueSoon,
			PersonID: p.ID, EmployeeNumber: p.EmployeeNumber, CourseCode: "PREVENT", DueOn: cycle,
		})
	}
	s.scanFound = len(found.New)
	return flags, nil
}

// ms is a latency quantile in milliseconds (nearest rank), 0 with none.
func (l latencies) ms(p float64) float64 {
	if len(l) == 0 {
		return 0
	}
	s := slices.Clone(l)
	slices.Sort(s)
	i := int(p*float64(len(s))+0.999999) - 1
	return float64(s[max(i, 0)].Microseconds()) / 1000
}

// BenchmarkSharedDB: two processes on one database. See the top of this
// file for what each sub-benchmark measures.
func BenchmarkSharedDB(b *testing.B) {
	s := newSharedInstall(b)
	started := time.Now()
	r, client := openReplica(b, s.cfg, s.name, s.clk) // process B
	b.Cleanup(func() { _ = client.Disconnect(context.Background()) })
	b.Logf("process B started on the filled database in %.2f s", time.Since(started).Seconds())
	r.signInHR()

	b.Run(fmt.Sprintf("people=%d", s.size), func(b *testing.B) {
		b.Run("startup", func(b *testing.B) { s.benchStartup(b) })
		b.Run("visibility", func(b *testing.B) { s.benchVisibility(b, r) })
		b.Run("under-writes", func(b *testing.B) { s.benchUnderWrites(b, r) })
	})
}

// benchStartup builds a new instance on the filled database and waits for
// its first team view; it measures the heap the instance holds.
func (s *sharedInstall) benchStartup(b *testing.B) {
	ctx := context.Background()
	var ready, built latencies
	var heap []float64
	for b.Loop() {
		b.StopTimer()
		runtime.GC()
		var before runtime.MemStats
		runtime.ReadMemStats(&before)
		b.StartTimer()
		t0 := time.Now()
		c, client := openReplica(b, s.cfg, s.name, s.clk)
		built = append(built, time.Since(t0))
		resp := c.serve("GET", s.team, s.manager, "", nil)
		ready = append(ready, time.Since(t0))
		b.StopTimer()
		if resp.Status != http.StatusOK {
			b.Fatalf("first team view: status %d\n%.2000s", resp.Status, resp.Body)
		}
		runtime.GC()
		var after runtime.MemStats
		runtime.ReadMemStats(&after)
		heap = append(heap, float64(int64(after.HeapInuse)-int64(before.HeapInuse)))
		runtime.KeepAlive(c)
		if err := c.app.Jobs.Shutdown(ctx); err != nil {
			b.Fatal(err)
		}
		_ = client.Disconnect(ctx)
		b.StartTimer()
	}
	mid := slices.Sorted(slices.Values(heap))[len(heap)/2]
	b.ReportMetric(ready.ms(0.50), "p50-ms")
	b.ReportMetric(ready.ms(0.95), "p95-ms")
	b.ReportMetric(built.ms(0.50), "new-ms")
	b.ReportMetric(mid/1e6, "heap-MB")
	b.ReportMetric(mid/float64(s.size), "heap-B/person")
	var each []string
	for _, h := range heap {
		each = append(each, fmt.Sprintf("%.1f MB", h/1e6))
	}
	b.Logf("n=%d ready p50 %.0f ms, p95 %.0f ms (app.New p50 %.0f ms); Go heap each instance held: %s",
		len(ready), ready.ms(0.5), ready.ms(0.95), built.ms(0.5), strings.Join(each, ", "))
}

// benchVisibility: a completion B records, until A shows it.
func (s *sharedInstall) benchVisibility(b *testing.B, r *benchApp) {
	a := s.a
	var seen latencies
	polls, lastPolls := 0, 0 // the counter holds the last iteration's polls
	for b.Loop() {
		b.StopTimer()
		path, body := s.nextCompletion("B")
		// A answers once first, so what B wrote before is not in the figure.
		a.must(http.StatusOK, "GET", path, a.hr, nil)
		b.StartTimer()
		resp := r.serve("POST", path, r.hr, "application/json", body)
		answered := time.Now()
		if resp.Status != http.StatusCreated {
			b.Fatalf("B records a completion: status %d\n%.2000s", resp.Status, resp.Body)
		}
		var made struct {
			ID string `json:"id"`
		}
		r.decode(resp, &made)
		want := []byte(`"id":"` + made.ID + `"`)
		a.cmds.start()
		lastPolls = 0
		for {
			got := a.serve("GET", path, a.hr, "", nil)
			polls++
			lastPolls++
			if got.Status != http.StatusOK {
				b.Fatalf("A lists completions: status %d\n%.2000s", got.Status, got.Body)
			}
			if bytes.Contains(got.Body, want) {
				seen = append(seen, time.Since(answered))
				break
			}
			if time.Since(answered) > sharedPhaseLimit {
				b.Fatalf("A did not show B's completion %s within %s", made.ID, sharedPhaseLimit)
			}
			time.Sleep(time.Millisecond)
		}
		a.cmds.stop()
	}
	b.ReportMetric(seen.ms(0.50), "p50-ms")
	b.ReportMetric(seen.ms(0.95), "p95-ms")
	b.ReportMetric(float64(polls)/float64(len(seen)), "polls/op")
	n, line := a.cmds.summary(max(lastPolls, 1))
	b.ReportMetric(n, "db-cmds/op")
	b.Logf("n=%d visible in A after p50 %.1f ms, p95 %.1f ms, max %.1f ms; %d polls; A's database per poll (last write): %s",
		len(seen), seen.ms(0.5), seen.ms(0.95), seen.ms(1), polls, line)
}

// benchUnderWrites: A serves while B raises flags and imports changes.
func (s *sharedInstall) benchUnderWrites(b *testing.B, r *benchApp) {
	ctx := context.Background()
	a := s.a
	var team, record latencies
	var flagsTook, importTook time.Duration
	raised, round := 0, 0
	lastRequests := 0 // A's requests in the last round, which the counter holds
	for b.Loop() {
		b.StopTimer()
		round++
		flags, err := s.flagsToRaise(r, round)
		if err != nil {
			b.Fatal(err)
		}
		file := s.changedFile(b, (round-1)*sharedChanged, sharedChanged, fmt.Sprintf(" (review %d)", round))
		a.must(http.StatusOK, "GET", s.team, s.manager, nil) // A starts fresh
		a.cmds.start()
		b.StartTimer()

		var mu sync.Mutex
		var problems []string
		problem := func(format string, args ...any) {
			mu.Lock()
			problems = append(problems, fmt.Sprintf(format, args...))
			mu.Unlock()
		}
		deadline := time.Now().Add(sharedPhaseLimit)
		var writers, readers sync.WaitGroup
		writers.Add(2)
		go func() { // B: the flags the scan found, through the flag path
			defer writers.Done()
			t0 := time.Now()
			defer func() { flagsTook += time.Since(t0) }()
			for i, f := range flags {
				if time.Now().After(deadline) {
					problem("B raised %d of %d flags in %s and stopped there", i, len(flags), sharedPhaseLimit)
					return
				}
				if err := r.app.Training.RecordFlag(ctx, f); err != nil {
					problem("B raises flag %s: %v", f.Key, err)
					return
				}
				raised++
			}
		}()
		go func() { // B: HR imports the changed people
			defer writers.Done()
			t0 := time.Now()
			resp := r.serve("POST", "/api/v1/people/import", r.hr, "text/csv", file)
			importTook += time.Since(t0)
			var got importResult
			if resp.Status != http.StatusOK || json.Unmarshal(resp.Body, &got) != nil ||
				got.Updated != sharedChanged || len(got.Errors) > 0 {
				problem("B imports %d changed people: status %d, %.500s", sharedChanged, resp.Status, resp.Body)
			}
		}()
		done := make(chan struct{})
		finished := func() bool {
			select {
			case <-done:
				return true
			default:
				return false
			}
		}
		var teamRound, recordRound latencies
		readers.Add(2)
		go func() { // A: the manager's team view
			defer readers.Done()
			for first := true; first || !finished(); first = false {
				resp := teamRound.timed(func() response { return a.serve("GET", s.team, s.manager, "", nil) })
				if resp.Status != http.StatusOK {
					problem("A's team view: status %d", resp.Status)
					return
				}
			}
		}()
		go func() { // A: HR records completions
			defer readers.Done()
			for first := true; first || !finished(); first = false {
				path, body := s.nextCompletion("A")
				resp := recordRound.timed(func() response { return a.serve("POST", path, a.hr, "application/json", body) })
				if resp.Status != http.StatusCreated {
					problem("A records a completion: status %d, %.500s", resp.Status, resp.Body)
					return
				}
			}
		}()
		writers.Wait()
		close(done)
		readers.Wait()
		b.StopTimer()
		a.cmds.stop()
		team = append(team, teamRound...)
		record = append(record, recordRound...)
		lastRequests = len(teamRound) + len(recordRound)
		for _, p := range problems {
			if strings.HasPrefix(p, "B raised") {
				b.Log(p)
				continue
			}
			b.Fatal(p)
		}
		b.StartTimer()
	}
	b.ReportMetric(team.ms(0.50), "team-p50-ms")
	b.ReportMetric(team.ms(0.95), "team-p95-ms")
	b.ReportMetric(record.ms(0.50), "record-p50-ms")
	b.ReportMetric(record.ms(0.95), "record-p95-ms")
	b.ReportMetric(float64(len(team)), "team-n")
	b.ReportMetric(float64(len(record)), "record-n")
	b.ReportMetric(float64(raised)/float64(round), "flags/op")
	b.ReportMetric(flagsTook.Seconds()/float64(round), "b-flags-s")
	b.ReportMetric(importTook.Seconds()/float64(round), "b-import-s")
	// The counter was reset at the start of each round: it holds the last.
	n, line := a.cmds.summary(max(lastRequests, 1))
	b.ReportMetric(n, "db-cmds/op")
	b.Logf("A's team view: n=%d p50 %.1f ms, p95 %.1f ms, max %.1f ms; recording: n=%d p50 %.1f ms, p95 %.1f ms, max %.1f ms",
		len(team), team.ms(0.5), team.ms(0.95), team.ms(1), len(record), record.ms(0.5), record.ms(0.95), record.ms(1))
	b.Logf("B: %d flags (the scan found %d new ones, last round) in %.1f s, %d changed people imported in %.1f s (per round); A's database per request (last round): %s",
		raised/round, s.scanFound, flagsTook.Seconds()/float64(round), sharedChanged, importTook.Seconds()/float64(round), line)
}

package jobs_test

// The compliance scan's performance target (issue 5, "Performance"): on the
// embedded engine, with 5,000 people and 3 courses, compliance-scan takes at
// most 2x the time of a plain cursor read of the same documents, measured
// in the same run, and a second scan with nothing changed performs no
// writes.
//
//	go test ./pkg/jobs -run XXX -bench 'PlainCursorRead|ComplianceScan' -benchtime 5x -count 3
//
// Both benchmarks build the same install (setup is left out of the timing
// and done once per top-level benchmark, in the parent before its
// sub-benchmark, so -count repeats only the measured part):
//
//   - the whole app (app.New) on a fresh database, with Engine.IndexIDs once
//     its collections exist;
//   - PREVENT plus two courses created through the service: CHANNEL (staff,
//     e-learning, certificate) and WRAP (staff, classroom, manager
//     verification);
//   - 5,000 people of a generated council through the service's ApplyImport
//     (the import's write path): 10 directorates of 2 service managers with
//     10 team leaders of 19 officers, 50 elected Members, the rest business
//     support; about 3% of officers started in the last three weeks and
//     about 2% of support staff have left;
//   - completions for most people (PREVENT 90%, CHANNEL 75%, WRAP 60%),
//     loaded in bulk through Store.InsertCompletions, then Model.Bulk;
//   - one compliance-scan through the scheduler (a.Jobs.RunNow), so that
//     every flag, reminder and escalation exists: what a worker finds the
//     morning after.
//
// BenchmarkPlainCursorRead streams every document of the collections the
// scan's roster loads (compliance.Service.refresh: people, person_versions,
// courses, completions, completion_decisions, exemptions,
// exemption_removals, flags, notices) with one cursor each, batches of
// 1,000 as the store's reads use, decoding each into bson.Raw.
//
// BenchmarkComplianceScan runs the compliance-scan job body, as
// jobs.Catalog builds it, on a new compliance.Service over the same database
// for each iteration: a fresh process state, whose first refresh streams
// everything, as a worker process does on its first run, plus the
// evaluation of every person and course. Nothing is new, so it must write
// nothing: the database commands it sends are counted (writes/op), and the
// outbox, flags and notices collections are counted before and after. In
// each iteration it also times a plain read like BenchmarkPlainCursorRead's
// (outside the benchmark timer) and reports plain-ms/op and the ratio
// scan/plain, so the two are compared on the same data in the same
// iteration. Nothing here asserts a time.

import (
	"context"
	"fmt"
	"io"
	"log/slog"
	mathrand "math/rand/v2"
	"sort"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/jonboulle/clockwork"
	"go.mongodb.org/mongo-driver/v2/bson"
	"go.mongodb.org/mongo-driver/v2/event"
	"go.mongodb.org/mongo-driver/v2/mongo"
	"go.mongodb.org/mongo-driver/v2/mongo/options"

	"github.com/complytrack/complytrack/pkg/app"
	"github.com/complytrack/complytrack/pkg/apptest"
	"github.com/complytrack/complytrack/pkg/auth"
	"github.com/complytrack/complytrack/pkg/compliance"
	"github.com/complytrack/complytrack/pkg/dbtest"
	"github.com/complytrack/complytrack/pkg/jobs"
	"github.com/complytrack/complytrack/pkg/mongodb"
	"github.com/complytrack/complytrack/pkg/notify"
	"github.com/complytrack/complytrack/pkg/readmodel"
	"github.com/complytrack/complytrack/pkg/training"
)

const scanBenchPeople = 5000

// scanBenchNow is "now" for the benchmarks: 2 November 2026, 06:00 in
// London, the scan's scheduled time.
var scanBenchNow = time.Date(2026, 11, 2, 6, 0, 0, 0, london)

// rosterCollections are the collections compliance.Service.refresh streams
// (besides the small stamps collection it reads twice first).
var rosterCollections = []string{"people", "person_versions", "courses", "completions", "completion_decisions",
	"exemptions", "exemption_removals", "flags", "notices"}

// writtenCollections are where a scan writes: reminders and escalations
// (outbox), flags, notices (escalations recorded).
var writtenCollections = []string{"outbox", "flags", "notices"}

// cmdCounter counts the database commands sent while it is on, by name.
type cmdCounter struct {
	mu    sync.Mutex
	on    bool
	count map[string]int
}

func (c *cmdCounter) monitor() *event.CommandMonitor {
	return &event.CommandMonitor{Started: func(_ context.Context, e *event.CommandStartedEvent) {
		c.mu.Lock()
		defer c.mu.Unlock()
		if c.on {
			c.count[e.CommandName]++
		}
	}}
}

func (c *cmdCounter) start() {
	c.mu.Lock()
	c.on, c.count = true, map[string]int{}
	c.mu.Unlock()
}

// stop stops counting and returns the counts.
func (c *cmdCounter) stop() map[string]int {
	c.mu.Lock()
	defer c.mu.Unlock()
	c.on = false
	return c.count
}

func writes(counts map[string]int) int {
	n := 0
	for _, name := range []string{"insert", "update", "delete", "findAndModify", "bulkWrite"} {
		n += counts[name]
	}
	return n
}

func describe(counts map[string]int, ops int) string {
	var names []string
	for k := range counts {
		names = append(names, k)
	}
	sort.Strings(names)
	var parts []string
	for _, k := range names {
		parts = append(parts, fmt.Sprintf("%s ×%.4g", k, float64(counts[k])/float64(ops)))
	}
	return strings.Join(parts, ", ")
}

// scanInstall is the loaded install both benchmarks measure.
type scanInstall struct {
	app   *app.App
	db    *mongo.Database // through a client whose commands are counted
	cmds  *cmdCounter
	clock *clockwork.FakeClock
	docs  int // documents in rosterCollections
}

func newScanInstall(b *testing.B) *scanInstall {
	b.Helper()
	ctx := context.Background()
	began := time.Now()
	cfg, _ := apptest.Config(b,
		"COMPLYTRACK_ADMIN_EMAIL="+hrEmail,
		"COMPLYTRACK_ADMIN_PASSWORD=admin-password-for-tests",
		"COMPLYTRACK_PUBLIC_URL="+publicURL,
	)
	name := dbtest.New(b).Name() // unique, dropped when b ends
	cmds := &cmdCounter{count: map[string]int{}}
	client, err := mongo.Connect(options.Client().ApplyURI(dbtest.URI(b)).SetMonitor(cmds.monitor()))
	if err != nil {
		b.Fatal(err)
	}
	b.Cleanup(func() { _ = client.Disconnect(context.Background()) })
	db := client.Database(name)

	clk := clockwork.NewFakeClockAt(scanBenchNow)
	logger := slog.New(slog.NewTextHandler(io.Discard, nil))
	a, err := app.New(ctx, cfg, db, logger, app.Options{Now: clk.Now, Clock: clk, HasherParams: auth.MinParams})
	if err != nil {
		b.Fatal(err)
	}
	b.Cleanup(func() { _ = a.Jobs.Shutdown(context.Background()) })
	svc := a.Training
	system := training.SystemActorFor()

	for _, c := range scanBenchCourses() {
		if _, err := svc.CreateCourse(ctx, system, c); err != nil {
			b.Fatal(err)
		}
	}
	creates, starters := scanBenchOrg()
	res, err := svc.ApplyImport(ctx, system, creates, nil)
	if err != nil || res.Created != len(creates) || len(res.Errors) > 0 {
		b.Fatalf("import: created %d of %d, errors %v: %v", res.Created, len(creates), res.Errors, err)
	}
	tookImport := time.Since(began)

	everyone, err := svc.PeopleForImport(ctx, system)
	if err != nil {
		b.Fatal(err)
	}
	sort.Slice(everyone, func(i, j int) bool { return everyone[i].EmployeeNumber < everyone[j].EmployeeNumber })
	hr, err := svc.PersonByEmail(ctx, hrEmail)
	if err != nil {
		b.Fatal(err)
	}
	completions := scanBenchCompletions(everyone, starters, hr.ID)
	if err := a.Store.InsertCompletions(ctx, completions); err != nil {
		b.Fatal(err)
	}
	if err := a.Model.Bulk(ctx); err != nil {
		b.Fatal(err)
	}
	if engine := dbtest.Engine(b); engine != nil {
		if err := engine.IndexIDs(ctx, db.Name()); err != nil {
			b.Fatal(err)
		}
	}

	// The first scan: every transition is new.
	scanStarted := time.Now()
	sum, err := a.Jobs.RunNow(ctx, jobs.JobComplianceScan)
	if err != nil {
		b.Fatal(err)
	}
	tookScan := time.Since(scanStarted)
	if sum.Counts["flags_raised"] == 0 {
		b.Fatalf("the first scan raised no flags: %+v", sum)
	}

	in := &scanInstall{app: a, db: db, cmds: cmds, clock: clk}
	var sizes []string
	for _, c := range rosterCollections {
		n, err := db.Collection(c).CountDocuments(ctx, bson.D{})
		if err != nil {
			b.Fatal(err)
		}
		in.docs += int(n)
		sizes = append(sizes, fmt.Sprintf("%s %d", c, n))
	}
	b.Logf("setup in %.1f s: %d people, %d completions, import %.1f s; first scan %.1f s: %s",
		time.Since(began).Seconds(), len(everyone), len(completions), tookImport.Seconds(), tookScan.Seconds(), sum.Message)
	b.Logf("first scan counts: %v", sum.Counts)
	b.Logf("roster documents: %d (%s)", in.docs, strings.Join(sizes, ", "))
	return in
}

func scanBenchCourses() []training.Course {
	channel := training.PreventCourse()
	channel.Code, channel.Title = "CHANNEL", "Channel awareness"
	channel.URL = "https://www.gov.uk/government/publications/channel-and-prevent-multi-agency-panel-pmap-guidance"
	channel.AppliesTo = training.AppliesTo{Kinds: []training.Kind{training.KindStaff}}
	channel.EffectiveFrom = training.NewDate(2018, 1, 1)
	channel.ExpiryBasis = training.ExpiryFromCompletion

	wrap := training.PreventCourse()
	wrap.Code, wrap.Title, wrap.Provider, wrap.URL = "WRAP", "Workshop to Raise Awareness of Prevent", "", ""
	wrap.Delivery = training.DeliveryClassroom
	wrap.AppliesTo = training.AppliesTo{Kinds: []training.Kind{training.KindStaff}}
	wrap.EffectiveFrom = training.NewDate(2020, 1, 1)
	wrap.Evidence, wrap.Verification = training.EvidenceNone, training.VerificationManager
	return []training.Course{channel, wrap}
}

// scanBenchOrg generates the organisation, deterministically, and returns
// the employee numbers of the new starters.
func scanBenchOrg() ([]training.ImportCreate, map[string]bool) {
	rng := mathrand.New(mathrand.NewPCG(2026, 5))
	today := training.DateOf(scanBenchNow)
	departments := []string{"Adult Social Care", "Children's Services", "Housing", "Environment", "Finance",
		"Legal and Democratic Services", "Planning", "Revenues and Benefits", "Customer Services", "Communities"}
	var creates []training.ImportCreate
	starters := map[string]bool{}
	add := func(kind training.Kind, job, dept, manager string) string {
		i := len(creates) + 1
		number := fmt.Sprintf("E%05d", i)
		start := training.NewDate(2000, 1, 1).AddDays(rng.IntN(9770))
		if job == "Officer" && rng.IntN(100) < 3 {
			start = today.AddDays(-1 - rng.IntN(20))
			starters[number] = true
		}
		creates = append(creates, training.ImportCreate{Line: i + 1, Input: training.PersonInput{Person: training.Person{EmployeeNumber: number, Email: strings.ToLower(number) + "@council.example.gov.uk", GivenName: "Given" + number, FamilyName: "Family" + number, Kind: kind, JobTitle: job, Department: dept, StartDate: start}, ManagerEmployeeNumber: manager}})
		return number
	}
	ceo := add(training.KindStaff, "Chief Executive", "Chief Executive's Office", "")
	var directors []string
	for _, dept := range departments {
		d := add(training.KindStaff, "Director", dept, ceo)
		directors = append(directors, d)
		for range 2 {
			sm := add(training.KindStaff, "Service Manager", dept, d)
			for range 10 {
				tl := add(training.KindStaff, "Team Leader", dept, sm)
				for range 19 {
					add(training.KindStaff, "Officer", dept, tl)
				}
			}
		}
	}
	for range 50 {
		add(training.KindMember, "Councillor", "Elected Members", "")
	}
	for d := 0; len(creates) < scanBenchPeople; d = (d + 1) % len(directors) {
		add(training.KindStaff, "Business Support Officer", departments[d], directors[d])
		if rng.IntN(100) < 2 {
			in := &creates[len(creates)-1].Input
			in.EndDate = training.MaxDate(today.AddDays(-1-rng.IntN(200)), in.StartDate)
		}
	}
	return creates, starters
}

// scanBenchCompletions gives most people completions of each course that
// applies to them, dated between June 2022 and two days ago.
func scanBenchCompletions(everyone []training.Person, starters map[string]bool, hrID string) []training.Completion {
	rng := mathrand.New(mathrand.NewPCG(7, 7))
	today := training.DateOf(scanBenchNow)
	from := training.NewDate(2022, 6, 1)
	span := from.DaysUntil(today.AddDays(-2))
	share := map[string]int{"PREVENT": 90, "CHANNEL": 75, "WRAP": 60}
	var cs []training.Completion
	for _, p := range everyone {
		if starters[p.EmployeeNumber] || p.ID == hrID {
			continue
		}
		for _, code := range []string{"PREVENT", "CHANNEL", "WRAP"} {
			if code != "PREVENT" && p.Kind != training.KindStaff || rng.IntN(100) >= share[code] {
				continue
			}
			cs = append(cs, training.Completion{
				ID: mongodb.NewID(), PersonID: p.ID, CourseCode: code,
				CompletedOn: training.MaxDate(from.AddDays(rng.IntN(span)), p.StartDate),
				Source:      training.SourceImport, CertificateRef: "LEGACY-" + p.EmployeeNumber + "-" + code,
				RecordedBy: hrID, RecordedAt: scanBenchNow.Add(-time.Hour),
			})
		}
	}
	return cs
}

// plainRead streams every document of the roster's collections into
// bson.Raw and returns how many there were.
func (in *scanInstall) plainRead(ctx context.Context) (int, error) {
	n := 0
	for _, c := range rosterCollections {
		cur, err := in.db.Collection(c).Find(ctx, bson.D{}, options.Find().SetBatchSize(1000))
		if err != nil {
			return n, err
		}
		for cur.Next(ctx) {
			var raw bson.Raw
			if err := cur.Decode(&raw); err != nil {
				_ = cur.Close(ctx)
				return n, err
			}
			n++
		}
		err = cur.Err()
		_ = cur.Close(ctx)
		if err != nil {
			return n, err
		}
	}
	return n, nil
}

// freshScan runs the compliance-scan job body on a new compliance.Service
// over the same database: nothing loaded yet, as in a new worker process.
func (in *scanInstall) freshScan(ctx context.Context) (jobs.Summary, error) {
	store := mongodb.New(in.db).WithClock(in.clock.Now)
	logger := slog.New(slog.NewTextHandler(io.Discard, nil))
	model := readmodel.New(store, readmodel.Options{Logger: logger, Now: in.clock.Now})
	if err := model.Load(ctx); err != nil {
		return jobs.Summary{}, err
	}
	svc := compliance.NewService(model, compliance.Options{Location: london, Now: in.clock.Now, Logger: logger})
	catalog := jobs.Catalog(jobs.Deps{
		Training: svc, Mail: notify.NewOutbox(store), Recipients: hrList{hrEmail}, PublicURL: publicURL, Logger: logger,
	})
	for _, j := range catalog {
		if j.Name == jobs.JobComplianceScan {
			return j.Run(ctx, jobs.Run{Job: j.Name, At: in.clock.Now()})
		}
	}
	return jobs.Summary{}, fmt.Errorf("no %s in the catalog", jobs.JobComplianceScan)
}

func (in *scanInstall) countWritten(b *testing.B) map[string]int64 {
	b.Helper()
	out := map[string]int64{}
	for _, c := range writtenCollections {
		n, err := in.db.Collection(c).CountDocuments(context.Background(), bson.D{})
		if err != nil {
			b.Fatal(err)
		}
		out[c] = n
	}
	return out
}

func BenchmarkPlainCursorRead(b *testing.B) {
	in := newScanInstall(b)
	b.Run(fmt.Sprintf("people=%d", scanBenchPeople), func(b *testing.B) {
		ctx := context.Background()
		in.cmds.start()
		for b.Loop() {
			n, err := in.plainRead(ctx)
			if err != nil {
				b.Fatal(err)
			}
			if n != in.docs {
				b.Fatalf("read %d documents, want %d", n, in.docs)
			}
		}
		counts := in.cmds.stop()
		b.ReportMetric(float64(in.docs), "docs/op")
		b.Logf("database commands per read: %s", describe(counts, b.N))
	})
}

func BenchmarkComplianceScan(b *testing.B) {
	in := newScanInstall(b)
	b.Run(fmt.Sprintf("people=%d", scanBenchPeople), func(b *testing.B) {
		ctx := context.Background()
		b.StopTimer()
		before := in.countWritten(b)
		var plain, scan time.Duration
		counts := map[string]int{}
		timedPlain := func() {
			began := time.Now()
			if n, err := in.plainRead(ctx); err != nil || n != in.docs {
				b.Fatalf("plain read: %d documents, %v; want %d", n, err, in.docs)
			}
			plain += time.Since(began)
		}
		for i := 0; i < b.N; i++ {
			// Alternate which goes first, so neither always reads after
			// the other has warmed the engine's caches.
			if i%2 == 0 {
				timedPlain()
			}
			in.cmds.start()
			b.StartTimer()
			began := time.Now()
			sum, err := in.freshScan(ctx)
			scan += time.Since(began)
			b.StopTimer()
			for k, v := range in.cmds.stop() {
				counts[k] += v
			}
			if err != nil {
				b.Fatal(err)
			}
			for _, k := range []string{"flags_raised", "reminders_queued", "escalated"} {
				if sum.Counts[k] != 0 {
					b.Errorf("a scan with nothing new: %s = %d (%+v)", k, sum.Counts[k], sum)
				}
			}
			if i%2 == 1 {
				timedPlain()
			}
		}
		after := in.countWritten(b)
		for _, c := range writtenCollections {
			if after[c] != before[c] {
				b.Errorf("%s: %d documents before the scans, %d after", c, before[c], after[c])
			}
		}
		w := writes(counts)
		if w != 0 {
			b.Errorf("the scans sent %d write commands, want none", w)
		}
		b.ReportMetric(float64(w)/float64(b.N), "writes/op")
		b.ReportMetric(float64(plain.Microseconds())/1000/float64(b.N), "plain-ms/op")
		b.ReportMetric(float64(scan)/float64(plain), "scan/plain")
		b.Logf("n=%d: scan %.0f ms, plain read %.0f ms (ratio %.2f); documents %v before and after; database commands per scan: %s",
			b.N, float64(scan.Microseconds())/1000/float64(b.N), float64(plain.Microseconds())/1000/float64(b.N),
			float64(scan)/float64(plain), after, describe(counts, b.N))
	})
}

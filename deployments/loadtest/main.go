// Command loadtest measures how much load a running complytrack takes,
// through its API only.
//
// It first makes an organisation of -people people with years of history
// (or finds the one an earlier run with the same -prefix made): an HR
// import in chunks, HR-recorded PREVENT completions going back years, and
// accounts for the people the journeys act as (invited by HR, the link
// read in the outbox, accepted with a password). Then -clients concurrent
// clients run the three journeys for -duration (employees reading their
// training and self-certifying with a PDF certificate, managers opening
// their team and a person's training, HR running the compliance report
// and importing a small changed file), with a progress line every few
// seconds. It prints throughput and p50/p95/p99 per operation and every
// answer that was not 2xx, then checks that every stored completion has
// its audit entry.
//
// It exits 1 on any 5xx or request left unanswered, a completion without
// its audit entry or one acknowledged and not stored, or an error in
// setting up. It creates
// thousands of people: never run it against a production install.
//
//	COMPLYTRACK_ADMIN_PASSWORD=… go run ./deployments/loadtest -url http://127.0.0.1:8080 -people 5000 -clients 200 -duration 60s
package main

import (
	"context"
	"flag"
	"fmt"
	"io"
	"os"
	"os/signal"
	"strings"
	"syscall"
	"time"
)

// config is the command line.
type config struct {
	url, email, password string
	people, clients      int
	duration, progress   time.Duration
	seed                 uint64
	prefix               string
	employees, managers  int
	accountPassword      string
	mix                  map[string]int
	chunk, workers       int
	// refreshAfter: see client.refreshAfter.
	refreshAfter time.Duration
}

func parseFlags(args []string, getenv func(string) string, errOut io.Writer) (config, error) {
	var cfg config
	fs := flag.NewFlagSet("loadtest", flag.ContinueOnError)
	fs.SetOutput(errOut)
	fs.StringVar(&cfg.url, "url", "http://127.0.0.1:8080", "the complytrack to load")
	fs.StringVar(&cfg.email, "email", "admin@complytrack.local", "an HR account's e-mail address")
	fs.StringVar(&cfg.password, "password", "", "its password (default: $COMPLYTRACK_ADMIN_PASSWORD)")
	fs.IntVar(&cfg.people, "people", 5000, "people in the generated organisation (at least 10)")
	fs.IntVar(&cfg.clients, "clients", 200, "concurrent clients")
	fs.DurationVar(&cfg.duration, "duration", 60*time.Second, "how long the clients run")
	fs.DurationVar(&cfg.progress, "progress", 5*time.Second, "time between progress lines")
	fs.Uint64Var(&cfg.seed, "seed", 1, "the seed of the generated organisation and of the clients' choices")
	fs.StringVar(&cfg.prefix, "prefix", "LT", "employee number prefix of the generated organisation: a second run with the same prefix and seed reuses it")
	fs.IntVar(&cfg.employees, "employees", 0, "employee accounts the journeys act as (default: half the clients, at least 2); each costs a password hash on the server")
	fs.IntVar(&cfg.managers, "managers", 0, "manager accounts (default: a fifth of the clients, at least 2)")
	fs.StringVar(&cfg.accountPassword, "account-password", "load-test-account-password", "password of the accounts the journeys act as")
	mix := fs.String("mix", defaultMix, "operations and their weights")
	fs.IntVar(&cfg.chunk, "chunk", 1000, "rows per import request while generating")
	fs.IntVar(&cfg.workers, "workers", 8, "concurrent requests while generating and checking")
	if err := fs.Parse(args); err != nil {
		return cfg, err
	}
	if cfg.password == "" {
		cfg.password = getenv("COMPLYTRACK_ADMIN_PASSWORD")
	}
	var err error
	if cfg.mix, err = parseMix(*mix); err != nil {
		return cfg, err
	}
	switch {
	case cfg.password == "":
		return cfg, fmt.Errorf("give the HR account's password with -password or COMPLYTRACK_ADMIN_PASSWORD")
	case cfg.people < 10:
		return cfg, fmt.Errorf("-people must be at least 10")
	case cfg.clients < 1 || cfg.duration <= 0 || cfg.progress <= 0 || cfg.chunk < 1 || cfg.workers < 1:
		return cfg, fmt.Errorf("-clients, -duration, -progress, -chunk and -workers must be positive")
	}
	if cfg.employees <= 0 {
		cfg.employees = max(2, cfg.clients/2)
	}
	if cfg.managers <= 0 {
		cfg.managers = max(2, cfg.clients/5)
	}
	cfg.url = strings.TrimRight(cfg.url, "/")
	return cfg, nil
}

func main() {
	ctx, stop := signal.NotifyContext(context.Background(), os.Interrupt, syscall.SIGTERM)
	defer stop()
	cfg, err := parseFlags(os.Args[1:], os.Getenv, os.Stderr)
	if err != nil {
		if err != flag.ErrHelp {
			fmt.Fprintln(os.Stderr, "loadtest:", err)
		}
		os.Exit(2)
	}
	res, err := run(ctx, cfg, os.Stdout)
	if err != nil {
		fmt.Fprintln(os.Stderr, "loadtest:", err)
		os.Exit(1)
	}
	if !res.OK() {
		os.Exit(1)
	}
}

// Result is everything one run measured and found.
type Result struct {
	Generation Generation
	Ops        []OpResult
	Elapsed    time.Duration
	// ImportLineErrors counts rows the import journey's answers refused.
	ImportLineErrors int
	Check            Check
}

// ServerErrors counts the 5xx answers of the run.
func (r *Result) ServerErrors() int {
	n := 0
	for _, op := range r.Ops {
		n += op.ServerErrors()
	}
	return n
}

// TransportErrors counts the requests of the run that got no answer.
func (r *Result) TransportErrors() int {
	n := 0
	for _, op := range r.Ops {
		n += op.TransportErrors()
	}
	return n
}

// OK is the verdict: every request answered, none with a 5xx, and the
// check passed.
func (r *Result) OK() bool { return r.ServerErrors() == 0 && r.TransportErrors() == 0 && r.Check.OK() }

// run generates (or finds) the organisation, drives the journeys and
// checks the audit log, printing as it goes.
func run(ctx context.Context, cfg config, w io.Writer) (*Result, error) {
	out := func(format string, args ...any) { fmt.Fprintf(w, format+"\n", args...) }
	base := &client{base: cfg.url, http: newHTTPClient(cfg.clients), refreshAfter: cfg.refreshAfter}
	p := newPlan(cfg.people, cfg.seed, cfg.prefix, today())
	out("generating an organisation of %d people (prefix %s, seed %d) on %s", cfg.people, cfg.prefix, cfg.seed, cfg.url)
	world, gen, err := generate(ctx, base, cfg, p, out)
	if err != nil {
		return nil, err
	}
	res := &Result{Generation: gen}
	out("generation took %s\n", gen.Took.Round(time.Millisecond))

	out("running %d clients for %s (mix %s)", cfg.clients, cfg.duration, mixString(cfg.mix))
	st := newStats()
	var recorded []string
	res.Elapsed, recorded, res.ImportLineErrors = drive(ctx, base.timed(st), world, cfg.mix, cfg.clients, cfg.duration, cfg.progress, cfg.seed, out)
	res.Ops = st.results(res.Elapsed)
	printResults(w, res.Ops, res.Elapsed)
	if res.ImportLineErrors > 0 {
		out("the import journey's answers refused %d rows", res.ImportLineErrors)
	}

	out("\nchecking that every stored completion has its audit entry")
	res.Check, err = checkAudit(ctx, base, world.hr, cfg.workers, recorded)
	if err != nil {
		return res, fmt.Errorf("check the audit log: %w", err)
	}
	ch := res.Check
	out("%d people, %d completions stored (%d recorded during the run), %d completion.record audit entries, in %s",
		ch.People, ch.Completions, len(recorded), ch.AuditEntries, ch.Took.Round(time.Millisecond))
	switch {
	case ch.OK():
		out("audit check: passed, every stored completion has its audit entry and every acknowledged one is stored")
	default:
		out("audit check: FAILED: %d completions without an audit entry %v, %d acknowledged but not stored %v",
			len(ch.Missing), head(ch.Missing), len(ch.Lost), head(ch.Lost))
	}
	if n := res.ServerErrors(); n > 0 {
		out("FAILED: %d answers were server errors (5xx)", n)
	}
	if n := res.TransportErrors(); n > 0 {
		out("FAILED: %d requests got no answer", n)
	}
	if res.OK() {
		out("result: passed (no 5xx, every request answered, the audit check passed)")
	}
	return res, nil
}

// today is the local calendar day, at midnight UTC.
func today() time.Time {
	y, m, d := time.Now().Date()
	return time.Date(y, m, d, 0, 0, 0, 0, time.UTC)
}

func mixString(mix map[string]int) string {
	var parts []string
	for _, op := range journeyOps {
		if mix[op.name] > 0 {
			parts = append(parts, fmt.Sprintf("%s=%d", op.name, mix[op.name]))
		}
	}
	return strings.Join(parts, ",")
}

func head(ids []string) []string { return ids[:min(len(ids), 5)] }

package main

import (
	"context"
	"errors"
	"fmt"
	"math/rand/v2"
	"net/http"
	"net/url"
	"slices"
	"strings"
	"sync"
	"sync/atomic"
	"time"
)

// Generation is what one generation run did.
type Generation struct {
	// The import's counts, over every chunk.
	Created, Updated, Unchanged int
	// History: completions recorded now, and found already recorded.
	HistoryRecorded, HistoryFound int
	// Accounts the journeys act as; of them, invited and accepted now,
	// and signed in (made by an earlier run).
	Employees, Managers                         int
	AccountsMade, AccountsSignedIn              int
	ImportTook, HistoryTook, AccountsTook, Took time.Duration
	// Report is the PREVENT compliance report's totals once generated.
	Report Totals
}

// Totals are the compliance report's totals.
type Totals struct {
	Applicable int `json:"applicable"`
	Exempt     int `json:"exempt"`
	Compliant  int `json:"compliant"`
	Expiring   int `json:"expiring"`
	Due        int `json:"due"`
	Overdue    int `json:"overdue"`
	Expired    int `json:"expired"`
}

// world is what the journeys act on: the accounts, signed in, and who
// each manager may open.
type world struct {
	plan      *plan
	hr        *session
	employees []*session
	managers  []manager
	ids       map[string]string // employee number -> person ID
}

type manager struct {
	s    *session
	team []string // person IDs of their reporting line
}

// generate makes the organisation of p on the server through its API, or
// finds what an earlier run made: the import upserts by employee number
// (an unchanged row changes nothing), each past completion is looked for
// by its certificate reference before it is recorded, and a person who
// already has an account is signed in instead of invited. It then signs
// in the accounts the journeys act as.
func generate(ctx context.Context, c *client, cfg config, p *plan, out func(string, ...any)) (*world, Generation, error) {
	var g Generation
	began := time.Now()
	w := &world{plan: p, ids: map[string]string{}}
	var t tokens
	if err := c.call(ctx, "login", http.StatusOK, "POST", "/api/v1/auth/login", nil,
		jsonBody(map[string]string{"email": cfg.email, "password": cfg.password}), &t); err != nil {
		return nil, g, fmt.Errorf("sign in as %s: %w", cfg.email, err)
	}
	w.hr = c.newSession(cfg.email, "", t)

	// People, in chunks, managers first (each chunk's managers are in it
	// or in an earlier one).
	start := time.Now()
	for from := 0; from < len(p.people); from += cfg.chunk {
		rows := p.people[from:min(from+cfg.chunk, len(p.people))]
		var res importResult
		if err := c.call(ctx, "import", http.StatusOK, "POST", "/api/v1/people/import", w.hr, csvBody(peopleCSV(rows)), &res); err != nil {
			return nil, g, fmt.Errorf("import people %d to %d: %w", from+1, from+len(rows), err)
		}
		if len(res.Errors) > 0 {
			return nil, g, fmt.Errorf("import people %d to %d: line %d, %s: %s", from+1, from+len(rows),
				res.Errors[0].Line, res.Errors[0].Field, res.Errors[0].Message)
		}
		g.Created, g.Updated, g.Unchanged = g.Created+res.Created, g.Updated+res.Updated, g.Unchanged+res.Unchanged
	}
	// When this run created everyone there is no history to find.
	fresh := g.Created == len(p.people)
	g.ImportTook = time.Since(start)
	out("imported %d people in %s: %d created, %d updated, %d unchanged", len(p.people), g.ImportTook.Round(time.Millisecond),
		g.Created, g.Updated, g.Unchanged)

	people, err := listPeople(ctx, c, w.hr)
	if err != nil {
		return nil, g, err
	}
	for _, pr := range people {
		w.ids[pr.EmployeeNumber] = pr.ID
	}
	for _, r := range p.people {
		if w.ids[r.number] == "" {
			return nil, g, fmt.Errorf("person %s was imported but is not in the list of people", r.number)
		}
	}
	// The import journey's people are made once; the journey changes
	// them, and a later run leaves them as the journey left them.
	var newPool []planned
	for _, r := range p.pool {
		if w.ids[r.number] == "" {
			newPool = append(newPool, r)
		}
	}
	if len(newPool) > 0 {
		var res importResult
		if err := c.call(ctx, "import", http.StatusOK, "POST", "/api/v1/people/import", w.hr, csvBody(peopleCSV(newPool)), &res); err != nil {
			return nil, g, fmt.Errorf("import the import journey's people: %w", err)
		}
		if len(res.Errors) > 0 {
			return nil, g, fmt.Errorf("import the import journey's people: line %d, %s: %s", res.Errors[0].Line, res.Errors[0].Field, res.Errors[0].Message)
		}
		g.Created += res.Created
	}

	// History. Unless this run created everyone, each person's
	// completions are read first.
	start = time.Now()
	var recorded, found atomic.Int64
	err = parallel(ctx, cfg.workers, len(p.people), func(i int) error {
		r := p.people[i]
		if len(r.history) == 0 {
			return nil
		}
		id := w.ids[r.number]
		have := map[string]bool{}
		if !fresh {
			var list struct {
				Items []completion `json:"items"`
			}
			if err := c.call(ctx, "list-completions", http.StatusOK, "GET", "/api/v1/people/"+id+"/completions", w.hr, nil, &list); err != nil {
				return err
			}
			for _, it := range list.Items {
				have[it.CertificateRef] = true
			}
		}
		for _, h := range r.history {
			if have[h.ref] {
				found.Add(1)
				continue
			}
			if err := c.call(ctx, "record-completion", http.StatusCreated, "POST", "/api/v1/people/"+id+"/completions", w.hr,
				jsonBody(map[string]string{"course_code": "PREVENT", "completed_on": day(h.on), "certificate_ref": h.ref}), nil); err != nil {
				return fmt.Errorf("record %s's completion of %s: %w", r.number, day(h.on), err)
			}
			recorded.Add(1)
		}
		return nil
	})
	if err != nil {
		return nil, g, err
	}
	g.HistoryRecorded, g.HistoryFound = int(recorded.Load()), int(found.Load())
	g.HistoryTook = time.Since(start)
	out("history: %d completions recorded, %d found from an earlier run, in %s", g.HistoryRecorded, g.HistoryFound,
		g.HistoryTook.Round(time.Millisecond))

	// Accounts.
	start = time.Now()
	employees, managers := pickAccounts(p, cfg)
	chosen := append(slices.Clone(employees), managers...)
	sessions := make([]*session, len(chosen))
	var made, signedIn atomic.Int64
	err = parallel(ctx, cfg.workers, len(chosen), func(i int) error {
		r := chosen[i]
		s, new, err := account(ctx, c, w.hr, r, w.ids[r.number], cfg.accountPassword)
		if err != nil {
			return err
		}
		if new {
			made.Add(1)
		} else {
			signedIn.Add(1)
		}
		sessions[i] = s
		return nil
	})
	if err != nil {
		return nil, g, err
	}
	w.employees = sessions[:len(employees)]
	for i, r := range managers {
		m := manager{s: sessions[len(employees)+i]}
		for _, n := range p.below(r.number) {
			m.team = append(m.team, w.ids[n])
		}
		w.managers = append(w.managers, m)
	}
	g.Employees, g.Managers = len(employees), len(managers)
	g.AccountsMade, g.AccountsSignedIn = int(made.Load()), int(signedIn.Load())
	g.AccountsTook = time.Since(start)
	g.Took = time.Since(began)
	var rep struct {
		Totals Totals `json:"totals"`
	}
	if err := c.call(ctx, "report", http.StatusOK, "GET", "/api/v1/reports/compliance?course_code=PREVENT", w.hr, nil, &rep); err != nil {
		return nil, g, err
	}
	g.Report = rep.Totals
	out("accounts: %d employees and %d managers (%d invited and accepted now, %d signed in) in %s",
		len(employees), len(managers), g.AccountsMade, g.AccountsSignedIn, g.AccountsTook.Round(time.Millisecond))
	t0 := g.Report
	out("PREVENT today: %d applicable, %d compliant, %d expiring, %d due, %d overdue, %d expired, %d exempt",
		t0.Applicable, t0.Compliant, t0.Expiring, t0.Due, t0.Overdue, t0.Expired, t0.Exempt)
	return w, g, nil
}

type importResult struct {
	Created   int `json:"created"`
	Updated   int `json:"updated"`
	Unchanged int `json:"unchanged"`
	Errors    []struct {
		Line    int    `json:"line"`
		Field   string `json:"field"`
		Message string `json:"message"`
	} `json:"errors"`
}

type personItem struct {
	ID             string `json:"id"`
	EmployeeNumber string `json:"employee_number"`
	Email          string `json:"email"`
}

type completion struct {
	ID             string `json:"id"`
	PersonID       string `json:"person_id"`
	CertificateRef string `json:"certificate_ref"`
}

// listPeople reads every person HR sees, page by page.
func listPeople(ctx context.Context, c *client, hr *session) ([]personItem, error) {
	var all []personItem
	cursor := ""
	for {
		var page struct {
			Items      []personItem `json:"items"`
			NextCursor string       `json:"next_cursor"`
		}
		path := "/api/v1/people?limit=500"
		if cursor != "" {
			path += "&cursor=" + url.QueryEscape(cursor)
		}
		if err := c.call(ctx, "list-people", http.StatusOK, "GET", path, hr, nil, &page); err != nil {
			return nil, err
		}
		all = append(all, page.Items...)
		if page.NextCursor == "" {
			return all, nil
		}
		cursor = page.NextCursor
	}
}

// pickAccounts chooses who the journeys act as, the same people for the
// same seed: employees among the officers still here, and managers mostly
// among team leaders (about 12 people each), some heads of service
// (about 65) and a few directors (about 260).
func pickAccounts(p *plan, cfg config) (employees, managers []planned) {
	rng := rand.New(rand.NewPCG(cfg.seed, 0xacc0))
	var officers, teams, heads, directors []planned
	for _, r := range p.people {
		if !r.end.IsZero() {
			continue
		}
		switch r.level {
		case levelOfficer:
			officers = append(officers, r)
		case levelTeamLeader:
			teams = append(teams, r)
		case levelHead:
			heads = append(heads, r)
		case levelDirector:
			directors = append(directors, r)
		}
	}
	shuffle := func(s []planned) { rng.Shuffle(len(s), func(i, j int) { s[i], s[j] = s[j], s[i] }) }
	shuffle(officers)
	shuffle(teams)
	shuffle(heads)
	shuffle(directors)
	employees = officers[:min(cfg.employees, len(officers))]
	nd := min(len(directors), cfg.managers/20)
	nh := min(len(heads), cfg.managers/4)
	nt := min(len(teams), cfg.managers-nd-nh)
	managers = slices.Concat(teams[:nt], heads[:nh], directors[:nd])
	return employees, managers
}

// account signs a person in: HR invites them, reads the link of their
// first invitation in the outbox, and they accept it with a password (new
// is true); or, when they have an account already, they sign in with it.
func account(ctx context.Context, c *client, hr *session, r planned, id, password string) (s *session, new bool, err error) {
	err = c.call(ctx, "invite", http.StatusAccepted, "POST", "/api/v1/people/"+id+"/invite", hr, nil, nil)
	if isStatus(err, http.StatusConflict) {
		var t tokens
		if err := c.call(ctx, "login", http.StatusOK, "POST", "/api/v1/auth/login", nil,
			jsonBody(map[string]string{"email": r.email, "password": password}), &t); err != nil {
			return nil, false, fmt.Errorf("%s has an account already, and signing in with the accounts' password failed: %w", r.number, err)
		}
		return c.newSession(r.email, id, t), false, nil
	}
	if err != nil {
		return nil, false, fmt.Errorf("invite %s: %w", r.number, err)
	}
	var box struct {
		Items []struct {
			BodyText string `json:"body_text"`
		} `json:"items"`
	}
	if err := c.call(ctx, "outbox", http.StatusOK, "GET", "/api/v1/outbox?kind=invitation&to="+url.QueryEscape(r.email), hr, nil, &box); err != nil {
		return nil, false, err
	}
	token := ""
	for _, m := range box.Items {
		if token = inviteToken(m.BodyText); token != "" {
			break
		}
	}
	if token == "" {
		return nil, false, fmt.Errorf("the outbox shows no invitation link for %s", r.number)
	}
	var t tokens
	if err := c.call(ctx, "accept-invite", http.StatusOK, "POST", "/api/v1/auth/accept-invite", nil,
		jsonBody(map[string]string{"token": token, "password": password}), &t); err != nil {
		return nil, false, fmt.Errorf("accept %s's invitation: %w", r.number, err)
	}
	return c.newSession(r.email, id, t), true, nil
}

// inviteToken finds the one-time link in an invitation's text and returns
// its token, or "" when the link is withheld.
func inviteToken(text string) string {
	for _, f := range strings.Fields(text) {
		if !strings.Contains(f, "/invite?token=") {
			continue
		}
		u, err := url.Parse(f)
		if err == nil && u.Query().Get("token") != "" {
			return u.Query().Get("token")
		}
	}
	return ""
}

// parallel runs do(0..n-1) on workers goroutines and returns the first
// error; after one, the rest are not started.
func parallel(ctx context.Context, workers, n int, do func(i int) error) error {
	var next atomic.Int64
	var mu sync.Mutex
	var first error
	var wg sync.WaitGroup
	for range max(1, workers) {
		wg.Go(func() {
			for {
				i := int(next.Add(1) - 1)
				if i >= n || ctx.Err() != nil {
					return
				}
				mu.Lock()
				stop := first != nil
				mu.Unlock()
				if stop {
					return
				}
				if err := do(i); err != nil {
					mu.Lock()
					first = errors.Join(first, err)
					mu.Unlock()
				}
			}
		})
	}
	wg.Wait()
	if first == nil {
		first = ctx.Err()
	}
	return first
}

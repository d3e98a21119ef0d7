package web_test

import (
	"context"
	"encoding/csv"
	"html"
	"io"
	"log/slog"
	"maps"
	"net/http"
	"net/url"
	"regexp"
	"slices"
	"strconv"
	"strings"
	"testing"
	"time"

	"github.com/complytrack/complytrack/pkg/demo"
)

// newDemoEnv is the app on a fresh database filled with the demo council,
// as `go run ./api -demo` fills it.
func newDemoEnv(t *testing.T) *env {
	t.Helper()
	e := newEnv(t, "http://127.0.0.1")
	res, err := demo.Fill(context.Background(), e.app, slog.New(slog.NewTextHandler(io.Discard, nil)))
	if err != nil {
		t.Fatal(err)
	}
	if !res.Filled {
		t.Fatalf("the demo data was not loaded: %s", res.Reason)
	}
	return e
}

// demoAccounts are the README's demo accounts, one per role.
var demoAccounts = []struct{ role, email string }{
	{"hr", "fiona.gallagher@eastmoor.example.org"},
	{"manager of everyone", "rachel.thornbury@eastmoor.example.org"},
	{"team leader", "daniel.okoro@eastmoor.example.org"},
	{"auditor", "graham.pellow@eastmoor.example.org"},
	{"employee", "sophie.marsh@eastmoor.example.org"},
	{"trainer", "tom.whitfield@eastmoor.example.org"},
}

// crawlPageCap bounds how many addresses one role's crawl fetches, and
// crawlShapeCap how many of one shape (the same route with other ids, the
// same query keys with other values), so the test stays quick under -race
// while reaching every kind of page: lists and their next pages, people
// with and without a training history, certificates, downloads.
const (
	crawlPageCap  = 300
	crawlShapeCap = 8
)

var idSegment = regexp.MustCompile(`^[0-9a-f]{24}$`)

// shape is an address with its ids and query values left out:
// /people/{id}?audit= for every person's older audit entries.
func shape(u *url.URL) string {
	segs := strings.Split(u.Path, "/")
	for i, s := range segs {
		if idSegment.MatchString(s) {
			segs[i] = "{id}"
		}
	}
	keys := slices.Sorted(maps.Keys(u.Query()))
	return strings.Join(segs, "/") + "?" + strings.Join(keys, "&")
}

var anchorHref = regexp.MustCompile(`<a\b[^>]*?\bhref="([^"]*)"`)

// TestDemoCouncil loads the demo council once and uses it as each role
// would.
func TestDemoCouncil(t *testing.T) {
	started := time.Now()
	e := newDemoEnv(t)
	t.Logf("demo council loaded in %s", time.Since(started).Round(time.Millisecond))

	// Every role signs in through the sign-in form and follows every
	// link on every page it reaches, breadth first: no address answers
	// with a server error.
	for _, acct := range demoAccounts {
		t.Run("every link answers/"+acct.role, func(t *testing.T) {
			roleStarted := time.Now()
			b := e.newBrowser()
			b.t = t
			landing := b.signIn(acct.email, demo.Password)
			mustStatus(t, landing, http.StatusOK)
			visited, failures := crawl(t, b, []string{"/"})
			for _, f := range failures {
				t.Errorf("%s", f)
			}
			t.Logf("%d addresses in %s", visited, time.Since(roleStarted).Round(time.Millisecond))
		})
	}

	t.Run("dashboard numbers match their lists", func(t *testing.T) {
		b := e.newBrowser()
		b.t = t
		b.signIn(demoAccounts[0].email, demo.Password)
		for _, course := range []string{"PREVENT", "WRAP"} {
			checkDashboardNumbers(t, b, "/dashboard?course_code="+course)
		}
	})

	t.Run("team CSV holds everyone matching the filters", func(t *testing.T) {
		b := e.newBrowser()
		b.t = t
		b.signIn("rachel.thornbury@eastmoor.example.org", demo.Password)
		for _, filter := range []string{"", "?status=overdue&course=PREVENT", "?course=PREVENT"} {
			checkTeamCSV(t, b, "/team"+filter)
		}
	})
}

var (
	listLink  = regexp.MustCompile(`<a class="link"(?: id="[^"]*")? href="(/dashboard/people\?[^"]*)">(.*?)</a>`)
	listTotal = regexp.MustCompile(`id="list-total"><strong>(\d+) (?:person|people)</strong>(?: of the (\d+) required to hold it \(([\d.]+%)\))?`)
	listRow   = regexp.MustCompile(`<td data-label="Name"><a class="link" href="/people/`)
	nextLink  = regexp.MustCompile(`<a class="link" href="([^"]*)" rel="next">`)
	tags      = regexp.MustCompile(`<[^>]*>`)
)

// checkDashboardNumbers follows each number's link on the dashboard and
// checks the list it leads to states the same number, and holds as many
// rows on all its pages as it says.
func checkDashboardNumbers(t *testing.T, b *browser, dashboard string) {
	t.Helper()
	r := b.visit(dashboard)
	mustStatus(t, r, http.StatusOK)
	links := listLink.FindAllStringSubmatch(r.Body, -1)
	// Seven numbers in the summary, those of the staff and Members
	// headlines (none for a kind the course does not apply to), and six
	// per department, besides the department's name on its bar.
	headline := 0
	for _, h := range headlineRow.FindAllStringSubmatch(r.Body, -1) {
		headline += len(listLink.FindAllString(h[2], -1))
	}
	if depts := strings.Count(r.Body, `<th scope="row" data-label="Department">`); len(links) != 7+headline+7*depts || depts == 0 || headline < 3 {
		t.Fatalf("%s: %d links to lists for %d departments and %d in the headlines, want 7 + the headlines' (at least 3, the staff's) + 7 per department", dashboard, len(links), depts, headline)
	}
	for _, l := range links {
		href := html.UnescapeString(l[1])
		shown := strings.TrimSpace(tags.ReplaceAllString(regexp.MustCompile(`<span class="visually-hidden">.*?</span>`).ReplaceAllString(l[2], ""), ""))
		list := b.visit(href)
		mustStatus(t, list, http.StatusOK)
		m := listTotal.FindStringSubmatch(list.Body)
		if m == nil {
			t.Fatalf("%s states no total:\n%s", href, list.Body)
		}
		stated := m[1]
		if strings.HasSuffix(shown, "%") {
			stated = m[3]
		}
		if _, err := strconv.Atoi(strings.TrimSuffix(strings.ReplaceAll(shown, ".", ""), "%")); err != nil {
			shown = stated // a department's name on its bar: the list's own count is checked below
		}
		if shown != stated {
			t.Errorf("%s: the dashboard shows %s, the list states %s", href, shown, stated)
		}
		rows, pages := 0, 0
		for page := list; ; pages++ {
			rows += len(listRow.FindAllString(page.Body, -1))
			next := nextLink.FindStringSubmatch(page.Body)
			if next == nil {
				break
			}
			page = b.visit(html.UnescapeString(next[1]))
			mustStatus(t, page, http.StatusOK)
		}
		if strconv.Itoa(rows) != m[1] {
			t.Errorf("%s states %s people but lists %d on %d pages", href, m[1], rows, pages+1)
		}
	}
}

var teamRow = regexp.MustCompile(`<td data-label="Name"><a class="link" href="/people/`)

// checkTeamCSV counts the people on every page of My team and checks the
// page's CSV link, from its first and its second page, holds them all.
func checkTeamCSV(t *testing.T, b *browser, first string) {
	t.Helper()
	people, pages := 0, 0
	var csvHrefs []string
	for path := first; path != ""; pages++ {
		r := b.visit(path)
		mustStatus(t, r, http.StatusOK)
		people += len(teamRow.FindAllString(r.Body, -1))
		if m := regexp.MustCompile(`href="(/team\.csv[^"]*)"`).FindStringSubmatch(r.Body); m != nil {
			csvHrefs = append(csvHrefs, html.UnescapeString(m[1]))
		}
		path = ""
		if m := regexp.MustCompile(`<a class="link pagination__link" href="(/team\?[^"]*)" rel="next">`).FindStringSubmatch(r.Body); m != nil {
			path = html.UnescapeString(m[1])
		}
	}
	if pages < 2 && first == "/team" {
		t.Fatalf("%s has %d page: the demo should fill more than one", first, pages)
	}
	for _, href := range csvHrefs[:min(2, len(csvHrefs))] {
		r := b.get(href)
		mustStatus(t, r, http.StatusOK)
		records, err := csv.NewReader(strings.NewReader(r.Body)).ReadAll()
		if err != nil {
			t.Fatal(err)
		}
		numbers := map[string]bool{}
		for _, rec := range records[1:] {
			numbers[rec[0]] = true
		}
		if len(numbers) != people {
			t.Errorf("%s (linked from %s) holds %d people; the %d pages list %d", href, first, len(numbers), pages, people)
		}
	}
}

// crawl fetches the start addresses and every same-site link it finds,
// breadth first, up to crawlPageCap addresses; it returns how many it
// fetched and a line for each that answered 5xx (with the page linking
// to it).
func crawl(t *testing.T, b *browser, start []string) (int, []string) {
	t.Helper()
	type item struct{ path, from string }
	seen := map[string]bool{}
	shapes := map[string]int{}
	var queue []item
	for _, s := range start {
		seen[s] = true
		queue = append(queue, item{path: s})
	}
	base, err := url.Parse(b.e.srv.URL)
	if err != nil {
		t.Fatal(err)
	}
	var failures []string
	fetched := 0
	for len(queue) > 0 && fetched < crawlPageCap {
		it := queue[0]
		queue = queue[1:]
		r := b.get(it.path)
		fetched++
		for hops := 0; r.Status >= 300 && r.Status < 400 && hops < 5; hops++ {
			loc, err := url.Parse(r.Location())
			if err != nil {
				failures = append(failures, it.path+": bad redirect "+r.Location())
				break
			}
			if loc.Path == "/sign-in" {
				t.Fatalf("%s sent the signed-in browser to sign in (linked from %s)", it.path, it.from)
			}
			r = b.get(base.ResolveReference(loc).RequestURI())
			fetched++
		}
		if r.Status >= 500 {
			failures = append(failures, it.path+" answered "+http.StatusText(r.Status)+" (linked from "+it.from+")")
			continue
		}
		if !strings.HasPrefix(r.Header.Get("Content-Type"), "text/html") {
			continue
		}
		failures = append(failures, numericColumnProblems(it.path, r.Body)...)
		page, _ := url.Parse(it.path)
		for _, m := range anchorHref.FindAllStringSubmatch(r.Body, -1) {
			ref, err := url.Parse(html.UnescapeString(m[1]))
			if err != nil {
				continue
			}
			abs := base.ResolveReference(page).ResolveReference(ref)
			if abs.Host != base.Host || abs.Scheme != base.Scheme {
				continue
			}
			abs.Fragment = ""
			p := abs.RequestURI()
			if seen[p] || slices.Contains([]string{"/sign-out", "/sign-in"}, abs.Path) || shapes[shape(abs)] >= crawlShapeCap {
				continue
			}
			seen[p] = true
			shapes[shape(abs)]++
			queue = append(queue, item{path: p, from: it.path})
		}
	}
	return fetched, failures
}

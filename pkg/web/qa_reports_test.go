package web_test

import (
	"context"
	"html"
	"io"
	"log/slog"
	"net/http"
	"net/http/httptest"
	"regexp"
	"strconv"
	"strings"
	"testing"
	"time"

	"github.com/complytrack/complytrack/pkg/app"
	"github.com/complytrack/complytrack/pkg/apptest"
	"github.com/complytrack/complytrack/pkg/auth"
	"github.com/complytrack/complytrack/pkg/dbtest"
	"github.com/complytrack/complytrack/pkg/demo"
	"github.com/complytrack/complytrack/pkg/jobs"
)

var (
	qaHeading      = regexp.MustCompile(`<h2 class="heading-m"(?: id="report-heading")?>([^<]+ on \d+ \w+ \d{4})</h2>`)
	qaTotalPct     = regexp.MustCompile(`id="total-compliance"><a class="link" href="[^"]*">([^<]+)<`)
	qaDashCount    = regexp.MustCompile(`id="count-([a-z-]+)" href="[^"]*">(\d+)`)
	qaReportTotals = regexp.MustCompile(`(?s)<tr id="report-totals">.*?</tr>`)
	qaReportTable  = regexp.MustCompile(`(?s)<table class="table table--stacked" id="report-table">.*?</thead>`)
	qaDashTable    = regexp.MustCompile(`(?s)<table class="table table--stacked" id="compliance-table">.*?</thead>`)
	qaColumn       = regexp.MustCompile(`<th scope="col"(?: class="[^"]*")?>([^<]+)</th>`)
)

func qaColumns(t *testing.T, table *regexp.Regexp, body string) []string {
	t.Helper()
	head := table.FindString(body)
	if head == "" {
		t.Fatal("the page has no such table")
	}
	var cols []string
	for _, m := range qaColumn.FindAllStringSubmatch(head, -1) {
		cols = append(cols, m[1])
	}
	return cols
}

func qaCount(t *testing.T, s string) int {
	t.Helper()
	n, err := strconv.Atoi(strings.TrimSpace(s))
	if err != nil {
		t.Fatalf("%q is not a count", s)
	}
	return n
}

// TestQAReportsDashboardAndFlags uses the demo council, as QA did: the
// dashboard and the report of the same course on the same day use the same
// words for the same numbers, and the empty flags list explains itself.
func TestQAReportsDashboardAndFlags(t *testing.T) {
	e := newDemoEnv(t)
	b := e.newBrowser()
	b.t = t
	b.signIn(demoAccounts[0].email, demo.Password)

	t.Run("dashboard and report agree on words and numbers", func(t *testing.T) {
		for _, course := range []string{"PREVENT", "WRAP"} {
			dash := b.visit("/dashboard?course_code=" + course)
			mustStatus(t, dash, http.StatusOK)
			rep := b.visit("/reports?course_code=" + course + "&group_by=department")
			mustStatus(t, rep, http.StatusOK)

			dh, rh := qaHeading.FindStringSubmatch(dash.Body), qaHeading.FindStringSubmatch(rep.Body)
			if dh == nil || rh == nil || dh[1] != rh[1] {
				t.Fatalf("%s: the pages are not about the same course and day: dashboard %q, report %q", course, dh, rh)
			}

			// The words: the percentage is "Compliance" on both pages,
			// "up to date" is compliant or expiring and says so, and the
			// report names its status columns for the statuses.
			mustContain(t, dash, `<dt class="summary-list__key">Compliance overall</dt>`, `</a><span aria-hidden="true"> up to date</span>`,
				"Up to date means compliant or expiring")
			if got := qaColumns(t, qaDashTable, dash.Body); got[1] != "Compliance" {
				t.Errorf("%s: dashboard table columns %q: the percentage is not headed Compliance", course, got)
			}
			reportCols := qaColumns(t, qaReportTable, rep.Body)
			want := []string{"Department", "Compliance", "Required", "Compliant", "Expiring", "Due", "Overdue", "Expired", "Exempt"}
			if strings.Join(reportCols, "|") != strings.Join(want, "|") {
				t.Errorf("%s: report columns %q, want %q", course, reportCols, want)
			}
			mustContain(t, rep, "Compliance is the share of the people required to hold the course who are up to date: compliant or expiring.")

			// The numbers: what both pages label alike is the same number,
			// and the dashboard's up to date is the report's compliant
			// plus expiring.
			cells := map[string]string{}
			for _, m := range reportCell.FindAllStringSubmatch(qaReportTotals.FindString(rep.Body), -1) {
				cells[m[1]] = html.UnescapeString(m[2])
			}
			pct := qaTotalPct.FindStringSubmatch(dash.Body)
			if pct == nil {
				t.Fatalf("%s: the dashboard has no overall compliance", course)
			}
			if cells["Compliance"] != pct[1] {
				t.Errorf("%s: Compliance is %q on the report and %q on the dashboard", course, cells["Compliance"], pct[1])
			}
			counts := map[string]int{}
			for _, m := range qaDashCount.FindAllStringSubmatch(dash.Body, -1) {
				counts[m[1]] = qaCount(t, m[2])
			}
			for label, id := range map[string]string{"Required": "required", "Overdue": "overdue", "Expired": "expired", "Due": "due", "Exempt": "exempt"} {
				if got := qaCount(t, cells[label]); got != counts[id] {
					t.Errorf("%s: %s is %d on the report and %d on the dashboard", course, label, got, counts[id])
				}
			}
			compliant, expiring := qaCount(t, cells["Compliant"]), qaCount(t, cells["Expiring"])
			if compliant+expiring != counts["up-to-date"] {
				t.Errorf("%s: up to date is %d on the dashboard, but the report has %d compliant and %d expiring",
					course, counts["up-to-date"], compliant, expiring)
			}
			if course == "PREVENT" && expiring == 0 {
				t.Errorf("PREVENT: nobody is expiring in the demo council, so the test shows nothing")
			}
		}
	})

	t.Run("the empty flags list says when flags come", func(t *testing.T) {
		dash := b.visit("/dashboard?course_code=PREVENT")
		if m := regexp.MustCompile(`id="count-overdue" href="[^"]*">(\d+)`).FindStringSubmatch(dash.Body); m == nil || qaCount(t, m[1]) == 0 {
			t.Fatalf("nobody is overdue in the demo council: %v", m)
		}
		mustContain(t, dash, `The <a class="link" href="/flags">flags</a> come from the daily check, which raises one when someone becomes due, overdue or expired`)
		scan, ok := e.app.Jobs.Schedule(jobs.JobComplianceScan)
		if !ok || scan != "0 6 * * *" {
			t.Fatalf("the compliance scan runs on %q, not the default", scan)
		}
		r := b.visit("/flags")
		mustStatus(t, r, http.StatusOK)
		mustContain(t, r, "There are no open flags. The daily check raises them when someone becomes due, overdue or expired; it runs every day at 06:00,")
	})
}

// TestQAFlagsEmptySaysWhenTheCheckRuns: the empty flags list takes the
// check's time from the configured schedule.
func TestQAFlagsEmptySaysWhenTheCheckRuns(t *testing.T) {
	for _, tc := range []struct{ schedule, want string }{
		{"30 5 * * *", "it runs every day at 05:30,"},
		{"0 18 * * *", "it runs every day at 18:00,"},
		{"off", "it is switched off on this service, so it runs only when someone starts it,"},
		{"0 6 * * 1-5", "it runs on the schedule set for this service,"},
	} {
		t.Run(tc.schedule, func(t *testing.T) {
			cfg, _ := apptest.Config(t,
				"COMPLYTRACK_ADMIN_EMAIL="+adminEmail,
				"COMPLYTRACK_ADMIN_PASSWORD="+adminPassword,
				"COMPLYTRACK_PUBLIC_URL=http://127.0.0.1",
				"COMPLYTRACK_SCHEDULE_COMPLIANCE_SCAN="+tc.schedule,
			)
			clk := &clock{t: time.Date(2026, 11, 2, 9, 0, 0, 0, time.UTC)}
			a, err := app.New(context.Background(), cfg, dbtest.New(t), slog.New(slog.NewTextHandler(io.Discard, nil)),
				app.Options{Now: clk.Now, HasherParams: auth.MinParams})
			if err != nil {
				t.Fatal(err)
			}
			srv := httptest.NewServer(a.Router())
			t.Cleanup(srv.Close)
			e := &env{t: t, app: a, srv: srv, clock: clk}
			b := e.newBrowser()
			b.signIn(adminEmail, adminPassword)
			r := b.visit("/flags")
			mustStatus(t, r, http.StatusOK)
			mustContain(t, r, "There are no open flags.", tc.want)
		})
	}
}

// TestQAImportCountsLines: a file with two bad lines, each with two
// problems, has two lines with a problem (and four problems).
func TestQAImportCountsLines(t *testing.T) {
	e := newEnv(t, "http://127.0.0.1")
	newHRCast(e)
	b := e.newBrowser()
	b.signIn(adminEmail, adminPassword)
	const file = "employee_number,email,given_name,family_name,kind,job_title,department,manager_employee_number,start_date\n" +
		"E-Imp1,imp.one@example.gov.uk,Imp,One,staff,Clerk,Housing,E-Mara,2026-10-01\n" +
		"E-Imp2,not-an-address,Imp,Two,staff,Clerk,Housing,E-Mara,not-a-date\n" +
		"E-Imp3,also-not-an-address,Imp,Three,staff,Clerk,Housing,,31/02/2026\n"
	b.visit("/people/import")
	r := b.postMultipart("/people/import", map[string]string{"csrf_token": b.csrf()}, upload{"file", "people.csv", []byte(file)})
	mustStatus(t, r, http.StatusOK)
	for _, line := range []string{"3", "4"} {
		if n := strings.Count(r.Body, `<td data-label="Line" class="table__cell--numeric">`+line+`</td>`); n != 2 {
			t.Fatalf("line %s is listed with %d problems, want 2", line, n)
		}
	}
	mustContain(t, r, `id="count-created">1 person`, `id="count-errors">2 (4 problems)</dd>`)

	m := tokenInput.FindStringSubmatch(r.Body)
	if m == nil {
		t.Fatal("the preview has no confirm form")
	}
	b.visit("/people/import")
	r = b.submit("/people/import/confirm", map[string][]string{"token": {m[1]}})
	mustStatus(t, r, http.StatusOK)
	mustContain(t, r, "Imported people.csv: 1 added, 0 updated", `id="count-errors">2 (4 problems)</dd>`)
}

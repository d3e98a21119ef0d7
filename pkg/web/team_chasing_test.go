package web_test

import (
	"fmt"
	"html"
	"net/http"
	"net/url"
	"regexp"
	"slices"
	"strings"
	"sync"
	"testing"

	"github.com/complytrack/complytrack/pkg/auth"
	"github.com/complytrack/complytrack/pkg/notify"
	"github.com/complytrack/complytrack/pkg/training"
)

// teamNames are the people listed on a page of My team, in order.
var teamNames = regexp.MustCompile(`<td data-label="Name"><a class="link" href="/people/[^"]+">([^<]+)</a>`)

func namesOn(r result) []string {
	var out []string
	for _, m := range teamNames.FindAllStringSubmatch(r.Body, -1) {
		out = append(out, html.UnescapeString(m[1]))
	}
	return out
}

// chaseCast is hrCast (Mara manages Ben, who manages Cara; Olly and the
// auditor Audrey outside) with, reporting to Mara, Dev in Finance, who has
// done Prevent awareness, and Fay in Finance, who started later (so is
// overdue for fewer days), and an elected Member.
type chaseCast struct {
	hrCast
	dev, fay, member training.Person
}

func newChaseCast(e *env) chaseCast {
	e.t.Helper()
	c := chaseCast{hrCast: newHRCast(e)}
	mk := func(given, family, dept, start string, kind training.Kind, manager string) training.Person {
		p, err := e.app.Training.CreatePerson(e.t.Context(), e.hr, training.PersonInput{Person: training.Person{
			EmployeeNumber: "E-" + given, Email: strings.ToLower(given+"."+family) + "@example.gov.uk", GivenName: given, FamilyName: family,
			Kind: kind, JobTitle: "Officer", Department: dept, StartDate: training.MustDate(start)}, ManagerEmployeeNumber: manager})
		if err != nil {
			e.t.Fatal(err)
		}
		return p
	}
	c.dev = mk("Dev", "Patel", "Finance", "2024-04-01", training.KindStaff, "E-Mara")
	c.fay = mk("Fay", "Moss", "Finance", "2026-06-01", training.KindStaff, "E-Mara")
	c.member = mk("Carol", "Vine", "Elected Members", "2024-05-01", training.KindMember, "")
	if _, err := e.app.Training.RecordCompletion(e.t.Context(), e.hr, c.dev.ID, training.CompletionInput{
		CourseCode: "PREVENT", CompletedOn: training.MustDate("2026-01-10"), CertificateRef: "CERT-DEV"}); err != nil {
		e.t.Fatal(err)
	}
	return c
}

// The count at the top covers the whole line; the search, the filters
// and the order choose and sort the rows, and "Showing" counts them.
func TestMyTeamFiltersCountAndOrder(t *testing.T) {
	e := newEnv(t, "http://127.0.0.1")
	newChaseCast(e)
	b := e.newBrowser()
	b.signIn("mara.hill@example.gov.uk", castPassword)

	const everyone = "<strong>3 of 4 people</strong> have something overdue."
	for _, tc := range []struct {
		name, query string
		want        []string // in order
		showing     string
	}{
		{"everyone, most urgent first", "", []string{"Cara Lee", "Fay Moss", "Ben Stone", "Dev Patel"}, "Showing 1–4 of 4 people"},
		{"search by name", "?q=LEE", []string{"Cara Lee"}, "Showing 1–1 of 1 person"},
		{"search by employee number", "?q=e-dev", []string{"Dev Patel"}, "Showing 1–1 of 1 person"},
		{"department", "?department=Finance", []string{"Fay Moss", "Dev Patel"}, "Showing 1–2 of 2 people"},
		{"direct reports only", "?direct=yes", []string{"Fay Moss", "Ben Stone", "Dev Patel"}, "Showing 1–3 of 3 people"},
		{"overdue or expired", "?status=late", []string{"Cara Lee", "Fay Moss", "Ben Stone"}, "Showing 1–3 of 3 people"},
		{"compliant", "?status=compliant", []string{"Dev Patel"}, "Showing 1–1 of 1 person"},
		{"a course", "?course=PREVENT&status=overdue&department=Finance", []string{"Fay Moss"}, "Showing 1–1 of 1 person"},
		{"most days overdue first", "?sort=days_overdue", []string{"Cara Lee", "Ben Stone", "Fay Moss", "Dev Patel"}, "Showing 1–4 of 4 people"},
		{"by name", "?sort=name", []string{"Cara Lee", "Fay Moss", "Dev Patel", "Ben Stone"}, "Showing 1–4 of 4 people"},
		{"filters together", "?department=Housing&direct=yes&status=late", []string{"Ben Stone"}, "Showing 1–1 of 1 person"},
	} {
		t.Run(tc.name, func(t *testing.T) {
			r := b.visit("/team" + tc.query)
			mustStatus(t, r, http.StatusOK)
			if got := namesOn(r); !slices.Equal(got, tc.want) {
				t.Errorf("rows %q, want %q", got, tc.want)
			}
			mustContain(t, r, everyone, tc.showing)
			mustNotContain(t, r, "Olly Field", "Audrey Quill", "Carol Vine")
		})
	}

	// Days overdue: Ben and Cara were due on 29 April 2024, Fay on 29
	// June 2026; today is 2 November 2026.
	r := b.visit("/team?sort=days_overdue")
	mustContain(t, r, `<td data-label="Days overdue" class="table__cell--numeric">917</td>`,
		`<td data-label="Days overdue" class="table__cell--numeric">126</td>`)
	// Filters the form cannot read are refused on the form.
	for _, tc := range []struct{ query, link, msg string }{
		{"?status=sleeping", "#status", "Choose a status from the list."},
		{"?sort=sideways", "#sort", "Choose an order from the list."},
		{"?course=NOPE", "#course", "Choose a course from the list."},
	} {
		r := b.visit("/team" + tc.query)
		mustStatus(t, r, http.StatusBadRequest)
		mustContain(t, r, `<a href="`+tc.link+`">`+tc.msg+`</a>`)
	}
	// The summary by department links to each one's overdue people.
	r = b.visit("/team")
	mustContain(t, r, `href="/team?department=Finance&amp;sort=days_overdue&amp;status=late">Finance`,
		`href="/team?department=Housing&amp;sort=days_overdue&amp;status=late">Housing`)
	mustContain(t, r, `class="table__cell--numeric">1 of 2</td>`, `class="table__cell--numeric">2 of 2</td>`)
}

// A Member Services officer sees the elected Members on My team and may
// remind them; the count counts them.
func TestMyTeamMemberServicesSeesMembers(t *testing.T) {
	e := newEnv(t, "http://127.0.0.1")
	cast := newChaseCast(e)
	if _, err := e.app.Accounts.SetRoles(t.Context(), e.hr, cast.olly.ID, auth.NewRoles(auth.RoleEmployee, auth.RoleMemberServices)); err != nil {
		t.Fatal(err)
	}
	b := e.newBrowser()
	b.signIn("olly.field@example.gov.uk", castPassword)
	r := b.visit("/team")
	mustStatus(t, r, http.StatusOK)
	if got := namesOn(r); !slices.Equal(got, []string{"Carol Vine"}) {
		t.Fatalf("Member Services' team: %q", got)
	}
	mustContain(t, r, "<strong>1 of 1 person</strong> has something overdue.", "Send a reminder to this person")
	r = b.follow(b.submit("/team/remind", url.Values{}))
	mustContain(t, r, "Reminder e-mailed to 1 person")
	if n := len(outboxTo(e, cast.member.Email)); n != 1 {
		t.Errorf("%d reminders to the Member, want 1", n)
	}
}

// outboxTo is every reminder sent by hand to addr.
func outboxTo(e *env, addr string) []notify.Message {
	e.t.Helper()
	page, err := e.app.Outbox.List(e.t.Context(), e.hr, notify.Filter{To: addr, Kind: notify.KindManualReminder}, training.PageRequest{Limit: 100})
	if err != nil {
		e.t.Fatal(err)
	}
	return page.Items
}

// Pages of 100, by number, GOV.UK style; a page past the end shows the
// last; the CSV holds everyone matching, whatever the page.
func TestMyTeamPagination(t *testing.T) {
	e := newEnv(t, "http://127.0.0.1")
	newHRCast(e) // Mara manages Ben and, through him, Cara
	for i := range 103 {
		e.addPerson(fmt.Sprintf("P%03d", i), "Extra", "E-Mara")
	}
	b := e.newBrowser()
	b.signIn("mara.hill@example.gov.uk", castPassword)

	r := b.visit("/team")
	mustContain(t, r, "Showing 1–100 of 105 people", "<strong>105 of 105 people</strong> have something overdue.",
		`href="/team?page=2" rel="next"`, `aria-current="page">1</a>`, "Send a reminder to these 105 people")
	if n := len(namesOn(r)); n != 100 {
		t.Errorf("%d rows on the first page, want 100", n)
	}
	r = b.visit("/team?page=2")
	mustContain(t, r, "Showing 101–105 of 105 people", `href="/team" rel="prev"`, `aria-current="page">2</a>`)
	if n := len(namesOn(r)); n != 5 {
		t.Errorf("%d rows on the second page, want 5", n)
	}
	if r := b.visit("/team?page=9"); !strings.Contains(r.Body, "Showing 101–105 of 105 people") {
		t.Errorf("a page past the end does not show the last:\n%s", r.Body)
	}
	r = b.visit("/team?q=p00&page=1")
	mustContain(t, r, "Showing 1–10 of 10 people", "Send a reminder to these 10 people")
	mustNotContain(t, r, `rel="next"`)
	csv := b.get("/team.csv?page=2")
	if n := strings.Count(csv.Body, "\n") - 1; n != 105 {
		t.Errorf("the CSV from page 2 holds %d lines, want 105", n)
	}
}

// "Send a reminder to these N people" reminds everyone the filters
// match, on every page, once a day; the banner says what happened and
// each row when its person was last reminded.
func TestMyTeamSendsReminders(t *testing.T) {
	e := newEnv(t, "http://127.0.0.1")
	cast := newChaseCast(e)
	b := e.newBrowser()
	b.signIn("mara.hill@example.gov.uk", castPassword)

	// Without a status filter Dev, who has nothing to do, is listed but
	// not counted in the button.
	mustContain(t, b.visit("/team"), "Send a reminder to the 3 of these people with training to do")
	r := b.visit("/team?department=Housing&status=late")
	mustContain(t, r, "Send a reminder to these 2 people", `<input type="hidden" name="department" value="Housing">`,
		`<input type="hidden" name="status" value="late">`, `<td data-label="Last reminded"><span class="team-table__when">Never`)
	sent := b.submit("/team/remind", url.Values{"department": {"Housing"}, "status": {"late"}})
	mustStatus(t, sent, http.StatusSeeOther)
	if loc := sent.Location(); loc != "/team?department=Housing&status=late&already=0&reminded=2" {
		t.Errorf("back to %q", loc)
	}
	r = b.follow(sent)
	mustContain(t, r, "Reminder e-mailed to 2 people", `<td data-label="Last reminded"><span class="team-table__when">2 November 2026`)
	for _, p := range []training.Person{cast.ben, cast.cara} {
		msgs := outboxTo(e, p.Email)
		if len(msgs) != 1 || !strings.Contains(msgs[0].BodyText, "Prevent awareness: it was due on 29 April 2024") {
			t.Errorf("reminders to %s: %+v", p.Email, msgs)
		}
	}
	for _, p := range []training.Person{cast.fay, cast.dev, cast.olly, cast.member} {
		if n := len(outboxTo(e, p.Email)); n != 0 {
			t.Errorf("%s, outside the filters, has %d reminders", p.Email, n)
		}
	}

	// Pressed again the same day: nothing more is sent, and the page says why.
	r = b.follow(b.submit("/team/remind", url.Values{"department": {"Housing"}, "status": {"late"}}))
	mustContain(t, r, "No reminders were sent", "2 people were already reminded today, so they were not e-mailed again.")
	if n := len(outboxTo(e, cast.ben.Email)); n != 1 {
		t.Errorf("Ben has %d reminders after the second press, want 1", n)
	}

	// One person, from their row: Fay, whom the filters above left out.
	r = b.visit("/team")
	mustContain(t, r, `<input type="hidden" name="person" value="`+cast.fay.ID+`">`, `Remind<span class="visually-hidden"> Fay Moss</span>`)
	mustNotContain(t, r, `<input type="hidden" name="person" value="`+cast.dev.ID+`">`) // compliant: nothing to chase
	r = b.follow(b.submit("/team/remind", url.Values{"person": {cast.fay.ID}}))
	mustContain(t, r, "Reminder e-mailed to 1 person")
	if n := len(outboxTo(e, cast.fay.Email)); n != 1 {
		t.Errorf("Fay has %d reminders, want 1", n)
	}

	// The next day it may be sent again.
	e.clock.Advance(24 * 60 * 60 * 1e9)
	b.visit("/team")
	r = b.follow(b.submit("/team/remind", url.Values{"department": {"Housing"}, "status": {"late"}}))
	mustContain(t, r, "Reminder e-mailed to 2 people", `<td data-label="Last reminded"><span class="team-table__when">3 November 2026`)
}

// Two presses at once, on two replicas, send one e-mail each.
func TestMyTeamReminderPressedTwiceAtOnce(t *testing.T) {
	e := newEnv(t, "http://127.0.0.1")
	cast := newChaseCast(e)
	other := e.replica()
	b := e.newBrowser()
	b.signIn("mara.hill@example.gov.uk", castPassword)
	b.visit("/team")
	token := b.csrf()
	form := url.Values{"csrf_token": {token}, "status": {"late"}}
	var wg sync.WaitGroup
	statuses := make([]int, 2)
	for i, base := range []string{e.srv.URL, other.srv.URL} {
		wg.Go(func() {
			req, err := http.NewRequest(http.MethodPost, base+"/team/remind", strings.NewReader(form.Encode()))
			if err != nil {
				t.Error(err)
				return
			}
			req.Header.Set("Content-Type", "application/x-www-form-urlencoded")
			u, _ := url.Parse(e.srv.URL)
			for _, c := range b.client.Jar.Cookies(u) {
				req.AddCookie(c)
			}
			resp, err := (&http.Client{CheckRedirect: func(*http.Request, []*http.Request) error { return http.ErrUseLastResponse }}).Do(req)
			if err != nil {
				t.Error(err)
				return
			}
			resp.Body.Close()
			statuses[i] = resp.StatusCode
		})
	}
	wg.Wait()
	if !slices.Equal(statuses, []int{http.StatusSeeOther, http.StatusSeeOther}) {
		t.Fatalf("statuses %v", statuses)
	}
	for _, p := range []training.Person{cast.ben, cast.cara, cast.fay} {
		if n := len(outboxTo(e, p.Email)); n != 1 {
			t.Errorf("%s has %d reminders, want 1", p.Email, n)
		}
	}
}

// Only people in the sender's line can be reminded: anyone else does
// not exist for them (404), an auditor may not (403), and nothing is sent.
func TestMyTeamReminderAuthorization(t *testing.T) {
	e := newEnv(t, "http://127.0.0.1")
	cast := newChaseCast(e)
	ben := e.newBrowser()
	if _, err := e.app.Accounts.AcceptInvite(t.Context(), e.invitation(cast.ben), castPassword); err != nil {
		t.Fatal(err)
	}
	ben.signIn("ben.stone@example.gov.uk", castPassword)
	mara := e.newBrowser()
	mara.signIn("mara.hill@example.gov.uk", castPassword)
	audrey := e.newBrowser()
	audrey.signIn("audrey.quill@example.gov.uk", castPassword)
	olly := e.newBrowser()
	olly.signIn("olly.field@example.gov.uk", castPassword)

	for _, tc := range []struct {
		name   string
		b      *browser
		form   url.Values
		status int
		target training.Person
	}{
		{"a manager, someone outside their line", mara, url.Values{"person": {cast.olly.ID}}, http.StatusNotFound, cast.olly},
		{"a manager, their own manager", ben, url.Values{"person": {cast.mara.ID}}, http.StatusNotFound, cast.mara},
		{"a manager, a peer's report", ben, url.Values{"person": {cast.fay.ID}}, http.StatusNotFound, cast.fay},
		{"a manager, their line and an outsider", mara, url.Values{"person": {cast.cara.ID, cast.olly.ID}}, http.StatusNotFound, cast.cara},
		{"an auditor, who sees everyone", audrey, url.Values{"person": {cast.cara.ID}}, http.StatusForbidden, cast.cara},
		{"nobody by that id", mara, url.Values{"person": {"no-such-person"}}, http.StatusNotFound, training.Person{}},
		{"someone with nobody in their line, with filters", olly, url.Values{"status": {"late"}}, http.StatusSeeOther, training.Person{}},
	} {
		t.Run(tc.name, func(t *testing.T) {
			tc.b.visit("/my-training")
			r := tc.b.submit("/team/remind", tc.form)
			mustStatus(t, r, tc.status)
			if tc.target.Email != "" {
				if n := len(outboxTo(e, tc.target.Email)); n != 0 {
					t.Errorf("%s was reminded %d times", tc.target.Email, n)
				}
			}
		})
	}
	// Without the form's token nothing is sent either.
	mustStatus(t, mara.post("/team/remind", url.Values{"person": {cast.cara.ID}}), http.StatusForbidden)
	if n := len(outboxTo(e, cast.cara.Email)); n != 0 {
		t.Errorf("Cara was reminded %d times", n)
	}
	page, err := e.app.Outbox.List(t.Context(), e.hr, notify.Filter{Kind: notify.KindManualReminder}, training.PageRequest{Limit: 100})
	if err != nil || len(page.Items) != 0 {
		t.Errorf("reminders queued: %d (%v)", len(page.Items), err)
	}
}

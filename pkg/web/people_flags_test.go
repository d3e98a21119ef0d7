package web_test

import (
	"fmt"
	"html"
	"net/http"
	"net/url"
	"regexp"
	"strings"
	"testing"

	"github.com/complytrack/complytrack/pkg/auth"
	"github.com/complytrack/complytrack/pkg/notify"
	"github.com/complytrack/complytrack/pkg/training"
)

// pfPerson adds a member of staff in a department, who started on start,
// reporting to the person with employee number manager (none when empty).
func pfPerson(e *env, given, family, department, start, manager string) training.Person {
	e.t.Helper()
	p, err := e.app.Training.CreatePerson(e.t.Context(), e.hr, training.PersonInput{Person: training.Person{
		EmployeeNumber: "E-" + given, Email: strings.ToLower(given+"."+family) + "@example.gov.uk", GivenName: given, FamilyName: family,
		Kind: training.KindStaff, JobTitle: "Officer", Department: department, StartDate: training.MustDate(start)}, ManagerEmployeeNumber: manager})
	if err != nil {
		e.t.Fatal(err)
	}
	return p
}

// pfSafeguarding adds a second course, done on the day, with nothing to
// verify: a completion makes it compliant at once.
func pfSafeguarding(e *env) {
	e.t.Helper()
	_, err := e.app.Training.CreateCourse(e.t.Context(), e.hr, training.Course{
		Code: "SAFE", Title: "Safeguarding basics", Delivery: training.DeliveryELearning,
		AppliesTo: training.AppliesTo{Kinds: []training.Kind{training.KindStaff}}, ValidityMonths: 36,
		NewStarterDays: 28, DueSoonDays: 30, RenewWindowDays: 60, ExpiryBasis: training.ExpiryFromCompletion,
		EffectiveFrom: training.MustDate("2020-01-01"), Evidence: training.EvidenceNone, Verification: training.VerificationNone,
	})
	if err != nil {
		e.t.Fatal(err)
	}
}

func pfLacks(t *testing.T, r result, unwanted ...string) {
	t.Helper()
	for _, u := range unwanted {
		if strings.Contains(r.Body, u) {
			t.Errorf("page (status %d) contains %q", r.Status, u)
		}
	}
}

// pfOrder is the order the names appear in on the page; it fails the test
// when one is missing.
func pfOrder(t *testing.T, r result, names ...string) []string {
	t.Helper()
	type at struct {
		name string
		i    int
	}
	var found []at
	for _, n := range names {
		i := strings.Index(r.Body, ">"+n+"</a>")
		if i < 0 {
			t.Fatalf("%s is not on the page", n)
		}
		found = append(found, at{n, i})
	}
	for i := range found {
		for j := i + 1; j < len(found); j++ {
			if found[j].i < found[i].i {
				found[i], found[j] = found[j], found[i]
			}
		}
	}
	out := make([]string, len(found))
	for i, f := range found {
		out[i] = f.name
	}
	return out
}

func TestPeopleListStatusesSortAndDepartments(t *testing.T) {
	e := newEnv(t, "http://127.0.0.1")
	pfSafeguarding(e)
	// Today is 2 November 2026. Ada started long ago and has done neither
	// course; Ben did Safeguarding; Cal started a week ago (due, new
	// starter); Dee is exempt from Prevent.
	ada := pfPerson(e, "Ada", "Archer", "Planning", "2020-03-01", "")
	ben := pfPerson(e, "Ben", "Baker", "housing", "2022-06-01", "")
	pfPerson(e, "Cal", "Carter", "Housing", "2026-10-26", "")
	dee := pfPerson(e, "Dee", "Dyer", "Leisure & Culture", "2021-01-04", "")
	if _, err := e.app.Training.RecordCompletion(t.Context(), e.hr, ben.ID, training.CompletionInput{CourseCode: "SAFE", CompletedOn: training.MustDate("2026-10-01")}); err != nil {
		t.Fatal(err)
	}
	if _, err := e.app.Training.GrantExemption(t.Context(), e.hr, dee.ID, training.ExemptionInput{CourseCode: "PREVENT", Reason: "Long-term leave"}); err != nil {
		t.Fatal(err)
	}
	b := hpSignInHR(e)

	r := b.visit("/people")
	mustStatus(t, r, http.StatusOK)
	// Everyone on record: the four and the HR administrator the app
	// started with.
	mustContain(t, r, "Showing 1–5 of 5 people")
	// Each person's status per course, as tags, under each course's column.
	mustContain(t, r, `<th scope="col">Prevent awareness</th>`, `<th scope="col">Safeguarding basics</th>`,
		`href="/people/`+ada.ID+`">Ada Archer</a>`,
		`<td data-label="Prevent awareness"><strong class="tag tag--overdue">Overdue</strong></td>`,
		`<td data-label="Safeguarding basics"><strong class="tag tag--compliant">Compliant</strong></td>`,
		`<td data-label="Prevent awareness"><strong class="tag tag--exempt">Exempt</strong></td>`,
		`<td data-label="Prevent awareness"><strong class="tag tag--due">Due</strong></td>`)
	// The department filter offers the departments on record, once each
	// whatever their case ("housing" and "Housing"), and nothing else.
	options := regexp.MustCompile(`(?s)<select class="input" id="department" name="department">(.*?)</select>`).FindStringSubmatch(r.Body)
	if options == nil {
		t.Fatalf("no department select:\n%s", r.Body)
	}
	var depts []string
	for _, m := range regexp.MustCompile(`<option value="([^"]*)"`).FindAllStringSubmatch(options[1], -1) {
		depts = append(depts, html.UnescapeString(m[1]))
	}
	if got, want := strings.Join(depts, "|"), "|Housing|Human Resources|Leisure & Culture|Planning"; got != want {
		t.Errorf("department options %q, want %q", got, want)
	}

	t.Run("filters", func(t *testing.T) {
		r := b.visit("/people?department=Housing")
		mustContain(t, r, "Showing 1–2 of 2 people", "Ben Baker", "Cal Carter", `<option value="Housing" selected>Housing</option>`)
		pfLacks(t, r, "Ada Archer", "Dee Dyer")
		r = b.visit("/people?status=overdue&department=planning")
		mustContain(t, r, "Showing 1–1 of 1 people", "Ada Archer")
		r = b.visit("/people?q=dyer")
		mustContain(t, r, "Showing 1–1 of 1 people", "Dee Dyer", "Clear search")
		r = b.visit("/people?status=nonsense&department=Planning")
		mustStatus(t, r, http.StatusBadRequest)
		mustContain(t, r, `<a href="#status">Choose a status from the list.</a>`, `<option value="Planning" selected>Planning</option>`,
			`<option value="Housing">Housing</option>`)
	})

	t.Run("sort", func(t *testing.T) {
		names := []string{"Ada Archer", "Ben Baker", "Cal Carter", "Dee Dyer"}
		cases := []struct {
			query, want, active, sort string
		}{
			{"", "Ada Archer,Ben Baker,Cal Carter,Dee Dyer", "name", "ascending"},
			{"sort=name&order=desc", "Dee Dyer,Cal Carter,Ben Baker,Ada Archer", "name", "descending"},
			{"sort=start_date", "Ada Archer,Dee Dyer,Ben Baker,Cal Carter", "start_date", "ascending"},
			{"sort=start_date&order=desc", "Cal Carter,Ben Baker,Dee Dyer,Ada Archer", "start_date", "descending"},
			// Departments ignore case ("housing" and "Housing"); within
			// one, people are by name.
			{"sort=department", "Ben Baker,Cal Carter,Dee Dyer,Ada Archer", "department", "ascending"},
			{"sort=made-up", "Ada Archer,Ben Baker,Cal Carter,Dee Dyer", "name", "ascending"},
		}
		for _, tc := range cases {
			t.Run(tc.query, func(t *testing.T) {
				r := b.visit("/people?" + tc.query)
				mustStatus(t, r, http.StatusOK)
				if got := strings.Join(pfOrder(t, r, names...), ","); got != tc.want {
					t.Errorf("order %s, want %s", got, tc.want)
				}
				mustContain(t, r, `<th scope="col" aria-sort="`+tc.sort+`"><a class="link sort-link" href="`)
				if n := strings.Count(r.Body, `aria-sort="none"`); n != 3 {
					t.Errorf("%d columns say aria-sort none, want 3", n)
				}
				// The active column's link turns the order round.
				th := regexp.MustCompile(`aria-sort="` + tc.sort + `"><a class="link sort-link" href="([^"]+)" data-sort="` + tc.active + `"`).FindStringSubmatch(r.Body)
				if th == nil {
					t.Fatalf("no %s heading sorted %s", tc.active, tc.sort)
				}
				link, _ := url.Parse(html.UnescapeString(th[1]))
				if desc := link.Query().Get("order") == "desc"; desc != (tc.sort == "ascending") {
					t.Errorf("the %s heading links to %s", tc.active, link)
				}
			})
		}
		// By worst status: the overdue first, the exempt and compliant last.
		r := b.visit("/people?sort=status")
		order := pfOrder(t, r, names...)
		if order[len(order)-1] == "Ada Archer" || order[0] == "Cal Carter" {
			t.Errorf("by worst status: %v", order)
		}
		rDesc := b.visit("/people?sort=status&order=desc")
		if got := pfOrder(t, rDesc, names...); got[0] == order[0] {
			t.Errorf("by worst status, descending: %v (ascending %v)", got, order)
		}
	})
}

func TestPeopleListCountsAndPages(t *testing.T) {
	e := newEnv(t, "http://127.0.0.1")
	for i := range 205 {
		e.addPerson(fmt.Sprintf("Page%03d", i), "Person", "")
	}
	b := hpSignInHR(e)
	r := b.visit("/people?q=person")
	mustStatus(t, r, http.StatusOK)
	mustContain(t, r, "Showing 1–100 of 205 people", "Page000 Person", "Page099 Person",
		`aria-label="Page 1" aria-current="page">1</a>`, `aria-label="Page 3">3</a>`, `rel="next">Next`)
	pfLacks(t, r, "Page100 Person", `rel="prev"`)
	next := regexp.MustCompile(`href="([^"]+)" rel="next"`).FindStringSubmatch(r.Body)
	if next == nil {
		t.Fatal("no next page link")
	}
	r = b.visit(html.UnescapeString(next[1]))
	mustContain(t, r, "Showing 101–200 of 205 people", "Page100 Person", "Page199 Person", `value="person"`,
		`aria-label="Page 2" aria-current="page">2</a>`, `rel="prev">Previous`)
	pfLacks(t, r, "Page099 Person", "Page200 Person")
	r = b.visit("/people?q=person&page=3")
	mustContain(t, r, "Showing 201–205 of 205 people", "Page204 Person")
	pfLacks(t, r, `rel="next"`)
	// A page past the end (the list shrank since) shows the last.
	r = b.visit("/people?q=person&page=99")
	mustStatus(t, r, http.StatusOK)
	mustContain(t, r, "Showing 201–205 of 205 people")
	// The sort is kept from page to page.
	r = b.visit("/people?q=person&sort=name&order=desc")
	mustContain(t, r, "Page204 Person")
	next = regexp.MustCompile(`href="([^"]+)" rel="next"`).FindStringSubmatch(r.Body)
	if next == nil || !strings.Contains(html.UnescapeString(next[1]), "order=desc") {
		t.Fatalf("next page link %v loses the order", next)
	}
}

// flagOf finds the flag about a person (and course) as HR sees it.
func pfFlag(t *testing.T, e *env, personID, course string, state training.FlagState) training.Flag {
	t.Helper()
	rows, err := e.app.Training.FlagRows(t.Context(), e.hr, training.FlagFilter{CourseCode: course, State: state}, training.PageRequest{Limit: 500})
	if err != nil {
		t.Fatal(err)
	}
	for _, r := range rows.Items {
		if r.Flag.PersonID == personID {
			return r.Flag
		}
	}
	t.Fatalf("no %s %s flag about %s", state, course, personID)
	return training.Flag{}
}

func TestFlagsFiltersRemindAndDealtWith(t *testing.T) {
	e := newEnv(t, "http://127.0.0.1")
	pfSafeguarding(e)
	mia := e.employee("Mia", "Boss") // Sophie's line manager
	sophie := pfPerson(e, "Sophie", "Marsh", "Housing", "2024-04-01", "E-Mia")
	tom := pfPerson(e, "Tom", "Whitfield", "Planning", "2024-04-01", "")
	if _, err := e.app.Training.RecordCompletion(t.Context(), e.hr, tom.ID, training.CompletionInput{CourseCode: "SAFE", CompletedOn: training.MustDate("2024-05-01")}); err != nil {
		t.Fatal(err)
	}
	cllr := e.addMember("Cara", "Council") // an elected Member: Member Services' to chase
	officer := e.employee("Mo", "Services")
	if _, err := e.app.Accounts.SetRoles(t.Context(), e.hr, officer.ID, auth.NewRoles(auth.RoleMemberServices)); err != nil {
		t.Fatal(err)
	}
	if _, err := e.app.Jobs.RunNow(t.Context(), "compliance-scan"); err != nil {
		t.Fatalf("compliance scan: %v", err)
	}
	hr := hpSignInHR(e)
	hrPerson, err := e.app.Training.Person(t.Context(), e.hr, e.hr.PersonID)
	if err != nil {
		t.Fatal(err)
	}

	r := hr.visit("/flags")
	mustStatus(t, r, http.StatusOK)
	mustContain(t, r, `>Sophie Marsh</a>`, `>Tom Whitfield</a>`, `<td data-label="Flag"><strong class="tag tag--overdue">Overdue</strong></td>`,
		`<td data-label="Status now"><strong class="tag tag--overdue">Overdue</strong></td>`,
		`<option value="Housing">Housing</option>`, `<option value="Planning">Planning</option>`,
		`<option value="SAFE">Safeguarding basics</option>`, `>Send a reminder</button>`, `>Mark as dealt with</button>`)

	t.Run("filters", func(t *testing.T) {
		r := hr.visit("/flags?department=planning")
		mustContain(t, r, "Tom Whitfield", `<option value="Planning" selected>Planning</option>`)
		pfLacks(t, r, "Sophie Marsh")
		r = hr.visit("/flags?course=SAFE")
		mustContain(t, r, "Sophie Marsh", "Safeguarding basics")
		pfLacks(t, r, "Tom Whitfield", `<td data-label="Course">Prevent awareness</td>`)
		r = hr.visit("/flags?course=NOPE")
		mustStatus(t, r, http.StatusBadRequest)
		mustContain(t, r, `<a href="#course">Choose a course from the list.</a>`)
		r = hr.visit("/flags?kind=expired")
		mustContain(t, r, "No flags match these filters.")
	})

	t.Run("nothing ticked", func(t *testing.T) {
		hr.visit("/flags")
		r := hr.submit("/flags/dealt-with", url.Values{"show": {"open"}})
		mustStatus(t, r, http.StatusUnprocessableEntity)
		mustContain(t, r, "There is a problem", `Select the flags to act on.</a>`)
	})

	tomFlag := pfFlag(t, e, tom.ID, "PREVENT", training.FlagOpen)
	t.Run("mark as dealt with", func(t *testing.T) {
		e.clock.Advance(90 * 60e9) // 10:30 UTC (10:30 in London in November)
		hr.visit("/flags?department=Planning")
		r := hr.submit("/flags/dealt-with", url.Values{"flag": {tomFlag.ID}, "show": {"open"}, "department": {"Planning"}})
		mustStatus(t, r, http.StatusSeeOther)
		if !strings.Contains(r.Location(), "department=Planning") {
			t.Errorf("redirected to %s, not back to the filtered list", r.Location())
		}
		r = hr.follow(r)
		mustContain(t, r, "1 flag marked as dealt with")
		// It leaves the default list, and is shown with the filter.
		r = hr.visit("/flags")
		pfLacks(t, r, "Tom Whitfield")
		r = hr.visit("/flags?show=dealt_with")
		mustContain(t, r, "Tom Whitfield", "By "+hrPerson.FullName()+" on 2 November 2026 at 10:30")
		pfLacks(t, r, "Sophie Marsh")
		// Recorded with who and when, and in the audit log.
		got := pfFlag(t, e, tom.ID, "PREVENT", training.FlagDealtWith)
		if got.DealtWith == nil || got.DealtWith.By != e.hr.PersonID || !got.DealtWith.At.Equal(e.clock.Now()) {
			t.Errorf("dealt with: %+v, want by %s at %s", got.DealtWith, e.hr.PersonID, e.clock.Now())
		}
		// Sent again (a second click): nothing changes, no second entry.
		hr.visit("/flags?show=all")
		r = hr.follow(hr.submit("/flags/dealt-with", url.Values{"flag": {tomFlag.ID}, "show": {"all"}}))
		mustContain(t, r, "Those flags were dealt with already")
		log, err := e.app.Training.ListAudit(t.Context(), e.hr, tomFlag.ID, training.PageRequest{})
		if err != nil {
			t.Fatal(err)
		}
		if len(log.Items) != 1 || log.Items[0].Action != "flag.dealt_with" || log.Items[0].Actor != e.hr.PersonID {
			t.Errorf("audit of the flag: %+v", log.Items)
		}
	})

	sophieFlag := pfFlag(t, e, sophie.ID, "PREVENT", training.FlagOpen)
	reminders := func(to string) int {
		t.Helper()
		msgs, err := e.app.Outbox.List(t.Context(), e.hr, notify.Filter{To: to, Kind: notify.KindManualReminder}, training.PageRequest{})
		if err != nil {
			t.Fatal(err)
		}
		return len(msgs.Items)
	}
	t.Run("send a reminder", func(t *testing.T) {
		hr.visit("/flags")
		r := hr.follow(hr.submit("/flags/remind", url.Values{"flag": {sophieFlag.ID}, "show": {"open"}}))
		mustContain(t, r, "Reminder sent to 1 person")
		if n := reminders(sophie.Email); n != 1 {
			t.Fatalf("%d reminders to Sophie, want 1", n)
		}
		// Pressed again the same day: no second e-mail, and the page says why.
		r = hr.follow(hr.submit("/flags/remind", url.Values{"flag": {sophieFlag.ID}, "show": {"open"}}))
		mustContain(t, r, "No reminder was sent", "1 flag had a reminder about that course today already")
		if n := reminders(sophie.Email); n != 1 {
			t.Errorf("%d reminders to Sophie after a second press, want 1", n)
		}
	})

	t.Run("line manager", func(t *testing.T) {
		b := e.newBrowser()
		b.signIn(mia.Email, castPassword)
		r := b.visit("/flags")
		mustStatus(t, r, http.StatusOK)
		mustContain(t, r, "Sophie Marsh", `>Mark as dealt with</button>`)
		pfLacks(t, r, "Tom Whitfield")
		// Not theirs: as if it did not exist.
		mustStatus(t, b.submit("/flags/dealt-with", url.Values{"flag": {tomFlag.ID}}), http.StatusNotFound)
		mustStatus(t, b.submit("/flags/remind", url.Values{"flag": {tomFlag.ID}}), http.StatusNotFound)
		safe := pfFlag(t, e, sophie.ID, "SAFE", training.FlagOpen)
		r = b.follow(b.submit("/flags/dealt-with", url.Values{"flag": {safe.ID}}))
		mustContain(t, r, "1 flag marked as dealt with")
		if got := pfFlag(t, e, sophie.ID, "SAFE", training.FlagDealtWith); got.DealtWith.By != mia.ID {
			t.Errorf("dealt with by %s, want Mia %s", got.DealtWith.By, mia.ID)
		}
	})

	t.Run("member services", func(t *testing.T) {
		b := e.newBrowser()
		b.signIn(officer.Email, castPassword)
		r := b.visit("/flags")
		mustContain(t, r, "Cara Council", `>Mark as dealt with</button>`)
		pfLacks(t, r, "Sophie Marsh", "Tom Whitfield")
		mustStatus(t, b.submit("/flags/dealt-with", url.Values{"flag": {sophieFlag.ID}}), http.StatusNotFound)
		theirs := pfFlag(t, e, cllr.ID, "PREVENT", training.FlagOpen)
		r = b.follow(b.submit("/flags/remind", url.Values{"flag": {theirs.ID}}))
		mustContain(t, r, "Reminder sent to 1 person")
		if n := reminders(cllr.Email); n != 1 {
			t.Errorf("%d reminders to the Member, want 1", n)
		}
	})

	t.Run("auditor", func(t *testing.T) {
		b := hpAuditor(e)
		r := b.visit("/flags?show=all")
		mustStatus(t, r, http.StatusOK)
		mustContain(t, r, "Sophie Marsh", "Tom Whitfield")
		pfLacks(t, r, `type="checkbox"`, "Send a reminder", "Mark as dealt with")
		b.visit("/my-training")
		mustStatus(t, b.submit("/flags/dealt-with", url.Values{"flag": {sophieFlag.ID}}), http.StatusForbidden)
		mustStatus(t, b.submit("/flags/remind", url.Values{"flag": {sophieFlag.ID}}), http.StatusForbidden)
		if got := pfFlag(t, e, sophie.ID, "PREVENT", training.FlagOpen); got.DealtWith != nil {
			t.Errorf("the auditor's post dealt with the flag: %+v", got.DealtWith)
		}
	})

	t.Run("employee", func(t *testing.T) {
		e.employee("Graham", "Pellow")
		b := e.newBrowser()
		b.signIn("graham.pellow@example.gov.uk", castPassword)
		b.visit("/my-training")
		mustStatus(t, b.submit("/flags/dealt-with", url.Values{"flag": {sophieFlag.ID}}), http.StatusNotFound)
		mustStatus(t, b.submit("/flags/remind", url.Values{"flag": {sophieFlag.ID}}), http.StatusNotFound)
	})
}

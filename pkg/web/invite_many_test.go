package web_test

import (
	"fmt"
	"html"
	"net/http"
	"net/url"
	"regexp"
	"strings"
	"testing"
	"time"

	"github.com/complytrack/complytrack/pkg/auth"
	"github.com/complytrack/complytrack/pkg/notify"
	"github.com/complytrack/complytrack/pkg/training"
)

// imInvitations counts the invitation e-mails queued to addr.
func imInvitations(e *env, addr string) int {
	e.t.Helper()
	msgs, err := e.app.Outbox.List(e.t.Context(), e.hr, notify.Filter{To: addr, Kind: notify.KindInvitation}, training.PageRequest{Limit: 100})
	if err != nil {
		e.t.Fatal(err)
	}
	return len(msgs.Items)
}

// imLeave gives p an end date in the past.
func imLeave(e *env, p training.Person) {
	e.t.Helper()
	if _, err := e.app.Training.UpdatePerson(e.t.Context(), e.hr, p.ID, func(in *training.PersonInput) error {
		in.EndDate = training.MustDate("2026-10-01")
		return nil
	}); err != nil {
		e.t.Fatal(err)
	}
}

var accountState = regexp.MustCompile(`(?s)<p class="body" id="account-state">(.*?)</p>`)

func TestPersonPageShowsTheAccount(t *testing.T) {
	e := newEnv(t, "http://127.0.0.1")
	none := e.addPerson("Nina", "None", "")
	invited := e.addPerson("Ivan", "Invited", "")
	e.invitation(invited) // on 2 November 2026 09:00 UTC, for 7 days
	expired := e.addPerson("Eve", "Expired", "")
	e.invitation(expired)
	active := e.employee("Ada", "Active")
	disabled := e.employee("Dan", "Disabled")
	imLeave(e, disabled)
	gone := e.addPerson("Lee", "Leaver", "")
	imLeave(e, gone)
	// Eve's link expires; Ivan's is sent again later, so it is still good.
	e.clock.Advance(8 * 24 * time.Hour)
	e.invitation(invited)

	tests := []struct {
		name   string
		p      training.Person
		tag    string
		text   string
		button string // "" none
	}{
		{"no account", none, "No account", "Nina None has no account yet.", "Invite to complytrack"},
		{"invited", invited, "Invited", "the link in their e-mail works until 17 November 2026 09:00.", "Resend invitation"},
		{"invitation expired", expired, "No account", "Their invitation expired on 9 November 2026 09:00.", "Invite to complytrack"},
		{"active", active, "Active", "Ada Active has an account and can sign in.", ""},
		{"disabled", disabled, "Disabled", "Dan Disabled has an account, but cannot sign in: they left on 1 October 2026.", ""},
		{"leaver without an account", gone, "No account", "Lee Leaver has no account, and cannot be invited: they left on 1 October 2026.", ""},
	}
	hr := e.newBrowser()
	hr.signIn(adminEmail, adminPassword)
	auditor := e.employee("Alex", "Audit")
	if _, err := e.app.Accounts.SetRoles(t.Context(), e.hr, auditor.ID, auth.NewRoles(auth.RoleAuditor)); err != nil {
		t.Fatal(err)
	}
	aud := e.newBrowser()
	aud.signIn(auditor.Email, castPassword)
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			for _, who := range []struct {
				name      string
				b         *browser
				mayInvite bool
			}{{"HR", hr, true}, {"auditor", aud, false}} {
				r := who.b.visit("/people/" + tt.p.ID)
				mustStatus(t, r, http.StatusOK)
				m := accountState.FindStringSubmatch(r.Body)
				if m == nil {
					t.Fatalf("%s: the page shows no account state", who.name)
				}
				if !strings.Contains(m[1], ">"+tt.tag+"</strong>") || !strings.Contains(html.UnescapeString(m[1]), tt.text) {
					t.Errorf("%s: account state %q, want tag %q and %q", who.name, m[1], tt.tag, tt.text)
				}
				offered := tt.button != "" && strings.Contains(r.Body, ">"+tt.button+"<span")
				if offered != (tt.button != "" && who.mayInvite) {
					t.Errorf("%s: button %q offered %v", who.name, tt.button, offered)
				}
			}
		})
	}
	// Resend sends a new link.
	mustStatus(t, hr.inviteThroughResend(invited), http.StatusSeeOther)
	if got := imInvitations(e, invited.Email); got != 3 {
		t.Errorf("%d invitations to Ivan, want 3", got)
	}
	// A line manager sees no account section.
	boss := e.employee("Mia", "Boss")
	report := e.addPerson("Rob", "Report", boss.EmployeeNumber)
	mb := e.newBrowser()
	mb.signIn(boss.Email, castPassword)
	if r := mb.visit("/people/" + report.ID); strings.Contains(r.Body, `id="account-state"`) {
		t.Errorf("a line manager is shown the account state")
	}
}

func (b *browser) inviteThroughResend(p training.Person) result {
	b.t.Helper()
	mustContain(b.t, b.visit("/people/"+p.ID), "Resend invitation")
	return b.submit("/people/"+p.ID+"/invite", nil)
}

var inviteCount = regexp.MustCompile(`id="invite-count">(\d+) (?:person is|people are)`)

func TestInviteEveryoneNotYetInvited(t *testing.T) {
	e := newEnv(t, "http://127.0.0.1")
	var fresh []training.Person
	for _, n := range []string{"Una", "Uma", "Ulla"} {
		fresh = append(fresh, e.addPerson(n, "Uninvited", ""))
	}
	invited := e.addPerson("Ivan", "Invited", "")
	e.invitation(invited)
	leaver := e.addPerson("Lee", "Leaver", "")
	imLeave(e, leaver)
	holder := e.employee("Ada", "Active")
	boss := e.employee("Mia", "Boss")
	e.addPerson("Rob", "Report", boss.EmployeeNumber)
	auditor := e.employee("Alex", "Audit")
	if _, err := e.app.Accounts.SetRoles(t.Context(), e.hr, auditor.ID, auth.NewRoles(auth.RoleAuditor)); err != nil {
		t.Fatal(err)
	}

	// Only HR: a line manager finds no such page, an auditor is told no.
	for _, who := range []struct {
		email  string
		status int
	}{{boss.Email, http.StatusNotFound}, {auditor.Email, http.StatusForbidden}} {
		b := e.newBrowser()
		b.signIn(who.email, castPassword)
		mustStatus(t, b.visit("/people/invite-everyone"), who.status)
		b.visit("/my-training")
		mustStatus(t, b.submit("/people/invite-everyone", nil), who.status)
	}
	for _, p := range fresh {
		if n := imInvitations(e, p.Email); n != 0 {
			t.Fatalf("%s got %d invitations before HR confirmed", p.FullName(), n)
		}
	}

	hr := e.newBrowser()
	hr.signIn(adminEmail, adminPassword)
	mustContain(t, hr.visit("/people"), `href="/people/invite-everyone"`)
	r := hr.visit("/people/invite-everyone")
	mustStatus(t, r, http.StatusOK)
	// The three new people and Rob; not Ivan (invited), Lee (left), Ada,
	// Mia and Alex (accounts) nor the HR officer.
	m := inviteCount.FindStringSubmatch(r.Body)
	if m == nil || m[1] != "4" {
		t.Fatalf("confirmation count %v, want 4:\n%s", m, r.Body)
	}
	r = hr.submit("/people/invite-everyone", nil)
	mustStatus(t, r, http.StatusOK)
	mustContain(t, r, "4 people invited.")
	for _, p := range fresh {
		if n := imInvitations(e, p.Email); n != 1 {
			t.Errorf("%s has %d invitations, want 1", p.FullName(), n)
		}
	}
	for _, p := range []training.Person{invited, holder} {
		if n := imInvitations(e, p.Email); n != 1 {
			t.Errorf("%s has %d invitations, want the 1 from before", p.FullName(), n)
		}
	}
	if n := imInvitations(e, leaver.Email); n != 0 {
		t.Errorf("the leaver was invited")
	}
	// Each invitation is audited and works.
	log, err := e.app.Training.ListAudit(t.Context(), e.hr, fresh[0].ID, training.PageRequest{})
	if err != nil || len(log.Items) == 0 || log.Items[0].Action != "person.invite" || log.Items[0].Actor != e.hr.PersonID {
		t.Errorf("no invitation in %s's audit: %+v %v", fresh[0].FullName(), log.Items, err)
	}
	tok := e.invitation(fresh[0]) // a fresh one: the link read back from the outbox
	if _, err := e.app.Accounts.AcceptInvite(t.Context(), tok, castPassword); err != nil {
		t.Errorf("the invitation does not work: %v", err)
	}
	// Nobody is left: pressing it again invites nobody.
	m = inviteCount.FindStringSubmatch(hr.visit("/people/invite-everyone").Body)
	if m != nil {
		t.Errorf("after inviting everyone the count is %s, want none", m[1])
	}
	mustContain(t, hr.submit("/people/invite-everyone", nil), "Nobody was invited")
}

var addedBatch = regexp.MustCompile(`name="batch" value="([^"]+)"`)

func TestInviteThePeopleYouAdded(t *testing.T) {
	e := newEnv(t, "http://127.0.0.1")
	other := e.employee("Harriet", "Other")
	if _, err := e.app.Accounts.SetRoles(t.Context(), e.hr, other.ID, auth.NewRoles(auth.RoleHR)); err != nil {
		t.Fatal(err)
	}
	earlier := e.addPerson("Olga", "Older", "") // on record before, not added now
	hr := e.newBrowser()
	hr.signIn(adminEmail, adminPassword)

	add := func(number, given string, batch string) result {
		t.Helper()
		path := "/people/new"
		if batch != "" {
			path += "?batch=" + url.QueryEscape(batch)
		}
		hr.visit(path)
		form := url.Values{"employee-number": {number}, "given-name": {given}, "family-name": {"Added"},
			"email": {strings.ToLower(given) + ".added@example.gov.uk"}, "kind": {"staff"}, "job-title": {"Officer"},
			"department": {"Housing"}, "start-date-day": {"2"}, "start-date-month": {"11"}, "start-date-year": {"2026"}}
		if batch != "" {
			form.Set("batch", batch)
		}
		r := hr.submit("/people/new", form)
		mustStatus(t, r, http.StatusSeeOther)
		return hr.follow(r)
	}
	first := add("A-1", "Anna", "")
	mustContain(t, first, "Invite the person you added", "Add another person")
	batch := addedBatch.FindStringSubmatch(first.Body)
	if batch == nil {
		t.Fatalf("no batch on the page:\n%s", first.Body)
	}
	second := add("A-2", "Bea", batch[1])
	mustContain(t, second, "Invite the 2 people you added")
	batch = addedBatch.FindStringSubmatch(second.Body)

	// Another HR officer's form with this batch invites nobody; nor does a
	// made-up one.
	ob := e.newBrowser()
	ob.signIn(other.Email, castPassword)
	ob.visit("/people")
	for _, b := range []string{batch[1], "made-up"} {
		mustStatus(t, ob.submit("/people/invite-added", url.Values{"batch": {b}}), http.StatusGone)
	}
	mustStatus(t, hr.submit("/people/invite-added", url.Values{"batch": {"made-up"}}), http.StatusGone)
	if n := imInvitations(e, "anna.added@example.gov.uk"); n != 0 {
		t.Fatalf("Anna invited by a form that was not her adder's")
	}

	r := hr.submit("/people/invite-added", url.Values{"batch": {batch[1]}})
	mustStatus(t, r, http.StatusOK)
	mustContain(t, r, "2 people invited.")
	for _, addr := range []string{"anna.added@example.gov.uk", "bea.added@example.gov.uk"} {
		if n := imInvitations(e, addr); n != 1 {
			t.Errorf("%s has %d invitations, want 1", addr, n)
		}
	}
	if n := imInvitations(e, earlier.Email); n != 0 {
		t.Errorf("someone not added now was invited")
	}
	// Pressed twice: nobody is invited twice, and nobody else either.
	mustContain(t, hr.submit("/people/invite-added", url.Values{"batch": {batch[1]}}), "Nobody was invited")
	for _, addr := range []string{"anna.added@example.gov.uk", earlier.Email} {
		if n := imInvitations(e, addr); n > 1 || (addr == earlier.Email && n != 0) {
			t.Errorf("%s has %d invitations after the second press", addr, n)
		}
	}

	// A day later the button has expired.
	e.clock.Advance(25 * time.Hour)
	mustStatus(t, hr.submit("/people/invite-added", url.Values{"batch": {batch[1]}}), http.StatusGone)
}

func TestInviteTheImportedPeople(t *testing.T) {
	e := newEnv(t, "http://127.0.0.1")
	e.addPerson("Olga", "Older", "")
	hr := e.newBrowser()
	hr.signIn(adminEmail, adminPassword)
	var csv strings.Builder
	csv.WriteString("employee_number,email,given_name,family_name,kind,job_title,department,manager_employee_number,start_date,end_date\n")
	csv.WriteString("E-Olga,olga.older@example.gov.uk,Olga,Older,staff,Housing Officer,Housing,,2024-04-01,\n")
	for i := range 3 {
		fmt.Fprintf(&csv, "N%d,new%d@example.gov.uk,New,Starter%d,staff,Officer,Housing,,2026-11-02,\n", i, i, i)
	}
	hr.visit("/people/import")
	r := hr.postMultipart("/people/import", map[string]string{"csrf_token": hr.csrf()}, upload{"file", "people.csv", []byte(csv.String())})
	mustStatus(t, r, http.StatusOK)
	tok := regexp.MustCompile(`name="token" value="([^"]+)"`).FindStringSubmatch(r.Body)
	if tok == nil {
		t.Fatalf("no confirm form:\n%s", r.Body)
	}
	r = hr.submit("/people/import/confirm", url.Values{"token": {tok[1]}})
	mustStatus(t, r, http.StatusOK)
	mustContain(t, r, "Invite the 3 people you added")
	batch := addedBatch.FindStringSubmatch(r.Body)
	r = hr.submit("/people/invite-added", url.Values{"batch": {batch[1]}})
	mustContain(t, r, "3 people invited.")
	for i := range 3 {
		if n := imInvitations(e, fmt.Sprintf("new%d@example.gov.uk", i)); n != 1 {
			t.Errorf("new%d has %d invitations, want 1", i, n)
		}
	}
	if n := imInvitations(e, "olga.older@example.gov.uk"); n != 0 {
		t.Errorf("someone the import only matched was invited")
	}
}

// Inviting everyone at a council's size: 5,000 people are counted and
// invited by the page within the minute a request may run, a batch of
// writes at a time, and nobody is left uninvited. Skipped with -short.
func TestInviteEveryoneAtScale(t *testing.T) {
	if testing.Short() {
		t.Skip("invites 5,000 people")
	}
	e := newEnv(t, "http://127.0.0.1")
	const n = 5000
	creates := make([]training.ImportCreate, n)
	for i := range creates {
		creates[i] = training.ImportCreate{Line: i + 2, Input: training.PersonInput{Person: training.Person{
			EmployeeNumber: fmt.Sprintf("S%05d", i), Email: fmt.Sprintf("staff%05d@example.gov.uk", i), GivenName: "Staff",
			FamilyName: fmt.Sprintf("Member%05d", i), Kind: training.KindStaff, JobTitle: "Officer", Department: "Housing",
			StartDate: training.MustDate("2024-04-01")}}}
	}
	if res, err := e.app.Training.ApplyImport(t.Context(), e.hr, creates, nil); err != nil || res.Created != n {
		t.Fatalf("create %d people: %+v %v", n, res, err)
	}
	hr := e.newBrowser()
	hr.signIn(adminEmail, adminPassword)
	start := time.Now()
	r := hr.visit("/people/invite-everyone")
	counted := time.Since(start)
	if m := inviteCount.FindStringSubmatch(r.Body); m == nil || m[1] != fmt.Sprint(n) {
		t.Fatalf("count %v, want %d", m, n)
	}
	start = time.Now()
	r = hr.submit("/people/invite-everyone", nil)
	invited := time.Since(start)
	mustStatus(t, r, http.StatusOK)
	mustContain(t, r, fmt.Sprintf("%d people invited.", n))
	t.Logf("%d people: counted in %v, invited in %v", n, counted, invited)
	if invited > time.Minute {
		t.Errorf("inviting %d people took %v, longer than a request may run", n, invited)
	}
	left, err := e.app.Accounts.Uninvited(t.Context(), e.hr, nil)
	if err != nil || len(left) != 0 {
		t.Errorf("%d people left uninvited (%v)", len(left), err)
	}
}

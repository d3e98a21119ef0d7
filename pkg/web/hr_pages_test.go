package web_test

import (
	"net/http"
	"net/url"
	"regexp"
	"strings"
	"testing"

	"github.com/chromedp/chromedp"

	"github.com/complytrack/complytrack/pkg/auth"
	"github.com/complytrack/complytrack/pkg/reportcsv"
	"github.com/complytrack/complytrack/pkg/training"
)

// hpSignInHR signs in as the HR officer the app was started with.
func hpSignInHR(e *env) *browser {
	b := e.newBrowser()
	b.signIn(adminEmail, adminPassword)
	return b
}

// hpAuditor makes an employee with the auditor role and signs them in.
func hpAuditor(e *env) *browser {
	e.t.Helper()
	p := e.employee("Alice", "Audit")
	if _, err := e.app.Accounts.SetRoles(e.t.Context(), e.hr, p.ID, auth.NewRoles(auth.RoleAuditor)); err != nil {
		e.t.Fatal(err)
	}
	b := e.newBrowser()
	b.signIn("alice.audit@example.gov.uk", castPassword)
	return b
}

// hpManagerVerifiedCourse adds a classroom course whose completions the
// line manager (or HR) verifies.
func hpManagerVerifiedCourse(e *env) {
	e.t.Helper()
	_, err := e.app.Training.CreateCourse(e.t.Context(), e.hr, training.Course{
		Code: "WRAP", Title: "Workshop to Raise Awareness of Prevent", Delivery: training.DeliveryClassroom,
		AppliesTo: training.AppliesTo{Kinds: []training.Kind{training.KindStaff}}, ValidityMonths: 36,
		NewStarterDays: 28, DueSoonDays: 30, RenewWindowDays: 60, ExpiryBasis: training.ExpiryFromCompletion,
		EffectiveFrom: training.MustDate("2020-01-01"), Evidence: training.EvidenceNone, Verification: training.VerificationManager,
	})
	if err != nil {
		e.t.Fatal(err)
	}
}

// hpSelfCertify records a completion as the person themselves.
func hpSelfCertify(e *env, p training.Person, code, on string) training.Completion {
	e.t.Helper()
	c, err := e.app.Training.SelfCertify(e.t.Context(), training.Actor{PersonID: p.ID}, training.CompletionInput{CourseCode: code, CompletedOn: training.MustDate(on)})
	if err != nil {
		e.t.Fatal(err)
	}
	return c
}

func hpLacks(t *testing.T, r result, unwanted ...string) {
	t.Helper()
	for _, u := range unwanted {
		if strings.Contains(r.Body, u) {
			t.Errorf("page (status %d) contains %q", r.Status, u)
		}
	}
}

// hpForms counts the forms that post: the header's "Sign out" is one.
func hpForms(r result) int { return strings.Count(r.Body, `method="post"`) }

func TestHRPagesAuthorization(t *testing.T) {
	e := newEnv(t, "http://127.0.0.1")
	hpManagerVerifiedCourse(e)
	sophie := e.employee("Sophie", "Marsh")
	pending := hpSelfCertify(e, sophie, "WRAP", "2026-10-01")
	ex, err := e.app.Training.GrantExemption(t.Context(), e.hr, sophie.ID, training.ExemptionInput{CourseCode: "PREVENT", Reason: "Long-term leave"})
	if err != nil {
		t.Fatal(err)
	}
	graham := e.employee("Graham", "Pellow")

	pages := []string{"/dashboard", "/flags", "/evidence", "/courses", "/courses/PREVENT", "/courses/PREVENT/edit",
		"/reports", "/reports.csv?course_code=PREVENT", "/outbox", "/people/" + sophie.ID + "/exemptions",
		"/people/" + sophie.ID + "/exemptions/new", "/completions/" + pending.ID + "/revoke"}
	posts := []struct {
		path string
		form url.Values
	}{
		{"/evidence/" + pending.ID + "/verify", nil},
		{"/evidence/" + pending.ID + "/reject", url.Values{"reason": {"no"}}},
		{"/completions/" + pending.ID + "/revoke", url.Values{"reason": {"not attended"}}},
		{"/people/" + sophie.ID + "/exemptions", url.Values{"course_code": {"WRAP"}, "reason": {"x"}}},
		{"/people/" + sophie.ID + "/exemptions/" + ex.ID + "/remove", nil},
		{"/people/" + sophie.ID + "/roles", url.Values{"roles": {"member_services"}}},
		{"/courses/PREVENT/edit", url.Values{"new_starter_days": {"1"}, "validity_months": {"1"}, "due_soon_days": {"1"},
			"renew_window_days": {"1"}, "effective-from-day": {"1"}, "effective-from-month": {"1"}, "effective-from-year": {"2020"}}},
	}
	refused := func(t *testing.T, b *browser, who string) {
		t.Helper()
		for _, p := range posts {
			b.visit("/my-training") // for a CSRF token
			form := url.Values{}
			for k, v := range p.form {
				form[k] = v
			}
			r := b.submit(p.path, form)
			if r.Status != http.StatusForbidden && r.Status != http.StatusNotFound {
				t.Errorf("%s: POST %s: status %d, want 403 or 404", who, p.path, r.Status)
			}
		}
	}

	t.Run("employee", func(t *testing.T) {
		b := e.newBrowser()
		r := b.signIn("graham.pellow@example.gov.uk", castPassword)
		hpLacks(t, r, `href="/dashboard"`, `href="/evidence"`, `href="/reports"`, `href="/outbox"`)
		for _, p := range pages {
			r := b.get(p)
			if r.Status != http.StatusNotFound && r.Status != http.StatusForbidden {
				t.Errorf("employee: GET %s: status %d, want 404 or 403", p, r.Status)
			}
			hpLacks(t, r, "Sophie Marsh", "Long-term leave")
		}
		refused(t, b, "employee")
		_ = graham
	})

	t.Run("auditor", func(t *testing.T) {
		b := hpAuditor(e)
		for _, p := range pages {
			r := b.get(p)
			switch {
			case p == "/outbox" || strings.HasSuffix(p, "/new") || strings.HasSuffix(p, "/edit") || strings.HasSuffix(p, "/revoke"):
				// HR's alone: the outbox and the forms that change records.
				if r.Status != http.StatusNotFound && r.Status != http.StatusForbidden {
					t.Errorf("auditor: GET %s: status %d, want 404 or 403", p, r.Status)
				}
			case strings.HasPrefix(p, "/reports.csv"):
				mustStatus(t, r, http.StatusOK)
			default:
				mustStatus(t, r, http.StatusOK)
				if n := hpForms(r); n != 1 {
					t.Errorf("auditor: %s has %d forms that post, want only Sign out", p, n)
				}
			}
		}
		r := b.get("/evidence")
		mustContain(t, r, "Sophie Marsh", "Workshop to Raise Awareness of Prevent")
		hpLacks(t, r, "Verify", "Reason for rejecting")
		r = b.get("/people/" + sophie.ID + "/exemptions")
		mustContain(t, r, "Long-term leave", "In force")
		hpLacks(t, r, "Remove", "Exempt Sophie Marsh from a course")
		hpLacks(t, b.get("/courses/PREVENT"), "Change the policy")
		refused(t, b, "auditor")
		// Nothing changed.
		got, err := e.app.Training.Completion(t.Context(), e.hr, pending.ID)
		if err != nil || got.State() != training.StatePending {
			t.Errorf("after the auditor's posts the completion is %s (%v)", got.State(), err)
		}
	})
}

func TestDashboardChart(t *testing.T) {
	e := newEnv(t, "http://127.0.0.1")
	e.addPerson("Sophie", "Marsh", "")
	e.addPerson("Tom", "Whitfield", "")
	finance, err := e.app.Training.CreatePerson(t.Context(), e.hr, training.PersonInput{Person: training.Person{EmployeeNumber: "E-Fay", Email: "fay.lund@example.gov.uk", GivenName: "Fay", FamilyName: "Lund", Kind: training.KindStaff, JobTitle: "Accountant", Department: "Finance", StartDate: training.MustDate("2024-04-01")}})
	if err != nil {
		t.Fatal(err)
	}
	if _, err := e.app.Training.RecordCompletion(t.Context(), e.hr, finance.ID, training.CompletionInput{
		CourseCode: "PREVENT", CompletedOn: training.MustDate("2026-10-01"), CertificateRef: "HO-1"}); err != nil {
		t.Fatal(err)
	}
	b := hpSignInHR(e)
	r := b.visit("/dashboard")
	mustStatus(t, r, http.StatusOK)
	mustContain(t, r, `<figure class="bar-chart" id="compliance-chart" aria-labelledby="chart-heading">`,
		`Prevent awareness: compliance by department on 2 November 2026: the share of the people required to hold it who are up to date. The target is 90%`,
		// Each bar's numbers are text, in the chart and in the table.
		// Lowest first, each department's name a link to its people.
		`<span class="bar-chart__label"><a class="link" href="/dashboard/people?course_code=PREVENT&amp;department=Housing&amp;show=required">Housing<span class="visually-hidden">: see the people required to hold it</span></a></span>
      <span class="bar-chart__bar">`,
		`<span class="bar-chart__value">0% (0 of 2), below 90%</span>`,
		`<span class="bar-chart__label"><a class="link" href="/dashboard/people?course_code=PREVENT&amp;department=Finance&amp;show=required">Finance`,
		`<span class="bar-chart__value">100% (1 of 1)</span>`,
		`<th scope="row" data-label="Department">Housing</th>`, `id="count-overdue"`, `id="count-expired"`, `id="count-due"`)
	if n := hpForms(r); n != 1 {
		t.Errorf("the dashboard has %d forms that post, want only Sign out", n)
	}
	if housing, finance := strings.Index(r.Body, "department=Housing&amp;show=required"), strings.Index(r.Body, "department=Finance&amp;show=required"); housing > finance {
		t.Error("the chart shows Finance (100%) before Housing (0%): not lowest first")
	}
}

func TestVerifyAndRejectThroughThePage(t *testing.T) {
	e := newEnv(t, "http://127.0.0.1")
	hpManagerVerifiedCourse(e)
	sophie := e.employee("Sophie", "Marsh")
	tom := e.employee("Tom", "Whitfield")
	first := hpSelfCertify(e, sophie, "WRAP", "2026-10-01")
	second := hpSelfCertify(e, tom, "WRAP", "2026-10-02")

	b := hpSignInHR(e)
	r := b.visit("/evidence")
	mustStatus(t, r, http.StatusOK)
	mustContain(t, r, "Sophie Marsh", "Tom Whitfield", "1 October 2026", `href="/people/`+sophie.ID+`"`,
		`action="/evidence/`+first.ID+`/verify"`, `action="/evidence/`+second.ID+`/reject"`)

	// Rejecting needs a reason: the error summary links to the field.
	r = b.submit("/evidence/"+second.ID+"/reject", url.Values{"reason": {"  "}})
	mustStatus(t, r, http.StatusUnprocessableEntity)
	mustContain(t, r, "There is a problem", `<a href="#reason-`+second.ID+`">Enter the reason you are rejecting it`,
		`id="reason-`+second.ID+`-error"`)
	r = b.submit("/evidence/"+second.ID+"/reject", url.Values{"reason": {"You were not on the register"}})
	if r.Status != http.StatusSeeOther || r.Location() != "/evidence?reviewed="+second.ID {
		t.Fatalf("reject: %d to %q\n%s", r.Status, r.Location(), r.Body)
	}
	r = b.follow(r)
	mustContain(t, r, "Rejected Tom Whitfield’s Workshop to Raise Awareness of Prevent completion: they can see your reason.")
	hpLacks(t, r, `href="/people/`+tom.ID+`"`, `action="/evidence/`+second.ID+`/reject"`)

	r = b.submit("/evidence/"+first.ID+"/verify", nil)
	if r.Status != http.StatusSeeOther || r.Location() != "/evidence?reviewed="+first.ID {
		t.Fatalf("verify: %d to %q\n%s", r.Status, r.Location(), r.Body)
	}
	r = b.follow(r)
	mustContain(t, r, "Verified Sophie Marsh’s Workshop to Raise Awareness of Prevent completion: it now counts.", "Nothing is waiting for verification.")
	// Verifying again is a conflict, not a second decision.
	mustStatus(t, b.submit("/evidence/"+first.ID+"/verify", nil), http.StatusConflict)

	for id, want := range map[string]training.State{first.ID: training.StateAccepted, second.ID: training.StateRejected} {
		got, err := e.app.Training.Completion(t.Context(), e.hr, id)
		if err != nil || got.State() != want {
			t.Errorf("completion %s: %s (%v), want %s", id, got.State(), err, want)
		}
	}

	// HR revokes the accepted one, with a reason.
	r = b.visit("/completions/" + first.ID + "/revoke")
	mustStatus(t, r, http.StatusOK)
	mustContain(t, r, "Accepted", `<label class="label label--m" for="reason">`)
	r = b.submit("/completions/"+first.ID+"/revoke", url.Values{"reason": {""}})
	mustStatus(t, r, http.StatusUnprocessableEntity)
	mustContain(t, r, `<a href="#reason">Enter the reason you are revoking it.</a>`)
	r = b.follow(b.submit("/completions/"+first.ID+"/revoke", url.Values{"reason": {"The certificate was someone else's"}}))
	mustContain(t, r, "Revoked: it no longer counts", `<dd class="summary-list__value" id="completion-state">Revoked</dd>`)
}

func TestExemptionForm(t *testing.T) {
	e := newEnv(t, "http://127.0.0.1")
	sophie := e.addPerson("Sophie", "Marsh", "")
	b := hpSignInHR(e)
	base := "/people/" + sophie.ID + "/exemptions"
	r := b.visit(base + "/new")
	mustStatus(t, r, http.StatusOK)
	mustContain(t, r, "Exempt Sophie Marsh from a course", `<option value="PREVENT">Prevent awareness</option>`)

	r = b.submit(base, url.Values{"course_code": {"PREVENT"}, "until-day": {"31"}, "until-month": {"2"}, "until-year": {"2027"}})
	mustStatus(t, r, http.StatusUnprocessableEntity)
	mustContain(t, r, `<a href="#reason">Enter the reason for the exemption.</a>`,
		`<a href="#until-day">The date the exemption ends must be a real date`)

	r = b.submit(base, url.Values{"course_code": {"PREVENT"}, "reason": {"Long-term leave"}, "until-day": {"31"}, "until-month": {"3"}, "until-year": {"2027"}})
	if r.Status != http.StatusSeeOther || r.Location() != base+"?done=granted" {
		t.Fatalf("grant: %d to %q\n%s", r.Status, r.Location(), r.Body)
	}
	r = b.follow(r)
	mustContain(t, r, "Exemption granted", "Long-term leave", "31 March 2027", "In force")
	list, err := e.app.Training.ExemptionsOf(t.Context(), e.hr, sophie.ID)
	if err != nil || len(list) != 1 {
		t.Fatalf("exemptions: %+v, %v", list, err)
	}
	r = b.follow(b.submit(base+"/"+list[0].ID+"/remove", nil))
	mustContain(t, r, "Exemption removed", "Removed on 2 November 2026")
}

func TestCoursePolicyForm(t *testing.T) {
	e := newEnv(t, "http://127.0.0.1")
	b := hpSignInHR(e)
	r := b.visit("/courses")
	mustContain(t, r, `<a class="link" href="/courses/PREVENT">Prevent awareness</a>`)
	r = b.visit("/courses/PREVENT")
	mustContain(t, r, "Change the policy", "36 months")
	r = b.visit("/courses/PREVENT/edit")
	mustStatus(t, r, http.StatusOK)
	form := url.Values{"new_starter_days": {"twenty"}, "validity_months": {"24"}, "due_soon_days": {"99999"},
		"renew_window_days": {"60"}, "effective-from-day": {"1"}, "effective-from-month": {"1"}, "effective-from-year": {"2020"}}
	r = b.submit("/courses/PREVENT/edit", form)
	mustStatus(t, r, http.StatusUnprocessableEntity)
	mustContain(t, r, `<a href="#new_starter_days">The days a new starter has to complete it must be a whole number`)
	form.Set("new_starter_days", "14")
	r = b.submit("/courses/PREVENT/edit", form)
	mustStatus(t, r, http.StatusUnprocessableEntity)
	mustContain(t, r, `<a href="#due_soon_days">The number of days before expiry it shows as expiring must be a whole number from 0 to 3650.</a>`)
	form.Set("due_soon_days", "45")
	r = b.submit("/courses/PREVENT/edit", form)
	// HR sees what the change does before it is saved.
	mustStatus(t, r, http.StatusOK)
	mustContain(t, r, "Check the change to Prevent awareness", `<dt class="summary-list__key">Valid for</dt><dd class="summary-list__value">36 months → 24 months</dd>`, "Save the new policy")
	if co, _ := e.app.Training.Course(t.Context(), "PREVENT"); co.ValidityMonths != 36 {
		t.Fatalf("the policy was saved before it was confirmed: %+v", co)
	}
	form.Set("confirmed", "yes")
	r = b.submit("/courses/PREVENT/edit", form)
	if r.Status != http.StatusSeeOther {
		t.Fatalf("save: %d\n%s", r.Status, r.Body)
	}
	mustContain(t, b.follow(r), "Policy saved", "24 months")
	co, err := e.app.Training.Course(t.Context(), "PREVENT")
	if err != nil || co.NewStarterDays != 14 || co.ValidityMonths != 24 || co.DueSoonDays != 45 {
		t.Errorf("course after saving: %+v, %v", co, err)
	}
}

func TestReportAndCSVDownload(t *testing.T) {
	e := newEnv(t, "http://127.0.0.1")
	e.addPerson("Sophie", "Marsh", "")
	b := hpSignInHR(e)
	r := b.visit("/reports?course_code=PREVENT&group_by=department")
	mustStatus(t, r, http.StatusOK)
	mustContain(t, r, "Prevent awareness on 2 November 2026", `<th scope="row" data-label="Department">Housing</th>`,
		`id="report-totals"`, `value="2026"`)
	link := regexp.MustCompile(`href="(/reports\.csv\?[^"]+)"`).FindStringSubmatch(r.Body)
	if link == nil {
		t.Fatal("no Download CSV link")
	}
	href := strings.ReplaceAll(link[1], "&amp;", "&")
	if !strings.Contains(href, "as_of=2026-11-02") || !strings.Contains(href, "course_code=PREVENT") {
		t.Errorf("CSV link %q", href)
	}
	f := b.get(href)
	mustStatus(t, f, http.StatusOK)
	if !strings.HasPrefix(f.Header.Get("Content-Type"), "text/csv") || !strings.HasPrefix(f.Header.Get("Content-Disposition"), "attachment") {
		t.Errorf("CSV headers: %v", f.Header)
	}
	if !strings.HasPrefix(f.Body, strings.Join(reportcsv.Header, ",")) || !strings.Contains(f.Body, "E-Sophie,Sophie,Marsh") {
		t.Errorf("CSV body:\n%s", f.Body)
	}

	// A past day from the form's date inputs; a future one is refused.
	r = b.get("/reports?course_code=PREVENT&as-of-day=1&as-of-month=1&as-of-year=2026")
	mustStatus(t, r, http.StatusOK)
	mustContain(t, r, "Prevent awareness on 1 January 2026")
	r = b.get("/reports?course_code=PREVENT&as-of-day=1&as-of-month=1&as-of-year=2030")
	mustStatus(t, r, http.StatusBadRequest)
	mustContain(t, r, `<a href="#as-of-day">The date of the report must be today or in the past`)
	r = b.get("/reports?course_code=PREVENT&as-of-day=31&as-of-month=2&as-of-year=2026")
	mustStatus(t, r, http.StatusBadRequest)
	mustContain(t, r, `<a href="#as-of-day">The date of the report must be a real date`)
}

func TestFlagsAndOutboxPages(t *testing.T) {
	e := newEnv(t, "http://127.0.0.1")
	sophie := e.employee("Sophie", "Marsh")
	if _, err := e.app.Jobs.RunNow(t.Context(), "compliance-scan"); err != nil {
		t.Fatalf("compliance scan: %v", err)
	}
	b := hpSignInHR(e)
	r := b.visit("/flags?kind=overdue")
	mustStatus(t, r, http.StatusOK)
	mustContain(t, r, `<option value="overdue" selected>Overdue</option>`)
	mustContain(t, r, `id="flags-table"`, `href="/people/`+sophie.ID+`">Sophie Marsh</a>`, `<td data-label="Flag"><strong class="tag tag--overdue">Overdue</strong></td>`)
	mustStatus(t, b.get("/flags?kind=nonsense"), http.StatusBadRequest)

	r = b.visit("/outbox?to=sophie.marsh@example.gov.uk")
	mustStatus(t, r, http.StatusOK)
	mustContain(t, r, "<td data-label=\"To\" class=\"wrap-anywhere\">sophie.marsh@example.gov.uk</td>", "Invitation", "Waiting to be sent")
	r = b.visit("/outbox?kind=reminder&to=nobody@example.gov.uk")
	mustContain(t, r, "No e-mails match.")
}

// HR visits each of the HR pages in a real browser; every page passes
// axe-core's serious and critical rules. The dashboard's screenshot is
// saved.
func TestBrowserHRPages(t *testing.T) {
	e := newEnv(t, "http://127.0.0.1")
	hpManagerVerifiedCourse(e)
	sophie := e.employee("Sophie", "Marsh")
	done := hpSelfCertify(e, sophie, "WRAP", "2026-10-01")
	if _, err := e.app.Training.CreatePerson(t.Context(), e.hr, training.PersonInput{Person: training.Person{EmployeeNumber: "E-Fay", Email: "fay.lund@example.gov.uk", GivenName: "Fay", FamilyName: "Lund", Kind: training.KindStaff, JobTitle: "Accountant", Department: "Finance", StartDate: training.MustDate("2026-10-20")}}); err != nil {
		t.Fatal(err)
	}
	ctx := newChrome(t)
	base := e.srv.URL
	must(t, "sign in as HR", chromedp.Do(ctx, chromedp.Navigate(base+"/sign-in"), chromedp.WaitVisible(chromedp.ID("email")),
		chromedp.SendKeys(chromedp.ID("email"), adminEmail),
		chromedp.SendKeys(chromedp.ID("password"), adminPassword),
		chromedp.Click(chromedp.CSS(`form[action="/sign-in"] button`)),
		// Only a signed-in page has the header's name: waiting for it lets
		// the sign-in's redirect finish before the next navigation.
		chromedp.WaitVisible(chromedp.CSS(".header__user"))))

	visit := func(name, path, ready string) {
		t.Helper()
		must(t, "open "+name, chromedp.Do(ctx, chromedp.Navigate(base+path), chromedp.WaitVisible(chromedp.CSS(ready))))
		checkAccessibility(t, ctx, name)
	}
	visit("evidence", "/evidence", "#pending-"+done.ID)
	must(t, "reject without a reason", chromedp.Do(ctx,
		chromedp.Click(chromedp.CSS(`form[action="/evidence/`+done.ID+`/reject"] button`)),
		chromedp.WaitVisible(chromedp.CSS(".error-summary"))))
	checkAccessibility(t, ctx, "evidence with an error")
	visit("flags", "/flags", "h1")
	visit("courses", "/courses", "#courses-table")
	visit("course", "/courses/PREVENT", "#course-policy")
	visit("course policy form", "/courses/PREVENT/edit", "#new_starter_days")
	visit("reports", "/reports?course_code=PREVENT", "#report-table")
	visit("outbox", "/outbox", "#outbox-table")
	visit("exemptions", "/people/"+sophie.ID+"/exemptions", "h1")
	visit("exemption form", "/people/"+sophie.ID+"/exemptions/new", "#reason")
	must(t, "send the exemption form empty", chromedp.Do(ctx,
		chromedp.Click(chromedp.CSS(`form[action="/people/`+sophie.ID+`/exemptions"] button`)),
		chromedp.WaitVisible(chromedp.CSS(".error-summary"))))
	checkAccessibility(t, ctx, "exemption form with errors")
	accepted, err := e.app.Training.RecordCompletion(t.Context(), e.hr, sophie.ID, training.CompletionInput{
		CourseCode: "PREVENT", CompletedOn: training.MustDate("2026-10-05"), CertificateRef: "HO-2"})
	must(t, "record a completion", err)
	visit("revoke form", "/completions/"+accepted.ID+"/revoke", "#reason")

	visit("dashboard", "/dashboard", "figure.bar-chart")
	title, err := chromedp.Run(ctx, chromedp.Evaluate[string](`document.querySelector("figure.bar-chart figcaption").textContent`))
	must(t, "read the chart's title", err)
	if !strings.Contains(title, "compliance by department") {
		t.Errorf("chart title %q", title)
	}
	saveScreenshot(t, ctx, t.Name()+"-dashboard")
}

// A line manager verifies their reporting line's completions on the same
// page, and sees nobody else's.
func TestManagerVerifiesTheirLine(t *testing.T) {
	e := newEnv(t, "http://127.0.0.1")
	hpManagerVerifiedCourse(e)
	e.employee("Mia", "Boss")
	report := e.addPerson("Sophie", "Marsh", "E-Mia")
	stranger := e.addPerson("Tom", "Whitfield", "")
	mine := hpSelfCertify(e, report, "WRAP", "2026-10-01")
	theirs := hpSelfCertify(e, stranger, "WRAP", "2026-10-01")

	b := e.newBrowser()
	b.signIn("mia.boss@example.gov.uk", castPassword)
	r := b.visit("/evidence")
	mustStatus(t, r, http.StatusOK)
	mustContain(t, r, "Sophie Marsh", `action="/evidence/`+mine.ID+`/verify"`)
	hpLacks(t, r, "Tom Whitfield", theirs.ID, `href="/dashboard"`, `href="/outbox"`)
	mustStatus(t, b.submit("/evidence/"+theirs.ID+"/verify", nil), http.StatusNotFound)
	r = b.submit("/evidence/"+mine.ID+"/verify", nil)
	if r.Status != http.StatusSeeOther {
		t.Fatalf("verify: %d\n%s", r.Status, r.Body)
	}
	for _, p := range []string{"/dashboard", "/courses", "/outbox", "/people/" + report.ID + "/exemptions"} {
		if got := b.get(p).Status; got != http.StatusNotFound {
			t.Errorf("manager: GET %s: %d, want 404", p, got)
		}
	}
}

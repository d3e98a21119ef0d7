package web_test

import (
	"net/http"
	"net/url"
	"regexp"
	"strconv"
	"strings"
	"testing"

	"github.com/complytrack/complytrack/pkg/auth"
	"github.com/complytrack/complytrack/pkg/training"
)

// addMember creates an elected Member (no line manager) who started on
// 1 April 2024.
func (e *env) addMember(given, family string) training.Person {
	e.t.Helper()
	p, err := e.app.Training.CreatePerson(e.t.Context(), e.hr, training.PersonInput{Person: training.Person{
		EmployeeNumber: "M-" + given, Email: strings.ToLower(given+"."+family) + "@example.gov.uk", GivenName: given, FamilyName: family,
		Kind: training.KindMember, JobTitle: "Councillor", StartDate: training.MustDate("2024-04-01")}})
	if err != nil {
		e.t.Fatal(err)
	}
	return p
}

// HR names a Member Services officer on the officer's page; the officer
// then works the elected Members as a line manager works a team: My team,
// their pages, and verifying where the line manager verifies. Staff
// outside their reporting line stay out of sight.
func TestMemberServicesOfficerInTheWeb(t *testing.T) {
	e := newEnv(t, "http://127.0.0.1")
	_, err := e.app.Training.CreateCourse(t.Context(), e.hr, training.Course{
		Code: "WRAP", Title: "Workshop to Raise Awareness of Prevent", Delivery: training.DeliveryClassroom,
		AppliesTo: training.AppliesTo{Kinds: []training.Kind{training.KindStaff, training.KindMember}}, ValidityMonths: 36,
		NewStarterDays: 28, DueSoonDays: 30, RenewWindowDays: 60, ExpiryBasis: training.ExpiryFromCompletion,
		EffectiveFrom: training.MustDate("2020-01-01"), Evidence: training.EvidenceNone, Verification: training.VerificationManager,
	})
	if err != nil {
		t.Fatal(err)
	}
	officer := e.employee("Mo", "Services")
	cllr := e.addMember("Cara", "Council")
	staff := e.addPerson("Rory", "Report", "")
	cllrWrap := hpSelfCertify(e, cllr, "WRAP", "2026-10-01")
	staffWrap := hpSelfCertify(e, staff, "WRAP", "2026-10-01")

	// Before the role, the officer is an employee like any other.
	before := e.newBrowser()
	r := before.signIn(officer.Email, castPassword)
	hpLacks(t, r, `href="/team"`, `href="/evidence"`)
	mustStatus(t, before.get("/people/"+cllr.ID), http.StatusNotFound)

	hr := hpSignInHR(e)
	r = hr.visit("/people/" + officer.ID)
	mustContain(t, r, `action="/people/`+officer.ID+`/roles"`, `id="role-member_services"`, "Member Services",
		"Sees every elected Member&#39;s training, like a line manager")
	r = hr.submit("/people/"+officer.ID+"/roles", url.Values{"roles": {"member_services"}})
	if r.Status != http.StatusSeeOther || r.Location() != "/people/"+officer.ID+"?roles=1" {
		t.Fatalf("saving the roles: %d to %q\n%s", r.Status, r.Location(), r.Body)
	}
	r = hr.follow(r)
	mustContain(t, r, "Roles saved", `value="member_services" checked`)
	if roles, err := e.app.Accounts.Roles(t.Context(), officer.ID); err != nil || !roles.Has(auth.RoleMemberServices) || roles.Has(auth.RoleHR) {
		t.Fatalf("the officer's roles are %v (%v), want member_services and not hr", roles, err)
	}
	// HR's own roles are another HR officer's to change: no form.
	hpLacks(t, hr.visit("/people/"+hrPersonID(t, e)), `/roles"`)
	// Someone with no account has no roles to grant.
	hpLacks(t, hr.visit("/people/"+cllr.ID), `id="roles"`)

	b := e.newBrowser()
	r = b.signIn(officer.Email, castPassword)
	mustContain(t, r, `href="/team"`, `href="/evidence"`, `href="/flags"`)
	hpLacks(t, r, `href="/dashboard"`, `href="/people"`)
	r = b.visit("/team")
	mustContain(t, r, "Cara Council", `id="member-services"`)
	hpLacks(t, r, "Rory Report")
	mustStatus(t, b.get("/people/"+cllr.ID), http.StatusOK)
	mustStatus(t, b.get("/people/"+staff.ID), http.StatusNotFound)
	r = b.visit("/evidence")
	mustContain(t, r, `action="/evidence/`+cllrWrap.ID+`/verify"`)
	hpLacks(t, r, staffWrap.ID)
	mustStatus(t, b.submit("/evidence/"+staffWrap.ID+"/verify", nil), http.StatusNotFound)
	if r := b.submit("/evidence/"+cllrWrap.ID+"/verify", nil); r.Status != http.StatusSeeOther {
		t.Fatalf("verify the Member's completion: %d\n%s", r.Status, r.Body)
	}
	got, err := e.app.Training.Completion(t.Context(), e.hr, cllrWrap.ID)
	if err != nil || got.State() != training.StateAccepted || got.Review.By != officer.ID {
		t.Errorf("the Member's completion is %s (%v), want accepted by the officer", got.State(), err)
	}
	// The officer may not grant roles, not even to a Member they look after.
	mustStatus(t, b.submit("/people/"+cllr.ID+"/roles", url.Values{"roles": {"hr"}}), http.StatusNotFound)

	// Auditors read the roles and may not change them.
	aud := hpAuditor(e)
	r = aud.visit("/people/" + officer.ID)
	mustContain(t, r, `id="roles-granted">Member Services.`)
	hpLacks(t, r, `action="/people/`+officer.ID+`/roles"`)
	mustStatus(t, aud.submit("/people/"+officer.ID+"/roles", url.Values{"roles": {"auditor"}}), http.StatusForbidden)
	if roles, _ := e.app.Accounts.Roles(t.Context(), officer.ID); roles.Has(auth.RoleAuditor) {
		t.Error("the auditor's post granted a role")
	}
}

// hrPersonID is the ID of the HR officer the app was started with.
func hrPersonID(t *testing.T, e *env) string {
	t.Helper()
	p, err := e.app.Training.PersonByEmail(t.Context(), adminEmail)
	if err != nil {
		t.Fatal(err)
	}
	return p.ID
}

var headlineRow = regexp.MustCompile(`(?s)data-headline="([^"]+)">(.*?)</dd>`)

// headlines returns the dashboard's headline figures by kind, as text
// without tags: "Elected Members" -> "50% (1 up to date of 2; 1 overdue)".
func headlines(body string) map[string]string {
	tags := regexp.MustCompile(`<span class="visually-hidden">[^<]*</span>|<[^>]+>`)
	out := map[string]string{}
	for _, m := range headlineRow.FindAllStringSubmatch(body, -1) {
		out[m[1]] = strings.Join(strings.Fields(tags.ReplaceAllString(m[2], "")), " ")
	}
	return out
}

// The dashboard gives staff and elected Members a headline figure each,
// from the same report as the rest of the page, and each number opens the
// list of the people of that kind it counts.
func TestDashboardHeadlinesMembers(t *testing.T) {
	e := newEnv(t, "http://127.0.0.1")
	done := e.addMember("Dora", "Done")
	e.addMember("Len", "Late")
	e.addMember("Lou", "Later")
	e.addPerson("Rory", "Report", "")
	if _, err := e.app.Training.RecordCompletion(t.Context(), e.hr, done.ID, training.CompletionInput{
		CourseCode: "PREVENT", CompletedOn: training.MustDate("2026-10-01"), CertificateRef: "HO-1"}); err != nil {
		t.Fatal(err)
	}

	hr := hpSignInHR(e)
	r := hr.visit("/dashboard?course_code=PREVENT")
	mustStatus(t, r, http.StatusOK)
	got := headlines(r.Body)
	if want := "33.3% (1 up to date of 3; 2 overdue)"; got["Elected Members"] != want {
		t.Errorf("Members headline %q, want %q (all: %v)", got["Elected Members"], want, got)
	}
	// The staff figure agrees with the report by kind.
	rep, err := e.app.Training.ComplianceReport(t.Context(), e.hr, training.ReportRequest{CourseCode: "PREVENT", GroupBy: training.GroupByKind})
	if err != nil {
		t.Fatal(err)
	}
	staff, _ := training.KindGroup(rep.Groups, training.KindStaff)
	if !strings.Contains(got["Staff"], " up to date of "+strconv.Itoa(staff.Required())+";") || staff.Required() == 0 {
		t.Errorf("Staff headline %q, want %d required (report by kind %+v)", got["Staff"], staff.Required(), rep.Groups)
	}

	list := hr.visit("/dashboard/people?" + url.Values{"course_code": {"PREVENT"}, "show": {"overdue"}, "kind": {"member"}}.Encode())
	mustStatus(t, list, http.StatusOK)
	mustContain(t, list, "Len Late", "Lou Later", "Elected Members")
	hpLacks(t, list, "Rory Report", "Dora Done")
	if !strings.Contains(r.Body, `href="/dashboard/people?course_code=PREVENT&amp;kind=member&amp;show=overdue"`) {
		t.Error("the Members' overdue number does not link to their list")
	}
	mustStatus(t, hr.get("/dashboard/people?course_code=PREVENT&show=overdue&kind=councillor"), http.StatusNotFound)
}

package web_test

import (
	"net/http"
	"net/url"
	"slices"
	"testing"

	"github.com/complytrack/complytrack/pkg/auth"
	"github.com/complytrack/complytrack/pkg/training"
)

// HR add a course from the Courses page with every field of its policy,
// and change every field the policy form does not hold from the course's
// page; what could not be read is said next to its input.
func TestCourseFormAddsAndChangesEveryField(t *testing.T) {
	e := newEnv(t, "http://127.0.0.1")
	b := e.newBrowser()
	b.signIn(adminEmail, adminPassword)
	r := b.visit("/courses")
	mustContain(t, r, `<a href="/courses/new" class="button" draggable="false">Add a course</a>`)
	r = b.visit("/courses/new")
	mustStatus(t, r, http.StatusOK)
	mustContain(t, r, `id="code"`, `id="delivery"`, `id="kinds"`, `id="departments"`, `id="job-titles"`, `id="new_starter_days"`,
		`id="effective-from-day"`, `id="expiry-basis"`, `id="evidence"`, `id="verification"`, `id="target_pct"`)

	// Nothing readable: each problem names its input, in the form's order.
	r = b.submit("/courses/new", url.Values{"new_starter_days": {"a month"}, "validity_months": {"36"}, "due_soon_days": {"30"}, "renew_window_days": {"60"}, "target_pct": {"90"}})
	mustStatus(t, r, http.StatusUnprocessableEntity)
	mustContain(t, r, `<a href="#code">`, `<a href="#title">`, `<a href="#delivery">Select how the course is delivered.</a>`,
		`<a href="#kinds">Select who must do the course.</a>`, `<a href="#new_starter_days">The days a new starter has to complete it must be a whole number, like 28.</a>`,
		`<a href="#effective-from-day">`, `<a href="#expiry-basis">`, `<a href="#evidence">`, `<a href="#verification">`, `value="a month"`)

	form := url.Values{"code": {"FIRE"}, "title": {"Fire safety"}, "provider": {"Eastmoor Fire Service"}, "url": {"https://fire.example.org/course"},
		"delivery": {"classroom"}, "kinds": {"staff", "volunteer"}, "departments": {"Housing\r\nLeisure, Housing"}, "job-titles": {""},
		"new_starter_days": {"14"}, "validity_months": {"12"}, "due_soon_days": {"21"}, "renew_window_days": {"30"},
		"effective-from-day": {"1"}, "effective-from-month": {"4"}, "effective-from-year": {"2025"},
		"expiry-basis": {"previous_expiry"}, "evidence": {"certificate"}, "verification": {"manager"}, "target_pct": {"95"}}
	r = b.submit("/courses/new", form)
	if r.Status != http.StatusSeeOther || r.Location() != "/courses/FIRE?added=1" {
		t.Fatalf("add: %d to %q\n%s", r.Status, r.Location(), r.Body)
	}
	mustContain(t, b.follow(r), "Course added: Fire safety")
	got, err := e.app.Training.Course(t.Context(), "FIRE")
	if err != nil {
		t.Fatal(err)
	}
	want := training.Course{Code: "FIRE", Title: "Fire safety", Provider: "Eastmoor Fire Service", URL: "https://fire.example.org/course",
		Delivery: training.DeliveryClassroom, AppliesTo: training.AppliesTo{Kinds: []training.Kind{training.KindStaff, training.KindVolunteer}, Departments: []string{"Housing", "Leisure"}},
		NewStarterDays: 14, ValidityMonths: 12, DueSoonDays: 21, RenewWindowDays: 30, ExpiryBasis: training.ExpiryFromPreviousExpiry,
		EffectiveFrom: training.MustDate("2025-04-01"), Evidence: training.EvidenceCertificate, Verification: training.VerificationManager, TargetPct: 95}
	if !sameCourse(got, want) {
		t.Errorf("added\n %+v\nwant %+v", got, want)
	}
	// The same code again is refused in words.
	r = b.submit("/courses/new", form)
	mustStatus(t, r, http.StatusConflict)
	mustContain(t, r, "There is already a course with the code FIRE.")

	// The details form shows the course as it is, and changes the rest.
	r = b.visit("/courses/FIRE")
	mustContain(t, r, `href="/courses/FIRE/details"`, `href="/courses/FIRE/edit"`)
	r = b.visit("/courses/FIRE/details")
	mustStatus(t, r, http.StatusOK)
	mustContain(t, r, `value="Fire safety"`, `id="delivery-classroom" name="delivery" type="radio" value="classroom" checked`,
		`id="kinds-volunteer" name="kinds" type="checkbox" value="volunteer" checked`, "Housing\nLeisure</textarea>")
	mustNotContain(t, r, `id="code"`, `id="new_starter_days"`)
	r = b.submit("/courses/FIRE/details", url.Values{"title": {"Fire safety awareness"}, "provider": {""}, "url": {""},
		"delivery": {"either"}, "kinds": {"staff", "member", "contractor"}, "departments": {""}, "job-titles": {"Caretaker\nWarden"},
		"expiry-basis": {"completion"}, "evidence": {"none"}, "verification": {"hr"}})
	if r.Status != http.StatusSeeOther || r.Location() != "/courses/FIRE?details=1" {
		t.Fatalf("details: %d to %q\n%s", r.Status, r.Location(), r.Body)
	}
	mustContain(t, b.follow(r), "Details saved")
	got, err = e.app.Training.Course(t.Context(), "FIRE")
	if err != nil {
		t.Fatal(err)
	}
	want.Title, want.Provider, want.URL, want.Delivery = "Fire safety awareness", "", "", training.DeliveryEither
	want.AppliesTo = training.AppliesTo{Kinds: []training.Kind{training.KindStaff, training.KindMember, training.KindContractor}, JobTitles: []string{"Caretaker", "Warden"}}
	want.ExpiryBasis, want.Evidence, want.Verification = training.ExpiryFromCompletion, training.EvidenceNone, training.VerificationHR
	if !sameCourse(got, want) {
		t.Errorf("changed\n %+v\nwant %+v (the policy's numbers and date kept)", got, want)
	}
	r = b.submit("/courses/FIRE/details", url.Values{"title": {""}, "url": {"fire.example.org"}, "delivery": {"either"}, "expiry-basis": {"completion"}, "evidence": {"none"}, "verification": {"hr"}})
	mustStatus(t, r, http.StatusUnprocessableEntity)
	mustContain(t, r, `<a href="#title">`, `<a href="#url">`, `<a href="#kinds">Select who must do the course.</a>`)

	// An auditor reads courses but is told they may not add one.
	auditor := e.employee("Aditi", "Audit")
	if _, err := e.app.Accounts.SetRoles(t.Context(), e.hr, auditor.ID, auth.NewRoles(auth.RoleAuditor)); err != nil {
		t.Fatal(err)
	}
	ab := e.newBrowser()
	ab.signIn(auditor.Email, castPassword)
	mustNotContain(t, ab.visit("/courses"), "Add a course")
	mustStatus(t, ab.get("/courses/new"), http.StatusForbidden)
	mustStatus(t, ab.get("/courses/FIRE/details"), http.StatusForbidden)
}

func sameCourse(a, b training.Course) bool {
	return a.Code == b.Code && a.Title == b.Title && a.Provider == b.Provider && a.URL == b.URL && a.Delivery == b.Delivery &&
		slices.Equal(a.AppliesTo.Kinds, b.AppliesTo.Kinds) && slices.Equal(a.AppliesTo.Departments, b.AppliesTo.Departments) &&
		slices.Equal(a.AppliesTo.JobTitles, b.AppliesTo.JobTitles) && a.NewStarterDays == b.NewStarterDays && a.ValidityMonths == b.ValidityMonths &&
		a.DueSoonDays == b.DueSoonDays && a.RenewWindowDays == b.RenewWindowDays && a.ExpiryBasis == b.ExpiryBasis &&
		a.EffectiveFrom == b.EffectiveFrom && a.Evidence == b.Evidence && a.Verification == b.Verification && a.TargetPct == b.TargetPct
}

package training_test

import (
	"errors"
	"reflect"
	"slices"
	"strings"
	"testing"
	"time"

	"github.com/complytrack/complytrack/pkg/training"
)

// fieldsOf returns the distinct field names in err, which must be a
// *training.ValidationError wrapping training.ErrInvalid.
func fieldsOf(t *testing.T, err error) []string {
	t.Helper()
	if err == nil {
		return nil
	}
	if !errors.Is(err, training.ErrInvalid) {
		t.Errorf("error %v does not wrap ErrInvalid", err)
	}
	var ve *training.ValidationError
	if !errors.As(err, &ve) {
		t.Fatalf("error %v is not a *ValidationError", err)
	}
	var names []string
	for _, f := range ve.Fields {
		if f.Message == "" {
			t.Errorf("field %s has no message", f.Field)
		}
		if !slices.Contains(names, f.Field) {
			names = append(names, f.Field)
		}
	}
	return names
}

func validPerson() training.Person {
	return training.Person{
		ID:             "p1",
		EmployeeNumber: "E1001",
		Email:          "ada.lovelace@example.org",
		GivenName:      "Ada",
		FamilyName:     "Lovelace",
		Kind:           training.KindStaff,
		JobTitle:       "Social Worker",
		Department:     "Children's Services",
		ManagerID:      "p0",
		StartDate:      d("2020-01-06"),
	}
}

func TestPersonValidate(t *testing.T) {
	tests := []struct {
		name   string
		change func(*training.Person)
		want   []string // the fields named in the error; nil: valid
	}{
		{"valid", func(p *training.Person) {}, nil},
		{"valid leaver on start day", func(p *training.Person) { p.EndDate = p.StartDate }, nil},
		{"valid member without a manager", func(p *training.Person) { p.Kind = training.KindMember; p.ManagerID = "" }, nil},
		{"employee number missing", func(p *training.Person) { p.EmployeeNumber = " " }, []string{"employee_number"}},
		{"employee number with a slash", func(p *training.Person) { p.EmployeeNumber = "E1/2" }, []string{"employee_number"}},
		{"employee number too long", func(p *training.Person) { p.EmployeeNumber = strings.Repeat("9", 41) }, []string{"employee_number"}},
		{"given name missing", func(p *training.Person) { p.GivenName = "" }, []string{"given_name"}},
		{"family name too long", func(p *training.Person) { p.FamilyName = strings.Repeat("é", 101) }, []string{"family_name"}},
		{"job title with a control character", func(p *training.Person) { p.JobTitle = "Social\x00Worker" }, []string{"job_title"}},
		{"department not UTF-8", func(p *training.Person) { p.Department = "Fin\xffance" }, []string{"department"}},
		{"email missing", func(p *training.Person) { p.Email = "" }, []string{"email"}},
		{"email not an address", func(p *training.Person) { p.Email = "ada.example.org" }, []string{"email"}},
		{"email with a display name", func(p *training.Person) { p.Email = "Ada <ada@example.org>" }, []string{"email"}},
		{"email too long", func(p *training.Person) { p.Email = strings.Repeat("a", 250) + "@example.org" }, []string{"email"}},
		{"kind unknown", func(p *training.Person) { p.Kind = "robot" }, []string{"kind"}},
		{"kind missing", func(p *training.Person) { p.Kind = "" }, []string{"kind"}},
		{"start date missing", func(p *training.Person) { p.StartDate = training.Date{} }, []string{"start_date"}},
		{"end date before start", func(p *training.Person) { p.EndDate = d("2019-12-31") }, []string{"end_date"}},
		{"own line manager", func(p *training.Person) { p.ManagerID = p.ID }, []string{"manager_employee_number"}},
		{"several at once", func(p *training.Person) { p.GivenName = ""; p.Kind = "x"; p.Email = "x" }, []string{"given_name", "email", "kind"}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			p := validPerson()
			tt.change(&p)
			if got := fieldsOf(t, p.Validate()); !reflect.DeepEqual(got, tt.want) {
				t.Errorf("Validate() fields = %v, want %v", got, tt.want)
			}
		})
	}
}

func TestPersonIsLeaver(t *testing.T) {
	p := validPerson()
	if p.IsLeaver(d("2030-01-01")) {
		t.Error("no end date: IsLeaver = true")
	}
	p.EndDate = d("2026-03-31")
	for today, want := range map[string]bool{"2026-03-30": false, "2026-03-31": false, "2026-04-01": true} {
		if got := p.IsLeaver(d(today)); got != want {
			t.Errorf("end 2026-03-31, IsLeaver(%s) = %v, want %v", today, got, want)
		}
	}
}

func TestNormaliseEmail(t *testing.T) {
	if got := training.NormaliseEmail("  Ada.Lovelace@Example.ORG "); got != "ada.lovelace@example.org" {
		t.Errorf("NormaliseEmail = %q", got)
	}
}

func TestKindValid(t *testing.T) {
	for _, k := range training.Kinds {
		if !k.Valid() {
			t.Errorf("%q.Valid() = false", k)
		}
	}
	if training.Kind("Staff").Valid() {
		t.Error(`"Staff".Valid() = true; kinds are lower case`)
	}
}

func validCourse() training.Course {
	return training.Course{
		Code:            "PREVENT",
		Title:           "Prevent awareness",
		Provider:        "Home Office",
		URL:             "https://www.support-people-vulnerable-to-radicalisation.service.gov.uk/",
		Delivery:        training.DeliveryELearning,
		AppliesTo:       training.AppliesTo{Kinds: []training.Kind{training.KindStaff, training.KindMember}},
		NewStarterDays:  training.DefaultNewStarterDays,
		ValidityMonths:  training.DefaultValidityMonths,
		DueSoonDays:     training.DefaultDueSoonDays,
		RenewWindowDays: training.DefaultRenewWindowDays,
		ExpiryBasis:     training.ExpiryFromCompletion,
		EffectiveFrom:   d("2015-07-01"),
		Evidence:        training.EvidenceCertificate,
		Verification:    training.VerificationNone,
	}
}

func TestCourseValidate(t *testing.T) {
	many := make([]string, 201)
	for i := range many {
		many[i] = "Dept"
	}
	tests := []struct {
		name   string
		change func(*training.Course)
		want   []string
	}{
		{"valid", func(c *training.Course) {}, nil},
		{"valid never expires, no URL", func(c *training.Course) { c.ValidityMonths = 0; c.URL = "" }, nil},
		{"code missing", func(c *training.Course) { c.Code = "" }, []string{"code"}},
		{"code with a space", func(c *training.Course) { c.Code = "PREVENT 2" }, []string{"code"}},
		{"code starting with a dash", func(c *training.Course) { c.Code = "-PREVENT" }, []string{"code"}},
		{"code too long", func(c *training.Course) { c.Code = strings.Repeat("A", 41) }, []string{"code"}},
		{"title missing", func(c *training.Course) { c.Title = "  " }, []string{"title"}},
		{"provider too long", func(c *training.Course) { c.Provider = strings.Repeat("x", 201) }, []string{"provider"}},
		{"url not http", func(c *training.Course) { c.URL = "ftp://example.org/course" }, []string{"url"}},
		{"url without a host", func(c *training.Course) { c.URL = "https://" }, []string{"url"}},
		{"url javascript", func(c *training.Course) { c.URL = "javascript:alert(1)" }, []string{"url"}},
		{"delivery unknown", func(c *training.Course) { c.Delivery = "post" }, []string{"delivery"}},
		{"kinds empty", func(c *training.Course) { c.AppliesTo.Kinds = nil }, []string{"applies_to.kinds"}},
		{"kind unknown", func(c *training.Course) { c.AppliesTo.Kinds = []training.Kind{"robot"} }, []string{"applies_to.kinds"}},
		{"too many departments", func(c *training.Course) { c.AppliesTo.Departments = many }, []string{"applies_to"}},
		{"new starter days negative", func(c *training.Course) { c.NewStarterDays = -1 }, []string{"new_starter_days"}},
		{"validity months too many", func(c *training.Course) { c.ValidityMonths = 601 }, []string{"validity_months"}},
		{"due soon days negative", func(c *training.Course) { c.DueSoonDays = -1 }, []string{"due_soon_days"}},
		{"renew window too long", func(c *training.Course) { c.RenewWindowDays = 3651 }, []string{"renew_window_days"}},
		{"expiry basis missing", func(c *training.Course) { c.ExpiryBasis = "" }, []string{"expiry_basis"}},
		{"effective from missing", func(c *training.Course) { c.EffectiveFrom = training.Date{} }, []string{"effective_from"}},
		{"evidence unknown", func(c *training.Course) { c.Evidence = "photo" }, []string{"evidence"}},
		{"verification unknown", func(c *training.Course) { c.Verification = "boss" }, []string{"verification"}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			c := validCourse()
			tt.change(&c)
			if got := fieldsOf(t, c.Validate()); !reflect.DeepEqual(got, tt.want) {
				t.Errorf("Validate() fields = %v, want %v", got, tt.want)
			}
		})
	}
}

func TestValidCourseCode(t *testing.T) {
	for s, want := range map[string]bool{"PREVENT": true, "wrap_2": true, "a": true, "9-x": true, "": false, "_x": false, "a.b": false, "café": false} {
		if got := training.ValidCourseCode(s); got != want {
			t.Errorf("ValidCourseCode(%q) = %v, want %v", s, got, want)
		}
	}
}

func TestCheckCompletedOn(t *testing.T) {
	today := d("2026-03-31")
	tests := []struct {
		name string
		on   training.Date
		ok   bool
	}{
		{"today", today, true},
		{"yesterday", d("2026-03-30"), true},
		{"tomorrow", d("2026-04-01"), false},
		{"next year", d("2027-03-31"), false},
		{"missing", training.Date{}, false},
		{"before 1900", training.NewDate(1899, time.December, 31), false},
	}
	for _, tt := range tests {
		err := training.CheckCompletedOn(tt.on, today)
		if (err == nil) != tt.ok {
			t.Errorf("%s: CheckCompletedOn(%v, %v) = %v, want ok=%v", tt.name, tt.on, today, err, tt.ok)
		}
		if err != nil {
			if got := fieldsOf(t, err); !reflect.DeepEqual(got, []string{"completed_on"}) {
				t.Errorf("%s: fields = %v, want [completed_on]", tt.name, got)
			}
		}
	}
}

func TestStateAt(t *testing.T) {
	recorded := time.Date(2026, 3, 1, 9, 0, 0, 0, time.UTC)
	reviewed := recorded.Add(24 * time.Hour)
	revoked := recorded.Add(48 * time.Hour)
	review := func(ok bool) *training.Review {
		return &training.Review{Decision: training.Decision{By: "hr1", At: reviewed}, Accepted: ok}
	}
	revocation := &training.Decision{By: "hr1", At: revoked, Reason: "certificate belongs to someone else"}

	tests := []struct {
		name      string
		c         training.Completion
		at        time.Time
		want      training.State
		wantKnown bool
	}{
		{"no verification needed", training.Completion{RecordedAt: recorded}, time.Time{}, training.StateAccepted, true},
		{"not recorded yet", training.Completion{RecordedAt: recorded}, recorded.Add(-time.Second), "", false},
		{"recorded at that very instant", training.Completion{RecordedAt: recorded}, recorded, training.StateAccepted, true},
		{"awaiting verification", training.Completion{RecordedAt: recorded, NeedsVerification: true}, time.Time{}, training.StatePending, true},
		{"verified", training.Completion{RecordedAt: recorded, NeedsVerification: true, Review: review(true)}, time.Time{}, training.StateAccepted, true},
		{"verified, asked before the review", training.Completion{RecordedAt: recorded, NeedsVerification: true, Review: review(true)}, reviewed.Add(-time.Second), training.StatePending, true},
		{"rejected", training.Completion{RecordedAt: recorded, NeedsVerification: true, Review: review(false)}, time.Time{}, training.StateRejected, true},
		{"revoked", training.Completion{RecordedAt: recorded, Revocation: revocation}, time.Time{}, training.StateRevoked, true},
		{"revoked, asked before the revocation", training.Completion{RecordedAt: recorded, Revocation: revocation}, revoked.Add(-time.Second), training.StateAccepted, true},
		{"verified then revoked", training.Completion{RecordedAt: recorded, NeedsVerification: true, Review: review(true), Revocation: revocation}, time.Time{}, training.StateRevoked, true},
		{"verified then revoked, asked between", training.Completion{RecordedAt: recorded, NeedsVerification: true, Review: review(true), Revocation: revocation}, reviewed, training.StateAccepted, true},
	}
	for _, tt := range tests {
		got, known := tt.c.StateAt(tt.at)
		if got != tt.want || known != tt.wantKnown {
			t.Errorf("%s: StateAt = %q, %v; want %q, %v", tt.name, got, known, tt.want, tt.wantKnown)
		}
		if tt.at.IsZero() && tt.c.State() != got {
			t.Errorf("%s: State() = %q, want %q", tt.name, tt.c.State(), got)
		}
	}
}

func TestExemptionInForce(t *testing.T) {
	granted := time.Date(2026, 1, 10, 12, 0, 0, 0, time.UTC)
	removed := time.Date(2026, 2, 10, 12, 0, 0, 0, time.UTC)
	tests := []struct {
		name  string
		e     training.Exemption
		today string
		at    time.Time
		want  bool
	}{
		{"no end date", training.Exemption{CreatedAt: granted}, "2030-01-01", time.Time{}, true},
		{"on its end date", training.Exemption{CreatedAt: granted, Until: d("2026-06-30")}, "2026-06-30", time.Time{}, true},
		{"after its end date", training.Exemption{CreatedAt: granted, Until: d("2026-06-30")}, "2026-07-01", time.Time{}, false},
		{"not granted yet at t", training.Exemption{CreatedAt: granted}, "2026-01-10", granted.Add(-time.Second), false},
		{"removed", training.Exemption{CreatedAt: granted, Removal: &training.Decision{At: removed}}, "2026-01-20", time.Time{}, false},
		{"removed, asked before the removal", training.Exemption{CreatedAt: granted, Removal: &training.Decision{At: removed}}, "2026-01-20", removed.Add(-time.Second), true},
	}
	for _, tt := range tests {
		if got := tt.e.InForce(d(tt.today), tt.at); got != tt.want {
			t.Errorf("%s: InForce(%s) = %v, want %v", tt.name, tt.today, got, tt.want)
		}
	}
}

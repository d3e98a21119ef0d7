package training

import (
	"net/url"
	"regexp"
	"slices"
	"strings"
)

// Delivery is how a course is taken.
type Delivery string

const (
	DeliveryELearning Delivery = "e-learning"
	DeliveryClassroom Delivery = "classroom"
	DeliveryEither    Delivery = "either"
)

// ExpiryBasis says where a renewal's validity runs from.
type ExpiryBasis string

const (
	// ExpiryFromCompletion: validity runs from the completion date.
	ExpiryFromCompletion ExpiryBasis = "completion"
	// ExpiryFromPreviousExpiry: a renewal completed inside the renew window
	// runs from the previous expiry, so finishing early loses nothing.
	ExpiryFromPreviousExpiry ExpiryBasis = "previous_expiry"
)

// Evidence is what a completion must carry.
type Evidence string

const (
	EvidenceNone        Evidence = "none"
	EvidenceCertificate Evidence = "certificate"
)

// Verification is who must accept a completion before it counts.
type Verification string

const (
	VerificationNone    Verification = "none"
	VerificationManager Verification = "manager" // the line manager (or anyone above them), or HR
	VerificationHR      Verification = "hr"
)

// AppliesTo selects the people a course applies to. Kinds is required; an
// empty Departments or JobTitles list means "any".
type AppliesTo struct {
	Kinds       []Kind
	Departments []string
	JobTitles   []string
}

// Course is one statutory training requirement and its whole policy. Every
// number is per course.
type Course struct {
	Code            string
	Title           string
	Provider        string
	URL             string
	Delivery        Delivery
	AppliesTo       AppliesTo
	NewStarterDays  int // days a new starter has to complete it
	ValidityMonths  int // 0 = never expires
	DueSoonDays     int // "expiring" this many days before expiry
	RenewWindowDays int // a renewal this close to expiry runs from the old expiry (previous_expiry basis)
	ExpiryBasis     ExpiryBasis
	EffectiveFrom   Date // when existing staff were first required to hold it
	Evidence        Evidence
	Verification    Verification
	// TargetPct is the compliance, in percent, a department should reach:
	// the dashboard draws its target line there. 0 means DefaultTargetPct
	// (courses stored before targets were kept have none).
	TargetPct int
}

// Target is the course's compliance target in percent.
func (c Course) Target() int {
	if c.TargetPct == 0 {
		return DefaultTargetPct
	}
	return c.TargetPct
}

// Default policy numbers (docs/domain-rules.md).
const (
	DefaultNewStarterDays  = 28
	DefaultValidityMonths  = 36
	DefaultDueSoonDays     = 30
	DefaultRenewWindowDays = 60
	DefaultTargetPct       = 90
)

// Applies reports whether the course applies to the person (leaving aside
// whether they have left).
func (c Course) Applies(p Person) bool {
	if !slices.Contains(c.AppliesTo.Kinds, p.Kind) {
		return false
	}
	if len(c.AppliesTo.Departments) > 0 && !containsFold(c.AppliesTo.Departments, p.Department) {
		return false
	}
	if len(c.AppliesTo.JobTitles) > 0 && !containsFold(c.AppliesTo.JobTitles, p.JobTitle) {
		return false
	}
	return true
}

func containsFold(list []string, s string) bool {
	return slices.ContainsFunc(list, func(v string) bool { return strings.EqualFold(v, s) })
}

var courseCode = regexp.MustCompile(`^[A-Za-z0-9][A-Za-z0-9_-]{0,39}$`)

// ValidCourseCode reports whether s has the shape of a course code: letters,
// digits, '-' and '_', at most 40, starting with a letter or digit.
func ValidCourseCode(s string) bool { return courseCode.MatchString(s) }

// Validate checks the whole policy and names each bad field.
func (c Course) Validate() error {
	v := &ValidationError{}
	if !ValidCourseCode(c.Code) {
		v.Problem("code", "The course code must be 1 to 40 letters, digits, hyphens or underscores, starting with a letter or digit")
	}
	CheckText(v, "title", c.Title, maxTextLen, true)
	CheckText(v, "provider", c.Provider, maxTextLen, false)
	if c.URL != "" {
		u, err := url.Parse(c.URL)
		if err != nil || (u.Scheme != "https" && u.Scheme != "http") || u.Host == "" || len(c.URL) > 2000 {
			v.Problem("url", "Enter the course's web address in full, starting with https://, or leave it empty")
		}
	}
	_, err := ParseDelivery("delivery", string(c.Delivery))
	v.Merge(err)
	if len(c.AppliesTo.Kinds) == 0 {
		v.Problem("applies_to.kinds", "Choose at least one kind of person the course applies to: staff, member, contractor or volunteer")
	}
	// The front doors read each kind with ParseKind and name a bad one
	// themselves: a kind that is not one of Kinds here came from code.
	if slices.ContainsFunc(c.AppliesTo.Kinds, func(k Kind) bool { return !k.Valid() }) {
		v.Problem("applies_to.kinds", "The course can apply only to staff, members, contractors or volunteers")
	}
	if len(c.AppliesTo.Departments) > 200 || len(c.AppliesTo.JobTitles) > 200 {
		v.Problem("applies_to", "A course can name at most 200 departments and 200 job titles")
	}
	checkRange(v, "new_starter_days", c.NewStarterDays, 0, 3650)
	checkRange(v, "validity_months", c.ValidityMonths, 0, 600)
	checkRange(v, "due_soon_days", c.DueSoonDays, 0, 3650)
	checkRange(v, "renew_window_days", c.RenewWindowDays, 0, 3650)
	_, err = ParseExpiryBasis("expiry_basis", string(c.ExpiryBasis))
	v.Merge(err)
	if c.EffectiveFrom.IsZero() {
		v.Problem("effective_from", "Enter the date the policy took effect")
	}
	_, err = ParseEvidence("evidence", string(c.Evidence))
	v.Merge(err)
	_, err = ParseVerification("verification", string(c.Verification))
	v.Merge(err)
	if c.TargetPct < 0 || c.TargetPct > 100 {
		v.Problem("target_pct", "The compliance target must be a whole number from 1 to 100")
	}
	return v.Err()
}

func checkRange(v *ValidationError, field string, n, lo, hi int) {
	if n < lo || n > hi {
		v.Problem(field, "The %s must be a whole number from %d to %d", Label(field), lo, hi)
	}
}

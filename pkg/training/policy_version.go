package training

import (
	"fmt"
	"slices"
	"strconv"
	"strings"
	"time"
)

// CourseVersion is one change of a course's policy, kept for ever: the
// course as it was before and after, who saved it and when. The new policy
// is in force from the instant it was saved, so a report for a day before
// then is worked out under Before (see PolicyAt).
type CourseVersion struct {
	// ID is "<course>/<saved at, Unix nanoseconds, 20 digits>": a course's
	// versions sort by ID in the order they were saved.
	ID         string
	CourseCode string
	At         time.Time
	// By is the person ID of who saved it.
	By            string
	Before, After Course
}

// CourseVersionID names the version of a course saved at instant at.
func CourseVersionID(code string, at time.Time) string {
	return fmt.Sprintf("%s/%020d", code, at.UnixNano())
}

// PolicyChange is one policy field a version changed, in words.
type PolicyChange struct {
	Field         string // the API's name, e.g. "validity_months"
	Label         string // "Valid for"
	Before, After string // "36 months"
}

// policyField is one field of the policy, named and written in words.
type policyField struct {
	field, label string
	words        func(Course) string
}

func plural(n int, one, many string) string {
	if n == 1 {
		return "1 " + one
	}
	return strconv.Itoa(n) + " " + many
}

// policyFields are the fields whose change makes a new version: what
// decides a person's status (and the target the dashboard measures it
// against). Title, provider, address and delivery are not policy.
var policyFields = []policyField{
	{"applies_to", "Applies to", func(c Course) string { return AppliesToWords(c.AppliesTo) }},
	{"new_starter_days", "Days a new starter has", func(c Course) string { return plural(c.NewStarterDays, "day", "days") }},
	{"validity_months", "Valid for", func(c Course) string {
		if c.ValidityMonths == 0 {
			return "never expires"
		}
		return plural(c.ValidityMonths, "month", "months")
	}},
	{"due_soon_days", "Shown as expiring", func(c Course) string { return plural(c.DueSoonDays, "day", "days") + " before expiry" }},
	{"renew_window_days", "Renewal window", func(c Course) string { return plural(c.RenewWindowDays, "day", "days") + " before expiry" }},
	{"expiry_basis", "Expiry runs from", func(c Course) string {
		if c.ExpiryBasis == ExpiryFromPreviousExpiry {
			return "the previous expiry, for a renewal in the window"
		}
		return "the completion date"
	}},
	{"effective_from", "In force since", func(c Course) string { return c.EffectiveFrom.String() }},
	{"evidence", "Evidence", func(c Course) string {
		if c.Evidence == EvidenceCertificate {
			return "a certificate file"
		}
		return "none needed"
	}},
	{"verification", "Verified by", func(c Course) string {
		switch c.Verification {
		case VerificationManager:
			return "the line manager or HR"
		case VerificationHR:
			return "HR"
		}
		return "nobody: it counts at once"
	}},
	{"target_pct", "Compliance target", func(c Course) string { return strconv.Itoa(c.Target()) + "%" }},
}

// kindWords names a kind of person as a group, in plain words.
var kindWords = map[Kind]string{KindStaff: "staff", KindMember: "elected Members", KindContractor: "contractors", KindVolunteer: "volunteers"}

// AppliesToWords says who a course applies to: "staff, elected Members in
// Housing with job title Officer".
func AppliesToWords(a AppliesTo) string {
	kinds := make([]string, len(a.Kinds))
	for i, k := range a.Kinds {
		kinds[i] = kindWords[k]
		if kinds[i] == "" {
			kinds[i] = string(k)
		}
	}
	s := strings.Join(kinds, ", ")
	if len(a.Departments) > 0 {
		s += " in " + strings.Join(a.Departments, ", ")
	}
	if len(a.JobTitles) > 0 {
		s += " with job title " + strings.Join(a.JobTitles, ", ")
	}
	return s
}

// PolicyChanges lists the policy fields that differ between two versions
// of a course, in the order the course page shows them. None: the change
// touched only what is not policy (the title, say).
func PolicyChanges(before, after Course) []PolicyChange {
	var out []PolicyChange
	for _, f := range policyFields {
		b, a := f.words(before), f.words(after)
		if f.field == "applies_to" {
			// Order and case of the lists do not change who it applies to.
			b, a = AppliesToWords(normalAppliesTo(before.AppliesTo)), AppliesToWords(normalAppliesTo(after.AppliesTo))
		}
		if b != a {
			out = append(out, PolicyChange{Field: f.field, Label: f.label, Before: f.words(before), After: f.words(after)})
		}
	}
	return out
}

func normalAppliesTo(a AppliesTo) AppliesTo {
	low := func(in []string) []string {
		out := make([]string, len(in))
		for i, s := range in {
			out[i] = strings.ToLower(s)
		}
		slices.Sort(out)
		return slices.Compact(out)
	}
	kinds := slices.Clone(a.Kinds)
	slices.Sort(kinds)
	return AppliesTo{Kinds: slices.Compact(kinds), Departments: low(a.Departments), JobTitles: low(a.JobTitles)}
}

// PolicyAt returns the course as its policy stood at instant t, and a key
// naming that policy (for caching what was worked out under it). versions
// are the course's versions, oldest first; current is the course now. The
// policy at t is the After of the last version saved on or before t; before
// the first version it is that version's Before; with no versions it is
// the current course (it has not changed since versions were kept).
func PolicyAt(current Course, versions []CourseVersion, t time.Time) (Course, string) {
	if len(versions) == 0 {
		return current, "current"
	}
	i, _ := slices.BinarySearchFunc(versions, t, func(v CourseVersion, t time.Time) int {
		if v.At.After(t) {
			return 1
		}
		return -1
	})
	if i == 0 {
		return versions[0].Before, "before " + versions[0].ID
	}
	return versions[i-1].After, versions[i-1].ID
}

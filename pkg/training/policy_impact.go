package training

// PolicyVersion is a course version as the course page lists it.
type PolicyVersion struct {
	Version CourseVersion
	// EffectiveOn is the day it was saved, in the organisation's zone:
	// reports for that day and after use it.
	EffectiveOn Date
	// ByName is who saved it; empty when they are no longer on record.
	ByName  string
	Changes []PolicyChange
}

// PolicyImpact is what a policy change would do today, worked out by
// evaluating everyone under both policies.
type PolicyImpact struct {
	Course  Course // the policy as it would be
	Changes []PolicyChange
	Today   Date
	// Before and After are everyone's counts under each policy.
	Before, After Tally
	// NewlyBehind counts people who would be overdue or expired and are
	// not now; NoLongerBehind the other way round.
	NewlyBehind, NoLongerBehind int
	// NewlyRequired and NoLongerRequired count people the course would
	// start or stop applying to.
	NewlyRequired, NoLongerRequired int
}

// Add counts one person's assessment under the current policy (now) and
// the changed one (then).
func (p *PolicyImpact) Add(now, then Assessment) {
	p.Before.Add(now)
	p.After.Add(then)
	switch behindNow, behindThen := now.Behind(), then.Behind(); {
	case behindThen && !behindNow:
		p.NewlyBehind++
	case behindNow && !behindThen:
		p.NoLongerBehind++
	}
	switch {
	case then.Applicable && !now.Applicable:
		p.NewlyRequired++
	case now.Applicable && !then.Applicable:
		p.NoLongerRequired++
	}
}

// Behind reports whether the assessment is one of the non-compliant
// statuses: overdue or expired.
func (a Assessment) Behind() bool {
	return a.Applicable && (a.Status == StatusOverdue || a.Status == StatusExpired)
}

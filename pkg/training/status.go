package training

import (
	"cmp"
	"fmt"
	"math"
	"slices"
	"strings"
	"time"
)

// Status is where one person stands with one course on one day.
type Status string

const (
	// StatusCompliant: a valid accepted completion that expires more than
	// due_soon_days away, or never.
	StatusCompliant Status = "compliant"
	// StatusExpiring: valid, but it expires within due_soon_days.
	StatusExpiring Status = "expiring"
	// StatusExpired: they had an accepted completion and today is after its expiry.
	StatusExpired Status = "expired"
	// StatusDue: never completed, and today is on or before the due date
	// (new starters in their window).
	StatusDue Status = "due"
	// StatusOverdue: never completed, and today is after the due date.
	StatusOverdue Status = "overdue"
	// StatusExempt: an exemption is in force. It takes precedence over the rest.
	StatusExempt Status = "exempt"
)

// Statuses lists every Status in display order.
var Statuses = []Status{StatusCompliant, StatusExpiring, StatusExpired, StatusDue, StatusOverdue, StatusExempt}

// Valid reports whether s is one of Statuses.
func (s Status) Valid() bool { return slices.Contains(Statuses, s) }

// Assessment is the outcome for one person and one course on one day.
type Assessment struct {
	CourseCode string
	// Applicable is false for a leaver and for a person the course does not
	// apply to (kind, department or job title). A person who has not started
	// yet, or for whom the policy is not effective yet, is applicable: they
	// are shown as due, with the due date their window will end on.
	Applicable bool
	// NotApplicableReason says why in plain English when !Applicable.
	NotApplicableReason string
	// Status is set when Applicable.
	Status Status
	// DueOn is the first-completion due date when there is no counting
	// completion, else the renewal due date (= ExpiresOn; zero when the
	// completion never expires). For an exempt person it is the date that
	// would apply without the exemption, so the page can say what happens
	// when it ends.
	DueOn Date
	// ExpiresOn is the expiry of the counting completion (valid through it,
	// inclusive); zero if there is none or it never expires.
	ExpiresOn Date
	// LastCompleted is the accepted completion that counts (nil if none).
	LastCompleted *Completion
	// PendingCompletion: a completion (dated on or before today) awaits
	// verification. It does not count until it is accepted.
	PendingCompletion bool
	// Exemption is the exemption in force, when Status == StatusExempt.
	Exemption *Exemption
	// Explanation holds one plain-English sentence per computed date, e.g.
	// "due 2026-02-01 = start date 2026-01-04 + 28 days".
	Explanation []string
}

// Evaluate works out one person's status for one course on day today, using
// only the completions and exemptions known at instant asOf (zero asOf means
// now: everything recorded so far counts). completions and exemptions may
// include other courses' and other people's records; Evaluate ignores those.
//
// today is a calendar date in the organisation's zone (see Today). A
// completion dated after today does not count, so a report for a past day
// never counts training done later, even when asOf is now.
func Evaluate(p Person, c Course, completions []Completion, exemptions []Exemption, today Date, asOf time.Time) Assessment {
	a := Assessment{CourseCode: c.Code}
	if p.IsLeaver(today) {
		a.NotApplicableReason = fmt.Sprintf("left on %s", p.EndDate)
		return a
	}
	if !c.Applies(p) {
		a.NotApplicableReason = notApplicableReason(p, c)
		return a
	}
	a.Applicable = true

	accepted, pending := usableCompletions(p, c, completions, today, asOf)
	a.PendingCompletion = pending

	if len(accepted) == 0 {
		a.DueOn, a.Explanation = firstDueDate(p, c, today)
		a.Status = StatusOverdue
		if !today.After(a.DueOn) {
			a.Status = StatusDue
		}
	} else {
		r := countingRecord(c, accepted)
		a.LastCompleted = r.completion
		a.ExpiresOn = r.expires
		a.DueOn = r.expires
		a.Explanation = []string{r.why}
		switch {
		case r.expires.IsZero(): // never expires
			a.Status = StatusCompliant
		case today.After(r.expires):
			a.Status = StatusExpired
		case !today.Before(r.expires.AddDays(-c.DueSoonDays)):
			a.Status = StatusExpiring
		default:
			a.Status = StatusCompliant
		}
	}

	// An exemption overrides the status, but the dates above are kept (and
	// explained) so that HR can see where the person will stand when it ends.
	if e := exemptionInForce(p, c, exemptions, today, asOf); e != nil {
		a.Status = StatusExempt
		a.Exemption = e
		if e.Until.IsZero() {
			a.Explanation = append(a.Explanation, fmt.Sprintf("exempt with no end date: %s", e.Reason))
		} else {
			a.Explanation = append(a.Explanation, fmt.Sprintf("exempt until %s: %s", e.Until, e.Reason))
		}
	}
	return a
}

// notApplicableReason says in plain English why c does not apply to p. It is
// only called when c.Applies(p) is false.
func notApplicableReason(p Person, c Course) string {
	if !slices.Contains(c.AppliesTo.Kinds, p.Kind) {
		kinds := make([]string, len(c.AppliesTo.Kinds))
		for i, k := range c.AppliesTo.Kinds {
			kinds[i] = string(k)
		}
		return fmt.Sprintf("the course applies only to the kinds %s; this person's kind is %s", orList(kinds), orNone(string(p.Kind), "not recorded"))
	}
	if len(c.AppliesTo.Departments) > 0 && !containsFold(c.AppliesTo.Departments, p.Department) {
		return fmt.Sprintf("the course applies only to the departments %s; this person is in %s",
			orList(c.AppliesTo.Departments), orNone(p.Department, "no department"))
	}
	return fmt.Sprintf("the course applies only to the job titles %s; this person's job title is %s",
		orList(c.AppliesTo.JobTitles), orNone(p.JobTitle, "not recorded"))
}

func orList(items []string) string { return strings.Join(items, ", ") }

func orNone(s, none string) string {
	if s == "" {
		return none
	}
	return s
}

// usableCompletions returns p's accepted completions of c that were known at
// asOf and dated on or before today, sorted by date (oldest first), and
// whether one such completion is pending verification. Completions with no
// date are bad data and are skipped rather than guessed at.
func usableCompletions(p Person, c Course, completions []Completion, today Date, asOf time.Time) (accepted []*Completion, pending bool) {
	for i := range completions {
		x := &completions[i]
		if x.PersonID != p.ID || x.CourseCode != c.Code || x.CompletedOn.IsZero() || x.CompletedOn.After(today) {
			continue
		}
		state, known := x.StateAt(asOf)
		switch {
		case !known:
		case state == StateAccepted:
			accepted = append(accepted, x)
		case state == StatePending:
			pending = true
		}
	}
	// Date order drives the previous_expiry chain; ties are broken by when
	// they were recorded, then by ID, so the result never depends on the
	// order the store returned them in.
	slices.SortStableFunc(accepted, func(x, y *Completion) int {
		return cmp.Or(x.CompletedOn.Compare(y.CompletedOn), x.RecordedAt.Compare(y.RecordedAt), strings.Compare(x.ID, y.ID))
	})
	return accepted, pending
}

// firstDueDate is the due date of a first completion, with its explanation:
// max(start date, effective from) + new_starter_days.
func firstDueDate(p Person, c Course, today Date) (Date, []string) {
	var due Date
	var why string
	if c.EffectiveFrom.After(p.StartDate) {
		due = c.EffectiveFrom.AddDays(c.NewStarterDays)
		why = fmt.Sprintf("due %s = policy effective from %s + %d days (started before the policy)", due, c.EffectiveFrom, c.NewStarterDays)
	} else {
		due = p.StartDate.AddDays(c.NewStarterDays)
		why = fmt.Sprintf("due %s = start date %s + %d days", due, p.StartDate, c.NewStarterDays)
		if p.StartDate.After(today) {
			why += " (not started yet)"
		}
	}
	return due, []string{why}
}

// record is one accepted completion with the expiry it gives and why.
type record struct {
	completion *Completion
	expires    Date // zero: never expires
	why        string
}

// countingRecord returns the accepted completion giving the latest expiry
// (on a tie, the most recent one). accepted must be non-empty and in date
// order.
//
// Under the previous_expiry basis "the previous expiry" is the latest expiry
// reached so far by earlier completions: the date the person's training was
// good until when they renewed. With ordinary data this is simply the
// previous completion's expiry.
func countingRecord(c Course, accepted []*Completion) record {
	if c.ValidityMonths == 0 {
		// Nothing expires, so every completion is as good as another: the
		// latest is the one to show.
		last := accepted[len(accepted)-1]
		return record{completion: last, why: "never expires (validity 0 months)"}
	}
	var best record
	for _, x := range accepted {
		r := expiryOf(c, x, best.expires)
		if best.completion == nil || !r.expires.Before(best.expires) {
			best = r
		}
	}
	return best
}

// expiryOf works out x's expiry given the latest expiry before it (zero if
// x is the first). ValidityMonths must be more than 0.
func expiryOf(c Course, x *Completion, previous Date) record {
	d := x.CompletedOn
	if c.ExpiryBasis == ExpiryFromPreviousExpiry && !previous.IsZero() {
		windowOpens := previous.AddDays(-c.RenewWindowDays)
		switch {
		case !d.Before(windowOpens) && !d.After(previous):
			e := previous.AddMonths(c.ValidityMonths)
			return record{x, e, fmt.Sprintf("expires %s = previous expiry %s + %d months (renewed inside the %d-day window)%s",
				e, previous, c.ValidityMonths, c.RenewWindowDays, clampNote(previous, e))}
		case d.After(previous):
			e := d.AddMonths(c.ValidityMonths)
			return record{x, e, fmt.Sprintf("expires %s = completed %s + %d months (the previous completion had expired on %s)%s",
				e, d, c.ValidityMonths, previous, clampNote(d, e))}
		default:
			e := d.AddMonths(c.ValidityMonths)
			return record{x, e, fmt.Sprintf("expires %s = completed %s + %d months (completed before the %d-day renewal window opened on %s)%s",
				e, d, c.ValidityMonths, c.RenewWindowDays, windowOpens, clampNote(d, e))}
		}
	}
	e := d.AddMonths(c.ValidityMonths)
	return record{x, e, fmt.Sprintf("expires %s = completed %s + %d months%s", e, d, c.ValidityMonths, clampNote(d, e))}
}

// clampNote explains a result that AddMonths moved back to the month's end,
// so nobody thinks a day was lost by mistake.
func clampNote(from, to Date) string {
	if to.Day() != from.Day() {
		return " (clamped to the end of the month)"
	}
	return ""
}

// exemptionInForce returns p's exemption from c in force on today as known at
// asOf. When several are, it returns the one lasting longest (no end date
// beats any end date), so the page shows the one that matters.
func exemptionInForce(p Person, c Course, exemptions []Exemption, today Date, asOf time.Time) *Exemption {
	var best *Exemption
	for i := range exemptions {
		e := &exemptions[i]
		if e.PersonID != p.ID || e.CourseCode != c.Code || !e.InForce(today, asOf) {
			continue
		}
		if best == nil || lastsLonger(e, best) {
			best = e
		}
	}
	return best
}

func lastsLonger(e, than *Exemption) bool {
	if than.Until.IsZero() {
		return false
	}
	return e.Until.IsZero() || e.Until.After(than.Until)
}

// Tally counts assessments for a report.
type Tally struct {
	// Applicable counts every applicable assessment, exempt and due included.
	Applicable int
	Exempt     int
	Compliant  int
	Expiring   int
	Due        int
	Overdue    int
	Expired    int
}

// Add counts one assessment. Assessments that are not applicable are ignored.
func (t *Tally) Add(a Assessment) {
	if !a.Applicable {
		return
	}
	t.Applicable++
	switch a.Status {
	case StatusExempt:
		t.Exempt++
	case StatusCompliant:
		t.Compliant++
	case StatusExpiring:
		t.Expiring++
	case StatusDue:
		t.Due++
	case StatusOverdue:
		t.Overdue++
	case StatusExpired:
		t.Expired++
	}
}

// Required counts the people who must hold the course: the applicable
// ones who are not exempt. It is the denominator of Pct, and what a report
// calls "Required"; Exempt is shown beside it, and Required + Exempt =
// Applicable.
func (t Tally) Required() int { return t.Applicable - t.Exempt }

// UpToDate counts the people who hold the course now: compliant or
// expiring. It is the numerator of Pct.
func (t Tally) UpToDate() int { return t.Compliant + t.Expiring }

// Pct is the compliance percentage, rounded to one decimal place:
// (compliant + expiring) / (applicable - exempt) * 100. New starters still in
// their window (due) stay in the denominator, as docs/domain-rules.md says; the
// report shows them apart.
//
// When nobody is required to hold the course (no applicable people, or all of
// them exempt) it is 100: no one is missing training, and a report should not
// show a zero, which reads as a failure.
func (t Tally) Pct() float64 {
	required := t.Required()
	if required <= 0 {
		return 100
	}
	return math.Round(float64(t.UpToDate())*1000/float64(required)) / 10
}

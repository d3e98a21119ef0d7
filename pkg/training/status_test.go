package training_test

import (
	"reflect"
	"strings"
	"testing"
	"time"

	"github.com/complytrack/complytrack/pkg/training"
)

// The people and records in these tests: person p1, course PREVENT (from
// validCourse: 28 days for new starters, 36 months, expiring 30 days before,
// 60-day renew window, effective from 2015-07-01, expiry from completion).

var recordedAt = time.Date(2000, 1, 1, 0, 0, 0, 0, time.UTC)

// done is an accepted completion of PREVENT by p1 on the given day.
func done(id, on string) training.Completion {
	return training.Completion{ID: id, PersonID: "p1", CourseCode: "PREVENT", CompletedOn: d(on), RecordedAt: recordedAt}
}

func withPerson(id string, c training.Completion) training.Completion { c.PersonID = id; return c }
func withCourse(code string, c training.Completion) training.Completion {
	c.CourseCode = code
	return c
}

func pending(c training.Completion) training.Completion { c.NeedsVerification = true; return c }

func reviewed(ok bool, at time.Time, c training.Completion) training.Completion {
	c.NeedsVerification = true
	c.Review = &training.Review{Decision: training.Decision{By: "hr1", At: at}, Accepted: ok}
	return c
}

func revoked(at time.Time, c training.Completion) training.Completion {
	c.Revocation = &training.Decision{By: "hr1", At: at, Reason: "wrong person"}
	return c
}

func exemption(id, until string) training.Exemption {
	e := training.Exemption{ID: id, PersonID: "p1", CourseCode: "PREVENT", Reason: "long-term sick leave", CreatedAt: recordedAt}
	if until != "" {
		e.Until = d(until)
	}
	return e
}

// outcome is the part of an Assessment a test compares: the completion and
// exemption are named by ID.
type outcome struct {
	Applicable  bool
	Status      training.Status
	DueOn       string
	ExpiresOn   string
	Last        string
	Pending     bool
	Exemption   string
	Explanation []string
}

func outcomeOf(a training.Assessment) outcome {
	o := outcome{
		Applicable:  a.Applicable,
		Status:      a.Status,
		DueOn:       a.DueOn.String(),
		ExpiresOn:   a.ExpiresOn.String(),
		Pending:     a.PendingCompletion,
		Explanation: a.Explanation,
	}
	if a.LastCompleted != nil {
		o.Last = a.LastCompleted.ID
	}
	if a.Exemption != nil {
		o.Exemption = a.Exemption.ID
	}
	return o
}

func TestEvaluate(t *testing.T) {
	previousExpiry := func(c *training.Course) { c.ExpiryBasis = training.ExpiryFromPreviousExpiry }
	removedAt := time.Date(2026, 2, 1, 12, 0, 0, 0, time.UTC)
	reviewAt := time.Date(2026, 3, 2, 12, 0, 0, 0, time.UTC)
	revokeAt := time.Date(2026, 4, 1, 12, 0, 0, 0, time.UTC)

	tests := []struct {
		name        string
		person      func(*training.Person) // nil: validPerson as it is
		course      func(*training.Course) // nil: validCourse as it is
		completions []training.Completion
		exemptions  []training.Exemption
		today       string
		asOf        time.Time
		want        outcome
		wantReason  string // for !Applicable: a phrase NotApplicableReason must contain
	}{
		// New starters.
		{
			name:   "new starter inside the window",
			person: func(p *training.Person) { p.StartDate = d("2026-01-04") },
			today:  "2026-01-20",
			want:   outcome{Applicable: true, Status: training.StatusDue, DueOn: "2026-02-01", Explanation: []string{"due 2026-02-01 = start date 2026-01-04 + 28 days"}},
		},
		{
			name:   "new starter on the due date is still due",
			person: func(p *training.Person) { p.StartDate = d("2026-01-04") },
			today:  "2026-02-01",
			want:   outcome{Applicable: true, Status: training.StatusDue, DueOn: "2026-02-01", Explanation: []string{"due 2026-02-01 = start date 2026-01-04 + 28 days"}},
		},
		{
			name:   "new starter the day after the due date is overdue",
			person: func(p *training.Person) { p.StartDate = d("2026-01-04") },
			today:  "2026-02-02",
			want:   outcome{Applicable: true, Status: training.StatusOverdue, DueOn: "2026-02-01", Explanation: []string{"due 2026-02-01 = start date 2026-01-04 + 28 days"}},
		},
		{
			name:        "new starter who completed in the window",
			person:      func(p *training.Person) { p.StartDate = d("2026-01-04") },
			completions: []training.Completion{done("c1", "2026-01-15")},
			today:       "2026-01-20",
			want:        outcome{Applicable: true, Status: training.StatusCompliant, DueOn: "2029-01-15", ExpiresOn: "2029-01-15", Last: "c1", Explanation: []string{"expires 2029-01-15 = completed 2026-01-15 + 36 months"}},
		},
		{
			name:   "start date in the future: due, with the due date their window will end on",
			person: func(p *training.Person) { p.StartDate = d("2026-05-01") },
			today:  "2026-04-20",
			want:   outcome{Applicable: true, Status: training.StatusDue, DueOn: "2026-05-29", Explanation: []string{"due 2026-05-29 = start date 2026-05-01 + 28 days (not started yet)"}},
		},
		{
			name:        "start date in the future, completed before starting",
			person:      func(p *training.Person) { p.StartDate = d("2026-05-01") },
			completions: []training.Completion{done("c1", "2026-04-10")},
			today:       "2026-04-20",
			want:        outcome{Applicable: true, Status: training.StatusCompliant, DueOn: "2029-04-10", ExpiresOn: "2029-04-10", Last: "c1", Explanation: []string{"expires 2029-04-10 = completed 2026-04-10 + 36 months"}},
		},
		{
			name:   "started before the policy: due from effective_from",
			person: func(p *training.Person) { p.StartDate = d("2010-03-01") },
			today:  "2015-07-20",
			want:   outcome{Applicable: true, Status: training.StatusDue, DueOn: "2015-07-29", Explanation: []string{"due 2015-07-29 = policy effective from 2015-07-01 + 28 days (started before the policy)"}},
		},
		{
			name:   "started before the policy, policy not in force yet: due",
			person: func(p *training.Person) { p.StartDate = d("2010-03-01") },
			today:  "2015-06-01",
			want:   outcome{Applicable: true, Status: training.StatusDue, DueOn: "2015-07-29", Explanation: []string{"due 2015-07-29 = policy effective from 2015-07-01 + 28 days (started before the policy)"}},
		},
		{
			name:   "started before the policy, never did it: overdue",
			person: func(p *training.Person) { p.StartDate = d("2010-03-01") },
			today:  "2015-07-30",
			want:   outcome{Applicable: true, Status: training.StatusOverdue, DueOn: "2015-07-29", Explanation: []string{"due 2015-07-29 = policy effective from 2015-07-01 + 28 days (started before the policy)"}},
		},
		{
			name:   "started on the day the policy took effect",
			person: func(p *training.Person) { p.StartDate = d("2015-07-01") },
			today:  "2015-07-02",
			want:   outcome{Applicable: true, Status: training.StatusDue, DueOn: "2015-07-29", Explanation: []string{"due 2015-07-29 = start date 2015-07-01 + 28 days"}},
		},

		// Leavers and people the course does not apply to.
		{
			name:       "leaver: end date before today",
			person:     func(p *training.Person) { p.EndDate = d("2026-03-31") },
			today:      "2026-04-01",
			want:       outcome{},
			wantReason: "left on 2026-03-31",
		},
		{
			name:   "leaver on their last day is still applicable",
			person: func(p *training.Person) { p.EndDate = d("2026-03-31") },
			today:  "2026-03-31",
			want:   outcome{Applicable: true, Status: training.StatusOverdue, DueOn: "2020-02-03", Explanation: []string{"due 2020-02-03 = start date 2020-01-06 + 28 days"}},
		},
		{
			name:       "not for this kind of person",
			person:     func(p *training.Person) { p.Kind = training.KindContractor },
			today:      "2026-03-31",
			want:       outcome{},
			wantReason: "the course applies only to the kinds staff, member; this person's kind is contractor",
		},
		{
			name:   "not for this department",
			person: func(p *training.Person) { p.Department = "Finance" },
			course: func(c *training.Course) {
				c.AppliesTo.Departments = []string{"Children's Services", "Adult Social Care"}
			},
			today:      "2026-03-31",
			want:       outcome{},
			wantReason: "the departments Children's Services, Adult Social Care; this person is in Finance",
		},
		{
			name:       "not for someone with no department when departments are listed",
			person:     func(p *training.Person) { p.Department = "" },
			course:     func(c *training.Course) { c.AppliesTo.Departments = []string{"Children's Services"} },
			today:      "2026-03-31",
			want:       outcome{},
			wantReason: "this person is in no department",
		},
		{
			name:       "not for this job title",
			person:     func(p *training.Person) { p.JobTitle = "Accountant" },
			course:     func(c *training.Course) { c.AppliesTo.JobTitles = []string{"Social Worker"} },
			today:      "2026-03-31",
			want:       outcome{},
			wantReason: "the job titles Social Worker; this person's job title is Accountant",
		},
		{
			name:   "department and job title match without regard to case",
			person: func(p *training.Person) { p.Department = "children's services"; p.JobTitle = "SOCIAL WORKER" },
			course: func(c *training.Course) {
				c.AppliesTo.Departments = []string{"Children's Services"}
				c.AppliesTo.JobTitles = []string{"Social Worker"}
			},
			completions: []training.Completion{done("c1", "2026-01-15")},
			today:       "2026-03-31",
			want:        outcome{Applicable: true, Status: training.StatusCompliant, DueOn: "2029-01-15", ExpiresOn: "2029-01-15", Last: "c1", Explanation: []string{"expires 2029-01-15 = completed 2026-01-15 + 36 months"}},
		},

		// Exemptions.
		{
			name:       "exemption with no end date",
			exemptions: []training.Exemption{exemption("e1", "")},
			today:      "2026-03-31",
			want: outcome{Applicable: true, Status: training.StatusExempt, DueOn: "2020-02-03", Exemption: "e1", Explanation: []string{
				"due 2020-02-03 = start date 2020-01-06 + 28 days",
				"exempt with no end date: long-term sick leave",
			}},
		},
		{
			name:        "exemption on its end date, over a valid completion",
			completions: []training.Completion{done("c1", "2026-01-15")},
			exemptions:  []training.Exemption{exemption("e1", "2026-06-30")},
			today:       "2026-06-30",
			want: outcome{Applicable: true, Status: training.StatusExempt, DueOn: "2029-01-15", ExpiresOn: "2029-01-15", Last: "c1", Exemption: "e1", Explanation: []string{
				"expires 2029-01-15 = completed 2026-01-15 + 36 months",
				"exempt until 2026-06-30: long-term sick leave",
			}},
		},
		{
			name:       "exemption after its end date",
			exemptions: []training.Exemption{exemption("e1", "2026-06-30")},
			today:      "2026-07-01",
			want:       outcome{Applicable: true, Status: training.StatusOverdue, DueOn: "2020-02-03", Explanation: []string{"due 2020-02-03 = start date 2020-01-06 + 28 days"}},
		},
		{
			name: "exemption removed",
			exemptions: []training.Exemption{func() training.Exemption {
				e := exemption("e1", "")
				e.Removal = &training.Decision{By: "hr1", At: removedAt, Reason: "back at work"}
				return e
			}()},
			today: "2026-03-31",
			want:  outcome{Applicable: true, Status: training.StatusOverdue, DueOn: "2020-02-03", Explanation: []string{"due 2020-02-03 = start date 2020-01-06 + 28 days"}},
		},
		{
			name: "exemption removed, as known before the removal",
			exemptions: []training.Exemption{func() training.Exemption {
				e := exemption("e1", "")
				e.Removal = &training.Decision{By: "hr1", At: removedAt, Reason: "back at work"}
				return e
			}()},
			today: "2026-01-31",
			asOf:  removedAt.Add(-time.Hour),
			want: outcome{Applicable: true, Status: training.StatusExempt, DueOn: "2020-02-03", Exemption: "e1", Explanation: []string{
				"due 2020-02-03 = start date 2020-01-06 + 28 days",
				"exempt with no end date: long-term sick leave",
			}},
		},
		{
			name: "of two exemptions in force, the longer one is shown",
			exemptions: []training.Exemption{
				exemption("short", "2026-06-30"), exemption("long", "2027-01-01"), exemption("earlier", "2026-04-30"),
			},
			today: "2026-03-31",
			want: outcome{Applicable: true, Status: training.StatusExempt, DueOn: "2020-02-03", Exemption: "long", Explanation: []string{
				"due 2020-02-03 = start date 2020-01-06 + 28 days",
				"exempt until 2027-01-01: long-term sick leave",
			}},
		},
		{
			name: "other people's and other courses' exemptions are ignored",
			exemptions: []training.Exemption{
				func() training.Exemption { e := exemption("e1", ""); e.PersonID = "p2"; return e }(),
				func() training.Exemption { e := exemption("e2", ""); e.CourseCode = "WRAP"; return e }(),
			},
			today: "2026-03-31",
			want:  outcome{Applicable: true, Status: training.StatusOverdue, DueOn: "2020-02-03", Explanation: []string{"due 2020-02-03 = start date 2020-01-06 + 28 days"}},
		},

		// Validity, expiry and renewal.
		{
			name:        "validity 0 months never expires",
			course:      func(c *training.Course) { c.ValidityMonths = 0 },
			completions: []training.Completion{done("c1", "2016-01-01"), done("c2", "2018-05-01")},
			today:       "2099-12-31",
			want:        outcome{Applicable: true, Status: training.StatusCompliant, Last: "c2", Explanation: []string{"never expires (validity 0 months)"}},
		},
		{
			name:        "completed today counts",
			completions: []training.Completion{done("c1", "2026-03-31")},
			today:       "2026-03-31",
			want:        outcome{Applicable: true, Status: training.StatusCompliant, DueOn: "2029-03-31", ExpiresOn: "2029-03-31", Last: "c1", Explanation: []string{"expires 2029-03-31 = completed 2026-03-31 + 36 months"}},
		},
		{
			name:        "compliant the day before the due-soon period",
			completions: []training.Completion{done("c1", "2026-03-31")},
			today:       "2029-02-28",
			want:        outcome{Applicable: true, Status: training.StatusCompliant, DueOn: "2029-03-31", ExpiresOn: "2029-03-31", Last: "c1", Explanation: []string{"expires 2029-03-31 = completed 2026-03-31 + 36 months"}},
		},
		{
			name:        "expiring exactly due_soon_days before expiry",
			completions: []training.Completion{done("c1", "2026-03-31")},
			today:       "2029-03-01", // 2029-03-31 - 30 days
			want:        outcome{Applicable: true, Status: training.StatusExpiring, DueOn: "2029-03-31", ExpiresOn: "2029-03-31", Last: "c1", Explanation: []string{"expires 2029-03-31 = completed 2026-03-31 + 36 months"}},
		},
		{
			name:        "valid on the expiry date itself",
			completions: []training.Completion{done("c1", "2026-03-31")},
			today:       "2029-03-31",
			want:        outcome{Applicable: true, Status: training.StatusExpiring, DueOn: "2029-03-31", ExpiresOn: "2029-03-31", Last: "c1", Explanation: []string{"expires 2029-03-31 = completed 2026-03-31 + 36 months"}},
		},
		{
			name:        "expired the day after expiry",
			completions: []training.Completion{done("c1", "2026-03-31")},
			today:       "2029-04-01",
			want:        outcome{Applicable: true, Status: training.StatusExpired, DueOn: "2029-03-31", ExpiresOn: "2029-03-31", Last: "c1", Explanation: []string{"expires 2029-03-31 = completed 2026-03-31 + 36 months"}},
		},
		{
			name:        "due_soon_days 0: expiring only on the expiry date",
			course:      func(c *training.Course) { c.DueSoonDays = 0 },
			completions: []training.Completion{done("c1", "2026-03-31")},
			today:       "2029-03-30",
			want:        outcome{Applicable: true, Status: training.StatusCompliant, DueOn: "2029-03-31", ExpiresOn: "2029-03-31", Last: "c1", Explanation: []string{"expires 2029-03-31 = completed 2026-03-31 + 36 months"}},
		},
		{
			name:        "completion basis: a renewal inside the window runs from its own date",
			completions: []training.Completion{done("c2", "2026-05-15"), done("c1", "2023-06-30")},
			today:       "2026-05-20",
			want:        outcome{Applicable: true, Status: training.StatusCompliant, DueOn: "2029-05-15", ExpiresOn: "2029-05-15", Last: "c2", Explanation: []string{"expires 2029-05-15 = completed 2026-05-15 + 36 months"}},
		},
		{
			name:        "previous_expiry basis: a renewal inside the window runs from the old expiry",
			course:      previousExpiry,
			completions: []training.Completion{done("c2", "2026-05-15"), done("c1", "2023-06-30")},
			today:       "2026-05-20",
			want:        outcome{Applicable: true, Status: training.StatusCompliant, DueOn: "2029-06-30", ExpiresOn: "2029-06-30", Last: "c2", Explanation: []string{"expires 2029-06-30 = previous expiry 2026-06-30 + 36 months (renewed inside the 60-day window)"}},
		},
		{
			name:        "previous_expiry basis: renewal on the first day of the window",
			course:      previousExpiry,
			completions: []training.Completion{done("c1", "2023-06-30"), done("c2", "2026-05-01")}, // 2026-06-30 - 60 days
			today:       "2026-05-20",
			want:        outcome{Applicable: true, Status: training.StatusCompliant, DueOn: "2029-06-30", ExpiresOn: "2029-06-30", Last: "c2", Explanation: []string{"expires 2029-06-30 = previous expiry 2026-06-30 + 36 months (renewed inside the 60-day window)"}},
		},
		{
			name:        "previous_expiry basis: renewal on the expiry date itself",
			course:      previousExpiry,
			completions: []training.Completion{done("c1", "2023-06-30"), done("c2", "2026-06-30")},
			today:       "2026-07-01",
			want:        outcome{Applicable: true, Status: training.StatusCompliant, DueOn: "2029-06-30", ExpiresOn: "2029-06-30", Last: "c2", Explanation: []string{"expires 2029-06-30 = previous expiry 2026-06-30 + 36 months (renewed inside the 60-day window)"}},
		},
		{
			name:        "previous_expiry basis: early completion outside the window runs from its own date",
			course:      previousExpiry,
			completions: []training.Completion{done("c1", "2023-06-30"), done("c2", "2026-04-30")}, // the window opens 2026-05-01
			today:       "2026-05-20",
			want:        outcome{Applicable: true, Status: training.StatusCompliant, DueOn: "2029-04-30", ExpiresOn: "2029-04-30", Last: "c2", Explanation: []string{"expires 2029-04-30 = completed 2026-04-30 + 36 months (completed before the 60-day renewal window opened on 2026-05-01)"}},
		},
		{
			name:        "previous_expiry basis: completion after the old one lapsed runs from its own date",
			course:      previousExpiry,
			completions: []training.Completion{done("c1", "2023-06-30"), done("c2", "2026-07-10")},
			today:       "2026-07-20",
			want:        outcome{Applicable: true, Status: training.StatusCompliant, DueOn: "2029-07-10", ExpiresOn: "2029-07-10", Last: "c2", Explanation: []string{"expires 2029-07-10 = completed 2026-07-10 + 36 months (the previous completion had expired on 2026-06-30)"}},
		},
		{
			name:        "previous_expiry basis: a chain of renewals",
			course:      previousExpiry,
			completions: []training.Completion{done("c3", "2029-06-01"), done("c1", "2023-06-30"), done("c2", "2026-06-15")},
			today:       "2029-06-05",
			want:        outcome{Applicable: true, Status: training.StatusCompliant, DueOn: "2032-06-30", ExpiresOn: "2032-06-30", Last: "c3", Explanation: []string{"expires 2032-06-30 = previous expiry 2029-06-30 + 36 months (renewed inside the 60-day window)"}},
		},
		{
			name:        "previous_expiry basis: first completion runs from its own date",
			course:      previousExpiry,
			completions: []training.Completion{done("c1", "2026-03-31")},
			today:       "2026-04-01",
			want:        outcome{Applicable: true, Status: training.StatusCompliant, DueOn: "2029-03-31", ExpiresOn: "2029-03-31", Last: "c1", Explanation: []string{"expires 2029-03-31 = completed 2026-03-31 + 36 months"}},
		},

		// Month-end clamping through Evaluate.
		{
			name:        "31 January + 1 month = 28 February",
			course:      func(c *training.Course) { c.ValidityMonths = 1 },
			completions: []training.Completion{done("c1", "2026-01-31")},
			today:       "2026-03-01",
			want:        outcome{Applicable: true, Status: training.StatusExpired, DueOn: "2026-02-28", ExpiresOn: "2026-02-28", Last: "c1", Explanation: []string{"expires 2026-02-28 = completed 2026-01-31 + 1 months (clamped to the end of the month)"}},
		},
		{
			name:        "31 January + 1 month = 29 February in a leap year",
			course:      func(c *training.Course) { c.ValidityMonths = 1 },
			completions: []training.Completion{done("c1", "2024-01-31")},
			today:       "2024-02-29",
			want:        outcome{Applicable: true, Status: training.StatusExpiring, DueOn: "2024-02-29", ExpiresOn: "2024-02-29", Last: "c1", Explanation: []string{"expires 2024-02-29 = completed 2024-01-31 + 1 months (clamped to the end of the month)"}},
		},
		{
			name:        "29 February 2024 + 12 months = 28 February 2025, valid that day",
			course:      func(c *training.Course) { c.ValidityMonths = 12 },
			completions: []training.Completion{done("c1", "2024-02-29")},
			today:       "2025-02-28",
			want:        outcome{Applicable: true, Status: training.StatusExpiring, DueOn: "2025-02-28", ExpiresOn: "2025-02-28", Last: "c1", Explanation: []string{"expires 2025-02-28 = completed 2024-02-29 + 12 months (clamped to the end of the month)"}},
		},
		{
			name:        "29 February 2024 + 12 months: expired on 1 March 2025",
			course:      func(c *training.Course) { c.ValidityMonths = 12 },
			completions: []training.Completion{done("c1", "2024-02-29")},
			today:       "2025-03-01",
			want:        outcome{Applicable: true, Status: training.StatusExpired, DueOn: "2025-02-28", ExpiresOn: "2025-02-28", Last: "c1", Explanation: []string{"expires 2025-02-28 = completed 2024-02-29 + 12 months (clamped to the end of the month)"}},
		},
		{
			name:        "previous_expiry basis from a clamped expiry",
			course:      func(c *training.Course) { c.ValidityMonths = 12; previousExpiry(c) },
			completions: []training.Completion{done("c1", "2024-02-29"), done("c2", "2025-02-01")},
			today:       "2025-02-10",
			want:        outcome{Applicable: true, Status: training.StatusCompliant, DueOn: "2026-02-28", ExpiresOn: "2026-02-28", Last: "c2", Explanation: []string{"expires 2026-02-28 = previous expiry 2025-02-28 + 12 months (renewed inside the 60-day window)"}},
		},

		{
			name:        "two completions with the same clamped expiry: the later one is shown",
			course:      func(c *training.Course) { c.ValidityMonths = 12 },
			completions: []training.Completion{done("c2", "2024-02-29"), done("c1", "2024-02-28")},
			today:       "2024-03-01",
			want:        outcome{Applicable: true, Status: training.StatusCompliant, DueOn: "2025-02-28", ExpiresOn: "2025-02-28", Last: "c2", Explanation: []string{"expires 2025-02-28 = completed 2024-02-29 + 12 months (clamped to the end of the month)"}},
		},
		{
			name: "the same day recorded twice: the later record is shown",
			completions: []training.Completion{
				func() training.Completion {
					c := done("b", "2026-03-01")
					c.RecordedAt = recordedAt.Add(time.Hour)
					return c
				}(),
				done("a", "2026-03-01"),
			},
			today: "2026-03-31",
			want:  outcome{Applicable: true, Status: training.StatusCompliant, DueOn: "2029-03-01", ExpiresOn: "2029-03-01", Last: "b", Explanation: []string{"expires 2029-03-01 = completed 2026-03-01 + 36 months"}},
		},

		// Which completions count.
		{
			name:        "pending completion does not count but is flagged",
			completions: []training.Completion{pending(done("c1", "2026-03-01"))},
			today:       "2026-03-31",
			want:        outcome{Applicable: true, Status: training.StatusOverdue, DueOn: "2020-02-03", Pending: true, Explanation: []string{"due 2020-02-03 = start date 2020-01-06 + 28 days"}},
		},
		{
			name:        "verified completion counts",
			completions: []training.Completion{reviewed(true, reviewAt, done("c1", "2026-03-01"))},
			today:       "2026-03-31",
			want:        outcome{Applicable: true, Status: training.StatusCompliant, DueOn: "2029-03-01", ExpiresOn: "2029-03-01", Last: "c1", Explanation: []string{"expires 2029-03-01 = completed 2026-03-01 + 36 months"}},
		},
		{
			name:        "verified completion, as known before the verification: pending",
			completions: []training.Completion{reviewed(true, reviewAt, done("c1", "2026-03-01"))},
			today:       "2026-03-01",
			asOf:        reviewAt.Add(-time.Minute),
			want:        outcome{Applicable: true, Status: training.StatusOverdue, DueOn: "2020-02-03", Pending: true, Explanation: []string{"due 2020-02-03 = start date 2020-01-06 + 28 days"}},
		},
		{
			name:        "rejected completion does not count",
			completions: []training.Completion{reviewed(false, reviewAt, done("c1", "2026-03-01"))},
			today:       "2026-03-31",
			want:        outcome{Applicable: true, Status: training.StatusOverdue, DueOn: "2020-02-03", Explanation: []string{"due 2020-02-03 = start date 2020-01-06 + 28 days"}},
		},
		{
			name:        "revoked completion does not count",
			completions: []training.Completion{revoked(revokeAt, done("c1", "2026-03-01"))},
			today:       "2026-04-02",
			want:        outcome{Applicable: true, Status: training.StatusOverdue, DueOn: "2020-02-03", Explanation: []string{"due 2020-02-03 = start date 2020-01-06 + 28 days"}},
		},
		{
			name:        "revoked completion, as known before the revocation, still counts",
			completions: []training.Completion{revoked(revokeAt, done("c1", "2026-03-01"))},
			today:       "2026-03-31",
			asOf:        revokeAt.Add(-time.Minute),
			want:        outcome{Applicable: true, Status: training.StatusCompliant, DueOn: "2029-03-01", ExpiresOn: "2029-03-01", Last: "c1", Explanation: []string{"expires 2029-03-01 = completed 2026-03-01 + 36 months"}},
		},
		{
			name:        "a revoked renewal leaves the earlier completion counting",
			completions: []training.Completion{done("c1", "2023-03-15"), revoked(revokeAt, done("c2", "2026-03-01"))},
			today:       "2026-04-02",
			want:        outcome{Applicable: true, Status: training.StatusExpired, DueOn: "2026-03-15", ExpiresOn: "2026-03-15", Last: "c1", Explanation: []string{"expires 2026-03-15 = completed 2023-03-15 + 36 months"}},
		},
		{
			name:        "completion not yet recorded at asOf is unknown",
			completions: []training.Completion{pending(done("c1", "2026-03-01"))},
			today:       "2026-03-31",
			asOf:        recordedAt.Add(-time.Second),
			want:        outcome{Applicable: true, Status: training.StatusOverdue, DueOn: "2020-02-03", Explanation: []string{"due 2020-02-03 = start date 2020-01-06 + 28 days"}},
		},
		{
			name:        "completion dated after today does not count (report for a past day)",
			completions: []training.Completion{done("c1", "2023-03-15"), done("c2", "2026-05-01"), pending(done("c3", "2026-05-02"))},
			today:       "2026-04-01",
			want:        outcome{Applicable: true, Status: training.StatusExpired, DueOn: "2026-03-15", ExpiresOn: "2026-03-15", Last: "c1", Explanation: []string{"expires 2026-03-15 = completed 2023-03-15 + 36 months"}},
		},
		{
			name: "other people's and other courses' completions are ignored",
			completions: []training.Completion{
				withPerson("p2", done("x1", "2026-03-01")),
				withCourse("WRAP", done("x2", "2026-03-01")),
				withPerson("p2", pending(done("x3", "2026-03-01"))),
			},
			today: "2026-03-31",
			want:  outcome{Applicable: true, Status: training.StatusOverdue, DueOn: "2020-02-03", Explanation: []string{"due 2020-02-03 = start date 2020-01-06 + 28 days"}},
		},
		{
			name:        "the completion with the latest expiry counts, whatever the order given",
			completions: []training.Completion{done("c3", "2024-01-01"), done("c1", "2020-02-01"), done("c2", "2022-01-01")},
			today:       "2026-03-31",
			want:        outcome{Applicable: true, Status: training.StatusCompliant, DueOn: "2027-01-01", ExpiresOn: "2027-01-01", Last: "c3", Explanation: []string{"expires 2027-01-01 = completed 2024-01-01 + 36 months"}},
		},
		{
			name:        "a valid completion and a pending renewal",
			completions: []training.Completion{done("c1", "2023-04-15"), pending(done("c2", "2026-03-20"))},
			today:       "2026-03-31",
			want:        outcome{Applicable: true, Status: training.StatusExpiring, DueOn: "2026-04-15", ExpiresOn: "2026-04-15", Last: "c1", Pending: true, Explanation: []string{"expires 2026-04-15 = completed 2023-04-15 + 36 months"}},
		},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			p, c := validPerson(), validCourse()
			if tt.person != nil {
				tt.person(&p)
			}
			if tt.course != nil {
				tt.course(&c)
			}
			a := training.Evaluate(p, c, tt.completions, tt.exemptions, d(tt.today), tt.asOf)
			if a.CourseCode != c.Code {
				t.Errorf("CourseCode = %q, want %q", a.CourseCode, c.Code)
			}
			if got := outcomeOf(a); !reflect.DeepEqual(got, tt.want) {
				t.Errorf("Evaluate on %s:\n got %+v\nwant %+v", tt.today, got, tt.want)
			}
			switch {
			case a.Applicable && a.NotApplicableReason != "":
				t.Errorf("applicable, but NotApplicableReason = %q", a.NotApplicableReason)
			case !a.Applicable && !strings.Contains(a.NotApplicableReason, tt.wantReason):
				t.Errorf("NotApplicableReason = %q, want it to contain %q", a.NotApplicableReason, tt.wantReason)
			case !a.Applicable && tt.wantReason == "":
				t.Error("test case for a non-applicable person names no reason")
			}
		})
	}
}

// TestEvaluateReturnsPointersIntoInput: LastCompleted and Exemption point at
// the caller's records, so a page can show their details.
func TestEvaluateReturnsPointersIntoInput(t *testing.T) {
	completions := []training.Completion{done("c1", "2026-03-01")}
	exemptions := []training.Exemption{exemption("e1", "")}
	a := training.Evaluate(validPerson(), validCourse(), completions, exemptions, d("2026-03-31"), time.Time{})
	if a.LastCompleted != &completions[0] || a.Exemption != &exemptions[0] {
		t.Errorf("LastCompleted = %p, Exemption = %p; want %p, %p", a.LastCompleted, a.Exemption, &completions[0], &exemptions[0])
	}
}

// TestEvaluateLondonDayBoundary: 23:30 UTC on 31 March 2026 is 00:30 on
// 1 April in London (British Summer Time began on 29 March), so a completion
// expiring on 31 March has already expired there, but not in UTC.
func TestEvaluateLondonDayBoundary(t *testing.T) {
	london, err := time.LoadLocation("Europe/London")
	if err != nil {
		t.Fatal(err)
	}
	now := time.Date(2026, 3, 31, 23, 30, 0, 0, time.UTC)
	completions := []training.Completion{done("c1", "2023-03-31")} // expires 2026-03-31

	tests := []struct {
		zone      *time.Location
		wantToday string
		want      training.Status
	}{
		{london, "2026-04-01", training.StatusExpired},
		{time.UTC, "2026-03-31", training.StatusExpiring},
	}
	for _, tt := range tests {
		today := training.Today(now, tt.zone)
		if today != d(tt.wantToday) {
			t.Errorf("Today(%v, %s) = %v, want %s", now, tt.zone, today, tt.wantToday)
		}
		a := training.Evaluate(validPerson(), validCourse(), completions, nil, today, now)
		if a.Status != tt.want || a.ExpiresOn != d("2026-03-31") {
			t.Errorf("in %s: status %q, expires %v; want %q, 2026-03-31", tt.zone, a.Status, a.ExpiresOn, tt.want)
		}
	}
}

// TestEvaluateExactlyOneStatus walks one person through six years day by day,
// with renewals, a pending record and an exemption, checking that every day
// gets exactly one valid status and that the status agrees with the dates.
func TestEvaluateExactlyOneStatus(t *testing.T) {
	for _, basis := range []training.ExpiryBasis{training.ExpiryFromCompletion, training.ExpiryFromPreviousExpiry} {
		c := validCourse()
		c.ExpiryBasis = basis
		p := validPerson()
		p.StartDate = d("2023-01-09")
		completions := []training.Completion{done("c1", "2023-02-20"), pending(done("c2", "2025-12-01")), done("c3", "2026-01-05")}
		exemptions := []training.Exemption{exemption("e1", "2027-06-30")}
		exemptions[0].CreatedAt = recordedAt
		exemptions[0].Removal = nil
		for today := d("2023-01-01"); today.Before(d("2029-12-31")); today = today.AddDays(1) {
			a := training.Evaluate(p, c, completions, exemptions, today, time.Time{})
			if !a.Applicable || !a.Status.Valid() {
				t.Fatalf("%s %s: applicable %v, status %q", basis, today, a.Applicable, a.Status)
			}
			if len(a.Explanation) == 0 {
				t.Fatalf("%s %s: no explanation", basis, today)
			}
			if a.Status == training.StatusExempt {
				continue
			}
			if a.LastCompleted == nil {
				if a.Status != training.StatusDue && a.Status != training.StatusOverdue {
					t.Fatalf("%s %s: never completed but %q", basis, today, a.Status)
				}
				continue
			}
			if a.LastCompleted.CompletedOn.After(today) || a.DueOn != a.ExpiresOn {
				t.Fatalf("%s %s: counting completion %v, due %v, expires %v", basis, today, a.LastCompleted.CompletedOn, a.DueOn, a.ExpiresOn)
			}
			if expired := today.After(a.ExpiresOn); expired != (a.Status == training.StatusExpired) {
				t.Fatalf("%s %s: expires %v but status %q", basis, today, a.ExpiresOn, a.Status)
			}
		}
	}
}

func TestStatuses(t *testing.T) {
	want := []training.Status{"compliant", "expiring", "expired", "due", "overdue", "exempt"}
	if !reflect.DeepEqual(training.Statuses, want) {
		t.Errorf("Statuses = %v, want %v", training.Statuses, want)
	}
	for _, s := range want {
		if !s.Valid() {
			t.Errorf("%q.Valid() = false", s)
		}
	}
	if training.Status("").Valid() || training.Status("Compliant").Valid() {
		t.Error("Valid() accepts a status not in Statuses")
	}
}

func TestTally(t *testing.T) {
	a := func(s training.Status) training.Assessment { return training.Assessment{Applicable: true, Status: s} }
	notApplicable := training.Assessment{NotApplicableReason: "left on 2026-01-01"}
	repeat := func(n int, x training.Assessment) []training.Assessment {
		out := make([]training.Assessment, n)
		for i := range out {
			out[i] = x
		}
		return out
	}
	concat := func(parts ...[]training.Assessment) []training.Assessment {
		var out []training.Assessment
		for _, p := range parts {
			out = append(out, p...)
		}
		return out
	}

	tests := []struct {
		name    string
		in      []training.Assessment
		want    training.Tally
		wantPct float64
	}{
		{"nobody: 100 by definition", nil, training.Tally{}, 100},
		{"only people it does not apply to", repeat(3, notApplicable), training.Tally{}, 100},
		{"everyone exempt", repeat(2, a(training.StatusExempt)), training.Tally{Applicable: 2, Exempt: 2}, 100},
		{
			name: "one of each",
			in: []training.Assessment{a(training.StatusCompliant), a(training.StatusExpiring), a(training.StatusExpired),
				a(training.StatusDue), a(training.StatusOverdue), a(training.StatusExempt), notApplicable},
			want:    training.Tally{Applicable: 6, Exempt: 1, Compliant: 1, Expiring: 1, Due: 1, Overdue: 1, Expired: 1},
			wantPct: 40, // 2 of 5: exempt leaves the denominator, due stays in it
		},
		{"two thirds rounds to one decimal", concat(repeat(2, a(training.StatusCompliant)), repeat(1, a(training.StatusOverdue))),
			training.Tally{Applicable: 3, Compliant: 2, Overdue: 1}, 66.7},
		{"one third rounds down", concat(repeat(1, a(training.StatusExpiring)), repeat(2, a(training.StatusDue))),
			training.Tally{Applicable: 3, Expiring: 1, Due: 2}, 33.3},
		{"nearly all", concat(repeat(999, a(training.StatusCompliant)), repeat(1, a(training.StatusExpired))),
			training.Tally{Applicable: 1000, Compliant: 999, Expired: 1}, 99.9},
		{"1 in 16 = 6.25 rounds half away from zero", concat(repeat(1, a(training.StatusCompliant)), repeat(15, a(training.StatusOverdue))),
			training.Tally{Applicable: 16, Compliant: 1, Overdue: 15}, 6.3},
		{"nobody compliant", repeat(4, a(training.StatusOverdue)), training.Tally{Applicable: 4, Overdue: 4}, 0},
	}
	for _, tt := range tests {
		var got training.Tally
		for _, x := range tt.in {
			got.Add(x)
		}
		if got != tt.want {
			t.Errorf("%s: tally %+v, want %+v", tt.name, got, tt.want)
		}
		if pct := got.Pct(); pct != tt.wantPct {
			t.Errorf("%s: Pct() = %v, want %v", tt.name, pct, tt.wantPct)
		}
	}
}

package web

import (
	"slices"
	"strings"
	"testing"
	"time"

	"github.com/complytrack/complytrack/pkg/training"
)

// My training explains each status's dates in sentences addressed to the
// person, from what the domain's Evaluate worked out; none of the domain's
// shorthand ("=", "+", ISO dates) reaches them.
func TestExplainForPerson(t *testing.T) {
	prevent := training.Course{Code: "PREVENT", Title: "Prevent awareness", AppliesTo: training.AppliesTo{Kinds: []training.Kind{training.KindStaff}},
		NewStarterDays: 28, ValidityMonths: 36, DueSoonDays: 30, RenewWindowDays: 60, ExpiryBasis: training.ExpiryFromCompletion,
		EffectiveFrom: training.MustDate("2020-01-01")}
	renewals := prevent
	renewals.ExpiryBasis = training.ExpiryFromPreviousExpiry
	yearly := prevent
	yearly.ValidityMonths = 12
	forever := prevent
	forever.ValidityMonths = 0
	newPolicy := prevent
	newPolicy.EffectiveFrom = training.MustDate("2026-11-05")

	person := func(start string) training.Person {
		return training.Person{ID: "p1", Kind: training.KindStaff, StartDate: training.MustDate(start)}
	}
	done := func(on string) training.Completion {
		return training.Completion{ID: "c-" + on, PersonID: "p1", CourseCode: "PREVENT", CompletedOn: training.MustDate(on)}
	}
	exempt := func(until string) []training.Exemption {
		e := training.Exemption{ID: "x", PersonID: "p1", CourseCode: "PREVENT", Reason: "On long-term sick leave."}
		if until != "" {
			e.Until = training.MustDate(until)
		}
		return []training.Exemption{e}
	}
	today := training.MustDate("2026-11-30")

	cases := []struct {
		name        string
		course      training.Course
		person      training.Person
		completions []training.Completion
		exemptions  []training.Exemption
		status      training.Status
		want        []string
	}{
		{"overdue new starter", prevent, person("2024-04-01"), nil, nil, training.StatusOverdue,
			[]string{"You started on 1 April 2024. New starters have 28 days to complete it, so the deadline is 29 April 2024."}},
		{"due new starter", prevent, person("2026-11-20"), nil, nil, training.StatusDue,
			[]string{"You started on 20 November 2026. New starters have 28 days to complete it, so the deadline is 18 December 2026."}},
		{"due before starting", prevent, person("2026-12-07"), nil, nil, training.StatusDue,
			[]string{"You start on 7 December 2026. New starters have 28 days to complete it, so the deadline is 4 January 2027."}},
		{"due under a new policy", newPolicy, person("2019-03-01"), nil, nil, training.StatusDue,
			[]string{"You started before this training became required on 5 November 2026. Everyone already here had 28 days from then to complete it, so the deadline is 3 December 2026."}},
		{"compliant", prevent, person("2019-03-01"), []training.Completion{done("2025-05-03")}, nil, training.StatusCompliant,
			[]string{"You last completed it on 3 May 2025. It lasts 3 years, so it expires on 3 May 2028."}},
		{"expiring", prevent, person("2019-03-01"), []training.Completion{done("2023-12-20")}, nil, training.StatusExpiring,
			[]string{"You last completed it on 20 December 2023. It lasts 3 years, so it expires on 20 December 2026."}},
		{"expired", prevent, person("2019-03-01"), []training.Completion{done("2023-05-03")}, nil, training.StatusExpired,
			[]string{"You last completed it on 3 May 2023. It lasts 3 years, so it expired on 3 May 2026."}},
		{"a yearly course, clamped", yearly, person("2019-03-01"), []training.Completion{done("2024-02-29")}, nil, training.StatusExpired,
			[]string{"You last completed it on 29 February 2024. It lasts 1 year, so it expired on 28 February 2025. That month is shorter, so it is its last day."}},
		{"never expires", forever, person("2019-03-01"), []training.Completion{done("2021-06-01")}, nil, training.StatusCompliant,
			[]string{"You last completed it on 1 June 2021. It does not expire, so you do not need to do it again."}},
		{"renewed in the window", renewals, person("2019-03-01"), []training.Completion{done("2023-01-10"), done("2025-12-01")}, nil, training.StatusCompliant,
			[]string{"You renewed it on 1 December 2025, in the 60 days before your previous training expired on 10 January 2026, so you lose no time: it lasts 3 years from 10 January 2026, so it expires on 10 January 2029."}},
		{"renewed after it lapsed", renewals, person("2019-03-01"), []training.Completion{done("2022-01-10"), done("2025-03-01")}, nil, training.StatusCompliant,
			[]string{"You last completed it on 1 March 2025, after your previous training had expired on 10 January 2025. It lasts 3 years from the day you completed it, so it expires on 1 March 2028."}},
		{"renewed early", renewals, person("2019-03-01"), []training.Completion{done("2024-01-10"), done("2025-03-01")}, nil, training.StatusCompliant,
			[]string{"You last completed it on 1 March 2025, before renewals opened on 11 November 2026 (60 days before your previous training expired). It lasts 3 years from the day you completed it, so it expires on 1 March 2028."}},
		{"exempt until a date", prevent, person("2024-04-01"), nil, exempt("2027-03-31"), training.StatusExempt,
			[]string{"You started on 1 April 2024. New starters have 28 days to complete it, so the deadline is 29 April 2024.",
				"You do not need to do this training until 31 March 2027. The reason given: On long-term sick leave."}},
		{"exempt for good", prevent, person("2024-04-01"), nil, exempt(""), training.StatusExempt,
			[]string{"You started on 1 April 2024. New starters have 28 days to complete it, so the deadline is 29 April 2024.",
				"You do not need to do this training, with no end date. The reason given: On long-term sick leave."}},
	}
	statuses := map[training.Status]bool{}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			a := training.Evaluate(tc.person, tc.course, tc.completions, tc.exemptions, today, time.Time{})
			if a.Status != tc.status {
				t.Fatalf("status %s, want %s (%v)", a.Status, tc.status, a.Explanation)
			}
			statuses[a.Status] = true
			got := explainForPerson(a)
			if !slices.Equal(got, tc.want) {
				t.Errorf("from %q\n got %q\nwant %q", a.Explanation, got, tc.want)
			}
			for _, s := range got {
				if strings.ContainsAny(s, "=+") || isoDate.MatchString(s) {
					t.Errorf("%q keeps the domain's shorthand", s)
				}
			}
		})
	}
	for _, s := range training.Statuses {
		if !statuses[s] {
			t.Errorf("no case explains status %s", s)
		}
	}
}

// A line the wording does not know is still shown, its dates spelt out.
func TestExplainUnknownLine(t *testing.T) {
	got := explainForPerson(training.Assessment{Explanation: []string{"due 2026-02-01 for a reason nobody foresaw"}})
	if want := []string{"Due 1 February 2026 for a reason nobody foresaw."}; !slices.Equal(got, want) {
		t.Errorf("got %q, want %q", got, want)
	}
}

// The cards are ordered by urgency, the soonest deadline first within a
// status, and the panel names what to do and by when.
func TestByUrgencyAndPanel(t *testing.T) {
	d := training.MustDate
	cards := []courseStatus{
		{Code: "A", Title: "Compliant one", Status: training.StatusCompliant, due: d("2028-01-01")},
		{Code: "B", Title: "Expiring one", Status: training.StatusExpiring, due: d("2026-12-20")},
		{Code: "C", Title: "Exempt one", Status: training.StatusExempt, due: d("2020-01-01")},
		{Code: "D", Title: "Due later", Status: training.StatusDue, due: d("2026-12-30")},
		{Code: "E", Title: "Due sooner", Status: training.StatusDue, due: d("2026-12-03")},
		{Code: "F", Title: "Expired one", Status: training.StatusExpired, due: d("2026-05-03")},
		{Code: "G", Title: "Overdue one", Status: training.StatusOverdue, due: d("2024-04-29")},
		{Code: "H", Title: "Recorded one", Status: training.StatusOverdue, due: d("2025-01-01"), Pending: true},
	}
	byUrgency(cards)
	var order []string
	for _, c := range cards {
		order = append(order, c.Code)
	}
	if want := "G H F E D B A C"; strings.Join(order, " ") != want {
		t.Errorf("order %v, want %s", order, want)
	}
	var lines []string
	for _, it := range urgentItems(cards) {
		lines = append(lines, it.Before+it.Title+it.After)
	}
	want := []string{
		"You must complete Overdue one now. It was due on 29 April 2024.",
		"You have recorded Recorded one. It counts once it has been verified.",
		"You must do Expired one again now. Your training expired on 3 May 2026.",
		"You must complete Due sooner by 3 December 2026.",
		"You must complete Due later by 30 December 2026.",
		"You must do Expiring one again by 20 December 2026, when your training expires.",
	}
	if !slices.Equal(lines, want) {
		t.Errorf("panel\n got %q\nwant %q", lines, want)
	}
}

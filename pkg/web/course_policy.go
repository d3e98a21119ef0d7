package web

import (
	"fmt"
	"net/url"
	"slices"
	"time"

	"github.com/complytrack/complytrack/pkg/training"
)

// policyVersionView is one change of a course's policy on its page.
type policyVersionView struct {
	ID      string
	When    string // "Changed on 6 November 2026 at 9:00am by Fiona Gallagher"
	Changes []training.PolicyChange
}

func policyHistoryViews(history []training.PolicyVersion, loc *time.Location) []policyVersionView {
	out := make([]policyVersionView, 0, len(history))
	for i, h := range history {
		who := h.ByName
		if who == "" {
			who = "someone no longer on record"
		}
		v := policyVersionView{ID: fmt.Sprintf("policy-change-%d", len(history)-i),
			When:    fmt.Sprintf("%s at %s, by %s", longDate(h.EffectiveOn), h.Version.At.In(loc).Format("3:04pm"), who),
			Changes: h.Changes}
		out = append(out, v)
	}
	return out
}

// courseConfirmPage is the content of course_confirm.html: what a policy
// change would do today, before it is saved.
type courseConfirmPage struct {
	Code, Title string
	Changes     []training.PolicyChange
	// Headline says the most important effect in one sentence.
	Headline string
	Effects  []string
	Rows     []impactRow
	// Fields are the form as posted, sent again when HR confirms.
	Fields []hiddenField
}

type impactRow struct {
	Label         string
	Before, After int
}

type hiddenField struct{ Name, Value string }

func people(n int) string {
	if n == 1 {
		return "1 person"
	}
	return fmt.Sprintf("%d people", n)
}

func newCourseConfirmPage(course training.Course, im training.PolicyImpact, form url.Values) courseConfirmPage {
	p := courseConfirmPage{Code: course.Code, Title: course.Title, Changes: im.Changes}
	switch {
	case im.NewlyBehind > 0:
		p.Headline = fmt.Sprintf("This makes %s overdue or expired today.", people(im.NewlyBehind))
	case im.NoLongerBehind > 0:
		p.Headline = fmt.Sprintf("This brings %s back up to date or into their window today.", people(im.NoLongerBehind))
	default:
		p.Headline = "This makes nobody overdue or expired today."
	}
	if im.NewlyBehind > 0 && im.NoLongerBehind > 0 {
		p.Effects = append(p.Effects, fmt.Sprintf("It also takes %s out of overdue or expired.", people(im.NoLongerBehind)))
	}
	if im.NewlyRequired > 0 {
		p.Effects = append(p.Effects, fmt.Sprintf("The course would start applying to %s.", people(im.NewlyRequired)))
	}
	if im.NoLongerRequired > 0 {
		p.Effects = append(p.Effects, fmt.Sprintf("The course would stop applying to %s.", people(im.NoLongerRequired)))
	}
	p.Effects = append(p.Effects, fmt.Sprintf("Compliance would go from %s to %s.", formatPct(im.Before.Pct()), formatPct(im.After.Pct())))
	p.Rows = []impactRow{
		{"Required to hold it", im.Before.Required(), im.After.Required()},
		{"Up to date (compliant or expiring)", im.Before.UpToDate(), im.After.UpToDate()},
		{"Expiring", im.Before.Expiring, im.After.Expiring},
		{"Overdue", im.Before.Overdue, im.After.Overdue},
		{"Expired", im.Before.Expired, im.After.Expired},
		{"New starters (due)", im.Before.Due, im.After.Due},
		{"Exempt", im.Before.Exempt, im.After.Exempt},
	}
	names := make([]string, 0, len(form))
	for name := range form {
		names = append(names, name)
	}
	slices.Sort(names)
	for _, name := range names {
		if name == "csrf_token" || name == "confirmed" || name == "back" {
			continue
		}
		for _, v := range form[name] {
			p.Fields = append(p.Fields, hiddenField{Name: name, Value: v})
		}
	}
	return p
}

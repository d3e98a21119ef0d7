package web

import (
	"cmp"
	"fmt"
	"slices"
	"strconv"

	"github.com/complytrack/complytrack/pkg/training"
)

// barChart is a horizontal bar chart of compliance per group (see
// dashboard.html). It is a list in HTML: each label and figure is page
// text, which wraps and keeps the reader's text size at any width, and
// only the bar itself is drawn (an SVG as wide as its column, its length a
// percentage of it). The same numbers are also in the table below it.
type barChart struct {
	ID    string
	Title string
	Bars  []chartBar
	// Target is the course's compliance target as the page writes it
	// ("90%"); TargetX is where its mark falls along a bar.
	Target, TargetX string
}

type chartBar struct {
	Label string
	// Href is the list of the people the bar counts.
	Href string
	// Value is the bar's text: "87.5% (7 of 8)".
	Value string
	Pct   float64
	// Width is the bar's length as an SVG length: "87.5%".
	Width string
	// Below: under the target, drawn red; the text says it too.
	Below bool
}

// departmentChart draws one bar per report group: compliance %, with
// compliant-of-required counts written beside it, lowest first (the
// departments to chase at the top), each linking to the people it counts.
func departmentChart(id, title, course string, target float64, groups []training.ReportGroup) barChart {
	ch := barChart{ID: id, Title: title, Target: formatPct(target), TargetX: formatPct(target)}
	for _, g := range byCompliance(groups) {
		pct := g.Tally.Pct()
		b := chartBar{Label: groupLabel(g.Key), Href: countHref(course, "required", g.Key), Pct: pct, Value: pctCounts(g.Tally), Width: formatPct(pct),
			Below: pct < target}
		ch.Bars = append(ch.Bars, b)
	}
	return ch
}

// byCompliance orders groups by compliance, lowest first, then by name.
func byCompliance(groups []training.ReportGroup) []training.ReportGroup {
	out := slices.Clone(groups)
	slices.SortStableFunc(out, func(a, b training.ReportGroup) int {
		return cmp.Or(cmp.Compare(a.Tally.Pct(), b.Tally.Pct()), cmp.Compare(a.Key, b.Key))
	})
	return out
}

// pctCounts is "87.5% (7 of 8)": compliant (including expiring) of those
// required to hold the course (applicable, not exempt).
func pctCounts(t training.Tally) string {
	return fmt.Sprintf("%s (%d of %d)", formatPct(t.Pct()), t.UpToDate(), t.Required())
}

func formatPct(p float64) string {
	return strconv.FormatFloat(p, 'f', -1, 64) + "%"
}

func groupLabel(key string) string {
	if key == "" {
		return "None recorded"
	}
	return key
}

package web

import (
	"fmt"
	"strconv"

	"github.com/complytrack/complytrack/pkg/training"
)

// complianceTarget is the share of people holding a course, in percent,
// that a department should reach: the chart draws the bars of those below
// it in red and says so in words.
const complianceTarget = 90.0

// barChart is a horizontal bar chart of compliance per group (see
// dashboard.html). It is a list in HTML: each label and figure is page
// text, which wraps and keeps the reader's text size at any width, and
// only the bar itself is drawn (an SVG as wide as its column, its length a
// percentage of it). The same numbers are also in the table below it.
type barChart struct {
	ID    string
	Title string
	Bars  []chartBar
	// Target is complianceTarget as the page writes it ("90%"); TargetX
	// is where its mark falls along a bar.
	Target, TargetX string
}

type chartBar struct {
	Label string
	// Value is the bar's text: "87.5% (7 of 8)".
	Value string
	Pct   float64
	// Width is the bar's length as an SVG length: "87.5%".
	Width string
	// Below: under the target, drawn red; the text says it too.
	Below bool
}

// departmentChart draws one bar per report group: compliance %, with
// compliant-of-required counts written beside it.
func departmentChart(id, title string, groups []training.ReportGroup) barChart {
	ch := barChart{ID: id, Title: title, Target: formatPct(complianceTarget), TargetX: formatPct(complianceTarget)}
	for _, g := range groups {
		pct := g.Tally.Pct()
		b := chartBar{Label: groupLabel(g.Key), Pct: pct, Value: pctCounts(g.Tally), Width: formatPct(pct),
			Below: pct < complianceTarget}
		ch.Bars = append(ch.Bars, b)
	}
	return ch
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

package web

import (
	"fmt"
	"strconv"
	"strings"
	"time"

	"github.com/complytrack/complytrack/pkg/training"
)

// trendMonths is how many months the dashboard's trend shows, the month
// under way included.
const trendMonths = 12

// The trend's drawing, in the units of its SVG viewBox: the plot runs
// from trendLeft to trendRight and from 100% at trendTop to 0% at
// trendBottom.
const (
	trendWidth, trendHeight = 640, 250
	trendLeft, trendRight   = 56.0, 624.0
	trendTop, trendBottom   = 16.0, 206.0
)

// trendChart is compliance month by month as a line against the target
// (an SVG drawn on the server: no script), with a sentence that says what
// it shows and a table of every figure, which is what a screen reader and
// a narrow screen read.
type trendChart struct {
	Title, Summary string
	Target         string
	// ViewBox, Line and TargetY draw it; Points are its dots.
	ViewBox, TargetY string
	Lines            []string // polyline points; a month nobody was required in breaks the line
	Points           []trendPoint
	YTicks           []trendTick
	Rows             []trendRow
}

type trendPoint struct{ X, Y string }

type trendTick struct {
	Y, LabelY, Label string
	X                string
}

type trendRow struct {
	Month, Pct, Counts, Source string
	Below                      bool
}

func monthName(d training.Date) string {
	return time.Date(d.Year(), d.Month(), 1, 0, 0, 0, 0, time.UTC).Format("January 2006")
}

func coord(f float64) string { return strconv.FormatFloat(f, 'f', 1, 64) }

func newTrendChart(course string, target float64, months []training.MonthFigure) trendChart {
	y := func(pct float64) float64 { return trendBottom - pct*(trendBottom-trendTop)/100 }
	ch := trendChart{Title: course + ": compliance at the end of each month", Target: formatPct(target),
		ViewBox: fmt.Sprintf("0 0 %d %d", trendWidth, trendHeight), TargetY: coord(y(target))}
	for _, p := range []float64{0, 50, 100} {
		ch.YTicks = append(ch.YTicks, trendTick{Y: coord(y(p)), LabelY: coord(y(p) + 5), Label: formatPct(p), X: coord(trendLeft - 8)})
	}
	step := 0.0
	if len(months) > 1 {
		step = (trendRight - trendLeft) / float64(len(months)-1)
	}
	var line []string
	var first, last *training.MonthFigure
	for i, m := range months {
		row := trendRow{Month: monthName(m.AsOf), Source: "Worked out for " + longDate(m.AsOf)}
		switch {
		case m.Kept:
			row.Source = "Monthly report as sent"
		case m.SoFar:
			row.Month += " (so far)"
			row.Source = "Today"
		}
		if m.Totals.Required() == 0 {
			row.Pct, row.Counts = "None required", "0 of 0"
			if len(line) > 0 {
				ch.Lines = append(ch.Lines, strings.Join(line, " "))
				line = nil
			}
		} else {
			pct := m.Totals.Pct()
			row.Pct, row.Counts, row.Below = formatPct(pct), fmt.Sprintf("%d of %d", m.Totals.UpToDate(), m.Totals.Required()), pct < target
			pt := trendPoint{X: coord(trendLeft + float64(i)*step), Y: coord(y(pct))}
			ch.Points = append(ch.Points, pt)
			line = append(line, pt.X+","+pt.Y)
			if first == nil {
				first = &months[i]
			}
			last = &months[i]
		}
		ch.Rows = append(ch.Rows, row)
	}
	if len(line) > 0 {
		ch.Lines = append(ch.Lines, strings.Join(line, " "))
	}
	switch {
	case first == nil:
		ch.Summary = "Nobody was required to hold it in the last " + strconv.Itoa(len(months)) + " months."
	case first == last:
		ch.Summary = fmt.Sprintf("Compliance was %s at the end of %s. The target is %s.", formatPct(first.Totals.Pct()), monthName(first.AsOf), ch.Target)
	default:
		a, b := first.Totals.Pct(), last.Totals.Pct()
		verb := "stayed at"
		switch {
		case b > a:
			verb = "rose from " + formatPct(a) + " to"
		case b < a:
			verb = "fell from " + formatPct(a) + " to"
		}
		ch.Summary = fmt.Sprintf("Compliance %s %s between %s and %s. The target is %s.", verb, formatPct(b), monthName(first.AsOf), monthName(last.AsOf), ch.Target)
	}
	return ch
}

// XLabels are the first and last months under the line's ends: every
// month is in the table below it.
func (t trendChart) XLabels() []trendTick {
	if len(t.Rows) == 0 {
		return nil
	}
	short := func(r trendRow) string { return strings.TrimSuffix(r.Month, " (so far)") }
	return []trendTick{
		{X: coord(trendLeft), LabelY: coord(trendBottom + 30), Label: short(t.Rows[0])},
		{X: coord(trendRight), LabelY: coord(trendBottom + 30), Label: short(t.Rows[len(t.Rows)-1])},
	}
}

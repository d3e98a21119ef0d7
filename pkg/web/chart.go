package web

import (
	"fmt"
	"strconv"

	"github.com/complytrack/complytrack/pkg/training"
)

// barChart is a horizontal bar chart drawn on the server as SVG (see
// dashboard.html). Every bar carries its percentage and its counts as
// text, so the chart reads the same without colour; the same numbers are
// also in a table for screen readers.
type barChart struct {
	ID          string // prefix for the title and desc ids
	Title, Desc string
	Width       int
	Height      int
	LabelWidth  int // x where the bars start
	Bars        []chartBar
	// Scale marks: 0%, 50% and 100%.
	Ticks []chartTick
}

type chartBar struct {
	Label  string
	LabelX int
	// Value is the bar's text: "87.5% (7 of 8)".
	Value string
	Pct   float64
	Y     int // top of the row
	BarY  int
	TextY int
	W     int // the bar's width
	TextX int
	// Fill is blue, or red under 90%: the text says the same.
	Fill string
}

type chartTick struct {
	X     int
	Label string
}

// Chart geometry, in SVG user units.
const (
	chartWidth      = 760
	chartLabelWidth = 200
	chartBarSpace   = 360 // 100% is this wide
	chartRow        = 36
	chartBarHeight  = 22
	chartTop        = 24
)

// departmentChart draws one bar per report group: compliance %, with
// compliant-of-required counts written beside it.
func departmentChart(id, title string, groups []training.ReportGroup) barChart {
	ch := barChart{ID: id, Title: title, Width: chartWidth, LabelWidth: chartLabelWidth}
	ch.Height = chartTop + len(groups)*chartRow + 8
	for _, pct := range []int{0, 50, 100} {
		ch.Ticks = append(ch.Ticks, chartTick{X: chartLabelWidth + chartBarSpace*pct/100, Label: strconv.Itoa(pct) + "%"})
	}
	desc := ""
	for i, g := range groups {
		pct := g.Tally.Pct()
		y := chartTop + i*chartRow
		w := int(pct * chartBarSpace / 100)
		b := chartBar{Label: groupLabel(g.Key), Pct: pct, Value: pctCounts(g.Tally),
			LabelX: chartLabelWidth - 8, Y: y, BarY: y + (chartRow-chartBarHeight)/2, TextY: y + chartRow/2 + 5, W: w,
			TextX: chartLabelWidth + w + 8, Fill: "#1d70b8"}
		if pct < 90 {
			b.Fill = "#d4351c"
		}
		ch.Bars = append(ch.Bars, b)
		if desc != "" {
			desc += "; "
		}
		desc += b.Label + ": " + b.Value
	}
	if desc == "" {
		desc = "Nobody is required to hold this course."
	}
	ch.Desc = desc + "."
	return ch
}

// pctCounts is "87.5% (7 of 8)": compliant (including expiring) of those
// required to hold the course (applicable, not exempt).
func pctCounts(t training.Tally) string {
	return fmt.Sprintf("%s (%d of %d)", formatPct(t.Pct()), t.Compliant+t.Expiring, t.Applicable-t.Exempt)
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

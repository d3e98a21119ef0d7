package web_test

import (
	"fmt"
	"html"
	"net/http"
	"regexp"
	"strconv"
	"strings"
	"testing"
)

var (
	tableElement  = regexp.MustCompile(`(?s)<table\b.*?</table>`)
	tableRow      = regexp.MustCompile(`(?s)<tr\b[^>]*>(.*?)</tr>`)
	tableCell     = regexp.MustCompile(`(?s)<t[hd]\b([^>]*)>(.*?)</t[hd]>`)
	cellColspan   = regexp.MustCompile(`\bcolspan="(\d+)"`)
	hiddenText    = regexp.MustCompile(`(?s)<span class="visually-hidden">.*?</span>`)
	numberText    = regexp.MustCompile(`^[-−]?\d[\d,]*(\.\d+)?%?$`)
	numericMarker = "table__cell--numeric"
)

type cell struct {
	attrs, text string
	span        int
}

// numericColumnProblems finds the columns of the page's tables whose every
// filled cell is a number (a count, a percentage) but whose cells are not
// all right-aligned, heading included, as GOV.UK tables align numbers.
func numericColumnProblems(path, body string) []string {
	var problems []string
	for ti, table := range tableElement.FindAllString(body, -1) {
		head, rest, found := strings.Cut(table, "<tbody")
		if !found {
			head, rest = "", table
		}
		rows := func(s string) [][]cell {
			var out [][]cell
			for _, r := range tableRow.FindAllStringSubmatch(s, -1) {
				var cells []cell
				for _, c := range tableCell.FindAllStringSubmatch(r[1], -1) {
					span := 1
					if m := cellColspan.FindStringSubmatch(c[1]); m != nil {
						span, _ = strconv.Atoi(m[1])
					}
					text := strings.TrimSpace(html.UnescapeString(tags.ReplaceAllString(hiddenText.ReplaceAllString(c[2], ""), "")))
					cells = append(cells, cell{attrs: c[1], text: text, span: span})
				}
				out = append(out, cells)
			}
			return out
		}
		at := func(cells []cell, col int) (cell, bool) {
			i := 0
			for _, c := range cells {
				if col >= i && col < i+c.span {
					return c, c.span == 1
				}
				i += c.span
			}
			return cell{}, false
		}
		header, bodyRows := rows(head), rows(rest)
		width := 0
		for _, r := range append(header, bodyRows...) {
			n := 0
			for _, c := range r {
				n += c.span
			}
			width = max(width, n)
		}
		for col := range width {
			numbers, others := 0, 0
			for _, r := range bodyRows {
				c, ok := at(r, col)
				switch {
				case !ok || c.text == "":
				case numberText.MatchString(c.text):
					numbers++
				default:
					others++
				}
			}
			if numbers == 0 || others > 0 {
				continue
			}
			name := fmt.Sprintf("column %d", col+1)
			for _, r := range header {
				if c, ok := at(r, col); ok && c.text != "" {
					name = strconv.Quote(c.text)
				}
			}
			for _, r := range append(header, bodyRows...) {
				if c, ok := at(r, col); ok && !strings.Contains(c.attrs, numericMarker) {
					problems = append(problems, fmt.Sprintf("%s: table %d, %s holds numbers, but its cell %q is not right-aligned (%s)", path, ti+1, name, c.text, numericMarker))
					break
				}
			}
		}
	}
	return problems
}

// The checker finds a column of numbers left as text, heading or cell,
// and passes one aligned throughout.
func TestNumericColumnChecker(t *testing.T) {
	page := func(th, td string) string {
		return `<table class="table"><thead><tr><th scope="col">Department</th><th scope="col"` + th + `>Overdue</th></tr></thead>
<tbody><tr><th scope="row">Housing</th><td` + td + `><a class="link" href="/x">12<span class="visually-hidden"> overdue</span></a></td></tr>
<tr><th scope="row">Legal</th><td` + td + `>1,204</td></tr><tr><td colspan="2">Nobody else.</td></tr></tbody></table>`
	}
	aligned := ` class="table__cell--numeric"`
	for _, tc := range []struct {
		name, th, td string
		problems     int
	}{
		{"aligned", aligned, aligned, 0},
		{"heading left", "", aligned, 1},
		{"cells left", aligned, "", 1},
	} {
		if got := numericColumnProblems("/x", page(tc.th, tc.td)); len(got) != tc.problems {
			t.Errorf("%s: %d problems %q, want %d", tc.name, len(got), got, tc.problems)
		}
	}
}

// Every column of numbers on HR's pages is right-aligned: the dashboard's
// and the reports' counts and percentages, the partner report's.
func TestNumericColumnsAreRightAligned(t *testing.T) {
	e := newEnv(t, "http://127.0.0.1")
	e.addPerson("Sophie", "Marsh", "")
	e.addPerson("Graham", "Pellow", "")
	b := e.newBrowser()
	b.signIn(adminEmail, adminPassword)
	checked := 0
	for _, path := range []string{"/dashboard", "/reports", "/reports?group=department", "/reports/partners", "/courses", "/people", "/team"} {
		r := b.visit(path)
		mustStatus(t, r, http.StatusOK)
		checked += strings.Count(r.Body, numericMarker)
		for _, p := range numericColumnProblems(path, r.Body) {
			t.Error(p)
		}
	}
	if checked == 0 {
		t.Error("no right-aligned cell on any page: the check found no numbers to check")
	}
}

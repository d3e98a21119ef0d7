package web_test

import (
	"fmt"
	"net/http"
	"net/url"
	"os"
	"path/filepath"
	"regexp"
	"strings"
	"testing"
)

// A date field is written once, in layout.html's "date-input" template:
// no page draws its own day, month and year inputs.
func TestDateInputIsWrittenOnce(t *testing.T) {
	pages, err := filepath.Glob(filepath.Join("templates", "*.html"))
	if err != nil || len(pages) == 0 {
		t.Fatalf("no templates found: %v", err)
	}
	for _, p := range pages {
		b, err := os.ReadFile(p)
		if err != nil {
			t.Fatal(err)
		}
		want := 0
		if filepath.Base(p) == "layout.html" {
			want = 1
		}
		if got := strings.Count(string(b), `class="date-input"`); got != want {
			t.Errorf("%s draws %d date inputs of its own, want %d", p, got, want)
		}
	}
}

// dateInputWant is the markup of the shared date input with an error, as
// the page must show it; wrong names the part ("day", "month" or "year")
// the error is against, where the error summary links.
type dateInputWant struct {
	id, legendClass, legend, hint, msg, wrong string
	day, month, year                          string
}

func (w dateInputWant) markup() string {
	errClass := func(part string) string {
		// An error against the day is about the whole date: every part
		// is highlighted.
		if w.wrong == "day" || w.wrong == part {
			return " input--error"
		}
		return ""
	}
	item := func(part, label, width, value string) string {
		return fmt.Sprintf(`<div class="date-input__item"><label class="label" for="%[1]s-%[2]s">%[3]s</label>`+
			`<input class="input input--width-%[4]s%[5]s" id="%[1]s-%[2]s" name="%[1]s-%[2]s" type="text" inputmode="numeric" value="%[6]s"></div>`,
			w.id, part, label, width, errClass(part), value)
	}
	return `<div class="form-group form-group--error">` +
		`<fieldset class="fieldset" role="group" aria-describedby="` + w.id + `-hint ` + w.id + `-error">` +
		`<legend class="` + w.legendClass + `">` + w.legend + `</legend>` +
		`<div id="` + w.id + `-hint" class="hint">` + w.hint + `</div>` +
		`<p id="` + w.id + `-error" class="error-message"><span class="visually-hidden">Error:</span> ` + w.msg + `</p>` +
		`<div class="date-input">` + item("day", "Day", "2", w.day) + item("month", "Month", "2", w.month) + item("year", "Year", "4", w.year) +
		`</div></fieldset></div>`
}

var betweenTags = regexp.MustCompile(`>\s+<`)

// Every form with a date, sent a date it cannot take, shows the shared
// date input: its ids and names, legend, hint, error message, the
// highlighted parts, and the error summary's link to the part at fault.
func TestEveryDateInputIsTheSharedOne(t *testing.T) {
	e := newEnv(t, "http://127.0.0.1")
	e.workshop()
	tom := e.trainer("Tom", "Whitfield")
	sophie := e.employee("Sophie", "Marsh")
	hr := hpSignInHR(e)
	staff := e.newBrowser()
	staff.signIn(sophie.Email, castPassword)

	const legend, small = "fieldset__legend", "fieldset__legend fieldset__legend--s"
	partners := func(b *browser) result {
		return b.get("/reports/partners?" + url.Values{"from-day": {"1"}, "from-month": {"13"}, "from-year": {"2026"},
			"to-day": {""}, "to-month": {""}, "to-year": {""}}.Encode())
	}
	tests := []struct {
		name   string
		send   func(b *browser) result
		as     *browser
		status int
		want   dateInputWant
	}{
		{name: "person added", as: hr, status: http.StatusUnprocessableEntity,
			send: func(b *browser) result {
				b.visit("/people/new")
				return b.submit("/people/new", personForm(map[string]string{"start-date-month": ""}))
			},
			want: dateInputWant{id: "start-date", legendClass: legend, legend: "Start date", hint: "For example, 27 3 2026",
				msg: "The start date must include a month.", wrong: "month", day: "2", year: "2026"}},
		{name: "person changed", as: hr, status: http.StatusUnprocessableEntity,
			send: func(b *browser) result {
				b.visit("/people/" + sophie.ID + "/edit")
				return b.submit("/people/"+sophie.ID+"/edit", personForm(map[string]string{
					"employee-number": sophie.EmployeeNumber, "email": sophie.Email, "manager": "",
					"end-date-day": "31", "end-date-month": "2", "end-date-year": "2027"}))
			},
			want: dateInputWant{id: "end-date", legendClass: legend, legend: "End date (optional)",
				hint: "For a leaver: their last day. Leave it empty for someone still here.",
				msg:  "The end date must be a real date, for example 27 3 2026.", wrong: "day", day: "31", month: "2", year: "2027"}},
		{name: "session scheduled", as: hr, status: http.StatusUnprocessableEntity,
			send: func(b *browser) result {
				b.visit("/sessions/new")
				return b.submit("/sessions/new", url.Values{"course": {"WRAP"}, "date-day": {"3"}, "date-month": {"12"}, "date-year": {""},
					"start-time": {"09:30"}, "end-time": {"12:30"}, "location": {"Committee Room 2"}, "places": {"10"}, "trainer": {tom.ID}})
			},
			want: dateInputWant{id: "date", legendClass: small, legend: "Date", hint: "For example, 3 12 2026",
				msg: "The date of the session must include a year.", wrong: "year", day: "3", month: "12"}},
		{name: "exemption granted", as: hr, status: http.StatusUnprocessableEntity,
			send: func(b *browser) result {
				b.visit("/people/" + sophie.ID + "/exemptions/new")
				return b.submit("/people/"+sophie.ID+"/exemptions", url.Values{"course_code": {"PREVENT"}, "reason": {"On long-term leave."},
					"until-day": {"31"}, "until-month": {"2"}, "until-year": {"2027"}})
			},
			want: dateInputWant{id: "until", legendClass: legend, legend: "Until (optional)",
				hint: "The last day of the exemption. Leave it empty for no end date. For example, 31 3 2027",
				msg:  "The date the exemption ends must be a real date, for example 27 3 2026.", wrong: "day", day: "31", month: "2", year: "2027"}},
		{name: "completion recorded", as: staff, status: http.StatusUnprocessableEntity,
			send: func(b *browser) result {
				b.visit("/my-training/PREVENT/record")
				return b.postMultipart("/my-training/PREVENT/record", recordForm(b, "40", "3", "2026"),
					upload{field: "certificate", name: "cert.pdf", data: []byte("%PDF-1.4\n%%EOF\n")})
			},
			want: dateInputWant{id: "completed-on", legendClass: legend, legend: "When did you complete it?", hint: "For example, 27 3 2026",
				msg: "The date you completed the course must be a real date, for example 27 3 2026.", wrong: "day", day: "40", month: "3", year: "2026"}},
		{name: "report as of", as: hr, status: http.StatusBadRequest,
			send: func(b *browser) result {
				return b.get("/reports?" + url.Values{"course_code": {"PREVENT"}, "as-of-day": {""}, "as-of-month": {"10"}, "as-of-year": {"2026"}}.Encode())
			},
			want: dateInputWant{id: "as-of", legendClass: legend, legend: "As of",
				hint: "The report shows what was known at the end of this day. Leave it as today for now. For example, 31 10 2026",
				msg:  "The date of the report must include a day.", wrong: "day", month: "10", year: "2026"}},
		{name: "partner report from", as: hr, status: http.StatusBadRequest, send: partners,
			want: dateInputWant{id: "from", legendClass: small, legend: "From", hint: "For example, 1 10 2026",
				msg: "The start date must be a real date, for example 27 3 2026.", wrong: "day", day: "1", month: "13", year: "2026"}},
		{name: "partner report to", as: hr, status: http.StatusBadRequest, send: partners,
			want: dateInputWant{id: "to", legendClass: small, legend: "To", hint: "The last day of the period, for example 31 10 2026",
				msg: "Enter the end date.", wrong: "day"}},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			r := tc.send(tc.as)
			mustStatus(t, r, tc.status)
			mustContain(t, r, `<a href="#`+tc.want.id+`-`+tc.want.wrong+`">`+tc.want.msg+`</a>`)
			if got, want := betweenTags.ReplaceAllString(r.Body, "><"), tc.want.markup(); !strings.Contains(got, want) {
				t.Errorf("the page has not the shared date input\nwant %s\nin   %s", want, got)
			}
			if n := strings.Count(r.Body, `class="date-input"`); n < 1 {
				t.Errorf("no date input on the page")
			}
		})
	}
}

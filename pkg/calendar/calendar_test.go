package calendar

import (
	"bytes"
	"strings"
	"testing"
	"time"
	"unicode/utf8"

	ics "github.com/arran4/golang-ical"
)

func london(t testing.TB) *time.Location {
	t.Helper()
	loc, err := time.LoadLocation("Europe/London")
	if err != nil {
		t.Fatal(err)
	}
	return loc
}

// sampleEvent is a summer session (British Summer Time, one hour ahead
// of UTC) with text that needs every kind of escaping.
func sampleEvent(t testing.TB) Event {
	loc := london(t)
	return Event{
		UID:         "session-6571a9@complytrack.example.org",
		Sequence:    3,
		Stamp:       time.Date(2026, 6, 1, 8, 15, 0, 0, time.UTC),
		Start:       time.Date(2026, 7, 14, 9, 30, 0, 0, loc),
		End:         time.Date(2026, 7, 14, 12, 0, 0, 0, loc),
		Summary:     "WRAP workshop; Prevent, part 2",
		Location:    "Committee Room 2, Town Hall; Eastmoor",
		Description: "Bring your badge.\nParking is limited, so come by bus if you can: the café opens at 9.\nAsk at reception \\ main desk.",
		URL:         "https://complytrack.example.org/sessions/6571a9",
		Organizer:   Address{Name: "Whitfield, Tom", Email: "tom.whitfield@eastmoor.example.org"},
		Attendees: []Address{
			{Name: "Siobhán O'Brien", Email: "siobhan.obrien@eastmoor.example.org"},
			{Name: `Daniel "Dan" Okoro; Housing`, Email: "daniel.okoro@eastmoor.example.org"},
			{Email: "no.name@college.example.org"},
		},
	}
}

// parse reads a calendar back with golang-ical, failing the test if it
// cannot.
func parse(t testing.TB, data []byte) *ics.Calendar {
	t.Helper()
	cal, err := ics.ParseCalendar(bytes.NewReader(data))
	if err != nil {
		t.Fatalf("the calendar does not parse: %v\n%s", err, data)
	}
	return cal
}

func calendarProperty(cal *ics.Calendar, p ics.Property) []string {
	var vs []string
	for _, cp := range cal.CalendarProperties {
		if cp.IANAToken == string(p) {
			vs = append(vs, cp.Value)
		}
	}
	return vs
}

func onlyEvent(t testing.TB, cal *ics.Calendar) *ics.VEvent {
	t.Helper()
	events := cal.Events()
	if len(events) != 1 || len(cal.Components) != 1 {
		t.Fatalf("got %d events in %d components, want exactly one event", len(events), len(cal.Components))
	}
	return events[0]
}

// value is the one value of a property, "" when absent; more than one is
// a failure.
func value(t testing.TB, ev *ics.VEvent, p ics.ComponentProperty) string {
	t.Helper()
	props := ev.GetProperties(p)
	switch len(props) {
	case 0:
		return ""
	case 1:
		return props[0].Value
	}
	t.Fatalf("%s appears %d times", p, len(props))
	return ""
}

// decodeParam undoes RFC 6868 (^' ^n ^^), which golang-ical's reader
// does not know.
func decodeParam(s string) string {
	return strings.NewReplacer("^'", `"`, "^n", "\n", "^N", "\n", "^^", "^").Replace(s)
}

func commonName(p ics.BaseProperty) (string, bool) {
	vs, ok := p.ICalParameters[string(ics.ParameterCn)]
	if !ok {
		return "", false
	}
	if len(vs) != 1 {
		return strings.Join(vs, ","), false
	}
	return decodeParam(vs[0]), true
}

// checkLines holds output to RFC 5545 3.1: every line ends in CRLF, no CR
// or LF appears on its own, and no line is longer than 75 octets or cuts
// a UTF-8 character in two.
func checkLines(t testing.TB, data []byte) {
	t.Helper()
	if !bytes.HasSuffix(data, []byte("\r\n")) {
		t.Fatalf("the calendar does not end in CRLF")
	}
	lines := bytes.Split(bytes.TrimSuffix(data, []byte("\r\n")), []byte("\r\n"))
	for i, l := range lines {
		if bytes.ContainsAny(l, "\r\n") {
			t.Fatalf("line %d holds a bare CR or LF: %q", i+1, l)
		}
		if len(l) > 75 {
			t.Fatalf("line %d is %d octets long: %q", i+1, len(l), l)
		}
		if !utf8.Valid(l) {
			t.Fatalf("line %d is not UTF-8 on its own (a character was cut by folding): %q", i+1, l)
		}
	}
}

func TestRequestWritesEveryProperty(t *testing.T) {
	e := sampleEvent(t)
	data := Request(e)
	checkLines(t, data)
	cal := parse(t, data)

	for _, tc := range []struct {
		prop ics.Property
		want string
	}{
		{ics.PropertyVersion, "2.0"},
		{ics.PropertyProductId, "-//complytrack//sessions//EN"},
		{ics.PropertyMethod, "REQUEST"},
	} {
		if got := calendarProperty(cal, tc.prop); len(got) != 1 || got[0] != tc.want {
			t.Errorf("calendar %s = %q, want exactly [%q]", tc.prop, got, tc.want)
		}
	}

	ev := onlyEvent(t, cal)
	for _, tc := range []struct {
		prop ics.ComponentProperty
		want string
	}{
		{ics.ComponentPropertyUniqueId, e.UID},
		{ics.ComponentPropertyDtstamp, "20260601T081500Z"},
		{ics.ComponentPropertySequence, "3"},
		// 09:30 and 12:00 in British Summer Time are 08:30 and 11:00 UTC.
		{ics.ComponentPropertyDtStart, "20260714T083000Z"},
		{ics.ComponentPropertyDtEnd, "20260714T110000Z"},
		{ics.ComponentPropertySummary, e.Summary},
		{ics.ComponentPropertyLocation, e.Location},
		{ics.ComponentPropertyDescription, e.Description},
		{ics.ComponentPropertyUrl, e.URL},
		{ics.ComponentPropertyStatus, "CONFIRMED"},
		{ics.ComponentPropertyOrganizer, "mailto:tom.whitfield@eastmoor.example.org"},
	} {
		if got := value(t, ev, tc.prop); got != tc.want {
			t.Errorf("%s = %q, want %q", tc.prop, got, tc.want)
		}
	}
	start, err := ev.GetStartAt()
	if err != nil || !start.Equal(e.Start) {
		t.Errorf("start read back = %v (%v), want %v", start, err, e.Start)
	}
	end, err := ev.GetEndAt()
	if err != nil || !end.Equal(e.End) {
		t.Errorf("end read back = %v (%v), want %v", end, err, e.End)
	}
	if cn, ok := commonName(ev.GetProperty(ics.ComponentPropertyOrganizer).BaseProperty); !ok || cn != e.Organizer.Name {
		t.Errorf("organiser CN = %q, want %q", cn, e.Organizer.Name)
	}

	attendees := ev.Attendees()
	if len(attendees) != len(e.Attendees) {
		t.Fatalf("got %d attendees, want %d", len(attendees), len(e.Attendees))
	}
	for i, a := range attendees {
		want := e.Attendees[i]
		if a.Email() != want.Email || a.Value != "mailto:"+want.Email {
			t.Errorf("attendee %d = %q, want mailto:%s", i, a.Value, want.Email)
		}
		cn, hasCN := commonName(a.BaseProperty)
		if want.Name == "" {
			if hasCN || cn != "" {
				t.Errorf("attendee %d has CN %q, want none", i, cn)
			}
		} else if cn != want.Name {
			t.Errorf("attendee %d CN = %q, want %q", i, cn, want.Name)
		}
		for param, wantValue := range map[ics.Parameter]string{
			ics.ParameterParticipationStatus: "NEEDS-ACTION",
			ics.ParameterRole:                "REQ-PARTICIPANT",
			ics.ParameterCutype:              "INDIVIDUAL",
			ics.ParameterRsvp:                "FALSE",
		} {
			if got := a.ICalParameters[string(param)]; len(got) != 1 || got[0] != wantValue {
				t.Errorf("attendee %d %s = %q, want %q", i, param, got, wantValue)
			}
		}
	}
}

// TestTextIsEscapedAndNamesQuoted looks at the raw lines, as Outlook reads
// them: TEXT escapes commas, semicolons, backslashes and line breaks; a CN
// is quoted whole, so its comma does not split it and its apostrophe is
// not escaped.
func TestTextIsEscapedAndNamesQuoted(t *testing.T) {
	e := sampleEvent(t)
	e.Description = "Line one, with a comma; a semicolon.\r\nLine two \\ a backslash."
	raw := string(Request(e))
	unfolded := strings.ReplaceAll(raw, "\r\n ", "")
	for _, want := range []string{
		"\r\nSUMMARY:WRAP workshop\\; Prevent\\, part 2\r\n",
		"\r\nLOCATION:Committee Room 2\\, Town Hall\\; Eastmoor\r\n",
		"\r\nDESCRIPTION:Line one\\, with a comma\\; a semicolon.\\nLine two \\\\ a backslash.\r\n",
		"\r\nORGANIZER;CN=\"Whitfield, Tom\":mailto:tom.whitfield@eastmoor.example.org\r\n",
		"\r\nATTENDEE;CN=\"Siobhán O'Brien\";",
		"\r\nATTENDEE;CN=\"Daniel ^'Dan^' Okoro; Housing\";",
		"\r\nATTENDEE;CUTYPE=INDIVIDUAL;",
	} {
		if !strings.Contains(unfolded, want) {
			t.Errorf("the calendar lacks %q:\n%s", want, raw)
		}
	}
}

func TestLongLinesAreFoldedAt75Octets(t *testing.T) {
	e := sampleEvent(t)
	// Three-octet characters with no spaces, so folding must fall
	// between characters rather than at a word break.
	e.Description = strings.Repeat("予定", 100)
	e.Summary = strings.Repeat("Prevent awareness, ", 12)
	e.Attendees = []Address{{Name: strings.Repeat("Ngozi Adebayo-Okonkwo ", 6), Email: "ngozi@eastmoor.example.org"}}
	data := Request(e)
	checkLines(t, data)
	if !bytes.Contains(data, []byte("\r\n ")) {
		t.Fatalf("no line was folded:\n%s", data)
	}
	ev := onlyEvent(t, parse(t, data))
	if got := value(t, ev, ics.ComponentPropertyDescription); got != e.Description {
		t.Errorf("description read back = %q, want %q", got, e.Description)
	}
	if got := value(t, ev, ics.ComponentPropertySummary); got != e.Summary {
		t.Errorf("summary read back = %q, want %q", got, e.Summary)
	}
	if cn, _ := commonName(ev.Attendees()[0].BaseProperty); cn != e.Attendees[0].Name {
		t.Errorf("CN read back = %q, want %q", cn, e.Attendees[0].Name)
	}
}

func TestMethods(t *testing.T) {
	cancelled := sampleEvent(t)
	cancelled.Cancelled = true
	for _, tc := range []struct {
		name          string
		write         func(Event) []byte
		event         Event
		method        string
		status        string
		withAttendees bool
	}{
		{"request", Request, sampleEvent(t), "REQUEST", "CONFIRMED", true},
		{"cancel", Cancel, sampleEvent(t), "CANCEL", "CANCELLED", true},
		{"publish", Publish, sampleEvent(t), "PUBLISH", "CONFIRMED", false},
		{"publish a cancelled session", Publish, cancelled, "PUBLISH", "CANCELLED", false},
	} {
		t.Run(tc.name, func(t *testing.T) {
			data := tc.write(tc.event)
			checkLines(t, data)
			cal := parse(t, data)
			if got := calendarProperty(cal, ics.PropertyMethod); len(got) != 1 || got[0] != tc.method {
				t.Errorf("METHOD = %q, want [%q]", got, tc.method)
			}
			ev := onlyEvent(t, cal)
			if got := value(t, ev, ics.ComponentPropertyStatus); got != tc.status {
				t.Errorf("STATUS = %q, want %q", got, tc.status)
			}
			// What identifies the session and orders the messages is the
			// same whatever the method.
			if got := value(t, ev, ics.ComponentPropertyUniqueId); got != tc.event.UID {
				t.Errorf("UID = %q, want %q", got, tc.event.UID)
			}
			if got := value(t, ev, ics.ComponentPropertySequence); got != "3" {
				t.Errorf("SEQUENCE = %q, want 3", got)
			}
			if got := value(t, ev, ics.ComponentPropertyOrganizer); got != "mailto:"+tc.event.Organizer.Email {
				t.Errorf("ORGANIZER = %q", got)
			}
			want := 0
			if tc.withAttendees {
				want = len(tc.event.Attendees)
			}
			if got := len(ev.Attendees()); got != want {
				t.Errorf("got %d attendees, want %d", got, want)
			}
		})
	}
}

func TestOptionalPropertiesAreLeftOutWhenEmpty(t *testing.T) {
	e := sampleEvent(t)
	e.Location, e.Description, e.URL = "", "", ""
	e.Organizer = Address{}
	ev := onlyEvent(t, parse(t, Request(e)))
	for _, p := range []ics.ComponentProperty{
		ics.ComponentPropertyLocation, ics.ComponentPropertyDescription,
		ics.ComponentPropertyUrl, ics.ComponentPropertyOrganizer,
	} {
		if ev.HasProperty(p) {
			t.Errorf("%s is written though empty", p)
		}
	}
}

// TestControlCharactersCannotAddLines: a value cannot end its line and
// start a property of its own.
func TestControlCharactersCannotAddLines(t *testing.T) {
	e := sampleEvent(t)
	e.Summary = "Workshop\r\nMETHOD:PUBLISH"
	e.Location = "Room\x00 1\x7f"
	e.URL = "https://example.org/\r\nSTATUS:CANCELLED"
	e.Attendees = []Address{{Name: "Eve\r\nX", Email: "eve@example.org\r\nATTENDEE:mailto:mallory@example.org"}}
	data := Request(e)
	checkLines(t, data)
	cal := parse(t, data)
	if got := calendarProperty(cal, ics.PropertyMethod); len(got) != 1 || got[0] != "REQUEST" {
		t.Errorf("METHOD = %q, want only REQUEST", got)
	}
	ev := onlyEvent(t, cal)
	for _, tc := range []struct {
		prop ics.ComponentProperty
		want string
	}{
		{ics.ComponentPropertySummary, "Workshop\nMETHOD:PUBLISH"},
		{ics.ComponentPropertyLocation, "Room 1"},
		{ics.ComponentPropertyUrl, "https://example.org/STATUS:CANCELLED"},
		{ics.ComponentPropertyStatus, "CONFIRMED"},
	} {
		if got := value(t, ev, tc.prop); got != tc.want {
			t.Errorf("%s = %q, want %q", tc.prop, got, tc.want)
		}
	}
	attendees := ev.Attendees()
	if len(attendees) != 1 || attendees[0].Email() != "eve@example.orgATTENDEE:mailto:mallory@example.org" {
		t.Fatalf("attendees = %v, want the one, with its line breaks dropped", attendees)
	}
	if cn, _ := commonName(attendees[0].BaseProperty); cn != "Eve\nX" {
		t.Errorf("CN = %q, want %q", cn, "Eve\nX")
	}
}

func TestCleanText(t *testing.T) {
	for _, tc := range []struct{ in, want string }{
		{"plain", "plain"},
		{"tab\tkept", "tab\tkept"},
		{"a\r\nb", "a\nb"},
		{"a\rb", "a\nb"},
		{"a\nb", "a\nb"},
		{"a\x00b\x1bc\x7f", "abc"},
		{"bad \xff byte", "bad \uFFFD byte"},
		{"U+2028\u2028 and é kept", "U+2028\u2028 and é kept"},
	} {
		if got := cleanText(tc.in); got != tc.want {
			t.Errorf("cleanText(%q) = %q, want %q", tc.in, got, tc.want)
		}
	}
}

// FuzzRoundTrip: whatever text a session or a name holds, what is written
// parses back, obeys the line rules, and gives the text back (with line
// breaks as LF and control characters dropped, as iCalendar TEXT has it).
func FuzzRoundTrip(f *testing.F) {
	e := sampleEvent(f)
	f.Add(e.Summary, e.Location, e.Description, e.Attendees[1].Name)
	f.Add("", "", "", "")
	f.Add(`\`, `\\n`, "\r\n\r", `"`)
	f.Add(strings.Repeat("é", 80), "a,b;c:d", "<tag> >x<", `Foo\`)
	f.Add("^^'", " leading space", "trailing space ", "^n\\n")
	f.Fuzz(func(t *testing.T, summary, location, description, name string) {
		ev := e
		ev.Summary, ev.Location, ev.Description = summary, location, description
		ev.Attendees = []Address{{Name: name, Email: "a@example.org"}}
		for _, write := range []func(Event) []byte{Request, Cancel} {
			data := write(ev)
			checkLines(t, data)
			got := onlyEvent(t, parse(t, data))
			for _, tc := range []struct {
				prop ics.ComponentProperty
				in   string
			}{
				{ics.ComponentPropertySummary, summary},
				{ics.ComponentPropertyLocation, location},
				{ics.ComponentPropertyDescription, description},
			} {
				if v := value(t, got, tc.prop); v != cleanText(tc.in) {
					t.Fatalf("%s %q read back as %q\n%s", tc.prop, tc.in, v, data)
				}
			}
			attendees := got.Attendees()
			if len(attendees) != 1 || attendees[0].Email() != "a@example.org" {
				t.Fatalf("attendees read back as %v\n%s", attendees, data)
			}
			if cn, _ := commonName(attendees[0].BaseProperty); cn != cleanText(name) {
				t.Fatalf("CN %q read back as %q\n%s", name, cn, data)
			}
		}
	})
}

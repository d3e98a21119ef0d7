package web_test

import (
	"net/http"
	"net/url"
	"regexp"
	"strings"
	"testing"
	"time"

	"github.com/complytrack/complytrack/pkg/auth"
	"github.com/complytrack/complytrack/pkg/notify"
	"github.com/complytrack/complytrack/pkg/sessions"
	"github.com/complytrack/complytrack/pkg/training"
)

// workshop adds a classroom course for the Housing department (where
// addPerson puts everyone) that counts at once, like a WRAP workshop.
func (e *env) workshop() training.Course {
	e.t.Helper()
	c, err := e.app.Training.CreateCourse(e.t.Context(), e.hr, training.Course{
		Code: "WRAP", Title: "WRAP workshop", Provider: "Community Safety team", Delivery: training.DeliveryClassroom,
		AppliesTo:      training.AppliesTo{Kinds: []training.Kind{training.KindStaff}, Departments: []string{"Housing"}},
		NewStarterDays: 90, ValidityMonths: 36, DueSoonDays: 30, RenewWindowDays: 60, ExpiryBasis: training.ExpiryFromPreviousExpiry,
		EffectiveFrom: training.MustDate("2020-01-01"), Evidence: training.EvidenceNone, Verification: training.VerificationNone,
	})
	if err != nil {
		e.t.Fatal(err)
	}
	return c
}

// trainer makes an employee with an account who also holds the trainer role.
func (e *env) trainer(given, family string) training.Person {
	e.t.Helper()
	p := e.employee(given, family)
	if _, err := e.app.Accounts.SetRoles(e.t.Context(), e.hr, p.ID, auth.NewRoles(auth.RoleEmployee, auth.RoleTrainer)); err != nil {
		e.t.Fatal(err)
	}
	return p
}

// session schedules a WRAP session on day (YYYY-MM-DD), 10:00 to 12:30.
func (e *env) session(day string, places int, trainer training.Person) sessions.SessionView {
	e.t.Helper()
	start, _ := training.ParseTimeOfDay("10:00")
	end, _ := training.ParseTimeOfDay("12:30")
	v, err := e.app.Sessions.Schedule(e.t.Context(), e.hr, training.SessionInput{CourseCode: "WRAP", Date: training.MustDate(day),
		Start: start, End: end, Location: "Civic Centre, Committee Room 2", Capacity: places, TrainerID: trainer.ID})
	if err != nil {
		e.t.Fatal(err)
	}
	return v
}

var bookingLink = regexp.MustCompile(`href="/bookings/([^/"]+)/cancel`)

// An employee books the last place; a colleague finds the session full and
// joins the waiting list; the first cancels (after confirming) and the
// colleague moves up into the place.
func TestSessionBookingAndWaitingList(t *testing.T) {
	e := newEnv(t, "http://127.0.0.1")
	e.workshop()
	tom := e.trainer("Tom", "Whitfield")
	v := e.session("2026-11-10", 1, tom)
	e.employee("Ella", "Staff")
	e.employee("Sophie", "Marsh")

	ella := e.newBrowser()
	r := ella.signIn("ella.staff@example.gov.uk", castPassword)
	mustContain(t, r, `<a href="/sessions?course=WRAP" class="button" draggable="false">Book a face-to-face session`, `id="my-bookings"`, "You have no bookings.")
	r = ella.visit("/sessions?course=WRAP")
	mustStatus(t, r, http.StatusOK)
	mustContain(t, r, "Upcoming sessions: WRAP workshop", "Tuesday 10 November 2026", "10am to 12:30pm", "Civic Centre, Committee Room 2",
		"Tom Whitfield", "1 place left", `action="/sessions/`+v.ID+`/book"`, "Book a place")

	r = ella.submit("/sessions/"+v.ID+"/book", nil)
	if r.Status != http.StatusSeeOther || !strings.HasPrefix(r.Location(), "/sessions/"+v.ID+"?booked=") {
		t.Fatalf("book: %d to %q\n%s", r.Status, r.Location(), r.Body)
	}
	r = ella.follow(r)
	mustContain(t, r, "You are booked on WRAP workshop, Tuesday 10 November 2026", "1 of 1 places booked",
		`<strong class="tag tag--compliant">Booked</strong>`, `href="/sessions/`+v.ID+`/calendar.ics"`)

	sophie := e.newBrowser()
	sophie.signIn("sophie.marsh@example.gov.uk", castPassword)
	r = sophie.visit("/sessions")
	mustContain(t, r, "Full: join the waiting list", "Join the waiting list")
	r = sophie.follow(sophie.submit("/sessions/"+v.ID+"/book", nil))
	mustContain(t, r, "You are on the waiting list: number 1", "If someone cancels, you get their place",
		"1 of 1 places booked, 1 on the waiting list")
	r = sophie.visit("/my-training")
	mustContain(t, r, "My bookings", "On the waiting list: number 1", "You are booked on a session on Tuesday 10 November 2026.")

	// The calendar file, for the session's own page and for My bookings.
	ics := ella.get("/sessions/" + v.ID + "/calendar.ics")
	mustStatus(t, ics, http.StatusOK)
	if ct := ics.Header.Get("Content-Type"); !strings.HasPrefix(ct, "text/calendar") ||
		!strings.Contains(ics.Body, "BEGIN:VCALENDAR") || !strings.Contains(ics.Header.Get("Content-Disposition"), "wrap-2026-11-10.ics") {
		t.Errorf("calendar: %s, %s\n%s", ct, ics.Header.Get("Content-Disposition"), ics.Body)
	}

	// Ella cancels from My bookings, after a confirmation page.
	r = ella.visit("/my-training")
	m := bookingLink.FindStringSubmatch(r.Body)
	if m == nil {
		t.Fatalf("no cancel link on My training:\n%s", r.Body)
	}
	r = ella.visit("/bookings/" + m[1] + "/cancel")
	mustStatus(t, r, http.StatusOK)
	mustContain(t, r, "Are you sure you want to cancel this booking?", "Your place goes to the first person on the waiting list", "Keep the booking")
	r = ella.submit("/bookings/"+m[1]+"/cancel", url.Values{"session": {v.ID}})
	mustStatus(t, r, http.StatusSeeOther)
	r = ella.follow(r)
	mustContain(t, r, "Your booking is cancelled", "WRAP workshop on Tuesday 10 November 2026.", "You have no bookings.")
	// Nothing left to cancel: the confirmation page is gone.
	mustStatus(t, ella.get("/bookings/"+m[1]+"/cancel"), http.StatusNotFound)

	r = sophie.visit("/my-training")
	mustContain(t, r, `<strong class="tag tag--compliant">Booked</strong>`)
	if strings.Contains(r.Body, "waiting list: number") {
		t.Errorf("Sophie still waits after Ella cancelled:\n%s", r.Body)
	}
}

// A booking the service refuses comes back on the session's page in the
// error summary: a second session of a course already booked, nobody chosen
// by a line manager.
func TestSessionBookingErrors(t *testing.T) {
	e := newEnv(t, "http://127.0.0.1")
	e.workshop()
	tom := e.trainer("Tom", "Whitfield")
	first := e.session("2026-11-10", 5, tom)
	second := e.session("2026-11-17", 5, tom)
	manager := e.employee("Maya", "Boss")
	rory := e.addPerson("Rory", "Report", manager.EmployeeNumber)
	e.addPerson("Olive", "Other", "") // outside Maya's line

	b := e.newBrowser()
	b.signIn(manager.Email, castPassword)
	b.follow(b.submit("/sessions/"+first.ID+"/book", nil))
	// The second session no longer offers Book: it says where she is booked.
	r := b.visit("/sessions/" + second.ID)
	mustContain(t, r, "You are booked on the session on Tuesday 10 November 2026.")
	r = b.submit("/sessions/"+second.ID+"/book", nil)
	mustStatus(t, r, http.StatusConflict)
	mustContain(t, r, `<h2 class="error-summary__title" id="error-summary-title">There is a problem</h2>`,
		`<a href="#book-`+second.ID+`">You already have`)

	// Booking someone else: only the manager's own line is offered.
	r = b.visit("/sessions/" + second.ID)
	mustContain(t, r, "Book someone else", `<option value="`+rory.ID+`">Rory Report, Housing Officer</option>`)
	if strings.Contains(r.Body, "Olive Other") {
		t.Error("a line manager is offered someone outside their line")
	}
	r = b.submit("/sessions/"+second.ID+"/book", url.Values{"for": {"someone"}, "person": {""}})
	mustStatus(t, r, http.StatusUnprocessableEntity)
	mustContain(t, r, `<a href="#person">Choose the person to book.</a>`, `<p id="person-error" class="error-message">`)

	r = b.submit("/sessions/"+second.ID+"/book", url.Values{"for": {"someone"}, "person": {rory.ID}})
	mustStatus(t, r, http.StatusSeeOther)
	mustContain(t, b.follow(r), "Booking made for Rory Report", "They have been emailed to say whether they have a place")
}

// HR schedules a session (the form first sent with mistakes), changes it,
// adds a partner attendee, and cancels it with a reason, everyone booked
// being e-mailed.
func TestHRManagesSessions(t *testing.T) {
	e := newEnv(t, "http://127.0.0.1")
	e.workshop()
	tom := e.trainer("Tom", "Whitfield")
	e.employee("Ella", "Staff")

	hr := e.newBrowser()
	hr.signIn(adminEmail, adminPassword)
	r := hr.visit("/sessions?course=WRAP")
	mustContain(t, r, `href="/sessions/new?course=WRAP"`, "There are no upcoming sessions of WRAP workshop.")
	r = hr.visit("/sessions/new?course=WRAP")
	mustStatus(t, r, http.StatusOK)
	mustContain(t, r, `<option value="WRAP" selected>WRAP workshop</option>`, `<option value="`+tom.ID+`">Tom Whitfield</option>`)
	if strings.Contains(r.Body, `<option value="PREVENT"`) {
		t.Error("an e-learning course is offered for a face-to-face session")
	}

	r = hr.submit("/sessions/new", url.Values{"course": {"WRAP"}, "date-day": {"31"}, "date-month": {"2"}, "date-year": {"2027"},
		"start-time": {"9.30"}, "end-time": {""}, "location": {""}, "places": {"ten"}, "trainer": {""}})
	mustStatus(t, r, http.StatusUnprocessableEntity)
	summary := []string{
		`<a href="#date-day">The date of the session must be a real date, for example 27 3 2026.</a>`,
		`<a href="#start-time">Enter the start time on the 24-hour clock, like 09:30.</a>`,
		`<a href="#end-time">Enter the end time, like 12:30.</a>`,
		`<a href="#location">Enter the place.</a>`,
		`<a href="#places">The number of places must be a whole number, like 12.</a>`,
		`<a href="#trainer">Choose the trainer.</a>`,
	}
	mustContain(t, r, summary...)
	last := -1
	for _, s := range summary {
		if i := strings.Index(r.Body, s); i < last {
			t.Errorf("the error summary is not in the order of the form: %q comes too early", s)
		} else {
			last = i
		}
	}
	mustContain(t, r, `value="9.30"`, `value="ten"`) // what was typed stays

	r = hr.submit("/sessions/new", url.Values{"course": {"WRAP"}, "date-day": {"3"}, "date-month": {"12"}, "date-year": {"2026"},
		"start-time": {"09:30"}, "end-time": {"12:00"}, "location": {"Council Offices, Room 4"}, "places": {"8"}, "trainer": {tom.ID},
		"notes": {"Bring a pen."}})
	mustStatus(t, r, http.StatusSeeOther)
	id := strings.TrimPrefix(strings.Split(r.Location(), "?")[0], "/sessions/")
	r = hr.follow(r)
	mustContain(t, r, "Session scheduled", "Thursday 3 December 2026", "9:30am to midday", "Council Offices, Room 4", "8 places left",
		"Bring a pen.", "Nobody has booked yet.", `href="/sessions/`+id+`/edit"`, `href="/sessions/`+id+`/cancel"`)

	// Ella books; HR sees her in the bookings list.
	ella := e.newBrowser()
	ella.signIn("ella.staff@example.gov.uk", castPassword)
	ella.visit("/sessions")
	ella.submit("/sessions/"+id+"/book", nil)

	r = hr.visit("/sessions/" + id + "/edit")
	mustContain(t, r, `value="09:30"`, `value="Council Offices, Room 4"`, "Everyone booked (1 person) will be emailed the new details.")
	r = hr.submit("/sessions/"+id+"/edit", url.Values{"date-day": {"3"}, "date-month": {"12"}, "date-year": {"2026"},
		"start-time": {"13:00"}, "end-time": {"15:30"}, "location": {"Civic Centre, Room 1"}, "places": {"8"}, "trainer": {tom.ID}})
	mustStatus(t, r, http.StatusSeeOther)
	mustContain(t, hr.follow(r), "Session changed", "Everyone booked has been emailed the new details.", "1pm to 3:30pm", "Civic Centre, Room 1",
		`>Ella Staff</a>`)

	// A partner attendee: a bad address first.
	r = hr.visit("/sessions/" + id + "/partner")
	mustStatus(t, r, http.StatusOK)
	r = hr.submit("/sessions/"+id+"/partner", url.Values{"partner-name": {"Pat Constable"}, "partner-email": {"pat at police"}, "partner-organisation": {""}})
	mustStatus(t, r, http.StatusUnprocessableEntity)
	mustContain(t, r, `<a href="#partner-email">`, `<a href="#partner-organisation">`, `value="Pat Constable"`)
	r = hr.submit("/sessions/"+id+"/partner", url.Values{"partner-name": {"Pat Constable"}, "partner-email": {"pat.constable@police.example.org"},
		"partner-organisation": {"Eastmoor Police"}})
	mustStatus(t, r, http.StatusSeeOther)
	mustContain(t, hr.follow(r), "Added: Pat Constable (Eastmoor Police)", "2 of 8 places booked")

	// HR book someone from the session's page, and are told where they stand.
	sophie := e.addPerson("Sophie", "Marsh", "")
	r = hr.submit("/sessions/"+id+"/book", url.Values{"for": {"someone"}, "person": {sophie.ID}})
	mustStatus(t, r, http.StatusSeeOther)
	mustContain(t, hr.follow(r), "Booked: Sophie Marsh", "They have been emailed to confirm their place.", "3 of 8 places booked")

	// Cancelling: the warning names how many are told; a reason is needed.
	r = hr.visit("/sessions/" + id + "/cancel")
	mustContain(t, r, "Everyone booked (3 people) will be emailed to say the session is cancelled")
	r = hr.submit("/sessions/"+id+"/cancel", url.Values{"reason": {" "}})
	mustStatus(t, r, http.StatusUnprocessableEntity)
	mustContain(t, r, `<a href="#reason">Enter why the session is cancelled.</a>`)
	r = hr.submit("/sessions/"+id+"/cancel", url.Values{"reason": {"The trainer is ill"}})
	mustStatus(t, r, http.StatusSeeOther)
	mustContain(t, hr.follow(r), "Session cancelled", "Anyone who was booked has been emailed to say it is not going ahead.",
		`<strong class="tag tag--overdue">Cancelled</strong> The trainer is ill.`)
	msgs, err := e.app.Outbox.List(t.Context(), e.hr, notify.Filter{Kind: notify.KindSessionCancelled}, training.PageRequest{})
	if err != nil || len(msgs.Items) != 3 {
		t.Errorf("cancellation e-mails: %d (%v), want 3", len(msgs.Items), err)
	}

	// Auditors are told they may not; employees find nothing there.
	for _, tc := range []struct {
		who, email, password string
		roles                auth.Roles
		want                 int
	}{
		{"auditor", "aditi.audit@example.gov.uk", castPassword, auth.NewRoles(auth.RoleAuditor), http.StatusForbidden},
		{"employee", "ella.staff@example.gov.uk", castPassword, 0, http.StatusNotFound},
	} {
		if tc.roles != 0 {
			p := e.employee("Aditi", "Audit")
			if _, err := e.app.Accounts.SetRoles(t.Context(), e.hr, p.ID, tc.roles); err != nil {
				t.Fatal(err)
			}
		}
		b := e.newBrowser()
		b.signIn(tc.email, tc.password)
		for _, path := range []string{"/sessions/new", "/sessions/" + id + "/edit", "/sessions/" + id + "/cancel", "/sessions/" + id + "/partner"} {
			if got := b.get(path).Status; got != tc.want {
				t.Errorf("%s: GET %s answers %d, want %d", tc.who, path, got, tc.want)
			}
		}
	}
}

// The trainer sees their own sessions, upcoming and past, and takes the
// register of today's: attended people get the course recorded as
// completed that day. Another trainer reaches neither the session's
// bookings nor its register.
func TestTrainerTakesTheRegister(t *testing.T) {
	e := newEnv(t, "http://127.0.0.1")
	e.workshop()
	tom := e.trainer("Tom", "Whitfield")
	other := e.trainer("Olga", "Other")
	today := e.session("2026-11-02", 5, tom)
	later := e.session("2026-11-20", 5, tom)
	ella := e.employee("Ella", "Staff")
	sophie := e.employee("Sophie", "Marsh")
	for _, p := range []training.Person{ella, sophie} {
		e.clock.Advance(time.Minute) // Ella first in the queue, and on the register
		if _, err := e.app.Sessions.Book(t.Context(), training.Actor{PersonID: p.ID}, today.ID, sessions.BookingRequest{}); err != nil {
			t.Fatal(err)
		}
	}
	// A partner attendee comes too: attending records no completion, and
	// the register says so.
	e.clock.Advance(time.Minute)
	if _, err := e.app.Sessions.Book(t.Context(), training.Actor{PersonID: tom.ID, Trainer: true}, today.ID, sessions.BookingRequest{
		External: &training.ExternalAttendee{Name: "Imran Siddiqui", Email: "imran@police.example.org", Organisation: "Eastmoor Police"}}); err != nil {
		t.Fatal(err)
	}
	// The trainer books a place on his own later session (he is in
	// Housing too): someone else marks it.
	if _, err := e.app.Sessions.Book(t.Context(), training.Actor{PersonID: tom.ID}, later.ID, sessions.BookingRequest{}); err != nil {
		t.Fatal(err)
	}

	b := e.newBrowser()
	r := b.signIn(tom.Email, castPassword)
	mustContain(t, r, `<a class="header__link" href="/my-sessions">My sessions</a>`)
	r = b.visit("/my-sessions")
	mustStatus(t, r, http.StatusOK)
	mustContain(t, r, "Monday 2 November 2026", "Friday 20 November 2026", `href="/sessions/`+today.ID+`/register"`,
		"On the day", "3 of 5 places booked", "1 of 5 places booked")

	// The register of a later session opens on its day.
	r = b.visit("/sessions/" + later.ID + "/register")
	mustContain(t, r, "You can take the register from 20 November 2026, the day of the session.")
	mustContain(t, r, "You are booked on this session yourself")

	r = b.visit("/sessions/" + today.ID + "/register")
	mustStatus(t, r, http.StatusOK)
	mustContain(t, r, "Ella Staff", "Sophie Marsh", `class="radios radios--inline"`, "Did not attend")
	ids := regexp.MustCompile(`name="booking-([^"]+)" type="radio" value="attended"`).FindAllStringSubmatch(r.Body, -1)
	if len(ids) != 3 {
		t.Fatalf("register rows: %v", ids)
	}
	r = b.submit("/sessions/"+today.ID+"/register", nil)
	mustStatus(t, r, http.StatusUnprocessableEntity)
	mustContain(t, r, `<a href="#attended-`+ids[0][1]+`">Choose Attended or Did not attend for at least one person.</a>`)

	// Rows are in queue order: Ella booked first.
	r = b.submit("/sessions/"+today.ID+"/register", url.Values{"booking-" + ids[0][1]: {"attended"}, "booking-" + ids[1][1]: {"no_show"},
		"booking-" + ids[2][1]: {"attended"}})
	mustStatus(t, r, http.StatusSeeOther)
	r = b.follow(r)
	mustContain(t, r, "Register saved", "Attended: 2. Did not attend: 1.",
		"Recorded: <strong class=\"tag tag--compliant\">Attended</strong>, with the course completed.",
		"Recorded: <strong class=\"tag tag--compliant\">Attended</strong>. Partner attendees are counted in the partner report.",
		"Recorded: <strong class=\"tag tag--overdue\">Did not attend</strong>")
	mustContain(t, b.visit("/my-sessions"), `Taken. <a class="link" href="/sessions/`+today.ID+`/register">See the register`)

	items, err := e.app.Training.CompletionsOf(t.Context(), e.hr, ella.ID)
	if err != nil {
		t.Fatal(err)
	}
	found := false
	for _, c := range items {
		if c.CourseCode == "WRAP" && c.CompletedOn == training.MustDate("2026-11-02") && c.Source == training.SourceTrainer {
			found = true
		}
	}
	if !found {
		t.Errorf("Ella's completions after the register: %+v", items)
	}
	if got, err := e.app.Training.CompletionsOf(t.Context(), e.hr, sophie.ID); err != nil || len(got) != 0 {
		t.Errorf("Sophie did not attend but has completions %+v (%v)", got, err)
	}

	// Another trainer: not in their list, no bookings, no register.
	o := e.newBrowser()
	o.signIn(other.Email, castPassword)
	r = o.visit("/my-sessions")
	if strings.Contains(r.Body, today.ID) {
		t.Error("another trainer's sessions are listed")
	}
	mustStatus(t, o.get("/sessions/"+today.ID+"/register"), http.StatusForbidden)
	r = o.visit("/sessions/" + today.ID)
	if strings.Contains(r.Body, "Ella Staff") || strings.Contains(r.Body, "Take the register") {
		t.Error("another trainer sees the bookings of a session they do not run")
	}
	// And My sessions is for trainers only.
	emp := e.newBrowser()
	emp.signIn(ella.Email, castPassword)
	mustStatus(t, emp.get("/my-sessions"), http.StatusNotFound)
}

// Times and places are written the GOV.UK way; a course or a session that
// does not exist is said so.
func TestSessionWording(t *testing.T) {
	e := newEnv(t, "http://127.0.0.1")
	e.workshop()
	tom := e.trainer("Tom", "Whitfield")
	for _, tc := range []struct {
		start, end, want string
	}{
		{"09:00", "12:00", "9am to midday"},
		{"12:00", "13:15", "midday to 1:15pm"},
		{"00:30", "23:59", "12:30am to 11:59pm"},
	} {
		s, _ := training.ParseTimeOfDay(tc.start)
		en, _ := training.ParseTimeOfDay(tc.end)
		v, err := e.app.Sessions.Schedule(t.Context(), e.hr, training.SessionInput{CourseCode: "WRAP", Date: training.MustDate("2026-12-01"),
			Start: s, End: en, Location: "Room " + tc.start, Capacity: 2, TrainerID: tom.ID})
		if err != nil {
			t.Fatal(err)
		}
		b := e.newBrowser()
		b.signIn(adminEmail, adminPassword)
		mustContain(t, b.visit("/sessions/"+v.ID), tc.want, "2 places left")
	}
	hr := e.newBrowser()
	hr.signIn(adminEmail, adminPassword)
	r := hr.visit("/sessions?course=NOPE")
	mustStatus(t, r, http.StatusBadRequest)
	mustContain(t, r, `<a href="#course">Choose a course from the list.</a>`)
	for _, path := range []string{"/sessions/nonsense", "/sessions/0123456789abcdef01234567", "/sessions/nonsense/register", "/bookings/nonsense/cancel",
		"/sessions/nonsense/calendar.ics", "/sessions/nonsense/edit"} {
		if got := hr.get(path).Status; got != http.StatusNotFound {
			t.Errorf("GET %s answers %d, want 404", path, got)
		}
	}
}

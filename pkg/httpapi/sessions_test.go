package httpapi_test

import (
	"encoding/json"
	"fmt"
	"mime"
	"net/http"
	"slices"
	"strings"
	"sync/atomic"
	"testing"
	"time"
)

// castTrainers adds two trainers to the cast: trainer, who is also a
// caller of the authorization matrix, and tutor, who runs the sessions
// the trainer does not. Neither has a line manager.
func (e *env) castTrainers() {
	e.t.Helper()
	for _, n := range []string{"trainer", "tutor"} {
		e.addPerson(n, "", map[string]any{"department": "Community Safety"})
		e.giveAccount(n)
		e.must(http.StatusOK, "PUT", "/api/v1/people/"+e.people[n].ID+"/roles", e.tokens["hr"], map[string]any{"roles": []string{"trainer"}})
	}
}

// signInAgain gives the named members of the cast new access tokens,
// for after the clock has moved past the old ones' lifetime.
func (e *env) signInAgain(names ...string) {
	e.t.Helper()
	for _, n := range names {
		email, password := e.people[n].Email, castPassword
		if n == "hr" {
			email, password = adminEmail, adminPassword
		}
		e.tokens[n] = e.login(email, password)
	}
}

// sessionBody is a valid new session of WRAP run by the named trainer,
// with fields replaced or (nil) removed by changes.
func (e *env) sessionBody(trainer string, changes map[string]any) map[string]any {
	body := map[string]any{
		"course_code": "WRAP", "date": "2026-11-20", "start_time": "10:00", "end_time": "12:30",
		"location": "Committee Room 2, Civic Centre", "capacity": 2, "trainer_id": e.people[trainer].ID,
		"notes": "Bring your own laptop.",
	}
	for k, v := range changes {
		if v == nil {
			delete(body, k)
			continue
		}
		body[k] = v
	}
	return body
}

// schedule schedules a session as HR and returns its ID.
func (e *env) schedule(trainer string, changes map[string]any) string {
	e.t.Helper()
	r := e.must(http.StatusCreated, "POST", "/api/v1/sessions", e.tokens["hr"], e.sessionBody(trainer, changes))
	return r.json(e.t)["id"].(string)
}

// bookingOut is a booking as the API answers it.
type bookingOut struct {
	ID         string `json:"id"`
	SessionID  string `json:"session_id"`
	PersonID   string `json:"person_id"`
	PersonName string `json:"person_name"`
	External   *struct {
		Name, Email, Organisation string
	} `json:"external"`
	State    string `json:"state"`
	Position int    `json:"position"`
	Session  struct {
		ID      string `json:"id"`
		Booked  int    `json:"booked"`
		Waiting int    `json:"waiting"`
	} `json:"session"`
}

// fieldErrors are the problem's invalid fields, field -> message.
func fieldErrors(t *testing.T, r response) map[string]string {
	t.Helper()
	var p struct {
		Errors []struct{ Field, Message string }
	}
	if err := json.Unmarshal(r.Body, &p); err != nil {
		t.Fatalf("problem: %v\n%s", err, r.Body)
	}
	out := map[string]string{}
	for _, f := range p.Errors {
		out[f.Field] = f.Message
	}
	return out
}

func TestScheduleSession(t *testing.T) {
	e := newEnv(t)
	e.cast()
	e.castTrainers()
	hr, trainer := e.tokens["hr"], e.tokens["trainer"]

	r := e.must(http.StatusCreated, "POST", "/api/v1/sessions", hr, e.sessionBody("trainer", nil))
	got := r.json(t)
	id, _ := got["id"].(string)
	if id == "" {
		t.Fatalf("no id: %s", r.Body)
	}
	if loc := r.Header.Get("Location"); loc != "/api/v1/sessions/"+id {
		t.Errorf("Location %q", loc)
	}
	want := map[string]any{
		"id": id, "course_code": "WRAP", "course_title": "Workshop to Raise Awareness of Prevent", "date": "2026-11-20",
		"start_time": "10:00", "end_time": "12:30", "location": "Committee Room 2, Civic Centre", "capacity": 2.0,
		"trainer_id": e.people["trainer"].ID, "trainer_name": "Trainer Tester", "notes": "Bring your own laptop.",
		"state": "scheduled", "booked": 0.0, "waiting": 0.0, "places_left": 2.0,
	}
	for k, v := range want {
		if got[k] != v {
			t.Errorf("%s = %v, want %v", k, got[k], v)
		}
	}
	for k := range got {
		if _, ok := want[k]; !ok {
			t.Errorf("unexpected field %s = %v", k, got[k])
		}
	}
	// The same session, read back by anyone signed in.
	again := e.must(http.StatusOK, "GET", "/api/v1/sessions/"+id, e.tokens["emp"], nil).json(t)
	for k, v := range want {
		if again[k] != v {
			t.Errorf("read back: %s = %v, want %v", k, again[k], v)
		}
	}

	for _, tc := range []struct {
		name    string
		token   string
		body    any
		status  int
		field   string // the invalid field, for 422
		message string // its message ("": not checked)
	}{
		{"a trainer runs their own", trainer, e.sessionBody("trainer", nil), http.StatusCreated, "", ""},
		{"a trainer may not name another trainer", trainer, e.sessionBody("tutor", nil), http.StatusUnprocessableEntity, "trainer_id", ""},
		{"start time not HH:MM", hr, e.sessionBody("trainer", map[string]any{"start_time": "10am"}), http.StatusUnprocessableEntity,
			"start_time", "Enter the start time as HH:MM, like 10:00."},
		{"start time with one digit", hr, e.sessionBody("trainer", map[string]any{"start_time": "9:30"}), http.StatusUnprocessableEntity,
			"start_time", "Enter the start time as HH:MM, like 10:00."},
		{"end time past the day", hr, e.sessionBody("trainer", map[string]any{"end_time": "24:00"}), http.StatusUnprocessableEntity,
			"end_time", "Enter the end time as HH:MM, like 12:00."},
		{"end before start", hr, e.sessionBody("trainer", map[string]any{"end_time": "09:00"}), http.StatusUnprocessableEntity, "end_time", ""},
		{"start time missing", hr, e.sessionBody("trainer", map[string]any{"start_time": nil}), http.StatusUnprocessableEntity,
			"start_time", "Enter the start time, like 10:00."},
		{"date not a date", hr, e.sessionBody("trainer", map[string]any{"date": "20/11/2026"}), http.StatusUnprocessableEntity,
			"date", "Enter the date as a real date in the form YYYY-MM-DD, like 2026-03-27."},
		{"date in the past", hr, e.sessionBody("trainer", map[string]any{"date": "2026-11-01"}), http.StatusUnprocessableEntity, "date", ""},
		{"capacity as text", hr, e.sessionBody("trainer", map[string]any{"capacity": "12"}), http.StatusUnprocessableEntity,
			"capacity", "The capacity must be a whole number."},
		{"capacity not whole", hr, e.sessionBody("trainer", map[string]any{"capacity": 2.5}), http.StatusUnprocessableEntity,
			"capacity", "The capacity must be a whole number."},
		{"capacity none", hr, e.sessionBody("trainer", map[string]any{"capacity": 0}), http.StatusUnprocessableEntity, "capacity", ""},
		{"an e-learning course", hr, e.sessionBody("trainer", map[string]any{"course_code": "PREVENT"}), http.StatusUnprocessableEntity, "course_code", ""},
		{"no such course", hr, e.sessionBody("trainer", map[string]any{"course_code": "NOPE"}), http.StatusUnprocessableEntity, "course_code", ""},
		{"trainer without the role", hr, map[string]any{"course_code": "WRAP", "date": "2026-11-20", "start_time": "10:00", "end_time": "12:00",
			"location": "Room 1", "capacity": 5, "trainer_id": e.people["emp"].ID}, http.StatusUnprocessableEntity, "trainer_id", ""},
		{"a field it does not have", hr, e.sessionBody("trainer", map[string]any{"room": "A"}), http.StatusUnprocessableEntity, "room", ""},
		{"an employee may not", e.tokens["emp"], e.sessionBody("trainer", nil), http.StatusForbidden, "", ""},
		{"an auditor may not", e.tokens["auditor"], e.sessionBody("trainer", nil), http.StatusForbidden, "", ""},
		{"not signed in", "", e.sessionBody("trainer", nil), http.StatusUnauthorized, "", ""},
		{"not JSON", hr, "course_code=WRAP", http.StatusUnprocessableEntity, "body", ""},
	} {
		t.Run(tc.name, func(t *testing.T) {
			r := e.do("POST", "/api/v1/sessions", tc.token, tc.body)
			if r.Status != tc.status {
				t.Fatalf("status %d, want %d: %s", r.Status, tc.status, r.Body)
			}
			if tc.field == "" {
				return
			}
			fields := fieldErrors(t, r)
			msg, ok := fields[tc.field]
			if !ok {
				t.Fatalf("no error for %s: %v", tc.field, fields)
			}
			if tc.message != "" && msg != tc.message {
				t.Errorf("%s: %q, want %q", tc.field, msg, tc.message)
			}
		})
	}

	// Every missing field is named at once.
	fields := fieldErrors(t, e.must(http.StatusUnprocessableEntity, "POST", "/api/v1/sessions", hr, map[string]any{}))
	for _, f := range []string{"course_code", "date", "start_time", "end_time", "location", "capacity", "trainer_id"} {
		if fields[f] == "" {
			t.Errorf("an empty session names no problem with %s: %v", f, fields)
		}
	}
}

func TestListSessions(t *testing.T) {
	e := newEnv(t)
	e.cast()
	e.castTrainers()
	late := e.schedule("trainer", map[string]any{"date": "2026-12-01"})
	early := e.schedule("tutor", map[string]any{"date": "2026-11-20", "start_time": "14:00", "end_time": "16:00"})
	earlier := e.schedule("trainer", map[string]any{"date": "2026-11-20", "start_time": "09:00", "end_time": "10:00"})
	gone := e.schedule("trainer", map[string]any{"date": "2026-11-25"})
	e.must(http.StatusOK, "POST", "/api/v1/sessions/"+gone+"/cancel", e.tokens["hr"], map[string]string{"reason": "The room is closed for repairs."})

	ids := func(r response) []string {
		var out []string
		for _, it := range decode[struct{ Items []struct{ ID string } }](t, r).Items {
			out = append(out, it.ID)
		}
		return out
	}
	for _, tc := range []struct {
		query string
		want  []string
	}{
		{"", []string{earlier, early, late}},
		{"?course_code=wrap", []string{earlier, early, late}},
		{"?course_code=PREVENT", nil},
		{"?from=2026-11-21", []string{late}},
		{"?to=2026-11-20", []string{earlier, early}},
		{"?trainer_id=" + e.people["tutor"].ID, []string{early}},
		{"?include_cancelled=true", []string{earlier, early, gone, late}},
	} {
		t.Run(tc.query, func(t *testing.T) {
			got := ids(e.must(http.StatusOK, "GET", "/api/v1/sessions"+tc.query, e.tokens["emp"], nil))
			if !slices.Equal(got, tc.want) {
				t.Errorf("sessions %v, want %v", got, tc.want)
			}
		})
	}
	for _, q := range []string{"?from=tomorrow", "?to=2026-02-30", "?include_cancelled=yes", "?from=2026-12-01&to=2026-11-01"} {
		t.Run(q, func(t *testing.T) {
			e.must(http.StatusUnprocessableEntity, "GET", "/api/v1/sessions"+q, e.tokens["emp"], nil)
		})
	}
	e.must(http.StatusUnauthorized, "GET", "/api/v1/sessions", "", nil)
	e.must(http.StatusNotFound, "GET", "/api/v1/sessions/no-such-session", e.tokens["emp"], nil)
}

// TestBookingsAndTheWaitingList: places go in booking order, the rest
// wait in line with their position, and a cancellation gives the first
// waiting the place.
func TestBookingsAndTheWaitingList(t *testing.T) {
	e := newEnv(t)
	e.cast()
	e.castTrainers()
	id := e.schedule("trainer", nil) // two places
	book := func(who string, body any, want int) bookingOut {
		t.Helper()
		// The queue is in booking order; the test's clock stands still
		// unless moved.
		e.clock.Advance(time.Second)
		r := e.must(want, "POST", "/api/v1/sessions/"+id+"/bookings", e.tokens[who], body)
		return decode[bookingOut](t, r)
	}

	// Yourself, with {} or with no body at all.
	emp := book("emp", map[string]any{}, http.StatusCreated)
	emp2 := book("emp2", nil, http.StatusCreated)
	// A manager books someone in their reporting line; HR anyone.
	other := book("mgrb", map[string]any{"person_id": e.people["other"].ID}, http.StatusCreated)
	stranger := book("hr", map[string]any{"person_id": e.people["stranger"].ID}, http.StatusCreated)
	// A trainer books a partner organisation's attendee.
	partner := book("trainer", map[string]any{"external": map[string]any{"name": "Ann Lee", "email": "Ann.Lee@Police.example.org", "organisation": "Eastmoor Police"}}, http.StatusCreated)

	for _, tc := range []struct {
		name     string
		b        bookingOut
		personID string
		state    string
		position int
	}{
		{"first", emp, e.people["emp"].ID, "booked", 0},
		{"second", emp2, e.people["emp2"].ID, "booked", 0},
		{"third waits first", other, e.people["other"].ID, "waiting", 1},
		{"fourth waits second", stranger, e.people["stranger"].ID, "waiting", 2},
		{"partner waits third", partner, "", "waiting", 3},
	} {
		if tc.b.ID == "" || tc.b.SessionID != id || tc.b.PersonID != tc.personID || tc.b.State != tc.state || tc.b.Position != tc.position {
			t.Errorf("%s: %+v, want person %s, %s at %d", tc.name, tc.b, tc.personID, tc.state, tc.position)
		}
	}
	if x := partner.External; x == nil || x.Name != "Ann Lee" || x.Email != "ann.lee@police.example.org" || x.Organisation != "Eastmoor Police" {
		t.Errorf("partner attendee %+v", partner.External)
	}
	// A booked place says nothing of a position; a waiting one does.
	raw := e.must(http.StatusOK, "GET", "/api/v1/sessions/"+id+"/bookings", e.tokens["trainer"], nil).json(t)
	items := raw["items"].([]any)
	if _, has := items[0].(map[string]any)["position"]; has {
		t.Errorf("a booked place has a position: %v", items[0])
	}
	if _, has := items[0].(map[string]any)["external"]; has {
		t.Errorf("a person's booking has an external attendee: %v", items[0])
	}

	for _, tc := range []struct {
		name   string
		who    string
		body   any
		status int
	}{
		{"twice on the course", "emp", map[string]any{}, http.StatusConflict},
		{"someone outside your line", "mgra", map[string]any{"person_id": e.people["stranger"].ID}, http.StatusNotFound},
		{"an auditor for someone", "auditor", map[string]any{"person_id": e.people["emp"].ID}, http.StatusForbidden},
		{"an employee for a partner", "emp", map[string]any{"external": map[string]any{"name": "A", "email": "a@example.org", "organisation": "B"}}, http.StatusForbidden},
		{"a partner without an e-mail", "hr", map[string]any{"external": map[string]any{"name": "A", "organisation": "B"}}, http.StatusUnprocessableEntity},
		{"both a person and a partner", "hr", map[string]any{"person_id": e.people["mgra"].ID, "external": map[string]any{"name": "A"}}, http.StatusUnprocessableEntity},
		{"a person that is a number", "hr", map[string]any{"person_id": 7}, http.StatusUnprocessableEntity},
		{"a field it does not have", "hr", map[string]any{"guest": "x"}, http.StatusUnprocessableEntity},
	} {
		t.Run(tc.name, func(t *testing.T) {
			if r := e.do("POST", "/api/v1/sessions/"+id+"/bookings", e.tokens[tc.who], tc.body); r.Status != tc.status {
				t.Errorf("status %d, want %d: %s", r.Status, tc.status, r.Body)
			}
		})
	}
	e.must(http.StatusNotFound, "POST", "/api/v1/sessions/no-such-session/bookings", e.tokens["emp"], map[string]any{})

	// The session counts its places.
	s := e.must(http.StatusOK, "GET", "/api/v1/sessions/"+id, e.tokens["emp"], nil).json(t)
	if s["booked"] != 2.0 || s["waiting"] != 3.0 || s["places_left"] != 0.0 {
		t.Errorf("session counts booked %v, waiting %v, left %v", s["booked"], s["waiting"], s["places_left"])
	}

	// emp's manager cancels emp's place: the first waiting takes it.
	r := e.must(http.StatusOK, "POST", "/api/v1/bookings/"+emp.ID+"/cancel", e.tokens["mgra"], nil)
	if b := decode[bookingOut](t, r); b.ID != emp.ID || b.State != "cancelled" || b.Position != 0 {
		t.Errorf("cancelled booking %+v", b)
	}
	e.must(http.StatusConflict, "POST", "/api/v1/bookings/"+emp.ID+"/cancel", e.tokens["emp"], nil)
	e.must(http.StatusNotFound, "POST", "/api/v1/bookings/"+other.ID+"/cancel", e.tokens["emp"], nil)
	e.must(http.StatusNotFound, "POST", "/api/v1/bookings/no-such-booking/cancel", e.tokens["hr"], nil)

	list := decode[struct{ Items []bookingOut }](t, e.must(http.StatusOK, "GET", "/api/v1/sessions/"+id+"/bookings", e.tokens["hr"], nil)).Items
	var states []string
	for _, b := range list {
		states = append(states, fmt.Sprintf("%s:%s:%d", b.ID, b.State, b.Position))
	}
	want := []string{emp.ID + ":cancelled:0", emp2.ID + ":booked:0", other.ID + ":booked:0", stranger.ID + ":waiting:1", partner.ID + ":waiting:2"}
	if !slices.Equal(states, want) {
		t.Errorf("after the cancellation:\n got %v\nwant %v", states, want)
	}
	if list[1].PersonName != "Emp2 Tester" || list[4].PersonName != "Ann Lee" {
		t.Errorf("names %q, %q", list[1].PersonName, list[4].PersonName)
	}
	e.must(http.StatusForbidden, "GET", "/api/v1/sessions/"+id+"/bookings", e.tokens["tutor"], nil)
	e.must(http.StatusForbidden, "GET", "/api/v1/sessions/"+id+"/bookings", e.tokens["emp"], nil)

	// Their own bookings, cancelled ones too, with the session.
	mine := decode[struct{ Items []bookingOut }](t, e.must(http.StatusOK, "GET", "/api/v1/me/bookings", e.tokens["emp"], nil)).Items
	if len(mine) != 1 || mine[0].ID != emp.ID || mine[0].State != "cancelled" || mine[0].Session.ID != id || mine[0].Session.Booked != 2 {
		t.Errorf("emp's bookings %+v", mine)
	}
	// Free to book again once cancelled.
	if b := book("emp", nil, http.StatusCreated); b.State != "waiting" || b.Position != 3 {
		t.Errorf("booking again: %+v", b)
	}
	none := e.must(http.StatusOK, "GET", "/api/v1/me/bookings", e.tokens["auditor"], nil).json(t)
	if items, ok := none["items"].([]any); !ok || len(items) != 0 {
		t.Errorf("no bookings answers %s", e.must(http.StatusOK, "GET", "/api/v1/me/bookings", e.tokens["auditor"], nil).Body)
	}
}

// TestRescheduleSession: a PATCH changes only the fields it sends, checks
// them as a POST would, and only HR and the session's trainer may.
func TestRescheduleSession(t *testing.T) {
	e := newEnv(t)
	e.cast()
	e.castTrainers()
	id := e.schedule("trainer", map[string]any{"capacity": 3})
	path := "/api/v1/sessions/" + id
	e.must(http.StatusCreated, "POST", path+"/bookings", e.tokens["emp"], nil)
	e.must(http.StatusCreated, "POST", path+"/bookings", e.tokens["emp2"], nil)

	r := e.must(http.StatusOK, "PATCH", path, e.tokens["trainer"], map[string]any{"start_time": "11:00", "end_time": "13:00"})
	got := r.json(t)
	want := map[string]any{"id": id, "date": "2026-11-20", "start_time": "11:00", "end_time": "13:00", "location": "Committee Room 2, Civic Centre",
		"capacity": 3.0, "trainer_id": e.people["trainer"].ID, "notes": "Bring your own laptop.", "booked": 2.0, "state": "scheduled"}
	for k, v := range want {
		if got[k] != v {
			t.Errorf("%s = %v, want %v", k, got[k], v)
		}
	}
	// Everyone booked was told.
	for _, who := range []string{"emp", "emp2"} {
		out := e.must(http.StatusOK, "GET", "/api/v1/outbox?kind=session_change&to="+e.people[who].Email, e.tokens["hr"], nil).json(t)
		if items, _ := out["items"].([]any); len(items) != 1 {
			t.Errorf("%s was sent %d change messages, want 1", who, len(items))
		}
	}

	for _, tc := range []struct {
		name    string
		token   string
		body    any
		status  int
		field   string
		message string
	}{
		{"notes cleared", e.tokens["hr"], map[string]any{"notes": ""}, http.StatusOK, "", ""},
		{"nothing sent changes nothing", e.tokens["trainer"], map[string]any{}, http.StatusOK, "", ""},
		{"start time not HH:MM", e.tokens["trainer"], map[string]any{"start_time": "11"}, http.StatusUnprocessableEntity,
			"start_time", "Enter the start time as HH:MM, like 10:00."},
		{"end before the kept start", e.tokens["trainer"], map[string]any{"end_time": "10:00"}, http.StatusUnprocessableEntity, "end_time", ""},
		{"fewer places than booked", e.tokens["trainer"], map[string]any{"capacity": 1}, http.StatusUnprocessableEntity, "capacity", ""},
		{"capacity as text", e.tokens["trainer"], map[string]any{"capacity": "4"}, http.StatusUnprocessableEntity,
			"capacity", "The capacity must be a whole number."},
		{"another course", e.tokens["hr"], map[string]any{"course_code": "PREVENT"}, http.StatusUnprocessableEntity, "course_code", ""},
		{"a field it does not have", e.tokens["trainer"], map[string]any{"room": "B"}, http.StatusUnprocessableEntity, "room", ""},
		{"null body", e.tokens["trainer"], "null", http.StatusUnprocessableEntity, "body", ""},
		{"another trainer", e.tokens["tutor"], map[string]any{"location": "Room 9"}, http.StatusForbidden, "", ""},
		{"an employee", e.tokens["emp"], map[string]any{"location": "Room 9"}, http.StatusForbidden, "", ""},
	} {
		t.Run(tc.name, func(t *testing.T) {
			r := e.do("PATCH", path, tc.token, tc.body)
			if r.Status != tc.status {
				t.Fatalf("status %d, want %d: %s", r.Status, tc.status, r.Body)
			}
			if tc.field == "" {
				return
			}
			msg, ok := fieldErrors(t, r)[tc.field]
			if !ok || tc.message != "" && msg != tc.message {
				t.Errorf("%s: %q, want %q (%s)", tc.field, msg, tc.message, r.Body)
			}
		})
	}
	now := e.must(http.StatusOK, "GET", path, e.tokens["emp"], nil).json(t)
	if now["start_time"] != "11:00" || now["capacity"] != 3.0 || now["notes"] != nil {
		t.Errorf("after the refused changes: %v", now)
	}
	e.must(http.StatusNotFound, "PATCH", "/api/v1/sessions/no-such-session", e.tokens["hr"], map[string]any{"location": "Room 9"})

	// A cancelled session says why, and cannot be changed or booked.
	e.must(http.StatusUnprocessableEntity, "POST", path+"/cancel", e.tokens["trainer"], map[string]any{})
	e.must(http.StatusForbidden, "POST", path+"/cancel", e.tokens["tutor"], map[string]any{"reason": "Unwell."})
	c := e.must(http.StatusOK, "POST", path+"/cancel", e.tokens["trainer"], map[string]any{"reason": "The trainer is unwell."}).json(t)
	if c["state"] != "cancelled" || c["cancel_reason"] != "The trainer is unwell." || c["places_left"] != 0.0 {
		t.Errorf("cancelled session %v", c)
	}
	e.must(http.StatusConflict, "POST", path+"/cancel", e.tokens["hr"], map[string]any{"reason": "Again."})
	e.must(http.StatusConflict, "PATCH", path, e.tokens["hr"], map[string]any{"location": "Room 9"})
	e.must(http.StatusConflict, "POST", path+"/bookings", e.tokens["mgra"], nil)
	mine := decode[struct{ Items []bookingOut }](t, e.must(http.StatusOK, "GET", "/api/v1/me/bookings", e.tokens["emp"], nil)).Items
	if len(mine) != 1 || mine[0].State != "cancelled" {
		t.Errorf("emp's booking on the cancelled session: %+v", mine)
	}
}

func TestSessionCalendar(t *testing.T) {
	e := newEnv(t)
	e.cast()
	e.castTrainers()
	id := e.schedule("trainer", nil)
	r := e.must(http.StatusOK, "GET", "/api/v1/sessions/"+id+"/calendar.ics", e.tokens["emp"], nil)
	mt, _, err := mime.ParseMediaType(r.Header.Get("Content-Type"))
	if err != nil || mt != "text/calendar" {
		t.Errorf("Content-Type %q", r.Header.Get("Content-Type"))
	}
	disp, params, err := mime.ParseMediaType(r.Header.Get("Content-Disposition"))
	if err != nil || disp != "attachment" || params["filename"] != "2026-11-20-wrap.ics" {
		t.Errorf("Content-Disposition %q", r.Header.Get("Content-Disposition"))
	}
	// Unfolded content lines (RFC 5545 3.1): name[;params]:value.
	text := strings.ReplaceAll(strings.ReplaceAll(string(r.Body), "\r\n ", ""), "\r\n\t", "")
	lines := strings.Split(strings.TrimSuffix(text, "\r\n"), "\r\n")
	if lines[0] != "BEGIN:VCALENDAR" || lines[len(lines)-1] != "END:VCALENDAR" {
		t.Fatalf("not one calendar:\n%s", r.Body)
	}
	props := map[string]string{}
	for _, l := range lines {
		name, value, ok := strings.Cut(l, ":")
		if !ok {
			t.Fatalf("content line %q has no value", l)
		}
		name, _, _ = strings.Cut(name, ";")
		if _, seen := props[name]; !seen {
			props[name] = value
		}
	}
	want := map[string]string{
		"METHOD": "PUBLISH", "UID": "session-" + id + "@complytrack.example.gov.uk",
		// 10:00 on 20 November is GMT, so the same in UTC.
		"DTSTART": "20261120T100000Z", "DTEND": "20261120T123000Z",
	}
	for k, v := range want {
		if props[k] != v {
			t.Errorf("%s:%s, want %s", k, props[k], v)
		}
	}
	if !strings.Contains(props["LOCATION"], "Committee Room 2") {
		t.Errorf("LOCATION:%s", props["LOCATION"])
	}
	e.must(http.StatusNotFound, "GET", "/api/v1/sessions/no-such-session/calendar.ics", e.tokens["emp"], nil)
	e.must(http.StatusUnauthorized, "GET", "/api/v1/sessions/"+id+"/calendar.ics", "", nil)
}

// TestRegisterAndPartnerReport: from the session's day the trainer marks
// who came and who did not; each person who came gets an accepted
// completion dated the session's day, and partners' attendance is
// counted for the report.
func TestRegisterAndPartnerReport(t *testing.T) {
	e := newEnv(t)
	e.cast()
	e.castTrainers()
	id := e.schedule("trainer", map[string]any{"date": "2026-11-04", "capacity": 6})
	path := "/api/v1/sessions/" + id
	book := func(who string, body any) string {
		e.clock.Advance(time.Second)
		return decode[bookingOut](t, e.must(http.StatusCreated, "POST", path+"/bookings", e.tokens[who], body)).ID
	}
	emp, emp2 := book("emp", nil), book("emp2", nil)
	tutor := book("tutor", nil)
	ann := book("trainer", map[string]any{"external": map[string]any{"name": "Ann Lee", "email": "ann@police.example.org", "organisation": "Eastmoor Police"}})
	bob := book("hr", map[string]any{"external": map[string]any{"name": "Bob Roe", "email": "bob@police.example.org", "organisation": "Eastmoor Police"}})
	cy := book("hr", map[string]any{"external": map[string]any{"name": "Cy Poe", "email": "cy@nhs.example.org", "organisation": "Eastmoor NHS Trust"}})

	mark := map[string]any{"attended": []string{emp, ann, bob}, "no_show": []string{emp2, cy}}
	e.must(http.StatusConflict, "POST", path+"/register", e.tokens["trainer"], mark) // before the day
	e.clock.Advance(2 * 24 * time.Hour)
	e.signInAgain("hr", "trainer", "tutor", "emp", "auditor")
	e.must(http.StatusForbidden, "POST", path+"/register", e.tokens["tutor"], map[string]any{"attended": []string{tutor}})
	e.must(http.StatusForbidden, "POST", path+"/register", e.tokens["emp"], mark)
	fields := fieldErrors(t, e.must(http.StatusUnprocessableEntity, "POST", path+"/register", e.tokens["trainer"], map[string]any{}))
	if fields["attended"] == "" {
		t.Errorf("an empty register names no problem: %v", fields)
	}
	e.must(http.StatusUnprocessableEntity, "POST", path+"/register", e.tokens["trainer"], map[string]any{"attended": "everyone"})

	r := e.must(http.StatusOK, "POST", path+"/register", e.tokens["trainer"], mark)
	got := decode[struct{ Completions []string }](t, r).Completions
	if len(got) != 1 {
		t.Fatalf("completions %v, want one (emp's: partners have no records)", got)
	}
	done := decode[struct {
		Items []struct {
			ID, CourseCode, Source, State string
			CompletedOn                   string `json:"completed_on"`
		}
	}](t, e.must(http.StatusOK, "GET", "/api/v1/people/"+e.people["emp"].ID+"/completions", e.tokens["hr"], nil)).Items
	if !slices.ContainsFunc(done, func(c struct {
		ID, CourseCode, Source, State string
		CompletedOn                   string `json:"completed_on"`
	}) bool {
		return c.ID == got[0] && c.Source == "trainer" && c.State == "accepted" && c.CompletedOn == "2026-11-04"
	}) {
		t.Errorf("emp's completions %+v hold no accepted trainer completion %s dated 2026-11-04", done, got[0])
	}
	// Marking again records nothing new.
	again := decode[struct{ Completions []string }](t, e.must(http.StatusOK, "POST", path+"/register", e.tokens["hr"], map[string]any{"attended": []string{emp}})).Completions
	if !slices.Equal(again, got) {
		t.Errorf("marked again: completions %v, want %v", again, got)
	}
	states := map[string]string{}
	for _, b := range decode[struct{ Items []bookingOut }](t, e.must(http.StatusOK, "GET", path+"/bookings", e.tokens["trainer"], nil)).Items {
		states[b.ID] = b.State
	}
	for id, want := range map[string]string{emp: "attended", ann: "attended", bob: "attended", emp2: "no_show", cy: "no_show", tutor: "booked"} {
		if states[id] != want {
			t.Errorf("booking %s is %s, want %s", id, states[id], want)
		}
	}
	// emp2's line manager is told.
	out := e.must(http.StatusOK, "GET", "/api/v1/outbox?kind=session_no_show&to="+e.people["mgra"].Email, e.tokens["hr"], nil).json(t)
	if items, _ := out["items"].([]any); len(items) != 1 {
		t.Errorf("the manager was sent %d no-show messages, want 1", len(items))
	}

	rep := e.must(http.StatusOK, "GET", "/api/v1/reports/partners?from=2026-11-01&to=2026-11-30", e.tokens["auditor"], nil).json(t)
	wantRep := map[string]any{"from": "2026-11-01", "to": "2026-11-30", "sessions": 1.0, "places_offered": 6.0, "places_filled": 6.0}
	for k, v := range wantRep {
		if rep[k] != v {
			t.Errorf("report %s = %v, want %v", k, rep[k], v)
		}
	}
	orgs, _ := json.Marshal(rep["organisations"])
	if string(orgs) != `[{"attended":0,"name":"Eastmoor NHS Trust","no_show":1},{"attended":2,"name":"Eastmoor Police","no_show":0}]` {
		t.Errorf("organisations %s", orgs)
	}
	e.must(http.StatusForbidden, "GET", "/api/v1/reports/partners", e.tokens["emp"], nil)
	e.must(http.StatusForbidden, "GET", "/api/v1/reports/partners", e.tokens["trainer"], nil)
	e.must(http.StatusUnprocessableEntity, "GET", "/api/v1/reports/partners?from=soon", e.tokens["hr"], nil)
}

// ---- the authorization matrix's sessions ----

var matrixCourses atomic.Int64

// freshSession schedules, as HR, a session for today of a new classroom
// course: one caller's booking never turns the next caller's try into a
// conflict, and the register is open. The trainer runs it when trainerID
// is theirs, else the tutor.
func freshSession(e *env, trainerID string) string {
	e.t.Helper()
	code := fmt.Sprintf("F2F%d", matrixCourses.Add(1))
	e.must(http.StatusCreated, "POST", "/api/v1/courses", e.tokens["hr"], map[string]any{
		"code": code, "title": "Workshop " + code, "delivery": "classroom", "applies_to": map[string]any{"kinds": []string{"staff", "member"}},
		"effective_from": "2020-01-01", "evidence": "none", "verification": "none",
	})
	if trainerID != e.people["trainer"].ID {
		trainerID = e.people["tutor"].ID
	}
	return e.schedule("", map[string]any{"course_code": code, "date": "2026-11-02", "start_time": "14:00", "end_time": "16:00",
		"capacity": 10, "trainer_id": trainerID})
}

// sessionRunBy is a fresh session run by the target, when the target is
// the trainer, else by the tutor: so "own" is the trainer's own session.
func sessionRunBy(e *env, personID string) string { return freshSession(e, personID) }

// sessionToBook is a fresh session run by the tutor.
func sessionToBook(e *env, _ string) string { return freshSession(e, "") }

// sessionWithBooking is sessionRunBy with emp booked, for the register.
func sessionWithBooking(e *env, personID string) string {
	id := freshSession(e, personID)
	e.must(http.StatusCreated, "POST", "/api/v1/sessions/"+id+"/bookings", e.tokens["hr"], map[string]any{"person_id": e.people["emp"].ID})
	return id
}

// bookingFor is the target's booking on a fresh session, made by HR.
func bookingFor(e *env, personID string) string {
	id := freshSession(e, "")
	r := e.must(http.StatusCreated, "POST", "/api/v1/sessions/"+id+"/bookings", e.tokens["hr"], map[string]any{"person_id": personID})
	return r.json(e.t)["id"].(string)
}

// registerBody marks the session's one booking as attended.
func registerBody(e *env, sessionID string) any {
	var out struct{ Items []struct{ ID string } }
	r := e.must(http.StatusOK, "GET", "/api/v1/sessions/"+sessionID+"/bookings", e.tokens["hr"], nil)
	if err := json.Unmarshal(r.Body, &out); err != nil || len(out.Items) != 1 {
		e.t.Fatalf("bookings of %s: %s", sessionID, r.Body)
	}
	return map[string]any{"attended": []string{out.Items[0].ID}}
}

// runsSession is who may change a session or read its bookings: HR, and
// a trainer on the session they run. Anyone else signed in can see the
// session, so is refused rather than told it does not exist.
func runsSession(ok int) func(caller, target string) int {
	return func(caller, target string) int {
		switch {
		case caller == "anonymous":
			return http.StatusUnauthorized
		case caller == "hr", caller == "trainer" && target == "own":
			return ok
		default:
			return http.StatusForbidden
		}
	}
}

// bookFor is who may book whom, and cancel their booking: anyone
// themself, HR anyone, a manager someone in their reporting line, Member
// Services a Member. An auditor sees everyone but books nobody else;
// anyone else is told nothing of people they cannot see.
func bookFor(ok int) func(caller, target string) int {
	return func(caller, target string) int {
		switch {
		case caller == "anonymous":
			return http.StatusUnauthorized
		case target == "own", caller == "hr", caller == "manager" && target == "team", caller == "memberServices" && target == "member":
			return ok
		case caller == "auditor":
			return http.StatusForbidden
		default:
			return http.StatusNotFound
		}
	}
}

// bookingBody books the caller ({}) or the target person.
func bookingBody(e *env, caller, target string, _ int) any {
	if target == "own" {
		return map[string]any{}
	}
	return map[string]any{"person_id": e.targetID(caller, target)}
}

// newSessionBody is a session of WRAP the caller may schedule: a trainer
// runs it themself; HR names the tutor.
func newSessionBody(e *env, caller, _ string, _ int) any {
	trainer := "tutor"
	if caller == "trainer" {
		trainer = "trainer"
	}
	return e.sessionBody(trainer, nil)
}

// TestSessionMatrixHelpers: the matrix's sessions are what it takes them
// for, so its statuses mean what they say.
func TestSessionMatrixHelpers(t *testing.T) {
	e := newEnv(t)
	e.cast()
	e.castTrainers()
	own := sessionRunBy(e, e.people["trainer"].ID)
	theirs := sessionRunBy(e, e.people["emp"].ID)
	for id, trainer := range map[string]string{own: "trainer", theirs: "tutor"} {
		s := e.must(http.StatusOK, "GET", "/api/v1/sessions/"+id, e.tokens["hr"], nil).json(t)
		if s["trainer_id"] != e.people[trainer].ID || s["date"] != "2026-11-02" {
			t.Errorf("session %s: %v, want run by %s today", id, s, trainer)
		}
	}
	b := bookingFor(e, e.people["stranger"].ID)
	mine := decode[struct{ Items []bookingOut }](t, e.must(http.StatusOK, "GET", "/api/v1/me/bookings", e.tokens["stranger"], nil)).Items
	if len(mine) != 1 || mine[0].ID != b || mine[0].State != "booked" {
		t.Errorf("stranger's bookings %+v, want %s", mine, b)
	}
}

// TestOpenAPISessionResponsesMatchSchemas: real answers of the sessions
// operations, successes and problems, match the schemas /openapi.json
// declares for them (as TestOpenAPIResponsesMatchSchemas does for the
// rest), optional fields included: a partner attendee, a waiting
// position, a cancelled session's reason.
func TestOpenAPISessionResponsesMatchSchemas(t *testing.T) {
	e := newEnv(t)
	doc := openAPI(t, e)
	ops := operations(doc)
	e.cast()
	e.castTrainers()
	today := e.schedule("trainer", map[string]any{"date": "2026-11-02", "start_time": "14:00", "end_time": "16:00", "capacity": 1})
	gone := e.schedule("trainer", nil)
	e.must(http.StatusOK, "POST", "/api/v1/sessions/"+gone+"/cancel", e.tokens["hr"], map[string]any{"reason": "The trainer is unwell."})
	booked := e.must(http.StatusCreated, "POST", "/api/v1/sessions/"+today+"/bookings", e.tokens["emp"], nil).json(t)["id"].(string)
	partner := map[string]any{"external": map[string]any{"name": "Ann Lee", "email": "ann@police.example.org", "organisation": "Eastmoor Police"}}

	cases := []struct {
		op, path, caller string
		body             any
		status           int
	}{
		{"POST /api/v1/sessions", "/api/v1/sessions", "trainer", e.sessionBody("trainer", nil), 201},
		{"POST /api/v1/sessions", "/api/v1/sessions", "hr", e.sessionBody("trainer", map[string]any{"start_time": "noon", "capacity": nil}), 422},
		{"POST /api/v1/sessions", "/api/v1/sessions", "emp", e.sessionBody("trainer", nil), 403},
		{"GET /api/v1/sessions", "/api/v1/sessions?include_cancelled=true", "emp", nil, 200},
		{"GET /api/v1/sessions/{id}", "/api/v1/sessions/" + gone, "emp", nil, 200},
		{"GET /api/v1/sessions/{id}", "/api/v1/sessions/nothing", "emp", nil, 404},
		{"PATCH /api/v1/sessions/{id}", "/api/v1/sessions/" + today, "trainer", map[string]any{"location": "Council Chamber"}, 200},
		{"PATCH /api/v1/sessions/{id}", "/api/v1/sessions/" + gone, "hr", map[string]any{"location": "Council Chamber"}, 409},
		{"POST /api/v1/sessions/{id}/bookings", "/api/v1/sessions/" + today + "/bookings", "trainer", partner, 201},
		{"POST /api/v1/sessions/{id}/bookings", "/api/v1/sessions/" + today + "/bookings", "emp", nil, 409},
		{"GET /api/v1/sessions/{id}/bookings", "/api/v1/sessions/" + today + "/bookings", "trainer", nil, 200},
		{"GET /api/v1/me/bookings", "/api/v1/me/bookings", "emp", nil, 200},
		{"POST /api/v1/sessions/{id}/register", "/api/v1/sessions/" + today + "/register", "trainer", map[string]any{"attended": []string{booked}}, 200},
		{"POST /api/v1/bookings/{id}/cancel", "/api/v1/bookings/" + booked + "/cancel", "emp", nil, 409},
		{"POST /api/v1/sessions/{id}/cancel", "/api/v1/sessions/" + today + "/cancel", "emp", map[string]any{"reason": "No."}, 403},
		{"GET /api/v1/reports/partners", "/api/v1/reports/partners?from=2026-11-01&to=2026-11-30", "auditor", nil, 200},
		{"GET /api/v1/reports/partners", "/api/v1/reports/partners", "hr", nil, 422},
	}
	for _, c := range cases {
		t.Run(fmt.Sprintf("%s %d as %s", c.op, c.status, c.caller), func(t *testing.T) {
			op := ops[c.op]
			if op == nil {
				t.Fatalf("%s is not in the document", c.op)
			}
			method, _, _ := strings.Cut(c.op, " ")
			r := e.must(c.status, method, c.path, e.tokens[c.caller], c.body)
			declared, ok := op["responses"].(map[string]any)[fmt.Sprint(c.status)]
			if !ok {
				t.Fatalf("status %d is not declared for %s", c.status, c.op)
			}
			mt, _, _ := mime.ParseMediaType(r.Header.Get("Content-Type"))
			content, _ := resolve(t, doc, declared)["content"].(map[string]any)
			media, ok := content[mt].(map[string]any)
			if !ok {
				t.Fatalf("Content-Type %s is not declared for %s %d (declared: %v)", mt, c.op, c.status, keys(content))
			}
			var body any
			if err := json.Unmarshal(r.Body, &body); err != nil {
				t.Fatalf("body is not JSON: %v", err)
			}
			for _, p := range (&schemaCheck{doc: doc}).check(body, media["schema"], "body") {
				t.Error(p)
			}
		})
	}

	// The calendar file is declared as text/calendar.
	r := e.must(http.StatusOK, "GET", "/api/v1/sessions/"+today+"/calendar.ics", e.tokens["emp"], nil)
	mt, _, _ := mime.ParseMediaType(r.Header.Get("Content-Type"))
	ok := ops["GET /api/v1/sessions/{id}/calendar.ics"]["responses"].(map[string]any)["200"].(map[string]any)
	if _, declared := ok["content"].(map[string]any)[mt]; !declared {
		t.Errorf("the calendar's Content-Type %s is not declared: %v", mt, ok["content"])
	}
}

// sessionFixtures are the sessions and bookings TestOpenAPIFuzz tries the
// sessions operations on (fuzzer.opIDs), and the bookings it marks as
// attended: sessions today and later run by the trainer, each operation
// that ends something (a cancellation, the register) on its own.
func sessionFixtures(e *env) (opIDs map[string][]string, attended []string) {
	e.t.Helper()
	today := map[string]any{"date": "2026-11-02", "start_time": "14:00", "end_time": "16:00", "capacity": 3}
	book := func(sessionID, who string) string {
		r := e.must(http.StatusCreated, "POST", "/api/v1/sessions/"+sessionID+"/bookings", e.tokens["hr"], map[string]any{"person_id": e.people[who].ID})
		return r.json(e.t)["id"].(string)
	}
	open := []string{e.schedule("trainer", today), e.schedule("trainer", nil)}
	toCancel := []string{e.schedule("trainer", nil), e.schedule("trainer", nil), e.schedule("trainer", nil)}
	register := []string{e.schedule("trainer", today), e.schedule("trainer", today)}
	bookings := []string{book(open[0], "emp"), book(open[0], "emp2")}
	attended = []string{book(register[0], "stranger"), book(register[1], "other")}
	opIDs = map[string][]string{
		"POST /api/v1/sessions/{id}/cancel":   toCancel,
		"POST /api/v1/sessions/{id}/register": register,
		"POST /api/v1/bookings/{id}/cancel":   bookings,
	}
	for _, op := range []string{"GET /api/v1/sessions/{id}", "GET /api/v1/sessions/{id}/calendar.ics", "GET /api/v1/sessions/{id}/bookings",
		"PATCH /api/v1/sessions/{id}", "POST /api/v1/sessions/{id}/bookings"} {
		opIDs[op] = open
	}
	return opIDs, attended
}

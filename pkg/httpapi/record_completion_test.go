package httpapi_test

import (
	"fmt"
	"net/http"
	"strings"
	"testing"
)

// recordCast adds to env.cast a trainer who manages one person (so a
// trainer has a team, like any manager), an HR officer with a report, and
// three staff courses, one per way of delivery, each needing verification
// (so "own completion needs someone else" can show) and no evidence (so
// the rules on who may record are what is tried). It also adds a course
// for elected Members only, which applies to nobody in the cast.
func recordCast(e *env) {
	e.t.Helper()
	e.cast()
	e.addPerson("trainer", "", nil)
	e.addPerson("trainee", "trainer", nil)
	e.giveAccount("trainer")
	e.must(http.StatusOK, "PUT", "/api/v1/people/"+e.people["trainer"].ID+"/roles", e.tokens["hr"], map[string]any{"roles": []string{"trainer"}})
	e.signIn("trainer") // the roles are in the access token
	e.addPerson("hrrep", "", map[string]any{"manager_employee_number": e.getPerson(e.hrID()).EmployeeNumber})
	for _, c := range []struct{ code, delivery, verification string }{
		{"ELRN", "e-learning", "hr"},
		{"CLASS", "classroom", "manager"},
		{"EITHER", "either", "hr"},
	} {
		e.must(http.StatusCreated, "POST", "/api/v1/courses", e.tokens["hr"], map[string]any{
			"code": c.code, "title": "Course " + c.code, "delivery": c.delivery,
			"applies_to": map[string]any{"kinds": []string{"staff"}}, "validity_months": 36,
			"effective_from": "2020-01-01", "evidence": "none", "verification": c.verification,
		})
	}
	// The trainee is booked on a session of each classroom course the
	// trainer runs: a trainer records those courses by hand for such
	// people only.
	for _, code := range []string{"CLASS", "EITHER"} {
		r := e.must(http.StatusCreated, "POST", "/api/v1/sessions", e.tokens["hr"], map[string]any{
			"course_code": code, "date": "2026-11-02", "start_time": "10:00", "end_time": "12:00",
			"location": "Room 1", "capacity": 10, "trainer_id": e.people["trainer"].ID,
		})
		session := decode[struct {
			ID string `json:"id"`
		}](e.t, r)
		e.must(http.StatusCreated, "POST", "/api/v1/sessions/"+session.ID+"/bookings", e.tokens["hr"], map[string]any{"person_id": e.people["trainee"].ID})
	}
	e.must(http.StatusCreated, "POST", "/api/v1/courses", e.tokens["hr"], map[string]any{
		"code": "MEMBERS", "title": "Members' induction", "delivery": "classroom",
		"applies_to": map[string]any{"kinds": []string{"member"}}, "validity_months": 36,
		"effective_from": "2020-01-01", "evidence": "none", "verification": "none",
	})
}

// TestWhoMayRecordACompletionForWhom: HR records for anyone, their own
// waiting for verification like anyone's; a trainer records attendance
// at classroom (or either) courses for the people booked on a session of
// it they run, never for themself; everyone else may not, and a person
// they cannot see does not exist for them.
func TestWhoMayRecordACompletionForWhom(t *testing.T) {
	e := newEnv(t)
	recordCast(e)

	// Each caller's own record, a member of their reporting line (where
	// they have one) and someone in nobody's line.
	type caller struct {
		name, cast, team string
	}
	callers := []caller{
		{"employee", "emp2", ""},
		{"manager", "mgra", "emp"},
		{"auditor", "auditor", ""},
		{"hr", "hr", "hrrep"},
		{"trainer", "trainer", "trainee"},
	}
	delivery := map[string]string{"ELRN": "e-learning", "CLASS": "classroom", "EITHER": "either"}

	// want is the rule: the status and, for a 201, the state.
	want := func(who, target, course string) (int, string) {
		switch who {
		case "hr":
			if target == "own" {
				return http.StatusCreated, "pending"
			}
			return http.StatusCreated, "accepted"
		case "trainer":
			switch {
			case target == "own":
				return http.StatusForbidden, ""
			case delivery[course] == "e-learning":
				return http.StatusUnprocessableEntity, ""
			case target == "other":
				return http.StatusUnprocessableEntity, "" // not booked on the trainer's session
			}
			return http.StatusCreated, "accepted"
		case "auditor":
			return http.StatusForbidden, ""
		default: // employee, manager: they see themselves and their line only
			if target == "other" {
				return http.StatusNotFound, ""
			}
			return http.StatusForbidden, ""
		}
	}

	day := 0
	for _, c := range callers {
		for _, target := range []string{"own", "team", "other"} {
			var person string
			switch target {
			case "own":
				person = c.cast
			case "team":
				person = c.team
			default:
				person = "stranger"
			}
			if person == "" {
				continue // no reporting line
			}
			for _, course := range []string{"ELRN", "CLASS", "EITHER"} {
				day++
				status, state := want(c.name, target, course)
				t.Run(fmt.Sprintf("%s on %s, %s course", c.name, target, delivery[course]), func(t *testing.T) {
					id := e.people[person].ID
					if c.cast == "hr" && target == "own" {
						id = e.hrID()
					}
					before := e.written(id)
					completedOn := fmt.Sprintf("2026-10-%02d", 1+day%28)
					r := e.do("POST", "/api/v1/people/"+id+"/completions", e.tokens[c.cast],
						map[string]string{"course_code": course, "completed_on": completedOn})
					if status != http.StatusCreated {
						p := wantProblem(t, r, status)
						if status == http.StatusUnprocessableEntity && (len(p.Errors) != 1 || p.Errors[0].Field != "course_code") {
							t.Errorf("errors %+v, want one about the course", p.Errors)
						}
						e.wantUnchanged(before, id)
						return
					}
					if r.Status != status {
						t.Fatalf("status %d, want %d: %s", r.Status, status, r.Body)
					}
					got := decode[jCompletion](t, r)
					if got.State != state || got.PersonID != id {
						t.Errorf("recorded %+v, want state %s for %s", got, state, id)
					}
					if a := e.auditEntry(got.ID, "completion.record"); a.EntityID != got.ID {
						t.Errorf("no audit entry for %s", got.ID)
					}
				})
			}
		}
	}
}

// TestRecordingForSomeoneUnseenRevealsNothing: whoever may not record for
// a person gets the same answer whatever the input (404 for people they
// cannot see, before any validation), and no message names the person,
// even to a trainer, who may record for people they cannot read.
func TestRecordingForSomeoneUnseenRevealsNothing(t *testing.T) {
	e := newEnv(t)
	recordCast(e)
	stranger := e.people["stranger"]
	bodies := map[string]string{
		"valid":                   `{"course_code": "CLASS", "completed_on": "2026-10-01"}`,
		"course not for them":     `{"course_code": "MEMBERS", "completed_on": "2026-10-01"}`,
		"unknown course":          `{"course_code": "NOPE", "completed_on": "2026-10-01"}`,
		"future date":             `{"course_code": "CLASS", "completed_on": "2027-01-01"}`,
		"date that is no date":    `{"course_code": "CLASS", "completed_on": "soon"}`,
		"nothing but the course":  `{"course_code": "CLASS"}`,
		"a field that is not one": `{"course_code": "CLASS", "completed_on": "2026-10-01", "score": 100}`,
		"not JSON":                `{"course_code": "CLASS",`,
	}
	for _, who := range []string{"emp2", "mgra", "mgrb"} {
		for name, body := range bodies {
			t.Run(who+", "+name, func(t *testing.T) {
				r := e.send("POST", "/api/v1/people/"+stranger.ID+"/completions", e.tokens[who], "application/json", []byte(body))
				p := wantProblem(t, r, http.StatusNotFound)
				if len(p.Errors) != 0 {
					t.Errorf("field errors for someone unseen: %+v", p.Errors)
				}
			})
		}
	}
	// A person nobody can see: one who does not exist.
	t.Run("trainer, nobody with that ID", func(t *testing.T) {
		r := e.send("POST", "/api/v1/people/0123456789abcdef01234567/completions", e.tokens["trainer"], "application/json", []byte(bodies["future date"]))
		wantProblem(t, r, http.StatusNotFound)
	})
	t.Run("trainer, a course not for the person", func(t *testing.T) {
		r := e.send("POST", "/api/v1/people/"+stranger.ID+"/completions", e.tokens["trainer"], "application/json", []byte(bodies["course not for them"]))
		p := wantProblem(t, r, http.StatusUnprocessableEntity, "course_code")
		for _, f := range p.Errors {
			for _, part := range []string{stranger.GivenName, stranger.FamilyName, stranger.EmployeeNumber} {
				if strings.Contains(f.Message, part) {
					t.Errorf("message %q names the person (%s)", f.Message, part)
				}
			}
		}
	})
}

// TestSelfCertificationNeedsTheCertificateFile: on a course that asks for
// a certificate, a person recording it themself must send the file; a
// reference they type is not enough. HR may still record a completion
// from another system by its reference alone.
func TestSelfCertificationNeedsTheCertificateFile(t *testing.T) {
	e := newEnv(t)
	emp := e.addPerson("emp", "", nil)
	e.giveAccount("emp")
	pdf := tinyPDF("self-certified")

	refused := []struct {
		name string
		send func() response
	}{
		{"JSON with a reference", func() response {
			return e.do("POST", "/api/v1/me/completions", e.tokens["emp"],
				map[string]string{"course_code": "PREVENT", "completed_on": "2026-10-01", "certificate_ref": "HO-12345"})
		}},
		{"form with a reference and no file", func() response {
			return e.postForm("/api/v1/me/completions", e.tokens["emp"],
				formField("course_code", "PREVENT"), formField("completed_on", "2026-10-01"), formField("certificate_ref", "HO-12345"))
		}},
		{"JSON with nothing", func() response {
			return e.do("POST", "/api/v1/me/completions", e.tokens["emp"],
				map[string]string{"course_code": "PREVENT", "completed_on": "2026-10-01"})
		}},
	}
	for _, tc := range refused {
		t.Run(tc.name, func(t *testing.T) {
			before := e.written(emp.ID)
			p := wantProblem(t, tc.send(), http.StatusUnprocessableEntity, "certificate")
			for _, f := range p.Errors {
				if f.Field == "certificate" && !strings.Contains(f.Message, "PDF, PNG or JPEG file") {
					t.Errorf("message %q does not say to attach the file", f.Message)
				}
			}
			e.wantUnchanged(before, emp.ID)
		})
	}

	t.Run("form with the file", func(t *testing.T) {
		r := e.postForm("/api/v1/me/completions", e.tokens["emp"],
			formField("course_code", "PREVENT"), formField("completed_on", "2026-10-01"), certFile("cert.pdf", "application/pdf", pdf))
		if r.Status != http.StatusCreated {
			t.Fatalf("status %d: %s", r.Status, r.Body)
		}
		if got := decode[jCompletion](t, r); got.CertificateSHA256 != sha(pdf) {
			t.Errorf("stored %+v without the file", got)
		}
	})
	t.Run("HR with a reference from another system", func(t *testing.T) {
		got := e.recordByHR(emp.ID, "PREVENT", "2026-10-02")
		if got.State != "accepted" || got.CertificateRef == "" {
			t.Errorf("HR's record %+v, want accepted with its reference", got)
		}
	})
}

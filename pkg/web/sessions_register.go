package web

import (
	"fmt"
	"net/http"
	"net/url"
	"slices"
	"strings"

	"github.com/gin-gonic/gin"

	"github.com/complytrack/complytrack/pkg/sessions"
	"github.com/complytrack/complytrack/pkg/training"
)

// The trainer's pages: the sessions they run, upcoming and past, and the
// register of each (HR keep any register too, from the session's page),
// and adding a partner organisation's attendee to a session. The sessions
// service decides who may see a session's bookings and keep its register:
// a trainer reaches only their own sessions.

// mySessionsPast is how far back "My sessions" lists past sessions.
const mySessionsPast = 365

// mySessionsPage is the content of my_sessions.html.
type mySessionsPage struct {
	Groups []trainerSessions
	// CanSchedule: the viewer may schedule a session (every trainer may).
	CanSchedule bool
}

// trainerSessions is one table of "My sessions": upcoming or past.
type trainerSessions struct {
	ID, Heading, Empty string
	Rows               []trainerSessionRow
}

// trainerSessionRow is one session on "My sessions".
type trainerSessionRow struct {
	ID, Course, Date, Time, Place, Booked string
	Cancelled                             bool
	// Register: the register may be kept (the session's day or later);
	// Kept: someone is marked on it already.
	Register, Kept bool
}

func toTrainerRow(v sessions.SessionView, today training.Date) trainerSessionRow {
	return trainerSessionRow{ID: v.ID, Course: courseTitleOf(v), Date: sessionDate(v.Date), Time: sessionTimes(v.Session),
		Place: v.Location, Booked: capacityText(v), Cancelled: v.State == training.SessionCancelled, Register: v.RegisterOpen(today)}
}

// mySessions lists the sessions the signed-in trainer runs.
func (s *Server) mySessions(c *gin.Context) error {
	ctx := c.Request.Context()
	p := principal(c)
	today := s.d.Training.Today()
	upcoming, err := s.d.Sessions.List(ctx, p.Actor(), sessions.Filter{TrainerID: p.PersonID, IncludeCancelled: true})
	if err != nil {
		return err
	}
	past, err := s.d.Sessions.List(ctx, p.Actor(), sessions.Filter{TrainerID: p.PersonID, IncludeCancelled: true,
		From: today.AddDays(-mySessionsPast), To: today.AddDays(-1)})
	if err != nil {
		return err
	}
	// row says, for a session whose register is open, whether it is kept
	// yet: the trainer's to-do.
	row := func(v sessions.SessionView) (trainerSessionRow, error) {
		r := toTrainerRow(v, today)
		if !r.Register {
			return r, nil
		}
		list, err := s.d.Sessions.Bookings(ctx, p.Actor(), v.ID)
		if err != nil {
			return r, err
		}
		r.Kept = slices.ContainsFunc(list, func(b sessions.BookingView) bool {
			return b.State == training.BookingAttended || b.State == training.BookingNoShow
		})
		return r, nil
	}
	next := trainerSessions{ID: "upcoming", Heading: "Upcoming", Empty: "You have no upcoming sessions."}
	for _, v := range upcoming {
		r, err := row(v)
		if err != nil {
			return err
		}
		next.Rows = append(next.Rows, r)
	}
	done := trainerSessions{ID: "past", Heading: "Past", Empty: "You have run no sessions in the last year."}
	// Newest first: the register most likely still to keep is at the top.
	slices.Reverse(past)
	for _, v := range past {
		if !v.Date.Before(today) {
			continue
		}
		r, err := row(v)
		if err != nil {
			return err
		}
		done.Rows = append(done.Rows, r)
	}
	data := mySessionsPage{Groups: []trainerSessions{next, done}, CanSchedule: may(c, sessionChanges)}
	s.render(c, http.StatusOK, "my_sessions.html", page{Title: "My sessions", Data: data})
	return nil
}

// registerPage is the content of session_register.html.
type registerPage struct {
	ID, Title, Date, BackHref string
	Rows                      []registerRow
	// Open: the register may be kept today; else Opens says from when.
	Open  bool
	Opens string
	// Own is the viewer's own booking on the session, which someone else
	// marks.
	Own bool
	// Open rows are those still to mark (or to correct from did not
	// attend); attended ones are final.
	OpenRows int
}

// registerRow is one booking on the register.
type registerRow struct {
	ID, Name string
	// Choice is what the form holds for it: attended, no_show or none.
	Choice string
	// Recorded is what the register holds for it, in words; empty: not
	// recorded yet.
	Recorded, Tag string
	// Partner is true for a partner organisation's attendee, who has no
	// record of training here: attending records no completion.
	Partner bool
}

// Register choices: each booking's radios are named "booking-" and its ID.
const (
	choiceAttended = "attended"
	choiceNoShow   = "no_show"
)

func (s *Server) registerData(c *gin.Context) (registerPage, sessions.SessionView, error) {
	ctx := c.Request.Context()
	actor := principal(c).Actor()
	v, err := s.d.Sessions.Session(ctx, actor, c.Param("id"))
	if err != nil {
		return registerPage{}, v, err
	}
	list, err := s.d.Sessions.Bookings(ctx, actor, v.ID)
	if err != nil {
		return registerPage{}, v, err
	}
	today := s.d.Training.Today()
	d := registerPage{ID: v.ID, Title: sessionTitle(v), Date: longDate(v.Date), BackHref: "/sessions/" + url.PathEscape(v.ID),
		Open: v.RegisterOpen(today)}
	if !d.Open && v.State == training.SessionScheduled {
		d.Opens = longDate(v.Date)
	}
	for _, b := range list {
		// Those holding a place, and those the register holds already;
		// the waiting list had no place to come to.
		switch b.State {
		case training.BookingBooked, training.BookingAttended, training.BookingNoShow:
		default:
			continue
		}
		if b.PersonID != "" && b.PersonID == actor.PersonID {
			d.Own = true
			continue
		}
		row := registerRow{ID: b.ID, Name: attendeeName(b), Partner: b.External != nil}
		switch b.State {
		case training.BookingAttended:
			row.Choice, row.Recorded, row.Tag = choiceAttended, "Attended", bookingTag(b.State)
		case training.BookingNoShow:
			row.Choice, row.Recorded, row.Tag = choiceNoShow, "Did not attend", bookingTag(b.State)
		}
		if row.Choice != choiceAttended {
			d.OpenRows++
		}
		d.Rows = append(d.Rows, row)
	}
	return d, v, nil
}

// registerForm is the register of a session: Attended or Did not attend
// for each booking holding a place.
func (s *Server) registerForm(c *gin.Context) error {
	d, _, err := s.registerData(c)
	if err != nil {
		return err
	}
	pg := page{Title: "Take the register: " + d.Title, Data: d}
	if c.Query("recorded") != "" {
		attended, noShow := 0, 0
		for _, r := range d.Rows {
			switch r.Choice {
			case choiceAttended:
				attended++
			case choiceNoShow:
				noShow++
			}
		}
		pg.Banner = &banner{Success: true, Heading: "Register saved",
			Text: fmt.Sprintf("Attended: %d. Did not attend: %d. Everyone who attended has the course recorded as completed on %s.", attended, noShow, d.Date)}
	}
	s.render(c, http.StatusOK, "session_register.html", pg)
	return nil
}

// takeRegister records the register: a completion for everyone who
// attended, and a note to the line manager of everyone who did not.
// Bookings left without a choice are left as they are.
func (s *Server) takeRegister(c *gin.Context) error {
	d, v, err := s.registerData(c)
	if err != nil {
		return err
	}
	var attended, noShow []string
	first := ""
	for i, r := range d.Rows {
		if r.Choice == choiceAttended {
			// Recorded with a completion already: the form offers no
			// choice for it.
			continue
		}
		if first == "" {
			first = "attended-" + r.ID
		}
		switch choice := c.PostForm("booking-" + r.ID); choice {
		case choiceAttended:
			attended = append(attended, r.ID)
		case choiceNoShow:
			noShow = append(noShow, r.ID)
		default:
			continue
		}
		d.Rows[i].Choice = c.PostForm("booking-" + r.ID)
	}
	ours := map[string]fieldError{}
	if len(attended)+len(noShow) == 0 {
		ours["attended"] = fieldError{ID: first, Message: "Choose Attended or Did not attend for at least one person."}
	}
	if len(ours) == 0 {
		_, err = s.d.Sessions.Register(c.Request.Context(), principal(c).Actor(), v.ID, attended, noShow)
	}
	if len(ours) > 0 || err != nil {
		s.formFailed(c, err, formErrors{Fallback: first, Ours: ours}, func(status int, errs []fieldError) {
			s.render(c, status, "session_register.html", page{Title: "Take the register: " + d.Title, Errors: errs, Data: d})
		})
		return nil
	}
	c.Redirect(http.StatusSeeOther, "/sessions/"+url.PathEscape(v.ID)+"/register?recorded=1")
	return nil
}

// partnerPage is the content of session_partner.html.
type partnerPage struct {
	ID, Title, BackHref       string
	Name, Email, Organisation string
}

// The partner attendee form's inputs, by the domain's field name.
var partnerInputs = map[string]string{"external.name": "partner-name", "external.email": "partner-email",
	"external.organisation": "partner-organisation"}

func (s *Server) partnerData(c *gin.Context) (partnerPage, error) {
	ctx := c.Request.Context()
	actor := principal(c).Actor()
	v, err := s.d.Sessions.Session(ctx, actor, c.Param("id"))
	if err != nil {
		return partnerPage{}, err
	}
	// Only those who keep the session's bookings reach the form: the
	// service answers the rest "forbidden".
	if _, err := s.d.Sessions.Bookings(ctx, actor, v.ID); err != nil {
		return partnerPage{}, err
	}
	return partnerPage{ID: v.ID, Title: sessionTitle(v), BackHref: "/sessions/" + url.PathEscape(v.ID)}, nil
}

// partnerForm adds someone from a partner organisation (the police, a
// school) to a session: they have no account, only a name, an e-mail
// address and their organisation.
func (s *Server) partnerForm(c *gin.Context) error {
	d, err := s.partnerData(c)
	if err != nil {
		return err
	}
	s.render(c, http.StatusOK, "session_partner.html", page{Title: "Add a partner attendee", Data: d})
	return nil
}

func (s *Server) addPartner(c *gin.Context) error {
	d, err := s.partnerData(c)
	if err != nil {
		return err
	}
	d.Name = training.TrimText(c.PostForm("partner-name"))
	d.Email = strings.TrimSpace(c.PostForm("partner-email"))
	d.Organisation = training.TrimText(c.PostForm("partner-organisation"))
	b, err := s.d.Sessions.Book(c.Request.Context(), principal(c).Actor(), d.ID,
		sessions.BookingRequest{External: &training.ExternalAttendee{Name: d.Name, Email: d.Email, Organisation: d.Organisation}})
	if err != nil {
		f := formErrors{Inputs: partnerInputs, Fallback: "partner-name",
			Order: []string{"partner-name", "partner-email", "partner-organisation"}}
		s.formFailed(c, err, f, func(status int, errs []fieldError) {
			s.render(c, status, "session_partner.html", page{Title: "Add a partner attendee", Errors: errs, Data: d})
		})
		return nil
	}
	c.Redirect(http.StatusSeeOther, "/sessions/"+url.PathEscape(d.ID)+"?partner="+url.QueryEscape(b.ID))
	return nil
}

package demo

import (
	"context"
	"errors"
	"fmt"
	"slices"
	"sync"
	"time"

	"github.com/complytrack/complytrack/pkg/app"
	"github.com/complytrack/complytrack/pkg/auth"
	"github.com/complytrack/complytrack/pkg/notify"
	"github.com/complytrack/complytrack/pkg/sessions"
	"github.com/complytrack/complytrack/pkg/training"
)

// The demo's face-to-face WRAP sessions, all run by the demo trainer:
//
//   - three weeks ago, its register kept: most came, one member of staff
//     and one partner attendee did not (their line manager was told);
//   - the last working day, its register not kept yet (the trainer's to do);
//   - next week, nearly full, three of the places booked by the demo team
//     leader for their team;
//   - in a fortnight, full, with a waiting list;
//   - in five weeks, with plenty of room.
//
// Partner organisations (Eastmoor Police, Eastmoor College) have attendees
// on most of them, so the partner report has something to show.

// sessionPlan is one session and who books it, in booking order.
type sessionPlan struct {
	date       training.Date
	start, end training.TimeOfDay
	location   string
	notes      string
	capacity   int
	// teamBooked are booked by their line manager, the demo team leader,
	// first; staff by HR; partners by the trainer.
	teamBooked []string
	staff      []string
	partners   []training.ExternalAttendee
	// keepRegister: the trainer has kept the register; everyone came but
	// the staff and partners (by e-mail) in noShow.
	keepRegister bool
	noShow       map[string]bool
}

func (s sessionPlan) past(today training.Date) bool { return s.date.Before(today) }

const (
	policeOrg  = "Eastmoor Police"
	collegeOrg = "Eastmoor College"
)

// partner is a partner organisation's attendee; their e-mail domains are
// under the reserved example.org too.
func partner(given, family, org string) training.ExternalAttendee {
	domain := "eastmoorpolice.example.org"
	if org == collegeOrg {
		domain = "eastmoorcollege.example.org"
	}
	return training.ExternalAttendee{Name: given + " " + family, Email: emailFor(domain, given, family), Organisation: org}
}

// wrapSessions plans the sessions. The staff booked are people WRAP
// applies to who have something to do about it (it is due, overdue,
// expired or expiring), not a demo account's person, not exempt and not
// waiting for a verification already; the past sessions take only people
// who had started well before them.
func (g *generator) wrapSessions() {
	i := slices.IndexFunc(g.courses, func(c training.Course) bool { return c.Code == "WRAP" })
	if i < 0 {
		return
	}
	wrap := g.courses[i]
	skip := map[string]bool{}
	for _, pc := range g.p.pending {
		skip[pc.personID] = true
	}
	for _, e := range g.p.exemptions {
		skip[e.personID] = true
	}
	leader := g.cast[castTeamLeader]
	var established, recent, team []string
	for _, p := range g.p.people {
		if !wrap.Applies(p) || !p.EndDate.IsZero() || isCast(g.cast, p.ID) || skip[p.ID] {
			continue
		}
		switch g.planned[p.ID]["WRAP"] {
		case training.StatusCompliant, training.StatusExempt:
			continue
		}
		switch {
		case p.ManagerID == leader:
			team = append(team, p.ID)
		case p.StartDate.Before(g.today.AddDays(-90)):
			established = append(established, p.ID)
		default:
			recent = append(recent, p.ID)
		}
	}
	shuffle := func(ids []string) []string {
		out := make([]string, len(ids))
		for j, k := range g.dates.Perm(len(ids)) {
			out[j] = ids[k]
		}
		return out
	}
	established, team = shuffle(established), shuffle(team)
	// take removes up to n people from the front of *from.
	take := func(from *[]string, n int) []string {
		n = min(n, len(*from))
		out := (*from)[:n:n]
		*from = (*from)[n:]
		return out
	}
	// The upcoming sessions take the recent starters first, then anyone.
	upcoming := append(shuffle(recent), established[min(13, len(established)):]...)
	established = established[:min(13, len(established))]

	civic := "Committee Room 2, Eastmoor Civic Centre, Market Street"
	leisure := "Studio 1, Eastmoor Leisure Centre, Park Road"
	hub := "Meeting Room A, Eastmoor Community Hub, Station Road"
	morning := [2]training.TimeOfDay{training.NewTimeOfDay(9, 30), training.NewTimeOfDay(12, 30)}
	afternoon := [2]training.TimeOfDay{training.NewTimeOfDay(13, 30), training.NewTimeOfDay(16, 30)}
	notes := "Tea and coffee from 09:15. Parking at the Civic Centre is limited: please use the Market Street car park."

	kept := sessionPlan{date: workingDayOnOrBefore(g.today.AddDays(-21)), start: morning[0], end: morning[1],
		location: civic, notes: notes, capacity: 12, staff: take(&established, 7), keepRegister: true, noShow: map[string]bool{},
		partners: []training.ExternalAttendee{partner("Jo", "Bradley", policeOrg), partner("Marcus", "Lee", collegeOrg), partner("Helen", "Fairbrother", collegeOrg)}}
	if len(kept.staff) > 0 {
		kept.noShow[kept.staff[len(kept.staff)-1]] = true
	}
	kept.noShow[kept.partners[2].Email] = true
	unkept := sessionPlan{date: workingDayOnOrBefore(g.today.AddDays(-1)), start: afternoon[0], end: afternoon[1],
		location: leisure, capacity: 10, staff: take(&established, 6),
		partners: []training.ExternalAttendee{partner("Imran", "Siddiqui", policeOrg)}}
	// Nearly full: 12 places, 10 taken.
	nearlyFull := sessionPlan{date: workingDayOnOrAfter(g.today.AddDays(7)), start: morning[0], end: morning[1],
		location: civic, notes: notes, capacity: 12, teamBooked: take(&team, 3),
		partners: []training.ExternalAttendee{partner("Claire", "Dunn", policeOrg), partner("Priya", "Raman", collegeOrg)}}
	nearlyFull.staff = take(&upcoming, 8-len(nearlyFull.teamBooked))
	// Full: 8 places, 8 taken and three waiting.
	full := sessionPlan{date: workingDayOnOrAfter(g.today.AddDays(14)), start: afternoon[0], end: afternoon[1],
		location: hub, capacity: 8, staff: take(&upcoming, 10),
		partners: []training.ExternalAttendee{partner("Ben", "Ashworth", collegeOrg)}}
	roomy := sessionPlan{date: workingDayOnOrAfter(g.today.AddDays(35)), start: morning[0], end: morning[1],
		location: leisure, capacity: 20, staff: take(&upcoming, 4)}
	g.p.sessions = []sessionPlan{kept, unkept, nearlyFull, full, roomy}
}

func weekday(d training.Date) time.Weekday {
	return time.Date(d.Year(), d.Month(), d.Day(), 12, 0, 0, 0, time.UTC).Weekday()
}

func workingDayOnOrAfter(d training.Date) training.Date {
	for weekday(d) == time.Saturday || weekday(d) == time.Sunday {
		d = d.AddDays(1)
	}
	return d
}

func workingDayOnOrBefore(d training.Date) training.Date {
	for weekday(d) == time.Saturday || weekday(d) == time.Sunday {
		d = d.AddDays(-1)
	}
	return d
}

// sessionsFilled is what fillSessions wrote.
type sessionsFilled struct{ sessions, bookings int }

// fillSessions schedules the planned sessions and books them through the
// sessions service, as HR, the trainer and the team leader would. The
// past sessions are scheduled and booked by a service whose clock stands
// on the days they were booked (the rules are those of then), and their
// e-mails, long since sent, are not written again; the register of the
// one kept is kept today, by the trainer, through the live service: the
// completions, and the e-mail to the no-show's manager, are real.
func fillSessions(ctx context.Context, a *app.App, pl plan) (sessionsFilled, error) {
	var done sessionsFilled
	if len(pl.sessions) == 0 {
		return done, nil
	}
	castID := map[string]string{}
	for _, ap := range pl.accounts {
		castID[ap.part] = ap.personID
	}
	hr := training.Actor{PersonID: castID[castHR], HR: true}
	trainer := training.Actor{PersonID: castID[castTrainer], Trainer: true}
	leader := training.Actor{PersonID: castID[castTeamLeader]}

	loc := a.Training.Location()
	today := a.Training.Today()
	then := &pastClock{}
	past := sessions.New(a.Store.TrainingSessions(), a.Training, storedRoles{a}, notify.NewOutbox(discard{}),
		sessions.Options{Location: loc, Now: then.now})

	for _, sp := range pl.sessions {
		svc := a.Sessions
		if sp.past(today) {
			svc = past
			// Scheduled three weeks before, booked over the next days.
			then.set(time.Date(sp.date.Year(), sp.date.Month(), sp.date.Day()-21, 10, 0, 0, 0, loc))
		}
		x, err := svc.Schedule(ctx, hr, training.SessionInput{CourseCode: "WRAP", Date: sp.date, Start: sp.start, End: sp.end,
			Location: sp.location, Capacity: sp.capacity, TrainerID: trainer.PersonID, Notes: sp.notes})
		if err != nil {
			return done, fmt.Errorf("session of %s: %w", sp.date, err)
		}
		done.sessions++
		var attended, noShow []string
		book := func(actor training.Actor, r sessions.BookingRequest, key string) error {
			then.advance(5 * time.Hour)
			b, err := svc.Book(ctx, actor, x.ID, r)
			if err != nil {
				return fmt.Errorf("booking on the session of %s: %w", sp.date, err)
			}
			done.bookings++
			if sp.noShow[key] {
				noShow = append(noShow, b.ID)
			} else {
				attended = append(attended, b.ID)
			}
			return nil
		}
		for _, id := range sp.teamBooked {
			if err := book(leader, sessions.BookingRequest{PersonID: id}, id); err != nil {
				return done, err
			}
		}
		for j, id := range sp.staff {
			if err := book(hr, sessions.BookingRequest{PersonID: id}, id); err != nil {
				return done, err
			}
			// Partners are booked in among the staff, as they ask.
			if j < len(sp.partners) {
				p := sp.partners[j]
				if err := book(trainer, sessions.BookingRequest{External: &p}, p.Email); err != nil {
					return done, err
				}
			}
		}
		for j := len(sp.staff); j < len(sp.partners); j++ {
			p := sp.partners[j]
			if err := book(trainer, sessions.BookingRequest{External: &p}, p.Email); err != nil {
				return done, err
			}
		}
		if sp.keepRegister {
			if _, err := a.Sessions.Register(ctx, trainer, x.ID, attended, noShow); err != nil {
				return done, fmt.Errorf("register of the session of %s: %w", sp.date, err)
			}
		}
	}
	return done, nil
}

// pastClock is the clock of the service that books the past sessions.
type pastClock struct {
	mu sync.Mutex
	t  time.Time
}

func (c *pastClock) now() time.Time { c.mu.Lock(); defer c.mu.Unlock(); return c.t }
func (c *pastClock) set(t time.Time) {
	c.mu.Lock()
	defer c.mu.Unlock()
	c.t = t
}
func (c *pastClock) advance(d time.Duration) {
	c.mu.Lock()
	defer c.mu.Unlock()
	c.t = c.t.Add(d)
}

// storedRoles reads the roles of the demo accounts (the trainer's role).
type storedRoles struct{ a *app.App }

func (r storedRoles) Roles(ctx context.Context, personID string) (auth.Roles, error) {
	acct, err := r.a.Store.Account(ctx, personID)
	if errors.Is(err, training.ErrNotFound) {
		return 0, nil
	}
	return acct.Roles, err
}

func (r storedRoles) PeopleWithRole(ctx context.Context, role auth.Role) ([]string, error) {
	return r.a.Store.PeopleWithRole(ctx, role)
}

// discard is an outbox store that keeps nothing: the e-mails about the
// past sessions' bookings went out at the time.
type discard struct{}

func (discard) InsertMessage(_ context.Context, m notify.Message) (notify.Message, error) {
	return m, nil
}
func (discard) ListMessages(context.Context, notify.Filter, training.PageRequest) (training.Page[notify.Message], error) {
	return training.Page[notify.Message]{}, nil
}

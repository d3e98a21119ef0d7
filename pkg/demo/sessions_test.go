package demo

import (
	"context"
	"fmt"
	"slices"
	"testing"
	"time"

	"github.com/complytrack/complytrack/pkg/app"
	"github.com/complytrack/complytrack/pkg/auth"
	"github.com/complytrack/complytrack/pkg/notify"
	"github.com/complytrack/complytrack/pkg/sessions"
	"github.com/complytrack/complytrack/pkg/training"
)

// checkSessions checks the demo's face-to-face sessions after a fill, as
// HR, the trainer and the team leader would find them.
func checkSessions(t *testing.T, ctx context.Context, a *app.App, res Result) {
	t.Helper()
	today := a.Training.Today()
	byEmail := func(email string) training.Person {
		p, err := a.Training.PersonByEmail(ctx, email)
		if err != nil {
			t.Fatal(err)
		}
		return p
	}
	tom := byEmail("tom.whitfield@eastmoor.example.org")
	daniel := byEmail("daniel.okoro@eastmoor.example.org")
	fiona := byEmail("fiona.gallagher@eastmoor.example.org")
	hr := training.Actor{PersonID: fiona.ID, HR: true}
	if roles, err := a.Store.Account(ctx, tom.ID); err != nil || !roles.Roles.Has(auth.RoleTrainer) {
		t.Fatalf("the demo trainer's account: %+v, %v", roles, err)
	}

	all, err := a.Sessions.List(ctx, hr, sessions.Filter{CourseCode: "WRAP", From: today.AddDays(-60)})
	if err != nil {
		t.Fatal(err)
	}
	if len(all) != res.Sessions || res.Sessions != 5 {
		t.Fatalf("%d WRAP sessions listed, Fill says %d, want 5", len(all), res.Sessions)
	}
	var upcoming, past []sessions.SessionView
	bookings := 0
	partnerOrgs := map[string]bool{}
	for _, x := range all {
		if x.TrainerID != tom.ID || x.TrainerName != "Tom Whitfield" {
			t.Errorf("session of %s is run by %q, want the demo trainer", x.Date, x.TrainerName)
		}
		if wd := weekday(x.Date); wd == time.Saturday || wd == time.Sunday {
			t.Errorf("a session on a %s (%s)", wd, x.Date)
		}
		if x.Date.Before(today) {
			past = append(past, x)
		} else {
			upcoming = append(upcoming, x)
		}
		bs, err := a.Sessions.Bookings(ctx, training.Actor{PersonID: tom.ID, Trainer: true}, x.ID)
		if err != nil {
			t.Fatal(err)
		}
		bookings += len(bs)
		for _, b := range bs {
			if b.External != nil {
				partnerOrgs[b.External.Organisation] = true
			}
		}
	}
	if bookings != res.Bookings {
		t.Errorf("%d bookings on the sessions, Fill says %d", bookings, res.Bookings)
	}
	if !partnerOrgs[policeOrg] || !partnerOrgs[collegeOrg] {
		t.Errorf("partner organisations booked: %v, want %s and %s", partnerOrgs, policeOrg, collegeOrg)
	}

	// Upcoming: one nearly full, one full with a waiting list, one roomy.
	if len(upcoming) != 3 {
		t.Fatalf("%d upcoming sessions, want 3", len(upcoming))
	}
	nearlyFull, full, roomy := upcoming[0], upcoming[1], upcoming[2]
	if nearlyFull.PlacesLeft < 1 || nearlyFull.PlacesLeft > 3 || nearlyFull.Waiting != 0 {
		t.Errorf("the first upcoming session has %d places left, %d waiting; want nearly full", nearlyFull.PlacesLeft, nearlyFull.Waiting)
	}
	if full.PlacesLeft != 0 || full.Waiting == 0 {
		t.Errorf("the second upcoming session has %d places left, %d waiting; want full with a waiting list", full.PlacesLeft, full.Waiting)
	}
	if roomy.PlacesLeft < roomy.Capacity/2 {
		t.Errorf("the last upcoming session has %d of %d places left", roomy.PlacesLeft, roomy.Capacity)
	}
	// The team leader booked some of their team; they see those bookings.
	bs, err := a.Sessions.Bookings(ctx, hr, nearlyFull.ID)
	if err != nil {
		t.Fatal(err)
	}
	byLeader := 0
	for _, b := range bs {
		if b.BookedBy == daniel.ID {
			byLeader++
			if ok, err := a.Training.CanSee(ctx, training.Actor{PersonID: daniel.ID}, b.PersonID); err != nil || !ok {
				t.Errorf("the team leader booked %s, who is not in their team", b.PersonName)
			}
		}
	}
	if byLeader == 0 {
		t.Errorf("the team leader booked nobody on the session of %s", nearlyFull.Date)
	}

	// Past: one register kept (attended and no-shows, each attended
	// member of staff with a completion), one waiting for its register.
	if len(past) != 2 {
		t.Fatalf("%d past sessions, want 2", len(past))
	}
	kept, err := a.Sessions.Bookings(ctx, hr, past[0].ID)
	if err != nil {
		t.Fatal(err)
	}
	states := map[training.BookingState]int{}
	for _, b := range kept {
		states[b.State]++
		if b.State == training.BookingAttended && b.PersonID != "" {
			if b.CompletionID == "" {
				t.Errorf("%s attended the session of %s but has no completion", b.PersonName, past[0].Date)
			}
		}
	}
	if states[training.BookingAttended] < 5 || states[training.BookingNoShow] != 2 || len(kept) != states[training.BookingAttended]+states[training.BookingNoShow] {
		t.Errorf("the register of %s: %v, want it kept with attended and two no-shows", past[0].Date, states)
	}
	unkept, err := a.Sessions.Bookings(ctx, hr, past[1].ID)
	if err != nil {
		t.Fatal(err)
	}
	if len(unkept) == 0 {
		t.Errorf("nobody booked on the session of %s", past[1].Date)
	}
	for _, b := range unkept {
		if b.State != training.BookingBooked {
			t.Errorf("the register of %s is not kept yet, but a booking is %s", past[1].Date, b.State)
		}
	}

	// The partner report counts the partners at the session kept.
	rep, err := a.Sessions.PartnerReport(ctx, hr, today.AddDays(-60), today)
	if err != nil {
		t.Fatal(err)
	}
	orgs := map[string]sessions.PartnerOrganisation{}
	for _, o := range rep.Organisations {
		orgs[o.Name] = o
	}
	if orgs[policeOrg].Attended != 1 || orgs[collegeOrg].Attended != 1 || orgs[collegeOrg].NoShow != 1 || rep.Sessions != 2 {
		t.Errorf("partner report: %+v", rep)
	}

	// E-mails: confirmations of today's bookings, a place with its
	// invitation, a waiting place without; the no-show's manager told;
	// none about the past bookings.
	hrAll := training.Actor{PersonID: fiona.ID, HR: true}
	msgs, err := a.Outbox.List(ctx, hrAll, notify.Filter{Kind: notify.KindSessionBooking}, training.PageRequest{Limit: training.MaxPageLimit})
	if err != nil {
		t.Fatal(err)
	}
	places, waiting := 0, 0
	for _, x := range upcoming {
		places, waiting = places+x.Booked, waiting+x.Waiting
	}
	invitations := 0
	for _, m := range msgs.Items {
		if len(m.Attachments) == 1 && m.Attachments[0].Filename == "invite.ics" {
			invitations++
		}
	}
	if len(msgs.Items) != places+waiting || invitations != places {
		t.Errorf("%d booking e-mails in the outbox, %d with an invitation; want %d, %d with one (a place each)",
			len(msgs.Items), invitations, places+waiting, places)
	}
	noShows, err := a.Outbox.List(ctx, hrAll, notify.Filter{Kind: notify.KindSessionNoShow}, training.PageRequest{})
	if err != nil {
		t.Fatal(err)
	}
	if len(noShows.Items) != 1 {
		t.Errorf("%d no-show e-mails, want one, to the line manager of the member of staff who did not come", len(noShows.Items))
	}
}

// TestSessionPlanOnAnyDay: whatever the day, the sessions fall on working
// days around it, nobody is booked twice, and nobody was booked before
// they started.
func TestSessionPlanOnAnyDay(t *testing.T) {
	loc, _ := time.LoadLocation("Europe/London")
	courses := map[string]training.Course{"PREVENT": training.PreventCourse(), "CHANNEL": ChannelCourse(), "WRAP": WRAPCourse()}
	for _, day := range []string{"2025-01-15", "2026-11-28", "2026-11-30", "2027-05-07", "2028-02-29", "2035-12-31"} {
		today := training.MustDate(day)
		now := time.Date(today.Year(), today.Month(), today.Day(), 10, 0, 0, 0, loc)
		n := 0
		pl := makePlan(today, now, loc, courses, map[string]bool{}, func() string { n++; return fmt.Sprintf("id%05d", n) })
		byID := map[string]training.Person{}
		for _, p := range pl.people {
			byID[p.ID] = p
		}
		cast := map[string]bool{}
		for _, ap := range pl.accounts {
			cast[ap.personID] = true
		}
		if len(pl.sessions) != 5 {
			t.Fatalf("%s: %d sessions planned, want 5", day, len(pl.sessions))
		}
		booked := map[string]bool{}
		past := 0
		for _, sp := range pl.sessions {
			if wd := weekday(sp.date); wd == time.Saturday || wd == time.Sunday {
				t.Errorf("%s: a session on a %s (%s)", day, wd, sp.date)
			}
			if sp.past(today) {
				past++
			}
			people := append(slices.Clone(sp.teamBooked), sp.staff...)
			if len(people)+len(sp.partners) < 4 {
				t.Errorf("%s: the session of %s has only %d bookings planned", day, sp.date, len(people)+len(sp.partners))
			}
			for _, id := range people {
				p := byID[id]
				switch {
				case booked[id]:
					t.Errorf("%s: %s booked on two sessions", day, p.FullName())
				case cast[id]:
					t.Errorf("%s: a demo account's person, %s, is booked", day, p.FullName())
				case sp.past(today) && !p.StartDate.Before(sp.date.AddDays(-21)), p.StartDate.After(today):
					// Past sessions were booked from three weeks before.
					t.Errorf("%s: %s, who started on %s, booked on the session of %s", day, p.FullName(), p.StartDate, sp.date)
				case !WRAPCourse().Applies(p):
					t.Errorf("%s: %s booked on WRAP, which does not apply to them", day, p.FullName())
				}
				booked[id] = true
			}
			for _, x := range sp.partners {
				if err := x.Validate(); err != nil {
					t.Errorf("%s: partner %+v: %v", day, x, err)
				}
			}
		}
		if past != 2 {
			t.Errorf("%s: %d past sessions, want 2", day, past)
		}
	}
}

package sessions_test

import (
	"strings"
	"testing"

	"github.com/complytrack/complytrack/pkg/auth"
	"github.com/complytrack/complytrack/pkg/notify"
	"github.com/complytrack/complytrack/pkg/sessions"
	"github.com/complytrack/complytrack/pkg/training"
)

// Who hears of a no-show: the line manager; for an elected Member, who
// has none, every Member Services officer still here; nobody else.
func TestNoShowTellsWhoLooksAfterThePerson(t *testing.T) {
	e := newEnv(t)
	member := e.personOfKind("M1", "Mary", training.KindMember, training.Date{})
	officer := e.personOfKind("MS1", "Mo", training.KindStaff, training.Date{})
	officer2 := e.personOfKind("MS2", "Mina", training.KindStaff, training.Date{})
	gone := e.personOfKind("MS3", "Gil", training.KindStaff, training.MustDate("2026-06-30"))
	for _, p := range []training.Person{officer, officer2, gone} {
		e.grant(p, auth.RoleMemberServices)
	}

	x := e.schedule("2026-12-02", 10)
	booked := map[string]string{}
	for _, p := range []training.Person{member, e.emp, e.other} {
		booked[p.ID] = e.book(as(p), x.ID, sessions.BookingRequest{}).ID
	}
	partner := e.book(e.trainerActor(), x.ID, sessions.BookingRequest{External: &training.ExternalAttendee{Name: "Pat", Email: "pat@police.example.org", Organisation: "Police"}})
	e.clock.setDay("2026-12-02")
	noShows := []string{booked[member.ID], booked[e.emp.ID], booked[e.other.ID], partner.ID}
	for range 2 { // submitted twice: told once
		if _, err := e.b.Sessions.Register(e.ctx, e.trainerActor(), x.ID, nil, noShows); err != nil {
			t.Fatal(err)
		}
	}

	tests := []struct {
		to      training.Person
		subject string // "" when nothing is sent
	}{
		{officer, "Mary M1 did not attend"},
		{officer2, "Mary M1 did not attend"},
		{e.boss, "Emma E1 did not attend"},
		{gone, ""},
		{member, ""},
		{e.emp, ""},
		{e.other, ""},
		{e.trainer, ""},
	}
	for _, tt := range tests {
		t.Run(tt.to.GivenName, func(t *testing.T) {
			got := e.mail(tt.to.Email, notify.KindSessionNoShow)
			if tt.subject == "" {
				if len(got) != 0 {
					t.Fatalf("%d no-show messages, want none: %q", len(got), got[0].Subject)
				}
				return
			}
			if len(got) != 1 || !strings.Contains(got[0].Subject, tt.subject) {
				t.Fatalf("no-show messages %+v, want one about %q", got, tt.subject)
			}
		})
	}
	if got := e.mail("pat@police.example.org", notify.KindSessionNoShow); len(got) != 0 {
		t.Errorf("the partner attendee was sent %d no-show messages", len(got))
	}
	m := e.mail(officer.Email, notify.KindSessionNoShow)
	if len(m) == 1 && !strings.Contains(m[0].BodyText, "elected Member") {
		t.Errorf("the officer's message does not say why it came to them:\n%s", m[0].BodyText)
	}
}

// personOfKind adds someone with no line manager; a non-zero end date
// makes them a leaver.
func (e *env) personOfKind(number, given string, kind training.Kind, end training.Date) training.Person {
	e.t.Helper()
	p, err := e.a.Training.CreatePerson(e.ctx, e.hr, training.PersonInput{
		Person: training.Person{EmployeeNumber: number, Email: strings.ToLower(given) + "@example.org", GivenName: given,
			FamilyName: number, Kind: kind, StartDate: training.MustDate("2025-01-06"), EndDate: end},
	})
	if err != nil {
		e.t.Fatal(err)
	}
	return p
}

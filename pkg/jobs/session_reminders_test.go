package jobs_test

import (
	"strings"
	"testing"
	"time"

	"github.com/complytrack/complytrack/pkg/auth"
	"github.com/complytrack/complytrack/pkg/jobs"
	"github.com/complytrack/complytrack/pkg/sessions"
	"github.com/complytrack/complytrack/pkg/training"
)

// The session-reminders job, as the app assembles it: on a Friday it
// reminds people booked on Monday's session, over SMTP, once; the booking
// confirmation before it carried the calendar invitation.
func TestSessionRemindersJobOnFridayForMonday(t *testing.T) {
	e := newOrgEnv(t)
	long := training.NewDate(2016, 3, 1)
	trainer := e.addPerson("trainer", "Tom", "Whitfield", training.KindStaff, long, training.Date{})
	e.grant("trainer", auth.RoleTrainer)
	emp := e.addPerson("emp", "Sophie", "Marsh", training.KindStaff, long, training.Date{})
	if _, err := e.a.Training.CreateCourse(e.ctx, e.hrActor, training.Course{
		Code: "WRAP", Title: "WRAP workshop", Delivery: training.DeliveryClassroom,
		AppliesTo: training.AppliesTo{Kinds: []training.Kind{training.KindStaff}}, ValidityMonths: 36,
		NewStarterDays: 28, DueSoonDays: 30, RenewWindowDays: 60, ExpiryBasis: training.ExpiryFromCompletion,
		EffectiveFrom: long, Evidence: training.EvidenceNone, Verification: training.VerificationNone,
	}); err != nil {
		t.Fatal(err)
	}
	// The first Friday at least a day ahead, and the Monday after it.
	friday := 1
	for jobsStart.AddDate(0, 0, friday).Weekday() != time.Friday {
		friday++
	}
	monday := training.DateOf(jobsStart.AddDate(0, 0, friday+3))
	x, err := e.a.Sessions.Schedule(e.ctx, e.hrActor, training.SessionInput{
		CourseCode: "WRAP", Date: monday, Start: training.NewTimeOfDay(9, 30), End: training.NewTimeOfDay(12, 0),
		Location: "Council Chamber", Capacity: 10, TrainerID: trainer.ID,
	})
	if err != nil {
		t.Fatal(err)
	}
	if _, err := e.a.Sessions.Book(e.ctx, training.Actor{PersonID: emp.ID}, x.ID, sessions.BookingRequest{}); err != nil {
		t.Fatal(err)
	}
	conf := to(e.deliver(), emp.Email)
	if len(conf) != 1 || !strings.Contains(string(conf[0].attachments["invite.ics"]), "METHOD:REQUEST") {
		t.Fatalf("booking confirmation over SMTP: %+v", conf)
	}

	// Thursday: Friday has no session, so no reminder.
	e.at(friday - 1)
	if sum := e.run(jobs.JobSessionReminders); sum.Counts["reminders_queued"] != 0 {
		t.Errorf("Thursday's run: %+v", sum)
	}
	e.at(friday)
	if sum := e.run(jobs.JobSessionReminders); sum.Counts["reminders_queued"] != 1 {
		t.Errorf("Friday's run: %+v, want one reminder for Monday", sum)
	}
	got := to(e.deliver(), emp.Email)
	if len(got) != 1 || got[0].subject != "Reminder: WRAP workshop on "+time.Date(monday.Year(), monday.Month(), monday.Day(), 0, 0, 0, 0, time.UTC).Format("Monday 2 January 2006") || !strings.Contains(got[0].text, "Council Chamber") {
		t.Fatalf("reminder received: %+v", got)
	}
	e.clock.Advance(time.Hour)
	if sum := e.run(jobs.JobSessionReminders); sum.Counts["reminders_queued"] != 0 {
		t.Errorf("second run on Friday: %+v", sum)
	}
}

package jobs

import (
	"context"
	"fmt"

	"github.com/complytrack/complytrack/pkg/training"
)

// JobSessionReminders reminds people of the face-to-face session they
// have a place on, the working day before.
const JobSessionReminders = "session-reminders"

// SessionReminders sends the reminders for sessions on the next working
// day (sessions.Service). Queueing is idempotent by key, so a run repeated
// on the same day sends nothing twice.
type SessionReminders interface {
	SendReminders(ctx context.Context, today training.Date) (int, error)
}

// sessionReminders runs daily (08:00 by default): on a working day it
// reminds everyone booked on a session on the next one (a Friday covers
// the weekend and Monday); at weekends it does nothing.
func (d Deps) sessionReminders(ctx context.Context, run Run) (Summary, error) {
	var sum Summary
	today := training.DateOf(run.At.In(d.Training.Location()))
	var n int
	err := run.Lease.Fenced(ctx, func(ctx context.Context) error {
		var err error
		n, err = d.Sessions.SendReminders(ctx, today)
		return err
	})
	sum.Add("reminders_queued", n)
	if err != nil {
		return sum, err
	}
	sum.Message = fmt.Sprintf("%d session reminders queued", n)
	return sum, nil
}

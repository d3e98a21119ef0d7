package jobs

import (
	"context"
	"crypto/sha256"
	"encoding/hex"
	"fmt"
	"sort"
	"strings"

	"github.com/complytrack/complytrack/pkg/notify"
	"github.com/complytrack/complytrack/pkg/training"
)

// complianceScan evaluates everyone, raises a flag on each transition
// (new starter, due soon, overdue, expired), reminds the person, and
// escalates to HR anyone overdue for longer than EscalateAfterDays.
//
// Every write is keyed: the reminder is queued under the flag's key, then
// the flag recorded. Killed at any point and run again, it queues what is
// missing and nothing twice; run again with nothing changed, it writes
// nothing.
func (d Deps) complianceScan(ctx context.Context, run Run) (Summary, error) {
	var sum Summary
	res, err := d.Training.Scan(ctx)
	if err != nil {
		return sum, err
	}
	sum.Add("evaluated", res.Evaluated)
	if d.Scanned != nil {
		d.Scanned(res)
	}
	for _, due := range res.New {
		if err := ctx.Err(); err != nil {
			return sum, err
		}
		queued, err := fencedQueue(ctx, run, d.Mail, d.reminder(due))
		if err != nil {
			return sum, err
		}
		if queued {
			sum.Add("reminders_queued", 1)
		}
		if err := run.Lease.Fenced(ctx, func(ctx context.Context) error { return d.Training.RecordFlag(ctx, due.Flag) }); err != nil {
			return sum, err
		}
		sum.Add("flags_raised", 1)
		sum.Add("flags_"+string(due.Flag.Kind), 1)
	}
	n, err := d.escalate(ctx, run, res)
	sum.Add("escalated", n)
	if err != nil {
		return sum, err
	}
	sum.Message = fmt.Sprintf("%d new flags, %d escalated to HR", sum.Counts["flags_raised"], n)
	return sum, nil
}

func (d Deps) reminder(due training.Due) notify.Message {
	a := due.Assessment
	var what, when string
	switch due.Flag.Kind {
	case training.FlagNewStarter:
		what, when = "is one of your induction tasks", "Please complete it by "+longDate(a.DueOn)+"."
	case training.FlagDueSoon:
		what, when = "is due for renewal", "Your current completion expires on "+longDate(a.ExpiresOn)+". Please renew it before then."
	case training.FlagOverdue:
		what, when = "is overdue", "It was due on "+longDate(a.DueOn)+". Please complete it as soon as you can."
	case training.FlagExpired:
		what, when = "has expired", "Your completion expired on "+longDate(a.ExpiresOn)+". Please complete it again as soon as you can."
	}
	body := fmt.Sprintf(`Dear %s,

Your %s training %s. %s

How the date was worked out: %s.

Take the course here: %s
Then record it, with your certificate, in complytrack: %s

This is a statutory requirement under the Prevent duty. If you think this is
wrong (for example you have done it elsewhere), reply to HR.
`, due.Person.FullName(), due.Course.Title, what, when, a.ExplanationText(), orNone(due.Course.URL), d.PublicURL)
	return notify.Message{
		Key:      "reminder:" + due.Flag.Key,
		To:       due.Person.Email,
		Kind:     notify.KindReminder,
		Subject:  fmt.Sprintf("%s training %s", due.Course.Title, what),
		BodyText: body,
	}
}

// escalate sends HR one e-mail listing everyone newly overdue for longer
// than the threshold, once per person and cycle, through kills at any
// point:
//
//  1. the batch (who it covers, the e-mail, its recipients) is recorded in
//     one insert before anything is queued, so nobody it covers is put in
//     another batch;
//  2. the e-mail is queued to each recipient under a key made from the
//     batch's key;
//  3. a "sent" marker closes the batch.
//
// A run killed between 1 and 3 leaves the batch open: the next run finishes
// it (queueing what is missing) before looking for new people.
func (d Deps) escalate(ctx context.Context, run Run, res training.ScanResult) (int, error) {
	led, err := loadLedger(ctx, d.Training.NoticeStore(), d.Training.Now)
	if err != nil {
		return 0, err
	}
	for _, b := range led.openBatches(escalationBatchPrefix) {
		if err := d.sendBatch(ctx, run, led, b); err != nil {
			return 0, err
		}
	}

	var fresh []training.Due
	for _, due := range res.Overdue {
		date := due.Assessment.DueOn
		if date.IsZero() || date.AddDays(d.EscalateAfterDays).Compare(res.Today) >= 0 {
			continue
		}
		if led.noticed(escalationKey(due)) {
			continue
		}
		fresh = append(fresh, due)
	}
	if len(fresh) == 0 {
		return 0, nil
	}
	to, err := d.Recipients.HREmails(ctx)
	if err != nil {
		return 0, err
	}
	if len(to) == 0 {
		// Nobody holds the HR role (or they have all left): record nothing,
		// so these people are escalated once HR has an address, instead of
		// being marked as escalated with no one told.
		d.Logger.WarnContext(ctx, "escalation: no HR account to send it to; it waits for the next scan", "people", len(fresh))
		return 0, nil
	}
	sort.Strings(to)
	keys := make([]string, len(fresh))
	var lines []string
	for i, due := range fresh {
		keys[i] = escalationKey(due)
		lines = append(lines, fmt.Sprintf("- %s (%s), %s, %s: %s since %s; line manager: %s",
			due.Person.FullName(), due.Person.EmployeeNumber, orNone(due.Person.Department), due.Course.Title,
			due.Assessment.Status, longDate(due.Assessment.DueOn), managerName(due)))
	}
	sum := sha256.Sum256([]byte(strings.Join(keys, "\n")))
	batch := training.Notice{
		Key:     escalationBatchPrefix + hex.EncodeToString(sum[:12]),
		Covers:  keys,
		To:      to,
		Subject: fmt.Sprintf("%d people overdue for statutory training", len(fresh)),
		Body: fmt.Sprintf(`These people have been overdue for more than %d days:

%s

Each was reminded when it became due. See them all in complytrack: %s
`, d.EscalateAfterDays, strings.Join(lines, "\n"), d.PublicURL),
	}
	if err := run.Lease.Fenced(ctx, func(ctx context.Context) error { return led.record(ctx, batch) }); err != nil {
		return 0, err
	}
	if err := d.sendBatch(ctx, run, led, batch); err != nil {
		return 0, err
	}
	return len(fresh), nil
}

const escalationBatchPrefix = "escalation-batch:"

// sendBatch queues a recorded batch's e-mail to each of its recipients
// (each under its own key, so nothing is queued twice) and closes it.
func (d Deps) sendBatch(ctx context.Context, run Run, led *ledger, b training.Notice) error {
	for _, addr := range b.To {
		if _, err := fencedQueue(ctx, run, d.Mail, notify.Message{
			Key: b.Key + ":" + addr, To: addr, Kind: notify.KindEscalation, Subject: b.Subject, BodyText: b.Body,
		}); err != nil {
			return err
		}
	}
	return run.Lease.Fenced(ctx, func(ctx context.Context) error { return led.record(ctx, training.Notice{Key: b.Key + sentSuffix}) })
}

func escalationKey(due training.Due) string { return "escalation:" + due.Flag.Key }

func managerName(due training.Due) string {
	if due.Manager.ID == "" {
		return "none recorded"
	}
	return due.Manager.FullName()
}

func longDate(d training.Date) string {
	if d.IsZero() {
		return "(no date)"
	}
	return fmt.Sprintf("%d %s %d", d.Day(), d.Month(), d.Year())
}

func orNone(s string) string {
	if s == "" {
		return "(not recorded)"
	}
	return s
}

package jobs

import (
	"context"
	"fmt"
	"log/slog"

	"github.com/complytrack/complytrack/pkg/compliance"
	"github.com/complytrack/complytrack/pkg/logging"
	"github.com/complytrack/complytrack/pkg/notify"
	"github.com/complytrack/complytrack/pkg/training"
)

// Mailer queues e-mails (notify.Outbox). Queueing is idempotent by key.
type Mailer interface {
	Queue(ctx context.Context, m notify.Message) (queued bool, err error)
}

// Recipients finds who hears about what.
type Recipients interface {
	// HREmails returns the e-mail addresses of everyone holding the HR
	// role, for escalations.
	HREmails(ctx context.Context) ([]string, error)
}

// Officers finds who looks after the elected Members.
type Officers interface {
	// MemberServicesOfficers returns everyone holding the Member Services
	// role who has not left.
	MemberServicesOfficers(ctx context.Context) ([]training.Person, error)
}

// Deps is what the compliance jobs need.
type Deps struct {
	Training   *compliance.Service
	Mail       Mailer
	Recipients Recipients
	// Officers finds the Member Services officers, who get the weekly
	// digest for the elected Members; nil: Members' items go to nobody.
	Officers  Officers
	Deliverer *notify.Deliverer // nil: no delivery job
	PublicURL string            // base of links in e-mails
	// ReportTo receives the monthly report; empty: the snapshot is kept
	// but nothing is sent.
	ReportTo []string
	// EscalateAfterDays: someone overdue (or expired) this many days past
	// their date is escalated to HR. Default 14.
	EscalateAfterDays int
	Logger            *slog.Logger

	// Sessions sends the reminders of face-to-face sessions; nil: no
	// session-reminders job.
	Sessions SessionReminders
	// Partners counts the month's sessions and partner organisations'
	// attendance for the monthly report; nil: the report leaves it out.
	Partners PartnerReports
	// Scanned, when set, is given each compliance scan's findings (its
	// per-course figures feed the metrics) before anything is written.
	Scanned func(training.ScanResult)
}

// Names of the jobs.
const (
	JobComplianceScan = "compliance-scan"
	JobManagerDigest  = "manager-digest"
	JobMonthlyReport  = "monthly-report"
	JobDelivery       = "delivery"
)

// Catalog returns complytrack's scheduled jobs; schedules default to
// DefaultSchedules.
func Catalog(d Deps) []Job {
	if d.EscalateAfterDays <= 0 {
		d.EscalateAfterDays = 14
	}
	if d.Logger == nil {
		d.Logger = logging.Discard()
	}
	js := []Job{
		{Name: JobComplianceScan, Run: d.complianceScan},
		{Name: JobManagerDigest, Run: d.managerDigest},
		{Name: JobMonthlyReport, Run: d.monthlyReport},
	}
	if d.Deliverer != nil {
		js = append(js, Job{Name: JobDelivery, Run: d.deliver})
	}
	if d.Sessions != nil {
		js = append(js, Job{Name: JobSessionReminders, Run: d.sessionReminders})
	}
	return js
}

// fencedQueue queues a message only while this process still holds the
// run's lease.
func fencedQueue(ctx context.Context, run Run, mail Mailer, m notify.Message) (bool, error) {
	var queued bool
	err := run.Lease.Fenced(ctx, func(ctx context.Context) error {
		var err error
		queued, err = mail.Queue(ctx, m)
		return err
	})
	if err != nil {
		return false, fmt.Errorf("queue %s: %w", m.Key, err)
	}
	return queued, nil
}

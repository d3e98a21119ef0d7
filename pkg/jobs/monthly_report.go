package jobs

import (
	"context"
	"fmt"
	"strings"

	"github.com/complytrack/complytrack/pkg/notify"
	"github.com/complytrack/complytrack/pkg/reportcsv"
	"github.com/complytrack/complytrack/pkg/training"
)

// monthlyReport, on the 1st, works out each course's compliance at the
// end of the month just gone, keeps it as a snapshot (so that figure never
// changes afterwards, whatever is recorded later) and sends it, with the
// per-person CSV, to the configured recipients (a community safety team, a
// board secretary), staff and elected Members given as headline figures,
// with the month's face-to-face sessions and partner attendance
// (partnerSection).
func (d Deps) monthlyReport(ctx context.Context, run Run) (Summary, error) {
	var sum Summary
	today := training.DateOf(run.At.In(d.Training.Location()))
	asOf := training.NewDate(today.Year(), today.Month(), 1).AddDays(-1) // last day of the month before
	courses, err := d.Training.Courses(ctx)
	if err != nil {
		return sum, err
	}
	partners, err := d.partnerSection(ctx, asOf)
	if err != nil {
		return sum, err
	}
	system := training.SystemActorFor()
	for _, c := range courses {
		rep, err := d.Training.ComplianceReport(ctx, system, training.ReportRequest{CourseCode: c.Code, GroupBy: training.GroupByDepartment, AsOf: asOf})
		if err != nil {
			return sum, err
		}
		var snap training.Snapshot
		err = run.Lease.Fenced(ctx, func(ctx context.Context) error {
			var err error
			snap, err = d.Training.KeepSnapshot(ctx, training.Snapshot{
				Key: training.SnapshotKey(c.Code, asOf), CourseCode: c.Code, AsOf: asOf, GroupBy: rep.GroupBy,
				Totals: rep.Totals, Groups: rep.Groups, ByKind: rep.ByKind(), CSV: reportcsv.Bytes(rep),
			})
			return err
		})
		if err != nil {
			return sum, err
		}
		sum.Add("snapshots", 1)
		for _, to := range d.ReportTo {
			queued, err := fencedQueue(ctx, run, d.Mail, notify.Message{
				Key:      fmt.Sprintf("monthly:%s:%s", snap.Key, to),
				To:       to,
				Kind:     notify.KindMonthlyReport,
				Subject:  fmt.Sprintf("%s compliance at %s: %.1f%%", c.Title, longDate(asOf), snap.Totals.Pct()),
				BodyText: monthlyBody(c, snap, partners, d.PublicURL),
				Attachments: []notify.Attachment{{
					Filename: fmt.Sprintf("compliance-%s-%s.csv", c.Code, asOf), ContentType: "text/csv; charset=utf-8", Data: snap.CSV,
				}},
			})
			if err != nil {
				return sum, err
			}
			if queued {
				sum.Add("reports_queued", 1)
			}
		}
	}
	sum.Message = fmt.Sprintf("compliance at %s kept for %d courses", asOf, len(courses))
	return sum, nil
}

// kindHeadings name the kinds of person in the monthly report. Staff and
// elected Members are always named, as the two headline figures; the other
// kinds only when someone of that kind is counted.
var kindHeadings = []struct {
	kind    training.Kind
	heading string
	always  bool
}{
	{training.KindStaff, "Staff", true},
	{training.KindMember, "Elected Members", true},
	{training.KindContractor, "Contractors", false},
	{training.KindVolunteer, "Volunteers", false},
}

// writeByKind writes the headline figures by kind of person as the
// snapshot kept them. A snapshot kept before the split was has none.
func writeByKind(b *strings.Builder, s training.Snapshot) {
	if len(s.ByKind) == 0 {
		return
	}
	b.WriteString("\n")
	for _, k := range kindHeadings {
		t, ok := training.KindGroup(s.ByKind, k.kind)
		switch {
		case ok && t.Required() > 0:
			fmt.Fprintf(b, "%s: %.1f%% (%d of %d required; overdue: %d; expired: %d; exempt: %d)\n",
				k.heading, t.Pct(), t.UpToDate(), t.Required(), t.Overdue, t.Expired, t.Exempt)
		case ok:
			fmt.Fprintf(b, "%s: all %d exempt\n", k.heading, t.Exempt)
		case k.always:
			fmt.Fprintf(b, "%s: the course applies to none\n", k.heading)
		}
	}
}

func monthlyBody(c training.Course, s training.Snapshot, partners, publicURL string) string {
	var b strings.Builder
	t := s.Totals
	fmt.Fprintf(&b, "%s compliance at the end of %s %d\n\n", c.Title, s.AsOf.Month(), s.AsOf.Year())
	fmt.Fprintf(&b, "Compliance: %.1f%% (completed and in date, of everyone required)\n", t.Pct())
	fmt.Fprintf(&b, "Required: %d (the %d people the course applies to, less %d exempt); compliant: %d; expiring within %d days: %d; new starters still in their window: %d;\n",
		t.Required(), t.Applicable, t.Exempt, t.Compliant, c.DueSoonDays, t.Expiring, t.Due)
	fmt.Fprintf(&b, "overdue: %d; expired: %d; exempt: %d.\n", t.Overdue, t.Expired, t.Exempt)
	writeByKind(&b, s)
	b.WriteString("\nBy department:\n")
	for _, g := range s.Groups {
		fmt.Fprintf(&b, "- %s: %.1f%% (%d of %d required; exempt: %d)\n", g.Key, g.Tally.Pct(), g.Tally.UpToDate(), g.Tally.Required(), g.Tally.Exempt)
	}
	if partners != "" {
		b.WriteString("\n" + partners)
	}
	fmt.Fprintf(&b, "\nThe attached CSV lists everyone the course applies to, exempt people included, with their status on %s.\nThis figure is kept as sent; complytrack: %s\n", s.AsOf, publicURL)
	return b.String()
}

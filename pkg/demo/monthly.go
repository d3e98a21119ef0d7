package demo

import (
	"context"
	"time"

	"github.com/complytrack/complytrack/pkg/app"
	"github.com/complytrack/complytrack/pkg/reportcsv"
	"github.com/complytrack/complytrack/pkg/training"
)

// keptMonths is how many past months' monthly reports the demo keeps, as
// if the monthly job had run on each 1st: the monthly reports page and
// the dashboard's trend show them as sent, and the months before as
// worked out for their last day.
const keptMonths = 3

// keepMonthlyReports keeps each course's report for the end of each of
// the last keptMonths months, stamped with when the job would have kept
// it (the 1st of the next month, 07:00).
func keepMonthlyReports(ctx context.Context, a *app.App, courses map[string]training.Course) (int, error) {
	svc := a.Training
	system := training.SystemActorFor()
	ends := training.MonthEnds(svc.Today(), keptMonths+1)
	kept := 0
	for _, end := range ends[:keptMonths] {
		next := end.AddDays(1)
		takenAt := time.Date(next.Year(), next.Month(), next.Day(), 7, 0, 0, 0, svc.Location())
		for code := range courses {
			rep, err := svc.ComplianceReport(ctx, system, training.ReportRequest{CourseCode: code, GroupBy: training.GroupByDepartment, AsOf: end})
			if err != nil {
				return kept, err
			}
			err = a.Store.InsertSnapshot(ctx, training.Snapshot{Key: training.SnapshotKey(code, end), CourseCode: code, AsOf: end,
				GroupBy: rep.GroupBy, Totals: rep.Totals, Groups: rep.Groups, ByKind: rep.ByKind(), CSV: reportcsv.Bytes(rep), TakenAt: takenAt.UTC()})
			if err != nil {
				return kept, err
			}
			kept++
		}
	}
	return kept, nil
}

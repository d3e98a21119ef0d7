package training

import (
	"fmt"
	"time"
)

// Snapshot is a report as it was sent: stored once, never recomputed, so
// "the figure at the end of October" stays what the board was told.
type Snapshot struct {
	Key        string // "<course>/<YYYY-MM>"
	CourseCode string
	AsOf       Date
	GroupBy    GroupBy
	Totals     Tally
	Groups     []ReportGroup
	// ByKind is the totals split by kind of person (Report.ByKind): the
	// staff and Members figures as sent. Empty in snapshots kept before
	// the split was.
	ByKind  []ReportGroup
	CSV     []byte // the per-person list that was attached
	TakenAt time.Time
}

// SnapshotKey names the snapshot of a course for the month of asOf.
func SnapshotKey(courseCode string, asOf Date) string {
	return fmt.Sprintf("%s/%04d-%02d", courseCode, asOf.Year(), int(asOf.Month()))
}

package training_test

import (
	"encoding/json"
	"slices"
	"testing"
	"time"

	"github.com/complytrack/complytrack/pkg/training"
)

// Audit IDs sort by the time of the entry to the millisecond, whatever
// their tails, so the log read newest first by ID is in time order.
func TestAuditIDSortsByTime(t *testing.T) {
	base := time.Date(2026, 11, 2, 9, 0, 0, 0, time.UTC)
	times := []time.Time{
		base,
		base.Add(time.Millisecond),
		base.Add(999 * time.Millisecond),
		base.Add(time.Second),
		base.Add(time.Hour),
		base.AddDate(1, 0, 0),
	}
	tails := [][6]byte{{0xff, 0xff, 0xff, 0xff, 0xff, 0xff}, {}, {0x80}, {0xff}, {}, {0x01}}
	var ids []string
	for i, at := range times {
		ids = append(ids, training.AuditID(at, tails[i]))
	}
	if !slices.IsSorted(ids) {
		t.Fatalf("IDs out of time order: %q", ids)
	}
	if a, b := training.AuditID(base, [6]byte{1}), training.AuditID(base, [6]byte{2}); a == b || len(a) != 24 {
		t.Fatalf("two tails in one millisecond: %q and %q", a, b)
	}
}

// The audit entry of a recorded completion is the same however often it
// is made, so writing it again after a crash stores it once.
func TestCompletionRecordedAuditIsStable(t *testing.T) {
	c := training.Completion{ID: "6650f0c2a1b2c3d4e5f60718", PersonID: "p1", CourseCode: "PREVENT",
		CompletedOn: training.MustDate("2026-05-01"), Source: training.SourceHR, RecordedBy: "hr1",
		RecordedAt: time.Date(2026, 5, 2, 10, 30, 0, 250e6, time.UTC)}
	a, b := training.CompletionRecordedAudit(c), training.CompletionRecordedAudit(c)
	if a.ID != b.ID || string(a.After) != string(b.After) {
		t.Fatalf("two makings differ: %+v / %+v", a, b)
	}
	other := c
	other.ID = "6650f0c2a1b2c3d4e5f60719"
	if training.CompletionRecordedAudit(other).ID == a.ID {
		t.Fatal("two completions recorded in one millisecond share an audit ID")
	}
	if a.At != c.RecordedAt || a.Actor != "hr1" || a.Action != "completion.record" || a.EntityID != c.ID {
		t.Fatalf("entry %+v", a)
	}
}

// A person appears in the audit log in the API's field names, with the
// dates as dates, no manager when there is none, and no record times.
func TestPersonForAudit(t *testing.T) {
	p := training.Person{ID: "p1", EmployeeNumber: "E1", Email: "ann.lee@example.gov.uk", GivenName: "Ann", FamilyName: "Lee",
		Kind: training.KindStaff, JobTitle: "Officer", Department: "Housing", StartDate: training.MustDate("2024-04-01"),
		CreatedAt: time.Now(), UpdatedAt: time.Now()}
	got, err := json.Marshal(training.PersonForAudit(p))
	if err != nil {
		t.Fatal(err)
	}
	want := `{"id":"p1","employee_number":"E1","email":"ann.lee@example.gov.uk","given_name":"Ann","family_name":"Lee",` +
		`"kind":"staff","job_title":"Officer","department":"Housing","start_date":"2024-04-01","end_date":null}`
	if string(got) != want {
		t.Fatalf("audit JSON\n got %s\nwant %s", got, want)
	}
}

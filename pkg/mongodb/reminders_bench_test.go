package mongodb_test

import (
	"context"
	"fmt"
	"testing"
	"time"

	"github.com/complytrack/complytrack/pkg/dbtest"
	"github.com/complytrack/complytrack/pkg/mongodb"
	"github.com/complytrack/complytrack/pkg/training"
)

// remindedStore holds the "last reminded" of 400 people for three
// courses, each person recorded by a press of their own: the demo council
// with everyone reminded.
func remindedStore(b *testing.B) *mongodb.ReminderStore {
	b.Helper()
	ctx := context.Background()
	db := dbtest.New(b)
	store := mongodb.New(db)
	if err := store.Migrate(ctx); err != nil {
		b.Fatal(err)
	}
	// As at start-up (api): look-ups by _id use an index.
	if engine := dbtest.Engine(b); engine != nil {
		if err := engine.IndexIDs(ctx, db.Name()); err != nil {
			b.Fatal(err)
		}
	}
	r := store.Reminders()
	var seq int64
	for i := range 400 {
		id := fmt.Sprintf("%024x", i)
		var rs []training.Reminded
		for _, c := range []string{"CHANNEL", "PREVENT", "WRAP"} {
			rs = append(rs, training.Reminded{PersonID: id, CourseCode: c, At: time.Now(), By: "boss"})
		}
		var err error
		if seq, err = r.RecordReminded(ctx, seq, rs); err != nil {
			b.Fatal(err)
		}
	}
	return r
}

// BenchmarkAllReminded reads every record, as a process does once when it
// starts keeping them in memory; any query for a page's hundred people
// costs about as much on the embedded engine, which reads the whole
// collection for anything but one _id.
func BenchmarkAllReminded(b *testing.B) {
	r := remindedStore(b)
	for b.Loop() {
		if all, err := r.AllReminded(b.Context()); err != nil || len(all) != 1200 {
			b.Fatalf("%d records, %v", len(all), err)
		}
	}
}

// BenchmarkRemindedAfterNothingNew is what a page pays to learn that no
// process has recorded anything since it last looked: one look-up by _id.
func BenchmarkRemindedAfterNothingNew(b *testing.B) {
	r := remindedStore(b)
	for b.Loop() {
		if rs, seq, err := r.RemindedAfter(b.Context(), 400); err != nil || len(rs) != 0 || seq != 400 {
			b.Fatalf("%d records after 400, up to %d, %v", len(rs), seq, err)
		}
	}
}

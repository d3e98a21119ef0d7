package mongodb_test

import (
	"bytes"
	"context"
	"errors"
	"maps"
	"testing"
	"time"

	"github.com/complytrack/complytrack/pkg/dbtest"
	"github.com/complytrack/complytrack/pkg/importmap"
	"github.com/complytrack/complytrack/pkg/mongodb"
	"github.com/complytrack/complytrack/pkg/peoplecsv"
	"github.com/complytrack/complytrack/pkg/training"
)

// An import mapping is kept whole, under a new ID, whatever its headers
// hold (a dot, a leading dollar), and read back by ID or in the order made.
func TestImportMappings(t *testing.T) {
	ctx := context.Background()
	now := time.Date(2026, 11, 2, 9, 0, 0, 0, time.UTC)
	s := mongodb.New(dbtest.New(t)).WithClock(func() time.Time { return now })
	if err := s.Migrate(ctx); err != nil {
		t.Fatal(err)
	}
	cols := map[string]string{"Emp. No.": "employee_number", "$Email": "email", "Forename": "given_name", "Surname": "family_name",
		"Person Type": "kind", "Hire Date": "start_date"}
	first, err := s.InsertImportMapping(ctx, importmap.Mapping{Name: "iTrent", Columns: cols, DateFormat: peoplecsv.DateUK, CreatedBy: "hr1"})
	if err != nil {
		t.Fatal(err)
	}
	if first.ID == "" || !first.CreatedAt.Equal(now) {
		t.Errorf("stored as %+v: want an ID and the store's time", first)
	}
	second, err := s.InsertImportMapping(ctx, importmap.Mapping{Name: "ESR", Columns: map[string]string{"Staff No": "employee_number"}, DateFormat: peoplecsv.DateISO})
	if err != nil {
		t.Fatal(err)
	}
	got, err := s.ImportMapping(ctx, first.ID)
	if err != nil || got.Name != "iTrent" || !maps.Equal(got.Columns, cols) || got.DateFormat != peoplecsv.DateUK || got.CreatedBy != "hr1" || !got.CreatedAt.Equal(now) {
		t.Errorf("read back %+v, %v", got, err)
	}
	all, err := s.ImportMappings(ctx)
	if err != nil || len(all) != 2 || all[0].ID != first.ID || all[1].ID != second.ID {
		t.Errorf("listed %+v, %v: want both, oldest first", all, err)
	}
	if _, err := s.ImportMapping(ctx, "no-such-id"); !errors.Is(err, training.ErrNotFound) {
		t.Errorf("an unknown ID: %v, want not found", err)
	}

	// A held file can be shown again before it is taken, to its owner only.
	token, err := s.HoldImport(ctx, "hr1", "itrent.csv", []byte("Emp. No.\nE1\n"), 30*time.Minute)
	if err != nil {
		t.Fatal(err)
	}
	for range 2 {
		if name, data, ok, err := s.PeekImport(ctx, "hr1", token); !ok || err != nil || name != "itrent.csv" || !bytes.Equal(data, []byte("Emp. No.\nE1\n")) {
			t.Fatalf("peek: %q %q %v %v", name, data, ok, err)
		}
	}
	if _, _, ok, _ := s.PeekImport(ctx, "someone-else", token); ok {
		t.Error("someone else saw the held file")
	}
	if _, _, ok, _ := s.TakeImport(ctx, "hr1", token); !ok {
		t.Fatal("the file peeked at could not be taken")
	}
	if _, _, ok, _ := s.PeekImport(ctx, "hr1", token); ok {
		t.Error("the file was shown after it was taken")
	}
}

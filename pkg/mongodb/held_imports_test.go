package mongodb_test

import (
	"bytes"
	"context"
	"testing"
	"time"

	"github.com/complytrack/complytrack/pkg/dbtest"
	"github.com/complytrack/complytrack/pkg/mongodb"
)

// A previewed import file is kept in the database until it is confirmed:
// whole (in chunks when large), once, for its owner only, and not after
// it expires.
func TestHeldImports(t *testing.T) {
	ctx := context.Background()
	now := time.Date(2026, 11, 2, 9, 0, 0, 0, time.UTC)
	s := mongodb.New(dbtest.New(t)).WithClock(func() time.Time { return now })
	if err := s.Migrate(ctx); err != nil {
		t.Fatal(err)
	}
	big := bytes.Repeat([]byte("E1,e1@example.org,Ann,Lee,staff,,,,2024-01-01,\n"), 200_000) // about 9 MB: three chunks
	token, err := s.HoldImport(ctx, "hr1", "people.csv", big, 30*time.Minute)
	if err != nil {
		t.Fatal(err)
	}
	if _, _, ok, err := s.TakeImport(ctx, "someone-else", token); ok || err != nil {
		t.Fatalf("another person took the file: %v, %v", ok, err)
	}
	name, data, ok, err := s.TakeImport(ctx, "hr1", token)
	if err != nil || !ok || name != "people.csv" || !bytes.Equal(data, big) {
		t.Fatalf("take: %q, %d bytes (want %d), %v, %v", name, len(data), len(big), ok, err)
	}
	if _, _, ok, _ := s.TakeImport(ctx, "hr1", token); ok {
		t.Fatal("the file was taken twice")
	}

	// A new upload replaces the owner's previous one.
	first, err := s.HoldImport(ctx, "hr1", "a.csv", []byte("a"), 30*time.Minute)
	if err != nil {
		t.Fatal(err)
	}
	second, err := s.HoldImport(ctx, "hr1", "b.csv", []byte("b"), 30*time.Minute)
	if err != nil {
		t.Fatal(err)
	}
	if _, _, ok, _ := s.TakeImport(ctx, "hr1", first); ok {
		t.Fatal("the replaced upload could still be imported")
	}
	// And a file waits no longer than it was held for.
	now = now.Add(31 * time.Minute)
	if _, _, ok, _ := s.TakeImport(ctx, "hr1", second); ok {
		t.Fatal("an expired file was imported")
	}
	// An empty file is held and taken as empty.
	empty, err := s.HoldImport(ctx, "hr2", "empty.csv", nil, time.Minute)
	if err != nil {
		t.Fatal(err)
	}
	if _, data, ok, err := s.TakeImport(ctx, "hr2", empty); !ok || err != nil || len(data) != 0 {
		t.Fatalf("empty file: %d bytes, %v, %v", len(data), ok, err)
	}
}

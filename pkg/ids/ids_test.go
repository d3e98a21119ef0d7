package ids

import (
	"regexp"
	"slices"
	"testing"
	"time"
)

func TestNewIsObjectIDShapedAndOrderedWithinAProcess(t *testing.T) {
	at := time.Date(2026, 11, 30, 9, 0, 0, 0, time.UTC)
	var got []string
	for range 1000 {
		got = append(got, New(at))
	}
	shape := regexp.MustCompile(`^[0-9a-f]{24}$`)
	for _, id := range got {
		if !shape.MatchString(id) {
			t.Fatalf("ID %q is not 24 hex digits", id)
		}
	}
	if !slices.IsSorted(got) {
		t.Error("IDs made in one second by one process do not sort in the order they were made")
	}
	if later := New(at.Add(time.Second)); later <= got[len(got)-1] {
		t.Errorf("an ID a second later (%s) sorts before one made earlier (%s)", later, got[len(got)-1])
	}
	if got[0][:8] != "6b0d3b10" {
		t.Errorf("ID %s does not start with the seconds of %s (6b0d3b10)", got[0], at)
	}
}

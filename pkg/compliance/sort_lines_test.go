package compliance

import (
	"cmp"
	"fmt"
	"math/rand/v2"
	"slices"
	"testing"

	"github.com/complytrack/complytrack/pkg/training"
)

// TestSortLinesOrdersAsTheLists: a report's lines, sorted by keys made once,
// come out in the order the comparison the lists use gives (group, then
// family name and given name whatever their case, then ID), including names
// that are prefixes of one another or differ only in case.
func TestSortLinesOrdersAsTheLists(t *testing.T) {
	families := []string{"Smith", "smith", "Smithson", "Smit", "O'Neil", "ONeil", "de Souza", "De Souza", "Ávila", "Zhang"}
	givens := []string{"Ann", "ann", "Anne", "An", "Zoë", "Bob"}
	groups := []string{"", "Adult", "Adult Social Care", "adult social care", "Children's Services", "Members"}
	r := rand.New(rand.NewPCG(1, 2))
	for round := range 50 {
		var lines []training.ReportLine
		for i := range 1 + r.IntN(200) {
			lines = append(lines, training.ReportLine{
				Group: groups[r.IntN(len(groups))],
				Person: training.Person{
					ID:         fmt.Sprintf("p%03d", r.IntN(1000)+i),
					FamilyName: families[r.IntN(len(families))],
					GivenName:  givens[r.IntN(len(givens))],
				},
			})
		}
		want := slices.Clone(lines)
		slices.SortFunc(want, func(a, b training.ReportLine) int {
			return cmp.Or(cmp.Compare(a.Group, b.Group), comparePeople(a.Person, b.Person))
		})
		got := sortLines(lines)
		for i := range want {
			if got[i].Group != want[i].Group || got[i].Person.ID != want[i].Person.ID {
				t.Fatalf("round %d, line %d: got %s/%s %s %s, want %s/%s %s %s", round, i,
					got[i].Group, got[i].Person.ID, got[i].Person.FamilyName, got[i].Person.GivenName,
					want[i].Group, want[i].Person.ID, want[i].Person.FamilyName, want[i].Person.GivenName)
			}
		}
	}
}

// TestListOrderIsTheComparison: the people lists sort by keys made once;
// the order must be comparePeople's, whose cursor (personKey) pages them.
func TestListOrderIsTheComparison(t *testing.T) {
	families := []string{"Smith", "smith", "Smithson", "Smit", "O'Neil", "ONeil", "de Souza", "De Souza", "Ávila", "Zhang"}
	givens := []string{"Ann", "ann", "Anne", "An", "Zoë", "Bob"}
	r := rand.New(rand.NewPCG(3, 4))
	for round := range 50 {
		var people []training.Person
		for i := range 1 + r.IntN(200) {
			people = append(people, training.Person{
				ID:         fmt.Sprintf("p%03d", r.IntN(1000)+i),
				FamilyName: families[r.IntN(len(families))],
				GivenName:  givens[r.IntN(len(givens))],
			})
		}
		want := slices.Clone(people)
		slices.SortFunc(want, comparePeople)
		got := sortedByKey(people, personKey)
		for i := range want {
			if got[i].ID != want[i].ID {
				t.Fatalf("round %d, place %d: got %s %s %s, want %s %s %s", round, i,
					got[i].ID, got[i].FamilyName, got[i].GivenName, want[i].ID, want[i].FamilyName, want[i].GivenName)
			}
		}
	}
}

// BenchmarkSortPeople compares sorting a 5,000-person list by the
// comparison with sorting it by keys made once, as ListPeople does.
func BenchmarkSortPeople(b *testing.B) {
	r := rand.New(rand.NewPCG(5, 6))
	people := make([]training.Person, 5000)
	for i := range people {
		people[i] = training.Person{
			ID: fmt.Sprintf("p%05d", i), FamilyName: fmt.Sprintf("Family%04d", r.IntN(3000)), GivenName: fmt.Sprintf("Given%03d", r.IntN(500)),
			Email: fmt.Sprintf("person%05d@example.org", i), Department: "Adult Social Care", JobTitle: "Social Worker",
		}
	}
	b.Run("comparison", func(b *testing.B) {
		for b.Loop() {
			slices.SortFunc(slices.Clone(people), comparePeople)
		}
	})
	b.Run("keys", func(b *testing.B) {
		for b.Loop() {
			sortedByKey(people, personKey)
		}
	})
}

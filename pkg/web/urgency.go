package web

import (
	"cmp"
	"slices"
	"strings"

	"github.com/complytrack/complytrack/pkg/training"
)

// urgencyOrder is how My training orders its cards: what is already late
// first (never done, then lapsed), then what has a deadline coming (a
// first completion, then a renewal), then the rest.
var urgencyOrder = []training.Status{
	training.StatusOverdue, training.StatusExpired, training.StatusDue, training.StatusExpiring,
	training.StatusCompliant, training.StatusExempt,
}

func urgencyRank(s training.Status) int {
	if i := slices.Index(urgencyOrder, s); i >= 0 {
		return i
	}
	return len(urgencyOrder)
}

// needsAction reports whether the status asks the person to do something.
func needsAction(s training.Status) bool {
	return urgencyRank(s) < urgencyRank(training.StatusCompliant)
}

// byUrgency sorts the cards most urgent first; within one status the
// earliest deadline leads, then the title, so the order never depends on
// the order the courses were read in.
func byUrgency(courses []courseStatus) {
	slices.SortStableFunc(courses, func(a, b courseStatus) int {
		return cmp.Or(cmp.Compare(urgencyRank(a.Status), urgencyRank(b.Status)), a.due.Compare(b.due), strings.Compare(a.Title, b.Title))
	})
}

// urgentItem is one line of the panel at the top of My training: Before
// and After surround the course's title, which links to its card.
type urgentItem struct {
	Code, Title, Before, After string
}

// urgentItems says, for each course the person must act on, what to do
// and by when, in the cards' order.
func urgentItems(courses []courseStatus) []urgentItem {
	var out []urgentItem
	for _, c := range courses {
		if !needsAction(c.Status) {
			continue
		}
		it := urgentItem{Code: c.Code, Title: c.Title}
		when := longDate(c.due)
		switch {
		case c.Pending:
			// Done, as far as the person is concerned: say so, not "you must".
			it.Before, it.After = "You have recorded ", ". It counts once it has been verified."
		case c.Status == training.StatusOverdue:
			it.Before, it.After = "You must complete ", " now. It was due on "+when+"."
		case c.Status == training.StatusExpired:
			it.Before, it.After = "You must do ", " again now. Your training expired on "+when+"."
		case c.Status == training.StatusDue:
			it.Before, it.After = "You must complete ", " by "+when+"."
		case c.Status == training.StatusExpiring:
			it.Before, it.After = "You must do ", " again by "+when+", when your training expires."
		}
		out = append(out, it)
	}
	return out
}

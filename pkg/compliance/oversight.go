package compliance

import (
	"slices"

	"github.com/complytrack/complytrack/pkg/training"
)

// oversees reports whether the actor looks after the person as a line
// manager does: someone above them in the reporting line, or, for an
// elected Member (who has no line manager), a Member Services officer.
// Nobody oversees themself. Seeing, verifying where the course is
// verified by the manager, the team view and the weekly digest all follow
// this one rule.
func oversees(o Org, actor training.Actor, personID string) bool {
	if actor.PersonID == personID {
		return false
	}
	if o.IsAbove(actor.PersonID, personID) {
		return true
	}
	if !actor.MemberServices {
		return false
	}
	p, ok := o.Person(personID)
	return ok && p.Kind == training.KindMember
}

// overseen returns everyone the actor oversees: their reporting line
// breadth first, then, for a Member Services officer, every Member not
// already in it, in no particular order (callers sort).
func overseen(o Org, actor training.Actor) []string {
	// The view owns Below's slice: callers append to a copy.
	ids := slices.Clone(o.Below(actor.PersonID))
	if !actor.MemberServices {
		return ids
	}
	in := make(map[string]bool, len(ids))
	for _, id := range ids {
		in[id] = true
	}
	o.EachPerson(func(p training.Person) bool {
		if p.Kind == training.KindMember && p.ID != actor.PersonID && !in[p.ID] {
			ids = append(ids, p.ID)
		}
		return true
	})
	return ids
}

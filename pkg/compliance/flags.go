package compliance

import (
	"cmp"
	"context"
	"fmt"
	"slices"
	"strings"
	"time"

	"github.com/complytrack/complytrack/pkg/training"
)

// FlagRows lists the flags about people the actor may see, newest first,
// each with its person and their status for the flag's course today, all
// from one read of the organisation: a page of flags costs one stream of
// the flags collection and one of the (smaller) dealt-with records, never
// a read per row. Flags are not held in memory: a page of the flags list
// is an HR or manager task, not a hot path.
func (s *Flags) FlagRows(ctx context.Context, actor training.Actor, f training.FlagFilter, page training.PageRequest) (training.Page[training.FlagRow], error) {
	if _, err := training.ParseFlagKind("kind", string(f.Kind)); err != nil {
		return training.Page[training.FlagRow]{}, err
	}
	if _, err := training.ParseFlagState("state", string(f.State)); err != nil {
		return training.Page[training.FlagRow]{}, err
	}
	after, err := training.DecodeCursor(page.Cursor)
	if err != nil {
		return training.Page[training.FlagRow]{}, err
	}
	dealt := map[string]training.Decision{}
	if err := s.flags.EachFlagDealtWith(ctx, func(id string, d training.Decision) error {
		dealt[id] = d
		return nil
	}); err != nil {
		return training.Page[training.FlagRow]{}, err
	}
	var all []training.Flag
	if err := s.flags.EachFlag(ctx, func(fl training.Flag) error {
		if d, ok := dealt[fl.ID]; ok {
			fl.DealtWith = &d
		}
		if (f.Kind == "" || fl.Kind == f.Kind) && (f.CourseCode == "" || fl.CourseCode == f.CourseCode) &&
			(f.State == "" || fl.State() == f.State) && mayKnowOfFlag(actor, fl) {
			all = append(all, fl)
		}
		return nil
	}); err != nil {
		return training.Page[training.FlagRow]{}, err
	}
	today := s.Today()
	var res training.Page[training.FlagRow]
	err = s.read(ctx, func(o Org) error {
		if f.CourseCode != "" {
			if _, ok := o.Course(f.CourseCode); !ok {
				return training.Invalid("course_code", "There is no course with the code %s.", f.CourseCode)
			}
		}
		var out []training.FlagRow
		for _, fl := range all {
			p, ok := o.Person(fl.PersonID)
			if !ok || !canSee(o, actor, fl.PersonID) || (f.Department != "" && !strings.EqualFold(p.Department, f.Department)) {
				continue
			}
			out = append(out, training.FlagRow{Flag: fl, Person: p})
		}
		// Newest first; the key makes the order total for the cursor.
		// (the order of flagKey, compared without building the keys).
		slices.SortFunc(out, func(a, b training.FlagRow) int {
			return cmp.Or(b.Flag.RaisedAt.Compare(a.Flag.RaisedAt), strings.Compare(a.Flag.ID, b.Flag.ID))
		})
		res = training.Paginate(out, after, page.Size(), func(r training.FlagRow) string { return flagKey(r.Flag) })
		// Today's status and who dealt with it, for the page's rows only.
		for i := range res.Items {
			row := &res.Items[i]
			if c, ok := o.Course(row.Flag.CourseCode); ok {
				a := training.Evaluate(row.Person, c, o.Completions(row.Person.ID), o.Exemptions(row.Person.ID), today, timeZero)
				row.Status, row.HasStatus = a.Status, a.Applicable
			}
			if d := row.Flag.DealtWith; d != nil && canSee(o, actor, d.By) {
				if by, ok := o.Person(d.By); ok {
					row.DealtWithBy = by.FullName()
				}
			}
		}
		return nil
	})
	return res, err
}

// mayKnowOfFlag: duplicate evidence is HR's and the auditors' business (it
// may mean fraud); every other flag is for whoever may see the person.
func mayKnowOfFlag(actor training.Actor, fl training.Flag) bool {
	return fl.Kind != training.FlagDuplicateEvidence || actor.ReadsAll()
}

// DealWithFlags marks flags as dealt with, recording who and when, with an
// audit entry each. HR may deal with any flag; a line manager (or Member
// Services officer, for Members) with flags about the people they
// oversee, though not about themselves. A flag the actor may not know of
// is ErrNotFound and an auditor gets ErrForbidden, before anything is
// written. Flags dealt with already are left as they were, so that a
// form sent twice changes nothing; the flags this call dealt with are
// returned.
func (s *Flags) DealWithFlags(ctx context.Context, actor training.Actor, ids []string) ([]training.Flag, error) {
	flags, err := s.flagsToActOn(ctx, actor, ids, "deal with flag")
	if err != nil {
		return nil, err
	}
	var done []training.Flag
	for _, fl := range flags {
		if fl.DealtWith != nil {
			continue
		}
		d := training.Decision{By: actor.PersonID, At: s.now().UTC()}
		switch err := s.flags.DealWithFlag(ctx, fl.ID, d); {
		case isConflict(err):
			continue // someone else dealt with it meanwhile
		case err != nil:
			return done, err
		}
		fl.DealtWith = &d
		done = append(done, fl)
		if err := s.audit(ctx, actor, "flag.dealt_with", "flag", fl.ID, nil, flagAudit{
			PersonID: fl.PersonID, CourseCode: fl.CourseCode, Kind: fl.Kind, DealtWithBy: d.By, DealtWithAt: d.At,
		}); err != nil {
			return done, err
		}
	}
	return done, nil
}

// flagAudit is a dealt-with flag as the audit log shows it.
type flagAudit struct {
	PersonID    string            `json:"person_id"`
	CourseCode  string            `json:"course_code"`
	Kind        training.FlagKind `json:"flag_kind"`
	DealtWithBy string            `json:"dealt_with_by"`
	DealtWithAt time.Time         `json:"dealt_with_at"`
}

// FlagsToRemind returns the flags, by ID, that the actor may act on (the
// rule of DealWithFlags), for sending their people a reminder.
func (s *Flags) FlagsToRemind(ctx context.Context, actor training.Actor, ids []string) ([]training.Flag, error) {
	return s.flagsToActOn(ctx, actor, ids, "remind about flag")
}

// flagsToActOn reads each flag by ID and checks the actor may act on it:
// see DealWithFlags.
func (s *Flags) flagsToActOn(ctx context.Context, actor training.Actor, ids []string, what string) ([]training.Flag, error) {
	if len(ids) > training.MaxPageLimit {
		return nil, training.Invalid("flags", "Choose at most %d flags at a time.", training.MaxPageLimit)
	}
	var flags []training.Flag
	seen := map[string]bool{}
	for _, id := range ids {
		if seen[id] {
			continue
		}
		seen[id] = true
		fl, err := s.flags.Flag(ctx, id)
		if err != nil {
			return nil, err
		}
		flags = append(flags, fl)
	}
	err := s.read(ctx, func(o Org) error {
		for _, fl := range flags {
			if _, ok := o.Person(fl.PersonID); !ok || !canSee(o, actor, fl.PersonID) || !mayKnowOfFlag(actor, fl) {
				return fmt.Errorf("%s %s: %w", what, fl.ID, training.ErrNotFound)
			}
			if !actor.HR && !oversees(o, actor, fl.PersonID) {
				return fmt.Errorf("%s %s: %w", what, fl.ID, training.ErrForbidden)
			}
		}
		return nil
	})
	return flags, err
}

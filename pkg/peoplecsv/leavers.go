package peoplecsv

import (
	"cmp"
	"slices"

	"github.com/complytrack/complytrack/pkg/training"
)

// WholeOrganisationShare is how much of the organisation a file must name
// to be taken for an export of everyone: 80% of the people it could list
// (see PossibleLeavers). A file of new starters or of one department names
// far fewer; an export of everyone misses only the people who left since
// the last one, a few in a hundred.
const WholeOrganisationShare = 0.8

// PossibleLeavers lists the people on record a whole-organisation export
// leaves out: they may have left without anyone setting their end date.
//
// The people a file could list are those still here on day today (no end
// date, or one after today) of a kind of person the file has rows of: an
// HR system's export of staff does not list the elected Members or
// volunteers kept in complytrack by hand. When the file names (on any
// line, imported or not) at least WholeOrganisationShare of them, it is
// taken as an export of everyone (whole is true), and the others are
// returned, by family name then given name. Otherwise the file is a part
// of the organisation (new starters, one department) and nobody is
// missing from it.
func PossibleLeavers(named map[string]bool, kinds map[training.Kind]bool, existing map[string]Existing, today training.Date) (missing []Existing, whole bool) {
	var could []Existing
	inFile := 0
	for num, ex := range existing {
		p := ex.Person
		if !kinds[p.Kind] || !p.EndDate.IsZero() && !p.EndDate.After(today) {
			continue
		}
		if named[num] {
			inFile++
			continue
		}
		could = append(could, ex)
	}
	total := inFile + len(could)
	if total == 0 || float64(inFile) < WholeOrganisationShare*float64(total) {
		return nil, false
	}
	slices.SortFunc(could, func(a, b Existing) int {
		return cmp.Or(cmp.Compare(a.Person.FamilyName, b.Person.FamilyName), cmp.Compare(a.Person.GivenName, b.Person.GivenName),
			cmp.Compare(a.Person.EmployeeNumber, b.Person.EmployeeNumber))
	})
	return could, true
}

// FieldChange is one field an update changes, as text: dates YYYY-MM-DD,
// "" for none.
type FieldChange struct {
	Column, Before, After string
}

// Diff lists the fields that differ between before and after, in column
// order (see Columns).
func Diff(before, after training.PersonInput) []FieldChange {
	var out []FieldChange
	for _, c := range columns {
		b, a := c.text(&before), c.text(&after)
		if b != a {
			out = append(out, FieldChange{Column: c.name, Before: b, After: a})
		}
	}
	return out
}

// text is the column's field of in, as text.
func (c column) text(in *training.PersonInput) string {
	switch f := c.field(in).(type) {
	case *string:
		return *f
	case *training.Kind:
		return string(*f)
	case *training.Date:
		if f.IsZero() {
			return ""
		}
		return f.String()
	}
	return ""
}

package training

// ByKind splits a report's totals by kind of person, in the order of Kinds,
// leaving out the kinds nobody in the report is. Staff and elected Members
// are reported side by side: Members answer to the council, not to a line
// manager, so their figure is watched on its own. Group keys are the kinds.
func (r Report) ByKind() []ReportGroup {
	tallies := map[Kind]*Tally{}
	for _, l := range r.Lines {
		t := tallies[l.Person.Kind]
		if t == nil {
			t = &Tally{}
			tallies[l.Person.Kind] = t
		}
		t.Add(l.Assessment)
	}
	var out []ReportGroup
	for _, k := range Kinds {
		if t := tallies[k]; t != nil {
			out = append(out, ReportGroup{Key: string(k), Tally: *t})
		}
	}
	return out
}

// KindGroup returns the group of kind k from a split by kind (ByKind), and
// whether there is one.
func KindGroup(groups []ReportGroup, k Kind) (Tally, bool) {
	for _, g := range groups {
		if g.Key == string(k) {
			return g.Tally, true
		}
	}
	return Tally{}, false
}

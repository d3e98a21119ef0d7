package peoplecsv

import (
	"cmp"
	"errors"
	"fmt"
	"slices"
	"strings"

	"github.com/complytrack/complytrack/pkg/training"
)

// Existing is a person stored now. PlanImport takes them keyed by employee
// number.
type Existing struct {
	ID                    string
	Person                training.Person
	ManagerEmployeeNumber string // "" when they have no line manager
}

// Plan is what an import would do.
type Plan struct {
	// Creates are the rows with new employee numbers, ordered so that each
	// person's line manager is stored already or created earlier in the list.
	Creates []Row
	// Updates are the stored people whose fields differ from their row,
	// ordered so that applying them one by one, after Creates, never makes a
	// loop in the reporting line on the way (managers nearer the top first).
	Updates []Update
	// Unchanged counts the stored people whose row matches them exactly.
	Unchanged int
	// Errors are the problems on refused rows, sorted by line, then field.
	// Never nil, so that it encodes as a JSON array.
	Errors []LineError
}

// Update is a change to one stored person: Row.Input is the whole of what
// they become.
type Update struct {
	Row    Row             // the row, trimmed, with omitted columns filled in from the stored person
	ID     string          // the stored person's ID
	Before training.Person // the stored person, as planned against
}

// PlanImport decides what importing rows would do to the existing people,
// whatever the order of the rows. Rows are matched to people by employee
// number. A row with any problem is neither created nor updated, and each
// problem is a LineError on the row's line:
//
//   - the fields break a rule of training.Person.Validate;
//   - its employee number appeared on an earlier line (the first wins);
//   - its e-mail (ignoring case) belongs to another stored person, wherever
//     that person's row is (so an import never moves an e-mail from one
//     person to another, which the store's unique index could refuse
//     half-way: do that in two imports), or appeared on an earlier line;
//   - its line manager is itself, or is neither in the file nor stored;
//   - its line manager is new in this file and that manager's own line is
//     refused. A manager who is stored already stays a valid manager even if
//     their own line is refused: the link is to the stored person;
//   - its new line manager would make a loop in the reporting line, computed
//     on the people as they would be after the import. Only rows that change
//     a manager link are refused for a loop: a row that keeps its stored
//     manager is not at fault. If refusing those rows leaves another loop
//     (through a refused person's stored manager, which then stays), every
//     row whose new link leads into a remaining loop is refused too, which
//     guarantees the result has no loop; this is rare and may refuse a row
//     that a second import of the same file would accept.
//
// A cell is the whole truth for its field: an empty cell of an optional
// column (OptionalColumns) clears that field of a stored person. In
// particular an empty end_date brings a leaver back: an HR export lists
// people who are still here. An optional column missing from the file (see
// Row.Omitted) leaves that field of stored people alone instead.
//
// A stored person is unchanged when every field equals the row's, so
// importing the same file again reports everyone unchanged. Text is compared
// after trimming surrounding spaces, as the service stores it; e-mails are
// compared exactly, so a change of case is an update.
//
// PlanImport uses time and memory linear in the rows and stored people
// (apart from sorting).
func PlanImport(rows []Row, existing map[string]Existing) Plan {
	p := newPlanner(rows, existing)
	p.checkRows()
	p.refuseReportsOfRefusedNewManagers()
	p.refuseLoops()
	return p.plan()
}

// planner holds the working state of one PlanImport.
type planner struct {
	items    []item
	existing map[string]Existing
	first    map[string]int   // employee number -> index of its first row
	reports  map[string][]int // manager employee number (not stored) -> rows naming them
	errs     []LineError
}

type item struct {
	Row
	stored     *Existing // nil for a new employee number
	refused    bool
	propagated bool // refuseReportsOfRefusedNewManagers has handled this row's refusal
}

func newPlanner(rows []Row, existing map[string]Existing) *planner {
	p := &planner{
		items:    make([]item, len(rows)),
		existing: existing,
		first:    make(map[string]int, len(rows)),
		reports:  make(map[string][]int),
		errs:     []LineError{},
	}
	for i, r := range rows {
		p.items[i].Row = r
	}
	// Rows are taken in line order, so that "first" means first in the file
	// whatever order the caller passes them in.
	slices.SortStableFunc(p.items, func(a, b item) int { return cmp.Compare(a.Line, b.Line) })
	for i := range p.items {
		it := &p.items[i]
		it.Input = trimInput(it.Input)
		if ex, ok := existing[it.Input.EmployeeNumber]; ok {
			it.stored = &ex
			// An omitted column leaves the stored field alone.
			stored := training.PersonInput{Person: ex.Person, ManagerEmployeeNumber: ex.ManagerEmployeeNumber}
			for _, col := range it.Omitted {
				columnNamed[col].copy(&it.Input, &stored)
			}
		}
		num, mgr := it.Input.EmployeeNumber, it.Input.ManagerEmployeeNumber
		if _, seen := p.first[num]; !seen && num != "" {
			p.first[num] = i
		}
		if _, ok := existing[mgr]; !ok && mgr != "" {
			p.reports[mgr] = append(p.reports[mgr], i)
		}
	}
	return p
}

// refuse records a problem on row i; the row will be neither created nor
// updated.
func (p *planner) refuse(i int, field, format string, args ...any) {
	p.items[i].refused = true
	p.errs = append(p.errs, LineError{Line: p.items[i].Line, Field: field, Message: fmt.Sprintf(format, args...)})
}

// checkRows applies the rules that look at one row, or at one row against
// the earlier rows and the stored people.
func (p *planner) checkRows() {
	firstEmail := make(map[string]int) // normalised e-mail -> first row with it
	emailOwner := make(map[string]string, len(p.existing))
	for num, ex := range p.existing {
		emailOwner[training.NormaliseEmail(ex.Person.Email)] = num
	}
	for i := range p.items {
		it := &p.items[i]
		id := ""
		if it.stored != nil {
			id = it.stored.ID
		}
		for _, fe := range validate(it.Input, id) {
			p.refuse(i, fe.Field, "%s", fe.Message)
		}
		num := it.Input.EmployeeNumber
		if j := p.first[num]; num != "" && j != i {
			// The e-mail of a repeated row says nothing more: skip it.
			p.refuse(i, ColEmployeeNumber, "The employee number %s is also on line %d: each person can be in the file only once.", shorten(num, 60), p.items[j].Line)
			continue
		}
		// A stored person's e-mail stays theirs wherever their row is; other
		// e-mails go to the first row that has them.
		email := training.NormaliseEmail(it.Input.Email)
		owner, owned := emailOwner[email]
		switch j, seen := firstEmail[email]; {
		case email == "" || owned && owner == num:
		case owned:
			p.refuse(i, ColEmail, "The email address %s belongs to someone else already stored, with employee number %s.", shorten(it.Input.Email, 100), owner)
		case seen:
			p.refuse(i, ColEmail, "The email address %s is also on line %d: an email address can belong to one person only.", shorten(it.Input.Email, 100), p.items[j].Line)
		default:
			firstEmail[email] = i
		}
		switch mgr := it.Input.ManagerEmployeeNumber; {
		case mgr == "":
		case mgr == num:
			p.refuse(i, ColManagerEmployeeNumber, "A person cannot be their own line manager.")
		case !p.known(mgr):
			p.refuse(i, ColManagerEmployeeNumber, "There is no one with employee number %s to be the line manager, in this file or already stored.", shorten(mgr, 60))
		}
	}
}

func (p *planner) known(num string) bool {
	if _, ok := p.first[num]; ok {
		return true
	}
	_, ok := p.existing[num]
	return ok
}

// refuseReportsOfRefusedNewManagers refuses every row whose line manager is
// new in the file and refused, then their reports in turn, and so on down.
// It may be called again after more rows are refused: each refusal is
// followed once, so the calls together stay linear.
func (p *planner) refuseReportsOfRefusedNewManagers() {
	var queue []int
	for i := range p.items {
		if it := &p.items[i]; it.refused && !it.propagated && it.stored == nil && p.isFirst(i) {
			it.propagated = true
			queue = append(queue, i)
		}
	}
	for len(queue) > 0 {
		m := &p.items[queue[0]]
		queue = queue[1:]
		for _, j := range p.reports[m.Input.EmployeeNumber] {
			r := &p.items[j]
			if r.refused {
				continue // already queued if it matters
			}
			p.refuse(j, ColManagerEmployeeNumber, "The line manager, employee number %s, cannot be imported because their own line, line %d, has errors.", m.Input.EmployeeNumber, m.Line)
			if r.stored == nil && p.isFirst(j) {
				r.propagated = true
				queue = append(queue, j)
			}
		}
	}
}

func (p *planner) isFirst(i int) bool {
	j, ok := p.first[p.items[i].Input.EmployeeNumber]
	return ok && j == i
}

// managerOf is the line manager of the person with employee number num as
// the import would leave them: their row's manager if the row is accepted,
// else the stored one. "" is the top of the organisation.
func (p *planner) managerOf(num string) string {
	if i, ok := p.first[num]; ok && !p.items[i].refused {
		return p.items[i].Input.ManagerEmployeeNumber
	}
	return p.existing[num].ManagerEmployeeNumber
}

// changesLink reports whether accepted row i sets a manager link that is not
// stored now. Any loop in the result must contain such a link, as long as the
// stored people have none.
func (p *planner) changesLink(i int) bool {
	it := &p.items[i]
	mgr := it.Input.ManagerEmployeeNumber
	if it.refused || mgr == "" || !p.isFirst(i) {
		return false
	}
	return it.stored == nil || it.stored.ManagerEmployeeNumber != mgr
}

// Walk states beyond these are 1 + the index of the loop the walk led into.
const (
	unvisited  = 0
	onPath     = -1
	reachesTop = -2
)

// walk follows the manager links up from every row that changes a link,
// colouring each person it passes: reachesTop, or the loop they lead into
// (every loop it finds is returned, members in link order). Each person is
// passed once, so the walk is linear.
func (p *planner) walk() (state map[string]int, loops [][]string) {
	state = make(map[string]int)
	var path []string
	for i := range p.items {
		if !p.changesLink(i) {
			continue
		}
		path = path[:0]
		n := p.items[i].Input.EmployeeNumber
		for n != "" && state[n] == unvisited {
			state[n] = onPath
			path = append(path, n)
			n = p.managerOf(n)
		}
		end := reachesTop
		switch {
		case n == "":
		case state[n] == onPath: // a new loop, from n to the end of the path
			k := len(path) - 1
			for path[k] != n {
				k--
			}
			loops = append(loops, slices.Clone(path[k:]))
			end = len(loops)
		default:
			end = state[n]
		}
		for _, v := range path {
			state[v] = end
		}
	}
	return state, loops
}

// refuseLoops refuses the rows whose manager link would make a loop in the
// reporting line, as PlanImport documents: first the rows whose changed link
// is in a loop; then, only if refusing those left another loop, every row
// whose changed link leads into a loop.
func (p *planner) refuseLoops() {
	_, loops := p.walk()
	if len(loops) == 0 {
		return
	}
	for _, loop := range loops {
		for k, num := range loop {
			// Refusing row i changes changesLink only for i itself, and each
			// person is in one loop at most, so checking as we go is safe.
			if i, ok := p.first[num]; ok && p.changesLink(i) {
				p.refuse(i, ColManagerEmployeeNumber, "This line manager would make a loop in the reporting line, where each reports to the next: %s.", describeLoop(loop, k))
			}
		}
	}
	p.refuseReportsOfRefusedNewManagers()

	state, loops := p.walk()
	if len(loops) == 0 {
		return
	}
	var leading []int
	for i := range p.items {
		if p.changesLink(i) && state[p.items[i].Input.EmployeeNumber] > 0 {
			leading = append(leading, i)
		}
	}
	for _, i := range leading {
		loop := loops[state[p.items[i].Input.EmployeeNumber]-1]
		p.refuse(i, ColManagerEmployeeNumber, "This line manager leads into a loop in the reporting line that remains because other lines have errors, where each reports to the next: %s.", describeLoop(loop, 0))
	}
	p.refuseReportsOfRefusedNewManagers()
}

// describeLoop writes a loop as "E2 → E3 → E1 → E2", starting at member k,
// shortened for long loops so that describing every member stays linear.
func describeLoop(loop []string, k int) string {
	const show = 6
	var b strings.Builder
	for j := 0; j < len(loop) && j < show; j++ {
		b.WriteString(loop[(k+j)%len(loop)])
		b.WriteString(" → ")
	}
	if len(loop) > show {
		fmt.Fprintf(&b, "… (%d people) → ", len(loop))
	}
	b.WriteString(loop[k])
	return b.String()
}

// plan sorts the accepted rows into creates, updates and unchanged.
func (p *planner) plan() Plan {
	// Accepted rows in order of depth, then line (items are in line order).
	memo := make(map[string]int)
	type accepted struct{ depth, i int }
	var order []accepted
	for i := range p.items {
		if !p.items[i].refused {
			order = append(order, accepted{p.depth(p.items[i].Input.EmployeeNumber, memo), i})
		}
	}
	slices.SortFunc(order, func(a, b accepted) int { return cmp.Or(cmp.Compare(a.depth, b.depth), cmp.Compare(a.i, b.i)) })

	out := Plan{Errors: p.errs}
	for _, a := range order {
		it := &p.items[a.i]
		if it.stored == nil {
			out.Creates = append(out.Creates, it.Row)
			continue
		}
		if !changes(*it.stored, it.Input) {
			out.Unchanged++
			continue
		}
		out.Updates = append(out.Updates, Update{Row: it.Row, ID: it.stored.ID, Before: it.stored.Person})
	}
	slices.SortStableFunc(out.Errors, func(a, b LineError) int {
		return cmp.Or(cmp.Compare(a.Line, b.Line), strings.Compare(a.Field, b.Field))
	})
	return out
}

// depth is how many line managers are above the person after the import
// (0 at the top), memoised in memo so that all depths together are linear.
// Applying changes in order of depth never makes a loop on the way: when a
// person's link is set, everyone above their new manager has their final
// link already.
func (p *planner) depth(num string, memo map[string]int) int {
	const inProgress = -1
	var path []string
	above := -1 // depth of the person above the path; -1: the path ends at the top
	for n := num; n != ""; n = p.managerOf(n) {
		if d, ok := memo[n]; ok {
			if d != inProgress { // inProgress only for a loop among stored people: treat as the top
				above = d
			}
			break
		}
		memo[n] = inProgress
		path = append(path, n)
	}
	for k := len(path) - 1; k >= 0; k-- {
		above++
		memo[path[k]] = above
	}
	return memo[num]
}

// changes reports whether storing in would change the stored person: any
// field of theirs, or their line manager.
func changes(ex Existing, in training.PersonInput) bool {
	return ex.Person.Edited(in) != ex.Person || in.ManagerEmployeeNumber != ex.ManagerEmployeeNumber
}

// validate checks a row as the service checks a person it stores, and
// returns the problems by field.
func validate(in training.PersonInput, id string) []training.FieldError {
	p := in.Record()
	p.ID = id
	var ve *training.ValidationError
	if errors.As(p.Validate(), &ve) {
		return ve.Fields
	}
	return nil
}

// trimInput trims text as the service does before storing it, so that
// comparisons with stored people are like for like.
func trimInput(in training.PersonInput) training.PersonInput {
	in.Person = in.Person.Trimmed()
	in.ManagerEmployeeNumber = training.TrimText(in.ManagerEmployeeNumber)
	return in
}

// Warnings lists, by line, what the plan would store that is allowed but
// probably a mistake, as of day today (see training.Person.Warnings): the
// rows it creates, and the rows that change a stored person's start date.
// They never stop a line being imported. Never nil, so that it encodes as
// a JSON array.
func (p Plan) Warnings(today training.Date) []training.LineError {
	out := []training.LineError{}
	add := func(r Row) {
		for _, w := range r.Input.Warnings(today) {
			out = append(out, training.LineError{Line: r.Line, Field: w.Field, Message: w.Message})
		}
	}
	for _, r := range p.Creates {
		add(r)
	}
	for _, u := range p.Updates {
		if u.Row.Input.StartDate != u.Before.StartDate {
			add(u.Row)
		}
	}
	slices.SortStableFunc(out, func(a, b training.LineError) int { return cmp.Compare(a.Line, b.Line) })
	return out
}

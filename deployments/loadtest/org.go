package main

import (
	"bytes"
	"encoding/csv"
	"fmt"
	"math/rand/v2"
	"strings"
	"time"
)

// Levels of the reporting line.
const (
	levelChief = iota
	levelDirector
	levelHead
	levelTeamLeader
	levelOfficer
	levelMember // elected Members: no line manager
)

// planned is one person of the generated organisation.
type planned struct {
	number, email, given, family, kind, job, dept, manager string
	start, end                                             time.Time // end zero: still here
	level                                                  int
	// history is the PREVENT completions HR records for them, oldest first.
	history []pastCompletion
}

// pastCompletion is one completion of the history, found again on a later
// run by its certificate reference.
type pastCompletion struct {
	on  time.Time
	ref string
}

// plan is the organisation one seed and size always give (on a given
// day: the dates are counted back from today).
type plan struct {
	prefix string
	today  time.Time
	people []planned // managers before the people who report to them
	// reports lists each manager's direct reports by employee number.
	reports map[string][]string
	// pool is the extra people the HR import journey creates and changes.
	pool []planned
}

// Course rules of the default PREVENT course that the history is shaped by.
const (
	validityMonths = 36
	newStarterDays = 28
)

var departments = []string{
	"Adult Social Care", "Children's Services", "Housing", "Environmental Services", "Planning",
	"Finance", "Legal and Democratic Services", "Revenues and Benefits", "Leisure and Culture",
	"Highways", "Public Health", "Regeneration", "Customer Services", "Human Resources",
	"Digital Services", "Waste and Recycling", "Licensing", "Property and Estates", "Education",
	"Community Safety",
}

var givenNames = []string{
	"Amelia", "Oliver", "Isla", "George", "Ava", "Harry", "Mia", "Noah", "Grace", "Jack", "Sophia", "Leo",
	"Freya", "Arthur", "Lily", "Oscar", "Evie", "Charlie", "Ella", "Thomas", "Priya", "Mohammed", "Aisha",
	"Dylan", "Siobhan", "Rhys", "Zara", "Kwame", "Fatima", "Callum",
}

var familyNames = []string{
	"Smith", "Jones", "Taylor", "Brown", "Williams", "Wilson", "Johnson", "Davies", "Patel", "Robinson",
	"Wright", "Thompson", "Evans", "Walker", "White", "Roberts", "Green", "Hall", "Khan", "Wood", "Hughes",
	"Edwards", "Begum", "Murphy", "Campbell", "O'Neill", "Okafor", "Nowak", "Hussain", "Clarke",
}

// newPlan makes an organisation of n people (n ≥ 10): a chief executive,
// directors each heading a department, heads of service, team leaders and
// officers below them (five levels), and about 1% elected Members with no
// line manager. Team leaders have about 12 officers, heads about 5 team
// leaders and directors about 4 heads. Start dates go back up to 20 years;
// about 3% of officers started in the last three weeks and 2% have left.
//
// Each person's PREVENT history is one of four shapes, taken in turn so
// that even a small organisation has every one: none at all (then overdue,
// or due for a new starter), lapsed (the last completion over three years
// ago, so expired), expiring within a month, or compliant; earlier
// completions go back in three-year steps towards the start date.
func newPlan(n int, seed uint64, prefix string, today time.Time) *plan {
	rng := rand.New(rand.NewPCG(seed, 0x10ad7e57))
	p := &plan{prefix: prefix, today: today, reports: map[string][]string{}}
	members := max(2, n/100)
	rest := n - members - 1 // below the chief executive
	teams := max(1, (rest*2+13)/27)
	heads := max(1, (teams+4)/5)
	directors := max(1, (heads+3)/4)
	officers := rest - directors - heads - teams

	seq := 0
	add := func(level int, kind, job, dept, manager string, start time.Time) *planned {
		seq++
		given, family := givenNames[rng.IntN(len(givenNames))], familyNames[rng.IntN(len(familyNames))]
		number := fmt.Sprintf("%s%06d", prefix, seq)
		p.people = append(p.people, planned{
			number: number, given: given, family: family, kind: kind, job: job, dept: dept, manager: manager,
			email: strings.ToLower(strings.ReplaceAll(given+"."+family, "'", "")) + "." + strings.ToLower(number) + "@loadtest.example.org",
			start: start, level: level,
		})
		if manager != "" {
			p.reports[manager] = append(p.reports[manager], number)
		}
		return &p.people[len(p.people)-1]
	}
	yearsBack := func(minDays, maxDays int) time.Time {
		return today.AddDate(0, 0, -(minDays + rng.IntN(maxDays-minDays+1)))
	}

	chief := add(levelChief, "staff", "Chief Executive", "Chief Executive's Office", "", yearsBack(2000, 7000)).number
	var directorNumbers, headNumbers, teamNumbers []string
	deptOf := map[string]string{}
	for i := range directors {
		dept := departments[i%len(departments)]
		if i >= len(departments) {
			dept += fmt.Sprintf(" %d", i/len(departments)+1)
		}
		d := add(levelDirector, "staff", "Director of "+dept, dept, chief, yearsBack(1500, 7000))
		directorNumbers = append(directorNumbers, d.number)
		deptOf[d.number] = dept
	}
	for i := range heads {
		director := directorNumbers[i%len(directorNumbers)]
		h := add(levelHead, "staff", "Head of Service", deptOf[director], director, yearsBack(1000, 7000))
		headNumbers = append(headNumbers, h.number)
		deptOf[h.number] = deptOf[director]
	}
	for i := range teams {
		head := headNumbers[i%len(headNumbers)]
		t := add(levelTeamLeader, "staff", "Team Leader", deptOf[head], head, yearsBack(400, 7000))
		teamNumbers = append(teamNumbers, t.number)
		deptOf[t.number] = deptOf[head]
	}
	jobs := []string{"Officer", "Senior Officer", "Assistant", "Caseworker", "Adviser", "Coordinator"}
	for range officers {
		team := teamNumbers[rng.IntN(len(teamNumbers))]
		start := yearsBack(60, 7300)
		if rng.IntN(100) < 3 {
			start = yearsBack(0, 20)
		}
		o := add(levelOfficer, "staff", jobs[rng.IntN(len(jobs))], deptOf[team], team, start)
		if rng.IntN(100) < 2 {
			o.end = today.AddDate(0, 0, -(1 + rng.IntN(200)))
			if o.end.Before(o.start) {
				o.end = o.start
			}
		}
	}
	for range members {
		add(levelMember, "member", "Councillor", "Elected Members", "", yearsBack(200, 3000))
	}

	for i := range p.people {
		p.people[i].history = history(rng, today, p.people[i], i%12)
	}

	// The import journey's people: a team of their own under the first
	// team leader, so that changing them never touches the organisation
	// above (a second generation run finds it unchanged).
	for i := range min(50, max(10, n/100)) {
		team := teamNumbers[0]
		p.pool = append(p.pool, planned{
			number: fmt.Sprintf("%sJ%04d", prefix, i+1), given: givenNames[i%len(givenNames)], family: familyNames[(i*7)%len(familyNames)],
			kind: "staff", job: "Casework Officer", dept: deptOf[team], manager: team, start: today.AddDate(-2, 0, -i),
			email: fmt.Sprintf("pool.%04d.%s@loadtest.example.org", i+1, strings.ToLower(prefix)),
		})
	}
	return p
}

// history shapes one person's PREVENT completions; shape is taken in turn
// (see newPlan).
func history(rng *rand.Rand, today time.Time, p planned, shape int) []pastCompletion {
	earliest := p.start.AddDate(0, 0, 7) // nobody completes it before their first week
	latest := today.AddDate(0, 0, -1)
	var last time.Time
	switch {
	case shape == 0: // none
		return nil
	case shape <= 2: // lapsed: expired
		last = today.AddDate(0, -validityMonths-1, -rng.IntN(700))
	case shape == 3: // expiring within a month
		last = today.AddDate(0, -validityMonths, 5+rng.IntN(20))
	default: // compliant
		last = today.AddDate(0, 0, -(1 + rng.IntN(validityMonths*30-60)))
		if last.Before(earliest) && !earliest.After(latest) {
			last = earliest.AddDate(0, 0, rng.IntN(int(latest.Sub(earliest).Hours()/24)+1))
		}
	}
	if last.Before(earliest) || last.After(latest) {
		return nil // started too recently for this shape: a new starter with none yet
	}
	dates := []time.Time{last}
	for range 3 {
		prev := dates[0].AddDate(0, -validityMonths, -60+rng.IntN(80))
		if prev.Before(earliest) {
			break
		}
		dates = append([]time.Time{prev}, dates...)
	}
	out := make([]pastCompletion, len(dates))
	for i, d := range dates {
		out[i] = pastCompletion{on: d, ref: fmt.Sprintf("%s-H%d", p.number, i+1)}
	}
	return out
}

var csvHeader = []string{"employee_number", "email", "given_name", "family_name", "kind", "job_title", "department",
	"manager_employee_number", "start_date", "end_date"}

// peopleCSV is an HR-system export of people, header first.
func peopleCSV(people []planned) []byte {
	var buf bytes.Buffer
	w := csv.NewWriter(&buf)
	_ = w.Write(csvHeader)
	for _, r := range people {
		end := ""
		if !r.end.IsZero() {
			end = day(r.end)
		}
		_ = w.Write([]string{r.number, r.email, r.given, r.family, r.kind, r.job, r.dept, r.manager, day(r.start), end})
	}
	w.Flush()
	return buf.Bytes()
}

func day(t time.Time) string { return t.Format(time.DateOnly) }

// applicable counts the people PREVENT applies to today: staff and Members
// who have not left.
func (p *plan) applicable() int {
	n := 0
	for _, r := range p.people {
		if r.end.IsZero() || !r.end.Before(p.today) {
			n++
		}
	}
	return n
}

// below lists everyone in a manager's reporting line, direct and indirect.
func (p *plan) below(manager string) []string {
	var out []string
	queue := []string{manager}
	for len(queue) > 0 {
		m := queue[0]
		queue = queue[1:]
		out = append(out, p.reports[m]...)
		queue = append(queue, p.reports[m]...)
	}
	return out
}

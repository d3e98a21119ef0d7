package demo

import (
	"fmt"
	"math/rand/v2"
	"slices"
	"strings"
	"time"

	"github.com/complytrack/complytrack/pkg/auth"
	"github.com/complytrack/complytrack/pkg/training"
)

// plan is everything Fill writes, worked out before anything is written.
type plan struct {
	people      []training.Person
	completions []training.Completion // past records, written as imports
	pending     []pendingCert         // self-certifications awaiting verification
	exemptions  []exemptionGrant
	accounts    []accountPlan
	staff       int // current staff (leavers apart)
	members     int
	contractors int
	volunteers  int
	leavers     int
	newStarters int
	sessions    []sessionPlan // face-to-face WRAP sessions (sessions.go)
}

// pendingCert is a recent self-certification of a course that needs
// verification: Fill makes it through the service, as the person.
type pendingCert struct {
	personID, courseCode string
	on                   training.Date
}

// exemptionGrant is an exemption HR grants from every course that applies.
type exemptionGrant struct {
	personID, reason string
	until            training.Date
}

// accountPlan is a demo account: who, the part they play, granted roles.
type accountPlan struct {
	personID string
	part     string
	roles    auth.Roles
}

// Seeds of the two random streams. Names, numbers and job titles come from
// one, dates and statuses from the other, so the people are the same
// whatever the day and the statuses keep the same spread around today.
const (
	seedNames = 2015_07_01
	seedDates = 2026_04_01
)

// generator builds a plan.
type generator struct {
	names   *rand.Rand
	dates   *rand.Rand
	today   training.Date
	now     time.Time
	loc     *time.Location
	newID   func() string
	courses []training.Course // in the order completions are generated
	taken   map[string]bool   // lower-cased e-mails and employee numbers in use
	// reserved holds the demo accounts' e-mails, which nobody else gets.
	reserved map[string]bool
	p        plan
	index    map[string]int // person ID -> position in p.people
	cast     map[string]string
	leaders  map[string]string // "department/team" -> the team leader's ID
	// newStarter marks people who started in the last four weeks;
	// noRecord people who must have none (recent starters past their
	// deadline); forced fixes a person's status for a course.
	newStarter map[string]bool
	noRecord   map[string]bool
	forced     map[string]map[string]training.Status
	// planned is the status each person's records were made for, per
	// course ("" for none made).
	planned map[string]map[string]training.Status
	decks   map[string][]training.Status // see pick
}

// makePlan works out the demo organisation for day today. courses are
// the courses the install holds (by code); taken holds the lower-cased
// e-mails and employee numbers of the people it holds already; newID gives
// out record IDs.
func makePlan(today training.Date, now time.Time, loc *time.Location, courses map[string]training.Course, taken map[string]bool, newID func() string) plan {
	g := &generator{
		names: rand.New(rand.NewPCG(seedNames, 1)),
		dates: rand.New(rand.NewPCG(seedDates, 2)),
		today: today, now: now, loc: loc, newID: newID,
		taken: map[string]bool{}, reserved: map[string]bool{}, index: map[string]int{}, cast: map[string]string{}, leaders: map[string]string{},
		newStarter: map[string]bool{}, noRecord: map[string]bool{},
		forced: map[string]map[string]training.Status{}, planned: map[string]map[string]training.Status{},
		decks: map[string][]training.Status{},
	}
	for k := range taken {
		g.taken[strings.ToLower(k)] = true
	}
	for _, code := range []string{"PREVENT", "CHANNEL", "WRAP"} {
		if c, ok := courses[code]; ok {
			g.courses = append(g.courses, c)
		}
	}
	for _, part := range castOrder {
		c := cast[part]
		g.reserved[strings.ToLower(emailFor("", c.given, c.family))] = true
	}

	officers := g.staff()
	g.starters(officers)
	g.leaversAndOthers()
	g.members()
	for _, part := range castOrder {
		g.p.accounts = append(g.p.accounts, accountPlan{personID: g.cast[part], part: part, roles: castRoles(part)})
	}
	// The demo employee has something to do; the trainer is up to date.
	g.forced[g.cast[castEmployee]] = map[string]training.Status{
		"PREVENT": training.StatusExpiring, "CHANNEL": training.StatusCompliant, "WRAP": training.StatusOverdue,
	}
	g.forced[g.cast[castTrainer]] = map[string]training.Status{
		"PREVENT": training.StatusCompliant, "CHANNEL": training.StatusCompliant, "WRAP": training.StatusCompliant,
	}
	for i := range g.p.people {
		g.records(&g.p.people[i])
	}
	g.pendingWRAP()
	g.exempt()
	g.wrapSessions()
	return g.p
}

func castRoles(part string) auth.Roles {
	switch part {
	case castAuditor:
		return auth.NewRoles(auth.RoleAuditor)
	case castHR:
		return auth.NewRoles(auth.RoleHR)
	case castTrainer:
		return auth.NewRoles(auth.RoleTrainer)
	default: // managers are managers by their reporting line
		return 0
	}
}

// staff adds the chief executive, directors, heads of service, team
// leaders and officers, and returns the officers' IDs (the people who may
// be made new starters).
func (g *generator) staff() []string {
	ceo := g.addCast(castCEO, chiefExecutive, deptCEO, "")
	dirs := make([]string, len(directors))
	for i, title := range directors {
		dirs[i] = g.addStaff(title, deptCEO, ceo, g.tenure(4, 20))
	}
	g.addStaff("Executive Assistant to the Chief Executive", deptCEO, ceo, g.tenure(1, 15))
	var officers []string
	for _, d := range departments {
		boss := ceo
		if d.director >= 0 {
			boss = dirs[d.director]
		}
		head := g.addStaff(d.head, d.name, boss, g.tenure(3, 25))
		for _, t := range d.teams {
			var leader string
			if t.leaderCast != "" {
				leader = g.addCast(t.leaderCast, t.leader, d.name, head)
			} else {
				leader = g.addStaff(t.leader, d.name, head, g.tenure(2, 25))
			}
			g.leaders[d.name+"/"+t.name] = leader
			for i := 1; i < t.size; i++ {
				if i == 1 && t.officerCast != "" {
					g.addCast(t.officerCast, t.titles[0], d.name, leader)
					continue
				}
				officers = append(officers, g.addStaff(g.title(t.titles), d.name, leader, g.officerTenure()))
			}
		}
	}
	return officers
}

// starters makes some officers new starters (started in the last four
// weeks) and two recent starters who missed their deadline.
func (g *generator) starters(officers []string) {
	order := g.names.Perm(len(officers))
	for n, i := range order[:18] {
		id := officers[i]
		p := &g.p.people[g.index[id]]
		if n < 16 {
			p.StartDate = g.today.AddDays(-1 - g.dates.IntN(27))
			g.newStarter[id] = true
			g.p.newStarters++
		} else {
			p.StartDate = g.today.AddDays(-35 - g.dates.IntN(25))
			g.noRecord[id] = true
		}
		p.CreatedAt = g.at(p.StartDate, 8, 30)
		p.UpdatedAt = p.CreatedAt
	}
}

// leaversAndOthers adds leavers (who stay on record), contractors and
// volunteers.
func (g *generator) leaversAndOthers() {
	var teams []string
	for _, d := range departments {
		for _, t := range d.teams {
			teams = append(teams, d.name+"/"+t.name)
		}
	}
	leaders := g.leaders
	titleOf := map[string][]string{}
	for _, d := range departments {
		for _, t := range d.teams {
			titleOf[d.name+"/"+t.name] = t.titles
		}
	}
	for n := 0; n < 8; n++ {
		key := teams[g.names.IntN(len(teams))]
		dept, _, _ := strings.Cut(key, "/")
		start := g.tenure(2, 15)
		end := g.today.AddDays(-14 - g.dates.IntN(520))
		if !end.After(start.AddDays(180)) {
			start = end.AddDays(-400)
		}
		id := g.addPerson(training.KindStaff, g.number("EM"), g.title(titleOf[key]), dept, leaders[key], start, "")
		g.p.people[g.index[id]].EndDate = end
		g.p.leavers++
	}
	for n, c := range contractors {
		g.addPerson(training.KindContractor, fmt.Sprintf("CON%03d", n+1), c.title, c.dept, leaders[c.dept+"/"+c.team], g.tenure(0, 3), "")
		g.p.contractors++
	}
	for n, v := range volunteers {
		g.addPerson(training.KindVolunteer, fmt.Sprintf("VOL%03d", n+1), v.title, v.dept, leaders[v.dept+"/"+v.team], g.tenure(1, 10), "")
		g.p.volunteers++
	}
}

// members adds about 50 elected Members: most elected at the last
// all-out election, some re-elected from earlier ones, two at by-elections.
func (g *generator) members() {
	last := lastElection(g.today)
	for n := 0; n < 50; n++ {
		start := last
		switch {
		case n >= 48: // by-elections
			if days := last.DaysUntil(g.today); days > 120 {
				start = thursdayOnOrBefore(last.AddDays(60 + g.dates.IntN(days-90)))
			}
		case n >= 42:
			start = firstThursdayOfMay(last.Year() - 8)
		case n >= 30:
			start = firstThursdayOfMay(last.Year() - 4)
		}
		title := "Councillor"
		if n < len(memberTitles) {
			title = memberTitles[n]
		}
		g.addPerson(training.KindMember, fmt.Sprintf("CLLR%03d", n+1), title, deptMembers, "", start, "cllr.")
		g.p.members++
	}
}

// lastElection is the day of the latest all-out district election on or
// before today: the first Thursday in May, every four years from 2023.
func lastElection(today training.Date) training.Date {
	for y := today.Year(); ; y-- {
		if (y-2023)%4 == 0 {
			if d := firstThursdayOfMay(y); !d.After(today) {
				return d
			}
		}
	}
}

func firstThursdayOfMay(y int) training.Date {
	d := training.NewDate(y, time.May, 1)
	for time.Date(d.Year(), d.Month(), d.Day(), 0, 0, 0, 0, time.UTC).Weekday() != time.Thursday {
		d = d.AddDays(1)
	}
	return d
}

// thursdayOnOrBefore moves a by-election to a Thursday, polling day.
func thursdayOnOrBefore(d training.Date) training.Date {
	for time.Date(d.Year(), d.Month(), d.Day(), 0, 0, 0, 0, time.UTC).Weekday() != time.Thursday {
		d = d.AddDays(-1)
	}
	return d
}

// addCast adds a demo account's person, with their fixed name.
func (g *generator) addCast(part, title, dept, managerID string) string {
	c := cast[part]
	start := g.today.AddDays(-c.years*365 - g.dates.IntN(200))
	delete(g.reserved, strings.ToLower(emailFor("", c.given, c.family))) // theirs
	id := g.addNamed(training.KindStaff, g.number("EM"), c.given, c.family, title, dept, managerID, start, "")
	g.cast[part] = id
	g.p.staff++
	return id
}

// addStaff adds a member of staff with a made-up name.
func (g *generator) addStaff(title, dept, managerID string, start training.Date) string {
	g.p.staff++
	return g.addPerson(training.KindStaff, g.number("EM"), title, dept, managerID, start, "")
}

func (g *generator) addPerson(kind training.Kind, number, title, dept, managerID string, start training.Date, emailPrefix string) string {
	given := givenNames[g.names.IntN(len(givenNames))]
	family := familyNames[g.names.IntN(len(familyNames))]
	return g.addNamed(kind, number, given, family, title, dept, managerID, start, emailPrefix)
}

func (g *generator) addNamed(kind training.Kind, number, given, family, title, dept, managerID string, start training.Date, emailPrefix string) string {
	used := func(e string) bool { e = strings.ToLower(e); return g.taken[e] || g.reserved[e] }
	email := emailFor(emailPrefix, given, family)
	for n := 2; used(email); n++ {
		email = emailFor(emailPrefix, given, family+fmt.Sprint(n))
	}
	g.taken[strings.ToLower(email)] = true
	g.taken[strings.ToLower(number)] = true
	created := g.at(start, 8, 30)
	p := training.Person{
		ID: g.newID(), EmployeeNumber: number, Email: email, GivenName: given, FamilyName: family,
		Kind: kind, JobTitle: title, Department: dept, ManagerID: managerID, StartDate: start,
		CreatedAt: created, UpdatedAt: created,
	}
	g.index[p.ID] = len(g.p.people)
	g.p.people = append(g.p.people, p)
	return p.ID
}

// emailFor is prefix + given.family at the demo domain, letters, digits
// and hyphens only.
func emailFor(prefix, given, family string) string {
	clean := func(s string) string {
		return strings.Map(func(r rune) rune {
			switch {
			case r >= 'a' && r <= 'z', r >= '0' && r <= '9', r == '-':
				return r
			case r >= 'A' && r <= 'Z':
				return r + 'a' - 'A'
			}
			return -1
		}, s)
	}
	return prefix + clean(given) + "." + clean(family) + "@" + Domain
}

// number gives out an unused employee number: prefix and five digits.
func (g *generator) number(prefix string) string {
	for {
		n := fmt.Sprintf("%s%05d", prefix, 10000+g.names.IntN(90000))
		if !g.taken[strings.ToLower(n)] {
			return n
		}
	}
}

// title picks a job title, the first of the list half the time.
func (g *generator) title(titles []string) string {
	if i := g.names.IntN(2 * len(titles)); i < len(titles) {
		return titles[i]
	}
	return titles[0]
}

// tenure is a start date between lo and hi years ago.
func (g *generator) tenure(lo, hi int) training.Date {
	days := lo*365 + g.dates.IntN((hi-lo)*365+1)
	return g.today.AddDays(-max(days, 60))
}

// officerTenure: a quarter under three years, the rest three to 28.
func (g *generator) officerTenure() training.Date {
	switch r := g.dates.Float64(); {
	case r < 0.25:
		return g.tenure(0, 3)
	case r < 0.65:
		return g.tenure(3, 10)
	default:
		return g.tenure(10, 28)
	}
}

// at is the instant h:m on day d in the organisation's zone, or now if
// that is later than now: nothing is recorded in the future.
func (g *generator) at(d training.Date, h, m int) time.Time {
	t := time.Date(d.Year(), d.Month(), d.Day(), h, m, 0, 0, g.loc)
	if t.After(g.now) {
		return g.now
	}
	return t
}

// The spread of statuses wanted for people past their first deadline, by
// weight: compliant, expiring, expired, overdue (never done). Recent
// starters cannot have let a course lapse yet, so some of the expiring and
// expired go to compliant and overdue: PREVENT comes out at about 63%
// compliant, 10% expiring, 10% expired and 14% overdue of those it applies
// to, the rest new starters (due) and exemptions (TestPlanOnAnyDay).
var spread = map[string][4]int{
	"PREVENT": {62, 13, 13, 11},
	"CHANNEL": {56, 8, 12, 24},
	"WRAP":    {58, 8, 10, 24},
}

// records adds p's past completions of every course that applies to them.
func (g *generator) records(p *training.Person) {
	for _, c := range g.courses {
		if !c.Applies(*p) {
			continue
		}
		if g.planned[p.ID] == nil {
			g.planned[p.ID] = map[string]training.Status{}
		}
		switch {
		case g.noRecord[p.ID]:
			g.planned[p.ID][c.Code] = training.StatusOverdue
		case !p.EndDate.IsZero():
			// A leaver: one record from their time here, mostly.
			if g.dates.IntN(10) < 8 {
				if d, ok := g.between(g.earliest(*p, c), minDate(p.EndDate, g.today)); ok {
					g.complete(p.ID, c, d)
				}
			}
		case g.newStarter[p.ID]:
			// A quarter have done the e-learning already; nobody has
			// been on a workshop yet.
			if c.Delivery != training.DeliveryClassroom && g.dates.IntN(4) == 0 {
				if d, ok := g.between(p.StartDate.AddDays(1), g.today); ok {
					g.complete(p.ID, c, d)
					g.planned[p.ID][c.Code] = training.StatusCompliant
					continue
				}
			}
			g.planned[p.ID][c.Code] = training.StatusDue
		default:
			want, ok := g.forced[p.ID][c.Code]
			if !ok {
				want = g.pick(c.Code)
			}
			g.planned[p.ID][c.Code] = g.history(*p, c, want)
		}
	}
}

// pick deals the status wanted for a course from a shuffled deck made
// by the course's weights, so that every stretch of people gets the
// spread (independent draws would wander from day to day).
func (g *generator) pick(code string) training.Status {
	if len(g.decks[code]) == 0 {
		w, ok := spread[code]
		if !ok {
			w = spread["PREVENT"]
		}
		statuses := [4]training.Status{training.StatusCompliant, training.StatusExpiring, training.StatusExpired, training.StatusOverdue}
		var deck []training.Status
		for i, n := range w {
			for range n {
				deck = append(deck, statuses[i])
			}
		}
		g.dates.Shuffle(len(deck), func(i, j int) { deck[i], deck[j] = deck[j], deck[i] })
		g.decks[code] = deck
	}
	deck := g.decks[code]
	g.decks[code] = deck[1:]
	return deck[0]
}

// earliest is the first day p could have done c: a few days after they
// started, and not before the course was required.
func (g *generator) earliest(p training.Person, c training.Course) training.Date {
	return maxDate(p.StartDate.AddDays(3), c.EffectiveFrom)
}

// history adds the completions that give p status want for c today, when
// their dates allow it: otherwise the nearest status that they allow
// (compliant, or overdue when they cannot have done it). It returns the
// status it made records for.
func (g *generator) history(p training.Person, c training.Course, want training.Status) training.Status {
	if want == training.StatusOverdue {
		return want
	}
	v, ds := c.ValidityMonths, c.DueSoonDays
	earliest, latest := g.earliest(p, c), g.today.AddDays(-7)
	if v == 0 { // never expires: done is compliant
		if d, ok := g.between(earliest, latest); ok {
			g.complete(p.ID, c, d)
			return training.StatusCompliant
		}
		return training.StatusOverdue
	}
	// d is the day whose anniversary (d + validity) is the expiry wanted.
	var lo, hi training.Date
	switch want {
	case training.StatusExpiring:
		lo, hi = g.today.AddMonths(-v), g.today.AddDays(ds-1).AddMonths(-v)
	case training.StatusExpired:
		lo, hi = g.today.AddMonths(-v-30), g.today.AddDays(-1).AddMonths(-v)
	default:
		lo, hi = g.today.AddDays(ds+1).AddMonths(-v), latest
		// Someone who started since: they did it in their first weeks
		// (a few a little late).
		if !earliest.Before(lo) && !earliest.After(latest) {
			lo, hi = earliest, minDate(earliest.AddDays(g.dates.IntN(42)), latest)
		}
	}
	d, ok := g.between(maxDate(lo, earliest), minDate(hi, latest))
	if !ok {
		// Too recent a starter to have let it lapse: either they did it
		// (for "expiring") or they have not yet.
		if want == training.StatusExpiring {
			return g.history(p, c, training.StatusCompliant)
		}
		return training.StatusOverdue
	}
	// Long-serving people renewed before, mostly on time every cycle back
	// to their first: each renewal a few days or weeks before the previous
	// expiry. Under the previous_expiry basis the renewals run from the old
	// expiry, so the chain ends at d + validity just the same.
	cycles := 0
	for cycles < 3 && g.dates.IntN(100) < 85 && !d.AddMonths(-(cycles+1)*v).Before(earliest) {
		cycles++
	}
	window := min(45, c.RenewWindowDays)
	if window < 4 {
		cycles = 0
	}
	if c.ExpiryBasis == training.ExpiryFromPreviousExpiry {
		first := d.AddMonths(-cycles * v)
		g.complete(p.ID, c, first)
		for i := 1; i <= cycles; i++ {
			g.complete(p.ID, c, first.AddMonths(i*v).AddDays(-4-g.dates.IntN(window-3)))
		}
	} else {
		for i := cycles; i >= 1; i-- {
			g.complete(p.ID, c, d.AddMonths(-i*v).AddDays(-4-g.dates.IntN(max(window-3, 1))))
		}
		g.complete(p.ID, c, d)
	}
	return want
}

// between draws a day from lo to hi inclusive; ok is false when hi is
// before lo.
func (g *generator) between(lo, hi training.Date) (training.Date, bool) {
	if hi.Before(lo) {
		return training.Date{}, false
	}
	return lo.AddDays(g.dates.IntN(lo.DaysUntil(hi) + 1)), true
}

// complete adds an imported record of a completion on day d.
func (g *generator) complete(personID string, c training.Course, d training.Date) {
	ref := ""
	switch {
	case c.Code == "WRAP" || c.Delivery == training.DeliveryClassroom:
		ref = "attendance register, session of " + d.String()
	case c.Evidence == training.EvidenceCertificate:
		ref = fmt.Sprintf("%s-%d%02d%02d-%05d", c.Code, d.Year(), d.Month(), d.Day(), g.dates.IntN(100000))
	}
	g.p.completions = append(g.p.completions, training.Completion{
		ID: g.newID(), PersonID: personID, CourseCode: c.Code, CompletedOn: d,
		Source: training.SourceImport, CertificateRef: ref,
		RecordedBy: training.SystemActor, RecordedAt: g.at(d, 16, 30),
	})
}

// pendingWRAP plans a few recent WRAP self-certifications awaiting the
// line manager's verification: three in the demo team leader's team, two
// elsewhere.
func (g *generator) pendingWRAP() {
	i := slices.IndexFunc(g.courses, func(c training.Course) bool { return c.Code == "WRAP" })
	if i < 0 || g.courses[i].Verification == training.VerificationNone {
		return
	}
	leader := g.cast[castTeamLeader]
	var mine, others []string
	for _, p := range g.p.people {
		if g.planned[p.ID]["WRAP"] != training.StatusOverdue || g.noRecord[p.ID] || isCast(g.cast, p.ID) || !p.EndDate.IsZero() {
			continue
		}
		if p.ManagerID == leader {
			mine = append(mine, p.ID)
		} else {
			others = append(others, p.ID)
		}
	}
	pickSome := func(ids []string, n int) {
		for _, k := range g.dates.Perm(len(ids))[:min(n, len(ids))] {
			id := ids[k]
			p := g.p.people[g.index[id]]
			on := maxDate(g.today.AddDays(-1-g.dates.IntN(12)), p.StartDate)
			g.p.pending = append(g.p.pending, pendingCert{personID: id, courseCode: "WRAP", on: on})
		}
	}
	pickSome(mine, 3)
	pickSome(others, 2)
}

// exempt plans two exemptions: maternity leave for someone whose Prevent
// training has lapsed, long-term sickness for someone who never did it.
func (g *generator) exempt() {
	var expired, overdue []string
	for _, p := range g.p.people {
		if p.Kind != training.KindStaff || !p.EndDate.IsZero() || isCast(g.cast, p.ID) || g.noRecord[p.ID] {
			continue
		}
		if slices.ContainsFunc(g.p.pending, func(x pendingCert) bool { return x.personID == p.ID }) {
			continue
		}
		switch g.planned[p.ID]["PREVENT"] {
		case training.StatusExpired:
			if slices.Contains(givenNames[:50], p.GivenName) { // maternity leave
				expired = append(expired, p.ID)
			}
		case training.StatusOverdue:
			overdue = append(overdue, p.ID)
		}
	}
	if len(expired) > 0 {
		until := g.today.AddMonths(5).AddDays(g.dates.IntN(60))
		g.p.exemptions = append(g.p.exemptions, exemptionGrant{personID: expired[g.dates.IntN(len(expired))],
			reason: "Maternity leave: training to be completed on return (keeping-in-touch days do not include it)", until: until})
	}
	if len(overdue) > 0 {
		until := g.today.AddMonths(2).AddDays(g.dates.IntN(30))
		g.p.exemptions = append(g.p.exemptions, exemptionGrant{personID: overdue[g.dates.IntN(len(overdue))],
			reason: "Long-term sickness absence: review at the return-to-work meeting", until: until})
	}
}

func isCast(cast map[string]string, id string) bool {
	for _, x := range cast {
		if x == id {
			return true
		}
	}
	return false
}

func minDate(a, b training.Date) training.Date {
	if a.Before(b) {
		return a
	}
	return b
}

func maxDate(a, b training.Date) training.Date {
	if a.After(b) {
		return a
	}
	return b
}

package jobs

import (
	"context"
	"fmt"
	"sort"
	"strings"

	"github.com/complytrack/complytrack/pkg/notify"
	"github.com/complytrack/complytrack/pkg/training"
)

// managerDigest sends each line manager one e-mail listing everyone in
// their reporting line (direct and indirect) who is overdue, expired,
// expiring or due: one e-mail per manager per week, not one per person.
// Elected Members have no line manager: each Member Services officer gets
// the digest for every Member, in the same e-mail as their own reporting
// line if they have one. Leavers are neither listed nor sent anything.
func (d Deps) managerDigest(ctx context.Context, run Run) (Summary, error) {
	var sum Summary
	res, err := d.Training.Scan(ctx)
	if err != nil {
		return sum, err
	}
	led, err := loadLedger(ctx, d.Training.NoticeStore(), d.Training.Now)
	if err != nil {
		return sum, err
	}
	year, week := run.At.ISOWeek()
	type entry struct {
		manager training.Person
		overdue []training.Due
		soon    []training.Due
		// line and members say whom it covers: the reporting line, and
		// the Members as a Member Services officer.
		line, members bool
		listed        map[string]bool
	}
	byManager := map[string]*entry{}
	// Everyone above each line manager, worked out once per manager: each
	// LineManagers call first catches up with the change log (a database read),
	// and there are thousands of entries but a few hundred managers.
	chains := map[string][]training.Person{}
	lineOf := func(due training.Due) ([]training.Person, error) {
		if due.Manager.ID == "" {
			return nil, nil
		}
		if c, ok := chains[due.Manager.ID]; ok {
			return c, nil
		}
		above, err := d.Training.LineManagers(ctx, due.Manager.ID)
		if err != nil {
			return nil, err
		}
		c := append([]training.Person{due.Manager}, above...)
		chains[due.Manager.ID] = c
		return c, nil
	}
	var officers []training.Person
	if d.Officers != nil {
		if officers, err = d.Officers.MemberServicesOfficers(ctx); err != nil {
			return sum, err
		}
	}
	add := func(due training.Due, overdue bool) error {
		managers, err := lineOf(due)
		if err != nil {
			return err
		}
		inLine := len(managers)
		if due.Person.Kind == training.KindMember {
			managers = append(managers[:inLine:inLine], officers...)
		}
		for i, m := range managers {
			if m.IsLeaver(res.Today) || m.ID == due.Person.ID {
				continue
			}
			e := byManager[m.ID]
			if e == nil {
				e = &entry{manager: m, listed: map[string]bool{}}
				byManager[m.ID] = e
			}
			// An officer who is also above a Member in a reporting line
			// would otherwise list them twice.
			item := due.Person.ID + "\x00" + due.Course.Code
			if e.listed[item] {
				continue
			}
			e.listed[item] = true
			if i < inLine {
				e.line = true
			} else {
				e.members = true
			}
			if overdue {
				e.overdue = append(e.overdue, due)
			} else {
				e.soon = append(e.soon, due)
			}
		}
		return nil
	}
	for _, due := range res.Overdue {
		if err := add(due, true); err != nil {
			return sum, err
		}
	}
	for _, due := range res.DueSoon {
		if err := add(due, false); err != nil {
			return sum, err
		}
	}
	ids := make([]string, 0, len(byManager))
	for id := range byManager {
		ids = append(ids, id)
	}
	sort.Strings(ids)
	for _, id := range ids {
		e := byManager[id]
		key := fmt.Sprintf("digest:%s:%04d-W%02d", id, year, week)
		if led.noticed(key) {
			continue
		}
		queued, err := fencedQueue(ctx, run, d.Mail, notify.Message{
			Key:      key,
			To:       e.manager.Email,
			Kind:     notify.KindManagerDigest,
			Subject:  fmt.Sprintf("Your team's statutory training: %d overdue, %d due soon", len(e.overdue), len(e.soon)),
			BodyText: d.digestBody(e.manager, e.line, e.members, e.overdue, e.soon),
		})
		if err != nil {
			return sum, err
		}
		if queued {
			sum.Add("digests_queued", 1)
		}
		if err := run.Lease.Fenced(ctx, func(ctx context.Context) error { return led.record(ctx, training.Notice{Key: key}) }); err != nil {
			return sum, err
		}
	}
	sum.Add("managers", len(ids))
	sum.Message = fmt.Sprintf("%d managers with people to chase", len(ids))
	return sum, nil
}

func (d Deps) digestBody(m training.Person, line, members bool, overdue, soon []training.Due) string {
	var b strings.Builder
	whose := "in your reporting line"
	switch {
	case members && line:
		whose = "in your reporting line and of the elected Members you look after for Member Services"
	case members:
		whose = "of the elected Members you look after for Member Services"
	}
	fmt.Fprintf(&b, "Dear %s,\n\nThis is the weekly summary of statutory training %s.\n", m.FullName(), whose)
	section := func(title string, list []training.Due) {
		if len(list) == 0 {
			return
		}
		fmt.Fprintf(&b, "\n%s (%d):\n", title, len(list))
		for _, due := range list {
			date := due.Assessment.DueOn
			fmt.Fprintf(&b, "- %s (%s), %s: %s, %s\n", due.Person.FullName(), due.Person.EmployeeNumber,
				due.Course.Title, due.Assessment.Status, longDate(date))
		}
	}
	section("Overdue or expired", overdue)
	section("Due soon or new starters", soon)
	fmt.Fprintf(&b, "\nSee your team in complytrack: %s\n", d.PublicURL)
	return b.String()
}

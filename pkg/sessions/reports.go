package sessions

import (
	"cmp"
	"context"
	"fmt"
	"slices"
	"strings"
	"time"

	"github.com/complytrack/complytrack/pkg/training"
)

// PartnerReport counts the sessions dated from..to that went ahead, their
// places, and each partner organisation's attendance: HR and auditors.
// Organisations are told apart by name, ignoring case and spaces around.
func (s *Service) PartnerReport(ctx context.Context, actor training.Actor, from, to training.Date) (PartnerReport, error) {
	if !actor.ReadsAll() {
		return PartnerReport{}, fmt.Errorf("partner report: %w", training.ErrForbidden)
	}
	v := &training.ValidationError{}
	if from.IsZero() {
		v.Add("from", "Enter the start date.")
	}
	if to.IsZero() {
		v.Add("to", "Enter the end date.")
	} else if !from.IsZero() && to.Before(from) {
		v.Add("to", "The end date must be the same as or after the start date, %s.", from)
	}
	if err := v.Err(); err != nil {
		return PartnerReport{}, err
	}
	all, err := s.store.Sessions(ctx, from, to)
	if err != nil {
		return PartnerReport{}, err
	}
	r := PartnerReport{From: from, To: to, Organisations: []PartnerOrganisation{}}
	var ids []string
	capacity := map[string]int{}
	for _, x := range all {
		if x.State != training.SessionScheduled {
			continue
		}
		r.Sessions++
		r.PlacesOffered += x.Capacity
		ids = append(ids, x.ID)
		capacity[x.ID] = x.Capacity
	}
	// A period's sessions are often most of the history: one read of
	// every booking costs less than looking up each session's.
	bookings, err := s.store.ScanBookingsOfSessions(ctx, ids)
	if err != nil {
		return PartnerReport{}, err
	}
	bySession := map[string][]training.Booking{}
	orgs := map[string]*PartnerOrganisation{}
	for _, b := range bookings {
		bySession[b.SessionID] = append(bySession[b.SessionID], b)
		if b.External == nil || b.State != training.BookingAttended && b.State != training.BookingNoShow {
			continue
		}
		name := training.TrimText(b.External.Organisation)
		key := strings.ToLower(name)
		o, ok := orgs[key]
		if !ok {
			o = &PartnerOrganisation{Name: name}
			orgs[key] = o
		}
		if b.State == training.BookingAttended {
			o.Attended++
		} else {
			o.NoShow++
		}
	}
	for id, bs := range bySession {
		_, booked, _ := training.Places(capacity[id], bs)
		r.PlacesFilled += booked
	}
	for _, o := range orgs {
		r.Organisations = append(r.Organisations, *o)
	}
	slices.SortFunc(r.Organisations, func(a, b PartnerOrganisation) int {
		return cmp.Compare(strings.ToLower(a.Name), strings.ToLower(b.Name))
	})
	return r, nil
}

// SendReminders e-mails everyone with a place on a session on the next
// working day (Monday to Friday; on a Friday, the sessions of the weekend
// and Monday), and nothing at weekends. It returns how many reminders it
// queued; a second run on the same day queues none.
func (s *Service) SendReminders(ctx context.Context, today training.Date) (int, error) {
	from, to, ok := reminderDays(today)
	if !ok {
		return 0, nil
	}
	all, err := s.store.Sessions(ctx, from, to)
	if err != nil {
		return 0, err
	}
	var due []training.Session
	var ids []string
	for _, x := range all {
		if x.State == training.SessionScheduled {
			due = append(due, x)
			ids = append(ids, x.ID)
		}
	}
	bookings, err := s.store.BookingsOfSessions(ctx, ids)
	if err != nil {
		return 0, err
	}
	bySession := map[string][]training.Booking{}
	for _, b := range bookings {
		bySession[b.SessionID] = append(bySession[b.SessionID], b)
	}
	n := 0
	for _, x := range due {
		placed, _, _ := training.Places(x.Capacity, bySession[x.ID])
		for _, b := range placed {
			if b.State != training.BookingBooked || !b.Live() {
				continue
			}
			m := s.reminderMessage(ctx, x, b)
			if m.To == "" {
				continue
			}
			queued, err := s.outbox.Queue(ctx, m)
			if err != nil {
				return n, fmt.Errorf("reminder for booking %s: %w", b.ID, err)
			}
			if queued {
				n++
			}
		}
	}
	return n, nil
}

// reminderDays are the session days today's reminders cover: from
// tomorrow to the next working day. Weekends send none.
func reminderDays(today training.Date) (from, to training.Date, ok bool) {
	switch weekday(today) {
	case time.Saturday, time.Sunday:
		return training.Date{}, training.Date{}, false
	case time.Friday:
		return today.AddDays(1), today.AddDays(3), true
	default:
		return today.AddDays(1), today.AddDays(1), true
	}
}

func weekday(d training.Date) time.Weekday {
	return time.Date(d.Year(), d.Month(), d.Day(), 12, 0, 0, 0, time.UTC).Weekday()
}

package compliance_test

import (
	"context"
	"errors"
	"testing"

	"github.com/complytrack/complytrack/pkg/training"
)

// RecordAttendance: the register's completion, accepted at once with
// source trainer, dated as given, made once per key even from two
// processes; never for oneself, never by someone who keeps no registers.
func TestRecordAttendance(t *testing.T) {
	ctx := context.Background()
	a, b := replicas(t)
	if _, err := a.CreateCourse(ctx, hr, training.Course{
		Code: "WRAP", Title: "WRAP", Delivery: training.DeliveryClassroom,
		AppliesTo: training.AppliesTo{Kinds: []training.Kind{training.KindStaff}}, ValidityMonths: 36,
		NewStarterDays: 28, DueSoonDays: 30, RenewWindowDays: 60, ExpiryBasis: training.ExpiryFromCompletion,
		EffectiveFrom: training.MustDate("2020-01-01"), Evidence: training.EvidenceCertificate, Verification: training.VerificationHR,
	}); err != nil {
		t.Fatal(err)
	}
	trainerP, _ := a.CreatePerson(ctx, hr, input("T1"))
	emp, _ := a.CreatePerson(ctx, hr, input("E1"))
	trainer := training.Actor{PersonID: trainerP.ID, Trainer: true}
	day := training.MustDate("2026-05-20")

	c, err := a.RecordAttendance(ctx, trainer, emp.ID, "WRAP", day, "booking-1")
	if err != nil {
		t.Fatal(err)
	}
	if c.State() != training.StateAccepted || c.Source != training.SourceTrainer || c.CompletedOn != day || c.RecordedBy != trainerP.ID {
		t.Errorf("completion %+v: want accepted, source trainer, dated %s, by the trainer", c, day)
	}
	again, err := b.RecordAttendance(ctx, training.Actor{PersonID: "hr", HR: true}, emp.ID, "WRAP", day, "booking-1")
	if err != nil || again.ID != c.ID {
		t.Errorf("same key again: %s, %v; want %s", again.ID, err, c.ID)
	}
	if cs, _ := a.CompletionsOf(ctx, hr, emp.ID); len(cs) != 1 {
		t.Errorf("%d completions, want 1", len(cs))
	}

	tests := []struct {
		name   string
		actor  training.Actor
		person string
		on     training.Date
		want   error
	}{
		{"an employee", training.Actor{PersonID: emp.ID}, trainerP.ID, day, training.ErrForbidden},
		{"an auditor", training.Actor{PersonID: emp.ID, Auditor: true}, trainerP.ID, day, training.ErrForbidden},
		{"the trainer for themself", trainer, trainerP.ID, day, training.ErrForbidden},
		{"nobody on record", trainer, "nobody", day, training.ErrNotFound},
		{"a day still to come", trainer, emp.ID, training.MustDate("2026-06-02"), training.ErrInvalid},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			_, err := a.RecordAttendance(ctx, tt.actor, tt.person, "WRAP", tt.on, "booking-"+tt.name)
			if !errors.Is(err, tt.want) {
				t.Errorf("error %v, want %v", err, tt.want)
			}
		})
	}
}

package training_test

import (
	"strings"
	"testing"
	"time"

	"github.com/complytrack/complytrack/pkg/training"
)

// Edited takes every field from the input, trimmed, and keeps what is the
// store's: the ID, the manager link (resolved by the caller) and the
// record times. An input that says what is stored gives the person back.
func TestPersonEdited(t *testing.T) {
	stored := validPerson()
	stored.ID, stored.ManagerID = "p1", "m1"
	stored.CreatedAt, stored.UpdatedAt = time.Date(2025, 1, 2, 3, 4, 5, 0, time.UTC), time.Date(2025, 6, 7, 8, 9, 10, 0, time.UTC)
	unchanged := training.PersonInput{Person: stored, ManagerEmployeeNumber: "E0"}

	tests := []struct {
		name string
		edit func(*training.PersonInput)
		want func(*training.Person)
	}{
		{"nothing", func(*training.PersonInput) {}, func(*training.Person) {}},
		{"only blanks", func(in *training.PersonInput) { in.GivenName, in.Email = " "+in.GivenName+"\t", in.Email+" " }, func(*training.Person) {}},
		{"the input's own ID, link and times are ignored", func(in *training.PersonInput) {
			in.ID, in.ManagerID, in.CreatedAt, in.UpdatedAt = "other", "m2", time.Time{}, time.Now()
		}, func(*training.Person) {}},
		{"the manager's employee number is the caller's to resolve", func(in *training.PersonInput) { in.ManagerEmployeeNumber = "" }, func(*training.Person) {}},
		{"every field", func(in *training.PersonInput) {
			in.EmployeeNumber, in.Email, in.GivenName, in.FamilyName = " E9 ", "new@example.org", "New", "Name"
			in.Kind, in.JobTitle, in.Department = training.KindVolunteer, "", "Parks"
			in.StartDate, in.EndDate = training.MustDate("2024-01-01"), training.MustDate("2026-01-01")
		}, func(p *training.Person) {
			p.EmployeeNumber, p.Email, p.GivenName, p.FamilyName = "E9", "new@example.org", "New", "Name"
			p.Kind, p.JobTitle, p.Department = training.KindVolunteer, "", "Parks"
			p.StartDate, p.EndDate = training.MustDate("2024-01-01"), training.MustDate("2026-01-01")
		}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			in, want := unchanged, stored
			tt.edit(&in)
			tt.want(&want)
			if got := stored.Edited(in); got != want {
				t.Errorf("got  %+v\nwant %+v", got, want)
			}
		})
	}
}

// The domain does not quote a course's kinds back: the front doors read
// them with ParseKind and name a bad one themselves, so one that reaches
// Validate came from code, not from a person.
func TestCourseKindsProblemQuotesNothing(t *testing.T) {
	c := validCourse()
	c.AppliesTo.Kinds = []training.Kind{training.KindStaff, "robot"}
	fields := mustProblems(t, c.Validate())
	if len(fields) != 1 || fields[0].Field != "applies_to.kinds" || strings.Contains(fields[0].Message, "robot") {
		t.Errorf("problems %+v, want one about applies_to.kinds that does not quote the value", fields)
	}
}

package application_test

import (
	"errors"
	"fmt"
	"slices"
	"strings"
	"testing"

	"github.com/complytrack/complytrack/pkg/application"
	"github.com/complytrack/complytrack/pkg/importmap"
	"github.com/complytrack/complytrack/pkg/peoplecsv"
	"github.com/complytrack/complytrack/pkg/training"
)

// An export in an HR system's own headers and UK dates imports through a
// stored mapping: the preview names who is added, says field by field what
// changes, and lists the people on record a whole-organisation export
// leaves out.
func TestImportPeopleThroughMapping(t *testing.T) {
	e := newEnv(t)
	ctx := t.Context()
	mappings := importmap.New(e.app.Store)
	uc := e.uc.WithMappings(mappings)

	// On record: nine members of staff and a councillor.
	own := importHeader
	for i := 1; i <= 9; i++ {
		own += fmt.Sprintf("W%d,w%d@example.gov.uk,Wendy%d,Worker,staff,Officer,Housing,,2024-01-08,\n", i, i, i)
	}
	own += "C1,c1@example.gov.uk,Colin,Councillor,member,,Elected Members,,2023-05-05,\n"
	if _, err := uc.ImportPeople(ctx, e.hr, strings.NewReader(own), application.ImportOptions{}); err != nil {
		t.Fatal(err)
	}

	m, err := mappings.Create(ctx, e.hr, importmap.Input{Name: "iTrent", DateFormat: peoplecsv.DateUK, Columns: map[string]string{
		"Employee Number": "employee_number", "Forename": "given_name", "Surname": "family_name", "Work Email": "email",
		"Person Type": "kind", "Job Title": "job_title", "Cost Centre": "department", "Reports To": "manager_employee_number",
		"Hire Date": "start_date", "Leaving Date": "end_date"}})
	if err != nil {
		t.Fatal(err)
	}
	// W1 is promoted, W2 now reports to W1, W8's line is refused (a date
	// that does not exist), W9 and the HR administrator are not in the
	// file, and N1 is new.
	file := "Employee Number,Title,Forename,Surname,Work Email,Person Type,Job Title,Cost Centre,Reports To,Hire Date,Leaving Date\n" +
		"W1,Ms,Wendy1,Worker,w1@example.gov.uk,Employee,Team Leader,Housing,,08/01/2024,\n" +
		"W2,Ms,Wendy2,Worker,w2@example.gov.uk,Employee,Officer,Housing,W1,08/01/2024,\n"
	for i := 3; i <= 7; i++ {
		file += fmt.Sprintf("W%d,Ms,Wendy%d,Worker,w%d@example.gov.uk,Employee,Officer,Housing,,8/1/2024,\n", i, i, i)
	}
	file += "W8,Ms,Wendy8,Worker,w8@example.gov.uk,Employee,Officer,Housing,,31/02/2024,\n" +
		"N1,Mr,Nathan,Newman,nathan.newman@example.gov.uk,Employee,Officer,Housing,W1,23/11/2026,\n"

	preview, err := uc.ImportPeople(ctx, e.hr, strings.NewReader(file), application.ImportOptions{DryRun: true, MappingID: m.ID})
	if err != nil {
		t.Fatal(err)
	}
	if preview.Created != 1 || preview.Updated != 2 || preview.Unchanged != 5 || len(preview.Errors) != 1 || preview.Errors[0].Line != 9 {
		t.Errorf("preview %+v, want 1 added, 2 updated, 5 unchanged and line 9 refused", preview)
	}
	if preview.Mapping == nil || preview.Mapping.ID != m.ID {
		t.Errorf("mapping %v, want %s", preview.Mapping, m.ID)
	}
	if len(preview.Added) != 1 || preview.Added[0].GivenName != "Nathan" || preview.Added[0].FamilyName != "Newman" || preview.Added[0].Line != 10 {
		t.Errorf("added %+v, want Nathan Newman on line 10", preview.Added)
	}
	changes := map[string]string{}
	for _, c := range preview.Changed {
		changes[c.EmployeeNumber] = fmt.Sprint(c.Name, " ", c.Fields)
	}
	want := map[string]string{
		"W1": "Wendy1 Worker [{job_title Officer Team Leader}]",
		"W2": "Wendy2 Worker [{manager_employee_number  W1}]",
	}
	if fmt.Sprint(changes) != fmt.Sprint(want) {
		t.Errorf("changes %v, want %v", changes, want)
	}
	var leavers []string
	for _, p := range preview.PossibleLeavers {
		leavers = append(leavers, p.EmployeeNumber)
	}
	// The HR administrator made by the first start is staff too.
	hr, err := e.app.Training.Person(ctx, e.hr, e.hr.PersonID)
	if err != nil {
		t.Fatal(err)
	}
	slices.Sort(leavers)
	if !preview.WholeOrganisation || fmt.Sprint(leavers) != fmt.Sprint([]string{hr.EmployeeNumber, "W9"}) {
		t.Errorf("whole organisation %v, possible leavers %v: want W9 and %s, not the councillor nor W8 (refused but named)",
			preview.WholeOrganisation, leavers, hr.EmployeeNumber)
	}

	done, err := uc.ImportPeople(ctx, e.hr, strings.NewReader(file), application.ImportOptions{MappingID: m.ID})
	if err != nil || done.Created != 1 || done.Updated != 2 {
		t.Fatalf("import %+v, %v", done, err)
	}
	n1, err := e.app.Training.PersonByEmail(ctx, "nathan.newman@example.gov.uk")
	if err != nil || n1.StartDate != training.MustDate("2026-11-23") {
		t.Errorf("Nathan Newman stored as %+v, %v: want a start date of 23 November 2026", n1, err)
	}

	t.Run("a file of new starters is no whole organisation", func(t *testing.T) {
		part := "Employee Number,Forename,Surname,Work Email,Person Type,Hire Date\nN2,Nina,Novak,nina@example.gov.uk,Employee,24/11/2026\n"
		res, err := uc.ImportPeople(ctx, e.hr, strings.NewReader(part), application.ImportOptions{DryRun: true, MappingID: m.ID})
		if err != nil || res.WholeOrganisation || len(res.PossibleLeavers) != 0 || res.Created != 1 {
			t.Errorf("result %+v, %v: want one added and no possible leavers", res, err)
		}
	})
	t.Run("an unknown mapping", func(t *testing.T) {
		_, err := uc.ImportPeople(ctx, e.hr, strings.NewReader(file), application.ImportOptions{DryRun: true, MappingID: "no-such-mapping"})
		var ve *training.ValidationError
		if !errors.As(err, &ve) || ve.Fields[0].Field != "mapping" || ve.Fields[0].Message != "There is no import mapping with the ID no-such-mapping." {
			t.Errorf("error %v, want a problem on mapping", err)
		}
	})
	t.Run("not HR", func(t *testing.T) {
		emp, _ := e.employee("Nora")
		_, err := uc.ImportPeople(ctx, training.Actor{PersonID: emp.ID}, strings.NewReader(file), application.ImportOptions{MappingID: m.ID})
		if !errors.Is(err, training.ErrForbidden) {
			t.Errorf("error %v, want forbidden", err)
		}
	})
}

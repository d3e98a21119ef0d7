package application_test

import (
	"errors"
	"fmt"
	"io"
	"net/http"
	"strings"
	"testing"

	"github.com/complytrack/complytrack/pkg/application"
	"github.com/complytrack/complytrack/pkg/training"
)

const importHeader = "employee_number,email,given_name,family_name,kind,job_title,department,manager_employee_number,start_date,end_date\n"

// Previewing writes nothing and says what applying will do; applying does
// it; applying the same file again changes nothing. Line problems are in
// the result, by line, whichever way it was asked.
func TestImportPeople(t *testing.T) {
	e := newEnv(t)
	ctx := t.Context()
	file := importHeader +
		"M1,mona.manager@example.gov.uk,Mona,Manager,staff,Head of Housing,Housing,,2024-01-08,\n" +
		"S1,sam.staff@example.gov.uk,Sam,Staff,staff,Officer,Housing,M1,2024-02-05,\n" +
		"S2,not-an-email,Sid,Broken,staff,Officer,Housing,M1,2024-02-05,\n" +
		"S3,sue.later@example.gov.uk,Sue,Later,staff,Officer,Housing,NOBODY,2024-02-05,\n"
	people := func() int {
		t.Helper()
		ps, err := e.app.Training.PeopleForImport(ctx, e.hr)
		if err != nil {
			t.Fatal(err)
		}
		return len(ps)
	}
	before := people()
	for _, step := range []struct {
		name                        string
		dryRun                      bool
		created, updated, unchanged int
		people                      int // stored afterwards, beyond those before
	}{
		{"preview", true, 2, 0, 0, 0},
		{"apply", false, 2, 0, 0, 2},
		{"preview again", true, 0, 0, 2, 2},
		{"apply again", false, 0, 0, 2, 2},
	} {
		t.Run(step.name, func(t *testing.T) {
			res, err := e.uc.ImportPeople(ctx, e.hr, strings.NewReader(file), application.ImportOptions{DryRun: step.dryRun})
			if err != nil {
				t.Fatal(err)
			}
			if res.DryRun != step.dryRun || res.Created != step.created || res.Updated != step.updated || res.Unchanged != step.unchanged {
				t.Errorf("result %+v, want created %d, updated %d, unchanged %d", res, step.created, step.updated, step.unchanged)
			}
			var lines []int
			for _, le := range res.Errors {
				lines = append(lines, le.Line)
			}
			if fmt.Sprint(lines) != "[4 5]" || res.Errors[0].Field != "email" || res.Errors[1].Field != "manager_employee_number" {
				t.Errorf("errors %+v, want the e-mail on line 4 and the manager on line 5", res.Errors)
			}
			if res.Warnings == nil {
				t.Error("warnings are nil, want an empty list")
			}
			if got := people() - before; got != step.people {
				t.Errorf("%d people added, want %d", got, step.people)
			}
		})
	}

	t.Run("refused", func(t *testing.T) {
		emp, _ := e.employee("Nora")
		var mbe *http.MaxBytesError
		var ve *training.ValidationError
		for _, tc := range []struct {
			name  string
			actor training.Actor
			file  io.Reader
			is    func(error) bool
		}{
			{"not HR", training.Actor{PersonID: emp.ID}, strings.NewReader(file), func(err error) bool { return errors.Is(err, training.ErrForbidden) }},
			// Rows of over 720 bytes: the size limit comes before the row limit.
			{"over the size limit", e.hr, io.MultiReader(strings.NewReader(importHeader),
				strings.NewReader(strings.Repeat("X,x@example.gov.uk,X,X,staff,"+strings.Repeat("j", 680)+",,,2024-01-01,\n", application.MaxImportBytes/720+1))),
				func(err error) bool { return errors.As(err, &mbe) }},
			{"no header", e.hr, strings.NewReader(""), func(err error) bool { return errors.As(err, &ve) && ve.Fields[0].Field == "file" }},
			{"more rows than the limit", e.hr, io.MultiReader(strings.NewReader(importHeader),
				strings.NewReader(strings.Repeat("X,x@example.gov.uk,X,X,staff,,,,2024-01-01,\n", application.MaxImportRows+1))),
				func(err error) bool { return errors.As(err, &ve) && ve.Fields[0].Field == "file" }},
		} {
			t.Run(tc.name, func(t *testing.T) {
				n := people()
				if _, err := e.uc.ImportPeople(ctx, tc.actor, tc.file, application.ImportOptions{}); !tc.is(err) {
					t.Errorf("error %v, not the refusal expected", err)
				}
				if people() != n {
					t.Error("a refused import stored people")
				}
			})
		}
	})
}

package peoplecsv_test

import (
	"bytes"
	"cmp"
	"errors"
	"fmt"
	"reflect"
	"slices"
	"strings"
	"testing"
	"testing/iotest"
	"unicode/utf8"

	"github.com/complytrack/complytrack/pkg/peoplecsv"
	"github.com/complytrack/complytrack/pkg/training"
)

func FuzzRead(f *testing.F) {
	for _, s := range []string{
		"",
		header,
		header + csvLine("E1", "") + csvLine("E2", "E1"),
		"\ufeff" + strings.ToUpper(header) + csvLine("E1", ""),
		"employee_number,email,given_name,family_name,kind,start_date\r\nE1,a@b.org,A,B,Staff,2020-01-01\r\n",
		header + "E1,e1@example.org,\"Ada\n\"\"Countess\"\"\",Lovelace,staff,,,,2020-01-06,\n" + csvLine("E2", ""),
		header + "E1,e1@example.org,Ada \"x\",Lovelace,member,,,,2020-02-30,2020-01-01\n,,,\n\n" + csvLine("E2", ""),
		header + "E1,\"unclosed\n" + csvLine("E2", ""),
		header + "E1,e1@example.org,\xff,Lovelace,staff,,,,2020-01-06,\n",
		header + "E1,e1@example.org,\"Ada\u2028\",\u200b,staff,\"A\r\nB\",\ufffd,,2020-01-06,\n",
		header + "E1,e1@example.org,\u00a0Ada\t,Lovelace,staff,,,,2020-01-06,\n",
		"employee_number,salary\n1,2\n",
	} {
		f.Add([]byte(s))
	}
	f.Fuzz(func(t *testing.T, data []byte) {
		const maxRows = 50
		lines := bytes.Count(data, []byte("\n")) + 1
		read := func(r func() *bytes.Reader, oneByte bool) ([]peoplecsv.Row, []peoplecsv.LineError, error) {
			var rows []peoplecsv.Row
			var src interface{ Read([]byte) (int, error) } = r()
			if oneByte {
				src = iotest.OneByteReader(src)
			}
			errs, err := peoplecsv.Read(src, maxRows, func(row peoplecsv.Row) error {
				rows = append(rows, row)
				return nil
			})
			return rows, errs, err
		}
		rows, errs, err := read(func() *bytes.Reader { return bytes.NewReader(data) }, false)
		if err != nil && !errors.Is(err, training.ErrInvalid) {
			t.Fatalf("error %v does not wrap ErrInvalid", err)
		}
		if len(rows) > maxRows {
			t.Errorf("%d rows passed the limit of %d", len(rows), maxRows)
		}
		parsed := make(map[int]bool)
		prev := 1 // the header's line at least
		for _, r := range rows {
			if r.Line <= prev || r.Line > lines {
				t.Errorf("row on line %d after line %d, in a file of %d lines", r.Line, prev, lines)
			}
			prev = r.Line
			parsed[r.Line] = true
			in := r.Input
			for _, s := range []string{in.EmployeeNumber, in.Email, in.GivenName, in.FamilyName, in.JobTitle, in.Department, in.ManagerEmployeeNumber} {
				if !utf8.ValidString(s) || utf8.RuneCountInString(s) > peoplecsv.MaxFieldChars || s != training.TrimText(s) {
					t.Errorf("line %d: cell %q passed", r.Line, s)
				}
			}
			if !in.Kind.Valid() {
				t.Errorf("line %d: kind %q passed", r.Line, in.Kind)
			}
		}
		prev = 2
		for _, e := range errs {
			if e.Line < prev || e.Line > lines {
				t.Errorf("error on line %d after line %d, in a file of %d lines: %+v", e.Line, prev, lines, e)
			}
			prev = e.Line
			if parsed[e.Line] {
				t.Errorf("line %d both parsed and refused: %+v", e.Line, e)
			}
			if !isSentence(e.Message) {
				t.Errorf("error whose message is not a sentence: %+v", e)
			}
		}
		var ve *training.ValidationError
		if errors.As(err, &ve) {
			for _, f := range ve.Fields {
				if !isSentence(f.Message) {
					t.Errorf("file error whose message is not a sentence: %+v", f)
				}
			}
		}
		// However the input arrives in pieces, the result is the same (the
		// row limit may differ by a buffer, so only below it).
		if len(data) < peoplecsv.MaxRecordBytes {
			rows2, errs2, err2 := read(func() *bytes.Reader { return bytes.NewReader(data) }, true)
			if !reflect.DeepEqual(rows, rows2) || !reflect.DeepEqual(errs, errs2) || fmt.Sprint(err) != fmt.Sprint(err2) {
				t.Errorf("one byte at a time gives a different result:\n%v %v %v\n%v %v %v", rows, errs, err, rows2, errs2, err2)
			}
		}
	})
}

// FuzzPlanImport builds a few stored people and rows about a small set of
// employee numbers from the fuzzer's bytes, so that repeats, loops, shared
// e-mails and refused managers are common.
func FuzzPlanImport(f *testing.F) {
	f.Add([]byte{3, 0, 0, 1, 0, 5, 1, 3, 0, 0, 2, 0, 1, 0, 0})
	f.Add([]byte{2, 1, 0, 4, 0, 0, 2, 0, 1, 2, 0, 0, 2, 0, 1, 0, 1, 0, 3, 0})
	f.Add([]byte{0, 3, 0, 0, 1, 0, 0, 1, 2, 0, 0, 2, 0, 0, 0})
	f.Add([]byte{5, 0, 0, 1, 2, 3, 9, 1, 1, 3, 0, 1, 2, 2, 0, 1, 4, 4, 1, 9, 0, 4, 3, 4, 0, 3, 1, 1, 1, 0, 0})
	f.Fuzz(func(t *testing.T, data []byte) {
		next := func() int {
			if len(data) == 0 {
				return 0
			}
			b := data[0]
			data = data[1:]
			return int(b)
		}
		const universe = 6 // E0..E5 may be stored; E6 and E7 only new; E8 nobody
		num := func(k int) string { return fmt.Sprintf("E%d", k) }
		existing := make(map[string]peoplecsv.Existing)
		nStored := next() % (universe + 1)
		for k := range nStored {
			mgr := "" // a manager below in number keeps the stored people free of loops
			if m := next() % (k + 1); m < k {
				mgr = num(m)
			}
			in := input(num(k), mgr)
			if next()%2 == 1 {
				in.EndDate = training.MustDate("2025-12-31")
			}
			put(existing, "id-"+num(k), in)
		}
		var rows []peoplecsv.Row
		line := 1
		for range next() % 12 {
			line += 1 + next()%3
			k := next() % (universe + 2)
			mgr := ""
			if m := next() % (universe + 4); m < universe+3 {
				mgr = num(m)
			}
			in := input(num(k), mgr)
			switch e := next(); e % 4 {
			case 1:
				in.Email = strings.ToLower(num(e/4%(universe+2))) + "@example.org"
			case 2:
				in.Email = strings.ToUpper(in.Email)
			case 3:
				in.Email = "nobody"
			}
			flags := next()
			if flags&1 != 0 {
				in.JobTitle = "Lead"
			}
			if flags&2 != 0 {
				in.EndDate = training.MustDate("2025-12-31")
			}
			if flags&4 != 0 {
				in.GivenName = ""
			}
			rows = append(rows, row(line, in))
		}

		plan := PlanImportChecked(t, rows, existing)
		if !slices.IsSortedFunc(plan.Errors, func(a, b peoplecsv.LineError) int {
			return cmp.Or(cmp.Compare(a.Line, b.Line), strings.Compare(a.Field, b.Field))
		}) {
			t.Errorf("errors not sorted: %v", plan.Errors)
		}
		rowLines := make(map[int]bool)
		for _, r := range rows {
			rowLines[r.Line] = true
		}
		refused := make(map[int]bool)
		for _, e := range plan.Errors {
			if !rowLines[e.Line] {
				t.Errorf("error on line %d, which has no row", e.Line)
			}
			refused[e.Line] = true
		}
		if n := len(plan.Creates) + len(plan.Updates) + plan.Unchanged + len(refused); n != len(rows) {
			t.Errorf("%d creates + %d updates + %d unchanged + %d refused != %d rows", len(plan.Creates), len(plan.Updates), plan.Unchanged, len(refused), len(rows))
		}
		for _, r := range plan.Creates {
			if refused[r.Line] {
				t.Errorf("line %d both created and refused", r.Line)
			}
		}
		for _, u := range plan.Updates {
			if refused[u.Row.Line] {
				t.Errorf("line %d both updated and refused", u.Row.Line)
			}
		}
		after := apply(t, existing, plan) // checks the order and that no loop results

		// Importing again changes nothing, unless the first import refused
		// a row that it would accept once the others are stored.
		for _, e := range plan.Errors {
			if strings.Contains(e.Message, "belongs to someone else") || strings.Contains(e.Message, "remains because") {
				return
			}
		}
		again := peoplecsv.PlanImport(rows, after)
		if len(again.Creates)+len(again.Updates) != 0 {
			t.Errorf("importing again creates %v and updates %v", numbers(again.Creates), updateNumbers(again.Updates))
		}
	})
}

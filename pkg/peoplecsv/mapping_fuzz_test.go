package peoplecsv_test

import (
	"bytes"
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

// identity reads a file in our own columns as Read does.
var identity = func() peoplecsv.Mapping {
	m := peoplecsv.Mapping{Columns: map[string]string{}, DateFormat: peoplecsv.DateISO}
	for _, c := range peoplecsv.Columns {
		m.Columns[c] = c
	}
	return m
}()

// FuzzReadMapped reads any file through the iTrent mapping and through
// the identity mapping: what passes is as clean as what Read passes, and a
// file Read takes whole reads the same through the identity mapping.
func FuzzReadMapped(f *testing.F) {
	for _, s := range []string{
		"",
		itrentHeader,
		itrentHeader + "E1,Ms,Ada,Lovelace,ada@example.org,Employee,Officer,Finance,,23/11/2026,\n",
		itrentHeader + "E1,Ms,Ada,Lovelace,ada@example.org,Councillor,,,,3/4/2026,31/02/2026\nE2,,\"B\nC\",D,e@f.org,x,,,E1,2026-01-01,\n",
		"\ufeffEMPLOYEE NUMBER;Forename\n",
		"Surname,Forename,Person Type,Work Email,Employee Number,Hire Date\nLi,Bo,employee,bo@example.org,E9,12/12/2012\n,,,\n",
		header + csvLine("E1", "") + csvLine("E2", "E1"),
		header + "E1,e1@example.org,\xff,Lovelace,staff,,,,2020-01-06,\n",
		itrentHeader + "E1,Ms,Ada,Lovelace,ada@example.org,Employee,Officer,Finance,,00/11/2026,\n",
	} {
		f.Add([]byte(s))
	}
	f.Fuzz(func(t *testing.T, data []byte) {
		const maxRows = 50
		lines := bytes.Count(data, []byte("\n")) + 1
		read := func(m peoplecsv.Mapping, oneByte bool) ([]peoplecsv.Row, []peoplecsv.LineError, error) {
			var rows []peoplecsv.Row
			var src interface{ Read([]byte) (int, error) } = bytes.NewReader(data)
			if oneByte {
				src = iotest.OneByteReader(src)
			}
			errs, err := peoplecsv.ReadMapped(src, maxRows, m, func(r peoplecsv.Row) error {
				rows = append(rows, r)
				return nil
			})
			return rows, errs, err
		}
		for _, m := range []peoplecsv.Mapping{itrentMapping, identity} {
			rows, errs, err := read(m, false)
			if err != nil && !errors.Is(err, training.ErrInvalid) {
				t.Fatalf("error %v does not wrap ErrInvalid", err)
			}
			if len(rows) > maxRows {
				t.Errorf("%d rows passed the limit of %d", len(rows), maxRows)
			}
			parsed := map[int]bool{}
			prev := 1
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
				for _, d := range []training.Date{in.StartDate, in.EndDate} {
					if !d.IsZero() && (d.Year() < 1900 || d.Year() > 2999) {
						t.Errorf("line %d: date %v passed", r.Line, d)
					}
				}
			}
			for _, e := range errs {
				if e.Line < 2 || e.Line > lines || parsed[e.Line] {
					t.Errorf("error on line %d, in a file of %d lines, or on a line that passed: %+v", e.Line, lines, e)
				}
				if !isSentence(e.Message) {
					t.Errorf("error whose message is not a sentence: %+v", e)
				}
			}
			var ve *training.ValidationError
			if errors.As(err, &ve) {
				for _, fe := range ve.Fields {
					if !isSentence(fe.Message) {
						t.Errorf("file error whose message is not a sentence: %+v", fe)
					}
				}
			}
			if len(data) < peoplecsv.MaxRecordBytes {
				rows2, errs2, err2 := read(m, true)
				if !reflect.DeepEqual(rows, rows2) || !reflect.DeepEqual(errs, errs2) || fmt.Sprint(err) != fmt.Sprint(err2) {
					t.Errorf("one byte at a time gives a different result")
				}
			}
		}

		// A file Read takes whole, with no bad line, is read the same way
		// through the identity mapping.
		want, wantErrs, err := readAll(t, string(data), maxRows)
		if err != nil || len(wantErrs) > 0 {
			return
		}
		got, gotErrs, err := read(identity, false)
		if err != nil || len(gotErrs) > 0 || !reflect.DeepEqual(got, want) {
			t.Errorf("identity mapping reads\n%+v %v %v\nRead reads\n%+v", got, gotErrs, err, want)
		}
	})
}

// FuzzSuggest proposes a mapping for any file: every header is either
// matched or unmatched, no field is matched twice, and a date format is
// proposed only when the dates say which; a proposal that validates reads
// the file without failing as a whole for its header.
func FuzzSuggest(f *testing.F) {
	for _, s := range []string{
		"",
		itrentHeader + "E1,Ms,Ada,Lovelace,ada@example.org,Employee,Officer,Finance,,23/11/2026,\n",
		itrentHeader + "E1,Ms,Ada,Lovelace,ada@example.org,Employee,Officer,Finance,,03/04/2026,12/12/2026\n",
		"EMPLOYEE #,First Name,Last Name,work e-mail,Employment Status,hire_date\n7,A,B,a@b.org,Full-Time,2026-11-23\n",
		header + csvLine("E1", ""),
		"a,a,b,,\"c\nd\",Email,E-mail\n1,2\n",
		"Hire Date,Leaving Date\n11/23/2026,23/11/2026\n",
	} {
		f.Add([]byte(s))
	}
	f.Fuzz(func(t *testing.T, data []byte) {
		s, err := peoplecsv.Suggest(bytes.NewReader(data))
		if err != nil {
			if !errors.Is(err, training.ErrInvalid) {
				t.Fatalf("error %v does not wrap ErrInvalid", err)
			}
			return
		}
		if s.Unmatched == nil {
			t.Error("unmatched is nil")
		}
		used := map[string]string{}
		for h, col := range s.Columns {
			if !slices.Contains(peoplecsv.Columns, col) {
				t.Errorf("header %q matched to %q, no column", h, col)
			}
			if other, dup := used[col]; dup {
				t.Errorf("headers %q and %q both matched to %s", other, h, col)
			}
			used[col] = h
			if !slices.Contains(s.Headers, h) {
				t.Errorf("matched header %q is not in the file's %q", h, s.Headers)
			}
		}
		for _, h := range s.Headers {
			if _, ok := s.Columns[h]; !ok && !slices.Contains(s.Unmatched, h) {
				t.Errorf("header %q neither matched nor unmatched", h)
			}
		}
		if s.DateFormat != "" && !s.DateFormat.Valid() {
			t.Errorf("date format %q", s.DateFormat)
		}
		m := s.Mapping(peoplecsv.DateUK)
		if len(m.Validate()) > 0 {
			return
		}
		_, err = peoplecsv.ReadMapped(bytes.NewReader(data), 50, m, func(peoplecsv.Row) error { return nil })
		var ve *training.ValidationError
		if errors.As(err, &ve) && strings.Contains(ve.Fields[0].Message, "header does not have") {
			t.Errorf("the suggested mapping does not fit its own file: %v", err)
		}
		if err != nil && !errors.Is(err, training.ErrInvalid) {
			t.Errorf("error %v does not wrap ErrInvalid", err)
		}
	})
}

// FuzzUKDates writes any day as DD/MM/YYYY: the date is read back, and
// the date format of a file of such dates is detected whenever one of its
// days is over 12.
func FuzzUKDates(f *testing.F) {
	f.Add(uint16(2026), uint8(11), uint8(23), uint8(4), uint8(3))
	f.Add(uint16(2024), uint8(2), uint8(29), uint8(1), uint8(1))
	f.Fuzz(func(t *testing.T, year uint16, month, day, month2, day2 uint8) {
		y := 1900 + int(year)%1100
		m, d := 1+int(month)%12, 1+int(day)%28
		m2, d2 := 1+int(month2)%12, 1+int(day2)%28
		cells := []string{fmt.Sprintf("%02d/%02d/%04d", d, m, y), fmt.Sprintf("%d/%d/%04d", d2, m2, y)}
		file := "Employee Number,Forename,Surname,Work Email,Person Type,Hire Date,Leaving Date\n" +
			fmt.Sprintf("E1,Ada,Lovelace,ada@example.org,Employee,%s,%s\n", cells[0], cells[1])
		rows, errs, err := readMapped(t, itrentMapping, file)
		if err != nil || len(errs) > 0 || len(rows) != 1 {
			t.Fatalf("%q: rows %v, errors %v, %v", file, rows, errs, err)
		}
		want := fmt.Sprintf("%04d-%02d-%02d", y, m, d)
		want2 := fmt.Sprintf("%04d-%02d-%02d", y, m2, d2)
		if got := rows[0].Input.StartDate.String(); got != want {
			t.Errorf("%s read as %s, want %s", cells[0], got, want)
		}
		if got := rows[0].Input.EndDate.String(); got != want2 {
			t.Errorf("%s read as %s, want %s", cells[1], got, want2)
		}
		got := peoplecsv.DetectDateFormat(cells)
		switch {
		case d > 12 || d2 > 12:
			if got != peoplecsv.DateUK {
				t.Errorf("DetectDateFormat(%q) = %q, want %q", cells, got, peoplecsv.DateUK)
			}
		case got != "":
			t.Errorf("DetectDateFormat(%q) = %q: every date could be read either way", cells, got)
		}
	})
}

package reportcsv_test

import (
	"encoding/csv"
	"slices"
	"strings"
	"testing"

	"github.com/complytrack/complytrack/pkg/reportcsv"
	"github.com/complytrack/complytrack/pkg/training"
)

func TestDefuse(t *testing.T) {
	for _, tc := range []struct{ in, want string }{
		{"=HYPERLINK(\"http://x\")", "'=HYPERLINK(\"http://x\")"},
		{"+44 1632 960000", "'+44 1632 960000"},
		{"-1", "'-1"},
		{"@SUM(A1)", "'@SUM(A1)"},
		{"\tcmd", "'\tcmd"},
		{"\rcmd", "'\rcmd"},
		{"Finance", "Finance"},
		{"", ""},
		{"a=b", "a=b"},
	} {
		if got := reportcsv.Defuse([]string{tc.in})[0]; got != tc.want {
			t.Errorf("Defuse(%q) = %q, want %q", tc.in, got, tc.want)
		}
	}
}

func TestWrite(t *testing.T) {
	last := training.Completion{CompletedOn: training.MustDate("2023-05-03")}
	rep := training.Report{CourseCode: "PREVENT", Lines: []training.ReportLine{{
		Group:   "=Finance",
		Person:  training.Person{EmployeeNumber: "E1", GivenName: "Ada", FamilyName: "Lovelace", Kind: training.KindStaff, Department: "=Finance", JobTitle: "Clerk"},
		Manager: training.Person{EmployeeNumber: "M1"},
		Assessment: training.Assessment{Status: training.StatusExpired, DueOn: training.MustDate("2026-05-03"),
			ExpiresOn: training.MustDate("2026-05-03"), LastCompleted: &last, Explanation: []string{"expired on 3 May 2026"}},
	}}}
	rows, err := csv.NewReader(strings.NewReader(string(reportcsv.Bytes(rep)))).ReadAll()
	if err != nil {
		t.Fatal(err)
	}
	want := []string{"E1", "Ada", "Lovelace", "staff", "'=Finance", "Clerk", "M1", "'=Finance", "PREVENT", "expired", "2026-05-03", "2026-05-03", "2023-05-03", "expired on 3 May 2026"}
	if len(rows) != 2 || !slices.Equal(rows[0], reportcsv.Header) || !slices.Equal(rows[1], want) {
		t.Fatalf("rows %q", rows)
	}
}

package httpapi_test

import (
	"math"
	"net/http"
	"testing"
)

// jRequiredCounts are a report row's figures with required, which the
// shared jCounts leaves out; a pointer, to tell a missing field from 0.
type jRequiredCounts struct {
	Key           string  `json:"key"`
	Applicable    int     `json:"applicable"`
	Required      *int    `json:"required"`
	Exempt        int     `json:"exempt"`
	Compliant     int     `json:"compliant"`
	Expiring      int     `json:"expiring"`
	Due           int     `json:"due"`
	Overdue       int     `json:"overdue"`
	Expired       int     `json:"expired"`
	CompliancePct float64 `json:"compliance_pct"`
}

// Exempt people are not required: a report's required is applicable -
// exempt, every other status adds up to it, and the percentage is of it;
// the CSV lists the exempt people with their status, apart from the rest.
func TestReportRequiredLeavesOutExemptPeople(t *testing.T) {
	e := newEnv(t)
	hr := e.tokens["hr"]
	// Today is 2026-11-02.
	e.addPerson("a1", "", map[string]any{"department": "Housing"})
	e.addPerson("a2", "", map[string]any{"department": "Housing"})
	e.addPerson("a3", "", map[string]any{"department": "Housing"})
	e.addPerson("a4", "", map[string]any{"department": "Housing"})
	e.addPerson("b1", "", map[string]any{"department": "Finance"})
	e.addPerson("b2", "", map[string]any{"department": "Finance"})
	e.recordByHR(e.people["a1"].ID, "PREVENT", "2026-10-01") // compliant
	e.recordByHR(e.people["b2"].ID, "PREVENT", "2023-11-20") // expiring
	for name, body := range map[string]map[string]any{
		"a2": {"course_code": "PREVENT", "reason": "Career break"},
		"a3": {"course_code": "PREVENT", "reason": "Long-term sick leave", "until": "2027-01-31"},
		"b1": {"course_code": "PREVENT", "reason": "Trained elsewhere"},
	} {
		e.must(http.StatusCreated, "POST", "/api/v1/people/"+e.people[name].ID+"/exemptions", hr, body)
	}

	type report struct {
		Totals jRequiredCounts   `json:"totals"`
		Groups []jRequiredCounts `json:"groups"`
	}
	rep := decode[report](t, e.must(http.StatusOK, "GET", "/api/v1/reports/compliance?course_code=PREVENT", hr, nil))

	// The first HR account is applicable too (Human Resources, due).
	want := map[string]struct{ applicable, exempt, required int }{
		"totals":          {7, 3, 4},
		"Housing":         {4, 2, 2},
		"Finance":         {2, 1, 1},
		"Human Resources": {1, 0, 1},
	}
	rep.Totals.Key = "totals"
	rows := append([]jRequiredCounts{rep.Totals}, rep.Groups...)
	if len(rows) != len(want) {
		t.Fatalf("report has %d rows, want %d: %+v", len(rows), len(want), rows)
	}
	for _, g := range rows {
		if g.Required == nil {
			t.Errorf("%s: no required in the JSON", g.Key)
			continue
		}
		w := want[g.Key]
		if g.Applicable != w.applicable || g.Exempt != w.exempt || *g.Required != w.required {
			t.Errorf("%s: applicable %d, exempt %d, required %d; want %d, %d, %d", g.Key, g.Applicable, g.Exempt, *g.Required, w.applicable, w.exempt, w.required)
		}
		if *g.Required+g.Exempt != g.Applicable {
			t.Errorf("%s: required %d + exempt %d != applicable %d", g.Key, *g.Required, g.Exempt, g.Applicable)
		}
		if sum := g.Compliant + g.Expiring + g.Due + g.Overdue + g.Expired; sum != *g.Required {
			t.Errorf("%s: the statuses of required people add up to %d, want required = %d", g.Key, sum, *g.Required)
		}
		if pct := math.Round(float64(g.Compliant+g.Expiring)*1000/float64(*g.Required)) / 10; g.CompliancePct != pct {
			t.Errorf("%s: compliance_pct %v, want (compliant+expiring)/required = %v", g.Key, g.CompliancePct, pct)
		}
	}

	if rep.Totals.Required == nil {
		t.Fatal("no required in the totals")
	}
	// The CSV lists everyone applicable; the exempt are apart by status.
	lines, _ := e.reportCSV("course_code=PREVENT&format=csv")
	exempt, required, compliant := 0, 0, 0
	for _, l := range lines {
		switch l["status"] {
		case "exempt":
			exempt++
		case "compliant", "expiring":
			compliant++
			required++
		default:
			required++
		}
	}
	if len(lines) != rep.Totals.Applicable || exempt != rep.Totals.Exempt || required != *rep.Totals.Required {
		t.Errorf("CSV: %d lines, %d exempt, %d required; the JSON says %d applicable, %d exempt, %d required",
			len(lines), exempt, required, rep.Totals.Applicable, rep.Totals.Exempt, *rep.Totals.Required)
	}
	if pct := math.Round(float64(compliant)*1000/float64(required)) / 10; pct != rep.Totals.CompliancePct {
		t.Errorf("CSV: %d of %d required are compliant or expiring (%v%%), the JSON says %v%%", compliant, required, pct, rep.Totals.CompliancePct)
	}
}

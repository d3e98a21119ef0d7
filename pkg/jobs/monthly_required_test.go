package jobs_test

import (
	"fmt"
	"math"
	"regexp"
	"strconv"
	"testing"

	"github.com/complytrack/complytrack/pkg/jobs"
)

var (
	emailedRequired = regexp.MustCompile(`Required: (\d+) \(the (\d+) people the course applies to, less (\d+) exempt\)`)
	emailedExempt   = regexp.MustCompile(`exempt: (\d+)\.`)
	emailedPct      = regexp.MustCompile(`Compliance: ([\d.]+)%`)
)

// The monthly report's "Required" leaves the exempt out, as its
// percentage does, in the e-mail and in the figure kept: required +
// exempt = applicable, and the percentage is of required.
func TestMonthlyReportRequiredLeavesOutExempt(t *testing.T) {
	e := newOrgEnv(t)
	e.addCast(cast(e.today()))
	e.at(15) // 1 December
	if sum := e.run(jobs.JobMonthlyReport); sum.Counts["snapshots"] != 1 {
		t.Fatalf("monthly report: %+v", sum)
	}
	snaps, err := e.a.Training.Snapshots(e.ctx, e.hrActor, "PREVENT")
	if err != nil || len(snaps) != 1 {
		t.Fatalf("snapshots: %v, %v", snaps, err)
	}
	kept := snaps[0].Totals
	if kept.Exempt == 0 {
		t.Fatalf("kept totals %+v: no one exempt, so this test shows nothing", kept)
	}
	got := to(e.deliver(), reportTo)
	if len(got) != 1 {
		t.Fatalf("%d reports delivered, want 1", len(got))
	}
	body := got[0].text
	m := emailedRequired.FindStringSubmatch(body)
	x := emailedExempt.FindStringSubmatch(body)
	p := emailedPct.FindStringSubmatch(body)
	if m == nil || x == nil || p == nil {
		t.Fatalf("the e-mail does not give required, exempt and the percentage:\n%s", body)
	}
	atoi := func(s string) int { n, _ := strconv.Atoi(s); return n }
	required, applicable, exempt := atoi(m[1]), atoi(m[2]), atoi(x[1])
	if required+exempt != applicable || atoi(m[3]) != exempt {
		t.Errorf("e-mailed required %d + exempt %d != applicable %d", required, exempt, applicable)
	}
	if applicable != kept.Applicable || exempt != kept.Exempt || required != kept.Applicable-kept.Exempt {
		t.Errorf("e-mailed %d required, %d exempt of %d; kept %+v", required, exempt, applicable, kept)
	}
	pct := math.Round(float64(kept.Compliant+kept.Expiring)*1000/float64(required)) / 10
	if p[1] != fmt.Sprintf("%.1f", pct) || kept.Pct() != pct {
		t.Errorf("e-mailed %s%%, kept %v%%; want (compliant+expiring)/required = %v%%", p[1], kept.Pct(), pct)
	}
}

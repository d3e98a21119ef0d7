package httpapi

import (
	"net/http"
	"strings"

	"github.com/gin-gonic/gin"

	"github.com/complytrack/complytrack/pkg/application"
	"github.com/complytrack/complytrack/pkg/reportcsv"
	"github.com/complytrack/complytrack/pkg/training"
)

// counts are a report's figures for a group or the total. applicable
// counts everyone the course applies to; required is those of them who are
// not exempt (applicable - exempt), the denominator of compliance_pct.
type counts struct {
	Applicable    int     `json:"applicable"`
	Required      int     `json:"required"`
	Exempt        int     `json:"exempt"`
	Compliant     int     `json:"compliant"`
	Expiring      int     `json:"expiring"`
	Due           int     `json:"due"`
	Overdue       int     `json:"overdue"`
	Expired       int     `json:"expired"`
	CompliancePct float64 `json:"compliance_pct"`
}

func toCounts(t training.Tally) counts {
	return counts{Applicable: t.Applicable, Required: t.Required(), Exempt: t.Exempt, Compliant: t.Compliant, Expiring: t.Expiring,
		Due: t.Due, Overdue: t.Overdue, Expired: t.Expired, CompliancePct: t.Pct()}
}

type reportGroup struct {
	Key string `json:"key"`
	counts
}

type reportResponse struct {
	AsOf       training.Date    `json:"as_of"`
	CourseCode string           `json:"course_code"`
	GroupBy    training.GroupBy `json:"group_by"`
	Totals     counts           `json:"totals"`
	Groups     []reportGroup    `json:"groups"`
}

func (h *handlers) complianceReport(c *gin.Context) (reply, error) {
	v := &training.ValidationError{}
	groupBy, err := training.ParseGroupBy("group_by", c.Query("group_by"))
	v.Merge(err)
	req := training.ReportRequest{
		CourseCode: c.Query("course_code"),
		GroupBy:    groupBy,
		AsOf:       parseDate(v, "as_of", c.Query("as_of")),
	}
	format := c.Query("format")
	if format == "" && strings.Contains(c.GetHeader("Accept"), "text/csv") {
		format = "csv"
	}
	if format != "" && format != "csv" && format != "json" {
		v.Problem("format", "The format must be csv or json")
	}
	req.Problems = v.Fields // reported with the service's own checks
	rep, err := h.app().ComplianceReport(c.Request.Context(), actor(c), req)
	if err != nil {
		return reply{}, err
	}
	if format == "csv" {
		application.Serve(c.Request.Context(), h.d.Logger, c.Writer, application.ReportCSV(rep))
		return reply{}, nil
	}
	out := reportResponse{AsOf: rep.AsOf, CourseCode: rep.CourseCode, GroupBy: rep.GroupBy, Totals: toCounts(rep.Totals), Groups: []reportGroup{}}
	for _, g := range rep.Groups {
		out.Groups = append(out.Groups, reportGroup{Key: g.Key, counts: toCounts(g.Tally)})
	}
	return reply{http.StatusOK, out}, nil
}

// ReportCSVHeader is the header row of the report's CSV download.
var ReportCSVHeader = reportcsv.Header

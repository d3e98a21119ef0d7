package httpapi

import (
	"net/http"
	"time"

	"github.com/gin-gonic/gin"

	"github.com/complytrack/complytrack/pkg/training"
)

// monthlyReport is one monthly report as it was kept and sent: the
// course's compliance at the end of the month, grouped as it was.
type monthlyReport struct {
	CourseCode string        `json:"course_code"`
	Month      string        `json:"month"`
	AsOf       training.Date `json:"as_of"`
	GroupBy    string        `json:"group_by"`
	Totals     counts        `json:"totals"`
	Groups     []reportGroup `json:"groups"`
	SentAt     time.Time     `json:"sent_at"`
}

func (h *handlers) monthlyReports(c *gin.Context) (reply, error) {
	snaps, err := h.d.Training.MonthlyReports(c.Request.Context(), actor(c), c.Query("course_code"))
	if err != nil {
		return reply{}, err
	}
	out := list[monthlyReport]{Items: make([]monthlyReport, 0, len(snaps))}
	for _, s := range snaps {
		m := monthlyReport{CourseCode: s.CourseCode, Month: training.MonthLabel(s.AsOf), AsOf: s.AsOf, GroupBy: string(s.GroupBy),
			Totals: toCounts(s.Totals), Groups: make([]reportGroup, 0, len(s.Groups)), SentAt: s.TakenAt}
		for _, g := range s.Groups {
			m.Groups = append(m.Groups, reportGroup{Key: g.Key, counts: toCounts(g.Tally)})
		}
		out.Items = append(out.Items, m)
	}
	return reply{http.StatusOK, out}, nil
}

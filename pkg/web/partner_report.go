package web

import (
	"bytes"
	"encoding/csv"
	"errors"
	"fmt"
	"net/http"
	"net/url"
	"strconv"
	"strings"

	"github.com/gin-gonic/gin"

	"github.com/complytrack/complytrack/pkg/reportcsv"
	"github.com/complytrack/complytrack/pkg/sessions"
	"github.com/complytrack/complytrack/pkg/training"
)

// The partner report of face-to-face sessions, for HR and auditors: for a
// period, the sessions that went ahead, their places offered and filled,
// and each partner organisation's attendance from the registers kept. The
// sessions service decides who may read it and counts it.

// partnerReportPage is the content of partner_report.html.
type partnerReportPage struct {
	From, To personDates
	// Ready: the report below the form is for the period asked.
	Ready                                 bool
	Period                                string
	Sessions, PlacesOffered, PlacesFilled int
	Organisations                         []sessions.PartnerOrganisation
	CSVHref                               string
}

// lastFullMonth is the month before today's: the period a report is
// usually asked for.
func lastFullMonth(today training.Date) (from, to training.Date) {
	to = training.NewDate(today.Year(), today.Month(), 1).AddDays(-1)
	return training.NewDate(to.Year(), to.Month(), 1), to
}

// partnerPeriod reads the period: from and to (2026-11-01, as the CSV
// link has them) or the form's date inputs, last month when nothing is
// asked. ours are the problems found reading it, by domain field.
func (s *Server) partnerPeriod(c *gin.Context) (from, to training.Date, form partnerReportPage, ours map[string]fieldError) {
	ours = map[string]fieldError{}
	read := func(field, prefix, what, notADate string) (training.Date, personDates) {
		if iso := strings.TrimSpace(c.Query(field)); iso != "" {
			d, err := training.ParseDate(iso)
			if err != nil {
				ours[field] = fieldError{ID: prefix + "-day", Message: notADate}
				return training.Date{}, personDates{}
			}
			return d, dateFieldsOf(d)
		}
		dmy := personDates{strings.TrimSpace(c.Query(prefix + "-day")), strings.TrimSpace(c.Query(prefix + "-month")),
			strings.TrimSpace(c.Query(prefix + "-year"))}
		d, fe := personDateInput(dmy, prefix, what, false)
		if fe != nil {
			ours[field] = *fe
		}
		return d, dmy
	}
	asked := false
	for _, k := range []string{"from", "to", "from-day", "from-month", "from-year", "to-day", "to-month", "to-year"} {
		asked = asked || c.Query(k) != ""
	}
	if !asked {
		from, to = lastFullMonth(s.d.Training.Today())
		return from, to, partnerReportPage{From: dateFieldsOf(from), To: dateFieldsOf(to)}, ours
	}
	from, form.From = read("from", "from", "the start date", "The start date must be a real date, for example 27 3 2026.")
	to, form.To = read("to", "to", "the end date", "The end date must be a real date, for example 27 3 2026.")
	return from, to, form, ours
}

// partnerReportErrors is how the report's form shows what is wrong with
// the period asked (400, as every list's filters).
func partnerReportErrors(ours map[string]fieldError) formErrors {
	f := queryForm(map[string]string{"from": "from-day", "to": "to-day"}, "from-day")
	f.Ours = ours
	f.Order = []string{"from-day", "from-month", "from-year", "to-day", "to-month", "to-year"}
	f.Say = func(fe training.FieldError) string { return capitalise(plainDates(fe.Message)) }
	return f
}

// partnerReport shows the report for the period asked, last month when
// none is.
func (s *Server) partnerReport(c *gin.Context) error {
	from, to, data, ours := s.partnerPeriod(c)
	var rep sessions.PartnerReport
	var err error
	if len(ours) == 0 {
		rep, err = s.d.Sessions.PartnerReport(c.Request.Context(), principal(c).Actor(), from, to)
	}
	if len(ours) > 0 || err != nil {
		s.formFailed(c, err, partnerReportErrors(ours), func(status int, errs []fieldError) {
			s.render(c, status, "partner_report.html", page{Title: "Partner report", Errors: errs, Data: data})
		})
		return nil
	}
	data.From, data.To = dateFieldsOf(rep.From), dateFieldsOf(rep.To)
	data.Ready = true
	data.Period = fmt.Sprintf("%s to %s", longDate(rep.From), longDate(rep.To))
	data.Sessions, data.PlacesOffered, data.PlacesFilled = rep.Sessions, rep.PlacesOffered, rep.PlacesFilled
	data.Organisations = rep.Organisations
	data.CSVHref = "/reports/partners.csv?" + url.Values{"from": {rep.From.String()}, "to": {rep.To.String()}}.Encode()
	s.render(c, http.StatusOK, "partner_report.html", page{Title: "Partner report", Data: data})
	return nil
}

// partnerReportCSV is the report's organisations as a CSV file, one line
// each, with the API's field names as its header.
func (s *Server) partnerReportCSV(c *gin.Context) error {
	from, to, _, ours := s.partnerPeriod(c)
	var rep sessions.PartnerReport
	var err error
	if len(ours) == 0 {
		rep, err = s.d.Sessions.PartnerReport(c.Request.Context(), principal(c).Actor(), from, to)
	}
	var ve *training.ValidationError
	if len(ours) > 0 || errors.As(err, &ve) {
		s.render(c, http.StatusBadRequest, "error.html", page{Title: "The report could not be made", Data: errorPage{
			Paragraphs: []string{"The address asks for a period that does not exist. Choose the period again."},
			LinkHref:   "/reports/partners", LinkText: "Go to the partner report"}})
		return nil
	}
	if err != nil {
		return err
	}
	var b bytes.Buffer
	w := csv.NewWriter(&b)
	_ = w.Write([]string{"organisation", "attended", "no_show"})
	for _, o := range rep.Organisations {
		// Organisations are typed by HR and trainers: a name starting
		// like a formula must not run in a spreadsheet.
		_ = w.Write(reportcsv.Defuse([]string{o.Name, strconv.Itoa(o.Attended), strconv.Itoa(o.NoShow)}))
	}
	w.Flush()
	if err := w.Error(); err != nil {
		return err
	}
	name := fmt.Sprintf("partners-%s-to-%s.csv", rep.From, rep.To)
	c.Header("Content-Disposition", fmt.Sprintf("attachment; filename=%q", name))
	c.Data(http.StatusOK, "text/csv; charset=utf-8", b.Bytes())
	return nil
}

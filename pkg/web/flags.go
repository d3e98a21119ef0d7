package web

import (
	"fmt"
	"net/http"
	"net/url"
	"strconv"
	"strings"

	"github.com/gin-gonic/gin"

	"github.com/complytrack/complytrack/pkg/training"
)

// flagKindLabels name each kind of flag in plain English.
var flagKindLabels = map[training.FlagKind]string{
	training.FlagNewStarter:        "New starter",
	training.FlagDueSoon:           "Due soon",
	training.FlagOverdue:           "Overdue",
	training.FlagExpired:           "Expired",
	training.FlagDuplicateEvidence: "Same certificate for two people",
}

type kindOption struct {
	Value, Text string
	Selected    bool
}

// flagsPage is the content of flags.html.
type flagsPage struct {
	Kinds    []kindOption
	Kind     string
	Flags    []flagRow
	NextHref string
	// DailyCheck says when the check that raises flags runs, for the
	// empty list: right after installing there are none until it has run.
	DailyCheck string
}

type flagRow struct {
	PersonID, Person, EmployeeNumber string
	Course, Kind, Raised, DueOn      string
	Detail                           string
}

// flags lists what the scan raised about the people the viewer may see:
// HR and auditors everyone, line managers their reporting line.
func (s *Server) flags(c *gin.Context) error {
	ctx := c.Request.Context()
	actor := principal(c).Actor()
	kind, err := training.ParseFlagKind("kind", c.Query("kind"))
	data := flagsPage{Kind: string(kind), DailyCheck: dailyCheckWhen(s.d.ScanSchedule)}
	data.Kinds = append(data.Kinds, kindOption{Value: "", Text: "All kinds", Selected: kind == ""})
	for _, k := range training.FlagKinds {
		data.Kinds = append(data.Kinds, kindOption{Value: string(k), Text: flagKindLabels[k], Selected: k == kind})
	}
	var list training.Page[training.Flag]
	if err == nil {
		list, err = s.d.Training.ListFlags(ctx, actor, training.FlagFilter{Kind: kind}, training.PageRequest{Cursor: c.Query("after")})
	}
	if err != nil {
		f := queryForm(nil, "kind")
		f.Say = func(fe training.FieldError) string {
			if fe.Field == "kind" {
				return "Choose a kind of flag from the list."
			}
			return queryErrorMessage(fe)
		}
		s.formFailed(c, err, f, func(status int, errs []fieldError) {
			s.render(c, status, "flags.html", page{Title: "Flags", Data: data, Errors: errs})
		})
		return nil
	}
	courses, err := s.courseTitles(c)
	if err != nil {
		return err
	}
	for _, fl := range list.Items {
		row := flagRow{PersonID: fl.PersonID, Person: fl.EmployeeNumber, EmployeeNumber: fl.EmployeeNumber,
			Course: courses[fl.CourseCode].Title, Kind: flagKindLabels[fl.Kind], Raised: longDate(training.DateOf(fl.RaisedAt.In(s.d.Training.Location()))),
			DueOn: longDate(fl.DueOn), Detail: plainDates(fl.Detail)}
		if row.Course == "" {
			row.Course = fl.CourseCode
		}
		if row.Kind == "" {
			row.Kind = string(fl.Kind)
		}
		if p, err := s.d.Training.Person(ctx, actor, fl.PersonID); err == nil {
			row.Person = p.FullName()
		}
		data.Flags = append(data.Flags, row)
	}
	if list.NextCursor != "" {
		q := url.Values{"after": {list.NextCursor}}
		if kind != "" {
			q.Set("kind", string(kind))
		}
		data.NextHref = "/flags?" + q.Encode()
	}
	s.render(c, http.StatusOK, "flags.html", page{Title: "Flags", Data: data})
	return nil
}

// dailyCheckWhen says in words when the compliance scan runs, given its
// schedule: a cron expression, "off" or empty (not known). Only the plain
// daily form "M H * * *" is put as a time; any other expression is
// described without one rather than guessed at.
func dailyCheckWhen(schedule string) string {
	if schedule == "off" {
		return "it is switched off on this service, so it runs only when someone starts it"
	}
	f := strings.Fields(schedule)
	if len(f) == 5 && f[2] == "*" && f[3] == "*" && f[4] == "*" {
		m, errM := strconv.Atoi(f[0])
		h, errH := strconv.Atoi(f[1])
		if errM == nil && errH == nil && m >= 0 && m < 60 && h >= 0 && h < 24 {
			return fmt.Sprintf("it runs every day at %02d:%02d", h, m)
		}
	}
	if schedule == "" {
		return "it runs every day"
	}
	return "it runs on the schedule set for this service"
}

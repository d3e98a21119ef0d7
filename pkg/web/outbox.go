package web

import (
	"errors"
	"net/http"
	"net/url"
	"strings"

	"github.com/gin-gonic/gin"

	"github.com/complytrack/complytrack/pkg/notify"
	"github.com/complytrack/complytrack/pkg/training"
)

var messageKindLabels = []struct {
	Kind  notify.Kind
	Label string
}{
	{notify.KindInvitation, "Invitation"},
	{notify.KindReminder, "Reminder"},
	{notify.KindManualReminder, "Reminder sent by a manager or HR"},
	{notify.KindPasswordReset, "Password reset link"},
	{notify.KindEscalation, "Escalation to HR"},
	{notify.KindManagerDigest, "Manager’s weekly digest"},
	{notify.KindMonthlyReport, "Monthly report"},
	{notify.KindDuplicateFiles, "Same certificate for two people"},
	{notify.KindSessionBooking, "Session booking"},
	{notify.KindSessionChange, "Session changed"},
	{notify.KindSessionCancelled, "Session cancelled"},
	{notify.KindSessionReminder, "Session reminder"},
	{notify.KindSessionNoShow, "Did not attend a session"},
}

var messageStateLabels = map[notify.State]string{
	notify.StateQueued: "Waiting to be sent",
	notify.StateSent:   "Sent",
	notify.StateFailed: "Refused by the mail server",
}

// outboxPage is the content of outbox.html.
type outboxPage struct {
	To       string
	Kinds    []kindOption
	Messages []messageRow
	NextHref string
}

type messageRow struct {
	ID, To, Kind, Subject, Created, State, Detail string
}

// toMessageRow is a message as the outbox pages show it, without its text.
func (s *Server) toMessageRow(m notify.Message) messageRow {
	loc := s.d.Training.Location()
	row := messageRow{ID: m.ID, To: m.To, Kind: string(m.Kind), Subject: m.Subject,
		Created: m.CreatedAt.In(loc).Format("2 January 2006 15:04"), State: messageStateLabels[m.State]}
	for _, k := range messageKindLabels {
		if k.Kind == m.Kind {
			row.Kind = k.Label
		}
	}
	if row.State == "" {
		row.State = string(m.State)
	}
	switch {
	case m.State == notify.StateSent && !m.SentAt.IsZero():
		row.Detail = "Sent " + m.SentAt.In(loc).Format("2 January 2006 15:04")
	case m.LastError != "":
		row.Detail = m.LastError
	}
	return row
}

// outbox shows what was e-mailed to whom (HR only: the domain says).
func (s *Server) outbox(c *gin.Context) error {
	if s.d.Outbox == nil {
		s.NotFound(c)
		return nil
	}
	to := strings.TrimSpace(c.Query("to"))
	kind := notify.Kind(strings.TrimSpace(c.Query("kind")))
	list, err := s.d.Outbox.List(c.Request.Context(), principal(c).Actor(), notify.Filter{To: to, Kind: kind},
		training.PageRequest{Cursor: c.Query("after")})
	if errors.Is(err, training.ErrForbidden) {
		s.NotFound(c) // as for the other HR pages: not a page for this person
		return nil
	}
	data := outboxPage{To: to}
	data.Kinds = append(data.Kinds, kindOption{Value: "", Text: "All kinds", Selected: kind == ""})
	for _, k := range messageKindLabels {
		data.Kinds = append(data.Kinds, kindOption{Value: string(k.Kind), Text: k.Label, Selected: k.Kind == kind})
	}
	if err != nil {
		s.formFailed(c, err, queryForm(nil, "to"), func(status int, errs []fieldError) {
			s.render(c, status, "outbox.html", page{Title: "Outbox", Data: data, Errors: errs})
		})
		return nil
	}
	for _, m := range list.Items {
		data.Messages = append(data.Messages, s.toMessageRow(m))
	}
	if list.NextCursor != "" {
		q := url.Values{"after": {list.NextCursor}}
		if to != "" {
			q.Set("to", to)
		}
		if kind != "" {
			q.Set("kind", string(kind))
		}
		data.NextHref = "/outbox?" + q.Encode()
	}
	s.render(c, http.StatusOK, "outbox.html", page{Title: "Outbox", Data: data})
	return nil
}

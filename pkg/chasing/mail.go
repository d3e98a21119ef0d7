package chasing

import (
	"fmt"
	"strings"

	"github.com/complytrack/complytrack/pkg/notify"
	"github.com/complytrack/complytrack/pkg/training"
)

// message is the one e-mail chasing a person for the courses in due
// (ordered by code), each with what is wrong and by when.
func (s *Service) message(p training.Person, due []training.Assessment, courses map[string]training.Course) notify.Message {
	var b strings.Builder
	fmt.Fprintf(&b, "Dear %s,\n\n", p.FullName())
	if len(due) == 1 {
		b.WriteString("You have been sent a reminder about your training:\n\n")
	} else {
		b.WriteString("You have been sent a reminder about these courses:\n\n")
	}
	for _, a := range due {
		c := courses[a.CourseCode]
		fmt.Fprintf(&b, "- %s: %s\n", title(c, a.CourseCode), situation(a))
		if c.URL != "" {
			fmt.Fprintf(&b, "  Take the course here: %s\n", c.URL)
		}
	}
	fmt.Fprintf(&b, `
When you have done it, record it in complytrack, with your certificate if
the course asks for one: %s

This is a statutory requirement under the Prevent duty. If you think this is
wrong (for example you have done it elsewhere), reply to HR.
`, s.o.PublicURL)
	subject := "Reminder: your " + title(courses[due[0].CourseCode], due[0].CourseCode) + " training"
	if len(due) > 1 {
		subject = fmt.Sprintf("Reminder: %d training courses to complete", len(due))
	}
	return notify.Message{To: p.Email, Kind: notify.KindManualReminder, Subject: subject, BodyText: b.String()}
}

func title(c training.Course, code string) string {
	if c.Title != "" {
		return c.Title
	}
	return code
}

// situation says in one sentence what is wrong with a course and by when.
func situation(a training.Assessment) string {
	switch a.Status {
	case training.StatusOverdue:
		return "it was due on " + longDate(a.DueOn) + ". Please complete it as soon as you can."
	case training.StatusExpired:
		return "your completion expired on " + longDate(a.ExpiresOn) + ". Please complete it again as soon as you can."
	case training.StatusExpiring:
		return "your completion expires on " + longDate(a.ExpiresOn) + ". Please renew it before then."
	default:
		if a.DueOn.IsZero() {
			return "please complete it."
		}
		return "please complete it by " + longDate(a.DueOn) + "."
	}
}

func longDate(d training.Date) string {
	if d.IsZero() {
		return "(no date)"
	}
	return fmt.Sprintf("%d %s %d", d.Day(), d.Month(), d.Year())
}

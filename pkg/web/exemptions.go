package web

import (
	"errors"
	"net/http"
	"strings"

	"github.com/gin-gonic/gin"

	"github.com/complytrack/complytrack/pkg/training"
)

// The inputs of the exemption form; each name is also its id.
const (
	exemptCourseInput = "course_code"
	exemptReasonInput = "reason"
	untilDayInput     = "until-day"
	untilMonthInput   = "until-month"
	untilYearInput    = "until-year"
)

// exemptionsPage is the content of exemptions.html: a person's
// exemptions, current and removed.
type exemptionsPage struct {
	PersonID, Person string
	Items            []exemptionRow
	CanChange        bool
}

type exemptionRow struct {
	ID, Course, Reason, Until, Granted, Removed string
	Active                                      bool
}

// exemptionForm is the content of exemption_new.html.
type exemptionForm struct {
	PersonID, Person string
	Courses          []courseOption
	Reason           string
	Day, Month, Year string
}

// personFor finds the person of the address, if the viewer may see them.
// The pages that use it are HR's (their guard says so).
func (s *Server) personFor(c *gin.Context) (training.Person, error) {
	return s.d.Training.Person(c.Request.Context(), principal(c).Actor(), c.Param("id"))
}

// exemptions lists a person's exemptions, with "remove" for HR.
func (s *Server) exemptions(c *gin.Context) error {
	person, err := s.personFor(c)
	if err != nil {
		return err
	}
	ctx := c.Request.Context()
	list, err := s.d.Training.ExemptionsOf(ctx, principal(c).Actor(), person.ID)
	if err != nil {
		return err
	}
	courses, err := s.courseTitles(c)
	if err != nil {
		return err
	}
	data := exemptionsPage{PersonID: person.ID, Person: person.FullName(), CanChange: may(c, hrChanges)}
	loc := s.d.Training.Location()
	for _, e := range list {
		row := exemptionRow{ID: e.ID, Course: courses[e.CourseCode].Title, Reason: e.Reason, Until: longDate(e.Until),
			Granted: longDate(training.DateOf(e.CreatedAt.In(loc))), Active: e.Removal == nil}
		if row.Course == "" {
			row.Course = e.CourseCode
		}
		if row.Until == "" {
			row.Until = "No end date"
		}
		if e.Removal != nil {
			row.Removed = longDate(training.DateOf(e.Removal.At.In(loc)))
		}
		data.Items = append(data.Items, row)
	}
	pg := page{Title: person.FullName() + ": exemptions", Data: data}
	switch c.Query("done") {
	case "granted":
		pg.Banner = &banner{Success: true, Heading: "Exemption granted"}
	case "removed":
		pg.Banner = &banner{Success: true, Heading: "Exemption removed"}
	}
	s.render(c, http.StatusOK, "exemptions.html", pg)
	return nil
}

// exemptionNew is the form to exempt a person from a course (HR only).
func (s *Server) exemptionNew(c *gin.Context) error {
	person, err := s.personFor(c)
	if err != nil {
		return err
	}
	form, err := s.newExemptionForm(c, person, "")
	if err != nil {
		return err
	}
	s.render(c, http.StatusOK, "exemption_new.html", page{Title: "Exempt " + person.FullName() + " from a course", Data: form})
	return nil
}

func (s *Server) newExemptionForm(c *gin.Context, person training.Person, selected string) (exemptionForm, error) {
	courses, err := s.d.Training.Courses(c.Request.Context())
	if err != nil {
		return exemptionForm{}, err
	}
	return exemptionForm{PersonID: person.ID, Person: person.FullName(), Courses: courseOptions(courses, selected)}, nil
}

// grantExemption reads the form and grants the exemption, or shows the
// form again with what to correct. The domain decides who may.
func (s *Server) grantExemption(c *gin.Context) error {
	person, err := s.personFor(c)
	if err != nil {
		return err
	}
	code := strings.TrimSpace(c.PostForm(exemptCourseInput))
	form, err := s.newExemptionForm(c, person, code)
	if err != nil {
		return err
	}
	form.Reason = training.TrimText(c.PostForm(exemptReasonInput))
	form.Day = strings.TrimSpace(c.PostForm(untilDayInput))
	form.Month = strings.TrimSpace(c.PostForm(untilMonthInput))
	form.Year = strings.TrimSpace(c.PostForm(untilYearInput))

	in := training.ExemptionInput{CourseCode: code, Reason: form.Reason}
	var untilErr *fieldError
	if form.Day != "" || form.Month != "" || form.Year != "" {
		in.Until, untilErr = parseDateInput(form.Day, form.Month, form.Year, "the date the exemption ends")
		if untilErr != nil {
			untilErr.ID = strings.Replace(untilErr.ID, "completed-on", "until", 1)
			in.Problems = append(in.Problems, training.FieldError{Field: "until", Message: untilErr.Message})
		}
	}
	_, err = s.d.Training.GrantExemption(c.Request.Context(), principal(c).Actor(), person.ID, in)
	if err != nil {
		f := formErrors{Inputs: map[string]string{"course_code": exemptCourseInput, "reason": exemptReasonInput, "until": untilDayInput},
			Fallback: exemptCourseInput, Ours: map[string]fieldError{}, Order: []string{exemptCourseInput, exemptReasonInput, untilDayInput, untilMonthInput, untilYearInput},
			Say: func(f training.FieldError) string {
				switch {
				case f.Field == "course_code" && code == "":
					return "Choose the course."
				case f.Field == "reason" && form.Reason == "":
					return "Enter the reason for the exemption."
				case f.Field == "reason":
					return f.Message
				}
				return capitalise(plainDates(f.Message))
			}}
		if untilErr != nil {
			f.Ours["until"] = *untilErr
		}
		s.formFailed(c, err, f, func(status int, errs []fieldError) {
			s.render(c, status, "exemption_new.html", page{Title: "Exempt " + person.FullName() + " from a course", Errors: errs, Data: form})
		})
		return nil
	}
	c.Redirect(http.StatusSeeOther, "/people/"+person.ID+"/exemptions?done=granted")
	return nil
}

// removeExemption withdraws an exemption (HR only; the domain says).
func (s *Server) removeExemption(c *gin.Context) error {
	person, err := s.personFor(c)
	if err != nil {
		return err
	}
	err = s.d.Training.RemoveExemption(c.Request.Context(), principal(c).Actor(), c.Param("exemption"))
	switch {
	case errors.Is(err, training.ErrConflict):
		c.Redirect(http.StatusSeeOther, "/people/"+person.ID+"/exemptions")
	case err != nil:
		return err
	default:
		c.Redirect(http.StatusSeeOther, "/people/"+person.ID+"/exemptions?done=removed")
	}
	return nil
}

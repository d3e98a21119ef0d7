package web

import (
	"net/http"
	"strconv"
	"strings"

	"github.com/gin-gonic/gin"

	"github.com/complytrack/complytrack/pkg/training"
)

// coursesPage is the content of courses.html.
type coursesPage struct {
	Courses []training.Course
	CanAdd  bool // HR: the "Add a course" button (courses_form.go)
}

// courses lists every course (HR and auditors).
func (s *Server) courses(c *gin.Context) error {
	list, err := s.d.Training.Courses(c.Request.Context())
	if err != nil {
		return err
	}
	s.render(c, http.StatusOK, "courses.html", page{Title: "Courses", Data: coursesPage{Courses: list, CanAdd: may(c, hrChanges)}})
	return nil
}

// coursePage is the content of course.html.
type coursePage struct {
	Course        training.Course
	AppliesTo     string
	Validity      string
	EffectiveFrom string
	Delivery      string
	CanEdit       bool
	// Target is the compliance target ("90%"); History the policy's
	// changes, newest first.
	Target  string
	History []policyVersionView
}

func (s *Server) courseFor(c *gin.Context) (training.Course, error) {
	return s.d.Training.Course(c.Request.Context(), c.Param("code"))
}

// course shows one course and its policy.
func (s *Server) course(c *gin.Context) error {
	course, err := s.courseFor(c)
	if err != nil {
		return err
	}
	data := coursePage{Course: course, EffectiveFrom: longDate(course.EffectiveFrom), Delivery: deliveryLabel(course.Delivery), CanEdit: may(c, hrChanges),
		Target: formatPct(float64(course.Target()))}
	history, err := s.d.Training.PolicyHistory(c.Request.Context(), principal(c).Actor(), course.Code)
	if err != nil {
		return err
	}
	data.History = policyHistoryViews(history, s.d.Training.Location())
	var kinds []string
	for _, k := range course.AppliesTo.Kinds {
		kinds = append(kinds, kindLabel(k))
	}
	data.AppliesTo = strings.Join(kinds, ", ")
	if len(course.AppliesTo.Departments) > 0 {
		data.AppliesTo += " in " + strings.Join(course.AppliesTo.Departments, ", ")
	}
	if len(course.AppliesTo.JobTitles) > 0 {
		data.AppliesTo += " with job title " + strings.Join(course.AppliesTo.JobTitles, ", ")
	}
	data.Validity = "Never expires"
	if course.ValidityMonths > 0 {
		data.Validity = strconv.Itoa(course.ValidityMonths) + " months"
	}
	pg := page{Title: course.Title, Data: data}
	if c.Query("saved") != "" {
		pg.Banner = &banner{Success: true, Heading: "Policy saved", Text: "Everyone’s status now follows the new policy. Reports for earlier days keep the policy of their day."}
	}
	if b := courseFormBanner(c, course); b != nil {
		pg.Banner = b
	}
	s.render(c, http.StatusOK, "course.html", pg)
	return nil
}

// The policy form's number inputs, by the domain's field name (which is
// also the input's name and id); Of points at the course's number.
var policyNumbers = []struct {
	Field, Label, Hint, Missing, NotANumber string
	Of                                      func(*training.Course) *int
}{
	{"new_starter_days", "Days a new starter has to complete it", "For example, 28",
		"Enter the days a new starter has to complete it.", "The days a new starter has to complete it must be a whole number, like 28.",
		func(co *training.Course) *int { return &co.NewStarterDays }},
	{"validity_months", "Months a completion stays valid", "0 means it never expires",
		"Enter the months a completion stays valid.", "The months a completion stays valid must be a whole number, like 36.",
		func(co *training.Course) *int { return &co.ValidityMonths }},
	{"due_soon_days", "Days before expiry it shows as expiring", "For example, 30",
		"Enter the days before expiry it shows as expiring.", "The days before expiry it shows as expiring must be a whole number, like 30.",
		func(co *training.Course) *int { return &co.DueSoonDays }},
	{"renew_window_days", "Days before expiry a renewal keeps the old expiry date", "For example, 60",
		"Enter the days before expiry a renewal keeps the old expiry date.", "The days before expiry a renewal keeps the old expiry date must be a whole number, like 60.",
		func(co *training.Course) *int { return &co.RenewWindowDays }},
	{"target_pct", "Compliance target, in percent", "The share of the people required who should be up to date, for example 90",
		"Enter the compliance target.", "The compliance target must be a whole number, like 90.",
		func(co *training.Course) *int { return &co.TargetPct }},
}

// readPolicyNumbers reads the policy's number inputs (the policy form's,
// and the add form's) into inputs, to show them again, and returns the
// numbers that read, by field, and what is wrong with the others, in the
// form's order. With onlyPosted a box the form did not have is left out,
// so its number stays as it is; otherwise it counts as empty.
func readPolicyNumbers(c *gin.Context, inputs []numberInput, onlyPosted bool) (map[string]int, []fieldError) {
	numbers := map[string]int{}
	var errs []fieldError
	for i, n := range policyNumbers {
		posted, present := c.GetPostForm(n.Field)
		if !present && onlyPosted {
			continue
		}
		v := strings.TrimSpace(posted)
		inputs[i].Value = v
		num, err := strconv.Atoi(v)
		switch {
		case v == "":
			errs = append(errs, fieldError{ID: n.Field, Message: n.Missing})
		case err != nil:
			errs = append(errs, fieldError{ID: n.Field, Message: n.NotANumber})
		default:
			numbers[n.Field] = num
		}
	}
	return numbers, errs
}

// setPolicyNumbers puts the numbers read, by field, into the course.
func setPolicyNumbers(co *training.Course, numbers map[string]int) {
	for _, n := range policyNumbers {
		if v, ok := numbers[n.Field]; ok {
			*n.Of(co) = v
		}
	}
}

// targetBelowOne is the problem with a compliance target under 1, which
// would read as "the default" once stored: ask for a real target.
func targetBelowOne(numbers map[string]int) (fieldError, bool) {
	n, ok := numbers["target_pct"]
	return fieldError{ID: "target_pct", Message: "The compliance target must be a whole number from 1 to 100."}, ok && n < 1
}

// Inputs of the effective-from date.
const (
	effectiveDayInput   = "effective-from-day"
	effectiveMonthInput = "effective-from-month"
	effectiveYearInput  = "effective-from-year"
)

// courseEditPage is the content of course_edit.html.
type courseEditPage struct {
	Code, Title      string
	Numbers          []numberInput
	Day, Month, Year string
}

type numberInput struct {
	Name, Label, Hint, Value string
}

func newCourseEditPage(course training.Course) courseEditPage {
	values := map[string]int{"new_starter_days": course.NewStarterDays, "validity_months": course.ValidityMonths,
		"due_soon_days": course.DueSoonDays, "renew_window_days": course.RenewWindowDays, "target_pct": course.Target()}
	p := courseEditPage{Code: course.Code, Title: course.Title}
	for _, n := range policyNumbers {
		p.Numbers = append(p.Numbers, numberInput{Name: n.Field, Label: n.Label, Hint: n.Hint, Value: strconv.Itoa(values[n.Field])})
	}
	if !course.EffectiveFrom.IsZero() {
		p.Day, p.Month, p.Year = strconv.Itoa(course.EffectiveFrom.Day()), strconv.Itoa(int(course.EffectiveFrom.Month())), strconv.Itoa(course.EffectiveFrom.Year())
	}
	return p
}

// courseEdit is HR's form for a course's policy numbers.
func (s *Server) courseEdit(c *gin.Context) error {
	course, err := s.courseFor(c)
	if err != nil {
		return err
	}
	s.render(c, http.StatusOK, "course_edit.html", page{Title: "Change the policy for " + course.Title, Data: newCourseEditPage(course)})
	return nil
}

// courseUpdate saves the policy, or shows the form with what to correct.
// The domain decides who may and checks the numbers.
func (s *Server) courseUpdate(c *gin.Context) error {
	course, err := s.courseFor(c)
	if err != nil {
		return err
	}
	data := newCourseEditPage(course)
	numbers, errs := readPolicyNumbers(c, data.Numbers, true)
	data.Day = strings.TrimSpace(c.PostForm(effectiveDayInput))
	data.Month = strings.TrimSpace(c.PostForm(effectiveMonthInput))
	data.Year = strings.TrimSpace(c.PostForm(effectiveYearInput))
	effective, dateErr := parseDateInput(data.Day, data.Month, data.Year, "the date the policy took effect")
	if dateErr != nil {
		dateErr.ID = strings.Replace(dateErr.ID, "completed-on", "effective-from", 1)
	}
	title := "Change the policy for " + course.Title
	show := func(status int, errs []fieldError) {
		s.render(c, status, "course_edit.html", page{Title: title, Errors: errs, Data: data})
	}
	set := func(co *training.Course) {
		setPolicyNumbers(co, numbers)
		if dateErr == nil {
			co.EffectiveFrom = effective
		}
	}
	if len(errs) > 0 || dateErr != nil {
		// Some boxes could not be read: say so, with what the policy's
		// rules say about the boxes that could, all at once.
		f := courseFormErrors()
		v := &training.ValidationError{}
		for _, e := range errs {
			f.Ours[e.ID] = e // a number's input is named for its field
			v.Add(e.ID, "%s", e.Message)
		}
		if dateErr != nil {
			f.Ours["effective_from"] = *dateErr
			v.Add("effective_from", "%s", dateErr.Message)
		}
		candidate := course
		set(&candidate)
		v.Merge(candidate.Validate())
		s.formFailed(c, v, f, show)
		return nil
	}
	if e, low := targetBelowOne(numbers); low {
		s.formFailed(c, training.Invalid(e.ID, "%s", e.Message), courseFormErrors(), show)
		return nil
	}
	if c.PostForm("back") != "" {
		show(http.StatusOK, nil)
		return nil
	}
	if c.PostForm("confirmed") == "" {
		// HR sees what the change does before it is saved.
		impact, err := s.d.Training.PolicyImpact(c.Request.Context(), principal(c).Actor(), course.Code, set)
		if err != nil {
			s.formFailed(c, err, courseFormErrors(), show)
			return nil
		}
		if len(impact.Changes) > 0 {
			s.render(c, http.StatusOK, "course_confirm.html", page{Title: "Check the change to " + course.Title,
				Data: newCourseConfirmPage(course, impact, c.Request.PostForm)})
			return nil
		}
	}
	_, err = s.d.Training.UpdateCourse(c.Request.Context(), principal(c).Actor(), course.Code, set)
	if err != nil {
		s.formFailed(c, err, courseFormErrors(), show)
		return nil
	}
	c.Redirect(http.StatusSeeOther, "/courses/"+course.Code+"?saved=1")
	return nil
}

// courseFormErrors is how the policy form shows the domain's answer: each
// number's message above its input, the date's above its day.
func courseFormErrors() formErrors {
	inputs := map[string]string{"effective_from": effectiveDayInput}
	for _, n := range policyNumbers {
		inputs[n.Field] = n.Field
	}
	order := []string{}
	for _, n := range policyNumbers {
		order = append(order, n.Field)
	}
	order = append(order, effectiveDayInput, effectiveMonthInput, effectiveYearInput)
	return formErrors{Inputs: inputs, Fallback: policyNumbers[0].Field, Order: order, Ours: map[string]fieldError{}}
}

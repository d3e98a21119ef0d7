package web

import (
	"net/http"
	"slices"
	"strings"

	"github.com/gin-gonic/gin"

	"github.com/complytrack/complytrack/pkg/training"
)

// The course form adds a course with every field of its policy, and
// changes a course's details: its name and address, how it is delivered,
// who must do it, what evidence a completion needs and who verifies it.
// The policy's numbers and its date stay on the policy form
// (courseEdit), which shows what a change does before it is saved.

// choice is one radio or checkbox. The first of a group has the group's
// name as its id, which the error summary links to.
type choice struct {
	ID, Value, Text string
	Checked         bool
}

// choiceGroup is a set of radios or checkboxes with its question.
type choiceGroup struct {
	Name, Legend, Hint string
	Checkbox           bool
	Choices            []choice
}

// choiceField is a group as the "course-choices" template shows it, with
// the page for its error.
type choiceField struct {
	Page page
	choiceGroup
}

// Choices pairs a group with the page, for the template.
func (p page) Choices(g choiceGroup) choiceField { return choiceField{Page: p, choiceGroup: g} }

func choices[T ~string](name string, values []T, label func(T) string, chosen ...T) []choice {
	out := make([]choice, len(values))
	for i, v := range values {
		id := name
		if i > 0 {
			id = name + "-" + string(v)
		}
		out[i] = choice{ID: id, Value: string(v), Text: label(v), Checked: slices.Contains(chosen, v)}
	}
	return out
}

var (
	deliveries    = []training.Delivery{training.DeliveryELearning, training.DeliveryClassroom, training.DeliveryEither}
	expiryBases   = []training.ExpiryBasis{training.ExpiryFromCompletion, training.ExpiryFromPreviousExpiry}
	evidences     = []training.Evidence{training.EvidenceNone, training.EvidenceCertificate}
	verifications = []training.Verification{training.VerificationNone, training.VerificationManager, training.VerificationHR}
)

// courseFormPage is the content of course_form.html. New: adding a
// course, with the code and the policy's numbers and date.
type courseFormPage struct {
	New                             bool
	Action, BackHref, BackText      string
	Code, Title, Provider, URL      string
	Delivery, Kinds                 choiceGroup
	Departments, JobTitles          string
	Numbers                         []numberInput
	Day, Month, Year                string
	ExpiryBasis, Evidence, Verified choiceGroup
}

// The form's questions with a choice of answers.
func deliveryGroup(chosen training.Delivery) choiceGroup {
	return choiceGroup{Name: "delivery", Legend: "How is it delivered?", Hint: "A course taught in a room can have face-to-face sessions booked.",
		Choices: choices("delivery", deliveries, deliveryLabel, chosen)}
}

func kindsGroup(chosen []training.Kind) choiceGroup {
	return choiceGroup{Name: "kinds", Legend: "Who must do it?", Hint: "Select all that apply.", Checkbox: true,
		Choices: choices("kinds", training.Kinds, kindLabel, chosen...)}
}

func expiryBasisGroup(chosen training.ExpiryBasis) choiceGroup {
	return choiceGroup{Name: "expiry-basis", Legend: "When someone renews it early, what does the new validity run from?",
		Choices: choices("expiry-basis", expiryBases, expiryBasisLabel, chosen)}
}

func evidenceGroup(chosen training.Evidence) choiceGroup {
	return choiceGroup{Name: "evidence", Legend: "What evidence does a completion need?", Choices: choices("evidence", evidences, evidenceLabel, chosen)}
}

func verificationGroup(chosen training.Verification) choiceGroup {
	return choiceGroup{Name: "verification", Legend: "Who verifies a completion before it counts?",
		Choices: choices("verification", verifications, verificationLabel, chosen)}
}

func newCourseFormPage(course training.Course, isNew bool) courseFormPage {
	p := courseFormPage{New: isNew, Code: course.Code, Title: course.Title, Provider: course.Provider, URL: course.URL,
		Delivery: deliveryGroup(course.Delivery), Kinds: kindsGroup(course.AppliesTo.Kinds),
		Departments: strings.Join(course.AppliesTo.Departments, "\n"), JobTitles: strings.Join(course.AppliesTo.JobTitles, "\n"),
		ExpiryBasis: expiryBasisGroup(course.ExpiryBasis), Evidence: evidenceGroup(course.Evidence), Verified: verificationGroup(course.Verification),
	}
	if isNew {
		p.Action, p.BackHref, p.BackText = "/courses/new", "/courses", "Courses"
		edit := newCourseEditPage(course)
		p.Numbers, p.Day, p.Month, p.Year = edit.Numbers, edit.Day, edit.Month, edit.Year
	} else {
		p.Action, p.BackHref, p.BackText = "/courses/"+course.Code+"/details", "/courses/"+course.Code, course.Title
	}
	return p
}

// lines reads a textarea of one item per line (commas separate too), blanks
// and repeats left out.
func lines(s string) []string {
	var out []string
	for _, part := range strings.FieldsFunc(s, func(r rune) bool { return r == '\n' || r == '\r' || r == ',' }) {
		if v := training.TrimText(part); v != "" && !slices.ContainsFunc(out, func(o string) bool { return strings.EqualFold(o, v) }) {
			out = append(out, v)
		}
	}
	return out
}

// readCourseForm reads the form into data (to show it again) and into
// course; it returns the problems it found reading, by domain field.
func readCourseForm(c *gin.Context, data *courseFormPage, course *training.Course) map[string]fieldError {
	ours := map[string]fieldError{}
	v := func(name string) string { return strings.TrimSpace(c.PostForm(name)) }
	if data.New {
		data.Code, course.Code = v("code"), v("code")
	}
	data.Title, data.Provider, data.URL = v("title"), v("provider"), v("url")
	course.Title, course.Provider, course.URL = data.Title, data.Provider, data.URL

	delivery := training.Delivery(v("delivery"))
	data.Delivery = deliveryGroup(delivery)
	course.Delivery = delivery
	if delivery == "" {
		ours["delivery"] = fieldError{ID: "delivery", Message: "Select how the course is delivered."}
	}
	var kinds []training.Kind
	for _, k := range c.PostFormArray("kinds") {
		kinds = append(kinds, training.Kind(k))
	}
	data.Kinds = kindsGroup(kinds)
	course.AppliesTo.Kinds = kinds
	if len(kinds) == 0 {
		ours["applies_to.kinds"] = fieldError{ID: "kinds", Message: "Select who must do the course."}
	}
	data.Departments, data.JobTitles = v("departments"), v("job-titles")
	course.AppliesTo.Departments, course.AppliesTo.JobTitles = lines(data.Departments), lines(data.JobTitles)

	basis := training.ExpiryBasis(v("expiry-basis"))
	data.ExpiryBasis = expiryBasisGroup(basis)
	course.ExpiryBasis = basis
	if basis == "" {
		ours["expiry_basis"] = fieldError{ID: "expiry-basis", Message: "Select what a renewal’s validity runs from."}
	}
	evidence := training.Evidence(v("evidence"))
	data.Evidence = evidenceGroup(evidence)
	course.Evidence = evidence
	if evidence == "" {
		ours["evidence"] = fieldError{ID: "evidence", Message: "Select the evidence a completion needs."}
	}
	verification := training.Verification(v("verification"))
	data.Verified = verificationGroup(verification)
	course.Verification = verification
	if verification == "" {
		ours["verification"] = fieldError{ID: "verification", Message: "Select who verifies a completion."}
	}
	if !data.New {
		return ours
	}

	numbers, errs := readPolicyNumbers(c, data.Numbers, false)
	for _, e := range errs {
		ours[e.ID] = e // a number's input is named for its field
	}
	if e, low := targetBelowOne(numbers); low {
		ours[e.ID] = e
	}
	setPolicyNumbers(course, numbers)
	data.Day, data.Month, data.Year = v(effectiveDayInput), v(effectiveMonthInput), v(effectiveYearInput)
	effective, dateErr := parseDateInput(data.Day, data.Month, data.Year, "the date people were first required to hold it")
	if dateErr != nil {
		dateErr.ID = strings.Replace(dateErr.ID, "completed-on", "effective-from", 1)
		ours["effective_from"] = *dateErr
	}
	course.EffectiveFrom = effective
	return ours
}

// courseFormErrors places each of the domain's messages above its input,
// in the form's order.
func courseFormFieldErrors(isNew bool, ours map[string]fieldError) formErrors {
	inputs := map[string]string{"code": "code", "title": "title", "provider": "provider", "url": "url", "delivery": "delivery",
		"applies_to.kinds": "kinds", "applies_to": "departments", "expiry_basis": "expiry-basis", "evidence": "evidence",
		"verification": "verification", "effective_from": effectiveDayInput}
	order := []string{"code", "title", "provider", "url", "delivery", "kinds", "departments", "job-titles"}
	for _, n := range policyNumbers {
		inputs[n.Field] = n.Field
		order = append(order, n.Field)
	}
	order = append(order, "expiry-basis", effectiveDayInput, effectiveMonthInput, effectiveYearInput, "evidence", "verification")
	fallback := "title"
	if isNew {
		fallback = "code"
	}
	return formErrors{Inputs: inputs, Fallback: fallback, Order: order, Ours: ours,
		Conflict: "There is already a course with this code. Choose another code."}
}

// readAndRules is what could not be read from the form (ours, by domain
// field) together with what the domain's rules say about the rest of
// course, so that the form shows every problem at once.
func readAndRules(ours map[string]fieldError, course training.Course) error {
	v := &training.ValidationError{}
	for field, e := range ours {
		v.Add(field, "%s", e.Message)
	}
	v.Merge(course.Validate())
	return v
}

// showCourseForm renders the form, with errs when it was sent with problems.
func (s *Server) showCourseForm(c *gin.Context, status int, title string, data courseFormPage, errs []fieldError) {
	s.render(c, status, "course_form.html", page{Title: title, Errors: errs, Data: data})
}

// newCourseForm is HR's form for a new course, filled in with the usual
// policy (a Prevent-like course) to change.
func (s *Server) newCourseForm(c *gin.Context) error {
	start := training.PreventCourse()
	start.Code, start.Title, start.Provider, start.URL = "", "", "", ""
	start.AppliesTo = training.AppliesTo{Kinds: []training.Kind{training.KindStaff}}
	start.EffectiveFrom = training.Date{}
	s.showCourseForm(c, http.StatusOK, "Add a course", newCourseFormPage(start, true), nil)
	return nil
}

// createCourse adds the course, or shows the form with what to correct.
func (s *Server) createCourse(c *gin.Context) error {
	var course training.Course
	data := newCourseFormPage(training.PreventCourse(), true)
	ours := readCourseForm(c, &data, &course)
	show := func(status int, errs []fieldError) { s.showCourseForm(c, status, "Add a course", data, errs) }
	if len(ours) > 0 {
		s.formFailed(c, readAndRules(ours, course), courseFormFieldErrors(true, ours), show)
		return nil
	}
	created, err := s.d.Training.CreateCourse(c.Request.Context(), principal(c).Actor(), course)
	if err != nil {
		s.formFailed(c, err, courseFormFieldErrors(true, ours), show)
		return nil
	}
	c.Redirect(http.StatusSeeOther, "/courses/"+created.Code+"?added=1")
	return nil
}

// courseDetailsForm is HR's form for a course's details.
func (s *Server) courseDetailsForm(c *gin.Context) error {
	course, err := s.courseFor(c)
	if err != nil {
		return err
	}
	s.showCourseForm(c, http.StatusOK, "Change the details of "+course.Title, newCourseFormPage(course, false), nil)
	return nil
}

// updateCourseDetails saves the details, or shows the form with what to
// correct. The policy's numbers and date are left as they are.
func (s *Server) updateCourseDetails(c *gin.Context) error {
	course, err := s.courseFor(c)
	if err != nil {
		return err
	}
	title := "Change the details of " + course.Title
	data := newCourseFormPage(course, false)
	changed := course
	ours := readCourseForm(c, &data, &changed)
	show := func(status int, errs []fieldError) { s.showCourseForm(c, status, title, data, errs) }
	if len(ours) > 0 {
		s.formFailed(c, readAndRules(ours, changed), courseFormFieldErrors(false, ours), show)
		return nil
	}
	_, err = s.d.Training.UpdateCourse(c.Request.Context(), principal(c).Actor(), course.Code, func(co *training.Course) {
		co.Title, co.Provider, co.URL, co.Delivery = changed.Title, changed.Provider, changed.URL, changed.Delivery
		co.AppliesTo = changed.AppliesTo
		co.ExpiryBasis, co.Evidence, co.Verification = changed.ExpiryBasis, changed.Evidence, changed.Verification
	})
	if err != nil {
		s.formFailed(c, err, courseFormFieldErrors(false, ours), show)
		return nil
	}
	c.Redirect(http.StatusSeeOther, "/courses/"+course.Code+"?details=1")
	return nil
}

// courseFormBanner is the course page's banner after the course form.
func courseFormBanner(c *gin.Context, course training.Course) *banner {
	switch {
	case c.Query("added") != "":
		return &banner{Success: true, Heading: "Course added: " + course.Title, Text: "Everyone who must do it now sees it in My training."}
	case c.Query("details") != "":
		return &banner{Success: true, Heading: "Details saved", Text: "Everyone’s status now follows the new details."}
	}
	return nil
}

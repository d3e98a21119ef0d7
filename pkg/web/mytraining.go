package web

import (
	"errors"
	"fmt"
	"net/http"
	"slices"
	"strconv"
	"strings"
	"time"

	"github.com/gin-gonic/gin"

	"github.com/complytrack/complytrack/pkg/training"
)

// myTrainingPage is the content of my_training.html.
type myTrainingPage struct {
	// Urgent says what the person must do and by when, most urgent
	// first: the panel at the top of the page.
	Urgent  []urgentItem
	Courses []courseStatus
	History []historyRow
	// Bookings are the person's live bookings on face-to-face sessions;
	// ShowBookings: the section is shown (a course taught in a room
	// applies to them, or they hold a booking).
	Bookings     []myBookingRow
	ShowBookings bool
}

// myBookingRow is one of the person's live bookings.
type myBookingRow struct {
	ID, SessionID, Course, Date, Time, Place, State, Tag string
}

// courseStatus is one course on "My training".
type courseStatus struct {
	Code, Title, URL string
	Status           training.Status
	// Summary says where the person stands in a sentence.
	Summary string
	// DateLabel and Date: "Due" or "Expires", and when.
	DateLabel, Date string
	// Why explains the date ("due 1 February 2026 = start date ..."),
	// as HR reads it; Plain explains it to the person, in sentences.
	Why   string
	Plain []string
	// due is the date the card's urgency is about, for ordering.
	due     training.Date
	Pending bool
	// FaceToFace: the course is taught in a room, so sessions of it can
	// be booked; BookedOn is the day of the person's live booking.
	FaceToFace bool
	BookedOn   string
	// Rejected is set when the latest completion recorded for the course
	// was rejected: why, so the person can put it right and record it again.
	Rejected *rejection
}

// rejection is a rejected completion as a course's card or row tells it.
type rejection struct {
	On, By, Reason string
}

// latestRejections finds, per course, the rejection of the latest
// completion recorded, when it was rejected; a completion recorded since
// (waiting, accepted) supersedes it. Reviewers are named: people may see
// who decided about their own records.
func (s *Server) latestRejections(c *gin.Context, completions []training.Completion) map[string]*rejection {
	latest := map[string]training.Completion{}
	for _, done := range completions {
		if prev, ok := latest[done.CourseCode]; !ok || done.RecordedAt.After(prev.RecordedAt) {
			latest[done.CourseCode] = done
		}
	}
	out := map[string]*rejection{}
	for code, done := range latest {
		if done.State() != training.StateRejected || done.Review == nil {
			continue
		}
		by := "someone who may verify it"
		if p, err := s.d.Training.PersonByID(c.Request.Context(), done.Review.By); err == nil {
			by = p.FullName()
		}
		out[code] = &rejection{On: longDate(training.DateOf(done.Review.At.In(s.d.Training.Location()))), By: by,
			Reason: strings.TrimRight(strings.TrimSpace(done.Review.Reason), ".")}
	}
	return out
}

// historyRow is one past completion.
type historyRow struct {
	ID, Course, CompletedOn, RecordedBy, State, Reason string
	CertificateName                                    string
	Revocable                                          bool // not revoked yet: HR may revoke it
}

func (s *Server) myTraining(c *gin.Context) error {
	ctx := c.Request.Context()
	p := principal(c)
	items, err := s.d.Training.TrainingOf(ctx, p.Actor(), p.PersonID)
	if err != nil {
		return err
	}
	completions, err := s.d.Training.CompletionsOf(ctx, p.Actor(), p.PersonID)
	if err != nil {
		return err
	}
	courses, err := s.courseTitles(c)
	if err != nil {
		return err
	}
	bookings, err := s.d.Sessions.MyBookings(ctx, p.Actor())
	if err != nil {
		return err
	}
	data := myTrainingPage{}
	bookedOn := map[string]string{}
	for _, b := range bookings {
		if !b.Live() {
			continue
		}
		row := myBookingRow{ID: b.ID, SessionID: b.SessionID, Course: courseTitleOf(b.Session), Date: sessionDate(b.Session.Date),
			Time: sessionTimes(b.Session.Session), Place: b.Session.Location, State: bookingStateText(b.PlacedBooking), Tag: bookingTag(b.State)}
		data.Bookings = append(data.Bookings, row)
		bookedOn[b.CourseCode] = row.Date
	}
	// Soonest first: the next session to go to leads.
	slices.Reverse(data.Bookings)
	data.ShowBookings = len(data.Bookings) > 0
	rejected := s.latestRejections(c, completions)
	for _, a := range items {
		course := courses[a.CourseCode]
		cs := toCourseStatus(a, course)
		cs.Plain = explainForPerson(a)
		cs.Rejected = rejected[a.CourseCode]
		cs.FaceToFace, cs.BookedOn = faceToFace(course), bookedOn[a.CourseCode]
		data.ShowBookings = data.ShowBookings || cs.FaceToFace
		data.Courses = append(data.Courses, cs)
	}
	byUrgency(data.Courses)
	data.Urgent = urgentItems(data.Courses)
	for _, done := range completions {
		data.History = append(data.History, toHistoryRow(done, courses[done.CourseCode].Title, "You"))
	}
	pg := page{Title: "My training", Data: data}
	if id := c.Query("recorded"); id != "" {
		// The banner is built from the record itself, so a crafted link can
		// only ever show one of the person's own completions.
		for _, done := range completions {
			if done.ID == id {
				pg.Banner = recordedBanner(done, courses[done.CourseCode].Title)
			}
		}
	}
	if id := c.Query("cancelled"); id != "" {
		for _, b := range bookings {
			if b.ID == id && b.State == training.BookingCancelled {
				pg.Banner = &banner{Success: true, Heading: "Your booking is cancelled",
					Text: fmt.Sprintf("%s on %s. We have emailed you to confirm.", courseTitleOf(b.Session), sessionDate(b.Session.Date))}
			}
		}
	}
	if c.Query("welcome") != "" {
		pg.Banner = &banner{Success: true, Heading: "Your password is set", Text: "You are signed in. This page shows the training you must do."}
	}
	if c.Query("password_reset") != "" {
		pg.Banner = &banner{Success: true, Heading: "Your password has been changed", Text: "You are signed in here, and signed out everywhere else."}
	}
	s.render(c, http.StatusOK, "my_training.html", pg)
	return nil
}

func recordedBanner(done training.Completion, title string) *banner {
	b := &banner{Success: true, Heading: fmt.Sprintf("Recorded: %s, completed %s", title, longDate(done.CompletedOn))}
	if done.State() == training.StatePending {
		b.Text = "It counts once it has been verified. You will see it change here."
	}
	return b
}

func (s *Server) courseTitles(c *gin.Context) (map[string]training.Course, error) {
	list, err := s.d.Training.Courses(c.Request.Context())
	if err != nil {
		return nil, err
	}
	m := make(map[string]training.Course, len(list))
	for _, course := range list {
		m[course.Code] = course
	}
	return m, nil
}

func toCourseStatus(a training.Assessment, course training.Course) courseStatus {
	cs := courseStatus{Code: a.CourseCode, Title: course.Title, URL: course.URL, Status: a.Status,
		Why: plainDates(a.ExplanationText()), Pending: a.PendingCompletion, due: a.DueOn}
	if cs.Title == "" {
		cs.Title = a.CourseCode
	}
	switch a.Status {
	case training.StatusCompliant:
		if a.ExpiresOn.IsZero() {
			cs.Summary = "You are up to date. This training does not expire."
		} else {
			cs.Summary = "You are up to date until " + longDate(a.ExpiresOn) + "."
			cs.DateLabel, cs.Date = "Expires", longDate(a.ExpiresOn)
		}
	case training.StatusExpiring:
		cs.due = a.ExpiresOn
		cs.Summary = "Your training expires on " + longDate(a.ExpiresOn) + ". Do it again before then."
		cs.DateLabel, cs.Date = "Expires", longDate(a.ExpiresOn)
	case training.StatusExpired:
		cs.due = a.ExpiresOn
		cs.Summary = "Your training expired on " + longDate(a.ExpiresOn) + ". Do it again as soon as you can."
		cs.DateLabel, cs.Date = "Expired", longDate(a.ExpiresOn)
	case training.StatusDue:
		cs.Summary = "Complete it by " + longDate(a.DueOn) + "."
		cs.DateLabel, cs.Date = "Due", longDate(a.DueOn)
	case training.StatusOverdue:
		cs.Summary = "This was due on " + longDate(a.DueOn) + ". Complete it as soon as you can."
		cs.DateLabel, cs.Date = "Was due", longDate(a.DueOn)
	case training.StatusExempt:
		cs.Summary = "You do not need to do this for now."
		if a.Exemption != nil && !a.Exemption.Until.IsZero() {
			cs.Summary = "You do not need to do this until " + longDate(a.Exemption.Until) + "."
			cs.DateLabel, cs.Date = "Exempt until", longDate(a.Exemption.Until)
		}
	}
	return cs
}

// sourceLabels says who recorded a completion; a self-certified one is
// labelled by toHistoryRow, since who "self" is depends on the viewer.
var sourceLabels = map[training.Source]string{
	training.SourceHR:      "HR",
	training.SourceTrainer: "Trainer",
	training.SourceImport:  "Imported from earlier records",
}

var stateLabels = map[training.State]string{
	training.StateAccepted: "Accepted",
	training.StatePending:  "Waiting for verification",
	training.StateRejected: "Rejected",
	training.StateRevoked:  "Revoked",
}

// toHistoryRow is one row of a training history; self is how the person
// whose history it is gets named in "Recorded by" when they recorded it
// themselves ("You" on the viewer's own pages, their name on anyone else's).
func toHistoryRow(done training.Completion, title, self string) historyRow {
	r := historyRow{ID: done.ID, Course: title, CompletedOn: longDate(done.CompletedOn),
		RecordedBy: sourceLabels[done.Source], State: stateLabels[done.State()], Revocable: done.Revocation == nil}
	if done.Source == training.SourceSelf {
		r.RecordedBy = self
	}
	if r.Course == "" {
		r.Course = done.CourseCode
	}
	switch {
	case done.Revocation != nil:
		r.Reason = done.Revocation.Reason
	case done.Review != nil && !done.Review.Accepted:
		r.Reason = done.Review.Reason
	}
	if done.Evidence != nil {
		r.CertificateName = done.Evidence.Filename
	}
	return r
}

// recordPage is the content of record_completion.html.
type recordPage struct {
	Code, Title, URL    string
	CertificateRequired bool
	Day, Month, Year    string
	MaxMB               int
}

// The inputs of the self-certification form: each input's name is also its
// id, which the error summary links to.
const (
	dayInput         = "completed-on-day"
	monthInput       = "completed-on-month"
	yearInput        = "completed-on-year"
	certificateInput = "certificate"
)

// applicableCourse finds the course a person may self-certify: one that
// applies to them today.
func (s *Server) applicableCourse(c *gin.Context) (training.Course, error) {
	return s.app().SelfCertifiableCourse(c.Request.Context(), principal(c).Actor(), c.Param("code"))
}

func newRecordPage(course training.Course) recordPage {
	return recordPage{Code: course.Code, Title: course.Title, URL: course.URL,
		CertificateRequired: course.Evidence == training.EvidenceCertificate, MaxMB: training.MaxEvidenceBytes >> 20}
}

func (s *Server) recordForm(c *gin.Context) error {
	course, err := s.applicableCourse(c)
	if err != nil {
		return err
	}
	data := newRecordPage(course)
	// A form sent after the sign-in ended comes back with its date (see
	// keptForms); the file has to be chosen again.
	data.Day = strings.TrimSpace(c.Query(dayInput))
	data.Month = strings.TrimSpace(c.Query(monthInput))
	data.Year = strings.TrimSpace(c.Query(yearInput))
	s.render(c, http.StatusOK, "record_completion.html", page{Title: "Record your " + course.Title + " training", Data: data})
	return nil
}

// record self-certifies a completion from the form, then shows "My
// training" with the outcome (POST-redirect-GET), or the form again with
// what to correct.
func (s *Server) record(c *gin.Context) error {
	course, err := s.applicableCourse(c)
	if err != nil {
		return err
	}
	data := newRecordPage(course)
	data.Day = strings.TrimSpace(c.PostForm(dayInput))
	data.Month = strings.TrimSpace(c.PostForm(monthInput))
	data.Year = strings.TrimSpace(c.PostForm(yearInput))

	// Problems found reading the form go to the domain service with the
	// input, so one answer lists them together with its own (a missing
	// certificate, say), and nothing is recorded while there are any.
	in := training.CompletionInput{CourseCode: course.Code}
	ours := map[string]fieldError{}
	date, dateErr := parseDateInput(data.Day, data.Month, data.Year, "the date you completed the course")
	if dateErr != nil {
		ours["completed_on"] = *dateErr
		in.Problems = append(in.Problems, training.FieldError{Field: "completed_on", Message: dateErr.Message})
	}
	upload, fileErr := readCertificate(c)
	if fileErr != nil {
		ours["certificate"] = *fileErr
		in.Problems = append(in.Problems, training.FieldError{Field: "certificate", Message: fileErr.Message})
	}
	in.CompletedOn, in.Certificate = date, upload

	done, err := s.app().SelfCertify(c.Request.Context(), principal(c).Actor(), in)
	if err != nil {
		s.formFailed(c, err, recordFormErrors(ours, errors.Is(err, training.ErrCertificateFileNeeded)), func(status int, errs []fieldError) {
			s.render(c, status, "record_completion.html", page{Title: "Record your " + course.Title + " training", Errors: errs, Data: data})
		})
		return nil
	}
	c.Redirect(http.StatusSeeOther, "/my-training?recorded="+done.ID)
	return nil
}

// recordFormErrors is how the self-certification form shows the domain's
// answer: each message names what to fix and links to its input. ours are
// the problems the form found itself, by the domain's field name.
// fileMissing: the course needs the certificate file and none was chosen.
// A problem nothing on this form can fix (the course stopped applying,
// say) is shown linked to the first input.
func recordFormErrors(ours map[string]fieldError, fileMissing bool) formErrors {
	return formErrors{Inputs: map[string]string{"completed_on": dayInput, "certificate": certificateInput}, Fallback: dayInput, Ours: ours,
		Say: func(f training.FieldError) string {
			if f.Field == "certificate" && fileMissing {
				return "Choose the certificate file the course gave you (PDF, PNG or JPEG)."
			}
			return capitalise(plainDates(f.Message))
		}}
}

// parseDateInput reads a GOV.UK date input (day, month, year) with the
// messages its pattern prescribes; what names the date in them, as in
// "Enter the start date.".
func parseDateInput(day, month, year, what string) (training.Date, *fieldError) {
	if day == "" && month == "" && year == "" {
		return training.Date{}, &fieldError{ID: dayInput, Message: fmt.Sprintf("Enter %s.", what)}
	}
	// Incomplete: name every part that is missing ("must include a day
	// and year"), and link to the first.
	var names []string
	id := ""
	for _, m := range []struct{ value, name, id string }{{day, "day", dayInput}, {month, "month", monthInput}, {year, "year", yearInput}} {
		if m.value == "" {
			names = append(names, m.name)
			if id == "" {
				id = m.id
			}
		}
	}
	if len(names) > 0 {
		return training.Date{}, &fieldError{ID: id, Message: capitalise(fmt.Sprintf("%s must include a %s.", what, strings.Join(names, " and ")))}
	}
	d, derr := strconv.Atoi(day)
	m, merr := strconv.Atoi(month)
	y, yerr := strconv.Atoi(year)
	if derr != nil || merr != nil || yerr != nil || len(year) != 4 || m < 1 || m > 12 || d < 1 || d > 31 {
		return training.Date{}, &fieldError{ID: dayInput, Message: capitalise(fmt.Sprintf("%s must be a real date, for example 27 3 2026.", what))}
	}
	date := training.NewDate(y, time.Month(m), d)
	if date.Day() != d { // 31 April became 1 May
		return training.Date{}, &fieldError{ID: dayInput, Message: capitalise(fmt.Sprintf("%s must be a real date, for example 27 3 2026.", what))}
	}
	return date, nil
}

func capitalise(s string) string {
	if s == "" {
		return s
	}
	return strings.ToUpper(s[:1]) + s[1:]
}

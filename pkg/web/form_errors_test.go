package web_test

import (
	"context"
	"errors"
	"net/http"
	"net/url"
	"strings"
	"testing"

	"go.mongodb.org/mongo-driver/v2/bson"

	"github.com/complytrack/complytrack/pkg/training"
)

// domainMessage is the domain's sentence for field of err.
func domainMessage(t *testing.T, err error, field string) string {
	t.Helper()
	var ve *training.ValidationError
	if !errors.As(err, &ve) {
		t.Fatalf("not a validation error: %v", err)
	}
	for _, f := range ve.Fields {
		if f.Field == field {
			return f.Message
		}
	}
	t.Fatalf("%v names no %s", err, field)
	return ""
}

// Every kind of refusal a form can meet is shown on the form, in the
// error summary linked to an input, with the status that says what it
// was; none is a 500.
func TestFormRefusalsAreShownInTheErrorSummary(t *testing.T) {
	e := newEnv(t, "http://127.0.0.1")
	sophie := e.employee("Sophie", "Marsh")
	done, err := e.app.Training.RecordCompletion(t.Context(), e.hr, sophie.ID, training.CompletionInput{
		CourseCode: "PREVENT", CompletedOn: training.MustDate("2026-10-05"), CertificateRef: "HO-7"})
	if err != nil {
		t.Fatal(err)
	}
	if _, err := e.app.Training.Revoke(t.Context(), e.hr, done.ID, "Recorded against the wrong person."); err != nil {
		t.Fatal(err)
	}
	badEmail := training.Person{EmployeeNumber: "E-9", Email: "not-an-address", GivenName: "Ann", FamilyName: "Lee",
		Kind: training.KindStaff, StartDate: training.MustDate("2026-01-05")}.Validate()
	person := func(number, email string) url.Values {
		return url.Values{"employee-number": {number}, "email": {email}, "given-name": {"Ann"}, "family-name": {"Lee"},
			"kind": {"staff"}, "job-title": {"Clerk"}, "department": {"Finance"},
			"start-date-day": {"5"}, "start-date-month": {"1"}, "start-date-year": {"2026"}}
	}

	tests := []struct {
		name   string
		page   string // the form's page, visited first for its CSRF token
		action string
		form   url.Values
		get    bool // a list's filters: sent as a query
		status int
		link   string // the error summary's link to the input
		msg    string
	}{
		{name: "invalid field", page: "/people/new", action: "/people/new", form: person("E-9", "not-an-address"),
			status: http.StatusUnprocessableEntity, link: "#email", msg: domainMessage(t, badEmail, "email")},
		{name: "conflict saying why", page: "/people/new", action: "/people/new", form: person(sophie.EmployeeNumber, "ann.lee@example.gov.uk"),
			status: http.StatusUnprocessableEntity, link: "#employee-number",
			msg: "Someone else already has the employee number " + sophie.EmployeeNumber + "."},
		{name: "conflict on a decision taken already", page: "/completions/" + done.ID + "/revoke", action: "/completions/" + done.ID + "/revoke",
			form: url.Values{"reason": {"Twice."}}, status: http.StatusConflict, link: "#reason", msg: "This completion was revoked already."},
		{name: "date the form cannot read", page: "/people/" + sophie.ID + "/exemptions/new", action: "/people/" + sophie.ID + "/exemptions",
			form:   url.Values{"course_code": {"PREVENT"}, "reason": {"On long-term leave."}, "until-day": {"31"}, "until-month": {"2"}, "until-year": {"2027"}},
			status: http.StatusUnprocessableEntity, link: "#until-day", msg: "The date the exemption ends must be a real date, for example 27 3 2026."},
		{name: "filter refused", action: "/people?status=sleeping", get: true, status: http.StatusBadRequest, link: "#status",
			msg: "Choose a status from the list."},
		{name: "flag kind refused", action: "/flags?kind=sleeping", get: true, status: http.StatusBadRequest, link: "#kind",
			msg: "Choose a kind of flag from the list."},
		{name: "flags page link made up", action: "/flags?after=made-up", get: true, status: http.StatusBadRequest, link: "#kind",
			msg: "That page link has expired: start again from the first page."},
		{name: "team order made up", action: "/team?sort=sideways", get: true, status: http.StatusBadRequest, link: "#sort",
			msg: "Choose an order from the list."},
	}
	b := e.newBrowser()
	b.signIn(adminEmail, adminPassword)
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			var r result
			if tc.get {
				r = b.get(tc.action)
			} else {
				mustStatus(t, b.visit(tc.page), http.StatusOK)
				r = b.submit(tc.action, tc.form)
			}
			mustStatus(t, r, tc.status)
			mustContain(t, r, `class="error-summary"`, `<a href="`+tc.link+`">`+tc.msg+`</a>`)
		})
	}

	t.Run("sign-in paused", func(t *testing.T) {
		b := e.newBrowser()
		b.visit("/sign-in")
		for range 6 {
			b.submit("/sign-in", url.Values{"email": {sophie.Email}, "password": {"wrong-password-1"}})
		}
		r := b.submit("/sign-in", url.Values{"email": {sophie.Email}, "password": {castPassword}})
		mustStatus(t, r, http.StatusTooManyRequests)
		mustContain(t, r, `class="error-summary"`, `<a href="#email">Sign-in for `+sophie.Email+` is paused until`)
	})
}

// A failure of ours shows the 500 page, which quotes the request's
// reference: the ID its log lines carry and X-Request-ID names.
func TestServerErrorPageQuotesTheRequestReference(t *testing.T) {
	e := newEnv(t, "http://127.0.0.1")
	sophie := e.addPerson("Sophie", "Marsh", "")
	b := e.newBrowser()
	b.signIn(adminEmail, adminPassword)
	// An audit entry the store cannot read makes the person page fail.
	if _, err := e.app.Store.DB().Collection("audit").InsertOne(context.Background(),
		bson.D{{Key: "_id", Value: "zzzz-unreadable"}, {Key: "entity_id", Value: sophie.ID}, {Key: "at", Value: "not a time"}}); err != nil {
		t.Fatal(err)
	}
	r := b.get("/people/" + sophie.ID)
	mustStatus(t, r, http.StatusInternalServerError)
	ref := r.Header.Get("X-Request-ID")
	if ref == "" {
		t.Fatal("no X-Request-ID")
	}
	mustContain(t, r, "Sorry, there is a problem with the service", "quote this reference: <strong>"+ref+"</strong>")
	if strings.Contains(r.Body, "not a time") || strings.Contains(r.Body, "decode") {
		t.Errorf("the page shows internals:\n%s", r.Body)
	}
}

package httpapi

// The API's operations, declared once. The router (New) and the OpenAPI
// document (openapi.go) are both built from the table below, so a route
// cannot be served without being described, or described without being
// served; request and response schemas come from the very structs the
// handlers bind and answer with.
//
// Adding a route: write its handler and add one entry to operations, for
// example
//
//	{Method: "POST", Path: "/api/v1/jobs/{name}/run", ID: "runJob", Handle: (*handlers).runJob, Tag: "Jobs",
//		Summary: "Run a scheduled job now", OK: 202, OKAlso: []int{200}, Out: jsonOf[jobRunResponse](), Errors: []int{403}},
//
// and, for a new request body type, its rules to inputRules. A new named
// string type in a response needs its values in enumValues.

import (
	"fmt"
	"reflect"
	"strings"

	"github.com/gin-gonic/gin"

	"github.com/complytrack/complytrack/pkg/auth"
	"github.com/complytrack/complytrack/pkg/evidence"
	"github.com/complytrack/complytrack/pkg/notify"
	"github.com/complytrack/complytrack/pkg/peoplecsv"
	"github.com/complytrack/complytrack/pkg/reportcsv"
	"github.com/complytrack/complytrack/pkg/training"
)

// Tags group the operations in the document.
const (
	tagHealth      = "Health"
	tagAuth        = "Auth"
	tagMe          = "Me"
	tagPeople      = "People"
	tagCourses     = "Courses"
	tagCompletions = "Completions"
	tagExemptions  = "Exemptions"
	tagTeam        = "Team"
	tagFlags       = "Flags"
	tagReports     = "Reports"
	tagOutbox      = "Outbox"
	tagAudit       = "Audit"
	tagSessions    = "Sessions"
)

// operations is the API, declared once: every route the router serves
// (routes registers each with its handler, behind authenticate unless it
// is Public, with checkQuery for its closed-value query parameters) and
// every operation of /openapi.json. Implied responses are added by the
// document builder: 401 for every authenticated route, 404 for a path
// parameter, 413, 415 and 422 for a JSON body, 400 for a multipart form
// that cannot be read, 422 for query parameters, and a default problem
// for anything unexpected. Errors lists the others.
var operations = []operation{
	// Health and discovery.
	{Method: "GET", Path: "/healthz", ID: "health", Handle: (*handlers).health, Tag: tagHealth, Public: true, NoDatabase: true,
		Summary: "The process is up", OK: 200, Out: jsonOf[statusMessage]()},
	{Method: "GET", Path: "/readyz", ID: "ready", Handle: (*handlers).ready, Tag: tagHealth, Public: true,
		Summary: "The database is reachable", OK: 200, Out: jsonOf[statusMessage]()},
	{Method: "GET", Path: "/openapi.json", ID: "openapi", Handle: (*handlers).openapi, Tag: tagHealth, Public: true, NoDatabase: true,
		Summary: "This OpenAPI document", OK: 200, Out: body{{Type: "application/json", Schema: obj{"type": "object"}}}},
	{Method: "GET", Path: "/.well-known/jwks.json", ID: "jwks", Handle: (*handlers).jwks, Tag: tagAuth, Public: true, NoDatabase: true,
		Summary: "Public keys that verify access tokens (JWKS)", OK: 200, Out: jsonOf[auth.JWKS]()},

	// Sign-in.
	{Method: "POST", Path: "/api/v1/auth/login", ID: "login", Handle: (*handlers).login, Tag: tagAuth, Public: true,
		Summary: "Sign in with e-mail and password (403 when passwords are turned off for single sign-on)", In: jsonOf[loginRequest](), OK: 200, Out: jsonOf[tokensResponse](), Errors: []int{401, 403, 429}},
	{Method: "POST", Path: "/api/v1/auth/refresh", ID: "refresh", Handle: (*handlers).refresh, Tag: tagAuth, Public: true,
		Summary: "Exchange a refresh token for new tokens (a reused one revokes the whole login)", In: jsonOf[refreshRequest](), OK: 200, Out: jsonOf[tokensResponse](), Errors: []int{401}},
	{Method: "POST", Path: "/api/v1/auth/logout", ID: "logout", Handle: (*handlers).logout, Tag: tagAuth, Public: true,
		Summary: "End the login a refresh token belongs to", In: jsonOf[refreshRequest](), OK: 204},
	{Method: "POST", Path: "/api/v1/auth/accept-invite", ID: "acceptInvite", Handle: (*handlers).acceptInvite, Tag: tagAuth, Public: true,
		Summary: "Accept an invitation and choose a password", In: jsonOf[acceptInviteRequest](), OK: 200, Out: jsonOf[tokensResponse]()},
	{Method: "POST", Path: "/api/v1/auth/forgot-password", ID: "forgotPassword", Handle: (*handlers).forgotPassword, Tag: tagAuth, Public: true,
		Summary: "E-mail a one-time link to reset a complytrack password (the same answer whether or not the address has an account)", In: jsonOf[forgotPasswordRequest](), OK: 202, Out: jsonOf[statusMessage](), Errors: []int{429}},
	{Method: "POST", Path: "/api/v1/auth/reset-password", ID: "resetPassword", Handle: (*handlers).resetPassword, Tag: tagAuth, Public: true,
		Summary: "Choose a new password with a reset link, ending every other sign-in, and sign in", In: jsonOf[resetPasswordRequest](), OK: 200, Out: jsonOf[tokensResponse](), Errors: []int{403}},

	// The caller.
	{Method: "GET", Path: "/api/v1/me", ID: "getMe", Handle: (*handlers).me, Tag: tagMe,
		Summary: "The caller's person record and roles", OK: 200, Out: jsonOf[meResponse]()},
	{Method: "POST", Path: "/api/v1/me/password", ID: "changePassword", Handle: (*handlers).changePassword, Tag: tagMe,
		Summary: "Change the caller's password", In: jsonOf[changePasswordRequest](), OK: 204, Errors: []int{429}},
	{Method: "GET", Path: "/api/v1/me/training", ID: "getMyTraining", Handle: (*handlers).myTraining, Tag: tagMe,
		Summary: "The caller's training status, course by course", OK: 200, Out: jsonOf[trainingResponse]()},
	{Method: "POST", Path: "/api/v1/me/completions", ID: "selfCertify", Handle: (*handlers).selfCertify, Tag: tagMe,
		Summary: "Self-certify a completion, optionally with the certificate file", In: completionBody, OK: 201, Out: jsonOf[completionResponse](), Errors: []int{409}},

	// People.
	{Method: "GET", Path: "/api/v1/people", ID: "listPeople", Handle: (*handlers).listPeople, Tag: tagPeople,
		Summary: "People the caller may see", Query: paged(qDepartment, qPersonStatus, qSearch), OK: 200, Out: jsonOf[list[personResponse]]()},
	{Method: "POST", Path: "/api/v1/people", ID: "createPerson", Handle: (*handlers).createPerson, Tag: tagPeople,
		Summary: "Add a person", In: jsonOf[personRequest](), OK: 201, Out: jsonOf[savedPersonResponse](), Errors: []int{403, 409}},
	{Method: "POST", Path: "/api/v1/people/import", ID: "importPeople", Handle: (*handlers).importPeople, Tag: tagPeople,
		Summary: "Import an HR-system CSV export, upserting by employee number", Query: params(qDryRun, qMapping), In: csvImportBody, OK: 200, Out: jsonOf[importResponse](),
		Errors: []int{403, 413, 415}},
	{Method: "GET", Path: "/api/v1/import-mappings", ID: "listImportMappings", Handle: (*handlers).listImportMappings, Tag: tagPeople,
		Summary: "HR's mappings of HR-system exports, newest first (HR)", OK: 200, Out: jsonOf[list[importMappingResponse]](), Errors: []int{403}},
	{Method: "POST", Path: "/api/v1/import-mappings", ID: "createImportMapping", Handle: (*handlers).createImportMapping, Tag: tagPeople,
		Summary: "Keep a mapping of an HR-system export's headers and date format, for imports (HR)", In: jsonOf[importMappingRequest](), OK: 201, Out: jsonOf[importMappingResponse](), Errors: []int{403}},
	{Method: "POST", Path: "/api/v1/import-mappings/suggest", ID: "suggestImportMapping", Handle: (*handlers).suggestImportMapping, Tag: tagPeople,
		Summary: "Propose a mapping for a CSV export from its first lines: headers matched on common synonyms, the date format when the dates tell (HR)", In: csvSampleBody, OK: 200, Out: jsonOf[suggestResponse](),
		Errors: []int{403, 415}},
	{Method: "GET", Path: "/api/v1/people/{id}", ID: "getPerson", Handle: (*handlers).getPerson, Tag: tagPeople,
		Summary: "One person", OK: 200, Out: jsonOf[personResponse]()},
	{Method: "PATCH", Path: "/api/v1/people/{id}", ID: "patchPerson", Handle: (*handlers).patchPerson, Tag: tagPeople,
		Summary: "Change some of a person's fields (absent fields are left alone)", In: jsonOf[personPatchRequest](), OK: 200, Out: jsonOf[savedPersonResponse](), Errors: []int{403, 409}},
	{Method: "POST", Path: "/api/v1/people/{id}/invite", ID: "invitePerson", Handle: (*handlers).invite, Tag: tagPeople,
		Summary: "E-mail the person a one-time link to set their password", OK: 202, Out: jsonOf[statusMessage](), Errors: []int{403, 409, 422}},
	{Method: "PUT", Path: "/api/v1/people/{id}/roles", ID: "setRoles", Handle: (*handlers).setRoles, Tag: tagPeople,
		Summary: "Grant the hr, auditor, trainer and member_services roles", In: jsonOf[rolesRequest](), OK: 200, Out: jsonOf[rolesResponse](), Errors: []int{403}},
	{Method: "GET", Path: "/api/v1/people/{id}/training", ID: "getPersonTraining", Handle: (*handlers).personTraining, Tag: tagPeople,
		Summary: "A person's training status, course by course", OK: 200, Out: jsonOf[trainingResponse]()},
	{Method: "GET", Path: "/api/v1/people/{id}/completions", ID: "listCompletions", Handle: (*handlers).listCompletions, Tag: tagCompletions,
		Summary: "A person's completions", OK: 200, Out: jsonOf[list[completionResponse]]()},
	{Method: "POST", Path: "/api/v1/people/{id}/completions", ID: "recordCompletion", Handle: (*handlers).recordCompletion, Tag: tagCompletions,
		Summary: "Record a completion for a person (HR; or a trainer, for attendance at a classroom session, never their own)", In: completionBody, OK: 201, Out: jsonOf[completionResponse](), Errors: []int{403, 409}},
	{Method: "GET", Path: "/api/v1/people/{id}/exemptions", ID: "listExemptions", Handle: (*handlers).listExemptions, Tag: tagExemptions,
		Summary: "A person's exemptions", OK: 200, Out: jsonOf[list[exemptionResponse]]()},
	{Method: "POST", Path: "/api/v1/people/{id}/exemptions", ID: "grantExemption", Handle: (*handlers).grantExemption, Tag: tagExemptions,
		Summary: "Exempt a person from a course", In: jsonOf[exemptionRequest](), OK: 201, Out: jsonOf[exemptionResponse](), Errors: []int{403, 409}},

	// Courses.
	{Method: "GET", Path: "/api/v1/courses", ID: "listCourses", Handle: (*handlers).listCourses, Tag: tagCourses,
		Summary: "Every course", OK: 200, Out: jsonOf[list[courseResponse]]()},
	{Method: "POST", Path: "/api/v1/courses", ID: "createCourse", Handle: (*handlers).createCourse, Tag: tagCourses,
		Summary: "Add a course (absent fields take the default policy)", In: jsonOf[courseRequest](), Require: []string{"code", "title", "applies_to", "effective_from"}, OK: 201, Out: jsonOf[courseResponse](), Errors: []int{403, 409}},
	{Method: "GET", Path: "/api/v1/courses/{code}", ID: "getCourse", Handle: (*handlers).getCourse, Tag: tagCourses,
		Summary: "One course", OK: 200, Out: jsonOf[courseResponse]()},
	{Method: "PATCH", Path: "/api/v1/courses/{code}", ID: "patchCourse", Handle: (*handlers).patchCourse, Tag: tagCourses,
		Summary: "Change a course's policy (absent fields are left alone)", In: jsonOf[courseRequest](), OK: 200, Out: jsonOf[courseResponse](), Errors: []int{403, 409}},

	// Completions and exemptions by their own IDs.
	{Method: "GET", Path: "/api/v1/completions/{id}/certificate", ID: "getCertificate", Handle: (*handlers).certificate, Tag: tagCompletions,
		Summary: "A completion's certificate file (as an attachment)", OK: 200, Out: certificateBody},
	{Method: "POST", Path: "/api/v1/completions/{id}/verify", ID: "verifyCompletion", Handle: (*handlers).verify, Tag: tagCompletions,
		Summary: "Accept a completion awaiting verification", In: jsonOf[reasonRequest](), OptionalBody: true, OK: 200, Out: jsonOf[completionResponse](), Errors: []int{403, 409}},
	{Method: "POST", Path: "/api/v1/completions/{id}/reject", ID: "rejectCompletion", Handle: (*handlers).reject, Tag: tagCompletions,
		Summary: "Reject a completion awaiting verification, saying why", In: jsonOf[reasonRequest](), OK: 200, Out: jsonOf[completionResponse](), Errors: []int{403, 409}},
	{Method: "POST", Path: "/api/v1/completions/{id}/revoke", ID: "revokeCompletion", Handle: (*handlers).revoke, Tag: tagCompletions,
		Summary: "Withdraw a completion after the fact, saying why (HR)", In: jsonOf[reasonRequest](), OK: 200, Out: jsonOf[completionResponse](), Errors: []int{403, 409}},
	{Method: "DELETE", Path: "/api/v1/exemptions/{id}", ID: "removeExemption", Handle: (*handlers).removeExemption, Tag: tagExemptions,
		Summary: "End an exemption", OK: 204, Errors: []int{403, 409}},

	// Views across people.
	{Method: "GET", Path: "/api/v1/team", ID: "getTeam", Handle: (*handlers).team, Tag: tagTeam,
		Summary: "Everyone in the caller's reporting line, direct and indirect, with their training", Query: paged(qTrainingStatus, qCourseCode), OK: 200, Out: jsonOf[list[teamMember]]()},
	{Method: "GET", Path: "/api/v1/flags", ID: "listFlags", Handle: (*handlers).listFlags, Tag: tagFlags,
		Summary: "What the scheduled jobs raised, within the caller's scope", Query: paged(qFlagKind), OK: 200, Out: jsonOf[list[flagResponse]]()},
	{Method: "GET", Path: "/api/v1/reports/compliance", ID: "complianceReport", Handle: (*handlers).complianceReport, Tag: tagReports,
		Summary: "Compliance with a course, grouped, today or as of a past day", Query: params(qCourseCode, qGroupBy, qAsOf, qFormat), OK: 200, Out: reportBody, Errors: []int{403, 404}},
	{Method: "GET", Path: "/api/v1/reports/monthly", ID: "monthlyReports", Handle: (*handlers).monthlyReports, Tag: tagReports,
		Summary: "The monthly compliance reports as they were kept and sent, newest first (HR, auditor)", Query: params(qCourseCode), OK: 200, Out: jsonOf[list[monthlyReport]](), Errors: []int{403}},
	{Method: "GET", Path: "/api/v1/outbox", ID: "listOutbox", Handle: (*handlers).listOutbox, Tag: tagOutbox,
		Summary: "Every e-mail the system has queued or sent", Query: paged(qTo, qMessageKind), OK: 200, Out: jsonOf[list[messageResponse]](), Errors: []int{403}},
	{Method: "GET", Path: "/api/v1/audit", ID: "listAudit", Handle: (*handlers).listAudit, Tag: tagAudit,
		Summary: "The audit log: every write, with actor, time, before and after", Query: paged(qEntityID), OK: 200, Out: jsonOf[list[auditResponse]](), Errors: []int{403}},

	// Face-to-face sessions and their bookings.
	{Method: "GET", Path: "/api/v1/sessions", ID: "listSessions", Handle: (*handlers).listSessions, Tag: tagSessions,
		Summary: "Face-to-face sessions by date and start time (upcoming by default)", Query: params(qCourseCode, qFromDay, qToDay, qTrainerID, qIncludeCancelled), OK: 200, Out: jsonOf[list[sessionResponse]]()},
	{Method: "POST", Path: "/api/v1/sessions", ID: "scheduleSession", Handle: (*handlers).scheduleSession, Tag: tagSessions,
		Summary: "Schedule a face-to-face session (HR, trainer)", In: jsonOf[sessionRequest](), Require: []string{"course_code", "date", "start_time", "end_time", "location", "capacity", "trainer_id"},
		OK: 201, Out: jsonOf[sessionResponse](), Errors: []int{403}},
	{Method: "GET", Path: "/api/v1/sessions/{id}", ID: "getSession", Handle: (*handlers).getSession, Tag: tagSessions,
		Summary: "One session, with its places booked and left", OK: 200, Out: jsonOf[sessionResponse]()},
	{Method: "PATCH", Path: "/api/v1/sessions/{id}", ID: "rescheduleSession", Handle: (*handlers).patchSession, Tag: tagSessions,
		Summary: "Reschedule a session (absent fields are left alone); everyone booked is told (HR, the session's trainer)", In: jsonOf[sessionRequest](), OK: 200, Out: jsonOf[sessionResponse](), Errors: []int{403, 409}},
	{Method: "POST", Path: "/api/v1/sessions/{id}/cancel", ID: "cancelSession", Handle: (*handlers).cancelSession, Tag: tagSessions,
		Summary: "Cancel a session, saying why; everyone booked is told (HR, the session's trainer)", In: jsonOf[reasonRequest](), OK: 200, Out: jsonOf[sessionResponse](), Errors: []int{403, 409}},
	{Method: "GET", Path: "/api/v1/sessions/{id}/calendar.ics", ID: "getSessionCalendar", Handle: (*handlers).sessionCalendar, Tag: tagSessions,
		Summary: "The session as an iCalendar file (RFC 5545) to add to a calendar", OK: 200, Out: calendarBody},
	{Method: "GET", Path: "/api/v1/sessions/{id}/bookings", ID: "listSessionBookings", Handle: (*handlers).sessionBookings, Tag: tagSessions,
		Summary: "A session's bookings in queue order, the waiting list last (HR, the session's trainer)", OK: 200, Out: jsonOf[list[bookingResponse]](), Errors: []int{403}},
	{Method: "POST", Path: "/api/v1/sessions/{id}/bookings", ID: "bookSession", Handle: (*handlers).book, Tag: tagSessions,
		Summary: "Book a place (or a place on the waiting list): yourself with no body or {}, someone in your reporting line (HR: anyone) with person_id, a partner attendee with external (HR, trainer)",
		In:      jsonOf[bookingRequest](), OptionalBody: true, OK: 201, Out: jsonOf[bookingResponse](), Errors: []int{403, 409}},
	{Method: "POST", Path: "/api/v1/sessions/{id}/register", ID: "markRegister", Handle: (*handlers).register, Tag: tagSessions,
		Summary: "Mark who attended (each gets an accepted completion dated the session's day) and who did not come (HR, the session's trainer; from the session's day)",
		In:      jsonOf[registerRequest](), OK: 200, Out: jsonOf[registerResponse](), Errors: []int{403, 409}},
	{Method: "GET", Path: "/api/v1/me/bookings", ID: "getMyBookings", Handle: (*handlers).myBookings, Tag: tagMe,
		Summary: "The caller's bookings, newest session first", OK: 200, Out: jsonOf[list[bookingResponse]]()},
	{Method: "POST", Path: "/api/v1/bookings/{id}/cancel", ID: "cancelBooking", Handle: (*handlers).cancelBooking, Tag: tagSessions,
		Summary: "Cancel a booking (the person, their manager, HR; a partner's: HR, trainer); the first on the waiting list takes the place", OK: 200, Out: jsonOf[bookingResponse](), Errors: []int{403, 409}},
	{Method: "GET", Path: "/api/v1/reports/partners", ID: "partnerReport", Handle: (*handlers).partnerReport, Tag: tagReports,
		Summary: "Partner organisations' attendance at sessions between two days (HR, auditor)", Query: params(qFromDay, qToDay), OK: 200, Out: jsonOf[partnerReportResponse](), Errors: []int{403}},

	{Method: "POST", Path: "/api/v1/jobs/{name}/run", ID: "runJob", Handle: (*handlers).runJob, Tag: "Jobs",
		Summary: "Run a scheduled job now (compliance-scan, manager-digest, monthly-report, delivery); 409 when it is running or ran this minute", OK: 200, Out: jsonOf[jobRunResponse](), Errors: []int{403, 409}},
}

// Query parameters.
var (
	qLimit = param{Name: "limit", Description: fmt.Sprintf("Page size: %d by default, at most %d.", training.DefaultPageLimit, training.MaxPageLimit),
		Schema: obj{"type": "integer", "minimum": 1, "maximum": training.MaxPageLimit, "default": training.DefaultPageLimit}}
	qCursor         = param{Name: "cursor", Description: "The next_cursor of the previous page.", Schema: obj{"type": "string"}}
	qDepartment     = param{Name: "department", Description: "Only people in this department.", Schema: obj{"type": "string", "maxLength": 200}}
	qSearch         = param{Name: "q", Description: "Matched against names, e-mail and employee number, ignoring case.", Schema: obj{"type": "string", "maxLength": 200}}
	qPersonStatus   = param{Name: "status", Description: "Only people with this status for at least one course.", Type: reflect.TypeFor[training.Status]()}
	qTrainingStatus = param{Name: "status", Description: "Only people with this status for a course.", Type: reflect.TypeFor[training.Status]()}
	qCourseCode     = param{Name: "course_code", Description: "The course.", Schema: obj{"type": "string"}}
	qFlagKind       = param{Name: "kind", Description: "Only flags of this kind.", Type: reflect.TypeFor[training.FlagKind]()}
	qMessageKind    = param{Name: "kind", Description: "Only messages of this kind.", Type: reflect.TypeFor[notify.Kind]()}
	qTo             = param{Name: "to", Description: "Only messages to this address.", Schema: obj{"type": "string"}}
	qEntityID       = param{Name: "entity_id", Description: "Only entries about this object.", Schema: obj{"type": "string"}}
	qGroupBy        = param{Name: "group_by", Description: "How to split the totals: department by default.", Type: reflect.TypeFor[training.GroupBy](), HandlerChecks: true}
	qAsOf           = param{Name: "as_of", Description: "The day to answer for (YYYY-MM-DD): today by default; a past day is answered as it was known then.",
		Schema: obj{"type": "string", "format": "date"}}
	qFormat = param{Name: "format", Description: "csv for the named list of applicable people as CSV (as does Accept: text/csv); json by default.",
		Schema: obj{"type": "string", "enum": []string{"json", "csv"}}, HandlerChecks: true}
	qFromDay          = param{Name: "from", Description: "The first day (YYYY-MM-DD).", Schema: obj{"type": "string", "format": "date"}}
	qToDay            = param{Name: "to", Description: "The last day (YYYY-MM-DD).", Schema: obj{"type": "string", "format": "date"}}
	qTrainerID        = param{Name: "trainer_id", Description: "Only sessions this person trains.", Schema: obj{"type": "string"}}
	qIncludeCancelled = param{Name: "include_cancelled", Description: "true: cancelled sessions too.", Schema: obj{"type": "boolean", "default": false}}
	qDryRun           = param{Name: "dry_run", Description: "true: validate and count, write nothing.", Schema: obj{"type": "boolean", "default": false}}
	qMapping          = param{Name: "mapping", Description: "The id of a stored import mapping to read the file with: its headers and date format.", Schema: obj{"type": "string"}}
)

// paged is the list parameters plus others.
func paged(ps ...param) []param  { return append([]param{qLimit, qCursor}, ps...) }
func params(ps ...param) []param { return ps }

// Request and response bodies that are not one JSON struct.
var (
	completionBody = body{
		{Type: "application/json", Go: reflect.TypeFor[completionRequest]()},
		{Type: "multipart/form-data", Build: completionForm},
	}
	csvImportBody = body{{Type: "text/csv", Schema: obj{"type": "string",
		"description": "A header row naming the columns (" + strings.Join(peoplecsv.Columns, ", ") +
			"; in any order, these may be left out: " + strings.Join(peoplecsv.OptionalColumns, ", ") + "), then one person per line."}}}
	csvSampleBody = body{{Type: "text/csv", Schema: obj{"type": "string",
		"description": "The export, or its first lines: a header row, then rows whose dates show how they are written (the first 1 MiB is read)."}}}
	reportBody = body{
		{Type: "application/json", Go: reflect.TypeFor[reportResponse]()},
		{Type: "text/csv", Schema: obj{"type": "string", "description": "One line per applicable person; header: " + strings.Join(reportcsv.Header, ",")}},
	}
	calendarBody = body{{Type: "text/calendar", Schema: obj{"type": "string",
		"description": "One event (METHOD:PUBLISH), its UID stable for the session, so adding it again updates the entry."}}}
	certificateBody = body{
		{Type: evidence.TypePDF, Schema: obj{"type": "string", "contentMediaType": evidence.TypePDF}},
		{Type: evidence.TypePNG, Schema: obj{"type": "string", "contentMediaType": evidence.TypePNG}},
		{Type: evidence.TypeJPEG, Schema: obj{"type": "string", "contentMediaType": evidence.TypeJPEG}},
	}
)

// statusMessage is the small acknowledgement some routes answer with
// (gin.H{"status": ...} in the handlers).
type statusMessage struct {
	Status string `json:"status"`
}

// inputRules says what the server requires of each request body type: the
// fields it will not go without, the closed sets of values of string
// fields and string formats. Field
// names are JSON names; a name that is no field of the type fails the
// document build.
var inputRules = map[reflect.Type]rules{
	reflect.TypeFor[loginRequest]():          {required: []string{"email", "password"}},
	reflect.TypeFor[refreshRequest]():        {required: []string{"refresh_token"}},
	reflect.TypeFor[acceptInviteRequest]():   {required: []string{"token", "password"}},
	reflect.TypeFor[forgotPasswordRequest](): {required: []string{"email"}},
	reflect.TypeFor[resetPasswordRequest]():  {required: []string{"token", "password"}},
	reflect.TypeFor[changePasswordRequest](): {required: []string{"current_password", "new_password"}},
	reflect.TypeFor[rolesRequest]():          {required: []string{"roles"}, enum: map[string][]string{"roles": values(auth.RoleHR, auth.RoleAuditor, auth.RoleTrainer, auth.RoleMemberServices)}},
	reflect.TypeFor[personRequest](): {
		required: []string{"employee_number", "email", "given_name", "family_name", "kind", "start_date"},
		enum:     map[string][]string{"kind": enumOf[training.Kind]()},
		format:   map[string]string{"email": "email", "start_date": "date", "end_date": "date"},
	},
	reflect.TypeFor[personPatchRequest](): {
		enum:   map[string][]string{"kind": enumOf[training.Kind]()},
		format: map[string]string{"email": "email", "start_date": "date", "end_date": "date"},
	},
	// Required fields of a new course: operation Require (PATCH takes any).
	reflect.TypeFor[courseRequest](): {
		enum: map[string][]string{
			"delivery": enumOf[training.Delivery](), "expiry_basis": enumOf[training.ExpiryBasis](),
			"evidence": enumOf[training.Evidence](), "verification": enumOf[training.Verification](),
		},
		format: map[string]string{"url": "uri", "effective_from": "date"},
	},
	reflect.TypeFor[appliesToRequest](): {required: []string{"kinds"}, enum: map[string][]string{"kinds": enumOf[training.Kind]()}},
	reflect.TypeFor[completionRequest](): {
		required: []string{"course_code", "completed_on"},
		format:   map[string]string{"completed_on": "date"},
	},
	reflect.TypeFor[exemptionRequest](): {required: []string{"course_code", "reason"}, format: map[string]string{"until": "date"}},
	reflect.TypeFor[reasonRequest]():    {},
	// Required fields of a new session: operation Require (PATCH takes any).
	reflect.TypeFor[sessionRequest]():          {format: map[string]string{"date": "date"}},
	reflect.TypeFor[bookingRequest]():          {},
	reflect.TypeFor[externalAttendeeRequest](): {required: []string{"name", "email", "organisation"}, format: map[string]string{"email": "email"}},
	reflect.TypeFor[registerRequest]():         {},
	reflect.TypeFor[importMappingRequest](): {required: []string{"name", "columns", "date_format"},
		enum: map[string][]string{"date_format": values(peoplecsv.DateFormats...)}},
}

// enumValues are the values of the API's closed string types. A named
// string type of this module that is not listed fails the document build:
// list it (nil for a free-form string).
var enumValues = map[reflect.Type][]string{
	reflect.TypeFor[training.Kind]():         values(training.Kinds...),
	reflect.TypeFor[training.Status]():       values(training.Statuses...),
	reflect.TypeFor[training.FlagKind]():     values(training.FlagKinds...),
	reflect.TypeFor[training.Delivery]():     values(training.DeliveryELearning, training.DeliveryClassroom, training.DeliveryEither),
	reflect.TypeFor[training.ExpiryBasis]():  values(training.ExpiryFromCompletion, training.ExpiryFromPreviousExpiry),
	reflect.TypeFor[training.Evidence]():     values(training.EvidenceNone, training.EvidenceCertificate),
	reflect.TypeFor[training.Verification](): values(training.VerificationNone, training.VerificationManager, training.VerificationHR),
	reflect.TypeFor[training.Source]():       values(training.SourceSelf, training.SourceHR, training.SourceTrainer, training.SourceImport),
	reflect.TypeFor[training.State]():        values(training.StateAccepted, training.StatePending, training.StateRejected, training.StateRevoked),
	reflect.TypeFor[training.GroupBy]():      values(training.GroupByDepartment, training.GroupByManager, training.GroupByKind),
	reflect.TypeFor[notify.Kind]():           values(notify.Kinds()...),
	reflect.TypeFor[notify.State]():          values(notify.StateQueued, notify.StateSent, notify.StateFailed),
	reflect.TypeFor[auth.Role]():             values(auth.AllRoles()...),
	reflect.TypeFor[training.SessionState](): values(training.SessionScheduled, training.SessionCancelled),
	reflect.TypeFor[peoplecsv.DateFormat]():  values(peoplecsv.DateFormats...),
	reflect.TypeFor[training.BookingState](): values(training.BookingBooked, training.BookingWaiting, training.BookingCancelled,
		training.BookingAttended, training.BookingNoShow),
}

// enumOf is the values of closed type T.
func enumOf[T any]() []string { return enumValues[reflect.TypeFor[T]()] }

func values[T ~string](vs ...T) []string {
	out := make([]string, len(vs))
	for i, v := range vs {
		out[i] = string(v)
	}
	return out
}

// errorResponses are the problem responses an operation may list, by status.
var errorResponses = map[int]struct {
	name, description string
	headers           obj
}{
	400: {"BadRequest", "The request could not be understood.", nil},
	401: {"Unauthorized", "No valid credentials.", obj{"WWW-Authenticate": obj{"schema": obj{"type": "string"}, "description": "Bearer realm=\"complytrack\""}}},
	403: {"Forbidden", "The caller's role does not allow this.", nil},
	404: {"NotFound", "The object does not exist, or the caller may not know it exists.", nil},
	409: {"Conflict", "This conflicts with something that already exists (a duplicate employee number or e-mail, a decision already taken).", nil},
	413: {"TooLarge", "The request is larger than this endpoint accepts.", nil},
	415: {"UnsupportedMediaType", "The body's Content-Type is not one this endpoint accepts.", nil},
	422: {"Invalid", "Invalid input: errors names each invalid field.", nil},
	429: {"TooManyRequests", "Too many failed attempts.", obj{"Retry-After": obj{"schema": obj{"type": "integer", "minimum": 1}, "description": "Seconds to wait before trying again."}}},
	503: {"Unavailable", "The database is not reachable: try again after Retry-After.", obj{"Retry-After": obj{"schema": obj{"type": "integer", "minimum": 1}, "description": "Seconds to wait before trying again."}}},
}

// defaultResponse is listed by every operation: anything unexpected. Its
// detail never shows internals.
const defaultResponse = "Error"

// operation is one route: how the router serves it and how the document
// describes it.
type operation struct {
	Method string // GET, POST, ...
	Path   string // OpenAPI form: /api/v1/people/{id}
	ID     string // operationId
	// Handle answers the request. A method expression, so the table can be
	// a package-level value while each router has its own handlers.
	Handle  func(*handlers, *gin.Context) (reply, error)
	Summary string
	Tag     string
	// Public: no credentials; otherwise a bearer access token, checked
	// by authenticate before Handle runs. Only /api/v1 routes may need one.
	Public bool
	// NoDatabase: answered without reading the database, so never 503;
	// every other operation answers 503 while the database does not.
	NoDatabase bool
	Query      []param
	In         body // request body; nil: none
	// OptionalBody: the request body may be left out.
	OptionalBody bool
	// Require: fields this operation requires beyond the request type's
	// own (when one type serves both a create and a partial update).
	Require []string
	OK      int   // the success status
	OKAlso  []int // other success statuses, with the same body
	Out     body  // the success body; nil: none
	// Errors are the error statuses beyond the implied ones.
	Errors []int
}

// param is a query parameter: Schema, or the enum of Type.
type param struct {
	Name, Description string
	Schema            obj
	Type              reflect.Type
	// HandlerChecks: the handler checks the value itself, to report it
	// with the request's other problems; otherwise a value outside the
	// enum is refused before the handler runs (checkQuery).
	HandlerChecks bool
}

// body is a request or response body in one or more media types.
type body []media

// media is a body in one media type, described by one of: Go (a type,
// its schema generated), Schema (hand-written, for non-JSON bodies) or Build (the
// whole media type object).
type media struct {
	Type   string
	Go     reflect.Type
	Schema obj
	Build  func(*builder) obj
}

// obj is a hand-written part of the document (a JSON object).
type obj = map[string]any

func jsonOf[T any]() body { return body{{Type: "application/json", Go: reflect.TypeFor[T]()}} }

type rules struct {
	required []string
	enum     map[string][]string
	format   map[string]string
}

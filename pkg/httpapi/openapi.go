package httpapi

// GET /openapi.json: the API's OpenAPI 3.1 document, built once from Go
// values. Routes are described by the operations table below; request and
// response bodies are derived by reflection from the very structs the
// handlers bind and answer with, so renaming a field or changing its type
// changes the document. TestOpenAPI* fail when a router route has no
// operation here, when an operation names no route, and when a real
// response carries a field its schema does not declare.
//
// Adding a route: add one line to operations, for example
//
//	{Method: "POST", Path: "/api/v1/jobs/{name}/run", ID: "runJob", Tag: "Jobs",
//		Summary: "Run a scheduled job now", OK: 202, OKAlso: []int{200}, Out: jsonOf[jobRunResponse](), Errors: []int{403}},
//
// and, for a new request body type, its rules to inputRules. A new named
// string type in a response needs its values in enumValues.

import (
	"encoding"
	"encoding/json"
	"errors"
	"fmt"
	"net/http"
	"reflect"
	"regexp"
	"slices"
	"strconv"
	"strings"
	"sync"
	"time"

	"github.com/gin-gonic/gin"

	"github.com/complytrack/complytrack/pkg/auth"
	"github.com/complytrack/complytrack/pkg/evidence"
	"github.com/complytrack/complytrack/pkg/notify"
	"github.com/complytrack/complytrack/pkg/peoplecsv"
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
)

// operations is every route the router serves. Implied responses are
// added by the builder: 401 for every authenticated route, 404 for a path
// parameter, 413, 415 and 422 for a JSON body, 400 for a multipart form
// that cannot be read, 422 for query parameters,
// and a default problem for anything unexpected. Errors lists the others.
var operations = []operation{
	// Health and discovery.
	{Method: "GET", Path: "/healthz", ID: "health", Tag: tagHealth, Public: true,
		Summary: "The process is up", OK: 200, Out: jsonOf[statusMessage]()},
	{Method: "GET", Path: "/readyz", ID: "ready", Tag: tagHealth, Public: true,
		Summary: "The database is reachable", OK: 200, Out: jsonOf[statusMessage](), Errors: []int{503}},
	{Method: "GET", Path: "/openapi.json", ID: "openapi", Tag: tagHealth, Public: true,
		Summary: "This OpenAPI document", OK: 200, Out: body{{Type: "application/json", Schema: obj{"type": "object"}}}},
	{Method: "GET", Path: "/.well-known/jwks.json", ID: "jwks", Tag: tagAuth, Public: true,
		Summary: "Public keys that verify access tokens (JWKS)", OK: 200, Out: jsonOf[auth.JWKS]()},

	// Sign-in.
	{Method: "POST", Path: "/api/v1/auth/login", ID: "login", Tag: tagAuth, Public: true,
		Summary: "Sign in with e-mail and password", In: jsonOf[loginRequest](), OK: 200, Out: jsonOf[tokensResponse](), Errors: []int{401, 429}},
	{Method: "POST", Path: "/api/v1/auth/refresh", ID: "refresh", Tag: tagAuth, Public: true,
		Summary: "Exchange a refresh token for new tokens (a reused one revokes the whole login)", In: jsonOf[refreshRequest](), OK: 200, Out: jsonOf[tokensResponse](), Errors: []int{401}},
	{Method: "POST", Path: "/api/v1/auth/logout", ID: "logout", Tag: tagAuth, Public: true,
		Summary: "End the login a refresh token belongs to", In: jsonOf[refreshRequest](), OK: 204},
	{Method: "POST", Path: "/api/v1/auth/accept-invite", ID: "acceptInvite", Tag: tagAuth, Public: true,
		Summary: "Accept an invitation and choose a password", In: jsonOf[acceptInviteRequest](), OK: 200, Out: jsonOf[tokensResponse]()},

	// The caller.
	{Method: "GET", Path: "/api/v1/me", ID: "getMe", Tag: tagMe,
		Summary: "The caller's person record and roles", OK: 200, Out: jsonOf[meResponse]()},
	{Method: "POST", Path: "/api/v1/me/password", ID: "changePassword", Tag: tagMe,
		Summary: "Change the caller's password", In: jsonOf[changePasswordRequest](), OK: 204, Errors: []int{429}},
	{Method: "GET", Path: "/api/v1/me/training", ID: "getMyTraining", Tag: tagMe,
		Summary: "The caller's training status, course by course", OK: 200, Out: jsonOf[trainingResponse]()},
	{Method: "POST", Path: "/api/v1/me/completions", ID: "selfCertify", Tag: tagMe,
		Summary: "Self-certify a completion, optionally with the certificate file", In: completionBody, OK: 201, Out: jsonOf[completionResponse](), Errors: []int{409}},

	// People.
	{Method: "GET", Path: "/api/v1/people", ID: "listPeople", Tag: tagPeople,
		Summary: "People the caller may see", Query: paged(qDepartment, qPersonStatus, qSearch), OK: 200, Out: jsonOf[list[personResponse]]()},
	{Method: "POST", Path: "/api/v1/people", ID: "createPerson", Tag: tagPeople,
		Summary: "Add a person", In: jsonOf[personRequest](), OK: 201, Out: jsonOf[savedPersonResponse](), Errors: []int{403, 409}},
	{Method: "POST", Path: "/api/v1/people/import", ID: "importPeople", Tag: tagPeople,
		Summary: "Import an HR-system CSV export, upserting by employee number", Query: params(qDryRun), In: csvImportBody, OK: 200, Out: jsonOf[importResponse](),
		Errors: []int{403, 413, 415}},
	{Method: "GET", Path: "/api/v1/people/{id}", ID: "getPerson", Tag: tagPeople,
		Summary: "One person", OK: 200, Out: jsonOf[personResponse]()},
	{Method: "PATCH", Path: "/api/v1/people/{id}", ID: "patchPerson", Tag: tagPeople,
		Summary: "Change some of a person's fields (absent fields are left alone)", In: jsonOf[personPatchRequest](), OK: 200, Out: jsonOf[savedPersonResponse](), Errors: []int{403, 409}},
	{Method: "POST", Path: "/api/v1/people/{id}/invite", ID: "invitePerson", Tag: tagPeople,
		Summary: "E-mail the person a one-time link to set their password", OK: 202, Out: jsonOf[statusMessage](), Errors: []int{403, 409, 422}},
	{Method: "PUT", Path: "/api/v1/people/{id}/roles", ID: "setRoles", Tag: tagPeople,
		Summary: "Grant the hr, auditor and trainer roles", In: jsonOf[rolesRequest](), OK: 200, Out: jsonOf[rolesResponse](), Errors: []int{403}},
	{Method: "GET", Path: "/api/v1/people/{id}/training", ID: "getPersonTraining", Tag: tagPeople,
		Summary: "A person's training status, course by course", OK: 200, Out: jsonOf[trainingResponse]()},
	{Method: "GET", Path: "/api/v1/people/{id}/completions", ID: "listCompletions", Tag: tagCompletions,
		Summary: "A person's completions", OK: 200, Out: jsonOf[list[completionResponse]]()},
	{Method: "POST", Path: "/api/v1/people/{id}/completions", ID: "recordCompletion", Tag: tagCompletions,
		Summary: "Record a completion for a person (HR; or a trainer, for attendance at a classroom session, never their own)", In: completionBody, OK: 201, Out: jsonOf[completionResponse](), Errors: []int{403, 409}},
	{Method: "GET", Path: "/api/v1/people/{id}/exemptions", ID: "listExemptions", Tag: tagExemptions,
		Summary: "A person's exemptions", OK: 200, Out: jsonOf[list[exemptionResponse]]()},
	{Method: "POST", Path: "/api/v1/people/{id}/exemptions", ID: "grantExemption", Tag: tagExemptions,
		Summary: "Exempt a person from a course", In: jsonOf[exemptionRequest](), OK: 201, Out: jsonOf[exemptionResponse](), Errors: []int{403, 409}},

	// Courses.
	{Method: "GET", Path: "/api/v1/courses", ID: "listCourses", Tag: tagCourses,
		Summary: "Every course", OK: 200, Out: jsonOf[list[courseResponse]]()},
	{Method: "POST", Path: "/api/v1/courses", ID: "createCourse", Tag: tagCourses,
		Summary: "Add a course (absent fields take the default policy)", In: jsonOf[courseRequest](), Require: []string{"code", "title", "applies_to", "effective_from"}, OK: 201, Out: jsonOf[courseResponse](), Errors: []int{403, 409}},
	{Method: "GET", Path: "/api/v1/courses/{code}", ID: "getCourse", Tag: tagCourses,
		Summary: "One course", OK: 200, Out: jsonOf[courseResponse]()},
	{Method: "PATCH", Path: "/api/v1/courses/{code}", ID: "patchCourse", Tag: tagCourses,
		Summary: "Change a course's policy (absent fields are left alone)", In: jsonOf[courseRequest](), OK: 200, Out: jsonOf[courseResponse](), Errors: []int{403, 409}},

	// Completions and exemptions by their own IDs.
	{Method: "GET", Path: "/api/v1/completions/{id}/certificate", ID: "getCertificate", Tag: tagCompletions,
		Summary: "A completion's certificate file (as an attachment)", OK: 200, Out: certificateBody},
	{Method: "POST", Path: "/api/v1/completions/{id}/verify", ID: "verifyCompletion", Tag: tagCompletions,
		Summary: "Accept a completion awaiting verification", In: jsonOf[reasonRequest](), OptionalBody: true, OK: 200, Out: jsonOf[completionResponse](), Errors: []int{403, 409}},
	{Method: "POST", Path: "/api/v1/completions/{id}/reject", ID: "rejectCompletion", Tag: tagCompletions,
		Summary: "Reject a completion awaiting verification, saying why", In: jsonOf[reasonRequest](), OK: 200, Out: jsonOf[completionResponse](), Errors: []int{403, 409}},
	{Method: "POST", Path: "/api/v1/completions/{id}/revoke", ID: "revokeCompletion", Tag: tagCompletions,
		Summary: "Withdraw a completion after the fact, saying why (HR)", In: jsonOf[reasonRequest](), OK: 200, Out: jsonOf[completionResponse](), Errors: []int{403, 409}},
	{Method: "DELETE", Path: "/api/v1/exemptions/{id}", ID: "removeExemption", Tag: tagExemptions,
		Summary: "End an exemption", OK: 204, Errors: []int{403, 409}},

	// Views across people.
	{Method: "GET", Path: "/api/v1/team", ID: "getTeam", Tag: tagTeam,
		Summary: "Everyone in the caller's reporting line, direct and indirect, with their training", Query: paged(qTrainingStatus, qCourseCode), OK: 200, Out: jsonOf[list[teamMember]]()},
	{Method: "GET", Path: "/api/v1/flags", ID: "listFlags", Tag: tagFlags,
		Summary: "What the scheduled jobs raised, within the caller's scope", Query: paged(qFlagKind), OK: 200, Out: jsonOf[list[flagResponse]]()},
	{Method: "GET", Path: "/api/v1/reports/compliance", ID: "complianceReport", Tag: tagReports,
		Summary: "Compliance with a course, grouped, today or as of a past day", Query: params(qCourseCode, qGroupBy, qAsOf, qFormat), OK: 200, Out: reportBody, Errors: []int{403, 404}},
	{Method: "GET", Path: "/api/v1/outbox", ID: "listOutbox", Tag: tagOutbox,
		Summary: "Every e-mail the system has queued or sent", Query: paged(qTo, qMessageKind), OK: 200, Out: jsonOf[list[messageResponse]](), Errors: []int{403}},
	{Method: "GET", Path: "/api/v1/audit", ID: "listAudit", Tag: tagAudit,
		Summary: "The audit log: every write, with actor, time, before and after", Query: paged(qEntityID), OK: 200, Out: jsonOf[list[auditResponse]](), Errors: []int{403}},
	{Method: "POST", Path: "/api/v1/jobs/{name}/run", ID: "runJob", Tag: "Jobs",
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
	qDryRun = param{Name: "dry_run", Description: "true: validate and count, write nothing.", Schema: obj{"type": "boolean", "default": false}}
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
			"; in any order, job_title, department, manager_employee_number and end_date may be left out), then one person per line."}}}
	reportBody = body{
		{Type: "application/json", Go: reflect.TypeFor[reportResponse]()},
		{Type: "text/csv", Schema: obj{"type": "string", "description": "One line per applicable person; header: " + strings.Join(training.ReportCSVHeader, ",")}},
	}
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

// completionForm is a completion as multipart/form-data: the fields of
// completionRequest plus the certificate file.
func completionForm(b *builder) obj {
	s := b.object(reflect.TypeFor[completionRequest](), true)
	props := s["properties"].(*properties)
	props.set(evidence.Field, obj{"type": "string", "contentMediaType": "application/octet-stream",
		"description": fmt.Sprintf("PDF, PNG or JPEG, at most %d MiB, recognised by its first bytes (not its name or declared type).", training.MaxEvidenceBytes>>20)})
	return obj{"schema": s, "encoding": obj{evidence.Field: obj{"contentType": strings.Join([]string{evidence.TypePDF, evidence.TypePNG, evidence.TypeJPEG}, ", ")}}}
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
	reflect.TypeFor[changePasswordRequest](): {required: []string{"current_password", "new_password"}},
	reflect.TypeFor[rolesRequest]():          {required: []string{"roles"}, enum: map[string][]string{"roles": values(auth.RoleHR, auth.RoleAuditor, auth.RoleTrainer)}},
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
	reflect.TypeFor[notify.Kind](): values(notify.KindInvitation, notify.KindReminder, notify.KindEscalation,
		notify.KindManagerDigest, notify.KindMonthlyReport, notify.KindDuplicateFiles),
	reflect.TypeFor[notify.State](): values(notify.StateQueued, notify.StateSent, notify.StateFailed),
	reflect.TypeFor[auth.Role]():    values(auth.AllRoles()...),
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
	503: {"Unavailable", "The database is not reachable.", nil},
}

// defaultResponse is listed by every operation: anything unexpected. Its
// detail never shows internals.
const defaultResponse = "Error"

// ---- the document builder ----

type obj = map[string]any

// operation is one route in the document.
type operation struct {
	Method  string // GET, POST, ...
	Path    string // OpenAPI form: /api/v1/people/{id}
	ID      string // operationId
	Summary string
	Tag     string
	// Public: no credentials; otherwise a bearer access token.
	Public bool
	Query  []param
	In     body // request body; nil: none
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
// reflected), Schema (hand-written, for non-JSON bodies) or Build (the
// whole media type object).
type media struct {
	Type   string
	Go     reflect.Type
	Schema obj
	Build  func(*builder) obj
}

func jsonOf[T any]() body { return body{{Type: "application/json", Go: reflect.TypeFor[T]()}} }

type rules struct {
	required []string
	enum     map[string][]string
	format   map[string]string
}

// properties is a JSON object that keeps its keys in insertion order, so
// schema properties read in the order of the struct fields.
type properties struct {
	keys []string
	vals map[string]obj
}

func (p *properties) set(k string, v obj) {
	if p.vals == nil {
		p.vals = map[string]obj{}
	}
	if _, ok := p.vals[k]; !ok {
		p.keys = append(p.keys, k)
	}
	p.vals[k] = v
}

func (p *properties) MarshalJSON() ([]byte, error) {
	var sb strings.Builder
	sb.WriteByte('{')
	for i, k := range p.keys {
		if i > 0 {
			sb.WriteByte(',')
		}
		kb, _ := json.Marshal(k)
		vb, err := json.Marshal(p.vals[k])
		if err != nil {
			return nil, err
		}
		sb.Write(kb)
		sb.WriteByte(':')
		sb.Write(vb)
	}
	sb.WriteByte('}')
	return []byte(sb.String()), nil
}

type builder struct {
	schemas properties
	named   map[string]reflect.Type // component name -> Go type
	input   map[reflect.Type]bool   // type -> described as a request (true) or response
	errs    []string
}

func (b *builder) errorf(format string, args ...any) {
	b.errs = append(b.errs, fmt.Sprintf(format, args...))
}

var (
	timeType      = reflect.TypeFor[time.Time]()
	dateType      = reflect.TypeFor[training.Date]()
	rawType       = reflect.TypeFor[json.RawMessage]()
	rolesType     = reflect.TypeFor[auth.Roles]()
	marshalerType = reflect.TypeFor[json.Marshaler]()
	textType      = reflect.TypeFor[encoding.TextMarshaler]()
	modulePath    = "github.com/complytrack/complytrack/"
)

// schema is the JSON Schema of a value of type t, as encoding/json writes
// (input false) or reads (input true) it. Named structs become components.
func (b *builder) schema(t reflect.Type, input bool) obj {
	switch t {
	case timeType:
		return obj{"type": "string", "format": "date-time"}
	case dateType:
		// The zero Date is written as null.
		return obj{"type": []string{"string", "null"}, "format": "date"}
	case rawType:
		return obj{"description": "Any JSON value."}
	case rolesType:
		return obj{"type": "array", "items": obj{"type": "string", "enum": enumValues[reflect.TypeFor[auth.Role]()]}}
	}
	if vs, ok := enumValues[t]; ok {
		if vs == nil {
			return obj{"type": "string"}
		}
		return obj{"type": "string", "enum": vs}
	}
	if t.Kind() != reflect.Pointer && (t.Implements(marshalerType) || reflect.PointerTo(t).Implements(marshalerType)) {
		b.errorf("%s has its own JSON encoding: describe it in openapi.go (builder.schema)", t)
		return obj{}
	}
	if t.Kind() != reflect.Pointer && t.Implements(textType) {
		return obj{"type": "string"}
	}
	switch t.Kind() {
	case reflect.Pointer:
		return nullable(b.schema(t.Elem(), input))
	case reflect.Struct:
		if t.Name() == "" {
			return b.object(t, input)
		}
		return b.ref(t, input)
	case reflect.Slice, reflect.Array:
		if t.Elem().Kind() == reflect.Uint8 && t.Kind() == reflect.Slice {
			return obj{"type": "string", "contentEncoding": "base64"}
		}
		return obj{"type": "array", "items": b.schema(t.Elem(), input)}
	case reflect.Map:
		if t.Key().Kind() != reflect.String {
			b.errorf("%s: only maps with string keys are described", t)
		}
		return obj{"type": "object", "additionalProperties": b.schema(t.Elem(), input)}
	case reflect.Interface:
		return obj{"description": "Any JSON value."}
	case reflect.String:
		if t.Name() != "string" && strings.HasPrefix(t.PkgPath(), modulePath) {
			b.errorf("%s is a named string type with no entry in enumValues (openapi.go)", t)
		}
		return obj{"type": "string"}
	case reflect.Bool:
		return obj{"type": "boolean"}
	case reflect.Int, reflect.Int8, reflect.Int16, reflect.Int32, reflect.Int64,
		reflect.Uint, reflect.Uint8, reflect.Uint16, reflect.Uint32, reflect.Uint64:
		return obj{"type": "integer"}
	case reflect.Float32, reflect.Float64:
		return obj{"type": "number"}
	}
	b.errorf("%s: no JSON Schema for kind %s", t, t.Kind())
	return obj{}
}

// nullable lets a schema also match null (a Go pointer may be nil).
func nullable(s obj) obj {
	switch ty := s["type"].(type) {
	case string:
		out := clone(s)
		out["type"] = []string{ty, "null"}
		return out
	case []string:
		if slices.Contains(ty, "null") {
			return s
		}
		out := clone(s)
		out["type"] = append(slices.Clone(ty), "null")
		return out
	case nil:
		if _, ok := s["$ref"]; ok {
			return obj{"anyOf": []obj{s, {"type": "null"}}}
		}
	}
	return s
}

func clone(s obj) obj {
	out := make(obj, len(s))
	for k, v := range s {
		out[k] = v
	}
	return out
}

// ref registers t as a component schema (once) and refers to it.
func (b *builder) ref(t reflect.Type, input bool) obj {
	name := componentName(t)
	if prev, ok := b.named[name]; ok {
		if prev != t {
			b.errorf("component %s names both %s and %s", name, prev, t)
		} else if b.input[t] != input {
			b.errorf("%s is used both as a request and a response body: give each its own type", t)
		}
		return obj{"$ref": "#/components/schemas/" + name}
	}
	b.named[name] = t
	b.input[t] = input
	b.schemas.set(name, nil) // placeholder: keeps the order and stops recursion
	b.schemas.set(name, b.object(t, input))
	return obj{"$ref": "#/components/schemas/" + name}
}

// componentName is a Go type's schema name: personResponse -> Person,
// personRequest -> PersonRequest, list[courseResponse] -> CourseList.
func componentName(t reflect.Type) string {
	name := t.Name()
	if i := strings.IndexByte(name, '['); i >= 0 {
		base, arg := name[:i], strings.TrimSuffix(name[i+1:], "]")
		arg = arg[strings.LastIndexByte(arg, '.')+1:]
		return shortName(arg) + upperFirst(base)
	}
	return shortName(name)
}

func shortName(s string) string {
	if t := strings.TrimSuffix(s, "Response"); t != "" {
		s = t
	}
	return upperFirst(s)
}

func upperFirst(s string) string {
	if s == "" {
		return s
	}
	return strings.ToUpper(s[:1]) + s[1:]
}

// jsonField is one field of a struct as encoding/json sees it.
type jsonField struct {
	name      string
	typ       reflect.Type
	omitEmpty bool
	omitZero  bool
	quoted    bool
	depth     int
	tagged    bool
}

// jsonFields lists t's JSON fields in encoding/json's order, with
// embedded structs' fields promoted and its rules for duplicate names
// (the shallowest wins; at equal depth a tagged one; otherwise none).
func jsonFields(t reflect.Type) []jsonField {
	var all []jsonField
	var walk func(t reflect.Type, depth int, seen map[reflect.Type]bool)
	walk = func(t reflect.Type, depth int, seen map[reflect.Type]bool) {
		for i := range t.NumField() {
			f := t.Field(i)
			tag := f.Tag.Get("json")
			if tag == "-" {
				continue
			}
			name, opts, _ := strings.Cut(tag, ",")
			if f.Anonymous {
				et := f.Type
				if et.Kind() == reflect.Pointer {
					et = et.Elem()
				}
				if !f.IsExported() && et.Kind() != reflect.Struct {
					continue
				}
				if name == "" && et.Kind() == reflect.Struct {
					if !seen[et] {
						seen[et] = true
						walk(et, depth+1, seen)
					}
					continue
				}
			} else if !f.IsExported() {
				continue
			}
			tagged := name != ""
			if !tagged {
				name = f.Name
			}
			o := "," + opts + ","
			all = append(all, jsonField{name: name, typ: f.Type, depth: depth, tagged: tagged,
				omitEmpty: strings.Contains(o, ",omitempty,"), omitZero: strings.Contains(o, ",omitzero,"), quoted: strings.Contains(o, ",string,")})
		}
	}
	walk(t, 0, map[reflect.Type]bool{t: true})
	var out []jsonField
	for _, f := range all {
		if slices.ContainsFunc(out, func(o jsonField) bool { return o.name == f.name }) {
			continue
		}
		var rivals []jsonField
		for _, g := range all {
			if g.name == f.name {
				rivals = append(rivals, g)
			}
		}
		minDepth := slices.MinFunc(rivals, func(a, b jsonField) int { return a.depth - b.depth }).depth
		rivals = slices.DeleteFunc(rivals, func(g jsonField) bool { return g.depth != minDepth })
		if len(rivals) > 1 {
			rivals = slices.DeleteFunc(rivals, func(g jsonField) bool { return !g.tagged })
		}
		if len(rivals) == 1 {
			out = append(out, rivals[0])
		}
	}
	return out
}

// omitted reports whether encoding/json may leave the field out.
func (f jsonField) omitted() bool {
	if f.omitZero {
		return true
	}
	if !f.omitEmpty {
		return false
	}
	switch f.typ.Kind() {
	case reflect.Struct:
		return false // omitempty does not apply to structs
	case reflect.Array:
		return f.typ.Len() == 0
	}
	return true
}

// object is the inline schema of struct t: its fields, closed to others
// (requests are decoded with unknown fields refused; responses are written
// from these structs). A response's required fields are those always
// written; a request's are the ones inputRules names.
func (b *builder) object(t reflect.Type, input bool) obj {
	props := &properties{}
	var required []string
	for _, f := range jsonFields(t) {
		s := b.schema(f.typ, input)
		if f.quoted {
			s = obj{"type": "string"}
		}
		props.set(f.name, s)
		if !input && !f.omitted() {
			required = append(required, f.name)
		}
	}
	if input {
		r, ok := inputRules[t]
		if !ok && t.Name() != "" {
			b.errorf("request body %s has no entry in inputRules (openapi.go)", t)
		}
		for _, name := range r.required {
			if _, ok := props.vals[name]; !ok {
				b.errorf("inputRules: %s has no JSON field %q", t, name)
				continue
			}
			required = append(required, name)
		}
		for name, vs := range r.enum {
			s, ok := props.vals[name]
			if !ok || len(vs) == 0 {
				b.errorf("inputRules: %s has no JSON field %q, or its enum is empty", t, name)
				continue
			}
			props.set(name, withEnum(s, vs))
		}
		for name, format := range r.format {
			s, ok := props.vals[name]
			if !ok {
				b.errorf("inputRules: %s has no JSON field %q", t, name)
				continue
			}
			s = clone(s)
			s["format"] = format
			props.set(name, s)
		}
	}
	out := obj{"type": "object", "properties": props, "additionalProperties": false}
	if len(required) > 0 {
		out["required"] = required
	}
	return out
}

// withEnum restricts a string (or array of strings) schema to vs; a
// nullable one also keeps null.
func withEnum(s obj, vs []string) obj {
	s = clone(s)
	if s["type"] == "array" || slices.Contains(asStrings(s["type"]), "array") {
		s["items"] = withEnum(s["items"].(obj), vs)
		return s
	}
	enum := make([]any, 0, len(vs)+1)
	for _, v := range vs {
		enum = append(enum, v)
	}
	if slices.Contains(asStrings(s["type"]), "null") {
		enum = append(enum, nil)
	}
	s["enum"] = enum
	return s
}

func asStrings(v any) []string {
	switch v := v.(type) {
	case string:
		return []string{v}
	case []string:
		return v
	}
	return nil
}

var pathParam = regexp.MustCompile(`\{([^}]+)\}`)

var pathParamDescriptions = map[string]string{
	"id":   "The object's ID.",
	"code": "The course code.",
	"name": "The name.",
}

func (b *builder) content(bd body, input bool) obj {
	out := obj{}
	for _, m := range bd {
		switch {
		case m.Build != nil:
			out[m.Type] = m.Build(b)
		case m.Go != nil:
			out[m.Type] = obj{"schema": b.schema(m.Go, input)}
		default:
			out[m.Type] = obj{"schema": m.Schema}
		}
	}
	return out
}

func (b *builder) parameter(p param) obj {
	s := p.Schema
	if p.Type != nil {
		s = b.schema(p.Type, true)
	}
	return obj{"name": p.Name, "in": "query", "required": false, "description": p.Description, "schema": s}
}

func (b *builder) operation(op operation) obj {
	o := obj{"operationId": op.ID, "summary": op.Summary, "tags": []string{op.Tag}}
	if op.Public {
		o["security"] = []obj{}
	} else {
		o["security"] = []obj{{"bearerAuth": []string{}}}
	}
	errs := slices.Clone(op.Errors)
	if !op.Public {
		errs = append(errs, http.StatusUnauthorized)
	}
	var ps []obj
	for _, m := range pathParam.FindAllStringSubmatch(op.Path, -1) {
		desc := pathParamDescriptions[m[1]]
		ps = append(ps, obj{"name": m[1], "in": "path", "required": true, "description": desc, "schema": obj{"type": "string"}})
		errs = append(errs, http.StatusNotFound)
	}
	for _, p := range op.Query {
		ps = append(ps, b.parameter(p))
		errs = append(errs, http.StatusUnprocessableEntity)
	}
	if len(ps) > 0 {
		o["parameters"] = ps
	}
	if op.In != nil {
		content := b.content(op.In, true)
		if len(op.Require) > 0 {
			b.require(op, content)
		}
		o["requestBody"] = obj{"required": !op.OptionalBody, "content": content}
		if slices.ContainsFunc(op.In, func(m media) bool { return m.Type == "application/json" }) {
			errs = append(errs, http.StatusRequestEntityTooLarge, http.StatusUnsupportedMediaType, http.StatusUnprocessableEntity)
		}
		// A form cut off before its closing boundary cannot be read at all.
		if slices.ContainsFunc(op.In, func(m media) bool { return m.Type == "multipart/form-data" }) {
			errs = append(errs, http.StatusBadRequest)
		}
	}
	responses := obj{"default": obj{"$ref": "#/components/responses/" + defaultResponse}}
	for _, code := range append([]int{op.OK}, op.OKAlso...) {
		if code < 200 || code > 299 {
			b.errorf("%s %s: success status %d is not 2xx", op.Method, op.Path, code)
		}
		ok := obj{"description": http.StatusText(code)}
		if op.Out != nil && code != http.StatusNoContent {
			ok["content"] = b.content(op.Out, false)
		}
		responses[strconv.Itoa(code)] = ok
	}
	slices.Sort(errs)
	for _, code := range slices.Compact(errs) {
		r, found := errorResponses[code]
		if !found {
			b.errorf("%s %s: no error response for status %d (errorResponses in openapi.go)", op.Method, op.Path, code)
			continue
		}
		responses[strconv.Itoa(code)] = obj{"$ref": "#/components/responses/" + r.name}
	}
	o["responses"] = responses
	return o
}

// require adds op.Require to the JSON body's schema: allOf the type's
// schema and the extra required fields, each checked to exist.
func (b *builder) require(op operation, content obj) {
	for _, m := range op.In {
		if m.Go == nil || m.Type != "application/json" {
			continue
		}
		t := m.Go
		for _, name := range op.Require {
			if !slices.ContainsFunc(jsonFields(t), func(f jsonField) bool { return f.name == name }) {
				b.errorf("%s %s: Require names %q, no JSON field of %s", op.Method, op.Path, name, t)
			}
		}
		mt := content[m.Type].(obj)
		content[m.Type] = obj{"schema": obj{"allOf": []obj{mt["schema"].(obj), {"required": op.Require}}}}
		return
	}
	b.errorf("%s %s: Require needs a JSON request body", op.Method, op.Path)
}

func buildOpenAPI() ([]byte, error) {
	b := &builder{named: map[string]reflect.Type{}, input: map[reflect.Type]bool{}}
	problem := b.schema(reflect.TypeFor[Problem](), false)

	paths := &properties{}
	ids := map[string]bool{}
	var tags []string
	for _, op := range operations {
		method := strings.ToLower(op.Method)
		if !slices.Contains([]string{"get", "put", "post", "delete", "patch"}, method) {
			b.errorf("%s %s: unknown method", op.Method, op.Path)
			continue
		}
		if ids[op.ID] || op.ID == "" {
			b.errorf("%s %s: operation ID %q is empty or used twice", op.Method, op.Path, op.ID)
		}
		ids[op.ID] = true
		item := paths.vals[op.Path]
		if item == nil {
			item = obj{}
		}
		if _, dup := item[method]; dup {
			b.errorf("%s %s is listed twice", op.Method, op.Path)
		}
		item[method] = b.operation(op)
		paths.set(op.Path, item)
		if !slices.Contains(tags, op.Tag) {
			tags = append(tags, op.Tag)
		}
	}

	responses := obj{defaultResponse: obj{"description": "Something went wrong on our side; the details are logged, never shown.",
		"content": obj{problemContentType: obj{"schema": problem}}}}
	for _, r := range errorResponses {
		resp := obj{"description": r.description, "content": obj{problemContentType: obj{"schema": problem}}}
		if r.headers != nil {
			resp["headers"] = r.headers
		}
		responses[r.name] = resp
	}
	tagList := make([]obj, len(tags))
	for i, t := range tags {
		tagList[i] = obj{"name": t}
	}
	doc := obj{
		"openapi": "3.1.0",
		"info": obj{
			"title":   "complytrack API",
			"version": "1",
			"description": "Statutory-training compliance tracker. JSON bodies in snake_case; dates YYYY-MM-DD, instants RFC 3339 UTC. " +
				"Errors are application/problem+json (RFC 9457). Lists take ?limit= and ?cursor= and answer {items, next_cursor}.",
		},
		"tags":     tagList,
		"security": []obj{{"bearerAuth": []string{}}},
		"paths":    paths,
		"components": obj{
			"securitySchemes": obj{"bearerAuth": obj{"type": "http", "scheme": "bearer", "bearerFormat": "JWT",
				"description": "An access token from POST /api/v1/auth/login, verified with the keys at /.well-known/jwks.json."}},
			"schemas":   &b.schemas,
			"responses": responses,
		},
	}
	if len(b.errs) > 0 {
		return nil, errors.New("openapi: " + strings.Join(b.errs, "; "))
	}
	return json.MarshalIndent(doc, "", "  ")
}

var openAPIDoc struct {
	once sync.Once
	body []byte
	err  error
}

// OpenAPIDocument returns the API's OpenAPI 3.1 document as JSON. It is
// built on first use and kept; an error means operations, inputRules or
// enumValues disagree with the code.
func OpenAPIDocument() ([]byte, error) {
	openAPIDoc.once.Do(func() { openAPIDoc.body, openAPIDoc.err = buildOpenAPI() })
	return openAPIDoc.body, openAPIDoc.err
}

func (h *handlers) openapi(c *gin.Context) {
	doc, err := OpenAPIDocument()
	if err != nil {
		fail(c, err)
		return
	}
	c.Data(http.StatusOK, "application/json", doc)
}

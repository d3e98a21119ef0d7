package web_test

import (
	"encoding/json"
	"go/ast"
	"go/parser"
	"go/token"
	"io/fs"
	"path/filepath"
	"regexp"
	"slices"
	"strconv"
	"strings"
	"testing"

	"github.com/complytrack/complytrack/pkg/auth"
	"github.com/complytrack/complytrack/pkg/training"
	"github.com/complytrack/complytrack/pkg/web"
)

// auditActionLiterals reads the repository's Go source (tests aside) for
// the audit actions it writes: string literals like "person.create" passed
// to audit, Audit, auditEntry or entry, or assigned to a variable named action.
func auditActionLiterals(t *testing.T) []string {
	t.Helper()
	code := regexp.MustCompile(`^[a-z]+\.[a-z_]+$`)
	found := map[string]bool{}
	take := func(e ast.Expr) {
		if lit, ok := e.(*ast.BasicLit); ok && lit.Kind == token.STRING {
			if s, err := strconv.Unquote(lit.Value); err == nil && code.MatchString(s) {
				found[s] = true
			}
		}
	}
	for _, root := range []string{"..", "../../cmd", "../../internal"} {
		err := filepath.WalkDir(root, func(path string, d fs.DirEntry, err error) error {
			if err != nil || d.IsDir() || !strings.HasSuffix(path, ".go") || strings.HasSuffix(path, "_test.go") {
				return nil
			}
			f, err := parser.ParseFile(token.NewFileSet(), path, nil, 0)
			if err != nil {
				t.Errorf("parse %s: %v", path, err)
				return nil
			}
			ast.Inspect(f, func(n ast.Node) bool {
				switch n := n.(type) {
				case *ast.CallExpr:
					name := ""
					switch fn := n.Fun.(type) {
					case *ast.Ident:
						name = fn.Name
					case *ast.SelectorExpr:
						name = fn.Sel.Name
					}
					if name == "audit" || name == "Audit" || name == "auditEntry" || name == "entry" {
						for _, a := range n.Args {
							take(a)
						}
					}
				case *ast.AssignStmt:
					for i, l := range n.Lhs {
						if id, ok := l.(*ast.Ident); ok && id.Name == "action" && i < len(n.Rhs) {
							take(n.Rhs[i])
						}
					}
				}
				return true
			})
			return nil
		})
		if err != nil {
			t.Fatal(err)
		}
	}
	out := make([]string, 0, len(found))
	for s := range found {
		out = append(out, s)
	}
	slices.Sort(out)
	return out
}

// Every audit action the code can write has a plain English label, and
// the table below names them all: a new action without a label fails here.
func TestAuditActionLabels(t *testing.T) {
	tests := []struct{ action, want string }{
		{"person.create", "Added"},
		{"person.update", "Details changed"},
		{"person.import_create", "Added by import"},
		{"person.import_update", "Details changed by import"},
		{"person.invite", "Invited to sign in"},
		{"account.accept_invite", "Account created"},
		{"account.create_demo", "Account created"},
		{"account.create_admin", "Account created"},
		{"account.roles", "Roles changed"},
		{"account.change_password", "Password changed"},
		{"account.create_sso", "Account created at their first single sign-on"},
		{"account.sso_link", "Linked to their single sign-on"},
		{"account.sso_unlink", "Single sign-on link removed"},
		{"account.disable", "Account disabled by HR"},
		{"account.enable", "Account enabled again"},
		{"account.end_sessions", "Signed out everywhere by HR"},
		{"account.password_reset_requested", "Password reset link e-mailed"},
		{"account.password_reset", "Password reset with an e-mailed link"},
		{"completion.record", "Completion recorded"},
		{"completion.import", "Completion imported"},
		{"completion.verify", "Completion verified"},
		{"completion.reject", "Completion rejected"},
		{"completion.revoke", "Completion revoked"},
		{"course.create", "Course added"},
		{"course.update", "Course policy changed"},
		{"exemption.grant", "Exemption granted"},
		{"exemption.remove", "Exemption removed"},
		{"flag.dealt_with", "Flag marked as dealt with"},
		{"person.reminded", "Reminder sent by e-mail"},
		{"session.schedule", "Session scheduled"},
		{"session.reschedule", "Session changed"},
		{"session.cancel", "Session cancelled"},
		{"booking.create", "Booked on a session"},
		{"booking.cancel", "Session booking cancelled"},
		{"booking.register", "Session register taken"},
		{"demo.fill", "Demo records added"},
		{"something.unknown", "Changed"},
	}
	inTable := map[string]bool{}
	for _, tt := range tests {
		inTable[tt.action] = true
		t.Run(tt.action, func(t *testing.T) {
			if got := web.AuditActionLabel(tt.action); got != tt.want {
				t.Errorf("auditActionLabel(%q) = %q, want %q", tt.action, got, tt.want)
			}
		})
	}
	written := auditActionLiterals(t)
	// The reader of the source must find the actions known to be written,
	// or an empty scan would pass.
	for _, known := range []string{"person.create", "person.import_create", "account.create_demo", "completion.verify", "completion.reject"} {
		if !slices.Contains(written, known) {
			t.Errorf("the source scan missed %q (found %v)", known, written)
		}
	}
	for _, a := range written {
		if _, ok := web.AuditActionLabels[a]; !ok {
			t.Errorf("the code writes audit action %q, which has no label", a)
		}
		if !inTable[a] {
			t.Errorf("the code writes audit action %q, which this test's table does not cover", a)
		}
	}
	for a := range web.AuditActionLabels {
		if !inTable[a] {
			t.Errorf("the labels have %q, which this test's table does not cover", a)
		}
	}
}

func TestChangedFieldsInPlainEnglish(t *testing.T) {
	people := map[string]string{"p-mara": "Mara Hill", "p-hr": "Hana Reid"}
	nameOf := func(id string) (string, bool) { n, ok := people[id]; return n, ok }
	tests := []struct {
		name, before, after, want string
	}{
		{"creation lists what was set, in form order", ``,
			`{"id":"p1","employee_number":"E1","given_name":"Nia","family_name":"Okafor","email":"nia@example.gov.uk","kind":"member","job_title":"","department":"Housing","manager_id":"p-mara","start_date":"2024-04-01","end_date":""}`,
			"Employee number: E1; First name: Nia; Last name: Okafor; Email address: nia@example.gov.uk; Kind of person: Elected Member; Department: Housing; Line manager: Mara Hill; Start date: 1 April 2024"},
		{"only what changed", `{"department":"Housing","end_date":""}`, `{"department":"Planning","end_date":"2026-11-30"}`,
			"Department: Housing → Planning; End date: none → 30 November 2026"},
		{"cleared end date", `{"end_date":"2026-11-30"}`, `{"end_date":""}`, "End date: 30 November 2026 → removed"},
		{"manager the viewer cannot see", `{"manager_id":"p-mara"}`, `{"manager_id":"p-secret"}`, "Line manager: Mara Hill → changed"},
		{"manager removed (left out when empty)", `{"department":"Housing","manager_id":"p-mara"}`, `{"department":"Housing"}`, "Line manager: Mara Hill → removed"},
		{"manager set", `{"department":"Housing"}`, `{"department":"Housing","manager_id":"p-mara"}`, "Line manager: none → Mara Hill"},
		{"no roles", ``, `{"roles":[]}`, "Roles: none"},
		{"roles named", `{"roles":["employee"]}`, `{"roles":["employee","hr"]}`, "Roles: Employee → Employee, HR"},
		{"course policy", `{"code":"FIRE","title":"Fire safety","delivery":"e-learning","applies_to":{"kinds":["staff"]},"validity_months":36,"verification":"none","effective_from":"2020-01-01"}`,
			`{"code":"FIRE","title":"Fire safety training","delivery":"classroom","applies_to":{"kinds":["staff","member"],"departments":["Housing"]},"validity_months":12,"verification":"hr","effective_from":"2026-01-01"}`,
			"Title: Fire safety → Fire safety training; Delivery: E-learning → Classroom; Applies to: Staff → Staff, Elected Member; Applies to departments: none → Housing; Months it stays valid: 36 → 12; Required from: 1 January 2020 → 1 January 2026; Verified by: Nobody: counts at once → HR"},
		{"invitation", ``, `{"expires_at":"2026-11-09T09:00:00Z"}`, "Invitation expires: 9 November 2026"},
		{"invite accepted", ``, `{"invited_by":"p-hr","other_sessions_ended":false}`, "Invited by: Hana Reid"},
		{"password changed", ``, `{"other_sessions_ended":true}`, "Signed out everywhere else"},
		{"ids and hashes left out", ``, `{"id":"x","certificate_sha256":"abc","updated_at":"2026-01-01T00:00:00Z"}`, ""},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			var before json.RawMessage
			if tt.before != "" {
				before = json.RawMessage(tt.before)
			}
			if got := web.ChangedFields(before, json.RawMessage(tt.after), nameOf); got != tt.want {
				t.Errorf("got  %q\nwant %q", got, tt.want)
			}
		})
	}
}

// The person page's audit says what happened in words, names the line
// manager and shows dates as dates; no stored code reaches the page.
func TestPersonPageAuditInPlainEnglish(t *testing.T) {
	e := newEnv(t, "http://127.0.0.1")
	mara := e.addPerson("Mara", "Hill", "")
	nia := e.employee("Nia", "Okafor") // invited, then accepted the invitation
	if _, err := e.app.Accounts.SetRoles(t.Context(), e.hr, nia.ID, auth.NewRoles(auth.RoleAuditor)); err != nil {
		t.Fatal(err)
	}
	manager, end := mara.EmployeeNumber, training.MustDate("2026-11-30")
	if _, err := e.app.Training.UpdatePerson(t.Context(), e.hr, nia.ID, func(in *training.PersonInput) error {
		in.ManagerEmployeeNumber, in.EndDate = manager, end
		return nil
	}); err != nil {
		t.Fatal(err)
	}
	b := e.newBrowser()
	b.signIn(adminEmail, adminPassword)
	r := b.visit("/people/" + nia.ID)
	mustStatus(t, r, 200)
	mustContain(t, r, ">Added<", ">Invited to sign in<", ">Account created<", ">Roles changed<", ">Details changed<",
		"Line manager: none → Mara Hill", "End date: none → 30 November 2026", "Start date: 1 April 2024", "Roles: none → Auditor")
	mustNotContain(t, r, "person.create", "person.invite", "account.", "person.update", "manager_id", "Line manager: "+mara.ID, "roles:", "2026-11-30", "2024-04-01")
}

// Grouped by kind, the report names the kinds as people say them.
func TestReportByKindShowsKindLabels(t *testing.T) {
	e := newEnv(t, "http://127.0.0.1")
	e.addPerson("Sam", "Cole", "")
	if _, err := e.app.Training.CreatePerson(t.Context(), e.hr, training.PersonInput{Person: training.Person{EmployeeNumber: "CLLR001", Email: "cllr.ann.vale@example.gov.uk", GivenName: "Ann", FamilyName: "Vale", Kind: training.KindMember, Department: "Members", StartDate: training.MustDate("2024-05-01")}}); err != nil {
		t.Fatal(err)
	}
	b := e.newBrowser()
	b.signIn(adminEmail, adminPassword)
	r := b.visit("/reports?course_code=PREVENT&group_by=kind")
	mustStatus(t, r, 200)
	mustContain(t, r, `data-label="Kind of person">Elected Member</th>`, `data-label="Kind of person">Staff</th>`)
	mustNotContain(t, r, `>member<`, `>staff<`)
}

// The course page names the delivery as people say it, and a classroom
// course without an address has no empty address row.
func TestCoursePageDeliveryAndAddress(t *testing.T) {
	e := newEnv(t, "http://127.0.0.1")
	if _, err := e.app.Training.CreateCourse(t.Context(), e.hr, training.Course{
		Code: "SAFEGUARD", Title: "Safeguarding workshop", Delivery: training.DeliveryClassroom,
		AppliesTo: training.AppliesTo{Kinds: []training.Kind{training.KindStaff, training.KindMember}}, ValidityMonths: 36,
		NewStarterDays: 28, DueSoonDays: 30, RenewWindowDays: 60, ExpiryBasis: training.ExpiryFromCompletion,
		EffectiveFrom: training.MustDate("2020-01-01"), Evidence: training.EvidenceNone, Verification: training.VerificationHR,
	}); err != nil {
		t.Fatal(err)
	}
	b := e.newBrowser()
	b.signIn(adminEmail, adminPassword)
	tests := []struct {
		code           string
		want, unwanted []string
	}{
		{"SAFEGUARD", []string{`<dd class="summary-list__value">Classroom</dd>`, "Staff, Elected Member"},
			[]string{"Course address", ">classroom<", "staff, member"}},
		{"PREVENT", []string{`<dd class="summary-list__value">E-learning</dd>`, "Course address", `href="https://www.gov.uk/guidance/prevent-duty-training"`},
			[]string{">e-learning<"}},
	}
	for _, tt := range tests {
		t.Run(tt.code, func(t *testing.T) {
			r := b.visit("/courses/" + tt.code)
			mustStatus(t, r, 200)
			mustContain(t, r, tt.want...)
			mustNotContain(t, r, tt.unwanted...)
		})
	}
}

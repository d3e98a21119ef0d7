package web

import (
	"encoding/json"
	"fmt"
	"strings"
	"time"

	"github.com/complytrack/complytrack/pkg/auth"
	"github.com/complytrack/complytrack/pkg/training"
)

// The codes the domain stores (kinds, deliveries, audit actions and the
// audit's field names) are for machines; people read these labels.

var kindLabels = map[training.Kind]string{
	training.KindStaff:      "Staff",
	training.KindMember:     "Elected Member",
	training.KindContractor: "Contractor",
	training.KindVolunteer:  "Volunteer",
}

// labelOf is v's label in labels. A code with none (another release's) is
// shown as stored, capitalised, rather than hidden.
func labelOf[T ~string](labels map[T]string, v T) string {
	if l, ok := labels[v]; ok {
		return l
	}
	return capitalise(string(v))
}

// kindLabel names a kind of person.
func kindLabel(k training.Kind) string { return labelOf(kindLabels, k) }

var deliveryLabels = map[training.Delivery]string{
	training.DeliveryELearning: "E-learning",
	training.DeliveryClassroom: "Classroom",
	training.DeliveryEither:    "E-learning or classroom",
}

func deliveryLabel(d training.Delivery) string { return labelOf(deliveryLabels, d) }

var expiryBasisLabels = map[training.ExpiryBasis]string{
	training.ExpiryFromCompletion:     "The day it was completed",
	training.ExpiryFromPreviousExpiry: "The previous expiry, when renewed early",
}

func expiryBasisLabel(b training.ExpiryBasis) string {
	if l, ok := expiryBasisLabels[b]; ok {
		return l
	}
	return capitalise(strings.ReplaceAll(string(b), "_", " "))
}

var evidenceLabels = map[training.Evidence]string{
	training.EvidenceNone:        "None: the date is enough",
	training.EvidenceCertificate: "A certificate file",
}

func evidenceLabel(e training.Evidence) string { return labelOf(evidenceLabels, e) }

var verificationLabels = map[training.Verification]string{
	training.VerificationNone:    "Nobody: counts at once",
	training.VerificationManager: "Line manager or HR",
	training.VerificationHR:      "HR",
}

func verificationLabel(v training.Verification) string { return labelOf(verificationLabels, v) }

// auditActionLabels says in plain English what each audit action did.
// Every action the code writes must be here: a test reads the source for
// them.
var auditActionLabels = map[string]string{
	"person.create":                    "Added",
	"person.update":                    "Details changed",
	"person.import_create":             "Added by import",
	"person.import_update":             "Details changed by import",
	"person.invite":                    "Invited to sign in",
	"account.accept_invite":            "Account created",
	"account.create_demo":              "Account created",
	"account.create_admin":             "Account created",
	"account.roles":                    "Roles changed",
	"account.change_password":          "Password changed",
	"account.create_sso":               "Account created at their first single sign-on",
	"account.sso_link":                 "Linked to their single sign-on",
	"account.sso_unlink":               "Single sign-on link removed",
	"account.disable":                  "Account disabled by HR",
	"account.enable":                   "Account enabled again",
	"account.end_sessions":             "Signed out everywhere by HR",
	"account.password_reset_requested": "Password reset link e-mailed",
	"account.password_reset":           "Password reset with an e-mailed link",
	"completion.record":                "Completion recorded",
	"completion.import":                "Completion imported",
	"completion.verify":                "Completion verified",
	"completion.reject":                "Completion rejected",
	"completion.revoke":                "Completion revoked",
	"course.create":                    "Course added",
	"course.update":                    "Course policy changed",
	"exemption.grant":                  "Exemption granted",
	"exemption.remove":                 "Exemption removed",
	"flag.dealt_with":                  "Flag marked as dealt with",
	"person.reminded":                  "Reminder sent by e-mail",
	"session.schedule":                 "Session scheduled",
	"session.reschedule":               "Session changed",
	"session.cancel":                   "Session cancelled",
	"booking.create":                   "Booked on a session",
	"booking.cancel":                   "Session booking cancelled",
	"booking.register":                 "Session register taken",
	"demo.fill":                        "Demo records added",
}

// auditActionLabel names an action; an unknown one (an older release's)
// reads "Changed" rather than a code.
func auditActionLabel(action string) string {
	if l, ok := auditActionLabels[action]; ok {
		return l
	}
	return "Changed"
}

// auditFields are the audit's field names people may read about, in the
// order they are listed. Fields not here (ids, hashes, timestamps of the
// record itself) are left out: they mean nothing to a reader.
var auditFields = []struct{ Name, Label string }{
	{"employee_number", "Employee number"},
	{"given_name", "First name"},
	{"family_name", "Last name"},
	{"email", "Email address"},
	{"kind", "Kind of person"},
	{"job_title", "Job title"},
	{"department", "Department"},
	{"manager_id", "Line manager"},
	{"start_date", "Start date"},
	{"end_date", "End date"},
	{"roles", "Roles"},
	{"expires_at", "Invitation expires"},
	{"invited_by", "Invited by"},
	{"subject", "Single sign-on identity"},
	{"course_code", "Course"},
	{"completed_on", "Completed on"},
	{"state", "Status"},
	{"reason", "Reason"},
	{"until", "Until"},
	// A course's policy.
	{"title", "Title"},
	{"provider", "Provider"},
	{"url", "Course address"},
	{"delivery", "Delivery"},
	{"applies_to.kinds", "Applies to"},
	{"applies_to.departments", "Applies to departments"},
	{"applies_to.job_titles", "Applies to job titles"},
	{"new_starter_days", "Days a new starter has"},
	{"validity_months", "Months it stays valid"},
	{"due_soon_days", "Days before expiry it shows as expiring"},
	{"renew_window_days", "Renewal window in days"},
	{"expiry_basis", "Expiry counted from"},
	{"effective_from", "Required from"},
	{"evidence", "Evidence"},
	{"verification", "Verified by"},
	{"target_pct", "Target"},
}

// personFields hold a person's ID: shown as a name the viewer may see.
var personFields = map[string]bool{"manager_id": true, "invited_by": true}

var roleLabels = map[auth.Role]string{
	auth.RoleEmployee: "Employee",
	auth.RoleManager:  "Line manager",
	auth.RoleHR:       "HR",
	auth.RoleAuditor:  "Auditor",
	auth.RoleTrainer:  "Trainer",

	auth.RoleMemberServices: "Member Services",
}

// changedFields says what an audit entry changed, each field as before →
// after ("Department: Housing → Planning; Line manager: none → Mara
// Hill"); a creation lists what was set. nameOf gives the name of a person
// the viewer may see.
func changedFields(before, after json.RawMessage, nameOf func(id string) (string, bool)) string {
	var b, a map[string]any
	_ = json.Unmarshal(before, &b)
	_ = json.Unmarshal(after, &a)
	flattenAppliesTo(b)
	flattenAppliesTo(a)
	var out []string
	for _, f := range auditFields {
		v, set := a[f.Name]
		old, had := b[f.Name]
		if !set && !had || had && fmt.Sprint(old) == fmt.Sprint(v) {
			continue
		}
		shown := auditValue(f.Name, v, nameOf)
		if b == nil {
			if shown != "" { // a creation leaves it empty: nothing to say
				out = append(out, f.Label+": "+shown)
			}
			continue
		}
		was := auditValue(f.Name, old, nameOf)
		switch {
		case was == "" && shown == "":
			continue
		case was == "":
			was = "none"
		case shown == "":
			// A field missing afterwards (left out when empty) was removed.
			shown = "removed"
		}
		out = append(out, f.Label+": "+was+" → "+shown)
	}
	if a["other_sessions_ended"] == true {
		out = append(out, "Signed out everywhere else")
	}
	return strings.Join(out, "; ")
}

// flattenAppliesTo lifts a course's "applies_to" into fields of their own,
// so each is told apart ("Applies to departments: none → Housing").
func flattenAppliesTo(m map[string]any) {
	at, ok := m["applies_to"].(map[string]any)
	if !ok {
		return
	}
	for k, v := range at {
		m["applies_to."+k] = v
	}
	delete(m, "applies_to")
}

// auditValue shows one value of the audit as a person reads it; "" for
// an empty one.
func auditValue(field string, v any, nameOf func(string) (string, bool)) string {
	switch x := v.(type) {
	case nil:
		return ""
	case []any:
		if field == "applies_to.kinds" {
			return joinValues(x, func(s string) string { return kindLabel(training.Kind(s)) })
		}
		if field != "roles" {
			return joinValues(x, func(s string) string { return s })
		}
		if len(x) == 0 {
			return "none"
		}
		return joinValues(x, func(s string) string {
			if l, ok := roleLabels[auth.Role(s)]; ok {
				return l
			}
			return s
		})
	case string:
		if x == "" {
			return ""
		}
		switch {
		case personFields[field]:
			if name, ok := nameOf(x); ok {
				return name
			}
			return "changed"
		case field == "kind":
			return kindLabel(training.Kind(x))
		case field == "delivery":
			return deliveryLabel(training.Delivery(x))
		case field == "expiry_basis":
			return expiryBasisLabel(training.ExpiryBasis(x))
		case field == "evidence":
			return evidenceLabel(training.Evidence(x))
		case field == "verification":
			return verificationLabel(training.Verification(x))
		case field == "state":
			return capitalise(strings.ReplaceAll(x, "_", " "))
		}
		if d, err := training.ParseDate(x); err == nil {
			return longDate(d)
		}
		if t, err := time.Parse(time.RFC3339Nano, x); err == nil {
			return t.UTC().Format("2 January 2006")
		}
		return x
	case bool:
		if x {
			return "yes"
		}
		return "no"
	default:
		return fmt.Sprint(x)
	}
}

func joinValues(xs []any, label func(string) string) string {
	var parts []string
	for _, x := range xs {
		parts = append(parts, label(fmt.Sprint(x)))
	}
	return strings.Join(parts, ", ")
}

package training_test

import (
	"errors"
	"testing"

	"github.com/complytrack/complytrack/pkg/training"
)

func TestParse(t *testing.T) {
	for _, tc := range []struct {
		name    string
		parse   func(field, s string) (string, error)
		in      string
		want    string
		wantMsg string // empty: no error
	}{
		{"kind", kind, "staff", "staff", ""},
		{"kind, elected Member", kind, "member", "member", ""},
		{"kind, other case", kind, "Staff", "", training.KindProblem},
		{"kind, empty", kind, "", "", training.KindProblem},
		{"status", status, "overdue", "overdue", ""},
		{"status, none", status, "", "", ""},
		{"status, unknown", status, "sleeping", "", training.StatusProblem},
		{"flag kind", flagKind, "due_soon", "due_soon", ""},
		{"flag kind, unknown", flagKind, "late", "", training.FlagKindProblem},
		{"group by", groupBy, "manager", "manager", ""},
		{"group by, default", groupBy, "", "", ""},
		{"group by, unknown", groupBy, "team", "", training.GroupByProblem},
		{"delivery", delivery, "classroom", "classroom", ""},
		{"delivery, unknown", delivery, "online", "", training.DeliveryProblem},
		{"delivery, empty", delivery, "", "", training.DeliveryProblem},
		{"expiry basis", expiryBasis, "previous_expiry", "previous_expiry", ""},
		{"expiry basis, unknown", expiryBasis, "expiry", "", training.ExpiryBasisProblem},
		{"evidence", evidence, "certificate", "certificate", ""},
		{"evidence, unknown", evidence, "photo", "", training.EvidenceProblem},
		{"verification", verification, "hr", "hr", ""},
		{"verification, unknown", verification, "HR", "", training.VerificationProblem},
	} {
		t.Run(tc.name, func(t *testing.T) {
			got, err := tc.parse("the_field", tc.in)
			if tc.wantMsg == "" {
				if err != nil || got != tc.want {
					t.Fatalf("got %q, %v; want %q", got, err, tc.want)
				}
				return
			}
			var v *training.ValidationError
			if !errors.As(err, &v) || len(v.Fields) != 1 || v.Fields[0].Field != "the_field" || v.Fields[0].Message != tc.wantMsg || got != "" {
				t.Fatalf("got %q, %v; want the field error %q", got, err, tc.wantMsg)
			}
		})
	}
}

func kind(f, s string) (string, error)   { v, err := training.ParseKind(f, s); return string(v), err }
func status(f, s string) (string, error) { v, err := training.ParseStatus(f, s); return string(v), err }
func flagKind(f, s string) (string, error) {
	v, err := training.ParseFlagKind(f, s)
	return string(v), err
}
func groupBy(f, s string) (string, error) {
	v, err := training.ParseGroupBy(f, s)
	return string(v), err
}
func delivery(f, s string) (string, error) {
	v, err := training.ParseDelivery(f, s)
	return string(v), err
}
func expiryBasis(f, s string) (string, error) {
	v, err := training.ParseExpiryBasis(f, s)
	return string(v), err
}
func evidence(f, s string) (string, error) {
	v, err := training.ParseEvidence(f, s)
	return string(v), err
}
func verification(f, s string) (string, error) {
	v, err := training.ParseVerification(f, s)
	return string(v), err
}

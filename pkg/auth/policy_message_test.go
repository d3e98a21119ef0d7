package auth_test

import (
	"errors"
	"strings"
	"testing"

	"github.com/complytrack/complytrack/pkg/auth"
)

// The message for each refused password is a whole sentence about the
// password, shown as it is (never glued onto a label).
func TestPolicyMessage(t *testing.T) {
	for _, tt := range []struct {
		name     string
		password string
		want     string
	}{
		{"too short", "short", "Your password must be at least 12 characters."},
		{"one character short", strings.Repeat("é", 11), "Your password must be at least 12 characters."},
		{"too long", strings.Repeat("a", auth.MaxPasswordBytes+1),
			"Your password must be 1024 characters or fewer (accented letters and symbols count as 2 to 4)."},
		{"long enough", strings.Repeat("é", 12), ""},
	} {
		t.Run(tt.name, func(t *testing.T) {
			if got := auth.PolicyMessage(auth.CheckPasswordPolicy(tt.password)); got != tt.want {
				t.Errorf("PolicyMessage = %q, want %q", got, tt.want)
			}
		})
	}
	if got := auth.PolicyMessage(errors.New("something else")); got != "" {
		t.Errorf("PolicyMessage(another error) = %q, want none", got)
	}
}

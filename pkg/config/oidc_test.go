package config_test

import (
	"errors"
	"testing"

	"github.com/complytrack/complytrack/pkg/config"
)

// Single sign-on is off by default; set up, it needs a client ID and one
// secret; passwords can be turned off only with it; each bad value names
// its variable.
func TestOIDCSettings(t *testing.T) {
	full := []string{"COMPLYTRACK_OIDC_ISSUER=https://login.microsoftonline.com/tenant/v2.0", "COMPLYTRACK_OIDC_CLIENT_ID=app-id"}
	with := func(more ...string) []string { return append(append([]string{}, full...), more...) }
	tests := []struct {
		name    string
		env     []string
		bad     string // the variable named, "" for none
		enabled bool
	}{
		{"unset", nil, "", false},
		{"issuer, client and secret", with("COMPLYTRACK_OIDC_CLIENT_SECRET=s3cret"), "", true},
		{"secret in a file", with("COMPLYTRACK_OIDC_CLIENT_SECRET_FILE=/run/secrets/oidc"), "", true},
		{"loopback over http", []string{"COMPLYTRACK_OIDC_ISSUER=http://127.0.0.1:5556", "COMPLYTRACK_OIDC_CLIENT_ID=a", "COMPLYTRACK_OIDC_CLIENT_SECRET=b"}, "", true},
		{"plain http elsewhere", []string{"COMPLYTRACK_OIDC_ISSUER=http://login.example.org", "COMPLYTRACK_OIDC_CLIENT_ID=a", "COMPLYTRACK_OIDC_CLIENT_SECRET=b"}, "COMPLYTRACK_OIDC_ISSUER", false},
		{"not an address", []string{"COMPLYTRACK_OIDC_ISSUER=login.example.org"}, "COMPLYTRACK_OIDC_ISSUER", false},
		{"no client ID", []string{"COMPLYTRACK_OIDC_ISSUER=https://accounts.google.com", "COMPLYTRACK_OIDC_CLIENT_SECRET=b"}, "COMPLYTRACK_OIDC_CLIENT_ID", false},
		{"no secret", full, "COMPLYTRACK_OIDC_CLIENT_SECRET", false},
		{"both secrets", with("COMPLYTRACK_OIDC_CLIENT_SECRET=a", "COMPLYTRACK_OIDC_CLIENT_SECRET_FILE=/x"), "COMPLYTRACK_OIDC_CLIENT_SECRET_FILE", false},
		{"client without issuer", []string{"COMPLYTRACK_OIDC_CLIENT_ID=a"}, "COMPLYTRACK_OIDC_ISSUER", false},
		{"passwords off without issuer", []string{"COMPLYTRACK_OIDC_PASSWORDS=off"}, "COMPLYTRACK_OIDC_PASSWORDS", false},
		{"passwords maybe", with("COMPLYTRACK_OIDC_CLIENT_SECRET=s", "COMPLYTRACK_OIDC_PASSWORDS=maybe"), "COMPLYTRACK_OIDC_PASSWORDS", false},
		{"claim with a space", with("COMPLYTRACK_OIDC_CLIENT_SECRET=s", "COMPLYTRACK_OIDC_MATCH_CLAIM=employee number"), "COMPLYTRACK_OIDC_MATCH_CLAIM", false},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			c, err := config.Load(tt.env)
			var ce *config.Error
			switch {
			case tt.bad == "" && err != nil:
				t.Fatalf("refused: %v", err)
			case tt.bad != "" && (!errors.As(err, &ce) || ce.Name != tt.bad):
				t.Fatalf("got %v, want an error naming %s", err, tt.bad)
			case tt.bad == "" && c.OIDC.Enabled() != tt.enabled:
				t.Errorf("enabled %v, want %v", c.OIDC.Enabled(), tt.enabled)
			}
		})
	}
}

func TestOIDCDefaults(t *testing.T) {
	c, err := config.Load([]string{"COMPLYTRACK_OIDC_ISSUER=https://accounts.google.com", "COMPLYTRACK_OIDC_CLIENT_ID=a", "COMPLYTRACK_OIDC_CLIENT_SECRET=b"})
	if err != nil {
		t.Fatal(err)
	}
	if c.OIDC.Name != "your work account" || c.OIDC.MatchClaim != "email" || !c.OIDC.Passwords {
		t.Errorf("defaults: %+v", c.OIDC)
	}
	c, err = config.Load([]string{"COMPLYTRACK_OIDC_ISSUER=https://accounts.google.com", "COMPLYTRACK_OIDC_CLIENT_ID=a", "COMPLYTRACK_OIDC_CLIENT_SECRET=b",
		"COMPLYTRACK_OIDC_NAME=  Eastmoor   Microsoft account ", "COMPLYTRACK_OIDC_MATCH_CLAIM=employee_number", "COMPLYTRACK_OIDC_PASSWORDS=off"})
	if err != nil || c.OIDC.Name != "Eastmoor Microsoft account" || c.OIDC.MatchClaim != "employee_number" || c.OIDC.Passwords {
		t.Errorf("set: %+v %v", c.OIDC, err)
	}
}

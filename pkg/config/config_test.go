package config_test

import (
	"errors"
	"os"
	"strings"
	"testing"
	"time"

	"github.com/complytrack/complytrack/pkg/config"
)

func TestDefaults(t *testing.T) {
	c, err := config.Load([]string{"PATH=/usr/bin", "HOME=/root"})
	if err != nil {
		t.Fatal(err)
	}
	if c.HTTPAddr != ":8080" || c.DataDir != "./data" || !c.Embedded() || !c.Worker || c.Database != "complytrack" {
		t.Errorf("defaults: %+v", c)
	}
	if c.Location.String() != "Europe/London" || c.ShutdownGrace != 10*time.Second {
		t.Errorf("zone %v, grace %v", c.Location, c.ShutdownGrace)
	}
}

func TestMongoURITurnsWorkerOffByDefault(t *testing.T) {
	c, err := config.Load([]string{"MONGODB_URI=mongodb://db.internal:27017/council?replicaSet=rs0"})
	if err != nil {
		t.Fatal(err)
	}
	if c.Embedded() || c.Worker || c.Database != "council" {
		t.Errorf("got embedded=%v worker=%v database=%q", c.Embedded(), c.Worker, c.Database)
	}
	c, err = config.Load([]string{"MONGODB_URI=mongodb://db:27017", "COMPLYTRACK_WORKER=on"})
	if err != nil || !c.Worker || c.Database != "complytrack" {
		t.Errorf("explicit worker on: %+v, %v", c, err)
	}
}

func TestEmptyValueMeansDefault(t *testing.T) {
	c, err := config.Load([]string{"COMPLYTRACK_ADMIN_PASSWORD=", "COMPLYTRACK_HTTP_ADDR="})
	if err != nil || c.HTTPAddr != ":8080" || c.AdminPassword != "" {
		t.Errorf("got %+v, %v", c, err)
	}
}

func TestBadSettingsNameTheVariable(t *testing.T) {
	tests := []struct {
		env  string
		name string
	}{
		{"COMPLYTRACK_HTTP_ADDR=8080", "COMPLYTRACK_HTTP_ADDR"},
		{"MONGODB_URI=postgres://x", "MONGODB_URI"},
		{"MONGODB_URI=mongodb://", "MONGODB_URI"},
		{"COMPLYTRACK_WORKER=maybe", "COMPLYTRACK_WORKER"},
		{"COMPLYTRACK_ADMIN_EMAIL=not-an-address", "COMPLYTRACK_ADMIN_EMAIL"},
		{"COMPLYTRACK_ADMIN_PASSWORD=short", "COMPLYTRACK_ADMIN_PASSWORD"},
		{"COMPLYTRACK_TIMEZONE=Mars/Olympus", "COMPLYTRACK_TIMEZONE"},
		{"COMPLYTRACK_TIMEZONE=Local", "COMPLYTRACK_TIMEZONE"},
		{"COMPLYTRACK_LOG_LEVEL=loud", "COMPLYTRACK_LOG_LEVEL"},
		{"COMPLYTRACK_PUBLIC_URL=ftp://x", "COMPLYTRACK_PUBLIC_URL"},
		{"COMPLYTRACK_SHUTDOWN_TIMEOUT=forever", "COMPLYTRACK_SHUTDOWN_TIMEOUT"},
		{"COMPLYTRACK_PHASE=gamma", "COMPLYTRACK_PHASE"},
		{"COMPLYTRACK_ORG_NAME=" + strings.Repeat("Eastmoor ", 20), "COMPLYTRACK_ORG_NAME"},
		{"COMPLYTRACK_HTTP_ADRR=:8080", "COMPLYTRACK_HTTP_ADRR"}, // a typo is not silently ignored
	}
	for _, tt := range tests {
		t.Run(tt.env, func(t *testing.T) {
			_, err := config.Load([]string{tt.env})
			var ce *config.Error
			if !errors.As(err, &ce) || ce.Name != tt.name {
				t.Fatalf("got %v, want an error naming %s", err, tt.name)
			}
			if msg := err.Error(); strings.Contains(msg, "\n") || !strings.Contains(msg, tt.name) {
				t.Errorf("message %q is not one line naming %s", msg, tt.name)
			}
		})
	}
}

// The organisation's name is shown as written, its blanks tidied; the
// phase banner says beta until it is set to alpha or turned off.
func TestOrganisationAndPhase(t *testing.T) {
	tests := []struct {
		env        []string
		org, phase string
	}{
		{nil, "", "beta"},
		{[]string{"COMPLYTRACK_ORG_NAME=  Eastmoor   District Council ", "COMPLYTRACK_PHASE=alpha"}, "Eastmoor District Council", "alpha"},
		{[]string{"COMPLYTRACK_PHASE=off"}, "", ""},
	}
	for _, tt := range tests {
		c, err := config.Load(tt.env)
		if err != nil || c.OrgName != tt.org || c.Phase != tt.phase {
			t.Errorf("%v: organisation %q, phase %q (%v); want %q, %q", tt.env, c.OrgName, c.Phase, err, tt.org, tt.phase)
		}
	}
}

func TestTestVariablesAreNotSettings(t *testing.T) {
	if _, err := config.Load([]string{"COMPLYTRACK_TEST_MONGODB_URI=mongodb://localhost"}); err != nil {
		t.Errorf("COMPLYTRACK_TEST_ variables must pass: %v", err)
	}
}

func TestEverySettingIsDocumented(t *testing.T) {
	for _, s := range config.Settings() {
		if s.Help == "" || s.Default == "" && s.Name != "MONGODB_URI" {
			t.Errorf("%s lacks help or a stated default", s.Name)
		}
	}
}

func TestReadmeDocumentsEverySetting(t *testing.T) {
	readme, err := os.ReadFile("../../README.md")
	if err != nil {
		t.Fatal(err)
	}
	for _, s := range config.Settings() {
		if !strings.Contains(string(readme), "| `"+s.Name+"` |") {
			t.Errorf("README.md's settings table has no row for %s", s.Name)
		}
	}
}

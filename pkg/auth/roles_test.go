package auth_test

import (
	"encoding/json"
	"testing"

	"github.com/complytrack/complytrack/pkg/auth"
)

func TestRoles(t *testing.T) {
	var empty auth.Roles
	for _, r := range auth.AllRoles() {
		if !r.Valid() || empty.Has(r) {
			t.Errorf("role %q: valid %v, in empty set %v", r, r.Valid(), empty.Has(r))
		}
	}
	rs := auth.NewRoles(auth.RoleHR, auth.RoleEmployee, "admin")
	if !rs.Has(auth.RoleHR) || !rs.Has(auth.RoleEmployee) || rs.Has(auth.RoleManager) || rs.Has("admin") {
		t.Errorf("set %v", rs)
	}
	if rs.With(auth.RoleManager).Without(auth.RoleHR) != auth.NewRoles(auth.RoleEmployee, auth.RoleManager) {
		t.Error("With/Without")
	}
	if _, err := auth.ParseRole("HR"); err == nil {
		t.Error("ParseRole accepted HR (roles are lower case)")
	}
	if r, err := auth.ParseRole("auditor"); err != nil || r != auth.RoleAuditor {
		t.Errorf("ParseRole(auditor) = %q, %v", r, err)
	}

	b, err := json.Marshal(struct {
		Roles auth.Roles `json:"roles"`
	}{auth.NewRoles(auth.RoleTrainer, auth.RoleEmployee, auth.RoleHR)})
	if err != nil || string(b) != `{"roles":["employee","hr","trainer"]}` {
		t.Errorf("JSON = %s, %v", b, err)
	}
	if b, _ := json.Marshal(empty); string(b) != "[]" {
		t.Errorf("empty set JSON = %s, want []", b)
	}
	var back auth.Roles
	if err := json.Unmarshal([]byte(`["manager","auditor"]`), &back); err != nil || back != auth.NewRoles(auth.RoleManager, auth.RoleAuditor) {
		t.Errorf("Unmarshal = %v, %v", back, err)
	}
	if err := json.Unmarshal([]byte(`["superuser"]`), &back); err == nil {
		t.Error("Unmarshal accepted an unknown role")
	}
	if s := auth.NewRoles(auth.RoleManager, auth.RoleEmployee).String(); s != "employee,manager" {
		t.Errorf("String = %q", s)
	}
}

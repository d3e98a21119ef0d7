package auth

import (
	"encoding/json"
	"fmt"
	"strings"
)

// Role is what a person may do in complytrack. Roles are stored with the
// account (manager is derived from the reporting line) and looked up per
// request; they are never put into tokens, so a change applies at once.
type Role string

// The roles, as spelled in the API (/api/v1/me "roles").
const (
	RoleEmployee Role = "employee" // everyone: their own record and training
	RoleManager  Role = "manager"  // has a reporting line: their team
	RoleHR       Role = "hr"       // administers people, courses and records
	RoleAuditor  Role = "auditor"  // reads everything, changes nothing
	RoleTrainer  Role = "trainer"  // records completions for their sessions
	// RoleMemberServices looks after elected Members, who have no line
	// manager: it sees every Member's training as a line manager would.
	RoleMemberServices Role = "member_services"
)

// allRoles lists the roles in their canonical order; a role's index is its
// bit in Roles.
var allRoles = [...]Role{RoleEmployee, RoleManager, RoleHR, RoleAuditor, RoleTrainer, RoleMemberServices}

// AllRoles returns every role, in canonical order.
func AllRoles() []Role { return append([]Role(nil), allRoles[:]...) }

func (r Role) bit() Roles {
	for i, x := range allRoles {
		if x == r {
			return 1 << i
		}
	}
	return 0
}

// Valid reports whether r is one of the defined roles.
func (r Role) Valid() bool { return r.bit() != 0 }

// ParseRole returns the role spelled s, or an error for anything else
// (case matters: the API spells roles in lower case).
func ParseRole(s string) (Role, error) {
	r := Role(s)
	if !r.Valid() {
		return "", fmt.Errorf("auth: unknown role %q", s)
	}
	return r, nil
}

// Roles is a set of roles. The zero value is the empty set; it is a small
// value type, so sets can be copied and compared with ==.
type Roles uint8

// NewRoles returns the set of the given roles; invalid ones are ignored
// (validate with ParseRole where input comes from outside).
func NewRoles(roles ...Role) Roles {
	var s Roles
	for _, r := range roles {
		s |= r.bit()
	}
	return s
}

// Has reports whether r is in the set. It is false for an invalid role.
func (s Roles) Has(r Role) bool {
	b := r.bit()
	return b != 0 && s&b != 0
}

// With returns the set plus r (unchanged if r is invalid).
func (s Roles) With(r Role) Roles { return s | r.bit() }

// Without returns the set minus r.
func (s Roles) Without(r Role) Roles { return s &^ r.bit() }

// Slice returns the roles in the set, in canonical order.
func (s Roles) Slice() []Role {
	out := make([]Role, 0, len(allRoles))
	for _, r := range allRoles {
		if s.Has(r) {
			out = append(out, r)
		}
	}
	return out
}

// String returns the roles comma-separated, in canonical order.
func (s Roles) String() string {
	parts := make([]string, 0, len(allRoles))
	for _, r := range s.Slice() {
		parts = append(parts, string(r))
	}
	return strings.Join(parts, ",")
}

// MarshalJSON encodes the set as a JSON array of role names in canonical
// order (never null), as /api/v1/me returns it.
func (s Roles) MarshalJSON() ([]byte, error) { return json.Marshal(s.Slice()) }

// UnmarshalJSON decodes a JSON array of role names; an unknown name is an
// error rather than silently dropped.
func (s *Roles) UnmarshalJSON(data []byte) error {
	var names []string
	if err := json.Unmarshal(data, &names); err != nil {
		return err
	}
	var set Roles
	for _, n := range names {
		r, err := ParseRole(n)
		if err != nil {
			return err
		}
		set = set.With(r)
	}
	*s = set
	return nil
}

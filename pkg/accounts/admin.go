package accounts

import (
	"context"
	"crypto/rand"
	"errors"
	"fmt"

	"github.com/complytrack/complytrack/pkg/auth"
	"github.com/complytrack/complytrack/pkg/training"
)

// EnsureAdmin creates the first HR account when no account holds the HR
// role: for the person with this e-mail, creating that person if needed.
// With an empty password it generates one and returns it, for the caller to
// print once. created is false when an HR account existed already.
//
// Several processes starting at once cannot both succeed: the account is
// inserted under the person's ID, and the loser's conflict means another
// process made it.
func (s *Service) EnsureAdmin(ctx context.Context, email, password string) (generated string, created bool, err error) {
	hasHR, err := s.store.AnyAccountWithRole(ctx, auth.RoleHR)
	if err != nil || hasHR {
		return "", false, err
	}
	if password == "" {
		password = generatePassword()
		generated = password
	}
	if err := auth.CheckPasswordPolicy(password); err != nil {
		return "", false, fmt.Errorf("setting COMPLYTRACK_ADMIN_PASSWORD: %w", err)
	}
	system := training.SystemActorFor()
	person, err := s.people.PersonByEmail(ctx, email)
	if errors.Is(err, training.ErrNotFound) {
		person, err = s.people.CreatePerson(ctx, system, training.PersonInput{Person: training.Person{
			EmployeeNumber: "ADMIN", Email: email, GivenName: "HR", FamilyName: "Administrator",
			Kind: training.KindStaff, Department: "Human Resources", JobTitle: "HR administrator",
			StartDate: s.people.Today(),
		}})
	}
	if err != nil {
		return "", false, fmt.Errorf("first HR account: %w", err)
	}
	h, err := s.hasher.Hash(ctx, password)
	if err != nil {
		return "", false, err
	}
	now := s.cfg.Now().UTC()
	err = s.store.CreateAccount(ctx, Account{PersonID: person.ID, PasswordHash: h, Roles: auth.NewRoles(auth.RoleHR), CreatedAt: now, UpdatedAt: now, PasswordSetAt: now})
	if errors.Is(err, training.ErrConflict) {
		// The person has an account already (another process, or an
		// earlier run): grant HR to it rather than replace its password.
		acct, err := s.store.Account(ctx, person.ID)
		if err != nil {
			return "", false, err
		}
		acct.Roles = acct.Roles.With(auth.RoleHR)
		if err := s.store.PutAccount(ctx, acct); err != nil {
			return "", false, err
		}
		return "", true, s.people.Audit(ctx, system, "account.roles", "person", person.ID, nil, map[string]any{"roles": acct.Roles})
	}
	if err != nil {
		return "", false, err
	}
	return generated, true, s.people.Audit(ctx, system, "account.create_admin", "person", person.ID, nil, map[string]any{"roles": []string{"hr"}})
}

// generatePassword returns 20 characters from an alphabet without look-alikes.
func generatePassword() string {
	const alphabet = "abcdefghijkmnpqrstuvwxyzABCDEFGHJKLMNPQRSTUVWXYZ23456789"
	b := make([]byte, 20)
	for i := range b {
		b[i] = alphabet[randIntn(len(alphabet))]
	}
	return string(b)
}

func randIntn(n int) int {
	// Rejection sampling keeps the choice uniform.
	var buf [1]byte
	limit := 256 - 256%n
	for {
		_, _ = rand.Read(buf[:])
		if int(buf[0]) < limit {
			return int(buf[0]) % n
		}
	}
}

package compliance

import (
	"context"
	"fmt"

	"github.com/complytrack/complytrack/pkg/training"
)

// PersonByEmployeeNumber finds a person by employee number, for signing in
// with an identity provider that sends it. It applies no authorization:
// the caller is not signed in yet.
func (s *People) PersonByEmployeeNumber(ctx context.Context, number string) (training.Person, error) {
	var p training.Person
	err := s.read(ctx, func(o Org) error {
		var ok bool
		if p, ok = o.PersonByNumber(number); !ok {
			return fmt.Errorf("person by employee number: %w", training.ErrNotFound)
		}
		return nil
	})
	return p, err
}

package compliance

import (
	"context"
	"encoding/json"
	"fmt"

	"github.com/complytrack/complytrack/pkg/training"
)

// AuditMany records the same change made outside this package to many
// records at once (accounts inviting everyone not yet invited): one entry
// per record, as Audit writes it, stored in batches when the store can.
func (s *core) AuditMany(ctx context.Context, actor training.Actor, action, entity string, afters map[string]any) error {
	now := s.now().UTC()
	entries := make([]training.AuditEntry, 0, len(afters))
	for id, after := range afters {
		e := training.AuditEntry{At: now, Actor: actor.PersonID, Action: action, Entity: entity, EntityID: id}
		if after != nil {
			b, err := json.Marshal(after)
			if err != nil {
				return fmt.Errorf("audit %s: %w", action, err)
			}
			e.After = b
		}
		entries = append(entries, e)
	}
	if bulk, ok := s.store.(BulkStore); ok {
		return bulk.AppendAudits(ctx, entries)
	}
	for _, e := range entries {
		if _, err := s.store.AppendAudit(ctx, e); err != nil {
			return fmt.Errorf("audit %s: %w", action, err)
		}
	}
	return nil
}

package training

import (
	"encoding/json"
	"time"
)

// AuditEntry records one change anyone made: who, when, what, and the
// object before and after (as JSON, in the API's own field names; null for
// a creation's before or when nothing applies).
type AuditEntry struct {
	ID       string
	At       time.Time
	Actor    string // person ID, or "system" for the scheduled jobs
	Action   string // e.g. "person.create", "completion.revoke"
	Entity   string // e.g. "person", "completion"
	EntityID string
	Before   json.RawMessage
	After    json.RawMessage
}

// SystemActor is the actor of changes made by the scheduled jobs and start-up.
const SystemActor = "system"

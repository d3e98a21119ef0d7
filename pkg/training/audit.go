package training

import (
	"encoding/binary"
	"encoding/hex"
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

// AuditID returns an audit entry's ID: 4 bytes of the entry's time in
// seconds, 2 of its milliseconds, then 6 bytes that tell apart entries of
// the same millisecond (random, or a hash of the key an entry is written
// under), in hex. The audit log is read newest first by ID, so IDs sort by
// the time of the entry, whichever process or clock wrote it.
func AuditID(at time.Time, tail [6]byte) string {
	var b [12]byte
	binary.BigEndian.PutUint32(b[0:4], uint32(at.Unix()))
	binary.BigEndian.PutUint16(b[4:6], uint16(at.Nanosecond()/int(time.Millisecond)))
	copy(b[6:], tail[:])
	return hex.EncodeToString(b[:])
}

// SystemActor is the actor of changes made by the scheduled jobs and start-up.
const SystemActor = "system"

// Package ids mints record IDs for the records the services create
// themselves (people, completions, sessions, bookings), so an ID is known
// before the record is written: a batch can link its records to each
// other, and a retried write can be recognised.
package ids

import (
	"crypto/rand"
	"encoding/binary"
	"encoding/hex"
	"sync/atomic"
	"time"
)

var (
	counter atomic.Uint32
	process = func() (b [5]byte) { _, _ = rand.Read(b[:]); return b }()
)

// New returns an ObjectID-shaped ID, the shape the database gives out: 4
// bytes of seconds, 5 bytes random to the process, a 3-byte counter. IDs
// made by one process in one second sort in the order they were made, so
// bookings queued in the same millisecond keep their order.
func New(now time.Time) string {
	var b [12]byte
	binary.BigEndian.PutUint32(b[0:4], uint32(now.Unix()))
	copy(b[4:9], process[:])
	c := counter.Add(1)
	b[9], b[10], b[11] = byte(c>>16), byte(c>>8), byte(c)
	return hex.EncodeToString(b[:])
}

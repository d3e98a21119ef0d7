package auth

import "context"

// HoldHashSlot takes one of h's hashing slots until release is called, so
// tests can observe the concurrency bound deterministically.
func HoldHashSlot(ctx context.Context, h *Hasher) (release func(), err error) {
	return h.acquire(ctx)
}

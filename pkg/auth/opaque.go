package auth

import (
	"crypto/sha256"
	"crypto/subtle"
	"encoding/base64"
	"encoding/hex"
)

// opaqueTokenBytes is the entropy of an opaque token: 256 bits, so guessing
// one, or inverting its stored SHA-256, is out of the question.
const opaqueTokenBytes = 32

// OpaqueTokenLength is the length in characters of a token from
// NewOpaqueToken (unpadded base64 of 32 bytes). Callers may refuse other
// lengths before hashing or looking anything up.
const OpaqueTokenLength = (opaqueTokenBytes*8 + 5) / 6

// NewOpaqueToken returns a new refresh or invitation token and the hash to
// store for it. token (256 random bits from crypto/rand, unpadded
// base64url, URL- and header-safe) goes to the client once and is never
// stored or logged; hash is HashToken(token).
func NewOpaqueToken() (token, hash string) {
	token = base64.RawURLEncoding.EncodeToString(randomBytes(opaqueTokenBytes))
	return token, HashToken(token)
}

// HashToken returns the lowercase hex SHA-256 of token: what is stored for an
// opaque token, and what a presented token is looked up by. A fast unsalted
// hash is right here, unlike for passwords: the token has 256 bits of
// entropy, and the store must be able to find it by hash. The caller should
// bound the length of what it hashes (as it bounds any request field).
func HashToken(token string) string {
	sum := sha256.Sum256([]byte(token))
	return hex.EncodeToString(sum[:])
}

// TokenHashEqual compares two token hashes in constant time, for when a
// hash is compared in memory rather than by a store lookup.
func TokenHashEqual(a, b string) bool {
	return subtle.ConstantTimeCompare([]byte(a), []byte(b)) == 1
}

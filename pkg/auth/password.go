package auth

import (
	"context"
	"crypto/rand"
	"crypto/subtle"
	"encoding/base64"
	"errors"
	"fmt"
	"runtime"
	"strconv"
	"strings"
	"unicode/utf8"

	"golang.org/x/crypto/argon2"
)

// Password policy bounds.
const (
	// MinPasswordLength is the least number of characters (Unicode code
	// points, not bytes, so non-ASCII passwords are not penalised) a new
	// password must have. Length is what makes a password strong; there are
	// no composition rules (NIST SP 800-63B).
	MinPasswordLength = 12
	// MaxPasswordBytes bounds a password in bytes. It exists to bound the
	// work one request can cause, not for strength, and is generous enough
	// for any passphrase or password manager.
	MaxPasswordBytes = 1024
)

// Errors returned by the password functions. They never contain the
// password or the stored hash.
var (
	// ErrPasswordTooShort: the password has fewer than MinPasswordLength characters.
	ErrPasswordTooShort = errors.New("auth: password too short")
	// ErrPasswordTooLong: the password is longer than MaxPasswordBytes.
	ErrPasswordTooLong = errors.New("auth: password too long")
	// ErrMalformedHash: an encoded hash is not a PHC argon2id string this
	// package can verify (wrong algorithm or version, bad syntax, or costs
	// outside the accepted range).
	ErrMalformedHash = errors.New("auth: malformed password hash")
	// ErrInvalidParams: argon2id parameters below MinParams or above the
	// accepted maximum.
	ErrInvalidParams = errors.New("auth: invalid argon2id parameters")
)

// Params are argon2id cost parameters. They are recorded in every encoded
// hash, so changing them affects only new hashes; old ones keep verifying and
// are reported as needing a rehash.
type Params struct {
	Memory      uint32 // memory in KiB (argon2's m)
	Iterations  uint32 // passes over memory (t)
	Parallelism uint8  // lanes (p)
	SaltLength  uint32 // random salt in bytes
	KeyLength   uint32 // derived key in bytes
}

// MinParams is the weakest configuration a Hasher accepts: the OWASP
// Password Storage Cheat Sheet minimum for argon2id (19 MiB, 2 iterations,
// 1 lane) with a 128-bit salt and a 256-bit key.
var MinParams = Params{Memory: 19 * 1024, Iterations: 2, Parallelism: 1, SaltLength: 16, KeyLength: 32}

// DefaultParams is what production uses unless configured otherwise. It is
// the minimum on purpose: with the concurrency bound it keeps a login flood
// within memory on a small server, and it can be raised later without
// invalidating stored hashes.
var DefaultParams = MinParams

// Upper bounds, for configured parameters and for parameters read from a
// stored hash. They keep a corrupted or hostile stored hash from making one
// verification allocate gigabytes or run for minutes.
const (
	maxMemoryKiB   = 256 * 1024
	maxIterations  = 32
	maxParallelism = 16
	minSaltBytes   = 8 // RFC 9106 minimum; we generate >= 16
	maxSaltBytes   = 64
	minKeyBytes    = 16 // below this the comparison itself gets weak
	maxKeyBytes    = 64
	// maxEncodedLen bounds an encoded hash before any parsing.
	maxEncodedLen = 256
)

// defaultMaxConcurrent bounds concurrent hashes when the caller does not:
// a few are enough to keep the CPUs busy, and each costs Params.Memory.
const defaultMaxConcurrent = 4

// Validate reports whether p is acceptable for creating hashes: no weaker
// than MinParams in any dimension and within the package's upper bounds.
func (p Params) Validate() error {
	switch {
	case p.Memory < MinParams.Memory || p.Memory > maxMemoryKiB:
		return fmt.Errorf("%w: memory %d KiB not in [%d, %d]", ErrInvalidParams, p.Memory, MinParams.Memory, maxMemoryKiB)
	case p.Iterations < MinParams.Iterations || p.Iterations > maxIterations:
		return fmt.Errorf("%w: iterations %d not in [%d, %d]", ErrInvalidParams, p.Iterations, MinParams.Iterations, maxIterations)
	case p.Parallelism < MinParams.Parallelism || p.Parallelism > maxParallelism:
		return fmt.Errorf("%w: parallelism %d not in [%d, %d]", ErrInvalidParams, p.Parallelism, MinParams.Parallelism, maxParallelism)
	case p.SaltLength < MinParams.SaltLength || p.SaltLength > maxSaltBytes:
		return fmt.Errorf("%w: salt length %d not in [%d, %d]", ErrInvalidParams, p.SaltLength, MinParams.SaltLength, maxSaltBytes)
	case p.KeyLength < MinParams.KeyLength || p.KeyLength > maxKeyBytes:
		return fmt.Errorf("%w: key length %d not in [%d, %d]", ErrInvalidParams, p.KeyLength, MinParams.KeyLength, maxKeyBytes)
	}
	return nil
}

// CheckPasswordPolicy reports whether password may be set as a new password:
// nil, ErrPasswordTooShort or ErrPasswordTooLong. It does not apply to
// verifying an existing password, so tightening the policy never locks
// anyone out.
func CheckPasswordPolicy(password string) error {
	if len(password) > MaxPasswordBytes {
		return ErrPasswordTooLong
	}
	if utf8.RuneCountInString(password) < MinPasswordLength {
		return ErrPasswordTooShort
	}
	return nil
}

// PolicyMessage is the sentence a person is shown when
// CheckPasswordPolicy refuses the password they chose, or "" when err is
// not one of its errors. The limit in bytes is put in characters, with a
// word on why a password of accented letters or symbols reaches it sooner.
func PolicyMessage(err error) string {
	switch {
	case errors.Is(err, ErrPasswordTooShort):
		return fmt.Sprintf("Your password must be at least %d characters.", MinPasswordLength)
	case errors.Is(err, ErrPasswordTooLong):
		return fmt.Sprintf("Your password must be %d characters or fewer (accented letters and symbols count as 2 to 4).", MaxPasswordBytes)
	}
	return ""
}

// Hasher hashes and verifies passwords with argon2id, running at most a
// fixed number of hashes at once. It is safe for concurrent use.
type Hasher struct {
	params Params
	// sem holds one token per hash in progress. Memory use is bounded by
	// cap(sem) * Memory rather than by the number of requests in flight.
	sem chan struct{}
	// dummy is a hash of a random, forgotten password made with params, for
	// VerifyDummy.
	dummy string
}

// NewHasher returns a Hasher creating hashes with p (see Params.Validate)
// and running at most maxConcurrent argon2id computations at once; callers
// beyond that wait, or give up when their context ends. maxConcurrent <= 0
// means min(GOMAXPROCS, 4).
//
// NewHasher computes one hash (for VerifyDummy), so it takes as long as one
// login.
func NewHasher(p Params, maxConcurrent int) (*Hasher, error) {
	if err := p.Validate(); err != nil {
		return nil, err
	}
	if maxConcurrent <= 0 {
		maxConcurrent = min(runtime.GOMAXPROCS(0), defaultMaxConcurrent)
	}
	h := &Hasher{params: p, sem: make(chan struct{}, maxConcurrent)}
	// The dummy is made with the current parameters so VerifyDummy costs
	// what verifying a current hash costs. Its password is random and
	// discarded: nothing can ever match it, and nothing needs to.
	dummyPassword := base64.RawURLEncoding.EncodeToString(randomBytes(32))
	dummy, err := h.hash(context.Background(), dummyPassword)
	if err != nil {
		return nil, err
	}
	h.dummy = dummy
	return h, nil
}

// Params returns the parameters new hashes are made with.
func (h *Hasher) Params() Params { return h.params }

// Hash checks password against CheckPasswordPolicy and returns its argon2id
// hash in PHC string form, with a fresh random salt. It waits for a free
// slot; if ctx ends first it returns ctx.Err() (wrapped). The password is
// never logged or put into an error.
func (h *Hasher) Hash(ctx context.Context, password string) (string, error) {
	if err := CheckPasswordPolicy(password); err != nil {
		return "", err
	}
	return h.hash(ctx, password)
}

func (h *Hasher) hash(ctx context.Context, password string) (string, error) {
	salt := randomBytes(int(h.params.SaltLength))
	release, err := h.acquire(ctx)
	if err != nil {
		return "", err
	}
	key := argon2.IDKey([]byte(password), salt, h.params.Iterations, h.params.Memory, h.params.Parallelism, h.params.KeyLength)
	release()
	return encodePHC(h.params, salt, key), nil
}

// Verify reports whether password matches encoded, a hash made by Hash
// (possibly with other parameters, possibly by another process).
//
// The comparison is constant-time. match is false with a nil error for a
// wrong password. needsRehash is true only when match is true and encoded
// was made with parameters other than h.Params(): the caller should then
// store a fresh Hash of password. err is ErrPasswordTooLong (checked before
// any work, so it costs nothing and says nothing about the account),
// ErrMalformedHash, or the context's error if ctx ended while waiting for a
// slot. For login, every non-nil error other than the context's should be
// answered like a wrong password.
func (h *Hasher) Verify(ctx context.Context, password, encoded string) (match, needsRehash bool, err error) {
	if len(password) > MaxPasswordBytes {
		return false, false, ErrPasswordTooLong
	}
	p, salt, want, err := decodePHC(encoded)
	if err != nil {
		return false, false, err
	}
	release, err := h.acquire(ctx)
	if err != nil {
		return false, false, err
	}
	got := argon2.IDKey([]byte(password), salt, p.Iterations, p.Memory, p.Parallelism, p.KeyLength)
	release()
	if subtle.ConstantTimeCompare(got, want) != 1 {
		return false, false, nil
	}
	return true, p != h.params, nil
}

// VerifyDummy spends the time and memory of one Verify against a hash made
// with the current parameters, and discards the result. Login calls it when
// no account has the e-mail given, so that the answer for an unknown e-mail
// takes as long as the answer for a wrong password (and queues behind the
// same concurrency bound). Its error is what Verify would return for
// password (ErrPasswordTooLong) or the context's error; there is no match
// to report.
func (h *Hasher) VerifyDummy(ctx context.Context, password string) error {
	_, _, err := h.Verify(ctx, password, h.dummy)
	return err
}

// acquire takes a hashing slot, or fails when ctx ends first.
func (h *Hasher) acquire(ctx context.Context) (release func(), err error) {
	// Checked first so an already-cancelled request never starts a hash,
	// even when a slot happens to be free (select picks at random).
	if err := ctx.Err(); err != nil {
		return nil, fmt.Errorf("auth: waiting to hash: %w", err)
	}
	select {
	case h.sem <- struct{}{}:
		return func() { <-h.sem }, nil
	case <-ctx.Done():
		return nil, fmt.Errorf("auth: waiting to hash: %w", ctx.Err())
	}
}

// phcB64 is the PHC string format's base64: standard alphabet, no padding.
// Strict so that one hash has exactly one spelling.
var phcB64 = base64.RawStdEncoding.Strict()

func encodePHC(p Params, salt, key []byte) string {
	return fmt.Sprintf("$argon2id$v=%d$m=%d,t=%d,p=%d$%s$%s",
		argon2.Version, p.Memory, p.Iterations, p.Parallelism,
		phcB64.EncodeToString(salt), phcB64.EncodeToString(key))
}

// decodePHC parses "$argon2id$v=19$m=<m>,t=<t>,p=<p>$<salt>$<key>" strictly:
// only argon2id version 19 (what x/crypto implements), parameters in that
// order without leading zeros, and costs within the package bounds, so that
// whatever is stored, one verification's work stays bounded.
func decodePHC(encoded string) (p Params, salt, key []byte, err error) {
	malformed := func(why string) (Params, []byte, []byte, error) {
		return Params{}, nil, nil, fmt.Errorf("%w: %s", ErrMalformedHash, why)
	}
	if len(encoded) > maxEncodedLen {
		return malformed("too long")
	}
	fields := strings.Split(encoded, "$")
	if len(fields) != 6 || fields[0] != "" {
		return malformed("not a PHC string")
	}
	if fields[1] != "argon2id" {
		return malformed("not argon2id")
	}
	if fields[2] != "v="+strconv.Itoa(argon2.Version) {
		return malformed("unsupported version")
	}
	kv := strings.Split(fields[3], ",")
	if len(kv) != 3 {
		return malformed("want parameters m, t, p")
	}
	m, ok1 := parseParam(kv[0], "m=")
	t, ok2 := parseParam(kv[1], "t=")
	par, ok3 := parseParam(kv[2], "p=")
	if !ok1 || !ok2 || !ok3 {
		return malformed("bad parameters")
	}
	// Stored hashes may be weaker than MinParams (they are then rehashed
	// on login) but never beyond what argon2 itself requires or above the
	// package maxima.
	if t < 1 || t > maxIterations || par < 1 || par > maxParallelism || m < 8*par || m > maxMemoryKiB {
		return malformed("parameters out of range")
	}
	// Check encoded lengths first so no oversized input is ever decoded.
	if len(fields[4]) > phcB64.EncodedLen(maxSaltBytes) || len(fields[5]) > phcB64.EncodedLen(maxKeyBytes) {
		return malformed("salt or key too long")
	}
	salt, err = phcB64.DecodeString(fields[4])
	if err != nil || len(salt) < minSaltBytes {
		return malformed("bad salt")
	}
	key, err = phcB64.DecodeString(fields[5])
	if err != nil || len(key) < minKeyBytes {
		return malformed("bad key")
	}
	p = Params{
		Memory:      m,
		Iterations:  t,
		Parallelism: uint8(par),
		SaltLength:  uint32(len(salt)),
		KeyLength:   uint32(len(key)),
	}
	return p, salt, key, nil
}

// parseParam parses "<prefix><decimal>" as PHC requires: digits only, no
// sign, no leading zero, fitting in 32 bits.
func parseParam(s, prefix string) (uint32, bool) {
	digits, ok := strings.CutPrefix(s, prefix)
	if !ok || digits == "" || len(digits) > 10 || (len(digits) > 1 && digits[0] == '0') {
		return 0, false
	}
	for i := 0; i < len(digits); i++ {
		if digits[i] < '0' || digits[i] > '9' {
			return 0, false
		}
	}
	n, err := strconv.ParseUint(digits, 10, 32)
	if err != nil {
		return 0, false
	}
	return uint32(n), true
}

// randomBytes returns n bytes from crypto/rand, which never fails (it
// aborts the program rather than return predictable bytes).
func randomBytes(n int) []byte {
	b := make([]byte, n)
	_, _ = rand.Read(b)
	return b
}

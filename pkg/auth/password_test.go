package auth_test

import (
	"context"
	"errors"
	"runtime"
	"strings"
	"testing"
	"time"

	"github.com/complytrack/complytrack/pkg/auth"
)

const goodPassword = "correct horse battery staple"

// newHasher returns a hasher at the minimum allowed cost (the production
// default), so tests exercise the real parameters.
func newHasher(t testing.TB, p auth.Params, maxConcurrent int) *auth.Hasher {
	t.Helper()
	h, err := auth.NewHasher(p, maxConcurrent)
	if err != nil {
		t.Fatalf("NewHasher: %v", err)
	}
	return h
}

func TestHashVerifyRoundTrip(t *testing.T) {
	h := newHasher(t, auth.MinParams, 0)
	ctx := context.Background()
	enc, err := h.Hash(ctx, goodPassword)
	if err != nil {
		t.Fatalf("Hash: %v", err)
	}
	if !strings.HasPrefix(enc, "$argon2id$v=19$m=19456,t=2,p=1$") {
		t.Fatalf("encoded hash %q lacks the PHC argon2id prefix", enc)
	}
	if strings.Contains(enc, goodPassword) {
		t.Fatal("encoded hash contains the password")
	}
	// 16-byte salt and 32-byte key, unpadded base64.
	parts := strings.Split(enc, "$")
	if len(parts) != 6 || len(parts[4]) != 22 || len(parts[5]) != 43 {
		t.Fatalf("unexpected salt/key encoding in %q", enc)
	}
	match, rehash, err := h.Verify(ctx, goodPassword, enc)
	if err != nil || !match || rehash {
		t.Fatalf("Verify(right password) = %v, %v, %v; want true, false, nil", match, rehash, err)
	}
	enc2, err := h.Hash(ctx, goodPassword)
	if err != nil {
		t.Fatalf("Hash: %v", err)
	}
	if enc2 == enc {
		t.Fatal("two hashes of the same password are equal: salt not random")
	}
}

func TestVerifyWrongPassword(t *testing.T) {
	h := newHasher(t, auth.MinParams, 0)
	ctx := context.Background()
	enc, err := h.Hash(ctx, goodPassword)
	if err != nil {
		t.Fatal(err)
	}
	for _, pw := range []string{"correct horse battery stapler", "Correct horse battery staple", "", goodPassword[:12]} {
		match, rehash, err := h.Verify(ctx, pw, enc)
		if err != nil || match || rehash {
			t.Errorf("Verify(%q) = %v, %v, %v; want false, false, nil", pw, match, rehash, err)
		}
	}
}

func TestPasswordPolicy(t *testing.T) {
	tests := []struct {
		name string
		pw   string
		want error
	}{
		{"empty", "", auth.ErrPasswordTooShort},
		{"11 chars", "abcdefghijk", auth.ErrPasswordTooShort},
		{"12 chars", "abcdefghijkl", nil},
		// Length is counted in characters: 11 two-byte runes are short
		// although 22 bytes long; 12 are enough.
		{"11 runes", strings.Repeat("é", 11), auth.ErrPasswordTooShort},
		{"12 runes", strings.Repeat("é", 12), nil},
		{"max bytes", strings.Repeat("a", auth.MaxPasswordBytes), nil},
		{"over max bytes", strings.Repeat("a", auth.MaxPasswordBytes+1), auth.ErrPasswordTooLong},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			if err := auth.CheckPasswordPolicy(tc.pw); !errors.Is(err, tc.want) || (tc.want == nil && err != nil) {
				t.Fatalf("CheckPasswordPolicy = %v, want %v", err, tc.want)
			}
		})
	}

	h := newHasher(t, auth.MinParams, 0)
	ctx := context.Background()
	if _, err := h.Hash(ctx, "short"); !errors.Is(err, auth.ErrPasswordTooShort) {
		t.Errorf("Hash(short) error = %v, want ErrPasswordTooShort", err)
	}
	long := strings.Repeat("a", auth.MaxPasswordBytes+1)
	if _, err := h.Hash(ctx, long); !errors.Is(err, auth.ErrPasswordTooLong) {
		t.Errorf("Hash(long) error = %v, want ErrPasswordTooLong", err)
	}
	enc, err := h.Hash(ctx, goodPassword)
	if err != nil {
		t.Fatal(err)
	}
	if _, _, err := h.Verify(ctx, long, enc); !errors.Is(err, auth.ErrPasswordTooLong) {
		t.Errorf("Verify(long) error = %v, want ErrPasswordTooLong", err)
	}
	if err := h.VerifyDummy(ctx, long); !errors.Is(err, auth.ErrPasswordTooLong) {
		t.Errorf("VerifyDummy(long) error = %v, want ErrPasswordTooLong", err)
	}
	// Errors never carry the password.
	if _, err := h.Hash(ctx, "secret-ish"); err == nil || strings.Contains(err.Error(), "secret-ish") {
		t.Errorf("Hash error %v mentions the password", err)
	}
}

func TestNewHasherRejectsWeakOrAbsurdParams(t *testing.T) {
	with := func(f func(*auth.Params)) auth.Params {
		p := auth.MinParams
		f(&p)
		return p
	}
	for name, p := range map[string]auth.Params{
		"memory below 19 MiB": with(func(p *auth.Params) { p.Memory = 19*1024 - 1 }),
		"one iteration":       with(func(p *auth.Params) { p.Iterations = 1 }),
		"no lanes":            with(func(p *auth.Params) { p.Parallelism = 0 }),
		"short salt":          with(func(p *auth.Params) { p.SaltLength = 8 }),
		"short key":           with(func(p *auth.Params) { p.KeyLength = 16 }),
		"4 GiB memory":        with(func(p *auth.Params) { p.Memory = 4 << 20 }),
		"zero":                {},
	} {
		if _, err := auth.NewHasher(p, 1); !errors.Is(err, auth.ErrInvalidParams) {
			t.Errorf("%s: NewHasher error = %v, want ErrInvalidParams", name, err)
		}
	}
	if err := auth.DefaultParams.Validate(); err != nil {
		t.Errorf("DefaultParams invalid: %v", err)
	}
}

func TestNeedsRehash(t *testing.T) {
	ctx := context.Background()
	old := newHasher(t, auth.MinParams, 0)
	stronger := auth.MinParams
	stronger.Iterations = 3
	cur := newHasher(t, stronger, 0)

	oldHash, err := old.Hash(ctx, goodPassword)
	if err != nil {
		t.Fatal(err)
	}
	match, rehash, err := cur.Verify(ctx, goodPassword, oldHash)
	if err != nil || !match || !rehash {
		t.Fatalf("Verify(old hash) = %v, %v, %v; want true, true, nil", match, rehash, err)
	}
	// A wrong password never asks for a rehash.
	if match, rehash, err := cur.Verify(ctx, "wrong password!", oldHash); err != nil || match || rehash {
		t.Fatalf("Verify(wrong, old hash) = %v, %v, %v; want false, false, nil", match, rehash, err)
	}
	newHash, err := cur.Hash(ctx, goodPassword)
	if err != nil {
		t.Fatal(err)
	}
	if !strings.HasPrefix(newHash, "$argon2id$v=19$m=19456,t=3,p=1$") {
		t.Fatalf("new hash %q not made with the new parameters", newHash)
	}
	if match, rehash, err := cur.Verify(ctx, goodPassword, newHash); err != nil || !match || rehash {
		t.Fatalf("Verify(new hash) = %v, %v, %v; want true, false, nil", match, rehash, err)
	}
	// A hash weaker than MinParams (say, from a test fixture or an older
	// policy) still verifies, and is flagged.
	if match, rehash, err := cur.Verify(ctx, goodPassword, weakHash); err != nil || !match || !rehash {
		t.Fatalf("Verify(weak hash) = %v, %v, %v; want true, true, nil", match, rehash, err)
	}
}

// weakHash is goodPassword hashed with m=64, t=1, p=1 and a 16-byte salt: cheap
// to verify, for the fuzz seed corpus and the rehash test. Computed with
// golang.org/x/crypto/argon2.IDKey.
const weakHash = "$argon2id$v=19$m=64,t=1,p=1$c29tZXNhbHRzb21lc2FsdA$XLeLg+p+JNgiFrQNsye8eofeXr30s6P3j/ke/9xgk/0"

var malformedHashes = []string{
	"",
	"plain text",
	"$argon2id$",
	"$argon2i$v=19$m=64,t=1,p=1$c29tZXNhbHRzb21lc2FsdA$XLeLg+p+JNgiFrQNsye8eofeXr30s6P3j/ke/9xgk/0",
	"$argon2d$v=19$m=64,t=1,p=1$c29tZXNhbHRzb21lc2FsdA$XLeLg+p+JNgiFrQNsye8eofeXr30s6P3j/ke/9xgk/0",
	"$argon2id$v=16$m=64,t=1,p=1$c29tZXNhbHRzb21lc2FsdA$XLeLg+p+JNgiFrQNsye8eofeXr30s6P3j/ke/9xgk/0",
	"$argon2id$m=64,t=1,p=1$c29tZXNhbHRzb21lc2FsdA$XLeLg+p+JNgiFrQNsye8eofeXr30s6P3j/ke/9xgk/0",
	"$argon2id$v=19$m=064,t=1,p=1$c29tZXNhbHRzb21lc2FsdA$XLeLg+p+JNgiFrQNsye8eofeXr30s6P3j/ke/9xgk/0",
	"$argon2id$v=19$m=+64,t=1,p=1$c29tZXNhbHRzb21lc2FsdA$XLeLg+p+JNgiFrQNsye8eofeXr30s6P3j/ke/9xgk/0",
	"$argon2id$v=19$t=1,m=64,p=1$c29tZXNhbHRzb21lc2FsdA$XLeLg+p+JNgiFrQNsye8eofeXr30s6P3j/ke/9xgk/0",
	"$argon2id$v=19$m=64,t=1$c29tZXNhbHRzb21lc2FsdA$XLeLg+p+JNgiFrQNsye8eofeXr30s6P3j/ke/9xgk/0",
	"$argon2id$v=19$m=64,t=1,p=1,k=2$c29tZXNhbHRzb21lc2FsdA$XLeLg+p+JNgiFrQNsye8eofeXr30s6P3j/ke/9xgk/0",
	"$argon2id$v=19$m=64,t=0,p=1$c29tZXNhbHRzb21lc2FsdA$XLeLg+p+JNgiFrQNsye8eofeXr30s6P3j/ke/9xgk/0",
	"$argon2id$v=19$m=64,t=1,p=0$c29tZXNhbHRzb21lc2FsdA$XLeLg+p+JNgiFrQNsye8eofeXr30s6P3j/ke/9xgk/0",
	"$argon2id$v=19$m=4,t=1,p=1$c29tZXNhbHRzb21lc2FsdA$XLeLg+p+JNgiFrQNsye8eofeXr30s6P3j/ke/9xgk/0",
	"$argon2id$v=19$m=4294967295,t=1,p=1$c29tZXNhbHRzb21lc2FsdA$XLeLg+p+JNgiFrQNsye8eofeXr30s6P3j/ke/9xgk/0",
	"$argon2id$v=19$m=4294967296,t=1,p=1$c29tZXNhbHRzb21lc2FsdA$XLeLg+p+JNgiFrQNsye8eofeXr30s6P3j/ke/9xgk/0",
	"$argon2id$v=19$m=64,t=4294967295,p=1$c29tZXNhbHRzb21lc2FsdA$XLeLg+p+JNgiFrQNsye8eofeXr30s6P3j/ke/9xgk/0",
	"$argon2id$v=19$m=64,t=1,p=255$c29tZXNhbHRzb21lc2FsdA$XLeLg+p+JNgiFrQNsye8eofeXr30s6P3j/ke/9xgk/0",
	"$argon2id$v=19$m=64,t=1,p=1$c29tZXNhbHRzb21lc2FsdA==$XLeLg+p+JNgiFrQNsye8eofeXr30s6P3j/ke/9xgk/0",
	"$argon2id$v=19$m=64,t=1,p=1$c29tZXNhbHRzb21lc2FsdA$XLeLg-p-JNgiFrQNsye8eofeXr30s6P3j_ke_9xgk_0",
	"$argon2id$v=19$m=64,t=1,p=1$c2FsdA$XLeLg+p+JNgiFrQNsye8eofeXr30s6P3j/ke/9xgk/0",
	"$argon2id$v=19$m=64,t=1,p=1$c29tZXNhbHRzb21lc2FsdA$XLeLg+p+JNgiFrQ",
	"$argon2id$v=19$m=64,t=1,p=1$c29tZXNhbHRzb21lc2FsdA$",
	"$argon2id$v=19$m=64,t=1,p=1$c29tZXNhbHRzb21lc2FsdA$XLeLg+p+JNgiFrQNsye8eofeXr30s6P3j/ke/9xgk/0$",
	"argon2id$v=19$m=64,t=1,p=1$c29tZXNhbHRzb21lc2FsdA$XLeLg+p+JNgiFrQNsye8eofeXr30s6P3j/ke/9xgk/0",
	"$argon2id$v=19$m=64,t=1,p=1$" + strings.Repeat("A", 4096) + "$XLeLg+p+JNgiFrQNsye8eofeXr30s6P3j/ke/9xgk/0",
}

func TestVerifyMalformedHashes(t *testing.T) {
	h := newHasher(t, auth.MinParams, 0)
	ctx := context.Background()
	for _, enc := range malformedHashes {
		match, rehash, err := h.Verify(ctx, goodPassword, enc)
		if !errors.Is(err, auth.ErrMalformedHash) || match || rehash {
			t.Errorf("Verify(%.60q) = %v, %v, %v; want false, false, ErrMalformedHash", enc, match, rehash, err)
		}
	}
}

// FuzzVerifyEncoded checks that no stored string, however mangled, makes
// Verify panic or report a match with an error.
func FuzzVerifyEncoded(f *testing.F) {
	f.Add(weakHash)
	for _, s := range malformedHashes {
		f.Add(s)
	}
	h := newHasher(f, auth.MinParams, 0)
	f.Fuzz(func(t *testing.T, encoded string) {
		match, rehash, err := h.Verify(context.Background(), goodPassword, encoded)
		if err != nil && (match || rehash) {
			t.Fatalf("Verify = %v, %v with error %v", match, rehash, err)
		}
		if rehash && !match {
			t.Fatal("needsRehash without a match")
		}
		if err != nil && !errors.Is(err, auth.ErrMalformedHash) {
			t.Fatalf("unexpected error kind: %v", err)
		}
	})
}

func TestVerifyDummy(t *testing.T) {
	h := newHasher(t, auth.MinParams, 1)
	ctx := context.Background()
	if err := h.VerifyDummy(ctx, goodPassword); err != nil {
		t.Fatalf("VerifyDummy: %v", err)
	}
	// It does the real work, behind the same bound: with the only slot
	// held it waits, like Verify would.
	release, err := auth.HoldHashSlot(ctx, h)
	if err != nil {
		t.Fatal(err)
	}
	defer release()
	short, cancel := context.WithTimeout(ctx, 50*time.Millisecond)
	defer cancel()
	if err := h.VerifyDummy(short, goodPassword); !errors.Is(err, context.DeadlineExceeded) {
		t.Fatalf("VerifyDummy with slot held: %v, want DeadlineExceeded", err)
	}
}

// TestVerifyDummyCostsLikeVerify compares the time of a dummy verification
// with a real one; loose bounds, as timing on shared machines is noisy.
// VerifyDummy must do the same work as a real Verify, so an unknown
// e-mail takes as long as a wrong password. Time is too noisy to assert on
// a shared machine; memory is not: argon2id allocates its whole memory
// parameter on every call, so both must allocate about Params.Memory KiB.
func TestVerifyDummyCostsLikeVerify(t *testing.T) {
	h := newHasher(t, auth.MinParams, 1)
	ctx := context.Background()
	enc, err := h.Hash(ctx, goodPassword)
	if err != nil {
		t.Fatal(err)
	}
	allocated := func(f func()) uint64 {
		var before, after runtime.MemStats
		runtime.ReadMemStats(&before)
		f()
		runtime.ReadMemStats(&after)
		return after.TotalAlloc - before.TotalAlloc
	}
	real := allocated(func() { _, _, _ = h.Verify(ctx, "wrong password!", enc) })
	dummy := allocated(func() { _ = h.VerifyDummy(ctx, "wrong password!") })
	want := uint64(auth.MinParams.Memory) * 1024
	if real < want || dummy < want {
		t.Fatalf("Verify allocated %d bytes, VerifyDummy %d: want at least %d each", real, dummy, want)
	}
	if dummy > 2*real || real > 2*dummy {
		t.Errorf("VerifyDummy allocated %d bytes, Verify %d: not the same work", dummy, real)
	}
}

func TestConcurrencyBound(t *testing.T) {
	h := newHasher(t, auth.MinParams, 1)
	ctx := context.Background()
	enc, err := h.Hash(ctx, goodPassword)
	if err != nil {
		t.Fatal(err)
	}

	// An already-cancelled context never starts a hash, even with a free slot.
	cancelled, cancel := context.WithCancel(ctx)
	cancel()
	if _, err := h.Hash(cancelled, goodPassword); !errors.Is(err, context.Canceled) {
		t.Fatalf("Hash(cancelled ctx) error = %v, want Canceled", err)
	}

	release, err := auth.HoldHashSlot(ctx, h)
	if err != nil {
		t.Fatal(err)
	}
	// With the only slot taken, callers wait and give up with their context.
	short, cancelShort := context.WithTimeout(ctx, 50*time.Millisecond)
	defer cancelShort()
	if _, err := h.Hash(short, goodPassword); !errors.Is(err, context.DeadlineExceeded) {
		t.Fatalf("Hash with slot held: error = %v, want DeadlineExceeded", err)
	}
	if _, _, err := h.Verify(short, goodPassword, enc); !errors.Is(err, context.DeadlineExceeded) {
		t.Fatalf("Verify with slot held: error = %v, want DeadlineExceeded", err)
	}

	// A patient caller waits for the slot and then proceeds.
	done := make(chan error, 1)
	go func() {
		_, err := h.Hash(ctx, goodPassword)
		done <- err
	}()
	select {
	case err := <-done:
		t.Fatalf("Hash finished (%v) while the only slot was held", err)
	case <-time.After(100 * time.Millisecond):
	}
	release()
	select {
	case err := <-done:
		if err != nil {
			t.Fatalf("Hash after release: %v", err)
		}
	case <-time.After(10 * time.Second):
		t.Fatal("Hash did not proceed after the slot was released")
	}
}

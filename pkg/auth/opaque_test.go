package auth_test

import (
	"encoding/base64"
	"regexp"
	"testing"

	"github.com/complytrack/complytrack/pkg/auth"
)

func TestNewOpaqueToken(t *testing.T) {
	hexSHA256 := regexp.MustCompile(`^[0-9a-f]{64}$`)
	seen := make(map[string]bool)
	for range 1000 {
		tok, hash := auth.NewOpaqueToken()
		if len(tok) != auth.OpaqueTokenLength || auth.OpaqueTokenLength != 43 {
			t.Fatalf("token length %d, want 43", len(tok))
		}
		raw, err := base64.RawURLEncoding.Strict().DecodeString(tok)
		if err != nil || len(raw) != 32 {
			t.Fatalf("token %q is not 32 bytes of unpadded base64url: %v", tok, err)
		}
		if hash != auth.HashToken(tok) {
			t.Fatal("returned hash is not HashToken(token)")
		}
		if !hexSHA256.MatchString(hash) {
			t.Fatalf("hash %q is not hex SHA-256", hash)
		}
		if seen[tok] {
			t.Fatal("duplicate token")
		}
		seen[tok] = true
	}
}

func TestHashToken(t *testing.T) {
	// FIPS 180-2 test vector.
	if got := auth.HashToken("abc"); got != "ba7816bf8f01cfea414140de5dae2223b00361a396177a9cb410ff61f20015ad" {
		t.Fatalf("HashToken(abc) = %s", got)
	}
	tok, hash := auth.NewOpaqueToken()
	if !auth.TokenHashEqual(auth.HashToken(tok), hash) {
		t.Error("TokenHashEqual false for equal hashes")
	}
	other, _ := auth.NewOpaqueToken()
	if auth.TokenHashEqual(auth.HashToken(other), hash) || auth.TokenHashEqual("", hash) {
		t.Error("TokenHashEqual true for different hashes")
	}
}

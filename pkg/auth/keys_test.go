package auth_test

import (
	"bytes"
	"crypto/ecdsa"
	"crypto/ed25519"
	"crypto/elliptic"
	"crypto/rand"
	"crypto/x509"
	"encoding/base64"
	"encoding/json"
	"encoding/pem"
	"errors"
	"os"
	"path/filepath"
	"runtime"
	"strings"
	"testing"

	"github.com/complytrack/complytrack/pkg/auth"
)

// RFC 8037 appendix A.1 key and A.3 thumbprint.
const (
	rfc8037D   = "nWGxne_9WmC6hEr0kuwsxERJxWl7MmkZcDusAxyuf2A"
	rfc8037X   = "11qYAYKxCrfVS_7TyWQHOg7hcvPapiMlrwIaaPcHURo"
	rfc8037Kid = "kPrK_qmxVWaYVA9wwBF6Iuo3vVzz7TxHCTwXBygrS4k"
)

func TestKeyIDIsRFC7638Thumbprint(t *testing.T) {
	seed, _ := base64.RawURLEncoding.DecodeString(rfc8037D)
	priv := ed25519.NewKeyFromSeed(seed)
	pub := priv.Public().(ed25519.PublicKey)
	if got := base64.RawURLEncoding.EncodeToString(pub); got != rfc8037X {
		t.Fatalf("test vector public key = %s, want %s", got, rfc8037X)
	}
	if got := auth.KeyID(pub); got != rfc8037Kid {
		t.Fatalf("KeyID = %s, want RFC 8037 A.3 thumbprint %s", got, rfc8037Kid)
	}
}

func pemBlock(t *testing.T, typ string, key any) []byte {
	t.Helper()
	var der []byte
	var err error
	switch typ {
	case "PRIVATE KEY":
		der, err = x509.MarshalPKCS8PrivateKey(key)
	case "PUBLIC KEY":
		der, err = x509.MarshalPKIXPublicKey(key)
	}
	if err != nil {
		t.Fatal(err)
	}
	return pem.EncodeToMemory(&pem.Block{Type: typ, Bytes: der})
}

func newEd25519(t *testing.T) (ed25519.PublicKey, ed25519.PrivateKey) {
	t.Helper()
	pub, priv, err := ed25519.GenerateKey(nil)
	if err != nil {
		t.Fatal(err)
	}
	return pub, priv
}

func TestParseKeySetPEM(t *testing.T) {
	pub1, priv1 := newEd25519(t)
	pub2, priv2 := newEd25519(t)
	pub3, _ := newEd25519(t)
	cfg := bytes.Join([][]byte{
		[]byte("\n  "),
		pemBlock(t, "PRIVATE KEY", priv1),
		pemBlock(t, "PRIVATE KEY", priv2),
		[]byte("\n"),
		pemBlock(t, "PUBLIC KEY", pub3),
	}, nil)
	ks, err := auth.ParseKeySetPEM(cfg)
	if err != nil {
		t.Fatalf("ParseKeySetPEM: %v", err)
	}
	if ks.SigningKeyID() != auth.KeyID(pub1) {
		t.Errorf("signing kid %s, want the first key's %s", ks.SigningKeyID(), auth.KeyID(pub1))
	}
	wantIDs := []string{auth.KeyID(pub1), auth.KeyID(pub2), auth.KeyID(pub3)}
	if got := ks.KeyIDs(); strings.Join(got, ",") != strings.Join(wantIDs, ",") {
		t.Errorf("KeyIDs = %v, want %v", got, wantIDs)
	}
	for i, pub := range []ed25519.PublicKey{pub1, pub2, pub3} {
		got, ok := ks.PublicKey(wantIDs[i])
		if !ok || !got.Equal(pub) {
			t.Errorf("PublicKey(%s) = %x, %v", wantIDs[i], got, ok)
		}
	}

	// A token signed with the first key verifies; a token signed by the
	// second (verify-only) key verifies too, as during rotation.
	at, err := auth.NewAccessTokens(ks, auth.AccessTokenConfig{Issuer: testIssuer, Audience: testAudience})
	if err != nil {
		t.Fatal(err)
	}
	tok, c, err := at.Issue("a", "s")
	if err != nil || c.KeyID != auth.KeyID(pub1) {
		t.Fatalf("Issue: %v, kid %s", err, c.KeyID)
	}
	if _, err := at.Verify(tok); err != nil {
		t.Fatal(err)
	}
	ks2, _ := auth.NewKeySet(priv2)
	at2, _ := auth.NewAccessTokens(ks2, auth.AccessTokenConfig{Issuer: testIssuer, Audience: testAudience})
	tok2, _, _ := at2.Issue("a", "s")
	if _, err := at.Verify(tok2); err != nil {
		t.Fatalf("token from a verify-only key refused: %v", err)
	}
}

func TestParseKeySetPEMErrors(t *testing.T) {
	pub1, priv1 := newEd25519(t)
	ecKey, err := ecdsa.GenerateKey(elliptic.P256(), rand.Reader)
	if err != nil {
		t.Fatal(err)
	}
	good := pemBlock(t, "PRIVATE KEY", priv1)
	withHeaders := pem.EncodeToMemory(&pem.Block{Type: "PRIVATE KEY", Headers: map[string]string{"Proc-Type": "4,ENCRYPTED"}, Bytes: []byte{1}})
	truncated := good[:len(good)-10]
	cases := map[string][]byte{
		"empty":                 nil,
		"whitespace":            []byte(" \n\t"),
		"public key first":      append(pemBlock(t, "PUBLIC KEY", pub1), good...),
		"only public key":       pemBlock(t, "PUBLIC KEY", pub1),
		"ECDSA private key":     pemBlock(t, "PRIVATE KEY", ecKey),
		"ECDSA public key":      append(append([]byte{}, good...), pemBlock(t, "PUBLIC KEY", &ecKey.PublicKey)...),
		"unknown block type":    pem.EncodeToMemory(&pem.Block{Type: "EC PRIVATE KEY", Bytes: []byte{1, 2}}),
		"text before":           append([]byte("key:\n"), good...),
		"text after":            append(append([]byte{}, good...), []byte("trailing")...),
		"truncated second":      append(append([]byte{}, good...), pemBlock(t, "PRIVATE KEY", ed25519.NewKeyFromSeed(make([]byte, 32)))[:50]...),
		"truncated":             truncated,
		"duplicate key":         append(append([]byte{}, good...), good...),
		"private then its pub":  append(append([]byte{}, good...), pemBlock(t, "PUBLIC KEY", pub1)...),
		"PEM headers":           withHeaders,
		"garbage DER":           pem.EncodeToMemory(&pem.Block{Type: "PRIVATE KEY", Bytes: []byte("not DER")}),
		"single-line env value": []byte(strings.ReplaceAll(string(good), "\n", " ")),
	}
	for name, data := range cases {
		ks, err := auth.ParseKeySetPEM(data)
		if err == nil {
			t.Errorf("%s: accepted (signing kid %s)", name, ks.SigningKeyID())
			continue
		}
		// Never echo key material.
		if b64 := base64.StdEncoding.EncodeToString(priv1.Seed()); strings.Contains(err.Error(), b64[:16]) {
			t.Errorf("%s: error contains key material: %v", name, err)
		}
	}
}

func TestMarshalPEMRoundTrip(t *testing.T) {
	pub2, _ := newEd25519(t)
	_, priv1 := newEd25519(t)
	ks, err := auth.NewKeySet(priv1, pub2)
	if err != nil {
		t.Fatal(err)
	}
	data, err := ks.MarshalPEM()
	if err != nil {
		t.Fatal(err)
	}
	back, err := auth.ParseKeySetPEM(data)
	if err != nil {
		t.Fatalf("ParseKeySetPEM(MarshalPEM()): %v", err)
	}
	if strings.Join(back.KeyIDs(), ",") != strings.Join(ks.KeyIDs(), ",") {
		t.Fatalf("round trip changed keys: %v vs %v", back.KeyIDs(), ks.KeyIDs())
	}
	if _, err := auth.NewKeySet(priv1, priv1.Public().(ed25519.PublicKey)); err == nil {
		t.Error("NewKeySet accepted the same key twice")
	}
	if _, err := auth.NewKeySet(nil); err == nil {
		t.Error("NewKeySet accepted a nil key")
	}
}

func TestLoadOrCreateKeyFile(t *testing.T) {
	dir := t.TempDir()
	path := filepath.Join(dir, "jwt-signing-key.pem")
	ks1, err := auth.LoadOrCreateKeyFile(path)
	if err != nil {
		t.Fatalf("create: %v", err)
	}
	fi, err := os.Stat(path)
	if err != nil {
		t.Fatal(err)
	}
	if runtime.GOOS != "windows" && fi.Mode().Perm() != 0o600 {
		t.Errorf("key file mode %04o, want 0600", fi.Mode().Perm())
	}
	entries, _ := os.ReadDir(dir)
	if len(entries) != 1 {
		t.Errorf("directory holds %d entries, want just the key file (temporary file left?)", len(entries))
	}
	data, _ := os.ReadFile(path)
	if !bytes.HasPrefix(data, []byte("-----BEGIN PRIVATE KEY-----\n")) {
		t.Errorf("key file is not a PKCS#8 PEM private key")
	}

	ks2, err := auth.LoadOrCreateKeyFile(path)
	if err != nil {
		t.Fatalf("reload: %v", err)
	}
	if ks2.SigningKeyID() != ks1.SigningKeyID() {
		t.Fatalf("reloaded kid %s, created %s", ks2.SigningKeyID(), ks1.SigningKeyID())
	}
	// Tokens signed before the restart verify after it.
	cfg := auth.AccessTokenConfig{Issuer: testIssuer, Audience: testAudience}
	at1, _ := auth.NewAccessTokens(ks1, cfg)
	at2, _ := auth.NewAccessTokens(ks2, cfg)
	tok, _, _ := at1.Issue("a", "s")
	if _, err := at2.Verify(tok); err != nil {
		t.Fatalf("token from before restart refused: %v", err)
	}
	// The same file works as production configuration.
	ks3, err := auth.LoadKeyFile(path)
	if err != nil || ks3.SigningKeyID() != ks1.SigningKeyID() {
		t.Fatalf("LoadKeyFile: %v", err)
	}
}

func TestKeyFileAccessibleToOthersRefused(t *testing.T) {
	if runtime.GOOS == "windows" {
		t.Skip("no Unix permission bits")
	}
	dir := t.TempDir()
	path := filepath.Join(dir, "key.pem")
	if _, err := auth.LoadOrCreateKeyFile(path); err != nil {
		t.Fatal(err)
	}
	before, _ := os.ReadFile(path)
	for _, mode := range []os.FileMode{0o640, 0o604, 0o644, 0o620} {
		if err := os.Chmod(path, mode); err != nil {
			t.Fatal(err)
		}
		if _, err := auth.LoadOrCreateKeyFile(path); !errors.Is(err, auth.ErrInsecureKeyFile) {
			t.Errorf("mode %04o: LoadOrCreateKeyFile error = %v, want ErrInsecureKeyFile", mode, err)
		}
		if _, err := auth.LoadKeyFile(path); !errors.Is(err, auth.ErrInsecureKeyFile) {
			t.Errorf("mode %04o: LoadKeyFile error = %v, want ErrInsecureKeyFile", mode, err)
		}
	}
	// Refusing must not replace the key.
	after, _ := os.ReadFile(path)
	if !bytes.Equal(before, after) {
		t.Error("key file was rewritten")
	}
	if err := os.Chmod(path, 0o400); err != nil {
		t.Fatal(err)
	}
	if _, err := auth.LoadKeyFile(path); err != nil {
		t.Errorf("mode 0400 refused: %v", err)
	}
	// A directory is not a key file.
	if _, err := auth.LoadKeyFile(dir); !errors.Is(err, auth.ErrInsecureKeyFile) {
		t.Errorf("directory: %v, want ErrInsecureKeyFile", err)
	}
}

func TestLoadOrCreateKeyFileMissingDirectory(t *testing.T) {
	path := filepath.Join(t.TempDir(), "no-such-dir", "key.pem")
	if _, err := auth.LoadOrCreateKeyFile(path); err == nil {
		t.Fatal("created a key file in a missing directory")
	}
}

func TestJWKSShape(t *testing.T) {
	pub1, priv1 := newEd25519(t)
	pub2, _ := newEd25519(t)
	ks, err := auth.NewKeySet(priv1, pub2)
	if err != nil {
		t.Fatal(err)
	}
	raw, err := json.Marshal(ks.JWKS())
	if err != nil {
		t.Fatal(err)
	}
	var doc map[string][]map[string]any
	if err := json.Unmarshal(raw, &doc); err != nil {
		t.Fatalf("JWKS JSON %s: %v", raw, err)
	}
	if len(doc) != 1 || len(doc["keys"]) != 2 {
		t.Fatalf("JWKS = %s, want {\"keys\": [two keys]}", raw)
	}
	for i, pub := range []ed25519.PublicKey{pub1, pub2} {
		k := doc["keys"][i]
		want := map[string]any{
			"kty": "OKP",
			"crv": "Ed25519",
			"x":   base64.RawURLEncoding.EncodeToString(pub),
			"kid": auth.KeyID(pub),
			"alg": "EdDSA",
			"use": "sig",
		}
		if len(k) != len(want) {
			t.Errorf("key %d has members %v, want exactly %v", i, k, want)
		}
		for name, v := range want {
			if k[name] != v {
				t.Errorf("key %d: %s = %v, want %v", i, name, k[name], v)
			}
		}
		if _, ok := k["d"]; ok {
			t.Errorf("key %d publishes private material", i)
		}
	}
}

package auth

import (
	"bytes"
	"crypto/ed25519"
	"crypto/sha256"
	"crypto/x509"
	"encoding/base64"
	"encoding/pem"
	"errors"
	"fmt"
	"io"
	"io/fs"
	"os"
	"path/filepath"
	"runtime"
)

// PEM block types understood in key configuration.
const (
	pemPrivateKey = "PRIVATE KEY" // PKCS#8
	pemPublicKey  = "PUBLIC KEY"  // PKIX
)

// maxKeyFileBytes bounds how much of a key file is read: dozens of keys fit.
const maxKeyFileBytes = 64 << 10

// ErrInsecureKeyFile is returned for a key file that group or others may
// access (any of the mode bits 0077), or that is not a regular file.
var ErrInsecureKeyFile = errors.New("auth: key file is accessible to group or others")

// KeySet holds the Ed25519 key that signs access tokens and every key that
// verifies them (the signing key included), indexed by key id. It is
// immutable and safe for concurrent use; to rotate, build a new one.
type KeySet struct {
	signer    ed25519.PrivateKey
	signerKID string
	// order lists key ids signer-first, as configured, for the JWKS.
	order  []string
	verify map[string]ed25519.PublicKey
}

// NewKeySet returns a KeySet signing with signing and verifying with it and
// verifyOnly. It fails if any key is malformed or the same key is given twice.
func NewKeySet(signing ed25519.PrivateKey, verifyOnly ...ed25519.PublicKey) (*KeySet, error) {
	if len(signing) != ed25519.PrivateKeySize {
		return nil, errors.New("auth: signing key is not an Ed25519 private key")
	}
	pub := signing.Public().(ed25519.PublicKey)
	ks := &KeySet{
		signer:    signing,
		signerKID: KeyID(pub),
		verify:    make(map[string]ed25519.PublicKey, 1+len(verifyOnly)),
	}
	if err := ks.add(pub); err != nil {
		return nil, err
	}
	for _, k := range verifyOnly {
		if err := ks.add(k); err != nil {
			return nil, err
		}
	}
	return ks, nil
}

func (ks *KeySet) add(pub ed25519.PublicKey) error {
	if len(pub) != ed25519.PublicKeySize {
		return errors.New("auth: verification key is not an Ed25519 public key")
	}
	kid := KeyID(pub)
	if _, dup := ks.verify[kid]; dup {
		return fmt.Errorf("auth: key %s configured twice", kid)
	}
	// Copy so the caller cannot change a key under us.
	ks.verify[kid] = bytes.Clone(pub)
	ks.order = append(ks.order, kid)
	return nil
}

// GenerateKeySet returns a KeySet holding one new random signing key, for
// embedded mode and tests.
func GenerateKeySet() (*KeySet, error) {
	_, priv, err := ed25519.GenerateKey(nil)
	if err != nil {
		return nil, fmt.Errorf("auth: generating key: %w", err)
	}
	return NewKeySet(priv)
}

// SigningKeyID returns the key id of the signing key (the "kid" header of
// every token this set signs).
func (ks *KeySet) SigningKeyID() string { return ks.signerKID }

// KeyIDs returns the ids of all verification keys, signing key first.
func (ks *KeySet) KeyIDs() []string { return append([]string(nil), ks.order...) }

// PublicKey returns the verification key with id kid.
func (ks *KeySet) PublicKey(kid string) (ed25519.PublicKey, bool) {
	k, ok := ks.verify[kid]
	return k, ok
}

// MarshalPEM returns the key set in the configuration format ParseKeySetPEM
// reads: the signing key as a PKCS#8 "PRIVATE KEY" block followed by the
// verification-only keys as PKIX "PUBLIC KEY" blocks. It contains private
// key material: write it only where a private key may be kept.
func (ks *KeySet) MarshalPEM() ([]byte, error) {
	der, err := x509.MarshalPKCS8PrivateKey(ks.signer)
	if err != nil {
		return nil, fmt.Errorf("auth: encoding signing key: %w", err)
	}
	out := pem.EncodeToMemory(&pem.Block{Type: pemPrivateKey, Bytes: der})
	for _, kid := range ks.order[1:] {
		der, err := x509.MarshalPKIXPublicKey(ks.verify[kid])
		if err != nil {
			return nil, fmt.Errorf("auth: encoding key %s: %w", kid, err)
		}
		out = append(out, pem.EncodeToMemory(&pem.Block{Type: pemPublicKey, Bytes: der})...)
	}
	return out, nil
}

// ParseKeySetPEM reads the key configuration format described in the
// package documentation: one or more PEM blocks, the first a PKCS#8 Ed25519
// "PRIVATE KEY" that signs, the rest "PRIVATE KEY" or PKIX "PUBLIC KEY"
// blocks that only verify. Surrounding whitespace is allowed; any other text,
// block type, PEM header, non-Ed25519 key or duplicate key is an error, so a
// mangled configuration fails at start instead of silently dropping a key.
// Errors never contain key material.
func ParseKeySetPEM(data []byte) (*KeySet, error) {
	var (
		signer ed25519.PrivateKey
		others []ed25519.PublicKey
	)
	rest := bytes.TrimSpace(data)
	for n := 1; len(rest) > 0; n++ {
		// pem.Decode skips text before a block and returns nothing for a
		// block without its END line; both mean a broken configuration.
		if !bytes.HasPrefix(rest, []byte("-----BEGIN ")) {
			return nil, fmt.Errorf("auth: key configuration: block %d: text outside a PEM block", n)
		}
		var block *pem.Block
		block, rest = pem.Decode(rest)
		if block == nil {
			return nil, fmt.Errorf("auth: key configuration: block %d: malformed PEM", n)
		}
		rest = bytes.TrimSpace(rest)
		if len(block.Headers) != 0 {
			return nil, fmt.Errorf("auth: key configuration: block %d: PEM headers (encrypted key?) not supported", n)
		}
		switch block.Type {
		case pemPrivateKey:
			k, err := x509.ParsePKCS8PrivateKey(block.Bytes)
			if err != nil {
				return nil, fmt.Errorf("auth: key configuration: block %d: not a PKCS#8 private key", n)
			}
			priv, ok := k.(ed25519.PrivateKey)
			if !ok {
				return nil, fmt.Errorf("auth: key configuration: block %d: private key is %T, want Ed25519", n, k)
			}
			if signer == nil {
				signer = priv
			} else {
				others = append(others, priv.Public().(ed25519.PublicKey))
			}
		case pemPublicKey:
			if signer == nil {
				return nil, errors.New("auth: key configuration: the first block must be the signing PRIVATE KEY")
			}
			k, err := x509.ParsePKIXPublicKey(block.Bytes)
			if err != nil {
				return nil, fmt.Errorf("auth: key configuration: block %d: not a PKIX public key", n)
			}
			pub, ok := k.(ed25519.PublicKey)
			if !ok {
				return nil, fmt.Errorf("auth: key configuration: block %d: public key is %T, want Ed25519", n, k)
			}
			others = append(others, pub)
		default:
			return nil, fmt.Errorf("auth: key configuration: block %d: type %q, want %q or %q", n, block.Type, pemPrivateKey, pemPublicKey)
		}
	}
	if signer == nil {
		return nil, errors.New("auth: key configuration: no key")
	}
	return NewKeySet(signer, others...)
}

// LoadKeyFile reads a key file in the ParseKeySetPEM format, refusing it
// with ErrInsecureKeyFile if it is not a regular file or group or others
// have any access to it.
func LoadKeyFile(path string) (*KeySet, error) {
	data, err := readPrivateFile(path)
	if err != nil {
		return nil, err
	}
	ks, err := ParseKeySetPEM(data)
	if err != nil {
		return nil, fmt.Errorf("%s: %w", path, err)
	}
	return ks, nil
}

// LoadOrCreateKeyFile is embedded mode's key store: it loads the key file at
// path like LoadKeyFile, or, if there is none, generates a signing key and
// writes it there with mode 0600 before returning it. The key id is derived
// from the key, so it is the same on every start. The directory must exist.
//
// The file appears atomically: it is written under a temporary name, synced,
// and then linked into place without replacing an existing file, so a crash
// never leaves a half-written key and two processes starting at once end up
// with the same key.
func LoadOrCreateKeyFile(path string) (*KeySet, error) {
	ks, err := LoadKeyFile(path)
	if err == nil || !errors.Is(err, fs.ErrNotExist) {
		return ks, err
	}
	ks, err = GenerateKeySet()
	if err != nil {
		return nil, err
	}
	data, err := ks.MarshalPEM()
	if err != nil {
		return nil, err
	}
	created, err := createFileExclusive(path, data)
	if err != nil {
		return nil, err
	}
	if !created {
		// Someone else created it between our read and our link: use theirs.
		return LoadKeyFile(path)
	}
	return ks, nil
}

// readPrivateFile reads a small file only if group and others have no access.
// The mode is checked on the opened file, so it is the file actually read.
func readPrivateFile(path string) ([]byte, error) {
	f, err := os.Open(path)
	if err != nil {
		return nil, fmt.Errorf("auth: key file: %w", err)
	}
	defer f.Close()
	fi, err := f.Stat()
	if err != nil {
		return nil, fmt.Errorf("auth: key file: %w", err)
	}
	if !fi.Mode().IsRegular() {
		return nil, fmt.Errorf("%w: %s is not a regular file", ErrInsecureKeyFile, path)
	}
	// Windows has no Unix permission bits to check (Go reports 0666 or
	// 0444); protecting the file is the ACLs' job there.
	if runtime.GOOS != "windows" && fi.Mode().Perm()&0o077 != 0 {
		return nil, fmt.Errorf("%w: %s has mode %04o, want 0600 or 0400", ErrInsecureKeyFile, path, fi.Mode().Perm())
	}
	data, err := io.ReadAll(io.LimitReader(f, maxKeyFileBytes+1))
	if err != nil {
		return nil, fmt.Errorf("auth: key file: %w", err)
	}
	if len(data) > maxKeyFileBytes {
		return nil, fmt.Errorf("auth: key file %s larger than %d bytes", path, maxKeyFileBytes)
	}
	return data, nil
}

// createFileExclusive writes data to path with mode 0600 unless path already
// exists, reporting whether it created it.
func createFileExclusive(path string, data []byte) (created bool, err error) {
	dir := filepath.Dir(path)
	// CreateTemp creates with mode 0600, before anything is written.
	tmp, err := os.CreateTemp(dir, "."+filepath.Base(path)+".tmp-*")
	if err != nil {
		return false, fmt.Errorf("auth: creating key file: %w", err)
	}
	tmpName := tmp.Name()
	defer os.Remove(tmpName) // after the link, this removes the extra name only
	if err := tmp.Chmod(0o600); err != nil && runtime.GOOS != "windows" {
		tmp.Close()
		return false, fmt.Errorf("auth: creating key file: %w", err)
	}
	if _, err := tmp.Write(data); err != nil {
		tmp.Close()
		return false, fmt.Errorf("auth: writing key file: %w", err)
	}
	if err := tmp.Sync(); err != nil {
		tmp.Close()
		return false, fmt.Errorf("auth: writing key file: %w", err)
	}
	if err := tmp.Close(); err != nil {
		return false, fmt.Errorf("auth: writing key file: %w", err)
	}
	// link(2) fails if path exists, unlike rename(2): the first process to
	// get here wins and the others load its key.
	if err := os.Link(tmpName, path); err != nil {
		if errors.Is(err, fs.ErrExist) {
			return false, nil
		}
		// Some filesystems have no hard links; fall back to rename, which
		// is atomic but may replace a file created in the same instant.
		if err := os.Rename(tmpName, path); err != nil {
			return false, fmt.Errorf("auth: creating key file: %w", err)
		}
	}
	syncDir(dir)
	return true, nil
}

// syncDir makes a new directory entry durable. Best effort: not every
// platform can sync a directory, and the key is also in memory.
func syncDir(dir string) {
	if d, err := os.Open(dir); err == nil {
		_ = d.Sync()
		_ = d.Close()
	}
}

// KeyID returns the key id of an Ed25519 public key: its RFC 7638 JWK
// thumbprint, the unpadded base64url SHA-256 of the canonical JWK
// {"crv":"Ed25519","kty":"OKP","x":"<key>"} (RFC 8037 section 2).
func KeyID(pub ed25519.PublicKey) string {
	// Members in lexicographic order, no whitespace, as RFC 7638 requires;
	// x is base64url and needs no JSON escaping.
	canonical := `{"crv":"Ed25519","kty":"OKP","x":"` + base64.RawURLEncoding.EncodeToString(pub) + `"}`
	sum := sha256.Sum256([]byte(canonical))
	return base64.RawURLEncoding.EncodeToString(sum[:])
}

// JWKS is a JSON Web Key Set (RFC 7517 section 5), the body of
// GET /.well-known/jwks.json.
type JWKS struct {
	Keys []JWK `json:"keys"`
}

// JWK is one public Ed25519 key as a JSON Web Key (RFC 8037).
type JWK struct {
	Kty string `json:"kty"` // always "OKP"
	Crv string `json:"crv"` // always "Ed25519"
	X   string `json:"x"`   // public key, unpadded base64url
	Kid string `json:"kid"` // KeyID(public key)
	Alg string `json:"alg"` // always "EdDSA"
	Use string `json:"use"` // always "sig"
}

// JWKS returns the public half of every verification key, signing key
// first. It contains no private material and can be served to anyone; it
// changes only when the key configuration does, so it may be cached for as
// long as a rotation step takes to roll out.
func (ks *KeySet) JWKS() JWKS {
	doc := JWKS{Keys: make([]JWK, 0, len(ks.order))}
	for _, kid := range ks.order {
		doc.Keys = append(doc.Keys, JWK{
			Kty: "OKP",
			Crv: "Ed25519",
			X:   base64.RawURLEncoding.EncodeToString(ks.verify[kid]),
			Kid: kid,
			Alg: "EdDSA",
			Use: "sig",
		})
	}
	return doc
}

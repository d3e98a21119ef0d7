// Package apptest gives tests that run the whole app (pkg/app) their
// settings: the environment they name plus a freshly generated
// token-signing key, so no test reads or writes a key file. Only tests
// import it.
package apptest

import (
	"crypto/ed25519"
	"crypto/x509"
	"encoding/pem"
	"testing"

	"github.com/complytrack/complytrack/pkg/auth"
	"github.com/complytrack/complytrack/pkg/config"
)

// Config loads settings from environ ("NAME=value", as os.Environ) with a
// new signing key added as COMPLYTRACK_JWT_KEYS. It returns the private key
// too, for tests that sign tokens of their own.
func Config(tb testing.TB, environ ...string) (config.Config, ed25519.PrivateKey) {
	tb.Helper()
	ks, err := auth.GenerateKeySet()
	if err != nil {
		tb.Fatal(err)
	}
	keyPEM, err := ks.MarshalPEM()
	if err != nil {
		tb.Fatal(err)
	}
	block, _ := pem.Decode(keyPEM)
	priv, err := x509.ParsePKCS8PrivateKey(block.Bytes)
	if err != nil {
		tb.Fatal(err)
	}
	cfg, err := config.Load(append([]string{"COMPLYTRACK_JWT_KEYS=" + string(keyPEM)}, environ...))
	if err != nil {
		tb.Fatal(err)
	}
	return cfg, priv.(ed25519.PrivateKey)
}

package app

import (
	"fmt"
	"io"
	"os"
	"runtime"
	"strings"

	"github.com/complytrack/complytrack/pkg/accounts"
	"github.com/complytrack/complytrack/pkg/config"
	"github.com/complytrack/complytrack/pkg/mongodb"
	"github.com/complytrack/complytrack/pkg/sso"
	"github.com/complytrack/complytrack/pkg/web"
)

// SSOCallbackPath is where the identity provider sends people back; it is
// the redirect URI registered with the provider, under COMPLYTRACK_PUBLIC_URL.
const SSOCallbackPath = "/sign-in/sso/callback"

// newSSO builds sign-in with the identity provider, or nil when it is not
// set up. Nothing is fetched from the provider yet: complytrack starts
// while the provider is down, and the first sign-in discovers it.
func newSSO(cfg config.Config, acct *accounts.Service, store *mongodb.Store) (*web.SSO, error) {
	o := cfg.OIDC
	if !o.Enabled() {
		return nil, nil
	}
	secret := o.ClientSecret
	if o.ClientSecretFile != "" {
		s, err := readSecretFile(o.ClientSecretFile)
		if err != nil {
			return nil, fmt.Errorf("setting COMPLYTRACK_OIDC_CLIENT_SECRET_FILE: %w", err)
		}
		secret = s
	}
	client := sso.New(sso.Config{
		Issuer: o.Issuer, ClientID: o.ClientID, ClientSecret: secret,
		RedirectURL: strings.TrimRight(cfg.PublicURL, "/") + SSOCallbackPath,
	})
	return &web.SSO{
		Client: client, Accounts: accounts.NewSSO(acct, store, o.MatchClaim), Attempts: store,
		Name: o.Name, PasswordsOff: !o.Passwords,
	}, nil
}

// readSecretFile reads a secret kept in a file only its owner may read.
func readSecretFile(path string) (string, error) {
	f, err := os.Open(path)
	if err != nil {
		return "", err
	}
	defer f.Close()
	fi, err := f.Stat()
	if err != nil {
		return "", err
	}
	if runtime.GOOS != "windows" && fi.Mode().Perm()&0o077 != 0 {
		return "", fmt.Errorf("%s has mode %04o, want 0600 or 0400", path, fi.Mode().Perm())
	}
	data, err := io.ReadAll(io.LimitReader(f, 64<<10))
	if err != nil {
		return "", err
	}
	s := strings.TrimSpace(string(data))
	if s == "" {
		return "", fmt.Errorf("%s is empty", path)
	}
	return s, nil
}

// Package config reads complytrack's settings from environment variables.
//
// Every setting is listed once, in settings below, with its default and its
// parser. A malformed value, or an unknown COMPLYTRACK_ variable (usually a
// typo that would otherwise be silently ignored), stops start-up with one
// line naming the variable.
package config

import (
	"errors"
	"fmt"
	"net"
	"net/mail"
	"net/url"
	"sort"
	"strings"
	"time"
	_ "time/tzdata" // Europe/London must resolve on minimal container images too
)

// The embedded engine's data directory (COMPLYTRACK_DATA_DIR) holds the
// engine's databases under DataDBDir and, when no key is configured, the
// token-signing key complytrack made on its first start in DataKeyFile.
// Backups copy exactly these.
const (
	DataDBDir   = "db"
	DataKeyFile = "jwt-signing-key.pem"
)

// Config holds every setting, parsed.
type Config struct {
	HTTPAddr      string         // COMPLYTRACK_HTTP_ADDR
	MetricsAddr   string         // COMPLYTRACK_METRICS_ADDR; empty: /metrics on HTTPAddr
	DataDir       string         // COMPLYTRACK_DATA_DIR
	MongoURI      string         // MONGODB_URI; empty: embedded engine
	Database      string         // from MONGODB_URI's path, else "complytrack"
	Worker        bool           // COMPLYTRACK_WORKER
	AdminEmail    string         // COMPLYTRACK_ADMIN_EMAIL
	AdminPassword string         // COMPLYTRACK_ADMIN_PASSWORD (never logged)
	Location      *time.Location // COMPLYTRACK_TIMEZONE
	LogLevel      string         // COMPLYTRACK_LOG_LEVEL
	PublicURL     string         // COMPLYTRACK_PUBLIC_URL, the address people reach, for links in e-mails
	ShutdownGrace time.Duration  // COMPLYTRACK_SHUTDOWN_TIMEOUT
	JWTKeys       string         // COMPLYTRACK_JWT_KEYS: PEM text (never logged)
	JWTKeysFile   string         // COMPLYTRACK_JWT_KEYS_FILE: path to the same
	RefreshTTL    time.Duration  // COMPLYTRACK_REFRESH_TTL
	TrustedProxy  []string       // COMPLYTRACK_TRUSTED_PROXIES
	SMTPURL       string         // COMPLYTRACK_SMTP_URL (never logged: may hold a password)
	MailFrom      string         // COMPLYTRACK_MAIL_FROM
	ReportTo      []string       // COMPLYTRACK_REPORT_TO
	// Schedules overrides jobs' schedules by job name (cron or "off"),
	// from COMPLYTRACK_SCHEDULE_<JOB> (e.g. _COMPLIANCE_SCAN).
	Schedules map[string]string
	JobLease  time.Duration // COMPLYTRACK_JOB_LEASE
	OrgName   string        // COMPLYTRACK_ORG_NAME: shown in every page's header; empty: none
	Phase     string        // COMPLYTRACK_PHASE: "alpha", "beta" or "" (no phase banner)
	// OIDC is sign-in with the organisation's identity provider.
	OIDC OIDC
}

// OIDC is sign-in with an OpenID Connect provider (Entra ID, Google
// Workspace, ...); off while Issuer is empty.
type OIDC struct {
	Issuer           string // COMPLYTRACK_OIDC_ISSUER
	ClientID         string // COMPLYTRACK_OIDC_CLIENT_ID
	ClientSecret     string // COMPLYTRACK_OIDC_CLIENT_SECRET (never logged)
	ClientSecretFile string // COMPLYTRACK_OIDC_CLIENT_SECRET_FILE: path to the same
	Name             string // COMPLYTRACK_OIDC_NAME: the button says "Sign in with {Name}"
	MatchClaim       string // COMPLYTRACK_OIDC_MATCH_CLAIM
	Passwords        bool   // COMPLYTRACK_OIDC_PASSWORDS: local passwords stay allowed
}

// Enabled reports whether sign-in with the provider is set up.
func (o OIDC) Enabled() bool { return o.Issuer != "" }

// Embedded reports whether complytrack runs its own embedded engine.
func (c Config) Embedded() bool { return c.MongoURI == "" }

// Setting documents one environment variable.
type Setting struct {
	Name    string
	Default string
	Help    string
	parse   func(c *Config, v string) error
}

// Settings lists every variable complytrack reads, for the README and for
// error messages.
func Settings() []Setting { return settings }

var settings = []Setting{
	{"COMPLYTRACK_HTTP_ADDR", ":8080", "address the HTTP server listens on", func(c *Config, v string) error {
		if _, _, err := net.SplitHostPort(v); err != nil {
			return fmt.Errorf("must be host:port or :port, like :8080")
		}
		c.HTTPAddr = v
		return nil
	}},
	{"COMPLYTRACK_METRICS_ADDR", "(none: /metrics on the main address)", "address of a separate listener serving only /metrics (Prometheus), e.g. :9090, so the metrics need not be public; set, /metrics is not on the main address", func(c *Config, v string) error {
		if _, _, err := net.SplitHostPort(v); err != nil {
			return fmt.Errorf("must be host:port or :port, like :9090")
		}
		c.MetricsAddr = v
		return nil
	}},
	{"COMPLYTRACK_DATA_DIR", "./data", "directory for the embedded engine's files and its signing key", func(c *Config, v string) error {
		if strings.TrimSpace(v) == "" {
			return errors.New("must not be empty")
		}
		c.DataDir = v
		return nil
	}},
	{"MONGODB_URI", "", "MongoDB connection string; when set, no embedded engine runs", func(c *Config, v string) error {
		if v == "" {
			return nil
		}
		u, err := url.Parse(v)
		if err != nil || (u.Scheme != "mongodb" && u.Scheme != "mongodb+srv") || u.Host == "" {
			return errors.New("must be a connection string like mongodb://host:27017/complytrack")
		}
		c.MongoURI = v
		if db := strings.TrimPrefix(u.Path, "/"); db != "" {
			c.Database = db
		}
		return nil
	}},
	{"COMPLYTRACK_WORKER", "on when embedded, off with MONGODB_URI", "run the scheduled jobs in this process: on or off", func(c *Config, v string) error {
		switch strings.ToLower(v) {
		case "on", "true", "1":
			c.Worker = true
		case "off", "false", "0":
			c.Worker = false
		default:
			return errors.New("must be on or off")
		}
		return nil
	}},
	{"COMPLYTRACK_ADMIN_EMAIL", "admin@complytrack.local", "e-mail of the first HR account, created when there is none", func(c *Config, v string) error {
		a, err := mail.ParseAddress(v)
		if err != nil || a.Address != v {
			return errors.New("must be an e-mail address like hr@example.org")
		}
		c.AdminEmail = v
		return nil
	}},
	{"COMPLYTRACK_ADMIN_PASSWORD", "generated and printed once", "password of the first HR account (at least 12 characters)", func(c *Config, v string) error {
		if len([]rune(v)) < 12 {
			return errors.New("must be at least 12 characters")
		}
		c.AdminPassword = v
		return nil
	}},
	{"COMPLYTRACK_TIMEZONE", "Europe/London", "the organisation's time zone: it decides what \"today\" is", func(c *Config, v string) error {
		loc, err := time.LoadLocation(v)
		if err != nil || v == "" || v == "Local" {
			return errors.New("must be an IANA time zone name like Europe/London")
		}
		c.Location = loc
		return nil
	}},
	{"COMPLYTRACK_LOG_LEVEL", "info", "debug, info, warn or error", func(c *Config, v string) error {
		switch v {
		case "debug", "info", "warn", "error":
			c.LogLevel = v
			return nil
		}
		return errors.New("must be one of debug, info, warn, error")
	}},
	{"COMPLYTRACK_PUBLIC_URL", "http://localhost:8080", "the address people use to reach complytrack, for links in e-mails", func(c *Config, v string) error {
		u, err := url.Parse(v)
		if err != nil || (u.Scheme != "http" && u.Scheme != "https") || u.Host == "" {
			return errors.New("must be a web address like https://complytrack.example.gov.uk")
		}
		c.PublicURL = strings.TrimRight(v, "/")
		return nil
	}},
	{"COMPLYTRACK_SHUTDOWN_TIMEOUT", "10s", "how long shutdown waits for requests and jobs to finish", func(c *Config, v string) error {
		d, err := time.ParseDuration(v)
		if err != nil || d <= 0 || d > 10*time.Minute {
			return errors.New("must be a duration from 1s to 10m, like 10s")
		}
		c.ShutdownGrace = d
		return nil
	}},
	{"COMPLYTRACK_JWT_KEYS", "generated in the data directory when embedded", "PEM Ed25519 private keys that sign access tokens: the first signs, all verify (for rotation); required with MONGODB_URI unless COMPLYTRACK_JWT_KEYS_FILE is set", func(c *Config, v string) error {
		if !strings.Contains(v, "-----BEGIN ") {
			return errors.New("must hold PEM blocks (-----BEGIN PRIVATE KEY-----)")
		}
		c.JWTKeys = v
		return nil
	}},
	{"COMPLYTRACK_JWT_KEYS_FILE", "(none)", "path to a file holding COMPLYTRACK_JWT_KEYS (mode 0600 or stricter)", func(c *Config, v string) error {
		c.JWTKeysFile = v
		return nil
	}},
	{"COMPLYTRACK_REFRESH_TTL", "336h (14 days)", "how long a sign-in lasts without use before the person must sign in again", func(c *Config, v string) error {
		d, err := time.ParseDuration(v)
		if err != nil || d < time.Hour || d > 90*24*time.Hour {
			return errors.New("must be a duration from 1h to 2160h, like 336h")
		}
		c.RefreshTTL = d
		return nil
	}},
	{"COMPLYTRACK_TRUSTED_PROXIES", "(none)", "comma-separated addresses or CIDRs of reverse proxies whose X-Forwarded-For is believed", func(c *Config, v string) error {
		for _, part := range strings.Split(v, ",") {
			part = strings.TrimSpace(part)
			if part == "" {
				continue
			}
			if _, _, err := net.ParseCIDR(part); err != nil && net.ParseIP(part) == nil {
				return fmt.Errorf("%q is not an IP address or CIDR", part)
			}
			c.TrustedProxy = append(c.TrustedProxy, part)
		}
		return nil
	}},
	{"COMPLYTRACK_SMTP_URL", "(none: e-mails stay in the outbox)", "mail server for outgoing e-mail: smtp://user:pass@host:587 (STARTTLS), smtps://user:pass@host:465 (TLS), or smtp://host:1025 for a local mail catcher", func(c *Config, v string) error {
		u, err := url.Parse(v)
		if err != nil || (u.Scheme != "smtp" && u.Scheme != "smtps") || u.Hostname() == "" {
			return errors.New("must look like smtp://user:password@host:587 or smtps://user:password@host:465")
		}
		c.SMTPURL = v
		return nil
	}},
	{"COMPLYTRACK_MAIL_FROM", "complytrack@localhost", "the From address of every e-mail", func(c *Config, v string) error {
		a, err := mail.ParseAddress(v)
		if err != nil {
			return errors.New("must be an e-mail address, optionally with a name: Training <training@example.gov.uk>")
		}
		c.MailFrom = a.String()
		return nil
	}},
	{"COMPLYTRACK_REPORT_TO", "(none: the monthly figure is kept but not sent)", "comma-separated e-mail addresses that receive the monthly compliance report", func(c *Config, v string) error {
		for _, part := range strings.Split(v, ",") {
			part = strings.TrimSpace(part)
			if part == "" {
				continue
			}
			if a, err := mail.ParseAddress(part); err != nil || a.Address != part {
				return fmt.Errorf("%q is not an e-mail address", part)
			}
			c.ReportTo = append(c.ReportTo, part)
		}
		return nil
	}},
	{"COMPLYTRACK_JOB_LEASE", "2m", "how long a process holds a job's lease between renewals; another process takes over a job whose holder died after this long", func(c *Config, v string) error {
		d, err := time.ParseDuration(v)
		if err != nil || d < 2*time.Second || d > time.Hour {
			return errors.New("must be a duration from 2s to 1h, like 2m")
		}
		c.JobLease = d
		return nil
	}},
	{"COMPLYTRACK_ORG_NAME", "(none)", "the organisation's name, shown in every page's header beside the service's", func(c *Config, v string) error {
		v = strings.Join(strings.Fields(v), " ")
		if len(v) > 100 {
			return errors.New("must be at most 100 characters")
		}
		c.OrgName = v
		return nil
	}},
	{"COMPLYTRACK_PHASE", "beta", "the phase banner under the header: alpha, beta (a new service: people are asked to say what they think), or off once the service is live", func(c *Config, v string) error {
		switch v {
		case "alpha", "beta":
			c.Phase = v
		case "off":
			c.Phase = ""
		default:
			return errors.New("must be alpha, beta or off")
		}
		return nil
	}},
	{"COMPLYTRACK_OIDC_ISSUER", "(none: no single sign-on)", "issuer address of the OpenID Connect provider people sign in with, e.g. https://login.microsoftonline.com/<tenant-id>/v2.0", func(c *Config, v string) error {
		u, err := url.Parse(v)
		loopback := u != nil && (u.Hostname() == "localhost" || net.ParseIP(u.Hostname()).IsLoopback())
		if err != nil || u.Host == "" || u.RawQuery != "" || u.Fragment != "" || (u.Scheme != "https" && !(u.Scheme == "http" && loopback)) {
			return errors.New("must be the provider's https address, like https://accounts.google.com")
		}
		c.OIDC.Issuer = v
		return nil
	}},
	{"COMPLYTRACK_OIDC_CLIENT_ID", "(none)", "complytrack's client (application) ID at the provider", func(c *Config, v string) error {
		c.OIDC.ClientID = strings.TrimSpace(v)
		return nil
	}},
	{"COMPLYTRACK_OIDC_CLIENT_SECRET", "(none)", "complytrack's client secret at the provider", func(c *Config, v string) error {
		c.OIDC.ClientSecret = v
		return nil
	}},
	{"COMPLYTRACK_OIDC_CLIENT_SECRET_FILE", "(none)", "path to a file holding COMPLYTRACK_OIDC_CLIENT_SECRET (mode 0600 or stricter)", func(c *Config, v string) error {
		c.OIDC.ClientSecretFile = v
		return nil
	}},
	{"COMPLYTRACK_OIDC_NAME", "your work account", "what the sign-in button names: \"Sign in with {name}\"", func(c *Config, v string) error {
		v = strings.Join(strings.Fields(v), " ")
		if len(v) > 60 {
			return errors.New("must be at most 60 characters")
		}
		c.OIDC.Name = v
		return nil
	}},
	{"COMPLYTRACK_OIDC_MATCH_CLAIM", "email", "the ID token claim that finds the person: email (only when the provider marks it verified), preferred_username or upn (matched to the e-mail address), or an employee-number claim", func(c *Config, v string) error {
		v = strings.TrimSpace(v)
		if strings.ContainsFunc(v, func(r rune) bool { return r <= ' ' || r == 0x7f }) {
			return errors.New("must be a claim name, like email or employee_number")
		}
		c.OIDC.MatchClaim = v
		return nil
	}},
	{"COMPLYTRACK_OIDC_PASSWORDS", "on", "whether people may still sign in with a complytrack password when single sign-on is set up: on or off", func(c *Config, v string) error {
		switch strings.ToLower(v) {
		case "on", "true", "1":
			c.OIDC.Passwords = true
		case "off", "false", "0":
			c.OIDC.Passwords = false
		default:
			return errors.New("must be on or off")
		}
		return nil
	}},
	scheduleSetting("compliance-scan", "0 6 * * *", "when the daily compliance scan runs (flags, reminders, escalations)"),
	scheduleSetting("manager-digest", "0 8 * * 1", "when line managers get their weekly digest"),
	scheduleSetting("monthly-report", "0 7 1 * *", "when the monthly report is kept and sent"),
	scheduleSetting("delivery", "* * * * *", "how often queued e-mails are sent"),
	scheduleSetting("session-reminders", "0 8 * * *", "when people are reminded of the next working day's face-to-face sessions"),
}

// scheduleSetting is the variable overriding one job's schedule: a 5-field
// cron expression in COMPLYTRACK_TIMEZONE, or "off" (run on demand only).
func scheduleSetting(job, def, help string) Setting {
	name := "COMPLYTRACK_SCHEDULE_" + strings.ToUpper(strings.ReplaceAll(job, "-", "_"))
	return Setting{name, def, help + ": a cron expression (minute hour day month weekday) or off", func(c *Config, v string) error {
		v = strings.TrimSpace(v)
		if v != "off" && len(strings.Fields(v)) != 5 {
			return errors.New("must be a 5-field cron expression like \"0 6 * * *\", or off")
		}
		if c.Schedules == nil {
			c.Schedules = map[string]string{}
		}
		c.Schedules[job] = v
		return nil
	}}
}

// Error is a bad setting: it names the variable.
type Error struct {
	Name   string
	Reason string
}

func (e *Error) Error() string { return "setting " + e.Name + ": " + e.Reason }

// Load reads the settings from environ (os.Environ's "NAME=value" form).
// An empty value means "use the default". Only the first problem is
// returned: start-up stops on one clear line.
func Load(environ []string) (Config, error) {
	c := Config{
		HTTPAddr:      ":8080",
		DataDir:       "./data",
		Database:      "complytrack",
		AdminEmail:    "admin@complytrack.local",
		LogLevel:      "info",
		PublicURL:     "http://localhost:8080",
		ShutdownGrace: 10 * time.Second,
		RefreshTTL:    14 * 24 * time.Hour,
		MailFrom:      "complytrack@localhost",
		JobLease:      2 * time.Minute,
		Phase:         "beta",
		OIDC:          OIDC{Name: "your work account", MatchClaim: "email", Passwords: true},
	}
	c.Location, _ = time.LoadLocation("Europe/London")

	env := map[string]string{}
	for _, kv := range environ {
		name, value, ok := strings.Cut(kv, "=")
		if ok {
			env[name] = value
		}
	}
	known := map[string]bool{}
	for _, s := range settings {
		known[s.Name] = true
	}
	var unknown []string
	for name := range env {
		if strings.HasPrefix(name, "COMPLYTRACK_") && !known[name] && !strings.HasPrefix(name, "COMPLYTRACK_TEST_") {
			unknown = append(unknown, name)
		}
	}
	if len(unknown) > 0 {
		sort.Strings(unknown)
		return Config{}, &Error{Name: unknown[0], Reason: "is not a setting complytrack knows (see the README's settings table)"}
	}

	workerSet := false
	for _, s := range settings {
		v, ok := env[s.Name]
		if !ok || v == "" {
			// An empty value counts as unset, as compose files and
			// Kubernetes manifests often pass "" for "not given".
			continue
		}
		if s.Name == "COMPLYTRACK_WORKER" {
			workerSet = true
		}
		if err := s.parse(&c, v); err != nil {
			return Config{}, &Error{Name: s.Name, Reason: err.Error()}
		}
	}
	if !workerSet {
		c.Worker = c.Embedded()
	}
	if c.JWTKeys != "" && c.JWTKeysFile != "" {
		return Config{}, &Error{Name: "COMPLYTRACK_JWT_KEYS_FILE", Reason: "set either COMPLYTRACK_JWT_KEYS or COMPLYTRACK_JWT_KEYS_FILE, not both"}
	}
	if err := checkOIDC(c.OIDC); err != nil {
		return Config{}, err
	}
	return c, nil
}

// checkOIDC refuses single sign-on settings that cannot work together.
func checkOIDC(o OIDC) error {
	switch {
	case !o.Enabled() && (o.ClientID != "" || o.ClientSecret != "" || o.ClientSecretFile != ""):
		return &Error{Name: "COMPLYTRACK_OIDC_ISSUER", Reason: "must be set when the other COMPLYTRACK_OIDC_ settings are"}
	case !o.Enabled() && !o.Passwords:
		return &Error{Name: "COMPLYTRACK_OIDC_PASSWORDS", Reason: "can be off only when COMPLYTRACK_OIDC_ISSUER is set: nobody could sign in"}
	case !o.Enabled():
		return nil
	case o.ClientID == "":
		return &Error{Name: "COMPLYTRACK_OIDC_CLIENT_ID", Reason: "must be set with COMPLYTRACK_OIDC_ISSUER"}
	case o.ClientSecret != "" && o.ClientSecretFile != "":
		return &Error{Name: "COMPLYTRACK_OIDC_CLIENT_SECRET_FILE", Reason: "set either COMPLYTRACK_OIDC_CLIENT_SECRET or COMPLYTRACK_OIDC_CLIENT_SECRET_FILE, not both"}
	case o.ClientSecret == "" && o.ClientSecretFile == "":
		return &Error{Name: "COMPLYTRACK_OIDC_CLIENT_SECRET", Reason: "must be set with COMPLYTRACK_OIDC_ISSUER (or COMPLYTRACK_OIDC_CLIENT_SECRET_FILE)"}
	}
	return nil
}

// Bool formats b as on/off for logs.
func Bool(b bool) string {
	if b {
		return "on"
	}
	return "off"
}

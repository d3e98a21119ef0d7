package notify

import (
	"bytes"
	"context"
	"crypto/tls"
	"crypto/x509"
	"errors"
	"fmt"
	"log/slog"
	"net"
	netmail "net/mail"
	"net/textproto"
	"net/url"
	"strconv"
	"strings"
	"syscall"
	"time"

	gomail "github.com/wneessen/go-mail"
)

// SMTPConfig says how to reach the mail server. ParseSMTPURL makes one from
// COMPLYTRACK_SMTP_URL.
type SMTPConfig struct {
	Host     string
	Port     int
	Username string // empty: no login
	Password string
	// ImplicitTLS is smtps://: TLS from the first byte. Otherwise the
	// connection starts plain and is upgraded with STARTTLS, which is
	// required when a user name is set (the password never crosses the
	// network in clear) and used when offered otherwise.
	ImplicitTLS bool
	// Timeout bounds connecting, and then the rest of the conversation
	// (30 s each).
	Timeout time.Duration
	// TLSConfig, when set, is used for TLS (tests use it to trust their own
	// certificate). Its ServerName defaults to Host.
	TLSConfig *tls.Config
}

// ParseSMTPURL reads a mail server URL:
//
//	smtp://host:port                  no login; STARTTLS if the server offers it (a local mail catcher)
//	smtp://user:password@host:587     STARTTLS required, then login
//	smtps://user:password@host:465    TLS from the start, then login
//
// The port defaults to 465 for smtps, 587 for smtp with a login and 25
// without. Special characters in the user name or password are
// percent-encoded (an "@" in a user name is %40). Errors say what is wrong
// without repeating any of the URL, which holds the password.
func ParseSMTPURL(s string) (SMTPConfig, error) {
	const form = "expected smtp://host:port, smtp://user:password@host:587 or smtps://user:password@host:465"
	bad := func(what string) (SMTPConfig, error) {
		return SMTPConfig{}, fmt.Errorf("SMTP URL: %s; %s", what, form)
	}
	s = strings.TrimSpace(s)
	if s == "" {
		return bad("it is empty")
	}
	// url.Parse's errors quote the whole URL, password and all: never pass
	// them on.
	u, err := url.Parse(s)
	if err != nil {
		return bad("it is not a valid URL (percent-encode special characters in the user name and password)")
	}
	var c SMTPConfig
	switch strings.ToLower(u.Scheme) {
	case "smtp":
	case "smtps":
		c.ImplicitTLS = true
	default:
		return bad("the scheme must be smtp or smtps")
	}
	if u.Opaque != "" || u.Host == "" {
		return bad("it has no host")
	}
	if (u.Path != "" && u.Path != "/") || u.RawQuery != "" || u.ForceQuery || u.Fragment != "" {
		return bad("it must not have a path, query or fragment")
	}
	c.Host = u.Hostname()
	if !validHost(c.Host) {
		return bad("the host is not a valid host name or IP address")
	}
	if p := u.Port(); p != "" {
		port, err := strconv.Atoi(p)
		if err != nil || port < 1 || port > 65535 {
			return bad("the port must be a number from 1 to 65535")
		}
		c.Port = port
	}
	if u.User != nil {
		c.Username = u.User.Username()
		c.Password, _ = u.User.Password()
		if c.Username == "" {
			return bad("it has a password or an @ but no user name")
		}
		if c.Password == "" {
			return bad("it has a user name but no password")
		}
		if strings.ContainsFunc(c.Username, isControl) || strings.ContainsFunc(c.Password, isControl) {
			return bad("the user name or password has a control character")
		}
	}
	if c.Port == 0 {
		switch {
		case c.ImplicitTLS:
			c.Port = 465
		case c.Username != "":
			c.Port = 587
		default:
			c.Port = 25
		}
	}
	return c, nil
}

func isControl(r rune) bool { return r < 0x20 || r == 0x7f }

// validHost accepts a DNS name or an IP address (IPv6 without brackets, as
// url.URL.Hostname gives it).
func validHost(h string) bool {
	if h == "" || len(h) > 253 {
		return false
	}
	if net.ParseIP(h) != nil {
		return true
	}
	for _, r := range h {
		if !(r >= 'a' && r <= 'z' || r >= 'A' && r <= 'Z' || r >= '0' && r <= '9' || r == '-' || r == '.' || r == '_') {
			return false
		}
	}
	return true
}

// String shows the configuration as a URL with the password hidden, for logs.
func (c SMTPConfig) String() string {
	scheme := "smtp"
	if c.ImplicitTLS {
		scheme = "smtps"
	}
	u := url.URL{Scheme: scheme, Host: net.JoinHostPort(c.Host, strconv.Itoa(c.Port))}
	if c.Username != "" {
		u.User = url.UserPassword(c.Username, "xxxxx")
	}
	return u.String()
}

// LogValue keeps the password out of structured logs.
func (c SMTPConfig) LogValue() slog.Value { return slog.StringValue(c.String()) }

// SMTPSender sends messages over SMTP, one connection per message.
type SMTPSender struct {
	cfg    SMTPConfig
	from   *netmail.Address
	domain string // of the From address: the right-hand side of Message-IDs
}

// NewSMTPSender returns a sender to the server cfg names, with from
// (COMPLYTRACK_MAIL_FROM, for example "Training <training@council.gov.uk>")
// as the sender of every message.
func NewSMTPSender(cfg SMTPConfig, from string) (*SMTPSender, error) {
	if cfg.Host == "" || cfg.Port < 1 || cfg.Port > 65535 {
		return nil, errors.New("SMTP sender: no mail server host and port")
	}
	if cfg.Username != "" && cfg.Password == "" {
		return nil, errors.New("SMTP sender: a user name without a password")
	}
	if cfg.Timeout <= 0 {
		cfg.Timeout = 30 * time.Second
	}
	addr, err := netmail.ParseAddress(strings.TrimSpace(from))
	if err != nil {
		return nil, fmt.Errorf("mail from %q is not an e-mail address (for example \"Training <training@example.org>\")", from)
	}
	at := strings.LastIndexByte(addr.Address, '@')
	return &SMTPSender{cfg: cfg, from: addr, domain: addr.Address[at+1:]}, nil
}

// MessageID is the Message-ID header of outbox message id: the same on
// every attempt, so that a resend after a crash is recognisably the same
// message.
func (s *SMTPSender) MessageID(id string) string { return "<" + s.messageID(id) + ">" }

func (s *SMTPSender) messageID(id string) string { return "complytrack." + id + "@" + s.domain }

// Send sends m. Its error, if any, is a *SendError: permanent when the
// server refused the recipient or the message with a 5xx reply, temporary
// otherwise (4xx replies, the server unreachable, timeouts, TLS or login
// problems, and a refused sender address, which are this installation's
// configuration to fix rather than the message's fault).
func (s *SMTPSender) Send(ctx context.Context, m Message) error {
	msg, err := s.compose(m)
	if err != nil {
		return &SendError{Permanent: true, Reason: "the message cannot be sent: " + err.Error(), err: err}
	}
	from, err := msg.GetSender(false)
	if err != nil {
		return &SendError{Reason: "the sender address is not valid", err: err}
	}
	rcpts, err := msg.GetRecipients()
	if err != nil {
		return &SendError{Permanent: true, Reason: "the recipient address is not valid", err: err}
	}

	// The SMTP client holds a lock while it waits for a reply, so closing
	// the connection cannot interrupt it: the conversation is bounded by
	// connection deadlines instead, no later than ctx's deadline.
	budget := s.cfg.Timeout
	if dl, ok := ctx.Deadline(); ok {
		budget = min(budget, time.Until(dl))
	}
	if budget <= 0 {
		return &SendError{Reason: "the mail server did not answer in time", err: context.DeadlineExceeded}
	}
	client, err := gomail.NewClient(s.cfg.Host, s.clientOptions(budget)...)
	if err != nil {
		return &SendError{Reason: "the mail server settings are not usable", err: err}
	}
	conn, err := client.DialToSMTPClientWithContext(ctx)
	if err != nil {
		return connectError(ctx, err)
	}
	defer func() { _ = conn.Close() }()
	if err := conn.UpdateDeadline(budget); err != nil {
		return replyError(ctx, "", err, false)
	}

	// go-mail's Client.Send would do these steps too, but folds the
	// server's replies into its own error text; doing them here keeps the
	// reply, which is what HR should see, and which step refused.
	if err := conn.Mail(from); err != nil {
		return replyError(ctx, "the mail server refused the sender address", err, false)
	}
	for _, rcpt := range rcpts {
		if err := conn.Rcpt(rcpt); err != nil {
			return replyError(ctx, "the mail server refused the recipient", err, true)
		}
	}
	w, err := conn.Data()
	if err != nil {
		return replyError(ctx, "the mail server refused the message", err, true)
	}
	if _, err := msg.WriteTo(w); err != nil {
		return replyError(ctx, "the connection failed while sending the message", err, false)
	}
	// The reply to the end of the data is the server taking responsibility
	// for the message: from here on it has been sent.
	if err := w.Close(); err != nil {
		return replyError(ctx, "the mail server refused the message", err, true)
	}
	_ = conn.Quit()
	return nil
}

func (s *SMTPSender) clientOptions(timeout time.Duration) []gomail.Option {
	tlsConf := &tls.Config{MinVersion: tls.VersionTLS12}
	if s.cfg.TLSConfig != nil {
		tlsConf = s.cfg.TLSConfig.Clone()
	}
	if tlsConf.ServerName == "" {
		tlsConf.ServerName = s.cfg.Host
	}
	opts := []gomail.Option{
		gomail.WithPort(s.cfg.Port),
		gomail.WithTimeout(timeout),
		gomail.WithTLSConfig(tlsConf),
	}
	switch {
	case s.cfg.ImplicitTLS:
		opts = append(opts, gomail.WithSSL())
	case s.cfg.Username != "":
		// Never send credentials over a connection that is not encrypted.
		opts = append(opts, gomail.WithTLSPolicy(gomail.TLSMandatory))
	default:
		opts = append(opts, gomail.WithTLSPolicy(gomail.TLSOpportunistic))
	}
	if s.cfg.Username != "" {
		opts = append(opts, gomail.WithSMTPAuth(gomail.SMTPAuthAutoDiscover),
			gomail.WithUsername(s.cfg.Username), gomail.WithPassword(s.cfg.Password))
	}
	return opts
}

// compose builds the MIME message: text/plain in UTF-8 (quoted-printable),
// multipart/mixed when there are attachments.
func (s *SMTPSender) compose(m Message) (*gomail.Msg, error) {
	msg := gomail.NewMsg(gomail.WithCharset(gomail.CharsetUTF8), gomail.WithEncoding(gomail.EncodingQP), gomail.WithNoDefaultUserAgent())
	msg.FromMailAddress(s.from)
	if err := msg.To(m.To); err != nil {
		return nil, errors.New("the recipient address is not valid")
	}
	msg.Subject(m.Subject)
	msg.SetDateWithValue(time.Now())
	msg.SetMessageIDWithValue(s.messageID(m.ID))
	msg.SetUserAgent("complytrack")
	// Automatic mail (RFC 3834): out-of-office replies should not answer it.
	msg.SetGenHeader(gomail.Header("Auto-Submitted"), "auto-generated")
	msg.SetGenHeader(gomail.HeaderXAutoResponseSuppress, "All")
	msg.SetBodyString(gomail.TypeTextPlain, m.BodyText)
	for _, a := range m.Attachments {
		ct := a.ContentType
		if ct == "" {
			ct = "application/octet-stream"
		}
		msg.AttachReadSeeker(a.Filename, bytes.NewReader(a.Data), gomail.WithFileContentType(gomail.ContentType(ct)))
	}
	return msg, nil
}

// SendError is a failed send. Reason is safe to show HR: the mail server's
// reply, or what went wrong in plain words; never credentials.
type SendError struct {
	Permanent bool
	Reason    string
	err       error
}

func (e *SendError) Error() string { return e.Reason }
func (e *SendError) Unwrap() error { return e.err }

// IsPermanent reports whether err means the message will never be accepted,
// so trying again is pointless.
func IsPermanent(err error) bool {
	var se *SendError
	return errors.As(err, &se) && se.Permanent
}

// connectError classifies a failure to connect, greet, secure the
// connection or log in. None of these is the message's fault, so all are
// temporary: once the server or the settings are fixed, the queue goes out.
func connectError(ctx context.Context, err error) *SendError {
	var (
		reply   *textproto.Error
		dnsErr  *net.DNSError
		certErr *tls.CertificateVerificationError
		hostErr x509.HostnameError
		authErr x509.UnknownAuthorityError
	)
	why := "could not talk to the mail server"
	switch {
	case ctx.Err() != nil || isTimeout(err):
		why = "the mail server did not answer in time"
	case errors.Is(err, syscall.ECONNREFUSED):
		why = "could not connect to the mail server: connection refused"
	case errors.As(err, &dnsErr):
		why = "could not find the mail server: unknown host name"
	case errors.As(err, &certErr), errors.As(err, &hostErr), errors.As(err, &authErr):
		why = "the mail server's TLS certificate is not trusted"
	case strings.Contains(err.Error(), "does not support STARTTLS"):
		why = "the mail server does not offer STARTTLS, which is required to log in"
	case strings.Contains(err.Error(), "SMTP AUTH failed") && errors.As(err, &reply):
		why = "the mail server refused the login: " + replyText(reply)
	case errors.As(err, &reply):
		why = "the mail server refused the connection: " + replyText(reply)
	case errors.Is(err, gomail.ErrNoSupportedAuthDiscovered), strings.Contains(err.Error(), "does not support SMTP AUTH"):
		why = "the mail server offers no login method this system can use"
	case errors.Is(err, net.ErrClosed), errors.Is(err, syscall.ECONNRESET), errors.Is(err, syscall.EPIPE):
		why = "the connection to the mail server was lost"
	}
	return &SendError{Reason: why, err: err}
}

// replyError classifies a failure during the mail transaction. A 5xx reply
// to a recipient or to the message is permanent when permanentIf5xx; 4xx
// replies, and failures with no reply (a dropped connection, a timeout),
// are temporary.
func replyError(ctx context.Context, what string, err error, permanentIf5xx bool) *SendError {
	var reply *textproto.Error
	if errors.As(err, &reply) {
		return &SendError{Permanent: permanentIf5xx && reply.Code >= 500 && reply.Code < 600, Reason: what + ": " + replyText(reply), err: err}
	}
	if ctx.Err() != nil || isTimeout(err) {
		return &SendError{Reason: "the mail server did not answer in time", err: err}
	}
	return &SendError{Reason: "the connection to the mail server failed", err: err}
}

func replyText(r *textproto.Error) string {
	return oneLine(fmt.Sprintf("%03d %s", r.Code, r.Msg), 300)
}

func isTimeout(err error) bool {
	var ne net.Error
	return errors.Is(err, context.DeadlineExceeded) || (errors.As(err, &ne) && ne.Timeout())
}

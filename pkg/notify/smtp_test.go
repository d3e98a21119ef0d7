package notify_test

import (
	"context"
	"errors"
	"fmt"
	"log/slog"
	"net"
	"strconv"
	"strings"
	"sync/atomic"
	"testing"

	"github.com/emersion/go-smtp"

	"github.com/complytrack/complytrack/pkg/notify"
)

func TestParseSMTPURL(t *testing.T) {
	good := []struct {
		in   string
		want notify.SMTPConfig
	}{
		{"smtp://localhost:1025", notify.SMTPConfig{Host: "localhost", Port: 1025}},
		{"smtp://mailpit", notify.SMTPConfig{Host: "mailpit", Port: 25}},
		{"SMTP://user:pass@smtp.example.org", notify.SMTPConfig{Host: "smtp.example.org", Port: 587, Username: "user", Password: "pass"}},
		{"smtp://apikey:p%40ss%3Aw%2Frd@smtp.example.org:2525/", notify.SMTPConfig{Host: "smtp.example.org", Port: 2525, Username: "apikey", Password: "p@ss:w/rd"}},
		{"smtps://me%40council.gov.uk:secret@smtp.example.org", notify.SMTPConfig{Host: "smtp.example.org", Port: 465, Username: "me@council.gov.uk", Password: "secret", ImplicitTLS: true}},
		{"smtps://u:p@[::1]:4650", notify.SMTPConfig{Host: "::1", Port: 4650, Username: "u", Password: "p", ImplicitTLS: true}},
		{"  smtp://10.0.0.5:25  ", notify.SMTPConfig{Host: "10.0.0.5", Port: 25}},
	}
	for _, tc := range good {
		got, err := notify.ParseSMTPURL(tc.in)
		if err != nil {
			t.Errorf("ParseSMTPURL(%q): %v", tc.in, err)
			continue
		}
		if got != tc.want {
			t.Errorf("ParseSMTPURL(%q) = %+v, want %+v", tc.in, got, tc.want)
		}
	}

	bad := []struct{ in, says string }{
		{"", "empty"},
		{"http://host:25", "scheme"},
		{"smtp:host", "no host"},
		{"smtp://", "no host"},
		{"smtp://host:0", "port"},
		{"smtp://host:99999", "port"},
		{"smtp://host:smtp", "not a valid URL"},
		{"smtp://user@host", "no password"},
		{"smtp://:hunter2@host", "no user name"},
		{"smtp://host/path", "path"},
		{"smtp://host?tls=no", "query"},
		{"smtp://user:hunter2%zz@host", "not a valid URL"},
		{"smtp://user:hunter2@ho st", "not a valid URL"},
		{"smtp://user:hunter2@host_with_%41:25", "not a valid URL"},
		{"smtp://user:hunter2%0A@host", "control character"},
	}
	for _, tc := range bad {
		_, err := notify.ParseSMTPURL(tc.in)
		if err == nil {
			t.Errorf("ParseSMTPURL(%q) accepted it", tc.in)
			continue
		}
		if !strings.Contains(err.Error(), tc.says) {
			t.Errorf("ParseSMTPURL(%q) = %q, want it to say %q", tc.in, err, tc.says)
		}
		if strings.Contains(err.Error(), "hunter2") {
			t.Errorf("ParseSMTPURL(%q) error shows the password: %q", tc.in, err)
		}
	}
}

func TestSMTPConfigHidesPassword(t *testing.T) {
	c, err := notify.ParseSMTPURL("smtp://user:hunter2@smtp.example.org")
	if err != nil {
		t.Fatal(err)
	}
	var logged strings.Builder
	slog.New(slog.NewJSONHandler(&logged, nil)).Info("mail", "smtp", c)
	for _, s := range []string{c.String(), fmt.Sprint(c), logged.String()} {
		if strings.Contains(s, "hunter2") {
			t.Errorf("password shown: %s", s)
		}
	}
	if c.String() != "smtp://user:xxxxx@smtp.example.org:587" {
		t.Errorf("String() = %q", c.String())
	}
}

// FuzzParseSMTPURL checks that any input is either refused with an error
// that repeats no part of the password, or gives a usable configuration.
// The fuzzed password sits between two markers so that an error quoting any
// start or end of it is caught.
func FuzzParseSMTPURL(f *testing.F) {
	for _, seed := range [][3]string{
		{"smtp://user:", "secret", "@host:587"},
		{"smtps://user:", "p%40ss", "@host"},
		{"smtp://", "", "host:25"},
		{"smtp://user:", "bad%zz", "@host"},
		{"smtp://user:", "x", "@host:port"},
		{"smtp://user:", "x/y", "@host"},
		{"smtp://user:", "x", "@[::1]:25"},
		{"smtp://user:", "x@y", "@host"},
		{"smtp:", "//", "host"},
		{"", "", ""},
	} {
		f.Add(seed[0], seed[1], seed[2])
	}
	const before, after = "Qz7", "Xw9"
	f.Fuzz(func(t *testing.T, prefix, password, suffix string) {
		secret := before + password + after
		c, err := notify.ParseSMTPURL(prefix + secret + suffix)
		if err != nil {
			if msg := err.Error(); strings.Contains(msg, before) || strings.Contains(msg, after) {
				t.Fatalf("error repeats the input: %q", msg)
			}
			return
		}
		if c.Host == "" || c.Port < 1 || c.Port > 65535 {
			t.Fatalf("accepted without a usable host and port: %+v", c)
		}
		if (c.Username == "") != (c.Password == "") {
			t.Fatalf("user name without password or the reverse: %+v", c)
		}
		if strings.Contains(c.Password, before) && strings.Contains(c.String(), before) {
			t.Fatalf("String shows the password: %q", c.String())
		}
		// What was accepted reads back the same from its own String, less
		// the password.
		back, err := notify.ParseSMTPURL(c.String())
		if err != nil {
			t.Fatalf("String() %q does not parse: %v", c.String(), err)
		}
		if back.Host != c.Host || back.Port != c.Port || back.Username != c.Username || back.ImplicitTLS != c.ImplicitTLS {
			t.Fatalf("String() %q reads back as %+v, want %+v", c.String(), back, c)
		}
	})
}

func hostPort(t *testing.T, addr string) (string, int) {
	t.Helper()
	h, p, err := net.SplitHostPort(addr)
	if err != nil {
		t.Fatal(err)
	}
	port, _ := strconv.Atoi(p)
	return h, port
}

func sender(t *testing.T, rawURL string) *notify.SMTPSender {
	t.Helper()
	c, err := notify.ParseSMTPURL(rawURL)
	if err != nil {
		t.Fatal(err)
	}
	return senderFor(t, c)
}

func senderFor(t *testing.T, c notify.SMTPConfig) *notify.SMTPSender {
	t.Helper()
	s, err := notify.NewSMTPSender(c, "Compliance Team <training@council.example>")
	if err != nil {
		t.Fatal(err)
	}
	return s
}

var testMessage = notify.Message{ID: "0123456789abcdef01234567", To: "ann@example.org", Subject: "Hello", BodyText: "Hi Ann"}

func TestSTARTTLSLoginRequiredWithCredentials(t *testing.T) {
	serverTLS, clientTLS := testCert(t)
	ms := startMailServer(t, &mailServer{User: "user", Pass: "p@ss", TLS: serverTLS}, "")
	c, err := notify.ParseSMTPURL("smtp://user:p%40ss@" + ms.Addr)
	if err != nil {
		t.Fatal(err)
	}
	c.TLSConfig = clientTLS
	if err := senderFor(t, c).Send(context.Background(), testMessage); err != nil {
		t.Fatalf("Send: %v", err)
	}
	if got := ms.Received(); len(got) != 1 || got[0].To[0] != "ann@example.org" {
		t.Fatalf("received %+v", got)
	}

	// A certificate the client does not trust: refused, for now.
	c.TLSConfig = nil
	err = senderFor(t, c).Send(context.Background(), testMessage)
	if err == nil || notify.IsPermanent(err) || !strings.Contains(err.Error(), "certificate is not trusted") {
		t.Fatalf("untrusted certificate: %v", err)
	}
}

func TestCredentialsAreNeverSentWithoutTLS(t *testing.T) {
	var tried atomic.Int32
	// A server that would take the password in clear, and offers no STARTTLS.
	ms := startMailServer(t, &mailServer{User: "user", Pass: "hunter2", Insecure: true,
		AuthTried: func(string, string) { tried.Add(1) }}, "")
	err := sender(t, "smtp://user:hunter2@"+ms.Addr).Send(context.Background(), testMessage)
	if err == nil || notify.IsPermanent(err) {
		t.Fatalf("Send without STARTTLS = %v, want a temporary error", err)
	}
	if !strings.Contains(err.Error(), "STARTTLS") || strings.Contains(err.Error(), "hunter2") {
		t.Errorf("error = %q", err)
	}
	if tried.Load() != 0 || len(ms.Received()) != 0 {
		t.Errorf("credentials sent in clear (%d AUTH) or message sent (%d)", tried.Load(), len(ms.Received()))
	}
}

func TestImplicitTLS(t *testing.T) {
	serverTLS, clientTLS := testCert(t)
	ms := startMailServer(t, &mailServer{User: "user", Pass: "secret", TLS: serverTLS, Implicit: true}, "")
	host, port := hostPort(t, ms.Addr)
	c := notify.SMTPConfig{Host: host, Port: port, Username: "user", Password: "secret", ImplicitTLS: true, TLSConfig: clientTLS}
	if err := senderFor(t, c).Send(context.Background(), testMessage); err != nil {
		t.Fatalf("Send: %v", err)
	}
	if len(ms.Received()) != 1 {
		t.Fatalf("received %d messages", len(ms.Received()))
	}
}

func TestWrongPasswordIsTemporaryAndNotShown(t *testing.T) {
	serverTLS, clientTLS := testCert(t)
	ms := startMailServer(t, &mailServer{User: "user", Pass: "right", TLS: serverTLS}, "")
	host, port := hostPort(t, ms.Addr)
	c := notify.SMTPConfig{Host: host, Port: port, Username: "user", Password: "wrong-hunter2", TLSConfig: clientTLS}
	err := senderFor(t, c).Send(context.Background(), testMessage)
	if err == nil || notify.IsPermanent(err) {
		t.Fatalf("Send with a wrong password = %v, want a temporary error", err)
	}
	if !strings.Contains(err.Error(), "refused the login: 535") || strings.Contains(err.Error(), "hunter2") {
		t.Errorf("error = %q", err)
	}
}

func TestSendErrorsAreClassified(t *testing.T) {
	ms := startMailServer(t, &mailServer{RcptReply: func(to string) error {
		switch {
		case strings.HasPrefix(to, "gone@"):
			return &smtp.SMTPError{Code: 550, EnhancedCode: smtp.EnhancedCode{5, 1, 1}, Message: "No such user"}
		case strings.HasPrefix(to, "full@"):
			return &smtp.SMTPError{Code: 452, EnhancedCode: smtp.EnhancedCode{4, 2, 2}, Message: "Mailbox full"}
		}
		return nil
	}}, "")
	s := sender(t, "smtp://"+ms.Addr)
	for _, tc := range []struct {
		to        string
		permanent bool
		says      string
	}{
		{"gone@example.org", true, "the mail server refused the recipient: 550 5.1.1 No such user"},
		{"full@example.org", false, "the mail server refused the recipient: 452 4.2.2 Mailbox full"},
	} {
		m := testMessage
		m.To = tc.to
		err := s.Send(context.Background(), m)
		if err == nil || notify.IsPermanent(err) != tc.permanent || err.Error() != tc.says {
			t.Errorf("send to %s: %v (permanent %v), want %q (permanent %v)", tc.to, err, notify.IsPermanent(err), tc.says, tc.permanent)
		}
	}

	down := sender(t, "smtp://"+freeAddr(t))
	err := down.Send(context.Background(), testMessage)
	var se *notify.SendError
	if !errors.As(err, &se) || se.Permanent || !strings.Contains(se.Reason, "connection refused") {
		t.Errorf("server down: %v", err)
	}
}

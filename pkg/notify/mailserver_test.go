package notify_test

import (
	"crypto/ecdsa"
	"crypto/elliptic"
	"crypto/rand"
	"crypto/tls"
	"crypto/x509"
	"crypto/x509/pkix"
	"errors"
	"io"
	"log"
	"math/big"
	"net"
	"sync"
	"testing"
	"time"

	"github.com/emersion/go-sasl"
	"github.com/emersion/go-smtp"
)

// mailServer is a real SMTP server (github.com/emersion/go-smtp) in the test
// process that keeps what it receives.
type mailServer struct {
	Addr string // host:port

	// Set before start.
	User, Pass string                  // require this login (PLAIN)
	TLS        *tls.Config             // offer STARTTLS (or, with Implicit, TLS from the start)
	Implicit   bool                    // smtps
	Insecure   bool                    // allow AUTH without TLS
	RcptReply  func(to string) error   // refuse recipients
	DataDelay  time.Duration           // slow down DATA, to widen races
	OnData     func(r received)        // called for each message
	AuthTried  func(user, pass string) // called on every AUTH attempt

	mu   sync.Mutex
	got  []received
	srv  *smtp.Server
	done chan struct{}
}

type received struct {
	From string
	To   []string
	Data []byte
}

// startMailServer listens on 127.0.0.1 at addr (":0" for any port) and
// serves until the test ends.
func startMailServer(t *testing.T, s *mailServer, addr string) *mailServer {
	t.Helper()
	if addr == "" {
		addr = "127.0.0.1:0"
	}
	ln, err := net.Listen("tcp", addr)
	if err != nil {
		t.Fatalf("mail server: listen on %s: %v", addr, err)
	}
	s.Addr = ln.Addr().String()
	srv := smtp.NewServer(backend{s})
	srv.Domain = "mail.test"
	srv.ReadTimeout = 10 * time.Second
	srv.WriteTimeout = 10 * time.Second
	srv.AllowInsecureAuth = s.Insecure
	srv.ErrorLog = log.New(io.Discard, "", 0)
	if s.Implicit {
		ln = tls.NewListener(ln, s.TLS)
	} else {
		srv.TLSConfig = s.TLS
	}
	s.srv = srv
	s.done = make(chan struct{})
	go func() {
		defer close(s.done)
		_ = srv.Serve(ln)
	}()
	t.Cleanup(s.Stop)
	return s
}

// Stop closes the server; connecting is then refused.
func (s *mailServer) Stop() {
	if s.srv == nil {
		return
	}
	_ = s.srv.Close()
	<-s.done
	s.srv = nil
}

func (s *mailServer) Received() []received {
	s.mu.Lock()
	defer s.mu.Unlock()
	return append([]received(nil), s.got...)
}

type backend struct{ s *mailServer }

func (b backend) NewSession(*smtp.Conn) (smtp.Session, error) { return &session{s: b.s}, nil }

type session struct {
	s      *mailServer
	authed bool
	from   string
	to     []string
}

func (se *session) AuthMechanisms() []string {
	if se.s.User == "" {
		return nil
	}
	return []string{sasl.Plain}
}

func (se *session) Auth(string) (sasl.Server, error) {
	return sasl.NewPlainServer(func(_, user, pass string) error {
		if se.s.AuthTried != nil {
			se.s.AuthTried(user, pass)
		}
		if user != se.s.User || pass != se.s.Pass {
			return smtp.ErrAuthFailed
		}
		se.authed = true
		return nil
	}), nil
}

func (se *session) Mail(from string, _ *smtp.MailOptions) error {
	if se.s.User != "" && !se.authed {
		return smtp.ErrAuthRequired
	}
	se.from = from
	return nil
}

func (se *session) Rcpt(to string, _ *smtp.RcptOptions) error {
	if se.s.RcptReply != nil {
		if err := se.s.RcptReply(to); err != nil {
			return err
		}
	}
	se.to = append(se.to, to)
	return nil
}

func (se *session) Data(r io.Reader) error {
	b, err := io.ReadAll(r)
	if err != nil {
		return err
	}
	time.Sleep(se.s.DataDelay)
	m := received{From: se.from, To: se.to, Data: b}
	se.s.mu.Lock()
	se.s.got = append(se.s.got, m)
	se.s.mu.Unlock()
	if se.s.OnData != nil {
		se.s.OnData(m)
	}
	return nil
}

func (se *session) Reset()        { se.from, se.to = "", nil }
func (se *session) Logout() error { return nil }

// testCert returns a server TLS config with a self-signed certificate for
// 127.0.0.1 and localhost, and a client config that trusts it.
func testCert(t *testing.T) (server, client *tls.Config) {
	t.Helper()
	key, err := ecdsa.GenerateKey(elliptic.P256(), rand.Reader)
	if err != nil {
		t.Fatal(err)
	}
	tmpl := &x509.Certificate{
		SerialNumber: big.NewInt(1),
		Subject:      pkix.Name{CommonName: "mail.test"},
		NotBefore:    time.Now().Add(-time.Hour),
		NotAfter:     time.Now().Add(time.Hour),
		KeyUsage:     x509.KeyUsageDigitalSignature,
		ExtKeyUsage:  []x509.ExtKeyUsage{x509.ExtKeyUsageServerAuth},
		IPAddresses:  []net.IP{net.ParseIP("127.0.0.1")},
		DNSNames:     []string{"localhost"},
	}
	der, err := x509.CreateCertificate(rand.Reader, tmpl, tmpl, &key.PublicKey, key)
	if err != nil {
		t.Fatal(err)
	}
	cert, err := x509.ParseCertificate(der)
	if err != nil {
		t.Fatal(err)
	}
	pool := x509.NewCertPool()
	pool.AddCert(cert)
	return &tls.Config{Certificates: []tls.Certificate{{Certificate: [][]byte{der}, PrivateKey: key}}},
		&tls.Config{RootCAs: pool, MinVersion: tls.VersionTLS12}
}

// freeAddr returns an address on which nothing listens (for "the mail
// server is down"); a server can be started there later.
func freeAddr(t *testing.T) string {
	t.Helper()
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	addr := ln.Addr().String()
	if err := ln.Close(); err != nil && !errors.Is(err, net.ErrClosed) {
		t.Fatal(err)
	}
	return addr
}

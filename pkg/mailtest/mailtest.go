// Package mailtest runs a real SMTP server for tests: plain SMTP on
// 127.0.0.1 (no TLS, no login), as a local mail catcher is. It keeps every
// message it accepts, envelope and raw text, and can refuse recipients for
// good. It is built on the same SMTP library as the tests of pkg/notify's
// own client, so what complytrack sends goes over the wire as in
// production.
package mailtest

import (
	"bytes"
	"io"
	"log"
	"mime"
	"mime/quotedprintable"
	"net"
	"net/mail"
	"slices"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/emersion/go-smtp"
)

// Message is one message as the server accepted it.
type Message struct {
	From string   // the envelope sender
	To   []string // the envelope recipients
	Data []byte   // the raw RFC 5322 text
}

// Server is a running SMTP server; it stops when the test ends.
type Server struct {
	Addr string // host:port

	refuse func(to string) bool
	mu     sync.Mutex
	got    []Message
}

// Option changes how a Server answers.
type Option func(*Server)

// RefuseRecipients makes the server refuse for good (550) every recipient
// refuse reports true for, as a server with no such mailbox does.
func RefuseRecipients(refuse func(to string) bool) Option {
	return func(s *Server) { s.refuse = refuse }
}

// Start starts a server on a free loopback port.
func Start(tb testing.TB, opts ...Option) *Server {
	tb.Helper()
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		tb.Fatal(err)
	}
	s := &Server{Addr: ln.Addr().String()}
	for _, o := range opts {
		o(s)
	}
	srv := smtp.NewServer(smtp.BackendFunc(func(*smtp.Conn) (smtp.Session, error) { return &session{s: s}, nil }))
	srv.Domain = "mail.test"
	srv.ReadTimeout, srv.WriteTimeout = 30*time.Second, 30*time.Second
	srv.ErrorLog = log.New(io.Discard, "", 0)
	var wg sync.WaitGroup
	wg.Go(func() { _ = srv.Serve(ln) })
	tb.Cleanup(func() { _ = srv.Close(); wg.Wait() })
	return s
}

// Messages returns every message accepted so far, in order.
func (s *Server) Messages() []Message {
	s.mu.Lock()
	defer s.mu.Unlock()
	return slices.Clone(s.got)
}

type session struct {
	s    *Server
	from string
	to   []string
}

func (se *session) Mail(from string, _ *smtp.MailOptions) error { se.from = from; return nil }

func (se *session) Rcpt(to string, _ *smtp.RcptOptions) error {
	if se.s.refuse != nil && se.s.refuse(to) {
		return &smtp.SMTPError{Code: 550, EnhancedCode: smtp.EnhancedCode{5, 1, 1}, Message: "No such mailbox"}
	}
	se.to = append(se.to, to)
	return nil
}

func (se *session) Data(r io.Reader) error {
	b, err := io.ReadAll(r)
	if err != nil {
		return err
	}
	se.s.mu.Lock()
	se.s.got = append(se.s.got, Message{From: se.from, To: se.to, Data: b})
	se.s.mu.Unlock()
	return nil
}

func (se *session) Reset()        { se.from, se.to = "", nil }
func (se *session) Logout() error { return nil }

// Mail is the part of a message tests read: its To address, and its
// subject and text decoded.
type Mail struct {
	To, Subject, Text string
}

// Read parses the message's To address, subject and body (decoding a
// quoted-printable body), failing the test when it does not parse.
func (m Message) Read(tb testing.TB) Mail {
	tb.Helper()
	msg, err := mail.ReadMessage(bytes.NewReader(m.Data))
	if err != nil {
		tb.Fatalf("received a message that does not parse: %v\n%s", err, m.Data)
	}
	to, err := mail.ParseAddress(msg.Header.Get("To"))
	if err != nil {
		tb.Fatalf("received a message with no To address: %v", err)
	}
	var body io.Reader = msg.Body
	if strings.EqualFold(msg.Header.Get("Content-Transfer-Encoding"), "quoted-printable") {
		body = quotedprintable.NewReader(msg.Body)
	}
	text, err := io.ReadAll(body)
	if err != nil {
		tb.Fatal(err)
	}
	subject, err := new(mime.WordDecoder).DecodeHeader(msg.Header.Get("Subject"))
	if err != nil {
		tb.Fatalf("received a message whose subject cannot be decoded: %v", err)
	}
	return Mail{To: to.Address, Subject: subject, Text: string(text)}
}

// Package logging holds what every log line of complytrack shares: the
// attribute key for errors, and the request ID that ties together the
// lines one request writes.
//
// The program builds one *slog.Logger at start-up and passes it down; no
// package logs through slog's process-wide default. That logger's handler
// is wrapped by New, which adds the request ID found in the context of
// each call, so a log call made with the request's context (InfoContext,
// ErrorContext, LogAttrs) carries it wherever it is made, the domain
// service's audit warnings as much as the access log.
package logging

import (
	"context"
	"crypto/rand"
	"encoding/hex"
	"log/slog"
)

// ErrKey is the attribute key of an error on every log line.
const ErrKey = "err"

// Err is the attribute for an error, under ErrKey.
func Err(err error) slog.Attr { return slog.Any(ErrKey, err) }

// RequestIDKey is the attribute key of the request ID on every log line
// written while serving a request.
const RequestIDKey = "request_id"

// New returns a logger whose lines carry the request ID of the context
// they are logged with. Wrapping a logger that New made already returns
// it unchanged, so the program and the tests may both call it.
func New(l *slog.Logger) *slog.Logger {
	if _, ok := l.Handler().(contextHandler); ok {
		return l
	}
	return slog.New(contextHandler{l.Handler()})
}

// Discard is a logger that writes nothing, for a part built without one.
func Discard() *slog.Logger { return slog.New(slog.DiscardHandler) }

type requestIDKey struct{}

// WithRequestID returns ctx carrying the request ID id.
func WithRequestID(ctx context.Context, id string) context.Context {
	return context.WithValue(ctx, requestIDKey{}, id)
}

// RequestID is the request ID ctx carries, or "".
func RequestID(ctx context.Context) string {
	id, _ := ctx.Value(requestIDKey{}).(string)
	return id
}

// NewRequestID makes a request ID: 16 random bytes in hex.
func NewRequestID() string {
	var b [16]byte
	_, _ = rand.Read(b[:]) // never fails (crypto/rand)
	return hex.EncodeToString(b[:])
}

// SaneRequestID reports whether id, sent by a client or a proxy as
// X-Request-ID, may be used as the request's ID: 1 to 128 characters of
// letters, digits and - _ . : only. Anything else (a line break, quotes,
// someone's name, a megabyte) could forge or bloat log lines and is
// replaced by one of ours.
func SaneRequestID(id string) bool {
	if id == "" || len(id) > 128 {
		return false
	}
	for _, r := range id {
		switch {
		case r >= 'a' && r <= 'z', r >= 'A' && r <= 'Z', r >= '0' && r <= '9', r == '-', r == '_', r == '.', r == ':':
		default:
			return false
		}
	}
	return true
}

// contextHandler adds the context's request ID to each record.
type contextHandler struct{ next slog.Handler }

func (h contextHandler) Enabled(ctx context.Context, l slog.Level) bool {
	return h.next.Enabled(ctx, l)
}

func (h contextHandler) Handle(ctx context.Context, r slog.Record) error {
	if ctx != nil {
		if id := RequestID(ctx); id != "" {
			r = r.Clone()
			r.AddAttrs(slog.String(RequestIDKey, id))
		}
	}
	return h.next.Handle(ctx, r)
}

func (h contextHandler) WithAttrs(as []slog.Attr) slog.Handler {
	return contextHandler{h.next.WithAttrs(as)}
}

func (h contextHandler) WithGroup(name string) slog.Handler {
	return contextHandler{h.next.WithGroup(name)}
}

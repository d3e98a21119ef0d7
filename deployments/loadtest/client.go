package main

import (
	"bytes"
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"net/http"
	"strconv"
	"strings"
	"sync"
	"time"
)

// client talks to one complytrack over HTTP. With stats set, every answer
// is recorded under its operation's name; without, it is set-up traffic.
type client struct {
	base  string
	http  *http.Client
	stats *stats
	// refreshAfter is how long an access token is used before it is
	// refreshed; zero: two thirds of its lifetime.
	refreshAfter time.Duration
}

func newHTTPClient(conns int) *http.Client {
	t := http.DefaultTransport.(*http.Transport).Clone()
	// One kept-alive connection per concurrent client, as real browsers
	// and scripts each keep theirs.
	t.MaxIdleConns = conns + 16
	t.MaxIdleConnsPerHost = conns + 16
	return &http.Client{Transport: t, Timeout: 2 * time.Minute}
}

// timed returns a copy of c that records answers in s.
func (c *client) timed(s *stats) *client {
	cp := *c
	cp.stats = s
	return &cp
}

// session is one signed-in account. Clients that act as the same account
// share it; its refresh token is used by one of them at a time, since a
// refresh token presented twice ends the sign-in everywhere.
type session struct {
	email    string
	personID string

	mu        sync.Mutex
	access    string
	refresh   string
	refreshAt time.Time
}

type tokens struct {
	AccessToken  string `json:"access_token"`
	RefreshToken string `json:"refresh_token"`
	ExpiresIn    int    `json:"expires_in"`
}

func (c *client) newSession(email, personID string, t tokens) *session {
	s := &session{email: email, personID: personID}
	c.setTokens(s, t)
	return s
}

func (c *client) setTokens(s *session, t tokens) {
	s.access, s.refresh = t.AccessToken, t.RefreshToken
	after := c.refreshAfter
	if after == 0 {
		after = time.Duration(t.ExpiresIn) * time.Second * 2 / 3
	}
	s.refreshAt = time.Now().Add(after)
}

// token is the session's access token, refreshed first when it is due.
func (c *client) token(ctx context.Context, s *session) (string, error) {
	s.mu.Lock()
	defer s.mu.Unlock()
	if time.Now().Before(s.refreshAt) {
		return s.access, nil
	}
	var t tokens
	if err := c.call(ctx, "refresh", http.StatusOK, "POST", "/api/v1/auth/refresh", nil,
		jsonBody(map[string]string{"refresh_token": s.refresh}), &t); err != nil {
		return "", fmt.Errorf("refresh the sign-in of %s: %w", s.email, err)
	}
	c.setTokens(s, t)
	return s.access, nil
}

// body is a request body and its content type.
type body struct {
	contentType string
	data        []byte
}

func jsonBody(v any) *body {
	raw, err := json.Marshal(v)
	if err != nil {
		panic(err) // only ever called with plain maps and structs
	}
	return &body{"application/json", raw}
}

func csvBody(data []byte) *body { return &body{"text/csv", data} }

// statusError is an answer other than the one expected.
type statusError struct {
	op, method, path string
	status           int
	detail           string
}

func (e *statusError) Error() string {
	return fmt.Sprintf("%s (%s %s): status %d: %s", e.op, e.method, e.path, e.status, e.detail)
}

// call sends one request and decodes a JSON answer into out (when not
// nil). An answer other than want is a *statusError.
func (c *client) call(ctx context.Context, op string, want int, method, path string, s *session, b *body, out any) error {
	status, data, err := c.send(ctx, op, method, path, s, b)
	if err != nil {
		return err
	}
	if status != want {
		return &statusError{op: op, method: method, path: path, status: status, detail: problemDetail(data)}
	}
	if out != nil {
		if err := json.Unmarshal(data, out); err != nil {
			return fmt.Errorf("%s: the answer is not the JSON expected: %w", op, err)
		}
	}
	return nil
}

// send sends one request as session s (nil: no credentials) and returns
// the status and body of the answer. A 429 is waited out for as long as
// its Retry-After says and sent again, and counted apart. With stats, the
// answer is recorded under op; a transport error is recorded as status 0
// and returned.
func (c *client) send(ctx context.Context, op, method, path string, s *session, b *body) (int, []byte, error) {
	for {
		var token string
		if s != nil {
			var err error
			if token, err = c.token(ctx, s); err != nil {
				return 0, nil, err
			}
		}
		var rd io.Reader
		if b != nil {
			rd = bytes.NewReader(b.data)
		}
		req, err := http.NewRequestWithContext(ctx, method, c.base+path, rd)
		if err != nil {
			return 0, nil, err
		}
		if b != nil {
			req.Header.Set("Content-Type", b.contentType)
		}
		if token != "" {
			req.Header.Set("Authorization", "Bearer "+token)
		}
		start := time.Now()
		resp, err := c.http.Do(req)
		var data []byte
		if err == nil {
			data, err = io.ReadAll(resp.Body)
			resp.Body.Close()
		}
		took := time.Since(start)
		if err != nil {
			if ctx.Err() == nil && c.stats != nil {
				c.stats.record(op, 0, took)
			}
			return 0, nil, fmt.Errorf("%s (%s %s): %w", op, method, path, err)
		}
		if resp.StatusCode == http.StatusTooManyRequests {
			if c.stats != nil {
				c.stats.recordThrottled(op)
			}
			wait := retryAfter(resp.Header.Get("Retry-After"))
			select {
			case <-ctx.Done():
				return 0, nil, ctx.Err()
			case <-time.After(wait):
			}
			continue
		}
		if c.stats != nil {
			c.stats.record(op, resp.StatusCode, took)
		}
		return resp.StatusCode, data, nil
	}
}

// retryAfter reads a Retry-After of whole seconds; 1 s when it is missing
// or unreadable.
func retryAfter(v string) time.Duration {
	n, err := strconv.Atoi(strings.TrimSpace(v))
	if err != nil || n < 1 {
		return time.Second
	}
	return time.Duration(n) * time.Second
}

// problemDetail is what a problem answer says, for error messages.
func problemDetail(data []byte) string {
	var p struct {
		Title  string `json:"title"`
		Detail string `json:"detail"`
		Errors []struct {
			Field   string `json:"field"`
			Message string `json:"message"`
		} `json:"errors"`
	}
	if json.Unmarshal(data, &p) != nil {
		if len(data) > 300 {
			data = data[:300]
		}
		return string(data)
	}
	msg := strings.TrimSpace(p.Title + " " + p.Detail)
	for _, e := range p.Errors {
		msg += " [" + e.Field + ": " + e.Message + "]"
	}
	return msg
}

// isStatus reports whether err is an answer with the given status.
func isStatus(err error, status int) bool {
	var se *statusError
	return errors.As(err, &se) && se.status == status
}

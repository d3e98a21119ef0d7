package dbtest

import (
	"cmp"
	"io"
	"net"
	"net/url"
	"strings"
	"sync"
	"testing"
	"time"
)

// Proxy is a TCP proxy in front of the test server, for tests of what
// complytrack does while its database is unreachable: Stop makes the
// database vanish as a crashed server or a cut network would (the listener
// closes and every open connection is cut), Start brings it back on the
// same address, so a client connected through URIFor sees the same server
// return without being told anything.
type Proxy struct {
	tb     testing.TB
	target string // host:port of the server behind it
	addr   string // the proxy's own address, kept across Stop and Start

	mu    sync.Mutex
	ln    net.Listener
	conns map[net.Conn]struct{}
	wg    sync.WaitGroup
}

// NewProxy starts a proxy in front of the server New uses and stops it in
// tb.Cleanup. On a replica set it stands in front of the first host the
// URI names, which must then be the primary. A test against a MongoDB
// named by a mongodb+srv:// URI, which names no host to stand in front
// of, is skipped.
func NewProxy(tb testing.TB) *Proxy {
	tb.Helper()
	setup(tb)
	if !strings.HasPrefix(shared.uri, "mongodb://") {
		tb.Skipf("dbtest: a proxy needs a host:port to stand in front of, and %s names none", EnvURI)
	}
	_, hosts, _, _ := splitURI(shared.uri)
	target, _, _ := strings.Cut(hosts, ",")
	if _, _, err := net.SplitHostPort(target); err != nil {
		target = net.JoinHostPort(target, "27017")
	}
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		tb.Fatalf("dbtest: proxy: %v", err)
	}
	p := &Proxy{tb: tb, target: target, addr: ln.Addr().String(), conns: map[net.Conn]struct{}{}}
	p.serve(ln)
	tb.Cleanup(p.Stop)
	return p
}

// splitURI cuts a mongodb:// connection string into its parts: the
// user information ("user:pass@" or ""), the comma-separated hosts, the
// path and the query. net/url cannot parse a list of hosts.
func splitURI(uri string) (userinfo, hosts, path, query string) {
	rest := strings.TrimPrefix(uri, "mongodb://")
	rest, query, _ = strings.Cut(rest, "?")
	authority, path, _ := strings.Cut(rest, "/")
	if i := strings.LastIndex(authority, "@"); i >= 0 {
		userinfo, authority = authority[:i+1], authority[i+1:]
	}
	return userinfo, authority, path, query
}

// Addr is the proxy's address (host:port), the same across Stop and Start.
func (p *Proxy) Addr() string { return p.addr }

// URIFor is a connection string for database db through the proxy, with
// the test server's credentials and options. It asks for a direct
// connection: a replica set member would otherwise tell the driver the
// members' own addresses, and the driver would go round the proxy.
func (p *Proxy) URIFor(db string) string {
	userinfo, _, path, query := splitURI(shared.uri)
	q, _ := url.ParseQuery(query)
	q.Set("directConnection", "true")
	if userinfo != "" && !q.Has("authSource") {
		// The path named the database to sign in to; db replaces it.
		q.Set("authSource", cmp.Or(path, "admin"))
	}
	return "mongodb://" + userinfo + p.addr + "/" + db + "?" + q.Encode()
}

// Stop closes the listener and cuts every connection through the proxy,
// then returns once they are all closed. Stopping a stopped proxy does
// nothing.
func (p *Proxy) Stop() {
	p.mu.Lock()
	if p.ln != nil {
		_ = p.ln.Close()
		p.ln = nil
	}
	for c := range p.conns {
		_ = c.Close()
	}
	p.mu.Unlock()
	p.wg.Wait()
}

// Start listens on the proxy's address again. The address was just freed by
// Stop, so a few tries cover the moment the system takes to release it.
func (p *Proxy) Start() {
	p.tb.Helper()
	var (
		ln  net.Listener
		err error
	)
	for range 50 {
		if ln, err = net.Listen("tcp", p.addr); err == nil {
			p.serve(ln)
			return
		}
		time.Sleep(100 * time.Millisecond)
	}
	p.tb.Fatalf("dbtest: proxy: listen on %s again: %v", p.addr, err)
}

func (p *Proxy) serve(ln net.Listener) {
	p.mu.Lock()
	p.ln = ln
	p.mu.Unlock()
	p.wg.Add(1)
	go func() {
		defer p.wg.Done()
		for {
			client, err := ln.Accept()
			if err != nil {
				return // closed by Stop
			}
			p.wg.Add(1)
			go func() {
				defer p.wg.Done()
				p.pipe(client)
			}()
		}
	}()
}

// pipe copies between a client and a new connection to the server until
// either side closes or Stop cuts them.
func (p *Proxy) pipe(client net.Conn) {
	server, err := net.DialTimeout("tcp", p.target, 5*time.Second)
	if err != nil {
		_ = client.Close()
		return
	}
	if !p.track(client, server) {
		return // Stop came first
	}
	defer p.untrack(client, server)
	done := make(chan struct{}, 2)
	cp := func(dst, src net.Conn) {
		_, _ = io.Copy(dst, src)
		// One direction ending ends the other: the driver's connection
		// is useless half-closed.
		_ = dst.Close()
		_ = src.Close()
		done <- struct{}{}
	}
	go cp(server, client)
	go cp(client, server)
	<-done
	<-done
}

// track registers a pair of connections for Stop to cut; false (and both
// closed) when the proxy has been stopped meanwhile.
func (p *Proxy) track(conns ...net.Conn) bool {
	p.mu.Lock()
	defer p.mu.Unlock()
	if p.ln == nil {
		for _, c := range conns {
			_ = c.Close()
		}
		return false
	}
	for _, c := range conns {
		p.conns[c] = struct{}{}
	}
	return true
}

func (p *Proxy) untrack(conns ...net.Conn) {
	p.mu.Lock()
	defer p.mu.Unlock()
	for _, c := range conns {
		delete(p.conns, c)
	}
}

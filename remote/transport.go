package remote

import (
	"bufio"
	"context"
	"crypto/tls"
	"errors"
	"io"
	"net"
	"net/http"
	"sync"
	"syscall"
	"time"
)

// transport is the client's http.RoundTripper: HTTP/1.1 over connections it
// keeps itself, written and read on the calling goroutine with net/http's
// own Request.Write and ReadResponse, the way a blocking client works.
// net/http's Transport hands every request to two goroutines per
// connection and back; on a busy machine those hand-offs cost as much as
// the request itself. Here a request costs no hand-off, and a connection
// costs no goroutine: an idle follower is only the goroutine reading its
// body, parked in the network poller.
//
// Connections are kept alive: a response read to its end returns its
// connection to a small idle list, which the next request takes (after
// checking that the server has not closed it meanwhile). A context that
// ends closes the connection in use, which ends any read or write on it.
type transport struct {
	addr    string // host:port to dial
	dial    func(ctx context.Context, network, addr string) (net.Conn, error)
	tls     *tls.Config // nil for http://
	maxIdle int
	idleFor time.Duration

	mu   sync.Mutex
	idle []*conn // most recently used last
}

// conn is one connection and its buffers.
type conn struct {
	c     net.Conn
	raw   syscall.Conn // the TCP connection under c, for the liveness check (nil: none)
	br    *bufio.Reader
	bw    *bufio.Writer
	since time.Time // when it became idle
}

func (t *transport) RoundTrip(req *http.Request) (*http.Response, error) {
	ctx := req.Context()
	for attempt := 0; ; attempt++ {
		c, reused, err := t.get(ctx)
		if err != nil {
			return nil, err
		}
		stop := context.AfterFunc(ctx, func() { c.c.Close() })
		resp, err := c.exchange(req)
		if err == nil {
			resp.Body = &body{ReadCloser: resp.Body, t: t, c: c, stop: stop, keep: !resp.Close && !req.Close}
			return resp, nil
		}
		stop()
		c.c.Close()
		if ctx.Err() != nil {
			return nil, ctx.Err()
		}
		// A kept connection the server closed just as it was taken: the
		// request cannot have been processed when nothing came back, so a
		// request that changes nothing is sent again, once, on a new one.
		if reused && attempt == 0 && closedEarly(err) && (req.Method == "GET" || req.Method == "HEAD") {
			continue
		}
		return nil, err
	}
}

// closedEarly reports an error of a connection the peer had closed.
func closedEarly(err error) bool {
	return errors.Is(err, io.EOF) || errors.Is(err, io.ErrUnexpectedEOF) ||
		errors.Is(err, syscall.ECONNRESET) || errors.Is(err, syscall.EPIPE)
}

// exchange writes req and reads the response head.
func (c *conn) exchange(req *http.Request) (*http.Response, error) {
	if err := req.Write(c.bw); err != nil {
		return nil, err
	}
	if err := c.bw.Flush(); err != nil {
		return nil, err
	}
	return http.ReadResponse(c.br, req)
}

// get returns a kept connection that is still open, or a new one.
func (t *transport) get(ctx context.Context) (c *conn, reused bool, err error) {
	for {
		t.mu.Lock()
		n := len(t.idle)
		if n == 0 {
			t.mu.Unlock()
			break
		}
		c = t.idle[n-1]
		t.idle = t.idle[:n-1]
		t.mu.Unlock()
		if time.Since(c.since) < t.idleFor && c.open() {
			return c, true, nil
		}
		c.c.Close()
	}
	nc, err := t.dial(ctx, "tcp", t.addr)
	if err != nil {
		return nil, false, err
	}
	c = &conn{c: nc}
	c.raw, _ = nc.(syscall.Conn)
	if t.tls != nil {
		tc := tls.Client(nc, t.tls)
		if err := tc.HandshakeContext(ctx); err != nil {
			nc.Close()
			return nil, false, err
		}
		c.c = tc
	}
	c.br = bufio.NewReaderSize(c.c, 64<<10)
	c.bw = bufio.NewWriterSize(c.c, 16<<10)
	return c, false, nil
}

// open reports whether a kept connection is still open: nothing is
// waiting to be read on it (a server that closed it has sent an end of
// stream). It reads nothing.
func (c *conn) open() bool {
	if c.br.Buffered() > 0 {
		return false // bytes nobody asked for: not a clean connection
	}
	return c.raw == nil || peerOpen(c.raw)
}

// put keeps c for the next request, or closes it when enough are kept.
func (t *transport) put(c *conn) {
	c.since = time.Now()
	t.mu.Lock()
	if len(t.idle) < t.maxIdle {
		t.idle = append(t.idle, c)
		c = nil
	}
	t.mu.Unlock()
	if c != nil {
		c.c.Close()
	}
}

// CloseIdleConnections closes the kept connections.
func (t *transport) CloseIdleConnections() {
	t.mu.Lock()
	idle := t.idle
	t.idle = nil
	t.mu.Unlock()
	for _, c := range idle {
		c.c.Close()
	}
}

// body is a response body that gives its connection back once read to the
// end (and closes it otherwise).
type body struct {
	io.ReadCloser
	t    *transport
	c    *conn
	stop func() bool // withdraws the context's close
	keep bool        // the connection may serve another request
	once sync.Once
}

func (b *body) Read(p []byte) (int, error) {
	n, err := b.ReadCloser.Read(p)
	if err != nil {
		b.finish(err == io.EOF)
	}
	return n, err
}

func (b *body) Close() error {
	b.finish(false)
	return nil
}

// finish releases the connection: back to the idle list when the body was
// read to its end and the context did not close it, else closed.
func (b *body) finish(atEnd bool) {
	b.once.Do(func() {
		stopped := b.stop()
		if atEnd && b.keep && stopped {
			b.t.put(b.c)
			return
		}
		b.c.c.Close()
	})
}

package server

import (
	"crypto/tls"
	"net"
	"sync"
	"sync/atomic"
	"time"
)

// Limits of the HTTPS listener, applied before any authentication, as
// 1.2.1's.
const (
	// MaxTLSConnections caps the HTTPS listener's open connections; a
	// connection beyond it is closed at once.
	MaxTLSConnections = 128
	// TLSHandshakeTimeout bounds a TLS handshake.
	TLSHandshakeTimeout = 5 * time.Second
)

// TLSListener wraps ln (TCP) into the HTTPS listener: at most
// MaxTLSConnections connections at a time (more are closed as they
// arrive), each handshaken within TLSHandshakeTimeout before Accept
// returns it, so that a slow or silent client holds no request slot.
// cfg should offer ALPN "h2" and "http/1.1".
func TLSListener(ln net.Listener, cfg *tls.Config) net.Listener {
	l := &tlsListener{Listener: ln, cfg: cfg, ready: make(chan net.Conn), done: make(chan struct{}),
		slots: make(chan struct{}, MaxTLSConnections)}
	go l.acceptLoop()
	return l
}

type tlsListener struct {
	net.Listener
	cfg   *tls.Config
	ready chan net.Conn
	slots chan struct{}
	done  chan struct{}
	err   error
	once  sync.Once
}

func (l *tlsListener) acceptLoop() {
	for {
		c, err := l.Listener.Accept()
		if err != nil {
			if ne, ok := err.(net.Error); ok && ne.Timeout() {
				time.Sleep(5 * time.Millisecond)
				continue
			}
			l.closeWith(err)
			return
		}
		select {
		case l.slots <- struct{}{}:
		default:
			c.Close() // over the connection limit
			continue
		}
		go l.handshake(c)
	}
}

func (l *tlsListener) handshake(c net.Conn) {
	tc := tls.Server(&slotConn{Conn: c, release: func() { <-l.slots }}, l.cfg)
	tc.SetDeadline(time.Now().Add(TLSHandshakeTimeout))
	if err := tc.Handshake(); err != nil {
		tc.Close()
		return
	}
	tc.SetDeadline(time.Time{})
	select {
	case l.ready <- tc:
	case <-l.done:
		tc.Close()
	}
}

func (l *tlsListener) Accept() (net.Conn, error) {
	select {
	case c := <-l.ready:
		return c, nil
	case <-l.done:
		return nil, l.err
	}
}

func (l *tlsListener) Close() error { return l.closeWith(net.ErrClosed) }

// closeWith closes the listener once; Accept then returns err.
func (l *tlsListener) closeWith(err error) error {
	var cerr error
	l.once.Do(func() {
		l.err = err
		close(l.done)
		cerr = l.Listener.Close()
	})
	return cerr
}

// slotConn is the TCP connection under a TLS one: it gives its slot back
// once closed, and after a write fails (a write deadline that cut a TLS
// record short) it writes nothing more. crypto/tls would otherwise send
// its close_notify alert right after the partial record, and the client
// would read the alert as the rest of that record: a decryption failure
// instead of a cut stream.
type slotConn struct {
	net.Conn
	release func()
	once    sync.Once
	broken  atomic.Pointer[error]
}

func (c *slotConn) Write(p []byte) (int, error) {
	if err := c.broken.Load(); err != nil {
		return 0, *err
	}
	n, err := c.Conn.Write(p)
	if err != nil {
		c.broken.CompareAndSwap(nil, &err)
	}
	return n, err
}

func (c *slotConn) Close() error {
	err := c.Conn.Close()
	c.once.Do(c.release)
	return err
}

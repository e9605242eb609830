package server

import (
	"context"
	"errors"
	"net"
	"net/http"
	"os"
	"sync"
	"time"

	"github.com/plasmite-go/plasmite/core"
)

// Defaults of Options, as release 1.2.1's.
const (
	DefaultMaxBodyBytes       = 1 << 20
	DefaultMaxTailTimeout     = 30 * time.Second
	DefaultMaxTailConcurrency = 64
	// DrainTimeout bounds how long Serve waits for in-flight requests once
	// its context is done.
	DrainTimeout = 10 * time.Second
)

// Options are a Server's limits. The zero value of each field means its
// default.
type Options struct {
	// MaxBodyBytes caps every request body (413 beyond it).
	MaxBodyBytes int64
	// MaxTailTimeout caps a tail's timeout_ms and is the deadline of a tail
	// that gives none.
	MaxTailTimeout time.Duration
	// MaxTailConcurrency caps the streams open at once (423 beyond it) and,
	// separately, the storage operations running at once (423 at once
	// beyond it: there is no queue).
	MaxTailConcurrency int
	// StreamGrace is how long after its deadline a stream may still write
	// (DefaultStreamGrace when 0); its permit is free at the deadline.
	StreamGrace time.Duration
}

// Server serves one pool directory. Create it with New; it is safe for
// concurrent use.
type Server struct {
	dir  string
	opts Options

	pools      *poolCache
	tails      semaphore
	storageSem semaphore
	routes     *router
	scanner    *poolScanner

	// stopping is cancelled by Close: every stream ends, the pool scanner
	// stops.
	stopping context.Context
	stop     context.CancelFunc
	closing  sync.Once
}

// New returns a server for the pools in dir (which must exist: the caller
// creates it). dir is used as given in the paths the documents show
// ("pools/demo.plasmite" for a relative dir), as 1.2.1 does. Options with a
// negative limit (or a tail timeout under 1 ms) are a Usage error; a dir
// that is not a directory is NotFound.
func New(dir string, opts Options) (*Server, error) {
	if opts.MaxBodyBytes == 0 {
		opts.MaxBodyBytes = DefaultMaxBodyBytes
	}
	if opts.MaxTailTimeout == 0 {
		opts.MaxTailTimeout = DefaultMaxTailTimeout
	}
	if opts.MaxTailConcurrency == 0 {
		opts.MaxTailConcurrency = DefaultMaxTailConcurrency
	}
	if opts.StreamGrace == 0 {
		opts.StreamGrace = DefaultStreamGrace
	}
	if opts.MaxBodyBytes < 0 || opts.MaxTailTimeout < time.Millisecond || opts.MaxTailConcurrency < 0 {
		return nil, &core.Error{Kind: core.Usage, Message: "server limits must be positive (tail timeout at least 1 ms)"}
	}
	fi, err := os.Stat(dir)
	if err != nil || !fi.IsDir() {
		return nil, &core.Error{Kind: core.NotFound, Message: "pool directory not found", Path: dir, Err: err}
	}
	s := &Server{
		dir:        dir,
		opts:       opts,
		pools:      newPoolCache(),
		tails:      newSemaphore(opts.MaxTailConcurrency),
		storageSem: newSemaphore(opts.MaxTailConcurrency),
	}
	s.stopping, s.stop = context.WithCancel(context.Background())
	s.scanner = newPoolScanner(s)
	s.routes = s.poolRoutes()
	return s, nil
}

// Dir is the pool directory as given to New.
func (s *Server) Dir() string { return s.dir }

// Handler returns the local listener's handler: the Host/Origin guard of a
// loopback listener, then the routes. Every response carries
// plasmite-version: 0.
func (s *Server) Handler() http.Handler {
	return localGuard(s.routes)
}

// Handle adds a route to every listener's handler: method is an HTTP
// method (a GET route also answers HEAD), pattern a path whose segments
// are literals or {name} wildcards that match one non-empty segment
// (read with r.PathValue). A route whose pattern has more literal segments
// wins; a path that matches only other methods' routes gets 405. It is
// how the web UI, MCP and access-administration routes join the server;
// call it before serving.
func (s *Server) Handle(method, pattern string, h http.HandlerFunc) {
	s.routes.handle(method, pattern, h)
}

// HTTPServer returns an http.Server for h with the timeouts every listener
// of this server uses: 10 s to read request headers, a write deadline that
// each request resets (streams set their own), idle keep-alive connections
// closed after 2 minutes.
func (s *Server) HTTPServer(h http.Handler) *http.Server {
	return &http.Server{
		Handler:           h,
		ReadHeaderTimeout: 10 * time.Second,
		// Non-zero so that net/http resets each connection's write deadline
		// at every request; streams move it to their own deadline.
		WriteTimeout: s.opts.MaxTailTimeout + time.Minute,
		IdleTimeout:  2 * time.Minute,
		// HTTP/2 (HTTPS listener): a ping every 15 s, 10 s for its answer.
		HTTP2:       &http.HTTP2Config{SendPingTimeout: 15 * time.Second, PingTimeout: 10 * time.Second},
		BaseContext: func(net.Listener) context.Context { return context.Background() },
	}
}

// Serve serves h (usually Handler()) on ln until ctx is done, then stops
// accepting, ends every stream and waits up to DrainTimeout for the
// requests in flight before closing what remains. It returns nil after a
// shutdown, or the listener's error.
func (s *Server) Serve(ctx context.Context, ln net.Listener, h http.Handler) error {
	hs := s.HTTPServer(h)
	served := make(chan error, 1)
	go func() { served <- hs.Serve(ln) }()
	select {
	case err := <-served:
		return err
	case <-ctx.Done():
	}
	s.Close()
	drain, cancel := context.WithTimeout(context.Background(), DrainTimeout)
	defer cancel()
	if err := hs.Shutdown(drain); err != nil {
		hs.Close()
	}
	if err := <-served; !errors.Is(err, http.ErrServerClosed) {
		return err
	}
	return nil
}

// Close ends every stream (their clients see a clean end of stream) and
// stops the pool scanner; requests that are not streams are not affected.
// Open pools are closed once no request uses them. Close is idempotent.
func (s *Server) Close() error {
	s.closing.Do(func() {
		s.stop()
		s.pools.closeAll()
	})
	return nil
}

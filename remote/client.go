package remote

import (
	"bytes"
	"context"
	"crypto/tls"
	"errors"
	"io"
	"net"
	"net/http"
	"net/url"
	"strconv"
	"strings"
	"syscall"
	"time"

	"github.com/plasmite-go/plasmite/core"
	"github.com/plasmite-go/plasmite/wire"
)

// Defaults of Options.
const (
	// DefaultRequestTimeout bounds a one-shot request, start to finish.
	DefaultRequestTimeout = 30 * time.Second
	// DefaultMaxResponseBytes caps a response body, a JSONL line or a Lite3
	// frame's payload (256 MiB, as the reference).
	DefaultMaxResponseBytes = 256 << 20
)

// Credentials are what an https:// origin needs: they verify the server
// (for Plasmite's access keys, by the pinned SHA-256 of its public key,
// its certificate's names and dates, without a CA chain) and authorize the
// client's requests. They are sent to the client's own origin only (the
// client follows no redirect).
type Credentials interface {
	// TLSConfig returns the TLS configuration for connections to
	// serverName (the origin's host). It must verify the server.
	TLSConfig(serverName string) (*tls.Config, error)
	// Authorization is the Authorization header of every request ("" for
	// none), e.g. "Bearer <secret>".
	Authorization() string
}

// Options tune a Client. The zero value is ready to use.
type Options struct {
	// Credentials are required for an https:// origin and refused for an
	// http:// one (plain HTTP carries no secret).
	Credentials Credentials
	// RequestTimeout bounds each one-shot request including its body
	// (DefaultRequestTimeout when 0). Streams have no deadline of their own.
	RequestTimeout time.Duration
	// MaxResponseBytes caps response bodies, JSONL lines and Lite3 frame
	// payloads (DefaultMaxResponseBytes when 0; at most 4 GiB-1).
	MaxResponseBytes int64
	// DialContext, when set, opens the client's TCP connections (tests, or
	// a transport of the caller's choosing); net.Dialer's otherwise.
	DialContext func(ctx context.Context, network, addr string) (net.Conn, error)
	// UserAgent is sent with every request ("plasmite/<version>" when empty).
	UserAgent string
}

// Client talks to one server (one origin). It is safe for concurrent use;
// its connections are reused across requests and goroutines.
type Client struct {
	origin  string // normalized, trailing slash
	http    *http.Client
	auth    string
	agent   string
	timeout time.Duration
	max     int64
}

// New returns a client of the server at origin, http(s)://host[:port][/]
// (see ParseOrigin for what is accepted). It makes no request. Errors:
// Usage for an origin ParseOrigin refuses or credentials over plain HTTP;
// Permission for https:// without credentials; what Credentials.TLSConfig
// returns.
func New(origin string, o Options) (*Client, error) {
	u, err := parseOrigin(origin)
	if err != nil {
		return nil, err
	}
	c := &Client{origin: u.origin(), agent: o.UserAgent, timeout: o.RequestTimeout, max: o.MaxResponseBytes}
	if c.agent == "" {
		c.agent = "plasmite/" + core.Version
	}
	if c.timeout <= 0 {
		c.timeout = DefaultRequestTimeout
	}
	if c.max <= 0 || c.max > 1<<32-1 {
		c.max = DefaultMaxResponseBytes
	}
	dial := o.DialContext
	if dial == nil {
		dial = (&net.Dialer{Timeout: DefaultRequestTimeout, KeepAlive: 30 * time.Second}).DialContext
	}
	host := strings.TrimSuffix(strings.TrimPrefix(u.host, "["), "]")
	port := u.port
	if port == "" {
		port = map[string]string{"http": "80", "https": "443"}[u.scheme]
	}
	tr := &transport{addr: net.JoinHostPort(host, port), dial: dial, maxIdle: 64, idleFor: 60 * time.Second}
	switch {
	case u.scheme == "https" && o.Credentials == nil:
		return nil, &core.Error{Kind: core.Permission, Message: "no access key for " + c.origin,
			Hint: "HTTPS servers need an access key: run `plasmite access connect " + c.origin + "`, or pass credentials."}
	case u.scheme == "http" && o.Credentials != nil:
		return nil, &core.Error{Kind: core.Usage, Message: "credentials need an https origin",
			Hint: "Plain HTTP carries no access key; use https://."}
	case u.scheme == "https":
		cfg, err := o.Credentials.TLSConfig(host)
		if err != nil {
			return nil, err
		}
		cfg = cfg.Clone()
		if cfg.ServerName == "" {
			cfg.ServerName = host
		}
		cfg.NextProtos = []string{"http/1.1"} // this transport speaks HTTP/1.1
		tr.tls = cfg
		c.auth = o.Credentials.Authorization()
	}
	c.http = &http.Client{
		Transport: tr,
		// A redirect comes back as a response: send reports it as an error.
		CheckRedirect: func(*http.Request, []*http.Request) error { return http.ErrUseLastResponse },
	}
	return c, nil
}

// Origin returns the server's normalized origin, with a trailing slash
// ("http://127.0.0.1:9700/").
func (c *Client) Origin() string { return c.origin }

// Close closes the client's idle connections. Requests in progress are not
// affected; the client stays usable.
func (c *Client) Close() { c.http.CloseIdleConnections() }

// request is one HTTP exchange.
type request struct {
	method string
	path   string // below the origin, escaped, no leading slash
	query  string // encoded, without "?"
	ctype  string // Content-Type of body
	body   []byte
	accept string
}

func (r *request) url(origin string) string {
	if r.query == "" {
		return origin + r.path
	}
	return origin + r.path + "?" + r.query
}

// send makes the request and returns a response with a 2xx status; any
// other outcome is an error (the response's body then read and closed).
func (c *Client) send(ctx context.Context, r *request) (*http.Response, error) {
	var body io.Reader
	if r.body != nil {
		body = bytes.NewReader(r.body)
	}
	req, err := http.NewRequestWithContext(ctx, r.method, r.url(c.origin), body)
	if err != nil {
		return nil, &core.Error{Kind: core.Usage, Message: "invalid request", Err: err}
	}
	h := req.Header
	h.Set("User-Agent", c.agent)
	if r.accept != "" {
		h.Set("Accept", r.accept)
	}
	if r.ctype != "" {
		h.Set("Content-Type", r.ctype)
	}
	if c.auth != "" {
		h.Set("Authorization", c.auth)
	}
	resp, err := c.http.Do(req)
	if err != nil {
		return nil, transportError(ctx, err)
	}
	if resp.StatusCode >= 200 && resp.StatusCode <= 299 {
		return resp, nil
	}
	defer resp.Body.Close()
	if resp.StatusCode >= 300 && resp.StatusCode <= 399 {
		msg := "server redirected " + r.method + " " + r.url(c.origin) + " (status " + strconv.Itoa(resp.StatusCode) + ")"
		if loc := resp.Header.Get("Location"); loc != "" {
			msg += " to " + loc
		}
		drain(resp.Body)
		return nil, &core.Error{Kind: core.IO, Message: msg,
			Hint: "Use the server's final URL: Plasmite follows no redirects (it never forwards credentials)."}
	}
	b, _ := readLimited(resp.Body, 64<<10)
	return nil, wire.ParseError(resp.StatusCode, b)
}

// transportError is the error of a request that got no response: the
// context's error when it ended the request (so errors.Is(err,
// context.Canceled) holds), else Io "request failed" with the cause.
func transportError(ctx context.Context, err error) error {
	if ctx.Err() != nil {
		return &core.Error{Kind: core.IO, Message: "request cancelled", Err: context.Cause(ctx)}
	}
	return &core.Error{Kind: core.IO, Message: "request failed", Err: rootCause(err)}
}

// rootCause is the cause worth showing of a transport error: the OS error
// when there is one (so that the CLI shows "Connection refused (os error
// 111)", as the reference does), else the innermost net or url error.
func rootCause(err error) error {
	var errno syscall.Errno
	if errors.As(err, &errno) {
		return errno
	}
	if errors.Is(err, io.EOF) || errors.Is(err, io.ErrUnexpectedEOF) {
		return errConnClosed
	}
	var op *net.OpError
	if errors.As(err, &op) {
		return op
	}
	var ue *url.Error
	if errors.As(err, &ue) {
		return ue.Err
	}
	return err
}

var errConnClosed = errors.New("connection closed by the server")

// do makes a one-shot request within the request timeout and returns the
// response body (at most the response limit).
func (c *Client) do(ctx context.Context, r *request) ([]byte, error) {
	ctx, cancel := context.WithTimeout(ctx, c.timeout)
	defer cancel()
	resp, err := c.send(ctx, r)
	if err != nil {
		return nil, err
	}
	defer resp.Body.Close()
	b, err := readLimited(resp.Body, c.max)
	if err != nil {
		if errors.Is(err, errTooLarge) {
			return nil, &core.Error{Kind: core.IO, Message: "response exceeded maximum response size"}
		}
		if ctx.Err() != nil {
			return nil, transportError(ctx, err)
		}
		return nil, &core.Error{Kind: core.IO, Message: "failed to read response body", Err: rootCause(err)}
	}
	return b, nil
}

var errTooLarge = errors.New("response too large")

// readLimited reads r to its end, failing with errTooLarge past max bytes.
func readLimited(r io.Reader, max int64) ([]byte, error) {
	b, err := io.ReadAll(io.LimitReader(r, max+1))
	if err != nil {
		return nil, err
	}
	if int64(len(b)) > max {
		return nil, errTooLarge
	}
	return b, nil
}

// drain reads a little of an unwanted body so that the connection can be
// reused, then leaves the rest to Close.
func drain(r io.Reader) { _, _ = io.Copy(io.Discard, io.LimitReader(r, 64<<10)) }

// invalidJSON is the error of a 2xx response whose body is not the
// expected document.
func invalidJSON(err error) error {
	return &core.Error{Kind: core.Internal, Message: "invalid response json", Err: err}
}

// Package serve runs `pls serve`: it checks the serve options as release
// 1.2.1 does, owns the pool directory's state directory
// (DIR/.plasmite-serve, with its exclusive lock and local.json), binds the
// local listener, publishes readiness, prints the banner and serves until
// its context ends, then drains.
//
// The HTTPS listener with access keys is not built yet: its options are
// accepted and checked, and the banner says plainly that remote sharing is
// not active. The ready file therefore holds the local listener's address
// (1.2.1 writes the HTTPS one there); local.json holds it too, as in 1.2.1.
package serve

import (
	"context"
	"fmt"
	"io"
	"net"
	"net/netip"
	"net/url"
	"os"
	"path/filepath"
	"strconv"
	"strings"
	"time"

	"github.com/plasmite-go/plasmite/core"
	"github.com/plasmite-go/plasmite/mcp"
	"github.com/plasmite-go/plasmite/server"
	"github.com/plasmite-go/plasmite/ui"
)

// Defaults of 1.2.1's serve.
const (
	DefaultBind       = "127.0.0.1:9700"
	DefaultRemotePort = 9743
	DefaultUDP        = "127.0.0.1:9701"
)

// Options are `serve`'s options. Pointers are "given or not": a limit of 0
// given explicitly is an error, not the default.
type Options struct {
	Dir string // pool directory (required), created when missing

	Server        string // positional SERVER: the public https:// origin
	SharedAddress string // --shared-address, the older spelling of SERVER
	Bind          string // local listener, numeric loopback IP:port ("" = DefaultBind)
	RemoteBind    string // HTTPS listener, numeric IP:port ("" = 0.0.0.0:<SERVER port or 9743>)
	TLSCert       string
	TLSKey        string
	FrontCert     string
	UDP           string // UDP input address ("" = off)
	UDPFollow     bool

	MaxBodyBytes       *uint64
	MaxTailTimeoutMS   *uint64
	MaxTailConcurrency *uint64

	// ReadyFile, when set, receives the local listener's address once it
	// is bound and serving (written to ReadyFile+".tmp", then renamed).
	ReadyFile string
}

func usage(msg, hint string) error { return &core.Error{Kind: core.Usage, Message: msg, Hint: hint} }

// config is Options checked and resolved.
type config struct {
	dir        string
	bind       netip.AddrPort
	remoteBind netip.AddrPort
	origin     string // normalised SERVER, "" when none
	limits     server.Options
}

// check validates o in 1.2.1's order and with its messages.
func check(o Options) (config, error) {
	c := config{dir: o.Dir}
	if c.dir == "" {
		return c, usage("serve needs a pool directory", "")
	}
	if o.Server != "" && o.SharedAddress != "" {
		return c, usage("supply the server address once, as SERVER or --shared-address", "")
	}
	port := DefaultRemotePort
	if addr, name := o.Server, "SERVER"; addr != "" || o.SharedAddress != "" {
		if addr == "" {
			addr, name = o.SharedAddress, "--shared-address"
		}
		origin, p, err := httpsOrigin(addr)
		if err != nil {
			return c, usage(name+" must be an HTTPS origin",
				"Use https://HOST:PORT without a pool path, credentials, query, or fragment. --remote-bind controls the listening interface.")
		}
		c.origin = origin
		if o.Server != "" {
			port = p
		}
	}
	bind := o.Bind
	if bind == "" {
		bind = DefaultBind
	}
	var err error
	if c.bind, err = netip.ParseAddrPort(bind); err != nil {
		return c, usage("invalid local bind address", "")
	}
	if !c.bind.Addr().IsLoopback() {
		return c, usage("local administration must bind to a loopback address", "")
	}
	remote := o.RemoteBind
	if remote == "" {
		remote = "0.0.0.0:" + strconv.Itoa(port)
	}
	if c.remoteBind, err = netip.ParseAddrPort(remote); err != nil {
		return c, usage("invalid remote bind address",
			"Use a numeric IP:port, such as 100.101.102.103:9743 or [fd7a:115c:a1e0::abcd]:9743. Pass the public DNS name as SERVER.")
	}
	if o.UDP != "" {
		u, err := netip.ParseAddrPort(o.UDP)
		switch {
		case err != nil:
			return c, usage("invalid UDP bind address", "Use a numeric IP:port, such as 127.0.0.1:9701 or [::1]:9701.")
		case u.Addr().IsMulticast():
			return c, usage("UDP input cannot bind to a multicast address", "")
		case u.Addr() == netip.AddrFrom4([4]byte{255, 255, 255, 255}):
			return c, usage("UDP cannot bind to a broadcast address", "")
		}
	}
	if c.bind == c.remoteBind && c.bind.Port() != 0 {
		return c, usage("local and remote listeners need different addresses", "")
	}
	limit := func(v *uint64, def uint64, flag string) (uint64, error) {
		if v == nil {
			return def, nil
		}
		if *v == 0 {
			return 0, usage(flag+" must be greater than zero", "")
		}
		return *v, nil
	}
	body, err := limit(o.MaxBodyBytes, server.DefaultMaxBodyBytes, "--max-body-bytes")
	if err != nil || body > 1<<40 {
		return c, usage("--max-body-bytes must fit in memory and be greater than zero", "")
	}
	timeout, err := limit(o.MaxTailTimeoutMS, uint64(server.DefaultMaxTailTimeout/time.Millisecond), "--max-tail-timeout-ms")
	if err != nil {
		return c, err
	}
	tails, err := limit(o.MaxTailConcurrency, server.DefaultMaxTailConcurrency, "--max-tail-concurrency")
	if err != nil {
		return c, err
	}
	if (o.TLSCert == "") != (o.TLSKey == "") {
		return c, usage("--tls-cert and --tls-key must be supplied together", "")
	}
	for _, f := range []string{o.TLSCert, o.TLSKey, o.FrontCert} {
		if f == "" {
			continue
		}
		if _, err := os.Stat(f); err != nil {
			return c, &core.Error{Kind: core.IO, Message: "failed to read TLS file", Path: f, Err: err}
		}
	}
	c.limits = server.Options{
		MaxBodyBytes:       int64(body),
		MaxTailTimeout:     time.Duration(min(timeout, uint64(1<<62)/uint64(time.Millisecond))) * time.Millisecond,
		MaxTailConcurrency: int(min(tails, 1<<20)),
	}
	return c, nil
}

// httpsOrigin normalises an https://host[:port] origin (no path, query,
// fragment or credentials) and returns it with its port.
func httpsOrigin(s string) (origin string, port int, err error) {
	u, err := url.Parse(s)
	if err != nil {
		return "", 0, err
	}
	if !strings.EqualFold(u.Scheme, "https") || u.Hostname() == "" || u.User != nil ||
		(u.Path != "" && u.Path != "/") || u.RawQuery != "" || u.Fragment != "" || u.Opaque != "" {
		return "", 0, fmt.Errorf("not an HTTPS origin")
	}
	port = 443
	if p := u.Port(); p != "" {
		if port, err = strconv.Atoi(p); err != nil || port < 1 || port > 65535 {
			return "", 0, fmt.Errorf("bad port")
		}
	}
	host := strings.ToLower(u.Host)
	if port == 443 {
		host = strings.TrimSuffix(host, ":443")
	}
	return "https://" + host, port, nil
}

// Run serves o.Dir until ctx is done (the CLI cancels it on SIGINT and
// SIGTERM), then stops accepting, ends the streams and drains the requests
// in flight for at most server.DrainTimeout. The banner goes to stderr.
// Errors: Usage for bad options; Busy when another server owns the
// directory ("another server owns this pool directory"); IO when the
// directory or a listener cannot be set up.
func Run(ctx context.Context, o Options, stderr io.Writer) error {
	c, err := check(o)
	if err != nil {
		return err
	}
	if err := os.MkdirAll(c.dir, 0o777); err != nil {
		return &core.Error{Kind: core.IO, Message: "failed to create pool directory", Path: c.dir, Err: err}
	}
	st, err := openState(c.dir)
	if err != nil {
		return err
	}
	defer st.close()
	srv, err := server.New(c.dir, c.limits)
	if err != nil {
		return err
	}
	defer srv.Close()
	mcp.Register(srv, mcp.Options{})
	ui.Register(srv)
	ln, err := net.Listen("tcp", c.bind.String())
	if err != nil {
		return &core.Error{Kind: core.IO, Message: "failed to bind local administration listener", Err: err}
	}
	addr := ln.Addr().String()
	if err := st.writeLocal(addr); err != nil {
		ln.Close()
		return err
	}
	banner(stderr, c, o, addr)
	served := make(chan error, 1)
	go func() { served <- srv.Serve(ctx, ln, srv.Handler()) }()
	if o.ReadyFile != "" {
		if err := writeAtomic(o.ReadyFile, []byte(addr), 0o644); err != nil {
			ln.Close()
			<-served
			return &core.Error{Kind: core.IO, Message: "failed to publish bound server address", Path: o.ReadyFile, Err: err}
		}
	}
	return <-served
}

// banner tells the person who started the server where it is and what it
// does not do yet.
func banner(w io.Writer, c config, o Options, local string) {
	fmt.Fprintf(w, "Serving %s\n", displayPath(c.dir))
	fmt.Fprintf(w, "Local: http://%s/ui\n", local)
	fmt.Fprintf(w, "Remote sharing is not active yet: this build serves only the local listener (no HTTPS listener on %s, no access keys).\n", c.remoteBind)
	if o.UDP != "" || o.UDPFollow {
		fmt.Fprintf(w, "UDP input is not active yet: --udp and --udp-follow are accepted and ignored.\n")
	}
}

// displayPath shows a path as typed, quoted when it holds control
// characters.
func displayPath(p string) string {
	if strings.ContainsFunc(p, func(r rune) bool { return r < 0x20 || r == 0x7f }) {
		return strconv.Quote(p)
	}
	return p
}

// writeAtomic writes data to path through a temporary file and a rename,
// so that a reader sees the old file or the whole new one.
func writeAtomic(path string, data []byte, perm os.FileMode) error {
	tmp := path + ".tmp"
	if err := os.WriteFile(tmp, data, perm); err != nil {
		return err
	}
	if err := os.Rename(tmp, path); err != nil {
		os.Remove(tmp)
		return err
	}
	return nil
}

// stateDirName is the server's state directory inside the pool directory.
const stateDirName = ".plasmite-serve"

// state is the open state directory: its lock is held while the server
// runs.
type state struct {
	dir  string
	lock *os.File
}

// openState creates DIR/.plasmite-serve (0700) if missing and takes its
// exclusive lock: a second server on the directory fails with Busy.
func openState(poolDir string) (*state, error) {
	dir := filepath.Join(poolDir, stateDirName)
	if err := os.Mkdir(dir, 0o700); err != nil && !os.IsExist(err) {
		return nil, &core.Error{Kind: core.IO, Message: "failed to create server state directory", Path: dir, Err: err}
	}
	f, err := os.OpenFile(filepath.Join(dir, "lock"), os.O_RDWR|os.O_CREATE, 0o600)
	if err != nil {
		return nil, &core.Error{Kind: core.IO, Message: "failed to open server lock", Path: dir, Err: err}
	}
	if err := lockExclusive(f); err != nil {
		f.Close()
		return nil, &core.Error{Kind: core.Busy, Message: "another server owns this pool directory", Path: dir, Err: err}
	}
	return &state{dir: dir, lock: f}, nil
}

// writeLocal records the local listener's address as a JSON string.
func (s *state) writeLocal(addr string) error {
	path := filepath.Join(s.dir, "local.json")
	if err := writeAtomic(path, []byte(strconv.Quote(addr)), 0o600); err != nil {
		return &core.Error{Kind: core.IO, Message: "failed to record the local listener address", Path: path, Err: err}
	}
	return nil
}

func (s *state) close() { s.lock.Close() }

// Package serve runs `pls serve`: it checks the serve options as release
// 1.2.1 does, owns the pool directory's state directory
// (DIR/.plasmite-serve, with its exclusive lock and local.json), binds the
// listeners, publishes readiness, prints the banner and serves until
// its context ends, then drains.
//
// Two listeners serve the directory, as in 1.2.1: the local one (loopback
// HTTP, no credentials, key administration) and the HTTPS one (access
// keys, package access). As in 1.2.1, the ready file receives the HTTPS
// listener's address and local.json the local one's.
package serve

import (
	"context"
	"crypto/tls"
	"fmt"
	"io"
	"net"
	"net/netip"
	"net/url"
	"os"
	"strconv"
	"strings"
	"time"

	"github.com/plasmite-go/plasmite/access"
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
	udp        bool   // --udp or --udp-follow was given (not served yet)
	limits     server.Options
}

// check validates o in 1.2.1's order and with its messages.
func check(o Options) (config, error) {
	c := config{dir: o.Dir, udp: o.UDP != "" || o.UDPFollow}
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
// tcpNetwork is the network to listen on a with: "tcp4" for an IPv4
// address, so that 0.0.0.0 means every IPv4 interface as in 1.2.1 (Go's
// "tcp" would open a dual-stack socket reported as [::]); "tcp" for IPv6,
// where [::] is dual-stack as the system's default makes 1.2.1's.
func tcpNetwork(a netip.AddrPort) string {
	if a.Addr().Unmap().Is4() {
		return "tcp4"
	}
	return "tcp"
}

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
		// Port 0 is accepted, as 1.2.1 accepts it: the remote listener then
		// takes a free port (the origin still says :0, as 1.2.1's does).
		if port, err = strconv.Atoi(p); err != nil || port < 0 || port > 65535 {
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
// in flight for at most server.DrainTimeout. It runs two listeners: the
// local one (plain HTTP on loopback, no credentials, key administration)
// and the HTTPS one (access keys). The banner goes to stderr. Errors:
// Usage for bad options; Busy when another server owns the directory
// ("another server owns this pool directory"); Permission when its state
// is not private; IO when the directory or a listener cannot be set up.
func Run(ctx context.Context, o Options, stderr io.Writer) error {
	c, err := check(o)
	if err != nil {
		return err
	}
	if err := os.MkdirAll(c.dir, 0o777); err != nil {
		return &core.Error{Kind: core.IO, Message: "failed to create pool directory", Path: c.dir, Err: err}
	}
	st, err := access.OpenState(c.dir, access.StateOptions{SharedAddress: c.origin, TLSCert: o.TLSCert, TLSKey: o.TLSKey, FrontCert: o.FrontCert})
	if err != nil {
		return err
	}
	defer st.Close()
	identity, err := access.PoolDirIdentity(c.dir)
	if err != nil {
		return err
	}
	cert, err := st.Certificate()
	if err != nil {
		return err
	}
	srv, err := server.New(c.dir, c.limits)
	if err != nil {
		return err
	}
	defer srv.Close()
	m := mcp.Register(srv, mcp.Options{})
	ui.Register(srv)
	(&admin{srv: srv, state: st, identity: identity, display: displayPath(c.dir)}).register()
	remote := srv.RemoteHandler(server.RemoteOptions{
		Authorize: func(secret string) (context.Context, bool) {
			g, ok := st.Keys().Authorize(secret)
			return g.Context(), ok
		},
		// Remote MCP needs OAuth, which this server does not offer: the
		// handler answers as 1.2.1 does without a shared address.
		MCP: m.ServeRemote(nil),
	})

	ln, err := net.Listen(tcpNetwork(c.bind), c.bind.String())
	if err != nil {
		return &core.Error{Kind: core.IO, Message: "failed to bind local administration listener", Err: err}
	}
	rln, err := net.Listen(tcpNetwork(c.remoteBind), c.remoteBind.String())
	if err != nil {
		ln.Close()
		return &core.Error{Kind: core.IO, Message: "failed to bind remote HTTPS listener", Err: err}
	}
	tln := server.TLSListener(rln, &tls.Config{
		Certificates: []tls.Certificate{cert},
		NextProtos:   []string{"h2", "http/1.1"},
		MinVersion:   tls.VersionTLS12,
	})
	addr, raddr := ln.Addr().String(), rln.Addr().String()
	if err := st.WriteLocal(addr); err != nil {
		ln.Close()
		tln.Close()
		return err
	}
	banner(stderr, c, st, addr, raddr)
	ctx, stop := context.WithCancel(ctx)
	defer stop()
	served := make(chan error, 2)
	go func() { served <- srv.Serve(ctx, ln, srv.Handler()) }()
	go func() { served <- srv.Serve(ctx, tln, remote) }()
	if o.ReadyFile != "" {
		if err := writeAtomic(o.ReadyFile, []byte(raddr), 0o644); err != nil {
			stop()
			<-served
			<-served
			return &core.Error{Kind: core.IO, Message: "failed to publish bound server address", Path: o.ReadyFile, Err: err}
		}
	}
	err = <-served
	stop() // one listener failed or the context ended: stop the other
	if err2 := <-served; err == nil {
		err = err2
	}
	return err
}

// banner tells the person who started the server where it listens and
// how to share it.
func banner(w io.Writer, c config, st *access.State, local, remote string) {
	fmt.Fprintf(w, "Serving %s\n", displayPath(c.dir))
	fmt.Fprintf(w, "Local: http://%s/ui\n", local)
	fmt.Fprintf(w, "Remote listener: %s\n", remote)
	ap, _ := netip.ParseAddrPort(remote)
	if ap.Addr().IsUnspecified() {
		fmt.Fprintf(w, "Remote listener accepts connections on all interfaces; use --remote-bind to select an interface.\n")
	}
	switch {
	case st.SharedAddress() != "":
		fmt.Fprintf(w, "Remote HTTPS: %s\n", st.SharedAddress())
	case ap.Addr().IsLoopback():
		fmt.Fprintf(w, "Remote HTTPS: https://%s\n", remote)
	default:
		fmt.Fprintf(w, "Remote HTTPS: pass SERVER (https://HOST:PORT) to tell recipients where to connect\n")
	}
	fmt.Fprintf(w, "Server fingerprint: %s\n", st.Fingerprint())
	if c.udp {
		fmt.Fprintf(w, "UDP input is not active yet: --udp and --udp-follow are accepted and ignored.\n")
	}
	fmt.Fprintf(w, "Create access: plasmite --dir %s access invite NAME\n", displayPath(c.dir))
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

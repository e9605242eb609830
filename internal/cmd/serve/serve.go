// Package serve is the `serve` command: run the server of the pool
// directory (package serve at the module root does the work).
package serve

import (
	"context"
	"os"
	"os/signal"
	"syscall"

	"github.com/plasmite-go/plasmite/internal/clap"
	"github.com/plasmite-go/plasmite/internal/cmd/cmdutil"
	plserve "github.com/plasmite-go/plasmite/serve"
)

// Options are serve's; they map onto the server's options.
type Options struct {
	Server, SharedAddress, Bind, RemoteBind string
	TLSCert, TLSKey, FrontCert, UDP         string
	UDPFollow                               bool
	MaxBodyBytes, MaxTailTimeoutMS          *uint64
	MaxTailConcurrency                      *uint64
}

// Command declares serve; its Run runs Run with the options parsed and env.
func Command(env *cmdutil.Env) *clap.Command {
	o := &Options{}
	str := func(long, value, help string, p *string) clap.Flag {
		return clap.Flag{Long: long, Value: value, Help: help, Into: clap.String(p)}
	}
	limit := func(long, value, help string, p **uint64) clap.Flag {
		return clap.Flag{Long: long, Value: value, Help: help, Into: clap.OptUint64(p)}
	}
	return &clap.Command{
		Name: "serve", About: "Run a server for this directory",
		Args: []clap.Arg{{Name: "SERVER", Help: "Client-facing HTTPS origin (https://HOST[:PORT]); its port is the default HTTPS port", Into: clap.String(&o.Server)}},
		Flags: []clap.Flag{
			str("bind", "ADDRESS", "Local loopback bind address for credential-free administration (default 127.0.0.1:9700)", &o.Bind),
			str("remote-bind", "ADDRESS", "Numeric IP:port for authenticated HTTPS (bracket IPv6; default 0.0.0.0:9743)", &o.RemoteBind),
			str("shared-address", "URL", "Legacy public HTTPS URL option", &o.SharedAddress),
			str("udp", "ADDRESS", "UDP append input on numeric IP:port (not active yet)", &o.UDP),
			{Long: "udp-follow", Help: "Allow UDP followers (not active yet)", Into: clap.Bool(&o.UDPFollow)},
			str("front-cert", "PATH", "Certificate used by an HTTPS-terminating proxy", &o.FrontCert),
			str("tls-cert", "PATH", "Backend TLS certificate path (PEM; requires --tls-key)", &o.TLSCert),
			str("tls-key", "PATH", "Backend TLS key path (PEM; requires --tls-cert)", &o.TLSKey),
			limit("max-body-bytes", "BYTES", "Max request body size in bytes (must be positive)", &o.MaxBodyBytes),
			limit("max-tail-timeout-ms", "MILLISECONDS", "Max tail timeout in milliseconds (must be positive)", &o.MaxTailTimeoutMS),
			limit("max-tail-concurrency", "N", "Max concurrent tail streams (must be positive)", &o.MaxTailConcurrency),
			clap.HelpFlag,
		},
		Conflicts: [][2]string{{"SERVER", "shared-address"}},
		Subs:      []*clap.Command{initCommand(env)},
		Notes: []string{
			"Serves the pool directory until SIGINT or SIGTERM on two listeners: loopback HTTP without credentials (local tools, web UI, key administration) and HTTPS for other machines, which need an access key (`plasmite access invite NAME`).",
			"PLASMITE_SERVE_READY_FILE, when set, receives the HTTPS listener's address once serving; DIR/.plasmite-serve/local.json holds the local one.",
		},
		Run: env.Runner("serve", cmdutil.TextOnly, func(ctx context.Context) error { return Run(ctx, o, env) }),
	}
}

// Run serves the pool directory until ctx ends, SIGINT or SIGTERM; the
// banner goes to stderr, and env.ReadyFile (PLASMITE_SERVE_READY_FILE)
// receives the HTTPS address once serving.
func Run(ctx context.Context, o *Options, env *cmdutil.Env) error {
	ctx, stop := signal.NotifyContext(ctx, os.Interrupt, syscall.SIGTERM)
	defer stop()
	return plserve.Run(ctx, plserve.Options{
		Dir: env.PoolDir(), Server: o.Server, SharedAddress: o.SharedAddress, Bind: o.Bind, RemoteBind: o.RemoteBind,
		TLSCert: o.TLSCert, TLSKey: o.TLSKey, FrontCert: o.FrontCert, UDP: o.UDP, UDPFollow: o.UDPFollow,
		MaxBodyBytes: o.MaxBodyBytes, MaxTailTimeoutMS: o.MaxTailTimeoutMS, MaxTailConcurrency: o.MaxTailConcurrency,
		ReadyFile: env.ReadyFile,
	}, env.Stderr.Raw())
}

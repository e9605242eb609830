package main

import (
	"context"
	"os"
	"os/signal"
	"syscall"

	"github.com/plasmite-go/plasmite/serve"
)

// The `serve` command: its options map onto serve.Options, and the
// environment's PLASMITE_SERVE_READY_FILE onto ReadyFile; serve.Run does
// the rest.

func serveSpec() *cmdSpec {
	return &cmdSpec{
		Name: "serve", About: "Run a server for this directory",
		Args: []argSpec{{Name: "SERVER", Help: "Client-facing HTTPS origin (the HTTPS listener is not active yet)"}},
		Flags: flags([]flagSpec{
			{Long: "bind", Value: "ADDRESS", Help: "Local loopback bind address for credential-free administration (default 127.0.0.1:9700)"},
			{Long: "remote-bind", Value: "ADDRESS", Help: "Numeric IP:port for authenticated HTTPS (bracket IPv6; not active yet)"},
			{Long: "shared-address", Value: "URL", Help: "Legacy public HTTPS URL option"},
			{Long: "udp", Value: "ADDRESS", Help: "UDP append input on numeric IP:port (not active yet)"},
			{Long: "udp-follow", Help: "Allow UDP followers (not active yet)"},
			{Long: "front-cert", Value: "PATH", Help: "Certificate used by an HTTPS-terminating proxy"},
			{Long: "tls-cert", Value: "PATH", Help: "Backend TLS certificate path (PEM; requires --tls-key)"},
			{Long: "tls-key", Value: "PATH", Help: "Backend TLS key path (PEM; requires --tls-cert)"},
			{Long: "max-body-bytes", Value: "BYTES", Kind: vU64, Help: "Max request body size in bytes (must be positive)"},
			{Long: "max-tail-timeout-ms", Value: "MILLISECONDS", Kind: vU64, Help: "Max tail timeout in milliseconds (must be positive)"},
			{Long: "max-tail-concurrency", Value: "N", Kind: vU64, Help: "Max concurrent tail streams (must be positive)"},
		}),
		Conflicts: [][2]string{{"SERVER", "shared-address"}},
		Notes: []string{
			"Serves the pool directory on a loopback HTTP listener until SIGINT or SIGTERM.",
			"PLASMITE_SERVE_READY_FILE, when set, receives the local listener's address once it is serving.",
		},
		Run: cmdServe,
	}
}

func cmdServe(a *app, p *parsed) error {
	o := serve.Options{
		Dir:           a.poolDir(),
		Server:        p.arg("SERVER"),
		SharedAddress: p.str("shared-address"),
		Bind:          p.str("bind"),
		RemoteBind:    p.str("remote-bind"),
		TLSCert:       p.str("tls-cert"),
		TLSKey:        p.str("tls-key"),
		FrontCert:     p.str("front-cert"),
		UDP:           p.str("udp"),
		UDPFollow:     p.has("udp-follow"),
		ReadyFile:     os.Getenv("PLASMITE_SERVE_READY_FILE"),
	}
	limit := func(name string) *uint64 {
		if !p.has(name) {
			return nil
		}
		v := p.u64(name)
		return &v
	}
	o.MaxBodyBytes = limit("max-body-bytes")
	o.MaxTailTimeoutMS = limit("max-tail-timeout-ms")
	o.MaxTailConcurrency = limit("max-tail-concurrency")
	ctx, stop := signal.NotifyContext(context.Background(), os.Interrupt, syscall.SIGTERM)
	defer stop()
	return serve.Run(ctx, o, a.stderr.w)
}

// Package bridge is the `bridge` command: connect a pool and a NATS
// JetStream stream (package bridge at the module root does the work).
package bridge

import (
	"context"
	"os"
	"os/signal"
	"strings"
	"syscall"
	"time"

	plbridge "github.com/plasmite-go/plasmite/bridge"
	"github.com/plasmite-go/plasmite/internal/clap"
	"github.com/plasmite-go/plasmite/internal/cmd/cmdutil"
)

// Options are bridge's.
type Options struct {
	Source, Dest string
	JSON         bool
	Create       bool
	CreateSize   *string
	SubjectTags  bool
	MaxInFlight  uint32
	State        string
	From         string
	Durable      string
	Tags         []string
	Durability   string
	Interval     *string
	Name         string
	Auth         plbridge.Auth
}

// Command declares bridge; its Run runs Run with the options parsed and env.
func Command(env *cmdutil.Env) *clap.Command {
	o := &Options{}
	file := func(long, help string, p *string) clap.Flag {
		return clap.Flag{Long: long, Value: "FILE", Help: help, Into: clap.String(p)}
	}
	a := &o.Auth
	return &clap.Command{
		Name: "bridge", About: "Forward a pool to a NATS JetStream stream, or a stream to a pool", HelpIfEmpty: true,
		Args: []clap.Arg{
			{Name: "SOURCE", Required: true, Help: "Pool name or path, or nats://HOST:PORT/STREAM[/SUBJECT]", Into: clap.String(&o.Source)},
			{Name: "DEST", Required: true, Help: "nats://HOST:PORT/STREAM[/SUBJECT], or a pool name or path", Into: clap.String(&o.Dest)},
		},
		Flags: []clap.Flag{
			cmdutil.JSONFlag(&o.JSON),
			{Long: "create", Help: "Create a missing destination: the stream (out) or the pool (in)", Into: clap.Bool(&o.Create)},
			cmdutil.CreateSizeFlag(&o.CreateSize),
			{Long: "subject-tags", Help: "Also carry tags as subject tokens: SUBJECT.<tag>.<tag>…", Into: clap.Bool(&o.SubjectTags)},
			{Long: "max-in-flight", Value: "N", Help: "Publishes awaiting an ack (out), or deliveries awaiting one (in); default 1024", Into: clap.Uint32(&o.MaxInFlight)},
			{Long: "state", Value: "FILE", Help: "Out: the state file (default beside the pool: NAME.bridge-STREAM.json)", Into: clap.String(&o.State)},
			{Long: "from", Value: "FROM", Enum: []string{"oldest", "live"}, Help: "Out, first run: start at the oldest message (default) or after the newest", Into: clap.String(&o.From)},
			{Long: "durable", Value: "NAME", Help: "In: the durable consumer (default plasmite-<pool name>)", Into: clap.String(&o.Durable)},
			cmdutil.TagFlag(&o.Tags, "In: add a tag to every message (repeatable)"),
			cmdutil.DurabilityFlag(&o.Durability),
			{Long: "interval", Value: "DURATION", Help: "How often status is reported (default 1s)", Into: clap.OptString(&o.Interval)},
			{Long: "name", Value: "NAME", Help: "The connection's name on the server (default \"plasmite bridge\")", Into: clap.String(&o.Name)},
			file("creds", "NATS credentials file (user JWT and nkey seed)", &a.CredsFile),
			file("nkey", "File holding an nkey seed", &a.NkeySeedFile),
			{Long: "user", Value: "USER", Help: "User name (with --password-file)", Into: clap.String(&a.User)},
			file("password-file", "File holding the password for --user", &a.PasswordFile),
			file("token-file", "File holding an authentication token", &a.TokenFile),
			file("tls-ca", "PEM CA certificates to verify the server with", &a.CAFile),
			file("tls-cert", "PEM client certificate (with --tls-key)", &a.CertFile),
			file("tls-key", "PEM client key (with --tls-cert)", &a.KeyFile),
			clap.HelpFlag,
		},
		Notes: []string{
			"The direction follows the arguments: SOURCE to DEST, one of them a nats:// (or tls://) URL.",
			"Out publishes each message's data with headers Nats-Msg-Id (<identity>:<seq>), Plasmite-Seq, Plasmite-Time and one Plasmite-Tag per tag, and keeps the last acked seq in a state file beside the pool.",
			"In consumes through a durable consumer, acks only after the append, and tags each message nats:<STREAM>:<stream seq> so a restart never appends one twice.",
			"Messages overwritten in the pool before they were forwarded are reported as a gap (first..last).",
			"Secrets come only from files (--creds, --nkey, --password-file, --token-file); a URL with credentials is refused.",
			"Runs until SIGINT or SIGTERM. Progress goes to stderr on a terminal; --json prints JSON status lines on stdout.",
		},
		Examples: []string{
			`plasmite bridge events nats://127.0.0.1:4222/EVENTS --create`,
			`plasmite bridge builds nats://nats.internal:4222/CI/ci.builds --subject-tags --creds ci.creds`,
			`plasmite bridge nats://127.0.0.1:4222/EVENTS mirror --create --durability flush`,
			`plasmite bridge events tls://nats.internal:4222/EVENTS --tls-ca ca.pem --json`,
		},
		Run: env.Runner("bridge", cmdutil.TextOnly, func(ctx context.Context) error { return Run(ctx, o, env) }),
	}
}

func isNATS(s string) bool { return strings.HasPrefix(s, "nats://") || strings.HasPrefix(s, "tls://") }

// Run bridges o.Source to o.Dest until SIGINT or SIGTERM (or ctx ends).
func Run(ctx context.Context, o *Options, env *cmdutil.Env) error {
	out := !isNATS(o.Source)
	poolRef, url := o.Source, o.Dest
	if !out {
		poolRef, url = o.Dest, o.Source
	}
	if isNATS(poolRef) || !isNATS(url) {
		return cmdutil.UsageError("bridge needs one pool and one NATS URL",
			"Run plasmite bridge POOL nats://HOST:PORT/STREAM (out) or plasmite bridge nats://HOST:PORT/STREAM POOL (in).")
	}
	if err := o.check(out); err != nil {
		return err
	}
	target, err := plbridge.ParseTarget(url)
	if err != nil {
		return err
	}
	ref, err := env.Pools("bridge").Parse(poolRef)
	if err != nil {
		return err
	}
	if ref.Remote() {
		return cmdutil.UsageError("bridge works on local pools", "Run the bridge on the pool's host.")
	}
	dur, err := cmdutil.ParseDurability(o.Durability)
	if err != nil {
		return err
	}
	size, err := cmdutil.CreateSize(o.CreateSize)
	if err != nil {
		return err
	}
	every := time.Second
	if o.Interval != nil {
		if every, err = cmdutil.ParseDuration(*o.Interval); err != nil {
			return err
		}
	}
	p := &progress{env: env, json: o.JSON}
	opts := plbridge.Options{
		Pool: ref.Path, Open: env.Open, Target: target, Auth: o.Auth, Name: o.Name,
		Create: o.Create || o.CreateSize != nil, CreateSize: size, SubjectTags: o.SubjectTags,
		MaxInFlight: int(o.MaxInFlight), StatePath: o.State, FromLive: o.From == "live",
		Durable: o.Durable, Tags: o.Tags, Durability: dur, Report: p.report, StatusEvery: every,
	}
	ctx, stop := signal.NotifyContext(ctx, os.Interrupt, syscall.SIGTERM)
	defer stop()
	if out {
		err = plbridge.Out(ctx, opts)
	} else {
		err = plbridge.In(ctx, opts)
	}
	if err != nil {
		return missing(err, poolRef, ref.Path)
	}
	return nil
}

// check refuses options of the other direction.
func (o *Options) check(out bool) error {
	only := func(name string, given bool, dir string) error {
		if given {
			return cmdutil.UsageError("--"+name+" applies to bridging "+dir, "Remove --"+name+".")
		}
		return nil
	}
	if out {
		for _, c := range []struct {
			name  string
			given bool
		}{{"durable", o.Durable != ""}, {"tag", len(o.Tags) > 0}, {"durability", o.Durability != ""}} {
			if err := only(c.name, c.given, "in (a stream to a pool)"); err != nil {
				return err
			}
		}
		return nil
	}
	if err := only("state", o.State != "", "out (a pool to a stream)"); err != nil {
		return err
	}
	return only("from", o.From != "", "out (a pool to a stream)")
}

// missing adds the pool hints of an open failure.
func missing(err error, ref, path string) error {
	e, named := cmdutil.MissingPool(err, ref, path)
	if named {
		e.Hint = "Create it first: plasmite pool create " + cmdutil.ShellWord(ref) + " (or pass --create to bridge in)."
	}
	return e
}

// progress renders the bridge's events: JSON lines on stdout with --json;
// otherwise a status line kept up to date on a terminal's stderr, and gaps
// and retries as notices.
type progress struct {
	env  *cmdutil.Env
	json bool
	line bool // a status line is on the terminal
}

func (p *progress) report(e plbridge.Event) {
	env := p.env
	if p.json {
		b := e.AppendJSON(env.Stdout.Buffer())
		env.Stdout.Keep(b)
		env.Stdout.Write(b)
		return
	}
	tty := env.Stderr.TTY
	switch e.Kind {
	case "status", "start":
		if tty {
			env.Stderr.WriteString("\r\x1b[K" + e.Text())
			p.line = true
		}
	case "stop":
		if tty {
			env.Stderr.WriteString("\r\x1b[K" + e.Text() + "\n")
		}
	default: // gap, retry
		if tty && p.line {
			env.Stderr.WriteString("\r\x1b[K")
			p.line = false
		}
		env.Notice("bridge", e.Kind, e.Text(), "", nil, false)
	}
}

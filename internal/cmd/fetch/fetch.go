// Package fetch is the `fetch` command: one message by sequence number.
package fetch

import (
	"context"
	"strconv"

	"github.com/plasmite-go/plasmite/core"
	"github.com/plasmite-go/plasmite/internal/clap"
	"github.com/plasmite-go/plasmite/internal/cmd/cmdutil"
	"github.com/plasmite-go/plasmite/internal/poolref"
	"github.com/plasmite-go/plasmite/wire"
)

// Options are fetch's arguments.
type Options struct {
	Pool string
	Seq  string // parsed by Run: its error comes after the global options' checks
}

// Command declares fetch; its Run runs Run with the options parsed and env.
func Command(env *cmdutil.Env) *clap.Command {
	o := &Options{}
	return &clap.Command{
		Name: "fetch", About: "Fetch one message by sequence number", HelpIfEmpty: true,
		Args: []clap.Arg{
			{Name: "POOL", Required: true, Help: "Pool name or path", Into: clap.String(&o.Pool)},
			{Name: "SEQ", Required: true, Help: "Sequence number", Into: clap.String(&o.Seq)},
		},
		Flags:    []clap.Flag{clap.HelpFlag},
		Examples: []string{"plasmite fetch chat 1", "plasmite fetch chat 42 | jq .data"},
		Run:      env.Runner("fetch", cmdutil.Lite3Raw, func(ctx context.Context) error { return Run(ctx, o, env) }),
	}
}

// Run prints message o.Seq of pool o.Pool on stdout: its envelope as JSON
// (pretty on a terminal), YAML, a Lite3 frame or the raw Lite3 document,
// as --format says.
func Run(ctx context.Context, o *Options, env *cmdutil.Env) error {
	seq, err := strconv.ParseUint(o.Seq, 10, 64)
	if err != nil {
		return &core.Error{Kind: core.Usage, Message: "invalid value '" + o.Seq + "' for '<SEQ>': " + clap.IntReason(o.Seq, err), Hint: "Try `plasmite --help`."}
	}
	pools := env.Pools("fetch")
	ref, err := pools.Parse(o.Pool)
	if err != nil {
		return err
	}
	if err := cmdutil.NoUDP(ref); err != nil {
		return err
	}
	pool, err := pools.Open(ref, poolref.OpenOptions{ReadOnly: true, NoNotify: true})
	if err != nil {
		return cmdutil.OpenError(err, o.Pool, ref.Path)
	}
	defer pool.Close()
	m, err := pool.GetInto(seq, nil)
	if err != nil {
		e := wire.ErrorOf(err)
		if e.Kind == core.NotFound {
			if !ref.Remote() {
				e.Message, e.Path, e.Err = "message not found", "", nil
			}
			e.Seq = &seq // a remote error keeps the server's message and the pool's name
			e.Hint = "Check available messages: plasmite pool info " + o.Pool + " (or plasmite follow " + o.Pool + " --tail 10)."
		}
		return e
	}
	out := env.Stdout.Buffer()
	switch env.Format {
	case "lite3":
		out = wire.AppendFrame(append(out, wire.StreamMagic...), m)
	case "lite3-raw":
		out = append(out, m.Payload...)
	case "yaml":
		out, err = cmdutil.AppendMessageYAML(out, m, false)
	default:
		if out, err = wire.AppendMessage(out, m, cmdutil.ForRef(ref, env.OutStyle())); err == nil {
			out = append(out, '\n')
		}
	}
	if err != nil {
		e := wire.ErrorOf(err)
		e.Path = ref.Path
		return e
	}
	env.Stdout.Keep(out)
	return env.Stdout.Write(out)
}

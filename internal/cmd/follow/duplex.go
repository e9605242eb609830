package follow

import (
	"bufio"
	"context"
	"errors"
	"strings"

	"github.com/plasmite-go/plasmite/core"
	"github.com/plasmite-go/plasmite/core/jsonfmt"
	"github.com/plasmite-go/plasmite/internal/clap"
	"github.com/plasmite-go/plasmite/internal/cmd/cmdutil"
	"github.com/plasmite-go/plasmite/internal/cmd/feed"
	"github.com/plasmite-go/plasmite/internal/poolref"
)

// DuplexOptions are duplex's.
type DuplexOptions struct {
	Common
	Me       string
	EchoSelf bool
}

// DuplexCommand declares duplex; its Run runs Duplex with the options
// parsed and env.
func DuplexCommand(env *cmdutil.Env) *clap.Command {
	o := &DuplexOptions{}
	return &clap.Command{
		Name: "duplex", About: "Send and follow from one command", HelpIfEmpty: true,
		Args: []clap.Arg{o.poolArg()},
		Flags: []clap.Flag{
			{Long: "me", Value: "ME", Help: "Your name: sent as data.from; your own messages are hidden", Into: clap.String(&o.Me)},
			cmdutil.CreateFlag(&o.Create), o.tailFlag(), o.sinceFlag(), o.timeoutFlag(), o.jsonlFlag(),
			{Long: "echo-self", Help: "Also show your own messages", Into: clap.Bool(&o.EchoSelf)},
			clap.HelpFlag,
		},
		Conflicts: conflicts,
		Notes: []string{
			"Terminal input requires --me: each line becomes {\"from\":ME,\"msg\":LINE}.",
			"Piped input is read like `feed` (JSON objects), without receipts.",
			"Exits when either side ends; 124 when --timeout expires.",
		},
		Examples: []string{"plasmite duplex chat --me alice", `echo '{"from":"bot","msg":"ready"}' | plasmite duplex chat --me bot`},
		Run:      env.Runner("duplex", cmdutil.Lite3, func(ctx context.Context) error { return Duplex(ctx, o, env) }),
	}
}

// Duplex follows o.Pool (hiding o.Me's own messages unless EchoSelf) while
// sending what stdin holds: on a terminal each line as
// {"from":Me,"msg":LINE}, else JSON objects as feed reads them. It ends when
// either side does.
func Duplex(ctx context.Context, o *DuplexOptions, env *cmdutil.Env) error {
	style, w, err := o.window(env, "duplex")
	if err != nil {
		return err
	}
	pools := env.Pools("duplex")
	ref, err := pools.Parse(o.Pool)
	if err != nil {
		return err
	}
	if env.StdinTTY && o.Me == "" {
		return cmdutil.UsageError("TTY input requires --me for duplex", "Provide --me NAME to send TTY line-mode messages.")
	}
	if ref.Remote() {
		if err := remoteRefusals("duplex", o.Create, false, false); err != nil {
			return err
		}
	}
	pool, err := pools.Open(ref, poolref.OpenOptions{Create: o.Create})
	if err != nil {
		if ref.Remote() {
			return err // the server's, as 1.2.1 prints it
		}
		return missing(err, env, &Options{Common: o.Common}, ref.Path)
	}
	defer pool.Close()
	f := &follower{env: env, pool: pool, ref: o.Pool, path: ref.Path, style: cmdutil.ForRef(ref, style), me: o.Me, echoSelf: o.EchoSelf,
		quietDrops: true, framed: env.Format == "lite3"}
	ctx, cancel := context.WithCancel(ctx)
	defer cancel()
	followed := make(chan error, 1)
	sent := make(chan error, 1)
	// The history asked for (--tail N) is the pool's before anything is
	// sent: sending starts once the tail is open.
	f.opened = make(chan struct{})
	go func() { followed <- f.run(ctx, w) }()
	select {
	case <-f.opened:
	case err := <-followed:
		return err
	}
	go func() { sent <- send(env, pool, o, ref.Path) }()
	select {
	case err := <-followed:
		// The sending side may be blocked reading stdin: it is left to end
		// with the process.
		return err
	case err := <-sent:
		cancel()
		if ferr := <-followed; !errors.Is(ferr, context.Canceled) && err == nil {
			err = ferr
		}
		return err
	}
}

// send appends what stdin holds until it ends.
func send(env *cmdutil.Env, pool poolref.Pool, o *DuplexOptions, path string) error {
	if !env.StdinTTY {
		return feed.Pipe(env, pool, o.Pool, path, env.Stdin)
	}
	sc := bufio.NewScanner(env.Stdin)
	sc.Buffer(make([]byte, 64<<10), feed.MaxRecord)
	for sc.Scan() {
		line := strings.TrimRight(sc.Text(), "\r\n")
		if strings.TrimSpace(line) == "" {
			continue
		}
		b := jsonfmt.AppendValue(nil, map[string]any{"from": o.Me, "msg": line}, jsonfmt.Compact)
		if _, err := pool.AppendJSON(b, nil, core.Fast); err != nil {
			return err
		}
	}
	return nil
}

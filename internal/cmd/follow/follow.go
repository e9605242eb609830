// Package follow is the `follow` and `duplex` commands: print a pool's
// messages as they arrive (after some history, if asked), filtered by tags
// and jq predicates; duplex also sends what it reads from stdin.
package follow

import (
	"context"
	"math"
	"strconv"
	"strings"
	"time"

	"github.com/plasmite-go/plasmite/core/jsonfmt"
	"github.com/plasmite-go/plasmite/internal/clap"
	"github.com/plasmite-go/plasmite/internal/cmd/cmdutil"
	"github.com/plasmite-go/plasmite/internal/poolref"
)

// Common are the options follow and duplex share (each declared once).
type Common struct {
	Pool    string
	Tail    uint64
	Since   *string
	Timeout *string
	JSONL   bool
	Create  bool
}

func (c *Common) poolArg() clap.Arg {
	return clap.Arg{Name: "POOL", Required: true, Help: "Pool name or path", Into: clap.String(&c.Pool)}
}

func (c *Common) tailFlag() clap.Flag {
	return clap.Flag{Long: "tail", Short: 'n', Value: "TAIL", Help: "Start with the last N retained messages (filters apply to them), then follow", Into: clap.Uint64(&c.Tail)}
}

func (c *Common) sinceFlag() clap.Flag {
	return clap.Flag{Long: "since", Value: "SINCE", Help: "Start at messages written at or after a time: RFC 3339, or relative like 30s, 5m, 2h, 1d", Into: clap.OptString(&c.Since)}
}

func (c *Common) timeoutFlag() clap.Flag {
	return clap.Flag{Long: "timeout", Value: "TIMEOUT", Help: "Exit 124 when no message arrives for this long (e.g. 500ms, 10s, 5m)", Into: clap.OptString(&c.Timeout)}
}

func (c *Common) jsonlFlag() clap.Flag {
	return clap.Flag{Long: "jsonl", Help: "Same as --format jsonl", Into: clap.Bool(&c.JSONL)}
}

// conflicts: --since and --tail (any explicit --tail, even 0) exclude each other.
var conflicts = [][2]string{{"since", "tail"}}

// Options are follow's.
type Options struct {
	Common
	NoFollow   bool
	One        bool
	Where      []string
	Tags       []string
	DataOnly   bool
	Replay     *clap.Float
	QuietDrops bool
	NoNotify   bool
}

// Command declares follow; its Run runs Run with the options parsed and env.
func Command(env *cmdutil.Env) *clap.Command {
	o := &Options{}
	flags := []clap.Flag{
		o.tailFlag(), o.sinceFlag(),
		{Long: "no-follow", Help: "Print the selected history (all retained messages, or --tail/--since) and exit", Into: clap.Bool(&o.NoFollow)},
		{Long: "one", Help: "Exit after printing one message", Into: clap.Bool(&o.One)},
		o.timeoutFlag(),
		{Long: "where", Value: "EXPR", Multi: true, Help: "jq predicate on the envelope {data,meta,seq,time}; repeat to require all", Into: clap.Strings(&o.Where)},
		cmdutil.TagFlag(&o.Tags, "Tag (repeatable)"),
		o.jsonlFlag(),
		{Long: "data-only", Help: "Print only the data of each message", Into: clap.Bool(&o.DataOnly)},
		{Long: "replay", Value: "SPEED", Help: "Print history with its original pacing at this speed (1 realtime, 2 double, 0 no delay), then exit; requires --tail or --since", Into: clap.OptFloat(&o.Replay)},
		{Long: "quiet-drops", Help: "Do not report messages overwritten before they could be read", Into: clap.Bool(&o.QuietDrops)},
		{Long: "no-notify", Help: "Poll instead of waiting for wake-ups from writers", Into: clap.Bool(&o.NoNotify)},
		cmdutil.CreateFlag(&o.Create),
	}
	return &clap.Command{
		Name: "follow", About: "Follow messages from a pool", HelpIfEmpty: true,
		Args:        []clap.Arg{o.poolArg()},
		Flags:       append(flags, clap.HelpFlag),
		Conflicts:   conflicts,
		MissingHint: "Provide a pool ref, for example: `plasmite follow chat -n 1`.",
		Notes: []string{
			"Without --tail, --since or --no-follow only messages written after start are shown.",
			"--where takes jq expressions (select, test, has, length, any… all work); each must yield true for the message to be shown.",
			"--replay needs a finite SPEED >= 0 and --tail or --since.",
			"Exit status: 0 after --one or --replay, 124 when --timeout expires.",
			"Remote refs (http://host:port/<pool>) reject --create, --replay and --no-notify; filters apply on this side.",
		},
		Examples: []string{
			"plasmite follow chat",
			"plasmite follow chat --tail 10 --jsonl",
			`plasmite follow ci --where '.data.status == "green"' --one --timeout 10m`,
			`plasmite follow logs --since 5m --where '.data.msg | test("timeout")'`,
			"plasmite follow incidents --tag sev1 --data-only",
		},
		Run: env.Runner("follow", cmdutil.Lite3, func(ctx context.Context) error { return Run(ctx, o, env) }),
	}
}

// window is the output style and where a follow starts and when it stops,
// from the options the two commands share.
func (c *Common) window(env *cmdutil.Env, cmd string) (style jsonfmt.Style, w followOpts, err error) {
	if style, err = env.MessageStyle(cmd, c.JSONL); err != nil {
		return style, w, err
	}
	w.tail = c.Tail
	if c.Since != nil {
		w.hasSince = true
		if w.since, err = cmdutil.ParseSince(*c.Since, time.Now()); err != nil {
			return style, w, err
		}
	}
	if c.Timeout != nil {
		if w.timeout, err = cmdutil.ParseDuration(*c.Timeout); err != nil {
			return style, w, err
		}
	}
	w.replay = -1
	return style, w, nil
}

// Run prints o.Pool's messages as they arrive, after the history asked for
// (--tail, --since, --no-follow), keeping those that carry every --tag and
// satisfy every --where, until --one, --no-follow or --replay end it, or
// --timeout passes without a message (exit 124).
func Run(ctx context.Context, o *Options, env *cmdutil.Env) error {
	style, w, err := o.window(env, "follow")
	if err != nil {
		return err
	}
	where, err := compileWhere(o.Where)
	if err != nil {
		return err
	}
	pools := env.Pools("follow")
	ref, err := pools.Parse(o.Pool)
	if err != nil {
		return err
	}
	if o.Replay != nil {
		w.replay = o.Replay.Value
		if math.IsNaN(w.replay) || math.IsInf(w.replay, 0) {
			return cmdutil.UsageError("--replay speed must be a finite number", "Use --replay 1 for realtime, --replay 2 for 2x, --replay 0 for no delay.")
		}
		if w.replay < 0 {
			return cmdutil.UsageError("--replay speed must be non-negative", "Use --replay 1 for realtime, --replay 2 for 2x, --replay 0 for no delay.")
		}
		if w.tail == 0 && !w.hasSince && !o.NoFollow {
			return cmdutil.UsageError("--replay requires --tail or --since", "Replay needs historical messages. Use --tail N or --since DURATION.")
		}
	}
	if ref.Remote() {
		if err := remoteRefusals("follow", o.Create, o.Replay != nil, o.NoNotify); err != nil {
			return err
		}
	}
	// Reading only: a pool file the user may only read is followed too.
	pool, err := pools.Open(ref, poolref.OpenOptions{Create: o.Create, NoNotify: o.NoNotify, ReadOnlyIfNeeded: true})
	if err != nil {
		if ref.Remote() {
			return err // the server's, as 1.2.1 prints it
		}
		return missing(err, env, o, ref.Path)
	}
	defer pool.Close()
	f := &follower{env: env, pool: pool, ref: o.Pool, path: ref.Path, tags: o.Tags, where: where,
		dataOnly: o.DataOnly, style: cmdutil.ForRef(ref, style), quietDrops: o.QuietDrops, framed: env.Format == "lite3"}
	w.noNotify, w.noFollow = o.NoNotify, o.NoFollow
	if o.One {
		one := uint64(1)
		w.bounds.Max = &one
	}
	err = f.run(ctx, w)
	if err == errTimeout && env.Stderr.TTY && f.readable() {
		// as 1.2.1 does for readable output, in our words
		env.Stderr.WriteString("Timed out: no message for " + *o.Timeout + ".\n")
	}
	return err
}

// remoteRefusals are the options 1.2.1 refuses on a remote ref, in its
// order and words.
func remoteRefusals(cmd string, create, replay, noNotify bool) error {
	switch {
	case create:
		return cmdutil.UsageError("remote "+cmd+" does not support --create", "Create remote pools with server-side tooling, then rerun "+cmd+".")
	case replay:
		return cmdutil.UsageError("remote follow does not support --replay", "Use local follow with --replay, or omit --replay for remote streams.")
	case noNotify:
		return cmdutil.UsageError("remote follow does not support --no-notify", "--no-notify only applies to local pool semaphores.")
	}
	return nil
}

// missing adds to a missing-pool error the exact command that creates the
// pool as it follows it: the same options, in the order 1.2.1 gives them.
func missing(err error, env *cmdutil.Env, o *Options, path string) error {
	e, named := cmdutil.MissingPool(err, o.Pool, path)
	if !named {
		return e
	}
	w := []string{"plasmite", "follow", cmdutil.ShellWord(o.Pool), "--create"}
	if o.Tail > 0 {
		w = append(w, "--tail", strconv.FormatUint(o.Tail, 10))
	}
	if o.One {
		w = append(w, "--one")
	}
	if o.Timeout != nil {
		w = append(w, "--timeout", cmdutil.ShellWord(*o.Timeout))
	}
	if o.Since != nil {
		w = append(w, "--since", cmdutil.ShellWord(*o.Since))
	}
	for _, x := range o.Where {
		w = append(w, "--where", cmdutil.ShellWord(x))
	}
	for _, x := range o.Tags {
		w = append(w, "--tag", cmdutil.ShellWord(x))
	}
	if o.QuietDrops {
		w = append(w, "--quiet-drops")
	}
	if o.NoNotify {
		w = append(w, "--no-notify")
	}
	if o.Replay != nil {
		w = append(w, "--replay", o.Replay.Text)
	}
	if o.NoFollow {
		w = append(w, "--no-follow")
	}
	if o.DataOnly {
		w = append(w, "--data-only")
	}
	format := env.Format
	if o.JSONL {
		format = "json"
	}
	if format == "" {
		format = "json"
		if env.Stdout.TTY {
			format = "pretty"
		}
	}
	w = append(w, "--format", format)
	e.Hint = "Pool is missing. Retry with exact command: " + strings.Join(w, " ")
	return e
}

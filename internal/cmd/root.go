// Package cmd is the plasmite (pls) command line: the command tree, the
// global options, and the one place that turns what a command returns into
// output on stderr and an exit status. The commands live in the packages
// below it, one per family.
package cmd

import (
	"context"
	"errors"

	"github.com/plasmite-go/plasmite/core"
	"github.com/plasmite-go/plasmite/internal/clap"
	"github.com/plasmite-go/plasmite/internal/cmd/access"
	"github.com/plasmite-go/plasmite/internal/cmd/bridge"
	"github.com/plasmite-go/plasmite/internal/cmd/cmdutil"
	"github.com/plasmite-go/plasmite/internal/cmd/completion"
	"github.com/plasmite-go/plasmite/internal/cmd/doctor"
	"github.com/plasmite-go/plasmite/internal/cmd/feed"
	"github.com/plasmite-go/plasmite/internal/cmd/fetch"
	"github.com/plasmite-go/plasmite/internal/cmd/follow"
	"github.com/plasmite-go/plasmite/internal/cmd/mcp"
	"github.com/plasmite-go/plasmite/internal/cmd/pool"
	"github.com/plasmite-go/plasmite/internal/cmd/serve"
	"github.com/plasmite-go/plasmite/internal/cmd/tap"
	"github.com/plasmite-go/plasmite/wire"
)

// globals collects the global options: given before the command and, as
// in 1.2.1, after it.
type globals struct {
	dir, color, format []string
}

func (g *globals) flags() []clap.Flag {
	return []clap.Flag{
		{Long: "dir", Value: "DIR", Multi: true, Global: true, NonEmpty: true, Help: "Directory for named pools (default ~/.plasmite/pools)", Into: clap.Strings(&g.dir)},
		{Long: "color", Value: "COLOR", Multi: true, Global: true, Enum: []string{"auto", "always", "never"}, Help: "Color for terminal output: auto, always or never", Into: clap.Strings(&g.color)},
		{Long: "format", Value: "FORMAT", Multi: true, Global: true, Enum: []string{"pretty", "json", "jsonl", "yaml", "lite3", "lite3-raw"}, Help: "Output: pretty (text / indented JSON) or json (compact, one per line; jsonl is the same). Default: pretty on a terminal, json in a pipe", Into: clap.Strings(&g.format)},
	}
}

// apply sets env's global options; different values for one option are a
// Usage error (the first value is applied anyway, for the error's form).
func (g *globals) apply(env *cmdutil.Env) error {
	var err error
	one := func(name string, vals []string, dst *string) {
		if len(vals) == 0 {
			return
		}
		*dst = vals[0]
		for _, v := range vals[1:] {
			if v != vals[0] && err == nil {
				if name == "dir" {
					err = cmdutil.UsageError("conflicting --dir values select different pool directories", "Use one --dir value for the whole invocation.")
				} else {
					err = cmdutil.UsageError("conflicting --"+name+" values", "Give --"+name+" once.")
				}
			}
		}
	}
	one("dir", g.dir, &env.Dir)
	one("color", g.color, &env.Color)
	one("format", g.format, &env.Format)
	return err
}

// Tree declares the command tree; every command runs with env, and global
// options are collected into g.
func tree(env *cmdutil.Env, g *globals) *clap.Command {
	root := &clap.Command{
		Name: "plasmite", About: "Persistent JSON message pools for local interprocess messaging", HelpIfEmpty: true,
		Flags: append(g.flags(), clap.Flag{Long: "version", Short: 'V', Request: true, Global: true, Help: "Print version"}),
	}
	root.CustomHelp = func(bool) string { return topHelp(root) }
	root.Subs = []*clap.Command{
		pool.Command(env), feed.Command(env), serve.Command(env), mcp.Command(env, clap.Strings(&g.dir)), fetch.Command(env), follow.Command(env),
		tap.Command(env), follow.DuplexCommand(env), doctor.Command(env), access.Command(env), versionCommand(env), completion.Command(env),
		bridge.Command(env),
	}
	clap.Link(root)
	return root
}

// Main runs the command line args (without the program's name) with env
// and returns the exit status. pls says the program was started as pls,
// which prints its help on stdout and exits 0 when given no arguments.
func Main(ctx context.Context, args []string, env *cmdutil.Env, pls bool) int {
	if env.Color == "" {
		env.Color = "auto"
	}
	g := &globals{}
	root := tree(env, g)
	c, err := clap.Parse(root, args)
	gerr := g.apply(env)
	var req *clap.Request
	if errors.As(err, &req) {
		return answer(env, req, pls && len(args) == 0)
	}
	if err == nil {
		err = gerr
	}
	if err == nil {
		err = c.Run(ctx)
	}
	path := ""
	if c != nil {
		path = c.Path()
	}
	return finish(env, path, err)
}

// answer prints what a request asked for: a help page (on stderr with exit
// 2 for a help-if-empty command, unless toStdout), or the version.
func answer(env *cmdutil.Env, req *clap.Request, toStdout bool) int {
	if req.Flag == "version" {
		return finish(env, "help", env.Stdout.WriteString("plasmite "+core.Version+"\n"))
	}
	text := clap.Help(req.Cmd, req.Long)
	if req.Stderr && !toStdout {
		env.Stderr.WriteString(text)
		return 2
	}
	return finish(env, "help", env.Stdout.WriteString(text))
}

// finish reports err on stderr and returns the exit status of command
// path: 0 for no error, an explicit status (cmdutil.Exit) as it is, and
// otherwise the status of the error's kind. A failed write to stdout ends
// the command as closed.go says.
func finish(env *cmdutil.Env, path string, err error) int {
	if oe := env.Stdout.Failure(); oe != nil {
		return outputFailed(env, path, oe, err)
	}
	if err == nil {
		return 0
	}
	if code, ok := cmdutil.ExitStatus(err); ok {
		return code
	}
	e := wire.ErrorOf(err)
	report(env, e) // when stderr fails too, the status still tells the kind
	return wire.ExitCode(e.Kind)
}

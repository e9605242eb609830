// Package pool is the `pool` command family: create, info, list and delete
// pool files.
package pool

import (
	"context"

	"github.com/plasmite-go/plasmite/internal/clap"
	"github.com/plasmite-go/plasmite/internal/cmd/cmdutil"
)

// Command declares `pool` and its subcommands, each running with env.
func Command(env *cmdutil.Env) *clap.Command {
	return &clap.Command{
		Name: "pool", About: "Manage pool files", HelpIfEmpty: true,
		Subs: []*clap.Command{createCommand(env), infoCommand(env), deleteCommand(env), listCommand(env)},
	}
}

func createCommand(env *cmdutil.Env) *clap.Command {
	o := &CreateOptions{}
	return &clap.Command{
		Name: "create", About: "Create one or more pools", HelpIfEmpty: true,
		Args: []clap.Arg{{Name: "NAMES", Required: true, Multi: true, Help: "Pool names (stored in the pool directory) or paths", Into: clap.Strings(&o.Names)}},
		Flags: []clap.Flag{
			{Long: "size", Value: "SIZE", Help: "File size of each pool: bytes or K/M/G (1024-based); default 1M", Into: clap.OptString(&o.Size)},
			{Long: "index-capacity", Value: "INDEX_CAPACITY", Help: "Number of index slots (16 bytes each) for fast seq lookup; 0 disables the index; may use at most half the pool", Into: clap.OptUint32(&o.IndexCapacity)},
			cmdutil.JSONFlag(&o.JSON),
			clap.HelpFlag,
		},
		Notes: []string{
			"The oldest messages are dropped when a pool is full, so size it for the history you want to keep.",
			"Creating a pool that already exists fails (exit 4) and leaves it untouched.",
		},
		Examples: []string{
			"plasmite pool create chat",
			"plasmite pool create --size 64M builds deploys",
			"plasmite pool create ./local/events.plasmite --json",
		},
		Run: env.Runner("create", cmdutil.TextOnly, func(ctx context.Context) error { return Create(ctx, o, env) }),
	}
}

func infoCommand(env *cmdutil.Env) *clap.Command {
	o := &InfoOptions{}
	return &clap.Command{
		Name: "info", About: "Show pool metadata and bounds", HelpIfEmpty: true,
		Args:     []clap.Arg{{Name: "NAME", Required: true, Help: "Pool name or path", Into: clap.String(&o.Name)}},
		Flags:    []clap.Flag{cmdutil.JSONFlag(&o.JSON), clap.HelpFlag},
		Examples: []string{"plasmite pool info chat", "plasmite pool info chat --json | jq .bounds"},
		Run:      env.Runner("info", cmdutil.TextOnly, func(ctx context.Context) error { return Info(ctx, o, env) }),
	}
}

func deleteCommand(env *cmdutil.Env) *clap.Command {
	o := &DeleteOptions{}
	return &clap.Command{
		Name: "delete", About: "Delete one or more pool files", HelpIfEmpty: true,
		Args:     []clap.Arg{{Name: "NAMES", Required: true, Multi: true, Help: "Pool names or paths", Into: clap.Strings(&o.Names)}},
		Flags:    []clap.Flag{cmdutil.JSONFlag(&o.JSON), clap.HelpFlag},
		Notes:    []string{"Every name is attempted; the exit status is that of the first failure."},
		Examples: []string{"plasmite pool delete chat", "plasmite pool delete a b c --json"},
		Run:      env.Runner("delete", cmdutil.TextOnly, func(ctx context.Context) error { return Delete(ctx, o, env) }),
	}
}

func listCommand(env *cmdutil.Env) *clap.Command {
	o := &ListOptions{}
	return &clap.Command{
		Name: "list", About: "List pools in the pool directory, or of a server",
		Args:     []clap.Arg{{Name: "SERVER", Help: "Server origin, http://host:port on this machine (omit for local pools)", Into: clap.OptString(&o.Server)}},
		Flags:    []clap.Flag{cmdutil.JSONFlag(&o.JSON), clap.HelpFlag},
		Examples: []string{"plasmite pool list", "plasmite --dir ./pools pool list --json", "plasmite pool list http://127.0.0.1:9700"},
		Run:      env.Runner("list", cmdutil.TextOnly, func(ctx context.Context) error { return List(ctx, o, env) }),
	}
}

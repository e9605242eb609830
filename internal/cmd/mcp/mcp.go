// Package mcp is the `mcp` command: MCP on stdin and stdout over the local
// pools of --dir (package mcp at the module root does the work).
package mcp

import (
	"context"

	"github.com/plasmite-go/plasmite/internal/clap"
	"github.com/plasmite-go/plasmite/internal/cmd/cmdutil"
	plmcp "github.com/plasmite-go/plasmite/mcp"
)

// Command declares mcp; dir receives its --dir (the global option, which
// 1.2.1 also lists among mcp's own).
func Command(env *cmdutil.Env, dir clap.Value) *clap.Command {
	return &clap.Command{
		Name: "mcp", About: "Run local Model Context Protocol on stdin/stdout",
		Flags: []clap.Flag{{Long: "dir", Value: "DIR", Help: "Directory for local pools (default: ~/.plasmite/pools)", Into: dir}, clap.HelpFlag},
		Notes: []string{
			"Reads newline-delimited JSON-RPC requests from stdin and writes one response per line to stdout until stdin closes.",
			"For a running server, point your MCP client at its /mcp URL instead.",
		},
		Examples: []string{"plasmite mcp", "plasmite mcp --dir /path/to/pools"},
		Run:      env.Runner("mcp", cmdutil.TextOnly, func(ctx context.Context) error { return Run(ctx, env) }),
	}
}

// Run serves MCP on env's stdin and stdout until stdin closes.
func Run(ctx context.Context, env *cmdutil.Env) error {
	return plmcp.ServeStdio(ctx, env.Stdin, env.Stdout.Raw(), plmcp.Options{Dir: env.PoolDir(), OpenOptions: env.Open})
}

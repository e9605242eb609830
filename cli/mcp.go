package main

import (
	"context"

	"github.com/plasmite-go/plasmite/mcp"
)

// The `mcp` command: MCP on stdin/stdout over the local pools of --dir
// (mcp.ServeStdio does the rest).

func mcpSpec() *cmdSpec {
	return &cmdSpec{
		Name: "mcp", About: "Run local Model Context Protocol on stdin/stdout",
		Flags: flags([]flagSpec{{Long: "dir", Value: "DIR", Help: "Directory for local pools (default: ~/.plasmite/pools)"}}),
		Notes: []string{
			"Reads newline-delimited JSON-RPC requests from stdin and writes one response per line to stdout until stdin closes.",
			"For a running server, point your MCP client at its /mcp URL instead.",
		},
		Examples: []string{"plasmite mcp", "plasmite mcp --dir /path/to/pools"},
		Run:      cmdMCP,
	}
}

func cmdMCP(a *app, p *parsed) error {
	return mcp.ServeStdio(context.Background(), a.stdin, a.stdout.w, mcp.Options{Dir: a.poolDir(), OpenOptions: openOptionsFromEnv()})
}

package serve

import (
	"context"
	"strings"

	"github.com/plasmite-go/plasmite/internal/clap"
	"github.com/plasmite-go/plasmite/internal/cmd/cmdutil"
	plserve "github.com/plasmite-go/plasmite/serve"
)

// InitOptions are `serve init`'s.
type InitOptions struct {
	Server string
	Name   string
	JSON   bool
}

// initCommand declares `serve init` (this implementation's; 1.2.1 has
// none): one step from a pool directory to a key another machine can use.
func initCommand(env *cmdutil.Env) *clap.Command {
	o := &InitOptions{}
	return &clap.Command{
		Name: "init", About: "Prepare this directory for sharing: server identity and a first access key",
		Args: []clap.Arg{{Name: "SERVER", Help: "Public HTTPS origin other machines will use (https://HOST[:PORT])", Into: clap.String(&o.Server)}},
		Flags: []clap.Flag{
			{Long: "name", Value: "NAME", Help: "Name of the first access key (default " + plserve.DefaultKeyName + ")", Into: clap.String(&o.Name)},
			cmdutil.JSONFlag(&o.JSON),
			clap.HelpFlag,
		},
		Notes: []string{
			"Creates the server identity if missing (kept in DIR/.plasmite-serve), issues a named access key, and prints what to run on the other machine.",
			"With a server running on the directory, the key is issued through it. The key is shown once: the server keeps only a verifier.",
		},
		Examples: []string{"pls serve init", "pls --dir ./pools serve init https://pools.example.net:9743 --name laptop --json"},
		Run:      env.Runner("serve init", cmdutil.TextOnly, func(ctx context.Context) error { return Init(ctx, o, env) }),
	}
}

// Init runs `serve init` and prints its result: JSON (--json, a pipe) or
// the steps to take, the key among them, once.
func Init(ctx context.Context, o *InitOptions, env *cmdutil.Env) error {
	res, err := plserve.Init(ctx, plserve.InitOptions{Dir: env.PoolDir(), Server: o.Server, Name: o.Name})
	if err != nil {
		return err
	}
	if env.JSONOut(o.JSON) {
		return env.EmitJSON(initDoc(res))
	}
	var b strings.Builder
	identity := "kept"
	if res.CreatedIdentity {
		identity = "created"
	}
	b.WriteString("Server identity " + identity + " for " + res.PoolDir + " (fingerprint " + res.Fingerprint + ").\n")
	b.WriteString("Access key " + cmdutil.HumanLiteral(res.Name) + " (shown once, keep it secret):\n  " + res.AccessKey + "\n\n")
	if !res.ServerRunning {
		start := "pls --dir " + cmdutil.ShellWord(res.PoolDir) + " serve"
		if res.SharedAddress != nil {
			start += " " + *res.SharedAddress
		}
		b.WriteString("Start the server here:\n  " + start + "\n\n")
	}
	b.WriteString("On the other machine, run this and paste the key when asked:\n  " + res.ConnectCommand + "\n")
	b.WriteString("then use https:// pool refs, for example:\n  pls follow " + strings.TrimPrefix(res.ConnectCommand, "pls access connect ") + "/POOL\n")
	if len(res.Addresses) > 0 {
		b.WriteString("\nAddresses this machine may be reached at:\n")
		rows := [][]string{}
		for _, a := range res.Addresses {
			rows = append(rows, []string{"  " + a.URL, a.Kind, a.Interface})
		}
		b.WriteString(cmdutil.Table(rows))
	}
	return env.Stdout.WriteString(b.String())
}

// initDoc is res as a JSON document (keys sorted on output).
func initDoc(res plserve.InitResult) map[string]any {
	addrs := make([]any, len(res.Addresses))
	for i, a := range res.Addresses {
		m := map[string]any{"url": a.URL, "kind": a.Kind}
		if a.Interface != "" {
			m["interface"] = a.Interface
		}
		addrs[i] = m
	}
	var shared any
	if res.SharedAddress != nil {
		shared = *res.SharedAddress
	}
	return map[string]any{
		"access_key": res.AccessKey, "addresses": addrs, "connect_command": res.ConnectCommand,
		"created_identity": res.CreatedIdentity, "fingerprint": res.Fingerprint, "name": res.Name,
		"pool_dir": res.PoolDir, "server_running": res.ServerRunning, "shared_address": shared,
	}
}

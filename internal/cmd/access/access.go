// Package access is the `access` command family: issue, list and revoke
// the access keys of the server running on the pool directory (through its
// local listener), and connect this machine to other servers (saved
// connections), as release 1.2.1's `access` does.
package access

import (
	"bufio"
	"context"
	"io"
	"os"
	"strings"
	"time"

	"golang.org/x/term"

	pa "github.com/plasmite-go/plasmite/access"
	"github.com/plasmite-go/plasmite/core"
	"github.com/plasmite-go/plasmite/internal/clap"
	"github.com/plasmite-go/plasmite/internal/cmd/cmdutil"
	"github.com/plasmite-go/plasmite/wire"
)

// Options are the arguments of every access subcommand (each uses its
// own).
type Options struct {
	Name   string // invite NAME
	Legacy string // invite --name
	ID     string // revoke ID
	Server string // connect|status|disconnect SERVER
}

// Command declares `access` and its subcommands, each running with env.
func Command(env *cmdutil.Env) *clap.Command {
	sub := func(name, about string, args []clap.Arg, run func(context.Context, *Options, *cmdutil.Env) error, o *Options) *clap.Command {
		return &clap.Command{
			Name: name, About: about, Args: args,
			Flags: []clap.Flag{clap.HelpFlag},
			Run:   env.Runner("access "+name, cmdutil.TextOnly, func(ctx context.Context) error { return run(ctx, o, env) }),
		}
	}
	server := func(o *Options, help string) []clap.Arg {
		return []clap.Arg{{Name: "SERVER", Required: true, Help: help, Into: clap.String(&o.Server)}}
	}
	oi, ok, orv, oc, os_, od, ol := &Options{}, &Options{}, &Options{}, &Options{}, &Options{}, &Options{}, &Options{}
	inv := sub("invite", "Create a named access key on the server machine",
		[]clap.Arg{{Name: "NAME", Help: "Name to identify this client", Into: clap.String(&oi.Name)}}, Invite, oi)
	inv.Flags = append([]clap.Flag{{Long: "name", Value: "NAME", Help: "Legacy spelling for the client name", Into: clap.String(&oi.Legacy)}}, inv.Flags...)
	inv.Conflicts = [][2]string{{"NAME", "name"}}
	inv.Notes = []string{"Keys grant full access to the selected pool directory. The key is shown once; the server keeps only a verifier."}
	return &clap.Command{
		Name: "access", About: "Manage secure access to a shared pool directory", HelpIfEmpty: true,
		Notes: []string{
			"An access key grants access to every pool in the server's pool directory.",
			"Create a key with `invite` on the server machine; use `connect` and `status` on the client machine.",
		},
		Subs: []*clap.Command{
			inv,
			sub("keys", "List access keys on the server machine", nil, Keys, ok),
			sub("revoke", "Revoke an access key on the server machine",
				[]clap.Arg{{Name: "ID", Required: true, Help: "Key ID shown by `access keys`", Into: clap.String(&orv.ID)}}, Revoke, orv),
			sub("connect", "Connect this machine to a shared pool server", server(oc, "HTTPS address printed by the server"), Connect, oc),
			sub("list", "List saved server destinations without contacting servers", nil, List, ol),
			sub("status", "Show this machine's connection to a shared pool server", server(os_, "HTTPS address of the server"), Status, os_),
			sub("disconnect", "Forget this machine's saved connection", server(od, "HTTPS address of the server"), Disconnect, od),
		},
	}
}

// text prints lines on stdout.
func text(env *cmdutil.Env, lines ...string) error {
	return env.Stdout.WriteString(strings.Join(lines, "\n") + "\n")
}

// Invite asks the running server of the pool directory for a new key and
// prints it, once.
func Invite(ctx context.Context, o *Options, env *cmdutil.Env) error {
	name := o.Name
	if name == "" {
		name = o.Legacy
	}
	if name == "" {
		return cmdutil.UsageError("access invite needs a client name", "Run `plasmite access invite NAME`.")
	}
	a, err := pa.DialAdmin(ctx, env.PoolDir())
	if err != nil {
		return err
	}
	key, err := a.Invite(ctx, name)
	if err != nil {
		return err
	}
	if env.JSONOut(false) {
		return env.EmitJSON(map[string]any{"access_key": key, "name": name})
	}
	return text(env, "Access key for "+cmdutil.HumanLiteral(name)+": "+key,
		"Use this key to sign in through the server's web page or approve your MCP client.",
		"For Plasmite CLI access, run `plasmite access connect <server-address>` on the client machine.")
}

// Keys lists the running server's keys.
func Keys(ctx context.Context, o *Options, env *cmdutil.Env) error {
	a, err := pa.DialAdmin(ctx, env.PoolDir())
	if err != nil {
		return err
	}
	keys, err := a.Keys(ctx)
	if err != nil {
		return err
	}
	if env.JSONOut(false) {
		rows := make([]any, len(keys))
		for i, k := range keys {
			rows[i] = map[string]any{"created_at": opt(k.CreatedAt), "id": k.ID, "last_used_at": opt(k.LastUsedAt), "name": k.Name, "revoked": k.Revoked}
		}
		return env.EmitJSON(map[string]any{"keys": rows})
	}
	if len(keys) == 0 {
		return text(env, "No access keys.")
	}
	now := time.Now()
	rows := [][]string{{"ID", "NAME", "STATE", "CREATED", "LAST USED"}}
	for _, k := range keys {
		state := "active"
		if k.Revoked {
			state = "revoked"
		}
		rows = append(rows, []string{k.ID, k.Name, state, when(k.CreatedAt, now, "unknown"), when(k.LastUsedAt, now, "never")})
	}
	return env.Stdout.WriteString(cmdutil.Table(rows))
}

func opt(p *int64) any {
	if p == nil {
		return nil
	}
	return *p
}

func when(p *int64, now time.Time, none string) string {
	if p == nil {
		return none
	}
	return cmdutil.Ago(time.Unix(*p, 0), now)
}

// Revoke revokes a key of the running server; its open streams end.
func Revoke(ctx context.Context, o *Options, env *cmdutil.Env) error {
	a, err := pa.DialAdmin(ctx, env.PoolDir())
	if err != nil {
		return err
	}
	if err := a.Revoke(ctx, o.ID); err != nil {
		return err
	}
	if env.JSONOut(false) {
		return env.EmitJSON(map[string]any{"id": o.ID, "revoked": true})
	}
	return text(env, "Revoked access key "+cmdutil.HumanLiteral(o.ID)+".")
}

// status is the report of connect and status, in 1.2.1's shape.
type status struct {
	destination string
	saved       bool
	reachable   *bool
	accepted    *bool
	problem     *string
	setup       []string // connect only
}

func (s status) emit(env *cmdutil.Env) error {
	if env.JSONOut(false) {
		var setup any
		if s.setup != nil {
			setup = s.setup
		}
		return env.EmitJSON(map[string]any{
			"accepted": ptr(s.accepted), "browser_trust": nil, "browser_trust_problem": nil, "credentials_saved": s.saved,
			"destination": s.destination, "mcp_setup_commands": setup, "problem": ptr(s.problem), "reachable": ptr(s.reachable),
		})
	}
	yn := func(b *bool) string {
		switch {
		case b == nil:
			return "unknown"
		case *b:
			return "yes"
		}
		return "no"
	}
	saved := s.saved
	lines := []string{"Server: " + cmdutil.HumanLiteral(s.destination), "Credentials saved: " + yn(&saved),
		"Reachable: " + yn(s.reachable), "Access accepted: " + yn(s.accepted)}
	if s.problem != nil {
		lines = append(lines, "What to do: "+*s.problem)
	}
	return text(env, lines...)
}

func ptr[T any](p *T) any {
	if p == nil {
		return nil
	}
	return *p
}

// Connect reads a key (hidden prompt, or one line of stdin), checks it
// with the server under its pin, and saves the connection once the server
// accepted it.
func Connect(ctx context.Context, o *Options, env *cmdutil.Env) error {
	dest, err := pa.Destination(o.Server)
	if err != nil {
		return err
	}
	text, err := readKey(env)
	if err != nil {
		return err
	}
	key, err := pa.ParseKey(text)
	if err != nil {
		return err
	}
	accepted, err := pa.CheckAccess(ctx, dest, &key)
	if err != nil {
		return &core.Error{Kind: core.IO, Message: "could not verify or reach server at " + dest, Err: err,
			Hint: "Check the exact HTTPS hostname and port, network route, certificate name and validity, and access-key fingerprint. A TLS-terminating proxy needs its frontend certificate configured with --front-cert. The access secret was withheld until TLS verification passed."}
	}
	if !accepted {
		return &core.Error{Kind: core.Permission, Message: "server rejected the access key for " + dest,
			Hint: "Ask the server owner for a current access key, then connect again."}
	}
	if err := env.Connections().Save(dest, key); err != nil {
		return err
	}
	yes := true
	mcp := dest + "mcp"
	return status{destination: dest, saved: true, reachable: &yes, accepted: &yes, setup: []string{
		"claude mcp add --scope user --transport http plasmite '" + mcp + "'",
		"codex mcp add plasmite --url '" + mcp + "' --oauth-client-registration dcr --oauth-resource '" + mcp + "'",
	}}.emit(env)
}

// readKey reads the access key: from a hidden terminal prompt when stdin
// is a terminal, else one line of stdin (CR/LF stripped).
func readKey(env *cmdutil.Env) (string, error) {
	if f, ok := env.Stdin.(*os.File); ok && env.StdinTTY {
		if err := env.Stderr.WriteString("Access key: "); err != nil {
			return "", err
		}
		b, err := term.ReadPassword(int(f.Fd()))
		env.Stderr.WriteString("\n")
		if err != nil {
			return "", &core.Error{Kind: core.IO, Message: "failed to read access key", Err: err}
		}
		return strings.TrimSpace(string(b)), nil
	}
	line, err := bufio.NewReaderSize(env.Stdin, 512).ReadString('\n')
	if err != nil && err != io.EOF {
		return "", &core.Error{Kind: core.IO, Message: "failed to read access key from stdin", Err: err}
	}
	return strings.TrimRight(line, "\r\n"), nil
}

// Status probes a server with the saved key (or, with none, only its
// reachability); it exits 1 unless the server was reached and accepted
// the key.
func Status(ctx context.Context, o *Options, env *cmdutil.Env) error {
	dest, err := pa.Destination(o.Server)
	if err != nil {
		return err
	}
	key, saved, err := env.Connections().Load(dest)
	if err != nil {
		return err
	}
	var kp *pa.Key
	if saved {
		kp = &key
	}
	s := status{destination: dest, saved: saved}
	accepted, err := pa.CheckAccess(ctx, dest, kp)
	t, f := true, false
	switch {
	case err != nil:
		s.reachable = &f
		msg := wire.ErrorOf(err).Message + ". Check the server URL and network connection."
		s.problem = &msg
	case saved:
		s.reachable, s.accepted = &t, &accepted
		if !accepted {
			msg := "The server no longer accepts this access key. Ask its owner for a new key."
			s.problem = &msg
		}
	default:
		s.reachable = &t
	}
	if err := s.emit(env); err != nil {
		return err
	}
	if s.reachable != nil && *s.reachable && s.accepted != nil && *s.accepted {
		return nil
	}
	return cmdutil.Exit{Code: 1}
}

// List prints the saved destinations, without contacting any server.
func List(ctx context.Context, o *Options, env *cmdutil.Env) error {
	ds, err := env.Connections().List()
	if err != nil {
		return err
	}
	if env.JSONOut(false) {
		rows := make([]any, len(ds))
		for i, d := range ds {
			rows[i] = map[string]any{"destination": d}
		}
		return env.EmitJSON(rows)
	}
	if len(ds) == 0 {
		return text(env, "No saved connections.")
	}
	for i := range ds {
		ds[i] = cmdutil.HumanLiteral(ds[i])
	}
	return text(env, ds...)
}

// Disconnect forgets the saved key of a server (it is not revoked).
func Disconnect(ctx context.Context, o *Options, env *cmdutil.Env) error {
	dest, err := pa.Destination(o.Server)
	if err != nil {
		return err
	}
	if err := env.Connections().Remove(dest); err != nil {
		return err
	}
	if env.JSONOut(false) {
		return env.EmitJSON(map[string]any{"credentials_saved": false, "destination": dest})
	}
	return text(env, "Removed saved credentials for "+cmdutil.HumanLiteral(dest)+".",
		"The server key remains valid until its owner revokes it.")
}

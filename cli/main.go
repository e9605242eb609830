// Command plasmite (also installed as pls) is the command-line interface to
// Plasmite pools: create them, feed them JSON messages, fetch and follow them.
//
// Both names are the same program. Run with no arguments, `pls` prints its
// help on stdout and exits 0, while `plasmite` prints it on stderr and exits 2.
//
// This is only the process's edge: it hands the real streams, what is known
// about them, the environment's settings and the arguments to internal/cmd,
// and exits with the status that returns.
package main

import (
	"context"
	"os"
	"os/signal"
	"path/filepath"
	"syscall"

	"golang.org/x/term"

	"github.com/plasmite-go/plasmite/internal/cmd"
	"github.com/plasmite-go/plasmite/internal/cmd/cmdutil"
	"github.com/plasmite-go/plasmite/internal/poolref"
)

func main() {
	// A closed stdout must end us quietly, not kill us mid-write from inside
	// a library: writes report EPIPE and the command ends with status 141.
	signal.Ignore(syscall.SIGPIPE)
	env := &cmdutil.Env{
		Stdin:    os.Stdin,
		StdinTTY: term.IsTerminal(int(os.Stdin.Fd())),
		Stdout:   cmdutil.NewStream(os.Stdout, term.IsTerminal(int(os.Stdout.Fd()))),
		Stderr:   cmdutil.NewStream(os.Stderr, term.IsTerminal(int(os.Stderr.Fd()))),
		NoColor:  os.Getenv("NO_COLOR") != "",
		Home:     os.Getenv("HOME"),
		Open:     openOptionsFromEnv(),

		ReadyFile:  os.Getenv("PLASMITE_SERVE_READY_FILE"),
		AccessHome: accessHome(),
	}
	env.Remote = func(ref poolref.Ref, o poolref.OpenOptions) (poolref.Pool, error) {
		// Lite3 output reads Lite3; JSON output reads the JSON endpoints.
		lite3 := env.Format == "lite3" || env.Format == "lite3-raw"
		return poolref.OpenRemote(ref, o, poolref.RemoteOptions{Lite3: lite3, Raw: env.Format == "lite3-raw", Connections: env.Connections()})
	}
	pls := filepath.Base(os.Args[0]) == "pls"
	os.Exit(cmd.Main(context.Background(), os.Args[1:], env, pls))
}

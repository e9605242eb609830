// Package cmdutil is what the CLI's commands share: the environment they
// run in (streams, terminal facts, global options), output in the forms
// the reference prints (JSON styles, YAML, tables, notices), the shared
// option declarations, unit parsing, and the errors and hints of opening a
// pool.
package cmdutil

import (
	"context"
	"io"

	"github.com/plasmite-go/plasmite/access"
	"github.com/plasmite-go/plasmite/core"
	"github.com/plasmite-go/plasmite/core/jsonfmt"
	"github.com/plasmite-go/plasmite/internal/poolref"
)

// Env is what a command runs with: its streams and the facts about them,
// and the global options (final once the command line is parsed). Nothing
// in a command reads the process's streams or environment otherwise.
type Env struct {
	Stdin    io.Reader
	StdinTTY bool
	Stdout   *Stream
	Stderr   *Stream
	NoColor  bool             // NO_COLOR is set and not empty
	Home     string           // the user's home directory ($HOME), for the default pool directory
	Open     core.OpenOptions // how pools are opened, as the environment says (docs/environment.md)
	// ReadyFile is where serve writes its address once serving
	// (PLASMITE_SERVE_READY_FILE; "" for none).
	ReadyFile string

	Dir    string // --dir; "" means core.DefaultDir(Home)
	Color  string // --color: auto, always or never
	Format string // --format; "" when not given

	// Remote opens http(s):// and udp:// pool refs; nil in a build without
	// a remote client.
	Remote poolref.RemoteOpener
	// AccessHome is the directory of this user's saved connections
	// ($PLASMITE_ACCESS_HOME, else the platform's configuration directory;
	// "" when neither can be known).
	AccessHome string
}

// Connections is this user's saved-connection store.
func (e *Env) Connections() *access.Connections { return access.OpenConnections(e.AccessHome) }

// PoolDir is the directory named pools live in.
func (e *Env) PoolDir() string {
	if e.Dir != "" {
		return e.Dir
	}
	return core.DefaultDir(e.Home)
}

// Pools is the pool-ref resolver for command cmd (named in its errors).
func (e *Env) Pools(cmd string) *poolref.Resolver {
	return &poolref.Resolver{Dir: e.PoolDir(), Command: cmd, Remote: e.Remote, Base: e.Open}
}

// ColorOut says whether JSON on stdout is colored.
func (e *Env) ColorOut() bool { return e.color(e.Stdout) }

// ColorErr says whether labels on stderr are colored.
func (e *Env) ColorErr() bool { return e.color(e.Stderr) }

func (e *Env) color(s *Stream) bool {
	switch e.Color {
	case "always":
		return true
	case "never":
		return false
	}
	return s.TTY && !e.NoColor
}

// JSONOut says whether a command with a human form prints JSON: --json,
// --format json or yaml, or (no --format) stdout is not a terminal.
func (e *Env) JSONOut(jsonFlag bool) bool {
	switch e.Format {
	case "json", "jsonl", "yaml":
		return true
	case "":
		return jsonFlag || !e.Stdout.TTY
	}
	return jsonFlag
}

// OutStyle is the style of JSON documents on stdout: --format wins, else
// pretty on a terminal (colored when color is on) and compact in a pipe.
func (e *Env) OutStyle() jsonfmt.Style {
	switch e.Format {
	case "json", "jsonl":
		return jsonfmt.Compact
	case "pretty":
		return e.pretty()
	}
	if e.Stdout.TTY {
		return e.pretty()
	}
	return jsonfmt.Compact // 1.2.1: --color always does not turn piped JSON pretty
}

func (e *Env) pretty() jsonfmt.Style {
	if e.ColorOut() {
		return jsonfmt.Pretty | jsonfmt.Color
	}
	return jsonfmt.Pretty
}

// MessageStyle resolves the style of a message stream (follow, duplex)
// from --format and the command's --jsonl: pretty on a terminal, compact
// lines in a pipe (the 1.2.1 default), or as asked. Framed and YAML output
// get Compact (they do not use it).
func (e *Env) MessageStyle(cmd string, jsonl bool) (jsonfmt.Style, error) {
	if jsonl && e.Format != "" {
		return 0, UsageError("conflicting output options", "Use --format json (or --jsonl), but not both.")
	}
	format := e.Format
	if jsonl {
		format = "jsonl"
	}
	if format == "" {
		format = "jsonl"
		if e.Stdout.TTY {
			format = "pretty"
		}
	}
	switch format {
	case "lite3-raw":
		return 0, UsageError(cmd+" does not support --format lite3-raw", "Use --format lite3 for a framed stream.")
	case "pretty":
		return e.pretty(), nil
	}
	return jsonfmt.Compact, nil
}

// EmitJSON prints a document on stdout: YAML with --format yaml, else JSON
// in OutStyle, one document per line.
func (e *Env) EmitJSON(v any) error {
	s := e.Stdout
	if e.Format == "yaml" {
		s.buf = AppendYAMLDoc(s.buf[:0], v)
	} else {
		s.buf = append(jsonfmt.AppendValue(s.buf[:0], v, e.OutStyle()), '\n')
	}
	return s.Write(s.buf)
}

// Output says which binary --format values a command can write.
type Output uint8

const (
	TextOnly Output = iota // reports: --format pretty, json or yaml only
	Lite3                  // messages: also --format lite3 (a framed stream)
	Lite3Raw               // one message: also --format lite3-raw
)

// Runner is the clap Run function of command name, which writes out: it
// refuses a binary --format the command cannot write, then calls run.
func (e *Env) Runner(name string, out Output, run func(ctx context.Context) error) func(context.Context) error {
	return func(ctx context.Context) error {
		switch {
		case e.Format != "lite3" && e.Format != "lite3-raw":
		case out == TextOnly:
			return UsageError("binary output requires a message command", "Use --format json or yaml for reports.")
		case e.Format == "lite3-raw" && out != Lite3Raw:
			return UsageError(name+" does not support --format lite3-raw", "Use --format lite3 for a framed stream.")
		}
		return run(ctx)
	}
}

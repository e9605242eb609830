package cmd

import (
	"context"
	"strconv"
	"strings"

	"github.com/plasmite-go/plasmite/core"
	"github.com/plasmite-go/plasmite/internal/clap"
	"github.com/plasmite-go/plasmite/internal/cmd/cmdutil"
	"github.com/plasmite-go/plasmite/wire"
)

// report prints e on stderr in the form the output format asks for (1.2.1:
// pretty and binary formats get text, json gets JSON; without --format
// that is text when stdout is a terminal and JSON otherwise): a CLI error
// envelope in JSON or YAML, or labelled lines.
func report(env *cmdutil.Env, e *core.Error) error {
	if e.Hint == "" {
		e.Hint = wire.DefaultHint(e.Kind)
	}
	text := env.Stdout.TTY
	switch env.Format {
	case "pretty", "lite3", "lite3-raw":
		text = true
	case "json", "jsonl":
		text = false
	case "yaml":
		return env.Stderr.Write(cmdutil.AppendYAMLDoc(nil, map[string]any{"error": wire.ErrorFields(e)}))
	}
	if !text {
		return env.Stderr.Write(append(wire.AppendError(nil, e, wire.CLIForm), '\n'))
	}
	color := env.ColorErr()
	label := func(c, s string) string {
		if color {
			return c + s + cmdutil.SGRReset
		}
		return s
	}
	var sb strings.Builder
	sb.WriteString(label("\x1b[31m", "error:") + " " + e.Message + "\n")
	if e.Hint != "" {
		sb.WriteString(label("\x1b[33m", "hint:") + " " + e.Hint + "\n")
	}
	if e.Path != "" {
		sb.WriteString(label("\x1b[33m", "path:") + " " + cmdutil.DisplayPath(e.Path) + "\n")
	}
	if e.Seq != nil {
		sb.WriteString(label("\x1b[33m", "seq:") + " " + strconv.FormatUint(*e.Seq, 10) + "\n")
	}
	if e.Offset != nil {
		sb.WriteString(label("\x1b[33m", "offset:") + " " + strconv.FormatUint(*e.Offset, 10) + "\n")
	}
	if e.Err != nil {
		sb.WriteString(label("\x1b[33m", "caused by:") + " " + wire.Cause(e.Err) + "\n")
	}
	return env.Stderr.WriteString(sb.String())
}

// versionCommand declares version.
func versionCommand(env *cmdutil.Env) *clap.Command {
	return &clap.Command{
		Name: "version", About: "Print version information",
		Flags: []clap.Flag{clap.HelpFlag},
		Notes: []string{"Text on a terminal; JSON {\"name\",\"version\"} when stdout is piped."},
		Run:   env.Runner("version", cmdutil.TextOnly, func(ctx context.Context) error { return version(env) }),
	}
}

// version prints the version: text on a terminal (or with --format
// pretty), else the document {"name","version"}.
func version(env *cmdutil.Env) error {
	if env.Stdout.TTY && env.Format == "" || env.Format == "pretty" {
		return env.Stdout.WriteString("plasmite " + core.Version + "\n")
	}
	return env.EmitJSON(map[string]any{"name": "plasmite", "version": core.Version})
}

// Command plasmite (also installed as pls) is the command-line interface to
// Plasmite pools: create them, feed them JSON messages, fetch and follow them.
//
// Both names are the same program. Run with no arguments, `pls` prints its
// help on stdout and exits 0, while `plasmite` prints it on stderr and exits 2.
package main

import (
	"errors"
	"os"
	"os/signal"
	"path/filepath"
	"strings"
	"syscall"

	"github.com/plasmite-go/plasmite/core"
	"github.com/plasmite-go/plasmite/wire"
)

// app is one invocation: streams, top-level options and the command tree.
type app struct {
	pls      bool
	dir      string
	color    string
	stdout   stream
	stderr   stream
	stdin    *os.File
	stdinTTY bool
	root     *cmdSpec
	top      *parsed // top-level options
	format   string  // --format, "" when not given
}

func main() {
	// A closed stdout must end us quietly, not kill us mid-write from inside
	// a library; writes report EPIPE and the output layer exits 141.
	signal.Ignore(syscall.SIGPIPE)
	a := &app{
		pls:      filepath.Base(os.Args[0]) == "pls",
		color:    "auto",
		stdout:   stream{w: os.Stdout, tty: isTTY(1)},
		stderr:   stream{w: os.Stderr, tty: isTTY(2)},
		stdin:    os.Stdin,
		stdinTTY: isTTY(0),
	}
	os.Exit(a.run(os.Args[1:]))
}

// run parses the top-level options, dispatches, and returns the exit status.
func (a *app) run(args []string) int {
	a.root = commandTree()
	a.top = &parsed{cmd: a.root, flags: map[string][]string{}, args: map[string][]string{}}
	if len(args) == 0 {
		if a.pls {
			a.stdout.writeString(a.topHelp())
			return 0
		}
		a.stderr.writeString(a.topHelp())
		return 2
	}
	// Top-level options may precede the command; the global ones (--dir,
	// --color, --format) are also accepted after it (1.2.1 behaviour).
	i := 0
	for ; i < len(args); i++ {
		tok := args[i]
		switch tok {
		case "---help":
			tok = "--help"
		case "---version":
			tok = "--version"
		}
		if !strings.HasPrefix(tok, "-") || tok == "-" {
			break
		}
		if tok == "--" {
			i++
			break
		}
		switch tok {
		case "-h", "--help":
			a.stdout.writeString(a.topHelp())
			return 0
		case "-V", "--version":
			a.stdout.writeString("plasmite " + core.Version + "\n")
			return 0
		}
		name, val, hasVal := strings.Cut(tok, "=")
		f := a.root.flag(strings.TrimPrefix(name, "--"))
		if !strings.HasPrefix(name, "--") || f == nil {
			return a.reportError(parseErr(nil, "unexpected argument '"+tok+"' found", false))
		}
		if !hasVal {
			if i+1 >= len(args) || looksLikeFlag(args[i+1]) {
				return a.reportError(parseErr(nil, "a value is required for '"+f.display()+"' but none was supplied", false))
			}
			i++
			val = args[i]
		}
		if err := a.top.set(a.root, f, val); err != nil {
			return a.reportError(err)
		}
	}
	rest := args[i:]
	if len(rest) == 0 {
		a.stderr.writeString(a.topHelp())
		return 2
	}
	if err := a.applyGlobals(a.top); err != nil {
		return a.reportError(err)
	}
	if rest[0] == "help" {
		return a.finish(nil, helpFor(a.root, rest[1:]))
	}
	c := a.root.sub(rest[0])
	if c == nil || c.Hidden {
		return a.reportError(parseErr(nil, "unrecognized subcommand '"+rest[0]+"'", false))
	}
	p, err := parseCommand(c, rest[1:])
	return a.finish(p, err)
}

func (a *app) finish(p *parsed, err error) int {
	var h *helpRequest
	if errors.As(err, &h) {
		text := a.cmdHelp(h.cmd, h.long)
		if h.cmd == a.root {
			text = a.topHelp()
		}
		if h.toErr {
			a.stderr.writeString(text)
			return 2
		}
		a.stdout.writeString(text)
		return 0
	}
	if err != nil {
		return a.reportError(err)
	}
	if err := a.applyGlobals(p); err != nil {
		return a.reportError(err)
	}
	if err := a.checkFormat(p.cmd); err != nil {
		return a.reportError(err)
	}
	if p.cmd.Run == nil {
		a.stderr.writeString(a.cmdHelp(p.cmd, false))
		return 2
	}
	if err := p.cmd.Run(a, p); err != nil {
		return a.reportError(err)
	}
	return 0
}

// poolDir is the directory for named pools.
func (a *app) poolDir() string {
	if a.dir != "" {
		return a.dir
	}
	return core.DefaultDir(os.Getenv("HOME"))
}

// resolve turns a pool ref into a file path.
func (a *app) resolve(ref string) string {
	return core.ResolveRef(a.poolDir(), ref)
}

// applyGlobals merges --dir/--color/--format given after the command with
// those given before it; different values for one option are a Usage error.
func (a *app) applyGlobals(p *parsed) error {
	for _, name := range []string{"dir", "color", "format"} {
		vals := append(append([]string{}, a.top.flags[name]...), p.flags[name]...)
		if p == a.top {
			vals = a.top.flags[name]
		}
		if len(vals) == 0 {
			continue
		}
		for _, v := range vals[1:] {
			if v != vals[0] {
				if name == "dir" {
					return usageErr("conflicting --dir values select different pool directories", "Use one --dir value for the whole invocation.")
				}
				return usageErr("conflicting --"+name+" values", "Give --"+name+" once.")
			}
		}
		switch name {
		case "dir":
			a.dir = vals[0]
		case "color":
			a.color = vals[0]
		case "format":
			a.format = vals[0]
		}
	}
	return nil
}

// checkFormat refuses output formats a command cannot produce.
func (a *app) checkFormat(c *cmdSpec) error {
	switch a.format {
	case "lite3", "lite3-raw":
		switch c.Name {
		case "fetch", "follow", "feed", "duplex":
			if a.format == "lite3-raw" && c.Name != "fetch" {
				return usageErr(c.Name+" does not support --format lite3-raw", "Use --format lite3 for a framed stream.")
			}
			return nil
		}
		return usageErr("binary output requires a message command", "Use --format json or yaml for reports.")
	}
	return nil
}

// messageYAML renders a stored message (or its data) as a YAML document.
// Errors as wire.MessageTree.
func messageYAML(dst []byte, m core.Message, dataOnly bool) ([]byte, error) {
	doc, err := wire.MessageTree(m)
	if err != nil {
		return dst, err
	}
	if dataOnly {
		return appendYAMLDoc(dst, doc["data"]), nil
	}
	return appendYAMLDoc(dst, doc), nil
}

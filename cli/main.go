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
	if len(args) == 0 {
		if a.pls {
			a.stdout.writeString(a.topHelp())
			return 0
		}
		a.stderr.writeString(a.topHelp())
		return 2
	}
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
		name, val, hasVal := strings.Cut(tok, "=")
		switch name {
		case "-h", "--help":
			a.stdout.writeString(a.topHelp())
			return 0
		case "-V", "--version":
			a.stdout.writeString("plasmite " + core.Version + "\n")
			return 0
		case "--dir", "--color":
			if !hasVal {
				if i+1 >= len(args) || looksLikeFlag(args[i+1]) {
					meta := "<DIR>"
					if name == "--color" {
						meta = "<COLOR>"
					}
					return a.reportError(parseErr(nil, "a value is required for '"+name+" "+meta+"' but none was supplied", false))
				}
				i++
				val = args[i]
			}
			if name == "--dir" {
				a.dir = val
			} else {
				if val != "auto" && val != "always" && val != "never" {
					return a.reportError(parseErr(nil, "invalid value '"+val+"' for '--color <COLOR>'", false))
				}
				a.color = val
			}
			continue
		case "--":
			i++
		default:
			return a.reportError(parseErr(nil, "unexpected argument '"+tok+"' found", false))
		}
		break
	}
	rest := args[i:]
	if len(rest) == 0 {
		a.stderr.writeString(a.topHelp())
		return 2
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
	return defaultDir()
}

// resolve turns a pool ref into a file path.
func (a *app) resolve(ref string) string {
	return resolveRef(a.poolDir(), ref)
}

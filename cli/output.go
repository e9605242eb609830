package main

import (
	"errors"
	"io"
	"os"
	"syscall"

	"golang.org/x/term"
)

// isTTY reports whether fd is a terminal.
func isTTY(fd int) bool { return term.IsTerminal(fd) }

// stream is stdout or stderr: every record is written whole and flushed at
// once (no buffering between records), so `follow | jq` streams.
type stream struct {
	w   io.Writer
	tty bool
	buf []byte
}

// write sends b; a closed pipe on the other end exits the process quietly
// the way a Unix filter dies of SIGPIPE (status 141), never with a trace.
func (s *stream) write(b []byte) {
	if _, err := s.w.Write(b); err != nil {
		if errors.Is(err, syscall.EPIPE) {
			exitBrokenPipe()
		}
		// Other write errors (disk full on a redirect) also end the run.
		exitBrokenPipe()
	}
}

func (s *stream) writeString(str string) {
	s.buf = append(s.buf[:0], str...)
	s.write(s.buf)
}

// exitBrokenPipe is replaced in tests; it never returns.
var exitBrokenPipe = func() {
	os.Exit(141)
}

// jsonOut renders an emit_json output: pretty (and colored when color is
// on) on a terminal or when color is forced, else one compact line.
func (a *app) emitJSON(v any) {
	if a.format == "yaml" {
		a.stdout.buf = appendYAMLDoc(a.stdout.buf[:0], v)
		a.stdout.write(a.stdout.buf)
		return
	}
	style := a.outStyle()
	b := appendJSONValue(a.stdout.buf[:0], v, style)
	b = append(b, '\n')
	a.stdout.buf = b
	a.stdout.write(b)
}

// colorOut says whether stdout JSON is colored.
func (a *app) colorOut() bool {
	switch a.color {
	case "always":
		return true
	case "never":
		return false
	}
	return a.stdout.tty && os.Getenv("NO_COLOR") == ""
}

// colorErr says whether stderr labels are colored.
func (a *app) colorErr() bool {
	switch a.color {
	case "always":
		return true
	case "never":
		return false
	}
	return a.stderr.tty && os.Getenv("NO_COLOR") == ""
}

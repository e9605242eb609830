package main

import (
	"errors"
	"io"
	"os"
	"path/filepath"
	"strconv"
	"strings"
	"syscall"

	"github.com/plasmite-go/plasmite/core"
)

// cliError is what the CLI reports: a core error kind plus the context the
// envelope carries. Exit status is the kind's number (1..9).
type cliError struct {
	kind   core.Kind
	msg    string
	hint   string
	path   string
	seq    *uint64
	offset *uint64
	causes []string
}

func (e *cliError) Error() string { return e.msg }

// usageErr builds a Usage error with a hint.
func usageErr(msg, hint string) *cliError {
	return &cliError{kind: core.Usage, msg: msg, hint: hint}
}

// exitError asks main to exit with a status and print nothing more.
type exitError struct{ code int }

func (e exitError) Error() string { return "exit " + strconv.Itoa(e.code) }

// osCause renders an OS error the way the reference does
// ("No such file or directory (os error 2)").
func osCause(err error) string {
	if errors.Is(err, io.EOF) || errors.Is(err, io.ErrUnexpectedEOF) {
		return "failed to fill whole buffer" // a short read, in the reference's words
	}
	var errno syscall.Errno
	if errors.As(err, &errno) {
		s := errno.Error()
		if s != "" {
			s = strings.ToUpper(s[:1]) + s[1:]
		}
		return s + " (os error " + strconv.Itoa(int(errno)) + ")"
	}
	return err.Error()
}

// toCLI converts any error into a cliError, keeping core context.
func toCLI(err error) *cliError {
	var ce *cliError
	if errors.As(err, &ce) {
		return ce
	}
	var e *core.Error
	if errors.As(err, &e) {
		out := &cliError{kind: e.Kind, msg: e.Message, hint: e.Hint, path: e.Path}
		if out.msg == "" {
			out.msg = e.Kind.Error()
		}
		out.seq, out.offset = e.Seq, e.Offset
		for c := e.Err; c != nil; {
			var inner *core.Error
			if errors.As(c, &inner) && inner != e {
				out.causes = append(out.causes, inner.Error())
				break
			}
			out.causes = append(out.causes, osCause(c))
			break
		}
		return out
	}
	var k core.Kind
	if errors.As(err, &k) {
		return &cliError{kind: k, msg: k.Error()}
	}
	return &cliError{kind: core.Internal, msg: err.Error()}
}

// defaultHint fills in the generic hint for kinds that have one.
func defaultHint(k core.Kind) string {
	switch k {
	case core.Corrupt:
		return "Pool appears corrupt. Recreate it or investigate with validation tooling."
	case core.Permission:
		return "Permission denied. Check directory permissions or use --dir to a writable location."
	case core.Busy:
		return "Pool is busy (another writer holds the lock). Retry with backoff."
	case core.IO:
		return "I/O error. Check the path, filesystem, and disk space."
	case core.Internal:
		return "Unexpected internal failure. Retry, and report the command and context if it persists."
	}
	return ""
}

// fields is the envelope's inner object (keys sorted by the writer), with
// the kind's generic hint when the error has none.
func (e *cliError) fields() map[string]any {
	if e.hint == "" {
		e.hint = defaultHint(e.kind)
	}
	m := map[string]any{"kind": e.kind.String(), "message": e.msg}
	if e.msg == "" {
		m["message"] = e.kind.Error()
	}
	if e.hint != "" {
		m["hint"] = e.hint
	}
	if e.path != "" {
		m["path"] = e.path
	}
	if e.seq != nil {
		m["seq"] = *e.seq
	}
	if e.offset != nil {
		m["offset"] = *e.offset
	}
	if len(e.causes) > 0 {
		c := make([]any, len(e.causes))
		for i, s := range e.causes {
			c[i] = s
		}
		m["causes"] = c
	}
	return m
}

// reportError prints err on stderr (JSON line when stderr is not a terminal,
// labelled text otherwise) and returns the exit status.
func (a *app) reportError(err error) int {
	var ex exitError
	if errors.As(err, &ex) {
		return ex.code
	}
	e := toCLI(err)
	if e.hint == "" {
		e.hint = defaultHint(e.kind)
	}
	// 1.2.1: the error follows the output format (pretty and binary formats
	// get text, json gets JSON); without --format that is text when stdout
	// is a terminal and JSON otherwise.
	text := a.stdout.tty
	switch a.format {
	case "pretty", "lite3", "lite3-raw":
		text = true
	case "json", "jsonl":
		text = false
	}
	if a.format == "yaml" {
		a.stderr.write(appendYAMLDoc(nil, map[string]any{"error": e.fields()}))
		return int(e.kind)
	}
	if !text {
		b := appendJSONValue(nil, map[string]any{"error": e.fields()}, styleCompact)
		a.stderr.write(append(b, '\n'))
		return int(e.kind)
	}
	color := a.colorErr()
	label := func(c, s string) string {
		if color {
			return c + s + sgrReset
		}
		return s
	}
	var sb strings.Builder
	msg := e.msg
	if msg == "" {
		msg = e.kind.Error()
	}
	sb.WriteString(label("\x1b[31m", "error:") + " " + msg + "\n")
	if e.hint != "" {
		sb.WriteString(label("\x1b[33m", "hint:") + " " + e.hint + "\n")
	}
	if e.path != "" {
		sb.WriteString(label("\x1b[33m", "path:") + " " + displayPath(e.path) + "\n")
	}
	if e.seq != nil {
		sb.WriteString(label("\x1b[33m", "seq:") + " " + strconv.FormatUint(*e.seq, 10) + "\n")
	}
	if e.offset != nil {
		sb.WriteString(label("\x1b[33m", "offset:") + " " + strconv.FormatUint(*e.offset, 10) + "\n")
	}
	if len(e.causes) > 0 {
		sb.WriteString(label("\x1b[33m", "caused by:") + " " + e.causes[0] + "\n")
	}
	a.stderr.writeString(sb.String())
	return int(e.kind)
}

// displayPath shows a path ./-relative when it is relative or under the
// working directory, else absolute.
func displayPath(p string) string {
	if !filepath.IsAbs(p) {
		if strings.HasPrefix(p, "./") || strings.HasPrefix(p, "../") {
			return p
		}
		return "./" + p
	}
	if wd, err := os.Getwd(); err == nil {
		if rel, err := filepath.Rel(wd, p); err == nil && !strings.HasPrefix(rel, "..") {
			return "./" + rel
		}
	}
	return p
}

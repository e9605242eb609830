package main

import (
	"errors"
	"os"
	"path/filepath"
	"strconv"
	"strings"

	"github.com/plasmite-go/plasmite/core"
	"github.com/plasmite-go/plasmite/wire"
)

// usageErr builds a Usage error with a hint.
func usageErr(msg, hint string) *core.Error {
	return &core.Error{Kind: core.Usage, Message: msg, Hint: hint}
}

// exitError asks main to exit with a status and print nothing more.
type exitError struct{ code int }

func (e exitError) Error() string { return "exit " + strconv.Itoa(e.code) }

// reportError prints err on stderr (JSON line when stderr is not a terminal,
// labelled text otherwise) and returns the exit status.
func (a *app) reportError(err error) int {
	var ex exitError
	if errors.As(err, &ex) {
		return ex.code
	}
	e := wire.ErrorOf(err)
	if e.Hint == "" {
		e.Hint = wire.DefaultHint(e.Kind)
	}
	code := wire.ExitCode(e.Kind)
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
		a.stderr.write(appendYAMLDoc(nil, map[string]any{"error": wire.ErrorFields(e)}))
		return code
	}
	if !text {
		a.stderr.write(append(wire.AppendError(nil, e, wire.CLIForm), '\n'))
		return code
	}
	color := a.colorErr()
	label := func(c, s string) string {
		if color {
			return c + s + sgrReset
		}
		return s
	}
	var sb strings.Builder
	sb.WriteString(label("\x1b[31m", "error:") + " " + e.Message + "\n")
	if e.Hint != "" {
		sb.WriteString(label("\x1b[33m", "hint:") + " " + e.Hint + "\n")
	}
	if e.Path != "" {
		sb.WriteString(label("\x1b[33m", "path:") + " " + displayPath(e.Path) + "\n")
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
	a.stderr.writeString(sb.String())
	return code
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

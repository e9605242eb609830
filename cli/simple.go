package main

import (
	"strconv"
	"strings"

	"github.com/plasmite-go/plasmite/core"
	"github.com/plasmite-go/plasmite/wire"
)

func cmdVersion(a *app, p *parsed) error {
	if a.stdout.tty && a.format == "" || a.format == "pretty" || a.format == "lite3" || a.format == "lite3-raw" {
		a.stdout.writeString("plasmite " + core.Version + "\n")
		return nil
	}
	a.emitJSON(map[string]any{"name": "plasmite", "version": core.Version})
	return nil
}

// jsonOut says whether a command with a human form prints JSON: --json,
// --format json, or (no --format) stdout is not a terminal.
func (a *app) jsonOut(p *parsed) bool {
	switch a.format {
	case "json", "jsonl", "yaml":
		return true
	case "":
		return p.has("json") || !a.stdout.tty
	}
	return p.has("json")
}

// outStyle is the style of JSON documents on stdout: --format wins, else
// pretty on a terminal (or when color is forced) and compact in a pipe.
func (a *app) outStyle() jsonStyle {
	switch a.format {
	case "json", "jsonl":
		return styleCompact
	case "pretty":
		if a.colorOut() {
			return styleColor
		}
		return stylePretty
	}
	if a.stdout.tty {
		if a.colorOut() {
			return styleColor
		}
		return stylePretty
	}
	return styleCompact // 1.2.1: --color always does not turn piped JSON pretty
}

func cmdFetch(a *app, p *parsed) error {
	ref := p.arg("POOL")
	seqStr := p.arg("SEQ")
	seq, err := strconv.ParseUint(seqStr, 10, 64)
	if err != nil {
		return parseErr(nil, "invalid value '"+seqStr+"' for '<SEQ>': "+numErr(seqStr, err), false)
	}
	path := a.resolve(ref)
	pool, err := core.Open(path, core.OpenOptions{ReadOnly: true, NoNotify: true})
	if err != nil {
		return a.openErr(err, ref, path, "fetch")
	}
	defer pool.Close()
	m, err := pool.Get(seq)
	if err != nil {
		e := wire.ErrorOf(err)
		if e.Kind == core.NotFound {
			e.Message = "message not found"
			e.Path = ""
			e.Err = nil
			e.Seq = &seq
			e.Hint = "Check available messages: plasmite pool info " + ref + " (or plasmite follow " + ref + " --tail 10)."
		}
		return e
	}
	switch a.format {
	case "lite3":
		a.stdout.write(wire.AppendFrame([]byte(wire.StreamMagic), m))
		return nil
	case "lite3-raw":
		a.stdout.write(m.Payload)
		return nil
	case "yaml":
		b, err := messageYAML(nil, m, false)
		if err != nil {
			e := wire.ErrorOf(err)
			e.Path = path
			return e
		}
		a.stdout.write(b)
		return nil
	}
	b, err := wire.AppendMessage(a.stdout.buf[:0], m, a.outStyle())
	if err != nil {
		e := wire.ErrorOf(err)
		e.Path = path
		return e
	}
	a.stdout.buf = append(b, '\n')
	a.stdout.write(a.stdout.buf)
	return nil
}

// shellWord prints a token raw when it is made only of safe characters,
// else as a JSON string literal (the style of the reference's hints).
func shellWord(s string) string {
	if s != "" && strings.Trim(s, "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789-_./:=") == "" {
		return s
	}
	return string(appendJSONString(nil, s))
}

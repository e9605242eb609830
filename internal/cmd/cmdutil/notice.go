package cmdutil

import (
	"time"

	"github.com/plasmite-go/plasmite/core/jsonfmt"
)

// SGRReset ends a colored token.
const SGRReset = "\x1b[0m"

// Notice writes a notice on stderr: one JSON line when stderr is not a
// terminal, "notice: …" text (with " (pool: …)" when withPool) otherwise.
func (e *Env) Notice(cmd, kind, msg, pool string, details map[string]any, withPool bool) error {
	if !e.Stderr.TTY {
		b := jsonfmt.AppendValue(nil, map[string]any{"notice": map[string]any{
			"cmd": cmd, "details": details, "kind": kind, "message": msg, "pool": pool,
			"time": RFC3339(time.Now()),
		}}, jsonfmt.Compact)
		return e.Stderr.Write(append(b, '\n'))
	}
	label := "notice:"
	if e.ColorErr() {
		label = "\x1b[33mnotice:" + SGRReset
	}
	s := label + " " + msg
	if withPool {
		s += " (pool: " + pool + ")"
	}
	return e.Stderr.WriteString(s + "\n")
}

package cmdutil

import (
	"strings"
	"syscall"

	"github.com/plasmite-go/plasmite/core"
	"github.com/plasmite-go/plasmite/core/jsonfmt"
	"github.com/plasmite-go/plasmite/internal/poolref"
	"github.com/plasmite-go/plasmite/wire"
)

// UsageError is a Usage error with a hint.
func UsageError(msg, hint string) *core.Error {
	return &core.Error{Kind: core.Usage, Message: msg, Hint: hint}
}

// HintPathNotFound is the hint for a pool given by a path that does not exist.
const HintPathNotFound = "Pool path not found. Check the path or pass --dir for a different pool directory."

// MissingPool decorates the error of opening ref (file path): a NotFound
// gets the path (when it names none) and the OS cause, and, when ref is a
// path, HintPathNotFound. named reports a NotFound of a pool given by name,
// which the caller gives its own hint. A remote ref's NotFound (path "":
// no local file) is the server's as it is, with HintPathNotFound (1.2.1
// words it so for any ref holding a '/').
func MissingPool(err error, ref, path string) (e *core.Error, named bool) {
	e = wire.ErrorOf(err)
	if e.Kind != core.NotFound {
		return e, false
	}
	if path == "" && strings.Contains(ref, "://") { // a remote ref: no local file
		e.Hint = HintPathNotFound
		return e, false
	}
	if e.Path == "" {
		e.Path = path
	}
	if e.Err == nil {
		e.Err = syscall.ENOENT
	}
	if strings.ContainsRune(ref, '/') {
		e.Hint = HintPathNotFound
		return e, false
	}
	return e, true
}

// OpenError decorates the error of opening a pool to read it (pool info,
// fetch, doctor): MissingPool with the message "not found" and, for a name,
// the hint to create it; a Corrupt error gets the path.
func OpenError(err error, ref, path string) *core.Error {
	e, named := MissingPool(err, ref, path)
	if e.Kind == core.NotFound {
		if e.Message == "pool not found" {
			e.Message = "not found"
		}
		if named && e.Hint == "" {
			e.Hint = "Create it first: plasmite pool create " + ref + " (or pass --dir for a different pool directory)."
		}
	}
	if e.Kind == core.Corrupt && e.Path == "" {
		e.Path = path
	}
	return e
}

// NoUDP refuses a udp:// ref for a command that does not take one, in
// 1.2.1's words.
func NoUDP(ref poolref.Ref) error {
	if ref.Scheme == poolref.UDP {
		return UsageError("this command does not support UDP pool refs", "Use udp://HOST:PORT/POOL with feed, follow, or duplex.")
	}
	return nil
}

// ForRef is the style of messages read from ref: a remote pool's come as
// JSON, which 1.2.1's client parses and prints again, its floats as their
// exact shortest digits (its local renderer prints some one ulp off, and
// ours mimics that for local pools), so they get jsonfmt.ExactFloats.
func ForRef(ref poolref.Ref, s jsonfmt.Style) jsonfmt.Style {
	if ref.Remote() {
		return s | jsonfmt.ExactFloats
	}
	return s
}

// ShellWord prints a token raw when it is made only of safe characters,
// else as a JSON string literal (the style of the reference's hints).
func ShellWord(s string) string {
	if s != "" && strings.Trim(s, "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789-_./:=") == "" {
		return s
	}
	return quote(s)
}

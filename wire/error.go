package wire

import (
	"encoding/json"
	"errors"
	"io"
	"strconv"
	"strings"
	"syscall"

	"github.com/plasmite-go/plasmite/core"
	"github.com/plasmite-go/plasmite/core/jsonfmt"
)

// Every wire error is a *core.Error: its Kind, Message, Hint, Path, Seq and
// Offset are the envelope's members, and its Err is the one cause the CLI
// lists under "causes". So errors.Is(err, core.NotFound) and core.KindOf
// work the same on local and on remote errors.

// ErrorOf returns err as an error the envelope can render: a copy of the
// first *core.Error in err's chain, a bare core.Kind as an error of that
// kind, anything else as Internal with err's text. The copy's Message is the
// kind's default ("not found", …) when it was empty. ErrorOf(nil) is nil.
// Changing the copy does not change err.
func ErrorOf(err error) *core.Error {
	if err == nil {
		return nil
	}
	var e *core.Error
	if errors.As(err, &e) {
		c := *e
		if c.Message == "" {
			c.Message = c.Kind.Error()
		}
		return &c
	}
	var k core.Kind
	if errors.As(err, &k) {
		return &core.Error{Kind: k, Message: k.Error()}
	}
	return &core.Error{Kind: core.Internal, Message: err.Error()}
}

// Cause renders an error's underlying cause as the reference release does:
// an OS error as "No such file or directory (os error 2)", a short read as
// "failed to fill whole buffer", a core error by its Error text, anything
// else by its Error text.
func Cause(err error) string {
	var inner *core.Error
	if errors.As(err, &inner) {
		return inner.Error()
	}
	if errors.Is(err, io.EOF) || errors.Is(err, io.ErrUnexpectedEOF) {
		return "failed to fill whole buffer"
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

// DefaultHint is the hint the CLI prints for an error of kind k that has
// none of its own ("" for kinds without one).
func DefaultHint(k core.Kind) string {
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

// ErrorForm selects the members and key order of an error envelope.
type ErrorForm uint8

const (
	// CLIForm is what the CLI prints: keys sorted (causes, hint, kind,
	// message, offset, path, seq); hint is the kind's DefaultHint when the
	// error has none; causes lists the error's cause, if any.
	CLIForm ErrorForm = iota
	// HTTPForm is the HTTP server's response body: kind, message, path, seq,
	// offset in that order, the last three only when known; no hint, no
	// causes.
	HTTPForm
	// LineForm is the terminal error line of a JSONL or SSE stream: the
	// members of HTTPForm, keys sorted (kind, message, offset, path, seq).
	LineForm
)

// messageOf is e's message, or its kind's default when empty.
func messageOf(e *core.Error) string {
	if e.Message == "" {
		return e.Kind.Error()
	}
	return e.Message
}

// ErrorFields returns the inner object of e's CLIForm envelope as a generic
// tree, for documents that embed it (pool list and delete reports) and for
// other renderings of it (YAML). Render it with jsonfmt.AppendValue.
func ErrorFields(e *core.Error) map[string]any {
	m := map[string]any{"kind": e.Kind.String(), "message": messageOf(e)}
	hint := e.Hint
	if hint == "" {
		hint = DefaultHint(e.Kind)
	}
	if hint != "" {
		m["hint"] = hint
	}
	if e.Err != nil {
		m["causes"] = []any{Cause(e.Err)}
	}
	return withContext(m, e)
}

// withContext adds e's path, seq and offset to m, those that are known.
func withContext(m map[string]any, e *core.Error) map[string]any {
	if e.Path != "" {
		m["path"] = e.Path
	}
	if e.Seq != nil {
		m["seq"] = *e.Seq
	}
	if e.Offset != nil {
		m["offset"] = *e.Offset
	}
	return m
}

// AppendError appends e's envelope {"error":{…}} in form, as one compact
// JSON text with no trailing newline.
func AppendError(dst []byte, e *core.Error, form ErrorForm) []byte {
	if form == CLIForm {
		return jsonfmt.AppendValue(dst, map[string]any{"error": ErrorFields(e)}, jsonfmt.Compact)
	}
	dst = append(dst, `{"error":{"kind":`...)
	dst = jsonfmt.AppendString(dst, e.Kind.String())
	dst = append(dst, `,"message":`...)
	dst = jsonfmt.AppendString(dst, messageOf(e))
	path := func(dst []byte) []byte {
		if e.Path != "" {
			dst = append(dst, `,"path":`...)
			dst = jsonfmt.AppendString(dst, e.Path)
		}
		return dst
	}
	number := func(dst []byte, key string, v *uint64) []byte {
		if v != nil {
			dst = append(dst, `,"`...)
			dst = append(dst, key...)
			dst = append(dst, `":`...)
			dst = strconv.AppendUint(dst, *v, 10)
		}
		return dst
	}
	if form == LineForm {
		dst = number(dst, "offset", e.Offset)
		dst = path(dst)
		dst = number(dst, "seq", e.Seq)
	} else {
		dst = path(dst)
		dst = number(dst, "seq", e.Seq)
		dst = number(dst, "offset", e.Offset)
	}
	return append(dst, "}}"...)
}

// envelope is what ParseError reads; Kind is required.
type envelope struct {
	Error *struct {
		Kind    *string `json:"kind"`
		Message string  `json:"message"`
		Hint    string  `json:"hint"`
		Path    string  `json:"path"`
		Seq     *uint64 `json:"seq"`
		Offset  *uint64 `json:"offset"`
	} `json:"error"`
}

// ParseError turns an HTTP error response back into an error: the error of
// its envelope when body is one (in any of the forms above; an unknown kind
// name is Internal), else an error whose kind follows from status
// (KindForStatus) and whose message is "remote error status <status>".
func ParseError(status int, body []byte) *core.Error {
	var env envelope
	if json.Unmarshal(body, &env) == nil && env.Error != nil && env.Error.Kind != nil {
		f := env.Error
		return &core.Error{Kind: ParseKind(*f.Kind), Message: f.Message, Hint: f.Hint, Path: f.Path, Seq: f.Seq, Offset: f.Offset}
	}
	return &core.Error{Kind: KindForStatus(status), Message: "remote error status " + strconv.Itoa(status)}
}

// MCPErrorData returns what MCP reports of e beside its text, as a tree
// (render it with jsonfmt.AppendValue): {"error_kind", "hint"?, "path"?,
// "seq"?, "offset"?}, the members present only when known. It is the data
// of a JSON-RPC error; a tool's failure adds "tool" and "message" to it.
func MCPErrorData(e *core.Error) map[string]any {
	m := map[string]any{"error_kind": e.Kind.String()}
	if e.Hint != "" {
		m["hint"] = e.Hint
	}
	return withContext(m, e)
}

package wire

import (
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"os"
	"path/filepath"
	"syscall"
	"testing"

	"github.com/plasmite-go/plasmite/core"
	"github.com/plasmite-go/plasmite/core/jsonfmt"
)

func u64(v uint64) *uint64 { return &v }

// The three forms, byte for byte: the CLI's (sorted, hint, causes), the
// HTTP body (declaration order, no hint) and the stream line (sorted, no
// hint). Strings are escaped as the reference escapes them (no HTML escapes).
func TestAppendErrorForms(t *testing.T) {
	full := &core.Error{Kind: core.NotFound, Message: "pool not found <x> & \"y\"", Hint: "Create it.", Path: "/p/a&b.plasmite",
		Seq: u64(42), Offset: u64(7), Err: syscall.ENOENT}
	cases := []struct {
		e    *core.Error
		form ErrorForm
		want string
	}{
		{full, CLIForm, `{"error":{"causes":["No such file or directory (os error 2)"],"hint":"Create it.","kind":"NotFound",` +
			`"message":"pool not found <x> & \"y\"","offset":7,"path":"/p/a&b.plasmite","seq":42}}`},
		{full, HTTPForm, `{"error":{"kind":"NotFound","message":"pool not found <x> & \"y\"","path":"/p/a&b.plasmite","seq":42,"offset":7}}`},
		{full, LineForm, `{"error":{"kind":"NotFound","message":"pool not found <x> & \"y\"","offset":7,"path":"/p/a&b.plasmite","seq":42}}`},
		// remote-1.2.1.md §2.9
		{&core.Error{Kind: core.Usage, Message: "data must be object", Hint: "Put message contents in an object."}, HTTPForm,
			`{"error":{"kind":"Usage","message":"data must be object"}}`},
		{&core.Error{Kind: core.NotFound, Message: "not found", Path: "pools/nope.plasmite"}, LineForm,
			`{"error":{"kind":"NotFound","message":"not found","path":"pools/nope.plasmite"}}`},
		// no message: the kind's; no hint: the kind's default (CLI only)
		{&core.Error{Kind: core.Busy}, CLIForm, `{"error":{"hint":"Pool is busy (another writer holds the lock). Retry with backoff.","kind":"Busy","message":"resource is busy"}}`},
		{&core.Error{Kind: core.Busy}, HTTPForm, `{"error":{"kind":"Busy","message":"resource is busy"}}`},
		{&core.Error{Kind: core.NotFound, Message: "not found"}, CLIForm, `{"error":{"kind":"NotFound","message":"not found"}}`},
	}
	for i, c := range cases {
		if got := string(AppendError(nil, c.e, c.form)); got != c.want {
			t.Errorf("case %d form %d\n got  %s\n want %s", i, c.form, got, c.want)
		}
	}
}

func TestCause(t *testing.T) {
	wrapped := &os.PathError{Op: "open", Path: "/x", Err: syscall.EACCES}
	inner := &core.Error{Kind: core.Corrupt, Message: "bad magic", Err: errors.New("detail")}
	cases := []struct {
		err  error
		want string
	}{
		{syscall.ENOENT, "No such file or directory (os error 2)"},
		{wrapped, "Permission denied (os error 13)"},
		{fmt.Errorf("reading: %w", errors.New("plain")), "reading: plain"},
		{inner, "bad magic: detail"},
		{fmt.Errorf("x: %w", os.ErrNotExist), "x: file does not exist"},
	}
	for _, c := range cases {
		if got := Cause(c.err); got != c.want {
			t.Errorf("Cause(%v) = %q, want %q", c.err, got, c.want)
		}
	}
	// a short read, in the reference's words
	_, err := os.ReadFile(filepath.Join(t.TempDir(), "none"))
	if got := Cause(err); got != "No such file or directory (os error 2)" {
		t.Errorf("missing file: %q", got)
	}
	if got := Cause(fmt.Errorf("frame: %w", errors.Join(errors.New("a"), io.ErrUnexpectedEOF))); got != "failed to fill whole buffer" {
		t.Errorf("short read: %q", got)
	}
}

func TestErrorOf(t *testing.T) {
	if ErrorOf(nil) != nil {
		t.Fatal("ErrorOf(nil)")
	}
	orig := &core.Error{Kind: core.NotFound, Path: "/p", Seq: u64(3)}
	e := ErrorOf(fmt.Errorf("context: %w", orig))
	if e == orig || e.Kind != core.NotFound || e.Message != "not found" || e.Path != "/p" || *e.Seq != 3 {
		t.Fatalf("wrapped core error: %+v", e)
	}
	e.Path = "changed"
	if orig.Path != "/p" || orig.Message != "" {
		t.Fatal("ErrorOf must return a copy")
	}
	if e := ErrorOf(core.Busy); e.Kind != core.Busy || e.Message != "resource is busy" {
		t.Fatalf("bare kind: %+v", e)
	}
	if e := ErrorOf(errors.New("boom")); e.Kind != core.Internal || e.Message != "boom" || e.Err != nil {
		t.Fatalf("plain error: %+v", e)
	}
	if !errors.Is(ErrorOf(orig), core.NotFound) || core.KindOf(ErrorOf(orig)) != core.NotFound {
		t.Fatal("a wire error keeps its kind for errors.Is and core.KindOf")
	}
}

func TestParseError(t *testing.T) {
	full := &core.Error{Kind: core.RetentionGap, Message: "messages 4-9 are no longer retained", Hint: "h", Path: "/p", Seq: u64(4), Offset: u64(9)}
	for _, form := range []ErrorForm{CLIForm, HTTPForm, LineForm} {
		body := AppendError(nil, full, form)
		got := ParseError(410, body)
		want := *full
		if form != CLIForm {
			want.Hint = "" // not sent
		}
		if fmt.Sprint(*got.Seq, *got.Offset) != "4 9" || got.Kind != want.Kind || got.Message != want.Message ||
			got.Hint != want.Hint || got.Path != want.Path {
			t.Errorf("form %d: %+v from %s", form, got, body)
		}
	}
	cases := []struct {
		status int
		body   string
		kind   core.Kind
		msg    string
	}{
		{404, `{"error":{"kind":"NotFound","message":"not found"}}`, core.NotFound, "not found"},
		{500, `{"error":{"kind":"Weird","message":"m"}}`, core.Internal, "m"},              // unknown kind
		{409, `{"error":{"kind":"AlreadyExists"}}`, core.AlreadyExists, ""},                // message optional
		{413, "length limit exceeded", core.Usage, "remote error status 413"},              // framework text
		{422, `{"error":{"message":"no kind"}}`, core.IO, "remote error status 422"},       // kind required
		{403, `{"error":"forbidden"}`, core.Permission, "remote error status 403"},         // not an envelope
		{502, ``, core.Internal, "remote error status 502"},                                // empty body
		{423, `{"error":{"kind":"Busy","seq":"x"}}`, core.Busy, "remote error status 423"}, // bad member type
	}
	for _, c := range cases {
		e := ParseError(c.status, []byte(c.body))
		if e.Kind != c.kind || e.Message != c.msg {
			t.Errorf("%d %q: %v %q, want %v %q", c.status, c.body, e.Kind, e.Message, c.kind, c.msg)
		}
	}
}

// refEnvelope parses a CLI error envelope printed by the reference into the
// error it describes (its cause as a plain error with the same text).
func refEnvelope(t *testing.T, s string) *core.Error {
	t.Helper()
	var env struct {
		Error struct {
			Causes  []string `json:"causes"`
			Hint    string   `json:"hint"`
			Kind    string   `json:"kind"`
			Message string   `json:"message"`
			Offset  *uint64  `json:"offset"`
			Path    string   `json:"path"`
			Seq     *uint64  `json:"seq"`
		} `json:"error"`
	}
	if err := json.Unmarshal([]byte(s), &env); err != nil {
		t.Fatalf("reference error is not an envelope: %q: %v", s, err)
	}
	f := env.Error
	e := &core.Error{Kind: ParseKind(f.Kind), Message: f.Message, Hint: f.Hint, Path: f.Path, Seq: f.Seq, Offset: f.Offset}
	if len(f.Causes) > 1 {
		t.Fatalf("more than one cause: %q", s)
	}
	if len(f.Causes) == 1 {
		e.Err = errors.New(f.Causes[0])
	}
	return e
}

// The reference CLI's error envelopes come out of AppendError byte for
// byte, its exit statuses are ExitCode's, and its generic hints and OS
// causes are DefaultHint's and Cause's.
func TestErrorEnvelopesMatchReference(t *testing.T) {
	dir, _ := refPool(t)
	bad := filepath.Join(dir, "bad.plasmite")
	if err := os.WriteFile(bad, make([]byte, 8192), 0o644); err != nil {
		t.Fatal(err)
	}
	cases := [][]string{
		{"--dir", dir, "pool", "info", "missing"},
		{"--dir", dir, "fetch", "p", "99"},
		{"--dir", dir, "fetch", "missing", "1"},
		{"--dir", dir, "fetch", "./nowhere/x.plasmite", "1"},
		{"--dir", dir, "pool", "create", "p"},
		{"--dir", dir, "pool", "info", bad},
		{"--dir", dir, "feed", "p", `[1,2]`},
		{"--dir", dir, "follow", "p", "--tail", "x"},
		{"--dir", dir, "nosuch"},
	}
	sawCorrupt, sawCause := false, false
	for _, args := range cases {
		got, code := refFails(t, args...)
		e := refEnvelope(t, got)
		if mine := string(AppendError(nil, e, CLIForm)); mine != got {
			t.Errorf("%v:\n reference %s\n ours      %s", args, got, mine)
		}
		if code != ExitCode(e.Kind) {
			t.Errorf("%v: reference exit %d, ExitCode(%v) = %d", args, code, e.Kind, ExitCode(e.Kind))
		}
		if e.Kind == core.Corrupt {
			sawCorrupt = true
			if e.Hint != DefaultHint(core.Corrupt) {
				t.Errorf("corrupt hint: reference %q, ours %q", e.Hint, DefaultHint(core.Corrupt))
			}
		}
		if e.Err != nil && e.Kind == core.NotFound {
			sawCause = true
			if e.Err.Error() != Cause(syscall.ENOENT) {
				t.Errorf("ENOENT cause: reference %q, ours %q", e.Err, Cause(syscall.ENOENT))
			}
		}
	}
	if !sawCorrupt || !sawCause {
		t.Errorf("cases no longer cover a corrupt pool (%v) and an OS cause (%v)", sawCorrupt, sawCause)
	}
}

// MCP's error data: kind, hint, path, seq, offset when known; never the
// message (JSON-RPC carries it beside) nor a default hint.
func TestMCPErrorData(t *testing.T) {
	cases := []struct {
		e    *core.Error
		want string
	}{
		{&core.Error{Kind: core.NotFound, Message: "not found", Path: "d/nope.plasmite"}, `{"error_kind":"NotFound","path":"d/nope.plasmite"}`},
		{&core.Error{Kind: core.NotFound, Message: "message not found", Hint: "Read first.", Seq: u64(9)}, `{"error_kind":"NotFound","hint":"Read first.","seq":9}`},
		{&core.Error{Kind: core.IO, Offset: u64(3), Err: syscall.EIO}, `{"error_kind":"Io","offset":3}`},
		{&core.Error{Kind: core.Busy}, `{"error_kind":"Busy"}`},
	}
	for i, c := range cases {
		if got := string(jsonfmt.AppendValue(nil, MCPErrorData(c.e), jsonfmt.Compact)); got != c.want {
			t.Errorf("case %d\n got  %s\n want %s", i, got, c.want)
		}
	}
}

package cmd

import (
	"context"
	"os"
	"path/filepath"
	"strings"
	"syscall"
	"testing"

	"github.com/plasmite-go/plasmite/internal/cmd/cmdutil"
	"github.com/plasmite-go/plasmite/internal/cmd/cmdutil/cmdtest"
	"github.com/plasmite-go/plasmite/internal/reftest"
)

// run runs a command line in-process with the pool directory of h.
func run(h *cmdtest.IO, args ...string) int {
	return Main(context.Background(), append([]string{"--dir", h.Env.Dir}, args...), h.Env, false)
}

// Exit statuses are decided in one place: from the error's kind, or as a
// command asks (124 on timeout, 1 after skipped records, 7 from doctor).
func TestExitStatuses(t *testing.T) {
	h := cmdtest.New(t, "")
	h.Pool(t, "p", `{"a":1}`)
	if err := os.WriteFile(filepath.Join(h.Env.Dir, "bad.plasmite"), make([]byte, 8192), 0o644); err != nil {
		t.Fatal(err)
	}
	for _, c := range []struct {
		args []string
		code int
	}{
		{[]string{"fetch", "p", "1"}, 0},
		{[]string{"fetch", "p", "x"}, 2},
		{[]string{"fetch", "p", "9"}, 3},
		{[]string{"pool", "create", "p"}, 4},
		{[]string{"pool", "info", "bad"}, 7},
		{[]string{"doctor", "bad"}, 7},
		{[]string{"follow", "p", "--timeout", "10ms"}, 124},
		{[]string{"follow", "--bogus"}, 2},
		{[]string{"pool", "delete", "nope"}, 3},
		{[]string{"--format", "lite3", "pool", "list"}, 2},
		{[]string{"--format", "lite3-raw", "follow", "p"}, 2},
	} {
		h.Stdout.Reset()
		h.Stderr.Reset()
		if got := run(h, c.args...); got != c.code {
			t.Errorf("%v: exit %d, want %d (stderr %q)", c.args, got, c.code, h.Stderr)
		}
	}
	h = cmdtest.New(t, "{\"a\":1}\nnot json\n")
	h.Pool(t, "p")
	if got := run(h, "feed", "p", "-e", "skip"); got != 1 {
		t.Errorf("feed with a skipped record: exit %d", got)
	}
}

// An error is one JSON line on stderr in a pipe, labelled text when stdout
// is a terminal, YAML with --format yaml.
func TestErrorForms(t *testing.T) {
	h := cmdtest.New(t, "")
	run(h, "pool", "info", "nope")
	if got := h.Stderr.String(); got != `{"error":{"hint":"Create it first: plasmite pool create nope (or pass --dir for a different pool directory).","kind":"NotFound","message":"not found"}}`+"\n" {
		t.Errorf("piped: %q", got)
	}
	h.Stderr.Reset()
	h.Env.NoColor = true
	h.Terminal(true, true, false)
	run(h, "fetch", "./x/y.plasmite", "1")
	if got := h.Stderr.String(); got != "error: not found\nhint: Pool path not found. Check the path or pass --dir for a different pool directory.\npath: ./x/y.plasmite\ncaused by: No such file or directory (os error 2)\n" {
		t.Errorf("terminal: %q", got)
	}
	h = cmdtest.New(t, "")
	run(h, "--format", "yaml", "pool", "info", "nope")
	if got := h.Stderr.String(); !strings.HasPrefix(got, "---\nerror:\n  hint: 'Create it first") || !strings.HasSuffix(got, "  message: 'not found'\n...\n") {
		t.Errorf("yaml: %q", got)
	}
}

func TestHelpAndVersion(t *testing.T) {
	for _, c := range []struct {
		args           []string
		pls            bool
		code           int
		stdout, stderr string // prefixes
	}{
		{nil, false, 2, "", "Plasmite keeps JSON messages in pools"},
		{nil, true, 0, "Plasmite keeps JSON messages in pools", ""},
		{[]string{"--help"}, false, 0, "Plasmite keeps JSON messages in pools", ""},
		{[]string{"-V"}, false, 0, "plasmite ", ""},
		{[]string{"follow"}, true, 2, "", "Follow messages from a pool\n\nUsage: plasmite follow [OPTIONS] <POOL>\n"},
		{[]string{"help", "pool", "create"}, false, 0, "Create one or more pools\n\nUsage: plasmite pool create [OPTIONS] <NAMES>...\n", ""},
		{[]string{"tap", "-h"}, false, 0, "Capture command output into a local pool\n\nUsage: plasmite tap [OPTIONS] <POOL> -- <COMMAND>...\n", ""},
	} {
		h := cmdtest.New(t, "")
		if got := Main(context.Background(), c.args, h.Env, c.pls); got != c.code ||
			!strings.HasPrefix(h.Stdout.String(), c.stdout) || !strings.HasPrefix(h.Stderr.String(), c.stderr) ||
			(c.stdout == "") != (h.Stdout.Len() == 0) || (c.stderr == "") != (h.Stderr.Len() == 0) {
			t.Errorf("%v pls=%v: exit %d\nstdout %.80q\nstderr %.80q", c.args, c.pls, got, h.Stdout, h.Stderr)
		}
	}
}

// brokenPipe fails every write as a closed pipe does.
type brokenPipe struct{}

func (brokenPipe) Write([]byte) (int, error) { return 0, syscall.EPIPE }

// A closed stdout ends the command quietly with 141, whatever it was doing.
func TestClosedStdout(t *testing.T) {
	h := cmdtest.New(t, "")
	h.Pool(t, "p", `{"a":1}`, `{"b":2}`)
	h.Env.Stdout = cmdutil.NewStream(brokenPipe{}, false)
	for _, args := range [][]string{
		{"follow", "p", "--tail", "2"},
		{"fetch", "p", "1"},
		{"pool", "list"},
		{"feed", "p", `{"c":3}`},
		{"version"},
		{"--help"},
	} {
		h.Stderr.Reset()
		if got := run(h, args...); got != 141 || h.Stderr.Len() != 0 {
			t.Errorf("%v: exit %d, stderr %q", args, got, h.Stderr)
		}
	}
}

// The parser's errors are the reference's, byte for byte, where the two
// agree by design (every case the CLI tests and scripts rely on).
func TestParseErrorsMatchReference(t *testing.T) {
	reftest.Bin(t)
	for _, line := range []string{
		"follow --bogus x",
		"follow x --tail abc",
		"follow x --tail 99999999999999999999",
		"follow --since 5m --tail 0 x",
		"follow --one",
		"feed x --file f {}",
		"nosuch",
		"pool nosuch",
		"--color purple version",
		"completion nope",
		"follow x --one --one",
		"follow x --one=yes",
		"--dir",
		"-x",
		"-xyz",
		"-- version",
		"pool -- list",
		"- x",
		"help nosuch",
		"--dir a pool --dir b list",
	} {
		args := strings.Fields(line)
		_, want, wantCode := reftest.Run(t, args...)
		h := cmdtest.New(t, "")
		code := Main(context.Background(), args, h.Env, false)
		if h.Stderr.String() != string(want) || code != wantCode {
			t.Errorf("%s:\n reference %d %s ours      %d %s", line, wantCode, want, code, h.Stderr)
		}
	}
}

package cmd

import (
	"context"
	"os"
	"path/filepath"
	"strings"
	"syscall"
	"testing"

	"github.com/plasmite-go/plasmite/internal/clap"
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
		// --version at every position, as 1.2.1's clap propagates it
		{[]string{"pool", "list", "--version"}, false, 0, "plasmite ", ""},
		{[]string{"feed", "x", "-V"}, false, 0, "plasmite ", ""},
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

// failingWriter fails every write with err: EPIPE is a closed pipe,
// ENOSPC a full disk.
type failingWriter struct{ err error }

func (w failingWriter) Write([]byte) (int, error) { return 0, w.err }

// A closed stdout ends the command quietly, with the status closed.go
// gives it: 0, or the result doctor and pool delete settled before
// writing (issue 11 item 5).
func TestClosedStdout(t *testing.T) {
	h := cmdtest.New(t, "")
	h.Pool(t, "p", `{"a":1}`, `{"b":2}`)
	if err := os.WriteFile(filepath.Join(h.Env.Dir, "bad.plasmite"), make([]byte, 8192), 0o644); err != nil {
		t.Fatal(err)
	}
	h.Env.Stdout = cmdutil.NewStream(failingWriter{syscall.EPIPE}, false)
	for _, c := range []struct {
		args []string
		code int
	}{
		{[]string{"follow", "p", "--tail", "2"}, 0},
		{[]string{"follow", "p", "--no-follow", "--format", "lite3"}, 0},
		{[]string{"fetch", "p", "1"}, 0},
		{[]string{"pool", "list"}, 0},
		{[]string{"pool", "info", "p"}, 0},
		{[]string{"pool", "create", "q"}, 0},
		{[]string{"feed", "p", `{"c":3}`}, 0},
		{[]string{"version"}, 0},
		{[]string{"--version"}, 0},
		{[]string{"--help"}, 0},
		{[]string{"completion", "bash"}, 0},
		{[]string{"doctor", "p"}, 0},
		{[]string{"doctor", "bad"}, 7},
		{[]string{"pool", "delete", "q", "nope"}, 3},
	} {
		h.Stderr.Reset()
		h.Env.Format = ""
		h.Env.Stdout = cmdutil.NewStream(failingWriter{syscall.EPIPE}, false)
		if got := run(h, c.args...); got != c.code || h.Stderr.Len() != 0 {
			t.Errorf("%v: exit %d (want %d), stderr %q", c.args, got, c.code, h.Stderr)
		}
	}
	// feed stops at the first receipt it cannot write; what it appended stays
	h = cmdtest.New(t, "{\"i\":1}\n{\"i\":2}\n")
	p := h.Pool(t, "p")
	h.Env.Stdout = cmdutil.NewStream(failingWriter{syscall.EPIPE}, false)
	if got := run(h, "feed", "p"); got != 0 || p.Bounds().Newest == 0 {
		t.Errorf("feed: exit %d, bounds %+v", got, p.Bounds())
	}
}

// Any other failed write to stdout is an Io error, as in 1.2.1 (issue 12
// defect 5).
func TestStdoutWriteError(t *testing.T) {
	h := cmdtest.New(t, "")
	h.Pool(t, "p", `{"a":1}`)
	for _, c := range []struct {
		args []string
		msg  string
	}{
		{[]string{"fetch", "p", "1"}, "failed to write stdout"},
		{[]string{"feed", "p", `{"b":2}`}, "failed to write stdout"},
		{[]string{"pool", "list"}, "failed to write stdout"},
		{[]string{"--version"}, "failed to write CLI output"},
	} {
		h.Stderr.Reset()
		h.Env.Stdout = cmdutil.NewStream(failingWriter{syscall.ENOSPC}, false)
		got := run(h, c.args...)
		want := `{"error":{"causes":["No space left on device (os error 28)"],"hint":"Check the destination of stdout; completed appends remain stored.","kind":"Io","message":"` + c.msg + `"}}` + "\n"
		if got != 8 || h.Stderr.String() != want {
			t.Errorf("%v: exit %d, stderr %q", c.args, got, h.Stderr)
		}
	}
}

// Every command has a rule for a closed stdout, written down once.
func TestClosedStdoutTable(t *testing.T) {
	var walk func(c *clap.Command)
	walk = func(c *clap.Command) {
		if c.Run != nil && c.Path() != "" {
			if _, ok := onClosedStdout[c.Path()]; !ok {
				t.Errorf("no closed-stdout rule for %q", c.Path())
			}
		}
		for _, s := range c.Subs {
			walk(s)
		}
	}
	walk(tree(&cmdutil.Env{}, &globals{}))
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

package main

import (
	"os/exec"
	"strings"
	"testing"
	"time"
)

// On a terminal, message commands print pretty colored JSON, and pool
// commands short human text.
func TestTerminalForms(t *testing.T) {
	e := newEnv(t)
	e.must("pool", "create", "demo")
	r := e.runWith(runOpts{ptyOut: true}, "feed", "demo", `{"k":1}`, "--tag", "a")
	want := "\x1b[39m{\x1b[0m\n  \x1b[36m\"data\"\x1b[0m\x1b[39m:\x1b[0m \x1b[39m{\x1b[0m\n    \x1b[36m\"k\"\x1b[0m\x1b[39m:\x1b[0m \x1b[33m1\x1b[0m\n  \x1b[39m}\x1b[0m\x1b[39m,\x1b[0m\n"
	if r.code != 0 || !strings.HasPrefix(r.stdout, want) {
		t.Fatalf("feed on a terminal:\n%q", r.stdout)
	}
	r = e.runWith(runOpts{ptyOut: true}, "--color", "never", "fetch", "demo", "1")
	if !strings.HasPrefix(r.stdout, "{\n  \"data\": {\n    \"k\": 1\n  },\n  \"meta\": {\n    \"tags\": [\n      \"a\"\n    ]\n  },\n  \"seq\": 1,\n") {
		t.Fatalf("fetch --color never on a terminal:\n%q", r.stdout)
	}
	r = e.runWith(runOpts{ptyOut: true}, "--color", "never", "follow", "demo", "--tail", "1", "--no-follow")
	if !strings.HasPrefix(r.stdout, "{\n  \"data\": {") {
		t.Fatalf("follow on a terminal:\n%q", r.stdout)
	}
	e.must("pool", "create", "b", "c")
	r = e.runWith(runOpts{ptyOut: true}, "pool", "delete", "b", "c")
	if !strings.HasPrefix(r.stdout, "Deleted 2 pools.\n\n  ✓ b\n  ✓ c\n") {
		t.Fatalf("delete on a terminal:\n%q", r.stdout)
	}
	r = e.runWith(runOpts{ptyOut: true}, "pool", "create", "x", "y")
	if r.stdout != "Created 2 pools (1M each)\n  - x (x.plasmite)\n  - y (y.plasmite)\n" {
		t.Fatalf("create several on a terminal:\n%q", r.stdout)
	}
	r = e.runWith(runOpts{ptyOut: true}, "doctor", "demo")
	if !strings.HasPrefix(r.stdout, "demo: healthy\n  messages:  1 (seq 1..1)\n") {
		t.Fatalf("doctor on a terminal:\n%q", r.stdout)
	}
}

// From a terminal, duplex sends each typed line as {"from","msg"}.
func TestDuplexTerminalLines(t *testing.T) {
	e := newEnv(t)
	e.must("pool", "create", "chat")
	r := e.runWith(runOpts{ptyIn: true, stdin: "hello\n\n  \nsecond line\n"}, "duplex", "chat", "--me", "bob")
	if r.code != 0 {
		t.Fatalf("duplex: %+v", r)
	}
	out := e.must("follow", "chat", "--no-follow", "--format", "json").stdout
	lines := jsonLines(t, out)
	if len(lines) != 2 {
		t.Fatalf("sent %q", out)
	}
	for i, msg := range []string{"hello", "second line"} {
		d := lines[i].(map[string]any)["data"].(map[string]any)
		if d["from"] != "bob" || d["msg"] != msg {
			t.Fatalf("message %d: %v", i, d)
		}
	}
}

func TestFeedFromTerminalNeedsInput(t *testing.T) {
	e := newEnv(t)
	e.must("pool", "create", "demo")
	r := e.runWith(runOpts{ptyIn: true, ptyOut: true, ptyErr: true}, "--color", "never", "feed", "demo")
	if r.code != 2 || r.stderr != "error: missing message input\nhint: Pipe messages to feed, use --file, or provide a message argument.\n" {
		t.Fatalf("%+v", r)
	}
}

// duplex hides the sender's own messages unless --echo-self.
func TestDuplexSelfSuppression(t *testing.T) {
	e := newEnv(t)
	e.must("pool", "create", "chat")
	e.must("feed", "chat", `{"from":"alice","msg":"mine"}`)
	e.must("feed", "chat", `{"from":"bob","msg":"theirs"}`)
	bin := binPath
	if e.bin != "" {
		bin = e.bin
	}
	for _, c := range []struct {
		extra []string
		want  []string
	}{
		{nil, []string{"theirs"}},
		{[]string{"--echo-self"}, []string{"mine", "theirs"}},
	} {
		args := append([]string{"--dir", e.dir, "duplex", "chat", "--me", "alice", "--tail", "5", "--timeout", "300ms", "--format", "json"}, c.extra...)
		cmd := exec.Command(bin, args...)
		in, _ := cmd.StdinPipe() // kept open: the sending side waits
		var out strings.Builder
		cmd.Stdout = &out
		if err := cmd.Start(); err != nil {
			t.Fatal(err)
		}
		code := waitExit(t, cmd, 30*time.Second)
		in.Close()
		var got []string
		for _, l := range jsonLines(t, out.String()) {
			got = append(got, l.(map[string]any)["data"].(map[string]any)["msg"].(string))
		}
		if code != 124 || strings.Join(got, ",") != strings.Join(c.want, ",") {
			t.Fatalf("%v: exit %d, got %v want %v", c.extra, code, got, c.want)
		}
	}
}

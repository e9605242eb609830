package main

import (
	"strings"
	"testing"

	"github.com/google/go-cmp/cmp"
)

func TestHelpVersionAndNoArgs(t *testing.T) {
	r := runCLI(t, runOpts{}, "--help")
	if r.code != 0 || !strings.Contains(r.stdout, "First local workflow") || r.stderr != "" {
		t.Fatalf("--help: %+v", r)
	}
	r = runCLI(t, runOpts{})
	if r.code != 2 || r.stdout != "" || !strings.Contains(r.stderr, "Usage: plasmite") {
		t.Fatalf("plasmite alone must print help on stderr and exit 2: %+v", r)
	}
	r = runCLI(t, runOpts{argv0: "pls"})
	if r.code != 0 || r.stderr != "" || !strings.Contains(r.stdout, "Usage: plasmite") {
		t.Fatalf("pls alone must print help on stdout and exit 0: %+v", r)
	}
	for _, v := range []string{"-V", "--version", "---version"} {
		r = runCLI(t, runOpts{}, v)
		if r.code != 0 || !strings.HasPrefix(r.stdout, "plasmite ") || strings.Count(r.stdout, "\n") != 1 {
			t.Fatalf("%s: %+v", v, r)
		}
	}
	r = runCLI(t, runOpts{}, "version")
	got := jsonOf(t, r.stdout).(map[string]any)
	if r.code != 0 || got["name"] != "plasmite" || got["version"] == "" || len(got) != 2 {
		t.Fatalf("version piped: %+v", r)
	}
	r = runCLI(t, runOpts{ptyOut: true}, "version")
	if r.code != 0 || !strings.HasPrefix(r.stdout, "plasmite ") || strings.Contains(r.stdout, "{") {
		t.Fatalf("version on a terminal: %+v", r)
	}
	r = runCLI(t, runOpts{}, "help", "pool")
	if r.code != 0 || !strings.Contains(r.stdout, "Usage: plasmite pool <COMMAND>") || !strings.Contains(r.stdout, "list    List pools in the pool directory") {
		t.Fatalf("help pool: %+v", r)
	}
	for _, cmd := range []string{"feed", "follow", "fetch", "tap", "duplex", "doctor", "completion"} {
		r = runCLI(t, runOpts{}, cmd, "--help")
		if r.code != 0 || !strings.Contains(r.stdout, "Usage: plasmite "+cmd) {
			t.Fatalf("%s --help: %+v", cmd, r)
		}
		if cmd != "completion" && cmd != "fetch" && !strings.Contains(r.stdout, "Examples:") {
			t.Fatalf("%s --help has no examples", cmd)
		}
		r = runCLI(t, runOpts{}, cmd)
		if r.code != 2 || r.stdout != "" || !strings.Contains(r.stderr, "Usage: plasmite "+cmd) {
			t.Fatalf("bare %s must print help on stderr, exit 2: %+v", cmd, r)
		}
	}
}

func TestParseErrors(t *testing.T) {
	cases := []struct {
		args []string
		msg  string
		hint string
	}{
		{[]string{"follow", "--bogus", "x"}, "unexpected argument '--bogus' found", "Try `plasmite follow --help`."},
		{[]string{"follow", "x", "--tail", "abc"}, "invalid value 'abc' for '--tail <TAIL>': invalid digit found in string", "Try `plasmite --help`."},
		{[]string{"follow", "x", "--tail", "-1"}, "unexpected argument '-1' found", "Try `plasmite follow --help`."},
		{[]string{"follow", "--since", "5m", "--tail", "0", "x"}, "the argument '--since <SINCE>' cannot be used with '--tail <TAIL>'", "Try `plasmite follow --help`."},
		{[]string{"follow", "--one"}, "the following required arguments were not provided:", "Provide a pool ref, for example: `plasmite follow chat -n 1`."},
		{[]string{"feed", "x", "--file", "f", "{}"}, "the argument '--file <FILE>' cannot be used with '[DATA]'", "Try `plasmite feed --help`."},
		{[]string{"nosuch"}, "unrecognized subcommand 'nosuch'", "Try `plasmite --help`."},
		{[]string{"pool", "nosuch"}, "unrecognized subcommand 'nosuch'", "Try `plasmite pool --help`."},
		{[]string{"--color", "purple", "version"}, "invalid value 'purple' for '--color <COLOR>'", "Try `plasmite --help`."},
		{[]string{"completion", "nope"}, "invalid value 'nope' for '<SHELL>'", "Try `plasmite --help`."},
		{[]string{"feed", "x", "--durability", "slow", "{}"}, "invalid durability", "Use fast or flush."},
		{[]string{"feed", "x", "--retry-delay", "5ms", "{}"}, "--retry-delay requires --retry", "Add --retry or remove --retry-delay."},
		{[]string{"follow", "x", "--since", "yesterday"}, "invalid --since value", "Use RFC 3339 (2026-02-02T23:45:00Z) or relative like 5m."},
		{[]string{"follow", "x", "--timeout", "5d"}, "invalid duration", "Use a number plus ms|s|m|h (e.g. 10s)."},
		{[]string{"follow", "x", "--jsonl", "--format", "json"}, "conflicting output options", "Use --format json (or --jsonl), but not both."},
		{[]string{"follow", "x", "--replay=-1", "--tail", "1"}, "--replay speed must be non-negative", "Use --replay 1 for realtime, --replay 2 for 2x, --replay 0 for no delay."},
		{[]string{"follow", "x", "--replay", "1"}, "--replay requires --tail or --since", "Replay needs historical messages. Use --tail N or --since DURATION."},
		{[]string{"--dir", "a", "pool", "list", "--dir", "b"}, "conflicting --dir values select different pool directories", "Use one --dir value for the whole invocation."},
		{[]string{"pool", "create", "x", "--size", "12Q"}, "invalid size suffix", "Use K/M/G (e.g. 64M)."},
		{[]string{"pool", "create", "x", "--size", "big"}, "invalid size", "Use bytes or K/M/G (e.g. 64M)."},
		{[]string{"tap", "http://h:1/x", "--", "true"}, "tap accepts local pool refs only", "Use a local pool name/path (for example `plasmite tap build -- ...`)."},
		{[]string{"doctor", "x", "--all"}, "--all cannot be combined with a pool name", "Use --all by itself, or provide a single pool."},
		{[]string{"feed", "ftp://h/x", "{}"}, "pool ref must use http, https, or udp scheme", "Use http(s)://host:port/<pool> or udp://host:port/<pool>."},
	}
	for _, c := range cases {
		r := runCLI(t, runOpts{dir: t.TempDir()}, c.args...)
		if r.code != 2 || r.stdout != "" {
			t.Errorf("%v: want exit 2 and empty stdout, got %+v", c.args, r)
			continue
		}
		e := errEnvelope(t, r.stderr)
		want := map[string]any{"kind": "Usage", "message": c.msg, "hint": c.hint}
		delete(e, "causes")
		if d := cmp.Diff(want, e); d != "" {
			t.Errorf("%v: envelope (-want +got):\n%s", c.args, d)
		}
	}
}

func TestWhereCompileError(t *testing.T) {
	r := runCLI(t, runOpts{}, "--dir", t.TempDir(), "follow", "x", "--where", ".data.x ==")
	e := errEnvelope(t, r.stderr)
	if r.code != 2 || e["message"] != "invalid filter expression" || !strings.Contains(e["hint"].(string), "Failed to parse/compile `.data.x ==`.") {
		t.Fatalf("%+v", r)
	}
	r = runCLI(t, runOpts{}, "--dir", t.TempDir(), "follow", "x", "--where", "nosuchfn(1)")
	if r.code != 2 || errEnvelope(t, r.stderr)["message"] != "invalid filter expression" {
		t.Fatalf("unknown function must be a compile error: %+v", r)
	}
}

func TestErrorTextOnTerminal(t *testing.T) {
	r := runCLI(t, runOpts{ptyOut: true, ptyErr: true}, "--color", "never", "follow", "x", "--timeout", "5d")
	want := "error: invalid duration\nhint: Use a number plus ms|s|m|h (e.g. 10s).\n"
	if r.code != 2 || r.stderr != want {
		t.Fatalf("got %q (exit %d), want %q", r.stderr, r.code, want)
	}
	r = runCLI(t, runOpts{ptyOut: true, ptyErr: true}, "--color", "always", "follow", "--bogus", "x")
	if !strings.Contains(r.stderr, "\x1b[31merror:\x1b[0m") || !strings.Contains(r.stderr, "\x1b[33mhint:\x1b[0m") {
		t.Fatalf("colored labels: %q", r.stderr)
	}
	// 1.2.1 picks the error form from stdout: piped stdout → JSON even on a terminal stderr
	r = runCLI(t, runOpts{ptyErr: true}, "follow", "--bogus", "x")
	if errEnvelope(t, r.stderr)["message"] != "unexpected argument '--bogus' found" {
		t.Fatalf("stdout piped: %q", r.stderr)
	}
}

// `mcp` serves stdin until it ends (the protocol itself is tested in
// package mcp), and refuses binary output formats as 1.2.1 does.
func TestMCPCommand(t *testing.T) {
	dir := t.TempDir()
	r := runCLI(t, runOpts{stdin: `{"jsonrpc":"2.0","id":1,"method":"ping"}` + "\n"}, "mcp", "--dir", dir)
	if r.code != 0 || r.stdout != `{"id":1,"jsonrpc":"2.0","result":{}}`+"\n" || r.stderr != "" {
		t.Fatalf("ping: %+v", r)
	}
	r = runCLI(t, runOpts{}, "--format", "lite3", "mcp")
	if r.code != 2 || !strings.HasPrefix(r.stderr, "error: binary output requires a message command\n") {
		t.Fatalf("--format lite3: %+v", r)
	}
}

func TestCompletion(t *testing.T) {
	r := runCLI(t, runOpts{}, "completion", "bash")
	if r.code != 0 || !strings.Contains(r.stdout, "_plasmite") || !strings.Contains(r.stdout, "follow") || !strings.Contains(r.stdout, "pool") {
		t.Fatalf("bash: %+v", r)
	}
	r = runCLI(t, runOpts{}, "completion", "zsh")
	if r.code != 0 || !strings.Contains(r.stdout, "#compdef") || !strings.Contains(r.stdout, "pool") {
		t.Fatalf("zsh: %+v", r)
	}
	r = runCLI(t, runOpts{}, "completion", "fish")
	if r.code != 0 || !strings.Contains(r.stdout, "complete -c plasmite") {
		t.Fatalf("fish: %+v", r)
	}
}

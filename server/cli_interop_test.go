package server

import (
	"bufio"
	"bytes"
	"context"
	"os/exec"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/plasmite-go/plasmite/internal/reftest"
)

// refCLI runs the 1.2.1 CLI with a private HOME and saved-connection
// store (it reads the store even for loopback http).
func refCLI(t testing.TB, env []string, stdin string, args ...string) (stdout, stderr string, code int) {
	t.Helper()
	ctx, cancel := context.WithTimeout(context.Background(), time.Minute)
	defer cancel()
	cmd := exec.CommandContext(ctx, reftest.Bin(t), args...)
	cmd.Env = env
	cmd.Stdin = strings.NewReader(stdin)
	var out, errb bytes.Buffer
	cmd.Stdout, cmd.Stderr = &out, &errb
	err := cmd.Run()
	if ee, ok := err.(*exec.ExitError); ok {
		code = ee.ExitCode()
	} else if err != nil {
		t.Fatalf("%v: %v", args, err)
	}
	return out.String(), errb.String(), code
}

// TestRefCLIAgainstOurServer runs the 1.2.1 CLI's remote commands against
// our server and against 1.2.1's, and compares what they print.
func TestRefCLIAgainstOurServer(t *testing.T) {
	root := t.TempDir()
	refDir, ourDir := filepath.Join(root, "ref"), filepath.Join(root, "ours")
	refBase := refServer(t, refDir)
	s, ourBase := ours(t, ourDir, Options{})
	env := cliEnv(t)
	for _, base := range []string{refBase, ourBase} {
		mustCall(t, "POST", base+"/v0/pools", `{"pool":"demo"}`, 200)
	}
	steps := []struct {
		stdin string
		args  []string // "URL" is the pool URL, "ORIGIN" the server
	}{
		{"", []string{"feed", "URL", "--tag", "x", `{"k":"v"}`}},
		{"{\"a\":1}\n{\"a\":2,\"b\":[true,null]}\n", []string{"feed", "URL", "--tag", "in"}},
		{"", []string{"feed", "URL", "--durability", "flush", `{"f":1.25}`}},
		{"", []string{"feed", "URL", "--create", `{"x":1}`}},
		{"", []string{"feed", "ORIGIN/nope", `{"x":1}`}},
		{"", []string{"fetch", "URL", "1"}},
		{"", []string{"fetch", "URL", "2", "--format", "yaml"}},
		{"", []string{"fetch", "URL", "99"}},
		{"", []string{"fetch", "ORIGIN/nope", "1"}},
		{"", []string{"pool", "info", "URL"}},
		{"", []string{"pool", "info", "ORIGIN/nope"}},
		{"", []string{"pool", "list", "ORIGIN"}},
		{"", []string{"follow", "URL", "--tail", "2", "--no-follow"}},
		{"", []string{"follow", "URL", "--no-follow"}},
		{"", []string{"follow", "URL", "--no-follow", "--tag", "in"}},
		{"", []string{"follow", "URL", "--tail", "1", "--timeout", "300ms"}},
		{"", []string{"follow", "URL", "--tail", "3", "--no-follow", "--format", "jsonl"}},
	}
	for _, st := range steps {
		var outs [2]string
		for i, base := range []string{refBase, ourBase} {
			args := make([]string, len(st.args))
			for j, a := range st.args {
				a = strings.ReplaceAll(a, "URL", base+"/demo")
				args[j] = strings.ReplaceAll(a, "ORIGIN", base)
			}
			out, errb, code := refCLI(t, env, st.stdin, args...)
			dir := []string{refDir, ourDir}[i]
			outs[i] = strings.ReplaceAll(strings.ReplaceAll(masked(out+"\n--stderr--\n"+errb), base, "BASE"), dir, "DIR") + "\nexit " + string(rune('0'+code))
		}
		if outs[0] != outs[1] {
			t.Errorf("%v:\n ref  %s\n ours %s", st.args, outs[0], outs[1])
		}
	}

	// Duplex feeds stdin and follows, and ends when stdin does: what it
	// prints depends on the order of its own requests, so only its outcome
	// is checked.
	out, errb, code := refCLI(t, env, "{\"d\":1}\n", "duplex", ourBase+"/demo", "--tail", "1")
	if code != 0 || errb != "" {
		t.Errorf("duplex: exit %d %q %q", code, out, errb)
	}
	if r := mustCall(t, "GET", ourBase+"/v0/pools/demo/messages/5", "", 200); !strings.Contains(r.body, `"d":1`) {
		t.Errorf("duplex's message: %s", r.body)
	}

	// Live follow: it starts after the newest message and gets what comes.
	cmd := exec.Command(reftest.Bin(t), "follow", ourBase+"/demo")
	cmd.Env = env
	stdout, _ := cmd.StdoutPipe()
	if err := cmd.Start(); err != nil {
		t.Fatal(err)
	}
	defer func() { cmd.Process.Kill(); cmd.Wait() }()
	waitFor(t, "the follower's stream", func() bool { return len(s.tails) == 1 })
	// The stream counted may be another's still ending: append until the
	// follower prints (it starts after the newest message it saw).
	lines := make(chan string, 16)
	go func() {
		br := bufio.NewReader(stdout)
		for {
			line, err := br.ReadString('\n')
			if err != nil {
				close(lines)
				return
			}
			lines <- line
		}
	}()
	for deadline := time.Now().Add(30 * time.Second); ; {
		mustCall(t, "POST", ourBase+"/v0/pools/demo/append", `{"data":{"live":1}}`, 200)
		select {
		case line, ok := <-lines:
			if !ok || !strings.Contains(line, `"live":1`) {
				t.Fatalf("live follow: %q", line)
			}
			return
		case <-time.After(500 * time.Millisecond):
		}
		if time.Now().After(deadline) {
			t.Fatal("the live follower printed nothing")
		}
	}
}

// waitFor polls cond until it holds (10 s at most).
func waitFor(t testing.TB, what string, cond func() bool) {
	t.Helper()
	deadline := time.Now().Add(10 * time.Second)
	for !cond() {
		if time.Now().After(deadline) {
			t.Fatalf("timed out waiting for %s", what)
		}
		time.Sleep(2 * time.Millisecond)
	}
}

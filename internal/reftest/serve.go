package reftest

import (
	"bytes"
	"encoding/json"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"testing"
	"time"
)

// Env returns the environment for a CLI or server process (either
// implementation's): the test's own, with HOME and the saved-connection
// store pointing into a fresh temporary directory (so that 1.2.1 reads and
// writes nothing of the user's), no ready file, no named semaphores, and
// extra ("NAME=value") added.
func Env(t testing.TB, extra ...string) []string {
	t.Helper()
	home := t.TempDir()
	env := []string{}
	for _, kv := range os.Environ() {
		switch k, _, _ := strings.Cut(kv, "="); k {
		case "HOME", "PLASMITE_ACCESS_HOME", "XDG_CONFIG_HOME", "PLASMITE_SERVE_READY_FILE":
			continue
		}
		env = append(env, kv)
	}
	return append(append(env, "HOME="+home, "PLASMITE_ACCESS_HOME="+filepath.Join(home, "access"),
		"PLASMITE_NOTIFY_SEMAPHORE=off"), extra...)
}

// Serve runs `bin --dir dir serve --bind 127.0.0.1:0 --remote-bind
// 127.0.0.1:0 args...` (bin is either implementation's CLI) as harnesses
// written for 1.2.1 do: with PLASMITE_SERVE_READY_FILE set, waiting for the
// file, then reading dir/.plasmite-serve/local.json. It returns the local
// listener's base URL ("http://127.0.0.1:PORT") and the running process;
// the server is stopped when the test ends: SIGINT, then SIGKILL after 3 s
// (1.2.1 drains its open tail streams before exiting, and a stream whose
// client went away lasts until its deadline on the server, up to 30 s; no
// test needs that drain).
func Serve(t testing.TB, bin, dir string, args ...string) (string, *exec.Cmd) {
	t.Helper()
	if err := os.MkdirAll(dir, 0o755); err != nil {
		t.Fatal(err)
	}
	ready := filepath.Join(t.TempDir(), "ready")
	cmd := exec.Command(bin, append([]string{"--dir", dir, "serve", "--bind", "127.0.0.1:0", "--remote-bind", "127.0.0.1:0"}, args...)...)
	cmd.Env = Env(t, "PLASMITE_SERVE_READY_FILE="+ready)
	var stderr bytes.Buffer
	cmd.Stderr = &stderr
	if err := cmd.Start(); err != nil {
		t.Fatal(err)
	}
	exited := make(chan error, 1)
	go func() { exited <- cmd.Wait() }()
	t.Cleanup(func() {
		cmd.Process.Signal(os.Interrupt)
		select {
		case <-exited:
		case <-time.After(3 * time.Second):
			cmd.Process.Kill()
			<-exited
		}
	})
	deadline := time.Now().Add(30 * time.Second)
	for {
		if b, err := os.ReadFile(ready); err == nil && len(b) > 0 {
			break
		}
		select {
		case err := <-exited:
			t.Fatalf("%s serve exited: %v: %s", bin, err, stderr.Bytes())
		case <-time.After(10 * time.Millisecond):
		}
		if time.Now().After(deadline) {
			t.Fatalf("%s serve not ready after 30s: %s", bin, stderr.Bytes())
		}
	}
	b, err := os.ReadFile(filepath.Join(dir, ".plasmite-serve", "local.json"))
	var addr string
	if err != nil || json.Unmarshal(b, &addr) != nil {
		t.Fatalf("local.json: %q %v", b, err)
	}
	return "http://" + addr, cmd
}

// Server is a `serve` implementation to run tests against.
type Server struct {
	Name string // "reference" or "ours"
	Bin  string
}

// Servers returns the servers a client test runs against: the reference's
// (skip or fail without it, as Bin), then ours when one is given: the CLI
// at $PLASMITE_SERVE_BIN, else at $PLASMITE_BIN, if its `serve` is
// implemented.
func Servers(t testing.TB) []Server {
	t.Helper()
	out := []Server{{"reference", Bin(t)}}
	for _, v := range []string{"PLASMITE_SERVE_BIN", "PLASMITE_BIN"} {
		bin := os.Getenv(v)
		if bin == "" {
			continue
		}
		help, err := exec.Command(bin, "serve", "--help").CombinedOutput()
		if err == nil && !bytes.Contains(help, []byte("not yet implemented")) {
			out = append(out, Server{"ours", bin})
		}
		break
	}
	return out
}

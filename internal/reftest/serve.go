package reftest

import (
	"bytes"
	"encoding/json"
	"os"
	"os/exec"
	"path/filepath"
	"testing"
	"time"
)

// Serve runs `bin --dir dir serve --bind 127.0.0.1:0 --remote-bind
// 127.0.0.1:0 args...` (bin: Bin(t) for the reference, or our own CLI) with
// HOME, PLASMITE_ACCESS_HOME and PLASMITE_SERVE_READY_FILE in a temporary
// directory, waits until it is ready (the ready file is written once every
// listener is bound), and returns the local listener's base URL
// ("http://127.0.0.1:PORT", read from dir/.plasmite-serve/local.json). The
// server is killed when the test ends; exiting early or not getting ready
// within 30 s fails the test.
func Serve(t testing.TB, bin, dir string, args ...string) string {
	t.Helper()
	work := t.TempDir()
	ready := filepath.Join(work, "ready")
	cmd := exec.Command(bin, append([]string{"--dir", dir, "serve", "--bind", "127.0.0.1:0", "--remote-bind", "127.0.0.1:0"}, args...)...)
	cmd.Env = append(os.Environ(), "HOME="+work, "PLASMITE_ACCESS_HOME="+filepath.Join(work, "access"),
		"PLASMITE_SERVE_READY_FILE="+ready)
	var stderr bytes.Buffer
	cmd.Stderr = &stderr
	if err := cmd.Start(); err != nil {
		t.Fatal(err)
	}
	exited := make(chan error, 1)
	go func() { exited <- cmd.Wait() }()
	t.Cleanup(func() {
		cmd.Process.Kill()
		<-exited
	})
	deadline := time.Now().Add(30 * time.Second)
	for {
		if b, err := os.ReadFile(ready); err == nil && len(b) > 0 {
			break
		}
		select {
		case err := <-exited:
			t.Fatalf("%s serve exited: %v: %s", bin, err, stderr.Bytes())
		case <-time.After(20 * time.Millisecond):
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
	return "http://" + addr
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

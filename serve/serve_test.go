package serve

import (
	"bytes"
	"context"
	"encoding/json"
	"errors"
	"net/http"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"syscall"
	"testing"
	"time"

	"github.com/plasmite-go/plasmite/core"
	"github.com/plasmite-go/plasmite/internal/reftest"
)

func u64(v uint64) *uint64 { return &v }

// check refuses what 1.2.1's serve refuses, with its messages.
func TestCheck(t *testing.T) {
	for _, c := range []struct {
		o   Options
		msg string
	}{
		{Options{Bind: "localhost:9700"}, "invalid local bind address"},
		{Options{Bind: "0.0.0.0:9700"}, "local administration must bind to a loopback address"},
		{Options{RemoteBind: "example.com:1"}, "invalid remote bind address"},
		{Options{Bind: "127.0.0.1:5000", RemoteBind: "127.0.0.1:5000"}, "local and remote listeners need different addresses"},
		{Options{Server: "http://example.com"}, "SERVER must be an HTTPS origin"},
		{Options{Server: "https://example.com/pool"}, "SERVER must be an HTTPS origin"},
		{Options{SharedAddress: "https://u@example.com"}, "--shared-address must be an HTTPS origin"},
		{Options{Server: "https://a", SharedAddress: "https://b"}, "supply the server address once, as SERVER or --shared-address"},
		{Options{UDP: "nope"}, "invalid UDP bind address"},
		{Options{UDP: "224.0.0.1:5"}, "UDP input cannot bind to a multicast address"},
		{Options{MaxBodyBytes: u64(0)}, "--max-body-bytes must fit in memory and be greater than zero"},
		{Options{MaxTailTimeoutMS: u64(0)}, "--max-tail-timeout-ms must be greater than zero"},
		{Options{MaxTailConcurrency: u64(0)}, "--max-tail-concurrency must be greater than zero"},
		{Options{TLSCert: "c.pem"}, "--tls-cert and --tls-key must be supplied together"},
	} {
		c.o.Dir = "pools"
		_, err := check(c.o)
		if core.KindOf(err) != core.Usage || !strings.Contains(err.Error(), c.msg) {
			t.Errorf("%+v: %v, want Usage %q", c.o, err, c.msg)
		}
	}
	c, err := check(Options{Dir: "pools", Server: "https://Pools.Example.com:443"})
	if err != nil || c.origin != "https://pools.example.com" || c.remoteBind.String() != "0.0.0.0:443" {
		t.Errorf("SERVER moves the remote port: %+v %v", c, err)
	}
	c, err = check(Options{Dir: "pools", Server: "https://localhost:0"})
	if err != nil || c.origin != "https://localhost:0" || c.remoteBind.String() != "0.0.0.0:0" {
		t.Errorf("SERVER with port 0 (1.2.1 takes a free port): %+v %v", c, err)
	}
	if _, err := check(Options{Dir: "pools", Server: "https://localhost:70000"}); core.KindOf(err) != core.Usage {
		t.Errorf("port 70000: %v", err)
	}
	c, err = check(Options{Dir: "pools", SharedAddress: "https://pools.example.com:8443"})
	if err != nil || c.remoteBind.String() != "0.0.0.0:9743" || c.bind.String() != DefaultBind {
		t.Errorf("--shared-address keeps 9743: %+v %v", c, err)
	}
}

// The option checks agree with 1.2.1's on the cases it reports before
// binding anything.
func TestCheckMatchesReference(t *testing.T) {
	bin := reftest.Bin(t)
	for _, args := range [][]string{
		{"--bind", "0.0.0.0:0"},
		{"--bind", "localhost:0"},
		{"--remote-bind", "nope"},
		{"http://example.com"},
		{"--max-tail-concurrency", "0"},
		{"--max-body-bytes", "0"},
		{"--max-tail-timeout-ms", "0"},
		{"--bind", "127.0.0.1:5000", "--remote-bind", "127.0.0.1:5000"},
	} {
		cmd := exec.Command(bin, append([]string{"--dir", t.TempDir(), "serve"}, args...)...)
		cmd.Env = append(os.Environ(), "HOME="+t.TempDir())
		out, _ := cmd.CombinedOutput()
		var env struct {
			Error struct{ Kind, Message string }
		}
		if err := json.Unmarshal(bytes.TrimSpace(out), &env); err != nil {
			t.Fatalf("%v: %q", args, out)
		}
		o := Options{Dir: "pools"}
		for i := 0; i < len(args); i++ {
			switch args[i] {
			case "--bind":
				i++
				o.Bind = args[i]
			case "--remote-bind":
				i++
				o.RemoteBind = args[i]
			case "--max-tail-concurrency":
				i++
				o.MaxTailConcurrency = u64(0)
			case "--max-body-bytes":
				i++
				o.MaxBodyBytes = u64(0)
			case "--max-tail-timeout-ms":
				i++
				o.MaxTailTimeoutMS = u64(0)
			default:
				o.Server = args[i]
			}
		}
		_, err := check(o)
		e, _ := err.(*core.Error)
		if e == nil || e.Kind.String() != env.Error.Kind || e.Message != env.Error.Message {
			t.Errorf("%v: 1.2.1 %s %q, ours %v", args, env.Error.Kind, env.Error.Message, err)
		}
	}
}

// Run serves until its context ends: the harness contract (ready file,
// then local.json), the lock, the banner, and a prompt drain.
func TestRun(t *testing.T) {
	dir := filepath.Join(t.TempDir(), "pools")
	ready := filepath.Join(t.TempDir(), "ready")
	ctx, cancel := context.WithCancel(context.Background())
	var stderr bytes.Buffer
	done := make(chan error, 1)
	go func() {
		done <- Run(ctx, Options{Dir: dir, Bind: "127.0.0.1:0", RemoteBind: "127.0.0.1:0", ReadyFile: ready}, &stderr)
	}()
	deadline := time.Now().Add(10 * time.Second)
	for {
		if b, err := os.ReadFile(ready); err == nil && len(b) > 0 {
			break
		}
		if time.Now().After(deadline) {
			t.Fatal("no ready file")
		}
		time.Sleep(5 * time.Millisecond)
	}
	b, err := os.ReadFile(filepath.Join(dir, ".plasmite-serve", "local.json"))
	var addr string
	if err != nil || json.Unmarshal(b, &addr) != nil {
		t.Fatalf("local.json %q %v", b, err)
	}
	r, _ := os.ReadFile(ready)
	if string(r) == addr {
		t.Errorf("ready file %q is the local address, not the HTTPS one", r)
	}
	for _, p := range []string{"", "lock", "local.json"} {
		fi, err := os.Stat(filepath.Join(dir, ".plasmite-serve", p))
		want := os.FileMode(0o600)
		if p == "" {
			want = 0o700 | os.ModeDir
		}
		if err != nil || fi.Mode() != want {
			t.Errorf("%s: %v %v", p, fi.Mode(), err)
		}
	}
	resp, err := http.Get("http://" + addr + "/healthz")
	if err != nil || resp.StatusCode != 200 {
		t.Fatalf("healthz: %v %v", resp, err)
	}
	resp.Body.Close()
	for _, want := range []string{"Serving " + dir, "Local: http://" + addr + "/ui", "Remote listener: " + string(r)} {
		if !strings.Contains(stderr.String(), want) {
			t.Errorf("banner lacks %q: %s", want, stderr.String())
		}
	}
	err = Run(context.Background(), Options{Dir: dir, Bind: "127.0.0.1:0", RemoteBind: "127.0.0.1:0"}, &bytes.Buffer{})
	var e *core.Error
	if !errors.As(err, &e) || e.Kind != core.Busy || e.Message != "another server owns this pool directory" {
		t.Errorf("second server: %v", err)
	}
	// A live stream does not hold the drain up.
	go http.Get("http://" + addr + "/v0/ui/pools/stream")
	start := time.Now()
	cancel()
	if err := <-done; err != nil {
		t.Errorf("Run: %v", err)
	}
	if el := time.Since(start); el > 5*time.Second {
		t.Errorf("drain took %v", el)
	}
}

// The built CLI: SIGTERM ends a server promptly, a second one on the same
// directory exits 5.
func TestServeCommand(t *testing.T) {
	bin := os.Getenv("PLASMITE_BIN")
	if bin == "" {
		t.Skip("PLASMITE_BIN is not set (make test sets it)")
	}
	dir := t.TempDir()
	ready := filepath.Join(t.TempDir(), "ready")
	cmd := exec.Command(bin, "--dir", dir, "serve", "--bind", "127.0.0.1:0", "--remote-bind", "127.0.0.1:0")
	cmd.Env = append(os.Environ(), "PLASMITE_SERVE_READY_FILE="+ready)
	if err := cmd.Start(); err != nil {
		t.Fatal(err)
	}
	defer cmd.Process.Kill()
	deadline := time.Now().Add(10 * time.Second)
	for {
		if b, err := os.ReadFile(ready); err == nil && len(b) > 0 {
			break
		}
		if time.Now().After(deadline) {
			t.Fatal("no ready file")
		}
		time.Sleep(5 * time.Millisecond)
	}
	second := exec.Command(bin, "--dir", dir, "serve", "--bind", "127.0.0.1:0", "--remote-bind", "127.0.0.1:0")
	out, err := second.CombinedOutput()
	if ee, ok := err.(*exec.ExitError); !ok || ee.ExitCode() != 5 || !strings.Contains(string(out), "another server owns this pool directory") {
		t.Errorf("second server: %v %s", err, out)
	}
	start := time.Now()
	cmd.Process.Signal(syscall.SIGTERM)
	if err := cmd.Wait(); err != nil {
		t.Errorf("after SIGTERM: %v", err)
	}
	if el := time.Since(start); el > 5*time.Second {
		t.Errorf("SIGTERM drain took %v", el)
	}
}

package server

import (
	"context"
	"encoding/json"
	"io"
	"net"
	"net/http"
	"os"
	"os/exec"
	"regexp"
	"strings"
	"testing"

	"github.com/plasmite-go/plasmite/internal/reftest"
)

// ours starts a Server on dir (created) behind a real loopback listener
// and returns it with its base URL; it stops when the test ends.
func ours(t testing.TB, dir string, opts Options) (*Server, string) {
	t.Helper()
	if err := os.MkdirAll(dir, 0o755); err != nil {
		t.Fatal(err)
	}
	s, err := New(dir, opts)
	if err != nil {
		t.Fatal(err)
	}
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	ctx, cancel := context.WithCancel(context.Background())
	done := make(chan error, 1)
	go func() { done <- s.Serve(ctx, ln, s.Handler()) }()
	t.Cleanup(func() {
		cancel()
		if err := <-done; err != nil {
			t.Errorf("Serve: %v", err)
		}
	})
	return s, "http://" + ln.Addr().String()
}

// cliEnv is an environment for a CLI or server process (reftest.Env).
func cliEnv(t testing.TB, extra ...string) []string { return reftest.Env(t, extra...) }

// serveProcess runs bin's server on dir as 1.2.1 harnesses do
// (reftest.Serve) and returns the local base URL and the process.
func serveProcess(t testing.TB, bin, dir string, args ...string) (string, *exec.Cmd) {
	t.Helper()
	return reftest.Serve(t, bin, dir, args...)
}

// refServer starts the 1.2.1 server on dir.
func refServer(t testing.TB, dir string) string {
	t.Helper()
	if err := os.MkdirAll(dir, 0o755); err != nil {
		t.Fatal(err)
	}
	base, _ := serveProcess(t, reftest.Bin(t), dir)
	return base
}

// oursBin is the built plasmite CLI (PLASMITE_BIN, as `make test` sets it).
func oursBin(t testing.TB) string {
	t.Helper()
	bin := os.Getenv("PLASMITE_BIN")
	if bin == "" {
		if os.Getenv("PLASMITE_REQUIRE_REF") == "1" {
			t.Fatal("PLASMITE_BIN is not set")
		}
		t.Skip("PLASMITE_BIN is not set (make test sets it)")
	}
	return bin
}

// reply is one HTTP response, read whole.
type reply struct {
	status int
	header http.Header
	body   string
}

// call sends one request; headers are "Name: value" strings.
func call(t testing.TB, method, url, body string, headers ...string) reply {
	t.Helper()
	req, err := http.NewRequest(method, url, strings.NewReader(body))
	if err != nil {
		t.Fatal(err)
	}
	if body != "" {
		req.Header.Set("Content-Type", "application/json")
	}
	for _, h := range headers {
		k, v, _ := strings.Cut(h, ":")
		v = strings.TrimSpace(v)
		if k == "Host" {
			req.Host = v
			continue
		}
		if v == "" {
			req.Header.Del(k)
			continue
		}
		req.Header.Set(k, v)
	}
	resp, err := http.DefaultClient.Do(req)
	if err != nil {
		t.Fatal(err)
	}
	defer resp.Body.Close()
	b, err := io.ReadAll(resp.Body)
	if err != nil && !strings.Contains(err.Error(), "unexpected EOF") {
		t.Fatal(err)
	}
	return reply{resp.StatusCode, resp.Header, string(b)}
}

// timesRE and agesRE match what differs between two runs of the same
// requests: timestamps and ages.
var (
	timesRE = regexp.MustCompile(`["']\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d(\.\d+)?Z["']`)
	agesRE  = regexp.MustCompile(`"(newest|oldest)_age_ms":\d+`)
)

// masked is body with times and ages replaced.
func masked(body string) string {
	return agesRE.ReplaceAllString(timesRE.ReplaceAllString(body, `"TIME"`), `"${1}_age_ms":AGE`)
}

// envelope checks that body is an error envelope of kind and returns its
// message.
func envelope(t testing.TB, r reply, status int, kind string) string {
	t.Helper()
	var env struct {
		Error struct{ Kind, Message string }
	}
	if r.status != status || json.Unmarshal([]byte(r.body), &env) != nil || env.Error.Kind != kind {
		t.Fatalf("want %d %s envelope, got %d %q", status, kind, r.status, r.body)
	}
	if r.header.Get("Plasmite-Version") != "0" || r.header.Get("Content-Type") != "application/json" {
		t.Fatalf("error headers: %v", r.header)
	}
	return env.Error.Message
}

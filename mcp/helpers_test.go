package mcp

import (
	"bufio"
	"context"
	"io"
	"net"
	"net/http"
	"os"
	"os/exec"
	"regexp"
	"strings"
	"testing"
	"time"

	"github.com/plasmite-go/plasmite/core"
	"github.com/plasmite-go/plasmite/internal/reftest"
	"github.com/plasmite-go/plasmite/server"
)

// ourServer serves dir (created) with MCP registered, behind a real
// loopback listener, until the test ends.
func ourServer(t testing.TB, dir string, opts server.Options) (*server.Server, string) {
	t.Helper()
	if err := os.MkdirAll(dir, 0o755); err != nil {
		t.Fatal(err)
	}
	srv, err := server.New(dir, opts)
	if err != nil {
		t.Fatal(err)
	}
	Register(srv, Options{})
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	ctx, cancel := context.WithCancel(context.Background())
	done := make(chan error, 1)
	go func() { done <- srv.Serve(ctx, ln, srv.Handler()) }()
	t.Cleanup(func() {
		cancel()
		if err := <-done; err != nil {
			t.Errorf("Serve: %v", err)
		}
	})
	return srv, "http://" + ln.Addr().String()
}

// serveBin runs bin's `serve` on dir (reftest.Serve) and returns its
// local base URL.
func serveBin(t testing.TB, bin, dir string, args ...string) string {
	t.Helper()
	base, _ := reftest.Serve(t, bin, dir, args...)
	return base
}

// ourBin is the built plasmite CLI (PLASMITE_BIN, as `make test` sets it).
func ourBin(t testing.TB) string {
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

// post sends body to base/mcp with Content-Type application/json (unless
// headers name another) and headers ("Name: value"; "Name:" removes a header, "Host: h" sets the
// Host; a repeated name adds values).
func post(t testing.TB, base, body string, headers ...string) reply {
	t.Helper()
	for _, h := range headers {
		if strings.HasPrefix(h, "Content-Type:") {
			return send(t, "POST", base+"/mcp", body, headers...)
		}
	}
	return send(t, "POST", base+"/mcp", body, append([]string{"Content-Type: application/json"}, headers...)...)
}

// withVersion is the protocol-version header of every request after
// initialize.
const withVersion = "MCP-Protocol-Version: " + ProtocolVersion

func send(t testing.TB, method, url, body string, headers ...string) reply {
	t.Helper()
	req, err := http.NewRequest(method, url, strings.NewReader(body))
	if err != nil {
		t.Fatal(err)
	}
	set := map[string]bool{}
	for _, h := range headers {
		k, v, _ := strings.Cut(h, ":")
		v = strings.TrimSpace(v)
		switch {
		case k == "Host":
			req.Host = v
		case v == "":
			req.Header.Del(k)
		case set[k]:
			req.Header.Add(k, v)
		default:
			req.Header.Set(k, v)
			set[k] = true
		}
	}
	resp, err := http.DefaultClient.Do(req)
	if err != nil {
		t.Fatal(err)
	}
	defer resp.Body.Close()
	b, err := io.ReadAll(resp.Body)
	if err != nil {
		t.Fatal(err)
	}
	return reply{resp.StatusCode, resp.Header, string(b)}
}

// stdio is a running `mcp` process: send a line, read its response line.
type stdio struct {
	t     testing.TB
	in    io.WriteCloser
	lines chan string
	cmd   *exec.Cmd
}

// startStdio runs `bin --dir dir mcp` until the test ends.
func startStdio(t testing.TB, bin, dir string) *stdio {
	t.Helper()
	cmd := exec.Command(bin, "--dir", dir, "mcp")
	cmd.Env = reftest.Env(t)
	in, err := cmd.StdinPipe()
	if err != nil {
		t.Fatal(err)
	}
	out, err := cmd.StdoutPipe()
	if err != nil {
		t.Fatal(err)
	}
	cmd.Stderr = os.Stderr
	if err := cmd.Start(); err != nil {
		t.Fatal(err)
	}
	p := &stdio{t: t, in: in, lines: make(chan string, 16), cmd: cmd}
	go func() {
		sc := bufio.NewScanner(out)
		sc.Buffer(nil, 64<<20)
		for sc.Scan() {
			p.lines <- sc.Text()
		}
		close(p.lines)
	}()
	t.Cleanup(func() {
		in.Close()
		done := make(chan error, 1)
		go func() { done <- cmd.Wait() }()
		select {
		case err := <-done:
			if err != nil {
				t.Errorf("%s mcp: %v", bin, err)
			}
		case <-time.After(15 * time.Second):
			cmd.Process.Kill()
			t.Errorf("%s mcp did not exit at the end of its input", bin)
		}
	})
	return p
}

func (p *stdio) send(line string) {
	p.t.Helper()
	if _, err := io.WriteString(p.in, line+"\n"); err != nil {
		p.t.Fatal(err)
	}
}

// recv is the next response line (failing after a minute without one).
func (p *stdio) recv() string {
	p.t.Helper()
	select {
	case l, ok := <-p.lines:
		if !ok {
			p.t.Fatal("mcp process closed its output")
		}
		return l
	case <-time.After(time.Minute):
		p.t.Fatal("no response from the mcp process within a minute")
	}
	return ""
}

// What differs between two runs of the same requests: times (also inside
// a resource's JSON text), ages, and the server version.
var (
	timesRE   = regexp.MustCompile(`\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d(\.\d+)?Z`)
	agesRE    = regexp.MustCompile(`(_age_ms\\?":)\d+`)
	versionRE = regexp.MustCompile(`("serverInfo":\{"name":"plasmite","version":)"[^"]*"`)
)

// masked is body with times, ages, the version and the directory replaced.
func masked(body, dir string) string {
	body = strings.ReplaceAll(body, dir, "DIR")
	body = timesRE.ReplaceAllString(body, "TIME")
	body = agesRE.ReplaceAllString(body, "${1}AGE")
	return versionRE.ReplaceAllString(body, `$1"VERSION"`)
}

// quiet opens pools without posting 1.2.1's named semaphore, so that the
// tests' temporary pools leave nothing in /dev/shm.
var quiet = core.OpenOptions{NoSemaphore: true}

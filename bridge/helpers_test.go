package bridge

import (
	"bufio"
	"context"
	"encoding/json"
	"io"
	"os"
	"os/exec"
	"path/filepath"
	"sync"
	"testing"
	"time"

	"github.com/nats-io/nats-server/v2/server"
	"github.com/nats-io/nats.go"
	"github.com/nats-io/nats.go/jetstream"

	"github.com/plasmite-go/plasmite/core"
	"github.com/plasmite-go/plasmite/core/jsonfmt"
	"github.com/plasmite-go/plasmite/core/lite3"
)

// startServer runs an embedded JetStream server on a loopback port for the
// test and returns its client URL.
func startServer(t testing.TB) string {
	t.Helper()
	s, err := server.NewServer(&server.Options{Host: "127.0.0.1", Port: -1, JetStream: true,
		StoreDir: t.TempDir(), NoLog: true, NoSigs: true})
	if err != nil {
		t.Fatal(err)
	}
	go s.Start()
	if !s.ReadyForConnections(10 * time.Second) {
		t.Fatal("nats-server did not start")
	}
	t.Cleanup(func() { s.Shutdown(); s.WaitForShutdown() })
	return s.ClientURL()
}

// client connects the test's own JetStream client.
func client(t testing.TB, url string) (*nats.Conn, jetstream.JetStream) {
	t.Helper()
	nc, err := nats.Connect(url)
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(nc.Close)
	js, err := jetstream.New(nc)
	if err != nil {
		t.Fatal(err)
	}
	return nc, js
}

func createStream(t testing.TB, js jetstream.JetStream, name string, subjects ...string) jetstream.Stream {
	t.Helper()
	s, err := js.CreateStream(context.Background(), jetstream.StreamConfig{Name: name, Subjects: subjects})
	if err != nil {
		t.Fatal(err)
	}
	return s
}

func createPool(t testing.TB, size int64) (*core.Pool, string) {
	t.Helper()
	path := filepath.Join(t.TempDir(), "p.plasmite")
	p, err := core.CreateWith(path, core.CreateOptions{Size: size, Open: core.OpenOptions{NoSemaphore: true}})
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { p.Close() })
	return p, path
}

// streamMsgs reads every message of the stream in order.
func streamMsgs(t testing.TB, js jetstream.JetStream, stream string) []jetstream.Msg {
	t.Helper()
	ctx := context.Background()
	s, err := js.Stream(ctx, stream)
	if err != nil {
		t.Fatal(err)
	}
	info, err := s.Info(ctx)
	if err != nil {
		t.Fatal(err)
	}
	n := info.State.Msgs
	c, err := s.OrderedConsumer(ctx, jetstream.OrderedConsumerConfig{})
	if err != nil {
		t.Fatal(err)
	}
	var out []jetstream.Msg
	for uint64(len(out)) < n {
		b, err := c.Fetch(1000, jetstream.FetchMaxWait(2*time.Second))
		if err != nil {
			t.Fatal(err)
		}
		got := 0
		for m := range b.Messages() {
			out = append(out, m)
			got++
		}
		if got == 0 {
			t.Fatalf("stream %s: read %d of %d messages", stream, len(out), n)
		}
	}
	return out
}

// waitFor polls cond (every 10 ms) until it holds or d passes.
func waitFor(t testing.TB, d time.Duration, what string, cond func() bool) {
	t.Helper()
	deadline := time.Now().Add(d)
	for !cond() {
		if time.Now().After(deadline) {
			t.Fatalf("timed out waiting for %s", what)
		}
		time.Sleep(10 * time.Millisecond)
	}
}

var (
	binOnce sync.Once
	binPath string
	binErr  error
)

// plsBin is the CLI: PLASMITE_BIN (make test sets it), else built once.
func plsBin(t testing.TB) string {
	t.Helper()
	if b := os.Getenv("PLASMITE_BIN"); b != "" {
		return b
	}
	binOnce.Do(func() {
		dir, err := os.MkdirTemp("", "bridge-bin")
		if err != nil {
			binErr = err
			return
		}
		binPath = filepath.Join(dir, "plasmite")
		out, err := exec.Command("go", "build", "-o", binPath, "../cli").CombinedOutput()
		if err != nil {
			binErr = errorString(string(out) + err.Error())
		}
	})
	if binErr != nil {
		t.Fatal(binErr)
	}
	return binPath
}

type errorString string

func (e errorString) Error() string { return string(e) }

// bridgeProc is a running `plasmite bridge … --json` process whose events
// are collected.
type bridgeProc struct {
	cmd    *exec.Cmd
	mu     sync.Mutex
	events []map[string]any
	done   chan struct{} // stdout closed
	start  chan struct{} // the start event arrived
}

func runBridge(t testing.TB, args ...string) *bridgeProc {
	t.Helper()
	cmd := exec.Command(plsBin(t), append([]string{"bridge", "--json", "--interval", "100ms"}, args...)...)
	cmd.Env = append(os.Environ(), "PLASMITE_NOTIFY_SEMAPHORE=off")
	cmd.Stderr = os.Stderr
	out, err := cmd.StdoutPipe()
	if err != nil {
		t.Fatal(err)
	}
	if err := cmd.Start(); err != nil {
		t.Fatal(err)
	}
	p := &bridgeProc{cmd: cmd, done: make(chan struct{}), start: make(chan struct{})}
	go p.read(out)
	return p
}

func (p *bridgeProc) read(r io.Reader) {
	defer close(p.done)
	sc := bufio.NewScanner(r)
	started := false
	for sc.Scan() {
		var e map[string]any
		if json.Unmarshal(sc.Bytes(), &e) != nil {
			continue
		}
		p.mu.Lock()
		p.events = append(p.events, e)
		p.mu.Unlock()
		if e["event"] == "start" && !started {
			started = true
			close(p.start)
		}
	}
}

// Events returns the events read so far of the given kind.
func (p *bridgeProc) Events(kind string) []map[string]any {
	p.mu.Lock()
	defer p.mu.Unlock()
	var out []map[string]any
	for _, e := range p.events {
		if e["event"] == kind {
			out = append(out, e)
		}
	}
	return out
}

// waitStart waits for the start event (or the process's end).
func (p *bridgeProc) waitStart(t testing.TB) {
	t.Helper()
	select {
	case <-p.start:
	case <-p.done:
		t.Fatal("bridge exited before starting")
	case <-time.After(20 * time.Second):
		t.Fatal("bridge did not start")
	}
}

// kill SIGKILLs the bridge and reaps it.
func (p *bridgeProc) kill() {
	p.cmd.Process.Kill()
	<-p.done
	p.cmd.Wait()
}

// stop asks the bridge to stop (SIGTERM) and returns its exit error.
func (p *bridgeProc) stop() error {
	p.cmd.Process.Signal(os.Interrupt)
	<-p.done
	return p.cmd.Wait()
}

// dataJSON is a pool message's data as compact JSON.
func dataJSON(t testing.TB, m core.Message) string {
	t.Helper()
	b, err := lite3.AppendDataJSON(nil, m.Payload, jsonfmt.Compact)
	if err != nil {
		t.Fatal(err)
	}
	return string(b)
}

func num(v any) uint64 {
	f, _ := v.(float64)
	return uint64(f)
}

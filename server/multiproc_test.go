package server

import (
	"bufio"
	"encoding/json"
	"fmt"
	"io"
	"net"
	"net/http"
	"os"
	"os/exec"
	"path/filepath"
	"runtime"
	"strconv"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/plasmite-go/plasmite/core"
	"github.com/plasmite-go/plasmite/internal/reftest"
)

// seen checks a follower's messages: every seq once, in order, and each
// writer's own messages in the order it wrote them.
type seen struct {
	name   string
	next   uint64
	writer map[string]int
}

func (s *seen) add(t *testing.T, line string) {
	var m struct {
		Seq  uint64
		Data struct {
			W string
			I int
		}
	}
	if err := json.Unmarshal([]byte(line), &m); err != nil {
		t.Errorf("%s: %q: %v", s.name, line, err)
		return
	}
	if m.Seq != s.next {
		t.Errorf("%s: seq %d, want %d", s.name, m.Seq, s.next)
	}
	s.next = m.Seq + 1
	if s.writer == nil {
		s.writer = map[string]int{}
	}
	if m.Data.I != s.writer[m.Data.W] {
		t.Errorf("%s: writer %s message %d, want %d", s.name, m.Data.W, m.Data.I, s.writer[m.Data.W])
	}
	s.writer[m.Data.W] = m.Data.I + 1
}

// httpFollow follows over HTTP from since_seq=1 until it has n messages,
// reconnecting from last+1 when a stream ends. sse selects the events
// route.
func httpFollow(t *testing.T, base string, sse bool, n uint64, out *seen, wg *sync.WaitGroup) {
	defer wg.Done()
	out.next = 1
	deadline := time.Now().Add(2 * time.Minute)
	for out.next <= n && time.Now().Before(deadline) {
		path := "/v0/pools/mp/tail"
		if sse {
			path = "/v0/ui/pools/mp/events"
		}
		resp, err := http.Get(base + path + "?since_seq=" + strconv.FormatUint(out.next, 10))
		if err != nil {
			t.Errorf("%s: %v", out.name, err)
			return
		}
		sc := bufio.NewScanner(resp.Body)
		for sc.Scan() && out.next <= n {
			line := sc.Text()
			if sse {
				if !strings.HasPrefix(line, "data: ") {
					continue
				}
				line = line[len("data: "):]
			}
			out.add(t, line)
		}
		resp.Body.Close()
	}
}

// TestMultiProcess: two 1.2.1 `feed` processes over HTTP and a local
// writer process append to one pool served by our `pls serve`; a JSONL
// follower, an SSE follower and a local `follow` process each see every
// seq once, in order.
func TestMultiProcess(t *testing.T) {
	bin := oursBin(t)
	dir := t.TempDir()
	base, _ := serveProcess(t, bin, dir, "--max-tail-timeout-ms", "5000")
	mustCall(t, "POST", base+"/v0/pools", `{"pool":"mp","size_bytes":16777216}`, 200)
	const per = 250
	const n = 3 * per
	input := func(w string) string {
		var b strings.Builder
		for i := 0; i < per; i++ {
			fmt.Fprintf(&b, "{\"w\":%q,\"i\":%d}\n", w, i)
		}
		return b.String()
	}

	var wg sync.WaitGroup
	followers := []*seen{{name: "http jsonl"}, {name: "http sse"}, {name: "local follow"}}
	wg.Add(2)
	go httpFollow(t, base, false, n, followers[0], &wg)
	go httpFollow(t, base, true, n, followers[1], &wg)
	local := exec.Command(bin, "--dir", dir, "follow", "mp", "--tail", "100000", "--format", "jsonl")
	local.Env = cliEnv(t)
	stdout, _ := local.StdoutPipe()
	if err := local.Start(); err != nil {
		t.Fatal(err)
	}
	defer func() { local.Process.Kill(); local.Wait() }()
	wg.Add(1)
	go func() {
		defer wg.Done()
		followers[2].next = 1
		sc := bufio.NewScanner(stdout)
		for followers[2].next <= n && sc.Scan() {
			followers[2].add(t, sc.Text())
		}
	}()

	writers := []*exec.Cmd{
		exec.Command(reftest.Bin(t), "feed", base+"/mp"),
		exec.Command(reftest.Bin(t), "feed", base+"/mp"),
		exec.Command(bin, "--dir", dir, "feed", "mp"),
	}
	for i, w := range writers {
		w.Env = cliEnv(t)
		w.Stdin = strings.NewReader(input(strconv.Itoa(i)))
		w.Stdout = io.Discard
		if err := w.Start(); err != nil {
			t.Fatal(err)
		}
	}
	for _, w := range writers {
		if err := w.Wait(); err != nil {
			t.Fatalf("writer: %v", err)
		}
	}
	wg.Wait()
	for _, f := range followers {
		if f.next != n+1 || len(f.writer) != 3 {
			t.Errorf("%s: saw up to seq %d of %d, writers %v", f.name, f.next-1, n, f.writer)
		}
	}
}

// threadsOf reads a process's OS thread count.
func threadsOf(t *testing.T, pid int) int {
	b, err := os.ReadFile("/proc/" + strconv.Itoa(pid) + "/status")
	if err != nil {
		t.Fatal(err)
	}
	for _, line := range strings.Split(string(b), "\n") {
		if v, ok := strings.CutPrefix(line, "Threads:"); ok {
			n, _ := strconv.Atoi(strings.TrimSpace(v))
			return n
		}
	}
	t.Fatal("no Threads line")
	return 0
}

// TestThousandIdleFollowers: 1,000 idle tail streams on one pool cost the
// server no thread each (it stays within GOMAXPROCS+32 OS threads), and
// one local append reaches all of them.
func TestThousandIdleFollowers(t *testing.T) {
	bin := oursBin(t)
	dir := t.TempDir()
	base, cmd := serveProcess(t, bin, dir, "--max-tail-concurrency", "2000", "--max-tail-timeout-ms", "300000")
	mustCall(t, "POST", base+"/v0/pools", `{"pool":"idle"}`, 200)
	const followers = 1000
	addr := strings.TrimPrefix(base, "http://")
	conns := make([]*bufio.Reader, followers)
	for i := range conns {
		c, err := net.Dial("tcp", addr)
		if err != nil {
			t.Fatal(err)
		}
		defer c.Close()
		io.WriteString(c, "GET /v0/pools/idle/tail?since_seq=1 HTTP/1.1\r\nHost: 127.0.0.1\r\n\r\n")
		conns[i] = bufio.NewReader(c)
	}
	for i, r := range conns { // every stream has started
		resp, err := http.ReadResponse(r, nil)
		if err != nil || resp.StatusCode != 200 {
			t.Fatalf("stream %d: %v %v", i, resp, err)
		}
		conns[i] = bufio.NewReader(resp.Body)
	}
	// Idle: let whatever the server does settle, then count its threads.
	time.Sleep(500 * time.Millisecond)
	threads := threadsOf(t, cmd.Process.Pid)
	limit := runtime.GOMAXPROCS(0) + 32

	p, err := core.Open(filepath.Join(dir, "idle.plasmite"), core.OpenOptions{})
	if err != nil {
		t.Fatal(err)
	}
	defer p.Close()
	start := time.Now()
	if _, err := p.AppendJSON([]byte(`{"wake":1}`), nil, core.Fast); err != nil {
		t.Fatal(err)
	}
	var wg sync.WaitGroup
	errs := make(chan error, followers)
	for _, r := range conns {
		wg.Add(1)
		go func(r *bufio.Reader) {
			defer wg.Done()
			line, err := r.ReadString('\n')
			if err != nil || !strings.Contains(line, `"seq":1`) {
				errs <- fmt.Errorf("%q %v", line, err)
			}
		}(r)
	}
	wg.Wait()
	close(errs)
	for err := range errs {
		t.Fatalf("a follower missed the append: %v", err)
	}
	t.Logf("%d idle streams: %d server threads (limit %d); one append reached all in %v", followers, threads, limit, time.Since(start))
	if threads > limit {
		t.Fatalf("%d server threads for %d idle streams, want at most %d", threads, followers, limit)
	}
}

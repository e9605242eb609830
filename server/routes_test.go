package server

import (
	"bufio"
	"context"
	"fmt"
	"io"
	"net"
	"net/http"
	"net/http/httptrace"
	"path/filepath"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/plasmite-go/plasmite/core"
)

func mustCall(t testing.TB, method, url, body string, status int, headers ...string) reply {
	t.Helper()
	r := call(t, method, url, body, headers...)
	if r.status != status {
		t.Fatalf("%s %s: %d %s, want %d", method, url, r.status, r.body, status)
	}
	return r
}

// Every response we produce carries plasmite-version, including the
// rejections 1.2.1 leaves to its framework, which get envelopes here.
func TestEnvelopesEverywhere(t *testing.T) {
	_, base := ours(t, t.TempDir(), Options{MaxBodyBytes: 64})
	mustCall(t, "POST", base+"/v0/pools", `{"pool":"p"}`, 200)
	big := `{"data":{"s":"` + strings.Repeat("x", 100) + `"}}`
	for _, c := range []struct {
		method, path, body string
		headers            []string
		status             int
		kind, message      string
	}{
		{"POST", "/v0/pools/p/append", big, nil, 413, "Usage", "request body exceeds"},
		{"POST", "/v0/pools/p/append_lite3", big, []string{lite3CT}, 413, "Usage", "request body exceeds"},
		{"POST", "/v0/pools/p/append", `{"data":`, nil, 400, "Usage", "failed to parse the request body as JSON"},
		{"POST", "/v0/pools/p/append", `{"tags":[]}`, nil, 422, "Usage", "missing field `data`"},
		{"POST", "/v0/pools/p/append", `{"data":{},"tags":[1]}`, nil, 422, "Usage", "invalid request body"},
		{"POST", "/v0/pools", `{"pool":"q"}`, []string{"Content-Type: text/plain"}, 415, "Usage", "Content-Type: application/json"},
		{"POST", "/v0/pools", `{"pool":"q"}`, []string{"Content-Type: "}, 415, "Usage", "Content-Type: application/json"},
		{"GET", "/v0/pools/p/messages/x", "", nil, 400, "Usage", "invalid message seq"},
		{"GET", "/v0/pools/p/tail?max=-1", "", nil, 400, "Usage", "max must be an unsigned"},
		{"GET", "/v0/pools/p/tail?since_seq=%zz", "", nil, 400, "Usage", "percent-encoding"},
		{"GET", "/v0/pools/p/tail?gap_policy=a&gap_policy=b", "", nil, 400, "Usage", "duplicate field `gap_policy`"},
		{"GET", "/nope", "", nil, 404, "NotFound", "no such route"},
		{"GET", "/v0/pools//info", "", nil, 404, "NotFound", "no such route"},
		{"GET", "/v0/pools/p/../p/info", "", nil, 404, "NotFound", "no such route"},
		{"PATCH", "/v0/pools/p", "", nil, 405, "Usage", "method not allowed"},
		{"GET", "/v0/pools/%2e%2e/info", "", nil, 400, "Usage", "pool name must be nonempty"},
		{"GET", "/v0/pools/a%5Cb/info", "", nil, 400, "Usage", "path separators"},
		{"GET", "/v0/pools/%FF/info", "", nil, 400, "Usage", "valid UTF-8"},
	} {
		r := call(t, c.method, base+c.path, c.body, c.headers...)
		if msg := envelope(t, r, c.status, c.kind); !strings.Contains(msg, c.message) {
			t.Errorf("%s %s: message %q, want %q", c.method, c.path, msg, c.message)
		}
	}
	r := call(t, "DELETE", base+"/v0/pools/open", "")
	envelope(t, r, 404, "NotFound") // a pool named open is an ordinary pool
	mustCall(t, "POST", base+"/v0/pools", `{"pool":"open"}`, 200)
	mustCall(t, "DELETE", base+"/v0/pools/open", "", 200)
	if r := call(t, "OPTIONS", base+"/v0/pools/p/append", ""); r.header.Get("Allow") != "POST" {
		t.Errorf("Allow: %q", r.header.Get("Allow"))
	}
}

// rawRequest sends one request as bytes and returns the whole answer.
func rawRequest(t testing.TB, base, raw string) string {
	t.Helper()
	c, err := net.Dial("tcp", strings.TrimPrefix(base, "http://"))
	if err != nil {
		t.Fatal(err)
	}
	defer c.Close()
	c.SetDeadline(time.Now().Add(10 * time.Second))
	io.WriteString(c, raw)
	b, _ := io.ReadAll(c)
	return string(b)
}

// The local guard refuses what did not come from a local program, and a
// missing Host (HTTP/1.0) says so; a rejected body is read first, so the
// client gets the answer.
func TestLocalGuard(t *testing.T) {
	_, base := ours(t, t.TempDir(), Options{})
	out := rawRequest(t, base, "GET /healthz HTTP/1.0\r\n\r\n")
	if !strings.HasPrefix(out, "HTTP/1.0 403") || !strings.Contains(out, "local request requires a Host header") {
		t.Errorf("no Host: %q", out)
	}
	body := strings.Repeat("x", 50000)
	out = rawRequest(t, base, fmt.Sprintf("POST /v0/pools HTTP/1.1\r\nHost: evil.test\r\nContent-Type: application/json\r\nContent-Length: %d\r\nConnection: close\r\n\r\n%s", len(body), body))
	if !strings.HasPrefix(out, "HTTP/1.1 403") || !strings.Contains(out, "untrusted local request origin") || !strings.Contains(out, "Plasmite-Version: 0") {
		t.Errorf("evil host with a body: %q", out)
	}
	for _, h := range []string{"Host: 127.0.0.1:1@evil.test", "Host: [::ffff:127.0.0.1]", "Host: 127.0.0.1:99999", "Host: [::2]:1"} {
		envelope(t, call(t, "GET", base+"/healthz", "", h), 403, "Permission")
	}
	mustCall(t, "GET", base+"/healthz", "", 200, "Host: [0:0:0:0:0:0:0:1]:9", "Origin: http://[::1]:9")
}

// Tails beyond --max-tail-concurrency get 423 at once; a client that goes
// away frees its permit promptly (not at its deadline).
func TestTailConcurrency(t *testing.T) {
	_, base := ours(t, t.TempDir(), Options{MaxTailConcurrency: 1})
	mustCall(t, "POST", base+"/v0/pools", `{"pool":"p"}`, 200)
	ctx, cancel := context.WithCancel(context.Background())
	req, _ := http.NewRequestWithContext(ctx, "GET", base+"/v0/pools/p/tail", nil)
	resp, err := http.DefaultClient.Do(req) // holds the only permit for 30 s
	if err != nil || resp.StatusCode != 200 {
		t.Fatalf("first tail: %v %v", resp, err)
	}
	for _, path := range []string{"/v0/pools/p/tail", "/v0/pools/p/tail_lite3", "/v0/ui/pools/p/events"} {
		msg := envelope(t, call(t, "GET", base+path+"?timeout_ms=10", ""), 423, "Busy")
		if msg != "too many concurrent tail requests" {
			t.Errorf("%s: %q", path, msg)
		}
	}
	cancel()
	resp.Body.Close()
	start := time.Now()
	for {
		r := call(t, "GET", base+"/v0/pools/p/tail?timeout_ms=1", "")
		if r.status == 200 {
			break
		}
		if time.Since(start) > 5*time.Second {
			t.Fatalf("permit not released after the client left: %d %s", r.status, r.body)
		}
		time.Sleep(5 * time.Millisecond)
	}
}

// With every storage permit taken, storage requests get 423 at once (no
// queue) while /healthz still answers.
func TestStorageAdmission(t *testing.T) {
	s, base := ours(t, t.TempDir(), Options{MaxTailConcurrency: 2})
	mustCall(t, "POST", base+"/v0/pools", `{"pool":"p"}`, 200)
	for i := 0; i < 2; i++ {
		if !s.storageSem.tryAcquire() {
			t.Fatal("permit")
		}
	}
	for _, c := range [][3]string{{"GET", "/v0/pools", ""}, {"GET", "/v0/pools/p/info", ""}, {"POST", "/v0/pools/p/append", `{"data":{}}`},
		{"GET", "/v0/pools/p/messages/1", ""}, {"DELETE", "/v0/pools/p", ""}, {"GET", "/v0/ui/pools", ""}, {"GET", "/v0/pools/p/tail_lite3?since_seq=1&timeout_ms=1", ""}} {
		if msg := envelope(t, call(t, c[0], base+c[1], c[2]), 423, "Busy"); msg != "server storage executor is saturated" {
			t.Errorf("%v: %q", c, msg)
		}
	}
	mustCall(t, "GET", base+"/healthz", "", 200)
	s.storageSem.release()
	s.storageSem.release()
	mustCall(t, "GET", base+"/v0/pools/p/info", "", 200)
}

// DELETE waits for an append in progress, and an append that arrives
// after the delete finds no pool.
func TestDeleteWaitsForAppend(t *testing.T) {
	s, base := ours(t, t.TempDir(), Options{})
	mustCall(t, "POST", base+"/v0/pools", `{"pool":"p"}`, 200)
	mustCall(t, "POST", base+"/v0/pools/p/append", `{"data":{}}`, 200)
	path := filepath.Join(s.Dir(), "p.plasmite")
	e := s.pools.lookup(path)
	if e == nil {
		t.Fatal("pool not cached")
	}
	e.ops.RLock() // an append in progress
	deleted := make(chan reply, 1)
	go func() { deleted <- call(t, "DELETE", base+"/v0/pools/p", "") }()
	select {
	case r := <-deleted:
		t.Fatalf("delete did not wait: %d %s", r.status, r.body)
	case <-time.After(100 * time.Millisecond):
	}
	e.ops.RUnlock()
	if r := <-deleted; r.status != 200 {
		t.Fatalf("delete: %d %s", r.status, r.body)
	}
	s.pools.release(e)
	envelope(t, call(t, "POST", base+"/v0/pools/p/append", `{"data":{}}`), 404, "NotFound")
}

// A pool deleted and recreated behind the server's back is served fresh.
func TestPoolReplacedOutside(t *testing.T) {
	s, base := ours(t, t.TempDir(), Options{})
	mustCall(t, "POST", base+"/v0/pools", `{"pool":"p"}`, 200)
	mustCall(t, "POST", base+"/v0/pools/p/append", `{"data":{"old":1}}`, 200)
	path := filepath.Join(s.Dir(), "p.plasmite")
	if err := core.Delete(path); err != nil {
		t.Fatal(err)
	}
	envelope(t, call(t, "GET", base+"/v0/pools/p/info", ""), 404, "NotFound")
	p, err := core.Create(path, 1<<20)
	if err != nil {
		t.Fatal(err)
	}
	p.Close()
	r := mustCall(t, "POST", base+"/v0/pools/p/append", `{"data":{"new":1}}`, 200)
	if !strings.Contains(r.body, `"seq":1`) {
		t.Fatalf("append to the new pool: %s", r.body)
	}
}

// A live tail delivers appends as they happen, ends cleanly at its
// deadline, and stops at max.
func TestTailLive(t *testing.T) {
	_, base := ours(t, t.TempDir(), Options{})
	mustCall(t, "POST", base+"/v0/pools", `{"pool":"p"}`, 200)
	resp, err := http.Get(base + "/v0/pools/p/tail?since_seq=1&max=3&timeout_ms=10000")
	if err != nil {
		t.Fatal(err)
	}
	defer resp.Body.Close()
	lines := bufio.NewScanner(resp.Body)
	for i := 1; i <= 3; i++ {
		mustCall(t, "POST", base+"/v0/pools/p/append", fmt.Sprintf(`{"data":{"i":%d}}`, i), 200)
		if !lines.Scan() || !strings.Contains(lines.Text(), fmt.Sprintf(`"seq":%d`, i)) {
			t.Fatalf("line %d: %q %v", i, lines.Text(), lines.Err())
		}
	}
	if lines.Scan() || lines.Err() != nil {
		t.Fatalf("after max: %q %v", lines.Text(), lines.Err())
	}
	start := time.Now()
	r := mustCall(t, "GET", base+"/v0/ui/pools/p/events?since_seq=4&timeout_ms=200", "", 200)
	if el := time.Since(start); r.body != "" || el < 150*time.Millisecond {
		t.Fatalf("idle SSE: %q after %v", r.body, el)
	}
}

// A client that never reads cannot hold its permit past the stream's
// deadline.
func TestStalledReaderReleasesPermit(t *testing.T) {
	_, base := ours(t, t.TempDir(), Options{MaxTailConcurrency: 1})
	mustCall(t, "POST", base+"/v0/pools", `{"pool":"p","size_bytes":8388608}`, 200)
	pad := strings.Repeat("x", 4000)
	for i := 0; i < 1500; i++ { // ~6 MB, far more than socket buffers hold
		mustCall(t, "POST", base+"/v0/pools/p/append", `{"data":{"pad":"`+pad+`"}}`, 200)
	}
	c, err := net.Dial("tcp", strings.TrimPrefix(base, "http://"))
	if err != nil {
		t.Fatal(err)
	}
	defer c.Close()
	c.(*net.TCPConn).SetReadBuffer(4096)
	io.WriteString(c, "GET /v0/pools/p/tail?timeout_ms=300 HTTP/1.1\r\nHost: 127.0.0.1\r\n\r\n")
	// Never read. The permit must come back about when the deadline passes.
	start := time.Now()
	for {
		r := call(t, "GET", base+"/v0/pools/p/tail?timeout_ms=1&since_seq=1500", "")
		if r.status == 200 {
			break
		}
		if time.Since(start) > 10*time.Second {
			t.Fatalf("permit still held after %v", time.Since(start))
		}
		time.Sleep(20 * time.Millisecond)
	}
}

// The pool stream sends a snapshot at once, then one when a pool changes,
// from one shared scanner.
func TestPoolStream(t *testing.T) {
	_, base := ours(t, t.TempDir(), Options{})
	mustCall(t, "POST", base+"/v0/pools", `{"pool":"a"}`, 200)
	var wg, first sync.WaitGroup
	for i := 0; i < 3; i++ {
		wg.Add(1)
		first.Add(1)
		go func() {
			defer wg.Done()
			firstDone := sync.OnceFunc(first.Done)
			defer firstDone()
			ctx, cancel := context.WithTimeout(context.Background(), 20*time.Second)
			defer cancel()
			req, _ := http.NewRequestWithContext(ctx, "GET", base+"/v0/ui/pools/stream", nil)
			resp, err := http.DefaultClient.Do(req)
			if err != nil {
				t.Error(err)
				return
			}
			defer resp.Body.Close()
			if resp.Header.Get("Content-Type") != "text/event-stream" || resp.Header.Get("Plasmite-Version") != "0" {
				t.Errorf("headers %v", resp.Header)
			}
			rd := bufio.NewReader(resp.Body)
			frame := func() string {
				var b strings.Builder
				for {
					line, err := rd.ReadString('\n')
					if err != nil {
						t.Errorf("read: %v", err)
						return b.String()
					}
					if line == "\n" {
						return b.String()
					}
					b.WriteString(line)
				}
			}
			if f := frame(); !strings.HasPrefix(f, "event: pools\ndata: {\"pools\":[") || !strings.Contains(f, `"name":"a"`) || !strings.Contains(f, `"ring":{`) {
				t.Errorf("first frame %q", f)
			}
			firstDone()
			if f := frame(); !strings.Contains(f, `"name":"b"`) {
				t.Errorf("second frame %q", f)
			}
		}()
	}
	first.Wait() // every subscriber has its first frame
	mustCall(t, "POST", base+"/v0/pools", `{"pool":"b"}`, 200)
	wg.Wait()
}

// since_seq=0 means 1: 1.2.1 reports a spurious "messages 0-0" gap there.
func TestSinceZeroIsNoGap(t *testing.T) {
	_, base := ours(t, t.TempDir(), Options{})
	mustCall(t, "POST", base+"/v0/pools", `{"pool":"p"}`, 200)
	mustCall(t, "POST", base+"/v0/pools/p/append", `{"data":{"a":1}}`, 200)
	r := mustCall(t, "GET", base+"/v0/pools/p/tail?since_seq=0&gap_policy=error&timeout_ms=50", "", 200)
	if !strings.HasPrefix(r.body, `{"data":{"a":1},`) || strings.Count(r.body, "\n") != 1 {
		t.Fatalf("since_seq=0: %q", r.body)
	}
}

// A stream moves its connection's write deadline; the next request on the
// same keep-alive connection, after that deadline, must not inherit it.
func TestKeepAliveAfterStream(t *testing.T) {
	const grace = 300 * time.Millisecond
	_, base := ours(t, t.TempDir(), Options{StreamGrace: grace})
	mustCall(t, "POST", base+"/v0/pools", `{"pool":"p"}`, 200)
	client := &http.Client{Transport: &http.Transport{MaxIdleConnsPerHost: 1}}
	get := func(path string) (int, bool) {
		reused := false
		ctx := httptrace.WithClientTrace(context.Background(), &httptrace.ClientTrace{
			GotConn: func(i httptrace.GotConnInfo) { reused = i.Reused },
		})
		req, _ := http.NewRequestWithContext(ctx, "GET", base+path, nil)
		resp, err := client.Do(req)
		if err != nil {
			t.Fatal(err)
		}
		io.Copy(io.Discard, resp.Body)
		resp.Body.Close()
		return resp.StatusCode, reused
	}
	if code, _ := get("/v0/pools/p/tail?timeout_ms=20"); code != 200 {
		t.Fatal(code)
	}
	time.Sleep(grace + 300*time.Millisecond) // past the stream's write deadline
	if code, reused := get("/v0/pools/p/info"); code != 200 || !reused {
		t.Fatalf("next request on the connection: %d reused=%v", code, reused)
	}
}

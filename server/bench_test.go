package server

import (
	"bufio"
	"fmt"
	"io"
	"net"
	"net/http"
	"os"
	"path/filepath"
	"sort"
	"strconv"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/plasmite-go/plasmite/core"
	"github.com/plasmite-go/plasmite/internal/reftest"
	"github.com/plasmite-go/plasmite/wire"
)

// Server benchmarks, ours and 1.2.1's side by side: each sub-benchmark
// starts the server as its own process (our built CLI, PLASMITE_BIN, or
// the reference), so that client and server are measured the same way.
// The client is this process.

// benchServers returns the servers to compare: name → binary.
func benchServers(b *testing.B) [][2]string {
	return [][2]string{{"ours", oursBin(b)}, {"ref", reftest.Bin(b)}}
}

// BenchmarkAppendHTTP: sequential appends from one keep-alive client over
// loopback HTTP, JSON (/append) and Lite3 (/append_lite3, what 1.2.1's CLI
// sends).
func BenchmarkAppendHTTP(b *testing.B) {
	for _, srv := range benchServers(b) {
		dir := b.TempDir()
		base, _ := serveProcess(b, srv[1], dir)
		mustCall(b, "POST", base+"/v0/pools", `{"pool":"b","size_bytes":67108864}`, 200)
		body := `{"data":{"event":"tick","n":12345,"ok":true,"tags":["a","b"]},"tags":["bench"]}`
		mustCall(b, "POST", base+"/v0/pools/b/append", body, 200)
		payload := call(b, "GET", base+"/v0/pools/b/messages/1/lite3", "").body
		client := &http.Client{Transport: &http.Transport{MaxIdleConnsPerHost: 1}}
		for _, route := range []struct{ name, path, ctype, body string }{
			{"json", "/v0/pools/b/append", "application/json", body},
			{"lite3", "/v0/pools/b/append_lite3", "application/x-plasmite-lite3", payload},
		} {
			b.Run(srv[0]+"/"+route.name, func(b *testing.B) {
				for i := 0; i < b.N; i++ {
					resp, err := client.Post(base+route.path, route.ctype, strings.NewReader(route.body))
					if err != nil {
						b.Fatal(err)
					}
					io.Copy(io.Discard, resp.Body)
					resp.Body.Close()
					if resp.StatusCode != 200 {
						b.Fatalf("status %d", resp.StatusCode)
					}
				}
			})
		}
	}
}

// tailPool creates (once per process) a pool of 1M messages and returns
// its path.
var tailPool = sync.OnceValues(func() (string, error) {
	dir, err := os.MkdirTemp("", "plasmite-bench-tail-")
	if err != nil {
		return "", err
	}
	path := filepath.Join(dir, "big.plasmite")
	p, err := core.CreateWith(path, core.CreateOptions{Size: 640 << 20})
	if err != nil {
		return "", err
	}
	defer p.Close()
	var batch core.Batch
	var rcs []core.Receipt
	for i := 0; i < 1_000_000; i++ {
		if err := batch.AddJSON([]byte(`{"i":`+strconv.Itoa(i)+`}`), nil); err != nil {
			return "", err
		}
		if batch.Len() == 1000 {
			if rcs, err = p.AppendBatch(&batch, core.Fast, rcs[:0]); err != nil {
				return "", err
			}
			batch.Reset()
		}
	}
	if b := p.Bounds(); b.Newest-b.Oldest+1 != 1_000_000 {
		return "", fmt.Errorf("pool retains %d messages, not 1M", b.Newest-b.Oldest+1)
	}
	return path, nil
})

// BenchmarkTail1M: one JSONL tail of a pool retaining 1M messages, read as
// fast as it comes. Ours must deliver all 1M within the 30 s tail limit;
// 1.2.1's producer sleeps 10 ms whenever its 16-message queue is full, so
// its stream is cut at a 10 s deadline instead and only its rate (msgs/s)
// is comparable.
func BenchmarkTail1M(b *testing.B) {
	src, err := tailPool()
	if err != nil {
		b.Fatal(err)
	}
	b.Cleanup(func() { os.RemoveAll(filepath.Dir(src)) })
	for _, srv := range benchServers(b) {
		dir := b.TempDir()
		if err := os.Link(src, filepath.Join(dir, "big.plasmite")); err != nil {
			b.Fatal(err)
		}
		base, _ := serveProcess(b, srv[1], dir)
		timeout := "30000"
		if srv[0] == "ref" {
			timeout = "10000"
		}
		b.Run(srv[0], func(b *testing.B) {
			total := 0
			for i := 0; i < b.N; i++ {
				resp, err := http.Get(base + "/v0/pools/big/tail?max=1000000&timeout_ms=" + timeout)
				if err != nil {
					b.Fatal(err)
				}
				n, lines := countLines(resp.Body)
				resp.Body.Close()
				if srv[0] == "ours" && lines != 1_000_000 || lines == 0 {
					b.Fatalf("%d lines (%d bytes)", lines, n)
				}
				total += lines
				b.SetBytes(n)
			}
			b.ReportMetric(float64(total)/b.Elapsed().Seconds(), "msgs/s")
		})
	}
}

func countLines(r io.Reader) (bytes int64, lines int) {
	buf := make([]byte, 256<<10)
	for {
		n, err := r.Read(buf)
		bytes += int64(n)
		for _, c := range buf[:n] {
			if c == '\n' {
				lines++
			}
		}
		if err != nil {
			return bytes, lines
		}
	}
}

// BenchmarkWake: a local append (through core, in this process) wakes N
// idle HTTP followers; the metrics are the p50 and p99, over the appends,
// of the time until the last follower has the message. 1.2.1 runs each
// tail on a tokio blocking thread, of which there are at most 512: beyond
// that its followers never start, so it is measured up to 500.
func BenchmarkWake(b *testing.B) {
	for _, followers := range []int{100, 500, 1000} {
		for _, srv := range benchServers(b) {
			if srv[0] == "ref" && followers > 500 {
				continue
			}
			b.Run(fmt.Sprintf("%d/%s", followers, srv[0]), func(b *testing.B) { wake(b, srv[1], followers) })
		}
	}
}

func wake(b *testing.B, bin string, followers int) {
	dir := b.TempDir()
	base, _ := serveProcess(b, bin, dir, "--max-tail-concurrency", "2000", "--max-tail-timeout-ms", "600000")
	mustCall(b, "POST", base+"/v0/pools", `{"pool":"w","size_bytes":8388608}`, 200)
	p, err := core.Open(filepath.Join(dir, "w.plasmite"), core.OpenOptions{})
	if err != nil {
		b.Fatal(err)
	}
	defer p.Close()
	addr := strings.TrimPrefix(base, "http://")
	got := make(chan struct{}, followers)
	var stop sync.WaitGroup
	for i := 0; i < followers; i++ {
		c, err := net.Dial("tcp", addr)
		if err != nil {
			b.Fatal(err)
		}
		defer c.Close()
		io.WriteString(c, "GET /v0/pools/w/tail?since_seq=1 HTTP/1.1\r\nHost: 127.0.0.1\r\n\r\n")
		stop.Add(1)
		go func() {
			defer stop.Done()
			resp, err := http.ReadResponse(bufio.NewReader(c), nil)
			if err != nil || resp.StatusCode != 200 {
				return
			}
			r := bufio.NewReader(resp.Body)
			for {
				if _, err := r.ReadSlice('\n'); err != nil {
					return
				}
				got <- struct{}{}
			}
		}()
	}
	// Every follower must be live before measuring: wake them once.
	p.AppendJSON([]byte(`{"warm":1}`), nil, core.Fast)
	for i := 0; i < followers; i++ {
		select {
		case <-got:
		case <-time.After(60 * time.Second):
			b.Fatalf("only %d of %d followers got the first message", i, followers)
		}
	}
	lat := make([]time.Duration, 0, b.N)
	b.ResetTimer()
	for i := 0; i < b.N; i++ {
		start := time.Now()
		if _, err := p.AppendJSON([]byte(`{"wake":1}`), nil, core.Fast); err != nil {
			b.Fatal(err)
		}
		for j := 0; j < followers; j++ {
			<-got
		}
		lat = append(lat, time.Since(start))
	}
	b.StopTimer()
	sort.Slice(lat, func(i, j int) bool { return lat[i] < lat[j] })
	b.ReportMetric(float64(lat[len(lat)/2].Microseconds()), "p50-µs")
	b.ReportMetric(float64(lat[len(lat)*99/100].Microseconds()), "p99-µs")
}

// discard is a ResponseWriter that drops what it is sent.
type discard struct{ h http.Header }

func (d *discard) Header() http.Header         { return d.h }
func (d *discard) Write(p []byte) (int, error) { return len(p), nil }
func (d *discard) WriteHeader(int)             {}
func (d *discard) Flush()                      {}

// BenchmarkStreamOut: the stream path per message (read from the ring,
// render, buffer, write), in process: it allocates nothing per message.
func BenchmarkStreamOut(b *testing.B) {
	src, err := tailPool()
	if err != nil {
		b.Fatal(err)
	}
	p, err := core.Open(src, core.OpenOptions{ReadOnly: true})
	if err != nil {
		b.Fatal(err)
	}
	defer p.Close()
	for _, enc := range []struct {
		name string
		enc  encoding
	}{{"jsonl", encJSONL}, {"sse", encSSE}, {"lite3", encLite3}} {
		b.Run(enc.name, func(b *testing.B) {
			w := &discard{h: http.Header{}}
			rc := http.NewResponseController(w)
			b.ReportAllocs()
			b.ResetTimer()
			for left := uint64(b.N); left > 0; {
				n := min(left, 1_000_000)
				st, err := wire.OpenStream(b.Context(), p, core.TailOptions{}, wire.StreamBounds{Max: &n})
				if err != nil {
					b.Fatal(err)
				}
				out := newStreamOut(w, rc, enc.enc, src)
				out.run(st)
				out.free()
				st.Close()
				left -= n
			}
		})
	}
}

// BenchmarkAppendHandler: one /append through the handler, in process
// (no network): the server's own cost per append.
func BenchmarkAppendHandler(b *testing.B) {
	dir := b.TempDir()
	s, err := New(dir, Options{})
	if err != nil {
		b.Fatal(err)
	}
	defer s.Close()
	h := s.Handler()
	p, err := core.Create(filepath.Join(dir, "b.plasmite"), 64<<20)
	if err != nil {
		b.Fatal(err)
	}
	p.Close()
	body := `{"data":{"event":"tick","n":12345,"ok":true,"tags":["a","b"]},"tags":["bench"]}`
	w := &discard{h: http.Header{}}
	b.ReportAllocs()
	for i := 0; i < b.N; i++ {
		req, _ := http.NewRequest("POST", "http://127.0.0.1/v0/pools/b/append", strings.NewReader(body))
		req.Header.Set("Content-Type", "application/json")
		clear(w.h)
		h.ServeHTTP(w, req)
	}
}

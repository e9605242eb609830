package mcp

import (
	"context"
	"encoding/json"
	"net/http"
	"os"
	"os/exec"
	"path/filepath"
	"runtime"
	"strconv"
	"strings"
	"testing"
	"time"

	"github.com/plasmite-go/plasmite/core"
	"github.com/plasmite-go/plasmite/internal/reftest"
	"github.com/plasmite-go/plasmite/server"
)

// feedProcess appends data to pool in dir with bin's `feed` command (a
// process of its own).
func feedProcess(t testing.TB, bin, dir, pool, data string, tags ...string) {
	t.Helper()
	args := []string{"--dir", dir, "feed", pool, data}
	for _, tag := range tags {
		args = append(args, "--tag", tag)
	}
	cmd := exec.Command(bin, args...)
	cmd.Env = reftest.Env(t)
	if out, err := cmd.CombinedOutput(); err != nil {
		t.Fatalf("%s feed: %v: %s", bin, err, out)
	}
}

// endpoint is one MCP server under test: call sends a request and
// returns its response.
type endpoint struct {
	name string
	dir  string
	call func(msg string) string
}

func httpEndpoint(t *testing.T, name, base, dir string) endpoint {
	return endpoint{name, dir, func(msg string) string {
		r := post(t, base, msg, withVersion)
		if r.status != 200 {
			t.Errorf("%s: %d %s", name, r.status, r.body)
		}
		return r.body
	}}
}

func stdioEndpoint(t *testing.T, name, bin, dir string) endpoint {
	p := startStdio(t, bin, dir)
	return endpoint{name, dir, func(msg string) string {
		p.send(msg)
		return p.recv()
	}}
}

func toolCall(id int, tool, args string) string {
	return `{"jsonrpc":"2.0","id":` + strconv.Itoa(id) + `,"method":"tools/call","params":{"name":"` + tool + `","arguments":` + args + `}}`
}

// TestDifferentialWaitWoken: a plasmite_wait in progress returns the
// message another process appends — on both servers (each a process of
// its own, so `pls serve` registers /mcp) and both stdio transports, with
// the other implementation's CLI as the writer — and the answers agree,
// including the cursor moving past a message the tag filter skips.
func TestDifferentialWaitWoken(t *testing.T) {
	refBin, ourBin := reftest.Bin(t), ourBin(t)
	root := t.TempDir()
	dirs := map[string]string{}
	for _, n := range []string{"ref-http", "ours-http", "ref-stdio", "ours-stdio"} {
		dirs[n] = filepath.Join(root, n)
	}
	eps := []endpoint{
		httpEndpoint(t, "ref-http", serveBin(t, refBin, dirs["ref-http"]), dirs["ref-http"]),
		httpEndpoint(t, "ours-http", serveBin(t, ourBin, dirs["ours-http"]), dirs["ours-http"]),
		stdioEndpoint(t, "ref-stdio", refBin, dirs["ref-stdio"]),
		stdioEndpoint(t, "ours-stdio", ourBin, dirs["ours-stdio"]),
	}
	writer := func(ep endpoint) string {
		if strings.HasPrefix(ep.name, "ref") {
			return ourBin
		}
		return refBin
	}
	results := map[string][]string{}
	for _, ep := range eps {
		ep.call(toolCall(1, toolFeed, `{"pool":"w","data":{"first":1},"create":true}`))
		steps := []struct {
			wait  string
			feeds func()
		}{
			{`{"pool":"w","after_seq":1,"timeout_ms":30000}`, func() { feedProcess(t, writer(ep), ep.dir, "w", `{"woke":1}`) }},
			{`{"pool":"w","after_seq":2,"tags":["hit"],"timeout_ms":30000}`, func() {
				feedProcess(t, writer(ep), ep.dir, "w", `{"skip":1}`, "miss")
				feedProcess(t, writer(ep), ep.dir, "w", `{"take":1}`, "hit")
			}},
		}
		for i, st := range steps {
			got := make(chan string, 1)
			go func() { got <- ep.call(toolCall(2+i, toolWait, st.wait)) }()
			st.feeds()
			select {
			case r := <-got:
				results[ep.name] = append(results[ep.name], masked(r, ep.dir))
			case <-time.After(time.Minute):
				t.Fatalf("%s: wait %s did not return", ep.name, st.wait)
			}
		}
	}
	for _, tr := range []string{"http", "stdio"} {
		ref, ours := results["ref-"+tr], results["ours-"+tr]
		for i := range ref {
			if ref[i] != ours[i] {
				t.Errorf("%s wait %d:\n ref  %s\n ours %s", tr, i, ref[i], ours[i])
			}
			if !strings.Contains(ours[i], `"timed_out":false`) {
				t.Errorf("%s wait %d timed out: %s", tr, i, ours[i])
			}
		}
	}
	if !strings.Contains(results["ours-http"][1], `"data":{"take":1}`) || !strings.Contains(results["ours-http"][1], `"next_after_seq":4`) {
		t.Errorf("tag-filtered wait: %s", results["ours-http"][1])
	}
}

// parked installs testParked for the test: each wait that goes to sleep
// sends the seq it waits after.
func parked(t *testing.T) <-chan uint64 {
	ch := make(chan uint64, 16)
	testParked = func(seq uint64) { ch <- seq }
	t.Cleanup(func() { testParked = nil })
	return ch
}

// TestWaitSleepsAndWakes: a wait goes to sleep in core's waiter once it
// has read everything after its cursor, and wakes for an append by
// another process — one that posts our wake word (our CLI) and one that
// does not (1.2.1's, noticed through the header) — without a timeout.
func TestWaitSleepsAndWakes(t *testing.T) {
	dir := t.TempDir()
	s := New(Options{Dir: dir, OpenOptions: quiet})
	ctx := context.Background()
	s.Handle(ctx, []byte(toolCall(1, toolFeed, `{"pool":"w","data":{"n":0},"create":true}`)))
	sleeping := parked(t)
	for i, writer := range []string{ourBin(t), reftest.Bin(t)} {
		got := make(chan []byte, 1)
		go func() { got <- s.Handle(ctx, []byte(toolCall(2, toolWait, `{"pool":"w","timeout_ms":60000}`))) }()
		if seq := <-sleeping; seq != uint64(i+1) {
			t.Fatalf("wait sleeps after %d, want %d", seq, i+1)
		}
		feedProcess(t, writer, dir, "w", `{"n":1}`)
		select {
		case r := <-got:
			if !strings.Contains(string(r), `"timed_out":false`) || !strings.Contains(string(r), `"seq":`+strconv.Itoa(i+2)) {
				t.Fatalf("woken by %s: %s", writer, r)
			}
		case <-time.After(30 * time.Second):
			t.Fatalf("a wait was not woken by an append of %s", writer)
		}
	}
}

// TestWaitEnds: a wait answers timed_out at its deadline, and at once when
// its context ends (the client left, or the server shuts down).
func TestWaitEnds(t *testing.T) {
	dir := t.TempDir()
	s := New(Options{Dir: dir, OpenOptions: quiet})
	s.Handle(context.Background(), []byte(toolCall(1, toolFeed, `{"pool":"w","data":{},"create":true}`)))
	r := s.Handle(context.Background(), []byte(toolCall(2, toolWait, `{"pool":"w","timeout_ms":30}`)))
	if !strings.Contains(string(r), `"timed_out":true`) || !strings.Contains(string(r), "before the timeout") {
		t.Fatalf("timeout: %s", r)
	}
	sleeping := parked(t)
	ctx, cancel := context.WithCancel(context.Background())
	got := make(chan []byte, 1)
	go func() { got <- s.Handle(ctx, []byte(toolCall(3, toolWait, `{"pool":"w","timeout_ms":60000}`))) }()
	<-sleeping
	cancel()
	select {
	case r := <-got:
		if !strings.Contains(string(r), `"timed_out":true`) {
			t.Fatalf("cancelled: %s", r)
		}
	case <-time.After(30 * time.Second):
		t.Fatal("a cancelled wait did not return")
	}

	// A server shutting down ends the waits of its /mcp.
	srv, base := ourServer(t, filepath.Join(dir, "srv"), server.Options{})
	post(t, base, toolCall(1, toolFeed, `{"pool":"w","data":{},"create":true}`), withVersion)
	done := make(chan reply, 1)
	go func() { done <- post(t, base, toolCall(2, toolWait, `{"pool":"w","timeout_ms":60000}`), withVersion) }()
	<-sleeping
	srv.Close()
	select {
	case r := <-done:
		if r.status != 200 || !strings.Contains(r.body, `"timed_out":true`) {
			t.Fatalf("at shutdown: %d %s", r.status, r.body)
		}
	case <-time.After(30 * time.Second):
		t.Fatal("a wait outlived its server's shutdown")
	}
}

// TestWaitPermits: on HTTP a wait takes one of the server's tail permits
// (isError Busy when none is free, before its arguments are looked at),
// and every request one of the MCP permits (423 when none is free); both
// are given back.
func TestWaitPermits(t *testing.T) {
	srv, base := ourServer(t, t.TempDir(), server.Options{MaxTailConcurrency: 1})
	post(t, base, toolCall(1, toolFeed, `{"pool":"w","data":{},"create":true}`), withVersion)
	release, ok := srv.TryTailPermit()
	if !ok {
		t.Fatal("no tail permit")
	}
	r := post(t, base, toolCall(2, toolWait, `{"bad":1}`), withVersion)
	want := `{"id":2,"jsonrpc":"2.0","result":{"content":[{"text":"busy: too many concurrent tail or MCP wait requests","type":"text"}],` +
		`"isError":true,"structuredContent":{"error_kind":"Busy","hint":"Try again later or reduce long-lived read concurrency.","tool":"plasmite_wait"}}}`
	if r.status != 200 || r.body != want {
		t.Fatalf("no tail permit: %d %s", r.status, r.body)
	}
	release()

	sleeping := parked(t)
	done := make(chan reply, 1)
	go func() { done <- post(t, base, toolCall(3, toolWait, `{"pool":"w","timeout_ms":60000}`), withVersion) }()
	<-sleeping
	for _, body := range []string{`{"jsonrpc":"2.0","id":1,"method":"ping"}`, `{"jsonrpc":"2.0","method":"notifications/initialized"}`} {
		r := post(t, base, body, withVersion)
		if r.status != 423 || r.body != `{"error":{"kind":"Busy","message":"too many concurrent MCP requests"}}` || r.header.Get("Plasmite-Version") != "0" {
			t.Fatalf("no MCP permit: %d %s", r.status, r.body)
		}
	}
	// The tail permit is the wait's: a stream cannot start either.
	if r := send(t, "GET", base+"/v0/pools/w/tail?timeout_ms=10", ""); r.status != 423 {
		t.Fatalf("tail during a wait: %d %s", r.status, r.body)
	}
	p, err := core.Open(filepath.Join(srv.Dir(), "w.plasmite"), core.OpenOptions{})
	if err != nil {
		t.Fatal(err)
	}
	if _, err := p.AppendJSON([]byte(`{"x":1}`), nil, core.Fast); err != nil {
		t.Fatal(err)
	}
	p.Close()
	if r := <-done; !strings.Contains(r.body, `"timed_out":false`) {
		t.Fatalf("wait: %s", r.body)
	}
	if r := post(t, base, `{"jsonrpc":"2.0","id":1,"method":"ping"}`, withVersion); r.status != 200 {
		t.Fatalf("after the wait: %d %s", r.status, r.body)
	}
	if r := send(t, "GET", base+"/v0/pools/w/tail?timeout_ms=10", ""); r.status != 200 {
		t.Fatalf("tail after the wait: %d %s", r.status, r.body)
	}
	var doc struct {
		Result struct {
			StructuredContent struct{ Messages []json.RawMessage }
		}
	}
	r = post(t, base, toolCall(4, toolRead, `{"pool":"w"}`), withVersion)
	if json.Unmarshal([]byte(r.body), &doc) != nil || len(doc.Result.StructuredContent.Messages) != 2 {
		t.Fatalf("read: %s", r.body)
	}
}

// TestDifferentialBusy: with --max-tail-concurrency 1 on both servers, a
// wait finds no tail permit while a stream holds it (isError Busy), and a
// request finds no MCP permit while a wait holds it (423): the same
// answers from 1.2.1 and from us.
func TestDifferentialBusy(t *testing.T) {
	root := t.TempDir()
	refDir, ourDir := filepath.Join(root, "ref"), filepath.Join(root, "ours")
	sides := []struct{ base, dir string }{
		{serveBin(t, reftest.Bin(t), refDir, "--max-tail-concurrency", "1"), refDir},
	}
	_, ourBase := ourServer(t, ourDir, server.Options{MaxTailConcurrency: 1})
	sides = append(sides, struct{ base, dir string }{ourBase, ourDir})
	var busy, locked [2]string
	for i, sd := range sides {
		post(t, sd.base, toolCall(1, toolFeed, `{"pool":"w","data":{},"create":true}`), withVersion)
		stream, err := http.Get(sd.base + "/v0/pools/w/tail?since_seq=2&timeout_ms=4000")
		if err != nil || stream.StatusCode != 200 {
			t.Fatalf("tail: %v %v", stream, err)
		}
		busy[i] = post(t, sd.base, toolCall(2, toolWait, `{"pool":"w"}`), withVersion).body
		stream.Body.Close()
		// Hold the MCP permit with a wait (retrying while the closed
		// stream's tail permit is still on its way back, or a ping holds
		// the MCP permit), and look for the 423 while it waits.
		for locked[i] == "" {
			done := make(chan reply, 1)
			go func() {
				done <- post(t, sd.base, toolCall(3, toolWait, `{"pool":"w","after_seq":1,"timeout_ms":30000}`), withVersion)
			}()
			for locked[i] == "" {
				select {
				case r := <-done:
					if r.status != 423 && !strings.Contains(r.body, "busy: too many") {
						t.Fatalf("the wait ended before a 423 was seen: %s", r.body)
					}
					done = nil
				default:
				}
				if done == nil {
					break
				}
				if r := post(t, sd.base, `{"jsonrpc":"2.0","id":9,"method":"ping"}`, withVersion); r.status == 423 {
					locked[i] = r.body
				}
			}
			if done != nil {
				feedProcess(t, reftest.Bin(t), sd.dir, "w", `{"end":1}`)
				if r := <-done; r.status != 200 {
					t.Fatalf("holding wait: %d %s", r.status, r.body)
				}
			}
		}
	}
	if busy[0] != busy[1] || !strings.Contains(busy[1], `"error_kind":"Busy"`) {
		t.Errorf("wait without a tail permit:\n ref  %s\n ours %s", busy[0], busy[1])
	}
	if locked[0] != locked[1] {
		t.Errorf("request without an MCP permit:\n ref  %s\n ours %s", locked[0], locked[1])
	}
}

// TestIdleWaitsCostNoThread: hundreds of waits on one pool over HTTP
// sleep in one shared waiter (parked goroutines, not threads), and one
// append wakes them all.
func TestIdleWaitsCostNoThread(t *testing.T) {
	if _, err := os.Stat("/proc/self/status"); err != nil {
		t.Skip("no /proc/self/status:", err)
	}
	const waits = 300
	srv, base := ourServer(t, t.TempDir(), server.Options{MaxTailConcurrency: 2 * waits})
	post(t, base, toolCall(1, toolFeed, `{"pool":"w","data":{},"create":true}`), withVersion)
	sleeping := parked(t)
	done := make(chan reply, waits)
	for i := 0; i < waits; i++ {
		go func() { done <- post(t, base, toolCall(2, toolWait, `{"pool":"w","timeout_ms":60000}`), withVersion) }()
	}
	for i := 0; i < waits; i++ {
		<-sleeping
	}
	threads := threadCount(t)
	limit := runtime.GOMAXPROCS(0) + 32
	p, err := core.Open(filepath.Join(srv.Dir(), "w.plasmite"), quiet)
	if err != nil {
		t.Fatal(err)
	}
	defer p.Close()
	if _, err := p.AppendJSON([]byte(`{"wake":1}`), nil, core.Fast); err != nil {
		t.Fatal(err)
	}
	for i := 0; i < waits; i++ {
		if r := <-done; !strings.Contains(r.body, `"timed_out":false`) {
			t.Fatalf("wait %d: %d %s", i, r.status, r.body)
		}
	}
	t.Logf("%d sleeping waits: %d threads in this process (limit %d)", waits, threads, limit)
	if threads > limit {
		t.Fatalf("%d threads for %d sleeping waits, want at most %d", threads, waits, limit)
	}
}

// threadCount is this process's number of OS threads.
func threadCount(t *testing.T) int {
	b, err := os.ReadFile("/proc/self/status")
	if err != nil {
		t.Fatal(err)
	}
	for _, l := range strings.Split(string(b), "\n") {
		if v, ok := strings.CutPrefix(l, "Threads:"); ok {
			n, err := strconv.Atoi(strings.TrimSpace(v))
			if err != nil {
				t.Fatal(err)
			}
			return n
		}
	}
	t.Fatal("no Threads line in /proc/self/status")
	return 0
}

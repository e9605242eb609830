package remote

import (
	"context"
	"crypto/tls"
	"errors"
	"io"
	"net"
	"net/http"
	"net/http/httptest"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/plasmite-go/plasmite/core"
	"github.com/plasmite-go/plasmite/core/jsonfmt"
	"github.com/plasmite-go/plasmite/core/lite3"
	"github.com/plasmite-go/plasmite/wire"
)

var bg = context.Background()

// scripted is a server answering every request with h.
func scripted(t *testing.T, h http.HandlerFunc) *Client {
	t.Helper()
	srv := httptest.NewServer(h)
	t.Cleanup(srv.Close)
	c, err := New(srv.URL, Options{})
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(c.Close)
	return c
}

type fakeCreds struct{}

func (fakeCreds) TLSConfig(string) (*tls.Config, error) { return &tls.Config{}, nil }
func (fakeCreds) Authorization() string                 { return "Bearer x" }

func TestNewSchemesAndCredentials(t *testing.T) {
	if _, err := New("https://example.com", Options{}); core.KindOf(err) != core.Permission {
		t.Errorf("https without credentials: %v, want Permission", err)
	}
	if _, err := New("http://127.0.0.1:1", Options{Credentials: fakeCreds{}}); core.KindOf(err) != core.Usage {
		t.Errorf("credentials over http: %v, want Usage", err)
	}
	c, err := New("https://example.com:8443", Options{Credentials: fakeCreds{}})
	if err != nil || c.Origin() != "https://example.com:8443/" || c.auth != "Bearer x" {
		t.Errorf("https with credentials: %v %v", c, err)
	}
}

func TestPoolOperations(t *testing.T) {
	f := newFake(t)
	c := f.client(t)
	info, err := c.Create(bg, "made", 64<<10)
	if err != nil || info.FileSize != 64<<10 || info.Bounds.Newest != 0 {
		t.Errorf("create: %+v %v", info, err)
	}
	_, err = c.Create(bg, "made", 64<<10)
	if e := wantKind(t, err, core.AlreadyExists); e.Path != "made" {
		t.Errorf("create again: %+v", e)
	}
	if err := c.Delete(bg, "made"); err != nil {
		t.Errorf("delete: %v", err)
	}
	err = c.Delete(bg, "made")
	if e := wantKind(t, err, core.NotFound); e.Path != "made" {
		t.Errorf("delete again: %+v", e)
	}
	p := f.pool("demo", 1<<20)
	appendN(t, p, 1, 3)
	rp, err := c.Open(bg, "demo")
	if err != nil {
		t.Fatal(err)
	}
	in, err := rp.Info(bg)
	if err != nil || in.Bounds != (core.Bounds{Oldest: 1, Newest: 3}) || in.MessageCount != 3 || in.RingSize == 0 ||
		!strings.HasSuffix(in.Path, "demo.plasmite") || in.NewestTime.IsZero() {
		t.Errorf("info %+v %v", in, err)
	}
	ents, err := c.List(bg)
	if err != nil || len(ents) != 1 || ents[0].Name != "demo" || ents[0].Info.Bounds.Newest != 3 {
		t.Errorf("list %+v %v", ents, err)
	}
	m, _, err := rp.Get(bg, 2, nil)
	if err != nil || m.Seq != 2 {
		t.Fatalf("get: %v %v", m, err)
	}
	local, _ := p.Get(2)
	if m.Time != local.Time || string(m.Payload) != string(local.Payload) {
		t.Errorf("get: remote %d %x, local %d %x", m.Time, m.Payload, local.Time, local.Payload)
	}
	raw, err := rp.GetLite3(bg, 3, []byte("x"))
	local, _ = p.Get(3)
	if err != nil || string(raw) != "x"+string(local.Payload) {
		t.Errorf("get lite3: %x %v", raw, err)
	}
	// Errors carry the pool's name (and seq) as the reference's client sets them.
	_, _, err = rp.Get(bg, 99, nil)
	if e := wantKind(t, err, core.NotFound); e.Path != "demo" || e.Seq == nil || *e.Seq != 99 {
		t.Errorf("get 99: %+v", e)
	}
	_, err = c.Open(bg, "missing")
	if e := wantKind(t, err, core.NotFound); e.Path != "missing" {
		t.Errorf("open missing: %+v", e)
	}
	gone, _ := c.Pool("gone")
	_, err = gone.Info(bg)
	if e := wantKind(t, err, core.NotFound); e.Path != "gone" {
		t.Errorf("info missing: %+v", e)
	}
}

func TestAppend(t *testing.T) {
	f := newFake(t)
	p := f.pool("demo", 1<<20)
	c := f.client(t)
	rp, _ := c.Pool("demo")
	dst := []byte("keep")
	m, out, err := rp.Append(bg, []byte(`{"b":1.5,"a":"x"}`), []string{"t1", "t2"}, core.Fast, dst)
	if err != nil {
		t.Fatal(err)
	}
	if string(out[:4]) != "keep" || m.Seq != 1 || m.Time == 0 {
		t.Errorf("receipt %+v out %q", m, out[:4])
	}
	line, _ := wire.AppendMessage(nil, m, jsonfmt.Compact)
	want, _ := wire.AppendMessage(nil, mustGet(t, p, 1), jsonfmt.Compact)
	if string(line) != string(want) {
		t.Errorf("receipt %s, stored %s", line, want)
	}
	payload, _ := lite3.EncodeMessage(nil, []byte(`{"k":true}`), nil)
	if _, _, err := rp.AppendLite3(bg, payload, core.Flush, nil); err != nil {
		t.Fatal(err)
	}
	log := f.log()
	if log[0] != "POST /v0/pools/demo/append_lite3" || log[1] != "POST /v0/pools/demo/append_lite3?durability=flush" {
		t.Errorf("requests %q", log)
	}
	// Bad data is refused before anything is sent.
	if _, _, err := rp.Append(bg, []byte(`[1]`), nil, core.Fast, nil); core.KindOf(err) != core.Usage {
		t.Errorf("array data: %v", err)
	}
	if len(f.log()) != 2 {
		t.Errorf("a request was sent for bad data: %q", f.log())
	}
	// The server's refusal comes back typed (the fake validates with core).
	if _, _, err := rp.AppendLite3(bg, []byte("junk"), core.Fast, nil); core.KindOf(err) != core.Corrupt {
		t.Errorf("junk payload: %v", err)
	}
}

func mustGet(t *testing.T, p *core.Pool, seq uint64) core.Message {
	m, err := p.Get(seq)
	if err != nil {
		t.Fatal(err)
	}
	return m
}

// Connections are kept alive: many calls, one TCP connection.
func TestConnectionReuse(t *testing.T) {
	f := newFake(t)
	f.pool("demo", 1<<20)
	c := f.client(t)
	rp, _ := c.Pool("demo")
	var buf []byte
	for i := 0; i < 50; i++ {
		var err error
		if _, buf, err = rp.Append(bg, []byte(`{"i":1}`), nil, core.Fast, buf[:0]); err != nil {
			t.Fatal(err)
		}
		if _, err := rp.Info(bg); err != nil {
			t.Fatal(err)
		}
	}
	if _, err := c.Open(bg, "nope"); err == nil {
		t.Fatal("open nope succeeded")
	}
	if n := f.connections(); n != 1 {
		t.Errorf("%d connections for 101 sequential requests, want 1", n)
	}
}

// Error bodies that are envelopes keep their kind and members; others get
// the kind of their status.
func TestErrorResponses(t *testing.T) {
	for _, c := range []struct {
		status int
		body   string
		kind   core.Kind
		msg    string
	}{
		{404, `{"error":{"kind":"NotFound","message":"not found","path":"/srv/x.plasmite"}}`, core.NotFound, "not found"},
		{423, `{"error":{"kind":"Busy","message":"too many concurrent tail requests"}}`, core.Busy, "too many concurrent tail requests"},
		{401, `{"error":{"kind":"Permission","message":"invalid access key"}}`, core.Permission, "invalid access key"},
		{500, `{"error":{"kind":"Weird","message":"?"}}`, core.Internal, "?"},
		{400, `Invalid URL: Cannot parse value`, core.Usage, "remote error status 400"},
		{413, `length limit exceeded`, core.Usage, "remote error status 413"},
		{403, ``, core.Permission, "remote error status 403"},
		{404, `<html>`, core.NotFound, "remote error status 404"},
		{409, `{}`, core.AlreadyExists, "remote error status 409"},
		{502, `bad gateway`, core.Internal, "remote error status 502"},
		{418, `teapot`, core.IO, "remote error status 418"},
	} {
		cl := scripted(t, func(w http.ResponseWriter, r *http.Request) {
			w.WriteHeader(c.status)
			w.Write([]byte(c.body))
		})
		_, err := cl.List(bg)
		e := wantKind(t, err, c.kind)
		if e.Message != c.msg {
			t.Errorf("%d %q: message %q, want %q", c.status, c.body, e.Message, c.msg)
		}
	}
	// A 2xx whose body is not the document: Internal.
	cl := scripted(t, func(w http.ResponseWriter, r *http.Request) { w.Write([]byte(`{"pool":7}`)) })
	p, _ := cl.Pool("x")
	if _, err := p.Info(bg); core.KindOf(err) != core.Internal {
		t.Errorf("bad info body: %v", err)
	}
}

// A redirect is never followed: it is an Io error naming it.
func TestRedirectsRefused(t *testing.T) {
	hits := 0
	var cl *Client
	cl = scripted(t, func(w http.ResponseWriter, r *http.Request) {
		if r.URL.Path == "/elsewhere" {
			hits++
			w.Write([]byte(`{"pools":[]}`))
			return
		}
		http.Redirect(w, r, "/elsewhere", http.StatusTemporaryRedirect)
	})
	_, err := cl.List(bg)
	e := wantKind(t, err, core.IO)
	if !strings.Contains(e.Message, "redirected GET "+cl.Origin()+"v0/pools (status 307) to /elsewhere") || e.Hint == "" {
		t.Errorf("redirect error %+v", e)
	}
	p, _ := cl.Pool("x")
	if _, err := p.Tail(bg, TailOptions{}); core.KindOf(err) != core.IO {
		t.Errorf("tail redirect: %v", err)
	}
	if hits != 0 {
		t.Errorf("redirect target requested %d times", hits)
	}
}

// Responses, JSONL lines and frames are capped.
func TestSizeLimits(t *testing.T) {
	big := strings.Repeat("x", 2000)
	srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		switch {
		case strings.HasSuffix(r.URL.Path, "/lite3"):
			w.Write([]byte(big))
		case strings.HasSuffix(r.URL.Path, "/tail"):
			w.Write([]byte(`{"data":{"s":"` + big + `"},"meta":{"tags":[]},"seq":1,"time":"2026-01-01T00:00:00Z"}` + "\n"))
		case strings.HasSuffix(r.URL.Path, "/tail_lite3"):
			w.Write(wire.AppendFrame(nil, core.Message{Seq: 1, Payload: []byte(big)}))
		default:
			w.Write([]byte(`{"pools":[],"pad":"` + big + `"}`))
		}
	}))
	defer srv.Close()
	c, _ := New(srv.URL, Options{MaxResponseBytes: 1024})
	defer c.Close()
	_, err := c.List(bg)
	if e := wantKind(t, err, core.IO); e.Message != "response exceeded maximum response size" {
		t.Errorf("list: %v", e)
	}
	p, _ := c.Pool("x")
	_, err = p.GetLite3(bg, 1, nil)
	if e := wantKind(t, err, core.IO); e.Message != "lite3 response exceeded maximum response size" {
		t.Errorf("get lite3: %v", e)
	}
	tl, err := p.Tail(bg, TailOptions{})
	if err != nil {
		t.Fatal(err)
	}
	_, err = tl.Next()
	if e := wantKind(t, err, core.IO); e.Message != "tail line exceeded maximum response size" {
		t.Errorf("jsonl: %v", e)
	}
	tl, err = p.Tail(bg, TailOptions{Lite3: true})
	if err != nil {
		t.Fatal(err)
	}
	_, err = tl.Next()
	if e := wantKind(t, err, core.IO); e.Message != "lite3 frame exceeded maximum response size" {
		t.Errorf("frame: %v", e)
	}
	// Under the limit, a long line spanning buffer fills is read whole.
	c2, _ := New(srv.URL, Options{MaxResponseBytes: 1 << 20})
	defer c2.Close()
	p2, _ := c2.Pool("x")
	tl, _ = p2.Tail(bg, TailOptions{})
	if m, err := tl.Next(); err != nil || m.Seq != 1 {
		t.Errorf("long line: %v %v", m, err)
	}
}

// The streams' failure modes: truncated frames, broken or malformed lines,
// terminal error lines.
func TestStreamFailures(t *testing.T) {
	frame := wire.AppendFrame(nil, core.Message{Seq: 5, Time: 7, Payload: []byte("abcdef")})
	line := `{"data":{},"meta":{"tags":[]},"seq":1,"time":"2026-01-01T00:00:00Z"}`
	for _, c := range []struct {
		name  string
		lite3 bool
		body  string
		abort bool
		seqs  int
		kind  core.Kind
		msg   string
	}{
		{"frame cut in payload", true, string(frame) + string(frame[:23]), false, 1, core.IO, "unexpected eof in lite3 stream"},
		{"frame cut in header", true, string(frame[:10]), false, 0, core.IO, "unexpected eof in lite3 stream"},
		{"frame stream aborted", true, string(frame) + string(frame[:23]), true, 1, core.IO, "unexpected eof in lite3 stream"},
		{"jsonl aborted", false, line + "\n" + line[:20], true, 1, core.IO, "failed to read tail stream"},
		{"jsonl cut cleanly", false, line + "\n" + line[:20], false, 1, core.Internal, "invalid tail message json"},
		{"jsonl not json", false, "\n\n" + line + "\nnope\n", false, 1, core.Internal, "invalid tail message json"},
		{"jsonl error line", false, line + "\n" + `{"error":{"kind":"NotFound","message":"not found","path":"/p/x.plasmite"}}` + "\n", false, 1, core.NotFound, "not found"},
		{"jsonl gap line", false, `{"error":{"kind":"RetentionGap","message":"messages 1-4 are no longer retained","seq":1}}` + "\n", false, 0, core.RetentionGap, "messages 1-4 are no longer retained"},
		{"jsonl bad error line", false, `{"error":{}}` + "\n" + line + "\n", false, 0, core.Internal, "invalid tail error json"},
	} {
		t.Run(c.name, func(t *testing.T) {
			cl := scripted(t, func(w http.ResponseWriter, r *http.Request) {
				w.WriteHeader(200)
				w.Write([]byte(c.body))
				w.(http.Flusher).Flush()
				if c.abort {
					panic(http.ErrAbortHandler)
				}
			})
			p, _ := cl.Pool("x")
			tl, err := p.Tail(bg, TailOptions{Lite3: c.lite3})
			if err != nil {
				t.Fatal(err)
			}
			defer tl.Close()
			for i := 0; i < c.seqs; i++ {
				if _, err := tl.Next(); err != nil {
					t.Fatalf("message %d: %v", i, err)
				}
			}
			_, err = tl.Next()
			if e := wantKind(t, err, c.kind); e.Message != c.msg {
				t.Errorf("error %q, want %q", e.Message, c.msg)
			}
			if _, err := tl.Next(); err == nil || err.Error() != "EOF" {
				t.Errorf("after the error: %v, want EOF", err)
			}
		})
	}
}

func TestTailQueries(t *testing.T) {
	var got []string
	cl := scripted(t, func(w http.ResponseWriter, r *http.Request) {
		got = append(got, r.URL.Path+"?"+r.URL.RawQuery+" "+r.Header.Get("Accept"))
	})
	p, _ := cl.Pool("demo")
	for _, o := range []TailOptions{
		{},
		{SinceSeq: 3, Max: 2, Timeout: 100 * time.Millisecond, Tags: []string{"a,b", "c"}, GapError: true},
		{SinceSeq: 1, Lite3: true, Timeout: 1500 * time.Microsecond},
	} {
		tl, err := p.Tail(bg, o)
		if err != nil {
			t.Fatal(err)
		}
		tl.Close()
	}
	want := []string{
		"/v0/pools/demo/tail? application/json",
		"/v0/pools/demo/tail?gap_policy=error&max=2&since_seq=3&tag=a%2Cb&tag=c&timeout_ms=100 application/json",
		"/v0/pools/demo/tail_lite3?since_seq=1&timeout_ms=1 application/x-plasmite-lite3-stream",
	}
	if strings.Join(got, "\n") != strings.Join(want, "\n") {
		t.Errorf("requests\n%s\nwant\n%s", strings.Join(got, "\n"), strings.Join(want, "\n"))
	}
	if _, err := p.Tail(bg, TailOptions{Lite3: true, GapError: true}); core.KindOf(err) != core.Usage {
		t.Errorf("lite3 + gap error: %v", err)
	}
}

// A connection refused is Io "request failed" with the OS error as cause;
// a cancelled context says so and keeps context.Canceled in the chain.
func TestTransportErrors(t *testing.T) {
	srv := httptest.NewServer(http.NotFoundHandler())
	origin := srv.URL
	srv.Close()
	c, _ := New(origin, Options{})
	_, err := c.Open(bg, "demo")
	e := wantKind(t, err, core.IO)
	if e.Message != "request failed" || e.Path != "demo" || wire.Cause(e.Err) != "Connection refused (os error 111)" {
		t.Errorf("refused: %+v (cause %q)", e, wire.Cause(e.Err))
	}
	ctx, cancel := context.WithCancel(bg)
	cancel()
	_, err = c.List(ctx)
	if !errors.Is(err, context.Canceled) || core.KindOf(err) != core.IO {
		t.Errorf("cancelled: %v", err)
	}
}

// A slow server meets the request timeout, not a hang.
func TestRequestTimeout(t *testing.T) {
	release := make(chan struct{})
	srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) { <-release }))
	defer srv.Close()
	defer close(release)
	c, _ := New(srv.URL, Options{RequestTimeout: 50 * time.Millisecond})
	defer c.Close()
	if _, err := c.List(bg); !errors.Is(err, context.DeadlineExceeded) {
		t.Errorf("slow server: %v", err)
	}
}

// No proxy from the environment, ever.
func TestNoProxy(t *testing.T) {
	t.Setenv("HTTP_PROXY", "http://127.0.0.1:1")
	t.Setenv("http_proxy", "http://127.0.0.1:1")
	f := newFake(t)
	f.pool("demo", 1<<20)
	if _, err := f.client(t).Open(bg, "demo"); err != nil {
		t.Errorf("with a proxy in the environment: %v", err)
	}
}

// The transport keeps connections alive, notices one the server closed
// while it was kept, and never reuses one whose response was not read to
// its end or that was told to close.
func TestTransportConnections(t *testing.T) {
	var conns int
	var mu sync.Mutex
	srv := httptest.NewUnstartedServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		switch r.URL.Path {
		case "/v0/pools/close/info":
			w.Header().Set("Connection", "close")
		case "/v0/pools/big/info":
			w.Write([]byte(`{"pool":{"path":"` + strings.Repeat("x", 200000) + `"}}`))
			return
		case "/v0/pools/slow/tail": // one line, then nothing until the client goes
			w.Write([]byte("\n"))
			w.(http.Flusher).Flush()
			<-r.Context().Done()
			return
		}
		w.Write([]byte(`{"pool":{"path":"p"}}`))
	}))
	srv.Config.ConnState = func(_ net.Conn, s http.ConnState) {
		if s == http.StateNew {
			mu.Lock()
			conns++
			mu.Unlock()
		}
	}
	srv.Config.IdleTimeout = 100 * time.Millisecond
	srv.Start()
	defer srv.Close()
	count := func() int { mu.Lock(); defer mu.Unlock(); return conns }
	c, _ := New(srv.URL, Options{})
	defer c.Close()
	info := func(name string) {
		t.Helper()
		p, _ := c.Pool(name)
		if _, err := p.Info(bg); err != nil {
			t.Fatalf("info %s: %v", name, err)
		}
	}
	info("a")
	info("a")
	if n := count(); n != 1 {
		t.Fatalf("%d connections for two requests", n)
	}
	// The server closes the kept connection after 100 ms idle: the next
	// request sees it and dials again, without an error.
	time.Sleep(300 * time.Millisecond)
	info("a")
	if n := count(); n != 2 {
		t.Fatalf("%d connections after the server's idle close, want 2", n)
	}
	info("close") // Connection: close
	info("a")
	if n := count(); n != 3 {
		t.Fatalf("%d connections after Connection: close, want 3", n)
	}
	// A stream closed before its end cannot be reused.
	p, _ := c.Pool("big")
	tl, err := p.Tail(bg, TailOptions{})
	if err != nil {
		t.Fatal(err)
	}
	tl.Close()
	info("a")
	if n := count(); n != 4 {
		t.Fatalf("%d connections after an unfinished body, want 4", n)
	}
	// A request its context ends is cut off, and so is its connection.
	ctx, cancel := context.WithCancel(bg)
	slow, _ := c.Pool("slow")
	tl, err = slow.Tail(ctx, TailOptions{})
	if err != nil {
		t.Fatal(err)
	}
	cancel()
	if _, err := io.ReadAll(tl.body); err == nil {
		t.Error("read of a cancelled body succeeded")
	}
	info("a")
	if n := count(); n != 5 {
		t.Fatalf("%d connections after a cancel, want 5", n)
	}
}

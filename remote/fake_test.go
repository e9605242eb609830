package remote

import (
	"context"
	"encoding/json"
	"errors"
	"io"
	"net"
	"net/http"
	"net/http/httptest"
	"path/filepath"
	"strconv"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/plasmite-go/plasmite/core"
	"github.com/plasmite-go/plasmite/core/jsonfmt"
	"github.com/plasmite-go/plasmite/wire"
)

// fake is a small v0 server over real core pools in a temporary directory,
// for the client's unit tests: the routes the client uses, with knobs that
// make a stream misbehave the ways a real server or network can.
type fake struct {
	t   *testing.T
	dir string
	srv *httptest.Server

	mu       sync.Mutex
	requests []string // "METHOD path?query", in order
	conns    int      // TCP connections accepted

	capMS       int64 // timeout_ms above this: 400 "tail timeout exceeds server limit" (0: 30000)
	streamLimit int   // end every stream after this many messages (0: no limit)
	rewind      uint64
	tailHook    func(w http.ResponseWriter, r *http.Request) bool // true: handled
}

func newFake(t *testing.T) *fake {
	f := &fake{t: t, dir: t.TempDir(), capMS: 30000}
	f.srv = httptest.NewUnstartedServer(http.HandlerFunc(f.serve))
	f.srv.Config.ConnState = func(_ net.Conn, s http.ConnState) {
		if s == http.StateNew {
			f.mu.Lock()
			f.conns++
			f.mu.Unlock()
		}
	}
	f.srv.Start()
	t.Cleanup(f.srv.Close)
	return f
}

// origin is the fake's base URL as a client origin.
func (f *fake) origin() string { return f.srv.URL }

func (f *fake) client(t *testing.T) *Client {
	c, err := New(f.origin(), Options{})
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(c.Close)
	return c
}

// pool creates pool name of size bytes and returns it open for appends.
func (f *fake) pool(name string, size int64) *core.Pool {
	p, err := core.Create(filepath.Join(f.dir, name+".plasmite"), size)
	if err != nil {
		f.t.Fatal(err)
	}
	f.t.Cleanup(func() { p.Close() })
	return p
}

func (f *fake) log() []string {
	f.mu.Lock()
	defer f.mu.Unlock()
	return append([]string(nil), f.requests...)
}

func (f *fake) connections() int {
	f.mu.Lock()
	defer f.mu.Unlock()
	return f.conns
}

func (f *fake) fail(w http.ResponseWriter, err error) {
	e := wire.ErrorOf(err)
	w.Header().Set("Content-Type", "application/json")
	w.WriteHeader(wire.HTTPStatus(e.Kind))
	w.Write(wire.AppendError(nil, e, wire.HTTPForm))
}

func (f *fake) json(w http.ResponseWriter, v any) {
	w.Header().Set("Content-Type", "application/json")
	w.Write(jsonfmt.AppendValue(nil, v, jsonfmt.Compact))
}

func (f *fake) open(name string) (*core.Pool, error) {
	return core.Open(filepath.Join(f.dir, name+".plasmite"), core.OpenOptions{})
}

func (f *fake) serve(w http.ResponseWriter, r *http.Request) {
	f.mu.Lock()
	q := ""
	if r.URL.RawQuery != "" {
		q = "?" + r.URL.RawQuery
	}
	f.requests = append(f.requests, r.Method+" "+r.URL.EscapedPath()+q)
	f.mu.Unlock()
	w.Header().Set("plasmite-version", "0")
	parts := strings.Split(strings.TrimPrefix(r.URL.Path, "/v0/pools"), "/")
	switch {
	case r.URL.Path == "/v0/pools" && r.Method == "GET":
		ents, err := core.List(f.dir)
		if err != nil {
			f.fail(w, err)
			return
		}
		docs := make([]any, len(ents))
		for i, e := range ents {
			docs[i] = wire.InfoDocument(e.Info, e.Name, time.Now())
		}
		f.json(w, map[string]any{"pools": docs})
	case r.URL.Path == "/v0/pools" && r.Method == "POST":
		var req struct {
			Pool string
			Size int64 `json:"size_bytes"`
		}
		json.NewDecoder(r.Body).Decode(&req)
		p, err := core.Create(filepath.Join(f.dir, req.Pool+".plasmite"), req.Size)
		if err != nil {
			f.fail(w, err)
			return
		}
		defer p.Close()
		in, _ := p.Info()
		f.json(w, map[string]any{"pool": wire.InfoDocument(in, req.Pool, time.Now())})
	case len(parts) == 2 && r.Method == "DELETE":
		if err := core.Delete(filepath.Join(f.dir, parts[1]+".plasmite")); err != nil {
			f.fail(w, err)
			return
		}
		f.json(w, map[string]any{"ok": true})
	case r.URL.Path == "/v0/pools/open" && r.Method == "POST":
		var req struct{ Pool string }
		json.NewDecoder(r.Body).Decode(&req)
		p, err := f.open(req.Pool)
		if err != nil {
			f.fail(w, err)
			return
		}
		defer p.Close()
		in, _ := p.Info()
		f.json(w, map[string]any{"pool": wire.InfoDocument(in, req.Pool, time.Now())})
	case len(parts) == 3 && parts[2] == "info":
		p, err := f.open(parts[1])
		if err != nil {
			f.fail(w, err)
			return
		}
		defer p.Close()
		in, _ := p.Info()
		f.json(w, map[string]any{"pool": wire.InfoDocument(in, parts[1], time.Now())})
	case len(parts) == 3 && parts[2] == "append_lite3":
		body, _ := io.ReadAll(r.Body)
		p, err := f.open(parts[1])
		if err != nil {
			f.fail(w, err)
			return
		}
		defer p.Close()
		d := core.Fast
		if r.URL.Query().Get("durability") == "flush" {
			d = core.Flush
		}
		rc, err := p.AppendLite3(body, d)
		if err != nil {
			f.fail(w, err)
			return
		}
		m := core.Message{Seq: rc.Seq, Time: rc.Time, Payload: body}
		line, _ := wire.AppendMessage([]byte(`{"message":`), m, jsonfmt.Compact)
		w.Header().Set("Content-Type", "application/json")
		w.Write(append(line, '}'))
	case len(parts) >= 4 && parts[2] == "messages":
		f.message(w, parts[1], parts[3], len(parts) == 5 && parts[4] == "lite3")
	case len(parts) == 3 && (parts[2] == "tail" || parts[2] == "tail_lite3"):
		if f.tailHook != nil && f.tailHook(w, r) {
			return
		}
		f.tail(w, r, parts[1], parts[2] == "tail_lite3")
	default:
		f.fail(w, &core.Error{Kind: core.NotFound, Message: "no such route " + r.URL.Path})
	}
}

// message serves one message, as its envelope or its stored document.
func (f *fake) message(w http.ResponseWriter, name, seqText string, raw bool) {
	p, err := f.open(name)
	if err != nil {
		f.fail(w, err)
		return
	}
	defer p.Close()
	seq, _ := strconv.ParseUint(seqText, 10, 64)
	m, err := p.Get(seq)
	if err != nil {
		f.fail(w, err)
		return
	}
	if raw {
		w.Header().Set("Content-Type", "application/x-plasmite-lite3")
		w.Write(m.Payload)
		return
	}
	line, _ := wire.AppendMessage([]byte(`{"message":`), m, jsonfmt.Compact)
	w.Header().Set("Content-Type", "application/json")
	w.Write(append(line, '}'))
}

// tail serves one stream as the reference does: since_seq inclusive, max,
// timeout_ms as a total deadline capped by capMS, tag filters, JSONL or
// frames.
func (f *fake) tail(w http.ResponseWriter, r *http.Request, name string, lite3 bool) {
	q := r.URL.Query()
	timeout := time.Duration(f.capMS) * time.Millisecond
	if s := q.Get("timeout_ms"); s != "" {
		ms, _ := strconv.ParseInt(s, 10, 64)
		if ms > f.capMS {
			f.fail(w, &core.Error{Kind: core.Usage, Message: "tail timeout exceeds server limit"})
			return
		}
		timeout = time.Duration(ms) * time.Millisecond
	}
	ctx, cancel := context.WithTimeout(r.Context(), timeout)
	defer cancel()
	opts := core.TailOptions{Start: core.StartOldest, Tags: q["tag"]}
	if q.Get("gap_policy") == "error" {
		opts.Gap = core.GapError
	}
	if s := q.Get("since_seq"); s != "" {
		seq, _ := strconv.ParseUint(s, 10, 64)
		opts.Start, opts.Seq = core.StartSeq, max(seq-min(seq-1, f.rewind), 1)
	}
	max := uint64(0)
	if s := q.Get("max"); s != "" {
		max, _ = strconv.ParseUint(s, 10, 64)
	}
	if lite3 {
		w.Header().Set("Content-Type", "application/x-plasmite-lite3-stream")
	} else {
		w.Header().Set("Content-Type", "application/jsonl")
	}
	w.WriteHeader(200)
	fl := w.(http.Flusher)
	fl.Flush()
	p, err := f.open(name)
	if err != nil {
		if !lite3 {
			w.Write(append(wire.AppendError(nil, wire.ErrorOf(err), wire.LineForm), '\n'))
		}
		return
	}
	defer p.Close()
	tl, err := p.Tail(opts)
	if err != nil {
		return
	}
	defer tl.Close()
	n := 0
	for max == 0 || uint64(n) < max {
		if f.streamLimit > 0 && n >= f.streamLimit {
			return
		}
		m, err := tl.Next(ctx)
		if err != nil {
			if core.KindOf(err) == core.RetentionGap && !lite3 {
				w.Write(append(wire.AppendError(nil, wire.ErrorOf(err), wire.LineForm), '\n'))
			}
			return
		}
		var out []byte
		if lite3 {
			out = wire.AppendFrame(nil, m)
		} else {
			out, _ = wire.AppendMessage(nil, m, jsonfmt.Compact)
			out = append(out, '\n')
		}
		if _, err := w.Write(out); err != nil {
			return
		}
		fl.Flush()
		n++
	}
}

// appendN appends n messages {"i":k} (k from 1) with tag "t".
func appendN(t *testing.T, p *core.Pool, from, n int) {
	t.Helper()
	for i := from; i < from+n; i++ {
		if _, err := p.AppendJSON([]byte(`{"i":`+strconv.Itoa(i)+`}`), []string{"t"}, core.Fast); err != nil {
			t.Fatal(err)
		}
	}
}

// overwrite appends large messages until the first ones of a 64 KiB pool
// are gone.
func overwrite(t *testing.T, p *core.Pool) {
	t.Helper()
	big := strings.Repeat("x", 4000)
	for i := 0; i < 40; i++ {
		if _, err := p.AppendJSON([]byte(`{"s":"`+big+`"}`), nil, core.Fast); err != nil {
			t.Fatal(err)
		}
	}
}

// wantKind fails the test unless err is a *core.Error of kind k; it returns it.
func wantKind(t *testing.T, err error, k core.Kind) *core.Error {
	t.Helper()
	var e *core.Error
	if !errors.As(err, &e) || e.Kind != k {
		t.Fatalf("error %v (%T), want kind %v", err, err, k)
	}
	return e
}

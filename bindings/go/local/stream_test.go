package local_test

import (
	"bytes"
	"context"
	"errors"
	"io"
	"testing"
	"time"

	"github.com/plasmite-go/plasmite/bindings/go/api"
	plasmite "github.com/plasmite-go/plasmite/bindings/go/local"
)

// seqsOf reads a stream to its end.
func seqsOf(t *testing.T, next func() (uint64, error)) []uint64 {
	t.Helper()
	var seqs []uint64
	for {
		seq, err := next()
		if err == io.EOF {
			return seqs
		}
		if err != nil {
			t.Fatal(err)
		}
		seqs = append(seqs, seq)
	}
}

func jsonSeqs(t *testing.T, s api.Stream) func() (uint64, error) {
	return func() (uint64, error) {
		raw, err := s.NextJSON()
		if err != nil {
			return 0, err
		}
		m, err := api.DecodeMessage(raw)
		if err != nil {
			t.Fatal(err)
		}
		return m.Seq, nil
	}
}

func lite3Seqs(s api.Lite3Stream) func() (uint64, error) {
	return func() (uint64, error) {
		f, err := s.Next()
		if err != nil {
			return 0, err
		}
		return f.Seq, nil
	}
}

func TestStreamBounds(t *testing.T) {
	c, _ := newClient(t)
	p := newPool(t, c, "streams")
	for i := 0; i < 5; i++ {
		mustAppend(t, p, map[string]any{"i": i})
	}
	for _, tc := range []struct {
		name       string
		since, max *uint64
		want       []uint64
	}{
		{"everything", nil, nil, []uint64{1, 2, 3, 4, 5}},
		{"since is inclusive", u64(3), nil, []uint64{3, 4, 5}},
		{"since 0 is the start", u64(0), u64(2), []uint64{1, 2}},
		{"max", u64(2), u64(2), []uint64{2, 3}},
		{"max 0", nil, u64(0), nil},
		{"since beyond the end", u64(9), nil, nil},
	} {
		t.Run(tc.name, func(t *testing.T) {
			js, err := p.OpenStream(tc.since, tc.max, u64(30))
			if err != nil {
				t.Fatal(err)
			}
			defer js.Close()
			if got := seqsOf(t, jsonSeqs(t, js)); !equalSeqs(got, tc.want) {
				t.Errorf("JSON stream %v, want %v", got, tc.want)
			}
			ls, err := p.OpenLite3Stream(tc.since, tc.max, u64(30))
			if err != nil {
				t.Fatal(err)
			}
			defer ls.Close()
			if got := seqsOf(t, lite3Seqs(ls)); !equalSeqs(got, tc.want) {
				t.Errorf("Lite3 stream %v, want %v", got, tc.want)
			}
			if _, err := ls.Next(); err != io.EOF {
				t.Errorf("an ended stream must stay ended: %v", err)
			}
		})
	}
}

func equalSeqs(a, b []uint64) bool {
	if len(a) != len(b) {
		return false
	}
	for i := range a {
		if a[i] != b[i] {
			return false
		}
	}
	return true
}

// A stream follows appends made after it was opened, until its deadline.
func TestStreamFollowsUntilDeadline(t *testing.T) {
	c, _ := newClient(t)
	p := newPool(t, c, "follow")
	s, err := p.OpenStream(nil, nil, u64(60_000))
	if err != nil {
		t.Fatal(err)
	}
	defer s.Close()
	appended := make(chan error, 1)
	go func() { appended <- second(p.Append(map[string]any{"late": true}, nil)) }()
	raw, err := s.NextJSON()
	if err := <-appended; err != nil {
		t.Fatal(err)
	}
	if err != nil || !bytes.Contains(raw, []byte(`"late":true`)) {
		t.Fatalf("followed %s, %v", raw, err)
	}
	short, err := p.OpenLite3Stream(u64(2), nil, u64(1))
	if err != nil {
		t.Fatal(err)
	}
	defer short.Close()
	if _, err := short.Next(); err != io.EOF {
		t.Errorf("deadline: %v, want io.EOF", err)
	}
	zero, err := p.OpenStream(nil, nil, u64(0))
	if err != nil {
		t.Fatal(err)
	}
	defer zero.Close()
	if _, err := zero.NextJSON(); err != io.EOF {
		t.Errorf("timeout 0: %v, want io.EOF", err)
	}
}

func TestStreamContextReads(t *testing.T) {
	c, _ := newClient(t)
	p := newPool(t, c, "ctx")
	s, err := p.OpenStream(nil, nil, nil)
	if err != nil {
		t.Fatal(err)
	}
	defer s.Close()
	cs := s.(api.ContextStream)
	ctx, cancel := context.WithTimeout(t.Context(), 20*time.Millisecond)
	defer cancel()
	if _, err := cs.NextJSONContext(ctx); !errors.Is(err, context.DeadlineExceeded) {
		t.Fatalf("NextJSONContext past its deadline: %v", err)
	}
	m := mustAppend(t, p, map[string]any{"after": "timeout"})
	if raw, err := cs.NextJSONContext(t.Context()); err != nil || !bytes.Equal(raw, m.Raw) {
		t.Errorf("the stream must go on after a context ended: %s, %v", raw, err)
	}

	ls, err := p.OpenLite3Stream(u64(2), nil, nil)
	if err != nil {
		t.Fatal(err)
	}
	defer ls.Close()
	cls := ls.(api.ContextLite3Stream)
	cctx, ccancel := context.WithCancel(t.Context())
	ccancel()
	if _, err := cls.NextContext(cctx); !errors.Is(err, context.Canceled) {
		t.Fatalf("NextContext with a cancelled context: %v", err)
	}
	m2 := mustAppend(t, p, map[string]any{"n": 2})
	if f, err := cls.NextContext(t.Context()); err != nil || f.Seq != m2.Seq {
		t.Errorf("Lite3 stream after a cancelled read: %v, %v", f, err)
	}
}

// Close ends reads, and every read after it wraps ErrClosed.
func TestStreamClose(t *testing.T) {
	c, _ := newClient(t)
	p := newPool(t, c, "blocked")
	for _, lite3 := range []bool{false, true} {
		var next func() error
		var closeStream func()
		if lite3 {
			s, err := p.OpenLite3Stream(nil, nil, nil)
			if err != nil {
				t.Fatal(err)
			}
			next, closeStream = func() error { return second(s.Next()) }, s.Close
		} else {
			s, err := p.OpenStream(nil, nil, nil)
			if err != nil {
				t.Fatal(err)
			}
			next, closeStream = func() error { return second(s.NextJSON()) }, s.Close
		}
		started := make(chan struct{})
		done := make(chan error)
		go func() { close(started); done <- next() }()
		<-started
		closeStream()
		if err := <-done; !errors.Is(err, plasmite.ErrClosed) && err != io.EOF {
			t.Errorf("lite3=%v: read interrupted by Close: %v", lite3, err)
		}
		if err := next(); !errors.Is(err, plasmite.ErrClosed) || err.Error() != "plasmite: closed: stream is closed" {
			t.Errorf("lite3=%v: read after Close: %v", lite3, err)
		}
		closeStream()
	}
	var zs plasmite.Stream
	var zl plasmite.Lite3Stream
	if _, err := zs.NextJSON(); !errors.Is(err, plasmite.ErrClosed) {
		t.Errorf("zero Stream: %v", err)
	}
	if _, err := zl.Next(); !errors.Is(err, plasmite.ErrClosed) {
		t.Errorf("zero Lite3Stream: %v", err)
	}
	zs.Close()
	zl.Close()
	var ns *plasmite.Stream
	var nl *plasmite.Lite3Stream
	ns.Close()
	nl.Close()
	if _, err := ns.NextJSON(); !errors.Is(err, plasmite.ErrClosed) {
		t.Errorf("nil Stream: %v", err)
	}
	if _, err := nl.Next(); !errors.Is(err, plasmite.ErrClosed) {
		t.Errorf("nil Lite3Stream: %v", err)
	}
}

// Streams skip overwritten messages (the reference's OpenStream has no gap
// policy).
func TestStreamSkipsGaps(t *testing.T) {
	c, _ := newClient(t)
	p := newPool(t, c, "stream-gap")
	first := mustAppend(t, p, map[string]any{"first": true})
	fillPast(t, p, first.Seq)
	s, err := p.OpenStream(u64(first.Seq), u64(1), u64(1000))
	if err != nil {
		t.Fatal(err)
	}
	defer s.Close()
	raw, err := s.NextJSON()
	if err != nil {
		t.Fatal(err)
	}
	if m, _ := api.DecodeMessage(raw); m.Seq <= first.Seq {
		t.Errorf("stream resumed at %d", m.Seq)
	}
}

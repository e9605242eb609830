package wire

import (
	"context"
	"path/filepath"
	"testing"
	"time"

	"github.com/plasmite-go/plasmite/core"
)

func testPool(t *testing.T, size int64, n int) *core.Pool {
	t.Helper()
	p, err := core.Create(filepath.Join(t.TempDir(), "s.plasmite"), size)
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { p.Close() })
	for i := 0; i < n; i++ {
		if _, err := p.AppendJSON([]byte(`{"i":1}`), nil, core.Fast); err != nil {
			t.Fatal(err)
		}
	}
	return p
}

// drain reads s to its end and returns the seqs delivered and the errors.
func drain(t *testing.T, s *Stream) (seqs []uint64, errs []error) {
	t.Helper()
	for i := 0; i < 1000; i++ {
		m, ok, err := s.Next()
		if err != nil {
			errs = append(errs, err)
			continue
		}
		if !ok {
			return seqs, errs
		}
		seqs = append(seqs, m.Seq)
		s.Delivered()
	}
	t.Fatal("stream did not end")
	return nil, nil
}

func TestStreamMax(t *testing.T) {
	p := testPool(t, 0, 5)
	for _, c := range []struct {
		max  uint64
		want int
	}{{0, 0}, {2, 2}, {5, 5}} {
		max := c.max
		s, err := OpenStream(context.Background(), p, core.TailOptions{}, StreamBounds{Max: &max, Deadline: time.Now().Add(time.Minute)})
		if err != nil {
			t.Fatal(err)
		}
		seqs, errs := drain(t, s)
		s.Close()
		if len(seqs) != c.want || len(errs) != 0 {
			t.Errorf("max %d: %v %v", c.max, seqs, errs)
		}
	}
	if (StreamBounds{}).Exhausted(1 << 60) {
		t.Error("no Max: never exhausted")
	}
}

// A message that is not delivered (it failed to render) does not count.
func TestStreamCountsDeliveredOnly(t *testing.T) {
	p := testPool(t, 0, 3)
	one := uint64(1)
	s, err := OpenStream(context.Background(), p, core.TailOptions{}, StreamBounds{Max: &one})
	if err != nil {
		t.Fatal(err)
	}
	defer s.Close()
	a, ok1, _ := s.Next() // not delivered
	b, ok2, _ := s.Next()
	s.Delivered()
	_, ok3, _ := s.Next()
	if !ok1 || !ok2 || ok3 || a.Seq != 1 || b.Seq != 2 {
		t.Fatalf("%v %v %v %d %d", ok1, ok2, ok3, a.Seq, b.Seq)
	}
}

// The deadline ends an idle stream cleanly, as do Cancel and the parent.
func TestStreamEnds(t *testing.T) {
	p := testPool(t, 0, 1)
	s, err := OpenStream(context.Background(), p, core.TailOptions{Start: core.StartLive}, StreamBounds{Deadline: time.Now().Add(20 * time.Millisecond)})
	if err != nil {
		t.Fatal(err)
	}
	if seqs, errs := drain(t, s); len(seqs) != 0 || len(errs) != 0 {
		t.Fatalf("deadline: %v %v", seqs, errs)
	}
	s.Close()

	s, err = OpenStream(context.Background(), p, core.TailOptions{Start: core.StartLive}, StreamBounds{})
	if err != nil {
		t.Fatal(err)
	}
	done := make(chan []uint64)
	go func() { seqs, _ := drain(t, s); done <- seqs }()
	s.Cancel() // from another goroutine, before or while Next waits
	if seqs := <-done; len(seqs) != 0 {
		t.Fatalf("cancel: %v", seqs)
	}
	s.Close()

	ctx, cancel := context.WithCancel(context.Background())
	cancel()
	s, err = OpenStream(ctx, p, core.TailOptions{}, StreamBounds{})
	if err != nil {
		t.Fatal(err)
	}
	if seqs, _ := drain(t, s); len(seqs) != 0 {
		t.Fatalf("parent done: %v", seqs)
	}
	s.Close()
}

// Under GapError a gap is reported once, as RetentionGap, and ends the
// stream; under GapContinue the stream resumes at the oldest message.
func TestStreamGap(t *testing.T) {
	p := testPool(t, 64<<10, 0)
	for i := 0; i < 2000; i++ { // far more than 64 KiB holds
		if _, err := p.AppendJSON([]byte(`{"pad":"xxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxx"}`), nil, core.Fast); err != nil {
			t.Fatal(err)
		}
	}
	oldest := p.Bounds().Oldest
	start := core.TailOptions{Start: core.StartSeq, Seq: 1}
	s, err := OpenStream(context.Background(), p, start, StreamBounds{Gap: core.GapError})
	if err != nil {
		t.Fatal(err)
	}
	seqs, errs := drain(t, s)
	s.Close()
	if len(seqs) != 0 || len(errs) != 1 || core.KindOf(errs[0]) != core.RetentionGap {
		t.Fatalf("gap error: %v %v", seqs, errs)
	}
	s, err = OpenStream(context.Background(), p, start, StreamBounds{Gap: core.GapContinue, Deadline: time.Now().Add(20 * time.Millisecond)})
	if err != nil {
		t.Fatal(err)
	}
	seqs, errs = drain(t, s)
	s.Close()
	if len(errs) != 0 || len(seqs) == 0 || seqs[0] != oldest || seqs[len(seqs)-1] != 2000 {
		t.Fatalf("gap continue: first %v of %d, %v", seqs[:1], len(seqs), errs)
	}
	for name, want := range map[string]core.GapPolicy{"continue": core.GapContinue, "error": core.GapError} {
		if got, ok := ParseGapPolicy(name); !ok || got != want {
			t.Errorf("ParseGapPolicy(%q)", name)
		}
	}
	if _, ok := ParseGapPolicy("Error"); ok {
		t.Error("gap policy names are exact")
	}
}

// TryNext delivers what is there without waiting, obeys Max, and reports
// a gap once like Next; Done tells "dry for now" from "over".
func TestStreamTryNext(t *testing.T) {
	p := testPool(t, 0, 3)
	two := uint64(2)
	s, err := OpenStream(context.Background(), p, core.TailOptions{}, StreamBounds{Max: &two})
	if err != nil {
		t.Fatal(err)
	}
	var seqs []uint64
	for {
		m, ok, err := s.TryNext()
		if err != nil || !ok {
			break
		}
		seqs = append(seqs, m.Seq)
		s.Delivered()
	}
	if len(seqs) != 2 || !s.Done() {
		t.Fatalf("max 2: %v done=%v", seqs, s.Done())
	}
	s.Close()

	s, err = OpenStream(context.Background(), p, core.TailOptions{Start: core.StartLive}, StreamBounds{})
	if err != nil {
		t.Fatal(err)
	}
	if _, ok, err := s.TryNext(); ok || err != nil || s.Done() {
		t.Fatalf("caught up: ok=%v err=%v done=%v", ok, err, s.Done())
	}
	s.Cancel()
	if !s.Done() {
		t.Fatal("cancelled stream not done")
	}
	s.Close()

	g := testPool(t, 64<<10, 0)
	for i := 0; i < 2000; i++ {
		if _, err := g.AppendJSON([]byte(`{"pad":"xxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxx"}`), nil, core.Fast); err != nil {
			t.Fatal(err)
		}
	}
	s, err = OpenStream(context.Background(), g, core.TailOptions{Start: core.StartSeq, Seq: 1}, StreamBounds{Gap: core.GapError})
	if err != nil {
		t.Fatal(err)
	}
	defer s.Close()
	if _, _, err := s.TryNext(); core.KindOf(err) != core.RetentionGap || !s.Done() {
		t.Fatalf("gap: %v done=%v", err, s.Done())
	}
	if _, ok, err := s.TryNext(); ok || err != nil {
		t.Fatalf("after the gap: %v %v", ok, err)
	}
}

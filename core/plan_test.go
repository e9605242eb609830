package core

import (
	"math/rand"
	"strings"
	"testing"
)

// model applies plans to an in-memory ring the way the writer does.
type model struct {
	ring []byte
	c    cursors
}

func (m *model) append(t *testing.T, n int) plan {
	t.Helper()
	p, err := planAppend(m.ring, m.c, uint64(n))
	if err != nil {
		t.Fatalf("plan: %v", err)
	}
	if p.HasWrap {
		putFrameHeader(m.ring[p.WrapOff:], stateWrap, 0, 0, 0)
	}
	f := p.FrameOff
	putFrameHeader(m.ring[f:], stateCommitted, p.Seq, 0, uint32(n))
	for i := 0; i < n; i++ {
		m.ring[f+64+uint64(i)] = byte(p.Seq)
	}
	copy(m.ring[f+64+uint64(n):], commitMagic[:])
	m.c = p.After
	return p
}

func TestPlanSizeChecks(t *testing.T) {
	ring := make([]byte, 128)
	if got := maxPayload(128); got != 56 {
		t.Fatalf("maxPayload(128) = %d", got)
	}
	cases := []struct {
		n    uint64
		kind Kind
		msg  string
	}{
		{1 << 33, Usage, "payload too large"},
		{57, Usage, "payload exceeds ring capacity"},
		{55, Usage, ""}, // FL 128 fits exactly
	}
	for _, c := range cases {
		_, err := planAppend(ring, cursors{}, c.n)
		if c.msg == "" {
			if err != nil {
				t.Errorf("n=%d: %v", c.n, err)
			}
			continue
		}
		if KindOf(err) != c.kind || err.(*Error).Message != c.msg {
			t.Errorf("n=%d: got %v, want %v %q", c.n, err, c.kind, c.msg)
		}
	}
	// 8-rounding can make a frame longer than the ring.
	ring = make([]byte, 130)
	if _, err := planAppend(ring, cursors{}, 57); KindOf(err) != Usage || err.(*Error).Message != "frame larger than ring" {
		t.Errorf("got %v", err)
	}
	if _, err := planAppend(ring, cursors{Head: 8}, 1); KindOf(err) != Corrupt {
		t.Errorf("empty head/tail mismatch: %v", err)
	}
	if _, err := planAppend(ring, cursors{Head: 200, Oldest: 1, Newest: 1}, 1); KindOf(err) != Corrupt {
		t.Errorf("head out of range: %v", err)
	}
}

func TestAlign(t *testing.T) {
	for in, want := range map[uint64]uint64{0: 0, 1: 8, 8: 8, 9: 16} {
		if align8(in) != want {
			t.Errorf("align8(%d)", in)
		}
	}
	if frameLen(1) != 80 || frameLen(420) != 496 || frameLen(0) != 72 || frameLen(100) != 176 {
		t.Error("frameLen")
	}
}

type planRow struct {
	frame, head, tail, tailNext, oldest, newest uint64
	wrap                                        int64 // -1 none
	drops, fast                                 int
}

func runRows(t *testing.T, ringSize int, payload int, rows []planRow) {
	t.Helper()
	m := &model{ring: make([]byte, ringSize)}
	for i, r := range rows {
		p := m.append(t, payload)
		wrap := int64(-1)
		if p.HasWrap {
			wrap = int64(p.WrapOff)
		}
		got := planRow{p.FrameOff, p.After.Head, p.After.Tail, p.After.TailNext, p.After.Oldest, p.After.Newest, wrap, p.Drops, p.FastDrop}
		if got != r {
			t.Fatalf("append %d: got %+v\nwant %+v", i+1, got, r)
		}
		if err := (&mapping{ring: m.ring}).checkModel(m.c); err != nil {
			t.Fatalf("append %d: %v", i+1, err)
		}
	}
}

// checkModel runs the strict walk over a model ring.
func (mp *mapping) checkModel(c cursors) error {
	data := make([]byte, headerSize+len(mp.ring))
	h, _ := newHeader(uint64(len(data)), 0)
	h.cursors = c
	copy(data, h.encode())
	copy(data[headerSize:], mp.ring)
	m := &mapping{data: data, ring: data[headerSize:]}
	return m.checkStrict()
}

// The worked sequences of the format spec (§4.6), payload 100 (FL 176), as
// release 1.2.1 plays them: it never leaves the tail on a wrap marker or gap
// (the 0.8.0 spec does), moving it to the oldest frame at 0 instead.
// Cross-checked against the reference binary by TestInteropPlannerMatches.
func TestPlanSpecSequenceWrapMarkerTail(t *testing.T) {
	runRows(t, 416, 100, []planRow{
		{0, 176, 0, 176, 1, 1, -1, 0, 0},
		{176, 352, 0, 176, 1, 2, -1, 0, 0},
		{0, 176, 176, 352, 2, 3, 352, 1, 1},
		{176, 352, 0, 176, 3, 4, -1, 1, 1}, // 0.8.0: tail 352 on the marker, tail_next 0
		{0, 176, 176, 352, 4, 5, 352, 1, 1},
		{176, 352, 0, 176, 5, 6, -1, 1, 1},
	})
}

func TestPlanSpecSequenceGapTail(t *testing.T) {
	runRows(t, 408, 100, []planRow{
		{0, 176, 0, 176, 1, 1, -1, 0, 0},
		{176, 352, 0, 176, 1, 2, -1, 0, 0},
		{0, 176, 176, 352, 2, 3, -1, 1, 1},
		{176, 352, 0, 176, 3, 4, -1, 1, 0}, // fast drop refused (56 bytes after tail_next); 0.8.0: tail on the gap
		{0, 176, 176, 352, 4, 5, -1, 1, 1},
	})
}

// A pool written by 0.8.0 can have its tail on a wrap marker; the slow drop
// steps over it.
func TestPlanTailOnMarkerFromOlderWriter(t *testing.T) {
	ring := make([]byte, 416)
	putFrameHeader(ring[0:], stateCommitted, 3, 0, 100)
	copy(ring[164:], commitMagic[:])
	putFrameHeader(ring[176:], stateCommitted, 4, 0, 100)
	copy(ring[340:], commitMagic[:])
	putFrameHeader(ring[352:], stateWrap, 0, 0, 0)
	c := cursors{Head: 352, Tail: 352, TailNext: 0, Oldest: 3, Newest: 4}
	if err := (&mapping{ring: ring}).checkModel(c); err == nil || !strings.Contains(err.Error(), "tail frame is not committed") {
		t.Fatalf("strict oracle accepts a tail on a marker: %v", err)
	}
	p, err := planAppend(ring, c, 100)
	if err != nil {
		t.Fatal(err)
	}
	if p.FrameOff != 0 || p.Drops != 2 || p.After != (cursors{Head: 176, Tail: 176, TailNext: 352, Oldest: 4, Newest: 5}) {
		t.Fatalf("%+v", p)
	}
}

func TestPlanExactFit(t *testing.T) {
	runRows(t, 176, 100, []planRow{
		{0, 0, 0, 0, 1, 1, -1, 0, 0},
		{0, 0, 0, 0, 2, 2, -1, 1, 0},
	})
}

func TestPlanWrapWhenLittleSpaceLeft(t *testing.T) {
	ring := make([]byte, 3*176+64)
	c := cursors{Head: 3 * 176, Tail: 3 * 176, TailNext: 3 * 176}
	p, err := planAppend(ring, c, 100)
	if err != nil {
		t.Fatal(err)
	}
	if !p.HasWrap || p.WrapOff != 3*176 || p.FrameOff != 0 || p.After.Head != 176 || p.After.Tail != 0 || p.After.Oldest != 1 || p.Drops != 0 {
		t.Fatalf("%+v", p)
	}
}

func TestPlanFullRingOfTwo(t *testing.T) {
	runRows(t, 352, 100, []planRow{
		{0, 176, 0, 176, 1, 1, -1, 0, 0},
		{176, 0, 0, 176, 1, 2, -1, 0, 0},
		{0, 176, 176, 0, 2, 3, -1, 1, 1},
	})
}

func TestPlanFastDropWithoutDecoding(t *testing.T) {
	ring := make([]byte, 512)
	// Tail frame bytes all zero; tail_next points at a committed seq-2 frame.
	putFrameHeader(ring[256:], stateCommitted, 2, 0, 100)
	copy(ring[256+64+100:], commitMagic[:])
	c := cursors{Head: 504, Tail: 0, TailNext: 256, Oldest: 1, Newest: 2}
	p, err := planAppend(ring, c, 64)
	if err != nil {
		t.Fatal(err)
	}
	if p.Drops != 1 || p.FastDrop != 1 || p.After.Tail != 256 || p.After.Oldest != 2 || p.After.Newest != 3 || p.FrameOff != 0 {
		t.Fatalf("%+v", p)
	}
}

func TestPlanCorruptTail(t *testing.T) {
	ring := make([]byte, 512)
	c := cursors{Head: 504, Tail: 0, TailNext: 0, Oldest: 1, Newest: 2}
	if _, err := planAppend(ring, c, 64); KindOf(err) != Corrupt {
		t.Fatalf("zero tail frame: %v", err)
	}
	putFrameHeader(ring, stateWriting, 1, 0, 10)
	if _, err := planAppend(ring, c, 64); KindOf(err) != Corrupt || err.(*Error).Message != "invalid tail frame state" {
		t.Fatalf("writing tail frame: %v", err)
	}
}

// Random payload sizes on small rings, full validation after every append.
func TestPlanProperty(t *testing.T) {
	for _, seed := range []int64{1, 7, 42, 99} {
		rng := rand.New(rand.NewSource(seed))
		for size := 384; size <= 640; size += 37 {
			m := &model{ring: make([]byte, size)}
			for i := 0; i < 200; i++ {
				n := rng.Intn(int(maxPayload(uint64(size))) + 1)
				if frameLen(uint64(n)) > uint64(size) {
					n -= 8
				}
				m.append(t, n)
				if err := (&mapping{ring: m.ring}).checkModel(m.c); err != nil {
					t.Fatalf("seed %d ring %d append %d (n=%d): %v", seed, size, i+1, n, err.(*Error).Display())
				}
			}
		}
	}
}

// TestPlanSteadyMatchesGeneral: on states reached by random appends, and
// with their tail_next cache perturbed, planning with the steady-state fast
// path gives exactly the general planner's plan or error.
func TestPlanSteadyMatchesGeneral(t *testing.T) {
	plan2 := func(ring []byte, c cursors, n uint64, slow bool) (plan, error) {
		planSlowOnly = slow
		defer func() { planSlowOnly = false }()
		return planAppend(ring, c, n)
	}
	same := func(a, b error) bool {
		if a == nil || b == nil {
			return a == nil && b == nil
		}
		return a.Error() == b.Error()
	}
	steady := 0
	for _, seed := range []int64{1, 2, 3, 4, 5, 6} {
		rng := rand.New(rand.NewSource(seed))
		for size := 384; size <= 2048; size += 136 {
			m := &model{ring: make([]byte, size)}
			for i := 0; i < 300; i++ {
				n := uint64(rng.Intn(int(maxPayload(uint64(size))) + 1))
				if rng.Intn(3) > 0 {
					n = uint64(rng.Intn(120)) // mostly small: many frames, steady drops
				}
				for k := 0; k < 4; k++ {
					c := m.c
					switch k {
					case 1:
						c.TailNext = uint64(rng.Intn(size)) &^ 7
					case 2:
						c.TailNext = uint64(rng.Intn(size))
					case 3:
						c.Tail = uint64(rng.Intn(size)) &^ 7
					}
					want, werr := plan2(m.ring, c, n, true)
					got, gerr := plan2(m.ring, c, n, false)
					if !same(werr, gerr) || (werr == nil && got != want) {
						t.Fatalf("seed %d ring %d step %d variant %d n=%d cursors %+v:\n fast %+v %v\n general %+v %v",
							seed, size, i, k, n, c, got, gerr, want, werr)
					}
					if werr == nil && c.Oldest != 0 && uint64(size)-c.Head >= want.FL {
						steady++
					}
				}
				if frameLen(n) <= uint64(size) {
					m.append(t, int(n))
				}
			}
		}
	}
	if steady < 1000 {
		t.Fatalf("only %d steady-state cases compared", steady)
	}
}

package core

import (
	"bytes"
	"errors"
	"os"
	"strings"
	"syscall"
	"testing"
)

// A writer killed between two header stores leaves a mixed header; the
// journal lets the next writer (or Open) finish the publish.
func TestHeaderJournalRepair(t *testing.T) {
	payload := bytes.Repeat([]byte{3}, 100)
	for _, tc := range []struct {
		name string
		prep func(t *testing.T, p *Pool) cursors // returns the expected cursors after repair
	}{
		{"empty pool, only head stored", func(t *testing.T, p *Pool) cursors {
			c := p.m.mustAppendThenTear(t, payload, 2, func(d []byte, before, after cursors) {
				store64(d, hHead, after.Head)
			})
			return c
		}},
		{"final publish torn before newest", func(t *testing.T, p *Pool) cursors {
			for i := 0; i < 3; i++ {
				rawAppend(t, p, payload)
			}
			releaseLease(p)
			return p.m.mustAppendThenTear(t, payload, 2, func(d []byte, before, after cursors) {
				store64(d, hHead, after.Head)
				store64(d, hTail, after.Tail)
			})
		}},
		{"drop publish torn", func(t *testing.T, p *Pool) cursors {
			for i := 0; i < 40; i++ { // fills the 5 KiB test ring: appends drop
				rawAppend(t, p, payload)
			}
			releaseLease(p)
			var mid cursors
			p.m.mustAppendThenTear(t, payload, 1, func(d []byte, before, after cursors) {
				mid = getJournal(d, hJournalA)
				store64(d, hTail, mid.Tail)
			})
			return mid
		}},
	} {
		t.Run(tc.name, func(t *testing.T) {
			p := tempPool(t, 4096+2048)
			want := tc.prep(t, p)
			path := p.Path()
			p.Close()
			// Doctor (read-only, never repairs) judges the pool as the next
			// writer will leave it — unless the torn header does not even
			// pass the open-time checks (first append into an empty pool).
			if rep, err := ValidateWith(path, ValidateOptions{Quick: true}); /* raw payloads */ err != nil || (rep.Status != "ok" || len(rep.Hints) == 0) && !strings.HasPrefix(tc.name, "empty") {
				t.Fatalf("doctor before repair: %+v %v", rep, err)
			}
			q, err := Open(path, OpenOptions{})
			if err != nil {
				t.Fatal(err)
			}
			defer q.Close()
			if got := loadCursors(q.m.data); got != want {
				t.Fatalf("after repair %+v, want %+v", got, want)
			}
			if load64(q.m.data, hJournal) != 0 {
				t.Fatal("journal not cleared")
			}
			mustStrict(t, q)
			rawAppend(t, q, payload)
			mustStrict(t, q)
		})
	}
}

// mustAppendThenTear performs an append on a copy of the pool's state, then
// rewinds the header to its previous value and applies only the stores tear
// chooses, leaving the journal in state js — what a SIGKILL at that point
// leaves behind.
func (m *mapping) mustAppendThenTear(t *testing.T, payload []byte, js uint64, tear func(d []byte, before, after cursors)) cursors {
	t.Helper()
	d := m.data
	before := loadCursors(d)
	pl, err := planAppend(m.ring, before, uint64(len(payload)))
	if err != nil {
		t.Fatal(err)
	}
	f := pl.FrameOff
	if pl.HasWrap {
		putFrameHeader(m.ring[pl.WrapOff:], stateWrap, 0, 0, 0)
	}
	putFrameHeader(m.ring[f:], stateCommitted, pl.Seq, 1, uint32(len(payload)))
	copy(m.ring[f+64:], payload)
	copy(m.ring[f+64+uint64(len(payload)):], commitMagic[:])
	if ic := uint64(m.geo.IndexCapacity); ic > 0 {
		store64(d, indexOffset+16*(pl.Seq%ic), pl.Seq)
		store64(d, indexOffset+16*(pl.Seq%ic)+8, f)
	}
	if js == 1 && pl.Drops == 0 {
		t.Fatal("no drops to tear")
	}
	putJournal(d, hJournalA, pl.Mid)
	putJournal(d, hJournalB, pl.After)
	store64(d, hJournal, js)
	tear(d, before, pl.After)
	if js == 2 {
		return pl.After
	}
	return pl.Mid
}

// The partial states of one append (§11 "crash during write"): a frame left
// in Writing or Committed state past the head is invisible and harmless.
func TestCrashLeftoverFrames(t *testing.T) {
	for _, state := range []uint32{stateWriting, stateCommitted} {
		p := tempPool(t, 4096+1024)
		rawAppend(t, p, bytes.Repeat([]byte{1}, 100))
		rawAppend(t, p, bytes.Repeat([]byte{2}, 100))
		releaseLease(p)
		c := loadCursors(p.m.data)
		putFrameHeader(p.m.ring[c.Head:], state, 3, 0, 240)
		copy(p.m.ring[c.Head+64+240:], commitMagic[:])
		mustStrict(t, p)
		tl, _ := p.Tail(TailOptions{})
		if got := drain(t, tl); !eq(got, seqs(1, 2)) {
			t.Fatalf("state %d: %v", state, got)
		}
		if _, err := p.Get(3); KindOf(err) != NotFound {
			t.Fatal(err)
		}
		r := rawAppend(t, p, bytes.Repeat([]byte{3}, 50))
		if r.Seq != 3 {
			t.Fatal(r)
		}
		if got := drain(t, tl); !eq(got, []uint64{3}) {
			t.Fatalf("state %d after: %v", state, got)
		}
		if m, _ := p.Get(3); len(m.Payload) != 50 {
			t.Fatal("leftover returned")
		}
		mustStrict(t, p)
		tl.Close()
	}
}

// A pool file truncated while mapped: every operation fails with IO instead
// of crashing the process with SIGBUS.
func TestTruncatedUnderMapping(t *testing.T) {
	p := tempPool(t, 1<<20)
	for i := 0; i < 100; i++ {
		rawAppend(t, p, bytes.Repeat([]byte{1}, 100))
	}
	tl, _ := p.Tail(TailOptions{})
	defer tl.Close()
	releaseLease(p)
	if err := os.Truncate(p.Path(), 0); err != nil {
		t.Fatal(err)
	}
	if _, err := p.Get(50); KindOf(err) != IO {
		t.Fatalf("get: %v", err)
	}
	if _, _, err := tl.TryNext(); KindOf(err) != IO {
		t.Fatalf("tail: %v", err)
	}
	if _, err := p.appendPayload([]byte("x"), Fast); KindOf(err) != IO {
		t.Fatalf("append: %v", err)
	}
	var b Batch
	b.AddLite3(doc(t))
	if _, err := p.AppendBatch(&b, Fast, nil); KindOf(err) != IO {
		t.Fatalf("batch: %v", err)
	}
	if _, err := p.Info(); KindOf(err) != IO {
		t.Fatalf("info: %v", err)
	}
	if p.Bounds() != (Bounds{}) {
		t.Fatal("bounds")
	}
	if _, err := p.appendPayload([]byte("x"), Fast); KindOf(err) != IO {
		t.Fatalf("second append (lock state after a fault): %v", err)
	}
}

// An msync failure under Flush is reported as IO; the message is already
// published and the pool stays valid and reopenable.
func TestFlushFailure(t *testing.T) {
	p := tempPool(t, 64<<10)
	rawAppend(t, p, []byte("a"))
	syncFault = syscall.EIO
	_, err := p.appendPayload([]byte("b"), Flush)
	var b Batch
	b.AddLite3(doc(t))
	_, berr := p.AppendBatch(&b, Flush, nil)
	syncFault = nil
	var e *Error
	if !errors.As(err, &e) || e.Kind != IO || e.Message != "failed to flush frame" || !errors.Is(err, syscall.EIO) {
		t.Fatalf("append: %v", err)
	}
	if KindOf(berr) != IO {
		t.Fatalf("batch: %v", berr)
	}
	if bd := p.Bounds(); bd != (Bounds{1, 3}) {
		t.Fatal(bd)
	}
	mustStrict(t, p)
	path := p.Path()
	p.Close()
	q, err := Open(path, OpenOptions{})
	if err != nil {
		t.Fatal(err)
	}
	defer q.Close()
	if m, err := q.Get(2); err != nil || string(m.Payload) != "b" {
		t.Fatal(err)
	}
	if r, err := q.appendPayload([]byte("c"), Flush); err != nil || r.Seq != 4 {
		t.Fatal(r, err)
	}
}

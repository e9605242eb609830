package core

import (
	"encoding/binary"
	"strconv"
)

// Rebuilding a damaged frame header. A frame whose header (or commit
// marker) is damaged but whose payload is a readable message document
// keeps its message when the run pins down what its header must say: it
// lies between a good frame carrying the seq before it (ending where it
// starts) and the frame or header position that follows it, so its place,
// its seq and its length are known. One field may disagree — the magic,
// the state, the header length, the seq, one of the two length fields, or
// the commit marker; with more, or when the stored seq is that of another
// message the header claims (an append that never published reusing the
// place), nothing is rebuilt.

// frameFix is a rebuilt frame header (and commit marker) to write.
type frameFix struct {
	off    uint64
	seq    uint64
	header [frameHeaderSize]byte
	plen   uint64
	what   string // which field was wrong
}

// rebuildAt tries to rebuild, at ring offset o, the header of the frame
// carrying seq that ends at ring offset end (end == 0: not known, the frame
// must then end close enough to the ring end that a frame of nextFL did
// not fit after it). It returns the frame as the run sees it.
func (s *salvage) rebuildAt(o, seq, end, nextFL uint64) (found, *frameFix, bool) {
	if o%8 != 0 || s.rs-o < frameHeaderSize {
		return found{}, nil, false
	}
	h := s.ring[o : o+frameHeaderSize]
	le := binary.LittleEndian
	p1, p2 := uint64(le.Uint32(h[fLen:])), uint64(^le.Uint32(h[fLenXor:]))
	if end != 0 && o+frameLen(p1) != end && o+frameLen(p2) != end {
		return found{}, nil, false // the cheap test that rejects almost every offset
	}
	n, what := 0, ""
	wrong := func(w string) { n, what = n+1, w }
	if le.Uint32(h[fMagic:]) != frameMagicWord {
		wrong("bad frame magic")
	}
	if le.Uint32(h[fState:]) != stateCommitted {
		wrong("frame state")
	}
	if le.Uint32(h[fHdrLen:]) != frameHeaderSize {
		wrong("header length")
	}
	if stored := le.Uint64(h[fSeq:]); stored != seq {
		if stored >= s.c.Oldest && stored <= s.c.Newest+1 {
			return found{}, nil, false // another message's seq: not a damaged field
		}
		wrong("seq")
	}
	if p1 != p2 {
		wrong("payload length")
	}
	if n > 1 {
		return found{}, nil, false
	}
	for _, p := range [2]uint64{p1, p2} {
		fl := frameLen(p)
		if p > maxPayload(s.rs) || o+fl > s.rs ||
			end != 0 && o+fl != end || end == 0 && !(o+fl == s.rs || s.rs-(o+fl) < nextFL) {
			continue
		}
		bad, why := n, what
		if le.Uint64(s.ring[o+frameHeaderSize+p:]) != commitWord {
			bad, why = bad+1, "missing frame commit marker"
		}
		if bad != 1 {
			continue
		}
		why, strays := payloadCheck(s.ring[o+frameHeaderSize : o+frameHeaderSize+p])
		if why != "" {
			continue
		}
		fx := &frameFix{off: o, seq: seq, plen: p, what: why}
		ts := le.Uint64(h[fTime:])
		putFrameHeader(fx.header[:], stateCommitted, seq, ts, uint32(p))
		copy(fx.header[fFlags:fFlags+4], h[fFlags:fFlags+4]) // kept as they were
		copy(fx.header[fCRC:], h[fCRC:])
		return found{off: o, frameCheck: frameCheck{header: true, state: stateCommitted, seq: seq, fl: fl, good: true, strays: strays}, ok: true}, fx, true
	}
	return found{}, nil, false
}

// rebuildEndingAt looks for a frame carrying seq that ends at end (0: at
// the ring end) and can be rebuilt, preceded by a good frame of seq-1.
func (s *salvage) rebuildEndingAt(end, seq uint64) (found, *frameFix, bool) {
	e := end
	if e == 0 {
		e = s.rs
	}
	for o := int64(e) - int64(frameLen(0)); o >= 0 && e-uint64(o) <= s.maxFL(); o -= 8 {
		if f, fx, ok := s.rebuildAt(uint64(o), seq, e, 0); ok && s.hasPredecessor(f) {
			return f, fx, true
		}
	}
	return found{}, nil, false
}

// rebuildPredecessor is predecessor for a frame whose header needs
// rebuilding (see rebuildAt), itself preceded by a good frame.
func (s *salvage) rebuildPredecessor(cur found) (p found, gap uint64, fx *frameFix, ok bool) {
	if cur.seq < 2 {
		return found{}, 0, nil, false
	}
	if cur.off != 0 {
		p, fx, ok = s.rebuildEndingAt(cur.off, cur.seq-1)
		return p, 0, fx, ok
	}
	top := s.rs - frameHeaderSize
	top -= top % 8
	for o := int64(top); o >= 0 && s.rs-uint64(o) <= cur.fl+s.maxFL(); o -= 8 {
		if f, fx, ok := s.rebuildAt(uint64(o), cur.seq-1, 0, cur.fl); ok && s.hasPredecessor(f) {
			return f, s.rs - (f.off + f.fl), fx, true
		}
	}
	return found{}, 0, nil, false
}

func (s *salvage) hasPredecessor(f found) bool {
	if f.seq < 2 {
		return false
	}
	_, _, ok := s.predecessor(f)
	return ok
}

func (fx *frameFix) describe() string {
	return "frame header of seq " + strconv.FormatUint(fx.seq, 10) + " rebuilt at ring offset " +
		strconv.FormatUint(fx.off, 10) + " (" + fx.what + ")"
}

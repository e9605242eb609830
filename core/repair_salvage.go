package core

import (
	"encoding/binary"
	"strconv"
)

// salvage finds, in a ring whose header cursors may be damaged, the run of
// frames Repair keeps: the longest chain of good frames (see frameCheck)
// laid end to end in seq order that ends at the newest message, found by
// walking backward from it, with placeholders bridging the lost messages
// between good frames (see bridge). It also classifies every seq the
// header claimed that the run does not keep readable.
type salvage struct {
	ring  []byte
	rs    uint64
	c     cursors // as found (or as an interrupted publish left them)
	index []byte  // the index region (its capacity is len/16)

	kept     Bounds   // {0,0}: empty
	newest   uint64   // newest seq of the result (kept.Newest, or the lost ones' when empty)
	keptOffs []uint64 // ring offsets of kept.Newest, kept.Newest-1, … (as many as index slots)
	tailOff  uint64
	tailFL   uint64
	headOff  uint64
	markers  []uint64 // wrap markers the run needs that are not there
	placed   []placeholder
	cleared  []found // kept frames whose stray child slots are zeroed
	rebuilt  []*frameFix
	lost     []LostSeqs
}

func (s *salvage) validOff(o uint64) bool { return o < s.rs && o%8 == 0 }

// maxFL is the longest frame the ring can hold.
func (s *salvage) maxFL() uint64 { return frameLen(maxPayload(s.rs)) }

// committedAt is the cheap pre-test of the scans: a committed frame header
// with the magic at o (o 8-aligned, 64 bytes before the ring end).
func (s *salvage) committedAt(o uint64) bool {
	return s.rs-o >= frameHeaderSize &&
		binary.LittleEndian.Uint64(s.ring[o:]) == uint64(frameMagicWord)|uint64(stateCommitted)<<32
}

func (s *salvage) seqAt(o uint64) uint64 { return binary.LittleEndian.Uint64(s.ring[o+fSeq:]) }

type found struct {
	off uint64
	frameCheck
	ok bool
}

// run works out the result.
func (s *salvage) run() {
	c := s.c
	m := &mapping{ring: s.ring}
	healthy := false
	if s.validOff(c.Head) && s.validOff(c.Tail) && s.validOff(c.TailNext) {
		h := header{RingSize: s.rs, cursors: c}
		healthy = m.checkHeader(h, checkFull).Status == "ok"
	}
	s.newest = c.Newest
	var anchor found
	switch {
	case healthy && c.Oldest == 0:
	case healthy:
		anchor = s.endingAt(c.Head, c.Newest)
	default:
		anchor = s.findAnchor()
	}
	if anchor.ok {
		s.chainBack(anchor, s.oldestBound(anchor.seq))
	} else if !s.fromHead() {
		s.headOff = 0
		if s.validOff(c.Head) {
			s.headOff = c.Head
		}
		s.tailOff = s.headOff
	}
	s.classifyLost()
}

// findAnchor picks the newest frame of the result in a damaged pool. Two
// header fields point at it: head (where it ends) and newest_seq (its
// seq); one of them may be damaged. Of the frame ending at head and the
// frame carrying newest_seq, it takes the one with the higher seq (a
// damaged head can only land on an older frame's end; a damaged newest_seq
// names an older frame or none), if it is consistent. Else it rebuilds the
// header of the frame ending at head (see rebuildAt); else, when neither
// frame exists, it takes the newest good frame in the ring — unless the
// header's newest seq is at least that one's. Otherwise the newest message
// itself is unreadable, and since seqs are never reused no run can end
// before it: none is kept.
func (s *salvage) findAnchor() found {
	c := s.c
	var x, y found
	if s.validOff(c.Head) {
		x = s.endingAt(c.Head, 0)
	}
	if c.Newest != 0 && !(x.ok && x.seq == c.Newest) {
		y = s.findSeq(c.Newest)
	}
	var a found
	switch {
	case x.ok && (!y.ok || x.seq >= y.seq):
		a = x
	case y.ok:
		a = y
	}
	// A newest frame that disagrees with the header's newest seq must at
	// least follow on from the frame before it: otherwise it is the newest
	// frame with a damaged seq, or the leftover of an append that never
	// published.
	consistent := func(a found) bool {
		return a.ok && (a.seq == c.Newest || c.Newest == 0 || s.hasPredecessor(a))
	}
	if consistent(a) {
		s.newest = a.seq
		return a
	}
	if s.validOff(c.Head) && c.Newest >= 2 {
		// the newest frame, damaged in its header
		if f, fx, ok := s.rebuildEndingAt(c.Head, c.Newest); ok {
			s.rebuilt = append(s.rebuilt, fx)
			return f
		}
	}
	if a.ok {
		return found{} // the newest message is unreadable
	}
	b := s.newestGood()
	if c.Newest != 0 && (!b.ok || b.seq <= c.Newest && c.Newest-b.seq <= s.rs/(frameHeaderSize+commitSize)) {
		return found{}
	}
	if !consistent(b) {
		return found{}
	}
	s.newest = b.seq
	return b
}

// endingAt finds a good frame that ends at ring offset e (0: at the ring
// end) and, when seq is not 0, carries seq.
func (s *salvage) endingAt(e, seq uint64) found {
	end := e
	if e == 0 {
		end = s.rs
	}
	for o := int64(end) - int64(frameLen(0)); o >= 0 && end-uint64(o) <= s.maxFL(); o -= 8 {
		u := uint64(o)
		if !s.committedAt(u) || (seq != 0 && s.seqAt(u) != seq) {
			continue
		}
		if f := checkFrameAt(s.ring, u); f.good && u+f.fl == end {
			return found{u, f, true}
		}
	}
	return found{}
}

// findSeq finds the good frame carrying seq: through its index slot, else
// by scanning the ring.
func (s *salvage) findSeq(seq uint64) found {
	if ic := uint64(len(s.index)) / slotSize; ic > 0 {
		slot := s.index[slotSize*(seq%ic):]
		if o := binary.LittleEndian.Uint64(slot[8:]); binary.LittleEndian.Uint64(slot) == seq && s.validOff(o) {
			if f := checkFrameAt(s.ring, o); f.good && f.seq == seq {
				return found{o, f, true}
			}
		}
	}
	for o := uint64(0); o+frameHeaderSize <= s.rs; o += 8 {
		if s.committedAt(o) && s.seqAt(o) == seq {
			if f := checkFrameAt(s.ring, o); f.good {
				return found{o, f, true}
			}
		}
	}
	return found{}
}

// newestGood finds the good frame with the highest seq in the ring.
func (s *salvage) newestGood() found {
	var best found
	for o := uint64(0); o+frameHeaderSize <= s.rs; o += 8 {
		if s.committedAt(o) && (!best.ok || s.seqAt(o) > best.seq) {
			if f := checkFrameAt(s.ring, o); f.good {
				best = found{o, f, true}
			}
		}
	}
	return best
}

// oldestBound is the lowest seq the run may reach back to: the header's
// oldest seq or the seq of the frame at its tail, whichever is lower, when
// plausible; else 1.
func (s *salvage) oldestBound(newest uint64) uint64 {
	bound := uint64(0)
	if c := s.c; c.Oldest != 0 && c.Oldest <= newest {
		bound = c.Oldest
	}
	if s.validOff(s.c.Tail) {
		if f := checkFrameAt(s.ring, s.c.Tail); f.good && f.state == stateCommitted && f.seq <= newest && (bound == 0 || f.seq < bound) {
			bound = f.seq
		}
	}
	return max(bound, 1)
}

// chainBack builds the run backward from the anchor, down to bound.
func (s *salvage) chainBack(a found, bound uint64) {
	s.kept.Newest, s.newest = a.seq, a.seq
	s.headOff = endOf(s.rs, a.off, a.fl)
	s.walkBack(a, a.fl, bound)
}

// fromHead builds the run when the newest message itself cannot be read
// but the header's head and newest seq can be trusted: placeholders from
// the head back to the nearest readable frame, then the run below it.
func (s *salvage) fromHead() bool {
	c := s.c
	if !s.validOff(c.Head) || c.Newest == 0 || c.Newest == ^uint64(0) {
		return false
	}
	head := found{off: c.Head, frameCheck: frameCheck{seq: c.Newest + 1}, ok: true}
	bound := s.oldestBound(c.Newest)
	p, ph, d, ok := s.bridge(head, bound, s.rs)
	if !ok {
		return false
	}
	s.kept.Newest, s.newest, s.headOff = c.Newest, c.Newest, c.Head
	s.keepPlaceholders(ph)
	s.walkBack(p, d, bound)
	return true
}

// walkBack extends the run below cur, which takes total bytes of ring
// with what is above it, down to bound.
func (s *salvage) walkBack(cur found, total, bound uint64) {
	ic := uint64(len(s.index)) / slotSize
	for {
		if uint64(len(s.keptOffs)) < ic {
			s.keptOffs = append(s.keptOffs, cur.off)
		}
		if len(cur.strays) > 0 {
			s.cleared = append(s.cleared, cur)
		}
		if cur.seq <= bound {
			break
		}
		p, gap, ok := s.predecessor(cur)
		var fx *frameFix
		if !ok {
			p, gap, fx, ok = s.rebuildPredecessor(cur)
		}
		if !ok {
			q, ph, d, ok := s.bridge(cur, bound, s.rs-total)
			if !ok {
				break
			}
			s.keepPlaceholders(ph)
			total += d
			cur = q
			continue
		}
		if total+p.fl+gap > s.rs {
			break
		}
		if fx != nil {
			s.rebuilt = append(s.rebuilt, fx)
		}
		total += p.fl + gap
		if gap >= frameHeaderSize && !isWrapMarker(s.ring, p.off+p.fl) {
			s.markers = append(s.markers, p.off+p.fl)
		}
		cur = p
	}
	s.kept.Oldest, s.tailOff, s.tailFL = cur.seq, cur.off, cur.fl
}

// keepPlaceholders adds placeholders (ascending seqs, just below the run)
// to the run.
func (s *salvage) keepPlaceholders(ph []placeholder) {
	ic := uint64(len(s.index)) / slotSize
	for i := len(ph) - 1; i >= 0; i-- {
		if uint64(len(s.keptOffs)) < ic {
			s.keptOffs = append(s.keptOffs, ph[i].off)
		}
	}
	s.placed = append(s.placed, ph...)
}

// predecessor finds the good frame with seq cur.seq-1 that a writer would
// have written just before cur: ending at cur's offset, or, when cur is at
// 0, ending so close to the ring end that cur did not fit after it (gap is
// then the space left before the ring end, where a wrap marker belongs
// when it holds one).
func (s *salvage) predecessor(cur found) (p found, gap uint64, ok bool) {
	want := cur.seq - 1
	if cur.off != 0 {
		for o := int64(cur.off) - int64(frameLen(0)); o >= 0 && cur.off-uint64(o) <= s.maxFL(); o -= 8 {
			u := uint64(o)
			if s.committedAt(u) && s.seqAt(u) == want {
				if f := checkFrameAt(s.ring, u); f.good && u+f.fl == cur.off {
					return found{u, f, true}, 0, true
				}
			}
		}
		return found{}, 0, false
	}
	top := s.rs - frameHeaderSize
	top -= top % 8
	for o := int64(top); o >= 0 && s.rs-uint64(o) <= cur.fl+s.maxFL(); o -= 8 {
		u := uint64(o)
		if s.committedAt(u) && s.seqAt(u) == want {
			if f := checkFrameAt(s.ring, u); f.good && (u+f.fl == s.rs || s.rs-(u+f.fl) < cur.fl) {
				return found{u, f, true}, s.rs - (u + f.fl), true
			}
		}
	}
	return found{}, 0, false
}

// offsetOf returns the ring offset of kept seq (one of the newest
// len(keptOffs)).
func (s *salvage) offsetOf(seq uint64) uint64 { return s.keptOffs[s.kept.Newest-seq] }

// cursors returns the header cursors of the result.
func (s *salvage) cursors() cursors {
	if s.kept.Oldest == 0 {
		return cursors{Head: s.headOff, Tail: s.headOff, TailNext: s.headOff, Newest: s.newest}
	}
	return cursors{Head: s.headOff, Tail: s.tailOff, TailNext: endOf(s.rs, s.tailOff, s.tailFL),
		Oldest: s.kept.Oldest, Newest: s.kept.Newest}
}

// classifyLost fills s.lost with every seq the header claimed (oldest to
// newest, when those are plausible) that the result does not keep
// readable: those below the run, then those it keeps as placeholders.
func (s *salvage) classifyLost() {
	s.classifyBelow()
	s.lost = append(s.lost, s.placeholderLosses()...)
}

// classifyBelow classifies the claimed seqs below the run.
func (s *salvage) classifyBelow() {
	c := s.c
	last := s.newest // highest lost seq
	if s.kept.Oldest != 0 {
		last = s.kept.Oldest - 1
	}
	first := uint64(0)
	if c.Oldest != 0 && c.Oldest <= last+1 && last+1-c.Oldest <= s.rs/(frameHeaderSize+commitSize) {
		first = c.Oldest
	}
	if first == 0 || first > last {
		return
	}
	stop := s.headOff // lost frames lie before the kept run, after the head
	if s.kept.Oldest != 0 {
		stop = s.tailOff
	}
	w := lostWalk{s: s, stop: stop, budget: 2*s.rs/8 + 16}
	if s.validOff(c.Tail) {
		w.walk(first, last, c.Tail)
	} else {
		w.resyncFrom(first, first, last, s.headOff, s.headOff, "not found (the header's tail offset is damaged)")
	}
	// Name the break that cut the readable ones off.
	var brk *LostSeqs
	for i := range w.out {
		if w.out[i].Reason != "cut_off" {
			brk = &w.out[i]
		}
	}
	for i := range w.out {
		if w.out[i].Reason == "cut_off" && brk != nil {
			w.out[i].Detail = "readable, but message " + strconv.FormatUint(brk.Last, 10) + " (" + brk.Reason +
				") lies between it and the newest message and no placeholder fits in its place, and a pool keeps one run of seqs ending at its newest; the backup copy has it"
		}
	}
	for _, l := range w.out {
		if n := len(s.lost); n > 0 && s.lost[n-1].Reason == l.Reason && s.lost[n-1].Detail == l.Detail && s.lost[n-1].Last+1 == l.First {
			s.lost[n-1].Last = l.Last
			continue
		}
		s.lost = append(s.lost, l)
	}
}

// lostWalk follows the claimed frames forward from the header's tail,
// classifying each lost seq, and skips over damage by scanning for the
// next frame of a later seq.
type lostWalk struct {
	s      *salvage
	stop   uint64 // where the kept run (or the free space) begins
	budget uint64
	out    []LostSeqs
}

func (w *lostWalk) add(first, last uint64, reason, detail string, off uint64) {
	w.out = append(w.out, LostSeqs{First: first, Last: last, Reason: reason, Detail: detail, Offset: off})
}

// walk classifies seqs first..last, first expected at ring offset o.
func (w *lostWalk) walk(first, last, o uint64) {
	s := w.s
	for seq := first; seq <= last; {
		if w.budget == 0 {
			w.add(seq, last, "missing", "not found", o)
			return
		}
		w.budget--
		if s.rs-o < frameHeaderSize {
			o = 0
			continue
		}
		f := checkFrameAt(s.ring, o)
		if f.header && f.state == stateWrap {
			o = 0
			continue
		}
		if f.header && f.state == stateCommitted && f.seq == seq {
			if f.good {
				w.add(seq, seq, "cut_off", "", o)
			} else {
				w.add(seq, seq, "damaged", f.why, o)
			}
			seq++
			o = endOf(s.rs, o, f.fl)
			continue
		}
		what := f.why
		if f.header && f.state == stateCommitted {
			what = "the frame of seq " + strconv.FormatUint(f.seq, 10) + " is there"
		}
		if u, ok := w.unfinishedOver(o); ok {
			what = u
		}
		w.resyncFrom(seq, seq+1, last, o+8, o, "not at its place: "+what)
		return
	}
}

// resyncFrom scans forward from ring offset from (up to the stop offset)
// for the first frame carrying a seq in [lo, last]; the seqs from seq up
// to it are missing (the first expected at ring offset expected, for the
// reason given), and the walk goes on from that frame.
func (w *lostWalk) resyncFrom(seq, lo, last, from, expected uint64, why string) {
	s := w.s
	o := from - from%8
	for n := uint64(0); n < s.rs/8 && w.budget > 0; n++ {
		w.budget--
		if o+frameHeaderSize > s.rs {
			o = 0
		}
		if n > 0 && o == w.stop {
			break
		}
		if s.committedAt(o) {
			if q := s.seqAt(o); q >= lo && q <= last {
				if f := checkFrameAt(s.ring, o); f.header {
					if q > seq {
						w.add(seq, q-1, "missing", why, expected)
					}
					w.walk(q, last, o)
					return
				}
			}
		}
		o += 8
	}
	w.add(seq, last, "missing", why, expected)
}

// unfinishedOver describes an append that never published (a frame
// carrying the seq after the header's newest, left Writing or even
// Committed, at the header's head or at 0 after a wrap) and covers ring
// offset o — what a writer killed between overwriting the oldest frames
// and publishing that it dropped them leaves (release 1.2.1 publishes the
// drops only with the new frame).
func (w *lostWalk) unfinishedOver(o uint64) (string, bool) {
	s := w.s
	for _, at := range []uint64{s.c.Head, 0} {
		if !s.validOff(at) {
			continue
		}
		f := checkFrameAt(s.ring, at)
		if f.header && (f.state == stateWriting || f.state == stateCommitted) && f.seq == s.c.Newest+1 && at <= o && o < at+f.fl {
			return "overwritten by an unfinished append of seq " + strconv.FormatUint(f.seq, 10) +
				" (at ring offset " + strconv.FormatUint(at, 10) + ")", true
		}
	}
	return "", false
}

package core

import "encoding/binary"

// plan is the outcome of planning one append: where the frame goes, whether
// a wrap marker is written, which frames are dropped, and the header cursors
// to publish before (Mid) and after (After) the frame is written.
type plan struct {
	FrameOff uint64
	FL       uint64
	Seq      uint64
	HasWrap  bool   // write a wrap marker at WrapOff
	WrapOff  uint64 // old head
	Drops    int    // frames (and wrap markers / gaps) dropped from the tail
	FastDrop int    // how many of those used the tail_next cache
	// Mid is the header state after the drops, before any ring byte is
	// overwritten; it is published first when Drops > 0 so that readers learn
	// of the drop before the bytes change.
	Mid   cursors
	After cursors
}

// used is the number of ring bytes between tail and head (the whole ring
// when full).
func used(ring, head, tail, oldest uint64) uint64 {
	switch {
	case head == tail && oldest == 0:
		return 0
	case head == tail:
		return ring
	case head > tail:
		return head - tail
	default:
		return ring - (tail - head)
	}
}

// required is the space an append of a frame of length fl needs at head,
// counting a wrap marker or the implicit-wrap gap it skips.
func required(ring, head, fl uint64) uint64 {
	rem := ring - head
	switch {
	case rem >= fl:
		return fl
	case rem >= frameHeaderSize:
		return fl + frameHeaderSize
	default:
		return fl + rem
	}
}

// planAppend decides the placement of a payload of payloadLen bytes in ring
// (the ring region's bytes) given the current header cursors. It is a pure
// function: it reads frame headers in ring but writes nothing. Errors: Usage
// for payloads that can never fit, Corrupt for inconsistent state, Busy when
// no space can be made.
func planAppend(ring []byte, c cursors, payloadLen uint64) (plan, error) {
	var p plan
	err := planInto(&p, ring, c, payloadLen)
	return p, err
}

// planInto is planAppend writing the plan to *out (left partly filled on
// error); the append path uses it to avoid copying the plan around.
func planInto(out *plan, ring []byte, c cursors, payloadLen uint64) error {
	rs := uint64(len(ring))
	if payloadLen > 0xFFFFFFFF {
		return &Error{Kind: Usage, Message: "payload too large"}
	}
	if payloadLen > maxPayload(rs) {
		return &Error{Kind: Usage, Message: "payload exceeds ring capacity"}
	}
	fl := frameLen(payloadLen)
	if fl > rs {
		return &Error{Kind: Usage, Message: "frame larger than ring"}
	}
	if rs == 0 {
		return &Error{Kind: Corrupt, Message: "ring size is zero"}
	}
	head, tail, tailNext, oldest, newest := c.Head, c.Tail, c.TailNext, c.Oldest, c.Newest
	if head >= rs || tail >= rs {
		return &Error{Kind: Corrupt, Message: "head/tail out of range"}
	}
	if oldest == 0 {
		tailNext = tail
		if head != tail {
			return &Error{Kind: Corrupt, Message: "empty pool head/tail mismatch"}
		}
	}
	p := out
	p.FL, p.HasWrap, p.WrapOff, p.Drops, p.FastDrop = fl, false, 0, 0, 0
	if !planSlowOnly && oldest != 0 && rs-head >= fl {
		if ok, err := planSteady(p, ring, head, tail, tailNext, oldest, newest); ok {
			return err
		}
	}
	return planGeneral(p, ring, c)
}

// planSlowOnly (tests) turns planSteady off, to compare it with planGeneral.
var planSlowOnly = false

// planSteady plans the common appends of a non-empty pool without a wrap:
// the frame fits as is, or after dropping the tail frame through the
// tail_next cache (leaving the pool non-empty, the tail not on a wrap
// point). It reports false, leaving the plan to planGeneral, otherwise; when
// it reports true the plan (or error) is exactly planGeneral's.
func planSteady(p *plan, ring []byte, head, tail, tailNext, oldest, newest uint64) (bool, error) {
	rs, fl := uint64(len(ring)), p.FL
	// No drop: the free space holds the frame.
	if rs-used(rs, head, tail, oldest) >= fl {
		p.Mid = cursors{Head: head, Tail: tail, TailNext: tailNext, Oldest: oldest, Newest: newest}
		p.Seq, p.FrameOff = newest+1, head
		newHead := head + fl
		if newHead == rs {
			newHead = 0
		}
		p.After = cursors{Head: newHead, Tail: tail, TailNext: tailNext, Oldest: oldest, Newest: newest + 1}
		return true, nil
	}
	// One drop of the tail frame through the cache (the first branch of
	// planGeneral's loop), after which the frame fits.
	tn := tailNext
	if tn == 0 || tn >= rs || tn%8 != 0 || rs-tn < frameHeaderSize || tn <= tail ||
		tn-tail < frameHeaderSize || (tn-tail)%8 != 0 || tn == head || oldest+1 == 0 ||
		atWrapPoint(ring, tn) || rs-used(rs, head, tn, oldest+1) < fl {
		return false, nil
	}
	next, err := nextAfter(ring, tn)
	if err != nil {
		return true, err
	}
	p.Drops, p.FastDrop = 1, 1
	p.Mid = cursors{Head: head, Tail: tn, TailNext: next, Oldest: oldest + 1, Newest: newest}
	p.Seq, p.FrameOff = newest+1, head
	newHead := head + fl
	if newHead == rs {
		newHead = 0
	}
	p.After = cursors{Head: newHead, Tail: tn, TailNext: next, Oldest: oldest + 1, Newest: newest + 1}
	return true, nil
}

// planGeneral is the rest of planInto (after its argument checks), for
// every state.
func planGeneral(p *plan, ring []byte, c cursors) error {
	rs, fl := uint64(len(ring)), p.FL
	head, tail, tailNext, oldest, newest := c.Head, c.Tail, c.TailNext, c.Oldest, c.Newest
	if oldest == 0 {
		tailNext = tail
	}
	need := func() uint64 {
		if oldest == 0 {
			return fl
		}
		return required(rs, head, fl)
	}
	wrapNeeded := rs-head < fl
	origTail := tail
	for guard := rs/8 + 2; rs-used(rs, head, tail, oldest) < need() || (wrapNeeded && oldest != 0 && tail < fl); guard-- {
		if oldest == 0 {
			return &Error{Kind: Busy, Message: "unable to make space"}
		}
		if guard == 0 {
			return &Error{Kind: Corrupt, Message: "unable to make space: tail does not advance"}
		}
		tn := tailNext
		if tn != 0 && tn < rs && tn%8 == 0 && rs-tn >= frameHeaderSize &&
			((tn == tail && head == tail) || (tn > tail && tn-tail >= frameHeaderSize && (tn-tail)%8 == 0)) {
			tail = tn
			if tn == head {
				oldest = 0
			} else {
				oldest++
			}
			p.FastDrop++
		} else if rs-tail < frameHeaderSize {
			tail = 0
		} else {
			f, err := tailFrame(ring, tail)
			if err != nil {
				return err
			}
			switch f.State {
			case stateWrap:
				tail = 0
			case stateCommitted:
				tail += f.frameLen()
				if tail >= rs {
					tail = 0
				}
				oldest = f.Seq + 1
			default:
				return &Error{Kind: Corrupt, Message: "invalid tail frame state", Offset: u64p(tail)}
			}
		}
		p.Drops++
		tailNext = 0
		if tail != head && atWrapPoint(ring, tail) {
			// Like release 1.2.1 (whose doctor calls a tail on a wrap marker
			// or gap corrupt), never leave the tail on a wrap point: the
			// oldest frame is at 0.
			tail = 0
		}
		if tail == head {
			oldest = 0
			tailNext = tail
		}
	}
	tailMoved := tail != origTail
	p.Mid = cursors{Head: head, Tail: tail, TailNext: tailNext, Oldest: oldest, Newest: newest}
	if wrapNeeded {
		if rs-head >= frameHeaderSize {
			p.HasWrap, p.WrapOff = true, head
		}
		head = 0
		if oldest == 0 {
			tail = 0
		}
	}
	wasEmpty := oldest == 0
	seq := newest + 1
	if oldest == 0 {
		oldest = seq
	}
	p.Seq, p.FrameOff = seq, head
	newHead := head + fl
	if newHead == rs {
		newHead = 0
	}
	switch {
	case wasEmpty:
		tailNext = newHead
	case !tailMoved:
		tailNext = c.TailNext
	default:
		tn, err := nextAfter(ring, tail)
		if err != nil {
			return err
		}
		tailNext = tn
	}
	if p.Mid.Oldest != 0 {
		p.Mid.TailNext = tailNext
	}
	p.After = cursors{Head: newHead, Tail: tail, TailNext: tailNext, Oldest: oldest, Newest: seq}
	return nil
}

// nextAfter is the tail_next value for a tail at ring offset tail: the end of
// the committed frame there, or 0 when the tail is a wrap marker or gap.
func nextAfter(ring []byte, tail uint64) (uint64, error) {
	rs := uint64(len(ring))
	if rs-tail < frameHeaderSize {
		return 0, nil
	}
	// The common case, a committed frame with a sound header, read in
	// place; anything else goes through the full decode for its error.
	h := (*[frameHeaderSize]byte)(ring[tail : tail+frameHeaderSize])
	le := binary.LittleEndian
	if w := le.Uint64(h[fMagic:]); w == uint64(frameMagicWord)|uint64(stateCommitted)<<32 &&
		le.Uint32(h[fHdrLen:]) == frameHeaderSize {
		pl := le.Uint32(h[fLen:])
		if pl^le.Uint32(h[fLenXor:]) == 0xFFFFFFFF && uint64(pl) <= maxPayload(rs) {
			n := tail + frameLen(uint64(pl))
			if n >= rs {
				n = 0
			}
			return n, nil
		}
	}
	f, err := tailFrame(ring, tail)
	if err != nil {
		return 0, err
	}
	switch f.State {
	case stateWrap:
		return 0, nil
	case stateCommitted:
		n := tail + f.frameLen()
		if n >= rs {
			n = 0
		}
		return n, nil
	}
	return 0, &Error{Kind: Corrupt, Message: "invalid tail frame state", Offset: u64p(tail)}
}

// tailFrame decodes and checks the frame header at the tail; errors carry
// the tail's offset.
func tailFrame(ring []byte, tail uint64) (frameHeader, *Error) {
	f, err := decodeFrameHeader(ring[tail:])
	if err == nil {
		err = f.validate(uint64(len(ring)))
	}
	if err != nil {
		e := err.(*Error)
		e.Offset = u64p(tail)
		return f, e
	}
	return f, nil
}

// atWrapPoint reports whether ring offset o holds a wrap marker or is closer
// than a frame header to the ring end (an implicit wrap).
func atWrapPoint(ring []byte, o uint64) bool {
	rs := uint64(len(ring))
	if rs-o < frameHeaderSize {
		return true
	}
	h := ring[o : o+8]
	return binary.LittleEndian.Uint32(h) == frameMagicWord && binary.LittleEndian.Uint32(h[4:]) == stateWrap
}

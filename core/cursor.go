package core

import (
	"encoding/binary"
	"runtime/debug"
)

// Outcome of reading the ring at one offset.
type frameResult uint8

const (
	frMessage  frameResult = iota // a committed, well-formed frame
	frWrap                        // wrap marker or < 64 bytes to the ring end: continue at 0
	frNotReady                    // a frame being written
	frLost                        // nothing valid here: the reader fell behind (or garbage)
)

// frameView describes a committed frame found in the ring.
type frameView struct {
	seq   uint64
	ts    uint64
	flags uint32
	plen  uint64
	next  uint64 // ring offset just after the frame (0 at the ring end)
}

// readFrameAt inspects the frame at ring offset o without copying it. Unlike
// the reference it treats fewer than 64 bytes before the ring end as a wrap
// (quirk Q1).
func readFrameAt(ring []byte, o uint64) (frameResult, frameView) {
	rs := uint64(len(ring))
	if o >= rs || o%8 != 0 {
		return frLost, frameView{}
	}
	if rs-o < frameHeaderSize {
		return frWrap, frameView{}
	}
	if load32(ring, o+fMagic) != frameMagicWord {
		return frLost, frameView{}
	}
	switch load32(ring, o+fState) {
	case stateCommitted:
	case stateWrap:
		return frWrap, frameView{}
	case stateEmpty, stateWriting:
		return frNotReady, frameView{}
	default:
		return frLost, frameView{}
	}
	h := ring[o : o+frameHeaderSize : o+frameHeaderSize]
	le := binary.LittleEndian
	plen := le.Uint32(h[fLen:])
	if le.Uint32(h[fHdrLen:]) != frameHeaderSize || plen^le.Uint32(h[fLenXor:]) != 0xFFFFFFFF ||
		uint64(plen) > maxPayload(rs) {
		return frLost, frameView{}
	}
	fl := frameLen(uint64(plen))
	if o+fl > rs {
		return frLost, frameView{}
	}
	cm := o + frameHeaderSize + uint64(plen)
	if le.Uint64(ring[cm:cm+commitSize]) != commitWord {
		return frLost, frameView{}
	}
	next := o + fl
	if next == rs {
		next = 0
	}
	return frMessage, frameView{
		seq:   le.Uint64(h[fSeq:]),
		ts:    le.Uint64(h[fTime:]),
		flags: le.Uint32(h[fFlags:]),
		plen:  uint64(plen),
		next:  next,
	}
}

// stillValid re-checks, after the payload was copied out, that the frame at
// o is still the one described by v and still retained. If not, the copy may
// be torn and must be discarded.
func stillValid(data, ring []byte, o uint64, v *frameView) bool {
	loadFence() // the copy's loads before the re-check's
	if load32(ring, o+fState) != stateCommitted || load32(ring, o+fMagic) != frameMagicWord ||
		load64(ring, o+fSeq) != v.seq || uint64(load32(ring, o+fLen)) != v.plen {
		return false
	}
	old := load64(data, hOldest)
	return old != 0 && old <= v.seq
}

// locate finds the ring offset of the frame carrying seq, given a header
// snapshot c with c.Oldest <= seq <= c.Newest: first through the index slot,
// then by walking from the tail. ok is false when the frame could not be
// found (the ring changed under the walk, or it is damaged).
func (m *mapping) locate(seq uint64, c cursors) (uint64, bool) {
	ring := m.ring
	rs := uint64(len(ring))
	if ic := uint64(m.geo.IndexCapacity); ic > 0 {
		slot := indexOffset + slotSize*(seq%ic)
		if load64(m.data, slot) == seq {
			if o := load64(m.data, slot+8); o < rs {
				if r, v := readFrameAt(ring, o); r == frMessage && v.seq == seq {
					return o, true
				}
			}
		}
	}
	o := c.Tail
	for steps := rs/frameHeaderSize + 2; steps > 0; steps-- {
		r, v := readFrameAt(ring, o)
		switch r {
		case frWrap:
			o = 0
			continue
		case frMessage:
			if v.seq == seq {
				return o, true
			}
			if v.seq > seq {
				return 0, false
			}
			o = v.next
			continue
		}
		return 0, false
	}
	return 0, false
}

// Get returns a copy of the message with sequence number seq.
// A seq outside the retained range → NotFound with Seq set (and no Path); a
// retained frame that cannot be read → Corrupt; a truncated file → IO.
func (p *Pool) Get(seq uint64) (Message, error) { return p.GetInto(seq, nil) }

// GetInto is Get that copies the payload into buf[:0] (growing it if needed),
// so a caller reusing buf allocates nothing.
func (p *Pool) GetInto(seq uint64, buf []byte) (msg Message, err error) {
	defer debug.SetPanicOnFault(debug.SetPanicOnFault(true))
	defer func() {
		if r := recover(); r != nil {
			msg, err = Message{}, faultError(r, p.path)
		}
	}()
	p.life.RLock()
	defer p.life.RUnlock()
	if p.closed.Load() {
		return Message{}, errClosed
	}
	msg, e := p.m.get(seq, buf)
	if e != nil {
		if e.Kind != NotFound { // like the reference: a missing seq carries the seq, not the path
			e.Path = p.path
		}
		return Message{}, e
	}
	return msg, nil
}

func notFound(seq uint64) *Error {
	return &Error{Kind: NotFound, Message: "message not found", Seq: u64p(seq)}
}

func (m *mapping) get(seq uint64, buf []byte) (Message, *Error) {
	var prev cursors
	for attempt := 0; ; attempt++ {
		c := loadCursors(m.data)
		if c.Oldest == 0 || seq < c.Oldest || seq > c.Newest {
			return Message{}, notFound(seq)
		}
		if attempt > 0 && c == prev || attempt > 1000 {
			return Message{}, &Error{Kind: Corrupt, Message: "retained message cannot be read", Seq: u64p(seq)}
		}
		prev = c
		o, ok := m.locate(seq, c)
		if !ok {
			continue
		}
		r, v := readFrameAt(m.ring, o)
		if r != frMessage || v.seq != seq {
			continue
		}
		start := o + frameHeaderSize
		buf = append(buf[:0], m.ring[start:start+v.plen]...)
		if !stillValid(m.data, m.ring, o, &v) {
			continue
		}
		return Message{Seq: seq, Time: int64(v.ts), Flags: v.flags, Payload: buf}, nil
	}
}

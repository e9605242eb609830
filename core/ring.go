package core

import "runtime/debug"

// FrameSpan is where one stored message sits in the ring.
type FrameSpan struct {
	Seq    uint64
	Offset uint64 // ring offset of the frame
	Len    uint64 // the frame's whole on-disk length (header, payload, marker, padding)
}

// RingLayout is a picture of the ring at one instant: the offsets of the
// oldest frame (Tail) and of the next write (Head), and the retained frames
// oldest first.
type RingLayout struct {
	Tail, Head uint64
	// Frames lists every retained frame, oldest first (empty for an empty
	// pool). It is nil when the pool holds maxFrames or more messages
	// beyond the oldest, or when the frames found did not follow one
	// another (a writer kept rewriting the ring during every walk, or the
	// ring is damaged).
	Frames []FrameSpan
}

// ringWalkAttempts bounds how often RingLayout restarts a walk that a
// concurrent append invalidated.
const ringWalkAttempts = 8

// RingLayout walks the retained frames from the tail (without locking:
// the walk is retried when the cursors moved under it). Frames is nil when
// newest−oldest ≥ maxFrames. Errors: Usage when the pool is closed; IO
// when the file shrank under its mapping.
func (p *Pool) RingLayout(maxFrames uint64) (l RingLayout, err error) {
	defer debug.SetPanicOnFault(debug.SetPanicOnFault(true))
	defer func() {
		if r := recover(); r != nil {
			l, err = RingLayout{}, faultError(r, p.path)
		}
	}()
	p.life.RLock()
	defer p.life.RUnlock()
	if p.closed.Load() {
		return RingLayout{}, errClosed
	}
	m := p.m
	for attempt := 0; ; attempt++ {
		c := loadCursors(m.data)
		l = RingLayout{Tail: c.Tail, Head: c.Head}
		if c.Oldest == 0 {
			l.Frames = []FrameSpan{}
			return l, nil
		}
		if c.Newest-c.Oldest >= maxFrames {
			return l, nil
		}
		frames, ok := m.walkFrames(c)
		if ok && loadCursors(m.data) == c {
			l.Frames = frames
			return l, nil
		}
		if attempt+1 >= ringWalkAttempts {
			return l, nil
		}
	}
}

// walkFrames follows the frames from c.Tail, each carrying the next seq,
// up to c.Newest; ok is false when they do not.
func (m *mapping) walkFrames(c cursors) (spans []FrameSpan, ok bool) {
	spans = make([]FrameSpan, 0, c.Newest-c.Oldest+1)
	off, wrapped := c.Tail, false
	for {
		r, v := readFrameAt(m.ring, off)
		switch {
		case r == frWrap && !wrapped:
			wrapped, off = true, 0
		case r == frMessage && v.seq == c.Oldest+uint64(len(spans)):
			spans = append(spans, FrameSpan{Seq: v.seq, Offset: off, Len: frameLen(v.plen)})
			if v.seq == c.Newest {
				return spans, true
			}
			off = v.next
		default:
			return nil, false
		}
	}
}

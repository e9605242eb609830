package core

import (
	"encoding/binary"
	"runtime/debug"
	"strconv"
)

// Report is the result of validating a pool (doctor).
type Report struct {
	Path        string
	Status      string  // "ok" or "corrupt"
	LastGoodSeq *uint64 // the last frame that checked out, nil when none did
	Issues      []Issue
	Hints       []string // remediation hints and "warning: …" lines
}

// Issue is one problem a validation found.
type Issue struct {
	Code    string // "corrupt" or "format"
	Message string
	Seq     *uint64 // the message concerned, nil when unknown
	Offset  *uint64 // the ring offset concerned, nil when unknown
}

const corruptHint = "Pool appears corrupt. Consider recreating it or running diagnostics."

// Validate opens the file at path and checks it the way `doctor` does: the
// header, then every retained frame from the tail to the head, then a sample
// of index slots (stale slots are only warnings). It never modifies the file.
// Open errors that mean corruption (Corrupt, or another format version)
// become a corrupt Report; NotFound, Permission and IO are returned as errors.
func Validate(path string) (rep Report, err error) {
	p, err := Open(path, OpenOptions{ReadOnly: true, NoNotify: true})
	if err != nil {
		e := err.(*Error)
		switch e.Kind {
		case Usage:
			r := Report{Path: path, Status: "corrupt", Issues: []Issue{{Code: "format", Message: e.Message}}}
			if e.Hint != "" {
				r.Hints = []string{e.Hint}
			}
			return r, nil
		case Corrupt:
			msg := e.Message
			if msg == "" {
				msg = "corrupt"
			}
			return Report{Path: path, Status: "corrupt", Hints: []string{corruptHint},
				Issues: []Issue{{Code: "corrupt", Message: msg, Seq: e.Seq, Offset: e.Offset}}}, nil
		}
		return Report{}, err
	}
	defer p.Close()
	defer debug.SetPanicOnFault(debug.SetPanicOnFault(true))
	defer func() {
		if r := recover(); r != nil {
			rep, err = Report{}, faultError(r, path)
		}
	}()
	rep = p.m.check(false)
	rep.Path = path
	return rep, nil
}

// check validates the mapped pool. strict adds the invariants the writer
// maintains but the doctor of §7 does not verify (tail_next, commit markers,
// and — as release 1.2.1's writer guarantees and its doctor checks — a tail
// never left on a wrap marker or gap); it is the test oracle.
func (m *mapping) check(strict bool) Report {
	h, err := decodeHeader(m.data[:headerSize])
	if err == nil && strict {
		err = h.validate(uint64(len(m.data)))
	}
	if err != nil {
		return fail(Report{}, err.(*Error).Message, false, 0)
	}
	r := m.checkHeader(h, strict)
	if r.Status != "ok" && !strict {
		// A writer may have died while publishing the header; the next
		// writer completes that publish (repairHeader). Judge the pool as
		// it will be then.
		var j cursors
		switch load64(m.data, hJournal) {
		case 1:
			j = getJournal(m.data, hJournalA)
		case 2:
			j = getJournal(m.data, hJournalB)
		default:
			return r
		}
		h2 := h
		h2.cursors = j
		if r2 := m.checkHeader(h2, false); r2.Status == "ok" {
			r2.Hints = append(r2.Hints, "warning: an append was interrupted while publishing the header; the next writer completes it")
			return r2
		}
	}
	return r
}

func (m *mapping) checkHeader(h header, strict bool) Report {
	r := Report{Status: "ok"}
	var lastGood uint64 // r.LastGoodSeq points here once a frame checked out
	rs := h.RingSize
	ring := m.ring
	c := h.cursors
	switch {
	case rs == 0:
		return fail(r, "ring size is zero", false, 0)
	case h.RingOffset+rs > uint64(len(m.data)):
		return fail(r, "ring exceeds mmap bounds", false, 0)
	case c.Head >= rs || c.Tail >= rs:
		return fail(r, "head/tail out of range", false, 0)
	}
	if strict && c.TailNext >= rs {
		return fail(r, "tail_next out of range", false, 0)
	}
	if c.Oldest == 0 {
		if c.Head != c.Tail {
			return fail(r, "empty pool head/tail mismatch", false, 0)
		}
		if strict && c.TailNext != c.Tail {
			return fail(r, "empty pool tail_next mismatch", false, 0)
		}
		m.checkIndex(&r, h)
		return r
	}
	if c.Newest < c.Oldest {
		return fail(r, "seq bounds inverted", false, 0)
	}
	if strict {
		if atWrapPoint(ring, c.Tail) {
			return fail(r, "tail on a wrap marker or gap", true, c.Tail)
		}
		want, err := nextAfter(ring, c.Tail)
		if err != nil {
			return fail(r, "tail frame unreadable: "+err.(*Error).Display(), true, c.Tail)
		}
		if want != c.TailNext {
			return fail(r, "tail_next mismatch: have "+strconv.FormatUint(c.TailNext, 10)+", want "+strconv.FormatUint(want, 10), true, c.Tail)
		}
	}
	expected, off := c.Oldest, c.Tail
	for steps := rs/frameHeaderSize + 1; ; steps-- {
		if steps == 0 {
			return fail(r, "scan exceeded ring capacity", false, 0)
		}
		if rs-off < frameHeaderSize {
			off = 0
			continue
		}
		f, err := decodeFrameHeader(ring[off:])
		if err != nil {
			return fail(r, "frame header decode failed: "+err.(*Error).Display(), true, off)
		}
		if err := f.validate(rs); err != nil {
			return fail(r, "frame header invalid: "+err.(*Error).Display(), true, off)
		}
		if f.State == stateWrap {
			off = 0
			continue
		}
		if f.State != stateCommitted {
			return fail(r, "unexpected frame state", true, off)
		}
		if f.Seq != expected {
			return fail(r, "seq mismatch", true, off)
		}
		fl := f.frameLen()
		if off+fl > rs {
			return fail(r, "frame exceeds ring", true, off)
		}
		if strict {
			cm := off + frameHeaderSize + uint64(f.PayloadLen)
			if binary.LittleEndian.Uint64(ring[cm:]) != commitWord {
				return fail(r, "missing commit marker", true, off)
			}
		}
		lastGood, r.LastGoodSeq = f.Seq, &lastGood
		next := off + fl
		if next == rs {
			next = 0
		}
		if f.Seq == c.Newest {
			if next != c.Head {
				return fail(r, "head offset mismatch", true, off)
			}
			break
		}
		expected++
		off = next
	}
	m.checkIndex(&r, h)
	return r
}

func fail(r Report, msg string, hasOff bool, off uint64) Report {
	r.Status = "corrupt"
	is := Issue{Code: "corrupt", Message: msg}
	if r.LastGoodSeq != nil {
		is.Seq = u64p(*r.LastGoodSeq)
	}
	if hasOff {
		is.Offset = u64p(off)
	}
	r.Issues = append(r.Issues, is)
	r.Hints = append(r.Hints, corruptHint)
	return r
}

// checkIndex samples index slots and adds warnings for stale ones.
func (m *mapping) checkIndex(r *Report, h header) {
	ic := uint64(h.IndexCapacity)
	if ic == 0 {
		return
	}
	if headerSize+slotSize*ic > h.RingOffset {
		r.Hints = append(r.Hints, "warning: index bounds overlap ring")
		return
	}
	slots := []uint64{0, ic / 2, ic - 1}
	for i, s := range slots {
		if (i == 1 && s == slots[0]) || (i == 2 && (s == slots[0] || s == slots[1])) {
			continue
		}
		b := m.data[indexOffset+slotSize*s:]
		seq := binary.LittleEndian.Uint64(b)
		off := binary.LittleEndian.Uint64(b[8:])
		if seq == 0 {
			continue
		}
		ss, sq, so := strconv.FormatUint(s, 10), strconv.FormatUint(seq, 10), strconv.FormatUint(off, 10)
		if off >= h.RingSize || h.RingSize-off < frameHeaderSize {
			r.Hints = append(r.Hints, "warning: index slot "+ss+" seq "+sq+" points outside ring at offset "+so)
			continue
		}
		f, err := decodeFrameHeader(m.ring[off:])
		if err != nil || f.State != stateCommitted || f.Seq != seq {
			r.Hints = append(r.Hints, "warning: index slot "+ss+" seq "+sq+" is stale or invalid")
		}
	}
}

// checkStrict is the test oracle: nil when the pool satisfies every
// invariant the writer maintains.
func (m *mapping) checkStrict() error {
	r := m.check(true)
	if r.Status == "ok" {
		return nil
	}
	is := r.Issues[0]
	return &Error{Kind: Corrupt, Message: is.Message, Seq: is.Seq, Offset: is.Offset}
}

package core

import (
	"encoding/binary"
	"runtime/debug"
	"strconv"
	"time"

	"github.com/plasmite-go/plasmite/core/lite3"
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

// ValidateOptions tunes ValidateWith. The zero value is the full check.
type ValidateOptions struct {
	// Quick checks the header and the chain of frame headers only (what
	// release 1.2.1's doctor checks), without reading message payloads: an
	// "ok" then no longer means that every retained message can be decoded.
	Quick bool
}

// Validate opens the file at path and checks it the way `doctor` does: the
// header, every retained frame from the tail to the head (each frame
// header, commit marker and message payload, so that "ok" means every
// retained message can be read), then a sample of index slots (stale slots
// are only warnings). It never modifies the file. While it runs it holds
// the shared lock release 1.2.1's readers take, so that writers of both
// implementations wait rather than change the ring under the walk (if a
// writer keeps the lock for over a second, the check runs without it and
// says so in a warning).
// Open errors that mean corruption (Corrupt, or another format version)
// become a corrupt Report; NotFound, Permission and IO are returned as errors.
func Validate(path string) (Report, error) { return ValidateWith(path, ValidateOptions{}) }

// ValidateWith is Validate with options. Same guarantees and errors.
func ValidateWith(path string, opts ValidateOptions) (rep Report, err error) {
	p, err := Open(path, OpenOptions{ReadOnly: true, NoNotify: true})
	if err != nil {
		return openFailureReport(path, err)
	}
	defer p.Close()
	defer debug.SetPanicOnFault(debug.SetPanicOnFault(true))
	defer func() {
		if r := recover(); r != nil {
			rep, err = Report{}, faultError(r, path)
		}
	}()
	locked := lockShared(p.fd, sharedLockWait)
	if locked {
		defer unlockFile(p.fd)
	}
	mode := checkFull
	if opts.Quick {
		mode = checkQuick
	}
	rep = p.m.check(mode)
	rep.Path = path
	if !locked {
		rep.Hints = append(rep.Hints, "warning: a writer held the pool lock throughout; checked without it, so a concurrent append may show as damage")
	}
	return rep, nil
}

// openFailureReport turns an Open error into a corrupt Report when it means
// the file is damaged (Corrupt) or of another format version (Usage).
func openFailureReport(path string, err error) (Report, error) {
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

// sharedLockWait bounds how long Validate waits for the shared lock.
const sharedLockWait = time.Second

// checkMode selects what mapping.check verifies.
type checkMode uint8

const (
	// checkQuick: the header and the frame chain, as release 1.2.1's doctor.
	checkQuick checkMode = iota
	// checkFull: checkQuick plus every retained payload (lite3.ValidateMessage).
	checkFull
	// checkStrict: checkQuick plus the open-time header rules, without
	// the leniency for an interrupted header publish. The test oracle.
	checkStrict
)

// check validates the mapped pool in mode.
func (m *mapping) check(mode checkMode) Report {
	h, err := decodeHeader(m.data[:headerSize])
	if err == nil && mode == checkStrict {
		err = h.validate(uint64(len(m.data)))
	}
	if err != nil {
		return fail(Report{}, err.(*Error).Message, false, 0)
	}
	r := m.checkHeader(h, mode)
	if r.Status != "ok" && mode != checkStrict {
		// A writer may have died while publishing the header; the next
		// writer completes that publish (repairHeader). Judge the pool as
		// it will be then.
		j, ok := pendingJournal(m.data)
		if !ok {
			return r
		}
		h2 := h
		h2.cursors = j
		if r2 := m.checkHeader(h2, mode); r2.Status == "ok" {
			r2.Hints = append(r2.Hints, "warning: an append was interrupted while publishing the header; the next writer completes it")
			return r2
		}
	}
	return r
}

// checkHeader checks the cursors of h and walks the retained frames. The
// checks and their messages are release 1.2.1's doctor's (which adds the
// tail frame, tail_next and commit marker checks to 0.8.0's); checkFull
// adds the payloads.
func (m *mapping) checkHeader(h header, mode checkMode) Report {
	r := Report{Status: "ok"}
	var lastGood uint64 // r.LastGoodSeq points here once a frame checked out
	rs := h.RingSize
	ring := m.ring
	c := h.cursors
	switch {
	case rs == 0:
		return fail(r, "ring size is zero", false, 0)
	case h.RingOffset+rs > uint64(len(m.data)) || uint64(len(ring)) != rs:
		return fail(r, "ring exceeds mmap bounds", false, 0)
	case c.Head >= rs || c.Tail >= rs:
		return fail(r, "head/tail out of range", false, 0)
	case c.TailNext >= rs:
		return fail(r, "tail_next out of range", false, 0)
	}
	if c.Oldest == 0 {
		if c.Head != c.Tail || c.TailNext != c.Tail {
			return fail(r, "empty pool head/tail mismatch", false, 0)
		}
		m.checkIndex(&r, h)
		return r
	}
	if c.Newest < c.Oldest {
		return fail(r, "seq bounds inverted", false, 0)
	}
	// The tail holds the oldest frame, and tail_next its end.
	if rs-c.Tail < frameHeaderSize {
		return fail(r, "tail points at ring padding", true, c.Tail)
	}
	tf, err := tailFrame(ring, c.Tail)
	switch {
	case err != nil:
		return fail(r, err.Message, true, c.Tail)
	case tf.State != stateCommitted:
		return fail(r, "tail frame is not committed", true, c.Tail)
	case tf.Seq != c.Oldest:
		return fail(r, "tail seq mismatch", true, c.Tail)
	}
	if want := endOf(rs, c.Tail, tf.frameLen()); want != c.TailNext {
		return fail(r, "tail_next mismatch", true, c.Tail)
	}
	expected, off := c.Oldest, c.Tail
	for steps := rs/frameHeaderSize + 2; ; steps-- {
		if steps == 0 {
			return fail(r, "scan exceeded ring capacity", true, off)
		}
		if rs-off < frameHeaderSize {
			off = 0
			continue
		}
		f, err := tailFrame(ring, off)
		if err != nil {
			return fail(r, err.Message, true, off)
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
		pay := ring[off+frameHeaderSize : off+frameHeaderSize+uint64(f.PayloadLen)]
		if binary.LittleEndian.Uint64(ring[off+frameHeaderSize+uint64(f.PayloadLen):]) != commitWord {
			return fail(r, "missing frame commit marker", true, off)
		}
		if mode == checkFull {
			if msg := unreadable(pay); msg != "" {
				return fail(r, "message "+strconv.FormatUint(f.Seq, 10)+" cannot be read: "+msg, true, off)
			}
		}
		lastGood, r.LastGoodSeq = f.Seq, &lastGood
		next := endOf(rs, off, fl)
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

// unreadable is the full doctor's payload check: "" when payload is a
// message document every reader can decode, else what is wrong with it.
func unreadable(payload []byte) string {
	if err := lite3.ValidateMessage(payload); err != nil {
		return lite3Err(err).(*Error).Message
	}
	return ""
}

// endOf is the ring offset after a frame of length fl at off: 0 when it
// ends at the ring end.
func endOf(rs, off, fl uint64) uint64 {
	if off+fl == rs {
		return 0
	}
	return off + fl
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

// checkIndex samples index slots and adds warnings for stale ones. A
// memory fault while sampling (an unwritten index page of a sparse pool on
// a full tmpfs cannot even be read) is a warning too: the index is only a
// hint for readers.
func (m *mapping) checkIndex(r *Report, h header) {
	n := len(r.Hints)
	defer func() {
		if x := recover(); x != nil {
			faultError(x, "") // re-panics unless it is a fault
			r.Hints = append(r.Hints[:n], "warning: index not sampled: reading its pages faulted (is the filesystem holding the pool full?)")
		}
	}()
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
	r := m.check(checkStrict)
	if r.Status == "ok" {
		return nil
	}
	is := r.Issues[0]
	return &Error{Kind: Corrupt, Message: is.Message, Seq: is.Seq, Offset: is.Offset}
}

package core

import (
	"encoding/binary"
	"strconv"

	"github.com/plasmite-go/plasmite/core/lite3"
)

// repairPlan is what Repair will write, worked out from the file's bytes
// without changing them.
type repairPlan struct {
	before, after Bounds
	lost          []LostSeqs
	fixes         []string
	writes        []patch // in order: ring and index first, header cursors last
}

// patch is bytes to store at a file offset. 8-byte aligned words are
// stored atomically, so that lock-free readers never see half of one.
type patch struct {
	off uint64
	b   []byte
}

// apply writes the plan and returns the function that puts the old bytes
// back.
func (pl *repairPlan) apply(data []byte) (undo func([]byte)) {
	old := make([][]byte, len(pl.writes))
	for i, w := range pl.writes {
		old[i] = append([]byte(nil), data[w.off:w.off+uint64(len(w.b))]...)
		put(data, w)
	}
	return func(d []byte) {
		for i := len(pl.writes) - 1; i >= 0; i-- {
			put(d, patch{pl.writes[i].off, old[i]})
		}
	}
}

func put(data []byte, w patch) {
	if len(w.b) == 8 && w.off%8 == 0 {
		store64(data, w.off, binary.LittleEndian.Uint64(w.b))
		return
	}
	copy(data[w.off:], w.b)
}

func (pl *repairPlan) word(off, v uint64) {
	pl.writes = append(pl.writes, patch{off, binary.LittleEndian.AppendUint64(nil, v)})
}

// frameCheck is what a ring offset holds, judged as the full doctor would.
type frameCheck struct {
	header bool   // a frame header that decodes and validates
	state  uint32 // valid when header
	seq    uint64
	fl     uint64 // frame length; the frame fits the ring when header
	good   bool   // committed, commit marker present, payload readable
	why    string // when !good: the first check that fails
	// strays: the payload is readable once these u32 slots (payload
	// offsets) are zeroed: stray child offsets in leaf nodes, which
	// release 1.2.1's reader follows (see lite3.StrayChildren).
	strays []uint32
}

func checkFrameAt(ring []byte, o uint64) frameCheck {
	rs := uint64(len(ring))
	if o%8 != 0 || o >= rs || rs-o < frameHeaderSize {
		return frameCheck{why: "no room for a frame header"}
	}
	f, err := tailFrame(ring, o)
	if err != nil {
		return frameCheck{why: err.Message}
	}
	c := frameCheck{header: true, state: f.State, seq: f.Seq, fl: f.frameLen()}
	if f.State == stateWrap {
		c.fl = frameHeaderSize
		c.why = "a wrap marker"
		return c
	}
	if o+c.fl > rs {
		return frameCheck{why: "frame exceeds ring"}
	}
	switch {
	case f.State != stateCommitted:
		c.why = "an unfinished append of seq " + strconv.FormatUint(f.Seq, 10)
	case binary.LittleEndian.Uint64(ring[o+frameHeaderSize+uint64(f.PayloadLen):]) != commitWord:
		c.why = "missing frame commit marker"
	default:
		c.why, c.strays = payloadCheck(ring[o+frameHeaderSize : o+frameHeaderSize+uint64(f.PayloadLen)])
		c.good = c.why == ""
	}
	return c
}

// payloadCheck says why a payload cannot be read ("" when it can), or
// which stray child slots must be zeroed for it to be read.
func payloadCheck(payload []byte) (why string, strays []uint32) {
	msg := unreadable(payload)
	if msg == "" {
		return "", nil
	}
	if msg == lite3.StrayChildMessage {
		if strays, err := lite3.StrayChildren(payload); err == nil {
			return "", strays
		}
	}
	return "payload cannot be read: " + msg, nil
}

// isWrapMarker reports whether a well-formed wrap marker is at o.
func isWrapMarker(ring []byte, o uint64) bool {
	c := checkFrameAt(ring, o)
	return c.header && c.state == stateWrap
}

// repairGeometry checks the header's geometry fields against the file size.
// Each of index_capacity, ring_offset and ring_size implies an index
// capacity; two that agree (with file_size, the real size, and
// index_offset 4096 rewritten if they differ) are taken as the truth, so
// one damaged field is restored. It returns the geometry to use.
func repairGeometry(pl *repairPlan, data []byte, h header) (header, *Error) {
	size := uint64(len(data))
	refuse := func(why string) (header, *Error) {
		return h, &Error{Kind: Corrupt, Message: "pool cannot be repaired: " + why,
			Hint: "The file was not changed. Recreate the pool; if it matters, keep the file for investigation."}
	}
	capOf := func(ringOffset uint64) (uint32, bool) {
		n := ringOffset - headerSize
		return uint32(n / slotSize), ringOffset >= headerSize && ringOffset < size && n%slotSize == 0 && n/slotSize <= 0xFFFFFFFF
	}
	var capacity uint32
	if h.FileSize != size {
		// Only file_size may be wrong: the other fields must describe this size.
		c, ok := capOf(h.RingOffset)
		if !ok || c != h.IndexCapacity || h.RingOffset+h.RingSize != size {
			return refuse("the file is " + strconv.FormatUint(size, 10) + " bytes, its header says " +
				strconv.FormatUint(h.FileSize, 10) + " (the file was truncated or extended)")
		}
		capacity = c
	} else {
		votes := []uint32{h.IndexCapacity}
		if c, ok := capOf(h.RingOffset); ok {
			votes = append(votes, c)
		}
		if h.RingSize < size {
			if c, ok := capOf(size - h.RingSize); ok {
				votes = append(votes, c)
			}
		}
		agreed := false
		for i := 0; i < len(votes) && !agreed; i++ {
			for j := i + 1; j < len(votes); j++ {
				if votes[i] == votes[j] {
					capacity, agreed = votes[i], true
					break
				}
			}
		}
		if !agreed || headerSize+slotSize*uint64(capacity) >= size {
			return refuse("the header's geometry fields disagree with each other and with the file size")
		}
	}
	g := h
	g.FileSize, g.IndexOffset, g.IndexCapacity = size, indexOffset, capacity
	g.RingOffset = headerSize + slotSize*uint64(capacity)
	g.RingSize = size - g.RingOffset
	fix := func(name string, off, was, is uint64, width int) {
		if was == is {
			return
		}
		b := make([]byte, width)
		if width == 4 {
			binary.LittleEndian.PutUint32(b, uint32(is))
		} else {
			binary.LittleEndian.PutUint64(b, is)
		}
		pl.writes = append(pl.writes, patch{off, b})
		pl.fixes = append(pl.fixes, "header "+name+" "+strconv.FormatUint(was, 10)+" → "+strconv.FormatUint(is, 10))
	}
	fix("file_size", hFileSize, h.FileSize, g.FileSize, 8)
	fix("index_offset", hIndexOffset, h.IndexOffset, g.IndexOffset, 8)
	fix("index_capacity", hIndexCap, uint64(h.IndexCapacity), uint64(g.IndexCapacity), 4)
	fix("ring_offset", hRingOffset, h.RingOffset, g.RingOffset, 8)
	fix("ring_size", hRingSize, h.RingSize, g.RingSize, 8)
	return g, nil
}

// decodeForRepair decodes the header, refusing only what cannot be a pool
// of this format; a wrong byte-order byte is rewritten.
func decodeForRepair(pl *repairPlan, data []byte) (header, *Error) {
	if [4]byte(data[0:4]) != poolMagic {
		return header{}, &Error{Kind: Corrupt, Message: "pool cannot be repaired: bad magic (not a pool file, or its header is destroyed)",
			Hint: "The file was not changed."}
	}
	if data[hEndian] != endianLittle {
		pl.writes = append(pl.writes, patch{hEndian, []byte{endianLittle}})
		pl.fixes = append(pl.fixes, "header byte order "+strconv.Itoa(int(data[hEndian]))+" → 1")
		b := append([]byte(nil), data[:headerSize]...)
		b[hEndian] = endianLittle
		data = b
	}
	h, err := decodeHeader(data)
	if err != nil {
		return header{}, err.(*Error) // another format version: Usage
	}
	return h, nil
}

// planRepair works out the repair of a pool file's bytes (see Repair).
func planRepair(data []byte) (repairPlan, *Error) {
	var pl repairPlan
	h, e := decodeForRepair(&pl, data)
	if e != nil {
		return pl, e
	}
	pl.before = Bounds{Oldest: h.Oldest, Newest: h.Newest}
	if h.Oldest == 0 {
		pl.before = Bounds{}
	}
	g, e := repairGeometry(&pl, data, h)
	if e != nil {
		return pl, e
	}
	ring := data[g.RingOffset:]
	c := g.cursors
	if j, ok := pendingJournal(data); ok {
		// A Go writer died publishing these: start from them if they hold.
		m := &mapping{data: data, ring: ring, geo: g}
		g2 := g
		g2.cursors = j
		if m.checkHeader(g2, checkFull).Status == "ok" {
			c = j
		}
	}
	s := salvage{ring: ring, rs: g.RingSize, c: c, index: data[indexOffset : indexOffset+slotSize*uint64(g.IndexCapacity)]}
	s.run()
	pl.after = s.kept
	pl.lost = s.lost

	// Ring and index first, so that the header never points at a state
	// whose wrap markers or index slots are not written yet.
	for _, fx := range s.rebuilt {
		pl.writes = append(pl.writes, patch{g.RingOffset + fx.off, fx.header[:]},
			patch{g.RingOffset + fx.off + frameHeaderSize + fx.plen, commitMagic[:]})
		pl.fixes = append(pl.fixes, fx.describe())
	}
	for _, f := range s.cleared {
		for _, slot := range f.strays {
			pl.writes = append(pl.writes, patch{g.RingOffset + f.off + frameHeaderSize + uint64(slot), make([]byte, 4)})
		}
		pl.fixes = append(pl.fixes, strconv.Itoa(len(f.strays))+" stray child offsets cleared in the payload of seq "+
			strconv.FormatUint(f.seq, 10)+" at ring offset "+strconv.FormatUint(f.off, 10)+" (release 1.2.1 could not read it)")
	}
	for _, ph := range s.placed {
		// The frame's first word (magic and state) last, in one store:
		// a reader sees the placeholder committed only once it is whole.
		b := ph.frame()
		pl.writes = append(pl.writes, patch{g.RingOffset + ph.off + 8, b[8:]}, patch{g.RingOffset + ph.off, b[:8]})
		pl.fixes = append(pl.fixes, ph.describe())
	}
	for _, o := range s.markers {
		b := make([]byte, frameHeaderSize)
		putFrameHeader(b, stateWrap, 0, 0, 0)
		pl.writes = append(pl.writes, patch{g.RingOffset + o, b})
		pl.fixes = append(pl.fixes, "wrap marker rewritten at ring offset "+strconv.FormatUint(o, 10))
	}
	if ic := uint64(g.IndexCapacity); ic > 0 && s.kept.Oldest != 0 {
		n := 0
		for seq := max(s.kept.Oldest, s.kept.Newest-min(s.kept.Newest, ic-1)); seq <= s.kept.Newest; seq++ {
			slot := indexOffset + slotSize*(seq%ic)
			off := s.offsetOf(seq)
			if binary.LittleEndian.Uint64(data[slot:]) != seq || binary.LittleEndian.Uint64(data[slot+8:]) != off {
				pl.word(slot, seq)
				pl.word(slot+8, off)
				n++
			}
		}
		if n > 0 {
			pl.fixes = append(pl.fixes, strconv.Itoa(n)+" index slots rewritten")
		}
	}
	want := s.cursors()
	for _, f := range []struct {
		name     string
		off      uint64
		was, now uint64
	}{
		{"head_off", hHead, h.Head, want.Head},
		{"tail_off", hTail, h.Tail, want.Tail},
		{"tail_next_off", hTailNext, h.TailNext, want.TailNext},
		{"oldest_seq", hOldest, h.Oldest, want.Oldest},
		{"newest_seq", hNewest, h.Newest, want.Newest},
	} {
		if f.was != f.now {
			pl.word(f.off, f.now)
			pl.fixes = append(pl.fixes, "header "+f.name+" "+strconv.FormatUint(f.was, 10)+" → "+strconv.FormatUint(f.now, 10))
		}
	}
	if load64(data, hJournal) != 0 {
		pl.word(hJournal, 0)
		pl.fixes = append(pl.fixes, "interrupted header publish cleared")
	}
	return pl, nil
}

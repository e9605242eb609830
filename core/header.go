package core

import (
	"encoding/binary"
	"strconv"
	"sync/atomic"
	"unsafe"
)

// Pool header layout (format v3). All offsets are byte offsets into the
// 4096-byte header at file offset 0; all integers are little-endian.
const (
	headerSize    = 4096
	formatVersion = 3
	indexOffset   = headerSize // the index always starts right after the header
	slotSize      = 16

	hMagic       = 0
	hVersion     = 4
	hEndian      = 8
	hFileSize    = 16
	hIndexOffset = 24
	hIndexCap    = 32
	hRingOffset  = 40
	hRingSize    = 48
	hFlags       = 56
	hHead        = 64
	hTail        = 72
	hTailNext    = 80
	hOldest      = 88
	hNewest      = 96

	// hLeaseWant is a word in the header's reserved area (never read by the
	// reference) where a writer waiting for the lock leaves the wall-clock time
	// of its request, so that a writer holding a lease hands the lock over
	// promptly. Zero means nobody asked. See append.go.
	hLeaseWant = 4088

	// Header journal, also in the reserved area: the cursor fields are
	// published with separate stores, so a writer killed between two of them
	// would leave a mixed header. Before publishing, a writer copies the
	// values it is about to publish into slot A (drops, published before the
	// frame is overwritten) or slot B (the final values) and sets hJournal to
	// 1 or 2; it clears hJournal when the publish is complete. The next writer
	// to take the lock finishes an interrupted publish (see repairHeader).
	hJournal  = 3968 // u64: 0 none, 1 slot A pending, 2 slot B pending
	hJournalA = 3976 // 5 × u64: head, tail, tail_next, oldest, newest
	hJournalB = 4016 // 5 × u64

	autoIndexMax     = 65536
	minRingForIndex  = 1024
	endianLittle     = 1
	defaultPoolPerms = 0o666
)

var poolMagic = [4]byte{'P', 'L', 'S', 'M'}

// header is a decoded pool header.
type header struct {
	FileSize      uint64
	IndexOffset   uint64
	IndexCapacity uint32
	RingOffset    uint64
	RingSize      uint64
	Flags         uint64
	cursors
}

// cursors are the header fields that appends change.
type cursors struct {
	Head, Tail, TailNext uint64
	Oldest, Newest       uint64
}

// autoIndexCapacity is the index size the reference picks for a file of
// fileSize bytes when none is requested.
func autoIndexCapacity(fileSize uint64) uint32 {
	c := fileSize / 256
	if c > autoIndexMax {
		c = autoIndexMax
	}
	if c == 0 {
		return 0
	}
	var budget uint64
	if fileSize > headerSize+minRingForIndex {
		budget = (fileSize - (headerSize + minRingForIndex)) / slotSize
	}
	if budget < c {
		c = budget
	}
	return uint32(c)
}

// newHeader computes the header of a fresh pool of fileSize bytes.
func newHeader(fileSize uint64, indexCap uint32) (header, error) {
	ringOff := uint64(headerSize) + slotSize*uint64(indexCap)
	if fileSize <= ringOff {
		return header{}, &Error{Kind: Usage, Message: "file_size must exceed header and index size",
			Hint: "Choose a file size greater than " + strconv.FormatUint(ringOff, 10) + " bytes."}
	}
	return header{
		FileSize:      fileSize,
		IndexOffset:   indexOffset,
		IndexCapacity: indexCap,
		RingOffset:    ringOff,
		RingSize:      fileSize - ringOff,
	}, nil
}

// encode renders the full 4096-byte header.
func (h *header) encode() []byte {
	b := make([]byte, headerSize)
	copy(b[hMagic:], poolMagic[:])
	binary.LittleEndian.PutUint32(b[hVersion:], formatVersion)
	b[hEndian] = endianLittle
	binary.LittleEndian.PutUint64(b[hFileSize:], h.FileSize)
	binary.LittleEndian.PutUint64(b[hIndexOffset:], h.IndexOffset)
	binary.LittleEndian.PutUint32(b[hIndexCap:], h.IndexCapacity)
	binary.LittleEndian.PutUint64(b[hRingOffset:], h.RingOffset)
	binary.LittleEndian.PutUint64(b[hRingSize:], h.RingSize)
	binary.LittleEndian.PutUint64(b[hFlags:], h.Flags)
	binary.LittleEndian.PutUint64(b[hHead:], h.Head)
	binary.LittleEndian.PutUint64(b[hTail:], h.Tail)
	binary.LittleEndian.PutUint64(b[hTailNext:], h.TailNext)
	binary.LittleEndian.PutUint64(b[hOldest:], h.Oldest)
	binary.LittleEndian.PutUint64(b[hNewest:], h.Newest)
	return b
}

// decodeHeader checks magic, version and endianness (in that order) and
// decodes the fields. Geometry is checked separately by validate.
func decodeHeader(b []byte) (header, error) {
	if len(b) < headerSize {
		return header{}, &Error{Kind: Corrupt, Message: "header too small"}
	}
	if [4]byte(b[0:4]) != poolMagic {
		return header{}, &Error{Kind: Corrupt, Message: "bad magic"}
	}
	if v := binary.LittleEndian.Uint32(b[hVersion:]); v != formatVersion {
		return header{}, &Error{Kind: Usage,
			Message: "unsupported pool format version " + strconv.FormatUint(uint64(v), 10) + " (supported: 3)",
			Hint:    "Upgrade plasmite or migrate the pool (export/import). Run `plasmite doctor <pool>` for guidance."}
	}
	if b[hEndian] != endianLittle {
		return header{}, &Error{Kind: Corrupt, Message: "unsupported endianness"}
	}
	le := binary.LittleEndian
	return header{
		FileSize:      le.Uint64(b[hFileSize:]),
		IndexOffset:   le.Uint64(b[hIndexOffset:]),
		IndexCapacity: le.Uint32(b[hIndexCap:]),
		RingOffset:    le.Uint64(b[hRingOffset:]),
		RingSize:      le.Uint64(b[hRingSize:]),
		Flags:         le.Uint64(b[hFlags:]),
		cursors: cursors{
			Head:     le.Uint64(b[hHead:]),
			Tail:     le.Uint64(b[hTail:]),
			TailNext: le.Uint64(b[hTailNext:]),
			Oldest:   le.Uint64(b[hOldest:]),
			Newest:   le.Uint64(b[hNewest:]),
		},
	}, nil
}

// validate applies the open-time geometry rules against the real file length.
func (h *header) validate(actual uint64) error {
	bad := func(msg string) error { return &Error{Kind: Corrupt, Message: msg} }
	switch {
	case h.FileSize == 0, h.FileSize != actual:
		return bad("invalid file size")
	case h.IndexOffset != indexOffset:
		return bad("invalid index offset")
	case h.RingOffset < headerSize:
		return bad("invalid ring offset")
	case h.RingOffset != headerSize+slotSize*uint64(h.IndexCapacity):
		return bad("ring offset mismatch")
	case h.RingSize > h.FileSize || h.RingOffset != h.FileSize-h.RingSize:
		return bad("ring bounds mismatch")
	case h.RingSize == 0:
		return bad("ring size is zero")
	case h.Head >= h.RingSize || h.Tail >= h.RingSize || h.TailNext >= h.RingSize:
		return bad("header offset out of range")
	case h.Head%8 != 0 || h.Tail%8 != 0 || h.TailNext%8 != 0:
		return bad("header offset not aligned")
	case h.Oldest != 0 && h.Oldest > h.Newest:
		return bad("seq bounds inverted")
	case h.Oldest == 0 && (h.Head != h.Tail || h.TailNext != h.Tail):
		return bad("empty header offsets mismatch")
	}
	return nil
}

// Atomic access to 4- and 8-byte words of the shared mapping. Every caller
// passes an offset that is naturally aligned in the file, and the mapping is
// page-aligned, so the words are aligned in memory.

func load64(m []byte, off uint64) uint64 {
	_ = m[off+7]
	return atomic.LoadUint64((*uint64)(unsafe.Pointer(&m[off])))
}

func store64(m []byte, off uint64, v uint64) {
	_ = m[off+7]
	atomic.StoreUint64((*uint64)(unsafe.Pointer(&m[off])), v)
}

func load32(m []byte, off uint64) uint32 {
	_ = m[off+3]
	return atomic.LoadUint32((*uint32)(unsafe.Pointer(&m[off])))
}

func cas64(m []byte, off uint64, old, new uint64) bool {
	_ = m[off+7]
	return atomic.CompareAndSwapUint64((*uint64)(unsafe.Pointer(&m[off])), old, new)
}

// loadCursors reads the published cursor fields. newest is read first: the
// writer stores it last, so every frame up to the newest seen here is
// committed; the other fields can only be newer than newest, which readers
// detect through their seq checks.
func loadCursors(m []byte) cursors {
	var c cursors
	c.Newest = load64(m, hNewest)
	c.Oldest = load64(m, hOldest)
	c.TailNext = load64(m, hTailNext)
	c.Tail = load64(m, hTail)
	c.Head = load64(m, hHead)
	return c
}

func putJournal(m []byte, slot uint64, c cursors) {
	le := binary.LittleEndian
	j := (*[40]byte)(m[slot : slot+40])
	le.PutUint64(j[0:], c.Head)
	le.PutUint64(j[8:], c.Tail)
	le.PutUint64(j[16:], c.TailNext)
	le.PutUint64(j[24:], c.Oldest)
	le.PutUint64(j[32:], c.Newest)
}

func getJournal(m []byte, slot uint64) cursors {
	return cursors{Head: load64(m, slot), Tail: load64(m, slot+8), TailNext: load64(m, slot+16),
		Oldest: load64(m, slot+24), Newest: load64(m, slot+32)}
}

// publishAll stores every cursor field in header order (newest last).
func publishAll(m []byte, c cursors) {
	store64(m, hHead, c.Head)
	store64(m, hTail, c.Tail)
	store64(m, hTailNext, c.TailNext)
	store64(m, hOldest, c.Oldest)
	store64(m, hNewest, c.Newest)
}

// repairHeader completes a header publish interrupted by a writer's death.
// The caller holds the writer lock.
func repairHeader(m []byte) {
	if load64(m, hJournal) == 0 {
		return
	}
	if j, ok := pendingJournal(m); ok {
		publishAll(m, j)
	}
	store64(m, hJournal, 0)
}

// pendingJournal returns the cursors a writer that died while publishing
// them left in the journal, when the next writer completes that publish:
// a journal that does not match the header (another implementation
// appended since) is discarded.
func pendingJournal(m []byte) (cursors, bool) {
	switch load64(m, hJournal) {
	case 1:
		if j := getJournal(m, hJournalA); load64(m, hNewest) <= j.Newest {
			return j, true
		}
	case 2:
		if j := getJournal(m, hJournalB); load64(m, hNewest) < j.Newest {
			return j, true
		}
	}
	return cursors{}, false
}

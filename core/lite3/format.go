package lite3

import (
	"encoding/binary"
	"strconv"
)

// Wire-format constants (pool-format.md §3.3).
const (
	nodeSize = 96

	offHashes = 4  // u32 hashes[7]
	offSizeKC = 32 // bits 0-2 key count, bits 6-31 element count (container root only)
	offKV     = 36 // u32 kv_ofs[7]
	offChild  = 64 // u32 child_ofs[8]

	maxKeys = 7

	typeNull   = 0
	typeBool   = 1
	typeI64    = 2
	typeF64    = 3
	typeBytes  = 4
	typeString = 5
	typeObject = 6
	typeArray  = 7

	// maxEncodeDepth is the deepest container level the encoder accepts,
	// counted from the document root (root 1, meta/data 2, tags 3): user
	// data may nest 30 levels below data, as in the reference.
	maxEncodeDepth = 32
	// maxDecodeDepth bounds container nesting when reading untrusted bytes.
	maxDecodeDepth = 64
	// maxHeight bounds the node levels of one container's B-tree when
	// reading (the reference's own lookups descend at most 9 times; a
	// well-formed tree of height 16 needs more than 2^31 entries).
	maxHeight = 16
	// maxProbes is the number of quadratic probe attempts for object keys.
	maxProbes = 128
	// maxDocSize caps the documents the encoder produces (the reference's
	// working-buffer limit).
	maxDocSize = 256 << 20
)

// Error is the error returned by this package.
type Error struct {
	// Corrupt is true when the bytes given are not a valid Lite3 (message)
	// document; false when the caller's input (JSON text, tags) is unusable.
	// The core maps them to core.Corrupt and core.Usage.
	Corrupt bool
	// Msg says what is wrong, lower case.
	Msg string
	// Pos is the byte position in the input (JSON text or Lite3 bytes)
	// where the problem was found, or -1 when unknown.
	Pos int
}

// Error renders the message and, when known, the byte position.
func (e *Error) Error() string {
	if e.Pos >= 0 {
		return e.Msg + " (at byte " + strconv.Itoa(e.Pos) + ")"
	}
	return e.Msg
}

func corrupt(msg string, pos int) *Error { return &Error{Corrupt: true, Msg: msg, Pos: pos} }
func usage(msg string, pos int) *Error   { return &Error{Msg: msg, Pos: pos} }

func le32(b []byte, off uint32) uint32 { return binary.LittleEndian.Uint32(b[off:]) }
func put32(b []byte, off uint32, v uint32) {
	binary.LittleEndian.PutUint32(b[off:], v)
}

// djb2 hashes a key up to (not including) its first NUL byte.
func djb2[T string | []byte](key T) uint32 {
	h := uint32(5381)
	for i := 0; i < len(key); i++ {
		c := key[i]
		if c == 0 {
			break
		}
		h = h*33 + uint32(c)
	}
	return h
}

// keyTag returns the tag length and tag value for a key of n bytes.
func keyTag(n int) (tagLen int, tag uint32) {
	size := uint32(n + 1)
	switch {
	case size < 64:
		return 1, size << 2
	case size < 16384:
		return 2, size<<2 | 1
	default:
		return 4, size<<2 | 3
	}
}

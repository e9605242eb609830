package core

import "encoding/binary"

// Frame layout (format v3): a 64-byte header, the payload, the 8-byte commit
// marker "PLSMCMIT", padding to a multiple of 8 (not written).
const (
	frameHeaderSize = 64
	commitSize      = 8
	maxPayloadCap   = 256 << 20

	fMagic  = 0
	fState  = 4
	fFlags  = 8
	fHdrLen = 12
	fSeq    = 16
	fTime   = 24
	fLen    = 32
	fLenXor = 36
	fCRC    = 40
)

// Frame states.
const (
	stateEmpty     uint32 = 0
	stateWriting   uint32 = 1
	stateCommitted uint32 = 2
	stateWrap      uint32 = 3
)

var (
	frameMagic  = [4]byte{'F', 'R', 'M', '1'}
	commitMagic = [8]byte{'P', 'L', 'S', 'M', 'C', 'M', 'I', 'T'}
	// frameMagicWord and commitWord are the markers read as LE integers.
	frameMagicWord = binary.LittleEndian.Uint32(frameMagic[:])
	commitWord     = binary.LittleEndian.Uint64(commitMagic[:])
)

// align8 rounds n up to a multiple of 8.
func align8(n uint64) uint64 { return (n + 7) &^ 7 }

// frameLen is FL, the on-disk length of a frame with a payload of n bytes.
func frameLen(n uint64) uint64 { return align8(frameHeaderSize + n + commitSize) }

// maxPayload is the largest payload a ring of ringSize bytes accepts.
func maxPayload(ringSize uint64) uint64 {
	var m uint64
	if ringSize > frameHeaderSize+commitSize {
		m = ringSize - (frameHeaderSize + commitSize)
	}
	if m > maxPayloadCap {
		m = maxPayloadCap
	}
	return m
}

// frameHeader is a decoded frame header.
type frameHeader struct {
	State      uint32
	Flags      uint32
	HeaderLen  uint32
	Seq        uint64
	Time       uint64
	PayloadLen uint32
	LenXor     uint32
	CRC        uint32
}

// decodeFrameHeader applies the "decode" checks: size, magic, state.
func decodeFrameHeader(b []byte) (frameHeader, error) {
	if len(b) < frameHeaderSize {
		return frameHeader{}, &Error{Kind: Corrupt, Message: "frame header too small"}
	}
	le := binary.LittleEndian
	if le.Uint32(b[fMagic:]) != frameMagicWord {
		return frameHeader{}, &Error{Kind: Corrupt, Message: "bad frame magic"}
	}
	st := le.Uint32(b[fState:])
	if st > stateWrap {
		return frameHeader{}, &Error{Kind: Corrupt, Message: "invalid frame state"}
	}
	return frameHeader{
		State:      st,
		Flags:      le.Uint32(b[fFlags:]),
		HeaderLen:  le.Uint32(b[fHdrLen:]),
		Seq:        le.Uint64(b[fSeq:]),
		Time:       le.Uint64(b[fTime:]),
		PayloadLen: le.Uint32(b[fLen:]),
		LenXor:     le.Uint32(b[fLenXor:]),
		CRC:        le.Uint32(b[fCRC:]),
	}, nil
}

// validate applies the "validate" checks against the ring size.
func (f *frameHeader) validate(ringSize uint64) error {
	switch {
	case f.HeaderLen != frameHeaderSize:
		return &Error{Kind: Corrupt, Message: "unexpected header length"}
	case f.PayloadLen^f.LenXor != 0xFFFFFFFF:
		return &Error{Kind: Corrupt, Message: "payload length xor mismatch"}
	case uint64(f.PayloadLen) > maxPayload(ringSize):
		return &Error{Kind: Corrupt, Message: "payload length exceeds max"}
	}
	return nil
}

// frameLen is the frame's total on-disk length.
func (f *frameHeader) frameLen() uint64 { return frameLen(uint64(f.PayloadLen)) }

// putFrameHeader writes a frame header into b[:64].
func putFrameHeader(b []byte, state uint32, seq, ts uint64, payloadLen uint32) {
	le := binary.LittleEndian
	h := (*[frameHeaderSize]byte)(b)
	// Pairs of u32 fields as one u64 store each: magic|state,
	// flags|header_len, len|len_xor, crc|reserved; the rest is reserved.
	le.PutUint64(h[fMagic:], uint64(frameMagicWord)|uint64(state)<<32)
	le.PutUint64(h[fFlags:], frameHeaderSize<<32)
	le.PutUint64(h[fSeq:], seq)
	le.PutUint64(h[fTime:], ts)
	le.PutUint64(h[fLen:], uint64(payloadLen)|uint64(^payloadLen)<<32)
	le.PutUint64(h[fCRC:], 0)
	le.PutUint64(h[48:], 0)
	le.PutUint64(h[56:], 0)
}

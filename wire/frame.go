package wire

import (
	"encoding/binary"
	"errors"
	"io"

	"github.com/plasmite-go/plasmite/core"
)

// The Lite3 stream frame: seq (u64), time (Unix nanoseconds, u64) and the
// payload length (u32), all big-endian, then the stored Lite3 message
// document; frames follow one another with no padding and no terminator.
// The HTTP server's /tail_lite3 body is a run of frames; the CLI's
// `--format lite3` output is StreamMagic followed by frames.

// FrameHeaderLen is the size of a frame header.
const FrameHeaderLen = 20

// StreamMagic opens the CLI's framed Lite3 output (and is how feed
// recognises such input).
const StreamMagic = "PLS1"

// AppendFrame appends m's frame (header and payload) to dst. It allocates
// nothing when dst has room.
func AppendFrame(dst []byte, m core.Message) []byte {
	dst = binary.BigEndian.AppendUint64(dst, m.Seq)
	dst = binary.BigEndian.AppendUint64(dst, uint64(m.Time))
	dst = binary.BigEndian.AppendUint32(dst, uint32(len(m.Payload)))
	return append(dst, m.Payload...)
}

// ParseFrameHeader reads a frame header from the first FrameHeaderLen bytes
// of h (which must hold that many): the message's seq and time and the
// length of the payload that follows.
func ParseFrameHeader(h []byte) (seq uint64, unixNanos int64, payloadLen uint32) {
	_ = h[FrameHeaderLen-1]
	return binary.BigEndian.Uint64(h), int64(binary.BigEndian.Uint64(h[8:])), binary.BigEndian.Uint32(h[16:])
}

// ErrFrameTruncated is FrameReader's error for input that ends inside a
// frame.
var ErrFrameTruncated = errors.New("lite3 stream ends inside a frame")

// ErrFrameTooLarge is FrameReader's error for a frame whose payload is
// longer than its limit.
var ErrFrameTooLarge = errors.New("lite3 frame exceeds the payload limit")

// FrameReader reads frames from a byte stream.
type FrameReader struct {
	r    io.Reader
	max  uint32
	head [FrameHeaderLen]byte
}

// NewFrameReader reads frames from r (positioned at a frame, past any
// StreamMagic) whose payloads are at most maxPayload bytes.
func NewFrameReader(r io.Reader, maxPayload uint32) *FrameReader {
	return &FrameReader{r: r, max: maxPayload}
}

// Next reads the next frame, appending its payload to buf; the returned
// message's Payload is that appended part of out (Flags is 0). At a clean
// end of input it returns io.EOF; input that ends inside a frame is
// ErrFrameTruncated; a payload over the limit is ErrFrameTooLarge (nothing
// of it is read); other read errors are returned as they are. On error out
// is buf unchanged.
func (f *FrameReader) Next(buf []byte) (m core.Message, out []byte, err error) {
	if _, err := io.ReadFull(f.r, f.head[:]); err != nil {
		if err == io.ErrUnexpectedEOF {
			err = ErrFrameTruncated
		}
		return core.Message{}, buf, err
	}
	seq, t, n := ParseFrameHeader(f.head[:])
	if n > f.max {
		return core.Message{}, buf, ErrFrameTooLarge
	}
	start := len(buf)
	out = append(buf, make([]byte, n)...)
	if _, err := io.ReadFull(f.r, out[start:]); err != nil {
		if err == io.EOF || err == io.ErrUnexpectedEOF {
			err = ErrFrameTruncated
		}
		return core.Message{}, buf, err
	}
	return core.Message{Seq: seq, Time: t, Payload: out[start:]}, out, nil
}

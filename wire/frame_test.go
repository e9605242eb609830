package wire

import (
	"bytes"
	"errors"
	"io"
	"strconv"
	"testing"
	"testing/iotest"

	"github.com/plasmite-go/plasmite/core"
)

func TestFrameBytes(t *testing.T) {
	m := core.Message{Seq: 0x0102030405060708, Time: 0x1112131415161718, Payload: []byte("doc")}
	got := AppendFrame([]byte("PLS1"), m)
	want := []byte("PLS1\x01\x02\x03\x04\x05\x06\x07\x08\x11\x12\x13\x14\x15\x16\x17\x18\x00\x00\x00\x03doc")
	if !bytes.Equal(got, want) {
		t.Fatalf("frame\n got  %x\n want %x", got, want)
	}
	seq, ts, n := ParseFrameHeader(got[4:])
	if seq != m.Seq || ts != m.Time || n != 3 {
		t.Fatalf("header: %x %x %d", seq, ts, n)
	}
}

func TestFrameReader(t *testing.T) {
	msgs := []core.Message{
		{Seq: 1, Time: 10, Payload: []byte("first")},
		{Seq: 2, Time: 20, Payload: nil},
		{Seq: 3, Time: 30, Payload: bytes.Repeat([]byte("x"), 1000)},
	}
	var stream []byte
	for _, m := range msgs {
		stream = AppendFrame(stream, m)
	}
	// one byte at a time: frames split across reads
	fr := NewFrameReader(iotest.OneByteReader(bytes.NewReader(stream)), 1000)
	buf := []byte("keep")
	for i, want := range msgs {
		m, out, err := fr.Next(buf)
		if err != nil || m.Seq != want.Seq || m.Time != want.Time || !bytes.Equal(m.Payload, want.Payload) ||
			!bytes.HasPrefix(out, []byte("keep")) {
			t.Fatalf("frame %d: %+v %v", i, m, err)
		}
		buf = out
	}
	if _, out, err := fr.Next(buf); err != io.EOF || len(out) != len(buf) {
		t.Fatalf("clean end: %v", err)
	}
	// cut anywhere inside a frame: truncated
	for _, cut := range []int{1, 19, 20, 24} {
		_, _, err := NewFrameReader(bytes.NewReader(stream[:cut]), 1000).Next(nil)
		if !errors.Is(err, ErrFrameTruncated) {
			t.Errorf("cut at %d: %v", cut, err)
		}
	}
	// over the limit: refused before reading the payload
	_, _, err := NewFrameReader(bytes.NewReader(stream), 4).Next(nil)
	if !errors.Is(err, ErrFrameTooLarge) {
		t.Errorf("limit: %v", err)
	}
	// other read errors come through
	boom := errors.New("boom")
	if _, _, err := NewFrameReader(iotest.ErrReader(boom), 10).Next(nil); err != boom {
		t.Errorf("read error: %v", err)
	}
}

func TestFrameReaderDoesNotAllocate(t *testing.T) {
	if raceEnabled {
		t.Skip("allocation counts are not meaningful under the race detector")
	}
	m := core.Message{Seq: 1, Time: 2, Payload: bytes.Repeat([]byte("p"), 100)}
	frame := AppendFrame(nil, m)
	r := bytes.NewReader(frame)
	fr := NewFrameReader(r, 1<<20)
	buf := make([]byte, 0, 4096)
	if n := testing.AllocsPerRun(100, func() {
		r.Reset(frame)
		if _, _, err := fr.Next(buf[:0]); err != nil {
			t.Fatal(err)
		}
	}); n != 0 {
		t.Errorf("%v allocations per frame", n)
	}
}

// fetch --format lite3 and follow --format lite3 print StreamMagic and the
// frames AppendFrame makes; FrameReader reads them back.
func TestFramesMatchReference(t *testing.T) {
	dir, path := refPool(t)
	p := openRead(t, path)
	n := uint64(len(refData))
	for seq := uint64(1); seq <= n; seq++ {
		got := AppendFrame([]byte(StreamMagic), get(t, p, seq))
		if want := ref(t, "", "--dir", dir, "fetch", "p", strconv.FormatUint(seq, 10), "--format", "lite3"); string(got) != want {
			t.Errorf("fetch %d:\n reference %x\n ours      %x", seq, want, got)
		}
	}
	want := ref(t, "", "--dir", dir, "follow", "p", "--tail", strconv.FormatUint(n, 10), "--no-follow", "--format", "lite3")
	got := []byte(StreamMagic)
	for seq := uint64(1); seq <= n; seq++ {
		got = AppendFrame(got, get(t, p, seq))
	}
	if string(got) != want {
		t.Fatalf("follow:\n reference %x\n ours      %x", want, got)
	}
	fr := NewFrameReader(bytes.NewReader([]byte(want[len(StreamMagic):])), 1<<20)
	for seq := uint64(1); ; seq++ {
		m, _, err := fr.Next(nil)
		if err == io.EOF && seq == n+1 {
			break
		}
		stored := get(t, p, seq)
		if err != nil || m.Seq != seq || m.Time != stored.Time || !bytes.Equal(m.Payload, stored.Payload) {
			t.Fatalf("frame %d: %+v %v", seq, m, err)
		}
	}
}

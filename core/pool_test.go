package core

import (
	"bytes"
	"context"
	"encoding/binary"
	"errors"
	"os"
	"path/filepath"
	"strconv"
	"strings"
	"testing"
	"time"

	"github.com/plasmite-go/plasmite/core/jsonfmt"
	"github.com/plasmite-go/plasmite/core/lite3"
)

func TestGeometryTable(t *testing.T) {
	rows := []struct{ size, cap, ringOff, ringSize uint64 }{
		{5120, 0, 4096, 1024},
		{8192, 32, 4608, 3584},
		{65536, 256, 8192, 57344},
		{1 << 20, 4096, 69632, 978944},
		{8 << 20, 32768, 528384, 7860224},
		{16 << 20, 65536, 1052672, 16<<20 - 1052672},
		{1 << 30, 65536, 1052672, 1<<30 - 1052672},
		{4097, 0, 4096, 1},
	}
	for _, r := range rows {
		h, err := newHeader(r.size, autoIndexCapacity(r.size))
		if err != nil {
			t.Fatal(err)
		}
		if uint64(h.IndexCapacity) != r.cap || h.RingOffset != r.ringOff || h.RingSize != r.ringSize {
			t.Errorf("size %d: got cap %d ring %d+%d", r.size, h.IndexCapacity, h.RingOffset, h.RingSize)
		}
	}
}

// The header of a new 1 MiB pool, byte for byte.
func TestGoldenHeader(t *testing.T) {
	p := tempPool(t, 0)
	raw, err := os.ReadFile(p.Path())
	if err != nil {
		t.Fatal(err)
	}
	if len(raw) != 1<<20 {
		t.Fatalf("size %d", len(raw))
	}
	want := make([]byte, 4096)
	copy(want, "PLSM\x03\x00\x00\x00\x01")
	le := binary.LittleEndian
	le.PutUint64(want[16:], 1<<20)
	le.PutUint64(want[24:], 4096)
	le.PutUint32(want[32:], 4096)
	le.PutUint64(want[40:], 69632)
	le.PutUint64(want[48:], 978944)
	if !bytes.Equal(raw[:4096], want) {
		t.Fatalf("header mismatch:\n%x\n%x", raw[:112], want[:112])
	}
	if !bytes.Equal(raw[4096:], make([]byte, len(raw)-4096)) {
		t.Fatal("index/ring not zero")
	}
	// After one append: slot 1 = (1, 0), header cursors set.
	rawAppend(t, p, []byte("hello"))
	raw, _ = os.ReadFile(p.Path())
	if le.Uint64(raw[4096+16:]) != 1 || le.Uint64(raw[4096+24:]) != 0 {
		t.Fatal("index slot 1")
	}
	fl := frameLen(5)
	for off, v := range map[int]uint64{64: fl, 72: 0, 80: fl, 88: 1, 96: 1} {
		if got := le.Uint64(raw[off:]); got != v {
			t.Errorf("header @%d = %d, want %d", off, got, v)
		}
	}
	fr := raw[69632:]
	if string(fr[:4]) != "FRM1" || le.Uint32(fr[4:]) != 2 || le.Uint32(fr[12:]) != 64 || le.Uint64(fr[16:]) != 1 ||
		le.Uint32(fr[32:]) != 5 || le.Uint32(fr[36:]) != ^uint32(5) || string(fr[64:69]) != "hello" || string(fr[69:77]) != "PLSMCMIT" {
		t.Fatalf("frame bytes %x", fr[:80])
	}
}

func TestCreateErrors(t *testing.T) {
	dir := t.TempDir()
	path := filepath.Join(dir, "a", "b", "c.plasmite")
	p, err := Create(path, 64<<10)
	if err != nil {
		t.Fatal(err)
	}
	p.Close()
	_, err = Create(path, 64<<10)
	var e *Error
	if !errors.As(err, &e) || e.Kind != AlreadyExists || e.Hint == "" {
		t.Fatalf("exists: %v", err)
	}
	small := filepath.Join(dir, "small.plasmite")
	if _, err := Create(small, 1024); KindOf(err) != Usage {
		t.Fatalf("small: %v", err)
	}
	if _, err := os.Stat(small); !os.IsNotExist(err) {
		t.Fatal("small pool file was created")
	}
	if os.Geteuid() != 0 {
		ro := filepath.Join(dir, "ro")
		os.Mkdir(ro, 0o555)
		_, err := Create(filepath.Join(ro, "x", "p.plasmite"), 0)
		if KindOf(err) != Permission || !strings.Contains(err.(*Error).Message, "failed to create pool directory") {
			t.Fatalf("unwritable parent: %v", err)
		}
	}
}

func TestOpenErrors(t *testing.T) {
	dir := t.TempDir()
	if _, err := Open(filepath.Join(dir, "missing.plasmite"), OpenOptions{}); KindOf(err) != NotFound {
		t.Fatalf("missing: %v", err)
	}
	good := filepath.Join(dir, "good.plasmite")
	p, err := Create(good, 64<<10)
	if err != nil {
		t.Fatal(err)
	}
	rawAppend(t, p, []byte("x"))
	p.Close()
	raw, _ := os.ReadFile(good)
	mutate := func(name string, f func(b []byte) []byte) string {
		b := f(append([]byte(nil), raw...))
		path := filepath.Join(dir, name)
		os.WriteFile(path, b, 0o644)
		return path
	}
	corrupt := map[string]func([]byte) []byte{
		"empty":      func(b []byte) []byte { return nil },
		"one":        func(b []byte) []byte { return b[:1] },
		"half":       func(b []byte) []byte { return b[:len(b)/2] },
		"minus128":   func(b []byte) []byte { return b[:len(b)-128] },
		"zero4096":   func(b []byte) []byte { return make([]byte, 4096) },
		"nope":       func(b []byte) []byte { return []byte("NOPE") },
		"zeroed":     func(b []byte) []byte { return make([]byte, len(b)) },
		"badmagic":   func(b []byte) []byte { b[0] = 'B'; return b },
		"endian":     func(b []byte) []byte { b[8] = 2; return b },
		"sizefield":  func(b []byte) []byte { binary.LittleEndian.PutUint64(b[16:], 1); return b },
		"unaligned":  func(b []byte) []byte { binary.LittleEndian.PutUint64(b[64:], 4); return b },
		"headrange":  func(b []byte) []byte { binary.LittleEndian.PutUint64(b[64:], 1<<40); return b },
		"inverted":   func(b []byte) []byte { binary.LittleEndian.PutUint64(b[88:], 5); return b },
		"ringoff":    func(b []byte) []byte { binary.LittleEndian.PutUint64(b[40:], 8192+8); return b },
		"capoverflo": func(b []byte) []byte { binary.LittleEndian.PutUint32(b[32:], 0xFFFFFFFF); return b },
	}
	for name, f := range corrupt {
		path := mutate(name, f)
		_, err := Open(path, OpenOptions{})
		var e *Error
		if !errors.As(err, &e) || e.Kind != Corrupt || e.Path != path {
			t.Errorf("%s: got %v", name, err)
		}
		r, err := Validate(path)
		if err != nil || r.Status != "corrupt" || len(r.Issues) != 1 || r.Issues[0].Code != "corrupt" {
			t.Errorf("%s: validate %+v %v", name, r, err)
		}
	}
	v42 := mutate("v42", func(b []byte) []byte { binary.LittleEndian.PutUint32(b[4:], 42); return b })
	_, err = Open(v42, OpenOptions{})
	if KindOf(err) != Usage || !strings.Contains(err.Error(), "42") || !strings.Contains(err.Error(), "3") || err.(*Error).Hint == "" {
		t.Fatalf("v42: %v", err)
	}
	r, err := Validate(v42)
	if err != nil || r.Status != "corrupt" || r.Issues[0].Code != "format" || len(r.Hints) != 1 {
		t.Fatalf("v42 validate: %+v %v", r, err)
	}
}

func TestOpenReadOnlyFile(t *testing.T) {
	p := tempPool(t, 64<<10)
	rawAppend(t, p, []byte("x"))
	path := p.Path()
	p.Close()
	os.Chmod(path, 0o444)
	if os.Geteuid() != 0 {
		if _, err := Open(path, OpenOptions{}); KindOf(err) != Permission {
			t.Fatalf("rw open of read-only file: %v", err)
		}
	}
	q, err := Open(path, OpenOptions{ReadOnly: true})
	if err != nil {
		t.Fatal(err)
	}
	defer q.Close()
	m, err := q.Get(1)
	if err != nil || string(m.Payload) != "x" {
		t.Fatalf("get: %v %q", err, m.Payload)
	}
	if _, err := q.AppendLite3(doc(t), Fast); KindOf(err) != Permission {
		t.Fatalf("append on read-only: %v", err)
	}
}

func TestAppendGetAndBounds(t *testing.T) {
	p := tempPool(t, 64<<10)
	if b := p.Bounds(); b != (Bounds{}) {
		t.Fatal(b)
	}
	if _, err := p.Get(1); KindOf(err) != NotFound {
		t.Fatal(err)
	}
	vs := vectors(t)
	names := []string{"one-int", "many-tags", "sensor", "random-07"}
	before := time.Now().UnixNano()
	for i, n := range names {
		r, err := p.AppendLite3(vs[n].Payload, Fast)
		if err != nil {
			t.Fatal(err)
		}
		if r.Seq != uint64(i+1) || r.Time < before {
			t.Fatalf("receipt %+v", r)
		}
	}
	if b := p.Bounds(); b != (Bounds{1, 4}) {
		t.Fatal(b)
	}
	for i, n := range names {
		m, err := p.Get(uint64(i + 1))
		if err != nil || !bytes.Equal(m.Payload, vs[n].Payload) || m.Seq != uint64(i+1) {
			t.Fatalf("get %d: %v", i+1, err)
		}
	}
	for _, s := range []uint64{0, 5, 100} {
		_, err := p.Get(s)
		var e *Error
		if !errors.As(err, &e) || e.Kind != NotFound || e.Seq == nil || *e.Seq != s {
			t.Fatalf("get %d: %v", s, err)
		}
	}
	if _, err := p.AppendLite3(make([]byte, 8), Fast); KindOf(err) != Corrupt {
		t.Fatalf("invalid doc: %v", err)
	}
	r, err := p.AppendLite3(vs["one-int"].Payload, Flush)
	if err != nil || r.Seq != 5 {
		t.Fatal(r, err)
	}
	mustStrict(t, p)
	rep, err := Validate(p.Path())
	if err != nil || rep.Status != "ok" || rep.LastGoodSeq == nil || *rep.LastGoodSeq != 5 {
		t.Fatalf("%+v %v", rep, err)
	}
}

func TestWrapAndOverwrite(t *testing.T) {
	payload := bytes.Repeat([]byte{7}, 100) // FL 176
	// ring = 3·FL + 64: four appends → retained [2,3,4], wrap marker at 3·FL.
	p := tempPool(t, 4096+3*176+64)
	for i := 0; i < 4; i++ {
		rawAppend(t, p, payload)
	}
	if b := p.Bounds(); b != (Bounds{2, 4}) {
		t.Fatal(b)
	}
	if binary.LittleEndian.Uint32(p.m.ring[3*176+4:]) != stateWrap {
		t.Fatal("no wrap marker")
	}
	mustStrict(t, p)
	// ring = 2·FL + 64: three appends → [2,3].
	q := tempPool(t, 4096+2*176+64)
	for i := 0; i < 3; i++ {
		rawAppend(t, q, payload)
	}
	if b := q.Bounds(); b != (Bounds{2, 3}) {
		t.Fatal(b)
	}
	// Keep going through the wrap-marker-tail and gap-tail states; every
	// retained message stays readable.
	for _, ringSize := range []int64{416, 408, 400, 1000} {
		q := tempPool(t, 4096+ringSize)
		for i := 1; i <= 50; i++ {
			rawAppend(t, q, payload)
			mustStrict(t, q)
			b := q.Bounds()
			for s := b.Oldest; s <= b.Newest; s++ {
				if m, err := q.Get(s); err != nil || !bytes.Equal(m.Payload, payload) {
					t.Fatalf("ring %d: get %d: %v", ringSize, s, err)
				}
			}
		}
	}
}

func TestIndexCollisionAndStaleSlot(t *testing.T) {
	// 4096+32+... : build a pool with capacity 2 by hand.
	dir := t.TempDir()
	path := filepath.Join(dir, "p.plasmite")
	h, _ := newHeader(4096+32+2048, 2)
	os.WriteFile(path, append(h.encode(), make([]byte, 32+2048)...), 0o644)
	p, err := Open(path, OpenOptions{})
	if err != nil {
		t.Fatal(err)
	}
	defer p.Close()
	for i := 0; i < 3; i++ {
		rawAppend(t, p, []byte{byte(i)})
	}
	le := binary.LittleEndian
	if le.Uint64(p.m.data[4096:]) != 2 || le.Uint64(p.m.data[4096+16:]) != 3 {
		t.Fatal("slots")
	}
	for s := uint64(1); s <= 3; s++ {
		if m, err := p.Get(s); err != nil || m.Payload[0] != byte(s-1) {
			t.Fatalf("get %d: %v", s, err)
		}
	}
	// Right seq, wrong offset: falls back to the scan.
	le.PutUint64(p.m.data[4096+8:], 0)
	if m, err := p.Get(2); err != nil || m.Payload[0] != 1 {
		t.Fatalf("stale slot: %v", err)
	}
	// Garbage offsets.
	le.PutUint64(p.m.data[4096+16+8:], 1<<50)
	if m, err := p.Get(3); err != nil || m.Payload[0] != 2 {
		t.Fatalf("garbage slot: %v", err)
	}
}

func TestGarbageFrames(t *testing.T) {
	p := tempPool(t, 64<<10)
	for i := 0; i < 10; i++ {
		rawAppend(t, p, bytes.Repeat([]byte{byte(i)}, 50))
	}
	releaseLease(p)
	// Overwrite frame 5's header with garbage.
	o, ok := p.m.locate(5, loadCursors(p.m.data))
	if !ok {
		t.Fatal("locate")
	}
	copy(p.m.ring[o:], bytes.Repeat([]byte{0xAB}, 64))
	if _, err := p.Get(5); KindOf(err) != Corrupt {
		t.Fatalf("get garbage: %v", err)
	}
	if m, err := p.Get(4); err != nil || m.Payload[0] != 3 {
		t.Fatalf("get 4: %v", err)
	}
	tl, _ := p.Tail(TailOptions{})
	defer tl.Close()
	for s := uint64(1); s <= 4; s++ {
		m, ok, err := tl.TryNext()
		if !ok || err != nil || m.Seq != s {
			t.Fatalf("tail %d: %v %v", s, ok, err)
		}
	}
	if _, _, err := tl.TryNext(); KindOf(err) != Corrupt {
		t.Fatalf("tail over garbage: %v", err)
	}
	r, err := ValidateWith(p.Path(), ValidateOptions{Quick: true}) // raw payloads: frames only
	if err != nil || r.Status != "corrupt" || r.LastGoodSeq == nil || *r.LastGoodSeq != 4 ||
		r.Issues[0].Message != "bad frame magic" || r.Issues[0].Offset == nil || *r.Issues[0].Offset != o {
		t.Fatalf("%+v %v", r, err)
	}
	// The strict oracle and the planner also notice; appends keep working
	// until the writer needs to drop the damaged frame.
	if err := p.m.checkStrict(); err == nil {
		t.Fatal("strict passed")
	}
	_ = context.Background()
}

func TestResolveRef(t *testing.T) {
	cases := map[[2]string]string{
		{DefaultDir("/home/u"), "demo"}: "/home/u/.plasmite/pools/demo.plasmite",
		{"", "demo"}:                    "./demo.plasmite",
		{"/d", "demo"}:                  "/d/demo.plasmite",
		{"/d", "demo.plasmite"}:         "/d/demo.plasmite",
		{"/d", "./x.plasmite"}:          "./x.plasmite",
		{"/d", "/abs/y"}:                "/abs/y",
		{"/d", "sub/demo"}:              "sub/demo",
		{"./p", "demo"}:                 "./p/demo.plasmite",
		{"/d/", "demo"}:                 "/d/demo.plasmite",
	}
	for in, want := range cases {
		if got := ResolveRef(in[0], in[1]); got != want {
			t.Errorf("%v: %q want %q", in, got, want)
		}
	}
	if DefaultDir("") != ".plasmite/pools" {
		t.Error(DefaultDir(""))
	}
}

func TestDeleteAndInfo(t *testing.T) {
	p := tempPool(t, 64<<10)
	in, err := p.Info()
	if err != nil || in.FreeBytes != in.RingSize || in.UsedBytes != 0 || in.MessageCount != 0 || !in.OldestTime.IsZero() ||
		in.IndexCapacity != 256 || in.IndexSizeBytes != 4096 || in.RingOffset != 8192 {
		t.Fatalf("%+v %v", in, err)
	}
	rawAppend(t, p, make([]byte, 100))
	rawAppend(t, p, make([]byte, 100))
	in, _ = p.Info()
	if in.Bounds != (Bounds{1, 2}) || in.MessageCount != 2 || in.UsedBytes != 352 || in.UsedPercent != float64(352*10000/57344)/100 ||
		in.OldestTime.IsZero() || in.NewestTime.Before(in.OldestTime) {
		t.Fatalf("%+v", in)
	}
	path := p.Path()
	p.Close()
	if err := Delete(path); err != nil {
		t.Fatal(err)
	}
	if err := Delete(path); KindOf(err) != NotFound {
		t.Fatal(err)
	}
}

func TestAppendJSONAndBatch(t *testing.T) {
	p := tempPool(t, 1<<20)
	for _, v := range vectors(t) {
		r, err := p.AppendJSON(v.Data, v.Tags, Fast)
		if err != nil {
			t.Fatalf("%s: %v", v.Name, err)
		}
		want, _ := lite3.EncodeMessage(nil, v.Data, v.Tags)
		m, err := p.Get(r.Seq)
		if err != nil || !bytes.Equal(m.Payload, want) {
			t.Fatalf("%s: stored bytes differ (%v)", v.Name, err)
		}
	}
	for _, bad := range []string{`[1]`, `"x"`, `12`, ``, `{"a":`, `{"a":1}x`} {
		if _, err := p.AppendJSON([]byte(bad), nil, Fast); KindOf(err) != Usage {
			t.Errorf("%q: %v", bad, err)
		}
	}
	var b Batch
	for i := 0; i < 10; i++ {
		if err := b.AddJSON([]byte(`{"i":`+itoa(uint64(i))+`}`), []string{"b"}); err != nil {
			t.Fatal(err)
		}
	}
	if err := b.AddJSON([]byte(`[]`), nil); KindOf(err) != Usage || b.Len() != 10 {
		t.Fatalf("bad add: %v, len %d", err, b.Len())
	}
	if err := b.AddLite3(make([]byte, 16)); KindOf(err) != Corrupt || b.Len() != 10 {
		t.Fatalf("bad lite3 add: %v", err)
	}
	if err := b.AddLite3(vectors(t)["sensor"].Payload); err != nil {
		t.Fatal(err)
	}
	if got, want := b.Payload(0), lite3Doc(t, `{"i":0}`, "b"); !bytes.Equal(got, want) {
		t.Fatal("batch payload 0")
	}
	if !bytes.Equal(b.Payload(10), vectors(t)["sensor"].Payload) {
		t.Fatal("batch payload 10")
	}
	start := p.Bounds().Newest
	rs, err := p.AppendBatch(&b, Flush, nil)
	if err != nil || len(rs) != 11 {
		t.Fatal(len(rs), err)
	}
	for i, r := range rs {
		m, err := p.Get(r.Seq)
		if r.Seq != start+1+uint64(i) || err != nil || m.Time != r.Time || i > 0 && r.Time < rs[i-1].Time {
			t.Fatalf("receipt %d: %+v (stored %+v, %v)", i, r, m, err)
		}
	}
	m, _ := p.Get(rs[3].Seq)
	want, _ := lite3.EncodeMessage(nil, []byte(`{"i":3}`), []string{"b"})
	if !bytes.Equal(m.Payload, want) {
		t.Fatal("batch message 3")
	}
	b.Reset()
	if rs, err := p.AppendBatch(&b, Fast, rs[:0]); err != nil || len(rs) != 0 {
		t.Fatal(err)
	}
	mustStrict(t, p)
}

func lite3Doc(t *testing.T, data string, tags ...string) []byte {
	t.Helper()
	doc, err := lite3.EncodeMessage(nil, []byte(data), tags)
	if err != nil {
		t.Fatal(err)
	}
	return doc
}

// Each message of a batch gets its own append time, as separate appends
// would (issue 11 item 12: --since and --replay depend on it): times never
// decrease and a long batch spans a clock interval.
func TestBatchTimesPerMessage(t *testing.T) {
	p := tempPool(t, 4<<20)
	var b Batch
	for i := 0; i < 2000; i++ {
		if err := b.AddJSON([]byte(`{"i":`+itoa(uint64(i))+`}`), nil); err != nil {
			t.Fatal(err)
		}
	}
	before := time.Now().UnixNano()
	rs, err := p.AppendBatch(&b, Fast, nil)
	after := time.Now().UnixNano()
	if err != nil || len(rs) != 2000 {
		t.Fatal(len(rs), err)
	}
	distinct := 1
	for i := 1; i < len(rs); i++ {
		if rs[i].Time < rs[i-1].Time {
			t.Fatalf("time went back at %d: %d < %d", i, rs[i].Time, rs[i-1].Time)
		}
		if rs[i].Time != rs[i-1].Time {
			distinct++
		}
	}
	// 2000 clock reads cannot all fall in the same nanosecond; the bounds
	// allow clock.go's documented error (a stamp is never early, and at
	// most clockMaxGap late)
	if distinct < 2 || rs[0].Time < before || rs[len(rs)-1].Time > after+clockMaxGap {
		t.Fatalf("%d distinct times, %d..%d outside %d..%d", distinct, rs[0].Time, rs[len(rs)-1].Time, before, after)
	}
}

// A batch larger than the ring laps itself: the header stays valid and the
// last messages are retained.
func TestBatchLapsRing(t *testing.T) {
	p := tempPool(t, 4096+2048)
	var b Batch
	payload := vectors(t)["empty-data"].Payload // 408 bytes, FL 480: 4 per ring
	for i := 0; i < 11; i++ {
		b.AddLite3(payload)
	}
	tl, _ := p.Tail(TailOptions{})
	defer tl.Close()
	rs, err := p.AppendBatch(&b, Fast, nil)
	if err != nil || len(rs) != 11 {
		t.Fatal(err)
	}
	mustStrict(t, p)
	if bd := p.Bounds(); bd.Newest != 11 || bd.Oldest < 8 {
		t.Fatal(bd)
	}
	got := drain(t, tl)
	if len(got) == 0 || got[len(got)-1] != 11 {
		t.Fatal(got)
	}
}

// AppendJSONTo hands back exactly the stored document, in the caller's buffer.
func TestAppendJSONToReturnsStoredMessage(t *testing.T) {
	p := tempPool(t, 64<<10)
	buf := make([]byte, 0, 4096)
	m, err := p.AppendJSONTo(buf, []byte(`{"b":[1,2.5],"a":"x"}`), []string{"t"}, Fast)
	if err != nil {
		t.Fatal(err)
	}
	if &m.Payload[0] != &buf[:1][0] {
		t.Error("payload was not encoded into the caller's buffer")
	}
	got, err := p.Get(m.Seq)
	if err != nil {
		t.Fatal(err)
	}
	if got.Seq != 1 || got.Time != m.Time || !bytes.Equal(got.Payload, m.Payload) {
		t.Fatalf("stored %d/%d/%x, returned %d/%d/%x", got.Seq, got.Time, got.Payload, m.Seq, m.Time, m.Payload)
	}
	m, err = p.AppendJSONTo(m.Payload, []byte(`[1]`), nil, Fast)
	if !errors.Is(err, Usage) || len(m.Payload) != 0 || cap(m.Payload) == 0 {
		t.Fatalf("non-object: err %v, payload len %d cap %d", err, len(m.Payload), cap(m.Payload))
	}
	if b := p.Bounds(); b.Newest != 1 {
		t.Fatalf("a failed append changed the pool: %+v", b)
	}
}

// AppendJSONCanonical stores what AppendJSONTo stores and says when the
// data reads back as the very text given.
func TestAppendJSONCanonical(t *testing.T) {
	p := tempPool(t, 64<<10)
	for _, c := range []struct {
		data  string
		canon bool
	}{
		{`{"a":"x","b":[1,2.5]}`, true},
		{`{"b":[1,2.5],"a":"x"}`, false},
		{`{"a": 1}`, false},
	} {
		m, canon, err := p.AppendJSONCanonical(nil, []byte(c.data), []string{"t"}, Fast)
		if err != nil {
			t.Fatal(err)
		}
		if canon != c.canon {
			t.Errorf("%s: canonical %v, want %v", c.data, canon, c.canon)
		}
		got, err := p.Get(m.Seq)
		if err != nil || got.Time != m.Time || !bytes.Equal(got.Payload, m.Payload) {
			t.Fatalf("%s: stored %+v (%v), returned %+v", c.data, got, err, m)
		}
		if text, _ := lite3.AppendDataJSON(nil, got.Payload, jsonfmt.Compact); canon && string(text) != c.data {
			t.Errorf("%s: canonical, but reads back as %s", c.data, text)
		}
	}
	if _, canon, err := p.AppendJSONCanonical(nil, []byte(`[1]`), nil, Fast); !errors.Is(err, Usage) || canon {
		t.Fatalf("non-object: canonical %v, err %v", canon, err)
	}
}

// Delete takes the pool's wake-up semaphore with it.
func TestDeleteRemovesSemaphore(t *testing.T) {
	path := filepath.Join(t.TempDir(), "gone.plasmite")
	p, err := Create(path, 64<<10)
	if err != nil {
		t.Fatal(err)
	}
	if _, err := p.AppendJSON([]byte(`{"a":1}`), nil, Fast); err != nil {
		t.Fatal(err)
	}
	p.Close()
	sem := semaphorePath(path)
	if sem == "" || testNotifyOff {
		t.Skip("no reference semaphore on this platform or configuration")
	}
	if _, err := os.Stat(sem); err != nil {
		t.Fatalf("append posted no semaphore: %v", err)
	}
	if err := Delete(path); err != nil {
		t.Fatal(err)
	}
	if _, err := os.Stat(sem); !errors.Is(err, os.ErrNotExist) {
		t.Fatalf("semaphore %s still there: %v", sem, err)
	}
}

// TestWallNanos: the cached wall clock stays between time.Now readings
// taken around it and never runs backwards between resyncs by more than the
// measuring gap.
func TestWallNanos(t *testing.T) {
	prev := int64(0)
	for i := 0; i < 200000; i++ {
		before := time.Now().UnixNano()
		got := wallNanos()
		after := time.Now().UnixNano()
		if got < before || got > after+clockMaxGap {
			t.Fatalf("wallNanos %d outside [%d, %d+%d]", got, before, after, clockMaxGap)
		}
		if got < prev-clockMaxGap {
			t.Fatalf("wallNanos went back from %d to %d", prev, got)
		}
		prev = got
	}
}

// Object keys holding NUL are refused on every append path with Usage
// (issue 12 #10): 1.2.1 reads {"a\u0000b":2} back as {"a":2}, so storing it
// would make the two implementations read one pool differently. Nothing is
// appended.
func TestNulKeyRefusedOnAppend(t *testing.T) {
	p := tempPool(t, 64<<10)
	isUsage := func(what string, err error) {
		t.Helper()
		if KindOf(err) != Usage || !strings.Contains(err.Error(), "key contains NUL") {
			t.Fatalf("%s: %v", what, err)
		}
	}
	_, err := p.AppendJSON([]byte(`{"a\u0000b":2}`), nil, Fast)
	isUsage("AppendJSON", err)
	_, err = p.AppendJSON([]byte(`{"x":[{"\u0000":1}]}`), []string{"t"}, Flush)
	isUsage("AppendJSON nested", err)
	var b Batch
	isUsage("Batch.AddJSON", b.AddJSON([]byte(`{"ok":1,"a\u0000":2}`), nil))
	// A pre-encoded document holding the key "a\x00b" (its hash is the
	// hash of "a", as DJB2 stops at the NUL): valid to read, refused to write.
	doc, err := lite3.EncodeMessage(nil, []byte(`{"aXb":2}`), nil)
	if err != nil {
		t.Fatal(err)
	}
	djb2 := func(s string) uint32 {
		h := uint32(5381)
		for i := 0; i < len(s); i++ {
			h = h*33 + uint32(s[i])
		}
		return h
	}
	var old, new [4]byte
	binary.LittleEndian.PutUint32(old[:], djb2("aXb"))
	binary.LittleEndian.PutUint32(new[:], djb2("a"))
	copy(doc[bytes.Index(doc, old[:]):], new[:])
	doc[bytes.Index(doc, []byte("aXb\x00"))+1] = 0
	if err := lite3.ValidateMessage(doc); err != nil {
		t.Fatalf("the patched document should be readable: %v", err)
	}
	_, err = p.AppendLite3(doc, Fast)
	isUsage("AppendLite3", err)
	isUsage("Batch.AddLite3", b.AddLite3(doc))
	if b.Len() != 0 || p.Bounds() != (Bounds{}) {
		t.Fatalf("something was appended: batch %d, bounds %v", b.Len(), p.Bounds())
	}
	// NUL inside a string value or a tag is stored in full, as 1.2.1 does.
	m, err := p.AppendJSONTo(nil, []byte(`{"s":"a\u0000b"}`), []string{"t\x00u"}, Fast)
	if err != nil {
		t.Fatal(err)
	}
	got, _ := lite3.AppendMessageJSON(nil, m.Payload, 1, 0, jsonfmt.Compact)
	if !strings.Contains(string(got), `"s":"a\u0000b"`) || !strings.Contains(string(got), `"t\u0000u"`) {
		t.Fatalf("stored %s", got)
	}
}

func TestCreateWithIndexCapacity(t *testing.T) {
	dir := t.TempDir()
	for _, want := range []uint32{0, 8} {
		ic := want
		p, err := CreateWith(filepath.Join(dir, "p"+strconv.Itoa(int(want))+".plasmite"), CreateOptions{Size: 64 << 10, IndexCapacity: &ic})
		if err != nil {
			t.Fatal(err)
		}
		in, err := p.Info()
		p.Close()
		if err != nil || in.IndexCapacity != uint64(want) || in.RingOffset != 4096+16*uint64(want) {
			t.Fatalf("index capacity %d: %+v %v", want, in, err)
		}
	}
	// nil keeps the automatic size (64 KiB: 256 slots)
	p, err := CreateWith(filepath.Join(dir, "auto.plasmite"), CreateOptions{Size: 64 << 10})
	if err != nil {
		t.Fatal(err)
	}
	defer p.Close()
	if in, _ := p.Info(); in.IndexCapacity != 256 {
		t.Fatalf("automatic index: %+v", in)
	}
}
